/* SPDX-License-Identifier: MIT */
/* Listen*= address grammar: see socket-address.h for the full grammar. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "alloc-util.h"
#include "parse-util.h"
#include "socket-address.h"
#include "string-util.h"

static bool ipv6_is_supported(void) {
        /* The same probe as systemd's socket_ipv6_is_supported(). */
        return access("/proc/net/if_inet6", F_OK) >= 0;
}

static int parse_unix(SocketAddress *a, const char *s) {
        struct sockaddr_un un;
        int l;

        l = sockaddr_un_set_path(&un, s);
        if (l < 0)
                return l;

        *a = (SocketAddress) {
                .sockaddr.un = un,
                .size = (socklen_t) l,
                .type = SOCK_STREAM,
        };
        return 0;
}

/* Decimal unsigned without sign or whitespace: the CID and port of VSOCK
 * addresses and interface indexes are plain numbers. */
static int parse_plain_u32(const char *s, size_t len, unsigned *ret) {
        unsigned long long v = 0;

        if (len == 0 || len > 10)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!isdigit((unsigned char) s[i]))
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

static int parse_vsock_cid(const char *s, size_t len, unsigned *ret) {
        static const struct {
                const char *name;
                unsigned cid;
        } names[] = {
                { "hypervisor", VMADDR_CID_HYPERVISOR },
                { "local", VMADDR_CID_LOCAL },
                { "host", VMADDR_CID_HOST },
        };

        if (len == 0) {
                *ret = VMADDR_CID_ANY;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i].name) == len && memcmp(names[i].name, s, len) == 0) {
                        *ret = names[i].cid;
                        return 0;
                }
        return parse_plain_u32(s, len, ret);
}

/* "vsock[-stream|-dgram|-seqpacket]:[CID]:PORT".  Returns -EPROTO if s is
 * not a VSOCK address at all, so the caller tries the IP forms. */
static int parse_vsock(SocketAddress *a, const char *s) {
        static const struct {
                const char *prefix;
                int type;
        } prefixes[] = {
                { "vsock:", SOCK_STREAM },
                { "vsock-stream:", SOCK_STREAM },
                { "vsock-dgram:", SOCK_DGRAM },
                { "vsock-seqpacket:", SOCK_SEQPACKET },
        };
        const char *rest = NULL, *colon;
        unsigned cid, port;
        int type = 0, r;

        for (size_t i = 0; i < ELEMENTSOF(prefixes) && !rest; i++)
                if ((rest = startswith(s, prefixes[i].prefix)))
                        type = prefixes[i].type;
        if (!rest)
                return -EPROTO;

        colon = strchr(rest, ':');
        if (!colon)
                return -EINVAL;
        r = parse_vsock_cid(rest, (size_t) (colon - rest), &cid);
        if (r < 0)
                return r;
        r = parse_plain_u32(colon + 1, strlen(colon + 1), &port);
        if (r < 0)
                return r;
        if (port == VMADDR_PORT_ANY)
                return -EINVAL;

        *a = (SocketAddress) {
                .sockaddr.vm = {
                        .svm_family = AF_VSOCK,
                        .svm_cid = cid,
                        .svm_port = port,
                },
                .size = sizeof(struct sockaddr_vm),
                .type = type,
        };
        return 0;
}

static void set_any_port(SocketAddress *a, uint16_t port) {
        if (ipv6_is_supported())
                *a = (SocketAddress) {
                        .sockaddr.in6 = {
                                .sin6_family = AF_INET6,
                                .sin6_port = htons(port),
                                .sin6_addr = IN6ADDR_ANY_INIT,
                        },
                        .size = sizeof(struct sockaddr_in6),
                        .type = SOCK_STREAM,
                };
        else
                *a = (SocketAddress) {
                        .sockaddr.in = {
                                .sin_family = AF_INET,
                                .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_ANY),
                        },
                        .size = sizeof(struct sockaddr_in),
                        .type = SOCK_STREAM,
                };
}

/* An interface name as the kernel accepts it: 1..15 bytes, no '/', ':',
 * whitespace or control characters, not "." or "..". */
