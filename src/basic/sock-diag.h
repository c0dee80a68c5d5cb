/* SPDX-License-Identifier: MIT */
#pragma once

/* sock-diag: how many of the connections on an MPTCP listener's address are
 * really MPTCP, asked of the kernel (NETLINK_SOCK_DIAG) instead of the
 * connected fds.  With Accept=no the service owns the connections, so
 * porterd never sees them; the kernel's socket tables still do.
 *
 * Two dumps (SOCK_DIAG_BY_FAMILY with an inet_diag_req_v2), both restricted
 * to the listener's family, its local port and the states
 * ESTABLISHED|CLOSE_WAIT (connections someone still holds open):
 *
 *  1. IPPROTO_MPTCP (262 does not fit the request's 8-bit protocol field:
 *     it travels in an INET_DIAG_REQ_PROTOCOL attribute, which the kernel
 *     learnt together with the mptcp_diag module; a kernel without
 *     mptcp_diag answers ENOENT): one entry per MPTCP connection.  Its
 *     INET_DIAG_INFO is a struct mptcp_info; MPTCP_INFO_FLAG_FALLBACK in
 *     mptcpi_flags marks a connection that began as MPTCP and fell back to
 *     TCP later.
 *  2. IPPROTO_TCP: every TCP socket, which includes the subflows of the
 *     MPTCP connections.  A subflow carries the "mptcp" upper-layer protocol
 *     (INET_DIAG_ULP_INFO / INET_ULP_INFO_NAME, reported without
 *     CAP_NET_ADMIN on the kernels checked); a socket without it is a plain
 *     TCP connection that an MPTCP listener accepted from a client that did
 *     not ask for MPTCP, i.e. a TCP fallback.
 *
 * Wildcard listeners match any local address; a listener bound to one
 * address matches only connections to it.  Everything here is plain libc
 * and kernel UAPI: no libmnl, no sd-netlink. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The listener whose connections are counted. */
typedef struct SockDiagListener {
        int family;             /* AF_INET or AF_INET6 */
        uint8_t addr[16];       /* bound address, network order; all zero = wildcard */
        uint16_t port;          /* host order */
} SockDiagListener;

/* Connections found on the listener's address. */
typedef struct SockDiagMptcpCounts {
        unsigned mptcp;         /* MPTCP connections that still run MPTCP */
        unsigned fallback;      /* plain TCP connections, and MPTCP ones that fell back */
} SockDiagMptcpCounts;

/* The states counted: TCP_ESTABLISHED and TCP_CLOSE_WAIT, as a bit mask of
 * (1 << state) for inet_diag_req_v2.idiag_states. */
#define SOCK_DIAG_STATES ((1U << 1) | (1U << 8))

/* The listener of a bound AF_INET/AF_INET6 socket fd (getsockname()).
 * Returns 0, -EAFNOSUPPORT for another family, or -errno. */
int sock_diag_listener_from_fd(int fd, SockDiagListener *ret);

/* Build a SOCK_DIAG_BY_FAMILY dump request for protocol (IPPROTO_TCP or
 * IPPROTO_MPTCP) sockets of l's family and local port in the states
 * SOCK_DIAG_STATES, asking for INET_DIAG_INFO, with sequence number seq.
 * IPPROTO_MPTCP travels in an INET_DIAG_REQ_PROTOCOL attribute.  Writes at
 * most size bytes to buf.  Returns the message length or -ENOBUFS. */
ssize_t sock_diag_build_request(void *buf, size_t size, const SockDiagListener *l, int protocol, uint32_t seq);

/* Account one datagram of the answer to the request of sequence seq for
 * protocol: every SOCK_DIAG_BY_FAMILY message on l's address and port is
 * added to *counts (see above; TCP sockets that are MPTCP subflows are
 * skipped).  Messages of other sequence numbers are ignored.  Returns 1
 * once NLMSG_DONE was seen, 0 when more datagrams follow, the kernel's
 * error from an NLMSG_ERROR (-ENOENT when there is no diag handler for
 * the protocol), or -EBADMSG for a malformed datagram. */
int sock_diag_parse_reply(const void *buf, size_t len, uint32_t seq, const SockDiagListener *l, int protocol,
                          SockDiagMptcpCounts *counts);

/* Count l's connections with both dumps, over a netlink socket of its own
 * (in the caller's network namespace).  Returns 0 and *ret, or -errno:
 * -EOPNOTSUPP when the kernel cannot list MPTCP sockets. */
int sock_diag_mptcp_count(const SockDiagListener *l, SockDiagMptcpCounts *ret);
