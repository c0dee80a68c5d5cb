/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "socket-util.h"
#include "tests.h"

TEST(sockaddr_un_set_path) {
        struct sockaddr_un un;
        char path[120];

        ASSERT_EQ(sockaddr_un_set_path(&un, "/run/a"), offsetof(struct sockaddr_un, sun_path) + 7);
        ASSERT_EQ(un.sun_family, AF_UNIX);
        ASSERT_STREQ(un.sun_path, "/run/a");
        ASSERT_EQ(sockaddr_un_set_path(&un, "@abc"), offsetof(struct sockaddr_un, sun_path) + 4);
        ASSERT_EQ(un.sun_path[0], '\0');
        ASSERT_EQ(memcmp(un.sun_path + 1, "abc", 3), 0);

        memset(path, 'p', sizeof(path));
        path[0] = '/';
        path[107] = '\0';
        ASSERT_OK(sockaddr_un_set_path(&un, path));
        path[107] = 'p';
        path[108] = '\0';
        ASSERT_ERROR(sockaddr_un_set_path(&un, path), ENAMETOOLONG);
        ASSERT_ERROR(sockaddr_un_set_path(&un, ""), EINVAL);
        ASSERT_ERROR(sockaddr_un_set_path(&un, "@"), EINVAL);
}

static void check_pretty(const union sockaddr_union *u, socklen_t l, bool translate, const char *expected) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(sockaddr_pretty(&u->sa, l, translate, &s));
        ASSERT_STREQ(s, expected);
}

TEST(sockaddr_pretty) {
        union sockaddr_union u = {};
        _cleanup_free_ char *s = NULL;
        int l;

        u.in.sin_family = AF_INET;
        u.in.sin_port = htons(80);
        ASSERT_EQ(inet_pton(AF_INET, "192.0.2.1", &u.in.sin_addr), 1);
        check_pretty(&u, sizeof(u.in), false, "192.0.2.1:80");
        ASSERT_ERROR(sockaddr_pretty(&u.sa, sizeof(u.in) - 1, false, &s), EINVAL);

        u = (union sockaddr_union) {};
        u.in6.sin6_family = AF_INET6;
        u.in6.sin6_port = htons(443);
        ASSERT_EQ(inet_pton(AF_INET6, "::ffff:192.0.2.7", &u.in6.sin6_addr), 1);
        check_pretty(&u, sizeof(u.in6), false, "[::ffff:192.0.2.7]:443");
        check_pretty(&u, sizeof(u.in6), true, "192.0.2.7:443");
        ASSERT_EQ(inet_pton(AF_INET6, "fe80::1", &u.in6.sin6_addr), 1);
        u.in6.sin6_scope_id = 3;
        check_pretty(&u, sizeof(u.in6), true, "[fe80::1]:443%3");

        u = (union sockaddr_union) {};
        l = sockaddr_un_set_path(&u.un, "/run/x.sk");
        check_pretty(&u, (socklen_t) l, false, "/run/x.sk");
        l = sockaddr_un_set_path(&u.un, "@bad\nname");
        check_pretty(&u, (socklen_t) l, false, "@bad\\x0aname"); /* no control bytes in logs */
        check_pretty(&u, offsetof(struct sockaddr_un, sun_path), false, "<unnamed>");

        u = (union sockaddr_union) {};
        u.vm.svm_family = AF_VSOCK;
        u.vm.svm_cid = VMADDR_CID_ANY;
        u.vm.svm_port = 7;
        check_pretty(&u, sizeof(u.vm), false, "vsock::7");
        u.vm.svm_cid = 3;
        check_pretty(&u, sizeof(u.vm), false, "vsock:3:7");

        u = (union sockaddr_union) {};
        u.sa.sa_family = AF_PACKET;
        ASSERT_ERROR(sockaddr_pretty(&u.sa, sizeof(u), false, &s), EAFNOSUPPORT);
}

/* Each family-aware helper sets the option the family calls for: read it
 * back at that level. */
