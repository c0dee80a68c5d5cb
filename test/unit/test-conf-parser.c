/* SPDX-License-Identifier: MIT */
/* The lexer quirks of spec §1.1, one test each.  A recording parser stores
 * every dispatched assignment as "Section.Key=value@line". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

typedef struct Recorder {
        char **seen;
        int fail_with;          /* returned by the parser for key "Fatal" */
} Recorder;

static int record(const ConfigContext *ctx, const char *section, const char *lvalue, int ltype,
                  const char *rvalue, void *data, void *userdata) {
        Recorder *rec = userdata;
        char *s = NULL;

        if (streq(lvalue, "Fatal"))
                return config_error(ctx, rec->fail_with, "fatal %s", rvalue);
        if (asprintf(&s, "%s.%s=%s@%u", section, lvalue, rvalue, ctx->line) < 0)
                return -ENOMEM;
        return strv_consume(&rec->seen, s);
}

static int lookup(const char *section, const char *lvalue, ConfigParserCallback *ret_func, int *ret_ltype,
                  void **ret_data, void *userdata) {
        static const char *const known[] = { "Key", "Other", "Fatal", "ListenStream", "ExecStart", NULL };

        for (size_t i = 0; known[i]; i++)
                if (streq(lvalue, known[i])) {
                        *ret_func = record;
                        *ret_ltype = 0;
                        *ret_data = NULL;
                        return 1;
                }
        return 0;
}

static char *default_sections[] = { (char *) "Unit", (char *) "Socket", (char *) "Install", NULL };

/* Parse n bytes of text; returns config_parse()'s result. */
static int parse_n(const char *text, size_t n, Recorder *rec, Diagnostics *d) {
        FILE *f = n > 0 ? fmemopen((void *) text, n, "r") : fopen("/dev/null", "re");
        ConfigParseParams p = {
                .path = "/t/foo.socket",
                .unit = "foo.socket",
                .sections = default_sections,
                .lookup = lookup,
                .userdata = rec,
                .diagnostics = d,
        };
        int r;

        ASSERT_NOT_NULL(f);
        r = config_parse(&p, f);
        fclose(f);
        return r;
}

static int parse(const char *text, Recorder *rec, Diagnostics *d) {
        return parse_n(text, strlen(text), rec, d);
}

static void done(Recorder *rec, Diagnostics *d) {
        rec->seen = strv_free(rec->seen);
        diagnostics_done(d);
}

static bool has_message(const Diagnostics *d, unsigned line, DiagnosticSeverity sev, const char *needle) {
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].line == line && d->items[i].severity == sev &&
                    strstr(d->items[i].message, needle))
                        return true;
        return false;
}

TEST(basic_assignments_and_lines) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\nListenStream = 80 \n\n  Key=a=b\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[0], "Socket.ListenStream=80@2");
        /* split on the first '=' only */
        ASSERT_STREQ(rec.seen[1], "Socket.Key=a=b@4");
        ASSERT_EQ(d.n, 0);
        done(&rec, &d);
}

TEST(empty_file_is_masked) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse_n("", 0, &rec, &d), 1);
        /* a lone newline is not empty: only size 0 masks */
        ASSERT_EQ(parse("\n", &rec, &d), 0);
        ASSERT_EQ(parse("# only a comment\n", &rec, &d), 0);
        done(&rec, &d);
}

TEST(nul_ends_a_line) {
        static const char text[] = "[Socket]\nKey=abc\0Other=x\n";
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse_n(text, sizeof(text) - 1, &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=abc@2");
        ASSERT_STREQ(rec.seen[1], "Socket.Other=x@3");
        done(&rec, &d);
}

TEST(crlf_and_cr_line_endings) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\r\nKey=a\r\nOther=b\rListenStream=c", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 3);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=a@2");
        ASSERT_STREQ(rec.seen[1], "Socket.Other=b@3");
        ASSERT_STREQ(rec.seen[2], "Socket.ListenStream=c@4");
        done(&rec, &d);
}

