/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "env-file.h"
#include "env-util.h"
#include "exec-command.h"
#include "execute.h"
#include "fd-util.h"
#include "manager.h"
#include "string-util.h"
#include "strv.h"
#include "user-util.h"

int exec_resolve_user_group(const char *user, const char *group, uid_t *uid, gid_t *gid,
                            char **ret_home, char **ret_shell) {
        if (user) {
                struct passwd *pw;
                uid_t u;

                errno = 0;
                if (parse_uid(user, &u) >= 0)
                        pw = getpwuid(u);
                else
                        pw = getpwnam(user);
                if (!pw) {
                        if (parse_uid(user, &u) < 0)
                                return errno > 0 ? -errno : -ESRCH;
                        /* A bare number without a passwd entry is fine. */
                        *uid = u;
                        if (!group)
                                *gid = (gid_t) u;
                } else {
                        *uid = pw->pw_uid;
                        if (!group)
                                *gid = pw->pw_gid;
                        if (ret_home && !(*ret_home = strdup(pw->pw_dir)))
                                return -ENOMEM;
                        if (ret_shell && !(*ret_shell = strdup(pw->pw_shell)))
                                return -ENOMEM;
                }
        }
        if (group) {
                gid_t g;
                if (parse_gid(group, &g) >= 0)
                        *gid = g;
                else {
                        errno = 0;
                        struct group *gr = getgrnam(group);
                        if (!gr)
                                return errno > 0 ? -errno : -ESRCH;
                        *gid = gr->gr_gid;
                }
        }
        return 0;
}

/* StandardInput=socket, or StandardOutput=/StandardError=socket: the one
 * socket fd goes to those stdio streams and no LISTEN_* fds are passed
 * (systemd does the same for any of the three, spec §6.1). */
static bool exec_socket_stdio(const ExecContext *ec) {
        return ec->std_input == EXEC_INPUT_SOCKET || ec->std_output == EXEC_OUTPUT_SOCKET ||
               ec->std_error == EXEC_OUTPUT_SOCKET;
}

/* The socket fd for socket stdio: the connection (Accept=yes) or the only
 * socket fd; -ENOTUNIQ with none or several ("Got more than one socket"). */
static int exec_socket_fd(const ExecExtra *x) {
        if (x->connection)
                return SPAWN_FD_CONNECTION;
        if (x->n_fds != 1)
                return -ENOTUNIQ;
        return x->fds[0];
}

/* The manager's part of the environment, then PassEnvironment=,
 * Environment=, EnvironmentFile=, UnsetEnvironment= (spec §8 precedence). */
