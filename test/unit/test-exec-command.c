/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "alloc-util.h"
#include "exec-command.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"

static void check_argv(char **argv, const char *first, ...) {
        va_list ap;
        size_t i = 0;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *), i++) {
                if (!argv || !argv[i])
                        TEST_FAIL_("argv too short at %zu, expected \"%s\"", i, s);
                ASSERT_STREQ(argv[i], s);
        }
        va_end(ap);
        if (argv && argv[i])
                TEST_FAIL_("argv too long: extra \"%s\"", argv[i]);
}

/* Parse a line that must give exactly one command. */
static ExecCommand *parse1(const char *line) {
        ExecCommand *c = NULL;
        _cleanup_free_ char *err = NULL;
        int r = exec_command_parse(line, NULL, NULL, &c, &err);

        if (r != 1)
                TEST_FAIL_("'%s': expected one command, got %d (%s)", line, r, strna(err));
        ASSERT_NULL(err);
        return c;
}

static void check_fails(const char *line, int error, const char *reason) {
        ExecCommand *c = NULL;
        _cleanup_free_ char *err = NULL;

        ASSERT_ERROR(exec_command_parse(line, NULL, NULL, &c, &err), error);
        ASSERT_NULL(c);
        ASSERT_NOT_NULL(err);
        if (!strstr(err, reason))
                TEST_FAIL_("'%s': reason \"%s\" lacks \"%s\"", line, err, reason);
}

TEST(simple) {
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("/bin/echo hello  world");

        ASSERT_STREQ(c->path, "/bin/echo");
        check_argv(c->argv, "/bin/echo", "hello", "world", NULL);
        ASSERT_EQ(c->flags, 0);
        ASSERT_NULL(c->next);
}

TEST(empty_resets) {
        ExecCommand *c = (ExecCommand *) 1;
        char *err = NULL;

        ASSERT_EQ(exec_command_parse("", NULL, NULL, &c, &err), 0);
        ASSERT_NULL(c);
        ASSERT_NULL(err);
        c = (ExecCommand *) 1;
        ASSERT_EQ(exec_command_parse("   ", NULL, NULL, &c, &err), 0);
        ASSERT_NULL(c);
}

TEST(prefixes) {
        struct {
                const char *line;
                ExecCommandFlags flags;
        } cases[] = {
                { "-/bin/true", EXEC_COMMAND_IGNORE_FAILURE },
                { "+/bin/true", EXEC_COMMAND_FULLY_PRIVILEGED },
                { "!/bin/true", EXEC_COMMAND_NO_SETUID },
                { "!!/bin/true", 0 },                           /* ignored since v258 */
                { ":/bin/true", EXEC_COMMAND_NO_ENV_EXPAND },
                { "-+:/bin/true", EXEC_COMMAND_IGNORE_FAILURE | EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_ENV_EXPAND },
                { ":!-/bin/true", EXEC_COMMAND_IGNORE_FAILURE | EXEC_COMMAND_NO_SETUID | EXEC_COMMAND_NO_ENV_EXPAND },
                { "-!!/bin/true", EXEC_COMMAND_IGNORE_FAILURE },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_exec_command_free_list_ ExecCommand *c = parse1(cases[i].line);

                ASSERT_EQ(c->flags, cases[i].flags);
                ASSERT_STREQ(c->path, "/bin/true");
                check_argv(c->argv, "/bin/true", NULL);
        }
}

TEST(prefix_errors) {
        check_fails("+!/bin/true", EINVAL, "exclude");
        check_fails("!+/bin/true", EINVAL, "exclude");
        check_fails("!!+/bin/true", EINVAL, "exclude");
        check_fails("--/bin/true", EINVAL, "Neither");          /* second '-' is part of the path */
        check_fails("-", EINVAL, "Empty path");
        check_fails("@/bin/echo", EINVAL, "zeroth");
}

TEST(argv0) {
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("@/bin/echo argzero one"), *d = NULL;

        ASSERT_STREQ(c->path, "/bin/echo");
        check_argv(c->argv, "argzero", "one", NULL);

        d = parse1("-@/bin/sleep \"my sleeper\" 1");
        ASSERT_EQ(d->flags, EXEC_COMMAND_IGNORE_FAILURE);
        check_argv(d->argv, "my sleeper", "1", NULL);
}

TEST(bare_name) {
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("sh -c true"), *d = NULL, *e = NULL;

        /* Kept as written: searched at spawn time, as systemd does. */
        ASSERT_STREQ(c->path, "sh");
        check_argv(c->argv, "sh", "-c", "true", NULL);

        d = parse1("no-such-binary-for-porter-tests");
        ASSERT_STREQ(d->path, "no-such-binary-for-porter-tests");
        e = parse1("$SHELL -c x");              /* a literal name, as in systemd 252 */
        ASSERT_STREQ(e->path, "$SHELL");

        check_fails("bin/echo x", EINVAL, "Neither a valid executable name nor an absolute path");
        check_fails("/bin/", EINVAL, "directory");
        check_fails("..", EINVAL, "Neither");
        check_fails("/bin/e\\x01cho", EINVAL, "control characters");
}

