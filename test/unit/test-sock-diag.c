/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "fd-util.h"
#include "missing_network.h"
#include "sock-diag.h"
#include "tests.h"

TEST(build_request_tcp) {
        uint64_t buf[64];
        SockDiagListener l = { .family = AF_INET6, .port = 5201 };

        ssize_t n = sock_diag_build_request(buf, sizeof(buf), &l, IPPROTO_TCP, 7);
        ASSERT_EQ(n, NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)));
        const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
        ASSERT_EQ(h->nlmsg_len, n);
        ASSERT_EQ(h->nlmsg_type, SOCK_DIAG_BY_FAMILY);
        ASSERT_EQ(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
        ASSERT_EQ(h->nlmsg_seq, 7);
        const struct inet_diag_req_v2 *req = NLMSG_DATA(h);
        ASSERT_EQ(req->sdiag_family, AF_INET6);
        ASSERT_EQ(req->sdiag_protocol, IPPROTO_TCP);
        ASSERT_EQ(req->idiag_ext, 1 << (INET_DIAG_INFO - 1));
        ASSERT_EQ(req->idiag_states, (1 << 1) | (1 << 8)); /* TCP_ESTABLISHED, TCP_CLOSE_WAIT */
        ASSERT_EQ(ntohs(req->id.idiag_sport), 5201);
        ASSERT_EQ(req->id.idiag_dport, 0);
}

TEST(build_request_mptcp) {
        uint64_t buf[64];
        SockDiagListener l = { .family = AF_INET, .port = 80 };

        ssize_t n = sock_diag_build_request(buf, sizeof(buf), &l, IPPROTO_MPTCP, 9);
        size_t base = NLMSG_LENGTH(sizeof(struct inet_diag_req_v2));
        ASSERT_EQ(n, base + NLA_HDRLEN + 4);
        const struct inet_diag_req_v2 *req = NLMSG_DATA((const struct nlmsghdr *) buf);
        ASSERT_EQ(req->sdiag_family, AF_INET);
        ASSERT_EQ(req->sdiag_protocol, 262 & 0xff);
        const struct nlattr *a = (const struct nlattr *) ((const uint8_t *) buf + base);
        ASSERT_EQ(a->nla_type, INET_DIAG_REQ_PROTOCOL);
        ASSERT_EQ(a->nla_len, NLA_HDRLEN + 4);
        uint32_t p;
        memcpy(&p, (const uint8_t *) a + NLA_HDRLEN, 4);
        ASSERT_EQ(p, 262);

        ASSERT_ERROR(sock_diag_build_request(buf, (size_t) n - 1, &l, IPPROTO_MPTCP, 9), ENOBUFS);
        ASSERT_ERROR(sock_diag_build_request(buf, sizeof(buf), NULL, IPPROTO_TCP, 9), ENOBUFS);
}

/* A reply datagram under construction. */
typedef struct Reply {
        uint64_t buf[1024];
        size_t len;
} Reply;

static uint8_t *reply_put(Reply *r, size_t n) {
        uint8_t *p = (uint8_t *) r->buf + r->len;
        ASSERT_TRUE(r->len + NLMSG_ALIGN(n) <= sizeof(r->buf));
        memset(p, 0, NLMSG_ALIGN(n));
        r->len += NLMSG_ALIGN(n);
        return p;
}

static struct nlmsghdr *reply_begin(Reply *r, uint16_t type, uint32_t seq) {
        struct nlmsghdr *h = (struct nlmsghdr *) reply_put(r, NLMSG_HDRLEN);
        *h = (struct nlmsghdr) { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = type, .nlmsg_seq = seq,
                                 .nlmsg_flags = NLM_F_MULTI };
        return h;
}

static void reply_add(Reply *r, struct nlmsghdr *h, const void *data, size_t n) {
        memcpy(reply_put(r, n), data, n);
        h->nlmsg_len = (uint32_t) ((uint8_t *) r->buf + r->len - (uint8_t *) h);
}

static void reply_attr(Reply *r, struct nlmsghdr *h, uint16_t type, const void *data, size_t n) {
        struct nlattr a = { .nla_len = (uint16_t) (NLA_HDRLEN + n), .nla_type = type };
        reply_add(r, h, &a, sizeof(a));
        if (n > 0)
                reply_add(r, h, data, n);
}

/* One inet_diag_msg for a socket on addr:port of family. */
static struct nlmsghdr *reply_socket(Reply *r, uint32_t seq, int family, const char *addr, uint16_t port) {
        struct nlmsghdr *h = reply_begin(r, SOCK_DIAG_BY_FAMILY, seq);
        struct inet_diag_msg m = { .idiag_family = (uint8_t) family, .idiag_state = 1 };
        m.id.idiag_sport = htons(port);
        m.id.idiag_dport = htons(40000);
        ASSERT_EQ(inet_pton(family, addr, m.id.idiag_src), 1);
        reply_add(r, h, &m, sizeof(m));
        return h;
}