static int exec_build_env(Manager *m, const ExecContext *ec, const ExecExtra *x, const char *user,
                          const char *home, const char *shell, char ***ret) {
        _cleanup_strv_free_ char **env = strv_copy(m->environment);
        int r;

        if (!env)
                return -ENOMEM;
        if (user) {
                if (strv_env_assign(&env, "USER", user) < 0 || strv_env_assign(&env, "LOGNAME", user) < 0)
                        return -ENOMEM;
                if (home && strv_env_assign(&env, "HOME", home) < 0)
                        return -ENOMEM;
                if (shell && strv_env_assign(&env, "SHELL", shell) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH(e, x->extra_env)
                if (strv_env_set(&env, *e) < 0)
                        return -ENOMEM;
        if (x->pass_fds && (x->n_fds > 0 || x->connection) && !exec_socket_stdio(ec)) {
                r = listen_fds_env(&env, x->connection ? 1 : x->n_fds, x->fd_names);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(name, ec->pass_environment) {
                const char *v = getenv(*name);
                if (v && strv_env_assign(&env, *name, v) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH(e, ec->environment)
                if (strv_env_set(&env, *e) < 0)
                        return -ENOMEM;
        r = env_file_load_all(ec->environment_files, &env);
        if (r < 0)
                return r;
        r = strv_env_unset_many(env, ec->unset_environment);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}

static int exec_open_file(const char *path, int flags) {
        int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, 0644);
        return fd < 0 ? -errno : fd;
}

/* The fd for stdin: /dev/null, the socket, or a file. */
static int exec_stdin(const ExecContext *ec, const ExecExtra *x, ExecPrepared *p) {
        switch (ec->std_input) {
        case EXEC_INPUT_SOCKET:
                return exec_socket_fd(x);
        case EXEC_INPUT_FILE:
                if (!ec->stdio_file[0])
                        return SPAWN_FD_NULL;
                p->stdio_files[0] = exec_open_file(ec->stdio_file[0], O_RDONLY);
                return p->stdio_files[0];
        default:
                return SPAWN_FD_NULL;
        }
}

static int exec_output(const ExecContext *ec, const ExecExtra *x, ExecOutput o, int i, int stdin_fd,
                       ExecPrepared *p) {
        switch (o) {
        case EXEC_OUTPUT_NULL:
                return SPAWN_FD_NULL;
        case EXEC_OUTPUT_INHERIT:
                /* stdout inherits stdin when that is a socket; stderr follows stdout. */
                if (i == 2)
                        return p->params.stdout_fd;
                return stdin_fd == SPAWN_FD_NULL ? SPAWN_FD_INHERIT : stdin_fd;
        case EXEC_OUTPUT_SOCKET:
                return exec_socket_fd(x);
        case EXEC_OUTPUT_FILE:
        case EXEC_OUTPUT_FILE_APPEND:
        case EXEC_OUTPUT_FILE_TRUNCATE: {
                int flags = O_WRONLY | O_CREAT;
                if (o == EXEC_OUTPUT_FILE_APPEND)
                        flags |= O_APPEND;
                else if (o == EXEC_OUTPUT_FILE_TRUNCATE)
                        flags |= O_TRUNC;
                if (!ec->stdio_file[i])
                        return SPAWN_FD_INHERIT;
                p->stdio_files[i] = exec_open_file(ec->stdio_file[i], flags);
                return p->stdio_files[i];
        }
        default:
                /* journal, kmsg, tty and the +console forms go to porterd's
                 * own output, which is its log. */
                return SPAWN_FD_INHERIT;
        }
}

static bool exec_output_is_captured(ExecOutput o) {
        return o == EXEC_OUTPUT_JOURNAL || o == EXEC_OUTPUT_JOURNAL_AND_CONSOLE || o == EXEC_OUTPUT_KMSG ||
               o == EXEC_OUTPUT_KMSG_AND_CONSOLE;
}

/* The write end of the output pipe, made on first use; stdout and stderr share it. */
static int exec_output_pipe(ExecPrepared *p) {
        int fds[2];

        if (p->output_write_fd > 2)
                return p->output_write_fd;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        /* Only porterd's end is non-blocking: the service writes as to a terminal. */
        if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
                int r = -errno;
                safe_close(fds[0]);
                safe_close(fds[1]);
                return r;
        }
        p->output_fd = fds[0];
        p->output_write_fd = fds[1];
        return fds[1];
}

/* systemd's service_fix_stdio(): StandardOutput=inherit, which is also the
 * default, shares stdin's stream only when that is a terminal, the socket
 * or a named fd (bidirectional); otherwise it means DefaultStandardOutput=,
 * the journal, which porterd maps to its own log and the unit's ring.
 * StandardError=inherit then follows stdout into the same pipe.  Like
 * systemd we cannot tell an explicit inherit from the default. */
static ExecOutput exec_stdout_kind(const ExecContext *ec) {
        if (ec->std_output != EXEC_OUTPUT_INHERIT)
                return ec->std_output;
        switch (ec->std_input) {
        case EXEC_INPUT_TTY:
        case EXEC_INPUT_TTY_FORCE:
        case EXEC_INPUT_TTY_FAIL:
        case EXEC_INPUT_SOCKET:
        case EXEC_INPUT_NAMED_FD:
                return EXEC_OUTPUT_INHERIT;
        default:
                return EXEC_OUTPUT_JOURNAL;
        }
}

static int exec_setup_stdio(const ExecContext *ec, const ExecExtra *x, ExecPrepared *p) {
        int in = exec_stdin(ec, x, p);
        if (in < 0 && in != SPAWN_FD_NULL && in != SPAWN_FD_CONNECTION)
                return in;
        p->params.stdin_fd = in;
        /* Accept=yes instances (no capture_output) with stdin=socket keep
         * the connection as stdout: no pipe per connection. */
        ExecOutput out = exec_stdout_kind(ec);
        int o = x->capture_output && exec_output_is_captured(out) ? exec_output_pipe(p) :
                exec_output(ec, x, out, 1, in, p);
        if (o < 0 && o != SPAWN_FD_NULL && o != SPAWN_FD_INHERIT && o != SPAWN_FD_CONNECTION)
                return o;
        p->params.stdout_fd = o;
        int e = x->capture_output && exec_output_is_captured(ec->std_error) ? exec_output_pipe(p) :
                exec_output(ec, x, ec->std_error, 2, in, p);
        if (e < 0 && e != SPAWN_FD_NULL && e != SPAWN_FD_INHERIT && e != SPAWN_FD_CONNECTION)
                return e;
        p->params.stderr_fd = e;
        return 0;
}

static int exec_setup_credentials(const ExecContext *ec, const ExecCommand *c, ExecPrepared *p,
                                  char **home, char **shell) {
        if (!ec->user && !ec->group)
                return 0;
        if (c->flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_SETUID))
                return 0;

        uid_t uid = SPAWN_UID_KEEP;
        gid_t gid = SPAWN_GID_KEEP;
        int r = exec_resolve_user_group(ec->user, ec->group, &uid, &gid, home, shell);
        if (r < 0)
                return r;
        p->context.uid = uid;
        p->context.gid = gid;

        /* Supplementary groups come from the user database, plus
         * SupplementaryGroups=; setgroups() runs before setgid/setuid. */
        int n = 64;
        p->groups = new(gid_t, n + strv_length(ec->supplementary_groups));
        if (!p->groups)
                return -ENOMEM;
        if (ec->user && *home && getgrouplist(ec->user, gid, p->groups, &n) < 0)
                n = 0;
        else if (!ec->user || !*home)
                n = 0;
        STRV_FOREACH(g, ec->supplementary_groups) {
                gid_t sg;
                r = exec_resolve_user_group(NULL, *g, NULL, &sg, NULL, NULL);
                if (r < 0)
                        return r;
                p->groups[n++] = sg;
        }
        p->context.set_groups = true;
        p->context.groups = p->groups;
        p->context.n_groups = n;
        return 0;
}

static int exec_setup_argv(const ExecCommand *c, ExecPrepared *p) {
        int r;

        if (c->flags & EXEC_COMMAND_NO_ENV_EXPAND)
                p->argv = strv_copy(c->argv);
        else {
                r = exec_command_expand_env(c->argv, p->envp, &p->argv);
                if (r < 0)
                        return r;
        }
        if (!p->argv)
                return -ENOMEM;

        if (c->flags & EXEC_COMMAND_VIA_SHELL) {
                char **sh = NULL;
                r = exec_command_shell_argv(c, p->argv, "/bin/sh", &sh);
                if (r < 0)
                        return r;
                strv_free(p->argv);
                p->argv = sh;
                p->path = strdup("/bin/sh");
                return p->path ? 0 : -ENOMEM;
        }
        if (c->path && c->path[0] == '/')
                p->path = strdup(c->path);
        else
                return spawn_find_executable(c->path ?: p->argv[0], &p->path);
        return p->path ? 0 : -ENOMEM;
}

static void exec_setup_context(Manager *m, const ExecContext *ec, const char *home, ExecPrepared *p) {
        p->context.umask = ec->umask;
        p->context.set_nice = ec->nice_set;
        p->context.nice = ec->nice;
        size_t n = 0;
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (exec_context_rlimit(ec, i))
                        p->rlimits[n++] = (SpawnRlimit) { .resource = i, .limit = *exec_context_rlimit(ec, i) };
                else if (i == RLIMIT_NOFILE && m->service_nofile.rlim_max > 0)
                        /* porterd raised its own; services keep the limit
                         * porterd was given (select() users need <= 1024). */
                        p->rlimits[n++] = (SpawnRlimit) { .resource = i, .limit = m->service_nofile };
        p->context.rlimits = p->rlimits;
        p->context.n_rlimits = n;

        const char *wd = ec->working_directory;
        if (ec->working_directory_home)
                wd = home ?: getenv("HOME");
        else if (!wd && m->scope == MANAGER_USER)
                wd = getenv("HOME");
        else if (!wd)
                wd = "/";
        struct stat st;
        if (wd && ec->working_directory_missing_ok && stat(wd, &st) < 0)
                wd = NULL;
        if (wd)
                p->working_directory = strdup(wd);
        p->context.working_directory = p->working_directory;
}

int exec_prepare(Manager *m, const ExecCommand *c, const ExecContext *ec, const ExecExtra *x,
                 ExecPrepared *ret) {
        _cleanup_free_ char *home = NULL, *shell = NULL;
        ExecPrepared p = {
                .params = SPAWN_PARAMS_INIT,
                .context = SPAWN_CONTEXT_INIT,
                .stdio_files = { -EBADF, -EBADF, -EBADF },
                .output_fd = -EBADF,
                .output_write_fd = -EBADF,
        };
        int r;

        r = exec_setup_credentials(ec, c, &p, &home, &shell);
        if (r >= 0)
                r = exec_build_env(m, ec, x, ec->user, home, shell, &p.envp);
        if (r >= 0)
                r = exec_setup_argv(c, &p);
        if (r >= 0)
                r = exec_setup_stdio(ec, x, &p);
        if (r < 0) {
                exec_prepared_done(&p);
                return r;
        }
        exec_setup_context(m, ec, home, &p);

        if (x->pass_fds && !exec_socket_stdio(ec) && (x->n_fds > 0 || x->connection)) {
                size_t n = x->connection ? 1 : x->n_fds;
                p.fds = new(int, n);
                if (!p.fds) {
                        exec_prepared_done(&p);
                        return -ENOMEM;
                }
                for (size_t i = 0; i < n; i++)
                        p.fds[i] = x->connection ? SPAWN_FD_CONNECTION : x->fds[i];
                p.params.fds = p.fds;
                p.params.n_fds = n;
                p.params.listen_env = true;
        }
        p.params.remote_env = x->connection;
        p.params.path = p.path;
        p.params.argv = p.argv;
        p.params.envp = p.envp;
        p.params.new_session = true;
        /* Whatever porterd itself inherited from its parent (a shell's or a
         * script's stray fds) is not the service's: only 0-2 and the fds
         * placed at 3.. survive, as under systemd. */
        p.params.close_other_fds = true;
        *ret = p;
        /* Pointers into *ret must point at its own storage. */
        ret->params.context = &ret->context;
        ret->context.rlimits = ret->rlimits;
        return 0;
}

static int mkdir_parents_and(const char *path, mode_t mode) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return -errno;
        /* An existing directory gets the configured mode too. */
        return chmod(copy, mode) < 0 ? -errno : 0;
}

int exec_runtime_dirs_create(Manager *m, const ExecContext *ec, char ***ret_paths) {
        _cleanup_strv_free_ char **paths = NULL;
        uid_t uid = (uid_t) -1;
        gid_t gid = (gid_t) -1;
        int r;

        if (!ec->runtime_directory) {
                *ret_paths = NULL;
                return 0;
        }
        if (geteuid() == 0 && (ec->user || ec->group)) {
                r = exec_resolve_user_group(ec->user, ec->group, &uid, &gid, NULL, NULL);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(name, ec->runtime_directory) {
                char *path = strjoin(m->runtime_dir, "/", *name);
                if (!path || strv_consume(&paths, path) < 0)
                        return -ENOMEM;
                r = mkdir_parents_and(path, ec->runtime_directory_mode);
                if (r >= 0 && (uid != (uid_t) -1 || gid != (gid_t) -1) && chown(path, uid, gid) < 0)
                        r = -errno;
                if (r < 0) {
                        exec_runtime_dirs_remove(paths);
                        return r;
                }
        }
        *ret_paths = TAKE_PTR(paths);
        return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) remove(path);
        return 0;
}

void exec_runtime_dirs_remove(char * const *paths) {
        STRV_FOREACH(p, paths)
                (void) nftw(*p, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void exec_prepared_done(ExecPrepared *p) {
        free(p->path);
        strv_free(p->argv);
        strv_free(p->envp);
        free(p->groups);
        free(p->working_directory);
        free(p->fds);
        for (int i = 0; i < 3; i++)
                if (p->stdio_files[i] > 2) /* 0-2 are never ours; {} has zeros */
                        safe_close(p->stdio_files[i]);
        if (p->output_fd > 2)
                safe_close(p->output_fd);
        if (p->output_write_fd > 2)
                safe_close(p->output_write_fd);
        *p = (ExecPrepared) { .stdio_files = { -EBADF, -EBADF, -EBADF }, .output_fd = -EBADF,
                              .output_write_fd = -EBADF };
}
