/* SPDX-License-Identifier: MIT */
#pragma once

/* Verb dispatch for the command-line tools ("porterctl start foo.socket").
 * A table of Verb rows maps a name and an argument count range to a
 * function; dispatch_verb() finds the row for argv[0] and calls it. */

#define VERB_ANY ((unsigned) -1)

typedef int (*verb_func_t)(int argc, char *argv[], void *userdata);

typedef struct Verb {
        const char *name;
        unsigned min_args, max_args; /* counting the verb itself */
        verb_func_t dispatch;
        const char *help; /* one-line summary for --help */
} Verb;

/* Runs the verb named by argv[0] (argc >= 1).  Returns what the verb
 * returned, or -EINVAL after printing an error for an unknown verb or a
 * wrong argument count.  verbs[] ends with a row whose name is NULL. */
int dispatch_verb(int argc, char *argv[], const Verb verbs[], void *userdata);
