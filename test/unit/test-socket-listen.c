/* SPDX-License-Identifier: MIT */
/* Real listeners of every kind, read back with getsockopt()/fstat().  The
 * MPTCP fallback runs in a fresh network namespace of a forked child where
 * net.mptcp.enabled=0; nothing here touches the host's settings. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "socket-listen.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

static char tmpdir[64];

static char *mfree(char *p) {
        free(p);
        return NULL;
}

static void make_tmpdir(void) {
        if (tmpdir[0])
                return;
        strcpy(tmpdir, "/tmp/porter-test-listen-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(tmpdir));
}

/* A path below this test's temporary directory. */
static char *tmp_path(const char *name) {
        make_tmpdir();
        char *p = strjoin(tmpdir, "/", name);
        ASSERT_NOT_NULL(p);
        return p;
}

/* A port that is free right now for both TCP and UDP on every address.
 * Ports are drawn below the kernel's ephemeral range (32768 and up by
 * default), so that the outgoing connections of other programs on this
 * machine (benchmarks, parallel tests) cannot take one between this probe
 * and the test's own bind(); the probe binds the wildcard, dual-stack, so it
 * fails if anyone holds the port on any address. */
static bool port_is_free(int family, int type, unsigned port) {
        union sockaddr_union u = {};
        _cleanup_close_ int fd = socket(family, type | SOCK_CLOEXEC, 0);
        socklen_t l;

        ASSERT_OK(fd);
        if (family == AF_INET6) {
                ASSERT_OK(setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0));
                u.in6 = (struct sockaddr_in6) { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port) };
                l = sizeof(u.in6);
        } else {
                u.in = (struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
                l = sizeof(u.in);
        }
        return bind(fd, &u.sa, l) >= 0;
}

static unsigned free_port(int family, int type) {
        static unsigned next;
        bool v6 = access("/proc/net/if_inet6", F_OK) >= 0;

        if (next == 0)
                next = 10000 + (unsigned) getpid() % 20000;
        /* The whole range if need be: a benchmark elsewhere on the machine
         * may hold thousands of ports in a row. */
        for (unsigned i = 0; i < 22000; i++) {
                unsigned port = next;

                next = next >= 31999 ? 10000 : next + 1;
                if (port_is_free(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, port) &&
                    port_is_free(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, port))
                        return port;
        }
        TEST_FAIL_("no free port below the ephemeral range for family %d type %d", family, type);
}

static char *loopback_address(int family, int type) {
        char *s = NULL;
        unsigned port = free_port(family, type);

        ASSERT_OK(asprintf(&s, family == AF_INET ? "127.0.0.1:%u" : "[::1]:%u", port));
        return s;
}

static int get_int(int fd, int level, int opt) {
        int v = -12345;
        ASSERT_OK(getsockopt_int(fd, level, opt, &v));
        return v;
}

/* Parse address as a Listen*= line of the given socket type. */
static void port_for(SocketPort *p, const char *address, int type) {
        socket_port_init(p, SOCKET_PORT_SOCKET);
        ASSERT_OK(socket_address_parse(&p->address, address));
        p->address.type = type;
}

/* What every opened socket must look like, whatever its kind. */
static void check_socket_basics(const SocketPort *p, int family, int type, int protocol) {
        ASSERT_OK(p->fd);
        ASSERT_EQ(get_int(p->fd, SOL_SOCKET, SO_DOMAIN), family);
        ASSERT_EQ(get_int(p->fd, SOL_SOCKET, SO_TYPE), type);
        ASSERT_EQ(get_int(p->fd, SOL_SOCKET, SO_PROTOCOL), protocol);
        ASSERT_EQ(get_int(p->fd, SOL_SOCKET, SO_REUSEADDR), 1); /* every family */
        ASSERT_EQ(get_int(p->fd, SOL_SOCKET, SO_ACCEPTCONN), type == SOCK_STREAM || type == SOCK_SEQPACKET);
        ASSERT_TRUE(fcntl(p->fd, F_GETFD) & FD_CLOEXEC);
        ASSERT_TRUE(fcntl(p->fd, F_GETFL) & O_NONBLOCK);
        ASSERT_EQ(socket_address_matches_fd(&p->address, p->fd), 1);
}

static void open_ok(SocketPort *p, const SocketOptions *o) {
        _cleanup_free_ char *text = NULL;
        int r = socket_port_open(p, o, &text);

        if (r < 0)
                TEST_FAIL_("socket_port_open: %s (%s)", strerror(-r), strna(text));
        ASSERT_NULL(text);
}

/* IPv4 and IPv6 stream and datagram listeners, each with options that are
 * read back afterwards. */
