/* SPDX-License-Identifier: MIT */
/* porterctl escape / unescape: systemd-escape(1) with the same output,
 * refusals and exit codes.
 *
 *   porterctl escape [--suffix=TYPE|--template=T@.TYPE] [-p|--path] STRING...
 *   porterctl escape -u|--unescape [--template=T@.TYPE] [--instance] [-p] STRING...
 *   porterctl escape -m|--mangle STRING...
 *   porterctl unescape [options as above] STRING...
 *
 * Options may come before the verb (parsed by porterctl.c into
 * PorterctlArgs) or after it (parsed here, as systemd-escape does; "-p"
 * after the verb means --path, as in systemd-escape).  Results are printed
 * on one line separated by spaces, each as soon as it is computed: like
 * systemd-escape, a failure stops at that string, leaving the earlier
 * results on stdout without a newline.  Exit status 0, or 1 on any error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "log.h"
#include "path-util.h"
#include "porter-config.h"
#include "porterctl.h"
#include "porterctl-verbs.h"
#include "string-util.h"
#include "unit-name.h"

typedef enum EscapeAction {
        ACTION_ESCAPE,
        ACTION_UNESCAPE,
        ACTION_MANGLE,
} EscapeAction;

typedef struct EscapeOptions {
        EscapeAction action;
        const char *suffix;
        const char *template;
        bool path;
        bool instance;
} EscapeOptions;

static void escape_help(void) {
        printf("porterctl escape [OPTIONS...] [NAME...]\n\n"
               "Escape strings for usage in unit names (as systemd-escape).\n\n"
               "  -h --help               Show this help\n"
               "     --version            Show package version\n"
               "     --suffix=SUFFIX      Unit suffix to append to escaped strings\n"
               "     --template=TEMPLATE  Insert strings as instance into template\n"
               "     --instance           With --unescape, show just the instance part\n"
               "  -u --unescape           Unescape strings\n"
               "  -m --mangle             Mangle strings\n"
               "  -p --path               When escaping/unescaping assume the string is a path\n");
}

static int check_suffix(const char *suffix) {
        if (unit_type_from_string(suffix) < 0)
                return log_error_errno(-EINVAL, "Invalid unit suffix type \"%s\".", suffix);
        return 0;
}

static int check_template(const char *template) {
        if (!unit_name_is_valid(template, UNIT_NAME_TEMPLATE))
                return log_error_errno(-EINVAL, "Template name %s is not valid.", template);
        return 0;
}

/* Options given before the verb, in the order systemd-escape would have
 * validated them while parsing. */
static int options_from_args(const PorterctlArgs *args, EscapeOptions *o) {
        int r;

        if (args->escape_suffix) {
                r = check_suffix(args->escape_suffix);
                if (r < 0)
                        return r;
                o->suffix = args->escape_suffix;
        }
        if (args->escape_template) {
                r = check_template(args->escape_template);
                if (r < 0)
                        return r;
                o->template = args->escape_template;
        }
        if (args->escape_unescape)
                o->action = ACTION_UNESCAPE;
        if (args->escape_mangle)
                o->action = ACTION_MANGLE;
        o->path = args->escape_path;
        o->instance = args->escape_instance;
        return 0;
}

enum {
        ARG_VERSION = 0x100,
        ARG_SUFFIX,
        ARG_TEMPLATE,
        ARG_INSTANCE,
};

/* Options after the verb.  Returns 1 to go on, 0 after --help/--version,
 * or -errno. */
