/* SPDX-License-Identifier: MIT */
#pragma once

/* SocketAddress: the address of one Listen*= line, as systemd parses it.
 *
 * Grammar accepted by socket_address_parse() (spec §2.1):
 *
 *   address   = unix | abstract | vsock | port | ipv4 | ipv6
 *   unix      = "/" path                 ; <= 107 bytes, else -ENAMETOOLONG
 *   abstract  = "@" name                 ; <= 106 bytes after the '@'
 *   vsock     = ("vsock" | "vsock-stream" | "vsock-dgram" | "vsock-seqpacket")
 *               ":" [cid] ":" port
 *               cid  = u32 | "hypervisor" | "local" | "host" | empty (any)
 *               port = u32 except 0xFFFFFFFF
 *   port      = 1..65535                 ; [::]:port if /proc/net/if_inet6
 *                                        ; exists, else 0.0.0.0:port
 *   ipv4      = a.b.c.d ":" port [ "%" ifname-or-index ]
 *   ipv6      = "[" addr "]" ":" port [ "%" ifname-or-index ]
 *
 * Port 0 or a missing port is -EINVAL, a port above 65535 -ERANGE.  Host
 * names are never resolved.  A scope given by name is resolved with
 * if_nametoindex() at parse time (a missing interface is -ENODEV); a numeric
 * scope is taken as is.  For IPv4 the scope is checked and then dropped, as
 * systemd does.
 *
 * Netlink (socket_address_parse_netlink): FAMILY [GROUP], where FAMILY is a
 * name from the table in socket-address.c ("route", "audit", ...) or a
 * number, and GROUP an unsigned multicast group mask (default 0). */

#include <stdbool.h>
#include <sys/socket.h>

#include "socket-util.h"

typedef struct SocketAddress {
        union sockaddr_union sockaddr;
        socklen_t size;  /* meaningful bytes of sockaddr, as for bind() */
        int type;        /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW */
        int protocol;    /* 3rd socket() argument: 0, IPPROTO_* or netlink family */
} SocketAddress;

/* Parse s (see grammar above) into *a.  The type is SOCK_STREAM unless a
 * vsock-dgram:/vsock-seqpacket: prefix says otherwise; the Listen directive
 * sets the final type afterwards.  protocol is 0.  Returns 0 or -EINVAL,
 * -ERANGE, -ENAMETOOLONG, -ENODEV, -ENOMEM.  *a is written only on success. */
int socket_address_parse(SocketAddress *a, const char *s);

/* Parse a ListenNetlink= value "FAMILY [GROUP]".  Sets type SOCK_RAW and
 * protocol to the netlink family.  Returns 0 or -EINVAL/-ERANGE. */
int socket_address_parse_netlink(SocketAddress *a, const char *s);

/* Check that the address is usable (§2.1 "final verification"): known
 * family, the size of that family, a non-zero INET/INET6 port, a type the
 * family supports (type 0 is accepted as "not decided yet").  strict also
 * checks that an AF_UNIX filesystem path ends with its NUL exactly at
 * size, and refuses unnamed AF_UNIX addresses.  Returns 0 or -EINVAL /
 * -EAFNOSUPPORT. */
int socket_address_verify(const SocketAddress *a, bool strict);

/* Format the address so that socket_address_parse() (or
 * socket_address_parse_netlink() for AF_NETLINK: "route 1") gives it back.
 * Returns 0 and a heap string, or -errno. */
int socket_address_print(const SocketAddress *a, char **ret);

/* True if a and b are the same listener: type, family and address bytes
 * (ports, paths, groups, CID) must match; protocol is compared only when
 * both are non-zero, so that an inherited fd matches a unit whose
 * SocketProtocol= was left unset.  Used for daemon-reload fd reuse and for
 * adopting fds handed to porterd. */
bool socket_address_equal(const SocketAddress *a, const SocketAddress *b) _pure_;

/* True if accept() makes sense: SOCK_STREAM or SOCK_SEQPACKET. */
bool socket_address_can_accept(const SocketAddress *a) _pure_;

/* The address family (AF_INET, AF_UNIX, ...). */
int socket_address_family(const SocketAddress *a) _pure_;

/* The filesystem path of an AF_UNIX socket, or NULL for abstract and
 * non-UNIX addresses.  Points into *a. */
const char *socket_address_get_path(const SocketAddress *a);

/* Does the open fd listen on exactly this address?  Compares getsockname(),
 * SO_TYPE, and SO_PROTOCOL when a->protocol is non-zero.  Returns 1 for a
 * match, 0 for none, or -errno if fd is not a usable socket. */
int socket_address_matches_fd(const SocketAddress *a, int fd);

/* SocketProtocol= values.  Accepts "udplite", "sctp", "mptcp" in any case,
 * or the numbers 136, 132, 262.  Everything else, "tcp" and the empty string
 * included, is -EPROTONOSUPPORT (systemd keeps the earlier value then).
 * Returns the IPPROTO_* number. */
int parse_socket_protocol(const char *s);

/* "udplite", "sctp", "mptcp", or NULL for anything else (including 0). */
const char *socket_protocol_to_string(int protocol) _const_;

/* The protocol a port of this socket type really gets (spec §3):
 * SOCK_STREAM takes mptcp or sctp, SOCK_SEQPACKET takes sctp, SOCK_DGRAM
 * takes udplite; every other combination is silently plain (0), exactly as
 * systemd does. */
int socket_protocol_for_type(int configured, int type) _const_;

/* Whether protocol (already passed through socket_protocol_for_type()) can
 * work on this family and type: the IP protocols need AF_INET/AF_INET6.  The
 * loader uses it to refuse e.g. SocketProtocol=mptcp on a unix ListenStream=
 * with a file:line error (systemd instead fails the unit at start).
 * protocol 0 always fits. */
bool socket_protocol_fits(int protocol, int family, int type) _const_;

/* Netlink family names of ListenNetlink= ("route" = NETLINK_ROUTE, ...).
 * from_string also takes a decimal number 0..MAX_LINKS-1; returns the family
 * or -EINVAL.  to_string returns NULL for a number without a name. */
int netlink_family_from_string(const char *s) _pure_;
const char *netlink_family_to_string(int family) _const_;