static bool ifname_valid(const char *s) {
        size_t l = strlen(s);

        if (l == 0 || l >= IFNAMSIZ || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == '/' || *p == ':' || (unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f)
                        return false;
        return true;
}

/* The scope after '%': an interface index, or a name resolved now.  A name
 * that is valid but unknown is -ENODEV, a malformed one -EINVAL. */
static int parse_scope(const char *s, unsigned *ret) {
        unsigned idx;

        if (parse_plain_u32(s, strlen(s), &idx) >= 0) {
                if (idx == 0 || idx > INT_MAX)
                        return -EINVAL;
                *ret = idx;
                return 0;
        }
        if (!ifname_valid(s))
                return -EINVAL;
        idx = if_nametoindex(s);
        if (idx == 0)
                return -ENODEV;
        *ret = idx;
        return 0;
}

/* "[v6]:port" with the optional scope already removed. */
static int parse_bracketed_ipv6(const char *s, const char *colon, struct in6_addr *addr, uint16_t *port) {
        char buf[INET6_ADDRSTRLEN + 1];
        size_t l;
        int r;

        if (colon - s < 2 || colon[-1] != ']')
                return -EINVAL;
        l = (size_t) (colon - s) - 2;
        if (l >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s + 1, l);
        buf[l] = '\0';

        r = parse_ip_port(colon + 1, port);
        if (r < 0)
                return r;
        return inet_pton(AF_INET6, buf, addr) == 1 ? 0 : -EINVAL;
}

static int parse_ipv4_port(const char *s, const char *colon, struct in_addr *addr, uint16_t *port) {
        char buf[INET_ADDRSTRLEN + 1];
        size_t l = (size_t) (colon - s);

        if (l >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, l);
        buf[l] = '\0';
        if (inet_pton(AF_INET, buf, addr) != 1)
                return -EINVAL;
        return parse_ip_port(colon + 1, port);
}

/* IPv4 "a.b.c.d:port" or IPv6 "[addr]:port", either followed by "%scope".
 * As in systemd, the scope is split off at the first '%' before anything
 * else, so "[fe80::1%eth0]:80" is malformed. */
static int parse_ip(SocketAddress *a, const char *s) {
        _cleanup_free_ char *copy = strdup(s);
        unsigned scope = 0;
        char *percent, *colon;
        uint16_t port = 0;
        int r;

        if (!copy)
                return -ENOMEM;

        percent = strchr(copy, '%');
        if (percent) {
                r = parse_scope(percent + 1, &scope);
                if (r < 0)
                        return r;
                *percent = '\0';
        }

        colon = strrchr(copy, ':');
        if (!colon)
                return -EINVAL; /* IPv4 without port, or garbage */

        if (copy[0] == '[') {
                struct in6_addr addr;

                r = parse_bracketed_ipv6(copy, colon, &addr, &port);
                if (r < 0)
                        return r;
                *a = (SocketAddress) {
                        .sockaddr.in6 = {
                                .sin6_family = AF_INET6,
                                .sin6_addr = addr,
                                .sin6_port = htons(port),
                                .sin6_scope_id = scope,
                        },
                        .size = sizeof(struct sockaddr_in6),
                        .type = SOCK_STREAM,
                };
                return 0;
        }

        struct in_addr addr4;
        struct in6_addr addr6;

        if (inet_pton(AF_INET6, copy, &addr6) == 1)
                return -EINVAL; /* a bare IPv6 address: no port */
        r = parse_ipv4_port(copy, colon, &addr4, &port);
        if (r < 0)
                return r;
        *a = (SocketAddress) {
                .sockaddr.in = {
                        .sin_family = AF_INET,
                        .sin_addr = addr4,
                        .sin_port = htons(port),
                },
                .size = sizeof(struct sockaddr_in),
                .type = SOCK_STREAM,
        };
        return 0;
}

int socket_address_parse(SocketAddress *a, const char *s) {
        SocketAddress b;
        uint16_t port;
        int r;

        if (!a || !s)
                return -EINVAL;

        if (s[0] == '/' || s[0] == '@')
                r = parse_unix(&b, s);
        else {
                r = parse_vsock(&b, s);
                if (r == -EPROTO) {
                        r = parse_ip_port(s, &port);
                        if (r >= 0)
                                set_any_port(&b, port);
                        else if (r != -ERANGE)
                                r = parse_ip(&b, s);
                }
        }
        if (r < 0)
                return r;

        *a = b;
        return 0;
}

static const char *const netlink_family_table[] = {
        [NETLINK_ROUTE] = "route",
        [NETLINK_FIREWALL] = "firewall",
        [NETLINK_INET_DIAG] = "inet-diag",
        [NETLINK_NFLOG] = "nflog",
        [NETLINK_XFRM] = "xfrm",
        [NETLINK_SELINUX] = "selinux",
        [NETLINK_ISCSI] = "iscsi",
        [NETLINK_AUDIT] = "audit",
        [NETLINK_FIB_LOOKUP] = "fib-lookup",
        [NETLINK_CONNECTOR] = "connector",
        [NETLINK_NETFILTER] = "netfilter",
        [NETLINK_IP6_FW] = "ip6-fw",
        [NETLINK_DNRTMSG] = "dnrtmsg",
        [NETLINK_KOBJECT_UEVENT] = "kobject-uevent",
        [NETLINK_GENERIC] = "generic",
        [NETLINK_SCSITRANSPORT] = "scsitransport",
        [NETLINK_ECRYPTFS] = "ecryptfs",
        [NETLINK_RDMA] = "rdma",
};

const char *netlink_family_to_string(int family) {
        if (family < 0 || (size_t) family >= ELEMENTSOF(netlink_family_table))
                return NULL;
        return netlink_family_table[family];
}

int netlink_family_from_string(const char *s) {
        unsigned n;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(netlink_family_table); i++)
                if (netlink_family_table[i] && streq(netlink_family_table[i], s))
                        return (int) i;
        if (parse_plain_u32(s, strlen(s), &n) < 0 || n >= MAX_LINKS)
                return -EINVAL;
        return (int) n;
}