TEST(find_executable) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char *x = NULL;

        ASSERT_OK(exec_command_find_executable("/does/not/matter", &a));
        ASSERT_STREQ(a, "/does/not/matter");
        ASSERT_OK(exec_command_find_executable("true", &b));
        ASSERT_TRUE(endswith(b, "/true"));
        ASSERT_ERROR(exec_command_find_executable("", &x), EINVAL);
        ASSERT_ERROR(exec_command_find_executable("a/b", &x), EINVAL);
        ASSERT_ERROR(exec_command_find_executable(".", &x), EINVAL);
        ASSERT_ERROR(exec_command_find_executable("no-such-binary-for-porter-tests", &x), ENOENT);
        ASSERT_NULL(x);
}

TEST(quoting) {
        _cleanup_exec_command_free_list_ ExecCommand *c =
                parse1("/bin/echo \"a b\" 'c d' --name=\"x y\" \"\" \\x41 \"tab\\there\" e\\ f \\d \\x00");

        /* Unknown or refused escapes stay verbatim, as systemd's relaxed retry. */
        check_argv(c->argv, "/bin/echo", "a b", "c d", "--name=x y", "", "A", "tab\there",
                   "e\\ f", "\\d", "\\x00", NULL);

        check_fails("/bin/echo \"unterminated", EINVAL, "Unbalanced quoting");
}

TEST(quoted_path) {
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("-\"/opt/my app/run\" x"), *d = NULL;

        ASSERT_EQ(c->flags, EXEC_COMMAND_IGNORE_FAILURE);
        ASSERT_STREQ(c->path, "/opt/my app/run");
        check_argv(c->argv, "/opt/my app/run", "x", NULL);

        d = parse1("\"-/bin/true\"");           /* prefixes are read after unquoting */
        ASSERT_EQ(d->flags, EXEC_COMMAND_IGNORE_FAILURE);
}

TEST(semicolons) {
        _cleanup_exec_command_free_list_ ExecCommand *c = NULL, *d = NULL, *e = NULL;

        ASSERT_EQ(exec_command_parse("/bin/echo one ; -/bin/echo \"two two\"", NULL, NULL, &c, NULL), 2);
        check_argv(c->argv, "/bin/echo", "one", NULL);
        ASSERT_EQ(c->flags, 0);
        ASSERT_NOT_NULL(c->next);
        check_argv(c->next->argv, "/bin/echo", "two two", NULL);
        ASSERT_EQ(c->next->flags, EXEC_COMMAND_IGNORE_FAILURE);
        ASSERT_NULL(c->next->next);

        /* systemd.service(5): "echo / >/dev/null & \; \" + "ls" gives five
         * arguments (the loader turns the continuation into a space). */
        d = parse1("/bin/echo / >/dev/null & \\;  ls");
        check_argv(d->argv, "/bin/echo", "/", ">/dev/null", "&", ";", "ls", NULL);

        /* Empty commands are skipped, as systemd-analyze verify (252) shows. */
        ASSERT_EQ(exec_command_parse("/bin/true ;", NULL, NULL, &e, NULL), 1);
        e = exec_command_free_list(e);
        ASSERT_EQ(exec_command_parse("; /bin/true", NULL, NULL, &e, NULL), 1);
        ASSERT_STREQ(e->path, "/bin/true");
        e = exec_command_free_list(e);
        ASSERT_EQ(exec_command_parse("/bin/true ; ; /bin/false", NULL, NULL, &e, NULL), 2);
        ASSERT_STREQ(e->next->path, "/bin/false");
        e = exec_command_free_list(e);
        ASSERT_EQ(exec_command_parse(";", NULL, NULL, &e, NULL), 0);
        ASSERT_NULL(e);
        ASSERT_EQ(exec_command_parse("/bin/echo \";\" x", NULL, NULL, &e, NULL), 2);  /* quoted ';' separates */
        check_argv(e->argv, "/bin/echo", NULL);
}

TEST(env_kept_for_spawn) {
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("/bin/echo $FOO ${BAR} $$"), *d = NULL;

        check_argv(c->argv, "/bin/echo", "$FOO", "${BAR}", "$$", NULL);
        d = parse1(":/bin/echo $FOO");
        ASSERT_EQ(d->flags, EXEC_COMMAND_NO_ENV_EXPAND);
        check_argv(d->argv, "/bin/echo", "$FOO", NULL);
}