static void check_inet(int family, int type) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *addr = loopback_address(family, type);

        socket_options_init(&o);
        o.reuse_port = o.free_bind = true;
        o.bind_to_device = strdup("lo");
        if (family == AF_INET6)
                o.bind_ipv6_only = SOCKET_ADDRESS_IPV6_ONLY;
        o.keep_alive = true;
        o.ip_ttl = 9;

        port_for(&p, addr, type);
        open_ok(&p, &o);
        check_socket_basics(&p, family, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
        ASSERT_EQ(get_int(p.fd, SOL_SOCKET, SO_REUSEPORT), 1);
        ASSERT_EQ(get_int(p.fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
                          family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND), 1);
        if (family == AF_INET6)
                ASSERT_EQ(get_int(p.fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);

        /* Post-listen options are the caller's step. */
        ASSERT_EQ(get_int(p.fd, SOL_SOCKET, SO_KEEPALIVE), 0);
        ASSERT_EQ(socket_options_apply_post_listen(&o, p.fd, family, p.address.protocol, NULL, NULL), 0);
        ASSERT_EQ(get_int(p.fd, SOL_SOCKET, SO_KEEPALIVE), 1);
        ASSERT_EQ(get_int(p.fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
                          family == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS), 9);

        /* Opening twice is refused; after close it can be opened again. */
        ASSERT_ERROR(socket_port_open(&p, &o, NULL), EBUSY);
        socket_port_close(&p, false);
        ASSERT_EQ(p.fd, -EBADF);
        socket_port_done(&p);
        socket_options_done(&o);
}

TEST(stream_ipv4) {
        check_inet(AF_INET, SOCK_STREAM);
}

TEST(stream_ipv6) {
        check_inet(AF_INET6, SOCK_STREAM);
}

TEST(datagram_ipv4) {
        check_inet(AF_INET, SOCK_DGRAM);
}

TEST(datagram_ipv6) {
        check_inet(AF_INET6, SOCK_DGRAM);
}

/* "[fe80::1]:port%lo": the scope resolved at parse time reaches bind().
 * fe80::1 is not configured on lo, so FreeBind= lets the bind succeed. */
TEST(ipv6_link_local_scope) {
        SocketOptions o;
        SocketPort p;
        union sockaddr_union u = {};
        socklen_t l = sizeof(u);
        char addr[64];

        snprintf(addr, sizeof(addr), "[fe80::1]:%u%%lo", free_port(AF_INET6, SOCK_STREAM));
        socket_options_init(&o);
        o.free_bind = true;
        port_for(&p, addr, SOCK_STREAM);
        open_ok(&p, &o);
        check_socket_basics(&p, AF_INET6, SOCK_STREAM, IPPROTO_TCP);
        ASSERT_OK(RET_NERRNO(getsockname(p.fd, &u.sa, &l)));
        ASSERT_EQ(u.in6.sin6_scope_id, if_nametoindex("lo"));
        socket_port_done(&p);
}

/* The backlog is not readable with getsockopt(); ss(8) shows it as the
 * Send-Q of a listening socket (sock_diag's idiag_wqueue).  Returns -1 if ss
 * is missing or the socket was not found. */
static long ss_backlog(const char *ss_args) {
        _cleanup_free_ char *cmd = NULL;
        char line[512];
        const char *l;
        long recvq, sendq = -1;
        FILE *f;

        ASSERT_OK(asprintf(&cmd, "ss -Hl %s 2>/dev/null", ss_args));
        f = popen(cmd, "re");
        if (!f)
                return -1;
        /* "[Netid] LISTEN Recv-Q Send-Q Local ...": -x prints a Netid. */
        if (fgets(line, sizeof(line), f) && (l = strstr(line, "LISTEN")) &&
            sscanf(l, "LISTEN %ld %ld", &recvq, &sendq) != 2)
                sendq = -1;
        (void) pclose(f);
        return sendq;
}

TEST(backlog) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *addr = loopback_address(AF_INET, SOCK_STREAM), *args = NULL,
                            *path = tmp_path("backlog.sk"), *args2 = NULL;
        _cleanup_fclose_ FILE *f = fopen("/proc/sys/net/core/somaxconn", "re");
        long somaxconn = 0;

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%ld", &somaxconn), 1);
        if (ss_backlog("-t") < 0 && system("ss -V >/dev/null 2>&1") != 0) {
                fprintf(stderr, "SKIP: backlog: ss(8) is not installed\n");
                return;
        }
        socket_options_init(&o);
        o.backlog = 7;
        port_for(&p, addr, SOCK_STREAM);
        open_ok(&p, &o);
        ASSERT_OK(asprintf(&args, "-tn 'sport = :%u'", ntohs(p.address.sockaddr.in.sin_port)));
        ASSERT_EQ(ss_backlog(args), 7);
        socket_port_done(&p);

        /* The default (INT_MAX) is capped by net.core.somaxconn. */
        socket_options_init(&o);
        port_for(&p, path, SOCK_STREAM);
        open_ok(&p, &o);
        ASSERT_OK(asprintf(&args2, "-x 'src %s'", path));
        ASSERT_EQ(ss_backlog(args2), somaxconn);
        socket_port_done(&p);
}

/* Port-only "N" listens on [::]:N; BindIPv6Only= decides whether IPv4
 * clients reach it too. */
