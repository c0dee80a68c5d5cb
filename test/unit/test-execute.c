/* SPDX-License-Identifier: MIT */
/* exec_prepare()'s stdio: the defaults of StandardOutput=/StandardError=
 * (systemd's service_fix_stdio()) and what each setting turns into. */
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
/* The fake manager's unit-file helpers are not needed here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "core-fake-ops.h"
#pragma GCC diagnostic pop
#include "execute.h"
#include "exec-command.h"
#include "fd-util.h"
#include "manager.h"
#include "tests.h"

typedef struct Stdio {
        int in, out, err;
        bool pipe;              /* a capture pipe was made */
} Stdio;

static Stdio prepare(Manager *m, const ExecContext *ec, const ExecExtra *x) {
        _cleanup_(exec_command_free_listp) ExecCommand *c = NULL;
        _cleanup_free_ char *error = NULL;
        ExecPrepared p;

        ASSERT_OK(exec_command_parse("/bin/true", NULL, NULL, &c, &error));
        ASSERT_OK(exec_prepare(m, c, ec, x, &p));
        Stdio s = { p.params.stdin_fd, p.params.stdout_fd, p.params.stderr_fd, p.output_fd > 2 };
        if (s.pipe) {
                /* Both streams on the one pipe's write end. */
                ASSERT_EQ(s.out, p.output_write_fd);
                struct stat a, b;
                ASSERT_OK(fstat(p.output_fd, &a));
                ASSERT_OK(fstat(p.output_write_fd, &b));
                ASSERT_TRUE(S_ISFIFO(a.st_mode) && a.st_ino == b.st_ino);
                p.output_fd = safe_close(p.output_fd);
        }
        exec_prepared_done(&p);
        return s;
}

TEST(default_output_is_captured) {
        Manager *m = fake_manager();
        ExecContext ec;
        ExecExtra x = { .capture_output = true };

        exec_context_init(&ec);
        Stdio s = prepare(m, &ec, &x);
        ASSERT_EQ(s.in, SPAWN_FD_NULL);
        ASSERT_TRUE(s.pipe);
        ASSERT_EQ(s.err, s.out); /* StandardError=inherit follows stdout */

        /* StandardError= of its own: stdout alone on the pipe. */
        ec.std_error = EXEC_OUTPUT_NULL;
        s = prepare(m, &ec, &x);
        ASSERT_TRUE(s.pipe);
        ASSERT_EQ(s.err, SPAWN_FD_NULL);

        /* Explicit settings stay. */
        ec.std_output = EXEC_OUTPUT_NULL;
        ec.std_error = EXEC_OUTPUT_INHERIT;
        s = prepare(m, &ec, &x);
        ASSERT_FALSE(s.pipe);
        ASSERT_EQ(s.out, SPAWN_FD_NULL);
        ASSERT_EQ(s.err, SPAWN_FD_NULL);
        exec_context_done(&ec);
        manager_free(m);
}

TEST(socket_stdin_keeps_the_connection) {
        Manager *m = fake_manager();
        ExecContext ec;

        /* An Accept=yes template: no capture, the connection on 0, 1 and 2. */
        exec_context_init(&ec);
        ec.std_input = EXEC_INPUT_SOCKET;
        ExecExtra x = { .connection = true };
        Stdio s = prepare(m, &ec, &x);
        ASSERT_FALSE(s.pipe);
        ASSERT_EQ(s.in, SPAWN_FD_CONNECTION);
        ASSERT_EQ(s.out, SPAWN_FD_CONNECTION);
        ASSERT_EQ(s.err, SPAWN_FD_CONNECTION);

        /* Even where capturing is allowed, stdin=socket keeps stdout on it. */
        int fds[2];
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
        ExecExtra y = { .fds = fds, .n_fds = 1, .capture_output = true };
        s = prepare(m, &ec, &y);
        ASSERT_FALSE(s.pipe);
        ASSERT_EQ(s.out, fds[0]);
        ASSERT_EQ(s.err, fds[0]);

        /* An explicit journal is honoured, as in systemd. */
        ec.std_output = EXEC_OUTPUT_JOURNAL;
        s = prepare(m, &ec, &y);
        ASSERT_TRUE(s.pipe);
        ASSERT_EQ(s.in, fds[0]);
        safe_close(fds[0]);
        safe_close(fds[1]);
        exec_context_done(&ec);
        manager_free(m);
}

TEST(no_capture_means_porterds_own_output) {
        Manager *m = fake_manager();
        ExecContext ec;
        ExecExtra x = { .connection = true };

        /* An Accept=yes instance without StandardInput=socket: no pipe per
         * connection, its output goes where porterd's goes. */
        exec_context_init(&ec);
        Stdio s = prepare(m, &ec, &x);
        ASSERT_FALSE(s.pipe);
        ASSERT_EQ(s.out, SPAWN_FD_INHERIT);
        ASSERT_EQ(s.err, SPAWN_FD_INHERIT);
        exec_context_done(&ec);
        manager_free(m);
}

RUN_TESTS()
