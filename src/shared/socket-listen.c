/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "socket-listen.h"
#include "string-util.h"

/* Note on umask(): it is process-wide, so socket_port_open() must not run
 * concurrently with anything else that creates files.  porterd and
 * porter-activate are single-threaded. */

void socket_port_init(SocketPort *p, SocketPortType type) {
        *p = (SocketPort) {
                .type = type,
                .fd = -EBADF,
        };
}

void socket_port_done(SocketPort *p) {
        if (!p)
                return;
        p->fd = safe_close(p->fd);
        free(p->path);
        p->path = NULL;
}

/* Set *ret (if non-NULL) to a formatted message.  Out of memory loses only
 * the text. */
_printf_(2, 3) static void text_set(char **ret, const char *format, ...) {
        va_list ap;
        char *s = NULL;

        if (!ret)
                return;
        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);
        free(*ret);
        *ret = s;
}

/* Append "; text" to *ret. */
static void text_append(char **ret, const char *text) {
        char *n;

        if (!ret || !text)
                return;
        n = *ret ? strjoin(*ret, "; ", text) : strdup(text);
        if (n)
                free_and_replace(*ret, n);
}

/* mkdir -p of every parent of path with the given mode.  Errors are
 * ignored, as in systemd: the bind() or mkfifo() that follows reports a
 * missing directory well enough.  Callers try their bind(), mkfifo() or
 * symlink() first and call this only when it fails with ENOENT: the result
 * is the same as systemd's mkdir -p before every node, without one failing
 * mkdir() per path component per socket (five per socket at 10,000 units). */
static void mkdir_parents(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return;
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return;
                *s = '/';
        }
}

static bool mptcp_unavailable_error(int error) {
        /* The socket() errors Go's net package treats as "this kernel has
         * no MPTCP" (src/net/mptcpsock_linux.go): EPROTONOSUPPORT (not
         * built), EINVAL (before Linux 5.6) and ENOPROTOOPT
         * (net.mptcp.enabled=0). */
        return error == -EPROTONOSUPPORT || error == -EINVAL || error == -ENOPROTOOPT;
}

static const char *protocol_label(int protocol) {
        switch (protocol) {
        case IPPROTO_MPTCP:
                return "MPTCP ";
        case IPPROTO_SCTP:
                return "SCTP ";
        case IPPROTO_UDPLITE:
                return "UDP-Lite ";
        default:
                return "";
        }
}

/* The address for a message: formatted only when there is something to
 * say, since the text is thrown away for every port that opens cleanly. */
static char *address_text(const SocketAddress *a) {
        char *s = NULL;

        if (socket_address_print(a, &s) < 0)
                return strdup("(invalid address)");
        return s;
}

/* socket() with the protocol of spec §3, and the porter-only MPTCP
 * fallback.  Returns the fd or -errno, with the text set on failure and on
 * fallback. */
static int create_socket(SocketPort *p, const SocketOptions *o, int protocol, char **text) {
        _cleanup_free_ char *addr = NULL;
        int family = socket_address_family(&p->address), type = p->address.type;
        int fd, r;

        fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
        if (fd >= 0)
                return fd;
        r = negative_errno();
        addr = address_text(&p->address);

        if (protocol != IPPROTO_MPTCP || !mptcp_unavailable_error(r) ||
            (family != AF_INET && family != AF_INET6)) {
                text_set(text, "Failed to create %ssocket for %s: %s", protocol_label(protocol), strna(addr),
                         strerror(-r));
                return r;
        }
        if (o->mptcp_strict) {
                text_set(text, "Failed to create MPTCP socket for %s: %s (MPTCP fallback to TCP is disabled)",
                         strna(addr), strerror(-r));
                return r;
        }

        fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                int r2 = negative_errno();
                text_set(text, "Failed to create TCP socket for %s after MPTCP failed (%s): %s",
                         strna(addr), strerror(-r), strerror(-r2));
                return r2;
        }
        p->mptcp_fell_back = true;
        p->fallback_error = r;
        text_set(text, "MPTCP is not available for %s (%s), falling back to plain TCP", strna(addr),
                 strerror(-r));
        return fd;
}

