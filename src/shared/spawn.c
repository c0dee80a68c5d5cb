/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "path-util.h"
#include "socket-util.h"
#include "spawn.h"
#include "string-util.h"
#include "strv.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000 /* Linux 5.2 */
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* Linux 5.11 */
#endif

#define LISTEN_PID_PREFIX "LISTEN_PID="
/* Not a number on purpose: an unfilled slot makes sd_listen_fds() fail
 * loudly instead of matching some other process. */
#define LISTEN_PID_PLACEHOLDER "XXXXXXXXXX"
_Static_assert(sizeof(LISTEN_PID_PLACEHOLDER) - 1 == SPAWN_PID_DIGITS, "slot width");

#define REMOTE_ADDR_PREFIX "REMOTE_ADDR="
#define REMOTE_PORT_PREFIX "REMOTE_PORT="
/* An AF_UNIX path is at most 108 bytes; escaped as \xNN that is 432, plus
 * the '@' of an abstract name. */
#define REMOTE_ADDR_MAX 448
#define REMOTE_PORT_MAX 10 /* a VSOCK port is 32 bits */

/* The clone() stack of a template.  The child runs only child_run() and
 * the libc system-call wrappers it calls; 256 KiB leaves room for sanitizer
 * builds, and untouched pages cost nothing. */
#define TEMPLATE_STACK_SIZE (256 * 1024)

static const char * const spawn_step_table[_SPAWN_STEP_MAX] = {
        [SPAWN_STEP_NONE] = "none",
        [SPAWN_STEP_FDS] = "fds",
        [SPAWN_STEP_STDIO] = "stdio",
        [SPAWN_STEP_CLOSE_FDS] = "close-fds",
        [SPAWN_STEP_SETSID] = "setsid",
        [SPAWN_STEP_RLIMIT] = "rlimit",
        [SPAWN_STEP_NICE] = "nice",
        [SPAWN_STEP_GROUPS] = "groups",
        [SPAWN_STEP_GID] = "gid",
        [SPAWN_STEP_UID] = "uid",
        [SPAWN_STEP_CHDIR] = "chdir",
        [SPAWN_STEP_SIGNALS] = "signals",
        [SPAWN_STEP_EXEC] = "exec",
};

const char *spawn_step_to_string(SpawnStep s) {
        if (s < 0 || s >= _SPAWN_STEP_MAX)
                return NULL;
        return spawn_step_table[s];
}

/* Everything the child needs, computed by the parent before forking.  The
 * child may write to `scratch`, `listen_pid_value` and `keep_fd`: after
 * fork() those are its private copies; after clone(CLONE_VM|CLONE_VFORK)
 * they belong to the template, whose owner is suspended meanwhile. */
typedef struct ChildPlan {
        const char *path;
        char * const *argv;
        char * const *envp;
        const int *fds;         /* n_fds source fds, in order */
        int *scratch;           /* n_fds ints of working space */
        size_t n_fds;
        int stdio[3];
        char *listen_pid_value; /* the value part of the LISTEN_PID= slot */
        bool new_session;
        bool close_other_fds;
        const SpawnContext *context;
        int keep_fd;            /* the error pipe of spawn(), or -1 */
        int parent_death_signal;
        pid_t parent_pid;       /* for the parent_death_signal race check */
        /* Signals whose disposition is not SIG_DFL, sampled when a template
         * is made; NULL: reset every signal. */
        const sigset_t *reset_signals;
} ChildPlan;

/* ---- environment ------------------------------------------------------ */

static void strv_remove_prefixed(char **l, const char *prefix) {
        char **w = l;

        STRV_FOREACH(s, l) {
                if (startswith(*s, prefix))
                        free(*s);
                else
                        *(w++) = *s;
        }
        if (w)
                *w = NULL;
}

int listen_fds_env(char ***env, size_t n_fds, char * const *names) {
        static const char * const stale[] = {
                "LISTEN_FDS=", "LISTEN_PID=", "LISTEN_PIDFDID=", "LISTEN_FDNAMES=",
        };
        char *add[3] = {}, buf[sizeof("LISTEN_FDS=") + 3 * sizeof(size_t)];
        size_t n_add = 0, n_old, j = 0;
        char **l;

        if (n_fds == 0 || n_fds > INT_MAX - 3)
                return -EINVAL;

        snprintf(buf, sizeof buf, "LISTEN_FDS=%zu", n_fds);
        add[n_add++] = strdup(buf);
        add[n_add++] = strdup(LISTEN_PID_PREFIX LISTEN_PID_PLACEHOLDER);
        if (names) {
                _cleanup_free_ char *joined = strv_join(names, ":");
                add[n_add++] = joined ? strjoin("LISTEN_FDNAMES=", joined) : NULL;
        }
        n_old = strv_length(*env);
        l = new(char *, n_old + n_add + 1);
        if (!l || !add[0] || !add[1] || (names && !add[2])) {
                free(l);
                for (size_t i = 0; i < n_add; i++)
                        free(add[i]);
                return -ENOMEM;
        }

        /* Nothing can fail from here on: drop stale entries, append ours. */
        for (size_t i = 0; i < n_old; i++) {
                char *s = (*env)[i];
                bool drop = false;

                for (size_t k = 0; k < ELEMENTSOF(stale); k++)
                        drop = drop || startswith(s, stale[k]);
                if (drop)
                        free(s);
                else
                        l[j++] = s;
        }
        for (size_t i = 0; i < n_add; i++)
                l[j++] = add[i];
        l[j] = NULL;

        free(*env);
        *env = l;
        return 0;
}

