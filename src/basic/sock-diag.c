/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "fd-util.h"
#include "missing_network.h"
#include "sock-diag.h"
#include "socket-util.h"

int sock_diag_listener_from_fd(int fd, SockDiagListener *ret) {
        union sockaddr_union sa = {};
        socklen_t len = sizeof(sa);

        if (!ret)
                return -EINVAL;
        if (getsockname(fd, &sa.sa, &len) < 0)
                return -errno;

        SockDiagListener l = { .family = sa.sa.sa_family };
        if (sa.sa.sa_family == AF_INET && len >= sizeof(sa.in)) {
                memcpy(l.addr, &sa.in.sin_addr, 4);
                l.port = ntohs(sa.in.sin_port);
        } else if (sa.sa.sa_family == AF_INET6 && len >= sizeof(sa.in6)) {
                memcpy(l.addr, &sa.in6.sin6_addr, 16);
                l.port = ntohs(sa.in6.sin6_port);
        } else
                return -EAFNOSUPPORT;
        *ret = l;
        return 0;
}

ssize_t sock_diag_build_request(void *buf, size_t size, const SockDiagListener *l, int protocol, uint32_t seq) {
        bool mptcp = protocol == IPPROTO_MPTCP;
        size_t attr = mptcp ? NLA_HDRLEN + NLA_ALIGN(sizeof(uint32_t)) : 0;
        size_t total = NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)) + attr;

        if (!buf || !l || total > size)
                return -ENOBUFS;
        memset(buf, 0, total);

        struct nlmsghdr *h = buf;
        *h = (struct nlmsghdr) {
                .nlmsg_len = (uint32_t) total,
                .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                .nlmsg_seq = seq,
        };
        struct inet_diag_req_v2 *req = NLMSG_DATA(h);
        *req = (struct inet_diag_req_v2) {
                .sdiag_family = (uint8_t) l->family,
                /* 262 & 0xff is 6: the attribute below says what is meant. */
                .sdiag_protocol = (uint8_t) (protocol & 0xff),
                .idiag_ext = 1U << (INET_DIAG_INFO - 1),
                .idiag_states = SOCK_DIAG_STATES,
                /* The kernel filters dumps on the source port already;
                 * the parser checks it again. */
                .id.idiag_sport = htons(l->port),
                .id.idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
        };
        if (mptcp) {
                struct nlattr *a = (struct nlattr *) ((uint8_t *) buf + NLMSG_LENGTH(sizeof(*req)));
                a->nla_len = NLA_HDRLEN + sizeof(uint32_t);
                a->nla_type = INET_DIAG_REQ_PROTOCOL;
                uint32_t p = (uint32_t) protocol;
                memcpy((uint8_t *) a + NLA_HDRLEN, &p, sizeof(p));
        }
        return (ssize_t) total;
}

/* Is this socket on the listener's local address and port? */
static bool sock_diag_matches(const struct inet_diag_msg *m, const SockDiagListener *l) {
        static const uint8_t any[16] = {};
        size_t alen = l->family == AF_INET ? 4 : 16;

        if (m->idiag_family != l->family || ntohs(m->id.idiag_sport) != l->port)
                return false;
        return memcmp(l->addr, any, alen) == 0 || memcmp(l->addr, m->id.idiag_src, alen) == 0;
}

/* The attribute of type `type` among the attributes at a (len bytes), or NULL. */
static const struct nlattr *sock_diag_attr(const uint8_t *a, size_t len, uint16_t type, size_t *ret_len) {
        while (len >= NLA_HDRLEN) {
                const struct nlattr *n = (const struct nlattr *) a;
                if (n->nla_len < NLA_HDRLEN || n->nla_len > len)
                        return NULL;
                if ((n->nla_type & NLA_TYPE_MASK) == type) {
                        *ret_len = n->nla_len - NLA_HDRLEN;
                        return n;
                }
                size_t step = NLA_ALIGN(n->nla_len);
                if (step >= len)
                        break;
                a += step;
                len -= step;
        }
        return NULL;
}

/* A TCP socket with the "mptcp" upper-layer protocol is a subflow. */
static bool sock_diag_is_subflow(const uint8_t *attrs, size_t len) {
        size_t ulp_len, name_len;
        const struct nlattr *ulp = sock_diag_attr(attrs, len, INET_DIAG_ULP_INFO, &ulp_len);
        if (!ulp)
                return false;
        const struct nlattr *name = sock_diag_attr((const uint8_t *) ulp + NLA_HDRLEN, ulp_len, INET_ULP_INFO_NAME,
                                                   &name_len);
        const char *s = name ? (const char *) name + NLA_HDRLEN : NULL;
        return s && name_len >= 5 && strncmp(s, "mptcp", name_len) == 0;
}