/* bind() of a filesystem socket: parent directories, umask(~SocketMode) so
 * the node is created with exactly that mode and never wider, and a single
 * unlink()+bind() retry when something already occupies the path. */
static int bind_fs_socket(int fd, const SocketAddress *a, const SocketOptions *o) {
        const char *path = socket_address_get_path(a);
        mode_t old_mask;
        int r;

        old_mask = umask(~o->socket_mode & 0777);
        r = RET_NERRNO(bind(fd, &a->sockaddr.sa, a->size));
        if (r == -ENOENT) {
                /* Directories get the manager's umask, not the socket's. */
                (void) umask(old_mask);
                mkdir_parents(path, o->directory_mode);
                (void) umask(~o->socket_mode & 0777);
                r = RET_NERRNO(bind(fd, &a->sockaddr.sa, a->size));
        }
        if (r == -EADDRINUSE && unlink(path) >= 0)
                /* Whatever was there, socket or regular file, is gone:
                 * systemd's only stale-node cleanup. */
                r = RET_NERRNO(bind(fd, &a->sockaddr.sa, a->size));
        (void) umask(old_mask);
        return r;
}

static int open_socket_port(SocketPort *p, const SocketOptions *o, char **text) {
        _cleanup_free_ char *addr = NULL, *warning = NULL;
        _cleanup_close_ int fd = -EBADF;
        int family = socket_address_family(&p->address), protocol, r;
        const char *path;

        r = socket_address_verify(&p->address, true);
        if (r >= 0 && p->address.type == 0)
                r = -EINVAL;
        if (r < 0) {
                addr = address_text(&p->address);
                text_set(text, "Invalid listening address %s: %s", strna(addr), strerror(-r));
                return r;
        }

        protocol = family == AF_NETLINK ? p->address.protocol
                                        : socket_protocol_for_type(o->socket_protocol, p->address.type);
        p->mptcp_fell_back = false;
        p->fallback_error = 0;
        fd = create_socket(p, o, protocol, text);
        if (fd < 0)
                return fd;
        if (p->mptcp_fell_back)
                protocol = 0;

        r = socket_options_apply_prebind(o, fd, family, &warning);
        if (r < 0) {
                addr = address_text(&p->address);
                text_set(text, "Failed to set socket options on %s: %s", strna(addr), strna(warning));
                return r;
        }
        if (warning) {
                addr = address_text(&p->address);
                _cleanup_free_ char *w = strjoin("Failed to set socket options on ", strna(addr), ": ", warning);
                text_append(text, w);
        }

        path = socket_address_get_path(&p->address);
        if (path)
                r = bind_fs_socket(fd, &p->address, o);
        else
                r = RET_NERRNO(bind(fd, &p->address.sockaddr.sa, p->address.size));
        if (r < 0) {
                free(addr);
                addr = address_text(&p->address);
                text_set(text, "Failed to bind %s: %s", strna(addr), strerror(-r));
                return r;
        }

        if (socket_address_can_accept(&p->address)) {
                r = RET_NERRNO(listen(fd, o->backlog > INT_MAX ? INT_MAX : (int) o->backlog));
                if (r < 0) {
                        free(addr);
                        addr = address_text(&p->address);
                        text_set(text, "Failed to listen on %s: %s", strna(addr), strerror(-r));
                        return r;
                }
        }

        /* Let inotify watchers of the directory see the new socket. */
        if (path)
                (void) utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);

        p->address.protocol = protocol;
        p->fd = TAKE_FD(fd);
        return 0;
}

/* Refuse a node that an earlier run (or someone else) left with another
 * mode or owner: systemd's EEXIST rule for FIFOs and message queues. */
static int check_node(int fd, mode_t want_type, mode_t want_mode, const char *kind, const char *path, char **text) {
        struct stat st;

        if (fstat(fd, &st) < 0) {
                text_set(text, "Failed to stat %s %s: %s", kind, path, strerror(errno));
                return -errno;
        }
        if (want_type != 0 && (st.st_mode & S_IFMT) != want_type) {
                text_set(text, "%s exists and is not a %s", path, kind);
                return -EEXIST;
        }
        if ((st.st_mode & 0777) != (want_mode & 0777) || st.st_uid != getuid() || st.st_gid != getgid()) {
                text_set(text, "%s %s exists with mode %04o owner %u:%u, expected %04o %u:%u; refusing to use it",
                         kind, path, (unsigned) (st.st_mode & 0777), (unsigned) st.st_uid, (unsigned) st.st_gid,
                         (unsigned) (want_mode & 0777), (unsigned) getuid(), (unsigned) getgid());
                return -EEXIST;
        }
        return 0;
}

