/* SPDX-License-Identifier: MIT */
#pragma once

/* Exec*= command lines (systemd.service(5), "Command lines"; spec §8).
 *
 * Grammar of one setting value, after the loader trimmed it:
 *
 *   value    := command ( ws+ ";" ws+ command )*
 *   command  := prefix* path ( ws+ word )*
 *   prefix   := "-" | "@" | ":" | "+" | "!" | "!!" | "|"
 *
 * - Words are split and unquoted by extract_first_word() with
 *   EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE (quotes, C escapes); an unknown escape
 *   is kept verbatim as systemd's retry with EXTRACT_CUNESCAPE_RELAX does.
 * - Prefixes are the leading characters of the first word, in any order, each
 *   at most once.  '+' and '!' exclude each other.  "!!" (ambient
 *   capabilities, dropped in v258) is accepted and ignored.
 * - '@': the word after the path becomes argv[0]; without '@' argv[0] is the
 *   path as written (systemd keeps the word as given, not its basename).
 * - '|' (v258): run through the shell of User= with "-c".  Porter keeps the
 *   remaining words in argv, unresolved (path NULL), and
 *   exec_command_shell_argv() builds "<shell> -c '<words joined by spaces>'"
 *   at spawn time; with '@' the shell's argv[0] gets a leading '-' (login
 *   shell).  A '|' with no words runs the shell interactively.
 * - A word ";" alone separates commands (deprecated upstream since v257,
 *   still honoured); "\;" is a literal ";" argument.  Empty commands (";" at
 *   the start or end, "; ;") are skipped, as systemd 252 does (checked with
 *   systemd-analyze verify).  Note that a quoted ";" is a separator too.
 * - The path is an absolute path, or a bare name without '/' that is kept
 *   as written and searched at spawn time with exec_command_find_executable()
 *   (systemd resolves it in exec-invoke.c, so a missing binary fails the
 *   start, not the load).  A relative path with '/' ("bin/x"), a path ending
 *   in '/', an empty path and control characters are errors.
 * - "$VAR" / "${VAR}" stay in argv; exec_command_expand_env() replaces them
 *   at spawn time unless ':' was given.
 * - The optional expand callback (specifiers) is called on every word after
 *   unquoting, the path word after its prefixes were removed. */

#include <stdbool.h>

#include "macro.h"

typedef enum ExecCommandFlags {
        EXEC_COMMAND_IGNORE_FAILURE   = 1 << 0, /* '-' */
        EXEC_COMMAND_FULLY_PRIVILEGED = 1 << 1, /* '+' */
        EXEC_COMMAND_NO_SETUID        = 1 << 2, /* '!' */
        EXEC_COMMAND_NO_ENV_EXPAND    = 1 << 3, /* ':' */
        EXEC_COMMAND_VIA_SHELL        = 1 << 4, /* '|' */
        EXEC_COMMAND_LOGIN_SHELL      = 1 << 5, /* '|' with '@': argv[0] of the shell starts with '-' */
} ExecCommandFlags;

typedef struct ExecCommand {
        char *path;      /* executable: absolute, or bare name to be searched at spawn; NULL for '|' */
        char **argv;     /* argv[0] is the path word, or the '@' word; for '|' the words for -c */
        ExecCommandFlags flags;
        struct ExecCommand *next; /* several lines for one setting form a list */
} ExecCommand;

/* Optional per-word transform (specifier expansion), called on every word
 * after unquoting.  Return 0 and a new string in *ret, or a negative errno
 * which aborts the parse. */
typedef int (*exec_word_expand_t)(const char *word, char **ret, void *userdata);

/* Parse one Exec*= value into a list of commands (more than one only with
 * ";").  Returns the number of commands (≥ 1) with the list in *ret; 0 with
 * *ret = NULL when there is no command at all (empty, whitespace, or only
 * ";" words: the caller decides that only an empty value resets the list,
 * as systemd does); a negative errno on error, with a human-readable reason in
 * *ret_error (a new string, may be NULL if ret_error is NULL or on ENOMEM):
 * -EINVAL for bad syntax, the expand callback's error as is, -ENOMEM. */
int exec_command_parse(const char *line, exec_word_expand_t expand, void *userdata,
                       ExecCommand **ret, char **ret_error);

/* True if the first word of line carries the '-' prefix: the loader asks
 * this after a parse error, since systemd then only warns instead of
 * refusing the unit. */
bool exec_command_line_ignores_failure(const char *line);

/* Free the list c (NULL is fine); returns NULL. */
ExecCommand *exec_command_free_list(ExecCommand *c);
static inline void exec_command_free_listp(ExecCommand **c) {
        exec_command_free_list(*c);
}
#define _cleanup_exec_command_free_list_ _cleanup_(exec_command_free_listp)

/* Append list b to the end of *a (*a may be NULL). */
void exec_command_append_list(ExecCommand **a, ExecCommand *b);

/* Render one command (not the list) back into unit-file syntax, prefixes
 * included, every word quoted and escaped where needed, so that parsing the
 * result gives the same command.  NULL on ENOMEM. */
char *exec_command_to_string(const ExecCommand *c);

/* Find a bare executable name in systemd's default search path
 * /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin (first
 * regular file with an execute bit wins).  An absolute name is checked and
 * copied.  Returns 0 with a new string, -ENOENT if not found, -EINVAL if name
 * is empty, relative with '/', or not a valid file name. */
int exec_command_find_executable(const char *name, char **ret);

/* Expand environment variables in argv at spawn time (env is the service's
 * final environment):
 *   - a word that is exactly "$NAME" becomes the value split at whitespace
 *     with quotes respected and removed (zero or more words; unset → none);
 *   - "${NAME}" anywhere in a word is replaced by the exact value (unset →
 *     empty), the word stays one word; the shell forms "${A:-b}"/"${A:+b}"
 *     are not supported on command lines (systemd enables them only for
 *     environment files) and, like any invalid name, give "";
 *   - "${" without a closing brace stays literal;
 *   - "$$" gives a literal "$"; any other '$' stays as it is.
 * Returns 0 with a new strv in *ret, or -ENOMEM. */
int exec_command_expand_env(char * const *argv, char * const *env, char ***ret);

/* For EXEC_COMMAND_VIA_SHELL: build the argv that runs the words `argv`
 * through `shell` (an absolute path) with -c, or the bare shell when there
 * are none; argv[0] is the shell's basename, prefixed with '-' for
 * EXEC_COMMAND_LOGIN_SHELL.  Returns 0 or -ENOMEM/-EINVAL.
 *
 * Upstream (PR #37071) joins the words into the "-c" string at load time,
 * so env expansion then sees one word: "${FOO}" is replaced inside it and a
 * "$FOO" word is left for the shell.  To match, pass c->argv here first and
 * run exec_command_expand_env() on the result (unless ':'). */
int exec_command_shell_argv(const ExecCommand *c, char * const *argv, const char *shell, char ***ret);
