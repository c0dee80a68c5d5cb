/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "alloc-util.h"
#include "socket-util.h"
#include "string-util.h"

int sockaddr_un_set_path(struct sockaddr_un *ret, const char *path) {
        size_t l;

        if (!ret || !path)
                return -EINVAL;

        l = strlen(path);
        if (l < 2)
                return -EINVAL; /* "", "@" and "/" name nothing we can bind */

        /* A filesystem path needs its terminating NUL inside sun_path.  An
         * abstract name would not (its length travels in socklen_t), but
         * like systemd we keep room for a NUL there too, so the same limit
         * applies to "@name": 107 bytes including the '@'. */
        if (l >= sizeof(ret->sun_path))
                return -ENAMETOOLONG;

        memset(ret, 0, sizeof(*ret));
        ret->sun_family = AF_UNIX;
        memcpy(ret->sun_path, path, l);
        if (path[0] == '@') {
                ret->sun_path[0] = '\0';
                return (int) (offsetof(struct sockaddr_un, sun_path) + l);
        }
        return (int) (offsetof(struct sockaddr_un, sun_path) + l + 1);
}

socklen_t sockaddr_len_for_family(int family) {
        switch (family) {
        case AF_INET:
                return sizeof(struct sockaddr_in);
        case AF_INET6:
                return sizeof(struct sockaddr_in6);
        case AF_UNIX:
                return sizeof(struct sockaddr_un);
        case AF_NETLINK:
                return sizeof(struct sockaddr_nl);
        case AF_VSOCK:
                return sizeof(struct sockaddr_vm);
        default:
                return 0;
        }
}

/* Append the bytes of an AF_UNIX name, escaping what is not printable so
 * that a peer's abstract name cannot inject control characters into logs. */
static int unix_name_pretty(const char *name, size_t len, bool abstract, char **ret) {
        char *s = new(char, 1 + len * 4 + 1), *p = s;

        if (!s)
                return -ENOMEM;
        if (abstract)
                *p++ = '@';
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) name[i];
                if (c >= 0x20 && c < 0x7f && c != '\\')
                        *p++ = (char) c;
                else
                        p += sprintf(p, "\\x%02x", c);
        }
        *p = '\0';
        *ret = s;
        return 0;
}

static int sockaddr_un_pretty(const struct sockaddr_un *un, socklen_t salen, char **ret) {
        size_t off = offsetof(struct sockaddr_un, sun_path), len;

        if (salen <= off) {
                char *s = strdup("<unnamed>");
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }

        len = MIN((size_t) salen - off, sizeof(un->sun_path));
        if (un->sun_path[0] == '\0')
                return unix_name_pretty(un->sun_path + 1, len - 1, true, ret);
        return unix_name_pretty(un->sun_path, strnlen(un->sun_path, len), false, ret);
}

static int sockaddr_in6_pretty(const struct sockaddr_in6 *in6, bool translate_ipv6, char **ret) {
        char buf[INET6_ADDRSTRLEN];
        unsigned port = ntohs(in6->sin6_port);
        int k;

        if (translate_ipv6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
                if (!inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, buf, sizeof(buf)))
                        return -errno;
                k = asprintf(ret, "%s:%u", buf, port);
        } else {
                if (!inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf)))
                        return -errno;
                if (in6->sin6_scope_id != 0)
                        k = asprintf(ret, "[%s]:%u%%%u", buf, port, (unsigned) in6->sin6_scope_id);
                else
                        k = asprintf(ret, "[%s]:%u", buf, port);
        }
        return k < 0 ? -ENOMEM : 0;
}

static int sockaddr_vm_pretty(const struct sockaddr_vm *vm, char **ret) {
        int k;

        if (vm->svm_cid == VMADDR_CID_ANY)
                k = asprintf(ret, "vsock::%u", (unsigned) vm->svm_port);
        else
                k = asprintf(ret, "vsock:%u:%u", (unsigned) vm->svm_cid, (unsigned) vm->svm_port);
        return k < 0 ? -ENOMEM : 0;
}

/* Dotted IPv4 by hand: glibc's inet_ntop() formats each octet with
 * sprintf(), about 1,700 instructions per address, and the Accept=yes path
 * formats two or three addresses per connection. */
static int ip4_string(const uint8_t a[4], char *buf, size_t size) {
        char tmp[INET_ADDRSTRLEN], *p = tmp;

        for (int i = 0; i < 4; i++) {
                unsigned v = a[i];
                if (i > 0)
                        *p++ = '.';
                if (v >= 100)
                        *p++ = (char) ('0' + v / 100);
                if (v >= 10)
                        *p++ = (char) ('0' + v / 10 % 10);
                *p++ = (char) ('0' + v % 10);
        }
        *p = '\0';
        if ((size_t) (p - tmp) + 1 > size)
                return -ENOSPC;
        memcpy(buf, tmp, (size_t) (p - tmp) + 1);
        return 0;
}