TEST(via_shell) {
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("|echo hi | tac"), *d = NULL, *e = NULL, *f = NULL;
        _cleanup_strv_free_ char **a = NULL, **b = NULL, **g = NULL;

        ASSERT_EQ(c->flags, EXEC_COMMAND_VIA_SHELL);
        ASSERT_NULL(c->path);
        check_argv(c->argv, "echo", "hi", "|", "tac", NULL);
        ASSERT_OK(exec_command_shell_argv(c, c->argv, "/bin/sh", &a));
        check_argv(a, "sh", "-c", "echo hi | tac", NULL);

        d = parse1("|");
        ASSERT_EQ(d->flags, EXEC_COMMAND_VIA_SHELL);
        check_argv(d->argv, NULL);
        ASSERT_OK(exec_command_shell_argv(d, d->argv, "/bin/bash", &b));
        check_argv(b, "bash", NULL);

        e = parse1("@|");
        ASSERT_EQ(e->flags, EXEC_COMMAND_VIA_SHELL | EXEC_COMMAND_LOGIN_SHELL);
        ASSERT_OK(exec_command_shell_argv(e, e->argv, "/bin/bash", &g));
        check_argv(g, "-bash", NULL);

        f = parse1("-| no-such-binary-for-porter-tests x");   /* not resolved: the shell does that */
        ASSERT_EQ(f->flags, EXEC_COMMAND_VIA_SHELL | EXEC_COMMAND_IGNORE_FAILURE);
        check_argv(f->argv, "no-such-binary-for-porter-tests", "x", NULL);

        ASSERT_ERROR(exec_command_shell_argv(c, c->argv, "sh", &a), EINVAL);
}

TEST(via_shell_then_env) {
        /* The upstream order: join into "-c", then expand; "$FOO" is left
         * for the shell, "${FOO}" is replaced by porter. */
        _cleanup_exec_command_free_list_ ExecCommand *c = parse1("|echo $FOO ${FOO}");
        _cleanup_strv_free_ char **sh = NULL, **out = NULL;
        char *env[] = { (char *) "FOO=a b", NULL };

        ASSERT_OK(exec_command_shell_argv(c, c->argv, "/bin/sh", &sh));
        ASSERT_OK(exec_command_expand_env(sh, env, &out));
        check_argv(out, "sh", "-c", "echo $FOO a b", NULL);
}

static int expand_percent_i(const char *word, char **ret, void *userdata) {
        unsigned *calls = userdata;
        const char *p;

        (*calls)++;
        if (strstr(word, "%z"))
                return -EBADSLT;
        p = strstr(word, "%i");
        if (!p) {
                *ret = strdup(word);
                return *ret ? 0 : -ENOMEM;
        }
        if (asprintf(ret, "%.*sinst%s", (int) (p - word), word, p + 2) < 0)
                return -ENOMEM;
        return 0;
}

TEST(expand_callback) {
        _cleanup_exec_command_free_list_ ExecCommand *c = NULL;
        _cleanup_free_ char *err = NULL;
        unsigned calls = 0;

        ASSERT_EQ(exec_command_parse("-/bin/echo %i \"a %i b\"", expand_percent_i, &calls, &c, NULL), 1);
        check_argv(c->argv, "/bin/echo", "inst", "a inst b", NULL);
        ASSERT_EQ(calls, 3);            /* path word (after prefixes) + 2 arguments */

        ASSERT_ERROR(exec_command_parse("/bin/echo %z", expand_percent_i, &calls, &c, &err), EBADSLT);
        ASSERT_NOT_NULL(strstr(err, "%z"));
}

TEST(expand_env) {
        char *env[] = { (char *) "ONE=one", (char *) "TWO=two two", (char *) "THREE=",
                        (char *) "Q='a b' c", NULL };
        char *argv[] = { (char *) "/bin/echo", (char *) "$ONE", (char *) "$TWO", (char *) "${TWO}",
                         (char *) "${THREE}", (char *) "$THREE", (char *) "$$", (char *) "a$$b",
                         (char *) "x${ONE}y", (char *) "$UNSET", (char *) "${UNSET}", (char *) "$",
                         (char *) "${", (char *) "${ONE", (char *) "${ONE:-d}", (char *) "${UNSET:-d}",
                         (char *) "${THREE:-d}", (char *) "${ONE:+alt}", (char *) "${UNSET:+alt}",
                         (char *) "$Q", (char *) "a$ONE", (char *) "${1X}", (char *) "$$ONE", NULL };
        _cleanup_strv_free_ char **out = NULL;

        ASSERT_OK(exec_command_expand_env(argv, env, &out));
        check_argv(out, "/bin/echo", "one", "two", "two", "two two", "", "$", "a$b", "xoney", "",
                   "${", "${ONE", "", "", "", "", "", "a b", "c", "a$ONE", "", "$ONE", NULL);
}

