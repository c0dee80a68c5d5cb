/* SPDX-License-Identifier: MIT */
#pragma once

/* Turning a unit's ExecCommand + ExecContext into SpawnParams (spawn.h),
 * all in the parent and before anything forks: the environment in systemd's
 * precedence order, $VAR expansion of the command line, the executable's
 * path, User=/Group= resolved to ids and supplementary groups, the working
 * directory, stdio, umask, nice and rlimits.  Accept=yes sockets do this
 * once per start and keep the result as a SpawnTemplate. */

#include <stdbool.h>
#include <sys/resource.h>

#include "spawn.h"
#include "unit-config.h"

typedef struct Manager Manager;

/* What the unit adds at run time. */
typedef struct ExecExtra {
        const int *fds;                 /* socket fds to pass at 3.. */
        size_t n_fds;
        char * const *fd_names;         /* LISTEN_FDNAMES, one per fd */
        char * const *extra_env;        /* NOTIFY_SOCKET=, MAINPID=, ... */
        bool connection;                /* Accept=yes template: one SPAWN_FD_CONNECTION fd */
        bool pass_fds;                  /* false for control processes */
        bool capture_output;            /* journal/syslog/kmsg output into a pipe (unit-output.h) */
} ExecExtra;

/* Owned storage behind one SpawnParams. */
typedef struct ExecPrepared {
        SpawnParams params;
        SpawnContext context;
        char *path;
        char **argv;
        char **envp;
        gid_t *groups;
        char *working_directory;
        int *fds;
        int stdio_files[3];             /* files opened for file:/append:/truncate: */
        int output_fd;                  /* capture_output: the pipe's read end, for the caller
                                         * to take (> 2 when there is one) */
        int output_write_fd;            /* ... and the child's end, closed by exec_prepared_done() */
        SpawnRlimit rlimits[RLIM_NLIMITS];
} ExecPrepared;

/* Build everything for running c in context ec.  Returns 0, or -errno with
 * *ret left empty (user not found: -ESRCH; binary not found: -ENOENT). */
int exec_prepare(Manager *m, const ExecCommand *c, const ExecContext *ec, const ExecExtra *x,
                 ExecPrepared *ret);

/* Release what exec_prepare() allocated; NULL-safe, idempotent. */
void exec_prepared_done(ExecPrepared *p);

/* RuntimeDirectory=: create <runtime>/<name> for every name (parents as
 * needed, mode RuntimeDirectoryMode=, owned by User=/Group= when porterd
 * runs as root) below /run or $XDG_RUNTIME_DIR.  Returns 0 and the paths
 * (NULL if none), or -errno (nothing is left created). */
int exec_runtime_dirs_create(Manager *m, const ExecContext *ec, char ***ret_paths);

/* Remove the directories made by exec_runtime_dirs_create() with their
 * contents (symlinks are not followed).  NULL-safe. */
void exec_runtime_dirs_remove(char * const *paths);

/* Resolve User=/Group= names or numbers.  A NULL user or group leaves that
 * output unchanged.  Returns 0, -ESRCH for an unknown name, or -errno. */
int exec_resolve_user_group(const char *user, const char *group, uid_t *uid, gid_t *gid,
                            char **ret_home, char **ret_shell);