/* The value part of the unfilled LISTEN_PID= slot of envp, or NULL. */
static char *env_find_listen_pid_slot(char * const *envp) {
        STRV_FOREACH(s, envp) {
                char *v = startswith(*s, LISTEN_PID_PREFIX);
                if (v && streq(v, LISTEN_PID_PLACEHOLDER))
                        return v;
        }
        return NULL;
}

/* Async-signal-safe decimal formatting into a slot of at least
 * SPAWN_PID_DIGITS + 1 bytes (a 32-bit value has at most 10 digits). */
static void format_decimal(char *slot, unsigned v) {
        char tmp[SPAWN_PID_DIGITS];
        size_t n = 0;

        do {
                tmp[n++] = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0 && n < sizeof tmp);
        for (size_t i = 0; i < n; i++)
                slot[i] = tmp[n - 1 - i];
        slot[n] = '\0';
}

int spawn_env_fill_listen_pid(char * const *envp, pid_t pid) {
        char *slot = env_find_listen_pid_slot(envp);
        if (!slot)
                return -ENOENT;
        format_decimal(slot, (unsigned) pid);
        return 0;
}

/* ---- executable lookup ------------------------------------------------ */

#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int spawn_find_executable(const char *name, char **ret) {
        if (isempty(name))
                return -EINVAL;
        if (strchr(name, '/')) {
                char *c = strdup(name);
                if (!c)
                        return -ENOMEM;
                *ret = c;
                return 0;
        }
        return path_find_executable(name, getenv("PATH") ?: SPAWN_DEFAULT_PATH, ret);
}

/* ---- the child: async-signal-safe from here to child_run() ------------ */

