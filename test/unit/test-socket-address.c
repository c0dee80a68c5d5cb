/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "socket-address.h"
#include "string-util.h"
#include "tests.h"

/* Parse s, print it, and check the printed form (and that it re-parses to
 * an equal address). */
static void check_round_trip(const char *s, const char *expected) {
        SocketAddress a, b;
        _cleanup_free_ char *p = NULL;

        ASSERT_OK(socket_address_parse(&a, s));
        ASSERT_OK(socket_address_verify(&a, true));
        ASSERT_OK(socket_address_print(&a, &p));
        ASSERT_STREQ(p, expected);
        ASSERT_OK(socket_address_parse(&b, p));
        b.type = a.type;
        ASSERT_TRUE(socket_address_equal(&a, &b));
}

TEST(parse_ipv4) {
        SocketAddress a;

        ASSERT_OK(socket_address_parse(&a, "127.0.0.1:8080"));
        ASSERT_EQ(socket_address_family(&a), AF_INET);
        ASSERT_EQ(a.size, sizeof(struct sockaddr_in));
        ASSERT_EQ(ntohs(a.sockaddr.in.sin_port), 8080);
        ASSERT_EQ(a.sockaddr.in.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
        ASSERT_EQ(a.type, SOCK_STREAM);
        ASSERT_EQ(a.protocol, 0);
        check_round_trip("127.0.0.1:8080", "127.0.0.1:8080");
        check_round_trip("0.0.0.0:65535", "0.0.0.0:65535");
}

TEST(parse_ipv4_errors) {
        SocketAddress a;

        ASSERT_ERROR(socket_address_parse(&a, "127.0.0.1"), EINVAL);   /* no port */
        ASSERT_ERROR(socket_address_parse(&a, "127.0.0.1:0"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "127.0.0.1:65536"), ERANGE);
        ASSERT_ERROR(socket_address_parse(&a, "*:80"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "localhost:80"), EINVAL); /* never resolved */
        ASSERT_ERROR(socket_address_parse(&a, "1.2.3:80"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "1.2.3.4:"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, ""), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, ":80"), EINVAL);
}

TEST(parse_port_only) {
        SocketAddress a;
        bool v6 = access("/proc/net/if_inet6", F_OK) >= 0;

        ASSERT_OK(socket_address_parse(&a, "80"));
        if (v6) {
                ASSERT_EQ(socket_address_family(&a), AF_INET6);
                ASSERT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&a.sockaddr.in6.sin6_addr));
                ASSERT_EQ(ntohs(a.sockaddr.in6.sin6_port), 80);
                check_round_trip("80", "[::]:80");
        } else {
                ASSERT_EQ(socket_address_family(&a), AF_INET);
                check_round_trip("80", "0.0.0.0:80");
        }
        ASSERT_ERROR(socket_address_parse(&a, "0"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "65536"), ERANGE);
        ASSERT_ERROR(socket_address_parse(&a, "99999999999"), ERANGE);
}