int socket_address_parse_netlink(SocketAddress *a, const char *s) {
        _cleanup_free_ char *word = NULL;
        unsigned group = 0;
        const char *rest;
        size_t l;
        int family, r;

        if (!a || !s)
                return -EINVAL;

        s += strspn(s, WHITESPACE);
        l = strcspn(s, WHITESPACE);
        if (l == 0)
                return -EINVAL;
        word = strndup(s, l);
        if (!word)
                return -ENOMEM;
        family = netlink_family_from_string(word);
        if (family < 0)
                return family;

        rest = s + l;
        rest += strspn(rest, WHITESPACE);
        if (*rest) {
                r = parse_plain_u32(rest, strlen(rest), &group);
                if (r < 0)
                        return r;
        }

        *a = (SocketAddress) {
                .sockaddr.nl = {
                        .nl_family = AF_NETLINK,
                        .nl_groups = group,
                },
                .size = sizeof(struct sockaddr_nl),
                .type = SOCK_RAW,
                .protocol = family,
        };
        return 0;
}

int socket_address_family(const SocketAddress *a) {
        return a->sockaddr.sa.sa_family;
}

static bool type_is(int type, int a, int b, int c) {
        return type == 0 || type == a || type == b || type == c;
}

/* AF_UNIX sizes: the path must end inside sun_path at its NUL; abstract
 * names just need at least the leading NUL. */
static int verify_unix(const SocketAddress *a, bool strict) {
        size_t off = offsetof(struct sockaddr_un, sun_path);
        const char *e;

        if (a->size < off || a->size > sizeof(struct sockaddr_un) + !strict)
                return -EINVAL;
        if (strict && a->size <= off)
                return -EINVAL; /* unnamed */
        if (strict && a->sockaddr.un.sun_path[0] != '\0') {
                e = memchr(a->sockaddr.un.sun_path, 0, sizeof(a->sockaddr.un.sun_path));
                if (!e || a->size != off + (size_t) (e - a->sockaddr.un.sun_path) + 1)
                        return -EINVAL;
        }
        return type_is(a->type, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET) ? 0 : -EINVAL;
}