static bool ipv4_client_connects(unsigned port) {
        struct sockaddr_in in = {
                .sin_family = AF_INET,
                .sin_port = htons((uint16_t) port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        _cleanup_close_ int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ASSERT_OK(c);
        return connect(c, (struct sockaddr *) &in, sizeof(in)) >= 0;
}

TEST(port_only_bind_ipv6_only) {
        SocketOptions o;
        SocketPort p;
        unsigned port = free_port(AF_INET6, SOCK_STREAM);
        char s[16];

        if (access("/proc/net/if_inet6", F_OK) < 0) {
                fprintf(stderr, "SKIP: port_only_bind_ipv6_only: no IPv6 in this kernel\n");
                return;
        }
        snprintf(s, sizeof(s), "%u", port);
        socket_options_init(&o);

        o.bind_ipv6_only = SOCKET_ADDRESS_BOTH;
        port_for(&p, s, SOCK_STREAM);
        open_ok(&p, &o);
        check_socket_basics(&p, AF_INET6, SOCK_STREAM, IPPROTO_TCP);
        ASSERT_EQ(get_int(p.fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
        ASSERT_TRUE(ipv4_client_connects(port));
        socket_port_done(&p);

        o.bind_ipv6_only = SOCKET_ADDRESS_IPV6_ONLY;
        port_for(&p, s, SOCK_STREAM);
        open_ok(&p, &o);
        ASSERT_EQ(get_int(p.fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
        ASSERT_FALSE(ipv4_client_connects(port));
        socket_port_done(&p);
}

TEST(bind_to_device_fatal) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *addr = loopback_address(AF_INET, SOCK_STREAM), *text = NULL;
        int before = fd_count_open();

        socket_options_init(&o);
        o.bind_to_device = strdup("porter-nodev0");
        port_for(&p, addr, SOCK_STREAM);
        ASSERT_ERROR(socket_port_open(&p, &o, &text), ENODEV);
        ASSERT_EQ(p.fd, -EBADF);
        ASSERT_EQ(fd_count_open(), before); /* nothing left open */
        ASSERT_NOT_NULL(strstr(text, "BindToDevice="));
        ASSERT_NOT_NULL(strstr(text, addr));
        fprintf(stderr, "  error text: %s\n", text);
        socket_port_done(&p);
        socket_options_done(&o);
}

TEST(bind_conflict_text) {
        SocketOptions o;
        SocketPort p, q;
        _cleanup_free_ char *addr = loopback_address(AF_INET, SOCK_STREAM), *text = NULL;

        socket_options_init(&o);
        port_for(&p, addr, SOCK_STREAM);
        open_ok(&p, &o);
        port_for(&q, addr, SOCK_STREAM);
        ASSERT_ERROR(socket_port_open(&q, &o, &text), EADDRINUSE);
        ASSERT_NOT_NULL(strstr(text, "Failed to bind"));
        ASSERT_NOT_NULL(strstr(text, addr));
        socket_port_done(&p);
        socket_port_done(&q);
}

/* Unix sockets of every type: path, abstract, stream/dgram/seqpacket. */
TEST(unix_kinds) {
        static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
        SocketOptions o;
        char abstract[64];

        socket_options_init(&o);
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                _cleanup_free_ char *path = NULL;
                SocketPort p;
                struct stat st;

                ASSERT_OK(asprintf(&path, "%s/unix-%zu.sk", (make_tmpdir(), tmpdir), i));
                port_for(&p, path, types[i]);
                open_ok(&p, &o);
                check_socket_basics(&p, AF_UNIX, types[i], 0);
                ASSERT_OK(RET_NERRNO(lstat(path, &st)));
                ASSERT_TRUE(S_ISSOCK(st.st_mode));
                ASSERT_EQ(st.st_mode & 07777, 0666);
                ASSERT_EQ(st.st_uid, getuid());
                ASSERT_EQ(st.st_gid, getgid());
                ASSERT_STREQ(socket_port_get_path(&p), path);
                ASSERT_EQ(socket_port_can_accept(&p), types[i] != SOCK_DGRAM);
                socket_port_done(&p);

                snprintf(abstract, sizeof(abstract), "@porter-test-%d-%zu", (int) getpid(), i);
                port_for(&p, abstract, types[i]);
                open_ok(&p, &o);
                check_socket_basics(&p, AF_UNIX, types[i], 0);
                ASSERT_NULL(socket_port_get_path(&p));
                socket_port_done(&p);
        }
}

/* Filters chmod(), fchmod(), fchmodat() and fchmodat2() to EPERM, so a
 * listener that fixed its mode after bind() cannot succeed. */
static void forbid_chmod(void) {
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_chmod, 4, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fchmod, 3, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fchmodat, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 452 /* fchmodat2 */, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(filter), .filter = filter };

        ASSERT_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        ASSERT_OK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog));
        ASSERT_ERROR(RET_NERRNO(chmod(tmpdir, 0700)), EPERM); /* the filter works */
}

/* Run f in a forked child; its assertions abort the child, which fails
 * the test here. */
static void in_child(void (*f)(void)) {
        pid_t pid = fork();
        int status;

        ASSERT_OK(pid);
        if (pid == 0) {
                f();
                _exit(EXIT_SUCCESS);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), EXIT_SUCCESS);
}

static void unix_mode_child(void) {
        static const mode_t modes[] = { 0600, 0640, 0666, 0777, 0 };
        SocketOptions o;

        forbid_chmod();
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                _cleanup_free_ char *path = NULL;
                SocketPort p;
                struct stat st;

                /* Whatever the process umask, the node gets SocketMode=
                 * exactly, at creation. */
                (void) umask(i % 2 ? 0077 : 0);
                socket_options_init(&o);
                o.socket_mode = modes[i];
                o.directory_mode = 0711;
                ASSERT_OK(asprintf(&path, "%s/mode-%zu/sub/s.sk", tmpdir, i));
                port_for(&p, path, SOCK_STREAM);
                open_ok(&p, &o);
                ASSERT_OK(RET_NERRNO(lstat(path, &st)));
                ASSERT_EQ(st.st_mode & 07777, modes[i]);
                ASSERT_EQ(st.st_uid, getuid());
                ASSERT_EQ(umask(0), i % 2 ? 0077 : 0); /* restored */

                /* The missing parents were made with DirectoryMode (minus
                 * the process umask, as mkdir does). */
                *strrchr(path, '/') = '\0';
                ASSERT_OK(RET_NERRNO(stat(path, &st)));
                ASSERT_EQ(st.st_mode & 07777, 0711 & ~(i % 2 ? 0077 : 0));
                socket_port_done(&p);
        }
}