static void check_ip_helpers(int family) {
        _cleanup_close_ int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int v;

        ASSERT_OK(fd);
        ASSERT_EQ(socket_get_family(fd), family);

        ASSERT_OK(socket_set_ttl(fd, AF_UNSPEC, 17));
        if (family == AF_INET)
                ASSERT_OK(getsockopt_int(fd, IPPROTO_IP, IP_TTL, &v));
        else
                ASSERT_OK(getsockopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v));
        ASSERT_EQ(v, 17);

        ASSERT_OK(socket_set_freebind(fd, family, true));
        ASSERT_OK(getsockopt_int(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
                                 family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND, &v));
        ASSERT_EQ(v, 1);

        ASSERT_OK(socket_set_recvpktinfo(fd, family, true));
        ASSERT_OK(getsockopt_int(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
                                 family == AF_INET ? IP_PKTINFO : IPV6_RECVPKTINFO, &v));
        ASSERT_EQ(v, 1);

        /* IP_TOS: an IPv4 option, accepted on IPv6 sockets too. */
        ASSERT_OK(socket_set_tos(fd, family, 0x10));
        ASSERT_OK(getsockopt_int(fd, IPPROTO_IP, IP_TOS, &v));
        ASSERT_EQ(v, 0x10);

        /* Transparent needs CAP_NET_ADMIN (or CAP_NET_RAW). */
        int r = socket_set_transparent(fd, family, true);
        if (r == -EPERM)
                fprintf(stderr, "SKIP: %s transparent: no CAP_NET_ADMIN\n", family == AF_INET ? "IPv4" : "IPv6");
        else {
                ASSERT_OK(r);
                ASSERT_OK(getsockopt_int(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
                                         family == AF_INET ? IP_TRANSPARENT : IPV6_TRANSPARENT, &v));
                ASSERT_EQ(v, 1);
        }
}

TEST(ip_helpers_ipv4) {
        check_ip_helpers(AF_INET);
}

TEST(ip_helpers_ipv6) {
        check_ip_helpers(AF_INET6);
}

TEST(helpers_other_families) {
        _cleanup_close_ int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int n = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        int v;

        ASSERT_OK(u);
        ASSERT_OK(n);
        ASSERT_ERROR(socket_set_ttl(u, AF_UNSPEC, 3), EAFNOSUPPORT);
        ASSERT_ERROR(socket_set_tos(u, AF_UNIX, 3), EAFNOSUPPORT);
        ASSERT_ERROR(socket_set_freebind(u, AF_UNIX, true), EAFNOSUPPORT);
        ASSERT_ERROR(socket_set_recvpktinfo(u, AF_UNIX, true), EAFNOSUPPORT);
        ASSERT_OK(socket_set_recvpktinfo(n, AF_UNSPEC, true));
        ASSERT_OK(getsockopt_int(n, SOL_NETLINK, NETLINK_PKTINFO, &v));
        ASSERT_EQ(v, 1);
        ASSERT_ERROR(socket_set_ttl(-1, AF_UNSPEC, 3), EBADF);
}

TEST(nodelay) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int v;

        ASSERT_OK(fd);
        ASSERT_OK(socket_set_nodelay(fd, 0, true));
        ASSERT_OK(getsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, &v));
        ASSERT_EQ(v, 1);
        /* SCTP_NODELAY on a TCP socket: the SCTP level is unknown there. */
        ASSERT_TRUE(socket_set_nodelay(fd, IPPROTO_SCTP, true) < 0);
}

/* A listener on loopback with the given protocol, and its address. */
static int listener(int family, int protocol, union sockaddr_union *ret, socklen_t *ret_len) {
        union sockaddr_union u = {};
        socklen_t l;
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, protocol);

        if (fd < 0)
                return -errno;
        if (family == AF_INET) {
                u.in.sin_family = AF_INET;
                u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                l = sizeof(u.in);
        } else {
                u.in6.sin6_family = AF_INET6;
                u.in6.sin6_addr = in6addr_loopback;
                l = sizeof(u.in6);
        }
        ASSERT_OK(RET_NERRNO(bind(fd, &u.sa, l)));
        ASSERT_OK(RET_NERRNO(listen(fd, 8)));
        ASSERT_OK(RET_NERRNO(getsockname(fd, &u.sa, &l)));
        *ret = u;
        *ret_len = l;
        return fd;
}

/* Connect a client with client_protocol to a listener with listen_protocol
 * and check socket_mptcp_status() on both ends. */
static void check_mptcp_pair(int family, int listen_protocol, int client_protocol,
                             SocketMptcpStatus want_client, SocketMptcpStatus want_server) {
        _cleanup_close_ int l = -EBADF, c = -EBADF, a = -EBADF;
        union sockaddr_union u = {};
        socklen_t len = 0;

        l = listener(family, listen_protocol, &u, &len);
        ASSERT_OK(l);
        c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, client_protocol);
        ASSERT_OK(c);
        ASSERT_OK(RET_NERRNO(connect(c, &u.sa, len)));
        a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_OK(a);

        ASSERT_EQ(socket_mptcp_status(c), want_client);
        ASSERT_EQ(socket_mptcp_status_accepted(a, listen_protocol), want_server);

        /* The pre-5.16 test (MPTCP_INFO errors) must agree wherever it
         * applies: on sockets created as MPTCP. */
        if (client_protocol == IPPROTO_MPTCP)
                ASSERT_EQ(socket_mptcp_status_from_info(c), want_client);
        if (want_server == SOCKET_MPTCP)
                ASSERT_EQ(socket_mptcp_status_from_info(a), SOCKET_MPTCP);
        fprintf(stderr, "  family %d listener %d client %d: client %s, server %s\n", family,
                listen_protocol, client_protocol, socket_mptcp_status_to_string(want_client),
                socket_mptcp_status_to_string(want_server));
}

