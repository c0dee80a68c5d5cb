/* SPDX-License-Identifier: MIT */
/* Streaming JSON output; see json-writer.h for the grammar and for why this
 * exists. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json-writer.h"
#include "utf8.h"

void json_writer_init(JsonWriter *w, FILE *f) {
        *w = (JsonWriter) { .f = f };
}

static void json_fail(JsonWriter *w, int error) {
        if (w->error == 0)
                w->error = error;
}

static void json_put(JsonWriter *w, const char *s, size_t n) {
        if (w->error == 0 && n > 0 && fwrite(s, 1, n, w->f) != n)
                json_fail(w, errno > 0 ? -errno : -EIO);
}

static void json_puts(JsonWriter *w, const char *s) {
        json_put(w, s, strlen(s));
}

/* Called before every value: checks that a value may come here and writes
 * the separating comma.  Returns false (and records -EINVAL) if not. */
static bool json_value_start(JsonWriter *w) {
        if (w->error)
                return false;
        if (w->depth == 0) {
                if (w->done) {
                        json_fail(w, -EINVAL);
                        return false;
                }
                return true;
        }
        if (w->is_object[w->depth - 1]) {
                if (!w->after_key) {
                        json_fail(w, -EINVAL);
                        return false;
                }
                w->after_key = false;
                return true;
        }
        if (w->has_items[w->depth - 1])
                json_puts(w, ",");
        w->has_items[w->depth - 1] = true;
        return w->error == 0;
}

/* After a complete scalar or container at the current level. */
static void json_value_end(JsonWriter *w) {
        if (w->depth == 0)
                w->done = true;
}

static void json_begin(JsonWriter *w, bool object) {
        if (!json_value_start(w))
                return;
        if (w->depth >= JSON_WRITER_MAX_DEPTH) {
                json_fail(w, -EINVAL);
                return;
        }
        json_puts(w, object ? "{" : "[");
        w->is_object[w->depth] = object;
        w->has_items[w->depth] = false;
        w->depth++;
}

static void json_end(JsonWriter *w, bool object) {
        if (w->error)
                return;
        if (w->depth == 0 || w->is_object[w->depth - 1] != object || w->after_key) {
                json_fail(w, -EINVAL);
                return;
        }
        w->depth--;
        json_puts(w, object ? "}" : "]");
        json_value_end(w);
}

void json_begin_object(JsonWriter *w) {
        json_begin(w, true);
}

void json_end_object(JsonWriter *w) {
        json_end(w, true);
}

void json_begin_array(JsonWriter *w) {
        json_begin(w, false);
}

void json_end_array(JsonWriter *w) {
        json_end(w, false);
}

/* Write the body of a string (without quotes), escaped. */
static void json_escape(JsonWriter *w, const char *s, size_t n) {
        size_t i = 0;

        while (i < n && w->error == 0) {
                unsigned char c = (unsigned char) s[i];
                char buf[8];
                uint32_t cp;
                int k;

                if (c == '"' || c == '\\') {
                        buf[0] = '\\';
                        buf[1] = (char) c;
                        json_put(w, buf, 2);
                        i++;
                        continue;
                }
                if (c < 0x20 || c == 0x7f) {
                        static const char short_escapes[] = { ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                                                              ['\r'] = 'r', ['\t'] = 't' };
                        if (c < sizeof(short_escapes) && short_escapes[c]) {
                                buf[0] = '\\';
                                buf[1] = short_escapes[c];
                                json_put(w, buf, 2);
                        } else {
                                snprintf(buf, sizeof(buf), "\\u%04x", c);
                                json_put(w, buf, 6);
                        }
                        i++;
                        continue;
                }
                if (c < 0x80) {
                        json_put(w, s + i, 1);
                        i++;
                        continue;
                }
                k = utf8_decode_one(s + i, n - i, &cp);
                if (k < 0) {
                        /* Not UTF-8: one replacement character per bad byte. */
                        json_puts(w, "\\ufffd");
                        i++;
                        continue;
                }
                json_put(w, s + i, (size_t) k);
                i += (size_t) k;
        }
}

void json_key(JsonWriter *w, const char *key) {
        if (w->error)
                return;
        if (w->depth == 0 || !w->is_object[w->depth - 1] || w->after_key || !key) {
                json_fail(w, -EINVAL);
                return;
        }
        if (w->has_items[w->depth - 1])
                json_puts(w, ",");
        w->has_items[w->depth - 1] = true;
        json_puts(w, "\"");
        json_escape(w, key, strlen(key));
        json_puts(w, "\":");
        w->after_key = true;
}

void json_string_n(JsonWriter *w, const char *s, size_t n) {
        if (!s) {
                json_null(w);
                return;
        }
        if (!json_value_start(w))
                return;
        json_puts(w, "\"");
        json_escape(w, s, n);
        json_puts(w, "\"");
        json_value_end(w);
}

void json_string(JsonWriter *w, const char *s) {
        json_string_n(w, s, s ? strlen(s) : 0);
}

static void json_literal(JsonWriter *w, const char *text) {
        if (!json_value_start(w))
                return;
        json_puts(w, text);
        json_value_end(w);
}

void json_int(JsonWriter *w, int64_t v) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRId64, v);
        json_literal(w, buf);
}

void json_uint(JsonWriter *w, uint64_t v) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        json_literal(w, buf);
}

void json_bool(JsonWriter *w, bool b) {
        json_literal(w, b ? "true" : "false");
}

void json_null(JsonWriter *w) {
        json_literal(w, "null");
}

int json_writer_finish(JsonWriter *w) {
        if (w->error == 0 && (!w->done || w->depth != 0))
                json_fail(w, -EINVAL);
        if (w->error)
                return w->error;
        json_puts(w, "\n");
        if (w->error == 0 && fflush(w->f) != 0)
                json_fail(w, errno > 0 ? -errno : -EIO);
        return w->error;
}