TEST(unix_mode_from_the_first_instant) {
        make_tmpdir();
        in_child(unix_mode_child);
}

/* EADDRINUSE: whatever is at the path is unlinked and bind() retried once,
 * a stale socket or even a regular file. */
TEST(stale_node_unlink) {
        _cleanup_free_ char *path = tmp_path("stale.sk");
        SocketOptions o;
        SocketPort p, q;
        struct stat st;
        int fd;

        socket_options_init(&o);

        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_OK(fd);
        ASSERT_EQ(write(fd, "data", 4), 4);
        safe_close(fd);
        port_for(&p, path, SOCK_STREAM);
        open_ok(&p, &o);
        ASSERT_OK(RET_NERRNO(lstat(path, &st)));
        ASSERT_TRUE(S_ISSOCK(st.st_mode));

        /* A socket node left behind by a closed listener. */
        socket_port_close(&p, false);
        ASSERT_OK(RET_NERRNO(lstat(path, &st)));
        open_ok(&p, &o);
        check_socket_basics(&p, AF_UNIX, SOCK_STREAM, 0);

        /* Even a live listener's node is taken over, as under systemd. */
        port_for(&q, path, SOCK_STREAM);
        open_ok(&q, &o);
        socket_port_done(&p);
        socket_port_done(&q);
}

TEST(stale_node_unlink_fails) {
        _cleanup_free_ char *path = tmp_path("a-directory"), *text = NULL;
        SocketOptions o;
        SocketPort p;

        /* A directory cannot be unlink()ed: the original error stays. */
        ASSERT_OK(RET_NERRNO(mkdir(path, 0755)));
        socket_options_init(&o);
        port_for(&p, path, SOCK_STREAM);
        ASSERT_ERROR(socket_port_open(&p, &o, &text), EADDRINUSE);
        ASSERT_NOT_NULL(strstr(text, path));
        ASSERT_EQ(p.fd, -EBADF);
        ASSERT_OK(RET_NERRNO(rmdir(path)));
}

TEST(remove_on_stop_and_chown) {
        _cleanup_free_ char *path = tmp_path("rm.sk");
        SocketOptions o;
        SocketPort p;
        struct stat st;

        socket_options_init(&o);
        port_for(&p, path, SOCK_STREAM);
        open_ok(&p, &o);
        if (geteuid() == 0) {
                ASSERT_OK(socket_port_chown(&p, 4242, 4343));
                ASSERT_OK(RET_NERRNO(lstat(path, &st)));
                ASSERT_EQ(st.st_uid, 4242);
                ASSERT_EQ(st.st_gid, 4343);
                ASSERT_OK(socket_port_chown(&p, (uid_t) -1, 0)); /* group only */
                ASSERT_OK(RET_NERRNO(lstat(path, &st)));
                ASSERT_EQ(st.st_uid, 4242);
                ASSERT_EQ(st.st_gid, 0);
        } else
                fprintf(stderr, "SKIP: chown needs root\n");

        socket_port_close(&p, false);
        ASSERT_OK(RET_NERRNO(access(path, F_OK))); /* nodes normally stay */
        open_ok(&p, &o);
        socket_port_close(&p, true);
        ASSERT_ERROR(RET_NERRNO(access(path, F_OK)), ENOENT);
        socket_port_close(&p, true); /* closed already: nothing happens */
        socket_port_done(&p);
}

static void fifo_port(SocketPort *p, const char *path) {
        socket_port_init(p, SOCKET_PORT_FIFO);
        p->path = strdup(path);
        ASSERT_NOT_NULL(p->path);
}

