/* SPDX-License-Identifier: MIT */
/*
 * echo-server: a small, fast-starting echo server for the cold-activation
 * benchmark (tools/bench/run).  A python server would measure python's start
 * time, not the activation.
 *
 *   echo-server [--exit-after N] [PORT]
 *
 * Where the listening socket comes from, first match wins:
 *   1. LISTEN_FDS=1 (socket activation; LISTEN_PID, when set, must be our
 *      pid): fd 3.
 *   2. No PORT given and fd 0 is a listening socket (xinetd wait=yes, inetd
 *      "wait" services): fd 0.
 *   3. PORT: bind 127.0.0.1:PORT itself (the already-running floor).
 *
 * Connections are served one after the other: read, write the same bytes
 * back, until EOF, then close.  Each connection has a 10 s receive timeout so
 * that a silent client cannot hold the server.  With --exit-after N the
 * server exits after N connections, so an activating peer sees its service
 * end and goes back to listening.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>

static bool is_listening_socket(int fd) {
        int v = 0;
        socklen_t len = sizeof v;

        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

/* The activated socket at fd 3 if the environment passes exactly one. */
static int listen_fd_from_env(void) {
        const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");

        if (!fds || strcmp(fds, "1") != 0)
                return -1;
        if (pid && strtol(pid, NULL, 10) != (long) getpid())
                return -1;
        return 3;
}

static int listen_loopback(unsigned long port) {
        struct sockaddr_in sa = {
                .sin_family = AF_INET,
                .sin_port = htons((uint16_t) port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        int fd, one = 1;

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            listen(fd, 4096) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static void serve(int conn) {
        struct timeval tv = { .tv_sec = 10 };
        char buf[4096];

        (void) setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        for (;;) {
                ssize_t n = read(conn, buf, sizeof buf), off = 0;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                while (off < n) {
                        ssize_t w = write(conn, buf + off, (size_t) (n - off));

                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0)
                                return;
                        off += w;
                }
        }
}

int main(int argc, char *argv[]) {
        long exit_after = -1, served = 0;
        unsigned long port = 0;
        int listen_fd;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--exit-after") == 0 && i + 1 < argc)
                        exit_after = strtol(argv[++i], NULL, 10);
                else if (argv[i][0] >= '1' && argv[i][0] <= '9')
                        port = strtoul(argv[i], NULL, 10);
                else {
                        fprintf(stderr, "usage: echo-server [--exit-after N] [PORT]\n");
                        return 2;
                }
        }

        listen_fd = listen_fd_from_env();
        if (listen_fd < 0 && port == 0 && is_listening_socket(STDIN_FILENO))
                listen_fd = STDIN_FILENO;
        if (listen_fd < 0 && port > 0 && port <= 65535)
                listen_fd = listen_loopback(port);
        if (listen_fd < 0 || !is_listening_socket(listen_fd)) {
                fprintf(stderr, "echo-server: no listening socket (LISTEN_FDS, fd 0 or PORT)\n");
                return 1;
        }

        while (exit_after < 0 || served < exit_after) {
                int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

                if (conn < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        perror("echo-server: accept4");
                        return 1;
                }
                serve(conn);
                close(conn);
                served++;
        }
        return 0;
}
