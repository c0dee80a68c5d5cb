/* SPDX-License-Identifier: MIT */
/* The service unit state machine, through the fake seam: no process is
 * started; exits, timeouts and notify messages are fed in by hand. */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core-fake-ops.h"
#include "fd-util.h"
#include "job.h"
#include "condition.h"
#include "notify.h"
#include "service-unit.h"

static ServiceUnit *load_service(Manager *m, const char *name) {
        Unit *u = NULL;
        ASSERT_OK(manager_load_unit(m, name, &u));
        ASSERT_NOT_NULL(SERVICE(u));
        return SERVICE(u);
}

TEST(string_tables) {
        for (ServiceState s = 0; s < _SERVICE_STATE_MAX; s++) {
                ASSERT_NOT_NULL(service_state_to_string(s));
                ASSERT_EQ(service_state_from_string(service_state_to_string(s)), s);
        }
        for (ServiceResult r = 0; r < _SERVICE_RESULT_MAX; r++)
                ASSERT_EQ(service_result_from_string(service_result_to_string(r)), r);
        ASSERT_EQ(service_state_to_active_state(SERVICE_AUTO_RESTART), UNIT_ACTIVATING);
        ASSERT_EQ(service_state_to_active_state(SERVICE_EXITED), UNIT_ACTIVE);
        ASSERT_EQ(service_state_to_active_state(SERVICE_STOP_SIGKILL), UNIT_DEACTIVATING);
        ASSERT_STREQ(unit_active_state_to_string(UNIT_DEACTIVATING), "deactivating");
        ASSERT_EQ(unit_active_state_from_string("failed"), UNIT_FAILED);
}

TEST(simple_runs_and_fails) {
        Manager *m = fake_manager();
        write_unit("s.service", "[Service]\nExecStart=/bin/sleep 1\nUser=root\nWorkingDirectory=/tmp\n");
        ServiceUnit *s = load_service(m, "s.service");

        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_STREQ(sp->argv0, "/bin/sleep");
        ASSERT_EQ(sp->n_fds, 0u);
        ASSERT_FALSE(sp->listen_env);
        ASSERT_TRUE(env_has(sp->envp, "USER=root"));
        ASSERT_TRUE(env_has(sp->envp, "HOME=/root"));
        /* Not a notify service: no NOTIFY_SOCKET. */
        ASSERT_NULL(strv_env_get_for_test(sp->envp, "NOTIFY_SOCKET"));

        unit_process_exited(&s->meta, sp->pid, CLD_EXITED, 3);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_EXIT_CODE);
        ASSERT_EQ(unit_active_state(&s->meta), UNIT_FAILED);
        ASSERT_STREQ(unit_result(&s->meta), "exit-code");

        unit_reset_failed(&s->meta);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        manager_free(m);
}

TEST(sigterm_is_clean_exit) {
        Manager *m = fake_manager();
        write_unit("t.service", "[Service]\nExecStart=/bin/sleep 1\n");
        ServiceUnit *s = load_service(m, "t.service");
        ASSERT_OK(unit_start(&s->meta));
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        ASSERT_EQ(s->result, SERVICE_SUCCESS);
        manager_free(m);
}

TEST(restart_on_failure) {
        Manager *m = fake_manager();
        write_unit("r.service", "[Service]\nExecStart=/bin/false\nRestart=on-failure\nRestartSec=2\n");
        ServiceUnit *s = load_service(m, "r.service");
        ASSERT_OK(unit_start(&s->meta));
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_DUMPED, SIGSEGV);
        ASSERT_EQ(s->state, SERVICE_AUTO_RESTART);
        ASSERT_EQ(s->result, SERVICE_FAILURE_CORE_DUMP);
        ASSERT_UEQ(s->meta.timer_deadline, fake.now + 2 * USEC_PER_SEC);
        ASSERT_EQ(fake.n_spawns, 1u);

        fake.now += 2 * USEC_PER_SEC;
        unit_timer_fired(&s->meta);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        ASSERT_EQ(s->n_restarts, 1u);
        ASSERT_EQ(s->result, SERVICE_SUCCESS);

        /* A clean exit is not restarted with on-failure. */
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_DEAD);

        /* A stop during the restart delay ends it. */
        ASSERT_OK(unit_start(&s->meta));
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_AUTO_RESTART);
        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(s->state, SERVICE_DEAD);
        manager_free(m);
}

TEST(restart_stops_at_start_limit) {
        Manager *m = fake_manager();
        write_unit("l.service", "[Unit]\nStartLimitBurst=3\n[Service]\nExecStart=/bin/false\nRestart=always\n");
        ServiceUnit *s = load_service(m, "l.service");
        ASSERT_OK(unit_start(&s->meta));
        for (int i = 0; i < 2; i++) {
                unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
                ASSERT_EQ(s->state, SERVICE_AUTO_RESTART);
                unit_timer_fired(&s->meta);
                ASSERT_EQ(s->state, SERVICE_RUNNING);
        }
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        unit_timer_fired(&s->meta);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_START_LIMIT_HIT);
        ASSERT_EQ(fake.n_spawns, 3u);
        manager_free(m);
}