TEST(fifo) {
        _cleanup_free_ char *path = tmp_path("dir-f/fifo"), *text = NULL;
        SocketOptions o;
        SocketPort p;
        struct stat st;
        mode_t old = umask(0022);

        socket_options_init(&o);
        o.socket_mode = 0666;
        o.pipe_size = 1 << 17;
        fifo_port(&p, path);
        open_ok(&p, &o);
        ASSERT_OK(RET_NERRNO(fstat(p.fd, &st)));
        ASSERT_TRUE(S_ISFIFO(st.st_mode));
        ASSERT_EQ(st.st_mode & 07777, 0644); /* SocketMode & ~umask for FIFOs */
        ASSERT_EQ(fcntl(p.fd, F_GETFL) & O_ACCMODE, O_RDWR);
        ASSERT_TRUE(fcntl(p.fd, F_GETFD) & FD_CLOEXEC);
        ASSERT_EQ(socket_options_apply_fifo(&o, p.fd, NULL, NULL), 0);
        ASSERT_EQ(fcntl(p.fd, F_GETPIPE_SZ), 1 << 17);
        ASSERT_STREQ(socket_port_get_path(&p), path);
        ASSERT_FALSE(socket_port_can_accept(&p));

        /* Reopening the same node with the same mode and owner is fine. */
        socket_port_close(&p, false);
        open_ok(&p, &o);
        socket_port_close(&p, false);

        /* Another mode: refused with EEXIST. */
        o.socket_mode = 0600;
        ASSERT_ERROR(socket_port_open(&p, &o, &text), EEXIST);
        ASSERT_NOT_NULL(strstr(text, path));
        fprintf(stderr, "  mode refusal: %s\n", text);
        o.socket_mode = 0666;

        /* Another owner (as after SocketUser= chown): refused too. */
        if (geteuid() == 0) {
                ASSERT_OK(RET_NERRNO(chown(path, 4242, (gid_t) -1)));
                text = mfree(text);
                ASSERT_ERROR(socket_port_open(&p, &o, &text), EEXIST);
                fprintf(stderr, "  owner refusal: %s\n", text);
                ASSERT_OK(RET_NERRNO(chown(path, getuid(), getgid())));
        }

        open_ok(&p, &o);
        socket_port_close(&p, true);
        ASSERT_ERROR(RET_NERRNO(access(path, F_OK)), ENOENT);

        /* A regular file at the path is not a FIFO. */
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_OK(fd);
        safe_close(fd);
        text = mfree(text);
        ASSERT_ERROR(socket_port_open(&p, &o, &text), EEXIST);
        ASSERT_OK(RET_NERRNO(unlink(path)));
        socket_port_done(&p);
        (void) umask(old);
}

