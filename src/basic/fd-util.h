/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

/* fd variables start at -EBADF and are closed through these helpers. */

/* Close fd if it is valid (>= 0) and return -EBADF, so that
 * `fd = safe_close(fd);` leaves the variable empty.  Never touches errno. */
int safe_close(int fd);

static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Close an array of n fds (each may be negative) without freeing it. */
void close_many(const int *fds, size_t n);

/* Set or clear FD_CLOEXEC / O_NONBLOCK.  Return 0 or -errno. */
int fd_cloexec(int fd, bool cloexec);
int fd_nonblock(int fd, bool nonblock);

/* Count the open fds of this process (via /proc/self/fd). */
int fd_count_open(void);
