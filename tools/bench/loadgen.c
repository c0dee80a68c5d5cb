/* SPDX-License-Identifier: MIT */
/*
 * loadgen: the load client of porter's benchmark (tools/bench/run).
 *
 * Loopback only: it connects to 127.0.0.1 and nowhere else.  Every run is
 * bounded by a connection count (-n) and a wall time (-t); every connection by
 * a per-connection timeout (-T).
 *
 *   loadgen -p PORT [-n N] [-c C] [-t SECONDS] [-T MILLISECONDS]
 *       N connections at concurrency C (C threads, each taking the next
 *       connection number from a shared counter).  Each connection: connect,
 *       write one line, half-close (shutdown SHUT_WR), read the echo to EOF,
 *       compare it with the line.  Latency is connect() start to EOF; time to
 *       first byte (ttfb) is connect() start to the first byte read.
 *   loadgen --cold -p PORT [-T MILLISECONDS]
 *       One sample of the same exchange against a socket whose service is
 *       not running yet; the harness restarts the peer between samples.
 *   loadgen --wait-listen -p PORT [-t SECONDS]
 *       Wait until something listens on TCP port PORT, found through
 *       /proc/net/tcp so that no connection is made (a connection would
 *       activate the service being measured).  Exit 0 when listening, 1 on
 *       timeout.
 *
 * Output: one human line on stderr and one machine line on stdout:
 *   RESULT mode=load port=P conc=C requested=N done=D ok=K errors=E
 *          err_connect=.. err_io=.. err_timeout=.. err_mismatch=..
 *          secs=S cps=R lat_p50_ms=.. lat_p99_ms=.. lat_max_ms=..
 *          ttfb_p50_ms=.. ttfb_p99_ms=.. ttfb_max_ms=..
 * Exit status: 0 when every connection succeeded, 1 when any failed, 2 on
 * usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAX_CONCURRENCY 1024
#define MAX_CONNECTIONS 10000000

/* What one connection did; filled by the worker that ran it. */
typedef struct Sample {
        double latency_ms;      /* connect() start to EOF, < 0 when failed */
        double ttfb_ms;         /* connect() start to the first echoed byte */
} Sample;

typedef enum Failure {
        FAIL_NONE,
        FAIL_CONNECT,
        FAIL_IO,
        FAIL_TIMEOUT,
        FAIL_MISMATCH,
        _FAIL_MAX,
} Failure;

/* Everything the workers share: the configuration, the next connection
 * number and the per-connection results (each slot written by one thread). */
typedef struct Load {
        uint16_t port;
        long requested;
        int concurrency;
        int conn_timeout_ms;
        double deadline;                /* CLOCK_MONOTONIC seconds */
        atomic_long next;
        atomic_long failures[_FAIL_MAX];
        Sample *samples;
} Load;

static double now_seconds(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int set_timeouts(int fd, int timeout_ms) {
        struct timeval tv = {
                .tv_sec = timeout_ms / 1000,
                .tv_usec = (timeout_ms % 1000) * 1000,
        };

        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
                return -errno;
        return 0;
}

static Failure classify_errno(int e) {
        return e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS ? FAIL_TIMEOUT : FAIL_IO;
}

/* Reads the echo to EOF into buf (at most size bytes are kept; more is a
 * mismatch).  Sets *ret_first to the time of the first byte. */
static Failure read_echo(int fd, char *buf, size_t size, size_t *ret_len, double *ret_first) {
        size_t len = 0;
        bool first = true;

        for (;;) {
                char chunk[512];
                ssize_t n = read(fd, chunk, sizeof chunk);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return classify_errno(errno);
                }
                if (n == 0)
                        break;
                if (first) {
                        *ret_first = now_seconds();
                        first = false;
                }
                if (len + (size_t) n > size)
                        return FAIL_MISMATCH;
                memcpy(buf + len, chunk, (size_t) n);
                len += (size_t) n;
        }
        if (first)
                *ret_first = now_seconds();
        *ret_len = len;
        return FAIL_NONE;
}