int sockaddr_ip_string(const struct sockaddr *sa, socklen_t salen, char *buf, size_t size, unsigned *ret_port) {
        const union sockaddr_union *u = (const union sockaddr_union *) sa;
        const void *addr;
        int family;

        if (!sa || salen < sizeof(sa_family_t))
                return -EINVAL;
        if (sa->sa_family == AF_INET) {
                if (salen < sizeof(struct sockaddr_in))
                        return -EINVAL;
                family = AF_INET;
                addr = &u->in.sin_addr;
                *ret_port = ntohs(u->in.sin_port);
        } else if (sa->sa_family == AF_INET6) {
                if (salen < sizeof(struct sockaddr_in6))
                        return -EINVAL;
                bool mapped = IN6_IS_ADDR_V4MAPPED(&u->in6.sin6_addr);
                family = mapped ? AF_INET : AF_INET6;
                addr = mapped ? (const void *) (u->in6.sin6_addr.s6_addr + 12) : (const void *) &u->in6.sin6_addr;
                *ret_port = ntohs(u->in6.sin6_port);
        } else
                return -EAFNOSUPPORT;
        if (family == AF_INET)
                return ip4_string(addr, buf, size);
        return inet_ntop(family, addr, buf, size) ? 0 : -errno;
}

int sockaddr_pretty(const struct sockaddr *sa, socklen_t salen, bool translate_ipv6, char **ret) {
        const union sockaddr_union *u = (const union sockaddr_union *) sa;
        char buf[INET_ADDRSTRLEN];

        if (!sa || !ret || salen < sizeof(sa_family_t))
                return -EINVAL;

        switch (sa->sa_family) {
        case AF_INET:
                if (salen < sizeof(struct sockaddr_in))
                        return -EINVAL;
                if (!inet_ntop(AF_INET, &u->in.sin_addr, buf, sizeof(buf)))
                        return -errno;
                return asprintf(ret, "%s:%u", buf, (unsigned) ntohs(u->in.sin_port)) < 0 ? -ENOMEM : 0;
        case AF_INET6:
                if (salen < sizeof(struct sockaddr_in6))
                        return -EINVAL;
                return sockaddr_in6_pretty(&u->in6, translate_ipv6, ret);
        case AF_UNIX:
                return sockaddr_un_pretty(&u->un, salen, ret);
        case AF_VSOCK:
                if (salen < sizeof(struct sockaddr_vm))
                        return -EINVAL;
                return sockaddr_vm_pretty(&u->vm, ret);
        default:
                return -EAFNOSUPPORT;
        }
}

int setsockopt_int(int fd, int level, int optname, int value) {
        return RET_NERRNO(setsockopt(fd, level, optname, &value, sizeof(value)));
}

int getsockopt_int(int fd, int level, int optname, int *ret) {
        int v = 0;
        socklen_t l = sizeof(v);

        if (getsockopt(fd, level, optname, &v, &l) < 0)
                return -errno;
        if (l != sizeof(v))
                return -EIO;
        *ret = v;
        return 0;
}

int socket_get_family(int fd) {
        int family, r;

        r = getsockopt_int(fd, SOL_SOCKET, SO_DOMAIN, &family);
        return r < 0 ? r : family;
}

/* Resolve AF_UNSPEC to the socket's own family. */
static int family_of(int fd, int family) {
        return family == AF_UNSPEC ? socket_get_family(fd) : family;
}

/* Set an option that exists for IPv4 and IPv6 under different names. */
static int socket_set_ip_option(int fd, int family, int opt_v4, int opt_v6, int value) {
        family = family_of(fd, family);
        if (family < 0)
                return family;

        switch (family) {
        case AF_INET:
                return setsockopt_int(fd, IPPROTO_IP, opt_v4, value);
        case AF_INET6:
                return setsockopt_int(fd, IPPROTO_IPV6, opt_v6, value);
        default:
                return -EAFNOSUPPORT;
        }
}

int socket_set_tos(int fd, int family, int tos) {
        family = family_of(fd, family);
        if (family < 0)
                return family;
        /* IP_TOS is an IPv4 option; Linux also accepts it on AF_INET6
         * sockets (it then applies to IPv4-mapped traffic).  systemd sets
         * it on both without mapping to IPV6_TCLASS, and so do we. */
        if (family != AF_INET && family != AF_INET6)
                return -EAFNOSUPPORT;
        return setsockopt_int(fd, IPPROTO_IP, IP_TOS, tos);
}

