/* SPDX-License-Identifier: MIT */
/* fuzz-unit-file: one input is the text of one unit file.  It is written to
 * a file in a private directory and loaded with unit_load() twice, as a
 * socket unit and as a service unit, exactly as `porterctl verify` loads a
 * file: lexer, directive table and parsers, drop-in lookup, load-time
 * defaults and checks.  The search path is only that directory, so nothing
 * of the machine's own units is read.
 *
 * Seeds: test/fuzz/corpus/unit-file/, written by tools/gen-fuzz-seeds.py
 * (one small unit per directive of unit-directives.gperf, plus every file of
 * the verify corpus). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "fd-util.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "unit-config.h"
#include "unit-load.h"
#include "unit-path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs past the 1 MiB line limit plus some slack only repeat the
 * "line too long" path more slowly. */
#define FUZZ_INPUT_MAX (CONFIG_LINE_MAX + 64 * 1024)

typedef struct FuzzState {
        char dir[64];
        LookupPaths lookup;
        SpecifierContext specifiers;
} FuzzState;

static FuzzState state;

static void fuzz_state_cleanup(void) {
        (void) rmdir(state.dir);
        lookup_paths_done(&state.lookup);
        specifier_context_done(&state.specifiers);
}

/* The directory, lookup paths and specifier context live for the whole
 * process: they are the same for every input. */
static FuzzState *fuzz_state(void) {
        static bool initialized;

        if (initialized)
                return &state;

        strcpy(state.dir, "/tmp/porter-fuzz-unit-file-XXXXXX");
        if (!mkdtemp(state.dir))
                abort();
        if (strv_extend(&state.lookup.search_path, state.dir) < 0)
                abort();
        state.specifiers = (SpecifierContext) {};
        if (specifier_context_init_manager(&state.specifiers, false) < 0)
                abort();
        (void) atexit(fuzz_state_cleanup);
        initialized = true;
        return &state;
}

static int write_input(const char *path, const uint8_t *data, size_t size) {
        _cleanup_close_ int fd = -EBADF;

        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        while (size > 0) {
                ssize_t k = write(fd, data, size);
                if (k < 0)
                        return -errno;
                data += k;
                size -= (size_t) k;
        }
        return 0;
}

static void load_as(FuzzState *s, const char *name, const uint8_t *data, size_t size) {
        _cleanup_free_ char *path = NULL;
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        Diagnostics diags = {};

        path = strjoin(s->dir, "/", name);
        if (!path)
                abort();
        if (write_input(path, data, size) < 0)
                abort();

        /* Any load state is a valid outcome; only crashes, leaks and
         * undefined behaviour are findings. */
        (void) unit_load(&s->lookup, path, &s->specifiers, &u, &diags);
        for (size_t i = 0; i < diags.n; i++)
                if (!diags.items[i].message)
                        abort();
        diagnostics_done(&diags);
        (void) unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzState *s;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        s = fuzz_state();
        load_as(s, "fuzz.socket", data, size);
        load_as(s, "fuzz.service", data, size);
        return 0;
}
