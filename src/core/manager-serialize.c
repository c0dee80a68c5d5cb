/* SPDX-License-Identifier: MIT */
/* daemon-reexec: the state that crosses porterd's execve() of itself.
 *
 * Grammar of the serialization (see manager-serialize.h):
 *
 *     file    := header record*
 *     header  := "porterd-serialization 1" NL
 *     record  := "control" SP FD NL
 *              | "socket" SP ID SP STATE (SP FD)* NL
 *              | "nofile" SP LIMIT SP LIMIT NL
 *              | "service" SP ID SP STATE SP RESULT SP PID SP COUNT NL
 *              | "fdstore" SP ID SP FD SP NAME NL
 *              | "output" SP ID SP FD SP PID SP TEXT NL
 *              | WORD (SP ANY)* NL          (unknown: skipped)
 *
 * FD is a decimal fd number or -1; an fdstore record belongs to the
 * service record with the same ID before it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "log.h"
#include "manager-serialize.h"
#include "service-unit.h"
#include "socket-unit.h"
#include "string-util.h"
#include "strv.h"
#include "unit-log.h"
#include "unit-output.h"

#define SERIALIZATION_HEADER "porterd-serialization 1"
#define SERIALIZATION_LINE_MAX 4096

static void serialized_socket_done(SerializedSocket *s, bool close_fds) {
        if (close_fds)
                for (size_t i = 0; i < s->n_fds; i++)
                        safe_close(s->fds[i]);
        free(s->id);
        free(s->state);
        free(s->fds);
}

static void serialized_service_done(SerializedService *s, bool close_fds) {
        if (close_fds)
                for (size_t i = 0; i < s->n_fd_store; i++)
                        safe_close(s->fd_store[i]);
        free(s->id);
        free(s->state);
        free(s->result);
        free(s->fd_store);
        strv_free(s->fd_store_names);
}

void serialization_done(Serialization *s) {
        for (size_t i = 0; i < s->n_sockets; i++)
                serialized_socket_done(&s->sockets[i], s->owns_fds);
        for (size_t i = 0; i < s->n_services; i++)
                serialized_service_done(&s->services[i], s->owns_fds);
        for (size_t i = 0; i < s->n_outputs; i++) {
                if (s->owns_fds)
                        safe_close(s->outputs[i].fd);
                free(s->outputs[i].id);
                free(s->outputs[i].identifier);
        }
        free(s->sockets);
        free(s->services);
        free(s->outputs);
        if (s->owns_fds)
                safe_close(s->control_fd);
        *s = SERIALIZATION_NULL;
}

/* ---- writing ---- */

