/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <dirent.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "alloc-util.h"
#include "condition.h"
#include "log.h"
#include "string-util.h"
#include "user-util.h"

static int test_directory_not_empty(const char *path) {
        DIR *d = opendir(path);
        if (!d)
                return 0;
        int found = 0;
        for (struct dirent *de; !found && (de = readdir(d)); )
                found = !streq(de->d_name, ".") && !streq(de->d_name, "..");
        closedir(d);
        return found;
}

static int test_user(const char *p) {
        uid_t uid;
        if (streq(p, "@system"))
                return getuid() < 1000;
        if (parse_uid(p, &uid) >= 0)
                return uid == getuid() || uid == geteuid();
        struct passwd *pw = getpwuid(getuid());
        return pw && streq(pw->pw_name, p);
}

static int test_host(const char *p) {
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) < 0)
                return 0;
        if (strcasecmp(host, p) == 0)
                return 1;
        /* A machine ID also matches. */
        FILE *f = fopen("/etc/machine-id", "re");
        char id[64] = "";
        int ok = f && fgets(id, sizeof id, f) && strncmp(id, p, strlen(p)) == 0 && strlen(p) == 32;
        if (f)
                fclose(f);
        return ok;
}

/* A word of /proc/cmdline equal to p, or "p=..." when p has no '='. */
static int test_kernel_command_line(const char *p) {
        char buf[4096] = "";
        FILE *f = fopen("/proc/cmdline", "re");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        bool has_eq = strchr(p, '=');
        for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
                if (streq(w, p) || (!has_eq && startswith(w, p) && w[strlen(p)] == '='))
                        return 1;
        return 0;
}

/* "N", ">=N", "<N", ... against the CPUs we may run on. */
static int test_cpus(const char *p) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        const char *ops[] = { "<=", ">=", "!=", "=", "<", ">" };
        const char *op = "=";
        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                if (startswith(p, ops[i])) {
                        op = ops[i];
                        p += strlen(ops[i]);
                        break;
                }
        long v = strtol(p, NULL, 10);
        if (streq(op, "<="))
                return n <= v;
        if (streq(op, ">="))
                return n >= v;
        if (streq(op, "!="))
                return n != v;
        if (streq(op, "<"))
                return n < v;
        if (streq(op, ">"))
                return n > v;
        return n == v;
}

static int test_environment(const char *p) {
        const char *eq = strchr(p, '=');
        if (!eq)
                return getenv(p) != NULL;
        _cleanup_free_ char *name = strndup(p, eq - p);
        const char *v = name ? getenv(name) : NULL;
        return v && streq(v, eq + 1);
}

int condition_test_one(const char *type, const char *p) {
        struct stat st;

        if (streq(type, "PathExists"))
                return access(p, F_OK) >= 0;
        if (streq(type, "PathExistsGlob")) {
                glob_t g = {};
                int r = glob(p, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
                globfree(&g);
                return r;
        }
        if (streq(type, "PathIsDirectory"))
                return stat(p, &st) >= 0 && S_ISDIR(st.st_mode);
        if (streq(type, "PathIsSymbolicLink"))
                return lstat(p, &st) >= 0 && S_ISLNK(st.st_mode);
        if (streq(type, "PathIsReadWrite")) {
                struct statvfs v;
                return statvfs(p, &v) >= 0 && !(v.f_flag & ST_RDONLY);
        }
        if (streq(type, "DirectoryNotEmpty"))
                return test_directory_not_empty(p);
        if (streq(type, "FileNotEmpty"))
                return stat(p, &st) >= 0 && S_ISREG(st.st_mode) && st.st_size > 0;
        if (streq(type, "FileIsExecutable"))
                return stat(p, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
        if (streq(type, "Environment"))
                return test_environment(p);
        if (streq(type, "User"))
                return test_user(p);
        if (streq(type, "Host"))
                return test_host(p);
        if (streq(type, "KernelCommandLine"))
                return test_kernel_command_line(p);
        if (streq(type, "CPUs"))
                return test_cpus(p);
        return -EOPNOTSUPP;
}

ConditionResult condition_list_test(const ConditionList *l, const char **ret_failed) {
        bool have_trigger = false, trigger_met = false;

        for (size_t i = 0; i < l->n; i++) {
                const Condition *c = &l->items[i];
                int r = condition_test_one(c->type, strempty(c->parameter));
                if (r == -EOPNOTSUPP) {
                        log_debug("Condition%s= is not evaluated by porter, counting it as met.", c->type);
                        r = 1;
                } else if (c->negate)
                        r = !r;

                if (c->trigger) {
                        have_trigger = true;
                        trigger_met = trigger_met || r;
                } else if (!r) {
                        if (ret_failed)
                                *ret_failed = c->type;
                        return CONDITION_FAILED;
                }
        }
        if (have_trigger && !trigger_met) {
                if (ret_failed)
                        *ret_failed = "(triggering conditions)";
                return CONDITION_FAILED;
        }
        return CONDITION_MET;
}
