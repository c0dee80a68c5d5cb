/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "socket-options.h"
#include "socket-util.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

/* Collects post-listen warnings: "Option=:errno;" for each. */
typedef struct Warnings {
        char text[1024];
        unsigned n;
} Warnings;

static void collect(void *userdata, const char *option, int error) {
        Warnings *w = userdata;
        size_t l = strlen(w->text);

        snprintf(w->text + l, sizeof(w->text) - l, "%s%d;", option, -error);
        w->n++;
}

static int get_int(int fd, int level, int opt) {
        int v = -12345;
        ASSERT_OK(getsockopt_int(fd, level, opt, &v));
        return v;
}

TEST(defaults) {
        SocketOptions o;

        socket_options_init(&o);
        ASSERT_EQ(o.backlog, (unsigned) INT_MAX);
        ASSERT_EQ(o.socket_mode, 0666);
        ASSERT_EQ(o.directory_mode, 0755);
        ASSERT_TRUE(o.accept_fds);
        ASSERT_EQ(o.priority, -1);
        ASSERT_EQ(o.ip_tos, -1);
        ASSERT_EQ(o.ip_ttl, -1);
        ASSERT_EQ(o.mark, -1);
        ASSERT_EQ(o.bind_ipv6_only, SOCKET_ADDRESS_DEFAULT);
        ASSERT_EQ(o.timestamping, SOCKET_TIMESTAMPING_OFF);
        ASSERT_EQ(o.socket_protocol, 0);
        ASSERT_FALSE(o.mptcp_strict);
        ASSERT_FALSE(o.keep_alive);
        ASSERT_EQ(o.receive_buffer, 0);
        socket_options_done(&o);
        socket_options_done(NULL);
}

static void check_prebind(int family) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *warning = NULL;
        int lvl = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;

        ASSERT_OK(fd);
        socket_options_init(&o);
        o.reuse_port = o.free_bind = true;
        o.bind_ipv6_only = SOCKET_ADDRESS_IPV6_ONLY;
        ASSERT_OK(socket_options_apply_prebind(&o, fd, family, &warning));
        ASSERT_NULL(warning);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_REUSEPORT), 1);
        ASSERT_EQ(get_int(fd, lvl, family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND), 1);
        if (family == AF_INET6)
                ASSERT_EQ(get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
        socket_options_done(&o);
}

TEST(prebind_ipv4) {
        check_prebind(AF_INET);
}

TEST(prebind_ipv6) {
        check_prebind(AF_INET6);
}

TEST(prebind_v6only_both) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ASSERT_OK(fd);
        socket_options_init(&o);
        ASSERT_OK(setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
        o.bind_ipv6_only = SOCKET_ADDRESS_BOTH;
        ASSERT_OK(socket_options_apply_prebind(&o, fd, AF_INET6, NULL));
        ASSERT_EQ(get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
}

TEST(prebind_unix_only_reuseaddr) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *warning = NULL;

        ASSERT_OK(fd);
        socket_options_init(&o);
        /* INET-only options are skipped on AF_UNIX, no warning. */
        o.reuse_port = o.free_bind = o.transparent = true;
        o.bind_to_device = strdup("lo");
        ASSERT_OK(socket_options_apply_prebind(&o, fd, AF_UNIX, &warning));
        ASSERT_NULL(warning);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_REUSEPORT), 0);
        socket_options_done(&o);
        ASSERT_NULL(o.bind_to_device);
}

TEST(prebind_warnings_are_not_fatal) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *warning = NULL;

        /* Claim AF_INET for a unix socket: the IP-level options fail, which
         * must only warn, and SO_REUSEADDR is still set afterwards. */
        ASSERT_OK(fd);
        socket_options_init(&o);
        o.free_bind = o.transparent = true;
        ASSERT_OK(socket_options_apply_prebind(&o, fd, AF_INET, &warning));
        ASSERT_NOT_NULL(warning);
        ASSERT_NOT_NULL(strstr(warning, "FreeBind=: "));
        ASSERT_NOT_NULL(strstr(warning, "; Transparent=: "));
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
        fprintf(stderr, "  warning text: %s\n", warning);
}

TEST(prebind_v6only_failure_is_fatal) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *warning = NULL;
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

        /* IPV6_V6ONLY cannot change once bound (EINVAL): BindIPv6Only= is
         * fatal, so nothing after it runs (SO_REUSEADDR stays 0). */
        ASSERT_OK(fd);
        ASSERT_OK(RET_NERRNO(bind(fd, (struct sockaddr *) &sa, sizeof(sa))));
        socket_options_init(&o);
        o.bind_ipv6_only = SOCKET_ADDRESS_IPV6_ONLY;
        ASSERT_ERROR(socket_options_apply_prebind(&o, fd, AF_INET6, &warning), EINVAL);
        ASSERT_NOT_NULL(strstr(warning, "BindIPv6Only="));
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 0);
}

