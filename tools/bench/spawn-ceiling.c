/* SPDX-License-Identifier: MIT */
/*
 * spawn-ceiling: the physical limit of an Accept=yes server on this machine.
 *
 *   spawn-ceiling PORT [PROGRAM]
 *
 * Listens on 127.0.0.1:PORT and, for every connection, spawns PROGRAM
 * (default /bin/cat) with the connection as stdin and stdout, then reaps
 * whatever children have exited.  Nothing else: no limits, no logging, no
 * environment work.  accept4() blocks; posix_spawn() is glibc's
 * clone(CLONE_VM|CLONE_VFORK) path, the cheapest way to start a program.  Any
 * service manager that spawns a program per connection pays at least this,
 * so its throughput is measured against this number.
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

int main(int argc, char *argv[]) {
        char *program = argc > 2 ? argv[2] : "/bin/cat";
        char *child_argv[] = { program, NULL };
        unsigned long port;
        int listen_fd;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: spawn-ceiling PORT [PROGRAM]\n");
                return 2;
        }
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
                posix_spawn_file_actions_t actions;
                pid_t pid;
                int conn, r;

                conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        /* EMFILE and friends: back off instead of spinning. */
                        usleep(10000);
                        continue;
                }
                /* dup2 clears CLOEXEC on the copies at 0 and 1 only. */
                posix_spawn_file_actions_init(&actions);
                posix_spawn_file_actions_adddup2(&actions, conn, STDIN_FILENO);
                posix_spawn_file_actions_adddup2(&actions, conn, STDOUT_FILENO);
                r = posix_spawn(&pid, program, &actions, NULL, child_argv, environ);
                posix_spawn_file_actions_destroy(&actions);
                if (r != 0)
                        fprintf(stderr, "spawn-ceiling: posix_spawn: %s\n", strerror(r));
                close(conn);

                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
        }
}
