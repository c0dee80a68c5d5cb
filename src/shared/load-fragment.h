/* SPDX-License-Identifier: MIT */
#pragma once

/* The directive parsers of unit files: one ConfigParserCallback per value
 * grammar, dispatched from the table in unit-directives.gperf.
 *
 * Conventions shared by every parser here (spec §1.1 items 10-11):
 *  - data points at the field the table row names; userdata is the
 *    UnitConfig being loaded.
 *  - A bad value adds a warning ending in ", ignoring" and returns 0; the
 *    field keeps its earlier value.  Scalars: the last valid assignment wins;
 *    an empty value is a parse error unless the parser says otherwise.
 *  - List settings accumulate; an empty assignment resets the list where
 *    systemd documents it.
 *  - Fatal errors return -ENOEXEC after adding an error diagnostic: an
 *    invalid Exec*= line without the '-' prefix, an invalid User=, Group=,
 *    SocketUser= or SocketGroup= (spec §1.1 item 11), and, as in systemd, a
 *    relative or unresolvable WorkingDirectory= without the '-' prefix.
 *  - Specifiers (%n, %i, ...) are expanded where systemd expands them; an
 *    unknown or unresolvable one fails that setting with a warning.
 *
 * The parsers are split by what they configure: load-fragment.c (generic
 * values, [Unit], [Install], unsupported), load-fragment-exec.c (exec and
 * kill context, [Service]), load-fragment-socket.c ([Socket]). */

#include <stddef.h>

#include "conf-parser.h"
#include "unit-directives.h"

/* A ConfigItemLookup for config_parse(): finds the row and points data into
 * the object of the section (userdata is the UnitConfig). */
int load_fragment_lookup(const char *section, const char *lvalue, ConfigParserCallback *ret_func,
                         int *ret_ltype, void **ret_data, void *userdata);

/* Expand the specifiers of rvalue (a copy if ctx has no specifier context).
 * Returns 1 with *ret set; 0 after adding the warning "Failed to resolve
 * specifiers in Key=..., ignoring" (the setting is to be skipped); -ENOMEM. */
int config_expand_specifiers(const ConfigContext *ctx, const char *lvalue, const char *rvalue, char **ret);

/* Split rvalue into words (quotes and escapes of systemd.syntax(7)), expand
 * specifiers in each when asked, and hand each to add(), which takes
 * ownership of the word.  add() rejects a word by adding a warning and
 * returning 0: the other words still apply.  A syntax error warns and stops;
 * a word whose specifiers do not resolve is skipped.  Returns 0 or -ENOMEM
 * (or what add() returned, if negative). */
typedef int (*config_word_add_t)(const ConfigContext *ctx, const char *lvalue, char *word, void *data);
int config_for_each_word(const ConfigContext *ctx, const char *lvalue, const char *rvalue, bool specifiers,
                         config_word_add_t add, void *data);

/* A list setting of words (specifiers expanded): "" resets the list *l,
 * anything else adds each word through add() (see config_for_each_word). */
int config_parse_word_list(const ConfigContext *ctx, const char *lvalue, const char *rvalue, char ***l,
                           config_word_add_t add);

/* Add the standard warning "Failed to parse Key=value: reason, ignoring"
 * (error may be 0 for no reason); returns 0 or -ENOMEM. */
int config_warn_parse(const ConfigContext *ctx, const char *lvalue, const char *rvalue, int error);

#define CONFIG_PARSER_PROTOTYPE(name)                                                            \
        int name(const ConfigContext *ctx, const char *section, const char *lvalue, int ltype,   \
                 const char *rvalue, void *data, void *userdata)

/* Generic values (load-fragment.c). */
CONFIG_PARSER_PROTOTYPE(config_parse_unsupported);      /* keep raw value, warn once per key and file */
CONFIG_PARSER_PROTOTYPE(config_parse_bool);             /* bool */
CONFIG_PARSER_PROTOTYPE(config_parse_unsigned);         /* unsigned */
CONFIG_PARSER_PROTOTYPE(config_parse_int);              /* int */
CONFIG_PARSER_PROTOTYPE(config_parse_long);             /* long */
CONFIG_PARSER_PROTOTYPE(config_parse_iec_size);         /* uint64_t, base 1024; ltype = maximum (0: SIZE_MAX) */
CONFIG_PARSER_PROTOTYPE(config_parse_mode);             /* mode_t, octal <= 07777 */
CONFIG_PARSER_PROTOTYPE(config_parse_sec);              /* usec_t */
CONFIG_PARSER_PROTOTYPE(config_parse_sec_fix_0);        /* usec_t, 0 = infinity */
CONFIG_PARSER_PROTOTYPE(config_parse_string);           /* char*, raw; empty = NULL */
CONFIG_PARSER_PROTOTYPE(config_parse_signal);           /* int; ltype = value for "" */
CONFIG_PARSER_PROTOTYPE(config_parse_unit_string_printf); /* char*, specifiers; empty = NULL */
CONFIG_PARSER_PROTOTYPE(config_parse_unit_path_strv_printf); /* char**, absolute paths; "" resets */

