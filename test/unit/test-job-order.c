/* SPDX-License-Identifier: MIT */
/* Ordering through the fake seam: Before= and After= for start jobs queued
 * together, stop jobs in reverse order with their Requires= dependents,
 * porterd's shutdown in reverse dependency order (a socket after its
 * service), ordering cycles, and Accept=no triggering through a start job.
 * Which process got SIGTERM when is read from the fake seam's kill log. */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "core-fake-ops.h"
#include "fd-util.h"
#include "job.h"
#include "socket-unit.h"
#include "service-unit.h"

static pid_t main_pid(Unit *u) {
        return SERVICE(u)->main_process.pid;
}

/* Was pid sent SIGTERM (by the fake seam's log)? */
static bool got_sigterm(pid_t pid) {
        for (unsigned i = 0; i < fake.n_kills; i++)
                if (fake.kills[i].pid == pid && fake.kills[i].sig == SIGTERM)
                        return true;
        return false;
}

static int exit_code(Manager *m) {
        int code = -1;
        if (sd_event_get_exit_code(m->event, &code) < 0)
                return -1;
        return code;
}

static const char *sleeper = "[Service]\nExecStart=/bin/sleep 100\n";

TEST(before_orders_start_jobs_queued_together) {
        Manager *m = fake_manager_loop_clock();
        write_unit("a.service", "[Unit]\nBefore=b.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n");
        write_unit("b.service", sleeper);
        Unit *a = load_unit(m, "a.service"), *b = load_unit(m, "b.service");

        /* b first in the list: it still waits for a (b is after a). */
        Unit *units[] = { b, a };
        ASSERT_EQ(job_enqueue_start_all(m, units, 2), 2);
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        ASSERT_NOT_NULL(b->job);
        ASSERT_TRUE(b->job->waiting_ordering);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 1u);           /* a is still running its oneshot */
        unit_process_exited(a, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/sleep");
        ASSERT_NULL(a->job);
        ASSERT_NULL(b->job);
        ASSERT_EQ(unit_active_state(b), UNIT_ACTIVE);
        manager_free(m);
}

