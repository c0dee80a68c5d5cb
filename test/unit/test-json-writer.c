/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "json-writer.h"
#include "tests.h"

/* Runs build() on a memory stream; returns the finish result and the text. */
static int render(void (*build)(JsonWriter *w), char **ret) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        JsonWriter w;
        int r;

        ASSERT_NOT_NULL(f);
        json_writer_init(&w, f);
        build(&w);
        r = json_writer_finish(&w);
        fclose(f);
        *ret = buf;
        return r;
}

static void build_verify_shape(JsonWriter *w) {
        json_begin_array(w);
        json_begin_object(w);
        json_key(w, "unit");
        json_string(w, "foo.socket");
        json_key(w, "loaded");
        json_bool(w, false);
        json_key(w, "warnings");
        json_begin_array(w);
        json_begin_object(w);
        json_key(w, "line");
        json_uint(w, 3);
        json_key(w, "delta");
        json_int(w, -7);
        json_key(w, "none");
        json_null(w);
        json_end_object(w);
        json_end_array(w);
        json_end_object(w);
        json_begin_array(w);
        json_end_array(w);
        json_end_array(w);
}

TEST(nesting_and_commas) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(render(build_verify_shape, &s));
        ASSERT_STREQ(s, "[{\"unit\":\"foo.socket\",\"loaded\":false,\"warnings\":"
                        "[{\"line\":3,\"delta\":-7,\"none\":null}]},[]]\n");
}

static void build_escapes(JsonWriter *w) {
        json_begin_object(w);
        json_key(w, "k\"ey");
        json_string(w, "q\" b\\ n\n t\t \x01 \x1f \x7f é \xe2\x82\xac");
        json_key(w, "bad");
        json_string(w, "a\xff" "b\xc0\xaf" "c\xed\xa0\x80");
        json_key(w, "nul");
        json_string_n(w, "x\0y", 3);
        json_end_object(w);
}

TEST(string_escaping) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(render(build_escapes, &s));
        ASSERT_STREQ(s, "{\"k\\\"ey\":\"q\\\" b\\\\ n\\n t\\t \\u0001 \\u001f \\u007f é \xe2\x82\xac\","
                        "\"bad\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffd\","
                        "\"nul\":\"x\\u0000y\"}\n");
}

static void build_value_without_key(JsonWriter *w) {
        json_begin_object(w);
        json_string(w, "oops");
        json_end_object(w);
}

static void build_unbalanced(JsonWriter *w) {
        json_begin_array(w);
        json_end_object(w);
}

static void build_unfinished(JsonWriter *w) {
        json_begin_array(w);
}

static void build_two_roots(JsonWriter *w) {
        json_null(w);
        json_null(w);
}

static void build_too_deep(JsonWriter *w) {
        for (int i = 0; i <= JSON_WRITER_MAX_DEPTH; i++)
                json_begin_array(w);
}

TEST(misuse_is_reported) {
        char *s = NULL;

        ASSERT_ERROR(render(build_value_without_key, &s), EINVAL);
        free(s);
        ASSERT_ERROR(render(build_unbalanced, &s), EINVAL);
        free(s);
        ASSERT_ERROR(render(build_unfinished, &s), EINVAL);
        free(s);
        ASSERT_ERROR(render(build_two_roots, &s), EINVAL);
        free(s);
        ASSERT_ERROR(render(build_too_deep, &s), EINVAL);
        free(s);
}

static void build_scalars(JsonWriter *w) {
        json_begin_array(w);
        json_int(w, INT64_MIN);
        json_uint(w, UINT64_MAX);
        json_bool(w, true);
        json_string(w, NULL);
        json_string(w, "");
        json_end_array(w);
}

TEST(scalars) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(render(build_scalars, &s));
        ASSERT_STREQ(s, "[-9223372036854775808,18446744073709551615,true,null,\"\"]\n");
}

TEST(write_error) {
        FILE *f = fopen("/dev/full", "we");
        JsonWriter w;

        if (!f)
                TEST_SKIP_ALL("/dev/full not available");
        setvbuf(f, NULL, _IONBF, 0);
        json_writer_init(&w, f);
        json_string(&w, "x");
        ASSERT_ERROR(json_writer_finish(&w), ENOSPC);
        fclose(f);
}

RUN_TESTS()
