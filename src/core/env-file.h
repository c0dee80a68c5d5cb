/* SPDX-License-Identifier: MIT */
#pragma once

/* EnvironmentFile= (systemd.exec(5)): files of VAR=VALUE lines, read before
 * a command is started.
 *
 * Grammar, as systemd's parse_env_file():
 *   file    := { line }
 *   line    := ws* ( comment | assignment | ws* ) "\n"
 *   comment := ("#" | ";") any-but-newline*
 *   assignment := key ws* "=" ws* value
 *   key     := a valid environment variable name (lines with an invalid key
 *              or without "=" are skipped)
 *   value   := { unquoted | "'" any-but-' "'" | '"' dq-char* '"' }
 *   unquoted: up to the end of the line; "\" escapes the next character,
 *             "\" + newline continues the value on the next line; trailing
 *             unescaped whitespace is dropped
 *   dq-char : "\" followed by one of " \ ` $ stands for that character,
 *             "\" + newline is a continuation, any other "\" is kept
 * Quoted and unquoted parts concatenate ('a'"b"c is abc); blanks right
 * after a closing quote are skipped ('a' b is ab).  There is no variable
 * expansion and no "export" keyword. */

#include <stdbool.h>

/* Parse text (NUL-terminated) and set every assignment in *env (a strv of
 * VAR=VALUE, later ones win).  Returns the number of assignments, or
 * -ENOMEM. */
int env_file_parse(const char *text, char ***env);

/* Read every EnvironmentFile= entry in order and apply it to *env.  An
 * entry starting with "-" may be missing; otherwise a missing or unreadable
 * file is an error.  Entries may be globs (each match is read, in sorted
 * order).  Returns 0 or -errno. */
int env_file_load_all(char * const *entries, char ***env);
