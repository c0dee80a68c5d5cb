/* SPDX-License-Identifier: MIT */
/* The unit-file lexer.  The grammar is at the top of conf-parser.h; the
 * comments below say where porter follows a systemd quirk on purpose. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Where the lexer's bytes come from: a file descriptor (config_parse_file()
 * reads the file with plain read() calls, no stdio) or a stdio stream
 * (config_parse()).  The bytes sit in one buffer; a physical line is handed
 * out in place, NUL-terminated, so a unit file of a few hundred bytes costs
 * one buffer, one read() with data and one that finds the end. */
typedef struct LineSource {
        int fd;                 /* read from this unless f is set */
        bool fd_regular;        /* fd is a regular file: a short read() is its end */
        FILE *f;
        char *buf;              /* inline, or on the heap once a file outgrows it */
        size_t allocated;
        size_t start, end;      /* unread bytes are buf[start..end) */
        bool eof;
        bool any;               /* a byte was read (tells an empty file apart) */
        char inline_buf[4096];  /* most unit files fit: no allocation at all */
} LineSource;

static void line_source_init(LineSource *src, int fd, bool fd_regular, FILE *f) {
        src->fd = fd;
        src->fd_regular = fd_regular;
        src->f = f;
        src->buf = src->inline_buf;
        src->allocated = sizeof src->inline_buf;
        src->start = src->end = 0;
        src->eof = src->any = false;
}

static void line_source_done(LineSource *src) {
        if (src->buf != src->inline_buf)
                free(src->buf);
        src->buf = NULL;
}

/* Room for need bytes: doubling, moving off the inline buffer. */
static int line_source_reserve(LineSource *src, size_t need) {
        size_t size = src->allocated;
        char *b;

        if (need <= size)
                return 0;
        while (size < need)
                size *= 2;
        if (src->buf == src->inline_buf) {
                b = malloc(size);
                if (b)
                        memcpy(b, src->buf, src->end);
        } else
                b = realloc(src->buf, size);
        if (!b)
                return -ENOMEM;
        src->buf = b;
        src->allocated = size;
        return 0;
}

/* Read more bytes after buf[end].  0, or -errno on a read error. */
static int line_source_fill(LineSource *src) {
        size_t n;

        /* Keep the unread bytes, at the front. */
        if (src->start > 0) {
                memmove(src->buf, src->buf + src->start, src->end - src->start);
                src->end -= src->start;
                src->start = 0;
        }
        /* Room for more and for the NUL after a last line: a buffer that a
         * long line fills to three quarters doubles, so no read() is tiny. */
        if (src->allocated - src->end - 1 < src->allocated / 4 &&
            line_source_reserve(src, src->allocated * 2) < 0)
                return -ENOMEM;
        n = src->allocated - src->end - 1;

        if (src->f) {
                size_t k = fread(src->buf + src->end, 1, n, src->f);
                if (k == 0) {
                        if (ferror(src->f))
                                return errno > 0 ? -errno : -EIO;
                        src->eof = true;
                }
                src->end += k;
        } else {
                ssize_t k;

                do
                        k = read(src->fd, src->buf + src->end, n);
                while (k < 0 && errno == EINTR);
                if (k < 0)
                        return negative_errno();
                /* A regular file gives less than asked for only at its end:
                 * that spares the read() that would return 0. */
                if (k == 0 || (src->fd_regular && (size_t) k < n))
                        src->eof = true;
                src->end += (size_t) k;
        }
        if (src->end > 0)
                src->any = true;
        return 0;
}

/* The next physical line, in place and NUL-terminated, in *ret.
 * "\n", "\r\n", "\r" and NUL each end a line, as systemd's read_line()
 * does.  Returns 1 with a line, 0 at end of file with nothing read,
 * -ENOBUFS if the line is CONFIG_LINE_MAX bytes or longer (systemd's
 * read_line() counts the terminator: a line of exactly CONFIG_LINE_MAX
 * bytes is already too long), or -errno on a read error. */