TEST(parse_ipv6) {
        SocketAddress a;

        ASSERT_OK(socket_address_parse(&a, "[::1]:53"));
        ASSERT_EQ(socket_address_family(&a), AF_INET6);
        ASSERT_TRUE(IN6_IS_ADDR_LOOPBACK(&a.sockaddr.in6.sin6_addr));
        ASSERT_EQ(ntohs(a.sockaddr.in6.sin6_port), 53);
        ASSERT_EQ(a.sockaddr.in6.sin6_scope_id, 0);
        check_round_trip("[::1]:53", "[::1]:53");
        check_round_trip("[2001:db8::ff00:42:8329]:443", "[2001:db8::ff00:42:8329]:443");
        check_round_trip("[::ffff:10.0.0.1]:80", "[::ffff:10.0.0.1]:80");

        ASSERT_ERROR(socket_address_parse(&a, "::1"), EINVAL);          /* bare, no port */
        ASSERT_ERROR(socket_address_parse(&a, "[::1]"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[::1]:0"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[::1]:70000"), ERANGE);
        ASSERT_ERROR(socket_address_parse(&a, "::1:80"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[1.2.3.4]:80"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[::1:80"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[]:80"), EINVAL);
}

TEST(parse_ipv6_scope) {
        SocketAddress a;
        unsigned lo = if_nametoindex("lo");
        char expected[64];

        ASSERT_NE(lo, 0);
        ASSERT_OK(socket_address_parse(&a, "[fe80::1]:80%lo"));
        ASSERT_EQ(a.sockaddr.in6.sin6_scope_id, lo);
        snprintf(expected, sizeof(expected), "[fe80::1]:80%%%u", lo);
        check_round_trip("[fe80::1]:80%lo", expected);

        /* Numeric scopes are taken as they are, like systemd. */
        ASSERT_OK(socket_address_parse(&a, "[fe80::1]:80%4242"));
        ASSERT_EQ(a.sockaddr.in6.sin6_scope_id, 4242);

        ASSERT_ERROR(socket_address_parse(&a, "[fe80::1]:80%porter-nodev0"), ENODEV);
        ASSERT_ERROR(socket_address_parse(&a, "[fe80::1]:80%"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[fe80::1]:80%a/b"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "[fe80::1]:80%0123456789abcdefg"), EINVAL);
        /* The scope goes after the port; inside the brackets it is malformed. */
        ASSERT_ERROR(socket_address_parse(&a, "[fe80::1%lo]:80"), EINVAL);

        /* IPv4 with a scope: checked, then dropped. */
        ASSERT_OK(socket_address_parse(&a, "127.0.0.1:80%lo"));
        ASSERT_EQ(socket_address_family(&a), AF_INET);
        ASSERT_ERROR(socket_address_parse(&a, "127.0.0.1:80%porter-nodev0"), ENODEV);
}

TEST(parse_unix) {
        SocketAddress a;
        char path[200];

        ASSERT_OK(socket_address_parse(&a, "/run/foo.sk"));
        ASSERT_EQ(socket_address_family(&a), AF_UNIX);
        ASSERT_EQ(a.size, offsetof(struct sockaddr_un, sun_path) + strlen("/run/foo.sk") + 1);
        ASSERT_STREQ(socket_address_get_path(&a), "/run/foo.sk");
        check_round_trip("/run/foo.sk", "/run/foo.sk");

        /* 107 bytes fit (with the NUL: 108 = sizeof(sun_path)); 108 do not. */
        memset(path, 'a', sizeof(path));
        path[0] = '/';
        path[107] = '\0';
        ASSERT_OK(socket_address_parse(&a, path));
        ASSERT_OK(socket_address_verify(&a, true));
        ASSERT_STREQ(socket_address_get_path(&a), path);
        check_round_trip(path, path);
        path[107] = 'a';
        path[108] = '\0';
        ASSERT_ERROR(socket_address_parse(&a, path), ENAMETOOLONG);

        ASSERT_ERROR(socket_address_parse(&a, "relative/path"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "/"), EINVAL);
}

TEST(parse_abstract) {
        SocketAddress a;
        char name[200];

        ASSERT_OK(socket_address_parse(&a, "@porter/test"));
        ASSERT_EQ(socket_address_family(&a), AF_UNIX);
        ASSERT_EQ(a.sockaddr.un.sun_path[0], '\0');
        /* The length covers the leading NUL and the name, no trailing NUL. */
        ASSERT_EQ(a.size, offsetof(struct sockaddr_un, sun_path) + strlen("@porter/test"));
        ASSERT_NULL(socket_address_get_path(&a));
        check_round_trip("@porter/test", "@porter/test");

        memset(name, 'x', sizeof(name));
        name[0] = '@';
        name[107] = '\0'; /* '@' + 106 bytes */
        check_round_trip(name, name);
        name[107] = 'x';
        name[108] = '\0';
        ASSERT_ERROR(socket_address_parse(&a, name), ENAMETOOLONG);
        ASSERT_ERROR(socket_address_parse(&a, "@"), EINVAL);
}

TEST(parse_vsock) {
        SocketAddress a;

        ASSERT_OK(socket_address_parse(&a, "vsock:2:1234"));
        ASSERT_EQ(socket_address_family(&a), AF_VSOCK);
        ASSERT_EQ(a.sockaddr.vm.svm_cid, 2);
        ASSERT_EQ(a.sockaddr.vm.svm_port, 1234);
        ASSERT_EQ(a.type, SOCK_STREAM);
        check_round_trip("vsock:2:1234", "vsock:2:1234");

        ASSERT_OK(socket_address_parse(&a, "vsock::1234"));
        ASSERT_EQ(a.sockaddr.vm.svm_cid, VMADDR_CID_ANY);
        check_round_trip("vsock::1234", "vsock::1234");
        check_round_trip("vsock:4294967295:1", "vsock::1");

        ASSERT_OK(socket_address_parse(&a, "vsock:hypervisor:1"));
        ASSERT_EQ(a.sockaddr.vm.svm_cid, VMADDR_CID_HYPERVISOR);
        ASSERT_OK(socket_address_parse(&a, "vsock:local:1"));
        ASSERT_EQ(a.sockaddr.vm.svm_cid, VMADDR_CID_LOCAL);
        ASSERT_OK(socket_address_parse(&a, "vsock:host:1"));
        ASSERT_EQ(a.sockaddr.vm.svm_cid, VMADDR_CID_HOST);
        ASSERT_OK(socket_address_parse(&a, "vsock:3:4294967294"));
        ASSERT_EQ(a.sockaddr.vm.svm_port, 4294967294u);
        ASSERT_OK(socket_address_parse(&a, "vsock:3:0"));

        ASSERT_OK(socket_address_parse(&a, "vsock-dgram:3:5"));
        ASSERT_EQ(a.type, SOCK_DGRAM);
        ASSERT_OK(socket_address_parse(&a, "vsock-seqpacket:3:5"));
        ASSERT_EQ(a.type, SOCK_SEQPACKET);
        ASSERT_OK(socket_address_parse(&a, "vsock-stream:3:5"));
        ASSERT_EQ(a.type, SOCK_STREAM);

        ASSERT_ERROR(socket_address_parse(&a, "vsock:3:4294967295"), EINVAL); /* VMADDR_PORT_ANY */
        ASSERT_ERROR(socket_address_parse(&a, "vsock:3:4294967296"), ERANGE);
        ASSERT_ERROR(socket_address_parse(&a, "vsock:3"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "vsock:3:"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "vsock:guest:3"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "vsock:-1:3"), EINVAL);
        ASSERT_ERROR(socket_address_parse(&a, "vsock-raw:3:3"), EINVAL);
}

TEST(verify) {
        SocketAddress a;

        ASSERT_OK(socket_address_parse(&a, "127.0.0.1:1"));
        a.type = SOCK_SEQPACKET;
        ASSERT_ERROR(socket_address_verify(&a, true), EINVAL); /* seqpacket is unix only */
        a.type = SOCK_DGRAM;
        ASSERT_OK(socket_address_verify(&a, true));

        ASSERT_OK(socket_address_parse(&a, "/run/x"));
        a.type = SOCK_SEQPACKET;
        ASSERT_OK(socket_address_verify(&a, true));
        a.type = SOCK_RAW;
        ASSERT_ERROR(socket_address_verify(&a, true), EINVAL);

        ASSERT_OK(socket_address_parse(&a, "vsock:1:1"));
        a.type = SOCK_SEQPACKET;
        ASSERT_ERROR(socket_address_verify(&a, true), EINVAL);

        /* A size that does not end at the path's NUL is refused in strict mode. */
        ASSERT_OK(socket_address_parse(&a, "/run/x"));
        a.size += 3;
        ASSERT_ERROR(socket_address_verify(&a, true), EINVAL);

        a = (SocketAddress) { .sockaddr.sa.sa_family = AF_PACKET, .size = 20, .type = SOCK_RAW };
        ASSERT_ERROR(socket_address_verify(&a, true), EAFNOSUPPORT);
}

TEST(netlink) {
        SocketAddress a;
        _cleanup_free_ char *p = NULL, *q = NULL;

        ASSERT_OK(socket_address_parse_netlink(&a, "route 1"));
        ASSERT_EQ(socket_address_family(&a), AF_NETLINK);
        ASSERT_EQ(a.protocol, NETLINK_ROUTE);
        ASSERT_EQ(a.sockaddr.nl.nl_groups, 1);
        ASSERT_EQ(a.type, SOCK_RAW);
        ASSERT_OK(socket_address_print(&a, &p));
        ASSERT_STREQ(p, "route 1");

        ASSERT_OK(socket_address_parse_netlink(&a, "kobject-uevent"));
        ASSERT_EQ(a.protocol, NETLINK_KOBJECT_UEVENT);
        ASSERT_EQ(a.sockaddr.nl.nl_groups, 0);
        ASSERT_OK(socket_address_parse_netlink(&a, "  audit   7"));
        ASSERT_EQ(a.protocol, NETLINK_AUDIT);
        ASSERT_EQ(a.sockaddr.nl.nl_groups, 7);
        ASSERT_OK(socket_address_parse_netlink(&a, "21 3")); /* NETLINK_CRYPTO, no name */
        ASSERT_EQ(a.protocol, 21);
        ASSERT_OK(socket_address_print(&a, &q));
        ASSERT_STREQ(q, "21 3");

        const char *names[] = { "route", "firewall", "inet-diag", "nflog", "xfrm", "selinux", "iscsi",
                                "audit", "fib-lookup", "connector", "netfilter", "ip6-fw", "dnrtmsg",
                                "kobject-uevent", "generic", "scsitransport", "ecryptfs", "rdma" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                int f = netlink_family_from_string(names[i]);
                ASSERT_OK(f);
                ASSERT_STREQ(netlink_family_to_string(f), names[i]);
        }

        ASSERT_ERROR(socket_address_parse_netlink(&a, ""), EINVAL);
        ASSERT_ERROR(socket_address_parse_netlink(&a, "routes"), EINVAL);
        ASSERT_ERROR(socket_address_parse_netlink(&a, "route x"), EINVAL);
        ASSERT_ERROR(socket_address_parse_netlink(&a, "route 1 2"), EINVAL);
        ASSERT_ERROR(socket_address_parse_netlink(&a, "route 1 "), EINVAL); /* as systemd's safe_atou() */
        ASSERT_ERROR(socket_address_parse_netlink(&a, "32"), EINVAL);
        ASSERT_ERROR(socket_address_parse_netlink(&a, "Route"), EINVAL);
}

TEST(equal) {
        SocketAddress a, b;

        ASSERT_OK(socket_address_parse(&a, "127.0.0.1:80"));
        ASSERT_OK(socket_address_parse(&b, "127.0.0.1:80"));
        ASSERT_TRUE(socket_address_equal(&a, &b));
        b.type = SOCK_DGRAM;
        ASSERT_FALSE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&b, "127.0.0.1:81"));
        ASSERT_FALSE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&b, "127.0.0.2:80"));
        ASSERT_FALSE(socket_address_equal(&a, &b));

        /* Protocol: compared only when both sides know it. */
        ASSERT_OK(socket_address_parse(&b, "127.0.0.1:80"));
        b.protocol = IPPROTO_MPTCP;
        ASSERT_TRUE(socket_address_equal(&a, &b));
        a.protocol = IPPROTO_SCTP;
        ASSERT_FALSE(socket_address_equal(&a, &b));

        ASSERT_OK(socket_address_parse(&a, "[::1]:80"));
        ASSERT_OK(socket_address_parse(&b, "[::1]:80%lo"));
        ASSERT_FALSE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&a, "[::1]:80%lo"));
        ASSERT_TRUE(socket_address_equal(&a, &b));

        ASSERT_OK(socket_address_parse(&a, "/run/a"));
        ASSERT_OK(socket_address_parse(&b, "/run/a"));
        ASSERT_TRUE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&b, "@/run/a"));
        ASSERT_FALSE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&a, "@/run/a"));
        ASSERT_TRUE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&b, "@/run/ab"));
        ASSERT_FALSE(socket_address_equal(&a, &b));

        ASSERT_OK(socket_address_parse_netlink(&a, "route 1"));
        ASSERT_OK(socket_address_parse_netlink(&b, "route 1"));
        b.sockaddr.nl.nl_pid = 4711; /* assigned by the kernel: ignored */
        ASSERT_TRUE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse_netlink(&b, "route 2"));
        ASSERT_FALSE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse_netlink(&b, "audit 1"));
        ASSERT_FALSE(socket_address_equal(&a, &b));

        ASSERT_OK(socket_address_parse(&a, "vsock:3:5"));
        ASSERT_OK(socket_address_parse(&b, "vsock:3:5"));
        ASSERT_TRUE(socket_address_equal(&a, &b));
        ASSERT_OK(socket_address_parse(&b, "vsock:4:5"));
        ASSERT_FALSE(socket_address_equal(&a, &b));
}

