/* SPDX-License-Identifier: MIT */
#pragma once

/* Socket helpers below the unit-file layer: one sockaddr type for every
 * family porter listens on, formatting, and setsockopt() helpers that pick
 * the option level and name from the address family so that callers never
 * write an IPv4 branch and an IPv6 branch by hand. */

#include <limits.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>

#include "missing_network.h"
#include "macro.h"

/* One storage type for every address family: IPv4, IPv6, AF_UNIX, netlink
 * and VSOCK.  Pass `&u.sa` to the socket calls. */
union sockaddr_union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
        struct sockaddr_nl nl;
        struct sockaddr_vm vm;
        struct sockaddr_storage storage;
};

/* systemd's default Backlog=: listen() clamps it to net.core.somaxconn. */
#define SOMAXCONN_DELUXE INT_MAX

/* Fill *ret with an AF_UNIX address for path.  A path starting with '@' is
 * abstract: the '@' becomes a NUL byte and the length excludes any trailing
 * NUL.  Either form may be at most 107 bytes (the '@' counted), so that a
 * terminating NUL always fits sun_path.  Returns the socklen_t to pass to
 * bind()/connect(), -EINVAL for "", "@" or "/", or -ENAMETOOLONG. */
int sockaddr_un_set_path(struct sockaddr_un *ret, const char *path);

/* Length of the meaningful part of an address of the given family (as for
 * bind()); 0 for an unknown family. */
socklen_t sockaddr_len_for_family(int family);

/* Format an address for humans and for round trips through
 * socket_address_parse(): "1.2.3.4:80", "[::1]:80", "[fe80::1]:80%2",
 * "/run/foo.sk", "@abstract", "vsock:2:1234", "vsock::1234" (any CID).
 * AF_UNIX addresses with unprintable bytes are written with C escapes.
 * With translate_ipv6, an IPv4-mapped IPv6 address is shown as IPv4.
 * salen is the address length as returned by getsockname()/accept().
 * Returns 0 and a heap string, -EAFNOSUPPORT for other families, -EINVAL for
 * a truncated address, or -ENOMEM. */
int sockaddr_pretty(const struct sockaddr *sa, socklen_t salen, bool translate_ipv6, char **ret);

/* The IP address of an AF_INET or AF_INET6 address as REMOTE_ADDR= and
 * Accept=yes instance names show it: dotted IPv4, an IPv4-mapped IPv6
 * address as IPv4, any other IPv6 address bare (no brackets, no scope).
 * Writes into buf (size >= INET6_ADDRSTRLEN) and the port into *ret_port.
 * Allocates nothing: the per-connection path uses it.  Returns 0,
 * -EAFNOSUPPORT for another family, -EINVAL for a truncated address. */
int sockaddr_ip_string(const struct sockaddr *sa, socklen_t salen, char *buf, size_t size, unsigned *ret_port);

/* getsockopt()/setsockopt() for int-valued options.  Return 0 or -errno. */
int setsockopt_int(int fd, int level, int optname, int value);
int getsockopt_int(int fd, int level, int optname, int *ret);

/* SO_DOMAIN of fd: the address family, or -errno. */
int socket_get_family(int fd);

/* The family-aware option helpers below take the address family of fd; pass
 * AF_UNSPEC to have it read with SO_DOMAIN.  They return 0, -EAFNOSUPPORT when
 * the option has no meaning for the family, or -errno from setsockopt(). */

/* IP_TOS.  Only an IPv4 option; on an IPv6 socket IP_TOS is tried as well
 * (it then applies to IPv4-mapped traffic), as systemd does.  There is no
 * mapping to IPV6_TCLASS. */
int socket_set_tos(int fd, int family, int tos);
/* IP_TTL or IPV6_UNICAST_HOPS. */
int socket_set_ttl(int fd, int family, int ttl);
/* IP_FREEBIND or IPV6_FREEBIND. */
int socket_set_freebind(int fd, int family, bool b);
/* IP_TRANSPARENT or IPV6_TRANSPARENT. */
int socket_set_transparent(int fd, int family, bool b);
/* IP_PKTINFO, IPV6_RECVPKTINFO, NETLINK_PKTINFO or PACKET_AUXDATA. */
int socket_set_recvpktinfo(int fd, int family, bool b);
/* TCP_NODELAY, or SCTP_NODELAY when protocol is IPPROTO_SCTP. */
int socket_set_nodelay(int fd, int protocol, bool b);

/* What a connected TCP-or-MPTCP stream socket really carries. */
typedef enum SocketMptcpStatus {
        SOCKET_TCP_PLAIN,    /* plain TCP socket, never MPTCP */
        SOCKET_TCP_FALLBACK, /* MPTCP socket whose connection fell back to TCP
                              * (the peer did not speak MPTCP) */
        SOCKET_MPTCP,        /* a working MPTCP connection */
        _SOCKET_MPTCP_STATUS_MAX,
        _SOCKET_MPTCP_STATUS_INVALID = -EINVAL,
} SocketMptcpStatus;

/* Classify a connected TCP/MPTCP socket from the fd alone.  Uses
 * getsockopt(SOL_TCP, TCP_IS_MPTCP) where the kernel has it (Linux 5.16):
 * SO_PROTOCOL 262 with TCP_IS_MPTCP 1 is MPTCP, with 0 a fallback.  Where the
 * option is missing (ENOPROTOOPT/EOPNOTSUPP), getsockopt(SOL_MPTCP,
 * MPTCP_INFO) decides: it fails with EOPNOTSUPP on IPv4 and ENOPROTOOPT on
 * IPv6 once the connection fell back, just as on plain TCP.  SO_PROTOCOL 6
 * is SOCKET_TCP_PLAIN.
 *
 * An MPTCP listener hands out a *plain TCP* socket (SO_PROTOCOL 6,
 * TCP_IS_MPTCP 0) for a client that did not ask for MPTCP: from that fd alone
 * it cannot be told from a plain listener's child.  Use
 * socket_mptcp_status_accepted() for accepted sockets.
 *
 * Returns a SocketMptcpStatus, -errno (-ENOTSOCK, -EBADF), or -EPROTOTYPE
 * for a socket that is not a TCP or MPTCP stream. */
int socket_mptcp_status(int connected_fd);

/* The test socket_mptcp_status() uses on kernels without TCP_IS_MPTCP
 * (before 5.16), for a socket whose SO_PROTOCOL is IPPROTO_MPTCP: MPTCP_INFO
 * succeeds → SOCKET_MPTCP; EOPNOTSUPP/ENOPROTOOPT → SOCKET_TCP_FALLBACK.
 * Public so that tests can check it agrees with TCP_IS_MPTCP. */
int socket_mptcp_status_from_info(int fd);

/* Like socket_mptcp_status() for a socket returned by accept() on a
 * listener created with listen_protocol (0, IPPROTO_TCP or IPPROTO_MPTCP):
 * a plain TCP child of an MPTCP listener is SOCKET_TCP_FALLBACK. */
int socket_mptcp_status_accepted(int accepted_fd, int listen_protocol);

/* "tcp", "tcp-fallback", "mptcp"; NULL for an invalid value. */
const char *socket_mptcp_status_to_string(SocketMptcpStatus s) _const_;
