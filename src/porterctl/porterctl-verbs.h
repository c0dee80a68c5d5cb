/* SPDX-License-Identifier: MIT */
#pragma once

/* The verbs of porterctl, one file each (porterctl-<verb>.c).  Each returns
 * the process exit status (>= 0) or a negative errno. */

/* PORTERCTL_VERB_ROWS expands to the rows of the verb table in porterctl.c.
 * Add a verb: declare it here and add its row. */
#define PORTERCTL_VERB_ROWS
