/* SPDX-License-Identifier: MIT */
/* Directive parsers for the exec and kill context (shared by [Socket] and
 * [Service]) and for [Service] itself.  Conventions: load-fragment.h. */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "alloc-util.h"
#include "env-util.h"
#include "exec-command.h"
#include "extract-word.h"
#include "load-fragment.h"
#include "parse-util.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"
#include "unit-config.h"
#include "unit-name.h"
#include "user-util.h"

/* --- Exec*= ------------------------------------------------------------- */

static int exec_expand_word(const char *word, char **ret, void *userdata) {
        const ConfigContext *ctx = userdata;

        if (!ctx->specifiers) {
                *ret = strdup(word);
                return *ret ? 0 : -ENOMEM;
        }
        return specifier_expand(word, ctx->specifiers, ret);
}

CONFIG_PARSER_PROTOTYPE(config_parse_exec) {
        ExecCommand **lists = data;
        _cleanup_exec_command_free_list_ ExecCommand *c = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        if (isempty(rvalue)) {
                lists[ltype] = exec_command_free_list(lists[ltype]);
                return 0;
        }
        r = exec_command_parse(rvalue, exec_expand_word, (void *) ctx, &c, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                const char *why = error ?: (r == -EBADSLT ? "Unknown specifier" : strerror(-r));

                if (exec_command_line_ignores_failure(rvalue))
                        return config_warn(ctx, "Invalid command line in %s=%s: %s, ignoring", lvalue, rvalue, why);
                return config_error(ctx, -ENOEXEC, "Invalid command line in %s=%s: %s", lvalue, rvalue, why);
        }
        if (r == 0)
                return 0;
        exec_command_append_list(&lists[ltype], TAKE_PTR(c));
        return 0;
}

/* --- users and groups ---------------------------------------------------- */

CONFIG_PARSER_PROTOTYPE(config_parse_user_group) {
        _cleanup_free_ char *s = NULL;
        int r;

        if (isempty(rvalue))
                return free_and_strdup(data, NULL);

        if (ctx->specifiers) {
                r = specifier_expand(rvalue, ctx->specifiers, &s);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return config_error(ctx, -ENOEXEC, "Failed to resolve specifiers in %s=%s: %s", lvalue,
                                            rvalue, r == -EBADSLT ? "Unknown specifier" : strerror(-r));
        } else {
                s = strdup(rvalue);
                if (!s)
                        return -ENOMEM;
        }
        if (!valid_user_group_name(s, VALID_USER_UNIT_FILE))
                return config_error(ctx, -ENOEXEC, "Invalid user/group name or numeric ID in %s=%s", lvalue, s);
        return free_and_replace(*(char **) data, s);
}

/* systemd only warns about a bad supplementary group: it does not make the
 * unit fail to load. */
static int add_user_group(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!valid_user_group_name(word, VALID_USER_UNIT_FILE)) {
                int r = config_warn(ctx, "Invalid user/group name or numeric ID '%s' in %s=, ignoring", word, lvalue);
                free(word);
                return r;
        }
        return strv_consume(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_user_group_strv) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_user_group);
}

/* --- process environment ------------------------------------------------- */

CONFIG_PARSER_PROTOTYPE(config_parse_working_directory) {
        ExecContext *c = data;
        _cleanup_free_ char *s = NULL;
        bool missing_ok;
        int r;

        if (isempty(rvalue)) {
                free(c->working_directory);
                c->working_directory = NULL;
                c->working_directory_home = c->working_directory_missing_ok = false;
                return 0;
        }
        missing_ok = rvalue[0] == '-';
        if (missing_ok)
                rvalue++;
        if (streq(rvalue, "~")) {
                free(c->working_directory);
                c->working_directory = NULL;
                c->working_directory_home = true;
                c->working_directory_missing_ok = missing_ok;
                return 0;
        }
        /* systemd refuses the unit for a bad WorkingDirectory= unless the
         * '-' prefix made a missing directory acceptable. */
        if (ctx->specifiers) {
                r = specifier_expand(rvalue, ctx->specifiers, &s);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        const char *why = r == -EBADSLT ? "Unknown specifier" : strerror(-r);
                        if (missing_ok)
                                return config_warn(ctx, "Failed to resolve specifiers in %s=%s: %s, ignoring",
                                                   lvalue, rvalue, why);
                        return config_error(ctx, -ENOEXEC, "Failed to resolve specifiers in %s=%s: %s", lvalue,
                                            rvalue, why);
                }
        } else {
                s = strdup(rvalue);
                if (!s)
                        return -ENOMEM;
        }
        if (s[0] != '/') {
                if (missing_ok)
                        return config_warn(ctx, "%s= path '%s' is not absolute, ignoring", lvalue, s);
                return config_error(ctx, -ENOEXEC, "%s= path '%s' is not absolute", lvalue, s);
        }
        free_and_replace(c->working_directory, s);
        c->working_directory_home = false;
        c->working_directory_missing_ok = missing_ok;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_exec_nice) {
        ExecContext *c = data;
        int n, r;

        if (isempty(rvalue)) {
                c->nice_set = false;
                return 0;
        }
        r = parse_nice(rvalue, &n);
        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        c->nice = n;
        c->nice_set = true;
        return 0;
}