TEST(line_limit) {
        Recorder rec = {};
        Diagnostics d = {};
        size_t n = CONFIG_LINE_MAX + 64, head = strlen("Key=");
        _cleanup_free_ char *big = malloc(n + 1);

        ASSERT_NOT_NULL(big);
        /* one byte below the limit: accepted */
        strcpy(big, "[Socket]\nKey=");
        memset(big + 9 + head, 'x', CONFIG_LINE_MAX - 1 - head);
        big[9 + CONFIG_LINE_MAX - 1] = '\n';
        ASSERT_EQ(parse_n(big, 9 + CONFIG_LINE_MAX, &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        done(&rec, &d);

        /* exactly 1 MiB: refused, the whole file fails (systemd 252 does too) */
        memset(big + 9 + head, 'x', CONFIG_LINE_MAX - head);
        big[9 + CONFIG_LINE_MAX] = '\n';
        ASSERT_ERROR(parse_n(big, 9 + CONFIG_LINE_MAX + 1, &rec, &d), ENOBUFS);
        ASSERT_TRUE(has_message(&d, 2, DIAGNOSTIC_ERROR, "too long"));
        ASSERT_EQ(strv_length(rec.seen), 0);
        done(&rec, &d);
}

TEST(continuation_limit) {
        Recorder rec = {};
        Diagnostics d = {};
        size_t half = CONFIG_LINE_MAX / 2 + 10;
        size_t n = 16 + 2 * (half + 2);
        _cleanup_free_ char *big = malloc(n);
        char *p = big;

        ASSERT_NOT_NULL(big);
        p = stpcpy(p, "[Socket]\nKey=");
        memset(p, 'a', half);
        p += half;
        p = stpcpy(p, "\\\n");
        memset(p, 'b', half);
        p += half;
        *p++ = '\n';
        ASSERT_ERROR(parse_n(big, p - big, &rec, &d), ENOBUFS);
        done(&rec, &d);
}

TEST(bom_skipped_once) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("\xEF\xBB\xBF[Socket]\nKey=1\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_EQ(d.n, 0);
        done(&rec, &d);

        /* systemd skips the first BOM at the start of any line ... */
        ASSERT_EQ(parse("[Socket]\n\xEF\xBB\xBFKey=1\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_EQ(d.n, 0);
        done(&rec, &d);

        /* ... but only one */
        ASSERT_EQ(parse("\xEF\xBB\xBF[Socket]\n\xEF\xBB\xBFKey=1\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 0);
        ASSERT_TRUE(has_message(&d, 2, DIAGNOSTIC_WARNING, "Unknown key"));
        done(&rec, &d);

        /* the comment check comes first: "BOM# c" is no comment */
        ASSERT_EQ(parse("\xEF\xBB\xBF# c\n[Socket]\nKey=1\n", &rec, &d), 0);
        ASSERT_TRUE(has_message(&d, 1, DIAGNOSTIC_WARNING, "outside of section"));
        ASSERT_EQ(strv_length(rec.seen), 1);
        done(&rec, &d);
}

TEST(comments_only_at_line_start) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("# c\n[Socket]\n  ; also a comment\nListenStream=80 # x\nKey=a;b\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[0], "Socket.ListenStream=80 # x@4");
        ASSERT_STREQ(rec.seen[1], "Socket.Key=a;b@5");
        ASSERT_EQ(d.n, 0);
        done(&rec, &d);
}

TEST(comment_ending_in_backslash_does_not_continue) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\n# comment \\\nKey=1\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=1@3");
        done(&rec, &d);
}

TEST(continuation) {
        Recorder rec = {};
        Diagnostics d = {};

        /* backslash → space, next line appended verbatim (leading blanks
         * kept), comment lines inside skipped; reported at the last line,
         * as systemd does */
        ASSERT_EQ(parse("[Socket]\nExecStart=/bin/echo a\\\n# skipped\n   b \\\n; skipped too\nc\nKey=2\n",
                        &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[0], "Socket.ExecStart=/bin/echo a    b  c@6");
        ASSERT_STREQ(rec.seen[1], "Socket.Key=2@7");
        done(&rec, &d);

        /* an escaped backslash does not continue */
        ASSERT_EQ(parse("[Socket]\nKey=a\\\\\nOther=b\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=a\\\\@2");
        done(&rec, &d);

        /* three backslashes: the last one is unescaped */
        ASSERT_EQ(parse("[Socket]\nKey=a\\\\\\\nb\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=a\\\\ b@3");
        done(&rec, &d);

        /* pending continuation at EOF is parsed as it stands */
        ASSERT_EQ(parse("[Socket]\nKey=a\\", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=a@2");
        done(&rec, &d);

        /* the header can be continued too */
        ASSERT_EQ(parse("[Sock\\\net]\nKey=1\n", &rec, &d), 0);
        ASSERT_TRUE(has_message(&d, 2, DIAGNOSTIC_WARNING, "Unknown section 'Sock et'"));
        done(&rec, &d);
}

TEST(invalid_utf8_line_ignored) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\nKey=\xff\xfe\nOther=ok\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_STREQ(rec.seen[0], "Socket.Other=ok@3");
        ASSERT_TRUE(has_message(&d, 2, DIAGNOSTIC_WARNING, "UTF-8"));
        done(&rec, &d);
}

TEST(header_without_bracket_is_fatal) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_ERROR(parse("[Socket]\nKey=1\n[Service\nOther=2\n", &rec, &d), EBADMSG);
        /* what came before stays applied, nothing after */
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_TRUE(has_message(&d, 3, DIAGNOSTIC_ERROR, "Invalid section header"));
        done(&rec, &d);

        ASSERT_ERROR(parse("[]x\n", &rec, &d), EBADMSG);
        done(&rec, &d);
        ASSERT_ERROR(parse("[\n", &rec, &d), EBADMSG);
        done(&rec, &d);
}

TEST(unsafe_section_name_is_fatal) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_ERROR(parse("[Sock\"et]\n", &rec, &d), EBADMSG);
        ASSERT_TRUE(has_message(&d, 1, DIAGNOSTIC_ERROR, "Bad characters"));
        done(&rec, &d);
        ASSERT_ERROR(parse("[a\\b]\n", &rec, &d), EBADMSG);
        done(&rec, &d);
        ASSERT_ERROR(parse("[a\tb]\n", &rec, &d), EBADMSG);
        done(&rec, &d);
        ASSERT_ERROR(parse("[a\x7f]\n", &rec, &d), EBADMSG);
        done(&rec, &d);
}

TEST(unknown_section_warned_once_keys_dropped) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\nKey=1\n[ Socket ]\nKey=2\nNope=3\n[socket]\nKey=4\n[Install]\nKey=5\n",
                        &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[1], "Install.Key=5@9");
        ASSERT_EQ(d.n, 2);
        ASSERT_TRUE(has_message(&d, 3, DIAGNOSTIC_WARNING, "Unknown section ' Socket '. Ignoring."));
        ASSERT_TRUE(has_message(&d, 6, DIAGNOSTIC_WARNING, "Unknown section 'socket'"));
        done(&rec, &d);
}

TEST(x_sections_and_keys_silent) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[X-Foo]\nKey=1\nAnything=2\n[Socket]\nX-Porter-Thing=1\nKey=3\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_STREQ(rec.seen[0], "Socket.Key=3@6");
        ASSERT_EQ(d.n, 0);
        done(&rec, &d);
}

TEST(assignment_before_section) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("Key=1\n[Socket]\nKey=2\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_TRUE(has_message(&d, 1, DIAGNOSTIC_WARNING, "outside of section"));
        done(&rec, &d);
}

TEST(missing_equals_and_key) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\nKey\n = value\nKey=ok\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_TRUE(has_message(&d, 2, DIAGNOSTIC_WARNING, "Missing '='"));
        ASSERT_TRUE(has_message(&d, 3, DIAGNOSTIC_WARNING, "Missing key name"));
        done(&rec, &d);
}

TEST(key_lookup_is_case_sensitive) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\nkey=1\nKEY=2\nKey=3\n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_TRUE(has_message(&d, 2, DIAGNOSTIC_WARNING, "Unknown key 'key' in section [Socket], ignoring."));
        ASSERT_TRUE(has_message(&d, 3, DIAGNOSTIC_WARNING, "Unknown key 'KEY'"));
        done(&rec, &d);
}

TEST(empty_value_is_dispatched) {
        Recorder rec = {};
        Diagnostics d = {};

        ASSERT_EQ(parse("[Socket]\nListenStream=\nKey =   \n", &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_STREQ(rec.seen[0], "Socket.ListenStream=@2");
        ASSERT_STREQ(rec.seen[1], "Socket.Key=@3");
        done(&rec, &d);
}

TEST(fatal_parser_error_stops_file) {
        Recorder rec = { .fail_with = -ENOEXEC };
        Diagnostics d = {};

        ASSERT_ERROR(parse("[Socket]\nKey=1\nFatal=x\nKey=2\n", &rec, &d), ENOEXEC);
        ASSERT_EQ(strv_length(rec.seen), 1);
        ASSERT_TRUE(has_message(&d, 3, DIAGNOSTIC_ERROR, "fatal x"));
        done(&rec, &d);
}

TEST(diagnostics_helpers) {
        Diagnostics d = {};

        ASSERT_OK(diagnostics_add(&d, "/a", 3, DIAGNOSTIC_WARNING, "w %d", 1));
        ASSERT_OK(diagnostics_add(&d, NULL, 0, DIAGNOSTIC_ERROR, "e"));
        ASSERT_EQ(diagnostics_count(&d, DIAGNOSTIC_WARNING), 1);
        ASSERT_EQ(diagnostics_count(&d, DIAGNOSTIC_ERROR), 1);
        ASSERT_STREQ(d.items[0].message, "w 1");
        ASSERT_NULL(d.items[1].path);
        ASSERT_STREQ(diagnostic_severity_to_string(DIAGNOSTIC_ERROR), "error");
        diagnostics_done(&d);
        ASSERT_EQ(d.n, 0);
        diagnostics_done(NULL);
}

/* Parse text through config_parse_file() (read() into the lexer's buffer),
 * or, with regular, through config_parse_fd() told that the fd is a regular
 * file, from a temporary file; returns its result. */
static int parse_as_file_full(const char *text, size_t n, bool regular, Recorder *rec, Diagnostics *d) {
        char path[] = "/tmp/test-conf-parser-XXXXXX";
        int fd = mkstemp(path), r;
        ConfigParseParams p = {
                .path = path,
                .unit = "foo.socket",
                .sections = default_sections,
                .lookup = lookup,
                .userdata = rec,
                .diagnostics = d,
        };

        ASSERT_OK(fd);
        ASSERT_EQ((size_t) write(fd, text, n), n);
        close(fd);
        if (regular) {
                fd = open(path, O_RDONLY | O_CLOEXEC);
                ASSERT_OK(fd);
                r = config_parse_fd(&p, fd, true);
                close(fd);
        } else
                r = config_parse_file(&p);
        unlink(path);
        return r;
}

/* The same bytes give the same assignments, lines and result whether they
 * come from a stream or from a file read in 4 KiB steps: line ends ("\r\n"
 * split across two reads), lines longer than a read, the line limit. */
static void check_same_as_stream_full(const char *text, size_t n, bool regular) {
        Recorder a = {}, b = {};
        Diagnostics da = {}, db = {};
        int ra = parse_n(text, n, &a, &da), rb = parse_as_file_full(text, n, regular, &b, &db);

        ASSERT_EQ(ra, rb);
        ASSERT_EQ(strv_length(a.seen), strv_length(b.seen));
        for (size_t i = 0; i < strv_length(a.seen); i++)
                ASSERT_STREQ(a.seen[i], b.seen[i]);
        ASSERT_EQ(da.n, db.n);
        for (size_t i = 0; i < da.n; i++) {
                ASSERT_EQ(da.items[i].line, db.items[i].line);
                ASSERT_STREQ(da.items[i].message, db.items[i].message);
        }
        done(&a, &da);
        done(&b, &db);
}

static void check_same_as_stream(const char *text, size_t n) {
        check_same_as_stream_full(text, n, false);
        check_same_as_stream_full(text, n, true);
}

/* What the file above must give on its own terms: the line end at offset k
 * counts once, wherever a read() boundary falls. */
static void check_split_line_end(const char *text, size_t n, size_t k, bool regular) {
        Recorder rec = {};
        Diagnostics d = {};
        _cleanup_free_ char *other = NULL;

        ASSERT_EQ(parse_as_file_full(text, n, regular, &rec, &d), 0);
        ASSERT_EQ(strv_length(rec.seen), 2);
        ASSERT_TRUE(startswith(rec.seen[0], "Socket.Key=vvv"));
        ASSERT_TRUE(endswith(rec.seen[0], "v@2"));
        ASSERT_EQ(strlen(rec.seen[0]), strlen("Socket.Key=@2") + k - strlen("[Socket]\nKey="));
        ASSERT_OK(asprintf(&other, "Socket.Other=%zu  more@4", k));
        ASSERT_STREQ(rec.seen[1], other);
        ASSERT_EQ(d.n, 0);
        done(&rec, &d);
}

TEST(file_reads_like_stream) {
        size_t cap = CONFIG_LINE_MAX + 9000;
        _cleanup_free_ char *t = malloc(cap);
        static const char *const ends[] = { "\n", "\r\n", "\r", "\0" };

        ASSERT_NOT_NULL(t);
        check_same_as_stream("", 0);
        check_same_as_stream("[Socket]\nKey=a", 15);
        check_same_as_stream("[Socket]\r\nKey=a\r", 17);
        /* A line end at every offset around the first read boundaries. */
        for (size_t e = 0; e < ELEMENTSOF(ends); e++)
                for (size_t k = 4070; k < 4110; k++) {
                        size_t n = 0, el = e == 3 ? 1 : strlen(ends[e]);

                        n += (size_t) sprintf(t, "[Socket]\nKey=");
                        memset(t + n, 'v', k - n);
                        n = k;
                        memcpy(t + n, ends[e], el);
                        n += el;
                        n += (size_t) sprintf(t + n, "Other=%zu\\\n more\n", k);
                        check_same_as_stream(t, n);
                        check_same_as_stream(t, k + el); /* ends right after the line end */
                        check_split_line_end(t, n, k, false);
                        check_split_line_end(t, n, k, true);
                }
        /* The line limit, on both sides, with and without a last newline. */
        for (size_t len = CONFIG_LINE_MAX - 2; len <= CONFIG_LINE_MAX + 1; len++) {
                size_t n = (size_t) sprintf(t, "[Socket]\nKey=");
                memset(t + n, 'x', len - 4);
                n += len - 4;
                check_same_as_stream(t, n);
                t[n] = '\n';
                check_same_as_stream(t, n + 1);
                t[n] = '\r';
                check_same_as_stream(t, n + 1);
        }
}

TEST(parse_file_missing) {
        Diagnostics d = {};
        ConfigParseParams p = { .path = "/nonexistent/porter/x.socket", .diagnostics = &d };

        ASSERT_ERROR(config_parse_file(&p), ENOENT);
        ASSERT_EQ(d.n, 1);
        diagnostics_done(&d);
}

RUN_TESTS()
