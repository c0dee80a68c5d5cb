/* SPDX-License-Identifier: MIT */
/* The socket unit state machine, through the fake seam: real listening
 * sockets and real client connections on 127.0.0.1, no real processes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "core-fake-ops.h"
#include "fd-util.h"
#include "service-unit.h"
#include "socket-unit.h"

/* The port a socket unit's first listener got (we bind port 0). */
static int bound_port(SocketUnit *s, size_t i) {
        struct sockaddr_in sa;
        socklen_t l = sizeof sa;
        ASSERT_OK(getsockname(s->config->ports[i].fd, (struct sockaddr *) &sa, &l));
        return ntohs(sa.sin_port);
}

static int connect_to(int port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_OK(fd);
        ASSERT_OK(connect(fd, (struct sockaddr *) &sa, sizeof sa));
        return fd;
}

/* Write a unit, replacing each "PORT" in text by a free port. */
static void write_unit_ports(const char *name, const char *text) {
        char buf[2048], *o = buf;
        for (const char *p = text; *p && o < buf + sizeof buf - 8; )
                if (strncmp(p, "PORT", 4) == 0) {
                        o += sprintf(o, "%d", free_port());
                        p += 4;
                } else
                        *o++ = *p++;
        *o = 0;
        write_unit(name, buf);
}

static SocketUnit *load_socket(Manager *m, const char *name) {
        Unit *u = NULL;
        ASSERT_OK(manager_load_unit(m, name, &u));
        ASSERT_NOT_NULL(SOCKET(u));
        return SOCKET(u);
}

TEST(string_tables) {
        for (SocketState s = 0; s < _SOCKET_STATE_MAX; s++) {
                ASSERT_NOT_NULL(socket_state_to_string(s));
                ASSERT_EQ(socket_state_from_string(socket_state_to_string(s)), s);
                ASSERT_TRUE(socket_state_to_active_state(s) >= 0);
        }
        for (SocketResult r = 0; r < _SOCKET_RESULT_MAX; r++)
                ASSERT_EQ(socket_result_from_string(socket_result_to_string(r)), r);
        ASSERT_STREQ(socket_state_to_string(SOCKET_STOP_PRE_SIGTERM), "stop-pre-sigterm");
        ASSERT_STREQ(socket_result_to_string(SOCKET_FAILURE_SERVICE_START_LIMIT_HIT), "service-start-limit-hit");
        ASSERT_EQ(socket_state_to_active_state(SOCKET_LISTENING), UNIT_ACTIVE);
        ASSERT_EQ(socket_state_to_active_state(SOCKET_RUNNING), UNIT_ACTIVE);
        ASSERT_EQ(socket_state_to_active_state(SOCKET_START_CHOWN), UNIT_ACTIVATING);
        ASSERT_EQ(socket_state_to_active_state(SOCKET_FINAL_SIGKILL), UNIT_DEACTIVATING);
        ASSERT_EQ(socket_state_to_active_state(SOCKET_FAILED), UNIT_FAILED);
        ASSERT_EQ(socket_state_from_string("bogus"), -EINVAL);
}

