/* SPDX-License-Identifier: MIT */
/* Tests of src/shared/spawn.c with real processes: the spawned program is
 * test/helpers/listen-probe (built next to this test), which reports every
 * fd it got and what real libsystemd's sd_listen_fds_with_names() says. */

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "spawn.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

static char probe[4096];

static void find_probe(void) {
        char self[2048];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

        ASSERT_TRUE(n > 0);
        self[n] = '\0';
        *strrchr(self, '/') = '\0';
        snprintf(probe, sizeof probe, "%s/../helpers/listen-probe", self);
        if (access(probe, X_OK) < 0)
                TEST_SKIP_ALL("listen-probe not built at %s", probe);
}

/* Read fd to EOF into a heap string. */
static char *read_all(int fd) {
        size_t size = 0, alloc = 0;
        char *buf = NULL;

        for (;;) {
                ASSERT_NOT_NULL(GREEDY_REALLOC(buf, alloc, size + 4097));
                ssize_t n = read(fd, buf + size, 4096);
                if (n < 0 && errno == EINTR)
                        continue;
                ASSERT_TRUE(n >= 0);
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = '\0';
        return buf;
}

/* Spawn p (fork path, or from a template when t is not NULL) with stdout
 * on a pipe; return the output and the exit status. */
static char *run_capture(SpawnParams *p, SpawnTemplate *t, int connection_fd,
                         const struct sockaddr *peer, socklen_t peer_len, int *ret_status) {
        int pipefd[2];
        siginfo_t si;
        pid_t pid;
        char *out;

        ASSERT_OK(pipe2(pipefd, O_CLOEXEC));
        if (t) {
                /* The template was built with stdout = SPAWN_FD_CONNECTION
                 * or a fixed fd; tests that capture through a template pass
                 * the pipe as the connection. */
                ASSERT_OK(spawn_template_spawn(t, connection_fd >= 0 ? connection_fd : pipefd[1],
                                               peer, peer_len, &pid, NULL));
        } else {
                p->stdout_fd = pipefd[1];
                ASSERT_OK(spawn(p, &pid, NULL));
        }
        safe_close(pipefd[1]);
        out = read_all(pipefd[0]);
        safe_close(pipefd[0]);
        ASSERT_OK(spawn_wait(pid, &si));
        if (ret_status)
                *ret_status = spawn_exit_status(&si);
        return out;
}

/* The "fd N ..." line of a probe report, or NULL (a static copy). */
static const char *report_fd(const char *report, int fd) {
        static char line[512];
        char key[32];
        const char *p;

        snprintf(key, sizeof key, "\nfd %d ", fd);
        p = strstr(report, key);
        if (!p)
                return NULL;
        p++;
        size_t l = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int) l, p);
        return line;
}

static unsigned long long ino_of(int fd) {
        struct stat st;
        ASSERT_OK(fstat(fd, &st));
        return (unsigned long long) st.st_ino;
}

static void assert_fd_is(const char *report, int fd, unsigned long long ino) {
        char want[96];
        const char *line = report_fd(report, fd);

        if (!line)
                TEST_FAIL_("fd %d missing in report:\n%s", fd, report);
        snprintf(want, sizeof want, "fd %d ino %llu cloexec 0 ", fd, ino);
        if (!startswith(line, want))
                TEST_FAIL_("fd %d: want '%s...', got '%s'", fd, want, line);
}

/* The highest fd in the report. */
static int report_max_fd(const char *report) {
        int max = -1;
        for (const char *p = report; (p = strstr(p, "\nfd ")); p++)
                max = MAX(max, atoi(p + 4));
        return max;
}

static bool report_has(const char *report, const char *line) {
        char *k = strjoin("\n", line, "\n");
        bool b = strstr(report, k) != NULL;
        free(k);
        return b;
}

TEST(step_strings) {
        ASSERT_STREQ(spawn_step_to_string(SPAWN_STEP_EXEC), "exec");
        ASSERT_STREQ(spawn_step_to_string(SPAWN_STEP_CHDIR), "chdir");
        ASSERT_NULL(spawn_step_to_string(_SPAWN_STEP_MAX));
        ASSERT_NULL(spawn_step_to_string(-1));
}

