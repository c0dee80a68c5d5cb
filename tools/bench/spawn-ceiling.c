/* SPDX-License-Identifier: MIT */
/*
 * spawn-ceiling: the physical limit of an Accept=yes server on this machine.
 *
 *   spawn-ceiling [--vfork|--fork] PORT [PROGRAM]
 *
 * Listens on 127.0.0.1:PORT and, for every connection, spawns PROGRAM
 * (default /bin/cat) with the connection as stdin and stdout, then reaps
 * whatever children have exited.  Nothing else: no limits, no logging, no
 * environment work.  accept4() blocks.  By default the child is started with
 * posix_spawn(), glibc's clone(CLONE_VM|CLONE_VFORK) path; its child resets
 * every signal disposition it finds set (one sigaction() per signal).  With
 * --vfork it calls vfork() and, in the child, only dup2() twice and
 * execve(): the least a program can do to start another one.  With --fork it
 * calls fork() instead: dearer per call (the page tables are copied), but the
 * parent goes back to accept4() while the child execs, instead of waiting
 * for the exec as after vfork().  Any service
 * manager that spawns a program per connection pays at least this, so its
 * throughput is measured against these numbers.
 *
 * Runs until SIGTERM or SIGINT (default action: exit).  Children inherit
 * stderr.
 */
#include <errno.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

extern char **environ;

static int listen_loopback(unsigned port) {
        struct sockaddr_in sa = {
                .sin_family = AF_INET,
                .sin_port = htons((uint16_t) port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        int fd, one = 1;

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            listen(fd, 4096) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* The child of vfork() shares our memory and stack until execve(): it may
 * only call async-signal-safe functions and must leave with _exit(). */
static pid_t spawn_vfork(const char *program, char *const child_argv[], int conn) {
        pid_t pid = vfork();

        if (pid == 0) {
                if (dup2(conn, STDIN_FILENO) < 0 || dup2(conn, STDOUT_FILENO) < 0)
                        _exit(126);
                execve(program, child_argv, environ);
                _exit(127);
        }
        return pid;
}

static pid_t spawn_fork(const char *program, char *const child_argv[], int conn) {
        pid_t pid = fork();

        if (pid == 0) {
                if (dup2(conn, STDIN_FILENO) < 0 || dup2(conn, STDOUT_FILENO) < 0)
                        _exit(126);
                execve(program, child_argv, environ);
                _exit(127);
        }
        return pid;
}

static pid_t spawn_posix(const char *program, char *const child_argv[], int conn) {
        posix_spawn_file_actions_t actions;
        pid_t pid;
        int r;

        /* dup2 clears CLOEXEC on the copies at 0 and 1 only. */
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, conn, STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, conn, STDOUT_FILENO);
        r = posix_spawn(&pid, program, &actions, NULL, child_argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        if (r != 0) {
                errno = r;
                return -1;
        }
        return pid;
}

int main(int argc, char *argv[]) {
        int use_vfork = argc > 1 && strcmp(argv[1], "--vfork") == 0;
        int use_fork = argc > 1 && strcmp(argv[1], "--fork") == 0;
        char *program, *child_argv[2];
        unsigned long port;
        int listen_fd;

        argc -= use_vfork + use_fork;
        argv += use_vfork + use_fork;
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: spawn-ceiling [--vfork|--fork] PORT [PROGRAM]\n");
                return 2;
        }
        program = argc > 2 ? argv[2] : "/bin/cat";
        child_argv[0] = program;
        child_argv[1] = NULL;
        port = strtoul(argv[1], NULL, 10);
        if (port == 0 || port > 65535) {
                fprintf(stderr, "spawn-ceiling: invalid port '%s'\n", argv[1]);
                return 2;
        }
        listen_fd = listen_loopback((unsigned) port);
        if (listen_fd < 0) {
                fprintf(stderr, "spawn-ceiling: cannot listen on 127.0.0.1:%lu: %s\n",
                        port, strerror(-listen_fd));
                return 1;
        }

        for (;;) {
                int conn;

                conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        /* EMFILE and friends: back off instead of spinning. */
                        usleep(10000);
                        continue;
                }
                if ((use_vfork ? spawn_vfork(program, child_argv, conn) :
                     use_fork ? spawn_fork(program, child_argv, conn) :
                     spawn_posix(program, child_argv, conn)) < 0)
                        fprintf(stderr, "spawn-ceiling: spawn: %m\n");
                close(conn);

                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
        }
}
