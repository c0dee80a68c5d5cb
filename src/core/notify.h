/* SPDX-License-Identifier: MIT */
#pragma once

/* The notify socket (spec §6.4): a SOCK_DGRAM AF_UNIX socket at
 * <runtime>/porter/notify with SO_PASSCRED.  Each datagram is checked
 * (credentials present, not truncated, no embedded NUL, at most
 * NOTIFY_BUFFER_MAX bytes), split into KEY=VALUE lines, attributed to a
 * service by the sender's pid and NotifyAccess=, and handed to
 * service_notify_message() together with the fds that came along (SCM_RIGHTS):
 * the service keeps those it puts in its fd store (FDSTORE=1); every other
 * fd is closed. */

#include <sys/types.h>

typedef struct Manager Manager;
typedef struct ServiceUnit ServiceUnit;

#define NOTIFY_BUFFER_MAX 4096
#define NOTIFY_FD_MAX 768

/* Create and bind the socket, export its path as m->notify_socket_path and
 * watch it.  Returns 0 or -errno (logged). */
int manager_setup_notify(Manager *m);

/* Close the socket and remove its node. */
void manager_close_notify(Manager *m);

/* The service a message from pid belongs to, if its NotifyAccess= allows
 * it; NULL otherwise.  Public for the tests. */
ServiceUnit *notify_find_service(Manager *m, pid_t pid);

/* Handle one message as if it came from pid, with fds (owned: each is
 * either kept by the service or closed).  Returns 1 if it went to a
 * service, 0 if dropped. */
int notify_dispatch(Manager *m, pid_t pid, const char *text, size_t size, int *fds, size_t n_fds);

/* notify_dispatch() without fds. */
int notify_dispatch_text(Manager *m, pid_t pid, const char *text, size_t size);
