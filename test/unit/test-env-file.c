/* SPDX-License-Identifier: MIT */
/* EnvironmentFile= parsing: systemd's quoting, escaping, comments and
 * continuation rules, and loading with '-' and globs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "env-file.h"
#include "env-util.h"
#include "strv.h"
#include "tests.h"

static char **parse(const char *text, int expect_n) {
        char **env = NULL;
        ASSERT_EQ(env_file_parse(text, &env), expect_n);
        return env;
}

TEST(plain_and_comments) {
        char **e = parse("# comment\n; also\n\nA=1\n  B = two  \nC=\nnot an assignment\n1BAD=x\n", 3);
        ASSERT_STREQ(strv_env_get(e, "A"), "1");
        ASSERT_STREQ(strv_env_get(e, "B"), "two");
        ASSERT_STREQ(strv_env_get(e, "C"), "");
        ASSERT_NULL(strv_env_get(e, "1BAD"));
        strv_free(e);
}

TEST(quotes_and_escapes) {
        char **e = parse("S='a b $X \\n'\nD=\"q \\\" \\\\ \\$ \\n\"\nU=a\\ b\\\\c\\\nd\nM='x'\"y\"z\n", 4);
        ASSERT_STREQ(strv_env_get(e, "S"), "a b $X \\n");
        ASSERT_STREQ(strv_env_get(e, "D"), "q \" \\ $ \\n");
        ASSERT_STREQ(strv_env_get(e, "U"), "a b\\cd");
        ASSERT_STREQ(strv_env_get(e, "M"), "xyz");
        strv_free(e);
}

TEST(later_wins_and_trailing_space_kept_when_quoted) {
        char **e = parse("A=1\nA=2\nT=' x '  \nQ='a' b\nL=last", 5);
        ASSERT_STREQ(strv_env_get(e, "Q"), "ab");
        ASSERT_STREQ(strv_env_get(e, "A"), "2");
        ASSERT_STREQ(strv_env_get(e, "T"), " x ");
        ASSERT_STREQ(strv_env_get(e, "L"), "last");
        strv_free(e);
}

TEST(load_all) {
        char dir[] = "/tmp/porter-env-file-XXXXXX", path[600], cmd[700];
        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/a.env", dir);
        FILE *f = fopen(path, "we");
        fputs("X=from-a\nY=1\n", f);
        fclose(f);
        snprintf(path, sizeof path, "%s/b.env", dir);
        f = fopen(path, "we");
        fputs("Y=2\n", f);
        fclose(f);

        char glob_entry[600], missing[600], missing_ok[600];
        snprintf(glob_entry, sizeof glob_entry, "%s/*.env", dir);
        snprintf(missing, sizeof missing, "%s/nope", dir);
        snprintf(missing_ok, sizeof missing_ok, "-%s/nope", dir);
        char *ok_entries[] = { glob_entry, missing_ok, NULL };
        char *bad_entries[] = { missing, NULL };
        char **env = NULL;
        ASSERT_OK(env_file_load_all(ok_entries, &env));
        ASSERT_STREQ(strv_env_get(env, "X"), "from-a");
        ASSERT_STREQ(strv_env_get(env, "Y"), "2"); /* b.env after a.env */
        ASSERT_ERROR(env_file_load_all(bad_entries, &env), ENOENT);
        strv_free(env);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void) system(cmd);
}

RUN_TESTS();
