/* SPDX-License-Identifier: MIT */
/* Directive parsers for generic values, [Unit] and [Install], the
 * "unsupported" parser, and the table lookup.  Conventions are described in
 * load-fragment.h. */
#include <assert.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "extract-word.h"
#include "load-fragment.h"
#include "parse-util.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"
#include "unit-config.h"
#include "unit-name.h"

int config_warn_parse(const ConfigContext *ctx, const char *lvalue, const char *rvalue, int error) {
        if (error == 0)
                return config_warn(ctx, "Failed to parse %s=%s, ignoring", lvalue, rvalue);
        return config_warn(ctx, "Failed to parse %s=%s: %s, ignoring", lvalue, rvalue, strerror(abs(error)));
}

int config_expand_specifiers(const ConfigContext *ctx, const char *lvalue, const char *rvalue, char **ret) {
        char *s = NULL;
        int r;

        if (!ctx->specifiers) {
                s = strdup(rvalue);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 1;
        }
        r = specifier_expand(rvalue, ctx->specifiers, &s);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                r = config_warn(ctx, "Failed to resolve specifiers in %s=%s: %s, ignoring", lvalue, rvalue,
                                r == -EBADSLT ? "Unknown specifier" : strerror(-r));
                return r < 0 ? r : 0;
        }
        *ret = s;
        return 1;
}

/* The object a section's offsets are relative to. */
static void *section_base(UnitConfig *u, const char *section) {
        if (streq(section, "Unit") || streq(section, "Install"))
                return u;
        if (streq(section, "Socket"))
                return u->socket;
        if (streq(section, "Service"))
                return u->service;
        return NULL;
}

/* The parser of each index a table row may hold (unit-directives.h). */
#define X(name) name,
static const ConfigParserCallback config_parsers[] = { CONFIG_PARSER_LIST(X) };
#undef X

int load_fragment_lookup(const char *section, const char *lvalue, ConfigParserCallback *ret_func,
                         int *ret_ltype, void **ret_data, void *userdata) {
        UnitConfig *u = userdata;
        /* "Section.Key" is built on the stack: every directive line looks one
         * up.  No directive name is longer than the buffer, so a longer key
         * is simply unknown. */
        char key[128];
        size_t ls = strlen(section), ll = strlen(lvalue);
        const ConfigPerfItem *p;
        uint8_t *base;
        uint32_t offset;

        if (ls + 1 + ll >= sizeof(key))
                return 0;
        memcpy(key, section, ls);
        key[ls] = '.';
        memcpy(key + ls + 1, lvalue, ll + 1);
        p = unit_directives_lookup(key, ls + 1 + ll);
        if (!p)
                return 0;

        offset = p->offset;
        if (offset & UNIT_CONFIG_OFFSET_FLAG) {
                base = (uint8_t *) u;
                offset &= ~UNIT_CONFIG_OFFSET_FLAG;
        } else if (offset & UNIT_EXTRA_OFFSET_FLAG) {
                base = (uint8_t *) unit_config_extra_get(u);
                if (!base)
                        return -ENOMEM;
                offset &= ~UNIT_EXTRA_OFFSET_FLAG;
        } else if (offset & SOCKET_EXEC_OFFSET_FLAG) {
                if (!u->socket)
                        return 0;
                base = (uint8_t *) socket_config_exec_config_get(u->socket);
                if (!base)
                        return -ENOMEM;
                offset &= ~SOCKET_EXEC_OFFSET_FLAG;
        } else if (offset & SERVICE_EXIT_STATUS_OFFSET_FLAG) {
                if (!u->service)
                        return 0;
                base = (uint8_t *) service_config_exit_status_get(u->service);
                if (!base)
                        return -ENOMEM;
                offset &= ~SERVICE_EXIT_STATUS_OFFSET_FLAG;
        } else
                base = section_base(u, section);
        if (!base)
                return 0;

        assert(p->parser < ELEMENTSOF(config_parsers));
        *ret_func = config_parsers[p->parser];
        *ret_ltype = p->ltype;
        *ret_data = base + offset;
        return 1;
}

/* --- unsupported settings ------------------------------------------------ */

static bool unsupported_seen(const UnitConfig *u, const ConfigContext *ctx, const char *section,
                             const char *lvalue) {
        const UnitExtraConfig *x = unit_config_extra(u);
        for (size_t i = 0; i < x->n_unsupported; i++) {
                const UnsupportedSetting *s = &x->unsupported[i];
                if (streq(s->section, section) && streq(s->key, lvalue) && streq_ptr(s->path, ctx->path))
                        return true;
        }
        return false;
}

CONFIG_PARSER_PROTOTYPE(config_parse_unsupported) {
        UnitConfig *u = userdata;
        bool seen = unsupported_seen(u, ctx, section, lvalue);
        int r;

        r = unit_config_add_unsupported(u, section, lvalue, rvalue, ctx->path, ctx->line);
        if (r < 0)
                return r;
        if (seen)
                return 0;
        return config_warn(ctx, "%s= is not supported by porter, ignoring", lvalue);
}