TEST(can_accept) {
        SocketAddress a;

        ASSERT_OK(socket_address_parse(&a, "/run/x"));
        ASSERT_TRUE(socket_address_can_accept(&a));
        a.type = SOCK_SEQPACKET;
        ASSERT_TRUE(socket_address_can_accept(&a));
        a.type = SOCK_DGRAM;
        ASSERT_FALSE(socket_address_can_accept(&a));
        ASSERT_OK(socket_address_parse_netlink(&a, "route"));
        ASSERT_FALSE(socket_address_can_accept(&a));
}

/* Bind real sockets and check that matches_fd recognizes exactly its own. */
static int bound_socket(const SocketAddress *a, int protocol) {
        int fd = socket(socket_address_family(a), a->type | SOCK_CLOEXEC, protocol);
        ASSERT_OK(fd);
        ASSERT_OK(RET_NERRNO(bind(fd, &a->sockaddr.sa, a->size)));
        return fd;
}

TEST(matches_fd) {
        SocketAddress a, b;
        _cleanup_close_ int fd4 = -EBADF, fd6 = -EBADF, fdu = -EBADF, fdn = -EBADF, fdm = -EBADF;
        socklen_t l;
        char path[64];

        /* Let the kernel pick a port, then describe that port. */
        ASSERT_OK(socket_address_parse(&a, "127.0.0.1:1"));
        a.sockaddr.in.sin_port = 0;
        fd4 = bound_socket(&a, 0);
        l = sizeof(a.sockaddr);
        ASSERT_OK(RET_NERRNO(getsockname(fd4, &a.sockaddr.sa, &l)));
        ASSERT_EQ(socket_address_matches_fd(&a, fd4), 1);
        b = a;
        b.type = SOCK_DGRAM;
        ASSERT_EQ(socket_address_matches_fd(&b, fd4), 0);
        b = a;
        b.sockaddr.in.sin_port = htons(ntohs(a.sockaddr.in.sin_port) + 1);
        ASSERT_EQ(socket_address_matches_fd(&b, fd4), 0);
        b = a;
        b.protocol = IPPROTO_MPTCP; /* SO_PROTOCOL is 6: no match */
        ASSERT_EQ(socket_address_matches_fd(&b, fd4), 0);

        ASSERT_OK(socket_address_parse(&a, "[::1]:1"));
        a.sockaddr.in6.sin6_port = 0;
        fd6 = bound_socket(&a, 0);
        l = sizeof(a.sockaddr);
        ASSERT_OK(RET_NERRNO(getsockname(fd6, &a.sockaddr.sa, &l)));
        ASSERT_EQ(socket_address_matches_fd(&a, fd6), 1);
        ASSERT_EQ(socket_address_matches_fd(&a, fd4), 0);

        /* An MPTCP socket matches a protocol-aware address. */
        fdm = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
        if (fdm >= 0) {
                b = a;
                b.sockaddr.in6.sin6_port = 0;
                ASSERT_OK(RET_NERRNO(bind(fdm, &b.sockaddr.sa, b.size)));
                l = sizeof(b.sockaddr);
                ASSERT_OK(RET_NERRNO(getsockname(fdm, &b.sockaddr.sa, &l)));
                b.protocol = IPPROTO_MPTCP;
                ASSERT_EQ(socket_address_matches_fd(&b, fdm), 1);
        } else
                fprintf(stderr, "SKIP: MPTCP socket for matches_fd: %s\n", strerror(errno));

        snprintf(path, sizeof(path), "@porter-test-matches-%d", (int) getpid());
        ASSERT_OK(socket_address_parse(&a, path));
        fdu = bound_socket(&a, 0);
        ASSERT_EQ(socket_address_matches_fd(&a, fdu), 1);
        path[strlen(path) - 1] = 'X';
        ASSERT_OK(socket_address_parse(&b, path));
        ASSERT_EQ(socket_address_matches_fd(&b, fdu), 0);

        ASSERT_OK(socket_address_parse_netlink(&a, "route 0"));
        fdn = bound_socket(&a, NETLINK_ROUTE);
        ASSERT_EQ(socket_address_matches_fd(&a, fdn), 1);
        ASSERT_OK(socket_address_parse_netlink(&b, "audit 0"));
        ASSERT_EQ(socket_address_matches_fd(&b, fdn), 0);

        ASSERT_ERROR(socket_address_matches_fd(&a, -1), EBADF);
        _cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT_OK(null);
        ASSERT_ERROR(socket_address_matches_fd(&a, null), ENOTSOCK);
}