/* One full exchange; returns FAIL_NONE and fills *ret on success. */
static Failure run_connection(const Load *load, long id, Sample *ret) {
        struct sockaddr_in sa = {
                .sin_family = AF_INET,
                .sin_port = htons(load->port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        char line[64], echo[128];
        size_t echo_len = 0;
        double t0, t_first = 0, t_end;
        Failure f;
        int fd, len;

        len = snprintf(line, sizeof line, "porter-bench connection %ld\n", id);
        t0 = now_seconds();
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return FAIL_CONNECT;
        if (set_timeouts(fd, load->conn_timeout_ms) < 0 ||
            connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                f = errno == EINPROGRESS || errno == ETIMEDOUT ? FAIL_TIMEOUT : FAIL_CONNECT;
                close(fd);
                return f;
        }
        if (write(fd, line, (size_t) len) != len || shutdown(fd, SHUT_WR) < 0) {
                f = classify_errno(errno);
                close(fd);
                return f;
        }
        f = read_echo(fd, echo, sizeof echo, &echo_len, &t_first);
        t_end = now_seconds();
        close(fd);
        if (f != FAIL_NONE)
                return f;
        if (echo_len != (size_t) len || memcmp(echo, line, (size_t) len) != 0)
                return FAIL_MISMATCH;
        ret->latency_ms = (t_end - t0) * 1e3;
        ret->ttfb_ms = (t_first - t0) * 1e3;
        return FAIL_NONE;
}

static void *worker(void *userdata) {
        Load *load = userdata;

        for (;;) {
                long id = atomic_fetch_add(&load->next, 1);
                Failure f;

                if (id >= load->requested)
                        break;
                if (now_seconds() >= load->deadline) {
                        /* Out of wall time: leave this slot (and the rest) undone. */
                        atomic_store(&load->next, load->requested);
                        break;
                }
                f = run_connection(load, id, &load->samples[id]);
                if (f != FAIL_NONE)
                        atomic_fetch_add(&load->failures[f], 1);
        }
        return NULL;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array; 0 for an empty one. */
static double percentile(const double *sorted, size_t n, double p) {
        size_t rank;

        if (n == 0)
                return 0;
        rank = (size_t) (p * (double) n + 0.999999);
        if (rank < 1)
                rank = 1;
        if (rank > n)
                rank = n;
        return sorted[rank - 1];
}

static void report(const Load *load, const char *mode, long done, double secs) {
        double *lat = calloc((size_t) load->requested + 1, sizeof(double));
        double *ttfb = calloc((size_t) load->requested + 1, sizeof(double));
        long fails[_FAIL_MAX], errors = 0;
        size_t ok = 0;

        if (!lat || !ttfb) {
                fprintf(stderr, "loadgen: out of memory\n");
                exit(2);
        }
        for (long i = 0; i < done && i < load->requested; i++)
                if (load->samples[i].latency_ms >= 0) {
                        lat[ok] = load->samples[i].latency_ms;
                        ttfb[ok] = load->samples[i].ttfb_ms;
                        ok++;
                }
        for (int f = 0; f < _FAIL_MAX; f++) {
                fails[f] = atomic_load(&load->failures[f]);
                errors += fails[f];
        }
        qsort(lat, ok, sizeof(double), compare_double);
        qsort(ttfb, ok, sizeof(double), compare_double);

        fprintf(stderr,
                "loadgen: %s port %u, %ld of %ld connections at concurrency %d in %.3f s: "
                "%.1f conns/s, latency p50 %.3f ms p99 %.3f ms max %.3f ms, "
                "first byte p50 %.3f ms, %ld errors\n",
                mode, load->port, done, load->requested, load->concurrency, secs,
                secs > 0 ? (double) ok / secs : 0,
                percentile(lat, ok, 0.50), percentile(lat, ok, 0.99),
                ok ? lat[ok - 1] : 0, percentile(ttfb, ok, 0.50), errors);
        printf("RESULT mode=%s port=%u conc=%d requested=%ld done=%ld ok=%zu errors=%ld "
               "err_connect=%ld err_io=%ld err_timeout=%ld err_mismatch=%ld "
               "secs=%.6f cps=%.2f lat_p50_ms=%.4f lat_p99_ms=%.4f lat_max_ms=%.4f "
               "ttfb_p50_ms=%.4f ttfb_p99_ms=%.4f ttfb_max_ms=%.4f\n",
               mode, load->port, load->concurrency, load->requested, done, ok, errors,
               fails[FAIL_CONNECT], fails[FAIL_IO], fails[FAIL_TIMEOUT], fails[FAIL_MISMATCH],
               secs, secs > 0 ? (double) ok / secs : 0,
               percentile(lat, ok, 0.50), percentile(lat, ok, 0.99), ok ? lat[ok - 1] : 0,
               percentile(ttfb, ok, 0.50), percentile(ttfb, ok, 0.99), ok ? ttfb[ok - 1] : 0);
        fflush(stdout);
        free(lat);
        free(ttfb);
}

static int run_load(Load *load, const char *mode) {
        pthread_t threads[MAX_CONCURRENCY];
        int started = 0;
        double t0, secs;
        long done;

        load->samples = calloc((size_t) load->requested, sizeof(Sample));
        if (!load->samples) {
                fprintf(stderr, "loadgen: out of memory\n");
                return 2;
        }
        for (long i = 0; i < load->requested; i++)
                load->samples[i].latency_ms = -1;

        t0 = now_seconds();
        for (int i = 0; i < load->concurrency; i++) {
                if (pthread_create(&threads[i], NULL, worker, load) != 0) {
                        fprintf(stderr, "loadgen: cannot start thread %d\n", i);
                        break;
                }
                started++;
        }
        for (int i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        secs = now_seconds() - t0;

        /* Slots past the deadline were never attempted: count only the
         * attempted ones as done. */
        done = 0;
        for (long i = 0; i < load->requested; i++)
                if (load->samples[i].latency_ms >= 0)
                        done++;
        for (int f = 1; f < _FAIL_MAX; f++)
                done += atomic_load(&load->failures[f]);

        report(load, mode, done, secs);
        free(load->samples);
        for (int f = 1; f < _FAIL_MAX; f++)
                if (atomic_load(&load->failures[f]) > 0)
                        return 1;
        return done == load->requested ? 0 : 1;
}

/* True when /proc/net/tcp (or tcp6) lists a socket in LISTEN state (0A) on
 * the port. */
static bool port_listening(uint16_t port) {
        static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };

        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
                char line[512];
                FILE *f = fopen(tables[t], "re");

                if (!f)
                        continue;
                while (fgets(line, sizeof line, f)) {
                        char local[128], remote[128];
                        unsigned state;
                        char *colon;

                        if (sscanf(line, " %*d: %127s %127s %x", local, remote, &state) != 3)
                                continue;
                        colon = strrchr(local, ':');
                        if (colon && state == 0x0A && strtoul(colon + 1, NULL, 16) == port) {
                                fclose(f);
                                return true;
                        }
                }
                fclose(f);
        }
        return false;
}

static int wait_listen(uint16_t port, double seconds) {
        double deadline = now_seconds() + seconds;

        while (now_seconds() < deadline) {
                if (port_listening(port))
                        return 0;
                usleep(2000);
        }
        fprintf(stderr, "loadgen: nothing listens on 127.0.0.1:%u after %.1f s\n", port, seconds);
        return 1;
}

static void usage(FILE *f) {
        fprintf(f,
                "usage: loadgen -p PORT [-n N] [-c C] [-t SECONDS] [-T MILLISECONDS]\n"
                "       loadgen --cold -p PORT [-T MILLISECONDS]\n"
                "       loadgen --wait-listen -p PORT [-t SECONDS]\n");
}

static long parse_long(const char *s, long min, long max, const char *what) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
                fprintf(stderr, "loadgen: invalid %s '%s' (%ld..%ld)\n", what, s, min, max);
                exit(2);
        }
        return v;
}

