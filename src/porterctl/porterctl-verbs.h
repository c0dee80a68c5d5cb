/* SPDX-License-Identifier: MIT */
#pragma once

/* The verbs of porterctl, one file each (porterctl-<verb>.c).  Each returns
 * the process exit status (>= 0) or a negative errno. */

/* PORTERCTL_VERB_ROWS expands to the rows of the verb table in porterctl.c.
 * Add a verb: declare it here and add its row. */
int verb_escape(int argc, char *argv[], void *userdata);   /* porterctl-escape.c */
int verb_unescape(int argc, char *argv[], void *userdata); /* porterctl-escape.c */

int verb_verify(int argc, char *argv[], void *userdata);   /* porterctl-verify.c */

#define PORTERCTL_VERB_ROWS \
        { "verify",   2, VERB_ANY, verb_verify,   "Check unit files as porterd would load them" }, \
        { "escape",   1, VERB_ANY, verb_escape,   "Escape strings for unit names, as systemd-escape" }, \
        { "unescape", 1, VERB_ANY, verb_unescape, "Unescape strings of unit names, as systemd-escape -u" },