TEST(mptcp_status) {
        _cleanup_close_ int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

        if (probe < 0) {
                fprintf(stderr, "SKIP: MPTCP sockets unavailable here: %s\n", strerror(errno));
                return;
        }
        for (int i = 0; i < 2; i++) {
                int family = i == 0 ? AF_INET : AF_INET6;

                check_mptcp_pair(family, IPPROTO_MPTCP, IPPROTO_MPTCP, SOCKET_MPTCP, SOCKET_MPTCP);
                /* Plain client: the server's child is a plain TCP socket, the
                 * fallback of an MPTCP listener. */
                check_mptcp_pair(family, IPPROTO_MPTCP, 0, SOCKET_TCP_PLAIN, SOCKET_TCP_FALLBACK);
                /* MPTCP client to a plain listener: the client fell back. */
                check_mptcp_pair(family, 0, IPPROTO_MPTCP, SOCKET_TCP_FALLBACK, SOCKET_TCP_PLAIN);
                check_mptcp_pair(family, 0, 0, SOCKET_TCP_PLAIN, SOCKET_TCP_PLAIN);
        }
}

TEST(mptcp_status_errors) {
        _cleanup_close_ int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int d = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

        ASSERT_ERROR(socket_mptcp_status(u), EPROTOTYPE);
        ASSERT_ERROR(socket_mptcp_status(d), EPROTOTYPE);
        ASSERT_ERROR(socket_mptcp_status(null), ENOTSOCK);
        ASSERT_ERROR(socket_mptcp_status(-1), EBADF);

        ASSERT_STREQ(socket_mptcp_status_to_string(SOCKET_TCP_PLAIN), "tcp");
        ASSERT_STREQ(socket_mptcp_status_to_string(SOCKET_TCP_FALLBACK), "tcp-fallback");
        ASSERT_STREQ(socket_mptcp_status_to_string(SOCKET_MPTCP), "mptcp");
        ASSERT_NULL(socket_mptcp_status_to_string(_SOCKET_MPTCP_STATUS_INVALID));
        ASSERT_NULL(socket_mptcp_status_to_string(_SOCKET_MPTCP_STATUS_MAX));
}

TEST(sockaddr_ip_string_matches_inet_ntop) {
        static const uint8_t octets[] = { 0, 1, 9, 10, 42, 99, 100, 127, 199, 200, 250, 255 };
        char buf[INET6_ADDRSTRLEN], want[INET_ADDRSTRLEN];
        unsigned port;

        for (size_t i = 0; i < ELEMENTSOF(octets); i++)
                for (size_t j = 0; j < ELEMENTSOF(octets); j++) {
                        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(8080) };
                        uint8_t a[4] = { octets[i], octets[j], octets[(i + j) % ELEMENTSOF(octets)], octets[j] };
                        memcpy(&in.sin_addr, a, 4);
                        ASSERT_OK(sockaddr_ip_string((struct sockaddr *) &in, sizeof in, buf, sizeof buf, &port));
                        ASSERT_NOT_NULL(inet_ntop(AF_INET, a, want, sizeof want));
                        ASSERT_STREQ(buf, want);
                        ASSERT_EQ(port, 8080u);
                }

        /* v4-mapped IPv6 shows as IPv4; a short buffer is refused. */
        struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(1) };
        ASSERT_EQ(inet_pton(AF_INET6, "::ffff:255.255.255.255", &in6.sin6_addr), 1);
        ASSERT_OK(sockaddr_ip_string((struct sockaddr *) &in6, sizeof in6, buf, sizeof buf, &port));
        ASSERT_STREQ(buf, "255.255.255.255");
        ASSERT_ERROR(sockaddr_ip_string((struct sockaddr *) &in6, sizeof in6, buf, 15, &port), ENOSPC);
        ASSERT_OK(sockaddr_ip_string((struct sockaddr *) &in6, sizeof in6, buf, 16, &port));
}

RUN_TESTS();