TEST(separate_requests_are_separate_transactions) {
        Manager *m = fake_manager_loop_clock();
        write_unit("a.service", "[Unit]\nBefore=b.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n");
        write_unit("b.service", sleeper);
        Unit *a = load_unit(m, "a.service"), *b = load_unit(m, "b.service");
        Job *j;

        /* b alone: nothing pending to wait for, it starts at once. */
        ASSERT_OK(job_enqueue(b, JOB_START, JOB_REPLACE, &j));
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_OK(job_enqueue(a, JOB_START, JOB_REPLACE, &j));
        ASSERT_EQ(fake.n_spawns, 2u);
        unit_process_exited(a, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        manager_free(m);
}

TEST(stop_job_stops_requiring_units_first) {
        Manager *m = fake_manager_loop_clock();
        write_unit("a.service", sleeper);
        write_unit("b.service", "[Unit]\nRequires=a.service\nAfter=a.service\n[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("c.service", "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/sleep 100\n");
        Unit *a = load_unit(m, "a.service"), *b = load_unit(m, "b.service"), *c = load_unit(m, "c.service");
        Job *j;

        ASSERT_OK(job_enqueue(c, JOB_START, JOB_REPLACE, &j));
        run_loop(m);
        ASSERT_EQ(unit_active_state(a), UNIT_ACTIVE);
        ASSERT_EQ(unit_active_state(b), UNIT_ACTIVE);
        ASSERT_EQ(unit_active_state(c), UNIT_ACTIVE);

        /* Stop a: c and b get stop jobs; only c (after b after a) stops now. */
        ASSERT_OK(job_enqueue(a, JOB_STOP, JOB_REPLACE, &j));
        ASSERT_NOT_NULL(b->job);
        ASSERT_NOT_NULL(c->job);
        ASSERT_TRUE(got_sigterm(main_pid(c)));
        ASSERT_FALSE(got_sigterm(main_pid(b)));
        ASSERT_FALSE(got_sigterm(main_pid(a)));
        run_loop(m);
        ASSERT_FALSE(got_sigterm(main_pid(b)));

        unit_process_exited(c, main_pid(c), CLD_KILLED, SIGTERM);
        run_loop(m);
        ASSERT_TRUE(got_sigterm(main_pid(b)));
        ASSERT_FALSE(got_sigterm(main_pid(a)));

        unit_process_exited(b, main_pid(b), CLD_KILLED, SIGTERM);
        run_loop(m);
        ASSERT_TRUE(got_sigterm(main_pid(a)));
        unit_process_exited(a, main_pid(a), CLD_KILLED, SIGTERM);
        run_loop(m);
        ASSERT_EQ(m->n_jobs, 0u);
        ASSERT_EQ(unit_active_state(a), UNIT_INACTIVE);
        ASSERT_EQ(unit_active_state(c), UNIT_INACTIVE);
        manager_free(m);
}

TEST(shutdown_stops_in_reverse_dependency_order) {
        Manager *m = fake_manager_loop_clock();
        /* a < b through After=, b < c through Before=; d is unordered. */
        write_unit("a.service", sleeper);
        write_unit("b.service", "[Unit]\nAfter=a.service\nBefore=c.service\n[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("c.service", sleeper);
        write_unit("d.service", sleeper);
        /* Started in an order the stop must not follow: c first. */
        Unit *c = load_unit(m, "c.service"), *a = load_unit(m, "a.service"), *b = load_unit(m, "b.service"),
             *d = load_unit(m, "d.service");
        ASSERT_OK(unit_start(c));
        ASSERT_OK(unit_start(a));
        ASSERT_OK(unit_start(b));
        ASSERT_OK(unit_start(d));

        manager_begin_shutdown(m);
        ASSERT_TRUE(got_sigterm(main_pid(c)));
        ASSERT_TRUE(got_sigterm(main_pid(d)));
        ASSERT_FALSE(got_sigterm(main_pid(b)));
        ASSERT_FALSE(got_sigterm(main_pid(a)));

        unit_process_exited(d, main_pid(d), CLD_KILLED, SIGTERM);
        ASSERT_FALSE(got_sigterm(main_pid(b)));
        unit_process_exited(c, main_pid(c), CLD_KILLED, SIGTERM);
        ASSERT_TRUE(got_sigterm(main_pid(b)));
        ASSERT_FALSE(got_sigterm(main_pid(a)));
        unit_process_exited(b, main_pid(b), CLD_KILLED, SIGTERM);
        ASSERT_TRUE(got_sigterm(main_pid(a)));
        ASSERT_EQ(exit_code(m), -1);
        unit_process_exited(a, main_pid(a), CLD_KILLED, SIGTERM);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_CLEAN);
        manager_free(m);
}

TEST(shutdown_breaks_ordering_cycles) {
        Manager *m = fake_manager_loop_clock();
        write_unit("x.service", "[Unit]\nAfter=y.service\n[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("y.service", "[Unit]\nAfter=x.service\n[Service]\nExecStart=/bin/sleep 100\n");
        Unit *x = load_unit(m, "x.service"), *y = load_unit(m, "y.service");
        ASSERT_OK(unit_start(x));
        ASSERT_OK(unit_start(y));

        manager_begin_shutdown(m);
        /* The one started last goes first; the other once it is down. */
        ASSERT_TRUE(got_sigterm(main_pid(y)));
        ASSERT_FALSE(got_sigterm(main_pid(x)));
        unit_process_exited(y, main_pid(y), CLD_KILLED, SIGTERM);
        ASSERT_TRUE(got_sigterm(main_pid(x)));
        unit_process_exited(x, main_pid(x), CLD_KILLED, SIGTERM);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_CLEAN);
        manager_free(m);
}

static void write_socket_unit(const char *name, const char *extra) {
        char text[1024];
        snprintf(text, sizeof text, "[Socket]\nListenStream=%s/%s.sock\n%s", test_dir, name, extra);
        write_unit(name, text);
}

static int connect_unix(Unit *sock) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(fd);
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s.sock", test_dir, sock->id);
        ASSERT_OK(connect(fd, (struct sockaddr *) &sa, sizeof sa));
        return fd;
}

/* What the service would do: take the pending connection off the backlog. */
static void drain(SocketUnit *s) {
        int fd = accept4(s->config->ports[0].fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        ASSERT_OK(fd);
        safe_close(fd);
}

TEST(shutdown_stops_the_service_before_its_socket) {
        Manager *m = fake_manager_loop_clock();
        write_socket_unit("w.socket", "");
        write_unit("w.service", sleeper);
        Unit *u = load_unit(m, "w.socket");
        SocketUnit *s = SOCKET(u);
        ASSERT_OK(unit_start(u));
        int c = connect_unix(u);
        socket_port_ready(&s->watches[0], EPOLLIN);
        Unit *svc = s->service;
        ASSERT_EQ(unit_active_state(svc), UNIT_ACTIVE);
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        run_loop(m);

        manager_begin_shutdown(m);
        ASSERT_TRUE(got_sigterm(main_pid(svc)));
        /* The socket keeps its fds until the service is down. */
        ASSERT_FALSE(UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)));
        ASSERT_TRUE(s->config->ports[0].fd >= 0);
        unit_process_exited(svc, main_pid(svc), CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SOCKET_DEAD);
        ASSERT_EQ(s->config->ports[0].fd, -EBADF);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_CLEAN);
        safe_close(c);
        manager_free(m);
}