/* --- generic values ------------------------------------------------------ */

CONFIG_PARSER_PROTOTYPE(config_parse_bool) {
        int r = parse_boolean(rvalue);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(bool *) data = r;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_unsigned) {
        unsigned v;
        int r = safe_atou(rvalue, &v);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(unsigned *) data = v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_int) {
        int v, r = safe_atoi(rvalue, &v);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(int *) data = v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_long) {
        long v;
        int r = safe_atoli(rvalue, &v);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(long *) data = v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_iec_size) {
        uint64_t v, max = ltype > 0 ? (uint64_t) ltype : (uint64_t) SIZE_MAX;
        int r = parse_size(rvalue, 1024, &v);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        if (v > max)
                return config_warn_parse(ctx, lvalue, rvalue, -ERANGE);
        *(uint64_t *) data = v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_mode) {
        mode_t m;
        int r = parse_mode(rvalue, &m);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(mode_t *) data = m;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_sec) {
        usec_t t;
        int r = parse_sec(rvalue, &t);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(usec_t *) data = t;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_sec_fix_0) {
        usec_t t;
        int r = parse_sec_fix_0(rvalue, &t);

        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        *(usec_t *) data = t;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_string) {
        return free_and_strdup(data, isempty(rvalue) ? NULL : rvalue);
}

int signal_from_string(const char *s) {
        const char *p = startswith(s, "SIG") ?: s;
        const char *rest;
        int n;

        if (safe_atoi(s, &n) >= 0)
                return n >= 1 && n < _NSIG ? n : -EINVAL;
        for (int sig = 1; sig < SIGRTMIN; sig++) {
                const char *name = sigabbrev_np(sig);
                if (name && streq(name, p))
                        return sig;
        }
        /* RTMIN+n and RTMAX-n, as systemd accepts them. */
        if ((rest = startswith(p, "RTMIN"))) {
                n = 0;
                if (*rest && (*rest != '+' || safe_atoi(rest + 1, &n) < 0 || n < 0))
                        return -EINVAL;
                return SIGRTMIN + n <= SIGRTMAX ? SIGRTMIN + n : -EINVAL;
        }
        if ((rest = startswith(p, "RTMAX"))) {
                n = 0;
                if (*rest && (*rest != '-' || safe_atoi(rest + 1, &n) < 0 || n < 0))
                        return -EINVAL;
                return SIGRTMAX - n >= SIGRTMIN ? SIGRTMAX - n : -EINVAL;
        }
        return -EINVAL;
}

CONFIG_PARSER_PROTOTYPE(config_parse_signal) {
        int sig;

        if (isempty(rvalue)) {
                *(int *) data = ltype;
                return 0;
        }
        sig = signal_from_string(rvalue);
        if (sig < 0)
                return config_warn_parse(ctx, lvalue, rvalue, sig);
        *(int *) data = sig;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_unit_string_printf) {
        char *s = NULL;
        int r;

        if (isempty(rvalue))
                return free_and_strdup(data, NULL);
        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        free(*(char **) data);
        *(char **) data = s;
        return 0;
}

static bool path_is_absolute(const char *p) {
        return p && p[0] == '/';
}

int config_for_each_word(const ConfigContext *ctx, const char *lvalue, const char *rvalue, bool specifiers,
                         config_word_add_t add, void *data) {
        for (const char *p = rvalue;;) {
                _cleanup_free_ char *word = NULL, *expanded = NULL;
                int r;

                r = extract_first_word(&p, &word, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return config_warn(ctx, "Invalid syntax in %s=%s, ignoring", lvalue, rvalue);
                if (r == 0)
                        return 0;
                if (specifiers) {
                        r = config_expand_specifiers(ctx, lvalue, word, &expanded);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                continue;
                } else
                        expanded = TAKE_PTR(word);
                r = add(ctx, lvalue, TAKE_PTR(expanded), data);
                if (r < 0)
                        return r;
        }
}

int config_parse_word_list(const ConfigContext *ctx, const char *lvalue, const char *rvalue, char ***l,
                           config_word_add_t add) {
        if (isempty(rvalue)) {
                *l = strv_free(*l);
                return 0;
        }
        return config_for_each_word(ctx, lvalue, rvalue, true, add, l);
}

static int add_absolute_path(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!path_is_absolute(word)) {
                int r = config_warn(ctx, "%s= path '%s' is not absolute, ignoring", lvalue, word);
                free(word);
                return r;
        }
        return strv_consume(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_unit_path_strv_printf) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_absolute_path);
}

/* --- [Unit] -------------------------------------------------------------- */

