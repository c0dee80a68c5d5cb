/* SPDX-License-Identifier: MIT */
/* Fuzz every value grammar of src/basic and the Exec*= grammar: the input,
 * NUL-terminated, goes through each parser, and where a parser accepts it
 * the result must satisfy the parser's promises:
 *   - integers/modes/ports/PIDs stay in their documented ranges and the
 *     narrower parsers agree with the 64-bit ones;
 *   - a time span formats and parses back to the same value;
 *   - cunescape(cescape(s)) == s, and cunescape's length is the strlen;
 *   - utf8_is_valid agrees with decoding character by character;
 *   - split words never contain a NUL, env lists come out valid and unique;
 *   - an Exec*= line prints and parses back to the same commands. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "env-util.h"
#include "escape.h"
#include "exec-command.h"
#include "extract-word.h"
#include "parse-util.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"
#include "user-util.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                \
        do {                                                                    \
                if (!(x)) {                                                     \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x); \
                        abort();                                                \
                }                                                               \
        } while (0)

static void fuzz_integers(const char *s) {
        unsigned u;
        uint64_t u64;
        int i;
        int64_t i64;
        mode_t m;
        uint16_t port;
        int nice;
        pid_t pid;
        uint64_t size;

        i = parse_boolean(s);
        CHECK(i == 0 || i == 1 || i == -EINVAL);

        if (safe_atou(s, &u) >= 0) {
                CHECK(safe_atou64(s, &u64) >= 0);
                CHECK(u64 == u);
        }
        if (safe_atoi(s, &i) >= 0) {
                CHECK(safe_atoi64(s, &i64) >= 0);
                CHECK(i64 == i);
        }
        if (safe_atou64(s, &u64) >= 0 && u64 <= INT64_MAX) {
                CHECK(safe_atoi64(s, &i64) >= 0);
                CHECK((uint64_t) i64 == u64 || (i64 == 0 && u64 == 0));
        }
        if (parse_mode(s, &m) >= 0)
                CHECK(m <= 07777);
        if (parse_ip_port(s, &port) >= 0)
                CHECK(port >= 1);
        if (parse_nice(s, &nice) >= 0)
                CHECK(nice >= -20 && nice <= 19);
        if (parse_pid(s, &pid) >= 0)
                CHECK(pid > 0);
        (void) parse_size(s, 1024, &size);
        (void) parse_size(s, 1000, &size);
}

static void fuzz_time(const char *s) {
        char buf[FORMAT_TIMESPAN_MAX];
        usec_t t, back;

        if (parse_sec(s, &t) < 0)
                return;
        CHECK(format_timespan(buf, sizeof(buf), t, 1));
        /* Values this large print fine but do not parse back (each term
         * must stay below infinity), as in systemd. */
        if (t >= 584542 * USEC_PER_YEAR)
                return;
        CHECK(parse_sec(buf, &back) >= 0);
        if (back != t) {
                fprintf(stderr, "time round trip: '%s' -> %llu -> '%s' -> %llu\n",
                        s, (unsigned long long) t, buf, (unsigned long long) back);
                abort();
        }
        (void) format_timespan(buf, sizeof(buf), t, USEC_PER_MSEC);
        (void) parse_time(s, &t, 1);
        (void) parse_sec_fix_0(s, &t);
}

static void fuzz_escape(const char *s, size_t n) {
        _cleanup_free_ char *e = NULL, *u = NULL, *r = NULL;
        ssize_t l;
        bool valid = true;

        /* utf8_is_valid agrees with a decode loop. */
        for (size_t i = 0; i < n;) {
                uint32_t c;
                int k = utf8_decode_one(s + i, n - i, &c);
                if (k < 0) {
                        valid = false;
                        break;
                }
                CHECK(unichar_is_valid(c));
                i += (size_t) k;
        }
        CHECK(utf8_is_valid(s) == valid);

        e = cescape(s);
        CHECK(e);
        CHECK(cunescape(e, SIZE_MAX, 0, &u) == (ssize_t) n);
        CHECK(memcmp(u, s, n) == 0);

        l = cunescape(s, SIZE_MAX, 0, &r);
        if (l >= 0)
                CHECK(strlen(r) == (size_t) l);
        free(r);
        r = NULL;
        l = cunescape(s, SIZE_MAX, UNESCAPE_RELAX, &r);
        if (l >= 0)
                CHECK(strlen(r) == (size_t) l);
}