TEST(stop_escalates_to_sigkill) {
        Manager *m = fake_manager();
        write_unit("k.service", "[Service]\nExecStart=/bin/sleep 100\nTimeoutStopSec=5\nKillSignal=SIGINT\n"
                                "ExecStopPost=/bin/true\n");
        ServiceUnit *s = load_service(m, "k.service");
        ASSERT_OK(unit_start(&s->meta));
        pid_t pid = fake_last_spawn()->pid;

        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(fake.kills[0].pid, pid);
        ASSERT_EQ(fake.kills[0].sig, SIGINT);
        ASSERT_EQ(fake.kills[1].sig, SIGCONT);
        ASSERT_UEQ(s->meta.timer_deadline, fake.now + 5 * USEC_PER_SEC);

        unit_timer_fired(&s->meta);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGKILL);
        ASSERT_EQ(fake.kills[2].sig, SIGKILL);
        ASSERT_EQ(fake.n_kills, 3u);

        unit_process_exited(&s->meta, pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_TIMEOUT);
        manager_free(m);
}

TEST(kill_mode) {
        Manager *m = fake_manager();
        write_unit("mixed.service", "[Service]\nExecStart=/bin/sleep 100\nKillMode=mixed\n");
        write_unit("proc.service", "[Service]\nExecStart=/bin/sleep 100\nKillMode=process\n");
        write_unit("cg.service", "[Service]\nExecStart=/bin/sleep 100\n");
        ServiceUnit *mixed = load_service(m, "mixed.service"), *proc = load_service(m, "proc.service"),
                    *cg = load_service(m, "cg.service");

        ASSERT_OK(unit_start(&cg->meta));
        ASSERT_OK(unit_stop(&cg->meta));
        ASSERT_TRUE(fake.kills[0].group);          /* control-group: the process group */

        ASSERT_OK(unit_start(&mixed->meta));
        ASSERT_OK(unit_stop(&mixed->meta));
        ASSERT_EQ(fake.kills[2].sig, SIGTERM);
        ASSERT_FALSE(fake.kills[2].group);         /* mixed: SIGTERM to the main process only... */
        unit_timer_fired(&mixed->meta);
        ASSERT_EQ(fake.kills[4].sig, SIGKILL);
        ASSERT_TRUE(fake.kills[4].group);          /* ...SIGKILL to the group */

        ASSERT_OK(unit_start(&proc->meta));
        ASSERT_OK(unit_stop(&proc->meta));
        ASSERT_FALSE(fake.kills[5].group);
        unit_timer_fired(&proc->meta);
        ASSERT_EQ(fake.kills[7].sig, SIGKILL);
        ASSERT_FALSE(fake.kills[7].group);         /* process: never the group */
        manager_free(m);
}

/* SendSIGHUP=: SIGHUP right after the kill signal, not after SIGKILL.
 * RestartKillSignal=: the kill signal of a restart job's stop only. */