static int open_fifo_port(SocketPort *p, const SocketOptions *o, char **text) {
        _cleanup_close_ int fd = -EBADF;
        mode_t old_mask;
        int r;

        /* Unlike sockets, a FIFO's mode also honours the manager's umask. */
        old_mask = umask(0);
        (void) umask(~o->socket_mode | old_mask);
        r = RET_NERRNO(mkfifo(p->path, o->socket_mode));
        if (r == -ENOENT) {
                (void) umask(old_mask);
                mkdir_parents(p->path, o->directory_mode);
                (void) umask(~o->socket_mode | old_mask);
                r = RET_NERRNO(mkfifo(p->path, o->socket_mode));
        }
        if (r >= 0 || r == -EEXIST)
                fd = r = RET_NERRNO(open(p->path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
        (void) umask(old_mask);
        if (r < 0) {
                text_set(text, "Failed to create FIFO %s: %s", p->path, strerror(-r));
                return r;
        }

        r = check_node(fd, S_IFIFO, o->socket_mode & ~old_mask, "FIFO", p->path, text);
        if (r < 0)
                return r;
        p->fd = TAKE_FD(fd);
        return 0;
}

static int open_special_port(SocketPort *p, const SocketOptions *o, char **text) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(p->path, (o->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
        if (fd < 0) {
                text_set(text, "Failed to open special file %s: %s", p->path, strerror(errno));
                return -errno;
        }
        if (fstat(fd, &st) < 0) {
                text_set(text, "Failed to stat special file %s: %s", p->path, strerror(errno));
                return -errno;
        }
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
                text_set(text, "Special file %s is neither a regular file nor a character device", p->path);
                return -EEXIST;
        }
        p->fd = TAKE_FD(fd);
        return 0;
}

static int open_mqueue_port(SocketPort *p, const SocketOptions *o, char **text) {
        _cleanup_close_ int fd = -EBADF;
        struct mq_attr attr = {
                .mq_maxmsg = o->mq_maxmsg,
                .mq_msgsize = o->mq_msgsize,
        };
        bool use_attr = o->mq_maxmsg > 0 && o->mq_msgsize > 0;
        mode_t old_mask;

        old_mask = umask(0);
        (void) umask(~o->socket_mode | old_mask);
        fd = mq_open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_CREAT, o->socket_mode, use_attr ? &attr : NULL);
        (void) umask(old_mask);
        if (fd < 0) {
                text_set(text, "Failed to create message queue %s: %s", p->path, strerror(errno));
                return -errno;
        }

        int r = check_node(fd, 0, o->socket_mode & ~old_mask, "Message queue", p->path, text);
        if (r < 0)
                return r;
        p->fd = TAKE_FD(fd);
        return 0;
}

int socket_port_open(SocketPort *p, const SocketOptions *o, char **ret_text) {
        char *text = NULL;
        int r;

        if (!p || !o)
                return -EINVAL;
        if (p->fd >= 0)
                return -EBUSY;
        if (p->type != SOCKET_PORT_SOCKET && isempty(p->path))
                return -EINVAL;

        switch (p->type) {
        case SOCKET_PORT_SOCKET:
                r = open_socket_port(p, o, &text);
                break;
        case SOCKET_PORT_FIFO:
                r = open_fifo_port(p, o, &text);
                break;
        case SOCKET_PORT_SPECIAL:
                r = open_special_port(p, o, &text);
                break;
        case SOCKET_PORT_MQUEUE:
                r = open_mqueue_port(p, o, &text);
                break;
        case SOCKET_PORT_USB_FUNCTION:
                text_set(&text, "ListenUSBFunction=%s: USB FunctionFS endpoints are not supported by porter",
                         p->path);
                r = -EOPNOTSUPP;
                break;
        default:
                r = -EINVAL;
        }

        if (ret_text)
                *ret_text = text;
        else
                free(text);
        return r;
}

int socket_port_chown(const SocketPort *p, uid_t uid, gid_t gid) {
        const char *path;

        switch (p->type) {
        case SOCKET_PORT_SOCKET:
                path = socket_address_get_path(&p->address);
                if (!path)
                        return 0;
                /* Never follow a symlink someone put in the socket's place. */
                return RET_NERRNO(lchown(path, uid, gid));
        case SOCKET_PORT_FIFO:
                return RET_NERRNO(lchown(p->path, uid, gid));
        case SOCKET_PORT_MQUEUE:
                if (p->fd < 0)
                        return -EBADF;
                return RET_NERRNO(fchown(p->fd, uid, gid));
        default:
                return 0;
        }
}

void socket_port_close(SocketPort *p, bool remove_on_stop) {
        const char *path;

        if (!p || p->fd < 0)
                return;
        p->fd = safe_close(p->fd);
        if (!remove_on_stop)
                return;

        switch (p->type) {
        case SOCKET_PORT_SOCKET:
                path = socket_address_get_path(&p->address);
                if (path)
                        (void) unlink(path);
                break;
        case SOCKET_PORT_FIFO:
                (void) unlink(p->path);
                break;
        case SOCKET_PORT_MQUEUE:
                (void) mq_unlink(p->path);
                break;
        default:
                break;
        }
}

bool socket_port_can_accept(const SocketPort *p) {
        return p->type == SOCKET_PORT_SOCKET && socket_address_can_accept(&p->address);
}

const char *socket_port_get_path(const SocketPort *p) {
        switch (p->type) {
        case SOCKET_PORT_SOCKET:
                return socket_address_get_path(&p->address);
        case SOCKET_PORT_FIFO:
        case SOCKET_PORT_SPECIAL:
                return p->path;
        default:
                return NULL;
        }
}

int socket_port_describe(const SocketPort *p, char **ret) {
        char *s;

        if (p->type == SOCKET_PORT_SOCKET)
                return socket_address_print(&p->address, ret);
        s = strdup(strempty(p->path));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* symlink(target, link), where an existing link to the same target is fine. */
static int symlink_idempotent(const char *target, const char *link) {
        char buf[PATH_MAX];
        ssize_t n;

        if (symlink(target, link) >= 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        n = readlink(link, buf, sizeof(buf) - 1);
        if (n < 0)
                return -EEXIST;
        buf[n] = '\0';
        return streq(buf, target) ? 0 : -EEXIST;
}

int socket_symlinks_create(char * const *symlinks, const char *target, mode_t directory_mode,
                           bool remove_on_stop,
                           void (*warn)(void *userdata, const char *path, int error), void *userdata) {
        int failed = 0;

        for (char * const *l = symlinks; l && *l; l++) {
                int r;

                r = symlink_idempotent(target, *l);
                if (r == -ENOENT) {
                        mkdir_parents(*l, directory_mode);
                        r = symlink_idempotent(target, *l);
                }
                if (r == -EEXIST && remove_on_stop && unlink(*l) >= 0)
                        r = RET_NERRNO(symlink(target, *l));
                if (r < 0) {
                        failed++;
                        if (warn)
                                warn(userdata, *l, r);
                }
        }
        return failed;
}

void socket_symlinks_remove(char * const *symlinks) {
        for (char * const *l = symlinks; l && *l; l++)
                (void) unlink(*l);
}

const char *socket_port_type_to_string(SocketPortType t) {
        static const char *const table[_SOCKET_PORT_TYPE_MAX] = {
                [SOCKET_PORT_SOCKET] = "Socket",
                [SOCKET_PORT_FIFO] = "FIFO",
                [SOCKET_PORT_SPECIAL] = "Special",
                [SOCKET_PORT_MQUEUE] = "MessageQueue",
                [SOCKET_PORT_USB_FUNCTION] = "USBFunction",
        };

        if (t < 0 || t >= _SOCKET_PORT_TYPE_MAX)
                return NULL;
        return table[t];
}