TEST(accept_no_triggers_service_with_all_fds) {
        Manager *m = fake_manager();
        write_unit_ports("multi.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nListenStream=127.0.0.1:PORT\n"
                                   "FileDescriptorName=web\n");
        write_unit("multi.service", "[Service]\nExecStart=/bin/echo $FOO\nEnvironment=FOO=bar\n");
        SocketUnit *s = load_socket(m, "multi.socket");
        ServiceUnit *svc = SERVICE(s->service);
        ASSERT_NOT_NULL(svc);

        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        ASSERT_TRUE(s->config->ports[0].fd >= 0 && s->config->ports[1].fd >= 0);
        ASSERT_EQ(fake.n_spawns, 0u);

        int c = connect_to(bound_port(s, 1));
        socket_port_ready(&s->watches[1], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 1u);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_STREQ(sp->argv0, "/bin/echo");
        ASSERT_EQ(sp->n_fds, 2u);
        ASSERT_TRUE(sp->listen_env);
        ASSERT_TRUE(env_has(sp->envp, "LISTEN_FDS=2"));
        ASSERT_TRUE(env_has(sp->envp, "LISTEN_FDNAMES=web:web"));
        ASSERT_TRUE(env_has(sp->envp, "FOO=bar"));
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        ASSERT_EQ(svc->state, SERVICE_RUNNING);
        /* Not polled while the service runs. */
        int enabled = -1;
        ASSERT_OK(sd_event_source_get_enabled(s->watches[0].io_source, &enabled));
        ASSERT_EQ(enabled, SD_EVENT_OFF);

        /* Events while running are ignored. */
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 1u);

        /* The service exits: back to listening, watches on again. */
        unit_process_exited(&svc->meta, sp->pid, CLD_EXITED, 0);
        ASSERT_EQ(svc->state, SERVICE_DEAD);
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        ASSERT_OK(sd_event_source_get_enabled(s->watches[0].io_source, &enabled));
        ASSERT_EQ(enabled, SD_EVENT_ON);

        /* Stop: ports closed, dead. */
        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(s->state, SOCKET_DEAD);
        ASSERT_EQ(s->config->ports[0].fd, -EBADF);
        safe_close(c);
        manager_free(m);
}