TEST(socket_trigger_goes_through_a_start_job) {
        Manager *m = fake_manager_loop_clock();
        write_socket_unit("t.socket", "");
        write_unit("dep.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        write_unit("t.service", "[Unit]\nRequires=dep.service\nAfter=dep.service\n"
                                "[Service]\nExecStart=/bin/sleep 100\n");
        Unit *u = load_unit(m, "t.socket");
        SocketUnit *s = SOCKET(u);
        ASSERT_OK(unit_start(u));
        uint32_t last_id = m->last_job_id;
        int c = connect_unix(u);

        socket_port_ready(&s->watches[0], EPOLLIN);
        Unit *svc = s->service, *dep = manager_get_unit(m, "dep.service");
        ASSERT_NOT_NULL(dep);
        /* Two jobs: the service's, and dep's pulled in by it; only the
         * oneshot runs, the service waits for it; the socket stops polling. */
        ASSERT_EQ(m->last_job_id, last_id + 2);
        ASSERT_NOT_NULL(svc->job);
        ASSERT_TRUE(svc->job->waiting_ordering);
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        ASSERT_EQ(s->state, SOCKET_RUNNING);

        unit_process_exited(dep, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/sleep");
        ASSERT_NULL(svc->job);
        ASSERT_EQ(unit_active_state(svc), UNIT_ACTIVE);
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        drain(s);

        /* dep fails next time: the service's job ends 'dependency', the
         * service never runs and the socket listens again. */
        unit_process_exited(svc, main_pid(svc), CLD_EXITED, 0);
        run_loop(m);
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        safe_close(c);
        c = connect_unix(u);
        run_loop(m);                            /* the real EPOLLIN */
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        ASSERT_EQ(fake.n_spawns, 3u);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        drain(s);
        unit_process_exited(dep, fake_last_spawn()->pid, CLD_EXITED, 1);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 3u);
        ASSERT_NULL(svc->job);
        ASSERT_EQ(unit_active_state(svc), UNIT_INACTIVE);
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        safe_close(c);
        manager_free(m);
}

/* d.socket (listening, socket_extra under [Socket]) for d.service, which
 * conflicts with other.service, running already; a client is connected to
 * d.socket (its fd returned) but nothing has read the EPOLLIN yet. */