static void child_reset_signal_dispositions(const sigset_t *only) {
        struct sigaction sa = { .sa_handler = SIG_DFL };

        /* All signals are blocked while this runs (the parent blocked them
         * before forking), so none of the caller's handlers can run in the
         * child, which after clone(CLONE_VM) would corrupt the caller's
         * memory.  Errors are expected for SIGKILL, SIGSTOP and glibc's
         * internal signals, and harmless.  A template passes the signals
         * that were not SIG_DFL when it was made: resetting the other 60
         * costs 60 system calls per connection while the parent waits. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && (!only || sigismember(only, sig) == 1))
                        (void) sigaction(sig, &sa, NULL);
}

/* Move fd out of 0..limit-1 unless it already sits at `own`. */
static int child_lift_fd(int fd, int own, int limit) {
        if (fd < 0 || fd >= limit || fd == own)
                return fd;
        fd = fcntl(fd, F_DUPFD_CLOEXEC, limit);
        return fd < 0 ? -errno : fd;
}

/* Place fds[i] at 3+i with CLOEXEC cleared.  Sources that lie inside the
 * range that is about to be overwritten (0..3+n-1, including stdio) are
 * first duplicated above it, so that no dup2() clobbers a source still
 * needed.  The duplicates are CLOEXEC and vanish at execve(). */
static int child_place_fds(ChildPlan *c) {
        int limit = 3 + (int) c->n_fds;

        for (size_t i = 0; i < c->n_fds; i++) {
                int fd = child_lift_fd(c->fds[i], 3 + (int) i, limit);
                if (fd < 0)
                        return fd;
                c->scratch[i] = fd;
        }
        for (int k = 0; k < 3; k++) {
                int fd = child_lift_fd(c->stdio[k], k, limit);
                if (fd < 0 && c->stdio[k] >= 0)
                        return fd;
                c->stdio[k] = fd;
        }

        for (size_t i = 0; i < c->n_fds; i++) {
                int target = 3 + (int) i;
                if (c->scratch[i] == target) {
                        if (fcntl(target, F_SETFD, 0) < 0)
                                return -errno;
                } else if (dup2(c->scratch[i], target) < 0) /* dup2() clears CLOEXEC */
                        return -errno;
        }
        return 0;
}

static int child_place_stdio(ChildPlan *c) {
        for (int k = 0; k < 3; k++) {
                int fd = c->stdio[k];

                if (fd == SPAWN_FD_INHERIT)
                        continue;
                if (fd == SPAWN_FD_NULL) {
                        fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
                        if (fd < 0)
                                return -errno;
                }
                if (fd == k) {
                        if (fcntl(k, F_SETFD, 0) < 0)
                                return -errno;
                } else if (dup2(fd, k) < 0)
                        return -errno;
                if (c->stdio[k] == SPAWN_FD_NULL && fd != k)
                        (void) close(fd);
        }
        return 0;
}

static int child_close_other_fds(int first, int keep) {
        struct rlimit rl;
        int max;

        /* Marking them CLOEXEC has the same effect on the new program and
         * keeps the error pipe usable until execve(). */
        if (close_range((unsigned) first, ~0U, CLOSE_RANGE_CLOEXEC) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;

        if (keep < 0) {
                if (close_range((unsigned) first, ~0U, 0) >= 0)
                        return 0;
        } else if ((keep == first || close_range((unsigned) first, (unsigned) keep - 1, 0) >= 0) &&
                   close_range((unsigned) keep + 1, ~0U, 0) >= 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;

        /* Kernels before 5.9: close one by one up to the fd limit. */
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1U << 20) ? 1 << 20 : (int) rl.rlim_cur;
        for (int fd = first; fd < max; fd++)
                if (fd != keep)
                        (void) close(fd);
        return 0;
}

static int child_apply_context(const SpawnContext *ctx, SpawnStep *ret_step) {
        for (size_t i = 0; i < ctx->n_rlimits; i++)
                if (setrlimit(ctx->rlimits[i].resource, &ctx->rlimits[i].limit) < 0) {
                        *ret_step = SPAWN_STEP_RLIMIT;
                        return -errno;
                }
        if (ctx->set_nice && setpriority(PRIO_PROCESS, 0, ctx->nice) < 0) {
                *ret_step = SPAWN_STEP_NICE;
                return -errno;
        }
        if (ctx->umask != SPAWN_UMASK_KEEP)
                (void) umask(ctx->umask);

        /* Raw system calls: glibc's wrappers broadcast the change to every
         * thread of the process, which would reach the caller's threads from
         * a CLONE_VM child. */
        if (ctx->set_groups && syscall(SYS_setgroups, ctx->n_groups, ctx->groups) < 0) {
                *ret_step = SPAWN_STEP_GROUPS;
                return -errno;
        }
        if (ctx->gid != SPAWN_GID_KEEP && syscall(SYS_setresgid, ctx->gid, ctx->gid, ctx->gid) < 0) {
                *ret_step = SPAWN_STEP_GID;
                return -errno;
        }
        if (ctx->uid != SPAWN_UID_KEEP && syscall(SYS_setresuid, ctx->uid, ctx->uid, ctx->uid) < 0) {
                *ret_step = SPAWN_STEP_UID;
                return -errno;
        }
        if (ctx->working_directory && chdir(ctx->working_directory) < 0) {
                *ret_step = SPAWN_STEP_CHDIR;
                return -errno;
        }
        return 0;
}

/* The child's whole life.  Returns only on failure, with the step. */
static int child_run(ChildPlan *c, SpawnStep *ret_step) {
        int limit = 3 + (int) c->n_fds;
        sigset_t empty;
        int r;

        child_reset_signal_dispositions(c->reset_signals);

        *ret_step = SPAWN_STEP_SIGNALS;
        if (c->parent_death_signal > 0) {
                if (prctl(PR_SET_PDEATHSIG, (unsigned long) c->parent_death_signal) < 0)
                        return -errno;
                /* The parent may have exited before the prctl(): then we
                 * were reparented and would never get the signal. */
                if (getppid() != c->parent_pid)
                        return -ESRCH;
        }

        *ret_step = SPAWN_STEP_FDS;
        if (c->keep_fd >= 0 && c->keep_fd < limit) {
                c->keep_fd = fcntl(c->keep_fd, F_DUPFD_CLOEXEC, limit);
                if (c->keep_fd < 0)
                        return -errno;
        }
        r = child_place_fds(c);
        if (r < 0)
                return r;

        *ret_step = SPAWN_STEP_STDIO;
        r = child_place_stdio(c);
        if (r < 0)
                return r;

        *ret_step = SPAWN_STEP_CLOSE_FDS;
        if (c->close_other_fds) {
                r = child_close_other_fds(limit, c->keep_fd);
                if (r < 0)
                        return r;
        }

        *ret_step = SPAWN_STEP_SETSID;
        if (c->new_session && setsid() < 0)
                return -errno;

        if (c->context) {
                r = child_apply_context(c->context, ret_step);
                if (r < 0)
                        return r;
        }

        if (c->listen_pid_value)
                format_decimal(c->listen_pid_value, (unsigned) getpid());

        *ret_step = SPAWN_STEP_SIGNALS;
        sigemptyset(&empty);
        if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0)
                return -errno;

        *ret_step = SPAWN_STEP_EXEC;
        execve(c->path, c->argv, c->envp);
        return -errno;
}

/* ---- parent side ------------------------------------------------------ */

static bool stdio_value_valid(int fd, bool template) {
        return fd >= 0 || fd == SPAWN_FD_INHERIT || fd == SPAWN_FD_NULL ||
                (template && fd == SPAWN_FD_CONNECTION);
}

static int params_check(const SpawnParams *p, bool template) {
        if (!p || !p->argv || !p->argv[0])
                return -EINVAL;
        if (p->n_fds > 0 && !p->fds)
                return -EINVAL;
        if (p->n_fds > INT_MAX - 3)
                return -EINVAL;
        for (size_t i = 0; i < p->n_fds; i++)
                if (p->fds[i] < 0 && !(template && p->fds[i] == SPAWN_FD_CONNECTION))
                        return -EBADF;
        if (!stdio_value_valid(p->stdin_fd, template) ||
            !stdio_value_valid(p->stdout_fd, template) ||
            !stdio_value_valid(p->stderr_fd, template))
                return -EBADF;
        if (p->listen_env && !p->envp)
                return -EINVAL;
        if (p->remote_env && !template)
                return -EINVAL;
        if (p->parent_death_signal < 0 || p->parent_death_signal >= _NSIG)
                return -EINVAL;
        return 0;
}

/* Fill *c from p; the caller provides scratch space for n_fds ints. */
static int plan_init(ChildPlan *c, const SpawnParams *p, int *scratch) {
        *c = (ChildPlan) {
                .path = p->path ?: p->argv[0],
                .argv = p->argv,
                .envp = p->envp ?: environ,
                .fds = p->fds,
                .scratch = scratch,
                .n_fds = p->n_fds,
                .stdio = { p->stdin_fd, p->stdout_fd, p->stderr_fd },
                .new_session = p->new_session,
                .close_other_fds = p->close_other_fds,
                .context = p->context,
                .keep_fd = -1,
                .parent_death_signal = p->parent_death_signal,
                .parent_pid = getpid(),
        };
        if (p->listen_env) {
                c->listen_pid_value = env_find_listen_pid_slot(c->envp);
                if (!c->listen_pid_value)
                        return -EINVAL;
        }
        return 0;
}

static void block_all_signals(sigset_t *ret_old) {
        sigset_t all;

        sigfillset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, ret_old);
}