/* An MPTCP connection that fell back to TCP after its handshake. */
static bool sock_diag_mptcp_fell_back(const uint8_t *attrs, size_t len) {
        size_t info_len;
        const struct nlattr *info = sock_diag_attr(attrs, len, INET_DIAG_INFO, &info_len);
        struct mptcp_info mi = {};

        if (!info || info_len < offsetof(struct mptcp_info, mptcpi_flags) + sizeof(mi.mptcpi_flags))
                return false;
        memcpy(&mi, (const uint8_t *) info + NLA_HDRLEN, MIN(info_len, sizeof(mi)));
        return mi.mptcpi_flags & MPTCP_INFO_FLAG_FALLBACK;
}

static void sock_diag_account(const struct nlmsghdr *h, const SockDiagListener *l, int protocol,
                              SockDiagMptcpCounts *counts) {
        const struct inet_diag_msg *m = NLMSG_DATA(h);
        const uint8_t *attrs = (const uint8_t *) m + NLMSG_ALIGN(sizeof(*m));
        size_t attrs_len = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*m)));

        if (!sock_diag_matches(m, l))
                return;
        if (protocol == IPPROTO_MPTCP) {
                if (sock_diag_mptcp_fell_back(attrs, attrs_len))
                        counts->fallback++;
                else
                        counts->mptcp++;
        } else if (!sock_diag_is_subflow(attrs, attrs_len))
                counts->fallback++;
}

int sock_diag_parse_reply(const void *buf, size_t len, uint32_t seq, const SockDiagListener *l, int protocol,
                          SockDiagMptcpCounts *counts) {
        const uint8_t *p = buf;

        if (!buf || !l || !counts)
                return -EINVAL;
        while (len > 0) {
                const struct nlmsghdr *h = (const struct nlmsghdr *) p;
                if (len < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
                        return -EBADMSG;
                if (h->nlmsg_seq == seq) {
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 1;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                                        return -EBADMSG;
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                return e->error < 0 ? e->error : -EBADMSG;
                        }
                        if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
                                if (h->nlmsg_len < NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct inet_diag_msg))))
                                        return -EBADMSG;
                                sock_diag_account(h, l, protocol, counts);
                        }
                }
                size_t step = NLMSG_ALIGN(h->nlmsg_len);
                if (step >= len)
                        break;
                p += step;
                len -= step;
        }
        return 0;
}

/* One dump over fd: send the request, read until NLMSG_DONE. */
static int sock_diag_dump(int fd, const SockDiagListener *l, int protocol, uint32_t seq, SockDiagMptcpCounts *counts) {
        /* Aligned for struct nlmsghdr.  The kernel fills a dump datagram up
         * to 32 KiB at most (NLMSG_GOODSIZE is a page or 8 KiB). */
        uint64_t buf[32768 / sizeof(uint64_t)];
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        ssize_t n = sock_diag_build_request(buf, sizeof(buf), l, protocol, seq);

        if (n < 0)
                return (int) n;
        if (sendto(fd, buf, (size_t) n, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return -errno;
        for (;;) {
                n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0 || (size_t) n > sizeof(buf))
                        return -EBADMSG;
                int r = sock_diag_parse_reply(buf, (size_t) n, seq, l, protocol, counts);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
}

int sock_diag_mptcp_count(const SockDiagListener *l, SockDiagMptcpCounts *ret) {
        SockDiagMptcpCounts c = {};

        if (!l || !ret || (l->family != AF_INET && l->family != AF_INET6))
                return -EINVAL;

        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0)
                return -errno;
        /* The kernel answers a dump at once; the timeout only guards the
         * caller's event loop against the unexpected. */
        struct timeval tv = { .tv_sec = 1 };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

        int r = sock_diag_dump(fd, l, IPPROTO_MPTCP, 1, &c);
        if (r == -ENOENT || r == -EINVAL || r == -EOPNOTSUPP)
                return -EOPNOTSUPP; /* no mptcp_diag, or a kernel before 5.11 */
        if (r < 0)
                return r;
        r = sock_diag_dump(fd, l, IPPROTO_TCP, 2, &c);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}
