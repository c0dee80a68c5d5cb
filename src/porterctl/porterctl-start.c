/* SPDX-License-Identifier: MIT */
/* porterctl start/stop/restart UNIT...: ask porterd, then (unless --no-block) wait
 * until the unit left the activating/deactivating states and report a
 * failure with the unit's last log lines, as systemctl does.  Exit status:
 * 0, 1 when a unit failed, 5 when a unit is unknown or failed to load
 * (systemctl's "not installed"). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "log.h"
#include "porterctl-bus.h"
#include "porterctl-verbs.h"
#include "string-util.h"

#define WAIT_USEC (120ULL * 1000000ULL)

static bool state_is_transient(const char *s) {
        return streq(s, "activating") || streq(s, "deactivating") || streq(s, "reloading");
}

/* Wait for a settled ActiveState; returns it (heap) or NULL. */
static char *wait_settled(sd_bus *bus, const char *id) {
        for (unsigned waited = 0; waited < WAIT_USEC; waited += 20000) {
                char *state = NULL;
                if (porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "ActiveState", &state) < 0)
                        return NULL;
                if (!state_is_transient(state))
                        return state;
                free(state);
                usleep(20000);
        }
        return NULL;
}

static int start_stop_one(sd_bus *bus, const PorterctlArgs *args, const char *name, bool start);

/* restart: stop, wait until it is down, start (porterd has no restart
 * job of its own yet). */
static int restart_one(sd_bus *bus, const PorterctlArgs *args, const char *name) {
        _cleanup_free_ char *id = NULL, *state = NULL;
        PorterctlArgs blocking = *args;
        int r;

        if (porterctl_mangle(name, &id) < 0)
                return 1;
        /* A unit porterd has not loaded yet is simply started. */
        if (porterctl_unit_string(bus, id, PORTER_BUS_UNIT_IFACE, "ActiveState", &state) >= 0) {
                blocking.no_block = false;
                r = start_stop_one(bus, &blocking, id, false);
                if (r != 0)
                        return r;
        }
        return start_stop_one(bus, args, id, true);
}

static int start_stop_one(sd_bus *bus, const PorterctlArgs *args, const char *name, bool start) {
        _cleanup_free_ char *id = NULL, *state = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = porterctl_mangle(name, &id);
        if (r < 0)
                return 1;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                               start ? "StartUnit" : "StopUnit", &e, NULL, "ss", id, "replace");
        if (r < 0) {
                bool missing = sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ||
                               sd_bus_error_has_name(&e, "org.freedesktop.systemd1.LoadFailed");
                log_error("Failed to %s %s: %s", start ? "start" : "stop", id, e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                return missing ? 5 : 1;
        }
        if (args->no_block)
                return 0;

        state = wait_settled(bus, id);
        if (start && (!state || streq(state, "failed") || streq(state, "inactive"))) {
                _cleanup_free_ char *result = NULL;
                (void) porterctl_unit_string(bus, id, PORTER_BUS_SOCKET_IFACE, "Result", &result);
                if (!result || isempty(result))
                        (void) porterctl_unit_string(bus, id, PORTER_BUS_SERVICE_IFACE, "Result", &result);
                log_error("Job for %s failed%s%s%s.\nSee \"porterctl%s status %s\" for details.", id,
                          result && !isempty(result) ? " with result '" : "", strempty(result),
                          result && !isempty(result) ? "'" : "", args->user ? " --user" : "", id);
                fflush(stderr);
                (void) porterctl_print_log(bus, id, 10);
                return 1;
        }
        return 0;
}

typedef enum Action { ACTION_START, ACTION_STOP, ACTION_RESTART } Action;

static int start_stop(int argc, char *argv[], void *userdata, Action action) {
        const PorterctlArgs *args = userdata;
        sd_bus *bus = NULL;
        int ret = 0;

        if (porterctl_connect(args, &bus) < 0)
                return 1;
        for (int i = 1; i < argc; i++) {
                int r = action == ACTION_RESTART ? restart_one(bus, args, argv[i]) :
                        start_stop_one(bus, args, argv[i], action == ACTION_START);
                if (r > ret)
                        ret = r;
        }
        sd_bus_flush_close_unref(bus);
        return ret;
}