static bool documentation_url_is_valid(const char *url) {
        static const char *const schemes[] = { "http://", "https://", "file:/", "info:", "man:" };

        if (isempty(url) || string_has_any(url, " \t\n\r"))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
                const char *rest = startswith(url, schemes[i]);
                if (rest && *rest)
                        return true;
        }
        return false;
}

static int add_documentation(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!documentation_url_is_valid(word)) {
                int r = config_warn(ctx, "Invalid URL '%s' in %s=, ignoring", word, lvalue);
                free(word);
                return r;
        }
        return strv_consume(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_documentation) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_documentation);
}

static int add_unit_name(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        char ***l = data;

        if (!unit_name_is_valid(word, UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE)) {
                int r = config_warn(ctx, "Invalid unit name '%s' in %s=, ignoring", word, lvalue);
                free(word);
                return r;
        }
        if (strv_contains(*l, word)) {
                free(word);
                return 0;
        }
        return strv_consume(l, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_unit_deps) {
        UnitConfig *u = userdata;

        /* As in systemd, an empty assignment adds nothing and resets nothing. */
        if (!u->dependencies) {
                u->dependencies = new0(char **, _UNIT_DEPENDENCY_MAX);
                if (!u->dependencies)
                        return -ENOMEM;
        }
        return config_for_each_word(ctx, lvalue, rvalue, true, add_unit_name, &u->dependencies[ltype]);
}

CONFIG_PARSER_PROTOTYPE(config_parse_obsolete_unit_deps) {
        int r;

        r = config_warn(ctx, "Unit dependency type %s= is obsolete, replacing by %s=, please update your unit file",
                        lvalue, unit_dependency_to_string(ltype));
        if (r < 0)
                return r;
        return config_parse_unit_deps(ctx, section, lvalue, ltype, rvalue, data, userdata);
}

CONFIG_PARSER_PROTOTYPE(config_parse_unit_mounts_for) {
        return config_for_each_word(ctx, lvalue, rvalue, true, add_absolute_path, data);
}

CONFIG_PARSER_PROTOTYPE(config_parse_emergency_action) {
        EmergencyAction a = emergency_action_from_string(rvalue);

        if (a < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(EmergencyAction *) data = a;
        return 0;
}

/* Condition*= / Assert*=: [|][!]parameter; the type is the key without its
 * prefix.  An empty value clears the whole list (systemd clears all
 * conditions, of every type). */
static int parse_condition(const ConfigContext *ctx, const char *lvalue, const char *rvalue, ConditionList *l,
                           bool want_path) {
        _cleanup_free_ char *param = NULL, *type = NULL;
        const char *type_name = startswith(lvalue, "Condition") ?: startswith(lvalue, "Assert") ?: lvalue;
        bool trigger, negate;
        Condition *items;
        int r;

        if (isempty(rvalue)) {
                condition_list_done(l);
                return 0;
        }
        trigger = rvalue[0] == '|';
        if (trigger)
                rvalue += strspn(rvalue + 1, WHITESPACE) + 1;
        negate = rvalue[0] == '!';
        if (negate)
                rvalue += strspn(rvalue + 1, WHITESPACE) + 1;

        r = config_expand_specifiers(ctx, lvalue, rvalue, &param);
        if (r <= 0)
                return r;
        if (want_path && !path_is_absolute(param))
                return config_warn(ctx, "Path in condition %s=%s is not absolute, ignoring", lvalue, param);

        type = strdup(type_name);
        items = reallocarray(l->items, l->n + 1, sizeof(Condition));
        if (!type || !items) {
                if (items)
                        l->items = items;
                return -ENOMEM;
        }
        l->items = items;
        l->items[l->n++] = (Condition) {
                .type = TAKE_PTR(type),
                .trigger = trigger,
                .negate = negate,
                .parameter = TAKE_PTR(param),
        };
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_unit_condition_path) {
        return parse_condition(ctx, lvalue, rvalue, data, true);
}

CONFIG_PARSER_PROTOTYPE(config_parse_unit_condition_string) {
        return parse_condition(ctx, lvalue, rvalue, data, false);
}

/* --- [Install] ----------------------------------------------------------- */

static int add_install_name(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!unit_name_is_valid(word, UNIT_NAME_ANY)) {
                int r = config_warn(ctx, "Invalid unit name '%s' in %s=, ignoring", word, lvalue);
                free(word);
                return r;
        }
        return strv_consume(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_install_names) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_install_name);
}

CONFIG_PARSER_PROTOTYPE(config_parse_default_instance) {
        _cleanup_free_ char *s = NULL;
        int r;

        if (isempty(rvalue))
                return free_and_strdup(data, NULL);
        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        if (!unit_instance_is_valid(s))
                return config_warn(ctx, "Invalid instance name '%s' in %s=, ignoring", s, lvalue);
        return free_and_replace(*(char **) data, s);
}
