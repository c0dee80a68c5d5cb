/* SPDX-License-Identifier: MIT */
#pragma once

/* porter's one fork/exec path.
 *
 * Everything a child needs is built BEFORE forking: the executable path,
 * argv, envp (with a fixed-width LISTEN_PID= slot), and the list of fds to
 * pass.  The child then runs only async-signal-safe code: it moves the passed
 * fds out of the target range 3..3+n-1, places them there with FD_CLOEXEC
 * cleared on exactly those, arranges stdin/stdout/stderr, resets every signal
 * disposition and the signal mask, applies the optional context (setsid,
 * rlimits, nice, umask, groups/gid/uid, working directory), writes its own
 * pid into the LISTEN_PID= slot and calls execve().  Nothing else leaks: every
 * fd of porter is CLOEXEC, and close_other_fds additionally closes whatever
 * the caller inherited from its own parent.
 *
 * Three entry points share that child code:
 *   spawn()                  clone(CLONE_VM | CLONE_VFORK) on a stack mapped
 *                            for the call (fork() and a CLOEXEC error pipe
 *                            under valgrind); a failed step comes back with
 *                            its errno, so a missing binary is -ENOENT here.
 *   spawn_template_spawn()   the per-connection fast path: clone(CLONE_VM |
 *                            CLONE_VFORK) on a stack kept in the template,
 *                            nothing allocated per call.
 *   spawn_exec()             become the program in place (LISTEN_PID is then
 *                            our own pid), as porter-activate does without
 *                            --accept.
 *
 * Reaping helpers for callers without an event loop are at the end.
 *
 * Note: with src/shared on the include path this header shadows libc's
 * <spawn.h>; porter has no use for posix_spawn() (this file replaces it),
 * and a tool that needs it must not use shared's include path. */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "macro.h"

/* Values for SpawnParams.stdin_fd/stdout_fd/stderr_fd besides a real fd. */
#define SPAWN_FD_INHERIT    (-1) /* leave the caller's fd 0/1/2 as it is */
#define SPAWN_FD_NULL       (-2) /* open /dev/null there */
#define SPAWN_FD_CONNECTION (-3) /* templates only: the per-call connection fd
                                  * (also allowed as an entry of fds[]) */

/* SpawnContext.uid/gid: leave unchanged. */
#define SPAWN_UID_KEEP ((uid_t) -1)
#define SPAWN_GID_KEEP ((gid_t) -1)
/* SpawnContext.umask: leave unchanged. */
#define SPAWN_UMASK_KEEP ((mode_t) -1)

/* Fixed width of the LISTEN_PID value slot: enough for any pid_t (the
 * kernel's pid_max is at most 2^22, and pid_t is an int). */
#define SPAWN_PID_DIGITS 10

/* The child step that failed, reported together with its errno. */
typedef enum SpawnStep {
        SPAWN_STEP_NONE,      /* nothing failed */
        SPAWN_STEP_FDS,       /* moving/placing the passed fds at 3.. */
        SPAWN_STEP_STDIO,     /* placing stdin/stdout/stderr */
        SPAWN_STEP_CLOSE_FDS, /* closing all other fds */
        SPAWN_STEP_SETSID,
        SPAWN_STEP_RLIMIT,
        SPAWN_STEP_NICE,
        SPAWN_STEP_GROUPS,    /* setgroups() */
        SPAWN_STEP_GID,       /* setresgid() */
        SPAWN_STEP_UID,       /* setresuid() */
        SPAWN_STEP_CHDIR,
        SPAWN_STEP_SIGNALS,   /* restoring the signal mask */
        SPAWN_STEP_EXEC,      /* execve() itself: ENOENT, EACCES, ENOEXEC, ... */
        _SPAWN_STEP_MAX,
        _SPAWN_STEP_INVALID = -EINVAL,
} SpawnStep;

/* "none", "fds", "stdio", ..., "exec"; NULL for an invalid value. */
const char *spawn_step_to_string(SpawnStep s) _const_;

/* One resource limit to set in the child (setrlimit(resource, &limit)). */
typedef struct SpawnRlimit {
        int resource;
        struct rlimit limit;
} SpawnRlimit;

/* Per-process settings porterd applies to services; all optional.  A
 * zero-initialised SpawnContext changes nothing except that uid/gid/umask
 * must be set to their _KEEP values to mean "unchanged" (use
 * SPAWN_CONTEXT_INIT).  Order in the child, as systemd does it: rlimits,
 * nice, umask, then setgroups before setresgid before setresuid (so that
 * the group changes still have the privilege to happen), then chdir (so that
 * the directory is checked with the service's own credentials).  The
 * credential calls are raw system calls: glibc's setuid() wrappers signal
 * every thread of the process, which is wrong in a CLONE_VM child.  The
 * caller resolves names and supplementary groups (getgrouplist()) before
 * spawning: none of that is async-signal-safe. */