/* [Unit] and [Install] (load-fragment.c). */
CONFIG_PARSER_PROTOTYPE(config_parse_documentation);
CONFIG_PARSER_PROTOTYPE(config_parse_unit_deps);        /* ltype = UnitDependency */
CONFIG_PARSER_PROTOTYPE(config_parse_obsolete_unit_deps);
CONFIG_PARSER_PROTOTYPE(config_parse_unit_mounts_for);
CONFIG_PARSER_PROTOTYPE(config_parse_emergency_action);
CONFIG_PARSER_PROTOTYPE(config_parse_unit_condition_path);
CONFIG_PARSER_PROTOTYPE(config_parse_unit_condition_string);
CONFIG_PARSER_PROTOTYPE(config_parse_install_names);
CONFIG_PARSER_PROTOTYPE(config_parse_default_instance);

/* Exec and kill context, [Service] (load-fragment-exec.c). */
CONFIG_PARSER_PROTOTYPE(config_parse_exec);             /* ltype = index into the ExecCommand* array */
CONFIG_PARSER_PROTOTYPE(config_parse_user_group);       /* fatal on bad names */
CONFIG_PARSER_PROTOTYPE(config_parse_user_group_strv);
CONFIG_PARSER_PROTOTYPE(config_parse_working_directory);
CONFIG_PARSER_PROTOTYPE(config_parse_exec_nice);
CONFIG_PARSER_PROTOTYPE(config_parse_environ);
CONFIG_PARSER_PROTOTYPE(config_parse_env_file);
CONFIG_PARSER_PROTOTYPE(config_parse_pass_environ);
CONFIG_PARSER_PROTOTYPE(config_parse_unset_environ);
CONFIG_PARSER_PROTOTYPE(config_parse_exec_input);
CONFIG_PARSER_PROTOTYPE(config_parse_exec_output);      /* ltype = STDOUT_FILENO or STDERR_FILENO */
CONFIG_PARSER_PROTOTYPE(config_parse_exec_directories);
CONFIG_PARSER_PROTOTYPE(config_parse_rlimit);           /* ltype = RLIMIT_* */
CONFIG_PARSER_PROTOTYPE(config_parse_kill_mode);
CONFIG_PARSER_PROTOTYPE(config_parse_pid_file);
CONFIG_PARSER_PROTOTYPE(config_parse_service_timeout);  /* TimeoutSec= sets start and stop */
CONFIG_PARSER_PROTOTYPE(config_parse_service_type);
CONFIG_PARSER_PROTOTYPE(config_parse_service_restart);
CONFIG_PARSER_PROTOTYPE(config_parse_set_status);
CONFIG_PARSER_PROTOTYPE(config_parse_exec_preserve_mode);
CONFIG_PARSER_PROTOTYPE(config_parse_notify_access);
CONFIG_PARSER_PROTOTYPE(config_parse_service_sockets);

/* [Socket] (load-fragment-socket.c). */
CONFIG_PARSER_PROTOTYPE(config_parse_socket_listen);    /* ltype = SOCK_* or SOCKET_LISTEN_* */
CONFIG_PARSER_PROTOTYPE(config_parse_socket_protocol);
CONFIG_PARSER_PROTOTYPE(config_parse_socket_bind);
CONFIG_PARSER_PROTOTYPE(config_parse_socket_bindtodevice);
CONFIG_PARSER_PROTOTYPE(config_parse_ip_tos);
CONFIG_PARSER_PROTOTYPE(config_parse_socket_timestamping);
CONFIG_PARSER_PROTOTYPE(config_parse_fdname);
CONFIG_PARSER_PROTOTYPE(config_parse_socket_service);
CONFIG_PARSER_PROTOTYPE(config_parse_socket_defer_trigger);
CONFIG_PARSER_PROTOTYPE(config_parse_mptcp_fallback);   /* porter: MPTCPFallback= */

/* Parse a signal name ("SIGTERM", "TERM", "RTMIN+3", "SIGRTMAX-1") or
 * number.  Returns the signal number or -EINVAL. */
int signal_from_string(const char *s);

/* True if s is a valid FileDescriptorName= value: 1..255 printable ASCII
 * characters, no ':'. */
bool fdname_is_valid(const char *s);
