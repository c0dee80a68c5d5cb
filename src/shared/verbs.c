/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "string-util.h"
#include "verbs.h"

int dispatch_verb(int argc, char *argv[], const Verb verbs[], void *userdata) {
        const Verb *v;

        if (argc < 1) {
                fprintf(stderr, "Too few arguments: a verb is needed.\n");
                return -EINVAL;
        }

        for (v = verbs; v->name; v++)
                if (streq(v->name, argv[0]))
                        break;
        if (!v->name) {
                fprintf(stderr, "Unknown command verb '%s'.\n", argv[0]);
                return -EINVAL;
        }

        if ((unsigned) argc < v->min_args) {
                fprintf(stderr, "Too few arguments for '%s'.\n", v->name);
                return -EINVAL;
        }
        if (v->max_args != VERB_ANY && (unsigned) argc > v->max_args) {
                fprintf(stderr, "Too many arguments for '%s'.\n", v->name);
                return -EINVAL;
        }

        return v->dispatch(argc, argv, userdata);
}