/* A TCP subflow of an MPTCP connection: INET_DIAG_ULP_INFO { NAME "mptcp" }. */
static void reply_ulp(Reply *r, struct nlmsghdr *h, const char *name) {
        uint8_t nested[64] = {};
        size_t l = strlen(name) + 1;
        struct nlattr n = { .nla_len = (uint16_t) (NLA_HDRLEN + l), .nla_type = INET_ULP_INFO_NAME };
        memcpy(nested, &n, sizeof(n));
        memcpy(nested + NLA_HDRLEN, name, l);
        reply_attr(r, h, INET_DIAG_ULP_INFO | NLA_F_NESTED, nested, NLA_ALIGN(NLA_HDRLEN + l));
}

static void reply_mptcp_info(Reply *r, struct nlmsghdr *h, uint32_t flags) {
        struct mptcp_info mi = { .mptcpi_flags = flags, .mptcpi_subflows = 1 };
        reply_attr(r, h, INET_DIAG_INFO, &mi, sizeof(mi));
}

TEST(parse_tcp) {
        Reply r = {};
        SockDiagListener l = { .family = AF_INET6, .port = 5201 }; /* [::]:5201 */
        SockDiagMptcpCounts c = {};

        reply_socket(&r, 2, AF_INET6, "::ffff:127.0.0.1", 5201);            /* plain TCP: fallback */
        struct nlmsghdr *h = reply_socket(&r, 2, AF_INET6, "::1", 5201);    /* a subflow: skipped */
        reply_attr(&r, h, INET_DIAG_INFO, "\0\0\0\0\0\0\0\0", 8);
        reply_ulp(&r, h, "mptcp");
        h = reply_socket(&r, 2, AF_INET6, "::1", 5201);                     /* another ULP: counted */
        reply_ulp(&r, h, "tls");
        reply_socket(&r, 2, AF_INET6, "::1", 5202);                         /* another port */
        reply_socket(&r, 2, AF_INET, "127.0.0.1", 5201);                    /* another family */
        reply_socket(&r, 3, AF_INET6, "::1", 5201);                         /* another request */
        ASSERT_EQ(sock_diag_parse_reply(r.buf, r.len, 2, &l, IPPROTO_TCP, &c), 0);
        ASSERT_EQ(c.mptcp, 0);
        ASSERT_EQ(c.fallback, 2);

        reply_begin(&r, NLMSG_DONE, 2);
        c = (SockDiagMptcpCounts) {};
        ASSERT_EQ(sock_diag_parse_reply(r.buf, r.len, 2, &l, IPPROTO_TCP, &c), 1);
        ASSERT_EQ(c.fallback, 2);
}

TEST(parse_bound_address) {
        Reply r = {};
        SockDiagListener l = { .family = AF_INET, .port = 80 };
        SockDiagMptcpCounts c = {};

        ASSERT_EQ(inet_pton(AF_INET, "10.0.0.1", l.addr), 1);
        reply_socket(&r, 1, AF_INET, "10.0.0.1", 80);
        reply_socket(&r, 1, AF_INET, "10.0.0.2", 80); /* the same port on another address */
        ASSERT_EQ(sock_diag_parse_reply(r.buf, r.len, 1, &l, IPPROTO_TCP, &c), 0);
        ASSERT_EQ(c.fallback, 1);
}

TEST(parse_mptcp) {
        Reply r = {};
        SockDiagListener l = { .family = AF_INET, .port = 80 };
        SockDiagMptcpCounts c = {};

        struct nlmsghdr *h = reply_socket(&r, 1, AF_INET, "127.0.0.1", 80);
        reply_mptcp_info(&r, h, MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED);
        h = reply_socket(&r, 1, AF_INET, "127.0.0.1", 80);
        reply_mptcp_info(&r, h, MPTCP_INFO_FLAG_FALLBACK);
        reply_socket(&r, 1, AF_INET, "127.0.0.1", 80);  /* no INET_DIAG_INFO: MPTCP */
        reply_socket(&r, 1, AF_INET, "127.0.0.1", 81);
        reply_begin(&r, NLMSG_DONE, 1);
        ASSERT_EQ(sock_diag_parse_reply(r.buf, r.len, 1, &l, IPPROTO_MPTCP, &c), 1);
        ASSERT_EQ(c.mptcp, 2);
        ASSERT_EQ(c.fallback, 1);
}