static void fuzz_words(const char *s) {
        static const ExtractFlags flag_sets[] = {
                0,
                EXTRACT_UNQUOTE,
                EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE,
                EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE | EXTRACT_CUNESCAPE_RELAX | EXTRACT_RELAX,
                EXTRACT_DONT_COALESCE_SEPARATORS | EXTRACT_UNQUOTE,
                EXTRACT_RETAIN_ESCAPE | EXTRACT_RETAIN_SEPARATORS,
                EXTRACT_CUNESCAPE | EXTRACT_UNESCAPE_SEPARATORS,
        };

        for (size_t f = 0; f < ELEMENTSOF(flag_sets); f++) {
                const char *p = s;
                unsigned guard = 0;

                for (;;) {
                        char *w = NULL;
                        int r = extract_first_word(&p, &w, f % 2 ? ":" : NULL, flag_sets[f]);

                        if (r <= 0) {
                                CHECK(!w);
                                break;
                        }
                        free(w);
                        /* RETAIN_SEPARATORS never advances past a separator;
                         * skip it by hand as its callers do. */
                        if ((flag_sets[f] & EXTRACT_RETAIN_SEPARATORS) && p && *p)
                                p++;
                        CHECK(++guard <= strlen(s) + 2);
                }
        }
}

static void fuzz_names(const char *s) {
        uid_t uid;

        if (parse_uid(s, &uid) >= 0) {
                CHECK(uid_is_valid(uid));
                CHECK(valid_user_group_name(s, VALID_USER_ALLOW_NUMERIC));
        }
        if (valid_user_group_name(s, 0))
                CHECK(valid_user_group_name(s, VALID_USER_RELAX));
        (void) valid_user_group_name(s, VALID_USER_UNIT_FILE);
}

static void fuzz_env(const char *s) {
        _cleanup_strv_free_ char **l = NULL, **m = NULL, **copy = NULL;
        int n;

        (void) env_name_or_assignment_is_valid(s);
        if (strv_split_quoted(&l, s) < 0)
                return;
        copy = strv_copy(l);
        CHECK(copy);
        CHECK(strv_env_merge(&m, l, copy) >= 0);
        (void) strv_env_unset_many(m, l);

        n = strv_env_clean(l);
        CHECK(n >= 0 && (size_t) n == strv_length(l));
        for (size_t i = 0; l[i]; i++) {
                CHECK(env_assignment_is_valid(l[i]));
                for (size_t j = i + 1; l[j]; j++)
                        CHECK(strcspn(l[i], "=") != strcspn(l[j], "=") ||
                              strncmp(l[i], l[j], strcspn(l[i], "=")) != 0);
        }
        STRV_FOREACH(e, l)
                (void) strv_env_set(&copy, *e);
}

static bool exec_command_equal(const ExecCommand *a, const ExecCommand *b) {
        if (!streq_ptr(a->path, b->path) || a->flags != b->flags)
                return false;
        if (strv_length(a->argv) != strv_length(b->argv))
                return false;
        for (size_t i = 0; a->argv[i]; i++)
                if (!streq(a->argv[i], b->argv[i]))
                        return false;
        return true;
}

static void fuzz_exec(const char *s) {
        _cleanup_exec_command_free_list_ ExecCommand *c = NULL;
        _cleanup_free_ char *err = NULL;
        char *env[] = { (char *) "A=a b", (char *) "B='x y' z", NULL };

        if (exec_command_parse(s, NULL, NULL, &c, &err) <= 0) {
                CHECK(!c);
                return;
        }
        CHECK(!err);
        (void) exec_command_line_ignores_failure(s);

        for (ExecCommand *i = c; i; i = i->next) {
                _cleanup_exec_command_free_list_ ExecCommand *back = NULL;
                _cleanup_free_ char *str = exec_command_to_string(i), *err2 = NULL;
                _cleanup_strv_free_ char **expanded = NULL, **sh = NULL;

                CHECK(str);
                if (exec_command_parse(str, NULL, NULL, &back, &err2) != 1 || !exec_command_equal(i, back)) {
                        fprintf(stderr, "exec round trip failed: '%s' -> '%s' (%s)\n", s, str, strna(err2));
                        abort();
                }
                CHECK(exec_command_expand_env(i->argv, env, &expanded) >= 0);
                if (i->flags & EXEC_COMMAND_VIA_SHELL)
                        CHECK(exec_command_shell_argv(i, expanded, "/bin/sh", &sh) >= 0);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;

        if (size > 64 * 1024)   /* values are lines of a unit file; keep runs fast */
                return 0;
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        fuzz_integers(s);
        fuzz_time(s);
        fuzz_escape(s, strlen(s));
        fuzz_words(s);
        fuzz_names(s);
        fuzz_env(s);
        fuzz_exec(s);
        return 0;
}
