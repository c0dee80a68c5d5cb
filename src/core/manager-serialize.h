/* SPDX-License-Identifier: MIT */
#pragma once

/* daemon-reexec (Manager.Reexecute): what survives porterd's exec of
 * itself.  The old porterd writes it into a memfd whose fd it passes as
 * porterd --deserialize=FD; the new one reads it back, adopts the fds and
 * re-attaches the running processes (exec keeps our pid, so they are still
 * our children).
 *
 * The format, one record per line, fields separated by one space (unit
 * ids and fd names contain no spaces or newlines):
 *
 *     porterd-serialization 1
 *     control FD
 *     nofile CUR MAX                   (RLIMIT_NOFILE services get; -1: infinity)
 *     socket ID STATE FD...            (FD per port, in port order; -1: not open)
 *     service ID STATE RESULT MAIN_PID N_RESTARTS
 *     fdstore ID FD NAME               (after its service line)
 *     output ID FD PID IDENTIFIER      (a pipe of the unit's process output;
 *                                       IDENTIFIER: the rest of the line)
 *
 * Unknown record types are skipped (logged at debug level by the reader's
 * caller), so that a newer porterd can read an older one's output. */

#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "manager.h"

typedef struct SerializedSocket {
        char *id;
        char *state;
        int *fds;
        size_t n_fds;
} SerializedSocket;

typedef struct SerializedService {
        char *id;
        char *state;
        char *result;
        pid_t main_pid;
        unsigned n_restarts;
        int *fd_store;
        char **fd_store_names;
        size_t n_fd_store;
} SerializedService;

typedef struct SerializedOutput {
        char *id;
        int fd;
        pid_t pid;
        char *identifier;
} SerializedOutput;

typedef struct Serialization {
        int control_fd;
        struct rlimit service_nofile;   /* Manager.service_nofile; rlim_max 0: not given */
        SerializedSocket *sockets;
        size_t n_sockets;
        SerializedService *services;
        size_t n_services;
        SerializedOutput *outputs;
        size_t n_outputs;
        bool owns_fds;          /* serialization_done() closes the fds left (reader side) */
} Serialization;

#define SERIALIZATION_NULL ((Serialization) { .control_fd = -EBADF })

/* Free what s holds (and close its fds if it owns them); s is then empty. */
void serialization_done(Serialization *s);

/* Write s to f in the format above.  0 or -errno. */
int serialization_write(const Serialization *s, FILE *f);

/* Parse f into *ret (which then owns the fds named in it).  0, or -EBADMSG
 * on a malformed record, -ENOMEM. */
int serialization_read(FILE *f, Serialization *ret);

/* Describe m's sockets, services and control socket, write it to a new
 * memfd and clear FD_CLOEXEC on exactly the fds it names and on the memfd,
 * so that they survive execve().  Units whose state cannot be carried over
 * are logged.  Returns the memfd or -errno (nothing was changed then). */
int manager_serialize(Manager *m);

/* Re-execute porterd: serialize, then execv("/proc/self/exe") with the
 * original command line (/proc/self/cmdline, without an earlier
 * --deserialize=) and --deserialize=FD.  Returns only on failure, -errno
 * (logged), with every fd private (CLOEXEC) again: porterd goes on. */
int manager_reexecute(Manager *m);

/* Read the serialization in fd (closing it), set FD_CLOEXEC on every fd it
 * names again, restore m->service_nofile (call after porterd raised its
 * own limit), hand the listening fds to the inherited-fd adoption of
 * socket units (manager_take_inherited_fd()) and the control socket to
 * manager_setup_control().  Call after manager_collect_inherited_fds(). */
int manager_deserialize(Manager *m, int fd, Serialization *ret);

/* Re-attach the serialized running services (state, main pid watched by a
 * pidfd, restart counter, fd store, output pipes) and start the socket units that were
 * active.  Call after manager_startup(); what cannot be restored is
 * logged.  Returns the number of services re-attached. */
int manager_deserialize_apply(Manager *m, Serialization *s);