typedef struct SpawnContext {
        const SpawnRlimit *rlimits;
        size_t n_rlimits;
        bool set_nice;
        int nice;
        mode_t umask;               /* SPAWN_UMASK_KEEP: unchanged */
        bool set_groups;            /* setgroups(n_groups, groups); n_groups may be 0 */
        const gid_t *groups;
        size_t n_groups;
        gid_t gid;                  /* SPAWN_GID_KEEP: unchanged */
        uid_t uid;                  /* SPAWN_UID_KEEP: unchanged */
        const char *working_directory; /* NULL: unchanged */
} SpawnContext;

#define SPAWN_CONTEXT_INIT                      \
        (SpawnContext) {                        \
                .umask = SPAWN_UMASK_KEEP,      \
                .gid = SPAWN_GID_KEEP,          \
                .uid = SPAWN_UID_KEEP,          \
        }

/* What to run and with which fds.  The caller owns every pointer; they must
 * stay valid for the duration of the call (and, for templates, are copied).
 *
 *   path       executable to execve(); NULL means argv[0].  No $PATH search
 *              happens in the child: resolve names first with
 *              spawn_find_executable().
 *   argv       NULL-terminated, at least argv[0].
 *   envp       NULL-terminated environment of the program.  NULL means the
 *              caller's environ (not allowed with listen_env).
 *   fds        n_fds fds to pass at 3, 4, ... in this order.  They may have
 *              any numbers, including ones inside 0..3+n_fds-1 and the same
 *              fd twice; the child sorts that out.  The caller's copies stay
 *              open (and should be CLOEXEC, like every fd of porter).
 *   stdin_fd, stdout_fd, stderr_fd
 *              an fd to place at 0/1/2, or SPAWN_FD_INHERIT / SPAWN_FD_NULL.
 *              For --inetd / StandardInput=socket: the connection on 0 and 1.
 *   listen_env envp contains the LISTEN_PID= slot made by listen_fds_env();
 *              the child writes its own pid into it before execve().
 *   remote_env templates only: keep REMOTE_ADDR=/REMOTE_PORT= slots at the
 *              end of envp and fill them per call from the peer address, as
 *              systemd does for Accept=yes (v4-mapped IPv6 shown as IPv4,
 *              "/path" or "@abstract" for AF_UNIX, "vsock:CID"; the port for
 *              INET and VSOCK; nothing for an unnamed peer).
 *   parent_death_signal
 *              0, or a signal the child gets when the spawning thread
 *              exits (PR_SET_PDEATHSIG; kept across execve()).  spawn()
 *              also covers the window before the prctl(): a child whose
 *              parent is already gone fails with -ESRCH at step "signals".
 *              Ignored by spawn_exec().
 *   new_session        setsid() in the child.
 *   close_other_fds    close every fd >= 3+n_fds (close_range(), else a
 *                      loop), for callers that inherited unknown fds.
 *   context    optional SpawnContext, or NULL.
 */
typedef struct SpawnParams {
        const char *path;
        char * const *argv;
        char * const *envp;
        const int *fds;
        size_t n_fds;
        int stdin_fd, stdout_fd, stderr_fd;
        bool listen_env;
        bool remote_env;
        int parent_death_signal;
        bool new_session;
        bool close_other_fds;
        const SpawnContext *context;
} SpawnParams;

#define SPAWN_PARAMS_INIT                               \
        (SpawnParams) {                                 \
                .stdin_fd = SPAWN_FD_INHERIT,           \
                .stdout_fd = SPAWN_FD_INHERIT,          \
                .stderr_fd = SPAWN_FD_INHERIT,          \
        }

/* Append the sd_listen_fds() variables to the strv *env:
 * LISTEN_FDS=<n_fds>, LISTEN_PID=<SPAWN_PID_DIGITS placeholder characters>
 * (the slot the child fills in; set SpawnParams.listen_env), and, when names
 * is not NULL, LISTEN_FDNAMES=<names joined by ':'>.  Names are passed as
 * given: sd_listen_fds_with_names() accepts them only if there are exactly
 * n_fds.  Existing LISTEN_FDS/LISTEN_PID/LISTEN_PIDFDID/LISTEN_FDNAMES
 * entries of *env are removed first.  Returns 0, -EINVAL for n_fds == 0, or
 * -ENOMEM (then *env is unchanged). */
int listen_fds_env(char ***env, size_t n_fds, char * const *names);

/* Write pid as decimal into the LISTEN_PID= slot of envp (made by
 * listen_fds_env()).  Async-signal-safe: the child calls it after fork, and
 * a program that execs in place calls it with getpid().  Returns 0 or
 * -ENOENT when envp has no slot of the right width. */
int spawn_env_fill_listen_pid(char * const *envp, pid_t pid);