TEST(parse_errors) {
        Reply r = {};
        SockDiagListener l = { .family = AF_INET, .port = 80 };
        SockDiagMptcpCounts c = {};

        struct nlmsghdr *h = reply_begin(&r, NLMSG_ERROR, 5);
        struct nlmsgerr e = { .error = -ENOENT };
        reply_add(&r, h, &e, sizeof(e));
        ASSERT_ERROR(sock_diag_parse_reply(r.buf, r.len, 5, &l, IPPROTO_MPTCP, &c), ENOENT);
        /* An error answering another request is not ours. */
        ASSERT_EQ(sock_diag_parse_reply(r.buf, r.len, 6, &l, IPPROTO_MPTCP, &c), 0);

        /* Truncated: a header longer than the datagram, a short diag message. */
        r = (Reply) {};
        h = reply_socket(&r, 1, AF_INET, "127.0.0.1", 80);
        ASSERT_ERROR(sock_diag_parse_reply(r.buf, r.len - 4, 1, &l, IPPROTO_TCP, &c), EBADMSG);
        h->nlmsg_len = NLMSG_HDRLEN + 8;
        ASSERT_ERROR(sock_diag_parse_reply(r.buf, r.len, 1, &l, IPPROTO_TCP, &c), EBADMSG);
        ASSERT_ERROR(sock_diag_parse_reply(r.buf, 3, 1, &l, IPPROTO_TCP, &c), EBADMSG);

        /* An attribute running past its message is ignored, not followed. */
        r = (Reply) {};
        h = reply_socket(&r, 1, AF_INET, "127.0.0.1", 80);
        struct nlattr bad = { .nla_len = 200, .nla_type = INET_DIAG_ULP_INFO };
        reply_add(&r, h, &bad, sizeof(bad));
        c = (SockDiagMptcpCounts) {};
        ASSERT_EQ(sock_diag_parse_reply(r.buf, r.len, 1, &l, IPPROTO_TCP, &c), 0);
        ASSERT_EQ(c.fallback, 1);
}

TEST(listener_from_fd) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        SockDiagListener l;

        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(bind(fd, (struct sockaddr *) &a, sizeof(a)));
        ASSERT_OK(sock_diag_listener_from_fd(fd, &l));
        ASSERT_EQ(l.family, AF_INET);
        ASSERT_TRUE(l.port > 0);
        ASSERT_EQ(memcmp(l.addr, &a.sin_addr, 4), 0);

        _cleanup_close_ int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_ERROR(sock_diag_listener_from_fd(u, &l), EAFNOSUPPORT);
        ASSERT_ERROR(sock_diag_listener_from_fd(-1, &l), EBADF);
}

static int connect_to(int protocol, uint16_t port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                 .sin_port = htons(port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, protocol);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(connect(fd, (struct sockaddr *) &a, sizeof(a)));
        return fd;
}

/* The real kernel: an MPTCP listener on the wildcard address, one MPTCP and
 * one plain TCP client; a second listener's connection is not counted. */
TEST(count_real) {
        _cleanup_close_ int lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
        if (lfd < 0) {
                printf("SKIP count_real: no MPTCP in this kernel (%s)\n", strerror(errno));
                return;
        }
        _cleanup_close_ int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
        struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
        struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        ASSERT_OK(bind(lfd, (struct sockaddr *) &any, sizeof(any)));
        ASSERT_OK(listen(lfd, 8));
        ASSERT_OK(bind(other, (struct sockaddr *) &lo, sizeof(lo)));
        ASSERT_OK(listen(other, 8));

        SockDiagListener l, lo_l;
        ASSERT_OK(sock_diag_listener_from_fd(lfd, &l));
        ASSERT_OK(sock_diag_listener_from_fd(other, &lo_l));

        SockDiagMptcpCounts c = { 99, 99 };
        int r = sock_diag_mptcp_count(&l, &c);
        if (r == -EOPNOTSUPP) {
                printf("SKIP count_real: the kernel cannot list MPTCP sockets (no mptcp_diag)\n");
                return;
        }
        ASSERT_OK(r);
        ASSERT_EQ(c.mptcp, 0);
        ASSERT_EQ(c.fallback, 0);

        _cleanup_close_ int m = connect_to(IPPROTO_MPTCP, l.port);
        _cleanup_close_ int t = connect_to(IPPROTO_TCP, l.port);
        _cleanup_close_ int o = connect_to(IPPROTO_MPTCP, lo_l.port);
        ASSERT_TRUE(o >= 0);
        /* Not yet accepted: the connections wait in the backlog, and count. */
        ASSERT_OK(sock_diag_mptcp_count(&l, &c));
        ASSERT_EQ(c.mptcp, 1);
        ASSERT_EQ(c.fallback, 1);

        _cleanup_close_ int a1 = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        _cleanup_close_ int a2 = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_TRUE(a1 >= 0 && a2 >= 0);
        ASSERT_OK(sock_diag_mptcp_count(&l, &c));
        ASSERT_EQ(c.mptcp, 1);
        ASSERT_EQ(c.fallback, 1);
        ASSERT_OK(sock_diag_mptcp_count(&lo_l, &c));
        ASSERT_EQ(c.mptcp, 1);
        ASSERT_EQ(c.fallback, 0);

        /* Closed on both ends: gone (TIME_WAIT and FIN states do not count). */
        m = safe_close(m);
        t = safe_close(t);
        a1 = safe_close(a1);
        a2 = safe_close(a2);
        /* The MPTCP socket may close from a kernel worker: allow it 1 s. */
        for (int i = 0; i < 100; i++) {
                ASSERT_OK(sock_diag_mptcp_count(&l, &c));
                if (c.mptcp + c.fallback == 0)
                        break;
                usleep(10000);
        }
        ASSERT_EQ(c.mptcp + c.fallback, 0);
}

RUN_TESTS()