int serialization_write(const Serialization *s, FILE *f) {
        fputs(SERIALIZATION_HEADER "\n", f);
        if (s->control_fd >= 0)
                fprintf(f, "control %d\n", s->control_fd);
        if (s->service_nofile.rlim_max > 0)
                fprintf(f, "nofile %lld %lld\n",
                        s->service_nofile.rlim_cur == RLIM_INFINITY ? -1LL : (long long) s->service_nofile.rlim_cur,
                        s->service_nofile.rlim_max == RLIM_INFINITY ? -1LL : (long long) s->service_nofile.rlim_max);
        for (size_t i = 0; i < s->n_sockets; i++) {
                const SerializedSocket *k = &s->sockets[i];
                fprintf(f, "socket %s %s", k->id, k->state);
                for (size_t j = 0; j < k->n_fds; j++)
                        fprintf(f, " %d", k->fds[j] < 0 ? -1 : k->fds[j]);
                fputc('\n', f);
        }
        for (size_t i = 0; i < s->n_services; i++) {
                const SerializedService *v = &s->services[i];
                fprintf(f, "service %s %s %s %d %u\n", v->id, v->state, v->result, (int) v->main_pid,
                        v->n_restarts);
                for (size_t j = 0; j < v->n_fd_store; j++)
                        fprintf(f, "fdstore %s %d %s\n", v->id, v->fd_store[j], v->fd_store_names[j]);
        }
        for (size_t i = 0; i < s->n_outputs; i++) {
                const SerializedOutput *o = &s->outputs[i];
                fprintf(f, "output %s %d %d %s\n", o->id, o->fd, (int) o->pid, o->identifier);
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* ---- reading ---- */

static int parse_int(const char *s, int min, int *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end || v < min || v > INT32_MAX)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

static int parse_fd(const char *s, int *ret) {
        int r = parse_int(s, -1, ret);
        if (r >= 0 && *ret < 0)
                *ret = -EBADF;
        return r;
}

static int read_socket(Serialization *s, char **w, size_t n) {
        if (n < 3)
                return -EBADMSG;
        SerializedSocket *a = reallocarray(s->sockets, s->n_sockets + 1, sizeof(SerializedSocket));
        if (!a)
                return -ENOMEM;
        s->sockets = a;
        SerializedSocket *k = &a[s->n_sockets];
        *k = (SerializedSocket) {
                .id = strdup(w[1]),
                .state = strdup(w[2]),
                .fds = new(int, n - 3 + 1),
        };
        s->n_sockets++;
        if (!k->id || !k->state || !k->fds)
                return -ENOMEM;
        for (size_t i = 3; i < n; i++) {
                int r = parse_fd(w[i], &k->fds[k->n_fds]);
                if (r < 0)
                        return r;
                k->n_fds++;
        }
        return 0;
}

static int read_service(Serialization *s, char **w, size_t n) {
        int pid, restarts, r;

        if (n != 6)
                return -EBADMSG;
        r = parse_int(w[4], 0, &pid);
        if (r >= 0)
                r = parse_int(w[5], 0, &restarts);
        if (r < 0)
                return r;
        SerializedService *a = reallocarray(s->services, s->n_services + 1, sizeof(SerializedService));
        if (!a)
                return -ENOMEM;
        s->services = a;
        SerializedService *v = &a[s->n_services];
        *v = (SerializedService) {
                .id = strdup(w[1]),
                .state = strdup(w[2]),
                .result = strdup(w[3]),
                .main_pid = pid,
                .n_restarts = restarts,
        };
        s->n_services++;
        return v->id && v->state && v->result ? 0 : -ENOMEM;
}

static int parse_limit(const char *w, rlim_t *ret) {
        if (streq(w, "-1")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(w, &end, 10);
        if (errno != 0 || end == w || *end || *w == '-')
                return -EBADMSG;
        *ret = (rlim_t) v;
        return 0;
}

static int read_nofile(Serialization *s, char **w, size_t n) {
        struct rlimit rl;
        if (n != 3 || parse_limit(w[1], &rl.rlim_cur) < 0 || parse_limit(w[2], &rl.rlim_max) < 0 ||
            rl.rlim_max == 0 || rl.rlim_cur > rl.rlim_max)
                return -EBADMSG;
        s->service_nofile = rl;
        return 0;
}

static int read_fdstore(Serialization *s, char **w, size_t n) {
        int fd, r;

        if (n != 4 || s->n_services == 0 || !streq(s->services[s->n_services - 1].id, w[1]))
                return -EBADMSG;
        r = parse_fd(w[2], &fd);
        if (r < 0 || fd < 0)
                return -EBADMSG;
        SerializedService *v = &s->services[s->n_services - 1];
        int *a = reallocarray(v->fd_store, v->n_fd_store + 1, sizeof(int));
        if (!a) {
                safe_close(fd);
                return -ENOMEM;
        }
        v->fd_store = a;
        if (strv_extend(&v->fd_store_names, w[3]) < 0) {
                safe_close(fd);
                return -ENOMEM;
        }
        v->fd_store[v->n_fd_store++] = fd;
        return 0;
}

static int add_output(Serialization *s, const char *id, int fd, pid_t pid, const char *identifier) {
        SerializedOutput *a = reallocarray(s->outputs, s->n_outputs + 1, sizeof(SerializedOutput));
        if (!a)
                return -ENOMEM;
        s->outputs = a;
        a[s->n_outputs] = (SerializedOutput) {
                .id = strdup(id),
                .fd = fd,
                .pid = pid,
                .identifier = strdup(identifier),
        };
        s->n_outputs++;
        return a[s->n_outputs - 1].id && a[s->n_outputs - 1].identifier ? 0 : -ENOMEM;
}

static int read_output(Serialization *s, char **w, size_t n) {
        int fd, pid, r;

        if (n != 5)
                return -EBADMSG;
        r = parse_fd(w[2], &fd);
        if (r >= 0)
                r = parse_int(w[3], 1, &pid);
        if (r < 0 || fd < 0)
                return -EBADMSG;
        return add_output(s, w[1], fd, pid, w[4]);
}

/* Split line at single spaces into at most max words (in place). */
static size_t split_words(char *line, char **w, size_t max) {
        size_t n = 0;
        for (char *p = line; p && n < max;) {
                w[n++] = p;
                p = n < max ? strchr(p, ' ') : NULL; /* the last word keeps the rest */
                if (p)
                        *p++ = '\0';
        }
        return n;
}

static int read_record(Serialization *s, char *line) {
        char *w[256];
        /* output: the identifier is the rest of the line */
        size_t n = split_words(line, w, startswith(line, "output ") ? 5 : ELEMENTSOF(w));

        if (streq(w[0], "control")) {
                if (n != 2 || s->control_fd >= 0)
                        return -EBADMSG;
                return parse_fd(w[1], &s->control_fd);
        }
        if (streq(w[0], "nofile"))
                return read_nofile(s, w, n);
        if (streq(w[0], "socket"))
                return read_socket(s, w, n);
        if (streq(w[0], "service"))
                return read_service(s, w, n);
        if (streq(w[0], "fdstore"))
                return read_fdstore(s, w, n);
        if (streq(w[0], "output"))
                return read_output(s, w, n);
        return 0; /* a newer porterd's record: skipped */
}

int serialization_read(FILE *f, Serialization *ret) {
        _cleanup_(serialization_done) Serialization s = SERIALIZATION_NULL;
        char line[SERIALIZATION_LINE_MAX];
        int r;

        s.owns_fds = true;
        if (!fgets(line, sizeof line, f) || !streq(line, SERIALIZATION_HEADER "\n"))
                return -EBADMSG;
        while (fgets(line, sizeof line, f)) {
                size_t l = strlen(line);
                if (l == 0 || line[l - 1] != '\n')
                        return -EBADMSG;
                line[l - 1] = '\0';
                r = read_record(&s, line);
                if (r < 0)
                        return r;
        }
        if (ferror(f))
                return -EIO;
        *ret = s;
        s = SERIALIZATION_NULL;
        return 0;
}

/* ---- the manager's side: before exec ---- */

static bool word_ok(const char *s) {
        return s && *s && !strpbrk(s, " \n");
}

static int serialize_socket(Serialization *s, SocketUnit *k) {
        if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(&k->meta)))
                return 0;
        if (k->state != SOCKET_LISTENING && k->state != SOCKET_RUNNING)
                log_unit_warning(&k->meta, "In state '%s' at re-execution; its ports are kept, it starts anew.",
                                 socket_state_to_string(k->state));
        SerializedSocket *a = reallocarray(s->sockets, s->n_sockets + 1, sizeof(SerializedSocket));
        if (!a)
                return -ENOMEM;
        s->sockets = a;
        SerializedSocket *e = &a[s->n_sockets];
        *e = (SerializedSocket) {
                .id = strdup(k->meta.id),
                .state = strdup(socket_state_to_string(k->state)),
                .fds = new(int, k->config->n_ports + 1),
        };
        s->n_sockets++;
        if (!e->id || !e->state || !e->fds)
                return -ENOMEM;
        for (size_t i = 0; i < k->config->n_ports; i++)
                e->fds[e->n_fds++] = k->config->ports[i].fd;
        return 0;
}

static int serialize_service(Serialization *s, ServiceUnit *v) {
        if (v->instance) {
                if (v->main_process.pid > 0)
                        log_unit_warning(&v->meta, "Accept=yes instance is not carried over re-execution; "
                                         "process %d runs on unsupervised.", (int) v->main_process.pid);
                return 0;
        }
        if (v->n_fd_store == 0 && v->state == SERVICE_DEAD && v->n_restarts == 0 && v->result == SERVICE_SUCCESS)
                return 0;
        bool running = v->state == SERVICE_RUNNING || v->state == SERVICE_EXITED;
        ServiceState state = v->state;
        if (!running && state != SERVICE_DEAD && state != SERVICE_FAILED) {
                log_unit_warning(&v->meta, "In state '%s' at re-execution, which cannot be carried over; "
                                 "its processes run on unsupervised.", service_state_to_string(state));
                state = SERVICE_DEAD;
        }
        if (v->control_process.pid > 0)
                log_unit_warning(&v->meta, "Control process %d is not carried over re-execution.",
                                 (int) v->control_process.pid);
        SerializedService *a = reallocarray(s->services, s->n_services + 1, sizeof(SerializedService));
        if (!a)
                return -ENOMEM;
        s->services = a;
        SerializedService *e = &a[s->n_services];
        *e = (SerializedService) {
                .id = strdup(v->meta.id),
                .state = strdup(service_state_to_string(state)),
                .result = strdup(service_result_to_string(v->result)),
                .main_pid = running ? v->main_process.pid : 0,
                .n_restarts = v->n_restarts,
        };
        s->n_services++;
        if (!e->id || !e->state || !e->result)
                return -ENOMEM;
        for (size_t i = 0; i < v->n_fd_store; i++) {
                if (!word_ok(v->fd_store_names[i])) {
                        log_unit_warning(&v->meta, "Fd store entry '%s' cannot be serialized, dropping it.",
                                         v->fd_store_names[i]);
                        continue;
                }
                int *fds = reallocarray(e->fd_store, e->n_fd_store + 1, sizeof(int));
                if (!fds)
                        return -ENOMEM;
                e->fd_store = fds;
                if (strv_extend(&e->fd_store_names, v->fd_store_names[i]) < 0)
                        return -ENOMEM;
                e->fd_store[e->n_fd_store++] = v->fd_store[i];
        }
        return 0;
}

static int serialize_outputs(Serialization *s, Unit *u) {
        int fd, r;
        pid_t pid;
        const char *identifier;

        for (size_t i = 0; unit_output_get(u, i, &fd, &pid, &identifier) >= 0; i++) {
                if (!identifier || !*identifier || strchr(identifier, '\n')) {
                        log_unit_warning(u, "Output pipe of process %d cannot be serialized, it closes.", (int) pid);
                        continue;
                }
                r = add_output(s, u->id, fd, pid, identifier);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int manager_collect(Manager *m, Serialization *s) {
        int r = 0;

        s->control_fd = m->control_fd;
        s->service_nofile = m->service_nofile;
        if (m->n_jobs > 0)
                log_warning("%u pending jobs are not carried over re-execution.", m->n_jobs);
        for (Unit *u = m->units; r >= 0 && u; u = u->next) {
                if (u->in_gc || !word_ok(u->id))
                        continue;
                if (SOCKET(u))
                        r = serialize_socket(s, SOCKET(u));
                else if (SERVICE(u))
                        r = serialize_service(s, SERVICE(u));
                r = r < 0 ? r : serialize_outputs(s, u);
        }
        return r;
}

/* Clear (cloexec false) or set FD_CLOEXEC on every fd s names. */
static int serialization_set_cloexec(const Serialization *s, bool cloexec) {
        int r = 0;
        if (s->control_fd >= 0)
                r = fd_cloexec(s->control_fd, cloexec);
        for (size_t i = 0; r >= 0 && i < s->n_sockets; i++)
                for (size_t j = 0; r >= 0 && j < s->sockets[i].n_fds; j++)
                        if (s->sockets[i].fds[j] >= 0)
                                r = fd_cloexec(s->sockets[i].fds[j], cloexec);
        for (size_t i = 0; r >= 0 && i < s->n_services; i++)
                for (size_t j = 0; r >= 0 && j < s->services[i].n_fd_store; j++)
                        r = fd_cloexec(s->services[i].fd_store[j], cloexec);
        for (size_t i = 0; r >= 0 && i < s->n_outputs; i++)
                r = fd_cloexec(s->outputs[i].fd, cloexec);
        return r;
}

int manager_serialize(Manager *m) {
        _cleanup_(serialization_done) Serialization s = SERIALIZATION_NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = manager_collect(m, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to collect the state to serialize: %m");
        /* CLOEXEC for now: cleared below once everything else succeeded. */
        fd = memfd_create("porterd-serialization", MFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create memfd: %m");
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return log_error_errno(errno, "Failed to duplicate memfd: %m");
        f = fdopen(dfd, "w");
        if (!f) {
                safe_close(dfd);
                return log_oom();
        }
        r = serialization_write(&s, f);
        if (r < 0)
                return log_error_errno(r, "Failed to write the serialization: %m");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return log_error_errno(errno, "Failed to rewind memfd: %m");
        r = serialization_set_cloexec(&s, false);
        if (r >= 0)
                r = fd_cloexec(fd, false);
        if (r < 0) {
                (void) serialization_set_cloexec(&s, true);
                return log_error_errno(r, "Failed to pass fds on: %m");
        }
        log_info("Serialized %zu sockets, %zu services and %zu output pipes.", s.n_sockets, s.n_services,
                 s.n_outputs);
        return TAKE_FD(fd);
}

/* ---- after exec ---- */

static int manager_add_inherited(Manager *m, int fd) {
        int *a = reallocarray(m->inherited_fds, m->n_inherited_fds + 1, sizeof(int));
        if (!a)
                return -ENOMEM;
        m->inherited_fds = a;
        m->inherited_fds[m->n_inherited_fds++] = fd;
        return 0;
}

int manager_deserialize(Manager *m, int fd, Serialization *ret) {
        _cleanup_(serialization_done) Serialization s = SERIALIZATION_NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        r = fd_cloexec(fd, true);
        if (r < 0) {
                safe_close(fd);
                return log_error_errno(r, "Serialization fd %d is not open: %m", fd);
        }
        f = fdopen(fd, "r");
        if (!f) {
                safe_close(fd);
                return log_oom();
        }
        r = serialization_read(f, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to read the serialization: %m");
        r = serialization_set_cloexec(&s, true);
        if (r < 0)
                return log_error_errno(r, "Serialized fd is not open: %m");
        /* Listening fds: socket units adopt them by address, as they
         * adopt what an outer activator passed; manager_close_unused_
         * inherited_fds() logs and closes any no unit takes. */
        for (size_t i = 0; i < s.n_sockets; i++)
                for (size_t j = 0; j < s.sockets[i].n_fds; j++)
                        if (s.sockets[i].fds[j] >= 0) {
                                if (manager_add_inherited(m, s.sockets[i].fds[j]) < 0)
                                        return log_oom();
                                s.sockets[i].fds[j] = -EBADF;
                        }
        m->control_fd = s.control_fd;
        s.control_fd = -EBADF;
        if (s.service_nofile.rlim_max > 0)
                m->service_nofile = s.service_nofile;
        *ret = s;
        s = SERIALIZATION_NULL;
        return 0;
}

static int service_restore(Manager *m, SerializedService *e) {
        Unit *u = NULL;
        int r;

        r = manager_load_unit(m, e->id, &u);
        if (r < 0 || !SERVICE(u))
                return log_warning_errno(r < 0 ? r : -EINVAL, "Cannot restore service '%s' after re-execution: %m",
                                         e->id);
        ServiceUnit *v = SERVICE(u);
        v->n_restarts = e->n_restarts;
        for (size_t i = 0; i < e->n_fd_store; i++) {
                int *a = reallocarray(v->fd_store, v->n_fd_store + 1, sizeof(int));
                if (!a || strv_extend(&v->fd_store_names, e->fd_store_names[i]) < 0) {
                        if (a)
                                v->fd_store = a;
                        return log_oom();
                }
                v->fd_store = a;
                v->fd_store[v->n_fd_store++] = TAKE_FD(e->fd_store[i]);
        }
        ServiceState state = service_state_from_string(e->state);
        if (state == SERVICE_FAILED && v->state == SERVICE_DEAD) {
                /* Only the state and result: what porterctl status shows. */
                ServiceResult result = service_result_from_string(e->result);
                v->result = result < 0 ? SERVICE_FAILURE_RESOURCES : result;
                v->state = SERVICE_FAILED;
                unit_notify_state(u);
                return 0;
        }
        if (e->main_pid <= 0 || (state != SERVICE_RUNNING && state != SERVICE_EXITED))
                return 0;
        v->main_process = UNIT_PROCESS_NULL;
        v->main_process.pid = e->main_pid;
        r = m->ops->watch(m, u, &v->main_process);
        if (r < 0) {
                v->main_process = UNIT_PROCESS_NULL;
                return log_unit_error_errno(u, r, "Failed to re-attach main process %d: %m", (int) e->main_pid);
        }
        v->state = state;
        unit_notify_state(u);
        unit_notify_triggering(u);
        log_unit_info(u, "Re-attached main process %d.", (int) e->main_pid);
        return 1;
}

int manager_deserialize_apply(Manager *m, Serialization *s) {
        int n = 0;

        /* Sockets first, while their fds still wait in the inherited list. */
        for (size_t i = 0; i < s->n_sockets; i++) {
                Unit *u = NULL;
                if (manager_load_unit(m, s->sockets[i].id, &u) < 0 || !SOCKET(u)) {
                        log_warning("Socket '%s' does not load after re-execution; its fds are closed.",
                                    s->sockets[i].id);
                        continue;
                }
                if (UNIT_IS_INACTIVE_OR_FAILED(unit_active_state(u)))
                        (void) unit_start(u);
        }
        for (size_t i = 0; i < s->n_services; i++)
                if (service_restore(m, &s->services[i]) > 0)
                        n++;
        for (size_t i = 0; i < s->n_outputs; i++) {
                SerializedOutput *o = &s->outputs[i];
                Unit *u = manager_get_unit(m, o->id);
                int r = u ? unit_output_watch(u, TAKE_FD(o->fd), o->pid, o->identifier) : -ENOENT;
                if (r < 0)
                        log_warning_errno(r, "Cannot read the output of process %d of '%s' after re-execution: %m",
                                          (int) o->pid, o->id);
        }
        log_info("Deserialized: %d running services re-attached.", n);
        return n;
}

/* The command line porterd was started with, without --deserialize=. */
static int read_cmdline(char ***ret) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cmdline", "re");
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *arg = NULL;
        size_t size = 0;

        if (!f)
                return -errno;
        while (getdelim(&arg, &size, '\0', f) > 0)
                if (!startswith(arg, "--deserialize=") && strv_extend(&l, arg) < 0)
                        return -ENOMEM;
        if (strv_length(l) == 0)
                return -EINVAL;
        *ret = TAKE_PTR(l);
        return 0;
}

int manager_reexecute(Manager *m) {
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *opt = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = read_cmdline(&args);
        if (r < 0)
                return log_error_errno(r, "Failed to read porterd's command line: %m");
        fd = manager_serialize(m);
        if (fd < 0)
                return fd;
        if (asprintf(&opt, "--deserialize=%d", fd) < 0 || strv_extend(&args, opt) < 0)
                r = log_oom();
        else {
                log_info("Re-executing porterd.");
                execv("/proc/self/exe", args);
                r = log_error_errno(errno, "Failed to re-execute porterd: %m");
        }
        /* Still the same process: every fd passed on is private again. */
        _cleanup_(serialization_done) Serialization s = SERIALIZATION_NULL;
        if (manager_collect(m, &s) < 0 || serialization_set_cloexec(&s, true) < 0)
                log_warning("Some fds may remain inheritable by services.");
        return r;
}