static int start_conflicting_trigger(Manager *m, const char *socket_extra, Unit **ret_other, Unit **ret_socket) {
        write_socket_unit("d.socket", socket_extra);
        write_unit("d.service", "[Unit]\nConflicts=other.service\n[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("other.service", sleeper);
        *ret_other = load_unit(m, "other.service");
        *ret_socket = load_unit(m, "d.socket");
        ASSERT_OK(unit_start(*ret_other));
        ASSERT_OK(unit_start(*ret_socket));
        return connect_unix(*ret_socket);
}

TEST(defer_trigger_patient_waits_for_the_conflict_to_end) {
        Manager *m = fake_manager_loop_clock();
        Unit *other, *u;
        int c = start_conflicting_trigger(m, "DeferTrigger=patient\nDeferTriggerMaxSec=30s\n", &other, &u);
        SocketUnit *s = SOCKET(u);

        /* The lenient start is refused: deferred, nothing stopped or run. */
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(s->state, SOCKET_DEFERRED);
        ASSERT_STREQ(unit_sub_state(u), "deferred");
        ASSERT_EQ(unit_active_state(u), UNIT_ACTIVE);
        ASSERT_NULL(s->service->job);
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_EQ(fake.n_kills, 0u);
        ASSERT_EQ(m->n_deferred_sockets, 1u);
        ASSERT_TRUE(u->timer_deadline != USEC_INFINITY);
        run_loop(m);                            /* no polling meanwhile */
        ASSERT_EQ(s->state, SOCKET_DEFERRED);

        /* other stops: tried again, the service starts. */
        ASSERT_OK(unit_stop(other));
        unit_process_exited(other, main_pid(other), CLD_KILLED, SIGTERM);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_EQ(unit_active_state(s->service), UNIT_ACTIVE);
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        ASSERT_EQ(m->n_deferred_sockets, 0u);
        ASSERT_EQ(u->timer_deadline, USEC_INFINITY);
        safe_close(c);
        manager_free(m);
}

TEST(defer_trigger_max_sec_fails_with_timeout) {
        Manager *m = fake_manager_loop_clock();
        Unit *other, *u;
        int c = start_conflicting_trigger(m, "DeferTrigger=patient\nDeferTriggerMaxSec=2s\n", &other, &u);
        SocketUnit *s = SOCKET(u);

        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(s->state, SOCKET_DEFERRED);
        ASSERT_EQ(u->timer_deadline, fake.now + 2 * USEC_PER_SEC);
        unit_timer_fired(u);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_TIMEOUT);
        ASSERT_EQ(m->n_deferred_sockets, 0u);
        ASSERT_EQ(unit_active_state(other), UNIT_ACTIVE);
        safe_close(c);
        manager_free(m);
}

TEST(defer_trigger_yes_defers_only_while_jobs_are_queued) {
        Manager *m = fake_manager_loop_clock();
        write_unit("slow.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        Unit *other, *u;
        int c = start_conflicting_trigger(m, "DeferTrigger=yes\n", &other, &u);
        Unit *slow = load_unit(m, "slow.service");
        SocketUnit *s = SOCKET(u);
        Job *j;

        /* A job is queued elsewhere: defer. */
        ASSERT_OK(job_enqueue(slow, JOB_START, JOB_REPLACE, &j));
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(s->state, SOCKET_DEFERRED);
        /* That job ends, the conflict is still there, no job left: failed. */
        unit_process_exited(slow, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_RESOURCES);
        ASSERT_EQ(unit_active_state(other), UNIT_ACTIVE);

        /* No job queued at all: refused at once. */
        ASSERT_OK(unit_start(u));
        safe_close(c);
        c = connect_unix(u);
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_RESOURCES);
        safe_close(c);
        manager_free(m);
}

TEST(without_defer_trigger_the_conflict_is_stopped) {
        Manager *m = fake_manager_loop_clock();
        Unit *other, *u;
        int c = start_conflicting_trigger(m, "", &other, &u);
        SocketUnit *s = SOCKET(u);

        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_TRUE(got_sigterm(main_pid(other)));
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        ASSERT_EQ(unit_active_state(s->service), UNIT_ACTIVE);
        ASSERT_EQ(job_mode_from_string("lenient"), JOB_LENIENT);
        safe_close(c);
        manager_free(m);
}

TEST(socket_with_service_setting_hears_its_service) {
        Manager *m = fake_manager_loop_clock();
        write_socket_unit("x.socket", "Service=y.service\n");
        write_unit("y.service", sleeper);
        Unit *u = load_unit(m, "x.socket");
        SocketUnit *s = SOCKET(u);
        ASSERT_OK(unit_start(u));
        ASSERT_EQ(m->n_sockets_with_service_setting, 1u);
        int c = connect_unix(u);

        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_STREQ(s->service->id, "y.service");
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        drain(s);
        /* Not found by name: the notification still reaches x.socket. */
        unit_process_exited(s->service, main_pid(s->service), CLD_EXITED, 0);
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        safe_close(c);
        manager_free(m);
}

RUN_TESTS()
