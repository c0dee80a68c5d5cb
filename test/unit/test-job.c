/* SPDX-License-Identifier: MIT */
/* Jobs through the fake seam: the verdicts of start/stop/restart jobs,
 * JOB_REPLACE and JOB_FAIL, merging, timeouts, and a unit freed under its
 * job.  The result is read from the job's debug line in the unit's log
 * ring ("... finished, result=done."), which JobRemoved carries as well. */
#include <signal.h>
#include <sys/wait.h>

#include "core-fake-ops.h"
#include "job.h"
#include "service-unit.h"

/* The result of the last job that finished on u, from its log ring. */
static const char *last_job_result(Unit *u) {
        static char buf[32];
        for (size_t i = u->log_ring.n; i > 0; i--) {
                const char *t = unit_log_ring_get(&u->log_ring, i - 1)->text;
                const char *r = strstr(t, "finished, result=");
                if (r) {
                        snprintf(buf, sizeof buf, "%s", r + strlen("finished, result="));
                        buf[strcspn(buf, ".")] = 0;
                        return buf;
                }
        }
        return NULL;
}

TEST(string_tables) {
        for (JobType t = 0; t < _JOB_TYPE_MAX; t++)
                ASSERT_EQ(job_type_from_string(job_type_to_string(t)), t);
        for (JobMode mo = 0; mo < _JOB_MODE_MAX; mo++)
                ASSERT_EQ(job_mode_from_string(job_mode_to_string(mo)), mo);
        ASSERT_EQ(job_mode_from_string("replace-irreversibly"), JOB_REPLACE);
        ASSERT_EQ(job_mode_from_string("isolate"), _JOB_MODE_INVALID);
        ASSERT_STREQ(job_result_to_string(JOB_DEPENDENCY), "dependency");
        ASSERT_STREQ(job_result_to_string(JOB_CANCELED), "canceled");
}

TEST(start_simple_is_done_once_running) {
        Manager *m = fake_manager_loop_clock();
        write_unit("s.service", "[Service]\nExecStart=/bin/sleep 100\n");
        Unit *u = load_unit(m, "s.service");
        Job *j = NULL;

        ASSERT_OK(job_enqueue(u, JOB_START, JOB_REPLACE, &j));
        ASSERT_EQ(j->id, 1u);
        ASSERT_TRUE(u->job == j);
        ASSERT_EQ(m->n_jobs, 1u);
        /* The verdict comes from the loop, after the caller replied. */
        run_loop(m);
        ASSERT_NULL(u->job);
        ASSERT_EQ(m->n_jobs, 0u);
        ASSERT_STREQ(last_job_result(u), "done");

        /* A start of an active unit is done at once too; ids go up. */
        ASSERT_OK(job_enqueue(u, JOB_START, JOB_REPLACE, &j));
        ASSERT_EQ(j->id, 2u);
        run_loop(m);
        ASSERT_STREQ(last_job_result(u), "done");
        manager_free(m);
}

