/* SPDX-License-Identifier: MIT */
/* porterctl start/stop/restart/reload UNIT...: ask porterd for a job
 * (StartUnit and friends return its object path), then, unless --no-block,
 * wait for the JobRemoved signal of that job, as systemctl does, and report
 * a failed job the way systemctl words it, followed by the unit's last log
 * lines.  Exit status: 0, 1 when a job did not end in "done" or "skipped",
 * 5 when a unit is unknown or failed to load (systemctl's "not installed"). */
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
#include "strv.h"

/* The JobRemoved signals seen so far: job path -> result (a flat strv of
 * pairs).  Signals can arrive before the reply that names the job. */
typedef struct JobWaiter {
        char **removed;
} JobWaiter;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        JobWaiter *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (strv_extend(&w->removed, path) < 0 || strv_extend(&w->removed, result) < 0)
                return -ENOMEM;
        return 0;
}

static const char *waiter_result(const JobWaiter *w, const char *path) {
        for (size_t i = 0; w->removed && w->removed[i] && w->removed[i + 1]; i += 2)
                if (streq(w->removed[i], path))
                        return w->removed[i + 1];
        return NULL;
}

/* Wait for JobRemoved of job_path; returns its result (owned by w) or NULL
 * when the connection broke. */
static const char *wait_for_job(sd_bus *bus, JobWaiter *w, const char *job_path) {
        const char *result;

        while (!(result = waiter_result(w, job_path))) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        log_error_errno(r, "Failed to wait for job %s: %m", job_path);
                        return NULL;
                }
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0) {
                        log_error_errno(r, "Failed to wait for job %s: %m", job_path);
                        return NULL;
                }
        }
        return result;
}

/* systemctl's wording of a unit Result= (bus-wait-for-jobs.c). */
static const char *result_explanation(const char *result) {
        static const struct { const char *result, *explanation; } table[] = {
                { "resources",       "of unavailable resources or another system error" },
                { "protocol",        "the service did not take the steps required by its unit configuration" },
                { "timeout",         "a timeout was exceeded" },
                { "exit-code",       "the control process exited with error code" },
                { "signal",          "a fatal signal was delivered to the control process" },
                { "core-dump",       "a fatal signal was delivered causing the control process to dump core" },
                { "watchdog",        "the service failed to send watchdog ping" },
                { "start-limit-hit", "start of the service was attempted too often" },
                { "trigger-limit-hit", "the socket was triggered too often" },
                { "service-start-limit-hit", "the service it triggers was started too often" },
        };
        for (size_t i = 0; result && i < ELEMENTSOF(table); i++)
                if (streq(table[i].result, result))
                        return table[i].explanation;
        return NULL;
}

/* Report a job that ended in job_result; returns the exit status. */
static int report_job(sd_bus *bus, const PorterctlArgs *args, const char *id, const char *job_result) {
        const char *ctl = args->user ? "porterctl --user" : "porterctl";

        if (streq(job_result, "done") || streq(job_result, "skipped"))
                return 0;
        if (streq(job_result, "canceled"))
                log_error("Job for %s canceled.", id);
        else if (streq(job_result, "timeout"))
                log_error("Job for %s timed out.", id);
        else if (streq(job_result, "dependency"))
                log_error("A dependency job for %s failed. See '%s status %s' for details.", id, ctl, id);
        else if (streq(job_result, "assert"))
                log_error("Assertion failed on job for %s.", id);
        else {
                _cleanup_free_ char *result = NULL;
                const char *iface = endswith(id, ".socket") ? PORTER_BUS_SOCKET_IFACE : PORTER_BUS_SERVICE_IFACE;
                (void) porterctl_unit_string(bus, id, iface, "Result", &result);
                const char *why = result_explanation(result);
                if (why)
                        log_error("Job for %s failed because %s.\nSee \"%s status %s\" for details.", id, why, ctl, id);
                else
                        log_error("Job for %s failed.\nSee \"%s status %s\" for details.", id, ctl, id);
        }
        fflush(stderr);
        (void) porterctl_print_log(bus, id, 10);
        return 1;
}

typedef enum Action {
        ACTION_START,
        ACTION_STOP,
        ACTION_RESTART,
        ACTION_RELOAD,
        ACTION_TRY_RESTART,
        _ACTION_MAX,
} Action;

