/* SPDX-License-Identifier: MIT */
/* Exec*= command lines; the grammar is at the top of exec-command.h.
 *
 * Words come from extract_first_word() with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE|
 * EXTRACT_CUNESCAPE_RELAX, as systemd's config_parse_exec() gets them: an
 * unknown escape such as "\;" or "\d" survives verbatim, which is what lets a
 * literal "\;" be told apart from the separator ";" after unquoting. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "env-util.h"
#include "escape.h"
#include "exec-command.h"
#include "path-util.h"
#include "extract-word.h"
#include "string-util.h"
#include "strv.h"

#define EXEC_WORD_FLAGS (EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE | EXTRACT_CUNESCAPE_RELAX)

/* systemd's default search path for bare names (split-usr layout). */
/* systemd's fixed search path for bare names on Exec*= lines. */
#define EXEC_SEARCH_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A strv being built: appending is amortized O(1) (strv_consume() counts
 * the list each time, which is quadratic for a 1 MiB line of words). */
typedef struct WordList {
        char **l;
        size_t n, allocated;
} WordList;

static void word_list_done(WordList *w) {
        strv_free(w->l);
}

/* Append s, taking ownership (freed on failure). */
static int word_list_consume(WordList *w, char *s) {
        if (!s || !GREEDY_REALLOC(w->l, w->allocated, w->n + 2)) {
                free(s);
                return -ENOMEM;
        }
        w->l[w->n++] = s;
        w->l[w->n] = NULL;
        return 0;
}

/* The finished list (never NULL on success: an empty list is {NULL}). */
static char **word_list_take(WordList *w) {
        if (!w->l && !GREEDY_REALLOC(w->l, w->allocated, 1))
                return NULL;
        w->l[w->n] = NULL;
        w->n = w->allocated = 0;
        return TAKE_PTR(w->l);
}

ExecCommand *exec_command_free_list(ExecCommand *c) {
        while (c) {
                ExecCommand *next = c->next;

                free(c->path);
                strv_free(c->argv);
                free(c);
                c = next;
        }
        return NULL;
}

void exec_command_append_list(ExecCommand **a, ExecCommand *b) {
        ExecCommand **tail = a;

        while (*tail)
                tail = &(*tail)->next;
        *tail = b;
}

/* Store a formatted reason in *ret_error (if wanted) and return error. */
_printf_(3, 4)
static int exec_error(char **ret_error, int error, const char *format, ...) {
        va_list ap;

        if (ret_error) {
                char *m = NULL;

                va_start(ap, format);
                if (vasprintf(&m, format, ap) < 0)
                        m = NULL;
                va_end(ap);
                free(*ret_error);
                *ret_error = m;
        }
        return error;
}

static bool filename_is_valid(const char *s) {
        return !isempty(s) && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..") && strlen(s) <= 255;
}

static bool has_control_chars(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < ' ' || *s == 0x7F)
                        return true;
        return false;
}

int exec_command_find_executable(const char *name, char **ret) {
        int r;

        if (isempty(name))
                return -EINVAL;
        if (name[0] == '/') {
                char *c = strdup(name);
                if (!c)
                        return -ENOMEM;
                *ret = c;
                return 0;
        }
        if (!filename_is_valid(name))
                return -EINVAL;

        /* A match without an execute bit counts as not found here. */
        r = path_find_executable(name, EXEC_SEARCH_PATH, ret);
        return r == -EACCES ? -ENOENT : r;
}

/* Strip the prefix characters of the first word into *flags.  Returns the
 * rest of the word, or NULL for "+" with "!" (they exclude each other). */
static const char *exec_parse_prefixes(const char *f, ExecCommandFlags *flags, bool *separate_argv0) {
        bool seen_dash = false, seen_at = false, seen_colon = false, seen_bang = false, seen_pipe = false;

        /* A prefix seen twice ends the prefixes: "--x" is the path "-x". */
        for (;; f++) {
                if (*f == '-' && !seen_dash) {
                        seen_dash = true;
                        *flags |= EXEC_COMMAND_IGNORE_FAILURE;
                } else if (*f == '@' && !seen_at)
                        seen_at = true;
                else if (*f == ':' && !seen_colon) {
                        seen_colon = true;
                        *flags |= EXEC_COMMAND_NO_ENV_EXPAND;
                } else if (*f == '|' && !seen_pipe) {
                        seen_pipe = true;
                        *flags |= EXEC_COMMAND_VIA_SHELL;
                } else if (*f == '+' || *f == '!') {
                        if (*flags & (EXEC_COMMAND_FULLY_PRIVILEGED | EXEC_COMMAND_NO_SETUID) || seen_bang)
                                return NULL;
                        if (*f == '+')
                                *flags |= EXEC_COMMAND_FULLY_PRIVILEGED;
                        else if (f[1] == '!') {
                                f++;    /* "!!": ambient-capability hack, ignored since v258 */
                                seen_bang = true;
                        } else
                                *flags |= EXEC_COMMAND_NO_SETUID;
                } else
                        break;
        }

        if (seen_at && (*flags & EXEC_COMMAND_VIA_SHELL))
                *flags |= EXEC_COMMAND_LOGIN_SHELL;
        *separate_argv0 = seen_at && !(*flags & EXEC_COMMAND_VIA_SHELL);
        return f;
}