/* What the child of spawn() writes to its error pipe. */
typedef struct ChildReport {
        int32_t step;
        int32_t error; /* positive errno */
} ChildReport;

/* fork() and run plan in the child; a failed step comes back through a
 * CLOEXEC pipe.  Shared by spawn() and by templates where clone(CLONE_VM)
 * does not really share memory. */
static int spawn_plan_fork(ChildPlan *plan, pid_t *ret_pid, SpawnStep *ret_step) {
        _cleanup_close_ int pipe_read = -EBADF;
        ChildReport report;
        int pipefd[2], r;
        sigset_t old;
        ssize_t n;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pipe_read = pipefd[0];

        block_all_signals(&old);
        pid = fork();
        if (pid == 0) {
                SpawnStep step;

                plan->keep_fd = pipefd[1];
                r = child_run(plan, &step);
                report = (ChildReport) { .step = step, .error = -r };
                (void) !write(plan->keep_fd, &report, sizeof report);
                _exit(127);
        }
        r = pid < 0 ? -errno : 0;
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        safe_close(pipefd[1]);
        if (r < 0)
                return r;

        /* EOF: the pipe closed at a successful execve().  A report: the
         * child failed and exits with 127. */
        do
                n = read(pipe_read, &report, sizeof report);
        while (n < 0 && errno == EINTR);
        if (n == 0) {
                *ret_pid = pid;
                return 0;
        }
        r = n < 0 ? -errno : n == (ssize_t) sizeof report && report.error > 0 ? -report.error : -EIO;
        if (n < 0)
                (void) kill(pid, SIGKILL);
        (void) spawn_wait(pid, NULL);
        if (ret_step && n == (ssize_t) sizeof report)
                *ret_step = report.step;
        return r;
}

/* spawn()'s clone(CLONE_VM | CLONE_VFORK) child: as a template's, it runs
 * only child_run() on a stack of its own and reports a failed step in our
 * memory (we are suspended until it exec'd or exited). */
typedef struct VforkChild {
        ChildPlan *plan;
        volatile int error; /* positive errno */
        volatile int step;
        volatile int probe;
} VforkChild;