TEST(sighup_and_restart_kill_signal) {
        Manager *m = fake_manager_loop_clock();
        write_unit("hup.service", "[Service]\nExecStart=/bin/sleep 100\nSendSIGHUP=yes\nKillMode=mixed\n");
        write_unit("rks.service", "[Service]\nExecStart=/bin/sleep 100\nRestartKillSignal=SIGUSR1\n");
        ServiceUnit *hup = load_service(m, "hup.service"), *rks = load_service(m, "rks.service");

        ASSERT_OK(unit_start(&hup->meta));
        pid_t pid = fake_last_spawn()->pid;
        ASSERT_OK(unit_stop(&hup->meta));
        ASSERT_EQ(fake.n_kills, 3u);
        ASSERT_EQ(fake.kills[0].sig, SIGTERM);
        ASSERT_EQ(fake.kills[1].sig, SIGCONT);
        ASSERT_EQ(fake.kills[2].sig, SIGHUP);
        ASSERT_EQ(fake.kills[2].pid, pid);
        ASSERT_FALSE(fake.kills[2].group);
        unit_timer_fired(&hup->meta);
        ASSERT_EQ(fake.n_kills, 4u);
        ASSERT_EQ(fake.kills[3].sig, SIGKILL);      /* no SIGHUP after SIGKILL */
        unit_process_exited(&hup->meta, pid, CLD_KILLED, SIGKILL);

        /* A plain stop uses KillSignal=... */
        ASSERT_OK(unit_start(&rks->meta));
        ASSERT_OK(unit_stop(&rks->meta));
        ASSERT_EQ(fake.kills[fake.n_kills - 2].sig, SIGTERM);
        unit_process_exited(&rks->meta, fake_last_spawn()->pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(rks->state, SERVICE_DEAD);
        /* ...the stop of a restart job RestartKillSignal=. */
        ASSERT_OK(unit_start(&rks->meta));
        Job *j = NULL;
        ASSERT_OK(job_enqueue(&rks->meta, JOB_RESTART, JOB_REPLACE, &j));
        run_loop(m);
        ASSERT_EQ(rks->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(fake.kills[fake.n_kills - 2].sig, SIGUSR1);
        unit_process_exited(&rks->meta, fake_last_spawn()->pid, CLD_KILLED, SIGUSR1);
        run_loop(m);
        ASSERT_EQ(rks->state, SERVICE_RUNNING);
        manager_free(m);
}

/* GuessMainPID=no: a forking service without PIDFile= runs without a main
 * PID, even when one process is left that would be guessed. */
TEST(guess_main_pid_no) {
        Manager *m = fake_manager();
        write_unit("nog.service", "[Service]\nType=forking\nExecStart=/bin/true\nGuessMainPID=no\n");
        ServiceUnit *s = load_service(m, "nog.service");
        ASSERT_OK(unit_start(&s->meta));
        /* A real child of ours in the session the service started in. */
        pid_t child = fork();
        ASSERT_OK(child);
        if (child == 0) {
                pause();
                _exit(0);
        }
        s->session_pid = getsid(0);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        ASSERT_EQ(s->main_process.pid, 0);
        /* The same with GuessMainPID=yes guesses the child. */
        write_unit("yesg.service", "[Service]\nType=forking\nExecStart=/bin/true\n");
        ServiceUnit *y = load_service(m, "yesg.service");
        ASSERT_OK(unit_start(&y->meta));
        y->session_pid = getsid(0);
        unit_process_exited(&y->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        pid_t guessed = y->main_process.pid;
        ASSERT_OK(kill(child, SIGKILL));
        ASSERT_EQ(waitpid(child, NULL, 0), child);
        ASSERT_EQ(guessed, child);
        manager_free(m);
}

TEST(notify_ready_and_status) {
        Manager *m = fake_manager();
        write_unit("n.service", "[Service]\nType=notify\nExecStart=/bin/sleep 100\n");
        ServiceUnit *s = load_service(m, "n.service");
        ASSERT_OK(manager_setup_notify(m));
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_START);
        ASSERT_EQ(unit_active_state(&s->meta), UNIT_ACTIVATING);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_NOT_NULL(strv_env_get_for_test(sp->envp, "NOTIFY_SOCKET"));

        /* From a stranger: dropped. */
        ASSERT_EQ(notify_dispatch_text(m, 4242, "READY=1", 7), 0);
        ASSERT_EQ(s->state, SERVICE_START);
        /* Embedded NUL: dropped. */
        ASSERT_EQ(notify_dispatch_text(m, sp->pid, "READY=1\0X", 9), 0);
        ASSERT_EQ(s->state, SERVICE_START);

        const char msg[] = "STATUS=Serving\nREADY=1\n";
        ASSERT_EQ(notify_dispatch_text(m, sp->pid, msg, sizeof msg), 1);
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        ASSERT_STREQ(s->status_text, "Serving");

        /* STOPPING=1: deactivating, no restart. */
        ASSERT_EQ(notify_dispatch_text(m, sp->pid, "STOPPING=1", 10), 1);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        unit_process_exited(&s->meta, sp->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        manager_free(m);
}

/* MAINPID=: a real child of ours (the test is "porterd") becomes the main
 * process and its exit counts as the main exit; pid 1 is refused. */
TEST(notify_mainpid) {
        Manager *m = fake_manager();
        write_unit("mp.service", "[Service]\nType=notify\nExecStart=/bin/sleep 100\n");
        ServiceUnit *s = load_service(m, "mp.service");
        ASSERT_OK(unit_start(&s->meta));
        pid_t fake_pid = fake_last_spawn()->pid;
        pid_t child = fork();
        ASSERT_OK(child);
        if (child == 0) {
                pause();
                _exit(0);
        }
        char msg[64];
        int n = snprintf(msg, sizeof msg, "MAINPID=1\nREADY=1");
        ASSERT_EQ(notify_dispatch_text(m, fake_pid, msg, n), 1);
        ASSERT_EQ(s->main_process.pid, fake_pid); /* pid 1 is not ours: refused */
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        ASSERT_EQ(notify_dispatch_text(m, fake_pid, "MAINPID=12x", 11), 1);
        ASSERT_EQ(s->main_process.pid, fake_pid);

        n = snprintf(msg, sizeof msg, "MAINPID=%d", (int) child);
        ASSERT_EQ(notify_dispatch_text(m, fake_pid, msg, n), 1);
        ASSERT_EQ(s->main_process.pid, child);
        /* The old main process no longer speaks for the service... */
        ASSERT_EQ(notify_dispatch_text(m, fake_pid, "STATUS=old", 10), 0);
        /* ...and its exit is not the main exit any more. */
        unit_process_exited(&s->meta, fake_pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_RUNNING);

        ASSERT_OK(kill(child, SIGKILL));
        int st;
        ASSERT_EQ(waitpid(child, &st, 0), child);
        unit_process_exited(&s->meta, child, CLD_EXITED, 3);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_EXIT_CODE);
        manager_free(m);
}

TEST(fd_store) {
        Manager *m = fake_manager();
        write_unit("fs.service", "[Service]\nType=notify\nExecStart=/bin/sleep 100\nFileDescriptorStoreMax=2\n"
                                 "Restart=always\nRestartSec=1\n");
        ServiceUnit *s = load_service(m, "fs.service");
        ASSERT_OK(unit_start(&s->meta));
        pid_t pid = fake_last_spawn()->pid;
        int p1[2], p2[2];
        ASSERT_OK(pipe2(p1, O_CLOEXEC));
        ASSERT_OK(pipe2(p2, O_CLOEXEC));

        int fds[3] = { p1[0], p1[0] == p1[1] ? -1 : dup(p1[0]), p2[0] };
        const char msg[] = "FDSTORE=1\nFDNAME=db";
        ASSERT_EQ(notify_dispatch(m, pid, msg, sizeof msg - 1, fds, 3), 1);
        /* The dup of the same pipe end is the same file: stored once. */
        ASSERT_EQ(s->n_fd_store, 2u);
        ASSERT_STREQ(s->fd_store_names[0], "db");

        /* Too many: the third distinct file is closed, not stored. */
        int extra[1] = { p1[1] };
        ASSERT_EQ(notify_dispatch(m, pid, "FDSTORE=1", 9, extra, 1), 1);
        ASSERT_EQ(s->n_fd_store, 2u);

        /* A restart passes the store after the (here: no) socket fds. */
        unit_process_exited(&s->meta, pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(s->state, SERVICE_AUTO_RESTART);
        ASSERT_EQ(s->n_fd_store, 2u);
        unit_timer_fired(&s->meta);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_EQ(sp->n_fds, 2u);
        ASSERT_TRUE(env_has(sp->envp, "LISTEN_FDNAMES=db:db"));

        const char rm[] = "FDSTOREREMOVE=1\nFDNAME=db";
        ASSERT_EQ(notify_dispatch(m, sp->pid, rm, sizeof rm - 1, NULL, 0), 1);
        ASSERT_EQ(s->n_fd_store, 0u);
        ASSERT_OK(unit_stop(&s->meta));
        unit_process_exited(&s->meta, sp->pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        safe_close(p2[1]);
        manager_free(m);
}

/* FileDescriptorStoreMax= without NotifyAccess= implies main: a
 * Type=simple service gets $NOTIFY_SOCKET and $FDSTORE, and may store. */
TEST(fd_store_implies_notify_access) {
        Manager *m = fake_manager();
        write_unit("fss.service", "[Service]\nExecStart=/bin/sleep 100\nFileDescriptorStoreMax=3\n");
        write_unit("fsn.service", "[Service]\nExecStart=/bin/sleep 100\nFileDescriptorStoreMax=3\n"
                                  "NotifyAccess=none\n");
        ASSERT_OK(manager_setup_notify(m));
        ServiceUnit *s = load_service(m, "fss.service");
        ASSERT_EQ(s->config->notify_access, NOTIFY_MAIN);
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_NOT_NULL(strv_env_get_for_test(sp->envp, "NOTIFY_SOCKET"));
        ASSERT_TRUE(env_has(sp->envp, "FDSTORE=3"));
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        int fds[1] = { p[0] };
        ASSERT_EQ(notify_dispatch(m, sp->pid, "FDSTORE=1", 9, fds, 1), 1);
        ASSERT_EQ(s->n_fd_store, 1u);
        safe_close(p[1]);

        /* An explicit NotifyAccess=none wins. */
        ServiceUnit *n = load_service(m, "fsn.service");
        ASSERT_EQ(n->config->notify_access, NOTIFY_NONE);
        ASSERT_OK(unit_start(&n->meta));
        ASSERT_NULL(strv_env_get_for_test(fake_last_spawn()->envp, "NOTIFY_SOCKET"));
        ASSERT_TRUE(env_has(fake_last_spawn()->envp, "FDSTORE=3"));
        manager_free(m);
}

/* What control processes learn: $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS
 * for ExecStop=/ExecStopPost= only, $NOTIFY_SOCKET with NotifyAccess=all,
 * and one $INVOCATION_ID per run shared by all its processes. */
TEST(control_env) {
        Manager *m = fake_manager();
        write_unit("ce.service", "[Service]\nExecStart=/bin/sleep 100\nExecStartPost=/bin/true\n"
                                 "ExecStop=/bin/echo stop\nExecStopPost=/bin/echo post\nNotifyAccess=all\n"
                                 "Restart=on-failure\n");
        ASSERT_OK(manager_setup_notify(m));
        ServiceUnit *s = load_service(m, "ce.service");
        ASSERT_OK(unit_start(&s->meta));
        FakeSpawn *main_sp = &fake.spawns[fake.n_spawns - 2], *post = fake_last_spawn();
        const char *id = strv_env_get_for_test(main_sp->envp, "INVOCATION_ID");
        ASSERT_NOT_NULL(id);
        ASSERT_EQ(strlen(id), 32u);
        ASSERT_EQ(strspn(id, "0123456789abcdef"), 32u);
        char first_id[33];
        snprintf(first_id, sizeof first_id, "%s", id);
        ASSERT_STREQ(strv_env_get_for_test(post->envp, "INVOCATION_ID"), first_id);
        ASSERT_NOT_NULL(strv_env_get_for_test(post->envp, "NOTIFY_SOCKET"));
        ASSERT_NULL(strv_env_get_for_test(post->envp, "SERVICE_RESULT"));
        unit_process_exited(&s->meta, post->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_RUNNING);

        /* The main process fails: no ExecStop=, ExecStopPost= sees why. */
        unit_process_exited(&s->meta, main_sp->pid, CLD_EXITED, 3);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_STREQ(sp->args, "/bin/echo post");
        ASSERT_TRUE(env_has(sp->envp, "SERVICE_RESULT=exit-code"));
        ASSERT_TRUE(env_has(sp->envp, "EXIT_CODE=exited"));
        ASSERT_TRUE(env_has(sp->envp, "EXIT_STATUS=3"));
        ASSERT_NULL(strv_env_get_for_test(sp->envp, "MAINPID"));
        unit_process_exited(&s->meta, sp->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_AUTO_RESTART);

        /* The restart is a new run with a new id. */
        unit_timer_fired(&s->meta);
        main_sp = &fake.spawns[fake.n_spawns - 2];
        ASSERT_NOT_NULL(strv_env_get_for_test(main_sp->envp, "INVOCATION_ID"));
        ASSERT_TRUE(strcmp(strv_env_get_for_test(main_sp->envp, "INVOCATION_ID"), first_id) != 0);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);

        /* A stop: ExecStop= runs while the main process does... */
        ASSERT_OK(unit_stop(&s->meta));
        sp = fake_last_spawn();
        ASSERT_STREQ(sp->args, "/bin/echo stop");
        ASSERT_TRUE(env_has(sp->envp, "SERVICE_RESULT=success"));
        ASSERT_NULL(strv_env_get_for_test(sp->envp, "EXIT_CODE"));
        ASSERT_NOT_NULL(strv_env_get_for_test(sp->envp, "MAINPID"));
        unit_process_exited(&s->meta, sp->pid, CLD_EXITED, 0);
        /* ...and ExecStopPost= after SIGTERM killed it. */
        unit_process_exited(&s->meta, main_sp->pid, CLD_KILLED, SIGTERM);
        sp = fake_last_spawn();
        ASSERT_STREQ(sp->args, "/bin/echo post");
        ASSERT_TRUE(env_has(sp->envp, "SERVICE_RESULT=success"));
        ASSERT_TRUE(env_has(sp->envp, "EXIT_CODE=killed"));
        ASSERT_TRUE(env_has(sp->envp, "EXIT_STATUS=TERM"));
        unit_process_exited(&s->meta, sp->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        manager_free(m);
}

TEST(notify_exit_before_ready_is_protocol) {
        Manager *m = fake_manager();
        write_unit("p.service", "[Service]\nType=notify\nExecStart=/bin/true\nTimeoutStartSec=7\n");
        ServiceUnit *s = load_service(m, "p.service");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_UEQ(s->meta.timer_deadline, fake.now + 7 * USEC_PER_SEC);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_PROTOCOL);
        manager_free(m);
}

TEST(start_timeout) {
        Manager *m = fake_manager();
        write_unit("to.service", "[Service]\nType=notify\nExecStart=/bin/sleep 100\nTimeoutStartSec=7\n");
        ServiceUnit *s = load_service(m, "to.service");
        ASSERT_OK(unit_start(&s->meta));
        pid_t pid = fake_last_spawn()->pid;
        unit_timer_fired(&s->meta);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        unit_process_exited(&s->meta, pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_TIMEOUT);
        manager_free(m);
}

TEST(oneshot_runs_commands_in_order) {
        Manager *m = fake_manager();
        write_unit("o.service", "[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=/bin/echo two\n"
                                "RemainAfterExit=yes\n");
        ServiceUnit *s = load_service(m, "o.service");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_START);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_START);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/echo");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_EXITED);
        ASSERT_EQ(unit_active_state(&s->meta), UNIT_ACTIVE);
        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(s->state, SERVICE_DEAD);
        manager_free(m);
}

TEST(oneshot_start_timeout_only_when_given) {
        Manager *m = fake_manager();
        write_unit("o1.service", "[Service]\nType=oneshot\nExecStart=/bin/sleep 100\n");
        write_unit("o2.service", "[Service]\nType=oneshot\nExecStart=/bin/sleep 100\nTimeoutStartSec=4\n");
        ServiceUnit *a = load_service(m, "o1.service"), *b = load_service(m, "o2.service");
        ASSERT_OK(unit_start(&a->meta));
        ASSERT_UEQ(a->meta.timer_deadline, USEC_INFINITY);
        ASSERT_OK(unit_start(&b->meta));
        ASSERT_UEQ(b->meta.timer_deadline, fake.now + 4 * USEC_PER_SEC);
        unit_timer_fired(&b->meta);
        ASSERT_EQ(b->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(b->result, SERVICE_FAILURE_TIMEOUT);
        manager_free(m);
}

TEST(control_commands) {
        Manager *m = fake_manager();
        write_unit("c.service", "[Service]\nExecStartPre=/bin/true\nExecStartPre=-/bin/false\nExecStart=/bin/sleep 9\n"
                                "ExecStartPost=/bin/echo post\nExecStop=/bin/echo stop\nExecStopPost=/bin/echo stoppost\n");
        ServiceUnit *s = load_service(m, "c.service");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_START_PRE);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/false");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1); /* '-': ignored */
        ASSERT_STREQ(fake.spawns[2].args, "/bin/sleep 9");
        pid_t main_pid = fake.spawns[2].pid;
        ASSERT_EQ(s->state, SERVICE_START_POST);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/echo post");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_RUNNING);

        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(s->state, SERVICE_STOP);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/echo stop");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        unit_process_exited(&s->meta, main_pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/echo stoppost");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        ASSERT_EQ(s->result, SERVICE_SUCCESS);

        /* A failing ExecStartPre= without '-' fails the start; ExecStart= never runs. */
        write_unit("f.service", "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 9\n");
        ServiceUnit *f = load_service(m, "f.service");
        unsigned before = fake.n_spawns;
        ASSERT_OK(unit_start(&f->meta));
        unit_process_exited(&f->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(fake.n_spawns, before + 1);
        ASSERT_EQ(f->state, SERVICE_FAILED);
        ASSERT_EQ(f->result, SERVICE_FAILURE_EXIT_CODE);
        manager_free(m);
}

TEST(spawn_failure_is_resources) {
        Manager *m = fake_manager();
        write_unit("f.service", "[Service]\nExecStart=/bin/true\n");
        ServiceUnit *s = load_service(m, "f.service");
        fake.fail_spawn = -ENOENT;
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_RESOURCES);
        ASSERT_TRUE(s->meta.log_ring.n > 0);
        manager_free(m);
}

