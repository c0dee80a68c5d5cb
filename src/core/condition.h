/* SPDX-License-Identifier: MIT */
#pragma once

/* Condition*= and Assert*= at start time (systemd.unit(5)).  A unit
 * starts only if every non-triggering condition holds and, when there are
 * triggering ones ('|' prefix), at least one of those; '!' negates one.
 *
 * Evaluated: PathExists, PathExistsGlob, PathIsDirectory,
 * PathIsSymbolicLink, PathIsReadWrite, DirectoryNotEmpty, FileNotEmpty,
 * FileIsExecutable, Environment, User, Host, KernelCommandLine, CPUs.
 * Any other type is logged once per evaluation and counts as met (porter
 * cannot check it; failing would stop units systemd starts). */

#include <stdbool.h>

#include "unit-config.h"

typedef enum ConditionResult {
        CONDITION_MET,
        CONDITION_FAILED,
} ConditionResult;

/* Evaluate the list; *ret_failed (may be NULL) names the first failing
 * condition's type for the log. */
ConditionResult condition_list_test(const ConditionList *l, const char **ret_failed);

/* One condition, without its '!' (exposed for the tests).  Returns 1 met,
 * 0 not met, -EOPNOTSUPP for a type porter does not evaluate. */
int condition_test_one(const char *type, const char *parameter);
