/* SPDX-License-Identifier: MIT */
/* mptcp-bulk-client: the client of mptcp-bulk-server.
 *
 * Usage: mptcp-bulk-client [--tcp|--fallback] [--bytes N] [--timeout SEC] IPV4 PORT
 *
 * Connects with IPPROTO_MPTCP (--tcp: plain TCP; --fallback: plain TCP if
 * this namespace has no MPTCP), asks for N bytes (default 16 MiB), checks
 * every byte against the stream of mptcp-bulk.h and prints one line:
 *
 *   bytes=<received> seconds=<s> mbit_per_s=<rate> fnv64=<hex>
 *   intact=<yes|no> socket=<mptcp|tcp> status=<mptcp|tcp-fallback|tcp>
 *   max_subflows=<n> max_gap_ms=<ms>
 *
 * seconds runs from the sent request to the end of the stream.  status is
 * socket_mptcp_status() of the connection when the stream ended;
 * max_subflows is the largest number of subflows MPTCP_INFO reported
 * during the transfer (the initial one included; 0 when not MPTCP);
 * max_gap_ms is the longest wait between two reads that returned data: the
 * stall a path failure causes before MPTCP reinjects on the other path.
 * Exit status: 0 all N bytes arrived intact, 1 error, 3 short or corrupt. */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/mptcp.h>
#include <netinet/in.h>
#include <stdbool.h>
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

#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif

#define CHUNK (64 * 1024)
/* Sample MPTCP_INFO once per this many bytes: cheap, and often enough to
 * see a second subflow that lives for part of the transfer. */
#define SAMPLE_EVERY (256 * 1024)

typedef struct Options {
        bool tcp, fallback;
        uint64_t bytes;
        unsigned timeout_sec;
        struct sockaddr_in addr;
} Options;

typedef struct Result {
        uint64_t received, hash;
        bool intact;
        unsigned max_subflows;
        double max_gap;
} Result;

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int parse_args(int argc, char *argv[], Options *o) {
        static const struct option longopts[] = {
                { "tcp", no_argument, NULL, 't' },
                { "fallback", no_argument, NULL, 'f' },
                { "bytes", required_argument, NULL, 'b' },
                { "timeout", required_argument, NULL, 'T' },
                {}
        };
        int c;

        *o = (Options) { .bytes = 16 * 1024 * 1024, .timeout_sec = 30 };
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) >= 0)
                switch (c) {
                case 't': o->tcp = true; break;
                case 'f': o->fallback = true; break;
                case 'b': o->bytes = strtoull(optarg, NULL, 10); break;
                case 'T': o->timeout_sec = (unsigned) atoi(optarg); break;
                default: return -EINVAL;
                }
        if (argc - optind != 2 || o->bytes == 0 || o->bytes > BULK_MAX_BYTES || o->timeout_sec == 0)
                return -EINVAL;
        o->addr.sin_family = AF_INET;
        o->addr.sin_port = htons((uint16_t) atoi(argv[optind + 1]));
        if (inet_pton(AF_INET, argv[optind], &o->addr.sin_addr) != 1 || o->addr.sin_port == 0)
                return -EINVAL;
        return 0;
}

/* An MPTCP socket, or TCP when asked or (with --fallback) when the
 * namespace has no MPTCP: the errors Go's net package falls back on. */
static int open_socket(const Options *o, int *ret_protocol) {
        int proto = o->tcp ? IPPROTO_TCP : IPPROTO_MPTCP;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, proto);

        if (fd < 0 && proto == IPPROTO_MPTCP && o->fallback &&
            (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT || errno == EINVAL)) {
                proto = IPPROTO_TCP;
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, proto);
        }
        if (fd < 0)
                return -errno;
        *ret_protocol = proto;
        return fd;
}

static unsigned subflows_now(int fd) {
        struct mptcp_info info = {};
        socklen_t len = sizeof info;

        if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &info, &len) < 0)
                return 0;
        /* mptcpi_subflows counts the subflows joined after the first. */
        return (unsigned) info.mptcpi_subflows + 1;
}

static int receive_stream(int fd, uint64_t want, Result *res) {
        _cleanup_free_ uint8_t *buf = malloc(CHUNK), *expect = malloc(CHUNK);
        uint64_t next_sample = 0;
        BulkStream s;

        *res = (Result) { .hash = FNV64_INIT, .intact = true };
        if (!buf || !expect)
                return -ENOMEM;
        bulk_stream_init(&s);
        double last = now_seconds();
        for (;;) {
                ssize_t n = recv(fd, buf, CHUNK, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                double t = now_seconds();
                if (res->received > 0 && t - last > res->max_gap)
                        res->max_gap = t - last;
                last = t;
                bulk_stream_fill(&s, expect, (size_t) n);
                if (memcmp(buf, expect, (size_t) n) != 0)
                        res->intact = false;
                res->hash = fnv64_update(res->hash, buf, (size_t) n);
                res->received += (uint64_t) n;
                if (res->received >= next_sample) {
                        unsigned k = subflows_now(fd);
                        if (k > res->max_subflows)
                                res->max_subflows = k;
                        next_sample = res->received + SAMPLE_EVERY;
                }
        }
        if (res->received != want)
                res->intact = false;
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_close_ int fd = -EBADF;
        Options o;
        Result res = { .hash = FNV64_INIT };
        char request[BULK_REQUEST_MAX];
        int proto = 0, r;

        if (parse_args(argc, argv, &o) < 0) {
                fprintf(stderr, "usage: mptcp-bulk-client [--tcp|--fallback] [--bytes N] [--timeout SEC] IPV4 PORT\n");
                return 1;
        }
        fd = open_socket(&o, &proto);
        if (fd < 0) {
                fprintf(stderr, "mptcp-bulk-client: socket: %s\n", strerror(-fd));
                return 1;
        }
        const struct timeval tv = { .tv_sec = o.timeout_sec };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, (const struct sockaddr *) &o.addr, sizeof o.addr) < 0) {
                fprintf(stderr, "mptcp-bulk-client: connect: %m\n");
                return 1;
        }
        int len = snprintf(request, sizeof request, "%" PRIu64 "\n", o.bytes);
        double start = now_seconds();
        if (send(fd, request, (size_t) len, MSG_NOSIGNAL) != len) {
                fprintf(stderr, "mptcp-bulk-client: send: %m\n");
                return 1;
        }
        r = receive_stream(fd, o.bytes, &res);
        double seconds = now_seconds() - start;
        int st = socket_mptcp_status(fd);
        printf("bytes=%" PRIu64 " seconds=%.3f mbit_per_s=%.2f fnv64=%016" PRIx64
               " intact=%s socket=%s status=%s max_subflows=%u max_gap_ms=%.0f%s%s\n",
               res.received, seconds, seconds > 0 ? (double) res.received * 8 / seconds / 1e6 : 0.0,
               res.hash, res.intact ? "yes" : "no", proto == IPPROTO_MPTCP ? "mptcp" : "tcp",
               st >= 0 ? socket_mptcp_status_to_string(st) : "unknown", res.max_subflows, res.max_gap * 1000,
               r < 0 ? " error=" : "", r < 0 ? strerror(-r) : "");
        if (r < 0)
                return 1;
        return res.intact ? 0 : 3;
}