static int vfork_child(void *userdata) {
        VforkChild *v = userdata;
        SpawnStep step;
        int r = child_run(v->plan, &step);

        v->step = step;
        v->error = -r;
        return 127;
}

static int vfork_probe_child(void *userdata) {
        ((VforkChild *) userdata)->probe = 1;
        return 0;
}

/* Whether clone(CLONE_VM) shares our memory here (not under valgrind,
 * which runs it as a fork()): learnt once per process, with one child, for
 * spawn() and for every template. */
static bool clone_shares_vm(void *stack_top) {
        static int known; /* 0 unknown, 1 yes, -1 no */
        VforkChild v = {};
        sigset_t old;
        pid_t pid;

        if (known != 0)
                return known > 0;
        block_all_signals(&old);
        pid = clone(vfork_probe_child, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, &v);
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        if (pid < 0)
                return false; /* not learnt: fork() this time */
        /* -ECHILD: SIGCHLD is ignored and the kernel reaped it already. */
        int r = spawn_wait(pid, NULL);
        if (r < 0 && r != -ECHILD)
                return false;
        known = v.probe == 1 ? 1 : -1;
        return known > 0;
}

/* Run plan in a clone(CLONE_VM | CLONE_VFORK) child: no page tables are
 * copied and nothing is copied on write afterwards, so a service starts
 * sooner than after fork() (which spawn() waited for anyway, on its error
 * pipe, until the exec).  Falls back to spawn_plan_fork() where the clone
 * does not share memory. */
static int spawn_plan_vfork(ChildPlan *plan, pid_t *ret_pid, SpawnStep *ret_step) {
        long page = sysconf(_SC_PAGESIZE);
        size_t size = TEMPLATE_STACK_SIZE + (size_t) page;
        VforkChild v = { .plan = plan };
        sigset_t old;
        void *stack;
        pid_t pid;
        int r;

        stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED)
                return -errno;
        /* A guard page: an overflow faults instead of writing into the heap. */
        if (mprotect(stack, (size_t) page, PROT_NONE) < 0 || !clone_shares_vm((char *) stack + size)) {
                (void) munmap(stack, size);
                return spawn_plan_fork(plan, ret_pid, ret_step);
        }

        plan->keep_fd = -1;
        block_all_signals(&old);
        pid = clone(vfork_child, (char *) stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, &v);
        r = pid < 0 ? -errno : 0;
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        (void) munmap(stack, size); /* the child exec'd or exited: its stack is free */
        /* The child wrote its pid into the caller's LISTEN_PID= slot (fork()
         * wrote into a copy); execve() has copied the environment by now,
         * so put the placeholder back for the caller. */
        if (plan->listen_pid_value)
                strcpy(plan->listen_pid_value, LISTEN_PID_PLACEHOLDER);
        if (r < 0)
                return r;
        if (v.error > 0) {
                if (ret_step)
                        *ret_step = (SpawnStep) v.step;
                (void) spawn_wait(pid, NULL);
                return -v.error;
        }
        *ret_pid = pid;
        return 0;
}

int spawn(const SpawnParams *p, pid_t *ret_pid, SpawnStep *ret_step) {
        _cleanup_free_ int *scratch = NULL;
        ChildPlan plan;
        int r;

        if (ret_step)
                *ret_step = SPAWN_STEP_NONE;
        r = params_check(p, false);
        if (r < 0)
                return r;
        scratch = new(int, p->n_fds);
        if (!scratch)
                return -ENOMEM;
        r = plan_init(&plan, p, scratch);
        if (r < 0)
                return r;
        return spawn_plan_vfork(&plan, ret_pid, ret_step);
}

int spawn_exec(const SpawnParams *p, SpawnStep *ret_step) {
        _cleanup_free_ int *scratch = NULL;
        SpawnStep step = SPAWN_STEP_NONE;
        ChildPlan plan;
        sigset_t old;
        int r;

        r = params_check(p, false);
        if (r >= 0) {
                scratch = new(int, p->n_fds);
                r = scratch ? plan_init(&plan, p, scratch) : -ENOMEM;
                plan.parent_death_signal = 0; /* no child: nothing to tie */
        }
        if (r >= 0) {
                block_all_signals(&old);
                r = child_run(&plan, &step);
                (void) sigprocmask(SIG_SETMASK, &old, NULL);
        }
        if (ret_step)
                *ret_step = step;
        return r;
}

/* ---- templates -------------------------------------------------------- */

struct SpawnTemplate {
        char *path;
        char **argv;
        char **envp;          /* copies of the caller's entries, then the REMOTE_* slots */
        size_t remote_index;  /* index of the first REMOTE_* slot in envp */
        char *remote_addr;    /* "REMOTE_ADDR=" + REMOTE_ADDR_MAX + NUL */
        char *remote_port;    /* "REMOTE_PORT=" + REMOTE_PORT_MAX + NUL */
        bool remote_env;

