/* SPDX-License-Identifier: MIT */
/* daemon-reload and the configs it replaces: freed at once when nothing
 * points into them, kept while a process runs from them or an Accept=yes
 * instance borrows them.  Under ASan a config freed too early shows up as a
 * use after free when the process exits or the instance is released. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "core-fake-ops.h"
#include "fd-util.h"
#include "service-unit.h"
#include "socket-unit.h"

TEST(listening_socket_frees_old_config) {
        Manager *m = fake_manager();
        char text[200];
        snprintf(text, sizeof text, "[Socket]\nListenStream=127.0.0.1:%d\n", free_port());
        write_unit("l.socket", text);
        write_unit("l.service", "[Service]\nExecStart=/bin/true\n");
        SocketUnit *s = SOCKET(load_unit(m, "l.socket"));
        ASSERT_OK(unit_start(&s->meta));
        int fd = s->config->ports[0].fd;
        ASSERT_TRUE(fd >= 0);

        ASSERT_EQ(manager_reload(m), 2);
        ASSERT_EQ(m->n_retired_configs, 0u);
        ASSERT_EQ(s->state, SOCKET_LISTENING);
        ASSERT_EQ(s->config->ports[0].fd, fd);
        ASSERT_TRUE(s->watches[0].port == &s->config->ports[0]);
        /* The watch works on the new config (ASan: nothing reads the old). */
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/true");
        manager_free(m);
}

TEST(idle_units_free_old_configs) {
        Manager *m = fake_manager();
        write_unit("idle.socket", "[Socket]\nListenStream=/run/idle.sock\n");
        write_unit("idle.service", "[Service]\nExecStart=/bin/true\nEnvironment=V=old\n");
        Unit *s = load_unit(m, "idle.socket");
        Unit *svc = SOCKET(s)->service;
        ASSERT_NOT_NULL(svc);

        write_unit("idle.service", "[Service]\nExecStart=/bin/true\nEnvironment=V=new\n");
        ASSERT_EQ(manager_reload(m), 2);
        ASSERT_EQ(m->n_retired_configs, 0u);
        ASSERT_TRUE(SERVICE(svc)->config == svc->config->service);
        ASSERT_TRUE(env_has(SERVICE(svc)->config->exec.environment, "V=new"));
        ASSERT_TRUE(SOCKET(s)->config == s->config->socket);

        /* Reloading again and again does not pile up memory. */
        for (int i = 0; i < 3; i++)
                ASSERT_EQ(manager_reload(m), 2);
        ASSERT_EQ(m->n_retired_configs, 0u);
        manager_free(m);
}

TEST(running_service_keeps_old_config_until_exit) {
        Manager *m = fake_manager();
        write_unit("run.service", "[Service]\nType=oneshot\nExecStart=/bin/true a\nExecStart=/bin/true b\n");
        Unit *u = load_unit(m, "run.service");
        ASSERT_OK(unit_start(u));
        pid_t pid = fake_last_spawn()->pid;
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/true a");

        write_unit("run.service", "[Service]\nType=oneshot\nExecStart=/bin/true c\n");
        ASSERT_EQ(manager_reload(m), 1);
        ASSERT_EQ(m->n_retired_configs, 1u);

        /* The oneshot goes on with the list it started from (old config). */
        unit_process_exited(u, pid, CLD_EXITED, 0);
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/true b");
        unit_process_exited(u, fake_last_spawn()->pid, CLD_EXITED, 0);
        ASSERT_EQ(SERVICE(u)->state, SERVICE_DEAD);

        /* Dead now: the next reload frees what it replaces. */
        ASSERT_EQ(manager_reload(m), 1);
        ASSERT_EQ(m->n_retired_configs, 1u);
        ASSERT_OK(unit_start(u));
        ASSERT_STREQ(fake_last_spawn()->args, "/bin/true c");
        manager_free(m);
}

TEST(borrowed_template_config_is_kept) {
        Manager *m = fake_manager();
        char text[200];
        snprintf(text, sizeof text, "[Socket]\nListenStream=127.0.0.1:%d\nAccept=yes\n", free_port());
        write_unit("b.socket", text);
        write_unit("b@.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        SocketUnit *s = SOCKET(load_unit(m, "b.socket"));
        ASSERT_NOT_NULL(s);
        Unit *tmpl = s->service;
        ASSERT_OK(unit_start(&s->meta));

        struct sockaddr_in sa = { .sin_family = AF_INET };
        socklen_t l = sizeof sa;
        ASSERT_OK(getsockname(s->config->ports[0].fd, (struct sockaddr *) &sa, &l));
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(connect(c, (struct sockaddr *) &sa, sizeof sa));
        socket_port_ready(&s->watches[0], EPOLLIN);
        ASSERT_EQ(s->n_connections, 1u);

        ServiceUnit *inst = NULL;
        for (Unit *u = m->units; u; u = u->next)
                if (SERVICE(u) && SERVICE(u)->instance)
                        inst = SERVICE(u);
        ASSERT_NOT_NULL(inst);
        UnitConfig *old = tmpl->config;
        ASSERT_TRUE(inst->borrowed_config == old);

        ASSERT_EQ(manager_reload(m), 2);
        /* The template is idle, but its old config is the instance's. */
        ASSERT_TRUE(tmpl->config != old);
        ASSERT_EQ(m->n_retired_configs, 1u); /* the instance's; the listening socket's is freed */
        ASSERT_STREQ(inst->meta.config->id, "b@.service");

        unit_process_exited(&inst->meta, fake_last_spawn()->pid, CLD_EXITED, 0);
        safe_close(c);
        manager_free(m);
}

RUN_TESTS();
