/* SPDX-License-Identifier: MIT */
/* daemon-reexec: porterd executes itself again, keeping its sockets and
 * services (src/core/manager-serialize.h).  As systemctl: the call returns
 * when porterd replied or the connection closed with the exec; then we
 * wait, bounded, until the new porterd answers on the control socket. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "porterctl-bus.h"
#include "porterctl-verbs.h"

#define REEXEC_WAIT_USEC (30ULL * 1000000ULL)   /* for the new porterd to answer */
#define REEXEC_CALL_USEC (5ULL * 1000000ULL)    /* per attempt */

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

/* 0 when porterd answers a method call on a new connection, else -errno. */
static int porterd_answers(const PorterctlArgs *args) {
        sd_bus *bus = NULL;
        int r = porterctl_connect_quiet(args, &bus);

        if (r >= 0)
                r = sd_bus_set_method_call_timeout(bus, REEXEC_CALL_USEC);
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH,
                                       PORTER_BUS_MANAGER_IFACE, "ListJobs", NULL, NULL, NULL);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? r : 0;
}

/* Did the call fail only because porterd's side closed with the exec? */
static bool closed_by_exec(int r, const sd_bus_error *e) {
        return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ECONNABORTED ||
               sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
               sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED);
}

int verb_daemon_reexec(int argc, char *argv[], void *userdata) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        int r;

        if (porterctl_connect(userdata, &bus) < 0)
                return 1;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", PORTER_BUS_MANAGER_PATH, PORTER_BUS_MANAGER_IFACE,
                               "Reexecute", &e, NULL, NULL);
        sd_bus_flush_close_unref(bus);
        if (r < 0 && !closed_by_exec(r, &e)) {
                log_error("Failed to re-execute daemon: %s", e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                return 1;
        }
        sd_bus_error_free(&e);

        uint64_t end = now_usec() + REEXEC_WAIT_USEC;
        for (;;) {
                r = porterd_answers(userdata);
                if (r >= 0)
                        return 0;
                if (now_usec() >= end)
                        break;
                nanosleep(&(struct timespec) { .tv_nsec = 20 * 1000 * 1000 }, NULL);
        }
        log_error("porterd did not answer within %llu s after re-executing: %s",
                  (unsigned long long) (REEXEC_WAIT_USEC / 1000000ULL), strerror(-r));
        return 1;
}