TEST(trigger_limit) {
        Manager *m = fake_manager();
        write_unit_ports("tl.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nTriggerLimitBurst=2\nTriggerLimitIntervalSec=5s\n");
        write_unit("tl.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = load_socket(m, "tl.socket");
        ServiceUnit *svc = SERVICE(s->service);
        ASSERT_OK(unit_start(&s->meta));

        for (int i = 0; i < 2; i++) {
                socket_port_ready(&s->watches[0], EPOLLIN);
                ASSERT_EQ(s->state, SOCKET_RUNNING);
                unit_process_exited(&svc->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
                ASSERT_EQ(s->state, SOCKET_LISTENING);
                fake.now += USEC_PER_SEC;
        }
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_TRIGGER_LIMIT_HIT);
        ASSERT_EQ(unit_active_state(&s->meta), UNIT_FAILED);
        ASSERT_EQ(s->config->ports[0].fd, -EBADF);

        /* A new window after the interval: a restart works again. */
        fake.now += 10 * USEC_PER_SEC;
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        ASSERT_EQ(s->result, SOCKET_SUCCESS);
        manager_free(m);
}

TEST(trigger_limit_defaults) {
        Manager *m = fake_manager();
        write_unit_ports("d1.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        write_unit("d1.service", "[Service]\nExecStart=/bin/true\n");
        write_unit_ports("d2.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nAccept=yes\n");
        write_unit("d2@.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *a = load_socket(m, "d1.socket"), *b = load_socket(m, "d2.socket");
        ASSERT_OK(unit_start(&a->meta));
        ASSERT_OK(unit_start(&b->meta));
        ASSERT_UEQ(a->trigger_limit.interval, 2 * USEC_PER_SEC);
        ASSERT_EQ(a->trigger_limit.burst, 20u);
        ASSERT_EQ(b->trigger_limit.burst, 200u);
        ASSERT_EQ(a->config->poll_limit.burst, 15u);
        ASSERT_EQ(b->config->poll_limit.burst, 150u);
        /* PollLimit= is the sd-event rate limit of each listening fd. */
        uint64_t interval = 0;
        unsigned burst = 0;
        ASSERT_OK(sd_event_source_get_ratelimit(b->watches[0].io_source, &interval, &burst));
        ASSERT_UEQ(interval, 2 * USEC_PER_SEC);
        ASSERT_EQ(burst, 150u);
        manager_free(m);
}

TEST(accept_yes_max_connections) {
        Manager *m = fake_manager();
        write_unit_ports("echo.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nAccept=yes\nMaxConnections=2\n");
        write_unit("echo@.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        SocketUnit *s = load_socket(m, "echo.socket");
        ASSERT_STREQ(s->service->id, "echo@.service");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_NOT_NULL(s->spawn_template);
        int port = bound_port(s, 0);

        int c[3];
        for (int i = 0; i < 3; i++) {
                c[i] = connect_to(port);
                socket_port_ready(&s->watches[0], EPOLLIN);
                ASSERT_EQ(s->state, SOCKET_LISTENING);
        }
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_TRUE(fake.spawns[0].from_template);
        ASSERT_EQ(s->n_accepted, 2u);
        ASSERT_EQ(s->n_connections, 2u);
        ASSERT_EQ(s->n_refused, 1u);

        /* The refused client sees EOF at once. */
        char b;
        ASSERT_EQ(read(c[2], &b, 1), 0);

        /* Instances are named prefix@N-COOKIE-local-remote.service. */
        ServiceUnit *inst = NULL;
        for (Unit *u = m->units; u; u = u->next)
                if (SERVICE(u) && SERVICE(u)->instance && !inst)
                        inst = SERVICE(u);
        ASSERT_NOT_NULL(inst);
        ASSERT_TRUE(strncmp(inst->meta.id, "echo@0-", 7) == 0);
        ASSERT_TRUE(strstr(inst->meta.id, "-127.0.0.1:") != NULL);
        /* The whole name, character for character: the first instance is
         * the first client's connection. */
        struct sockaddr_in client;
        socklen_t client_len = sizeof client;
        unsigned long long cookie = 0;
        char want[UNIT_NAME_MAX + 1];
        ASSERT_OK(getsockname(c[0], (struct sockaddr *) &client, &client_len));
        ASSERT_EQ(sscanf(inst->meta.id, "echo@0-%llu-", &cookie), 1);
        ASSERT_TRUE(cookie > 0);
        snprintf(want, sizeof want, "echo@0-%llu-127.0.0.1:%d-127.0.0.1:%u.service", cookie, port,
                 (unsigned) ntohs(client.sin_port));
        ASSERT_STREQ(inst->meta.id, want);
        ASSERT_EQ(inst->state, SERVICE_RUNNING);

        /* One instance exits: its count is released and it is collected. */
        unsigned n_units = m->n_units;
        unit_process_exited(&inst->meta, fake.spawns[0].pid, CLD_EXITED, 0);
        ASSERT_EQ(s->n_connections, 1u);
        manager_dispatch_gc(m);
        ASSERT_EQ(m->n_units, n_units - 1);

        /* Room again. */
        int c4 = connect_to(port);
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 3u);
        ASSERT_EQ(s->n_connections, 2u);

        for (int i = 0; i < 3; i++)
                safe_close(c[i]);
        safe_close(c4);
        manager_free(m);
}

TEST(accept_yes_template_with_instance_specifier) {
        Manager *m = fake_manager();
        write_unit_ports("spec.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nAccept=yes\n");
        write_unit("spec@.service", "[Service]\nExecStart=/bin/echo %i\n");
        SocketUnit *s = load_socket(m, "spec.socket");
        ASSERT_TRUE(s->instances_need_load);
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_NULL(s->spawn_template);

        int c = connect_to(bound_port(s, 0));
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 1u);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_FALSE(sp->from_template);
        /* %i is this instance's name; the connection is fd 3. */
        ASSERT_TRUE(strncmp(sp->args, "/bin/echo 0-", 12) == 0);
        ASSERT_EQ(sp->n_fds, 1u);
        ASSERT_TRUE(env_has(sp->envp, "LISTEN_FDS=1"));
        ASSERT_TRUE(env_has(sp->envp, "LISTEN_FDNAMES=connection"));
        ASSERT_TRUE(env_has(sp->envp, "REMOTE_ADDR=127.0.0.1"));
        ASSERT_NOT_NULL(strv_env_get_for_test(sp->envp, "REMOTE_PORT"));

        Unit *inst = m->units_tail;
        unit_process_exited(inst, sp->pid, CLD_EXITED, 0);
        ASSERT_EQ(s->n_connections, 0u);
        manager_dispatch_gc(m);
        safe_close(c);
        manager_free(m);
}

TEST(accept_yes_per_source) {
        Manager *m = fake_manager();
        write_unit_ports("ps.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nAccept=yes\nMaxConnectionsPerSource=1\n");
        write_unit("ps@.service", "[Service]\nExecStart=/bin/cat\n");
        SocketUnit *s = load_socket(m, "ps.socket");
        ASSERT_OK(unit_start(&s->meta));
        int port = bound_port(s, 0);

        int a = connect_to(port);
        socket_port_ready(&s->watches[0], EPOLLIN);
        int b = connect_to(port);
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_EQ(s->n_refused, 1u);
        ASSERT_EQ(s->n_connections, 1u);

        /* Its instance fails to start: the counts are released anyway. */
        Unit *inst = m->units_tail;
        ASSERT_NOT_NULL(SERVICE(inst));
        unit_process_exited(inst, fake_last_spawn()->pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(SERVICE(inst)->state, SERVICE_FAILED);
        ASSERT_EQ(s->n_connections, 0u);
        manager_dispatch_gc(m);

        int c = connect_to(port);
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_EQ(s->n_refused, 1u);
        safe_close(a);
        safe_close(b);
        safe_close(c);
        manager_free(m);
}

TEST(bind_failure_is_contained) {
        Manager *m = fake_manager();
        write_unit_ports("first.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        write_unit("first.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *a = load_socket(m, "first.socket");
        ASSERT_OK(unit_start(&a->meta));
        char text[200];
        snprintf(text, sizeof text, "[Socket]\nListenStream=127.0.0.1:PORT\nListenStream=127.0.0.1:%d\n",
                 bound_port(a, 0));
        write_unit_ports("second.socket", text);
        write_unit("second.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *b = load_socket(m, "second.socket");

        (void) unit_start(&b->meta);
        ASSERT_EQ(b->state, SOCKET_FAILED);
        ASSERT_EQ(b->result, SOCKET_FAILURE_RESOURCES);
        /* The first port of the failed unit was closed again. */
        ASSERT_EQ(b->config->ports[0].fd, -EBADF);
        ASSERT_EQ(a->state, SOCKET_LISTENING);
        ASSERT_TRUE(b->meta.log_ring.n > 0);
        manager_free(m);
}

TEST(missing_service_refuses_start) {
        Manager *m = fake_manager();
        write_unit_ports("lonely.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        SocketUnit *s = load_socket(m, "lonely.socket");
        ASSERT_ERROR(unit_start(&s->meta), ENOENT);
        ASSERT_EQ(s->state, SOCKET_DEAD);
        manager_free(m);
}

TEST(exec_start_pre_failure) {
        Manager *m = fake_manager();
        write_unit_ports("pre.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nExecStartPre=/bin/false\nExecStartPre=/bin/true\n");
        write_unit("pre.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = load_socket(m, "pre.socket");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SOCKET_START_PRE);
        ASSERT_EQ(s->config->ports[0].fd, -EBADF);
        ASSERT_EQ(fake.n_spawns, 1u);
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        /* The chain stops at the first failure. */
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_EXIT_CODE);
        manager_free(m);
}

TEST(exec_start_post_and_stop_timeouts) {
        Manager *m = fake_manager();
        write_unit_ports("post.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nExecStartPost=-/bin/false\n"
                                  "ExecStopPre=/bin/sleep 100\nTimeoutSec=3\n");
        write_unit("post.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = load_socket(m, "post.socket");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_EQ(s->state, SOCKET_START_POST);
        ASSERT_TRUE(s->config->ports[0].fd >= 0);
        /* '-' ignores the failure. */
        unit_process_exited(&s->meta, fake_last_spawn()->pid, CLD_EXITED, 1);
        ASSERT_EQ(s->state, SOCKET_LISTENING);

        ASSERT_OK(unit_stop(&s->meta));
        ASSERT_EQ(s->state, SOCKET_STOP_PRE);
        ASSERT_UEQ(s->meta.timer_deadline, fake.now + 3 * USEC_PER_SEC);
        /* ExecStopPre still sees the open ports. */
        ASSERT_TRUE(s->config->ports[0].fd >= 0);
        pid_t pid = fake_last_spawn()->pid;

        unit_timer_fired(&s->meta);
        ASSERT_EQ(s->state, SOCKET_STOP_PRE_SIGTERM);
        ASSERT_EQ(fake.kills[0].pid, pid);
        ASSERT_EQ(fake.kills[0].sig, SIGTERM);
        ASSERT_EQ(fake.kills[1].sig, SIGCONT);
        unit_timer_fired(&s->meta);
        ASSERT_EQ(s->state, SOCKET_STOP_PRE_SIGKILL);
        ASSERT_EQ(fake.kills[2].sig, SIGKILL);
        unit_process_exited(&s->meta, pid, CLD_KILLED, SIGKILL);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_TIMEOUT);
        ASSERT_EQ(s->config->ports[0].fd, -EBADF);
        manager_free(m);
}

TEST(service_start_limit_reaches_socket) {
        Manager *m = fake_manager();
        write_unit_ports("sl.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        write_unit("sl.service", "[Unit]\nStartLimitBurst=2\nStartLimitIntervalSec=60\n[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = load_socket(m, "sl.socket");
        ServiceUnit *svc = SERVICE(s->service);
        ASSERT_OK(unit_start(&s->meta));

        for (int i = 0; i < 2; i++) {
                socket_port_ready(&s->watches[0], EPOLLIN);
                unit_process_exited(&svc->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        }
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(svc->result, SERVICE_FAILURE_START_LIMIT_HIT);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_SERVICE_START_LIMIT_HIT);
        manager_free(m);
}

TEST(connection_during_restart_delay_waits_for_timer) {
        Manager *m = fake_manager();
        write_unit_ports("rs.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        write_unit("rs.service", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=5\n");
        SocketUnit *s = load_socket(m, "rs.socket");
        ServiceUnit *svc = SERVICE(s->service);
        ASSERT_OK(unit_start(&s->meta));
        socket_port_ready(&s->watches[0], EPOLLIN);
        unit_process_exited(&svc->meta, fake_last_spawn()->pid, CLD_KILLED, SIGSEGV);
        ASSERT_EQ(svc->state, SERVICE_AUTO_RESTART);
        ASSERT_EQ(s->state, SOCKET_LISTENING);

        /* A connection now does not cut RestartSec= short... */
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(fake.n_spawns, 1u);
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        /* ...the timer starts the service, which then has the fds. */
        unit_timer_fired(&svc->meta);
        ASSERT_EQ(fake.n_spawns, 2u);
        ASSERT_EQ(fake_last_spawn()->n_fds, 1u);
        ASSERT_EQ(svc->state, SERVICE_RUNNING);
        ASSERT_EQ(svc->n_restarts, 1u);
        ASSERT_EQ(s->state, SOCKET_RUNNING);
        manager_free(m);
}

TEST(service_sockets_setting) {
        Manager *m = fake_manager();
        write_unit_ports("extra.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nService=main.service\n"
                                         "FileDescriptorName=extra\n");
        write_unit_ports("main.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        write_unit("main.service", "[Service]\nExecStart=/bin/true\nSockets=extra.socket main.socket\n");
        Unit *u = NULL;
        ASSERT_OK(manager_load_unit(m, "main.service", &u));
        SocketUnit *extra = SOCKET(manager_get_unit(m, "extra.socket"));
        ASSERT_NOT_NULL(extra);
        /* Starting the service by hand starts its sockets first. */
        ASSERT_OK(unit_start(u));
        ASSERT_TRUE(extra->config->ports[0].fd >= 0);
        FakeSpawn *sp = fake_last_spawn();
        ASSERT_EQ(sp->n_fds, 2u);
        ASSERT_TRUE(env_has(sp->envp, "LISTEN_FDNAMES=extra:main.socket"));
        /* The sockets follow the service they trigger. */
        ASSERT_EQ(extra->state, SOCKET_RUNNING);
        manager_free(m);
}

TEST(poll_limit_off) {
        Manager *m = fake_manager();
        write_unit_ports("pl.socket", "[Socket]\nListenStream=127.0.0.1:PORT\nPollLimitIntervalSec=0\n");
        write_unit("pl.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = load_socket(m, "pl.socket");
        ASSERT_OK(unit_start(&s->meta));
        ASSERT_ERROR(sd_event_source_get_ratelimit(s->watches[0].io_source, NULL, NULL), ENOEXEC);
        manager_free(m);
}

TEST(daemon_reload_keeps_fds) {
        Manager *m = fake_manager();
        int port = free_port();
        char text[300];
        snprintf(text, sizeof text, "[Socket]\nListenStream=127.0.0.1:%d\n", port);
        write_unit("rl.socket", text);
        write_unit("rl.service", "[Service]\nExecStart=/bin/true\nEnvironment=V=old\n");
        SocketUnit *s = load_socket(m, "rl.socket");
        ASSERT_OK(unit_start(&s->meta));
        int fd = s->config->ports[0].fd;
        SocketConfig *old = s->config;

        /* Same listener, other settings: the fd moves to the new config. */
        snprintf(text, sizeof text, "[Socket]\nListenStream=127.0.0.1:%d\nTriggerLimitBurst=3\n", port);
        write_unit("rl.socket", text);
        write_unit("rl.service", "[Service]\nExecStart=/bin/true\nEnvironment=V=new\n");
        ASSERT_EQ(manager_reload(m), 2);
        ASSERT_TRUE(s->config != old);
        ASSERT_EQ(s->config->ports[0].fd, fd);
        ASSERT_TRUE(s->watches[0].port == &s->config->ports[0]);
        ASSERT_EQ(s->config->trigger_limit.burst, 3u);
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_TRUE(env_has(fake_last_spawn()->envp, "V=new"));
        ASSERT_EQ(fake_last_spawn()->n_fds, 1u);

        /* Another listener while active: the old settings stay. */
        write_unit_ports("rl.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        SocketConfig *cur = s->config;
        ASSERT_EQ(manager_reload(m), 1); /* only the service */
        ASSERT_TRUE(s->config == cur);
        ASSERT_EQ(s->config->ports[0].fd, fd);

        /* A unit file that breaks keeps the loaded settings too. */
        write_unit("rl.service", "[Service]\n");
        ASSERT_EQ(manager_reload(m), 0);
        ASSERT_TRUE(env_has(SERVICE(s->service)->config->exec.environment, "V=new"));
        manager_free(m);
}

TEST(pollhup_fails_unit) {
        Manager *m = fake_manager();
        write_unit_ports("hup.socket", "[Socket]\nListenStream=127.0.0.1:PORT\n");
        write_unit("hup.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = load_socket(m, "hup.socket");
        ASSERT_OK(unit_start(&s->meta));
        socket_port_ready(&s->watches[0], EPOLLIN | EPOLLHUP);
        ASSERT_EQ(s->state, SOCKET_FAILED);
        ASSERT_EQ(s->result, SOCKET_FAILURE_RESOURCES);
        manager_free(m);
}

RUN_TESTS();