        int *fds;             /* the template list, may hold SPAWN_FD_CONNECTION */
        int *sources;         /* per call: fds with the connection substituted */
        int *scratch;
        size_t n_fds;
        int stdio[3];

        SpawnContext context; /* with its arrays and strings copied */
        bool has_context;
        sigset_t reset_signals; /* not SIG_DFL when the template was made */

        ChildPlan plan;
        void *stack;          /* mmap()ed, with a guard page at the bottom */
        size_t stack_size;

        /* Written by the CLONE_VM child when it fails, read by the parent
         * once clone() returns (the child has then exited). */
        volatile int child_error;
        volatile int child_step;

        /* Whether clone(CLONE_VM) really shares memory here.  It does on
         * Linux; emulators such as valgrind run it as a fork(), and then
         * the child's report would be lost: such templates use the fork()
         * and pipe path of spawn() instead. */
        bool shared_vm;
};

SpawnTemplate *spawn_template_free(SpawnTemplate *t) {
        if (!t)
                return NULL;
        free(t->path);
        strv_free(t->argv);
        /* The REMOTE_* slots point at remote_addr/remote_port after a spawn:
         * cut envp there so that they are freed once, below. */
        if (t->remote_env && t->envp)
                t->envp[t->remote_index] = NULL;
        strv_free(t->envp);
        free(t->remote_addr);
        free(t->remote_port);
        free(t->fds);
        free(t->sources);
        free(t->scratch);
        free((void *) t->context.rlimits);
        free((void *) t->context.groups);
        free((void *) t->context.working_directory);
        if (t->stack)
                (void) munmap(t->stack, t->stack_size);
        free(t);
        return NULL;
}

static int template_copy_context(SpawnTemplate *t, const SpawnContext *ctx) {
        t->context = *ctx;
        t->context.rlimits = NULL;
        t->context.groups = NULL;
        t->context.working_directory = NULL;
        t->has_context = true;

        if (ctx->n_rlimits > 0) {
                t->context.rlimits = memdup(ctx->rlimits, sizeof(SpawnRlimit) * ctx->n_rlimits);
                if (!t->context.rlimits)
                        return -ENOMEM;
        }
        if (ctx->n_groups > 0) {
                t->context.groups = memdup(ctx->groups, sizeof(gid_t) * ctx->n_groups);
                if (!t->context.groups)
                        return -ENOMEM;
        }
        if (ctx->working_directory) {
                t->context.working_directory = strdup(ctx->working_directory);
                if (!t->context.working_directory)
                        return -ENOMEM;
        }
        return 0;
}

/* envp copy with two extra slots (REMOTE_ADDR, REMOTE_PORT) before the
 * terminating NULL; the slots are pointed at or cut off per call. */
static int template_copy_env(SpawnTemplate *t, const SpawnParams *p) {
        char * const *src = p->envp ?: environ;
        size_t n = strv_length(src);

        t->envp = new0(char *, n + 3);
        if (!t->envp)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                t->envp[i] = strdup(src[i]);
                if (!t->envp[i])
                        return -ENOMEM;
        }
        t->remote_index = n;
        if (!p->remote_env)
                return 0;

        /* Drop inherited REMOTE_* values: the slots replace them. */
        strv_remove_prefixed(t->envp, REMOTE_ADDR_PREFIX);
        strv_remove_prefixed(t->envp, REMOTE_PORT_PREFIX);
        t->remote_index = strv_length(t->envp);
        t->remote_addr = malloc(strlen(REMOTE_ADDR_PREFIX) + REMOTE_ADDR_MAX + 1);
        t->remote_port = malloc(strlen(REMOTE_PORT_PREFIX) + REMOTE_PORT_MAX + 1);
        if (!t->remote_addr || !t->remote_port)
                return -ENOMEM;
        strcpy(t->remote_addr, REMOTE_ADDR_PREFIX);
        strcpy(t->remote_port, REMOTE_PORT_PREFIX);
        t->remote_env = true;
        return 0;
}

/* The signals whose disposition is not SIG_DFL now: the only ones a child
 * has to reset (execve() resets handlers by itself, but keeps SIG_IGN, and a
 * handler must not run between the child's unblocking and its execve()). */
static void template_sample_signals(sigset_t *ret) {
        sigemptyset(ret);
        for (int sig = 1; sig < _NSIG; sig++) {
                struct sigaction old;
                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                /* glibc's internal signals are refused here: reset them
                 * anyway, as before (the child's attempt fails harmlessly). */
                if (sigaction(sig, NULL, &old) < 0 || old.sa_handler != SIG_DFL)
                        (void) sigaddset(ret, sig);
        }
}