static int options_parse(int argc, char *argv[], EscapeOptions *o) {
        static const struct option options[] = {
                { "help",     no_argument,       NULL, 'h'          },
                { "version",  no_argument,       NULL, ARG_VERSION  },
                { "suffix",   required_argument, NULL, ARG_SUFFIX   },
                { "template", required_argument, NULL, ARG_TEMPLATE },
                { "unescape", no_argument,       NULL, 'u'          },
                { "mangle",   no_argument,       NULL, 'm'          },
                { "path",     no_argument,       NULL, 'p'          },
                { "instance", no_argument,       NULL, ARG_INSTANCE },
                {}
        };
        int c, r;

        /* porterctl.c already ran getopt over the whole command line. */
        optind = 0;
        while ((c = getopt_long(argc, argv, "hump", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        escape_help();
                        return 0;
                case ARG_VERSION:
                        printf("porter %s\n", PORTER_VERSION);
                        return 0;
                case ARG_SUFFIX:
                        r = check_suffix(optarg);
                        if (r < 0)
                                return r;
                        o->suffix = optarg;
                        break;
                case ARG_TEMPLATE:
                        r = check_template(optarg);
                        if (r < 0)
                                return r;
                        o->template = optarg;
                        break;
                case 'u':
                        o->action = ACTION_UNESCAPE;
                        break;
                case 'm':
                        o->action = ACTION_MANGLE;
                        break;
                case 'p':
                        o->path = true;
                        break;
                case ARG_INSTANCE:
                        o->instance = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }
        return 1;
}

/* The combinations systemd-escape refuses, with its messages. */
static int options_check(const EscapeOptions *o, int nstrings) {
        if (nstrings <= 0)
                return log_error_errno(-EINVAL, "Not enough arguments.");
        if (o->template && o->suffix)
                return log_error_errno(-EINVAL, "--suffix= and --template= may not be combined.");
        if ((o->template || o->suffix) && o->action == ACTION_MANGLE)
                return log_error_errno(-EINVAL,
                                       "--suffix= and --template= are not compatible with --mangle.");
        if (o->suffix && o->action == ACTION_UNESCAPE)
                return log_error_errno(-EINVAL, "--suffix is not compatible with --unescape.");
        if (o->path && o->action == ACTION_MANGLE)
                return log_error_errno(-EINVAL, "--path may not be combined with --mangle.");
        if (o->instance && o->action != ACTION_UNESCAPE)
                return log_error_errno(-EINVAL,
                                       "--instance must be used in conjunction with --unescape.");
        if (o->instance && o->template)
                return log_error_errno(-EINVAL, "--instance may not be combined with --template.");
        return 0;
}

static int escape_path(const char *s, char **ret) {
        int r;

        r = unit_name_path_escape(s, ret);
        if (r == -EINVAL) {
                /* Say what is wrong with the input, as systemd-escape does. */
                if (!path_is_valid(s))
                        return log_error_errno(r, "Input '%s' is not a valid file system path, failed to escape.", s);
                if (!path_is_absolute(s))
                        return log_error_errno(r, "Input '%s' is not an absolute file system path, failed to escape.", s);
                if (!path_is_normalized(s))
                        return log_error_errno(r, "Input '%s' is not a normalized file system path, failed to escape.", s);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to escape string: %m");

        /* It worked, but unescaping will not give the input back. */
        if (!path_is_valid(s))
                log_warning("Input '%s' is not a valid file system path, escaping is likely not going be reversible.", s);
        else if (!path_is_absolute(s))
                log_warning("Input '%s' is not an absolute file system path, escaping is likely not going to be reversible.", s);
        return 0;
}

static int escape_one(const EscapeOptions *o, const char *s, char **ret) {
        _cleanup_free_ char *e = NULL;
        int r;

        if (o->path) {
                r = escape_path(s, &e);
                if (r < 0)
                        return r;
        } else {
                e = unit_name_escape(s);
                if (!e)
                        return log_oom();
        }

        if (o->template) {
                char *x;

                r = unit_name_replace_instance(o->template, e, &x);
                if (r < 0)
                        return log_error_errno(r, "Failed to replace instance: %m");
                free_and_replace(e, x);
        } else if (o->suffix) {
                char *x = strjoin(e, ".", o->suffix);

                if (!x)
                        return log_oom();
                free_and_replace(e, x);
        }
        *ret = TAKE_PTR(e);
        return 0;
}

static int unescape_one(const EscapeOptions *o, const char *s, char **ret) {
        _cleanup_free_ char *name = NULL;
        int r;

        if (o->template || o->instance) {
                _cleanup_free_ char *template = NULL;

                r = unit_name_to_instance(s, &name);
                if (r < 0)
                        return log_error_errno(r, "Failed to extract instance: %m");
                if (isempty(name))
                        return log_error_errno(-EINVAL, "Unit %s is missing the instance name.", s);

                r = unit_name_template(s, &template);
                if (r < 0)
                        return log_error_errno(r, "Failed to extract template: %m");
                if (o->template && !streq(o->template, template))
                        return log_error_errno(-EINVAL,
                                               "Unit %s template %s does not match specified template %s.",
                                               s, template, o->template);
        } else {
                name = strdup(s);
                if (!name)
                        return log_oom();
        }

        r = o->path ? unit_name_path_unescape(name, ret) : unit_name_unescape(name, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to unescape string: %m");
        return 0;
}

static int escape_run(const EscapeOptions *o, int n, char *strings[]) {
        int r;

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *e = NULL;

                switch (o->action) {
                case ACTION_ESCAPE:
                        r = escape_one(o, strings[i], &e);
                        break;
                case ACTION_UNESCAPE:
                        r = unescape_one(o, strings[i], &e);
                        break;
                case ACTION_MANGLE:
                        r = unit_name_mangle(strings[i], ".service", &e);
                        if (r < 0)
                                r = log_error_errno(r, "Failed to mangle name: %m");
                        break;
                default:
                        abort();
                }
                if (r < 0)
                        return r;

                if (i > 0)
                        fputc(' ', stdout);
                fputs(e, stdout);
        }
        fputc('\n', stdout);
        return 0;
}

static int escape_main(int argc, char *argv[], const PorterctlArgs *args, EscapeAction initial) {
        EscapeOptions o = { .action = initial };
        int r;

        r = options_from_args(args, &o);
        if (r < 0)
                return r;
        r = options_parse(argc, argv, &o);
        if (r <= 0)
                return r;
        r = options_check(&o, argc - optind);
        if (r < 0)
                return r;
        return escape_run(&o, argc - optind, argv + optind);
}

int verb_escape(int argc, char *argv[], void *userdata) {
        return escape_main(argc, argv, userdata, ACTION_ESCAPE);
}

int verb_unescape(int argc, char *argv[], void *userdata) {
        return escape_main(argc, argv, userdata, ACTION_UNESCAPE);
}
