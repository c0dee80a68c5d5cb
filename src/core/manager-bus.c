/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "job.h"
#include "manager-bus.h"
#include "manager-serialize.h"
#include "manager.h"
#include "service-unit.h"
#include "socket-unit.h"
#include "socket-util.h"
#include "string-util.h"
#include "strv.h"
#include "unit-install.h"

#define UNIT_PATH_PREFIX "/org/freedesktop/systemd1/unit"
#define JOB_PATH_PREFIX "/org/freedesktop/systemd1/job"

struct ControlClient {
        Manager *manager;
        sd_bus *bus;
        uid_t uid;
        bool closed;
        bool subscribed;                /* Subscribe(): gets JobNew/JobRemoved */
        ControlClient *next, *prev;
};

int unit_bus_path(const char *id, char **ret) {
        return sd_bus_path_encode(UNIT_PATH_PREFIX, id, ret);
}

int job_bus_path(uint32_t id, char **ret) {
        return asprintf(ret, JOB_PATH_PREFIX "/%" PRIu32, id) < 0 ? -ENOMEM : 0;
}

/* ---- signals ---- */

static void send_job_signal(Manager *m, const char *member, uint32_t id, const char *unit, const char *result) {
        _cleanup_free_ char *path = NULL;

        if (job_bus_path(id, &path) < 0)
                return;
        for (ControlClient *c = m->clients; c; c = c->next) {
                if (!c->subscribed || c->closed)
                        continue;
                /* A client that went away is collected by its Disconnected handler. */
                if (result)
                        (void) sd_bus_emit_signal(c->bus, "/org/freedesktop/systemd1",
                                                  "org.freedesktop.systemd1.Manager", member, "uoss", id, path,
                                                  unit, result);
                else
                        (void) sd_bus_emit_signal(c->bus, "/org/freedesktop/systemd1",
                                                  "org.freedesktop.systemd1.Manager", member, "uos", id, path, unit);
        }
}

void manager_bus_send_job_new(Manager *m, uint32_t id, const char *unit) {
        send_job_signal(m, "JobNew", id, unit, NULL);
}

void manager_bus_send_job_removed(Manager *m, uint32_t id, const char *unit, const char *result) {
        send_job_signal(m, "JobRemoved", id, unit, result);
}

/* ---- permission ---- */

static int client_check_write(ControlClient *c, sd_bus_error *error) {
        if (c->uid == 0 || c->uid == getuid())
                return 0;
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "Only root and uid %u may change units.", (unsigned) getuid());
}

static int no_such_unit(sd_bus_error *error, const char *name) {
        return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", name);
}

/* ---- Manager methods ---- */

static int method_hello(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(msg, "s", ":1.1");
}

static int reply_unit_path(sd_bus_message *msg, const char *id) {
        _cleanup_free_ char *path = NULL;
        int r = unit_bus_path(id, &path);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", path);
}

/* StartUnit/StopUnit/RestartUnit/ReloadUnit(ss): the unit and the job mode;
 * replies with the job's object path, as systemd does. */
static int method_unit_job(sd_bus_message *msg, ControlClient *c, sd_bus_error *error, JobType type) {
        _cleanup_free_ char *path = NULL;
        const char *name, *smode;
        Unit *u = NULL;
        Job *j;
        int r;

        r = sd_bus_message_read(msg, "ss", &name, &smode);
        if (r < 0)
                return r;
        r = client_check_write(c, error);
        if (r < 0)
                return r;
        JobMode mode = job_mode_from_string(smode);
        if (mode < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Job mode %s is not supported.", smode);

        if (type == JOB_STOP)
                u = manager_get_unit(c->manager, name);
        else
                (void) manager_load_unit(c->manager, name, &u);
        if (!u)
                return no_such_unit(error, name);
        if (type != JOB_STOP && u->config && u->config->load_state != UNIT_LOADED)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.LoadFailed",
                                         "Unit %s failed to load: %s.", name,
                                         unit_load_state_to_string(u->config->load_state));
        r = job_enqueue(u, type, mode, &j);
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.JobTypeNotApplicable",
                                         "Job type %s is not applicable for unit %s.", job_type_to_string(type),
                                         u->id);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.TransactionIsDestructive",
                                         "Transaction for %s/%s is destructive (%s has '%s' job queued).", u->id,
                                         job_type_to_string(type), u->id, job_type_to_string(u->job->type));
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to %s %s: %m", job_type_to_string(type), name);
        r = job_bus_path(j->id, &path);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", path);
}

