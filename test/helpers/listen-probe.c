/* SPDX-License-Identifier: MIT */
/* listen-probe: a service for tests of fd passing.  It reports what it was
 * given, as real libsystemd sees it, then optionally serves.
 *
 * Usage: listen-probe [--report FILE|--report-dir DIR] [--serve] [--exit N]
 *
 * The report (to stdout unless --report/--report-dir; --report-dir writes
 * DIR/<pid>) is one fact per line, fields separated by single spaces:
 *
 *   pid <getpid()>
 *   env <NAME=VALUE>               every environment entry, in order
 *   fd <n> ino <st_ino> cloexec <0|1> kind <socket|fifo|reg|chr|dir|other>
 *        [family <f> type <t> protocol <p> listening <0|1> [port <local port>]
 *         [mptcp <tcp|tcp-fallback|mptcp>]]
 *                                  every open fd, as found in /proc/self/fd
 *                                  BEFORE libsystemd touched anything;
 *                                  mptcp only for connected TCP/MPTCP
 *                                  sockets (socket_mptcp_status())
 *   sd_listen_fds <n or -errno>    sd_listen_fds_with_names(0, &names)
 *   name <fd> <name>               one per fd, from the same call
 *   listen_pid_matches <0|1>       LISTEN_PID == getpid()
 *   end
 *
 * --serve: afterwards, serve the passed fds: a listening stream/seqpacket
 * socket at fd 3 accepts one connection and echoes it; a connected socket
 * at fd 3 is echoed; a datagram socket at fd 3 echoes one datagram.  With
 * no fd 3, stdin is copied to stdout.
 * --exit N: exit with status N (default 0). */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "socket-util.h"

extern char **environ;

static const char *kind_of(mode_t m) {
        return S_ISSOCK(m) ? "socket" : S_ISFIFO(m) ? "fifo" : S_ISREG(m) ? "reg" :
                S_ISCHR(m) ? "chr" : S_ISDIR(m) ? "dir" : "other";
}

static int sockopt(int fd, int opt) {
        int v = -1;
        socklen_t l = sizeof v;
        if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) < 0)
                return -errno;
        return v;
}

static void report_fds(FILE *out) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int fds[4096], n = 0;

        if (!d) {
                fprintf(out, "error opendir %d\n", errno);
                return;
        }
        while ((de = readdir(d)) && n < 4096) {
                if (de->d_name[0] == '.')
                        continue;
                int fd = atoi(de->d_name);
                if (fd != dirfd(d))
                        fds[n++] = fd;
        }
        closedir(d);

        /* readdir order is not numeric: sort. */
        for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
                        int t = fds[j];
                        fds[j] = fds[j - 1];
                        fds[j - 1] = t;
                }

        for (int i = 0; i < n; i++) {
                struct stat st;
                int fd = fds[i], flags = fcntl(fd, F_GETFD);

                if (fstat(fd, &st) < 0)
                        continue;
                fprintf(out, "fd %d ino %llu cloexec %d kind %s", fd, (unsigned long long) st.st_ino,
                        flags >= 0 && (flags & FD_CLOEXEC) ? 1 : 0, kind_of(st.st_mode));
                if (S_ISSOCK(st.st_mode))
                        fprintf(out, " family %d type %d protocol %d listening %d",
                                sockopt(fd, SO_DOMAIN), sockopt(fd, SO_TYPE),
                                sockopt(fd, SO_PROTOCOL), sockopt(fd, SO_ACCEPTCONN));
                if (S_ISSOCK(st.st_mode)) {
                        struct sockaddr_storage sa;
                        socklen_t l = sizeof sa;
                        if (getsockname(fd, (struct sockaddr *) &sa, &l) >= 0 &&
                            (sa.ss_family == AF_INET || sa.ss_family == AF_INET6))
                                fprintf(out, " port %u", ntohs(sa.ss_family == AF_INET ?
                                                               ((struct sockaddr_in *) &sa)->sin_port :
                                                               ((struct sockaddr_in6 *) &sa)->sin6_port));
                }
                if (S_ISSOCK(st.st_mode) && sockopt(fd, SO_ACCEPTCONN) == 0) {
                        int m = socket_mptcp_status(fd);
                        if (m >= 0)
                                fprintf(out, " mptcp %s", socket_mptcp_status_to_string(m));
                }
                fputc('\n', out);
        }
}