TEST(protocol_parse) {
        ASSERT_EQ(parse_socket_protocol("mptcp"), IPPROTO_MPTCP);
        ASSERT_EQ(parse_socket_protocol("MPTCP"), IPPROTO_MPTCP);
        ASSERT_EQ(parse_socket_protocol("Mptcp"), IPPROTO_MPTCP);
        ASSERT_EQ(parse_socket_protocol("262"), IPPROTO_MPTCP);
        ASSERT_EQ(parse_socket_protocol("sctp"), IPPROTO_SCTP);
        ASSERT_EQ(parse_socket_protocol("132"), IPPROTO_SCTP);
        ASSERT_EQ(parse_socket_protocol("UDPLite"), IPPROTO_UDPLITE);
        ASSERT_EQ(parse_socket_protocol("136"), IPPROTO_UDPLITE);

        ASSERT_ERROR(parse_socket_protocol(""), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol("tcp"), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol("udp"), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol("6"), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol("0"), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol("0x106"), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol(" mptcp"), EPROTONOSUPPORT);
        ASSERT_ERROR(parse_socket_protocol(NULL), EPROTONOSUPPORT);

        ASSERT_STREQ(socket_protocol_to_string(IPPROTO_MPTCP), "mptcp");
        ASSERT_STREQ(socket_protocol_to_string(IPPROTO_SCTP), "sctp");
        ASSERT_STREQ(socket_protocol_to_string(IPPROTO_UDPLITE), "udplite");
        ASSERT_NULL(socket_protocol_to_string(0));
}

