/* SPDX-License-Identifier: MIT */
#pragma once

/* SocketOptions: everything of a [Socket] section that shapes the listening
 * fds themselves (spec §2.2), filled by the unit loader and applied by
 * socket-listen.c.  Two application points, as in systemd:
 *
 *  - pre-bind (socket_options_apply_prebind): IPV6_V6ONLY and BindToDevice
 *    are fatal, ReusePort/FreeBind/Transparent only warn, SO_REUSEADDR is
 *    fatal, for every family;
 *  - post-listen (socket_options_apply_post_listen): everything else; every
 *    failure is a warning through a callback, never fatal.  The same call is
 *    made on each accepted connection socket in Accept=yes mode. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "time-util.h"

typedef enum SocketAddressBindIPv6Only {
        SOCKET_ADDRESS_DEFAULT,   /* leave net.ipv6.bindv6only in charge */
        SOCKET_ADDRESS_BOTH,      /* IPV6_V6ONLY = 0 */
        SOCKET_ADDRESS_IPV6_ONLY, /* IPV6_V6ONLY = 1 */
        _SOCKET_ADDRESS_BIND_IPV6_ONLY_MAX,
        _SOCKET_ADDRESS_BIND_IPV6_ONLY_INVALID = -EINVAL,
} SocketAddressBindIPv6Only;

typedef enum SocketTimestamping {
        SOCKET_TIMESTAMPING_OFF,
        SOCKET_TIMESTAMPING_US, /* SO_TIMESTAMP */
        SOCKET_TIMESTAMPING_NS, /* SO_TIMESTAMPNS */
        _SOCKET_TIMESTAMPING_MAX,
        _SOCKET_TIMESTAMPING_INVALID = -EINVAL,
} SocketTimestamping;

typedef struct SocketOptions {
        /* pre-bind */
        int bind_ipv6_only;            /* SocketAddressBindIPv6Only */
        char *bind_to_device;          /* NULL: unset */
        bool reuse_port, free_bind, transparent;

        /* listen() and filesystem nodes */
        unsigned backlog;              /* default SOMAXCONN_DELUXE */
        mode_t socket_mode;            /* default 0666 */
        mode_t directory_mode;         /* default 0755 */
        bool remove_on_stop;
        char **symlinks;               /* Symlinks=, absolute paths */
        bool writable;                 /* ListenSpecial=: O_RDWR */
        long mq_maxmsg, mq_msgsize;    /* used only if both > 0 */
        uint64_t pipe_size;            /* FIFOs: F_SETPIPE_SZ; 0 unset */

        /* SocketProtocol= as configured (0, IPPROTO_UDPLITE/SCTP/MPTCP);
         * each port gets socket_protocol_for_type() of it. */
        int socket_protocol;
        /* porter only: with SocketProtocol=mptcp and a kernel without MPTCP,
         * fail instead of falling back to TCP (systemd always fails). */
        bool mptcp_strict;

        /* post-listen */
        bool broadcast, pass_credentials, pass_pidfd, pass_security, pass_pktinfo;
        bool accept_fds;               /* AcceptFileDescriptors=, default yes */
        bool keep_alive, no_delay;
        usec_t keep_alive_time;        /* 0: unset; whole seconds applied */
        usec_t keep_alive_interval;    /* 0: unset */
        unsigned keep_alive_cnt;       /* 0: unset */
        usec_t defer_accept;           /* 0: off */
        int priority;                  /* -1: unset */
        int ip_tos;                    /* -1: unset */
        int ip_ttl;                    /* -1: unset */
        int mark;                      /* -1: unset */
        uint64_t receive_buffer;       /* 0: unset */
        uint64_t send_buffer;          /* 0: unset */
        int timestamping;              /* SocketTimestamping */
        char *tcp_congestion;          /* NULL: unset */
} SocketOptions;

/* Set systemd's defaults: Backlog SOMAXCONN_DELUXE, SocketMode 0666,
 * DirectoryMode 0755, AcceptFileDescriptors yes, Priority/IPTOS/IPTTL/Mark
 * unset (-1), everything else off. */
void socket_options_init(SocketOptions *o);

/* Free the strings and lists owned by *o (not o itself).  NULL-safe. */
void socket_options_done(SocketOptions *o);

/* Apply the pre-bind options to a fresh socket of the given family, in
 * systemd's order: IPV6_V6ONLY (AF_INET6 only, fatal), SO_BINDTODEVICE
 * (INET/INET6, fatal), SO_REUSEPORT, IP(V6)_FREEBIND, IP(V6)_TRANSPARENT
 * (INET/INET6, warnings), SO_REUSEADDR (every family, fatal).
 * Returns 0 or the fatal -errno.  If ret_warning is non-NULL it is set, on
 * success and on failure alike, to NULL or a heap string naming each option
 * that failed and why ("ReusePort=: Operation not permitted; ..."), the
 * fatal one last. */
int socket_options_apply_prebind(const SocketOptions *o, int fd, int family, char **ret_warning);

/* Called once for each post-listen option that could not be set: option is
 * the directive name ("KeepAliveTimeSec="), error a negative errno. */
typedef void (*socket_option_warn_t)(void *userdata, const char *option, int error);

/* Apply the post-listen options to a listening socket, or to a connection
 * socket accepted from it.  family is the socket's address family and
 * protocol the protocol it really has (after any MPTCP fallback): it picks
 * SCTP_NODELAY over TCP_NODELAY.  As in systemd, every configured option is
 * tried whatever the family (TCP options on a unix socket fail with
 * EOPNOTSUPP and are reported); PassPacketInfo=, IPTTL= and IPTOS= pick their
 * level by family.  ReceiveBuffer= and SendBuffer= fall back to the FORCE
 * variants when the kernel capped the value.  Every failure calls warn (if
 * non-NULL) and processing goes on; a caller may log -EOPNOTSUPP,
 * -ENOPROTOOPT, -EAFNOSUPPORT and -EPERM at debug level, as systemd v259
 * does.  Returns the number of options that failed (0 when all applied). */
int socket_options_apply_post_listen(const SocketOptions *o, int fd, int family, int protocol,
                                     socket_option_warn_t warn, void *userdata);

/* Apply PipeSize= to a FIFO fd.  Failures go to warn.  Returns the number
 * of failures (0 or 1). */
int socket_options_apply_fifo(const SocketOptions *o, int fd, socket_option_warn_t warn, void *userdata);

/* "default", "both", "ipv6-only"; from_string also takes a boolean
 * (yes = ipv6-only, no = both).  -EINVAL for anything else. */
const char *socket_address_bind_ipv6_only_to_string(SocketAddressBindIPv6Only b) _const_;
int socket_address_bind_ipv6_only_from_string(const char *s) _pure_;

/* "off", "us", "ns"; from_string also takes "usec", "µs", "μs", "nsec" and
 * a boolean (yes = ns, no = off).  -EINVAL for anything else. */
const char *socket_timestamping_to_string(SocketTimestamping t) _const_;
int socket_timestamping_from_string(const char *s) _pure_;
