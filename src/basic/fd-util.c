/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "fd-util.h"

int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                /* Linux always releases the fd, even when close() reports
                 * EINTR: retrying could close an fd another thread just got. */
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

void close_many(const int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
}

int fd_cloexec(int fd, bool cloexec) {
        int flags = fcntl(fd, F_GETFD, 0);
        if (flags < 0)
                return -errno;
        int nflags = cloexec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (nflags == flags)
                return 0;
        return RET_NERRNO(fcntl(fd, F_SETFD, nflags));
}

int fd_nonblock(int fd, bool nonblock) {
        int flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0)
                return -errno;
        int nflags = nonblock ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (nflags == flags)
                return 0;
        return RET_NERRNO(fcntl(fd, F_SETFL, nflags));
}

int fd_count_open(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the directory's own fd */
}
