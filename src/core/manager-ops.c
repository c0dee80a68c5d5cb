/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "fd-util.h"
#include "manager.h"
#include "unit-log.h"

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

        int r = spawn_template_spawn(t, connection_fd, peer_len > 0 ? peer : NULL, peer_len, &pid, &step);
        if (r < 0)
                return r;
        *ret_pid = pid;
        *ret_pidfd = -EBADF;
        return 0;
}

static int real_kill(Manager *m, const UnitProcess *p, int sig, bool whole_group) {
        /* Every child runs in its own session (setsid), so its process group
         * id is its pid: that reaches what it forked too, without cgroups.
         * The pid and group stay ours as long as the child is not reaped,
         * and only its child source reaps it. */
        if (whole_group && kill(-p->pid, sig) >= 0)
                return 0;
        if (p->child_source)
                return sd_event_source_send_child_signal(p->child_source, sig, NULL, 0);
        return kill(p->pid, sig) < 0 ? -errno : 0;
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

        /* sd_event_add_child() watches through a pidfd it opens itself;
         * that is cheaper than handing it ours (sd_event_add_child_pidfd()
         * reads /proc/self/fdinfo to learn the pid). */
        if (p->pidfd >= 0)
                r = sd_event_add_child_pidfd(m->event, &p->child_source, p->pidfd, WEXITED, child_exited, u);
        else
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
}
