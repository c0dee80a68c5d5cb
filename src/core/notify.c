/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "manager.h"
#include "notify.h"
#include "service-unit.h"
#include "socket-util.h"
#include "string-util.h"
#include "strv.h"

/* Does pid belong to s under access level a?  Without cgroups, "all" means
 * any process in the session of the main process (services run setsid). */
static bool notify_access_allows(const ServiceUnit *s, NotifyAccess a, pid_t pid) {
        if (a == NOTIFY_NONE)
                return false;
        if (s->main_process.pid > 0 && pid == s->main_process.pid)
                return true;
        if (a >= NOTIFY_EXEC && s->control_process.pid > 0 && pid == s->control_process.pid)
                return true;
        if (a == NOTIFY_ALL && s->main_process.pid > 0 && getsid(pid) == s->main_process.pid)
                return true;
        return false;
}

ServiceUnit *notify_find_service(Manager *m, pid_t pid) {
        for (Unit *u = m->units; u; u = u->next) {
                ServiceUnit *s = SERVICE(u);
                if (!s || u->in_gc)
                        continue;
                if (notify_access_allows(s, service_config_notify_access(s->config), pid))
                        return s;
                if (pid == s->main_process.pid || pid == s->control_process.pid) {
                        log_unit_warning(u, "Got notification message from PID %d, but reception is disabled.",
                                         (int) pid);
                        return NULL;
                }
        }
        log_debug("Cannot find unit for notify message of PID %d, ignoring.", (int) pid);
        return NULL;
}

int notify_dispatch(Manager *m, pid_t pid, const char *text, size_t size, int *fds, size_t n_fds) {
        _cleanup_strv_free_ char **tags = NULL;
        _cleanup_free_ char *copy = NULL;
        ServiceUnit *s;
        int r = 0;

        /* One trailing NUL is fine; any other NUL makes the message invalid. */
        if (size > 0 && text[size - 1] == 0)
                size--;
        if (memchr(text, 0, size)) {
                log_warning("Received notify message with embedded NUL byte, ignoring.");
                goto finish;
        }
        copy = strndup(text, size);
        if (!copy || strv_split_full(&tags, copy, "\n", false) < 0) {
                r = log_oom();
                goto finish;
        }
        s = notify_find_service(m, pid);
        if (!s)
                goto finish;
        service_notify_message(s, pid, tags, fds, n_fds);
        r = 1;
finish:
        /* Whatever the service did not take (it set those to -EBADF). */
        close_many(fds, n_fds);
        return r;
}

int notify_dispatch_text(Manager *m, pid_t pid, const char *text, size_t size) {
        return notify_dispatch(m, pid, text, size, NULL, 0);
}

/* The fds that came with a message, in order; beyond max they are closed. */
static size_t notify_collect_fds(struct msghdr *mh, int *fds, size_t max) {
        size_t n = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                const int *p = (const int *) CMSG_DATA(c);
                for (size_t i = 0; i < k; i++) {
                        if (n < max)
                                fds[n++] = p[i];
                        else
                                safe_close(p[i]);
                }
        }
        return n;
}

static int notify_receive(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        char buf[NOTIFY_BUFFER_MAX + 1];
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        union {
                struct cmsghdr h;
                uint8_t raw[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * NOTIFY_FD_MAX)];
        } control;
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };

        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return 0; /* EAGAIN and friends: nothing to do */

        struct ucred *cred = NULL;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        cred = (struct ucred *) CMSG_DATA(c);
        int fds[NOTIFY_FD_MAX];
        size_t n_fds = notify_collect_fds(&mh, fds, ELEMENTSOF(fds));

        if ((size_t) n > NOTIFY_BUFFER_MAX || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                log_warning("Got overly long or truncated notification message, ignoring.");
                close_many(fds, n_fds);
                return 0;
        }
        if (!cred || cred->pid <= 0) {
                log_warning("Received notify message without valid credentials, ignoring.");
                close_many(fds, n_fds);
                return 0;
        }
        (void) notify_dispatch(m, cred->pid, buf, (size_t) n, fds, n_fds);
        return 0;
}

int manager_setup_notify(Manager *m) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *dir = NULL, *path = NULL;
        union sockaddr_union sa = {};
        int r;

        dir = strjoin(m->runtime_dir, "/porter");
        path = strjoin(m->runtime_dir, "/porter/notify");
        if (!dir || !path)
                return log_oom();
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create '%s': %m", dir);

        r = sockaddr_un_set_path(&sa.un, path);
        if (r < 0)
                return log_error_errno(r, "Notify socket path '%s' is unusable: %m", path);
        socklen_t salen = r;

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create notify socket: %m");
        (void) unlink(path);
        /* Services running under User= must be able to send to it: bind
         * with umask 0000, as systemd does.  Who may say what is decided per
         * message from SO_PASSCRED credentials (NotifyAccess=), not by the
         * node's mode.  porterd is single-threaded, so the process-wide
         * umask change cannot race. */
        mode_t old_umask = umask(0000);
        r = RET_NERRNO(bind(fd, &sa.sa, salen));
        umask(old_umask);
        if (r < 0)
                return log_error_errno(r, "Failed to bind notify socket '%s': %m", path);
        r = setsockopt_int(fd, SOL_SOCKET, SO_PASSCRED, 1);
        if (r < 0)
                return log_error_errno(r, "Failed to enable SO_PASSCRED: %m");
        (void) setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, 8 * 1024 * 1024);

        r = sd_event_add_io(m->event, &m->notify_source, fd, EPOLLIN, notify_receive, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch notify socket: %m");
        (void) sd_event_source_set_description(m->notify_source, "notify");

        m->notify_fd = TAKE_FD(fd);
        free_and_replace(m->notify_socket_path, path);
        return 0;
}

void manager_close_notify(Manager *m) {
        m->notify_source = sd_event_source_disable_unref(m->notify_source);
        m->notify_fd = safe_close(m->notify_fd);
        if (m->notify_socket_path)
                (void) unlink(m->notify_socket_path);
        free(m->notify_socket_path);
        m->notify_socket_path = NULL;
}
