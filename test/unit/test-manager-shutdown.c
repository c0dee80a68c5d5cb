/* SPDX-License-Identifier: MIT */
/* manager_begin_shutdown() and porterd's exit status, through the fake seam:
 * exits and timeouts are fed in by hand, and the loop's exit code is read
 * with sd_event_get_exit_code(). */
#include <signal.h>
#include <sys/wait.h>

#include "core-fake-ops.h"
#include "service-unit.h"

static ServiceUnit *start_service(Manager *m, const char *name, const char *text) {
        Unit *u = NULL;
        write_unit(name, text);
        ASSERT_OK(manager_load_unit(m, name, &u));
        ASSERT_NOT_NULL(SERVICE(u));
        ASSERT_OK(unit_start(u));
        ASSERT_EQ(SERVICE(u)->state, SERVICE_RUNNING);
        return SERVICE(u);
}

/* The loop's exit code, or -1 while no exit was requested. */
static int exit_code(Manager *m) {
        int code = -1;
        if (sd_event_get_exit_code(m->event, &code) < 0)
                return -1;
        return code;
}

TEST(clean_shutdown_exits_0) {
        Manager *m = fake_manager();
        ServiceUnit *s = start_service(m, "a.service", "[Service]\nExecStart=/bin/sleep 100\n");
        pid_t pid = s->main_process.pid;

        manager_begin_shutdown(m);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(exit_code(m), -1);
        unit_process_exited(&s->meta, pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_CLEAN);
        manager_free(m);
}

TEST(sigkill_at_shutdown_exits_2) {
        Manager *m = fake_manager();
        ServiceUnit *good = start_service(m, "good.service", "[Service]\nExecStart=/bin/sleep 100\n");
        ServiceUnit *bad = start_service(m, "bad.service",
                                         "[Service]\nExecStart=/bin/sleep 100\nTimeoutStopSec=1\n");
        pid_t good_pid = good->main_process.pid, bad_pid = bad->main_process.pid;

        manager_begin_shutdown(m);
        unit_process_exited(&good->meta, good_pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(exit_code(m), -1);
        unit_timer_fired(&bad->meta);
        ASSERT_EQ(bad->state, SERVICE_STOP_SIGKILL);
        ASSERT_EQ(exit_code(m), -1);
        unit_process_exited(&bad->meta, bad_pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(bad->state, SERVICE_FAILED);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_UNCLEAN);
        manager_free(m);
}

TEST(error_exit_on_sigterm_exits_2) {
        Manager *m = fake_manager();
        ServiceUnit *s = start_service(m, "e.service", "[Service]\nExecStart=/bin/sleep 100\n");
        pid_t pid = s->main_process.pid;

        manager_begin_shutdown(m);
        unit_process_exited(&s->meta, pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_UNCLEAN);
        manager_free(m);
}

TEST(failure_before_shutdown_does_not_count) {
        Manager *m = fake_manager();
        ServiceUnit *crashed = start_service(m, "crashed.service", "[Service]\nExecStart=/bin/false\n");
        unit_process_exited(&crashed->meta, crashed->main_process.pid, CLD_EXITED, 1);
        ASSERT_EQ(crashed->state, SERVICE_FAILED);
        ServiceUnit *s = start_service(m, "ok.service", "[Service]\nExecStart=/bin/sleep 100\n");
        pid_t pid = s->main_process.pid;

        manager_begin_shutdown(m);
        unit_process_exited(&s->meta, pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(exit_code(m), MANAGER_EXIT_CLEAN);
        manager_free(m);
}

RUN_TESTS();