int spawn_template_new(const SpawnParams *p, SpawnTemplate **ret) {
        _cleanup_spawn_template_ SpawnTemplate *t = NULL;
        long page = sysconf(_SC_PAGESIZE);
        int r;

        r = params_check(p, true);
        if (r < 0)
                return r;

        t = new0(SpawnTemplate, 1);
        if (!t)
                return -ENOMEM;
        t->path = strdup(p->path ?: p->argv[0]);
        t->argv = strv_copy(p->argv);
        t->fds = new(int, p->n_fds);
        t->sources = new(int, p->n_fds);
        t->scratch = new(int, p->n_fds);
        if (!t->path || !t->argv || !t->fds || !t->sources || !t->scratch)
                return -ENOMEM;
        if (p->n_fds > 0)
                memcpy(t->fds, p->fds, sizeof(int) * p->n_fds);
        t->n_fds = p->n_fds;
        t->stdio[0] = p->stdin_fd;
        t->stdio[1] = p->stdout_fd;
        t->stdio[2] = p->stderr_fd;

        r = template_copy_env(t, p);
        if (r < 0)
                return r;
        if (p->context) {
                r = template_copy_context(t, p->context);
                if (r < 0)
                        return r;
        }

        SpawnParams copy = *p;
        copy.path = t->path;
        copy.argv = t->argv;
        copy.envp = t->envp;
        copy.fds = t->sources;
        copy.context = t->has_context ? &t->context : NULL;
        r = plan_init(&t->plan, &copy, t->scratch);
        if (r < 0)
                return r;
        template_sample_signals(&t->reset_signals);
        t->plan.reset_signals = &t->reset_signals;

        t->stack_size = TEMPLATE_STACK_SIZE + (size_t) page;
        t->stack = mmap(NULL, t->stack_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (t->stack == MAP_FAILED) {
                t->stack = NULL;
                return -errno;
        }
        /* A guard page: an overflow faults instead of writing into the heap. */
        if (mprotect(t->stack, (size_t) page, PROT_NONE) < 0)
                return -errno;

        t->shared_vm = clone_shares_vm((char *) t->stack + t->stack_size);

        *ret = TAKE_PTR(t);
        return 0;
}

/* Append the systemd C escape of byte c to *p (at most 4 bytes). */
static void escape_byte(char **p, unsigned char c) {
        static const char hex[] = "0123456789abcdef";
        static const char special[] = "\a\b\f\n\r\t\v\\\"\'";
        static const char letter[] = "abfnrtv\\\"\'";
        const char *s = c ? strchr(special, c) : NULL;

        if (s) {
                *(*p)++ = '\\';
                *(*p)++ = letter[s - special];
        } else if (c < ' ' || c >= 127) {
                *(*p)++ = '\\';
                *(*p)++ = 'x';
                *(*p)++ = hex[c >> 4];
                *(*p)++ = hex[c & 15];
        } else
                *(*p)++ = (char) c;
}

/* Format REMOTE_ADDR/REMOTE_PORT values as systemd does for Accept=yes
 * (sockaddr_pretty() with IPv4-mapped IPv6 shown as IPv4, no port, no
 * scope).  Returns whether addr (and port) were set; writes nothing to the
 * heap. */
static void format_remote(const struct sockaddr *sa, socklen_t len,
                          char *addr, bool *ret_addr, unsigned *ret_port, bool *ret_has_port) {
        const union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
                struct sockaddr_un un;
                struct sockaddr_vm vm;
        } *u = (const void *) sa;

        *ret_addr = *ret_has_port = false;
        if (!sa || len < sizeof(sa_family_t))
                return;

        switch (sa->sa_family) {
        case AF_INET:
        case AF_INET6:
                if (sockaddr_ip_string(sa, len, addr, REMOTE_ADDR_MAX, ret_port) < 0)
                        return;
                *ret_addr = *ret_has_port = true;
                return;
        case AF_VSOCK:
                if (len < sizeof(struct sockaddr_vm))
                        return;
                strcpy(addr, "vsock:");
                format_decimal(addr + 6, u->vm.svm_cid);
                *ret_port = u->vm.svm_port;
                *ret_addr = *ret_has_port = true;
                return;
        case AF_UNIX: {
                size_t off = offsetof(struct sockaddr_un, sun_path), n;
                const unsigned char *path = (const unsigned char *) sa + off;
                char *p = addr;

                /* Unnamed peers (the usual client) get no REMOTE_ADDR. */
                if (len <= off || (path[0] == 0 && len == off + 1))
                        return;
                n = MIN((size_t) len - off, sizeof(u->un.sun_path));
                if (path[0] == 0) {
                        *p++ = '@';
                        path++;
                        n--;
                } else if (path[n - 1] == 0)
                        n = strnlen((const char *) path, n);
                for (size_t i = 0; i < n; i++)
                        escape_byte(&p, path[i]);
                *p = '\0';
                *ret_addr = true;
                return;
        }
        default:
                return;
        }
}