TEST(environment_file) {
        Manager *m = fake_manager();
        char path[600], text[1400];
        snprintf(path, sizeof path, "%s/units/ef.env", test_dir);
        FILE *f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs("# settings\nA=from-file\nB='quoted value'\n", f);
        fclose(f);
        snprintf(text, sizeof text, "[Service]\nExecStart=/bin/true\nEnvironment=A=1 C=3\n"
                 "EnvironmentFile=%s\nEnvironmentFile=-%s/units/missing.env\nUnsetEnvironment=C\n", path, test_dir);
        write_unit("ef.service", text);
        ServiceUnit *s = load_service(m, "ef.service");
        ASSERT_OK(unit_start(&s->meta));
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_TRUE(env_has(sp->envp, "A=from-file"));   /* the file overrides Environment= */
        ASSERT_TRUE(env_has(sp->envp, "B=quoted value"));
        ASSERT_NULL(strv_env_get_for_test(sp->envp, "C")); /* UnsetEnvironment= last */

        /* A required file that is missing fails the start. */
        snprintf(text, sizeof text, "[Service]\nExecStart=/bin/true\nEnvironmentFile=%s/units/missing.env\n", test_dir);
        write_unit("ef2.service", text);
        ServiceUnit *s2 = load_service(m, "ef2.service");
        ASSERT_OK(unit_start(&s2->meta));
        ASSERT_EQ(s2->state, SERVICE_FAILED);
        ASSERT_EQ(s2->result, SERVICE_FAILURE_RESOURCES);
        manager_free(m);
}

