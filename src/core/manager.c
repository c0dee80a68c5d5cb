/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "manager-bus.h"
#include "manager.h"
#include "mount-wait.h"
#include "notify.h"
#include "service-unit.h"
#include "socket-unit.h"
#include "string-util.h"
#include "strv.h"
#include "unit-dependency.h"
#include "unit-log.h"

/* How long porterd waits for units to stop on SIGTERM before it exits
 * anyway: longer than the default TimeoutStopSec= plus SIGKILL. */
#define MANAGER_SHUTDOWN_TIMEOUT_USEC (3 * 60 * USEC_PER_SEC)

static int manager_default_environment(Manager *m) {
        /* What systemd gives every service, less the bits porter lacks. */
        m->environment = strv_copy(NULL);
        if (!m->environment ||
            strv_extend(&m->environment, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                return -ENOMEM;
        const char *lang = getenv("LANG");
        if (lang) {
                char *e = strjoin("LANG=", lang);
                if (!e || strv_consume(&m->environment, e) < 0)
                        return -ENOMEM;
        }
        if (m->scope == MANAGER_USER) {
                const char *keep[] = { "HOME", "USER", "LOGNAME", "SHELL", "XDG_RUNTIME_DIR" };
                for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                        const char *v = getenv(keep[i]);
                        if (!v)
                                continue;
                        char *e = strjoin(keep[i], "=", v);
                        if (!e || strv_consume(&m->environment, e) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int manager_find_runtime_dir(Manager *m) {
        const char *d = m->scope == MANAGER_SYSTEM ? "/run" : getenv("XDG_RUNTIME_DIR");
        if (!d || d[0] != '/')
                return log_error_errno(-ENXIO, "$XDG_RUNTIME_DIR is not set, cannot run a user manager.");
        m->runtime_dir = strdup(d);
        return m->runtime_dir ? 0 : log_oom();
}

int manager_new(ManagerScope scope, const ManagerOps *ops, Manager **ret) {
        _cleanup_manager_free_ Manager *m = new0(Manager, 1);
        int r;

        if (!m)
                return -ENOMEM;
        m->scope = scope;
        m->ops = ops ?: &manager_ops_real;
        m->notify_fd = -EBADF;
        m->control_fd = -EBADF;
        r = sd_event_new(&m->event);
        if (r < 0)
                return r;
        r = manager_find_runtime_dir(m);
        if (r < 0)
                return r;
        r = manager_default_environment(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        m->stop_order = stop_order_free(m->stop_order); /* points at units */
        /* Sockets first: freeing a service releases nothing they need, but
         * Accept=yes instances point at their socket. */
        for (Unit *u = m->units, *next; u; u = next) {
                next = u->next;
                if (SERVICE(u) && SERVICE(u)->instance)
                        unit_free(u);
        }
        while (m->units)
                unit_free(m->units);
        for (size_t i = 0; i < m->n_retired_configs; i++)
                unit_config_free(m->retired_configs[i]);
        free(m->retired_configs);
        manager_close_control(m);
        manager_close_notify(m);
        manager_mount_monitor_free(m);
        m->gc_source = sd_event_source_disable_unref(m->gc_source);
        m->sigchld_source = sd_event_source_disable_unref(m->sigchld_source);
        m->shutdown_timer = sd_event_source_disable_unref(m->shutdown_timer);
        m->deferred_retry_source = sd_event_source_disable_unref(m->deferred_retry_source);
        sd_event_unref(m->event);
        lookup_paths_done(&m->lookup_paths);
        specifier_context_done(&m->specifier_ctx);
        strv_free(m->environment);
        manager_close_unused_inherited_fds(m);
        free(m->inherited_fds);
        free(m->runtime_dir);
        free(m->unit_index.slots);
        free(m);
        return NULL;
}

static size_t unit_id_hash(const char *s) {
        size_t h = 5381; /* djb2 */

        for (; *s; s++)
                h = h * 33 + (unsigned char) *s;
        return h;
}

/* Several units may share an id for a moment (one being freed, in_gc):
 * the index holds each Unit once and lookups skip those in_gc. */
Unit *manager_get_unit(Manager *m, const char *id) {
        size_t mask = m->unit_index.size - 1;

        if (m->unit_index.size == 0)
                return NULL;
        for (size_t i = unit_id_hash(id) & mask; m->unit_index.slots[i]; i = (i + 1) & mask) {
                Unit *u = m->unit_index.slots[i];
                if (streq(u->id, id) && !u->in_gc)
                        return u;
        }
        return NULL;
}

static void unit_index_insert(Manager *m, Unit *u) {
        size_t mask = m->unit_index.size - 1, i = unit_id_hash(u->id) & mask;

        while (m->unit_index.slots[i])
                i = (i + 1) & mask;
        m->unit_index.slots[i] = u;
}

int manager_index_unit(Manager *m, Unit *u) {
        if (2 * (m->unit_index.n + 1) > m->unit_index.size) {
                Unit **old = m->unit_index.slots;
                size_t old_size = m->unit_index.size, size = old_size ? 2 * old_size : 64;
                Unit **slots = calloc(size, sizeof(Unit *));

                if (!slots)
                        return -ENOMEM;
                m->unit_index.slots = slots;
                m->unit_index.size = size;
                for (size_t i = 0; i < old_size; i++)
                        if (old[i])
                                unit_index_insert(m, old[i]);
                free(old);
        }
        unit_index_insert(m, u);
        m->unit_index.n++;
        return 0;
}

void manager_unindex_unit(Manager *m, Unit *u) {
        size_t mask = m->unit_index.size - 1, i, j;

        if (m->unit_index.size == 0)
                return;
        for (i = unit_id_hash(u->id) & mask; m->unit_index.slots[i] != u; i = (i + 1) & mask)
                if (!m->unit_index.slots[i])
                        return; /* not indexed */
        /* Backward-shift deletion: move later entries of the probe run
         * into the hole unless their home slot lies after the hole. */
        m->unit_index.slots[i] = NULL;
        for (j = (i + 1) & mask; m->unit_index.slots[j]; j = (j + 1) & mask) {
                size_t home = unit_id_hash(m->unit_index.slots[j]->id) & mask;
                bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
                if (stays)
                        continue;
                m->unit_index.slots[i] = m->unit_index.slots[j];
                m->unit_index.slots[j] = NULL;
                i = j;
        }
        m->unit_index.n--;
}

/* ---- garbage collection of Accept=yes instances ---- */

static bool unit_may_gc(const Unit *u) {
        return u->gc_queued && UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u));
}

void manager_child_exited(Manager *m, Unit *u, pid_t pid, int code, int status) {
        m->dispatching_child = u;
        unit_process_exited(u, pid, code, status);
        m->dispatching_child = NULL;
        if (unit_may_gc(u))
                unit_free(u);
}

void manager_dispatch_gc(Manager *m) {
        for (Unit *u = m->units, *next; u; u = next) {
                next = u->next;
                if (unit_may_gc(u))
                        unit_free(u);
        }
}

static int manager_gc_handler(sd_event_source *source, void *userdata) {
        manager_dispatch_gc(userdata);
        return 0;
}

void manager_gc_unit(Manager *m, Unit *u) {
        ServiceUnit *s = SERVICE(u);

        /* Only instances are transient; loaded units stay for status. */
        if (!s || !s->instance)
                return;
        u->gc_queued = true;
        /* Its child source is being dispatched: manager_child_exited() frees
         * it right after, saving a loop iteration per connection. */
        if (m->dispatching_child == u)
                return;
        if (!m->gc_source) {
                if (sd_event_add_defer(m->event, &m->gc_source, manager_gc_handler, m) < 0)
                        return;
                (void) sd_event_source_set_description(m->gc_source, "unit-gc");
        }
        (void) sd_event_source_set_enabled(m->gc_source, SD_EVENT_ONESHOT);
}

/* ---- signals and shutdown ---- */

static bool manager_all_inactive(Manager *m) {
        for (Unit *u = m->units; u; u = u->next)
                if (!UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                        return false;
        return true;
}

/* Stop every active unit in reverse dependency order (StopOrder).  Returns
 * false when there is nothing left to stop. */
static bool manager_stop_active_units(Manager *m) {
        _cleanup_free_ Unit **units = new(Unit *, m->n_units ?: 1);
        size_t n = 0;

        m->stop_order = stop_order_free(m->stop_order);
        if (!units) {
                log_oom();
                return false;
        }
        for (Unit *u = m->units; u; u = u->next)
                if (!UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                        units[n++] = u;
        if (n == 0)
                return false;
        if (stop_order_new(m, units, n, &m->stop_order) < 0) {
                /* Out of memory: stop them all at once, unordered. */
                log_oom();
                for (size_t i = n; i > 0; i--)
                        (void) unit_stop(units[i - 1]);
                return true;
        }
        stop_order_begin(m->stop_order);
        return true;
}

void manager_check_shutdown_done(Manager *m) {
        if (!m->exiting)
                return;
        /* O(1) per stopped unit: the full scan only once the stop order
         * has nothing left, to catch units that became active meanwhile. */
        if (m->stop_order && (stop_order_busy(m->stop_order) || stop_order_remaining(m->stop_order) > 0))
                return;
        if (m->checking_shutdown)
                return;
        m->checking_shutdown = true;
        bool done = manager_all_inactive(m);
        if (!done && m->stop_order) {
                log_debug("Units became active while stopping, stopping them too.");
                done = !manager_stop_active_units(m);
                if (!done && stop_order_remaining(m->stop_order) == 0)
                        done = manager_all_inactive(m);
        }
        m->checking_shutdown = false;
        if (done)
                (void) sd_event_exit(m->event, m->exit_code);
}

void manager_unit_inactive(Manager *m, Unit *u) {
        /* A unit that fails while we stop everything did not stop cleanly:
         * it needed SIGKILL (result 'timeout'), its stop commands failed,
         * or its process exited with an error.  Units that had failed
         * before the shutdown do not change state here and do not count. */
        if (m->exiting && unit_active_state(u) == UNIT_FAILED && m->exit_code == MANAGER_EXIT_CLEAN) {
                log_unit_warning(u, "Did not stop cleanly, porterd will exit with status %d.",
                                 MANAGER_EXIT_UNCLEAN);
                m->exit_code = MANAGER_EXIT_UNCLEAN;
        }
        if (m->stop_order)
                stop_order_unit_inactive(m->stop_order, u);
        /* DeferTrigger=: a unit stopped, a conflict may be gone. */
        socket_schedule_deferred_retry(m);
        manager_check_shutdown_done(m);
}

static int manager_shutdown_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        log_warning("Units did not stop in time, exiting anyway with status %d.", MANAGER_EXIT_TIMEOUT);
        return sd_event_exit(m->event, MANAGER_EXIT_TIMEOUT);
}

void manager_begin_shutdown(Manager *m) {
        if (m->exiting)
                return;
        m->exiting = true;
        log_info("Stopping all units.");

        /* Reverse dependency order (a unit After= another stops first),
         * else reverse start order; linear in units and edges. */
        m->checking_shutdown = true;
        (void) manager_stop_active_units(m);
        m->checking_shutdown = false;

        (void) sd_event_add_time_relative(m->event, &m->shutdown_timer, CLOCK_MONOTONIC,
                                          MANAGER_SHUTDOWN_TIMEOUT_USEC, 0, manager_shutdown_timeout, m);
        manager_check_shutdown_done(m);
}

static int manager_on_exit_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        log_info("Received %s.", si->ssi_signo == SIGTERM ? "SIGTERM" :
                                 si->ssi_signo == SIGINT ? "SIGINT" : "SIGRTMIN+3");
        manager_begin_shutdown(m);
        return 0;
}

/* True if pid is a process some unit watches: its child source reaps it. */
static bool manager_owns_pid(Manager *m, pid_t pid) {
        for (Unit *u = m->units; u; u = u->next) {
                ServiceUnit *s = SERVICE(u);
                SocketUnit *k = SOCKET(u);
                if (s && (s->main_process.pid == pid || s->control_process.pid == pid))
                        return true;
                if (k && k->control_process.pid == pid)
                        return true;
        }
        return false;
}

/* As PID 1 or child subreaper, orphans of our services become our
 * children: reap the ones no unit watches. */
static int manager_on_sigchld(sd_event_source *source, const struct signalfd_siginfo *ssi, void *userdata) {
        Manager *m = userdata;

        for (int i = 0; i < 1024; i++) {
                siginfo_t si = {};
                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid <= 0)
                        break;
                if (manager_owns_pid(m, si.si_pid))
                        break; /* its child source reaps it; SIGCHLD comes again for the rest */
                (void) waitid(P_PID, si.si_pid, &si, WEXITED | WNOHANG);
                log_debug("Reaped orphan process %d.", (int) si.si_pid);
        }
        return 0;
}

int manager_setup_signals(Manager *m) {
        sigset_t mask;
        int r;

        /* Block what we handle through signalfd; SIGCHLD must be blocked for
         * sd-event's child sources. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGRTMIN + 3);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        /* A service writing to a closed pipe must not take us down. */
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_add_signal(m->event, NULL, SIGTERM, manager_on_exit_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, manager_on_exit_signal, m);
        /* systemd's "halt": images made for systemd say STOPSIGNAL
         * SIGRTMIN+3, and PID 1 of a namespace never gets a signal it does
         * not handle, so the runtime would wait for its SIGKILL. */
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGRTMIN + 3, manager_on_exit_signal, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch signals: %m");

        if (getpid() == 1)
                return manager_enable_orphan_reaping(m);
        return 0;
}

int manager_enable_orphan_reaping(Manager *m) {
        int r;

        if (m->reap_orphans)
                return 0;
        /* As a subreaper (or PID 1) a daemon that forks away stays our
         * child, so porterd can watch it; what else services leave behind
         * is reaped.  Only turned on when needed: it costs a signalfd read
         * and a waitid() per exiting child. */
        if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return log_warning_errno(errno, "Failed to become a child subreaper: %m");
        r = sd_event_add_signal(m->event, &m->sigchld_source, SIGCHLD, manager_on_sigchld, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch SIGCHLD: %m");
        /* Orphans are handled after the unit sources had their turn. */
        (void) sd_event_source_set_priority(m->sigchld_source, SD_EVENT_PRIORITY_IDLE);
        m->reap_orphans = true;
        return 0;
}

/* sd_listen_fds() takes the sockets only if LISTEN_PID is our own pid.  As
 * PID 1 of a PID namespace entered from outside (getppid() is 0: the
 * parent lives in another namespace), no process that shares our
 * namespace can have set it: the variables came across the boundary from
 * whoever started the container.  Container runtimes that know rewrite
 * LISTEN_PID to 1 (podman, systemd-nspawn); a plain wrapper such as
 * unshare(1) leaves the pid the outer activator saw, which is its own or
 * ours in the outer namespace and never 1.  Accept that one as meant for
 * us; the fds are still only adopted if a socket unit's address matches. */
static void manager_claim_listen_pid_as_container_init(void) {
        const char *e = getenv("LISTEN_PID");
        if (!e || getpid() != 1 || getppid() != 0 || streq(e, "1"))
                return;
        log_info("LISTEN_PID=%s names a process outside our PID namespace; taking the sockets as its init.", e);
        (void) setenv("LISTEN_PID", "1", 1);
}

int manager_collect_inherited_fds(Manager *m) {
        manager_claim_listen_pid_as_container_init();
        int n = sd_listen_fds(true);
        if (n <= 0)
                return n < 0 ? log_warning_errno(n, "Ignoring LISTEN_FDS: %m") : 0;
        m->inherited_fds = new(int, n);
        if (!m->inherited_fds)
                return log_oom();
        for (int i = 0; i < n; i++) {
                m->inherited_fds[i] = SD_LISTEN_FDS_START + i;
                (void) fd_cloexec(m->inherited_fds[i], true); /* sd_listen_fds() did; be sure */
        }
        m->n_inherited_fds = n;
        log_info("Received %d socket(s) from the outer activator.", n);
        return n;
}

int manager_take_inherited_fd(Manager *m, const SocketAddress *a) {
        for (size_t i = 0; i < m->n_inherited_fds; i++) {
                int fd = m->inherited_fds[i];
                if (fd >= 0 && socket_address_matches_fd(a, fd) > 0) {
                        m->inherited_fds[i] = -EBADF;
                        return fd;
                }
        }
        return -ENOENT;
}

void manager_close_unused_inherited_fds(Manager *m) {
        for (size_t i = 0; i < m->n_inherited_fds; i++)
                if (m->inherited_fds[i] >= 0) {
                        log_warning("Inherited fd %d matches no socket unit, closing it.", m->inherited_fds[i]);
                        m->inherited_fds[i] = safe_close(m->inherited_fds[i]);
                }
}

int manager_run(Manager *m) {
        int r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return r;
}