TEST(special) {
        _cleanup_free_ char *file = tmp_path("special-file"), *text = NULL;
        SocketOptions o;
        SocketPort p;
        int fd;

        socket_options_init(&o);
        socket_port_init(&p, SOCKET_PORT_SPECIAL);
        p.path = strdup("/dev/null");
        open_ok(&p, &o);
        ASSERT_EQ(fcntl(p.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        socket_port_close(&p, true); /* never removes a special file */
        ASSERT_OK(RET_NERRNO(access("/dev/null", F_OK)));
        o.writable = true;
        open_ok(&p, &o);
        ASSERT_EQ(fcntl(p.fd, F_GETFL) & O_ACCMODE, O_RDWR);
        socket_port_done(&p);

        fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_OK(fd);
        safe_close(fd);
        socket_port_init(&p, SOCKET_PORT_SPECIAL);
        p.path = strdup(file);
        open_ok(&p, &o);
        socket_port_done(&p);

        /* Directories and missing files are refused. */
        socket_port_init(&p, SOCKET_PORT_SPECIAL);
        p.path = strdup(tmpdir);
        o.writable = false;
        ASSERT_ERROR(socket_port_open(&p, &o, &text), EEXIST);
        socket_port_done(&p);
        socket_port_init(&p, SOCKET_PORT_SPECIAL);
        p.path = tmp_path("does-not-exist");
        text = mfree(text);
        ASSERT_ERROR(socket_port_open(&p, &o, &text), ENOENT);
        ASSERT_NOT_NULL(strstr(text, p.path));
        socket_port_done(&p);
}

TEST(message_queue) {
        SocketOptions o;
        SocketPort p;
        struct mq_attr attr;
        struct stat st;
        char name[64];
        mode_t old = umask(0);

        snprintf(name, sizeof(name), "/porter-test-%d", (int) getpid());
        socket_options_init(&o);
        o.socket_mode = 0640;
        o.mq_maxmsg = 3;
        o.mq_msgsize = 64;
        socket_port_init(&p, SOCKET_PORT_MQUEUE);
        p.path = strdup(name);
        open_ok(&p, &o);
        ASSERT_OK(RET_NERRNO(mq_getattr(p.fd, &attr)));
        ASSERT_EQ(attr.mq_maxmsg, 3);
        ASSERT_EQ(attr.mq_msgsize, 64);
        ASSERT_TRUE(attr.mq_flags & O_NONBLOCK);
        ASSERT_OK(RET_NERRNO(fstat(p.fd, &st)));
        ASSERT_EQ(st.st_mode & 07777, 0640);
        ASSERT_TRUE(fcntl(p.fd, F_GETFD) & FD_CLOEXEC);
        if (geteuid() == 0) {
                ASSERT_OK(socket_port_chown(&p, 4242, 4242));
                ASSERT_OK(RET_NERRNO(fstat(p.fd, &st)));
                ASSERT_EQ(st.st_uid, 4242);
                /* ...and a queue owned by someone else is refused next time. */
                socket_port_close(&p, false);
                ASSERT_ERROR(socket_port_open(&p, &o, NULL), EEXIST);
                ASSERT_OK(RET_NERRNO(mq_unlink(name)));
                open_ok(&p, &o);
        }
        socket_port_close(&p, true);
        ASSERT_ERROR(RET_NERRNO(mq_open(name, O_RDONLY | O_CLOEXEC)), ENOENT);
        socket_port_done(&p);
        (void) umask(old);
}

TEST(netlink) {
        SocketOptions o;
        SocketPort p;

        socket_options_init(&o);
        socket_port_init(&p, SOCKET_PORT_SOCKET);
        ASSERT_OK(socket_address_parse_netlink(&p.address, "route 1")); /* RTMGRP_LINK */
        open_ok(&p, &o);
        check_socket_basics(&p, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        socket_port_done(&p);

        socket_port_init(&p, SOCKET_PORT_SOCKET);
        ASSERT_OK(socket_address_parse_netlink(&p.address, "kobject-uevent 1"));
        open_ok(&p, &o);
        check_socket_basics(&p, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT);
        socket_port_done(&p);
}

TEST(vsock) {
        SocketOptions o;
        SocketPort p;
        _cleanup_close_ int probe = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        char addr[64];

        if (probe < 0) {
                fprintf(stderr, "SKIP: vsock: %s\n", strerror(errno));
                return;
        }
        socket_options_init(&o);
        snprintf(addr, sizeof(addr), "vsock::%u", 20000u + (unsigned) getpid() % 20000u);
        port_for(&p, addr, SOCK_STREAM);
        open_ok(&p, &o);
        check_socket_basics(&p, AF_VSOCK, SOCK_STREAM, 0);
        socket_port_done(&p);
}

TEST(usb_function_refused) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *text = NULL;

        socket_options_init(&o);
        socket_port_init(&p, SOCKET_PORT_USB_FUNCTION);
        p.path = strdup("/dev/usb-ffs/adb");
        ASSERT_ERROR(socket_port_open(&p, &o, &text), EOPNOTSUPP);
        ASSERT_NOT_NULL(strstr(text, "ListenUSBFunction=/dev/usb-ffs/adb"));
        ASSERT_NOT_NULL(strstr(text, "not supported"));
        socket_port_done(&p);
}

TEST(udplite) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *addr = loopback_address(AF_INET, SOCK_DGRAM);

        socket_options_init(&o);
        o.socket_protocol = IPPROTO_UDPLITE;
        port_for(&p, addr, SOCK_DGRAM);
        open_ok(&p, &o);
        check_socket_basics(&p, AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
        ASSERT_EQ(p.address.protocol, IPPROTO_UDPLITE);
        socket_port_done(&p);

        /* udplite on a stream port is ignored (spec §3): plain TCP. */
        free(addr);
        addr = loopback_address(AF_INET, SOCK_STREAM);
        port_for(&p, addr, SOCK_STREAM);
        open_ok(&p, &o);
        check_socket_basics(&p, AF_INET, SOCK_STREAM, IPPROTO_TCP);
        socket_port_done(&p);
}

TEST(sctp) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *addr = loopback_address(AF_INET, SOCK_STREAM), *text = NULL;
        _cleanup_close_ int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
        int r;

        socket_options_init(&o);
        o.socket_protocol = IPPROTO_SCTP;
        port_for(&p, addr, SOCK_STREAM);
        r = socket_port_open(&p, &o, &text);
        if (probe < 0) {
                /* No SCTP in this kernel: a clear error naming protocol,
                 * address and errno; never a silent TCP socket. */
                ASSERT_EQ(r, -errno);
                ASSERT_EQ(p.fd, -EBADF);
                ASSERT_NOT_NULL(strstr(text, "SCTP"));
                ASSERT_NOT_NULL(strstr(text, addr));
                ASSERT_NOT_NULL(strstr(text, strerror(-r)));
                fprintf(stderr, "  error text: %s\n", text);
                fprintf(stderr, "SKIP: working SCTP listener: this kernel has no SCTP (%s)\n", strerror(-r));
        } else {
                ASSERT_OK(r);
                check_socket_basics(&p, AF_INET, SOCK_STREAM, IPPROTO_SCTP);
                fprintf(stderr, "SKIP: SCTP error text: this kernel has SCTP\n");
        }
        socket_port_done(&p);
}

/* Whether this kernel makes MPTCP sockets at all; prints why not. */
static bool mptcp_available(const char *test) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

        if (fd < 0) {
                fprintf(stderr, "SKIP: %s: no MPTCP in this kernel (%s)\n", test, strerror(errno));
                return false;
        }
        safe_close(fd);
        return true;
}

