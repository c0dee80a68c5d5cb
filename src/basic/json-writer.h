/* SPDX-License-Identifier: MIT */
#pragma once

/* A small streaming JSON writer (RFC 8259) for porterctl's machine-readable
 * output (`verify --json`, `-o json`).
 *
 * Why porter has its own: the libsystemd we build against (Debian 12's
 * v252) has no public JSON API (sd-json became public only in v257), and
 * the output we need is a few arrays of flat objects, which does not justify
 * another dependency.
 *
 * Output grammar: values are written in call order; the writer inserts the
 * commas and colons.  Strings are escaped as RFC 8259 requires: '"' and '\'
 * are escaped, control characters U+0000..U+001F become \b \f \n \r \t or
 * \u00XX, DEL becomes \u007f, and every byte that is not part of valid UTF-8
 * is replaced by \ufffd (so the result is always valid UTF-8 JSON, whatever
 * bytes a unit file contained).  Integers are written in decimal; there are
 * no floating-point values.
 *
 * Usage:
 *         JsonWriter w;
 *         json_writer_init(&w, stdout);
 *         json_begin_array(&w);
 *         json_begin_object(&w);
 *         json_key(&w, "unit");  json_string(&w, "foo.socket");
 *         json_key(&w, "loaded"); json_bool(&w, true);
 *         json_end_object(&w);
 *         json_end_array(&w);
 *         r = json_writer_finish(&w);   // 0, or the first error
 *
 * Misuse (a value where a key is needed, unbalanced ends, nesting deeper
 * than JSON_WRITER_MAX_DEPTH) is recorded as -EINVAL and nothing more is
 * written. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_WRITER_MAX_DEPTH 32

typedef struct JsonWriter {
        FILE *f;
        unsigned depth;
        bool is_object[JSON_WRITER_MAX_DEPTH]; /* per level: object (true) or array */
        bool has_items[JSON_WRITER_MAX_DEPTH]; /* per level: a comma is needed before the next item */
        bool after_key;                        /* a key was written, its value is due */
        bool done;                             /* a complete top-level value was written */
        int error;                             /* first error, negative errno */
} JsonWriter;

void json_writer_init(JsonWriter *w, FILE *f);

void json_begin_object(JsonWriter *w);
void json_end_object(JsonWriter *w);
void json_begin_array(JsonWriter *w);
void json_end_array(JsonWriter *w);

/* The key of the next member; only inside an object. */
void json_key(JsonWriter *w, const char *key);

/* Values.  json_string(w, NULL) writes null. */
void json_string(JsonWriter *w, const char *s);
void json_string_n(JsonWriter *w, const char *s, size_t n);
void json_int(JsonWriter *w, int64_t v);
void json_uint(JsonWriter *w, uint64_t v);
void json_bool(JsonWriter *w, bool b);
void json_null(JsonWriter *w);

/* Check that exactly one complete value was written, add a newline and
 * flush.  Returns 0, -EINVAL for misuse or an incomplete document, or -EIO
 * (or the errno of the failed write). */
int json_writer_finish(JsonWriter *w);