static int method_start_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_unit_job(msg, userdata, error, JOB_START);
}

static int method_stop_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_unit_job(msg, userdata, error, JOB_STOP);
}

static int method_restart_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_unit_job(msg, userdata, error, JOB_RESTART);
}

static int method_try_restart_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_unit_job(msg, userdata, error, JOB_TRY_RESTART);
}

static int method_reload_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_unit_job(msg, userdata, error, JOB_RELOAD);
}

/* Subscribe()/Unsubscribe(): JobNew and JobRemoved go to subscribed
 * connections only, as systemd sends its signals to subscribers. */
static int method_subscribe(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        c->subscribed = true;
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_unsubscribe(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        c->subscribed = false;
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_get_job(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        _cleanup_free_ char *path = NULL;
        uint32_t id;
        int r = sd_bus_message_read(msg, "u", &id);
        if (r < 0)
                return r;
        if (!manager_get_job(c->manager, id))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchJob", "Job %" PRIu32 " does not exist.", id);
        r = job_bus_path(id, &path);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", path);
}

/* ListJobs() -> a(usssoo): id, unit, type, state, job path, unit path. */
static int method_list_jobs(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(usssoo)");
        for (Unit *u = c->manager->units; r >= 0 && u; u = u->next) {
                _cleanup_free_ char *jpath = NULL, *upath = NULL;
                if (!u->job || u->in_gc)
                        continue;
                r = job_bus_path(u->job->id, &jpath);
                if (r >= 0)
                        r = unit_bus_path(u->id, &upath);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "(usssoo)", u->job->id, u->id,
                                                  job_type_to_string(u->job->type), "running", jpath, upath);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_reset_failed_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        const char *name;
        int r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = client_check_write(c, error);
        if (r < 0)
                return r;
        Unit *u = manager_get_unit(c->manager, name);
        if (!u)
                return no_such_unit(error, name);
        unit_reset_failed(u);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_get_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        const char *name;
        int r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        Unit *u = manager_get_unit(c->manager, name);
        if (!u)
                return no_such_unit(error, name);
        return reply_unit_path(msg, u->id);
}

/* LoadUnit(s): GetUnit, loading the unit first if needed (as systemd
 * does).  A unit that fails to load is returned with its load state, so
 * that status can show it; reading is allowed to every peer. */
static int method_load_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        const char *name;
        Unit *u = NULL;
        int r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        bool known = manager_get_unit(c->manager, name);
        r = manager_load_unit(c->manager, name, &u);
        if (!u && r == -ENOMEM)
                return r;
        if (!u)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unit name %s is not valid.", name);
        /* Any peer may call this: a name without a unit file must not
         * leave a unit behind, or reading could grow porterd at will. */
        if (!known && u->config && u->config->load_state == UNIT_NOT_FOUND && !u->job) {
                unit_free(u);
                return no_such_unit(error, name);
        }
        return reply_unit_path(msg, u->id);
}

/* Manager.UnitPath: the search path porterd loads units from (--unit-path
 * or the default), so that porterctl's client-side lookups (cat, enable)
 * see what porterd sees. */
static int property_manager_unit_path(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        return sd_bus_message_append_strv(reply, c->manager->lookup_paths.search_path);
}

static const char *unit_description(const Unit *u) {
        return u->config && u->config->description ? u->config->description : u->id;
}

static const char *unit_load_state_string(const Unit *u) {
        return u->config ? unit_load_state_to_string(u->config->load_state) : "loaded";
}

static int method_list_units(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
        for (Unit *u = c->manager->units; r >= 0 && u; u = u->next) {
                _cleanup_free_ char *path = NULL, *jpath = NULL;
                if (u->in_gc)
                        continue;
                r = unit_bus_path(u->id, &path);
                if (r >= 0 && u->job)
                        r = job_bus_path(u->job->id, &jpath);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "(ssssssouso)", u->id, unit_description(u),
                                                  unit_load_state_string(u),
                                                  unit_active_state_to_string(unit_active_state(u)),
                                                  unit_sub_state(u), "", path, u->job ? u->job->id : 0u,
                                                  u->job ? job_type_to_string(u->job->type) : "",
                                                  jpath ?: "/");
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* KillUnit(ssi): whom ("main", "control" or "all") and the signal. */
static int method_kill_unit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        const char *name, *whom;
        int sig, r;

        r = sd_bus_message_read(msg, "ssi", &name, &whom, &sig);
        if (r < 0)
                return r;
        r = client_check_write(c, error);
        if (r < 0)
                return r;
        if (sig <= 0 || sig >= _NSIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Signal %d is not valid.", sig);
        if (!streq(whom, "") && !streq(whom, "all") && !streq(whom, "main") && !streq(whom, "control"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid whom argument '%s'.", whom);
        Unit *u = manager_get_unit(c->manager, name);
        if (!u)
                return no_such_unit(error, name);

        const UnitProcess *main_p = NULL, *control_p = NULL;
        if (SERVICE(u)) {
                main_p = &SERVICE(u)->main_process;
                control_p = &SERVICE(u)->control_process;
        } else if (SOCKET(u))
                control_p = &SOCKET(u)->control_process;
        bool all = isempty(whom) || streq(whom, "all"), killed = false;
        if (main_p && main_p->pid > 0 && (all || streq(whom, "main")))
                killed = c->manager->ops->kill(c->manager, main_p, sig, all) >= 0 || killed;
        if (control_p && control_p->pid > 0 && (all || streq(whom, "control")))
                killed = c->manager->ops->kill(c->manager, control_p, sig, all) >= 0 || killed;
        if (!killed)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchProcess",
                                         "No matching processes to kill");
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        int r = client_check_write(c, error);
        if (r < 0)
                return r;
        (void) manager_reload(c->manager);
        return sd_bus_reply_method_return(msg, NULL);
}

/* Reexecute: reply first and flush, so that the caller knows the request
 * was taken, then exec (manager-serialize.h); the caller's connection
 * closes with it.  If the exec fails porterd goes on as it was (logged). */
static int method_reexecute(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        int r = client_check_write(c, error);
        if (r < 0)
                return r;
        if (c->manager->exiting)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "porterd is shutting down.");
        log_info("Re-executing on request of uid %u.", (unsigned) c->uid);
        r = sd_bus_reply_method_return(msg, NULL);
        if (r < 0)
                return r;
        (void) sd_bus_flush(c->bus);
        (void) manager_reexecute(c->manager);
        return 1;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartUnit", "ss", "o", method_start_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StopUnit", "ss", "o", method_stop_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RestartUnit", "ss", "o", method_restart_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ReloadUnit", "ss", "o", method_reload_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("TryRestartUnit", "ss", "o", method_try_restart_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Subscribe", "", "", method_subscribe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Unsubscribe", "", "", method_unsubscribe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetJob", "u", "o", method_get_job, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ListJobs", "", "a(usssoo)", method_list_jobs, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ResetFailedUnit", "s", "", method_reset_failed_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetUnit", "s", "o", method_get_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("LoadUnit", "s", "o", method_load_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("UnitPath", "as", property_manager_unit_path, 0, 0),
        SD_BUS_METHOD("ListUnits", "", "a(ssssssouso)", method_list_units, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reexecute", "", "", method_reexecute, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("KillUnit", "ssi", "", method_kill_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("JobNew", "uos", SD_BUS_PARAM(id) SD_BUS_PARAM(job) SD_BUS_PARAM(unit), 0),
        SD_BUS_SIGNAL_WITH_NAMES("JobRemoved", "uoss",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(job) SD_BUS_PARAM(unit) SD_BUS_PARAM(result), 0),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable dbus_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Hello", "", "s", method_hello, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

/* ---- unit objects ---- */

static int find_unit(sd_bus *bus, const char *path, const char *interface, void *userdata,
                     void **ret, sd_bus_error *error) {
        ControlClient *c = userdata;
        _cleanup_free_ char *id = NULL;

        if (sd_bus_path_decode(path, UNIT_PATH_PREFIX, &id) <= 0)
                return 0;
        Unit *u = manager_get_unit(c->manager, id);
        if (!u)
                return 0;
        if ((streq_ptr(interface, "org.freedesktop.systemd1.Socket") ||
             streq_ptr(interface, "io.porter.Socket1")) && !SOCKET(u))
                return 0;
        if (streq_ptr(interface, "org.freedesktop.systemd1.Service") && !SERVICE(u))
                return 0;
        *ret = u;
        return 1;
}

static int property_unit_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        const char *v = NULL;

        if (streq(property, "Id"))
                v = u->id;
        else if (streq(property, "Description"))
                v = unit_description(u);
        else if (streq(property, "LoadState"))
                v = unit_load_state_string(u);
        else if (streq(property, "ActiveState"))
                v = unit_active_state_to_string(unit_active_state(u));
        else if (streq(property, "SubState"))
                v = unit_sub_state(u);
        else if (streq(property, "Result"))
                v = unit_result(u);
        else if (streq(property, "FragmentPath"))
                v = u->config ? u->config->fragment_path : NULL;
        else if (streq(property, "WaitingForMount"))
                v = u->waiting_for_mount;
        else if (streq(property, "StatusText"))
                v = SERVICE(u) ? SERVICE(u)->status_text : NULL;
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int property_timestamp(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        usec_t t = streq(property, "ActiveEnterTimestamp") ? u->active_enter_timestamp :
                   streq(property, "ActiveExitTimestamp") ? u->active_exit_timestamp :
                   streq(property, "InactiveEnterTimestamp") ? u->inactive_enter_timestamp :
                   streq(property, "InactiveExitTimestamp") ? u->inactive_exit_timestamp :
                   u->state_change_timestamp;
        return sd_bus_message_append(reply, "t", (uint64_t) t);
}

static int property_timestamp_monotonic(sd_bus *bus, const char *path, const char *interface,
                                        const char *property, sd_bus_message *reply, void *userdata,
                                        sd_bus_error *error) {
        Unit *u = userdata;
        usec_t t = startswith(property, "ActiveEnter") ? u->active_enter_monotonic :
                   startswith(property, "ActiveExit") ? u->active_exit_monotonic :
                   startswith(property, "InactiveEnter") ? u->inactive_enter_monotonic :
                   startswith(property, "InactiveExit") ? u->inactive_exit_monotonic :
                   u->state_change_monotonic;
        return sd_bus_message_append(reply, "t", (uint64_t) t);
}

static int property_dropin_paths(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        return sd_bus_message_append_strv(reply, u->config ? u->config->dropin_paths : NULL);
}

/* UnitFileState: the enablement of the unit's file in porterd's search
 * path, computed at each read as systemd does (unit-install.h). */
static int property_unit_file_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        InstallPaths ip = {};
        UnitFileState state = _UNIT_FILE_STATE_INVALID;

        if (install_paths_init(&ip, &u->manager->lookup_paths, false) >= 0 &&
            unit_file_get_state(&ip, u->id, &state) < 0)
                state = _UNIT_FILE_STATE_INVALID;
        install_paths_done(&ip);
        return sd_bus_message_append(reply, "s", strempty(unit_file_state_to_string(state)));
}

static int property_triggers(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        SocketUnit *s = SOCKET((Unit *) userdata);
        int r = sd_bus_message_open_container(reply, 'a', "s");
        if (r >= 0 && s && s->service)
                r = sd_bus_message_append(reply, "s", s->service->id);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int property_socket_counter(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        SocketUnit *s = SOCKET((Unit *) userdata);
        unsigned mptcp = 0, fallback = 0;
        /* Accept=no asks the kernel: only for the MPTCP properties. */
        if (streq(property, "NAcceptedMPTCP") || streq(property, "NAcceptedFallback"))
                (void) socket_mptcp_counts(s, &mptcp, &fallback);
        unsigned v = streq(property, "NAccepted") ? s->n_accepted :
                     streq(property, "NConnections") ? s->n_connections :
                     streq(property, "NAcceptedMPTCP") ? mptcp :
                     streq(property, "NAcceptedFallback") ? fallback : s->n_refused;
        return sd_bus_message_append(reply, "u", v);
}

/* Accept= of a socket unit (systemd's Socket.Accept). */
static int property_socket_accept(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        SocketUnit *s = SOCKET((Unit *) userdata);
        return sd_bus_message_append(reply, "b", (int) s->config->accept);
}

static const char *socket_port_listen_type(const SocketPort *p) {
        if (p->type != SOCKET_PORT_SOCKET)
                return socket_port_type_to_string(p->type);
        switch (p->address.type) {
        case SOCK_DGRAM:
                return "Datagram";
        case SOCK_SEQPACKET:
                return "SequentialPacket";
        default:
                return socket_address_family(&p->address) == AF_NETLINK ? "Netlink" : "Stream";
        }
}

/* "mptcp", "tcp (mptcp fallback)", "tcp", "udp", "sctp", "unix", ...
 * address.protocol is set by the socket layer only once the port is open:
 * a closed port (dead or failed unit) shows the configured protocol. */
static void socket_port_protocol(const SocketPort *p, const SocketOptions *o, char *buf, size_t size) {
        int family = p->type == SOCKET_PORT_SOCKET ? socket_address_family(&p->address) : AF_UNSPEC;
        int protocol = p->fd >= 0 ? p->address.protocol :
                       socket_protocol_for_type(o->socket_protocol, p->address.type);
        const char *proto = socket_protocol_to_string(protocol);

        if (p->type != SOCKET_PORT_SOCKET)
                snprintf(buf, size, "%s", "-");
        else if (family == AF_UNIX)
                snprintf(buf, size, "unix");
        else if (family == AF_NETLINK)
                snprintf(buf, size, "netlink");
        else if (p->mptcp_fell_back)
                snprintf(buf, size, "tcp (mptcp fallback)");
        else if (proto)
                snprintf(buf, size, "%s", proto);
        else
                snprintf(buf, size, "%s", p->address.type == SOCK_DGRAM ? "udp" : "tcp");
}

static int property_ports(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        SocketUnit *s = SOCKET((Unit *) userdata);
        bool with_proto = streq(property, "Ports");
        int r = sd_bus_message_open_container(reply, 'a', with_proto ? "(sss)" : "(ss)");

        for (size_t i = 0; r >= 0 && s && i < s->config->n_ports; i++) {
                const SocketPort *p = &s->config->ports[i];
                _cleanup_free_ char *addr = NULL;
                char proto[32];
                if (socket_port_describe(p, &addr) < 0)
                        return -ENOMEM;
                socket_port_protocol(p, &s->config->options, proto, sizeof proto);
                if (with_proto)
                        r = sd_bus_message_append(reply, "(sss)", socket_port_listen_type(p), addr, proto);
                else
                        r = sd_bus_message_append(reply, "(ss)", socket_port_listen_type(p), addr);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int property_service_u(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        ServiceUnit *s = SERVICE((Unit *) userdata);
        unsigned v = streq(property, "MainPID") ? (unsigned) s->main_process.pid : s->n_restarts;
        return sd_bus_message_append(reply, "u", v);
}

static int property_log_lines(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Unit *u = userdata;
        int r = sd_bus_message_open_container(reply, 'a', "(tis)");
        for (size_t i = 0; r >= 0 && i < u->log_ring.n; i++) {
                const UnitLogLine *l = unit_log_ring_get(&u->log_ring, i);
                r = sd_bus_message_append(reply, "(tis)", (uint64_t) l->timestamp, l->level, l->text);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("Description", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("LoadState", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("ActiveState", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("SubState", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("FragmentPath", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("Triggers", "as", property_triggers, 0, 0),
        SD_BUS_PROPERTY("StateChangeTimestamp", "t", property_timestamp, 0, 0),
        SD_BUS_PROPERTY("ActiveEnterTimestamp", "t", property_timestamp, 0, 0),
        SD_BUS_PROPERTY("ActiveExitTimestamp", "t", property_timestamp, 0, 0),
        SD_BUS_PROPERTY("InactiveEnterTimestamp", "t", property_timestamp, 0, 0),
        SD_BUS_PROPERTY("InactiveExitTimestamp", "t", property_timestamp, 0, 0),
        SD_BUS_PROPERTY("StateChangeTimestampMonotonic", "t", property_timestamp_monotonic, 0, 0),
        SD_BUS_PROPERTY("ActiveEnterTimestampMonotonic", "t", property_timestamp_monotonic, 0, 0),
        SD_BUS_PROPERTY("ActiveExitTimestampMonotonic", "t", property_timestamp_monotonic, 0, 0),
        SD_BUS_PROPERTY("InactiveEnterTimestampMonotonic", "t", property_timestamp_monotonic, 0, 0),
        SD_BUS_PROPERTY("InactiveExitTimestampMonotonic", "t", property_timestamp_monotonic, 0, 0),
        SD_BUS_PROPERTY("DropInPaths", "as", property_dropin_paths, 0, 0),
        SD_BUS_PROPERTY("UnitFileState", "s", property_unit_file_state, 0, 0),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable socket_bus_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Result", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("NAccepted", "u", property_socket_counter, 0, 0),
        SD_BUS_PROPERTY("NConnections", "u", property_socket_counter, 0, 0),
        SD_BUS_PROPERTY("NRefused", "u", property_socket_counter, 0, 0),
        SD_BUS_PROPERTY("Accept", "b", property_socket_accept, 0, 0),
        SD_BUS_PROPERTY("Listen", "a(ss)", property_ports, 0, 0),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable service_bus_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Result", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("StatusText", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("MainPID", "u", property_service_u, 0, 0),
        SD_BUS_PROPERTY("NRestarts", "u", property_service_u, 0, 0),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable porter_unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("LogLines", "a(tis)", property_log_lines, 0, 0),
        SD_BUS_PROPERTY("WaitingForMount", "s", property_unit_string, 0, 0),
        SD_BUS_PROPERTY("Ports", "a(sss)", property_ports, 0, 0),
        SD_BUS_VTABLE_END
};

/* Only on socket units: connections of MPTCP listeners that were really
 * MPTCP, and those whose peer fell back to plain TCP; with Accept=yes those
 * accepted since the start, with Accept=no those open now (asked of the
 * kernel at each read, socket_mptcp_counts()). */
static const sd_bus_vtable porter_socket_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("NAcceptedMPTCP", "u", property_socket_counter, 0, 0),
        SD_BUS_PROPERTY("NAcceptedFallback", "u", property_socket_counter, 0, 0),
        SD_BUS_VTABLE_END
};

/* ---- job objects ---- */

static int find_job(sd_bus *bus, const char *path, const char *interface, void *userdata,
                    void **ret, sd_bus_error *error) {
        ControlClient *c = userdata;
        const char *e = startswith(path, JOB_PATH_PREFIX "/");
        char *end;

        if (!e || !*e)
                return 0;
        unsigned long id = strtoul(e, &end, 10);
        if (*end || id == 0 || id > UINT32_MAX)
                return 0;
        Job *j = manager_get_job(c->manager, (uint32_t) id);
        if (!j)
                return 0;
        *ret = j;
        return 1;
}

static int property_job(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Job *j = userdata;

        if (streq(property, "Id"))
                return sd_bus_message_append(reply, "u", j->id);
        if (streq(property, "JobType"))
                return sd_bus_message_append(reply, "s", job_type_to_string(j->type));
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", "running");
        /* Unit: (so) */
        _cleanup_free_ char *upath = NULL;
        int r = unit_bus_path(j->unit->id, &upath);
        if (r < 0)
                return r;
        return sd_bus_message_append(reply, "(so)", j->unit->id, upath);
}

static int method_job_cancel(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Job *j = userdata;
        sd_bus *bus = sd_bus_message_get_bus(msg);
        ControlClient *c = j->manager->clients;

        while (c && c->bus != bus)
                c = c->next;
        int r = c ? client_check_write(c, error) : -ESRCH;
        if (r < 0)
                return r;
        job_finish(j, JOB_CANCELED);
        return sd_bus_reply_method_return(msg, NULL);
}

static const sd_bus_vtable job_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", property_job, 0, 0),
        SD_BUS_PROPERTY("Unit", "(so)", property_job, 0, 0),
        SD_BUS_PROPERTY("JobType", "s", property_job, 0, 0),
        SD_BUS_PROPERTY("State", "s", property_job, 0, 0),
        SD_BUS_METHOD("Cancel", "", "", method_job_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

/* ---- connections ---- */

static void client_free(ControlClient *c) {
        Manager *m = c->manager;

        if (c->prev)
                c->prev->next = c->next;
        else
                m->clients = c->next;
        if (c->next)
                c->next->prev = c->prev;
        m->n_clients--;
        sd_bus_flush_close_unref(c->bus);
        free(c);
}

static int client_gc(sd_event_source *source, void *userdata) {
        Manager *m = userdata;
        for (ControlClient *c = m->clients, *next; c; c = next) {
                next = c->next;
                if (c->closed)
                        client_free(c);
        }
        return 0;
}

static int client_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ControlClient *c = userdata;
        Manager *m = c->manager;

        /* Not freed here: we are inside this bus's own dispatch. */
        c->closed = true;
        if (!m->client_gc_source &&
            sd_event_add_defer(m->event, &m->client_gc_source, client_gc, m) < 0)
                return 0;
        (void) sd_event_source_set_enabled(m->client_gc_source, SD_EVENT_ONESHOT);
        return 0;
}

static int client_add_objects(ControlClient *c) {
        sd_bus *b = c->bus;
        int r;

        r = sd_bus_add_object_vtable(b, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                     manager_vtable, c);
        if (r >= 0)
                r = sd_bus_add_object_vtable(b, NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             dbus_vtable, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(b, NULL, UNIT_PATH_PREFIX, "org.freedesktop.systemd1.Unit",
                                               unit_vtable, find_unit, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(b, NULL, UNIT_PATH_PREFIX, "org.freedesktop.systemd1.Socket",
                                               socket_bus_vtable, find_unit, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(b, NULL, UNIT_PATH_PREFIX, "org.freedesktop.systemd1.Service",
                                               service_bus_vtable, find_unit, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(b, NULL, UNIT_PATH_PREFIX, "io.porter.Unit1",
                                               porter_unit_vtable, find_unit, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(b, NULL, UNIT_PATH_PREFIX, "io.porter.Socket1",
                                               porter_socket_vtable, find_unit, c);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(b, NULL, JOB_PATH_PREFIX, "org.freedesktop.systemd1.Job",
                                               job_vtable, find_job, c);
        if (r >= 0)
                r = sd_bus_add_object_manager(b, NULL, "/org/freedesktop/systemd1");
        if (r >= 0)
                r = sd_bus_match_signal(b, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                        "Disconnected", client_disconnected, c);
        return r;
}

static int client_new(Manager *m, int fd) {
        _cleanup_close_ int cfd = fd;
        struct ucred cred;
        socklen_t l = sizeof cred;
        sd_id128_t id;
        int r;

        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0)
                return -errno;
        ControlClient *c = new0(ControlClient, 1);
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->uid = cred.uid;
        c->next = m->clients;
        if (m->clients)
                m->clients->prev = c;
        m->clients = c;
        m->n_clients++;

        r = sd_bus_new(&c->bus);
        if (r >= 0)
                r = sd_bus_set_fd(c->bus, cfd, cfd);
        if (r >= 0) {
                TAKE_FD(cfd);
                r = sd_id128_randomize(&id);
        }
        if (r >= 0)
                r = sd_bus_set_server(c->bus, 1, id);
        if (r >= 0)
                r = sd_bus_set_description(c->bus, "porter-control");
        if (r >= 0)
                r = client_add_objects(c);
        if (r >= 0)
                r = sd_bus_attach_event(c->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_start(c->bus);
        if (r < 0) {
                client_free(c);
                return r;
        }
        return 0;
}

static int control_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;

        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
                return 0; /* transient; EMFILE included: the next event retries */
        if (m->n_clients >= MANAGER_BUS_CLIENTS_MAX) {
                log_warning("Too many control connections, refusing one.");
                safe_close(cfd);
                return 0;
        }
        int r = client_new(m, cfd);
        if (r < 0)
                log_warning_errno(r, "Failed to set up control connection: %m");
        return 0;
}

int manager_setup_control(Manager *m) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *dir = strjoin(m->runtime_dir, "/porter");
        _cleanup_free_ char *path = strjoin(m->runtime_dir, "/porter/private");
        union sockaddr_union sa = {};
        int r;

        if (!path || !dir)
                return log_oom();
        /* Re-executed: the listening socket came through the exec
         * (manager_deserialize()), with whatever connections wait in it. */
        if (m->control_fd >= 0) {
                r = sd_event_add_io(m->event, &m->control_source, m->control_fd, EPOLLIN, control_accept, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch control socket: %m");
                (void) sd_event_source_set_description(m->control_source, "control");
                m->control_path = TAKE_PTR(path);
                return 0;
        }
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create '%s': %m", dir);
        r = sockaddr_un_set_path(&sa.un, path);
        if (r < 0)
                return log_error_errno(r, "Control socket path '%s' is unusable: %m", path);
        socklen_t salen = r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create control socket: %m");
        /* A node that still answers belongs to a running porterd: do not
         * take its sockets away.  A stale one (ECONNREFUSED) is replaced. */
        _cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0 && connect(probe, &sa.sa, salen) >= 0)
                return log_error_errno(-EADDRINUSE, "Another porterd is already running on '%s'.", path);
        (void) unlink(path);
        /* Everyone may connect and read; SO_PEERCRED guards changes. */
        mode_t old = umask(0111);
        r = bind(fd, &sa.sa, salen);
        umask(old);
        if (r < 0)
                return log_error_errno(errno, "Failed to bind control socket '%s': %m", path);
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "Failed to listen on '%s': %m", path);

        r = sd_event_add_io(m->event, &m->control_source, fd, EPOLLIN, control_accept, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch control socket: %m");
        (void) sd_event_source_set_description(m->control_source, "control");
        m->control_fd = TAKE_FD(fd);
        m->control_path = TAKE_PTR(path);
        return 0;
}

void manager_close_control(Manager *m) {
        while (m->clients)
                client_free(m->clients);
        m->client_gc_source = sd_event_source_disable_unref(m->client_gc_source);
        m->control_source = sd_event_source_disable_unref(m->control_source);
        m->control_fd = safe_close(m->control_fd);
        if (m->control_path)
                (void) unlink(m->control_path);
        free(m->control_path);
        m->control_path = NULL;
}