TEST(runtime_directory) {
        Manager *m = fake_manager();
        char a[600], b[600], env[1300];
        struct stat st;
        write_unit("rd.service", "[Service]\nExecStart=/bin/true\nRuntimeDirectory=rd rd-two/sub\n"
                                 "RuntimeDirectoryMode=0710\n");
        ServiceUnit *s = load_service(m, "rd.service");
        ASSERT_OK(unit_start(&s->meta));
        snprintf(a, sizeof a, "%s/rd", test_dir);
        snprintf(b, sizeof b, "%s/rd-two/sub", test_dir);
        ASSERT_OK(stat(a, &st));
        ASSERT_EQ(st.st_mode & 07777, 0710);
        ASSERT_OK(stat(b, &st));
        snprintf(env, sizeof env, "RUNTIME_DIRECTORY=%s:%s", a, b);
        ASSERT_TRUE(env_has(fake_last_spawn()->envp, env));

        /* Removed, contents and all, when the service is done. */
        char f[700];
        snprintf(f, sizeof f, "%s/file", a);
        FILE *x = fopen(f, "we");
        fclose(x);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        ASSERT_TRUE(stat(a, &st) < 0 && errno == ENOENT);
        ASSERT_TRUE(stat(b, &st) < 0 && errno == ENOENT);
        manager_free(m);
}