static int add_env_assignment(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        _cleanup_free_ char *w = word;

        if (!env_assignment_is_valid(w))
                return config_warn(ctx, "Invalid environment assignment '%s' in %s=, ignoring", w, lvalue);
        return strv_env_set(data, w);
}

CONFIG_PARSER_PROTOTYPE(config_parse_environ) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_env_assignment);
}

/* Append word to the list *data unless it is there already; takes word. */
static int strv_consume_unique(char ***l, char *word) {
        if (strv_contains(*l, word)) {
                free(word);
                return 0;
        }
        return strv_consume(l, word);
}

static int add_env_name(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!env_name_is_valid(word)) {
                int r = config_warn(ctx, "Invalid environment name '%s' in %s=, ignoring", word, lvalue);
                free(word);
                return r;
        }
        return strv_consume_unique(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_pass_environ) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_env_name);
}

static int add_env_unset(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!env_name_or_assignment_is_valid(word)) {
                int r = config_warn(ctx, "Invalid environment name or assignment '%s' in %s=, ignoring", word,
                                    lvalue);
                free(word);
                return r;
        }
        return strv_consume_unique(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_unset_environ) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_env_unset);
}

CONFIG_PARSER_PROTOTYPE(config_parse_env_file) {
        _cleanup_free_ char *s = NULL;
        int r;

        if (isempty(rvalue)) {
                *(char ***) data = strv_free(*(char ***) data);
                return 0;
        }
        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        /* The '-' prefix (missing file is fine) is kept for the spawner. */
        if ((s[0] == '-' ? s[1] : s[0]) != '/')
                return config_warn(ctx, "%s= path '%s' is not absolute, ignoring", lvalue, s);
        return strv_consume(data, TAKE_PTR(s));
}

/* --- standard input/output ---------------------------------------------- */

/* "fd:NAME" or "file:PATH" style values: the part after the colon, with
 * specifiers expanded.  Returns 1 with *ret, 0 after a warning, -ENOMEM. */
static int stdio_argument(const ConfigContext *ctx, const char *lvalue, const char *arg, bool want_path,
                          char **ret) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = config_expand_specifiers(ctx, lvalue, arg, &s);
        if (r <= 0)
                return r;
        if (want_path && s[0] != '/') {
                r = config_warn(ctx, "%s= path '%s' is not absolute, ignoring", lvalue, s);
                return r < 0 ? r : 0;
        }
        if (!want_path && !fdname_is_valid(s)) {
                r = config_warn(ctx, "Invalid file descriptor name '%s' in %s=, ignoring", s, lvalue);
                return r < 0 ? r : 0;
        }
        *ret = TAKE_PTR(s);
        return 1;
}

/* Store the fd name or file path of stdio stream fd (takes arg, may be
 * NULL) and clear the other kind. */
static void set_stdio_argument(ExecContext *c, int fd, bool is_fdname, char *arg) {
        free(c->stdio_fdname[fd]);
        free(c->stdio_file[fd]);
        c->stdio_fdname[fd] = is_fdname ? arg : NULL;
        c->stdio_file[fd] = is_fdname ? NULL : arg;
}

