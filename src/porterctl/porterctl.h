/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Options shared by porterctl's verbs, filled by argument parsing in
 * porterctl.c and handed to every verb as its userdata. */
typedef enum OutputMode {
        OUTPUT_SHORT,
        OUTPUT_JSON,
} OutputMode;

typedef struct PorterctlArgs {
        bool user;        /* --user: the per-user manager and search paths */
        bool no_block;    /* --no-block */
        bool no_pager;    /* --no-pager */
        bool no_legend;   /* --no-legend */
        bool all;         /* -a/--all: list-units shows inactive units too */
        OutputMode output;/* -o json / --json */
        bool now;         /* enable/disable --now: start/stop too */
        bool force;       /* -f/--force: enable/mask replace conflicting links */
        bool runtime;     /* --runtime: links below /run, gone at reboot */
        bool quiet;       /* -q/--quiet: is-enabled prints nothing, no change messages */
        bool no_reload;   /* --no-reload: enable/disable do not ask porterd to reload */
        const char *root; /* --root=DIR: install verbs and cat act on that tree, offline */
        char **properties;/* -p PROP (show) */
        /* escape/unescape */
        bool escape_path, escape_unescape, escape_mangle, escape_instance;
        const char *escape_suffix, *escape_template;
} PorterctlArgs;

/* systemctl's exit codes (LSB), which porterctl mirrors per verb. */
enum {
        EXIT_PROGRAM_RUNNING_OR_SERVICE_OK = 0,
        EXIT_PROGRAM_DEAD_AND_PID_EXISTS = 1,
        EXIT_PROGRAM_DEAD_AND_PID_FILE_EXISTS = 2,
        EXIT_PROGRAM_NOT_RUNNING = 3,
        EXIT_PROGRAM_OR_SERVICES_STATUS_UNKNOWN = 4,
};
