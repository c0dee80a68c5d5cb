/* SPDX-License-Identifier: MIT */
/* The unit-file lexer.  The grammar is at the top of conf-parser.h; the
 * comments below say where porter follows a systemd quirk on purpose. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "escape.h"
#include "fd-util.h"
#include "string-util.h"
#include "strv.h"
#include "utf8.h"

#define UTF8_BOM "\xEF\xBB\xBF"
#define COMMENTS "#;"

static char *mfree_str(char *p) {
        free(p);
        return NULL;
}

static const char *const severity_table[_DIAGNOSTIC_SEVERITY_MAX] = {
        [DIAGNOSTIC_WARNING] = "warning",
        [DIAGNOSTIC_ERROR] = "error",
};

const char *diagnostic_severity_to_string(DiagnosticSeverity s) {
        if ((unsigned) s >= _DIAGNOSTIC_SEVERITY_MAX)
                return NULL;
        return severity_table[s];
}

int diagnostics_addv(Diagnostics *d, const char *path, unsigned line, DiagnosticSeverity severity,
                     const char *format, va_list ap) {
        _cleanup_free_ char *p = NULL, *m = NULL;

        if (!d)
                return 0;
        if (vasprintf(&m, format, ap) < 0) {
                m = NULL;
                return -ENOMEM;
        }
        if (path) {
                p = strdup(path);
                if (!p)
                        return -ENOMEM;
        }
        if (!GREEDY_REALLOC(d->items, d->allocated, d->n + 1))
                return -ENOMEM;
        d->items[d->n++] = (Diagnostic) {
                .path = TAKE_PTR(p),
                .line = line,
                .severity = severity,
                .message = TAKE_PTR(m),
        };
        return 0;
}

int diagnostics_add(Diagnostics *d, const char *path, unsigned line, DiagnosticSeverity severity,
                    const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = diagnostics_addv(d, path, line, severity, format, ap);
        va_end(ap);
        return r;
}

size_t diagnostics_count(const Diagnostics *d, DiagnosticSeverity severity) {
        size_t n = 0;

        for (size_t i = 0; d && i < d->n; i++)
                if (d->items[i].severity == severity)
                        n++;
        return n;
}

void diagnostics_done(Diagnostics *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].path);
                free(d->items[i].message);
        }
        free(d->items);
        *d = (Diagnostics) {};
}

int config_warn(const ConfigContext *ctx, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = diagnostics_addv(ctx->diagnostics, ctx->path, ctx->line, DIAGNOSTIC_WARNING, format, ap);
        va_end(ap);
        return r;
}

int config_error(const ConfigContext *ctx, int error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = diagnostics_addv(ctx->diagnostics, ctx->path, ctx->line, DIAGNOSTIC_ERROR, format, ap);
        va_end(ap);
        return r < 0 ? r : error;
}

/* Parser state that lives across lines of one file. */
typedef struct LexState {
        const ConfigParseParams *params;
        unsigned line;                  /* current physical line */
        char *section;                  /* NULL before the first header or in an ignored section */
        bool section_ignored;           /* unknown or X- section: drop its keys silently */
} LexState;

static int lex_warn(const LexState *s, unsigned line, const char *format, ...) _printf_(3, 4);
static int lex_warn(const LexState *s, unsigned line, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = diagnostics_addv(s->params->diagnostics, s->params->path, line, DIAGNOSTIC_WARNING, format, ap);
        va_end(ap);
        return r;
}

static int lex_fail(const LexState *s, unsigned line, int error, const char *format, ...) _printf_(4, 5);
static int lex_fail(const LexState *s, unsigned line, int error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = diagnostics_addv(s->params->diagnostics, s->params->path, line, DIAGNOSTIC_ERROR, format, ap);
        va_end(ap);
        return r < 0 ? r : error;
}

/* Read one physical line into *buf (NUL-terminated, terminator removed).
 * "\n", "\r\n", "\r" and NUL each end a line, as systemd's read_line() does.
 * Returns 1 with a line, 0 at end of file with nothing read, -ENOBUFS if the
 * line is longer than CONFIG_LINE_MAX, or -errno on a read error.
 * *any is set once a byte was read (to tell an empty file apart). */