CONFIG_PARSER_PROTOTYPE(config_parse_exec_input) {
        ExecContext *c = data;
        _cleanup_free_ char *arg = NULL;
        const char *rest;
        ExecInput i;
        int r;

        if ((rest = startswith(rvalue, "fd:")) || streq(rvalue, "fd")) {
                r = stdio_argument(ctx, lvalue, rest && *rest ? rest : "stdin", false, &arg);
                i = EXEC_INPUT_NAMED_FD;
        } else if ((rest = startswith(rvalue, "file:"))) {
                r = stdio_argument(ctx, lvalue, rest, true, &arg);
                i = EXEC_INPUT_FILE;
        } else {
                i = exec_input_from_string(rvalue);
                if (i < 0 || i == EXEC_INPUT_NAMED_FD || i == EXEC_INPUT_FILE)
                        return config_warn_parse(ctx, lvalue, rvalue, 0);
                r = 1;
        }
        if (r <= 0)
                return r;
        c->std_input = i;
        set_stdio_argument(c, STDIN_FILENO, i == EXEC_INPUT_NAMED_FD, TAKE_PTR(arg));
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_exec_output) {
        static const struct {
                const char *prefix;
                ExecOutput output;
        } file_kinds[] = {
                { "file:", EXEC_OUTPUT_FILE },
                { "append:", EXEC_OUTPUT_FILE_APPEND },
                { "truncate:", EXEC_OUTPUT_FILE_TRUNCATE },
        };
        ExecContext *c = data;
        _cleanup_free_ char *arg = NULL;
        const char *rest;
        ExecOutput o = _EXEC_OUTPUT_INVALID;
        int r = 1;

        if ((rest = startswith(rvalue, "fd:")) || streq(rvalue, "fd")) {
                r = stdio_argument(ctx, lvalue, rest && *rest ? rest : ltype == STDOUT_FILENO ? "stdout" : "stderr",
                                   false, &arg);
                o = EXEC_OUTPUT_NAMED_FD;
        } else
                for (size_t k = 0; k < ELEMENTSOF(file_kinds); k++)
                        if ((rest = startswith(rvalue, file_kinds[k].prefix))) {
                                r = stdio_argument(ctx, lvalue, rest, true, &arg);
                                o = file_kinds[k].output;
                                break;
                        }
        if (o < 0) {
                o = exec_output_from_string(rvalue);
                if (o < 0 || o == EXEC_OUTPUT_NAMED_FD || o >= EXEC_OUTPUT_FILE)
                        return config_warn_parse(ctx, lvalue, rvalue, 0);
        }
        if (r <= 0)
                return r;
        if (ltype == STDOUT_FILENO)
                c->std_output = o;
        else
                c->std_error = o;
        set_stdio_argument(c, ltype, o == EXEC_OUTPUT_NAMED_FD, TAKE_PTR(arg));
        return 0;
}

/* RuntimeDirectory=: relative names below /run (or $XDG_RUNTIME_DIR); the
 * optional ":SYMLINK" part of systemd is not supported and is dropped with a
 * warning. */
static int add_runtime_directory(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        char *colon = strchr(word, ':');
        int r = 0;

        if (colon) {
                *colon = '\0';
                r = config_warn(ctx, "%s=: the ':' symlink part is not supported by porter, ignoring it", lvalue);
        }
        if (r >= 0 && (word[0] == '/' || isempty(word) || streq(word, "..") || startswith(word, "../") ||
                       strstr(word, "/../") || endswith(word, "/..")))
                r = config_warn(ctx, "%s= path '%s' is not a valid relative path, ignoring", lvalue, word);
        else if (r >= 0)
                return strv_consume(data, word);
        free(word);
        return r;
}

CONFIG_PARSER_PROTOTYPE(config_parse_exec_directories) {
        return config_parse_word_list(ctx, lvalue, rvalue, data, add_runtime_directory);
}

/* --- Limit*= --------------------------------------------------------------- */

/* One value of a Limit*= setting in the unit of its resource: seconds for
 * CPU (time spans allowed), microseconds for RTTIME, bytes for the memory
 * and file size limits, a nice level for NICE, a count otherwise. */