int socket_set_ttl(int fd, int family, int ttl) {
        return socket_set_ip_option(fd, family, IP_TTL, IPV6_UNICAST_HOPS, ttl);
}

int socket_set_freebind(int fd, int family, bool b) {
        return socket_set_ip_option(fd, family, IP_FREEBIND, IPV6_FREEBIND, b);
}

int socket_set_transparent(int fd, int family, bool b) {
        return socket_set_ip_option(fd, family, IP_TRANSPARENT, IPV6_TRANSPARENT, b);
}

int socket_set_recvpktinfo(int fd, int family, bool b) {
        family = family_of(fd, family);
        if (family < 0)
                return family;

        switch (family) {
        case AF_INET:
                return setsockopt_int(fd, IPPROTO_IP, IP_PKTINFO, b);
        case AF_INET6:
                return setsockopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, b);
        case AF_NETLINK:
                return setsockopt_int(fd, SOL_NETLINK, NETLINK_PKTINFO, b);
        case AF_PACKET:
                return setsockopt_int(fd, SOL_PACKET, PACKET_AUXDATA, b);
        default:
                return -EAFNOSUPPORT;
        }
}

int socket_set_nodelay(int fd, int protocol, bool b) {
        if (protocol == IPPROTO_SCTP)
                return setsockopt_int(fd, SOL_SCTP, SCTP_NODELAY, b);
        return setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, b);
}

/* TCP_IS_MPTCP was added in Linux 5.16; older kernels answer ENOPROTOOPT
 * (or EOPNOTSUPP through the MPTCP socket's own getsockopt). */
static bool errno_is_unknown_option(int r) {
        return r == -ENOPROTOOPT || r == -EOPNOTSUPP;
}

/* MPTCP_INFO works on a live MPTCP connection and fails like on plain TCP
 * (EOPNOTSUPP for IPv4, ENOPROTOOPT for IPv6) once it fell back
 * (mptcp_net-next issue #358). */
int socket_mptcp_status_from_info(int fd) {
        char info[256]; /* struct mptcp_info is smaller; the kernel truncates */
        socklen_t l = sizeof(info);

        if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, info, &l) >= 0)
                return SOCKET_MPTCP;
        if (errno_is_unknown_option(-errno))
                return SOCKET_TCP_FALLBACK;
        return -errno;
}

int socket_mptcp_status(int connected_fd) {
        int protocol, type, is_mptcp, r;

        r = getsockopt_int(connected_fd, SOL_SOCKET, SO_TYPE, &type);
        if (r < 0)
                return r;
        r = getsockopt_int(connected_fd, SOL_SOCKET, SO_PROTOCOL, &protocol);
        if (r < 0)
                return r;
        if (type != SOCK_STREAM || (protocol != IPPROTO_TCP && protocol != IPPROTO_MPTCP))
                return -EPROTOTYPE;

        /* A socket created with IPPROTO_TCP can never carry MPTCP. */
        if (protocol == IPPROTO_TCP)
                return SOCKET_TCP_PLAIN;

        r = getsockopt_int(connected_fd, IPPROTO_TCP, TCP_IS_MPTCP, &is_mptcp);
        if (r >= 0)
                return is_mptcp ? SOCKET_MPTCP : SOCKET_TCP_FALLBACK;
        if (!errno_is_unknown_option(r))
                return r;
        return socket_mptcp_status_from_info(connected_fd);
}

int socket_mptcp_status_accepted(int accepted_fd, int listen_protocol) {
        int r = socket_mptcp_status(accepted_fd);

        /* An MPTCP listener gives a plain TCP child to a client that did not
         * ask for MPTCP (kernel Documentation/networking/mptcp.rst): that is
         * the fallback case seen from the server. */
        if (r == SOCKET_TCP_PLAIN && listen_protocol == IPPROTO_MPTCP)
                return SOCKET_TCP_FALLBACK;
        return r;
}

const char *socket_mptcp_status_to_string(SocketMptcpStatus s) {
        static const char *const table[_SOCKET_MPTCP_STATUS_MAX] = {
                [SOCKET_TCP_PLAIN] = "tcp",
                [SOCKET_TCP_FALLBACK] = "tcp-fallback",
                [SOCKET_MPTCP] = "mptcp",
        };

        if (s < 0 || s >= _SOCKET_MPTCP_STATUS_MAX)
                return NULL;
        return table[s];
}