/* Find an executable the way execvp() would, before forking: a name with a
 * '/' is taken as is; otherwise each directory of $PATH (or, when unset,
 * "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") is tried.
 * Returns 0 and the heap path in *ret, -ENOENT, -EACCES when a match is not
 * executable, or -ENOMEM. */
int spawn_find_executable(const char *name, char **ret);

/* Start a child that execs p (see above for how).  Returns 0 with the
 * child's pid in *ret_pid once the child has called execve() successfully,
 * or a negative errno: -EINVAL for bad parameters, -errno of
 * clone()/fork()/mmap()/pipe2(), or the errno of the step that
 * failed in the child (then the child has already been reaped).  ret_step,
 * if not NULL, is always written: SPAWN_STEP_NONE on success or for a
 * failure in the parent, else the failed child step. */
int spawn(const SpawnParams *p, pid_t *ret_pid, SpawnStep *ret_step);

/* Run the child steps of p in this process and execve() (no fork): the
 * passed fds end up at 3.., LISTEN_PID is our own pid.  Returns only on
 * failure: a negative errno, with *ret_step (if not NULL) set.  Fds and
 * signal settings may already be rearranged then, so the caller should
 * report and exit. */
int spawn_exec(const SpawnParams *p, SpawnStep *ret_step);

/* A prepared spawn for the accept path.  spawn_template_new() copies argv,
 * envp and the fd list, finds the LISTEN_PID slot, adds the REMOTE_* slots
 * and maps a private stack; afterwards spawn_template_spawn() allocates
 * nothing: it writes the connection fd and peer address into preallocated
 * buffers and clone()s with CLONE_VM|CLONE_VFORK, so the parent sleeps only
 * until the child has exec'd and no page tables are copied.  A child failure
 * is reported through memory shared with the suspended parent (no pipe is
 * needed).  A template is not thread-safe: one spawn at a time. */
typedef struct SpawnTemplate SpawnTemplate;

/* Prepare p (see SpawnParams; SPAWN_FD_CONNECTION may appear in fds[] and
 * in the stdio fields).  The caller's signal dispositions are sampled now:
 * children reset to SIG_DFL only the signals that were not SIG_DFL here
 * (execve() resets handlers by itself; SIG_IGN survives it).  A caller that
 * installs a handler or SIG_IGN later must make a new template.  Starts and reaps one short-lived child to check
 * that clone(CLONE_VM) really shares memory here; where it does not (under
 * valgrind, which runs it as a fork) the template uses spawn()'s fork and
 * pipe path instead, so failures are still reported.  Returns 0, -EINVAL
 * for bad parameters, -ENOMEM, or the -errno of clone(). */
int spawn_template_new(const SpawnParams *p, SpawnTemplate **ret);
SpawnTemplate *spawn_template_free(SpawnTemplate *t);
static inline void spawn_template_freep(SpawnTemplate **t) {
        spawn_template_free(*t);
}
#define _cleanup_spawn_template_ _cleanup_(spawn_template_freep)

/* Spawn one child from t with connection_fd substituted for
 * SPAWN_FD_CONNECTION (pass -EBADF when the template uses none) and, with
 * remote_env, REMOTE_ADDR/REMOTE_PORT taken from peer (may be NULL or
 * unnamed: then they are not set).  Returns 0 and the pid, or a negative
 * errno as spawn() does, with *ret_step (if not NULL) always written.  The
 * caller still owns connection_fd and usually closes it right after. */
int spawn_template_spawn(SpawnTemplate *t, int connection_fd,
                         const struct sockaddr *peer, socklen_t peer_len,
                         pid_t *ret_pid, SpawnStep *ret_step);

/* The same, and with ret_pidfd (may be NULL) a CLOEXEC pidfd of the child
 * from clone(CLONE_PIDFD), owned by the caller; -EBADF where the kernel
 * gives none or the template uses the fork path.  Saves the caller's
 * pidfd_open() per connection. */
int spawn_template_spawn_pidfd(SpawnTemplate *t, int connection_fd,
                               const struct sockaddr *peer, socklen_t peer_len,
                               pid_t *ret_pid, int *ret_pidfd, SpawnStep *ret_step);

/* Block until child pid exits (EINTR is retried) and reap it.  Returns 0
 * with the exit information in *ret (may be NULL), or -errno (-ECHILD). */
int spawn_wait(pid_t pid, siginfo_t *ret);

/* Reap one exited child, any pid, without blocking.  Returns 1 and its
 * information in *ret (may be NULL), 0 when no child has exited (or there
 * are no children at all), or -errno.  Call it in a loop until 0, e.g.
 * after SIGCHLD. */
int spawn_reap_one(siginfo_t *ret);

/* A shell-style exit status for a reaped child: its exit code, or 128+signal
 * when it was killed. */
int spawn_exit_status(const siginfo_t *si) _pure_;
