/* SPDX-License-Identifier: MIT */
/* Fuzz unit names, escaping and specifier expansion.  The input, cut at its
 * first NUL, goes through every function of unit-name.h and through
 * specifier_expand(), and where a function accepts it the result must keep
 * the function's promises:
 *   - validation agrees with itself across the form flags, and the parts of
 *     a valid name (prefix, instance, template, suffix) rebuild the name;
 *   - unit_name_unescape(unit_name_escape(s)) == s for every s, and the
 *     escaped text uses only name characters and never starts with '.';
 *   - a path escape unescapes to a normalized absolute path that escapes
 *     back to the same text;
 *   - mangling gives a valid unit name;
 *   - specifier expansion of text without '%' is the identity, and never
 *     produces more than the requested maximum length. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "path-util.h"
#include "specifier.h"
#include "string-util.h"
#include "unit-name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                \
        do {                                                                    \
                if (!(x)) {                                                     \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x); \
                        abort();                                                \
                }                                                               \
        } while (0)

#define NAME_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\"

static void fuzz_valid_name(const char *s) {
        bool plain = unit_name_is_valid(s, UNIT_NAME_PLAIN);
        bool template = unit_name_is_valid(s, UNIT_NAME_TEMPLATE);
        bool instance = unit_name_is_valid(s, UNIT_NAME_INSTANCE);
        _cleanup_free_ char *prefix = NULL, *inst = NULL, *rebuilt = NULL, *tmpl = NULL;
        int form;

        CHECK(unit_name_is_valid(s, UNIT_NAME_ANY) == (plain || template || instance));
        CHECK(plain + template + instance <= 1);
        if (!(plain || template || instance)) {
                CHECK(unit_name_to_type(s) < 0);
                CHECK(unit_name_to_instance(s, NULL) == -EINVAL);
                return;
        }
        CHECK(strlen(s) < UNIT_NAME_MAX);

        UnitType t = unit_name_to_type(s);
        CHECK(t >= 0 && t < _UNIT_TYPE_MAX);
        const char *suffix = strrchr(s, '.');
        CHECK(unit_suffix_is_valid(suffix));

        form = unit_name_to_instance(s, &inst);
        CHECK(form == (plain ? UNIT_NAME_PLAIN : template ? UNIT_NAME_TEMPLATE : UNIT_NAME_INSTANCE));
        CHECK(plain == !inst);
        CHECK(unit_name_to_prefix(s, &prefix) >= 0);
        CHECK(unit_prefix_is_valid(prefix));

        if (plain || instance) {
                CHECK(unit_name_build(prefix, inst, suffix, &rebuilt) >= 0);
                CHECK(streq(rebuilt, s));
        }
        if (template || instance) {
                CHECK(unit_name_template(s, &tmpl) >= 0);
                CHECK(unit_name_is_valid(tmpl, UNIT_NAME_TEMPLATE));
        }
        if (instance) {
                char *again = NULL;

                CHECK(unit_instance_is_valid(inst));
                CHECK(unit_name_replace_instance(tmpl, inst, &again) >= 0);
                CHECK(streq(again, s));
                free(again);
        }
        /* Same type again: the name must not change. */
        char *same = NULL;
        CHECK(unit_name_change_suffix(s, suffix, &same) >= 0);
        CHECK(streq(same, s));
        free(same);

        char *last = NULL;
        CHECK(unit_name_prefix_last_dash(s, &last) >= 0);
        CHECK(endswith(prefix, last));
        free(last);
}

static void fuzz_escape(const char *s) {
        _cleanup_free_ char *e = unit_name_escape(s), *u = NULL;

        CHECK(e);
        CHECK(e[0] != '.');
        CHECK(e[strspn(e, NAME_CHARS)] == '\0');
        CHECK(unit_name_unescape(e, &u) >= 0);
        CHECK(streq(u, s));

        /* With a suffix that fits, the escape is a valid plain name. */
        if (!isempty(e) && strlen(e) + strlen(".service") < UNIT_NAME_MAX) {
                _cleanup_free_ char *n = strjoin(e, ".service");
                CHECK(n && unit_name_is_valid(n, UNIT_NAME_PLAIN));
        }
}

static void fuzz_unescape(const char *s) {
        _cleanup_free_ char *u = NULL, *p = NULL;

        if (unit_name_unescape(s, &u) >= 0)
                CHECK(strlen(u) <= strlen(s));
        if (unit_name_path_unescape(s, &p) >= 0) {
                CHECK(path_is_absolute(p));
                CHECK(path_is_normalized(p));
        }
}

static void fuzz_path_escape(const char *s) {
        _cleanup_free_ char *e = NULL, *back = NULL, *again = NULL;

        if (unit_name_path_escape(s, &e) < 0)
                return;
        CHECK(!isempty(e));
        CHECK(unit_name_path_unescape(e, &back) >= 0);
        CHECK(unit_name_path_escape(back, &again) >= 0);
        CHECK(streq(again, e));

        char *n = NULL;
        if (unit_name_from_path(s, ".mount", &n) >= 0) {
                CHECK(unit_name_is_valid(n, UNIT_NAME_PLAIN));
                free(n);
        }
}

static void fuzz_mangle(const char *s) {
        _cleanup_free_ char *m = NULL;
        int r = unit_name_mangle(s, ".service", &m);

        if (r < 0)
                return;
        CHECK(unit_name_is_valid(m, UNIT_NAME_ANY));
        if (r == 0)
                CHECK(streq(m, s));
}

static void fuzz_specifiers(const char *s) {
        static SpecifierContext ctx = {
                .unit_name = "foo-bar@a\\x2db.socket",
                .fragment_path = "/dev/null",
        };
        static bool initialized = false;
        _cleanup_free_ char *out = NULL, *shortened = NULL;
        int r;

        if (!initialized) {
                /* Once per process: the identity and the host cache. */
                CHECK(specifier_context_init_manager(&ctx, false) >= 0);
                initialized = true;
        }

        r = specifier_expand(s, &ctx, &out);
        if (r >= 0 && !strchr(s, '%'))
                CHECK(streq(out, s));

        r = specifier_expand_full(s, 16, &ctx, &shortened);
        if (r >= 0)
                CHECK(strlen(shortened) <= 16);
        else
                CHECK(r != -ENOMEM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s;

        /* Long inputs only slow the fuzzer down: names stop at 255. */
        if (size > 16384)
                return 0;
        /* Not strndup(): the input has no terminating NUL, and strndup()
         * may look past size for one (ASan's strict_string_checks does). */
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        fuzz_valid_name(s);
        fuzz_escape(s);
        fuzz_unescape(s);
        fuzz_path_escape(s);
        fuzz_mangle(s);
        fuzz_specifiers(s);

        free(s);
        return 0;
}
