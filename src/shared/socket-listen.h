/* SPDX-License-Identifier: MIT */
#pragma once

/* SocketPort: one Listen*= line of a socket unit and the fd opened for it.
 *
 * socket_port_open() creates the fd in exactly systemd's order (spec §4.2,
 * §4.3): for a socket, socket(CLOEXEC|NONBLOCK, protocol per §3), the
 * pre-bind options, parent directories with DirectoryMode, bind() under
 * umask(~SocketMode) so that the node never exists with wider permissions
 * than asked, one unlink()+bind() retry on EADDRINUSE, listen(Backlog) for
 * stream and seqpacket, then touch() of the path.  The post-listen options
 * are NOT applied here: the caller applies them with
 * socket_options_apply_post_listen() (or socket_options_apply_fifo() for a
 * FIFO) so that it can log each warning with the unit's name. */

#include <stdbool.h>
#include <sys/types.h>

#include "socket-address.h"
#include "socket-options.h"

typedef enum SocketPortType {
        SOCKET_PORT_SOCKET,       /* ListenStream/Datagram/SequentialPacket/Netlink */
        SOCKET_PORT_FIFO,         /* ListenFIFO= */
        SOCKET_PORT_SPECIAL,      /* ListenSpecial= */
        SOCKET_PORT_MQUEUE,       /* ListenMessageQueue= */
        SOCKET_PORT_USB_FUNCTION, /* ListenUSBFunction=: parsed, refused at open */
        _SOCKET_PORT_TYPE_MAX,
        _SOCKET_PORT_TYPE_INVALID = -EINVAL,
} SocketPortType;

typedef struct SocketPort {
        SocketPortType type;
        SocketAddress address;  /* SOCKET_PORT_SOCKET only; address.protocol is
                                 * the protocol actually used once open */
        char *path;             /* FIFO, special file, "/mq-name", USB dir */
        int fd;                 /* -EBADF while closed */
        bool mptcp_fell_back;   /* SocketProtocol=mptcp was asked, TCP was opened */
        int fallback_error;     /* the negative errno that caused the fallback */
} SocketPort;

/* Initialize an empty port of the given type (fd = -EBADF). */
void socket_port_init(SocketPort *p, SocketPortType type);

/* Close the fd (without removing anything) and free path.  NULL-safe. */
void socket_port_done(SocketPort *p);

/* Open the port with options o.  For a socket port, the protocol is
 * socket_protocol_for_type(o->socket_protocol, address.type).
 *
 * MPTCP fallback: if socket(..., IPPROTO_MPTCP) fails with EPROTONOSUPPORT,
 * EINVAL or ENOPROTOOPT (the errors Go's net package treats as "no MPTCP
 * here") and o->mptcp_strict is false, a plain TCP socket is opened
 * instead, p->mptcp_fell_back and p->fallback_error are set, and 0 is
 * returned with a warning text.
 *
 * Returns 0 on success or -errno.  If ret_text is non-NULL it is set to NULL
 * or a heap string: on failure, what failed, naming the address/path and the
 * error ("Failed to create SCTP socket for 127.0.0.1:80:  Protocol not
 * supported"); on success, warnings the caller should log (MPTCP fallback,
 * pre-bind options that only warn).  The caller adds the unit name.
 * On failure p->fd stays -EBADF and nothing is left open. */
int socket_port_open(SocketPort *p, const SocketOptions *o, char **ret_text);

/* Give the filesystem node of the port (FS socket or FIFO: chown(); message
 * queue: fchown()) to uid/gid; (uid_t) -1 / (gid_t) -1 leave a part
 * unchanged.  Abstract and IP sockets, netlink and special files are left
 * alone (returns 0).  Returns 0 or -errno. */
int socket_port_chown(const SocketPort *p, uid_t uid, gid_t gid);

/* Close the fd.  With remove_on_stop, also remove what socket_port_open()
 * created: unlink the FIFO or FS socket, mq_unlink the queue (only if the
 * fd was open, as systemd does). */
void socket_port_close(SocketPort *p, bool remove_on_stop);

/* True if Accept=yes can work on this port (a stream or seqpacket socket). */
bool socket_port_can_accept(const SocketPort *p) _pure_;

/* The filesystem path of the port, for Symlinks= and RequiresMountsFor=:
 * the FS socket path or FIFO/special path; NULL otherwise. */
const char *socket_port_get_path(const SocketPort *p);

/* Human-readable form of the port for messages: the printed address, or
 * the path.  Returns 0 and a heap string, or -ENOMEM. */
int socket_port_describe(const SocketPort *p, char **ret);

/* Create every Symlinks= entry pointing at target (spec §4.4): parent
 * directories with directory_mode, then symlink().  An existing link that
 * already points at target counts as success; on EEXIST with remove_on_stop
 * the old entry is unlinked and the symlink retried.  Remaining failures
 * only call warn(userdata, path, -errno).  Returns the number of failures. */
int socket_symlinks_create(char * const *symlinks, const char *target, mode_t directory_mode,
                           bool remove_on_stop,
                           void (*warn)(void *userdata, const char *path, int error), void *userdata);

/* Unlink every Symlinks= entry (RemoveOnStop=yes); errors are ignored. */
void socket_symlinks_remove(char * const *symlinks);

/* "Stream", "FIFO", ... as used in messages. */
const char *socket_port_type_to_string(SocketPortType t) _const_;
