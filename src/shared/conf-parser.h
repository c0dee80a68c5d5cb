/* SPDX-License-Identifier: MIT */
#pragma once

/* The unit-file lexer (spec §1.1) and section/key dispatch.
 *
 * Grammar accepted by config_parse(), one logical line at a time:
 *
 *   file        := physical-line*
 *   physical    := any bytes up to "\n", "\r\n", "\r" or NUL (a NUL ends a
 *                  line like a newline does); shorter than 1 MiB (a line of
 *                  1 048 576 bytes is already refused, as by systemd), else
 *                  the whole file fails with -ENOBUFS
 *   comment     := ws* ("#" | ";") anything      ; whole line only, even
 *                                                ; inside a continuation
 *   BOM         := the first UTF-8 byte order mark found at the start of a
 *                  non-comment line is dropped (systemd's rule; normally it
 *                  is the first line)
 *   continuation:= a line whose accumulated text ends in an unescaped "\":
 *                  the "\" becomes " " and the next non-comment physical
 *                  line is appended verbatim (joined text ≤ 1 MiB)
 *   logical     := strip(" \t\n\r") of the joined text; empty → ignored;
 *                  invalid UTF-8 → warning, line ignored
 *   header      := "[" name "]"                  ; no trimming inside; no
 *                  closing "]" → -EBADMSG; control chars, quotes, "\" or DEL
 *                  in name → -EBADMSG
 *   assignment  := key ws* "=" ws* value         ; key = text before the
 *                  first "=", both trimmed; lookup of "Section.Key" is exact
 *                  and case-sensitive
 *
 * Diagnostics (warnings and errors) are collected in a Diagnostics list, not
 * printed: the caller decides (porterctl verify prints them; porterd logs
 * them with the unit name). */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

/* The longest physical or joined line (systemd's LONG_LINE_MAX). */
#define CONFIG_LINE_MAX (1024U * 1024U)

typedef enum DiagnosticSeverity {
        DIAGNOSTIC_WARNING,
        DIAGNOSTIC_ERROR,
        _DIAGNOSTIC_SEVERITY_MAX,
} DiagnosticSeverity;

/* "warning", "error". */
const char *diagnostic_severity_to_string(DiagnosticSeverity s) _const_;

typedef struct Diagnostic {
        char *path;             /* file the message is about; may be NULL */
        unsigned line;          /* 1-based; 0 = the file (or unit) as a whole */
        DiagnosticSeverity severity;
        char *message;          /* one sentence, no trailing newline */
} Diagnostic;

typedef struct Diagnostics {
        Diagnostic *items;
        size_t n;
        size_t allocated;
} Diagnostics;

/* Append a diagnostic.  Returns 0 or -ENOMEM (the list is then unchanged). */
int diagnostics_add(Diagnostics *d, const char *path, unsigned line, DiagnosticSeverity severity,
                    const char *format, ...) _printf_(5, 6);
int diagnostics_addv(Diagnostics *d, const char *path, unsigned line, DiagnosticSeverity severity,
                     const char *format, va_list ap) _printf_(5, 0);
/* Number of diagnostics with the given severity. */
size_t diagnostics_count(const Diagnostics *d, DiagnosticSeverity severity) _pure_;
/* Free every item; *d is left empty and reusable.  NULL-safe. */
void diagnostics_done(Diagnostics *d);

typedef struct SpecifierContext SpecifierContext;

/* What every directive parser gets to know about where it is. */
typedef struct ConfigContext {
        const char *path;                       /* the file being parsed */
        unsigned line;                          /* line of the assignment (the last physical line
                                                 * of a joined line, as systemd reports it) */
        const char *unit;                       /* unit name, e.g. "foo.socket" */
        Diagnostics *diagnostics;               /* where warnings go */
        const SpecifierContext *specifiers;     /* for %-expansion; may be NULL */
} ConfigContext;

/* The one prototype of every directive parser (systemd's ConfigParserCallback).
 * data points at the field the directive writes (base + offset of its table
 * row), userdata at the whole unit.  A bad value adds a warning ending in
 * ", ignoring" and returns 0, leaving the field as it was.  A negative return
 * stops parsing of the file: -ENOEXEC for the fatal settings (spec §1.1 item
 * 11), -ENOMEM. */
typedef int (*ConfigParserCallback)(const ConfigContext *ctx, const char *section, const char *lvalue,
                                    int ltype, const char *rvalue, void *data, void *userdata);

/* Find the parser for section.lvalue.  Returns 1 and fills the ret_*
 * arguments, or 0 if the key is unknown in this section. */
typedef int (*ConfigItemLookup)(const char *section, const char *lvalue, ConfigParserCallback *ret_func,
                                int *ret_ltype, void **ret_data, void *userdata);

typedef struct ConfigParseParams {
        const char *path;                       /* for diagnostics */
        const char *unit;
        char * const *sections;                 /* allowed section names; NULL = all */
        ConfigItemLookup lookup;
        void *userdata;                         /* passed to lookup and to every parser */
        Diagnostics *diagnostics;
        const SpecifierContext *specifiers;
} ConfigParseParams;

/* Parse the stream f (see the grammar at the top).  Returns 1 if f held no
 * bytes at all (an empty unit file means "masked"), 0 after a complete parse,
 * or a negative errno that made parsing stop: -ENOBUFS (line too long),
 * -EBADMSG (bad section header), a parser's fatal error (-ENOEXEC), -ENOMEM,
 * or a read error.  Settings applied before the error stay applied.  The
 * syntax stops (-ENOBUFS, -EBADMSG) add an error diagnostic; a parser adds
 * its own before returning -ENOEXEC; -ENOMEM and read errors add none. */
int config_parse(const ConfigParseParams *p, FILE *f);

/* Open path and config_parse() it. */
int config_parse_file(const ConfigParseParams *p);

/* config_parse() of what fd holds from its current offset to its end, read
 * with read(); p->path names it in diagnostics.  fd stays open.  With
 * regular_file (the caller fstat()ed it), a read() shorter than asked for
 * is taken as the end of the file, which spares the read() returning 0. */
int config_parse_fd(const ConfigParseParams *p, int fd, bool regular_file);

/* Helpers for directive parsers: add a warning (error) at the context's
 * file:line.  config_warn returns 0 (or -ENOMEM), config_error returns
 * `error` (or -ENOMEM), so that a parser can `return config_warn(...)`. */
int config_warn(const ConfigContext *ctx, const char *format, ...) _printf_(2, 3);
int config_error(const ConfigContext *ctx, int error, const char *format, ...) _printf_(3, 4);