static const char * const action_method[_ACTION_MAX] = {
        [ACTION_START] = "StartUnit",
        [ACTION_STOP] = "StopUnit",
        [ACTION_RESTART] = "RestartUnit",
        [ACTION_RELOAD] = "ReloadUnit",
        [ACTION_TRY_RESTART] = "TryRestartUnit",
};

static const char * const action_verb[_ACTION_MAX] = {
        [ACTION_START] = "start",
        [ACTION_STOP] = "stop",
        [ACTION_RESTART] = "restart",
        [ACTION_RELOAD] = "reload",
        [ACTION_TRY_RESTART] = "try-restart",
};

/* Queue the job for name; on success *ret_id and *ret_job (heap) are set
 * and 0 returned, else the exit status (logged). */
static int job_enqueue_one(sd_bus *bus, const char *name, Action action, char **ret_id, char **ret_job) {
        _cleanup_free_ char *id = NULL, *job_path = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path;
        int r;

        if (porterctl_mangle(name, &id) < 0)
                return 1;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                               action_method[action], &e, &reply, "ss", id, "replace");
        if (r < 0) {
                bool missing = sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ||
                               sd_bus_error_has_name(&e, "org.freedesktop.systemd1.LoadFailed");
                log_error("Failed to %s %s: %s", action_verb[action], id, e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                return missing ? 5 : 1;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                job_path = strdup(path);
        sd_bus_message_unref(reply);
        if (r < 0 || !job_path)
                return log_error_errno(r < 0 ? r : -ENOMEM, "Bad reply to %s: %m", action_method[action]), 1;
        *ret_id = TAKE_PTR(id);
        *ret_job = TAKE_PTR(job_path);
        return 0;
}

static int run_jobs(int argc, char *argv[], void *userdata, Action action) {
        const PorterctlArgs *args = userdata;
        JobWaiter w = {};
        sd_bus *bus = NULL;
        int ret = 0, r;

        if (porterctl_connect(args, &bus) < 0)
                return 1;
        if (!args->no_block) {
                /* Subscribe first, so that no JobRemoved is missed. */
                r = sd_bus_match_signal(bus, NULL, NULL, PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                                        "JobRemoved", on_job_removed, &w);
                if (r >= 0)
                        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH,
                                               PORTER_BUS_MANAGER_IFACE, "Subscribe", NULL, NULL, NULL);
                if (r < 0) {
                        log_error_errno(r, "Failed to subscribe to porterd's job signals: %m");
                        sd_bus_flush_close_unref(bus);
                        return 1;
                }
        }
        /* Queue every job first, then wait for them all, as systemctl does:
         * the units start side by side. */
        _cleanup_strv_free_ char **queued = NULL; /* pairs: unit, job path */
        for (int i = 1; i < argc; i++) {
                char *id = NULL, *job = NULL;
                r = job_enqueue_one(bus, argv[i], action, &id, &job);
                if (r > ret)
                        ret = r;
                if (r == 0 && (strv_consume(&queued, id) < 0 || strv_consume(&queued, job) < 0)) {
                        ret = MAX(ret, 1);
                        break;
                }
        }
        for (size_t i = 0; !args->no_block && queued && queued[i] && queued[i + 1]; i += 2) {
                const char *result = wait_for_job(bus, &w, queued[i + 1]);
                r = result ? report_job(bus, args, queued[i], result) : 1;
                if (r > ret)
                        ret = r;
        }
        strv_free(w.removed);
        sd_bus_flush_close_unref(bus);
        return ret;
}

int verb_start(int argc, char *argv[], void *userdata) {
        return run_jobs(argc, argv, userdata, ACTION_START);
}

int verb_stop(int argc, char *argv[], void *userdata) {
        return run_jobs(argc, argv, userdata, ACTION_STOP);
}

int verb_restart(int argc, char *argv[], void *userdata) {
        return run_jobs(argc, argv, userdata, ACTION_RESTART);
}

int verb_reload(int argc, char *argv[], void *userdata) {
        return run_jobs(argc, argv, userdata, ACTION_RELOAD);
}

int verb_try_restart(int argc, char *argv[], void *userdata) {
        return run_jobs(argc, argv, userdata, ACTION_TRY_RESTART);
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
