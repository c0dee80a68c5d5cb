/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "porterctl-output.h"
#include "string-util.h"

/* Both describe the one standard output of this process. */
static int colors_cached = -1;
static pid_t pager_pid;

static int env_bool(const char *name) {
        const char *v = getenv(name);
        if (!v)
                return -1;
        if (streq(v, "1") || streq(v, "yes") || streq(v, "true") || streq(v, "on"))
                return 1;
        if (streq(v, "0") || streq(v, "no") || streq(v, "false") || streq(v, "off"))
                return 0;
        return -1;
}

bool porterctl_colors(void) {
        if (colors_cached >= 0)
                return colors_cached;
        const char *term = getenv("TERM");
        int forced = env_bool("SYSTEMD_COLORS");
        if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
                colors_cached = 0;
        else if (forced >= 0)
                colors_cached = forced;
        else
                colors_cached = isatty(STDOUT_FILENO) && !streq_ptr(term, "dumb");
        return colors_cached;
}

const char *porterctl_state_glyph(const char *active) {
        if (streq_ptr(active, "failed"))
                return "×";
        if (streq_ptr(active, "active") || streq_ptr(active, "reloading") || streq_ptr(active, "activating") ||
            streq_ptr(active, "deactivating"))
                return "●";
        return "○";
}

const char *porterctl_state_color(const char *active) {
        if (!porterctl_colors())
                return "";
        if (streq_ptr(active, "active") || streq_ptr(active, "reloading"))
                return "\033[0;1;32m";
        if (streq_ptr(active, "failed"))
                return "\033[0;1;31m";
        return "";
}

const char *porterctl_color_off(void) {
        return porterctl_colors() ? "\033[0m" : "";
}

/* In the child: run the pager on the pipe, or copy the pipe to the
 * terminal when no pager can be run, so that nothing is lost. */
_noreturn_ static void pager_child(const char *pager) {
        char buf[4096];
        ssize_t n;

        (void) setenv("LESS", "FRSXMK", 0);
        (void) setenv("LESSCHARSET", "utf-8", 0);
        if (pager)
                execl("/bin/sh", "sh", "-c", pager, (char *) NULL);
        else {
                execlp("less", "less", (char *) NULL);
                execlp("more", "more", (char *) NULL);
        }
        while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
                if (write(STDOUT_FILENO, buf, n) != n)
                        break;
        _exit(EXIT_SUCCESS);
}

const char *porterctl_format_timestamp(uint64_t usec, char *buf, size_t size) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;

        if (usec == 0 || !localtime_r(&t, &tm) || strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                return "";
        return buf;
}

const char *porterctl_format_relative(uint64_t usec, char *buf, size_t size) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
        uint64_t d = now > usec ? (now - usec) / 1000000 : 0;

        if (d < 60)
                snprintf(buf, size, "%llus ago", (unsigned long long) d);
        else if (d < 3600)
                snprintf(buf, size, "%llumin %llus ago", (unsigned long long) d / 60, (unsigned long long) d % 60);
        else if (d < 86400)
                snprintf(buf, size, "%lluh %llumin ago", (unsigned long long) d / 3600,
                         (unsigned long long) d % 3600 / 60);
        else
                snprintf(buf, size, "%llu day%s %lluh ago", (unsigned long long) d / 86400,
                         d / 86400 == 1 ? "" : "s", (unsigned long long) d % 86400 / 3600);
        return buf;
}

void porterctl_pager_open(const PorterctlArgs *args) {
        int fds[2];

        if (args->no_pager || pager_pid > 0 || !isatty(STDOUT_FILENO))
                return;
        const char *pager = getenv("PORTER_PAGER") ?: getenv("SYSTEMD_PAGER") ?: getenv("PAGER");
        if (pager && (isempty(pager) || streq(pager, "cat")))
                return;
        (void) porterctl_colors(); /* decide while stdout is still the terminal */
        if (pipe2(fds, O_CLOEXEC) < 0)
                return;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
                safe_close(fds[0]);
                safe_close(fds[1]);
                return;
        }
        if (pid == 0) {
                if (dup2(fds[0], STDIN_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                pager_child(pager);
        }
        safe_close(fds[0]);
        if (dup2(fds[1], STDOUT_FILENO) < 0) {
                safe_close(fds[1]);
                (void) kill(pid, SIGTERM);
                (void) waitpid(pid, NULL, 0);
                return;
        }
        safe_close(fds[1]);
        /* Quitting the pager early must not kill us with SIGPIPE. */
        signal(SIGPIPE, SIG_IGN);
        pager_pid = pid;
}

void porterctl_pager_close(void) {
        if (pager_pid <= 0)
                return;
        fflush(stdout);
        /* The pager sees EOF only once our end of the pipe is closed. */
        (void) close(STDOUT_FILENO);
        while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        pager_pid = 0;
}