TEST(prebind_bind_to_device) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int fd2 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *warning = NULL;
        char dev[IFNAMSIZ] = {};
        socklen_t l = sizeof(dev);

        ASSERT_OK(fd);
        socket_options_init(&o);
        o.bind_to_device = strdup("lo");
        ASSERT_OK(socket_options_apply_prebind(&o, fd, AF_INET, &warning));
        ASSERT_OK(RET_NERRNO(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &l)));
        ASSERT_STREQ(dev, "lo");

        /* A missing device is fatal, and named in the text. */
        free(o.bind_to_device);
        o.bind_to_device = strdup("porter-nodev0");
        ASSERT_ERROR(socket_options_apply_prebind(&o, fd2, AF_INET, &warning), ENODEV);
        ASSERT_NOT_NULL(warning);
        ASSERT_NOT_NULL(strstr(warning, "BindToDevice="));
        socket_options_done(&o);
}

/* Every post-listen option, read back at the level the family calls for. */
static void check_post_listen_inet(int family) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        Warnings w = {};
        int lvl = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
        char cc[32] = {};
        socklen_t l = sizeof(cc);

        ASSERT_OK(fd);
        socket_options_init(&o);
        /* PassCredentials=/PassSecurity= are AF_UNIX/netlink options (Linux
         * 6.x refuses them on INET with EOPNOTSUPP): tested below. */
        o.keep_alive = o.no_delay = o.broadcast = true;
        o.pass_pktinfo = true;
        o.keep_alive_time = 75 * USEC_PER_SEC + 999999; /* whole seconds: 75 */
        o.keep_alive_interval = 9 * USEC_PER_SEC;
        o.keep_alive_cnt = 4;
        o.defer_accept = 3 * USEC_PER_SEC;
        o.priority = 5;
        o.ip_tos = 0x08;
        o.ip_ttl = 33;
        o.mark = 77;
        o.receive_buffer = 65536;
        o.send_buffer = 32768;
        o.timestamping = SOCKET_TIMESTAMPING_NS;
        o.tcp_congestion = strdup("reno");

        ASSERT_STREQ(socket_options_apply_post_listen(&o, fd, family, 0, collect, &w) ? w.text : "", "");
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
        ASSERT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 75);
        ASSERT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), 9);
        ASSERT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
        ASSERT_TRUE(get_int(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT) >= 3); /* kernel rounds to retransmits */
        ASSERT_EQ(get_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_BROADCAST), 1);
        ASSERT_EQ(get_int(fd, lvl, family == AF_INET ? IP_PKTINFO : IPV6_RECVPKTINFO), 1);
        /* IP_TOS is applied after Priority= (systemd's order) and the
         * kernel derives sk_priority from the TOS: 0x08 (throughput) gives
         * TC_PRIO_BULK = 2.  systemd has the same quirk. */
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_PRIORITY), 2);
        ASSERT_EQ(get_int(fd, IPPROTO_IP, IP_TOS), 0x08);
        ASSERT_EQ(get_int(fd, lvl, family == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS), 33);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_MARK), 77);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_RCVBUF), 2 * 65536);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_SNDBUF), 2 * 32768);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_TIMESTAMPNS), 1);
        ASSERT_OK(RET_NERRNO(getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &l)));
        ASSERT_STREQ(cc, "reno");
        socket_options_done(&o);
}

TEST(priority_alone) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        socket_options_init(&o);
        o.priority = 5;
        ASSERT_EQ(socket_options_apply_post_listen(&o, fd, AF_INET, 0, NULL, NULL), 0);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_PRIORITY), 5);
}

TEST(post_listen_ipv4) {
        check_post_listen_inet(AF_INET);
}

TEST(post_listen_ipv6) {
        check_post_listen_inet(AF_INET6);
}

TEST(post_listen_unix_warns_and_continues) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        Warnings w = {};
        int n;

        ASSERT_OK(fd);
        socket_options_init(&o);
        o.keep_alive = true;           /* works on AF_UNIX */
        o.keep_alive_time = USEC_PER_SEC; /* TCP level: fails */
        o.ip_ttl = 3;                  /* no IP level on AF_UNIX: fails */
        o.pass_credentials = true;     /* works, and is applied after the failures */
        o.pass_security = true;
        o.timestamping = SOCKET_TIMESTAMPING_US;

        n = socket_options_apply_post_listen(&o, fd, AF_UNIX, 0, collect, &w);
        ASSERT_EQ(n, 2);
        ASSERT_EQ(w.n, 2);
        ASSERT_NOT_NULL(strstr(w.text, "KeepAliveTimeSec="));
        ASSERT_NOT_NULL(strstr(w.text, "IPTTL=97;")); /* EAFNOSUPPORT */
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_PASSCRED), 1);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_PASSSEC), 1);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_TIMESTAMP), 1);

        /* A NULL callback is allowed; failures are still counted. */
        ASSERT_EQ(socket_options_apply_post_listen(&o, fd, AF_UNIX, 0, NULL, NULL), 2);
}

