/* SPDX-License-Identifier: MIT */
#pragma once

/* The small set of macros every file of porter may use.  Keep it short: a
 * name added here is a name every reader must learn.  No macro here generates
 * a whole function; cleanup helpers are written out by hand next to their
 * type (see alloc-util.h, fd-util.h, strv.h). */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _const_ __attribute__((const))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _sentinel_ __attribute__((sentinel))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand ownership out of a _cleanup_ scope: returns the value and leaves the
 * variable empty so that its cleanup does nothing. */
#define TAKE_GENERIC(var, type, nullvalue)                      \
        ({                                                      \
                type *_pvar_ = &(var);                          \
                type _var_ = *_pvar_;                           \
                *_pvar_ = (nullvalue);                          \
                _var_;                                          \
        })
#define TAKE_PTR(p) TAKE_GENERIC((p), __typeof__(p), NULL)
#define TAKE_FD(fd) TAKE_GENERIC((fd), int, -EBADF)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Negative errno helpers: functions return -errno on failure. */
#define RET_NERRNO(expr)                                        \
        ({                                                      \
                long _r_ = (long) (expr);                       \
                _r_ < 0 ? -errno : (int) _r_;                   \
        })

/* errno as a negative value, never 0: a libc call that failed without
 * setting errno still reports an error. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