TEST(listen_fds_env) {
        _cleanup_strv_free_ char **env = NULL;
        char *names[] = { (char *) "a", (char *) "b", NULL };

        ASSERT_OK(strv_extend(&env, "A=1"));
        ASSERT_OK(strv_extend(&env, "LISTEN_FDS=9"));
        ASSERT_OK(strv_extend(&env, "LISTEN_PIDFDID=7"));
        ASSERT_OK(strv_extend(&env, "B=2"));
        ASSERT_ERROR(listen_fds_env(&env, 0, NULL), EINVAL);
        ASSERT_OK(listen_fds_env(&env, 2, names));
        ASSERT_EQ(strv_length(env), 5);
        ASSERT_STREQ(env[0], "A=1");
        ASSERT_STREQ(env[1], "B=2");
        ASSERT_STREQ(env[2], "LISTEN_FDS=2");
        ASSERT_STREQ(env[3], "LISTEN_PID=XXXXXXXXXX");
        ASSERT_STREQ(env[4], "LISTEN_FDNAMES=a:b");

        ASSERT_OK(spawn_env_fill_listen_pid(env, 4194304));
        ASSERT_STREQ(env[3], "LISTEN_PID=4194304");
        /* Filled once: no placeholder left. */
        ASSERT_ERROR(spawn_env_fill_listen_pid(env, 1), ENOENT);

        /* Again without names: the old LISTEN_FDNAMES goes away. */
        ASSERT_OK(listen_fds_env(&env, 1, NULL));
        ASSERT_EQ(strv_length(env), 4);
        ASSERT_STREQ(env[2], "LISTEN_FDS=1");
        ASSERT_STREQ(env[3], "LISTEN_PID=XXXXXXXXXX");
}

TEST(find_executable) {
        _cleanup_free_ char *p = NULL, *q = NULL, *saved = NULL;
        char dir[] = "/tmp/test-spawn-XXXXXX", file[128];

        ASSERT_OK(spawn_find_executable("sh", &p));
        ASSERT_TRUE(endswith(p, "/sh"));
        ASSERT_OK(spawn_find_executable("./relative/x", &q));
        ASSERT_STREQ(q, "./relative/x");
        ASSERT_ERROR(spawn_find_executable("", &q), EINVAL);
        ASSERT_ERROR(spawn_find_executable("porter-no-such-program-xyz", &q), ENOENT);

        /* A match without the x bit is EACCES, as execvp() reports it. */
        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(file, sizeof file, "%s/tool", dir);
        int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        ASSERT_OK(fd);
        safe_close(fd);
        saved = strdup(getenv("PATH") ?: "/usr/bin:/bin");
        ASSERT_OK(setenv("PATH", dir, 1));
        ASSERT_ERROR(spawn_find_executable("tool", &q), EACCES);
        ASSERT_OK(setenv("PATH", saved, 1));
        ASSERT_OK(unlink(file));
        ASSERT_OK(rmdir(dir));
}

