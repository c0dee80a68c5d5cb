/* SPDX-License-Identifier: MIT */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Process-wide logging.  basic and shared log at debug level at most; they
 * return errors and let the caller decide.  Programs and core log where an
 * error crosses a boundary, once, with the helpers below, which return the
 * (negative) error so that logging and returning is one statement:
 *
 *         return log_error_errno(r, "Failed to bind '%s': %m", path);
 *
 * `%m` is replaced by strerror(-error). */

void log_set_max_level(int level);
int log_get_max_level(void);
/* A prefix for every line, e.g. the program name ("porterd"). */
void log_set_prefix(const char *prefix);

/* Writes one line to stderr when level <= max level.  Returns -abs(error),
 * or 0 when error is 0. */
int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

#define log_full_errno(level, error, ...) \
        log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(error, ...)   log_full_errno(LOG_DEBUG, (error), __VA_ARGS__)
#define log_info_errno(error, ...)    log_full_errno(LOG_INFO, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)
#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, (error), __VA_ARGS__)

#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")

/* Where log lines go instead of stderr (core's journald writer), or NULL
 * for stderr.  The writer gets the formatted text without the prefix. */
typedef void (*LogWriter)(int level, const char *text);
void log_set_writer(LogWriter writer);