TEST(conditions_and_asserts) {
        Manager *m = fake_manager();
        ASSERT_EQ(condition_test_one("PathExists", "/"), 1);
        ASSERT_EQ(condition_test_one("PathIsDirectory", "/etc/passwd"), 0);
        ASSERT_EQ(condition_test_one("FileNotEmpty", "/etc/passwd"), 1);
        ASSERT_EQ(condition_test_one("FileIsExecutable", "/bin/sh"), 1);
        ASSERT_EQ(condition_test_one("PathExistsGlob", "/etc/pass*"), 1);
        ASSERT_EQ(condition_test_one("CPUs", ">=1"), 1);
        ASSERT_EQ(condition_test_one("Virtualization", "yes"), -EOPNOTSUPP);

        write_unit("skip.service", "[Unit]\nConditionPathExists=/nonexistent/x\n[Service]\nExecStart=/bin/true\n");
        write_unit("neg.service", "[Unit]\nConditionPathExists=!/nonexistent/x\n[Service]\nExecStart=/bin/true\n");
        write_unit("trig.service", "[Unit]\nConditionPathExists=|/nonexistent/x\nConditionPathExists=|/\n"
                                   "[Service]\nExecStart=/bin/true\n");
        write_unit("assert.service", "[Unit]\nAssertPathIsDirectory=/etc/passwd\n[Service]\nExecStart=/bin/true\n");
        ServiceUnit *skip = load_service(m, "skip.service"), *neg = load_service(m, "neg.service"),
                    *trig = load_service(m, "trig.service"), *as = load_service(m, "assert.service");

        ASSERT_OK(unit_start(&skip->meta));          /* skipped: not an error */
        ASSERT_EQ(skip->state, SERVICE_DEAD);
        ASSERT_EQ(fake.n_spawns, 0u);
        ASSERT_OK(unit_start(&neg->meta));
        ASSERT_EQ(neg->state, SERVICE_RUNNING);
        ASSERT_OK(unit_start(&trig->meta));           /* one triggering condition holds */
        ASSERT_EQ(trig->state, SERVICE_RUNNING);
        ASSERT_ERROR(unit_start(&as->meta), EIO);     /* a failed assert is an error */
        ASSERT_EQ(as->state, SERVICE_DEAD);
        manager_free(m);
}

