/* SPDX-License-Identifier: MIT */
/* porterctl: drive porterd the way systemctl drives systemd.  This file is
 * argument parsing and the verb table; each verb lives in porterctl-<verb>.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "porter-config.h"
#include "porterctl.h"
#include "porterctl-output.h"
#include "porterctl-verbs.h"
#include "string-util.h"
#include "strv.h"
#include "verbs.h"

static int verb_help(int argc, char *argv[], void *userdata);

static const Verb porterctl_verbs[] = {
        PORTERCTL_VERB_ROWS
        { "help", 1, 1, verb_help, "Show this help" },
        {}
};

static void help(void) {
        printf("porterctl [OPTIONS...] COMMAND ...\n\n"
               "Query or send control commands to porter, the socket-activation manager.\n\n"
               "Commands:\n");
        for (const Verb *v = porterctl_verbs; v->name; v++)
                printf("  %-16s %s\n", v->name, v->help);
        printf("\nOptions:\n"
               "  -h --help            Show this help\n"
               "     --version         Show the version\n"
               "     --user            Talk to the user's manager, use the user search paths\n"
               "     --system          Talk to the system manager (default)\n"
               "     --no-block        Do not wait for a job to finish\n"
               "     --no-pager        Do not pipe output into a pager\n"
               "     --no-legend       Do not print the table header and legend\n"
               "  -a --all             list-units: show inactive units too\n"
               "  -o --output=MODE     Output mode: short (default) or json\n"
               "     --json            Same as --output=json\n"
               "  -p --property=NAME   Show only this property (show)\n"
               "     --root=DIR        enable/disable/is-enabled/mask/cat: work on the tree below DIR\n"
               "     --now             enable/disable/reenable: start/stop the units too\n"
               "  -f --force           enable/mask: replace conflicting symlinks\n"
               "     --runtime         enable/disable/mask: links below /run, until reboot\n"
               "     --no-reload       enable/disable: do not make porterd reload\n"
               "  -q --quiet           is-enabled: print nothing; enable/disable: no change messages\n"
               "     --path            escape: the string is a path\n"
               "     --suffix=SUFFIX   escape: append this unit type suffix\n"
               "     --template=NAME   escape: insert into this template\n"
               "  -u --unescape        escape: unescape instead\n"
               "  -m --mangle          escape: mangle a string into a unit name\n"
               "     --instance        escape: with --unescape, take the instance part\n");
}

static int verb_help(int argc, char *argv[], void *userdata) {
        help();
        return 0;
}

enum {
        ARG_VERSION = 0x100,
        ARG_USER,
        ARG_SYSTEM,
        ARG_NO_BLOCK,
        ARG_NO_PAGER,
        ARG_NO_LEGEND,
        ARG_JSON,
        ARG_PATH,
        ARG_SUFFIX,
        ARG_TEMPLATE,
        ARG_INSTANCE,
        ARG_ROOT,
        ARG_NOW,
        ARG_RUNTIME,
        ARG_NO_RELOAD,
};

static int parse_argv(int argc, char *argv[], const char *optstring, PorterctlArgs *args) {
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "version",   no_argument,       NULL, ARG_VERSION   },
                { "user",      no_argument,       NULL, ARG_USER      },
                { "system",    no_argument,       NULL, ARG_SYSTEM    },
                { "no-block",  no_argument,       NULL, ARG_NO_BLOCK  },
                { "no-pager",  no_argument,       NULL, ARG_NO_PAGER  },
                { "no-legend", no_argument,       NULL, ARG_NO_LEGEND },
                { "all",       no_argument,       NULL, 'a'           },
                { "output",    required_argument, NULL, 'o'           },
                { "json",      no_argument,       NULL, ARG_JSON      },
                { "property",  required_argument, NULL, 'p'           },
                { "path",      no_argument,       NULL, ARG_PATH      },
                { "suffix",    required_argument, NULL, ARG_SUFFIX    },
                { "template",  required_argument, NULL, ARG_TEMPLATE  },
                { "unescape",  no_argument,       NULL, 'u'           },
                { "mangle",    no_argument,       NULL, 'm'           },
                { "instance",  no_argument,       NULL, ARG_INSTANCE  },
                { "root",      required_argument, NULL, ARG_ROOT      },
                { "now",       no_argument,       NULL, ARG_NOW       },
                { "force",     no_argument,       NULL, 'f'           },
                { "runtime",   no_argument,       NULL, ARG_RUNTIME   },
                { "no-reload", no_argument,       NULL, ARG_NO_RELOAD },
                { "quiet",     no_argument,       NULL, 'q'           },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, optstring, options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("porter %s\n", PORTER_VERSION);
                        return 0;
                case ARG_USER:
                        args->user = true;
                        break;
                case ARG_SYSTEM:
                        args->user = false;
                        break;
                case ARG_NO_BLOCK:
                        args->no_block = true;
                        break;
                case ARG_NO_PAGER:
                        args->no_pager = true;
                        break;
                case ARG_NO_LEGEND:
                        args->no_legend = true;
                        break;
                case 'a':
                        args->all = true;
                        break;
                case 'o':
                        if (streq(optarg, "json") || streq(optarg, "json-pretty"))
                                args->output = OUTPUT_JSON;
                        else if (streq(optarg, "short"))
                                args->output = OUTPUT_SHORT;
                        else
                                return log_error_errno(-EINVAL, "Unknown output mode '%s'.", optarg);
                        break;
                case ARG_JSON:
                        args->output = OUTPUT_JSON;
                        break;
                case 'p':
                        if (strv_extend(&args->properties, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_PATH:
                        args->escape_path = true;
                        break;
                case ARG_SUFFIX:
                        args->escape_suffix = optarg;
                        break;
                case ARG_TEMPLATE:
                        args->escape_template = optarg;
                        break;
                case 'u':
                        args->escape_unescape = true;
                        break;
                case 'm':
                        args->escape_mangle = true;
                        break;
                case ARG_INSTANCE:
                        args->escape_instance = true;
                        break;
                case ARG_ROOT:
                        args->root = optarg;
                        break;
                case ARG_NOW:
                        args->now = true;
                        break;
                case 'f':
                        args->force = true;
                        break;
                case ARG_RUNTIME:
                        args->runtime = true;
                        break;
                case ARG_NO_RELOAD:
                        args->no_reload = true;
                        break;
                case 'q':
                        args->quiet = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }
        return 1;
}

int main(int argc, char *argv[]) {
        PorterctlArgs args = {};
        int r;

        log_set_prefix("porterctl");
        /* '+': stop at the verb, so that "escape -- -foo" works. */
        r = parse_argv(argc, argv, "+afho:p:qum", &args);
        if (r <= 0)
                goto finish;

        if (optind >= argc) {
                help();
                r = -EINVAL;
                goto finish;
        }
        int verb = optind;
        if (!streq(argv[verb], "escape") && !streq(argv[verb], "unescape") && !streq(argv[verb], "kill")) {
                /* Options after the verb too, as systemctl takes them
                 * ("enable --now foo.socket"): getopt moves the operands
                 * behind the options of argv[verb..].  escape, unescape and
                 * kill parse their own options. */
                int sub_argc = argc - verb;
                optind = 0;
                r = parse_argv(sub_argc, argv + verb, "afho:p:qum", &args);
                if (r <= 0)
                        goto finish;
                int first = verb + optind;
                if (first > verb + 1) {
                        /* put the verb right before the operands */
                        argv[first - 1] = argv[verb];
                        verb = first - 1;
                }
        }
        r = dispatch_verb(argc - verb, argv + verb, porterctl_verbs, &args);

finish:
        porterctl_pager_close();
        strv_free(args.properties);
        /* Verbs return an exit status (>= 0) or a negative errno, which is a
         * generic failure (systemctl exits 1 for those). */
        return r < 0 ? EXIT_FAILURE : r;
}
