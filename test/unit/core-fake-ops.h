/* SPDX-License-Identifier: MIT */
#pragma once

/* A ManagerOps seam for the state-machine tests: no process is started,
 * signalled or waited for.  Spawns get made-up pids and are recorded; the
 * test feeds exits back with unit_process_exited() and moves the clock by
 * hand.  Also: a manager on a temporary runtime and unit directory,
 * write_unit(), load_unit(), run_loop() and free_port(). */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "manager.h"
#include "strv.h"
#include "tests.h"

#define FAKE_MAX 64

typedef struct FakeSpawn {
        char *argv0;
        char *args;             /* argv joined with spaces */
        char **envp;
        size_t n_fds;
        bool listen_env;
        bool from_template;
        int stdin_fd;
        pid_t pid;
} FakeSpawn;

typedef struct FakeKill {
        pid_t pid;
        int sig;
        bool group;
} FakeKill;

static struct {
        FakeSpawn spawns[FAKE_MAX];
        unsigned n_spawns;
        FakeKill kills[FAKE_MAX];
        unsigned n_kills;
        pid_t next_pid;
        usec_t now;
        int fail_spawn;         /* next spawn returns this error */
} fake;

static int fake_spawn(Manager *m, const SpawnParams *p, pid_t *ret_pid, int *ret_pidfd) {
        if (fake.fail_spawn) {
                int r = fake.fail_spawn;
                fake.fail_spawn = 0;
                return r;
        }
        ASSERT_TRUE(fake.n_spawns < FAKE_MAX);
        FakeSpawn *s = &fake.spawns[fake.n_spawns++];
        *s = (FakeSpawn) {
                .argv0 = strdup(p->argv[0]),
                .args = strv_join(p->argv, " "),
                .envp = strv_copy(p->envp),
                .n_fds = p->n_fds,
                .listen_env = p->listen_env,
                .stdin_fd = p->stdin_fd,
                .pid = ++fake.next_pid,
        };
        *ret_pid = s->pid;
        *ret_pidfd = -EBADF;
        return 0;
}

static int fake_spawn_template(Manager *m, SpawnTemplate *t, int connection_fd,
                               const struct sockaddr *peer, socklen_t peer_len,
                               pid_t *ret_pid, int *ret_pidfd) {
        ASSERT_TRUE(t != NULL);
        ASSERT_TRUE(connection_fd >= 0);
        ASSERT_TRUE(fake.n_spawns < FAKE_MAX);
        FakeSpawn *s = &fake.spawns[fake.n_spawns++];
        *s = (FakeSpawn) { .from_template = true, .pid = ++fake.next_pid, .n_fds = 1 };
        *ret_pid = s->pid;
        *ret_pidfd = -EBADF;
        return 0;
}

static int fake_kill(Manager *m, const UnitProcess *p, int sig, bool whole_group) {
        ASSERT_TRUE(fake.n_kills < FAKE_MAX);
        fake.kills[fake.n_kills++] = (FakeKill) { .pid = p->pid, .sig = sig, .group = whole_group };
        return 0;
}

static int fake_watch(Manager *m, Unit *u, UnitProcess *p) {
        return 0;
}

static usec_t fake_now(Manager *m) {
        return fake.now;
}

static const ManagerOps fake_ops = {
        .spawn = fake_spawn,
        .spawn_template = fake_spawn_template,
        .kill = fake_kill,
        .watch = fake_watch,
        .now = fake_now,
};

static void fake_reset(void) {
        for (unsigned i = 0; i < fake.n_spawns; i++) {
                free(fake.spawns[i].argv0);
                free(fake.spawns[i].args);
                strv_free(fake.spawns[i].envp);
        }
        memset(&fake, 0, sizeof fake);
        fake.next_pid = 1000;
        fake.now = 1000 * USEC_PER_SEC;
}

_unused_ static FakeSpawn *fake_last_spawn(void) {
        ASSERT_TRUE(fake.n_spawns > 0);
        return &fake.spawns[fake.n_spawns - 1];
}

static char test_dir[] = "/tmp/porter-core-test-XXXXXX";

static void fake_cleanup(void) {
        char cmd[600];
        fake_reset();
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
        (void) system(cmd);
}

static void write_unit(const char *name, const char *text) {
        char path[512];
        snprintf(path, sizeof path, "%s/units/%s", test_dir, name);
        FILE *f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        fclose(f);
}

/* A user-scope manager with the fake seam, units from test_dir/units. */
static Manager *fake_manager(void) {
        static bool made;
        char units[512];
        Manager *m = NULL;

        if (!made) {
                ASSERT_NOT_NULL(mkdtemp(test_dir));
                made = true;
                atexit(fake_cleanup);
        }
        snprintf(units, sizeof units, "%s/units", test_dir);
        (void) mkdir(units, 0755);
        setenv("XDG_RUNTIME_DIR", test_dir, 1);
        /* Only our directory: no units of the machine get in. */
        setenv("PORTER_UNIT_PATH", units, 1);
        fake_reset();

        ASSERT_OK(manager_new(MANAGER_USER, &fake_ops, &m));
        char *dirs[] = { units, NULL };
        ASSERT_OK(manager_init_lookup(m, dirs));
        return m;
}

/* fake_manager() with its clock at the event loop's: unit timers (stop
 * timeouts) armed through the seam are then really in the future while
 * run_loop() dispatches the job checks. */
_unused_ static Manager *fake_manager_loop_clock(void) {
        Manager *m = fake_manager();
        fake.now = now(CLOCK_MONOTONIC);
        return m;
}

/* The unit name loaded into m (asserts that it loads). */
_unused_ static Unit *load_unit(Manager *m, const char *name) {
        Unit *u = NULL;
        ASSERT_OK(manager_load_unit(m, name, &u));
        ASSERT_NOT_NULL(u);
        return u;
}

/* Dispatch every event source of m that is ready now. */
_unused_ static void run_loop(Manager *m) {
        while (sd_event_run(m->event, 0) > 0)
                ;
}

/* A loopback TCP port that was free a moment ago (Listen*= refuses port 0). */
_unused_ static int free_port(void) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        socklen_t l = sizeof sa;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_OK(bind(fd, (struct sockaddr *) &sa, sizeof sa));
        ASSERT_OK(getsockname(fd, (struct sockaddr *) &sa, &l));
        safe_close(fd);
        return ntohs(sa.sin_port);
}

_unused_ static bool env_has(char **env, const char *assignment) {
        return strv_contains(env, assignment);
}

_unused_ static const char *strv_env_get_for_test(char **env, const char *name) {
        size_t n = strlen(name);
        STRV_FOREACH(e, env)
                if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}