TEST(dependencies) {
        Manager *m = fake_manager();
        write_unit("db.service", "[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("cache.service", "[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("old.service", "[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("app.service", "[Unit]\nRequires=db.service sysinit.target\nWants=cache.service missing.service\n"
                                  "Conflicts=old.service\nAfter=db.service network.target\n"
                                  "[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("part.service", "[Unit]\nPartOf=app.service\n[Service]\nExecStart=/bin/sleep 100\n");
        write_unit("needs-missing.service", "[Unit]\nRequires=nothere.service\n[Service]\nExecStart=/bin/true\n");
        write_unit("requisite.service", "[Unit]\nRequisite=db.service\n[Service]\nExecStart=/bin/true\n");

        ServiceUnit *old = load_service(m, "old.service");
        ASSERT_OK(unit_start(&old->meta));
        ServiceUnit *req = load_service(m, "requisite.service");
        ASSERT_ERROR(unit_start(&req->meta), ENOLINK);   /* db is not active yet */

        ServiceUnit *app = load_service(m, "app.service");
        ASSERT_OK(unit_start(&app->meta));
        ServiceUnit *db = SERVICE(manager_get_unit(m, "db.service"));
        ServiceUnit *cache = SERVICE(manager_get_unit(m, "cache.service"));
        ASSERT_NOT_NULL(db);
        ASSERT_NOT_NULL(cache);
        ASSERT_EQ(db->state, SERVICE_RUNNING);           /* Requires= pulled it in, before app */
        ASSERT_EQ(cache->state, SERVICE_RUNNING);        /* Wants= too; missing.service only warned */
        ASSERT_EQ(app->state, SERVICE_RUNNING);
        ASSERT_EQ(old->state, SERVICE_STOP_SIGTERM);     /* Conflicts= */
        ASSERT_STREQ(fake.spawns[1].args, "/bin/sleep 100");
        ASSERT_EQ(fake.spawns[1].pid, db->main_process.pid);
        ASSERT_OK(unit_start(&req->meta));               /* now db is active */

        ServiceUnit *part = load_service(m, "part.service");
        ASSERT_OK(unit_start(&part->meta));
        /* db dies: app (Requires=) stops, and part (PartOf=app) with it. */
        unit_process_exited(&db->meta, db->main_process.pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(app->state, SERVICE_STOP_SIGTERM);
        unit_process_exited(&app->meta, app->main_process.pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(part->state, SERVICE_STOP_SIGTERM);

        ServiceUnit *nm = load_service(m, "needs-missing.service");
        ASSERT_ERROR(unit_start(&nm->meta), ENOLINK);
        ASSERT_EQ(nm->state, SERVICE_DEAD);
        manager_free(m);
}

TEST(log_ring_keeps_last_lines) {
        UnitLogRing ring = {};
        char buf[32];
        for (int i = 0; i < UNIT_LOG_LINES + 5; i++) {
                snprintf(buf, sizeof buf, "line %d", i);
                unit_log_ring_push(&ring, LOG_INFO, buf);
        }
        ASSERT_EQ(ring.n, (size_t) UNIT_LOG_LINES);
        ASSERT_STREQ(unit_log_ring_get(&ring, 0)->text, "line 5");
        snprintf(buf, sizeof buf, "line %d", UNIT_LOG_LINES + 4);
        ASSERT_STREQ(unit_log_ring_get(&ring, UNIT_LOG_LINES - 1)->text, buf);
        ASSERT_NULL(unit_log_ring_get(&ring, UNIT_LOG_LINES));
        unit_log_ring_clear(&ring);
        ASSERT_EQ(ring.n, 0u);
}

TEST(ratelimit_window) {
        RateLimit rl = { .interval = 10, .burst = 2 };
        ASSERT_TRUE(ratelimit_below(&rl, 100));
        ASSERT_TRUE(ratelimit_below(&rl, 101));
        ASSERT_FALSE(ratelimit_below(&rl, 102));
        ASSERT_TRUE(ratelimit_exceeded(&rl, 105));
        ASSERT_TRUE(ratelimit_below(&rl, 110));
        RateLimit off = { .interval = 0, .burst = 0 };
        for (int i = 0; i < 1000; i++)
                ASSERT_TRUE(ratelimit_below(&off, 5));
}

/* systemd v258: a failed ExecStartPre= goes to stop-sigterm, then runs
 * ExecStopPost= (never ExecStop=) and ends failed. */
TEST(start_pre_failure_runs_stop_post) {
        Manager *m = fake_manager();
        write_unit("pre.service", "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 100\n"
                                  "ExecStop=/bin/echo\nExecStopPost=/bin/true\n");
        ServiceUnit *s = load_service(m, "pre.service");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_START_PRE);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        ASSERT_EQ(fake.n_spawns, 2u); /* no ExecStart=, no ExecStop= */
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_EXIT_CODE);
        manager_free(m);
}

/* A timed-out ExecStartPre= gets the stop signal, then ExecStopPost=. */
TEST(start_pre_timeout_terminates) {
        Manager *m = fake_manager();
        write_unit("pret.service", "[Service]\nExecStartPre=/bin/sleep 100\nExecStart=/bin/sleep 100\n"
                                   "ExecStop=/bin/echo\nExecStopPost=/bin/true\nTimeoutStartSec=3\n");
        ServiceUnit *s = load_service(m, "pret.service");
        ASSERT_OK(unit_start(&s->meta));
        pid_t pre = fake_last_spawn()->pid;
        unit_timer_fired(&s->meta);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(fake.kills[0].pid, pre);
        ASSERT_EQ(fake.kills[0].sig, SIGTERM);
        unit_process_exited(&s->meta, pre, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_TIMEOUT);
        manager_free(m);
}

/* A main process that cannot be spawned: ExecStopPost= still runs. */
TEST(start_spawn_failure_runs_stop_post) {
        Manager *m = fake_manager();
        write_unit("nospawn.service", "[Service]\nExecStart=/bin/sleep 100\nExecStop=/bin/echo\n"
                                      "ExecStopPost=/bin/true\n");
        ServiceUnit *s = load_service(m, "nospawn.service");
        fake.fail_spawn = -ENOEXEC;
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_RESOURCES);
        manager_free(m);
}

/* A failed (or timed-out) ExecStartPost= goes to stop-sigterm too: the
 * main process gets SIGTERM, ExecStop= is not run, ExecStopPost= is. */
TEST(start_post_failure_skips_exec_stop) {
        Manager *m = fake_manager();
        write_unit("post.service", "[Service]\nExecStart=/bin/sleep 100\nExecStartPost=/bin/false\n"
                                   "ExecStop=/bin/echo\nExecStopPost=/bin/true\n");
        write_unit("postt.service", "[Service]\nExecStart=/bin/sleep 100\nExecStartPost=/bin/sleep 100\n"
                                    "ExecStop=/bin/echo\nExecStopPost=/bin/true\nTimeoutStartSec=3\n");
        ServiceUnit *s = load_service(m, "post.service"), *t = load_service(m, "postt.service");

        ASSERT_OK(unit_start(&s->meta));
        pid_t main_pid = fake.spawns[0].pid;
        ASSERT_EQ(s->state, SERVICE_START_POST);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(fake.kills[0].pid, main_pid);
        ASSERT_EQ(fake.n_spawns, 2u); /* no ExecStop= */
        unit_process_exited(&s->meta, main_pid, CLD_KILLED, SIGTERM);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_EXIT_CODE);

        unsigned n = fake.n_spawns;
        ASSERT_OK(unit_start(&t->meta));
        ASSERT_EQ(t->state, SERVICE_START_POST);
        unit_timer_fired(&t->meta);
        ASSERT_EQ(t->state, SERVICE_STOP_SIGTERM);
        ASSERT_EQ(fake.n_spawns, n + 2); /* ExecStart=, ExecStartPost=; no ExecStop= */
        manager_free(m);
}

/* KillMode=none: no signal at all, the stop goes on at once and succeeds. */
TEST(kill_mode_none) {
        Manager *m = fake_manager();
        write_unit("none.service", "[Service]\nExecStart=/bin/sleep 100\nKillMode=none\nExecStopPost=/bin/true\n");
        ServiceUnit *s = load_service(m, "none.service");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(fake.n_kills, 0u);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(fake.n_kills, 0u);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        ASSERT_EQ(s->result, SERVICE_SUCCESS);
        manager_free(m);
}

/* ExecCondition=: before ExecStartPre=; 1-254 skips the start (inactive,
 * success, no restart), 255 or a signal fails it, 0 goes on. */
TEST(exec_condition) {
        Manager *m = fake_manager();
        write_unit("cond.service", "[Service]\nExecCondition=/bin/test\nExecStartPre=/bin/true\n"
                                   "ExecStart=/bin/sleep 100\nExecStopPost=/bin/echo\nRestart=always\n");
        ServiceUnit *s = load_service(m, "cond.service");

        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SERVICE_CONDITION);
        ASSERT_EQ(unit_active_state(&s->meta), UNIT_ACTIVATING);
        ASSERT_STREQ(unit_sub_state(&s->meta), "condition");
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/test");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/echo");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_DEAD);
        ASSERT_EQ(s->result, SERVICE_SUCCESS);
        ASSERT_EQ(fake.n_spawns, 2u); /* no ExecStartPre=, no ExecStart= */

        ASSERT_OK(unit_start(&s->meta));
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 255);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->result, SERVICE_FAILURE_EXIT_CODE);
        ASSERT_EQ(s->state, SERVICE_AUTO_RESTART); /* a failure, unlike the skip */
        ASSERT_OK(unit_stop(&s->meta));

        unsigned n = fake.n_spawns;
        ASSERT_OK(unit_start(&s->meta));
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(s->result, SERVICE_FAILURE_SIGNAL);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_OK(unit_stop(&s->meta));

        n = fake.n_spawns;
        unit_reset_failed(&s->meta);
        ASSERT_OK(unit_start(&s->meta));
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_START_PRE);
        ASSERT_STREQ(fake_last_spawn()->argv0, "/bin/true");
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->state, SERVICE_RUNNING);
        ASSERT_EQ(fake.n_spawns, n + 3);
        manager_free(m);
}

/* ExecStart=- excuses the main process only: a failing ExecStopPost=
 * still fails the service (the control exit used to inherit the "-"). */
TEST(ignore_failure_is_per_command) {
        Manager *m = fake_manager();
        write_unit("dash.service", "[Service]\nExecStart=-/bin/sleep 100\nExecStopPost=/bin/false\n");
        ServiceUnit *s = load_service(m, "dash.service");
        ASSERT_OK(unit_start(&s->meta));
        pid_t pid = fake_last_spawn()->pid;
        ASSERT_OK(unit_stop(&s->meta));
        unit_process_exited(&s->meta, pid, CLD_EXITED, 3);
        ASSERT_EQ(s->state, SERVICE_STOP_POST);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SERVICE_FAILED);
        ASSERT_EQ(s->result, SERVICE_FAILURE_EXIT_CODE);
        manager_free(m);
}

RUN_TESTS();