static int read_physical_line(LineSource *src, char **ret) {
        size_t scanned = 0; /* bytes after start known to hold no terminator */
        int r;

        for (;;) {
                char *b = src->buf;

                for (size_t i = src->start + scanned; i < src->end; i++) {
                        char c = b[i];
                        size_t next = i + 1;

                        /* One compare for most bytes: all three
                         * terminators are below '\r' + 1. */
                        if ((unsigned char) c > '\r' || (c != '\n' && c != '\r' && c != '\0'))
                                continue;
                        if (i - src->start >= CONFIG_LINE_MAX)
                                return -ENOBUFS;
                        if (c == '\r') {
                                if (next == src->end && !src->eof)
                                        break; /* is a "\n" next?  Read on. */
                                if (next < src->end && b[next] == '\n')
                                        next++;
                        }
                        b[i] = '\0';
                        *ret = b + src->start;
                        src->start = next;
                        return 1;
                }
                scanned = src->end - src->start;
                if (scanned > 0 && b[src->end - 1] == '\r')
                        scanned--; /* look at that "\r" again with what follows */
                if (scanned >= CONFIG_LINE_MAX)
                        return -ENOBUFS;

                if (src->eof) {
                        if (src->start == src->end)
                                return 0;
                        /* A last line without a terminator: line_source_fill()
                         * left room for the NUL. */
                        if (src->end - src->start >= CONFIG_LINE_MAX)
                                return -ENOBUFS;
                        src->buf[src->end] = '\0';
                        *ret = src->buf + src->start;
                        src->start = src->end;
                        return 1;
                }
                r = line_source_fill(src);
                if (r < 0)
                        return r;
        }
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

/* True if no byte of s has the high bit set: such a line is valid UTF-8
 * without decoding it character by character (most unit files). */
static bool ascii_only(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s >= 0x80)
                        return false;
        return true;
}

/* One logical line (already joined).  line is its last physical line. */
static int parse_logical_line(LexState *s, char *l, unsigned line) {
        char *e;

        l = strstrip(l);
        if (isempty(l))
                return 0;
        if (!ascii_only(l) && !utf8_is_valid(l)) {
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
        size_t n = strlen(s), k = 0;

        /* Escaped pairs cancel out: an odd run of trailing backslashes ends
         * in one that escapes the line end. */
        while (k < n && s[n - 1 - k] == '\\')
                k++;
        return k % 2 == 1;
}

static bool is_comment_line(const char *l) {
        l += strspn(l, WHITESPACE);
        return *l && strchr(COMMENTS, *l);
}

static int config_parse_source(const ConfigParseParams *p, LineSource *src) {
        _cleanup_free_ char *cont = NULL;
        bool bom_seen = false;
        LexState s = { .params = p };
        int r;

        for (;;) {
                char *l;

                r = read_physical_line(src, &l);
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
        r = src->any ? 0 : 1;

finish:
        free(s.section);
        return r;
}

int config_parse(const ConfigParseParams *p, FILE *f) {
        LineSource src;
        int r;

        line_source_init(&src, -EBADF, false, f);
        r = config_parse_source(p, &src);
        line_source_done(&src);
        return r;
}

int config_parse_fd(const ConfigParseParams *p, int fd, bool regular_file) {
        LineSource src;
        int r;

        line_source_init(&src, fd, regular_file, NULL);
        r = config_parse_source(p, &src);
        line_source_done(&src);
        return r;
}

int config_parse_file(const ConfigParseParams *p) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* open() and read(), not fopen(): stdio would add an fstat(), a
         * FILE and its buffer per file, 20,000 times for 10,000 socket
         * units with their services. */
        fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                diagnostics_add(p->diagnostics, p->path, 0, DIAGNOSTIC_ERROR, "Failed to open file: %s",
                                strerror(-r));
                return r;
        }
        return config_parse_fd(p, fd, false);
}
