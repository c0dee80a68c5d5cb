/* SPDX-License-Identifier: MIT */
/* mptcp-bulk-server: a bulk-transfer service for the Multipath TCP lab.
 *
 * Usage: mptcp-bulk-server [--log FILE]
 *
 * Takes one listening stream socket at fd 3 by the sd_listen_fds() protocol
 * (LISTEN_PID, LISTEN_FDS; Accept=no), accepts in a loop and serves each
 * connection in a child process: it reads a decimal byte count line and
 * sends that many bytes of the stream of mptcp-bulk.h, then closes.  For
 * every connection it appends one line to FILE (or stdout):
 *
 *   conn peer=<addr:port> listener=<mptcp|tcp> status=<mptcp|tcp-fallback|tcp>
 *        bytes=<sent> fnv64=<hex> seconds=<s> result=<ok|error:...>
 *
 * listener is the SO_PROTOCOL of fd 3 (tcp when porter fell back to TCP),
 * status is socket_mptcp_status_accepted() of the connection.
 * Exit status: 1 on a start-up error; otherwise it runs until killed. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "mptcp-bulk.h"
#include "socket-util.h"

#define LISTEN_FD 3
#define CHUNK (64 * 1024)
/* A stalled peer must not pin a child for ever. */
#define IO_TIMEOUT_SEC 30

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* One write() per line, on an O_APPEND fd: lines of concurrent children
 * never interleave. */
static void log_line(int log_fd, const char *line) {
        size_t n = strlen(line);
        if (write(log_fd, line, n) != (ssize_t) n)
                fprintf(stderr, "mptcp-bulk-server: log write failed: %m\n");
}

/* Read the request line: a decimal byte count. */
static int read_request(int fd, uint64_t *ret) {
        char buf[BULK_REQUEST_MAX];
        size_t have = 0;

        for (;;) {
                if (have == sizeof buf - 1)
                        return -EMSGSIZE;
                ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EPIPE;
                have += (size_t) n;
                buf[have] = '\0';
                if (strchr(buf, '\n'))
                        break;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 10);
        if (errno != 0 || end == buf || *end != '\n' || v > BULK_MAX_BYTES)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int send_all(int fd, const uint8_t *p, size_t n) {
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Send the stream; *sent and *hash cover what send() accepted. */
static int send_stream(int fd, uint64_t total, uint64_t *sent, uint64_t *hash) {
        _cleanup_free_ uint8_t *buf = malloc(CHUNK);
        BulkStream s;

        if (!buf)
                return -ENOMEM;
        bulk_stream_init(&s);
        while (*sent < total) {
                size_t n = total - *sent < CHUNK ? (size_t) (total - *sent) : CHUNK;
                bulk_stream_fill(&s, buf, n);
                int r = send_all(fd, buf, n);
                if (r < 0)
                        return r;
                *hash = fnv64_update(*hash, buf, n);
                *sent += n;
        }
        return 0;
}

static void serve(int cfd, int listen_protocol, const char *peer, int log_fd) {
        const struct timeval tv = { .tv_sec = IO_TIMEOUT_SEC };
        uint64_t total = 0, sent = 0, hash = FNV64_INIT;
        double start = now_seconds();
        char line[512];
        int r;

        (void) setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void) setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int st = socket_mptcp_status_accepted(cfd, listen_protocol);
        r = read_request(cfd, &total);
        if (r >= 0)
                r = send_stream(cfd, total, &sent, &hash);
        if (r >= 0 && shutdown(cfd, SHUT_WR) < 0)
                r = -errno;
        snprintf(line, sizeof line,
                 "conn peer=%s listener=%s status=%s bytes=%" PRIu64 " fnv64=%016" PRIx64 " seconds=%.3f result=%s%s\n",
                 peer, listen_protocol == IPPROTO_MPTCP ? "mptcp" : "tcp",
                 st >= 0 ? socket_mptcp_status_to_string(st) : "unknown",
                 sent, hash, now_seconds() - start, r >= 0 ? "ok" : "error:", r >= 0 ? "" : strerror(-r));
        log_line(log_fd, line);
}

static int check_listen_fds(void) {
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        char self[32];

        snprintf(self, sizeof self, "%ld", (long) getpid());
        if (!pid || !fds || strcmp(pid, self) != 0 || atoi(fds) < 1)
                return -ENXIO;
        if (fcntl(LISTEN_FD, F_SETFD, FD_CLOEXEC) < 0)
                return -errno;
        return 0;
}

int main(int argc, char *argv[]) {
        int log_fd = STDOUT_FILENO, listen_protocol = 0;

        if (argc == 3 && strcmp(argv[1], "--log") == 0) {
                log_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_fd < 0) {
                        fprintf(stderr, "mptcp-bulk-server: cannot open '%s': %m\n", argv[2]);
                        return 1;
                }
        } else if (argc != 1) {
                fprintf(stderr, "usage: mptcp-bulk-server [--log FILE]\n");
                return 1;
        }
        if (check_listen_fds() < 0) {
                fprintf(stderr, "mptcp-bulk-server: no listening socket passed (LISTEN_PID/LISTEN_FDS)\n");
                return 1;
        }
        if (getsockopt_int(LISTEN_FD, SOL_SOCKET, SO_PROTOCOL, &listen_protocol) < 0) {
                fprintf(stderr, "mptcp-bulk-server: fd 3 is not a socket\n");
                return 1;
        }
        /* Children are reaped by the kernel: no zombies, no SIGCHLD handler. */
        const struct sigaction sa = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
        (void) sigaction(SIGCHLD, &sa, NULL);

        for (;;) {
                union sockaddr_union peer;
                socklen_t len = sizeof peer;
                int cfd = accept4(LISTEN_FD, &peer.sa, &len, SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
                                continue;
                        fprintf(stderr, "mptcp-bulk-server: accept: %m\n");
                        return 1;
                }
                pid_t pid = fork();
                if (pid == 0) {
                        _cleanup_free_ char *addr = NULL;
                        if (sockaddr_pretty(&peer.sa, len, true, &addr) < 0)
                                addr = NULL;
                        serve(cfd, listen_protocol, addr ?: "?", log_fd);
                        _exit(0);
                }
                if (pid < 0)
                        fprintf(stderr, "mptcp-bulk-server: fork: %m\n");
                safe_close(cfd);
        }
}