TEST(accept_fds_no) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        Warnings w = {};

        ASSERT_OK(fd);
        socket_options_init(&o);
        o.accept_fds = false;
        int n = socket_options_apply_post_listen(&o, fd, AF_UNIX, 0, collect, &w);
        if (n == 0)
                ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_PASSRIGHTS), 0);
        else {
                /* Kernels before 6.16 do not know SO_PASSRIGHTS: a warning, as
                 * the spec says, not a failure. */
                ASSERT_NOT_NULL(strstr(w.text, "AcceptFileDescriptors="));
                fprintf(stderr, "SKIP: SO_PASSRIGHTS unknown to this kernel: %s\n", w.text);
        }

        /* PassPIDFD= (Linux 6.5). */
        _cleanup_close_ int fd2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        socket_options_init(&o);
        o.pass_pidfd = true;
        ASSERT_EQ(socket_options_apply_post_listen(&o, fd2, AF_UNIX, 0, NULL, NULL), 0);
        ASSERT_EQ(get_int(fd2, SOL_SOCKET, SO_PASSPIDFD), 1);
}

TEST(buffers_force) {
        SocketOptions o;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        _cleanup_fclose_ FILE *f = fopen("/proc/sys/net/core/rmem_max", "re");
        unsigned long rmem_max = 0;

        ASSERT_OK(fd);
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%lu", &rmem_max), 1);

        /* Ask for 4x the cap: the plain option is silently capped, so the
         * FORCE option must be used (we run as root with CAP_NET_ADMIN). */
        socket_options_init(&o);
        o.receive_buffer = rmem_max * 4;
        if (o.receive_buffer > INT_MAX / 2) {
                fprintf(stderr, "SKIP: rmem_max %lu too large to exceed\n", rmem_max);
                return;
        }
        int n = socket_options_apply_post_listen(&o, fd, AF_INET, 0, NULL, NULL);
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: SO_RCVBUFFORCE needs CAP_NET_ADMIN\n");
                return;
        }
        ASSERT_EQ(n, 0);
        ASSERT_EQ(get_int(fd, SOL_SOCKET, SO_RCVBUF), (int) (2 * o.receive_buffer));

        /* Out of range for an int: refused with a warning, no overflow. */
        o.receive_buffer = (uint64_t) INT_MAX;
        ASSERT_EQ(socket_options_apply_post_listen(&o, fd, AF_INET, 0, NULL, NULL), 1);
}

TEST(fifo_pipe_size) {
        SocketOptions o;
        int p[2];
        Warnings w = {};

        ASSERT_OK(RET_NERRNO(pipe2(p, O_CLOEXEC)));
        socket_options_init(&o);
        o.pipe_size = 1 << 18;
        ASSERT_EQ(socket_options_apply_fifo(&o, p[0], collect, &w), 0);
        ASSERT_EQ(fcntl(p[0], F_GETPIPE_SZ), 1 << 18);
        o.pipe_size = 1ULL << 40;
        ASSERT_EQ(socket_options_apply_fifo(&o, p[0], collect, &w), 1);
        ASSERT_NOT_NULL(strstr(w.text, "PipeSize="));
        safe_close(p[0]);
        safe_close(p[1]);
}

TEST(string_tables) {
        ASSERT_EQ(socket_address_bind_ipv6_only_from_string("default"), SOCKET_ADDRESS_DEFAULT);
        ASSERT_EQ(socket_address_bind_ipv6_only_from_string("both"), SOCKET_ADDRESS_BOTH);
        ASSERT_EQ(socket_address_bind_ipv6_only_from_string("ipv6-only"), SOCKET_ADDRESS_IPV6_ONLY);
        ASSERT_EQ(socket_address_bind_ipv6_only_from_string("yes"), SOCKET_ADDRESS_IPV6_ONLY);
        ASSERT_EQ(socket_address_bind_ipv6_only_from_string("off"), SOCKET_ADDRESS_BOTH);
        ASSERT_ERROR(socket_address_bind_ipv6_only_from_string("ipv4"), EINVAL);
        ASSERT_STREQ(socket_address_bind_ipv6_only_to_string(SOCKET_ADDRESS_IPV6_ONLY), "ipv6-only");
        ASSERT_NULL(socket_address_bind_ipv6_only_to_string(_SOCKET_ADDRESS_BIND_IPV6_ONLY_MAX));

        ASSERT_EQ(socket_timestamping_from_string("off"), SOCKET_TIMESTAMPING_OFF);
        ASSERT_EQ(socket_timestamping_from_string("usec"), SOCKET_TIMESTAMPING_US);
        ASSERT_EQ(socket_timestamping_from_string("µs"), SOCKET_TIMESTAMPING_US);
        ASSERT_EQ(socket_timestamping_from_string("μs"), SOCKET_TIMESTAMPING_US);
        ASSERT_EQ(socket_timestamping_from_string("nsec"), SOCKET_TIMESTAMPING_NS);
        ASSERT_EQ(socket_timestamping_from_string("yes"), SOCKET_TIMESTAMPING_NS);
        ASSERT_EQ(socket_timestamping_from_string("no"), SOCKET_TIMESTAMPING_OFF);
        ASSERT_ERROR(socket_timestamping_from_string("ms"), EINVAL);
        ASSERT_STREQ(socket_timestamping_to_string(SOCKET_TIMESTAMPING_US), "us");
}

RUN_TESTS();
