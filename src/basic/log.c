/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Logging state is process-wide by nature (like errno): one stderr, one
 * verbosity.  It holds no unit or manager state. */
static int log_max_level = LOG_INFO;
static const char *log_prefix;
static LogWriter log_writer;

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

void log_set_prefix(const char *prefix) {
        log_prefix = prefix;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        char buf[2048];
        va_list ap;
        int saved_errno = errno;

        if (error < 0)
                error = -error;

        if (level <= log_max_level) {
                /* %m must print the error we were given, not whatever errno
                 * holds now. */
                errno = error;
                va_start(ap, format);
                vsnprintf(buf, sizeof buf, format, ap);
                va_end(ap);
                if (log_writer)
                        log_writer(level, buf);
                else if (log_prefix)
                        fprintf(stderr, "%s: %s\n", log_prefix, buf);
                else
                        fprintf(stderr, "%s\n", buf);
        }

        errno = saved_errno;
        return -error;
}

void log_set_writer(LogWriter writer) {
        log_writer = writer;
}
