/* SPDX-License-Identifier: MIT */
#pragma once

/* Networking constants that older libc or kernel headers may lack.
 *
 * Include order matters, and this header takes care of it: the libc headers
 * come FIRST, and only then do the #ifndef fallbacks follow.
 *
 * Why: glibc >= 2.32 (and the kernel UAPI <linux/in.h>) declare the IP
 * protocol numbers as enum members, each followed by a macro that names
 * itself:
 *
 *         enum { ...  IPPROTO_MPTCP = 262,
 *         #define IPPROTO_MPTCP IPPROTO_MPTCP
 *         ... };
 *
 * If a fallback `#define IPPROTO_MPTCP 262` were seen before <netinet/in.h>,
 * the preprocessor would turn that enum line into `262 = 262,` and the
 * translation unit would fail to compile.  Including <netinet/in.h> here
 * first means the #ifndef below sees the real definition whenever libc has
 * one, so a file may include this header before or after <netinet/in.h>.
 * (systemd hit the same problem: PR #32958 put the include at the top of its
 * missing_network.h for this reason.)
 *
 * The self-referencing macro also means `#ifdef IPPROTO_MPTCP` is the right
 * test, while `#if IPPROTO_MPTCP == 262` is not (an enum constant is 0 to the
 * preprocessor).  Only use these names in C expressions.
 *
 * test/unit/test-missing-network.c compiles this header against the real
 * headers and against a shadow <netinet/in.h> that lacks IPPROTO_MPTCP, in
 * both include orders. */

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* IP protocol numbers (IANA; third argument of socket()). */
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262 /* Linux 5.6, glibc 2.32 */
#endif

/* Socket option levels. */
#ifndef SOL_SCTP
#define SOL_SCTP 132
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284 /* Linux 5.16 */
#endif

/* SOL_MPTCP options (<linux/mptcp.h>). */
#ifndef MPTCP_INFO
#define MPTCP_INFO 1
#endif

/* SOL_TCP options. */
#ifndef TCP_IS_MPTCP
#define TCP_IS_MPTCP 43 /* Linux 5.16: 1 on an MPTCP socket that did not fall back */
#endif

/* SOL_SCTP options (<linux/sctp.h>, not part of libc). */
#ifndef SCTP_NODELAY
#define SCTP_NODELAY 3
#endif

/* SOL_NETLINK / SOL_PACKET options. */
#ifndef NETLINK_PKTINFO
#define NETLINK_PKTINFO 3
#endif
#ifndef PACKET_AUXDATA
#define PACKET_AUXDATA 8
#endif

/* SOL_SOCKET options newer than some libc headers. */
#ifndef SO_PASSSEC
#define SO_PASSSEC 34
#endif
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#endif
#ifndef SO_SNDBUFFORCE
#define SO_SNDBUFFORCE 32
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76 /* Linux 6.5 */
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83 /* Linux 6.16 */
#endif

/* IPPROTO_IP / IPPROTO_IPV6 options. */
#ifndef IP_FREEBIND
#define IP_FREEBIND 15
#endif
#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* Linux 4.15 */
#endif

/* Address families. */
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
