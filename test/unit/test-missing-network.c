/* SPDX-License-Identifier: MIT */
/* missing_network.h must compile, and give the kernel's numbers, in four
 * builds of this file (see test/unit/meson.build):
 *
 *   test-missing-network                   real headers, missing_network.h first
 *   test-missing-network-libc-first        real headers, <netinet/in.h> first
 *   test-missing-network-shadow            a <netinet/in.h> without IPPROTO_MPTCP
 *                                          (as glibc < 2.32), missing_network.h first
 *   test-missing-network-shadow-libc-first the same, <netinet/in.h> first
 *
 * With the real glibc header, IPPROTO_MPTCP is an enum member plus a macro
 * naming itself; a fallback #define seen before it would break the enum.
 * NAIVE_FALLBACK_BREAKS (from meson's cc.compiles()) records whether that
 * is true of this C library. */

#ifdef LIBC_FIRST
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "missing_network.h"
#else
#include "missing_network.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

#include <sys/socket.h>
#include <unistd.h>

#include "tests.h"

#if defined(EXPECT_SHADOW) && !defined(PORTER_SHADOW_NETINET_IN)
#error "the shadow <netinet/in.h> was not used"
#endif
#if !defined(EXPECT_SHADOW) && defined(PORTER_SHADOW_NETINET_IN)
#error "the shadow <netinet/in.h> leaked into a real-header build"
#endif

/* The values are the kernel's ABI: check them at compile time. */
_Static_assert(IPPROTO_MPTCP == 262, "IPPROTO_MPTCP");
_Static_assert(IPPROTO_SCTP == 132, "IPPROTO_SCTP");
_Static_assert(IPPROTO_UDPLITE == 136, "IPPROTO_UDPLITE");
_Static_assert(SOL_MPTCP == 284, "SOL_MPTCP");
_Static_assert(MPTCP_INFO == 1, "MPTCP_INFO");
_Static_assert(TCP_IS_MPTCP == 43, "TCP_IS_MPTCP");
_Static_assert(SOL_SCTP == 132, "SOL_SCTP");
_Static_assert(SCTP_NODELAY == 3, "SCTP_NODELAY");
_Static_assert(SO_PASSPIDFD == 76, "SO_PASSPIDFD");
_Static_assert(SO_PASSRIGHTS == 83, "SO_PASSRIGHTS");
_Static_assert(IPV6_FREEBIND == 78, "IPV6_FREEBIND");
_Static_assert(IPV6_TRANSPARENT == 75, "IPV6_TRANSPARENT");
_Static_assert(IP_FREEBIND == 15, "IP_FREEBIND");
_Static_assert(IP_TRANSPARENT == 19, "IP_TRANSPARENT");
_Static_assert(SOL_NETLINK == 270, "SOL_NETLINK");
_Static_assert(NETLINK_PKTINFO == 3, "NETLINK_PKTINFO");
_Static_assert(SOL_PACKET == 263, "SOL_PACKET");
_Static_assert(PACKET_AUXDATA == 8, "PACKET_AUXDATA");
_Static_assert(SO_RCVBUFFORCE == 33, "SO_RCVBUFFORCE");
_Static_assert(SO_SNDBUFFORCE == 32, "SO_SNDBUFFORCE");
_Static_assert(SO_PASSSEC == 34, "SO_PASSSEC");

TEST(values_in_expressions) {
        /* The names work as ordinary expressions, not only in constant
         * contexts: a switch needs distinct constants. */
        int p = IPPROTO_MPTCP;
        switch (p) {
        case IPPROTO_MPTCP:
                break;
        case IPPROTO_SCTP:
        case IPPROTO_UDPLITE:
        default:
                TEST_FAIL_("%s", "IPPROTO_MPTCP did not match itself");
        }
        ASSERT_EQ(p, 262);
}

TEST(which_headers) {
#ifdef PORTER_SHADOW_NETINET_IN
        fprintf(stderr, "  shadow <netinet/in.h> (no IPPROTO_MPTCP): fallback from missing_network.h\n");
#else
        fprintf(stderr, "  real <netinet/in.h>\n");
#endif
#ifdef LIBC_FIRST
        fprintf(stderr, "  include order: <netinet/in.h> first\n");
#else
        fprintf(stderr, "  include order: missing_network.h first\n");
#endif
#ifdef NAIVE_FALLBACK_BREAKS
        /* Why missing_network.h includes <netinet/in.h> before its fallbacks:
         * with this C library a bare `#define IPPROTO_MPTCP 262` placed before
         * <netinet/in.h> does not compile. */
        fprintf(stderr, "  naive fallback before <netinet/in.h> compiles: %s\n",
                NAIVE_FALLBACK_BREAKS ? "no" : "yes");
#endif
}

TEST(kernel_agrees) {
        /* The numbers are the ones this kernel uses: an MPTCP socket reports
         * SO_PROTOCOL 262 and TCP_IS_MPTCP 1. */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
        int v = 0;
        socklen_t l = sizeof(v);

        if (fd < 0) {
                fprintf(stderr, "SKIP: kernel_agrees: no MPTCP here (%s)\n", strerror(errno));
                return;
        }
        ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l), 0);
        ASSERT_EQ(v, IPPROTO_MPTCP);
        ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &v, &l), 0);
        ASSERT_EQ(v, 1);
        close(fd);
}

RUN_TESTS();