TEST(expand_env_man_examples) {
        /* systemd.service(5), "Command lines". */
        char *env[] = { (char *) "ONE='one'", (char *) "TWO='two two' too", (char *) "THREE=", NULL };
        char *curly[] = { (char *) "/bin/echo", (char *) "${ONE}", (char *) "${TWO}", (char *) "${THREE}", NULL };
        char *plain[] = { (char *) "/bin/echo", (char *) "$ONE", (char *) "$TWO", (char *) "$THREE", NULL };
        _cleanup_strv_free_ char **a = NULL, **b = NULL;

        ASSERT_OK(exec_command_expand_env(curly, env, &a));
        check_argv(a, "/bin/echo", "'one'", "'two two' too", "", NULL);
        ASSERT_OK(exec_command_expand_env(plain, env, &b));
        check_argv(b, "/bin/echo", "one", "two two", "too", NULL);
}

TEST(to_string_round_trip) {
        static const char *const lines[] = {
                "/bin/echo hello world",
                "-/bin/echo \"a b\" \"\" 'q\"q' \\x01 tab\\t \\\\",
                "@/bin/echo zero one",
                "+:/bin/true",
                "!/bin/true $FOO",
                "sh -c 'echo hi'",
                "|echo hi | tac",
                "@|",
                "/bin/echo / >/dev/null & \\; ls",
                "-\"/opt/my app/run\"",
                /* found by fuzz-values: */
                "|\\;",               /* first word after '|' keeps "\;" */
                "-| :x",                /* a shell word that looks like a prefix */
                "| \"\"",             /* an empty first shell word */
                "!!;",                  /* a path ";" behind the ignored "!!" */
                "@@ @",                 /* a path starting with '@' */
                "--x",                  /* a path starting with '-' */
        };

        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                _cleanup_exec_command_free_list_ ExecCommand *a = parse1(lines[i]), *b = NULL;
                _cleanup_free_ char *s = exec_command_to_string(a);

                ASSERT_NOT_NULL(s);
                b = parse1(s);
                ASSERT_STREQ(a->path, b->path);
                ASSERT_EQ(a->flags, b->flags);
                ASSERT_EQ(strv_length(a->argv), strv_length(b->argv));
                for (size_t j = 0; a->argv[j]; j++)
                        ASSERT_STREQ(a->argv[j], b->argv[j]);
        }
}

TEST(to_string_shape) {
        _cleanup_exec_command_free_list_ ExecCommand *a = parse1("-@/bin/echo zero \"x y\" \\;");
        _cleanup_free_ char *s = exec_command_to_string(a);

        ASSERT_STREQ(s, "-@/bin/echo zero \"x y\" \\;");
}

TEST(ignores_failure) {
        ASSERT_TRUE(exec_command_line_ignores_failure("-/bin/nope"));
        ASSERT_TRUE(exec_command_line_ignores_failure("  @-bin/nope"));
        ASSERT_TRUE(exec_command_line_ignores_failure("\"-/bin/nope\""));
        ASSERT_FALSE(exec_command_line_ignores_failure("/bin/nope -x"));
        ASSERT_FALSE(exec_command_line_ignores_failure(""));
        ASSERT_FALSE(exec_command_line_ignores_failure(NULL));
}

TEST(append_list) {
        ExecCommand *list = NULL;

        exec_command_append_list(&list, parse1("/bin/true"));
        exec_command_append_list(&list, parse1("/bin/false"));
        ASSERT_STREQ(list->next->path, "/bin/false");
        exec_command_free_list(list);
        ASSERT_NULL(exec_command_free_list(NULL));
}

TEST(long_line_is_linear) {
        /* A 1 MiB line of words (the loader's limit) parses and expands in
         * linear time: 500000 one-letter words. */
        size_t n = 500000;
        _cleanup_free_ char *line = malloc(strlen("/bin/echo") + 2 * n + 1);
        _cleanup_exec_command_free_list_ ExecCommand *c = NULL;
        _cleanup_strv_free_ char **out = NULL;
        _cleanup_free_ char *back = NULL;
        char *p;

        ASSERT_NOT_NULL(line);
        p = stpcpy(line, "/bin/echo");
        for (size_t i = 0; i < n; i++) {
                *p++ = ' ';
                *p++ = i % 2 ? 'x' : '$';
        }
        *p = '\0';

        ASSERT_EQ(exec_command_parse(line, NULL, NULL, &c, NULL), 1);
        ASSERT_EQ(strv_length(c->argv), n + 1);
        ASSERT_OK(exec_command_expand_env(c->argv, NULL, &out));
        ASSERT_EQ(strv_length(out), n / 2 + 1);        /* "$" alone expands to nothing */
        back = exec_command_to_string(c);
        ASSERT_NOT_NULL(back);
        ASSERT_EQ(strlen(back), strlen(line));
}

RUN_TESTS()