static void copy_stream(int in, int out) {
        char buf[65536];
        ssize_t n;

        while ((n = read(in, buf, sizeof buf)) > 0)
                for (ssize_t o = 0; o < n;) {
                        ssize_t w = write(out, buf + o, (size_t) (n - o));
                        if (w <= 0)
                                return;
                        o += w;
                }
}

static void serve(void) {
        struct stat st;

        if (fstat(3, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                copy_stream(0, 1);
                return;
        }
        if (sockopt(3, SO_TYPE) == SOCK_DGRAM) {
                char buf[65536];
                struct sockaddr_storage sa;
                socklen_t l = sizeof sa;
                ssize_t n = recvfrom(3, buf, sizeof buf, 0, (struct sockaddr *) &sa, &l);
                if (n >= 0)
                        (void) sendto(3, buf, (size_t) n, 0, (struct sockaddr *) &sa, l);
                return;
        }
        if (sockopt(3, SO_ACCEPTCONN) == 1) {
                int c = accept4(3, NULL, NULL, SOCK_CLOEXEC);
                if (c >= 0) {
                        copy_stream(c, c);
                        close(c);
                }
                return;
        }
        copy_stream(3, 3);
}

int main(int argc, char **argv) {
        const char *report = NULL, *report_dir = NULL;
        bool do_serve = false;
        int exit_code = 0;
        char path[4096];
        FILE *out = stdout;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--report") == 0 && i + 1 < argc)
                        report = argv[++i];
                else if (strcmp(argv[i], "--report-dir") == 0 && i + 1 < argc)
                        report_dir = argv[++i];
                else if (strcmp(argv[i], "--serve") == 0)
                        do_serve = true;
                else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc)
                        exit_code = atoi(argv[++i]);
                else {
                        fprintf(stderr, "listen-probe: unknown argument '%s'\n", argv[i]);
                        return 2;
                }
        }

        if (report_dir) {
                snprintf(path, sizeof path, "%s/%d", report_dir, (int) getpid());
                report = path;
        }
        /* Take the fd list before opening the report file, so that the
         * report's own fd does not show up. */
        char *fdlist = NULL;
        size_t fdlist_len = 0;
        FILE *mem = open_memstream(&fdlist, &fdlist_len);
        if (!mem)
                return 3;
        report_fds(mem);
        fclose(mem);

        if (report) {
                out = fopen(report, "we");
                if (!out) {
                        fprintf(stderr, "listen-probe: cannot open '%s': %m\n", report);
                        return 3;
                }
        }

        fprintf(out, "pid %d\n", (int) getpid());
        for (char **e = environ; *e; e++)
                fprintf(out, "env %s\n", *e);
        fputs(fdlist, out);
        free(fdlist);

        char **names = NULL;
        int n = sd_listen_fds_with_names(0, &names);
        fprintf(out, "sd_listen_fds %d\n", n);
        for (int i = 0; n > 0 && i < n; i++)
                fprintf(out, "name %d %s\n", SD_LISTEN_FDS_START + i, names ? names[i] : "(null)");
        if (names)
                for (char **s = names; *s; s++)
                        free(*s);
        free(names);

        const char *lp = getenv("LISTEN_PID");
        fprintf(out, "listen_pid_matches %d\n", lp && atol(lp) == (long) getpid());
        fputs("end\n", out);
        fflush(out);
        if (out != stdout)
                fclose(out);

        if (do_serve)
                serve();
        return exit_code;
}