int socket_address_verify(const SocketAddress *a, bool strict) {
        if (!a)
                return -EINVAL;

        switch (socket_address_family(a)) {
        case AF_INET:
                if (a->size != sizeof(struct sockaddr_in) || a->sockaddr.in.sin_port == 0)
                        return -EINVAL;
                return type_is(a->type, SOCK_STREAM, SOCK_DGRAM, SOCK_DGRAM) ? 0 : -EINVAL;
        case AF_INET6:
                if (a->size != sizeof(struct sockaddr_in6) || a->sockaddr.in6.sin6_port == 0)
                        return -EINVAL;
                return type_is(a->type, SOCK_STREAM, SOCK_DGRAM, SOCK_DGRAM) ? 0 : -EINVAL;
        case AF_UNIX:
                return verify_unix(a, strict);
        case AF_NETLINK:
                if (a->size != sizeof(struct sockaddr_nl))
                        return -EINVAL;
                return type_is(a->type, SOCK_RAW, SOCK_DGRAM, SOCK_DGRAM) ? 0 : -EINVAL;
        case AF_VSOCK:
                if (a->size != sizeof(struct sockaddr_vm))
                        return -EINVAL;
                return type_is(a->type, SOCK_STREAM, SOCK_DGRAM, SOCK_DGRAM) ? 0 : -EINVAL;
        default:
                return -EAFNOSUPPORT;
        }
}

/* AF_UNIX names are printed raw, not escaped as sockaddr_pretty() does for
 * peers: a configured name came from a unit file and must round-trip. */
static int print_unix(const SocketAddress *a, char **ret) {
        size_t off = offsetof(struct sockaddr_un, sun_path), len;
        const char *p = a->sockaddr.un.sun_path;
        char *s;

        if (a->size <= off)
                return -EINVAL;
        len = MIN((size_t) a->size - off, sizeof(a->sockaddr.un.sun_path));
        if (p[0] == '\0') {
                s = new(char, len + 1);
                if (!s)
                        return -ENOMEM;
                s[0] = '@';
                memcpy(s + 1, p + 1, len - 1);
                s[len] = '\0';
        } else {
                s = strndup(p, strnlen(p, len));
                if (!s)
                        return -ENOMEM;
        }
        *ret = s;
        return 0;
}

int socket_address_print(const SocketAddress *a, char **ret) {
        const char *name;
        int r;

        if (!a || !ret)
                return -EINVAL;
        r = socket_address_verify(a, false);
        if (r < 0)
                return r;

        switch (socket_address_family(a)) {
        case AF_UNIX:
                return print_unix(a, ret);
        case AF_NETLINK:
                name = netlink_family_to_string(a->protocol);
                if (name)
                        r = asprintf(ret, "%s %u", name, (unsigned) a->sockaddr.nl.nl_groups);
                else
                        r = asprintf(ret, "%d %u", a->protocol, (unsigned) a->sockaddr.nl.nl_groups);
                return r < 0 ? -ENOMEM : 0;
        default:
                return sockaddr_pretty(&a->sockaddr.sa, a->size, false, ret);
        }
}

static bool unix_equal(const SocketAddress *a, const SocketAddress *b) {
        size_t off = offsetof(struct sockaddr_un, sun_path);
        const char *pa = a->sockaddr.un.sun_path, *pb = b->sockaddr.un.sun_path;

        if (a->size <= off || b->size <= off)
                return false;
        if ((pa[0] == '\0') != (pb[0] == '\0'))
                return false;
        if (pa[0] == '\0')
                return a->size == b->size && memcmp(pa, pb, a->size - off) == 0;
        return strncmp(pa, pb, sizeof(a->sockaddr.un.sun_path)) == 0;
}