int main(int argc, char *argv[]) {
        enum { OPT_COLD = 0x100, OPT_WAIT_LISTEN };
        static const struct option options[] = {
                { "port",        required_argument, NULL, 'p' },
                { "count",       required_argument, NULL, 'n' },
                { "concurrency", required_argument, NULL, 'c' },
                { "time",        required_argument, NULL, 't' },
                { "timeout",     required_argument, NULL, 'T' },
                { "cold",        no_argument,       NULL, OPT_COLD },
                { "wait-listen", no_argument,       NULL, OPT_WAIT_LISTEN },
                { "help",        no_argument,       NULL, 'h' },
                {}
        };
        static Load load = {
                .requested = 1000,
                .concurrency = 1,
                .conn_timeout_ms = 10000,
        };
        bool cold = false, wait = false;
        double wall = 120;
        int c;

        while ((c = getopt_long(argc, argv, "p:n:c:t:T:h", options, NULL)) >= 0)
                switch (c) {
                case 'p': load.port = (uint16_t) parse_long(optarg, 1, 65535, "port"); break;
                case 'n': load.requested = parse_long(optarg, 1, MAX_CONNECTIONS, "count"); break;
                case 'c': load.concurrency = (int) parse_long(optarg, 1, MAX_CONCURRENCY, "concurrency"); break;
                case 't': wall = (double) parse_long(optarg, 1, 86400, "wall time"); break;
                case 'T': load.conn_timeout_ms = (int) parse_long(optarg, 1, 600000, "timeout"); break;
                case OPT_COLD: cold = true; break;
                case OPT_WAIT_LISTEN: wait = true; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        if (load.port == 0 || optind != argc) {
                usage(stderr);
                return 2;
        }
        if (wait)
                return wait_listen(load.port, wall);
        if (cold) {
                load.requested = 1;
                load.concurrency = 1;
        }
        load.deadline = now_seconds() + wall;
        return run_load(&load, cold ? "cold" : "load");
}
