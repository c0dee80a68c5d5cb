/* SPDX-License-Identifier: MIT */
#pragma once

/* The verbs of porterctl, one file each (porterctl-<verb>.c).  Each returns
 * the process exit status (>= 0) or a negative errno. */

/* PORTERCTL_VERB_ROWS expands to the rows of the verb table in porterctl.c.
 * Add a verb: declare it here and add its row. */
int verb_escape(int argc, char *argv[], void *userdata);   /* porterctl-escape.c */
int verb_unescape(int argc, char *argv[], void *userdata); /* porterctl-escape.c */

int verb_verify(int argc, char *argv[], void *userdata);   /* porterctl-verify.c */

int verb_start(int argc, char *argv[], void *userdata);       /* porterctl-start.c */
int verb_stop(int argc, char *argv[], void *userdata);        /* porterctl-start.c */
int verb_restart(int argc, char *argv[], void *userdata);     /* porterctl-start.c */
int verb_reload(int argc, char *argv[], void *userdata);      /* porterctl-start.c */
int verb_try_restart(int argc, char *argv[], void *userdata); /* porterctl-start.c */
int verb_reset_failed(int argc, char *argv[], void *userdata);/* porterctl-start.c */
int verb_daemon_reload(int argc, char *argv[], void *userdata);/* porterctl-start.c */
int verb_daemon_reexec(int argc, char *argv[], void *userdata);/* porterctl-reexec.c */
int verb_kill(int argc, char *argv[], void *userdata);        /* porterctl-start.c */
int verb_status(int argc, char *argv[], void *userdata);      /* porterctl-status.c */
int verb_is_failed(int argc, char *argv[], void *userdata);   /* porterctl-status.c */
int verb_show(int argc, char *argv[], void *userdata);        /* porterctl-show.c */
int verb_is_active(int argc, char *argv[], void *userdata);   /* porterctl-status.c */
int verb_list_units(int argc, char *argv[], void *userdata);  /* porterctl-list.c */
int verb_list_sockets(int argc, char *argv[], void *userdata);/* porterctl-list.c */
int verb_list_jobs(int argc, char *argv[], void *userdata);   /* porterctl-list.c */
int verb_cat(int argc, char *argv[], void *userdata);         /* porterctl-cat.c */
int verb_is_enabled(int argc, char *argv[], void *userdata);  /* porterctl-install.c */
int verb_enable(int argc, char *argv[], void *userdata);      /* porterctl-install.c */
int verb_disable(int argc, char *argv[], void *userdata);     /* porterctl-install.c */
int verb_reenable(int argc, char *argv[], void *userdata);    /* porterctl-install.c */
int verb_mask(int argc, char *argv[], void *userdata);        /* porterctl-install.c */
int verb_unmask(int argc, char *argv[], void *userdata);      /* porterctl-install.c */

#define PORTERCTL_VERB_ROWS \
        { "start",        2, VERB_ANY, verb_start,        "Start (activate) one or more units" }, \
        { "stop",         2, VERB_ANY, verb_stop,         "Stop (deactivate) one or more units" }, \
        { "restart",      2, VERB_ANY, verb_restart,      "Stop and start one or more units" }, \
        { "try-restart",  2, VERB_ANY, verb_try_restart,  "Restart one or more units if they are running" }, \
        { "reload",       2, VERB_ANY, verb_reload,       "Reload one or more units (ExecReload=)" }, \
        { "reset-failed", 2, VERB_ANY, verb_reset_failed, "Forget the failed state of units" }, \
        { "daemon-reload", 1, 1,       verb_daemon_reload, "Reload the unit files of porterd's units" }, \
        { "daemon-reexec", 1, 1,       verb_daemon_reexec, "Re-execute porterd, keeping its sockets and services" }, \
        { "kill",         2, VERB_ANY, verb_kill,         "Send a signal (-s SIG, --kill-whom=) to units' processes" }, \
        { "status",       2, VERB_ANY, verb_status,       "Show the runtime status of units" }, \
        { "show",         2, VERB_ANY, verb_show,         "Show properties of units (-p PROP)" }, \
        { "is-active",    2, VERB_ANY, verb_is_active,    "Check whether units are active" }, \
        { "is-failed",    2, VERB_ANY, verb_is_failed,    "Check whether units are failed" }, \
        { "cat",          2, VERB_ANY, verb_cat,          "Show the unit files and drop-ins of units" }, \
        { "is-enabled",   2, VERB_ANY, verb_is_enabled,   "Check whether unit files are enabled" }, \
        { "enable",       2, VERB_ANY, verb_enable,       "Enable unit files ([Install] symlinks)" }, \
        { "disable",      2, VERB_ANY, verb_disable,      "Disable unit files" }, \
        { "reenable",     2, VERB_ANY, verb_reenable,     "Disable and enable unit files again" }, \
        { "mask",         2, VERB_ANY, verb_mask,         "Mask unit files (link them to /dev/null)" }, \
        { "unmask",       2, VERB_ANY, verb_unmask,       "Unmask unit files" }, \
        { "list-units",   1, 1,        verb_list_units,   "List the units porterd has loaded" }, \
        { "list-sockets", 1, 1,        verb_list_sockets, "List listening sockets and what they activate" }, \
        { "list-jobs",    1, 1,        verb_list_jobs,    "List the pending jobs" }, \
        { "verify",   2, VERB_ANY, verb_verify,   "Check unit files as porterd would load them" }, \
        { "escape",   1, VERB_ANY, verb_escape,   "Escape strings for unit names, as systemd-escape" }, \
        { "unescape", 1, VERB_ANY, verb_unescape, "Unescape strings of unit names, as systemd-escape -u" },
