/* SPDX-License-Identifier: MIT */
/* A replay driver for fuzz targets in builds without libFuzzer (gcc, or clang
 * without -Dfuzz=true): every argument is a file, or a directory whose files
 * are read, and each is handed once to LLVMFuzzerTestOneInput().  This is how
 * meson test replays the seed corpus and every crash reproducer in every
 * build, so a fixed crash stays fixed. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
        FILE *f = fopen(path, "re");
        uint8_t *buf = NULL;
        size_t n = 0, cap = 0;

        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        for (;;) {
                if (n == cap) {
                        cap = cap ? cap * 2 : 4096;
                        uint8_t *b = realloc(buf, cap);
                        if (!b) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = b;
                }
                size_t k = fread(buf + n, 1, cap - n, f);
                n += k;
                if (k == 0)
                        break;
        }
        fclose(f);
        (void) LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        return 1;
}

static int replay_path(const char *path) {
        struct stat st;
        int count = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path);

        DIR *d = opendir(path);
        if (!d)
                return -errno;
        for (struct dirent *de; (de = readdir(d));) {
                char p[4096];
                if (de->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof p, "%s/%s", path, de->d_name);
                int r = replay_path(p);
                if (r < 0) {
                        closedir(d);
                        return r;
                }
                count += r;
        }
        closedir(d);
        return count;
}

int main(int argc, char *argv[]) {
        int total = 0;

        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-') /* libFuzzer flags such as -runs=0 */
                        continue;
                int r = replay_path(argv[i]);
                if (r < 0)
                        return EXIT_FAILURE;
                total += r;
        }
        fprintf(stderr, "replayed %d inputs\n", total);
        return EXIT_SUCCESS;
}