static int read_physical_line(FILE *f, char **buf, size_t *allocated, bool *any) {
        size_t n = 0;
        bool got = false;
        int c;

        for (;;) {
                c = getc_unlocked(f);
                if (c == EOF)
                        break;
                got = *any = true;
                if (c == '\n' || c == '\0')
                        break;
                if (c == '\r') {
                        int d = getc_unlocked(f);
                        if (d != '\n' && d != EOF)
                                ungetc(d, f);
                        break;
                }
                /* systemd's read_line() counts the terminator: a line of
                 * exactly CONFIG_LINE_MAX bytes is already too long. */
                if (n >= CONFIG_LINE_MAX - 1)
                        return -ENOBUFS;
                if (!GREEDY_REALLOC(*buf, *allocated, n + 2))
                        return -ENOMEM;
                (*buf)[n++] = (char) c;
        }
        if (ferror(f))
                return negative_errno();
        if (!got)
                return 0;
        if (!GREEDY_REALLOC(*buf, *allocated, n + 1))
                return -ENOMEM;
        (*buf)[n] = '\0';
        return 1;
}

/* A section name must not carry control characters, quotes, backslashes or
 * DEL (systemd's string_is_safe()). */
static bool section_name_is_safe(const char *n) {
        for (const unsigned char *p = (const unsigned char *) n; *p; p++)
                if (*p < ' ' || *p == 127 || strchr("\"'\\", *p))
                        return false;
        return true;
}

static bool section_is_allowed(const LexState *s, const char *name) {
        return !s->params->sections || strv_contains(s->params->sections, name);
}

static int parse_section_header(LexState *s, char *l, unsigned line) {
        size_t k = strlen(l);
        _cleanup_free_ char *name = NULL, *shown = NULL;

        if (k < 2 || l[k - 1] != ']') {
                shown = cescape(l);
                return lex_fail(s, line, -EBADMSG, "Invalid section header '%s'", shown ?: l);
        }
        name = strndup(l + 1, k - 2);
        if (!name)
                return -ENOMEM;
        if (!section_name_is_safe(name)) {
                shown = cescape(l);
                return lex_fail(s, line, -EBADMSG, "Bad characters in section header '%s'", shown ?: l);
        }

        s->section = mfree_str(s->section);
        s->section_ignored = false;
        if (!section_is_allowed(s, name)) {
                /* X- sections are extension data for other tools: silent. */
                if (!startswith(name, "X-")) {
                        int r = lex_warn(s, line, "Unknown section '%s'. Ignoring.", name);
                        if (r < 0)
                                return r;
                }
                s->section_ignored = true;
                return 0;
        }
        s->section = TAKE_PTR(name);
        return 0;
}

static int dispatch_assignment(LexState *s, const char *key, const char *value, unsigned line) {
        const ConfigParseParams *p = s->params;
        ConfigParserCallback func = NULL;
        void *data = NULL;
        int ltype = 0, r;

        r = p->lookup ? p->lookup(s->section, key, &func, &ltype, &data, p->userdata) : 0;
        if (r < 0)
                return r;
        if (r == 0) {
                if (startswith(key, "X-"))
                        return 0;
                return lex_warn(s, line, "Unknown key '%s' in section [%s], ignoring.", key, s->section);
        }
        if (!func)
                return 0;

        ConfigContext ctx = {
                .path = p->path,
                .line = line,
                .unit = p->unit,
                .diagnostics = p->diagnostics,
                .specifiers = p->specifiers,
        };
        return func(&ctx, s->section, key, ltype, value, data, p->userdata);
}