/* Extract the next word.  Returns 1 with *ret, 0 at the end. */
static int exec_next_word(const char **p, char **ret, char **ret_error) {
        int r;

        r = extract_first_word(p, ret, NULL, EXEC_WORD_FLAGS);
        if (r == -EINVAL)
                return exec_error(ret_error, r, "Unbalanced quoting");
        if (r < 0)
                return exec_error(ret_error, r, "Failed to split command line: %s", strerror(-r));
        return r;
}

/* Run the expand callback on word, replacing it. */
static int exec_expand_word(char **word, exec_word_expand_t expand, void *userdata, char **ret_error) {
        char *n = NULL;
        int r;

        if (!expand)
                return 0;
        r = expand(*word, &n, userdata);
        if (r < 0)
                return exec_error(ret_error, r, "Failed to resolve specifiers in '%s'", *word);
        free_and_replace(*word, n);
        return 0;
}

/* Check the path word of a non-shell command.  A bare name is kept as it
 * is: like systemd (exec-invoke.c), it is searched at spawn time, so that a
 * missing binary fails the start, not the load. */
static int exec_check_path(const char *f, char **ret, char **ret_error) {
        char *c;

        if (isempty(f))
                return exec_error(ret_error, -EINVAL, "Empty path in command line");
        if (has_control_chars(f))
                return exec_error(ret_error, -EINVAL, "Executable path contains control characters: '%s'", f);
        if (endswith(f, "/"))
                return exec_error(ret_error, -EINVAL, "Executable path specifies a directory: '%s'", f);
        if (f[0] != '/' && !filename_is_valid(f))
                return exec_error(ret_error, -EINVAL, "Neither a valid executable name nor an absolute path: '%s'", f);

        c = strdup(f);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* Parse one command up to ";" or the end.  Returns 1 with *ret, 0 if there
 * were no words at all. */
static int exec_parse_one(const char **p, exec_word_expand_t expand, void *userdata,
                          ExecCommand **ret, char **ret_error) {
        _cleanup_exec_command_free_list_ ExecCommand *c = NULL;
        _cleanup_free_ char *first = NULL, *f = NULL;
        _cleanup_(word_list_done) WordList argv = {};
        bool separate_argv0;
        const char *rest;
        int r;

        /* A ";" where a command should start is skipped, as systemd does:
         * "; /bin/true" and "a ; ; b" are fine. */
        do {
                free(first);
                first = NULL;
                r = exec_next_word(p, &first, ret_error);
                if (r <= 0)
                        return r;
        } while (streq(first, ";"));

        c = new0(ExecCommand, 1);
        if (!c)
                return -ENOMEM;

        rest = exec_parse_prefixes(first, &c->flags, &separate_argv0);
        if (!rest)
                return exec_error(ret_error, -EINVAL, "The '+' and '!' prefixes exclude each other: '%s'", first);

        f = strdup(rest);
        if (!f)
                return -ENOMEM;
        if (!isempty(f) || !(c->flags & EXEC_COMMAND_VIA_SHELL)) {
                r = exec_expand_word(&f, expand, userdata, ret_error);
                if (r < 0)
                        return r;
        }

        if (!(c->flags & EXEC_COMMAND_VIA_SHELL)) {
                r = exec_check_path(f, &c->path, ret_error);
                if (r < 0)
                        return r;
        }
        if (!separate_argv0 && !isempty(f)) {
                r = word_list_consume(&argv, TAKE_PTR(f));
                if (r < 0)
                        return r;
        }

        for (;;) {
                _cleanup_free_ char *w = NULL;

                r = exec_next_word(p, &w, ret_error);
                if (r < 0)
                        return r;
                if (r == 0 || streq(w, ";"))
                        break;
                if (streq(w, "\\;"))
                        strcpy(w, ";");         /* the escaped separator is an argument */

                r = exec_expand_word(&w, expand, userdata, ret_error);
                if (r < 0)
                        return r;
                r = word_list_consume(&argv, TAKE_PTR(w));
                if (r < 0)
                        return r;
        }

        if (argv.n == 0 && !(c->flags & EXEC_COMMAND_VIA_SHELL))
                return exec_error(ret_error, -EINVAL, "Empty executable name or zeroth argument");
        c->argv = word_list_take(&argv);
        if (!c->argv)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 1;
}

int exec_command_parse(const char *line, exec_word_expand_t expand, void *userdata,
                       ExecCommand **ret, char **ret_error) {
        _cleanup_exec_command_free_list_ ExecCommand *list = NULL;
        const char *p = line;
        int n = 0;

        if (ret_error)
                *ret_error = NULL;
        if (!line)
                return exec_error(ret_error, -EINVAL, "No command line");

        while (p) {
                ExecCommand *c = NULL;
                int r;

                r = exec_parse_one(&p, expand, userdata, &c, ret_error);
                if (r < 0)
                        return r == -ENOMEM ? exec_error(ret_error, r, "Out of memory") : r;
                if (r == 0)
                        break;  /* end of input, also after a trailing ";" as systemd */
                exec_command_append_list(&list, c);
                n++;
        }

        *ret = TAKE_PTR(list);
        return n;
}

/* Quote a word for exec_command_to_string() if reading it back would not
 * give the same word.  A lone ";" argument becomes "\;"; as the path (only
 * possible after prefixes, e.g. "-;") it must be quoted instead, since the
 * path word does not get the "\;" treatment. */
static char *exec_quote_word(const char *w, bool is_path) {
        _cleanup_free_ char *e = NULL;

        if (streq(w, ";"))
                return strdup(is_path ? "\";\"" : "\\;");
        if (!isempty(w) && !string_has_any(w, WHITESPACE "\"'\\") && !has_control_chars(w))
                return strdup(w);

        e = cescape(w);
        if (!e)
                return NULL;
        return strjoin("\"", e, "\"");
}

char *exec_command_to_string(const ExecCommand *c) {
        _cleanup_strv_free_ char **pieces = NULL;
        char flags[8] = {}, *fp = flags;
        const char *head = NULL;
        bool at = false;
        size_t i = 0, n = 0;

        if (!c)
                return NULL;
        if (c->flags & EXEC_COMMAND_IGNORE_FAILURE)
                *fp++ = '-';
        if (c->flags & EXEC_COMMAND_NO_ENV_EXPAND)
                *fp++ = ':';
        if (c->flags & EXEC_COMMAND_FULLY_PRIVILEGED)
                *fp++ = '+';
        if (c->flags & EXEC_COMMAND_NO_SETUID)
                *fp++ = '!';
        if (c->flags & EXEC_COMMAND_VIA_SHELL) {
                if (c->flags & EXEC_COMMAND_LOGIN_SHELL)
                        *fp++ = '@';
                *fp++ = '|';
        } else if (c->path && (!c->argv || !c->argv[0] || !streq(c->argv[0], c->path) || c->path[0] == '@')) {
                /* argv[0] differs from the path: spell both out.  A path
                 * starting with '@' (from "@@x y") needs the '@' prefix in
                 * front of it too, or its own '@' would be read as one. */
                *fp++ = '@';
                at = true;
        }

        /* The first piece is the prefixes with the word they stick to. */
        if (!(c->flags & EXEC_COMMAND_VIA_SHELL)) {
                head = strempty(c->path);
                if (!at)
                        i = 1;          /* argv[0] is the path itself */
                if (!*flags && streq(head, ";"))
                        strcpy(flags, "!!");    /* from "!!;": a bare ";" would be a separator */
        } else if (c->argv && !isempty(c->argv[0]) && !strchr("-@:+!|", c->argv[0][0])) {
                /* The first shell word sticks to "|" and is read as the
                 * first word, which gets no "\;" treatment.  One that
                 * starts like a prefix (or is empty) must stand apart:
                 * "|:x" would read as a ':' prefix, "|\"\"" as "|". */
                head = c->argv[0];
                i = 1;
        }

        pieces = new0(char *, strv_length(c->argv) + 2);
        if (!pieces)
                return NULL;
        if (head) {
                _cleanup_free_ char *q = exec_quote_word(head, true);
                if (!q)
                        return NULL;
                pieces[n] = strjoin(flags, q);
        } else
                pieces[n] = strdup(flags);
        if (!pieces[n++])
                return NULL;

        for (; c->argv && c->argv[i]; i++) {
                pieces[n] = exec_quote_word(c->argv[i], false);
                if (!pieces[n++])
                        return NULL;
        }
        return strv_join(pieces, " ");
}

bool exec_command_line_ignores_failure(const char *line) {
        _cleanup_free_ char *first = NULL;
        ExecCommandFlags flags = 0;
        const char *p = line;
        bool separate;

        if (!line || extract_first_word(&p, &first, NULL, EXEC_WORD_FLAGS) <= 0)
                return false;
        (void) exec_parse_prefixes(first, &flags, &separate);
        return flags & EXEC_COMMAND_IGNORE_FAILURE;
}

/* "${...}" starting at s (which points at '$'): appends the value of the
 * variable named by everything between the braces (unset, or not a valid
 * name, gives the empty string, as systemd's replace_env() without
 * REPLACE_ENV_ALLOW_EXTENDED does; so "${A:-b}" is empty too).  Returns the
 * number of input bytes used, 0 if there is no closing brace (then the text
 * stays literal), or SIZE_MAX on ENOMEM. */
static size_t exec_expand_curly(const char *s, char * const *env, char **out, size_t *n, size_t *allocated) {
        const char *name = s + 2, *end, *value;
        size_t l;

        end = strchr(name, '}');
        if (!end)
                return 0;
        value = end > name ? strv_env_get_n(env, name, (size_t) (end - name)) : NULL;
        l = value ? strlen(value) : 0;

        if (!GREEDY_REALLOC(*out, *allocated, *n + l + 1))
                return SIZE_MAX;
        if (l > 0)
                memcpy(*out + *n, value, l);
        *n += l;
        return (size_t) (end - s) + 1;
}

/* Replace "${...}" and "$$" inside one word. */
static int exec_expand_word_env(const char *w, char * const *env, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t n = 0, allocated = 0;

        if (!GREEDY_REALLOC(out, allocated, strlen(w) + 1))
                return -ENOMEM;
        for (const char *s = w; *s;) {
                size_t used = 0;

                if (s[0] == '$' && s[1] == '$')
                        used = 2;       /* "$$" is a literal '$' */
                else if (s[0] == '$' && s[1] == '{') {
                        used = exec_expand_curly(s, env, &out, &n, &allocated);
                        if (used == SIZE_MAX)
                                return -ENOMEM;
                        if (used > 0) {
                                s += used;
                                continue;
                        }
                }
                if (!GREEDY_REALLOC(out, allocated, n + 2))
                        return -ENOMEM;
                out[n++] = *s;
                s += used > 0 ? used : 1;
        }
        out[n] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

int exec_command_expand_env(char * const *argv, char * const *env, char ***ret) {
        _cleanup_(word_list_done) WordList l = {};

        STRV_FOREACH(i, argv) {
                const char *w = *i;
                char *x = NULL;
                int r;

                if (w[0] == '$' && w[1] != '{' && w[1] != '$') {
                        /* "$NAME" alone: the value split into words, quotes
                         * respected and removed; unset gives no words. */
                        const char *v = strv_env_get(env, w + 1);

                        for (const char *p = v; p;) {
                                r = extract_first_word(&p, &x, NULL, EXTRACT_RELAX | EXTRACT_UNQUOTE);
                                if (r < 0)
                                        return r;
                                if (r == 0)
                                        break;
                                r = word_list_consume(&l, x);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                r = exec_expand_word_env(w, env, &x);
                if (r < 0)
                        return r;
                r = word_list_consume(&l, x);
                if (r < 0)
                        return r;
        }

        char **result = word_list_take(&l);
        if (!result)
                return -ENOMEM;
        *ret = result;
        return 0;
}

int exec_command_shell_argv(const ExecCommand *c, char * const *argv, const char *shell, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *arg0 = NULL, *script = NULL;
        const char *base;
        int r;

        if (!c || isempty(shell) || shell[0] != '/')
                return -EINVAL;
        base = strrchr(shell, '/') + 1;
        if (isempty(base))
                return -EINVAL;

        arg0 = strjoin((c->flags & EXEC_COMMAND_LOGIN_SHELL) ? "-" : "", base);
        if (!arg0)
                return -ENOMEM;
        r = strv_consume(&l, TAKE_PTR(arg0));
        if (r < 0)
                return r;

        if (argv && argv[0]) {
                /* The words are joined as written: shell syntax in them
                 * (pipes, redirections) is the point of '|'. */
                script = strv_join(argv, " ");
                if (!script)
                        return -ENOMEM;
                r = strv_extend(&l, "-c");
                if (r < 0)
                        return r;
                r = strv_consume(&l, TAKE_PTR(script));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(l);
        return 0;
}