static void template_fill_remote(SpawnTemplate *t, const struct sockaddr *peer, socklen_t len) {
        size_t i = t->remote_index;
        bool has_addr, has_port;
        unsigned port = 0;

        format_remote(peer, len, t->remote_addr + strlen(REMOTE_ADDR_PREFIX),
                      &has_addr, &port, &has_port);
        if (has_addr)
                t->envp[i++] = t->remote_addr;
        if (has_addr && has_port) {
                format_decimal(t->remote_port + strlen(REMOTE_PORT_PREFIX), port);
                t->envp[i++] = t->remote_port;
        }
        t->envp[i] = NULL;
}

static int template_child(void *userdata) {
        SpawnTemplate *t = userdata;
        SpawnStep step;
        int r;

        r = child_run(&t->plan, &step);
        t->child_step = step;
        t->child_error = -r;
        /* Returning ends this single-threaded child with status 127 (the
         * clone() wrapper calls exit). */
        return 127;
}

int spawn_template_spawn(SpawnTemplate *t, int connection_fd,
                         const struct sockaddr *peer, socklen_t peer_len,
                         pid_t *ret_pid, SpawnStep *ret_step) {
        return spawn_template_spawn_pidfd(t, connection_fd, peer, peer_len, ret_pid, NULL, ret_step);
}

int spawn_template_spawn_pidfd(SpawnTemplate *t, int connection_fd,
                               const struct sockaddr *peer, socklen_t peer_len,
                               pid_t *ret_pid, int *ret_pidfd, SpawnStep *ret_step) {
        int pidfd = -1; /* clone() writes it here with CLONE_PIDFD */
        sigset_t old;
        pid_t pid;
        int r;

        if (ret_step)
                *ret_step = SPAWN_STEP_NONE;

        /* Rebuild the per-call parts of the plan, in preallocated space. */
        for (size_t i = 0; i < t->n_fds; i++) {
                t->sources[i] = t->fds[i] == SPAWN_FD_CONNECTION ? connection_fd : t->fds[i];
                if (t->sources[i] < 0)
                        return -EBADF;
        }
        for (int k = 0; k < 3; k++) {
                t->plan.stdio[k] = t->stdio[k] == SPAWN_FD_CONNECTION ? connection_fd : t->stdio[k];
                if (t->stdio[k] == SPAWN_FD_CONNECTION && connection_fd < 0)
                        return -EBADF;
        }
        t->plan.keep_fd = -1;
        if (t->remote_env)
                template_fill_remote(t, peer, peer_len);
        if (!t->shared_vm) {
                r = spawn_plan_fork(&t->plan, ret_pid, ret_step);
                if (r >= 0 && ret_pidfd)
                        *ret_pidfd = -EBADF;
                return r;
        }
        t->child_error = 0;
        t->child_step = SPAWN_STEP_NONE;

        /* CLONE_PIDFD (Linux 5.2) hands back a CLOEXEC pidfd with the
         * clone() itself, saving the caller a pidfd_open().  Older kernels
         * ignore the flag and leave pidfd at -1. */
        block_all_signals(&old);
        pid = clone(template_child, (char *) t->stack + t->stack_size,
                    CLONE_VM | CLONE_VFORK | SIGCHLD | (ret_pidfd ? CLONE_PIDFD : 0), t, &pidfd);
        r = pid < 0 ? -errno : 0;
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0)
                return r;

        /* CLONE_VFORK: we run again only after the child exec'd or exited. */
        if (t->child_error > 0) {
                r = -t->child_error;
                if (ret_step)
                        *ret_step = (SpawnStep) t->child_step;
                (void) spawn_wait(pid, NULL);
                if (pidfd >= 0)
                        (void) close(pidfd);
                return r;
        }
        *ret_pid = pid;
        if (ret_pidfd)
                *ret_pidfd = pidfd >= 0 ? pidfd : -EBADF;
        return 0;
}

/* ---- reaping ---------------------------------------------------------- */

int spawn_wait(pid_t pid, siginfo_t *ret) {
        siginfo_t si = {};

        if (pid <= 0)
                return -EINVAL;
        while (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return -errno;
        if (ret)
                *ret = si;
        return 0;
}

int spawn_reap_one(siginfo_t *ret) {
        siginfo_t si = {};

        for (;;) {
                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) >= 0)
                        break;
                if (errno == ECHILD)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
        if (si.si_pid == 0)
                return 0;
        if (ret)
                *ret = si;
        return 1;
}

int spawn_exit_status(const siginfo_t *si) {
        if (si->si_code == CLD_EXITED)
                return si->si_status;
        return 128 + si->si_status;
}