TEST(exec_failure_errno) {
        char *argv[] = { (char *) "/nonexistent/porter-binary", NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        SpawnStep step;
        pid_t pid = 0;

        p.argv = argv;
        ASSERT_ERROR(spawn(&p, &pid, &step), ENOENT);
        ASSERT_EQ(step, SPAWN_STEP_EXEC);
        ASSERT_EQ(pid, 0);

        /* Not executable (no x bit at all, which stops root too): EACCES. */
        char file[] = "/tmp/test-spawn-noexec-XXXXXX";
        int fd = mkostemp(file, O_CLOEXEC);
        ASSERT_OK(fd);
        ASSERT_OK(fchmod(fd, 0644));
        safe_close(fd);
        p.path = file;
        ASSERT_ERROR(spawn(&p, &pid, &step), EACCES);
        ASSERT_EQ(step, SPAWN_STEP_EXEC);
        /* A file that is executable but no program: ENOEXEC. */
        ASSERT_OK(chmod(file, 0755));
        ASSERT_ERROR(spawn(&p, &pid, &step), ENOEXEC);
        ASSERT_OK(unlink(file));

        /* The same through a template (failure reported through shared
         * memory, not a pipe). */
        _cleanup_spawn_template_ SpawnTemplate *t = NULL;
        p.path = NULL;
        ASSERT_OK(spawn_template_new(&p, &t));
        ASSERT_ERROR(spawn_template_spawn(t, -EBADF, NULL, 0, &pid, &step), ENOENT);
        ASSERT_EQ(step, SPAWN_STEP_EXEC);
        /* and the template stays usable */
        ASSERT_ERROR(spawn_template_spawn(t, -EBADF, NULL, 0, &pid, &step), ENOENT);

        /* No child is left behind. */
        ASSERT_EQ(spawn_reap_one(NULL), 0);
}

TEST(chdir_failure_step) {
        char *argv[] = { (char *) "/bin/true", NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        SpawnContext ctx = SPAWN_CONTEXT_INIT;
        _cleanup_spawn_template_ SpawnTemplate *t = NULL;
        SpawnStep step;
        pid_t pid;

        ctx.working_directory = "/nonexistent-porter-dir";
        p.argv = argv;
        p.context = &ctx;
        ASSERT_ERROR(spawn(&p, &pid, &step), ENOENT);
        ASSERT_EQ(step, SPAWN_STEP_CHDIR);
        ASSERT_OK(spawn_template_new(&p, &t));
        ASSERT_ERROR(spawn_template_spawn(t, -EBADF, NULL, 0, &pid, &step), ENOENT);
        ASSERT_EQ(step, SPAWN_STEP_CHDIR);
}

TEST(bad_params) {
        char *argv[] = { (char *) "/bin/true", NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        int fds[] = { SPAWN_FD_CONNECTION };
        pid_t pid;

        ASSERT_ERROR(spawn(&p, &pid, NULL), EINVAL); /* no argv */
        p.argv = argv;
        p.fds = fds;
        p.n_fds = 1;
        ASSERT_ERROR(spawn(&p, &pid, NULL), EBADF); /* connection outside a template */
        p.n_fds = 0;
        p.listen_env = true;                          /* needs envp with a slot */
        ASSERT_ERROR(spawn(&p, &pid, NULL), EINVAL);
        char *env[] = { (char *) "LISTEN_PID=1", NULL };
        p.envp = env;
        ASSERT_ERROR(spawn(&p, &pid, NULL), EINVAL);
}

TEST(exit_status) {
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "exit 7", NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        siginfo_t si;
        pid_t pid;

        p.argv = argv;
        ASSERT_OK(spawn(&p, &pid, NULL));
        ASSERT_OK(spawn_wait(pid, &si));
        ASSERT_EQ(spawn_exit_status(&si), 7);

        argv[2] = (char *) "kill -9 $$";
        ASSERT_OK(spawn(&p, &pid, NULL));
        ASSERT_OK(spawn_wait(pid, &si));
        ASSERT_EQ(spawn_exit_status(&si), 128 + SIGKILL);

        /* spawn_reap_one: nothing, then one exited child, then nothing. */
        ASSERT_EQ(spawn_reap_one(NULL), 0);
        argv[2] = (char *) "exit 3";
        ASSERT_OK(spawn(&p, &pid, NULL));
        for (int i = 0; i < 5000; i++) {
                int r = spawn_reap_one(&si);
                ASSERT_OK(r);
                if (r > 0)
                        break;
                usleep(1000);
        }
        ASSERT_EQ(si.si_pid, pid);
        ASSERT_EQ(spawn_exit_status(&si), 3);
        ASSERT_EQ(spawn_reap_one(NULL), 0);
}

/* Put a fresh CLOEXEC pipe end exactly at fd `at`. */
static int pipe_at(int at, int *ret_other) {
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        if (p[0] == at) {
                /* The read end took the number: move it out of the way. */
                int moved = fcntl(p[0], F_DUPFD_CLOEXEC, 3000);
                ASSERT_OK(moved);
                safe_close(p[0]);
                p[0] = moved;
        }
        if (p[1] != at) {
                ASSERT_OK(dup3(p[1], at, O_CLOEXEC));
                safe_close(p[1]);
        }
        *ret_other = p[0];
        return at;
}

/* fds whose numbers collide with the target range in every way: a rotation
 * of 3..6, one source below 3+n at its own place, one far above, and the
 * same fd twice. */
static void check_fd_placement(bool close_other_fds, bool template) {
        int other[5], src[6];
        unsigned long long ino[6];
        _cleanup_free_ char *report = NULL;
        char *argv[] = { probe, NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;

        pipe_at(3, &other[0]);
        pipe_at(4, &other[1]);
        pipe_at(5, &other[2]);
        pipe_at(6, &other[3]);
        pipe_at(100, &other[4]);
        /* targets 3..8 */
        src[0] = 6;    /* -> 3: 3 is itself a source */
        src[1] = 3;    /* -> 4 */
        src[2] = 5;    /* -> 5: already in place */
        src[3] = 4;    /* -> 6 */
        src[4] = 100;  /* -> 7: from above the range */
        src[5] = 6;    /* -> 8: the same fd again */
        for (int i = 0; i < 6; i++)
                ino[i] = ino_of(src[i]);

        /* A non-CLOEXEC fd of the caller: only close_other_fds removes it. */
        int leak = fcntl(0, F_DUPFD, 200);
        ASSERT_OK(leak);

        p.argv = argv;
        p.fds = src;
        p.n_fds = 6;
        p.close_other_fds = close_other_fds;
        if (template) {
                _cleanup_spawn_template_ SpawnTemplate *t = NULL;
                p.stdout_fd = SPAWN_FD_CONNECTION;
                ASSERT_OK(spawn_template_new(&p, &t));
                report = run_capture(&p, t, -EBADF, NULL, 0, NULL);
        } else
                report = run_capture(&p, NULL, -EBADF, NULL, 0, NULL);

        for (int i = 0; i < 6; i++)
                assert_fd_is(report, 3 + i, ino[i]);
        ASSERT_NOT_NULL(report_fd(report, 0));
        ASSERT_NOT_NULL(report_fd(report, 1));
        ASSERT_NOT_NULL(report_fd(report, 2));
        if (close_other_fds) {
                /* Exactly 0-2 and the passed ones. */
                ASSERT_EQ(report_max_fd(report), 8);
                ASSERT_NULL(report_fd(report, leak));
        } else
                ASSERT_NOT_NULL(report_fd(report, leak));
        /* The caller's own fds keep their CLOEXEC flag: the child changed
         * only its copy of the fd table. */
        for (int i = 0; i < 6; i++)
                ASSERT_EQ(fcntl(src[i], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        /* Our CLOEXEC sources never leak, whatever the mode. */
        ASSERT_NULL(report_fd(report, 100));
        for (int i = 0; i < 5; i++)
                if (other[i] > 8) /* a lower number is one of the targets */
                        ASSERT_NULL(report_fd(report, other[i]));

        safe_close(leak);
        close_many(other, 5);
        for (int fd = 3; fd <= 6; fd++)
                safe_close(fd);
        safe_close(100);
}

TEST(fd_placement_fork) {
        check_fd_placement(false, false);
        check_fd_placement(true, false);
}

TEST(fd_placement_template) {
        check_fd_placement(false, true);
        check_fd_placement(true, true);
}

/* Many fds, all inside the target range and in reverse order, plus the
 * first of them also as stdin: every one lands where it should. */
TEST(fd_placement_many_reversed) {
        enum { N = 100 };
        int src[N], keep[N];
        unsigned long long ino[N];
        _cleanup_free_ char *report = NULL;
        char *argv[] = { probe, NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;

        /* Sources at 3+N-1 ... 3 (reversed): fd 3+i is passed as index
         * N-1-i, so every dup2() target is some other entry's source. */
        for (int i = 0; i < N; i++) {
                int other;
                pipe_at(3 + i, &other);
                keep[i] = fcntl(other, F_DUPFD_CLOEXEC, 1000);
                ASSERT_OK(keep[i]);
                safe_close(other);
        }
        for (int i = 0; i < N; i++) {
                src[i] = 3 + N - 1 - i;
                ino[i] = ino_of(src[i]);
        }

        p.argv = argv;
        p.fds = src;
        p.n_fds = N;
        p.stdin_fd = src[0];
        p.close_other_fds = true;
        report = run_capture(&p, NULL, -EBADF, NULL, 0, NULL);
        for (int i = 0; i < N; i++)
                assert_fd_is(report, 3 + i, ino[i]);
        assert_fd_is(report, 0, ino[0]);
        ASSERT_EQ(report_max_fd(report), 3 + N - 1);

        for (int i = 0; i < N; i++) {
                safe_close(3 + i);
                safe_close(keep[i]);
        }
}

TEST(stdio_inetd) {
        char tmpl[] = "/tmp/test-spawn-report-XXXXXX";
        char *argv[] = { probe, (char *) "--report", tmpl, (char *) "--serve", NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        _cleanup_free_ char *report = NULL, *echo = NULL;
        siginfo_t si;
        int sp[2], fd;
        pid_t pid;

        fd = mkstemp(tmpl);
        ASSERT_OK(fd);
        safe_close(fd);
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
        p.argv = argv;
        p.stdin_fd = sp[1];
        p.stdout_fd = sp[1];
        p.stderr_fd = SPAWN_FD_NULL;
        p.close_other_fds = true;
        ASSERT_OK(spawn(&p, &pid, NULL));
        safe_close(sp[1]);
        ASSERT_EQ(write(sp[0], "hello\n", 6), 6);
        ASSERT_OK(shutdown(sp[0], SHUT_WR));
        echo = read_all(sp[0]);
        ASSERT_STREQ(echo, "hello\n");
        ASSERT_OK(spawn_wait(pid, &si));
        ASSERT_EQ(spawn_exit_status(&si), 0);

        fd = open(tmpl, O_RDONLY | O_CLOEXEC);
        ASSERT_OK(fd);
        report = read_all(fd);
        safe_close(fd);
        unlink(tmpl);
        ASSERT_TRUE(strstr(report_fd(report, 0), "kind socket family 1 type 1"));
        ASSERT_TRUE(strstr(report_fd(report, 1), "kind socket family 1 type 1"));
        ASSERT_TRUE(strstr(report_fd(report, 2), "kind chr"));
        ASSERT_EQ(report_max_fd(report), 2);
        ASSERT_FALSE(strstr(report, "env LISTEN_"));
        ASSERT_TRUE(report_has(report, "sd_listen_fds 0"));
        safe_close(sp[0]);
}

TEST(listen_env_and_names) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *report = NULL;
        char *names[] = { (char *) "web", (char *) "admin", NULL };
        char *argv[] = { probe, NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        int s1 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int s2 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int status;

        ASSERT_OK(s1);
        ASSERT_OK(s2);
        ASSERT_OK(listen(s1, 1));
        ASSERT_OK(strv_extend(&env, "FOO=bar baz"));
        ASSERT_OK(listen_fds_env(&env, 2, names));
        int fds[] = { s1, s2 };
        p.argv = argv;
        p.envp = env;
        p.fds = fds;
        p.n_fds = 2;
        p.listen_env = true;
        p.close_other_fds = true;

        report = run_capture(&p, NULL, -EBADF, NULL, 0, &status);
        ASSERT_EQ(status, 0);
        ASSERT_TRUE(report_has(report, "env FOO=bar baz"));
        ASSERT_TRUE(report_has(report, "env LISTEN_FDS=2"));
        ASSERT_TRUE(report_has(report, "env LISTEN_FDNAMES=web:admin"));
        ASSERT_TRUE(report_has(report, "listen_pid_matches 1"));
        ASSERT_TRUE(report_has(report, "sd_listen_fds 2"));
        ASSERT_TRUE(report_has(report, "name 3 web"));
        ASSERT_TRUE(report_has(report, "name 4 admin"));
        ASSERT_TRUE(strstr(report_fd(report, 3), "family 2 type 1 protocol 6 listening 1"));
        ASSERT_TRUE(strstr(report_fd(report, 4), "family 10 type 2 protocol 17 listening 0"));
        /* The parent's envp still holds the unfilled slot: the child wrote
         * into its own copy. */
        ASSERT_TRUE(strv_contains(env, "LISTEN_PID=XXXXXXXXXX"));
        /* Only the listed variables: nothing of our own environment. */
        ASSERT_FALSE(strstr(report, "env PATH="));
        safe_close(s1);
        safe_close(s2);
}

/* The accept path: one template, many connections, peer address slots. */
TEST(template_remote_env) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_spawn_template_ SpawnTemplate *t = NULL;
        char *names[] = { (char *) "connection", NULL };
        char *argv[] = { probe, NULL };
        int fds[] = { SPAWN_FD_CONNECTION };
        SpawnParams p = SPAWN_PARAMS_INIT;
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(1234) };
        struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(80) };
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        int sp[2];

        ASSERT_OK(strv_extend(&env, "REMOTE_ADDR=stale"));
        ASSERT_OK(listen_fds_env(&env, 1, names));
        p.argv = argv;
        p.envp = env;
        p.fds = fds;
        p.n_fds = 1;
        p.listen_env = true;
        p.remote_env = true;
        p.close_other_fds = true;
        /* The report goes to the connection (a socketpair here). */
        p.stdout_fd = SPAWN_FD_CONNECTION;
        ASSERT_OK(spawn_template_new(&p, &t));

        ASSERT_OK(inet_pton(AF_INET, "192.0.2.7", &in.sin_addr));
        ASSERT_OK(inet_pton(AF_INET6, "::ffff:198.51.100.9", &in6.sin6_addr));
        memcpy(un.sun_path, "\0abs\n", 5);

        for (int round = 0; round < 4; round++) {
                _cleanup_free_ char *report = NULL;
                const struct sockaddr *sa = NULL;
                socklen_t len = 0;
                const char *want_addr = NULL, *want_port = NULL;

                if (round == 0) {
                        sa = (const struct sockaddr *) &in;
                        len = sizeof in;
                        want_addr = "env REMOTE_ADDR=192.0.2.7";
                        want_port = "env REMOTE_PORT=1234";
                } else if (round == 1) {
                        sa = (const struct sockaddr *) &in6;
                        len = sizeof in6;
                        want_addr = "env REMOTE_ADDR=198.51.100.9";
                        want_port = "env REMOTE_PORT=80";
                } else if (round == 2) {
                        sa = (const struct sockaddr *) &un;
                        len = offsetof(struct sockaddr_un, sun_path) + 5;
                        want_addr = "env REMOTE_ADDR=@abs\\n";
                }
                /* round 3: no peer (an unnamed AF_UNIX client) */

                ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
                unsigned long long ino = ino_of(sp[1]);
                pid_t pid;
                siginfo_t si;
                ASSERT_OK(spawn_template_spawn(t, sp[1], sa, len, &pid, NULL));
                safe_close(sp[1]);
                report = read_all(sp[0]);
                safe_close(sp[0]);
                ASSERT_OK(spawn_wait(pid, &si));
                ASSERT_EQ(spawn_exit_status(&si), 0);

                assert_fd_is(report, 3, ino);
                ASSERT_EQ(report_max_fd(report), 3);
                ASSERT_TRUE(report_has(report, "env LISTEN_FDS=1"));
                ASSERT_TRUE(report_has(report, "env LISTEN_FDNAMES=connection"));
                ASSERT_TRUE(report_has(report, "listen_pid_matches 1"));
                ASSERT_TRUE(report_has(report, "name 3 connection"));
                ASSERT_FALSE(strstr(report, "REMOTE_ADDR=stale"));
                if (want_addr)
                        ASSERT_TRUE(report_has(report, want_addr));
                else
                        ASSERT_FALSE(strstr(report, "env REMOTE_ADDR="));
                if (want_port)
                        ASSERT_TRUE(report_has(report, want_port));
                else
                        ASSERT_FALSE(strstr(report, "env REMOTE_PORT="));
        }
}

/* A template freed right after a spawn that filled REMOTE_ADDR/PORT: the
 * slots are template memory, freed once (ASan catches a double free). */
TEST(template_free_after_remote) {
        _cleanup_spawn_template_ SpawnTemplate *t = NULL;
        char *argv[] = { (char *) "/bin/true", NULL };
        char *env[] = { (char *) "A=1", NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(7) };
        siginfo_t si;
        pid_t pid;

        p.argv = argv;
        p.envp = env;
        p.remote_env = true;
        ASSERT_OK(spawn_template_new(&p, &t));
        ASSERT_OK(spawn_template_spawn(t, -EBADF, (struct sockaddr *) &in, sizeof in, &pid, NULL));
        ASSERT_OK(spawn_wait(pid, &si));
        ASSERT_EQ(spawn_exit_status(&si), 0);
}

/* spawn_template_spawn_pidfd(): the pidfd from clone(CLONE_PIDFD) is
 * CLOEXEC, turns readable when the child exits, and reaps it; a failed
 * spawn leaves no pidfd behind. */
TEST(template_pidfd) {
        _cleanup_spawn_template_ SpawnTemplate *t = NULL, *bad = NULL;
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "exit 7", NULL };
        char *missing[] = { (char *) "/nonexistent/porter-test", NULL };
        char *env[] = { NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        int before = fd_count_open(), pidfd = -EBADF;
        SpawnStep step;
        pid_t pid;

        p.argv = argv;
        p.envp = env;
        ASSERT_OK(spawn_template_new(&p, &t));
        ASSERT_OK(spawn_template_spawn_pidfd(t, -EBADF, NULL, 0, &pid, &pidfd, &step));
        ASSERT_EQ(step, SPAWN_STEP_NONE);
        if (pidfd >= 0) {
                struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
                siginfo_t si = {};

                ASSERT_TRUE(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
                ASSERT_EQ(poll(&pfd, 1, 10000), 1);
                ASSERT_OK(waitid((idtype_t) 3 /* P_PIDFD */, (id_t) pidfd, &si, WEXITED));
                ASSERT_EQ(si.si_pid, pid);
                ASSERT_EQ(spawn_exit_status(&si), 7);
                safe_close(pidfd);
        } else {
                /* valgrind's fork path, or a kernel before 5.2 */
                siginfo_t si;
                ASSERT_OK(spawn_wait(pid, &si));
                ASSERT_EQ(spawn_exit_status(&si), 7);
        }

        p.argv = missing;
        ASSERT_OK(spawn_template_new(&p, &bad));
        pidfd = -EBADF;
        ASSERT_ERROR(spawn_template_spawn_pidfd(bad, -EBADF, NULL, 0, &pid, &pidfd, &step), ENOENT);
        ASSERT_EQ(step, SPAWN_STEP_EXEC);
        ASSERT_EQ(pidfd, -EBADF);
        ASSERT_EQ(fd_count_open(), before);
        ASSERT_EQ(spawn_reap_one(NULL), 0);
}

/* Many spawns from one template: no fd or child left behind, and a figure
 * for the log. */
TEST(template_many) {
        _cleanup_spawn_template_ SpawnTemplate *t = NULL;
        char *argv[] = { (char *) "/bin/true", NULL };
        char *env[] = { NULL };
        SpawnParams p = SPAWN_PARAMS_INIT;
        struct timespec a, b;
        int before = fd_count_open();
        const int N = 300;

        p.argv = argv;
        p.envp = env;
        p.stdin_fd = SPAWN_FD_CONNECTION;
        p.stdout_fd = SPAWN_FD_CONNECTION;
        ASSERT_OK(spawn_template_new(&p, &t));
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < N; i++) {
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                pid_t pid;
                siginfo_t si;

                ASSERT_OK(fd);
                ASSERT_OK(spawn_template_spawn(t, fd, NULL, 0, &pid, NULL));
                safe_close(fd);
                ASSERT_OK(spawn_wait(pid, &si));
                ASSERT_EQ(spawn_exit_status(&si), 0);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9;
        fprintf(stderr, "%d template spawns of /bin/true (serial, waited): %.0f/s\n", N, N / s);
        ASSERT_EQ(fd_count_open(), before);
        ASSERT_EQ(spawn_reap_one(NULL), 0);
}

/* Signal mask and dispositions are reset: SigBlk and SigIgn are 0. */
TEST(signals_reset) {
        char *argv[] = { (char *) "/bin/grep", (char *) "-E", (char *) "^Sig(Blk|Ign)", (char *) "/proc/self/status", NULL };
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_usr1, old_pipe;
        sigset_t block, old_mask;
        SpawnParams p = SPAWN_PARAMS_INIT;

        ASSERT_OK(sigaction(SIGUSR1, &ign, &old_usr1));
        ASSERT_OK(sigaction(SIGPIPE, &ign, &old_pipe));
        sigemptyset(&block);
        sigaddset(&block, SIGUSR2);
        sigaddset(&block, SIGCHLD);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &block, &old_mask));

        p.argv = argv;
        for (int template = 0; template < 2; template++) {
                _cleanup_free_ char *out = NULL;
                _cleanup_spawn_template_ SpawnTemplate *t = NULL;
                if (template) {
                        p.stdout_fd = SPAWN_FD_CONNECTION;
                        ASSERT_OK(spawn_template_new(&p, &t));
                }
                out = run_capture(&p, t, -EBADF, NULL, 0, NULL);
                ASSERT_STREQ(out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
        }

        ASSERT_OK(sigprocmask(SIG_SETMASK, &old_mask, NULL));
        ASSERT_OK(sigaction(SIGUSR1, &old_usr1, NULL));
        ASSERT_OK(sigaction(SIGPIPE, &old_pipe, NULL));
}

/* spawn_exec(): exec in place, LISTEN_PID is our own pid. */
TEST(exec_in_place) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *report = NULL;
        char *argv[] = { probe, NULL };
        int pipefd[2], s;
        siginfo_t si;
        pid_t pid;

        ASSERT_OK(listen_fds_env(&env, 1, NULL));
        ASSERT_OK(pipe2(pipefd, O_CLOEXEC));
        s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(s);
        pid = fork();
        ASSERT_OK(pid);
        if (pid == 0) {
                SpawnParams p = SPAWN_PARAMS_INIT;
                SpawnStep step;
                int fds[] = { s };
                p.argv = argv;
                p.envp = env;
                p.fds = fds;
                p.n_fds = 1;
                p.stdout_fd = pipefd[1];
                p.listen_env = true;
                p.close_other_fds = true;
                int r = spawn_exec(&p, &step);
                fprintf(stderr, "spawn_exec: %s at %s\n", strerror(-r), spawn_step_to_string(step));
                _exit(1);
        }
        safe_close(pipefd[1]);
        report = read_all(pipefd[0]);
        safe_close(pipefd[0]);
        ASSERT_OK(spawn_wait(pid, &si));
        ASSERT_EQ(spawn_exit_status(&si), 0);

        char want[64];
        snprintf(want, sizeof want, "pid %d", (int) pid);
        ASSERT_TRUE(startswith(report, want));
        ASSERT_TRUE(report_has(report, "listen_pid_matches 1"));
        ASSERT_TRUE(report_has(report, "sd_listen_fds 1"));
        ASSERT_TRUE(report_has(report, "name 3 unknown"));
        ASSERT_EQ(report_max_fd(report), 3);
        safe_close(s);

        /* A failure returns (here: no such binary). */
        SpawnParams q = SPAWN_PARAMS_INIT;
        char *bad[] = { (char *) "/nonexistent/x", NULL };
        SpawnStep step;
        q.argv = bad;
        ASSERT_ERROR(spawn_exec(&q, &step), ENOENT);
        ASSERT_EQ(step, SPAWN_STEP_EXEC);
}

/* The optional context: rlimits, nice, umask, and (as root) credentials. */
TEST(context) {
        char *argv[] = { (char *) "/bin/sh", (char *) "-c",
                         (char *) "umask; ulimit -n; cut -d' ' -f19 /proc/self/stat; pwd; id -u; id -g; id -G", NULL };
        SpawnRlimit rl[] = { { .resource = RLIMIT_NOFILE, .limit = { 100, 200 } } };
        gid_t groups[] = { 65534, 4 };
        SpawnContext ctx = SPAWN_CONTEXT_INIT;
        SpawnParams p = SPAWN_PARAMS_INIT;
        bool root = geteuid() == 0;

        ctx.rlimits = rl;
        ctx.n_rlimits = 1;
        ctx.set_nice = true;
        ctx.nice = 5;
        ctx.umask = 0027;
        ctx.working_directory = "/tmp";
        if (root) {
                ctx.set_groups = true;
                ctx.groups = groups;
                ctx.n_groups = 2;
                ctx.gid = 65534;
                ctx.uid = 65534;
        }
        p.argv = argv;
        p.context = &ctx;
        for (int template = 0; template < 2; template++) {
                _cleanup_free_ char *out = NULL;
                _cleanup_spawn_template_ SpawnTemplate *t = NULL;
                if (template) {
                        p.stdout_fd = SPAWN_FD_CONNECTION;
                        ASSERT_OK(spawn_template_new(&p, &t));
                }
                out = run_capture(&p, t, -EBADF, NULL, 0, NULL);
                if (root)
                        ASSERT_STREQ(out, "0027\n100\n5\n/tmp\n65534\n65534\n65534 4\n");
                else
                        ASSERT_TRUE(startswith(out, "0027\n100\n5\n/tmp\n"));
        }
        /* The caller's own settings are untouched. */
        mode_t m = umask(0022);
        umask(m);
        ASSERT_NE(m, 0027);
        ASSERT_EQ(getuid(), root ? 0 : getuid());
}

/* parent_death_signal: the child dies with the thread that spawned it.  We
 * become a subreaper so that the orphan is reparented to us and we can see
 * how it ended. */
TEST(parent_death_signal) {
        char *argv[] = { (char *) "/bin/sleep", (char *) "30", NULL };

        ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
        for (int template = 0; template < 2; template++) {
                int pipefd[2];
                pid_t middle, pid = 0;
                siginfo_t si;

                ASSERT_OK(pipe2(pipefd, O_CLOEXEC));
                middle = fork();
                ASSERT_OK(middle);
                if (middle == 0) {
                        SpawnParams p = SPAWN_PARAMS_INIT;
                        p.argv = argv;
                        p.parent_death_signal = SIGTERM;
                        if (template) {
                                SpawnTemplate *t = NULL;
                                if (spawn_template_new(&p, &t) < 0 ||
                                    spawn_template_spawn(t, -EBADF, NULL, 0, &pid, NULL) < 0)
                                        _exit(1);
                        } else if (spawn(&p, &pid, NULL) < 0)
                                _exit(1);
                        (void) !write(pipefd[1], &pid, sizeof pid);
                        _exit(0);
                }
                safe_close(pipefd[1]);
                ASSERT_EQ(read(pipefd[0], &pid, sizeof pid), (ssize_t) sizeof pid);
                safe_close(pipefd[0]);
                ASSERT_OK(spawn_wait(middle, &si));
                ASSERT_EQ(spawn_exit_status(&si), 0);
                ASSERT_OK(spawn_wait(pid, &si)); /* bounded: SIGTERM comes at once */
                ASSERT_EQ(si.si_code, CLD_KILLED);
                ASSERT_EQ(si.si_status, SIGTERM);
        }
        ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 0));
}

int main(int argc, char **argv) {
        find_probe();
        return run_tests_(argc, argv);
}
