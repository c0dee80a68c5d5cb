/* SPDX-License-Identifier: MIT */
#pragma once

/* A scratch directory tree for file-system tests.  tmp_tree_new("name")
 * makes a fresh /tmp/name-XXXXXX, path in root (removing the previous tree
 * if a test left one); p("a/b") is a path below root; write_file(),
 * make_link() and make_dir() create entries together with their parent
 * directories; tmp_tree_remove() deletes the tree. */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tests.h"

static char root[256];            /* /tmp/name-XXXXXX; empty when there is no tree */

/* root + "/" + rel, in a static ring of buffers for readable tests. */
static const char *p(const char *rel) {
        static char bufs[8][4096];
        static unsigned i;
        char *b = bufs[i++ % 8];

        snprintf(b, sizeof bufs[0], "%s/%s", root, rel);
        return b;
}

static void mkdir_parents(const char *path) {
        char buf[4096];

        snprintf(buf, sizeof buf, "%s", path);
        for (char *s = buf + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        (void) mkdir(buf, 0755);
                        *s = '/';
                }
}

_unused_ static void write_file(const char *rel, const char *text) {
        const char *path = p(rel);
        FILE *f;

        mkdir_parents(path);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

_unused_ static void make_link(const char *target, const char *rel) {
        const char *path = p(rel);

        mkdir_parents(path);
        ASSERT_EQ(symlink(target, path), 0);
}

_unused_ static void make_dir(const char *rel) {
        mkdir_parents(p(rel));
        ASSERT_EQ(mkdir(p(rel), 0755), 0);
}

static int rm_rf(const char *path) {
        char cmd[4200];

        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", path);
        return system(cmd);
}

static void tmp_tree_new(const char *name) {
        if (root[0])
                ASSERT_EQ(rm_rf(root), 0);
        snprintf(root, sizeof root, "/tmp/%s-XXXXXX", name);
        ASSERT_NOT_NULL(mkdtemp(root));
}

static void tmp_tree_remove(void) {
        ASSERT_EQ(rm_rf(root), 0);
        root[0] = '\0';
}