static int rlimit_parse_one(int resource, const char *s, rlim_t *ret) {
        uint64_t v;
        usec_t t;
        int r;

        if (streq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (resource) {
        case RLIMIT_CPU:
                r = parse_sec(s, &t);
                if (r < 0)
                        return r;
                v = t == USEC_INFINITY ? RLIM_INFINITY : (t + USEC_PER_SEC - 1) / USEC_PER_SEC;
                break;
        case RLIMIT_RTTIME:
                r = parse_time(s, &t, 1);
                if (r < 0)
                        return r;
                v = t == USEC_INFINITY ? RLIM_INFINITY : t;
                break;
        case RLIMIT_FSIZE: case RLIMIT_DATA: case RLIMIT_STACK: case RLIMIT_CORE:
        case RLIMIT_RSS: case RLIMIT_AS: case RLIMIT_MEMLOCK: case RLIMIT_MSGQUEUE:
                r = parse_size(s, 1024, &v);
                if (r < 0)
                        return r;
                break;
        case RLIMIT_NICE:
                /* "+N"/"-N" is a nice level (20 - N is the rlimit); a bare
                 * number is the raw rlimit 0..40. */
                if (s[0] == '+' || s[0] == '-') {
                        int n;
                        r = parse_nice(s, &n);
                        if (r < 0)
                                return r;
                        v = 20 - n;
                } else {
                        r = safe_atou64(s, &v);
                        if (r < 0)
                                return r;
                        if (v > 40)
                                return -ERANGE;
                }
                break;
        default:
                r = safe_atou64(s, &v);
                if (r < 0)
                        return r;
        }
        *ret = (rlim_t) v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_rlimit) {
        struct rlimit ***rl = data, l;
        _cleanup_free_ char *soft = NULL;
        const char *colon = strchr(rvalue, ':');
        int r;

        if (colon) {
                soft = strndup(rvalue, colon - rvalue);
                if (!soft)
                        return -ENOMEM;
                r = rlimit_parse_one(ltype, soft, &l.rlim_cur);
                if (r >= 0)
                        r = rlimit_parse_one(ltype, colon + 1, &l.rlim_max);
        } else {
                r = rlimit_parse_one(ltype, rvalue, &l.rlim_cur);
                l.rlim_max = l.rlim_cur;
        }
        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        if (l.rlim_cur > l.rlim_max)
                return config_warn(ctx, "Soft resource limit chosen higher than hard limit in %s=%s, ignoring", lvalue,
                                   rvalue);
        if (!*rl) {
                *rl = new0(struct rlimit *, RLIM_NLIMITS);
                if (!*rl)
                        return -ENOMEM;
        }
        if (!(*rl)[ltype]) {
                (*rl)[ltype] = new(struct rlimit, 1);
                if (!(*rl)[ltype])
                        return -ENOMEM;
        }
        *(*rl)[ltype] = l;
        return 0;
}

/* --- kill context ---------------------------------------------------------- */

CONFIG_PARSER_PROTOTYPE(config_parse_kill_mode) {
        KillMode m = kill_mode_from_string(rvalue);

        if (m < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(KillMode *) data = m;
        return 0;
}

/* --- [Service] ------------------------------------------------------------ */

CONFIG_PARSER_PROTOTYPE(config_parse_pid_file) {
        _cleanup_free_ char *s = NULL;
        const char *rest;
        int r;

        if (isempty(rvalue))
                return free_and_strdup(data, NULL);
        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        if (s[0] != '/')
                return config_warn(ctx, "%s= path '%s' is not absolute, ignoring", lvalue, s);
        /* systemd rewrites the legacy /var/run to /run. */
        if ((rest = startswith(s, "/var/run/"))) {
                char *n = strjoin("/run/", rest);
                if (!n)
                        return -ENOMEM;
                free_and_replace(s, n);
        }
        return free_and_replace(*(char **) data, s);
}

CONFIG_PARSER_PROTOTYPE(config_parse_service_timeout) {
        ServiceConfig *s = ((UnitConfig *) userdata)->service;
        usec_t t;
        int r;

        r = parse_sec_fix_0(rvalue, &t);
        if (r < 0)
                return config_warn_parse(ctx, lvalue, rvalue, r);
        s->timeout_start_usec = t;
        s->timeout_start_set = true;
        if (streq(lvalue, "TimeoutSec"))
                s->timeout_stop_usec = t;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_service_type) {
        ServiceType t = service_type_from_string(rvalue);

        if (t < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(ServiceType *) data = t;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_service_restart) {
        ServiceRestart t = service_restart_from_string(rvalue);

        if (t < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(ServiceRestart *) data = t;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_notify_access) {
        NotifyAccess n = notify_access_from_string(rvalue);

        if (n < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(NotifyAccess *) data = n;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_exec_preserve_mode) {
        int b = parse_boolean(rvalue);

        if (b >= 0)
                *(ExecPreserveMode *) data = b ? EXEC_PRESERVE_YES : EXEC_PRESERVE_NO;
        else if (streq(rvalue, "restart"))
                *(ExecPreserveMode *) data = EXEC_PRESERVE_RESTART;
        else
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        return 0;
}

/* Exit status names systemd accepts in SuccessExitStatus= & co.: the LSB
 * init script codes, BSD's sysexits.h, and systemd's own 2xx codes. */
static const char *const exit_status_names[256] = {
        [0] = "SUCCESS", [1] = "FAILURE", [2] = "INVALIDARGUMENT", [3] = "NOTIMPLEMENTED",
        [4] = "NOPERMISSION", [5] = "NOTINSTALLED", [6] = "NOTCONFIGURED", [7] = "NOTRUNNING",
        [64] = "USAGE", [65] = "DATAERR", [66] = "NOINPUT", [67] = "NOUSER", [68] = "NOHOST",
        [69] = "UNAVAILABLE", [70] = "SOFTWARE", [71] = "OSERR", [72] = "OSFILE", [73] = "CANTCREAT",
        [74] = "IOERR", [75] = "TEMPFAIL", [76] = "PROTOCOL", [77] = "NOPERM", [78] = "CONFIG",
        [200] = "CHDIR", [201] = "NICE", [202] = "FDS", [203] = "EXEC", [204] = "MEMORY",
        [205] = "LIMITS", [206] = "OOM_ADJUST", [207] = "SIGNAL_MASK", [208] = "STDIN",
        [209] = "STDOUT", [210] = "CHROOT", [211] = "IOPRIO", [212] = "TIMERSLACK",
        [213] = "SECUREBITS", [214] = "SETSCHEDULER", [215] = "CPUAFFINITY", [216] = "GROUP",
        [217] = "USER", [218] = "CAPABILITIES", [219] = "CGROUP", [220] = "SETSID",
        [221] = "CONFIRM", [222] = "STDERR", [224] = "PAM", [225] = "NETWORK", [226] = "NAMESPACE",
        [227] = "NO_NEW_PRIVILEGES", [228] = "SECCOMP", [229] = "SELINUX_CONTEXT",
        [230] = "PERSONALITY", [231] = "APPARMOR_PROFILE", [232] = "ADDRESS_FAMILIES",
        [233] = "RUNTIME_DIRECTORY", [235] = "CHOWN", [236] = "SMACK_PROCESS_LABEL",
        [237] = "KEYRING", [238] = "STATE_DIRECTORY", [239] = "CACHE_DIRECTORY",
        [240] = "LOGS_DIRECTORY", [241] = "CONFIGURATION_DIRECTORY", [242] = "NUMA_POLICY",
        [243] = "CREDENTIALS", [255] = "EXCEPTION",
};

/* An exit status as a number 0..255 or a name of the table above.
 * Returns the status or -EINVAL/-ERANGE. */
static int exit_status_from_string(const char *s) {
        unsigned code;

        if (safe_atou(s, &code) >= 0)
                return code <= 255 ? (int) code : -ERANGE;
        for (unsigned i = 0; i < ELEMENTSOF(exit_status_names); i++)
                if (exit_status_names[i] && streq(exit_status_names[i], s))
                        return (int) i;
        return -EINVAL;
}

/* SuccessExitStatus= & co.: exit codes (numbers or names) and signal
 * names, separated by whitespace; "" resets. */
CONFIG_PARSER_PROTOTYPE(config_parse_set_status) {
        ExitStatusSet *set = data;

        if (isempty(rvalue)) {
                *set = (ExitStatusSet) {};
                return 0;
        }
        for (const char *p = rvalue;;) {
                _cleanup_free_ char *word = NULL;
                unsigned code;
                int r;

                r = extract_first_word(&p, &word, NULL, EXTRACT_UNQUOTE);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return config_warn(ctx, "Invalid syntax in %s=%s, ignoring", lvalue, rvalue);
                if (r == 0)
                        return 0;
                r = exit_status_from_string(word);
                if (r == -ERANGE) {
                        r = config_warn(ctx, "Exit status %s in %s= is out of range, ignoring", word, lvalue);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (r >= 0) {
                        code = (unsigned) r;
                        set->status[code / 8] |= (uint8_t) (1u << (code % 8));
                        continue;
                }
                r = signal_from_string(word);
                if (r < 0 || r > 64) {
                        r = config_warn(ctx, "Failed to parse exit status or signal '%s' in %s=, ignoring", word,
                                        lvalue);
                        if (r < 0)
                                return r;
                        continue;
                }
                set->signals |= UINT64_C(1) << (r - 1);
        }
}

static int add_socket_name(const ConfigContext *ctx, const char *lvalue, char *word, void *data) {
        if (!unit_name_is_valid(word, UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE) || !endswith(word, ".socket")) {
                int r = config_warn(ctx, "%s= entry '%s' is not a valid socket unit name, ignoring", lvalue, word);
                free(word);
                return r;
        }
        return strv_consume_unique(data, word);
}

CONFIG_PARSER_PROTOTYPE(config_parse_service_sockets) {
        /* Lists merge; "" does not reset (systemd.service(5)). */
        return config_for_each_word(ctx, lvalue, rvalue, true, add_socket_name, data);
}