TEST(protocol_for_type) {
        /* Spec §3 table, row by row. */
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_SCTP, SOCK_STREAM), IPPROTO_SCTP);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_MPTCP, SOCK_STREAM), IPPROTO_MPTCP);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_UDPLITE, SOCK_STREAM), 0);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_SCTP, SOCK_SEQPACKET), IPPROTO_SCTP);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_MPTCP, SOCK_SEQPACKET), 0);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_UDPLITE, SOCK_SEQPACKET), 0);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_SCTP, SOCK_DGRAM), 0);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_MPTCP, SOCK_DGRAM), 0);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_UDPLITE, SOCK_DGRAM), IPPROTO_UDPLITE);
        ASSERT_EQ(socket_protocol_for_type(IPPROTO_MPTCP, SOCK_RAW), 0);
        ASSERT_EQ(socket_protocol_for_type(0, SOCK_STREAM), 0);

        ASSERT_TRUE(socket_protocol_fits(IPPROTO_MPTCP, AF_INET, SOCK_STREAM));
        ASSERT_TRUE(socket_protocol_fits(IPPROTO_MPTCP, AF_INET6, SOCK_STREAM));
        ASSERT_FALSE(socket_protocol_fits(IPPROTO_MPTCP, AF_UNIX, SOCK_STREAM));
        ASSERT_FALSE(socket_protocol_fits(IPPROTO_MPTCP, AF_VSOCK, SOCK_STREAM));
        ASSERT_FALSE(socket_protocol_fits(IPPROTO_SCTP, AF_UNIX, SOCK_SEQPACKET));
        ASSERT_TRUE(socket_protocol_fits(IPPROTO_UDPLITE, AF_INET, SOCK_DGRAM));
        ASSERT_FALSE(socket_protocol_fits(IPPROTO_UDPLITE, AF_INET, SOCK_STREAM));
        ASSERT_TRUE(socket_protocol_fits(0, AF_UNIX, SOCK_STREAM));
}

RUN_TESTS();