/* One logical line (already joined).  line is its last physical line. */
static int parse_logical_line(LexState *s, char *l, unsigned line) {
        char *e;

        l = strstrip(l);
        if (isempty(l))
                return 0;
        if (!utf8_is_valid(l)) {
                _cleanup_free_ char *shown = cescape(l);
                return lex_warn(s, line, "Line is not UTF-8 clean, ignoring: %s", shown ?: "");
        }
        if (l[0] == '[')
                return parse_section_header(s, l, line);

        if (!s->section) {
                if (s->section_ignored)
                        return 0;
                return lex_warn(s, line, "Assignment outside of section. Ignoring.");
        }

        e = strchr(l, '=');
        if (!e)
                return lex_warn(s, line, "Missing '=', ignoring line.");
        if (e == l)
                return lex_warn(s, line, "Missing key name before '=', ignoring line.");
        *e = '\0';
        return dispatch_assignment(s, strstrip(l), strstrip(e + 1), line);
}

/* True if s ends in a backslash that is not itself escaped. */
static bool ends_in_unescaped_backslash(const char *s) {
        bool escaped = false;

        for (; *s; s++)
                escaped = escaped ? false : *s == '\\';
        return escaped;
}

static bool is_comment_line(const char *l) {
        l += strspn(l, WHITESPACE);
        return *l && strchr(COMMENTS, *l);
}

int config_parse(const ConfigParseParams *p, FILE *f) {
        _cleanup_free_ char *buf = NULL, *cont = NULL;
        size_t allocated = 0;
        bool any = false, bom_seen = false;
        LexState s = { .params = p };
        int r;

        for (;;) {
                char *l;

                r = read_physical_line(f, &buf, &allocated, &any);
                if (r == -ENOBUFS) {
                        r = lex_fail(&s, s.line + 1, -ENOBUFS, "Line too long (more than %u bytes), refusing file.",
                                     CONFIG_LINE_MAX);
                        goto finish;
                }
                if (r < 0)
                        goto finish;
                if (r == 0)
                        break;
                s.line++;
                l = buf;

                /* A comment line is dropped whole, even inside a continuation
                 * and even when it ends in a backslash.  As in systemd, this
                 * is decided before a byte order mark is removed. */
                if (is_comment_line(l))
                        continue;

                /* One byte order mark is skipped: the first one found at the
                 * start of a line (systemd does not insist on line 1). */
                if (!bom_seen) {
                        char *q = startswith(l, UTF8_BOM);
                        if (q) {
                                l = q;
                                bom_seen = true;
                        }
                }

                if (cont) {
                        size_t a = strlen(cont), b = strlen(l);
                        char *joined;

                        if (a + b > CONFIG_LINE_MAX) {
                                r = lex_fail(&s, s.line, -ENOBUFS,
                                             "Continuation line too long (more than %u bytes), refusing file.",
                                             CONFIG_LINE_MAX);
                                goto finish;
                        }
                        joined = realloc(cont, a + b + 1);
                        if (!joined) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        memcpy(joined + a, l, b + 1);
                        cont = joined;
                        l = cont;
                }

                if (ends_in_unescaped_backslash(l)) {
                        l[strlen(l) - 1] = ' ';
                        if (!cont) {
                                cont = strdup(l);
                                if (!cont) {
                                        r = -ENOMEM;
                                        goto finish;
                                }
                        }
                        continue;
                }

                /* Like systemd, a joined line is reported at its last
                 * physical line. */
                r = parse_logical_line(&s, l, s.line);
                cont = mfree_str(cont);
                if (r < 0)
                        goto finish;
        }

        /* At EOF a pending continuation is parsed as it stands. */
        if (cont) {
                r = parse_logical_line(&s, cont, s.line);
                if (r < 0)
                        goto finish;
        }
        r = any ? 0 : 1;

finish:
        free(s.section);
        return r;
}

int config_parse_file(const ConfigParseParams *p) {
        _cleanup_fclose_ FILE *f = NULL;

        f = fopen(p->path, "re");
        if (!f) {
                int r = negative_errno();
                diagnostics_add(p->diagnostics, p->path, 0, DIAGNOSTIC_ERROR, "Failed to open file: %s",
                                strerror(-r));
                return r;
        }
        return config_parse(p, f);
}