TEST(oneshot_waits_for_its_exit) {
        Manager *m = fake_manager_loop_clock();
        write_unit("o.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        Unit *u = load_unit(m, "o.service");
        Job *j = NULL;

        ASSERT_OK(job_enqueue(u, JOB_START, JOB_REPLACE, &j));
        run_loop(m);
        ASSERT_TRUE(u->job == j);               /* activating: still pending */
        unit_process_exited(u, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        ASSERT_NULL(u->job);
        ASSERT_STREQ(last_job_result(u), "done");

        ASSERT_OK(job_enqueue(u, JOB_START, JOB_REPLACE, &j));
        unit_process_exited(u, fake_last_spawn()->pid, CLD_EXITED, 1);
        run_loop(m);
        ASSERT_STREQ(last_job_result(u), "failed");
        ASSERT_EQ(unit_active_state(u), UNIT_FAILED);
        manager_free(m);
}

TEST(replace_cancels_fail_refuses_same_type_merges) {
        Manager *m = fake_manager_loop_clock();
        write_unit("o.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        Unit *u = load_unit(m, "o.service");
        Job *start = NULL, *again = NULL, *stop = NULL;

        ASSERT_OK(job_enqueue(u, JOB_START, JOB_REPLACE, &start));
        uint32_t start_id = start->id;
        ASSERT_OK(job_enqueue(u, JOB_START, JOB_FAIL, &again));
        ASSERT_TRUE(again == start);
        ASSERT_ERROR(job_enqueue(u, JOB_STOP, JOB_FAIL, &stop), EBUSY);
        ASSERT_TRUE(u->job == start);

        ASSERT_OK(job_enqueue(u, JOB_STOP, JOB_REPLACE, &stop));
        ASSERT_STREQ(last_job_result(u), "canceled");
        ASSERT_NULL(manager_get_job(m, start_id));
        ASSERT_TRUE(manager_get_job(m, stop->id) == stop);
        /* The stop sent SIGTERM; once the process is gone the stop is done. */
        ASSERT_EQ(fake.kills[0].sig, SIGTERM);
        unit_process_exited(u, fake_last_spawn()->pid, CLD_KILLED, SIGTERM);
        run_loop(m);
        ASSERT_NULL(u->job);
        ASSERT_STREQ(last_job_result(u), "done");
        manager_free(m);
}

TEST(restart_stops_then_starts) {
        Manager *m = fake_manager_loop_clock();
        write_unit("r.service", "[Service]\nExecStart=/bin/sleep 100\n");
        Unit *u = load_unit(m, "r.service");
        Job *j = NULL;

        ASSERT_OK(unit_start(u));
        pid_t first = fake_last_spawn()->pid;
        ASSERT_OK(job_enqueue(u, JOB_RESTART, JOB_REPLACE, &j));
        ASSERT_TRUE(j->stop_phase);
        run_loop(m);
        ASSERT_TRUE(u->job == j);               /* waiting for the old process */
        ASSERT_EQ(fake.n_spawns, 1u);
        unit_process_exited(u, first, CLD_KILLED, SIGTERM);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_NULL(u->job);
        ASSERT_STREQ(last_job_result(u), "done");
        ASSERT_EQ(unit_active_state(u), UNIT_ACTIVE);

        /* Restart of a stopped unit is a start. */
        ASSERT_OK(unit_stop(u));
        unit_process_exited(u, fake_last_spawn()->pid, CLD_KILLED, SIGTERM);
        ASSERT_OK(job_enqueue(u, JOB_RESTART, JOB_REPLACE, &j));
        ASSERT_FALSE(j->stop_phase);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 3u);
        ASSERT_STREQ(last_job_result(u), "done");
        manager_free(m);
}

TEST(dependency_timeout_reload_and_free) {
        Manager *m = fake_manager_loop_clock();
        write_unit("needs.service", "[Unit]\nRequisite=other.service\n[Service]\nExecStart=/bin/sleep 1\n");
        write_unit("other.service", "[Service]\nExecStart=/bin/sleep 1\n");
        write_unit("o.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        Unit *needs = load_unit(m, "needs.service"), *o = load_unit(m, "o.service");
        Job *j = NULL;

        (void) load_unit(m, "other.service");
        ASSERT_OK(job_enqueue(needs, JOB_START, JOB_REPLACE, &j));
        run_loop(m);
        ASSERT_STREQ(last_job_result(needs), "dependency");

        ASSERT_OK(job_enqueue(o, JOB_START, JOB_REPLACE, &j));
        ASSERT_OK(job_set_timeout(j, 0));
        run_loop(m);
        ASSERT_NULL(o->job);
        ASSERT_STREQ(last_job_result(o), "timeout");

        /* No unit type reloads yet. */
        ASSERT_ERROR(job_enqueue(o, JOB_RELOAD, JOB_REPLACE, &j), EOPNOTSUPP);

        /* A unit freed under its job cancels it (no dangling pointer). */
        ASSERT_OK(job_enqueue(needs, JOB_STOP, JOB_REPLACE, &j));
        ASSERT_EQ(m->n_jobs, 1u);
        unit_free(needs);
        ASSERT_EQ(m->n_jobs, 0u);
        run_loop(m);
        manager_free(m);
}

TEST(reload_runs_exec_reload) {
        Manager *m = fake_manager_loop_clock();
        write_unit("rl.service", "[Service]\nExecStart=/bin/sleep 100\nExecReload=/bin/kill -HUP $MAINPID\n");
        Unit *u = load_unit(m, "rl.service");
        Job *j = NULL;

        /* Nothing to reload while inactive. */
        ASSERT_OK(job_enqueue(u, JOB_RELOAD, JOB_REPLACE, &j));
        run_loop(m);
        ASSERT_STREQ(last_job_result(u), "skipped");

        ASSERT_OK(unit_start(u));
        pid_t main_pid = fake_last_spawn()->pid;
        ASSERT_OK(job_enqueue(u, JOB_RELOAD, JOB_REPLACE, &j));
        ASSERT_EQ(unit_active_state(u), UNIT_RELOADING);
        ASSERT_STREQ(unit_sub_state(u), "reload");
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/kill");
        run_loop(m);
        ASSERT_TRUE(u->job == j);
        unit_process_exited(u, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        ASSERT_STREQ(last_job_result(u), "done");
        ASSERT_EQ(unit_active_state(u), UNIT_ACTIVE);

        /* A failed reload fails the job; the service keeps running. */
        ASSERT_OK(job_enqueue(u, JOB_RELOAD, JOB_REPLACE, &j));
        unit_process_exited(u, fake_last_spawn()->pid, CLD_EXITED, 1);
        run_loop(m);
        ASSERT_STREQ(last_job_result(u), "failed");
        ASSERT_EQ(unit_active_state(u), UNIT_ACTIVE);
        ASSERT_EQ(SERVICE(u)->main_process.pid, main_pid);
        manager_free(m);
}

TEST(after_orders_start_jobs) {
        Manager *m = fake_manager_loop_clock();
        write_unit("b.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        write_unit("a.service", "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/sleep 1\n");
        Unit *a = load_unit(m, "a.service");
        Job *j = NULL;

        ASSERT_OK(job_enqueue(a, JOB_START, JOB_REPLACE, &j));
        Unit *b = manager_get_unit(m, "b.service");
        ASSERT_NOT_NULL(b);
        ASSERT_NOT_NULL(b->job);                /* pulled in through its own job */
        ASSERT_TRUE(j->waiting_ordering);
        ASSERT_EQ(fake.n_spawns, 1u);           /* only b runs */
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 1u);
        unit_process_exited(b, fake_last_spawn()->pid, CLD_EXITED, 0);
        run_loop(m);
        ASSERT_EQ(fake.n_spawns, 2u);           /* now a */
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/sleep");
        ASSERT_STREQ(last_job_result(b), "done");
        ASSERT_STREQ(last_job_result(a), "done");

        /* b fails: a's job ends "dependency" and a never runs. */
        ASSERT_OK(unit_stop(a));
        unit_process_exited(a, fake_last_spawn()->pid, CLD_KILLED, SIGTERM);
        ASSERT_OK(job_enqueue(a, JOB_START, JOB_REPLACE, &j));
        unit_process_exited(b, fake_last_spawn()->pid, CLD_EXITED, 1);
        run_loop(m);
        ASSERT_STREQ(last_job_result(b), "failed");
        ASSERT_STREQ(last_job_result(a), "dependency");
        ASSERT_EQ(fake.n_spawns, 3u);
        ASSERT_EQ(unit_active_state(a), UNIT_INACTIVE);
        manager_free(m);
}

/* The result lines are debug lines: keep them. */
__attribute__((constructor)) static void keep_debug_lines(void) {
        log_set_max_level(LOG_DEBUG);
}

RUN_TESTS()