int verb_start(int argc, char *argv[], void *userdata) {
        return start_stop(argc, argv, userdata, ACTION_START);
}

int verb_stop(int argc, char *argv[], void *userdata) {
        return start_stop(argc, argv, userdata, ACTION_STOP);
}

int verb_restart(int argc, char *argv[], void *userdata) {
        return start_stop(argc, argv, userdata, ACTION_RESTART);
}

/* reset-failed UNIT...: forget failed states and start-limit counters. */
int verb_reset_failed(int argc, char *argv[], void *userdata) {
        sd_bus *bus = NULL;
        int ret = 0;

        if (porterctl_connect(userdata, &bus) < 0)
                return 1;
        for (int i = 1; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                if (porterctl_mangle(argv[i], &id) < 0) {
                        ret = 1;
                        continue;
                }
                if (sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH,
                                       PORTER_BUS_MANAGER_IFACE, "ResetFailedUnit", &e, NULL, "s", id) < 0) {
                        log_error("Failed to reset failed state of unit %s: %s", id, e.message ?: "unknown error");
                        ret = 1;
                }
                sd_bus_error_free(&e);
        }
        sd_bus_flush_close_unref(bus);
        return ret;
}

/* daemon-reload: porterd reads every loaded unit's files again. */
int verb_daemon_reload(int argc, char *argv[], void *userdata) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        int ret = 0;

        if (porterctl_connect(userdata, &bus) < 0)
                return 1;
        if (sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                               "Reload", &e, NULL, NULL) < 0) {
                log_error("Failed to reload daemon: %s", e.message ?: "unknown error");
                ret = 1;
        }
        sd_bus_error_free(&e);
        sd_bus_flush_close_unref(bus);
        return ret;
}

static int parse_signal(const char *s) {
        static const struct { const char *name; int sig; } table[] = {
                { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
                { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
                { "STOP", SIGSTOP }, { "ALRM", SIGALRM }, { "WINCH", SIGWINCH },
        };
        const char *n = startswith(s, "SIG") ?: s;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].name, n))
                        return table[i].sig;
        char *end;
        long v = strtol(s, &end, 10);
        return *s && !*end && v > 0 && v < _NSIG ? (int) v : -EINVAL;
}

/* kill [-s SIGNAL|--signal=SIGNAL] [--kill-whom=main|control|all] UNIT...
 * (the options go after the verb: porterctl's own parser stops there). */
int verb_kill(int argc, char *argv[], void *userdata) {
        const char *whom = "all";
        int sig = SIGTERM, i = 1, ret = 0;
        sd_bus *bus = NULL;

        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *v;
                if (streq(argv[i], "-s") && i + 1 < argc)
                        sig = parse_signal(argv[++i]);
                else if ((v = startswith(argv[i], "--signal=")))
                        sig = parse_signal(v);
                else if ((v = startswith(argv[i], "--kill-whom=")))
                        whom = v;
                else
                        return log_error_errno(-EINVAL, "Unknown option '%s'.", argv[i]), 1;
                if (sig < 0)
                        return log_error_errno(sig, "Invalid signal '%s'.", argv[i]), 1;
        }
        if (i >= argc)
                return log_error_errno(-EINVAL, "No unit given."), 1;
        if (porterctl_connect(userdata, &bus) < 0)
                return 1;
        for (; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                if (porterctl_mangle(argv[i], &id) < 0) {
                        ret = 1;
                        continue;
                }
                if (sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH,
                                       PORTER_BUS_MANAGER_IFACE, "KillUnit", &e, NULL, "ssi", id, whom, sig) < 0) {
                        log_error("Failed to kill unit %s: %s", id, e.message ?: "unknown error");
                        ret = 1;
                }
                sd_bus_error_free(&e);
        }
        sd_bus_flush_close_unref(bus);
        return ret;
}