bool socket_address_equal(const SocketAddress *a, const SocketAddress *b) {
        if (a->type != b->type || socket_address_family(a) != socket_address_family(b))
                return false;
        if (a->protocol != 0 && b->protocol != 0 && a->protocol != b->protocol)
                return false;

        switch (socket_address_family(a)) {
        case AF_INET:
                return a->sockaddr.in.sin_addr.s_addr == b->sockaddr.in.sin_addr.s_addr &&
                       a->sockaddr.in.sin_port == b->sockaddr.in.sin_port;
        case AF_INET6:
                return memcmp(&a->sockaddr.in6.sin6_addr, &b->sockaddr.in6.sin6_addr, sizeof(struct in6_addr)) == 0 &&
                       a->sockaddr.in6.sin6_port == b->sockaddr.in6.sin6_port &&
                       a->sockaddr.in6.sin6_scope_id == b->sockaddr.in6.sin6_scope_id;
        case AF_UNIX:
                return unix_equal(a, b);
        case AF_NETLINK:
                /* nl_pid is assigned by the kernel at bind time: not compared. */
                return a->protocol == b->protocol && a->sockaddr.nl.nl_groups == b->sockaddr.nl.nl_groups;
        case AF_VSOCK:
                return a->sockaddr.vm.svm_cid == b->sockaddr.vm.svm_cid &&
                       a->sockaddr.vm.svm_port == b->sockaddr.vm.svm_port;
        default:
                return false;
        }
}

bool socket_address_can_accept(const SocketAddress *a) {
        return a->type == SOCK_STREAM || a->type == SOCK_SEQPACKET;
}

const char *socket_address_get_path(const SocketAddress *a) {
        if (socket_address_family(a) != AF_UNIX ||
            a->size <= offsetof(struct sockaddr_un, sun_path) ||
            a->sockaddr.un.sun_path[0] == '\0')
                return NULL;
        return a->sockaddr.un.sun_path;
}

int socket_address_matches_fd(const SocketAddress *a, int fd) {
        SocketAddress b = {};
        socklen_t l = sizeof(b.sockaddr);
        int r;

        r = getsockopt_int(fd, SOL_SOCKET, SO_TYPE, &b.type);
        if (r < 0)
                return r;
        if (getsockname(fd, &b.sockaddr.sa, &l) < 0)
                return -errno;
        b.size = l;

        /* For netlink the protocol is the netlink family, and NETLINK_ROUTE
         * is 0: always compare it there. */
        if (a->protocol != 0 || socket_address_family(a) == AF_NETLINK) {
                r = getsockopt_int(fd, SOL_SOCKET, SO_PROTOCOL, &b.protocol);
                if (r < 0)
                        return r;
                if (b.protocol != a->protocol)
                        return 0;
        }

        return socket_address_equal(a, &b);
}

int parse_socket_protocol(const char *s) {
        static const struct {
                const char *name;
                int protocol;
        } table[] = {
                { "udplite", IPPROTO_UDPLITE },
                { "sctp", IPPROTO_SCTP },
                { "mptcp", IPPROTO_MPTCP },
        };
        unsigned n;

        if (!s)
                return -EPROTONOSUPPORT;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcasecmp(s, table[i].name) == 0)
                        return table[i].protocol;
        if (parse_plain_u32(s, strlen(s), &n) >= 0)
                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (n == (unsigned) table[i].protocol)
                                return table[i].protocol;
        return -EPROTONOSUPPORT;
}

const char *socket_protocol_to_string(int protocol) {
        switch (protocol) {
        case IPPROTO_UDPLITE:
                return "udplite";
        case IPPROTO_SCTP:
                return "sctp";
        case IPPROTO_MPTCP:
                return "mptcp";
        default:
                return NULL;
        }
}

int socket_protocol_for_type(int configured, int type) {
        switch (type) {
        case SOCK_STREAM:
                return configured == IPPROTO_MPTCP || configured == IPPROTO_SCTP ? configured : 0;
        case SOCK_SEQPACKET:
                return configured == IPPROTO_SCTP ? configured : 0;
        case SOCK_DGRAM:
                return configured == IPPROTO_UDPLITE ? configured : 0;
        default:
                return 0;
        }
}

bool socket_protocol_fits(int protocol, int family, int type) {
        if (protocol == 0)
                return true;
        if (family != AF_INET && family != AF_INET6)
                return false;
        return socket_protocol_for_type(protocol, type) == protocol;
}
