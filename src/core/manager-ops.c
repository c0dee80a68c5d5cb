/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "fd-util.h"
#include "manager.h"
#include "unit-log.h"

#ifndef P_PIDFD
#define P_PIDFD 3 /* glibc before 2.36 */
#endif

static int real_spawn(Manager *m, const SpawnParams *p, pid_t *ret_pid, int *ret_pidfd) {
        SpawnStep step;
        pid_t pid;

        int r = spawn(p, &pid, &step);
        if (r < 0) {
                if (step != SPAWN_STEP_NONE)
                        log_debug_errno(r, "Child failed at step '%s': %m", spawn_step_to_string(step));
                return r;
        }
        *ret_pid = pid;
        /* sd-event opens its own pidfd in real_watch(). */
        *ret_pidfd = -EBADF;
        return 0;
}

static int real_spawn_template(Manager *m, SpawnTemplate *t, int connection_fd,
                               const struct sockaddr *peer, socklen_t peer_len,
                               pid_t *ret_pid, int *ret_pidfd) {
        SpawnStep step;
        pid_t pid;
        int pidfd;

        /* The pidfd comes with the clone() (CLONE_PIDFD): real_watch() then
         * has no pidfd_open() to make per connection. */
        int r = spawn_template_spawn_pidfd(t, connection_fd, peer_len > 0 ? peer : NULL, peer_len, &pid,
                                           &pidfd, &step);
        if (r < 0)
                return r;
        *ret_pid = pid;
        *ret_pidfd = pidfd;
        return 0;
}

static int pidfd_open_raw(pid_t pid) {
#ifdef SYS_pidfd_open
        int fd = (int) syscall(SYS_pidfd_open, pid, 0);
        return fd < 0 ? -errno : fd;
#else
        return -ENOSYS;
#endif
}

static int pidfd_send_signal_raw(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
#else
        return -ENOSYS;
#endif
}

static int real_kill(Manager *m, const UnitProcess *p, int sig, bool whole_group) {
        /* Every child runs in its own session (setsid), so its process group
         * id is its pid: that reaches what it forked too, without cgroups.
         * The pid and group stay ours as long as the child is not reaped,
         * and only its watch source reaps it. */
        if (whole_group && kill(-p->pid, sig) >= 0)
                return 0;
        if (p->pidfd >= 0) {
                int r = pidfd_send_signal_raw(p->pidfd, sig);
                if (r != -ENOSYS)
                        return r;
        }
        if (p->child_source && !p->watched_by_pidfd)
                return sd_event_source_send_child_signal(p->child_source, sig, NULL, 0);
        return kill(p->pid, sig) < 0 ? -errno : 0;
}

/* The pidfd turned readable: reap the child ourselves.  sd-event's own
 * child sources (libsystemd 252) arm the pidfd EPOLLONESHOT and give up
 * when their waitid() finds nothing yet; on this kernel a pidfd can turn
 * readable a moment before its process is waitable (seen about once in
 * twenty runs), and such a child was never reaped: a stop that hung in
 * stop-sigterm.  Here the pidfd is edge-triggered, so that thousands of
 * children exiting at once are each reported once (level-triggered, epoll
 * polled every undispatched one again on each loop turn: quadratic at
 * shutdown); a wakeup that came too early switches that one source to
 * level-triggered, which reports it again until the child is waitable. */
static int pidfd_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Unit *u = userdata;
        siginfo_t si = {};

        if (waitid((idtype_t) P_PIDFD, (id_t) fd, &si, WEXITED | WNOHANG) < 0) {
                /* ECHILD: reaped elsewhere (cannot happen while we own it);
                 * stop listening rather than spin. */
                log_debug_errno(errno, "waitid() on a pidfd failed: %m");
                return sd_event_source_set_enabled(source, SD_EVENT_OFF);
        }
        if (si.si_pid <= 0) /* readable before waitable: ask again, level-triggered */
                return sd_event_source_set_io_events(source, EPOLLIN);
        /* Reaped: the unit releases this source in its handler; if it does
         * not, the source must not fire on a reaped pidfd again. */
        (void) sd_event_source_set_enabled(source, SD_EVENT_OFF);
        manager_child_exited(u->manager, u, si.si_pid, si.si_code, si.si_status);
        return 0;
}

static int child_exited(sd_event_source *source, const siginfo_t *si, void *userdata) {
        /* sd-event reaps the child right after this returns, even if the
         * unit releases this source meanwhile. */
        Unit *u = userdata;
        manager_child_exited(u->manager, u, si->si_pid, si->si_code, si->si_status);
        return 0;
}

static int real_watch(Manager *m, Unit *u, UnitProcess *p) {
        int r;

        if (p->pidfd < 0) {
                /* Not reaped yet, so the pid cannot have been reused. */
                r = pidfd_open_raw(p->pid);
                if (r >= 0)
                        p->pidfd = r;
        }
        if (p->pidfd >= 0) {
                r = sd_event_add_io(m->event, &p->child_source, p->pidfd, EPOLLIN | EPOLLET, pidfd_readable, u);
                if (r >= 0) {
                        p->watched_by_pidfd = true;
                        (void) sd_event_source_set_description(p->child_source, "unit-pidfd");
                        return 0;
                }
        }
        /* Kernels without pidfds (before 5.3): sd-event's SIGCHLD path. */
        r = sd_event_add_child(m->event, &p->child_source, p->pid, WEXITED, child_exited, u);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(p->child_source, "unit-child");
        return 0;
}

static usec_t real_now(Manager *m) {
        return now(CLOCK_MONOTONIC);
}

const ManagerOps manager_ops_real = {
        .spawn = real_spawn,
        .spawn_template = real_spawn_template,
        .kill = real_kill,
        .watch = real_watch,
        .now = real_now,
};

void unit_process_release(UnitProcess *p) {
        p->child_source = sd_event_source_disable_unref(p->child_source);
        p->pidfd = safe_close(p->pidfd);
        p->pid = 0;
        p->watched_by_pidfd = false;
}