/* An MPTCP listener with an MPTCP and with a plain TCP client. */
static void check_mptcp(int family) {
        SocketOptions o;
        SocketPort p;
        _cleanup_free_ char *addr = loopback_address(family, SOCK_STREAM);
        _cleanup_close_ int c = -EBADF, a = -EBADF, c2 = -EBADF, a2 = -EBADF;

        if (!mptcp_available(family == AF_INET ? "mptcp_ipv4" : "mptcp_ipv6"))
                return;
        socket_options_init(&o);
        o.socket_protocol = IPPROTO_MPTCP;
        o.no_delay = true;
        port_for(&p, addr, SOCK_STREAM);
        open_ok(&p, &o);
        check_socket_basics(&p, family, SOCK_STREAM, IPPROTO_MPTCP);
        ASSERT_FALSE(p.mptcp_fell_back);
        ASSERT_EQ(p.address.protocol, IPPROTO_MPTCP);
        ASSERT_EQ(get_int(p.fd, IPPROTO_TCP, TCP_IS_MPTCP), 1);

        c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
        ASSERT_OK(c);
        ASSERT_OK(RET_NERRNO(connect(c, &p.address.sockaddr.sa, p.address.size)));
        a = accept4(p.fd, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_OK(a);
        ASSERT_EQ(get_int(c, IPPROTO_TCP, TCP_IS_MPTCP), 1);
        ASSERT_EQ(get_int(a, IPPROTO_TCP, TCP_IS_MPTCP), 1);
        ASSERT_EQ(socket_mptcp_status(c), SOCKET_MPTCP);
        ASSERT_EQ(socket_mptcp_status_accepted(a, p.address.protocol), SOCKET_MPTCP);
        /* The same post-listen call serves accepted connections. */
        ASSERT_EQ(socket_options_apply_post_listen(&o, a, family, p.address.protocol, NULL, NULL), 0);
        ASSERT_EQ(get_int(a, IPPROTO_TCP, TCP_NODELAY), 1);

        c2 = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(c2);
        ASSERT_OK(RET_NERRNO(connect(c2, &p.address.sockaddr.sa, p.address.size)));
        a2 = accept4(p.fd, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_OK(a2);
        ASSERT_EQ(get_int(a2, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
        ASSERT_EQ(get_int(a2, IPPROTO_TCP, TCP_IS_MPTCP), 0);
        ASSERT_EQ(socket_mptcp_status_accepted(a2, p.address.protocol), SOCKET_TCP_FALLBACK);
        socket_port_done(&p);
}

TEST(mptcp_ipv4) {
        check_mptcp(AF_INET);
}

TEST(mptcp_ipv6) {
        check_mptcp(AF_INET6);
}

/* Port-only MPTCP listener on [::] serving an IPv4 MPTCP client: the
 * pre-bind IPV6_V6ONLY (fatal in systemd) must work on MPTCP sockets. */
TEST(mptcp_dual_stack) {
        SocketOptions o;
        SocketPort p;
        unsigned port = free_port(AF_INET6, SOCK_STREAM);
        struct sockaddr_in in = {
                .sin_family = AF_INET,
                .sin_port = htons((uint16_t) port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        _cleanup_close_ int c = -EBADF, a = -EBADF;
        char s[16];

        if (access("/proc/net/if_inet6", F_OK) < 0) {
                fprintf(stderr, "SKIP: mptcp_dual_stack: no IPv6\n");
                return;
        }
        if (!mptcp_available("mptcp_dual_stack"))
                return;
        snprintf(s, sizeof(s), "%u", port);
        socket_options_init(&o);
        o.socket_protocol = IPPROTO_MPTCP;
        o.bind_ipv6_only = SOCKET_ADDRESS_BOTH;
        port_for(&p, s, SOCK_STREAM);
        open_ok(&p, &o);
        check_socket_basics(&p, AF_INET6, SOCK_STREAM, IPPROTO_MPTCP);

        c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
        ASSERT_OK(c);
        ASSERT_OK(RET_NERRNO(connect(c, (struct sockaddr *) &in, sizeof(in))));
        a = accept4(p.fd, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_OK(a);
        ASSERT_EQ(socket_mptcp_status(c), SOCKET_MPTCP);
        ASSERT_EQ(socket_mptcp_status_accepted(a, p.address.protocol), SOCKET_MPTCP);
        socket_port_done(&p);
}

TEST(mptcp_on_unix_is_an_error) {
        _cleanup_free_ char *path = tmp_path("mptcp.sk"), *text = NULL;
        SocketOptions o;
        SocketPort p;

        /* No fallback outside INET: the loader refuses this combination
         * (socket_protocol_fits()), and the opener fails like systemd. */
        socket_options_init(&o);
        o.socket_protocol = IPPROTO_MPTCP;
        port_for(&p, path, SOCK_STREAM);
        ASSERT_ERROR(socket_port_open(&p, &o, &text), EPROTONOSUPPORT);
        ASSERT_FALSE(p.mptcp_fell_back);
        ASSERT_NOT_NULL(strstr(text, "MPTCP"));
        socket_port_done(&p);
}

/* Bring up "lo" in the current (fresh) network namespace. */
static void loopback_up(void) {
        struct ifreq ifr = {};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        ASSERT_OK(fd);
        strcpy(ifr.ifr_name, "lo");
        ASSERT_OK(ioctl(fd, SIOCGIFFLAGS, &ifr));
        ifr.ifr_flags |= IFF_UP;
        ASSERT_OK(ioctl(fd, SIOCSIFFLAGS, &ifr));
}

static void mptcp_fallback_child(void) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int c = -EBADF, a = -EBADF;
        SocketOptions o;
        SocketPort p;
        int fd;

        ASSERT_OK(unshare(CLONE_NEWNET));
        loopback_up();
        /* /proc/sys/net is the opener's network namespace: this child's. */
        fd = open("/proc/sys/net/mptcp/enabled", O_WRONLY | O_CLOEXEC);
        ASSERT_OK(fd);
        ASSERT_EQ(write(fd, "0", 1), 1);
        safe_close(fd);
        ASSERT_ERROR(RET_NERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)), ENOPROTOOPT);

        socket_options_init(&o);
        o.socket_protocol = IPPROTO_MPTCP;
        port_for(&p, "127.0.0.1:4444", SOCK_STREAM);
        ASSERT_OK(socket_port_open(&p, &o, &text));
        ASSERT_TRUE(p.mptcp_fell_back);
        ASSERT_EQ(p.fallback_error, -ENOPROTOOPT);
        ASSERT_EQ(p.address.protocol, 0);
        check_socket_basics(&p, AF_INET, SOCK_STREAM, IPPROTO_TCP);
        ASSERT_NOT_NULL(text);
        ASSERT_NOT_NULL(strstr(text, "127.0.0.1:4444"));
        ASSERT_NOT_NULL(strstr(text, "falling back"));
        ASSERT_NOT_NULL(strstr(text, strerror(ENOPROTOOPT)));
        fprintf(stderr, "  fallback warning: %s\n", text);

        /* The fallen-back listener works. */
        c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(c);
        ASSERT_OK(RET_NERRNO(connect(c, &p.address.sockaddr.sa, p.address.size)));
        a = accept4(p.fd, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_OK(a);
        ASSERT_EQ(socket_mptcp_status_accepted(a, p.address.protocol), SOCKET_TCP_PLAIN);
        socket_port_done(&p);

        /* Strict: MPTCP or nothing. */
        text = mfree(text);
        o.mptcp_strict = true;
        port_for(&p, "[::1]:4444", SOCK_STREAM);
        ASSERT_ERROR(socket_port_open(&p, &o, &text), ENOPROTOOPT);
        ASSERT_EQ(p.fd, -EBADF);
        ASSERT_FALSE(p.mptcp_fell_back);
        ASSERT_NOT_NULL(strstr(text, "[::1]:4444"));
        ASSERT_NOT_NULL(strstr(text, "MPTCP"));
        fprintf(stderr, "  strict error: %s\n", text);
        socket_port_done(&p);
}

TEST(mptcp_fallback_in_netns) {
        if (access("/proc/sys/net/mptcp/enabled", F_OK) < 0) {
                fprintf(stderr, "SKIP: mptcp_fallback_in_netns: no net.mptcp.enabled sysctl\n");
                return;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: mptcp_fallback_in_netns: needs root for unshare(CLONE_NEWNET)\n");
                return;
        }
        in_child(mptcp_fallback_child);
}

static void collect_symlink(void *userdata, const char *path, int error) {
        unsigned *n = userdata;
        (*n)++;
        fprintf(stderr, "  symlink warning: %s: %s\n", path, strerror(-error));
}

TEST(symlinks) {
        _cleanup_free_ char *target = tmp_path("target.sk"), *l1 = tmp_path("links/a/l1"),
                            *l2 = tmp_path("l2"), *other = tmp_path("other");
        _cleanup_strv_free_ char **links = NULL;
        char buf[256];
        ssize_t n;
        unsigned warnings = 0;
        int fd;

        ASSERT_OK(strv_extend(&links, l1));
        ASSERT_OK(strv_extend(&links, l2));

        ASSERT_EQ(socket_symlinks_create(links, target, 0755, false, collect_symlink, &warnings), 0);
        n = readlink(l1, buf, sizeof(buf) - 1);
        ASSERT_TRUE(n > 0);
        buf[n] = '\0';
        ASSERT_STREQ(buf, target);

        /* Already there and right: success again. */
        ASSERT_EQ(socket_symlinks_create(links, target, 0755, false, collect_symlink, &warnings), 0);

        /* Something else at l2: a warning, unless RemoveOnStop= lets us
         * replace it. */
        ASSERT_OK(RET_NERRNO(unlink(l2)));
        fd = open(l2, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_OK(fd);
        safe_close(fd);
        ASSERT_EQ(socket_symlinks_create(links, other, 0755, false, collect_symlink, &warnings), 2);
        ASSERT_EQ(warnings, 2);
        ASSERT_EQ(socket_symlinks_create(links, other, 0755, true, collect_symlink, &warnings), 0);
        n = readlink(l2, buf, sizeof(buf) - 1);
        ASSERT_TRUE(n > 0);
        buf[n] = '\0';
        ASSERT_STREQ(buf, other);

        socket_symlinks_remove(links);
        struct stat st;
        ASSERT_ERROR(RET_NERRNO(lstat(l1, &st)), ENOENT);
        ASSERT_ERROR(RET_NERRNO(lstat(l2, &st)), ENOENT);
}

TEST(describe_and_type_names) {
        SocketPort p;
        _cleanup_free_ char *s = NULL, *t = NULL;

        port_for(&p, "127.0.0.1:80", SOCK_STREAM);
        ASSERT_OK(socket_port_describe(&p, &s));
        ASSERT_STREQ(s, "127.0.0.1:80");
        socket_port_done(&p);
        socket_port_init(&p, SOCKET_PORT_FIFO);
        p.path = strdup("/run/f");
        ASSERT_OK(socket_port_describe(&p, &t));
        ASSERT_STREQ(t, "/run/f");
        socket_port_done(&p);

        ASSERT_STREQ(socket_port_type_to_string(SOCKET_PORT_SOCKET), "Socket");
        ASSERT_STREQ(socket_port_type_to_string(SOCKET_PORT_MQUEUE), "MessageQueue");
        ASSERT_NULL(socket_port_type_to_string(_SOCKET_PORT_TYPE_MAX));
}

/* Last: remove what the tests left in the temporary directory. */
TEST(zz_cleanup) {
        _cleanup_free_ char *cmd = NULL;

        if (!tmpdir[0])
                return;
        ASSERT_OK(asprintf(&cmd, "rm -rf '%s'", tmpdir));
        ASSERT_EQ(system(cmd), 0);
}

RUN_TESTS();
