/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "manager-serialize.h"
#include "strv.h"
#include "tests.h"

static FILE *file_of(const char *text) {
        FILE *f = fmemopen((void *) text, strlen(text), "r");
        ASSERT_NOT_NULL(f);
        return f;
}

static int dup_null(void) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 3);
        return fd;
}

TEST(round_trip) {
        int sfds[] = { dup_null(), -EBADF, dup_null() };
        int store[] = { dup_null() };
        char *names[] = { (char *) "state", NULL };
        SerializedSocket sock = { .id = (char *) "a.socket", .state = (char *) "running", .fds = sfds, .n_fds = 3 };
        SerializedService svc = { .id = (char *) "a.service", .state = (char *) "running",
                                  .result = (char *) "success", .main_pid = 4242,
                                  .n_restarts = 7, .fd_store = store, .fd_store_names = names, .n_fd_store = 1 };
        SerializedOutput out = { .id = (char *) "a.service", .fd = dup_null(), .pid = 4242,
                                 .identifier = (char *) "my prog" };
        Serialization s = { .control_fd = dup_null(), .service_nofile = { 1024, RLIM_INFINITY }, .sockets = &sock, .n_sockets = 1,
                            .services = &svc, .n_services = 1, .outputs = &out, .n_outputs = 1 };
        char *buf = NULL;
        size_t size = 0;

        FILE *f = open_memstream(&buf, &size);
        ASSERT_NOT_NULL(f);
        ASSERT_OK(serialization_write(&s, f));
        fclose(f);

        Serialization t = SERIALIZATION_NULL;
        f = file_of(buf);
        ASSERT_OK(serialization_read(f, &t));
        fclose(f);
        ASSERT_TRUE(t.owns_fds);
        ASSERT_EQ(t.control_fd, s.control_fd);
        ASSERT_TRUE(t.service_nofile.rlim_cur == 1024 && t.service_nofile.rlim_max == RLIM_INFINITY);
        ASSERT_UEQ(t.n_sockets, 1u);
        ASSERT_STREQ(t.sockets[0].id, "a.socket");
        ASSERT_STREQ(t.sockets[0].state, "running");
        ASSERT_UEQ(t.sockets[0].n_fds, 3u);
        ASSERT_EQ(t.sockets[0].fds[0], sfds[0]);
        ASSERT_EQ(t.sockets[0].fds[1], -EBADF);
        ASSERT_EQ(t.sockets[0].fds[2], sfds[2]);
        ASSERT_UEQ(t.n_services, 1u);
        ASSERT_STREQ(t.services[0].id, "a.service");
        ASSERT_STREQ(t.services[0].result, "success");
        ASSERT_EQ(t.services[0].main_pid, 4242);
        ASSERT_UEQ(t.services[0].n_restarts, 7u);
        ASSERT_UEQ(t.services[0].n_fd_store, 1u);
        ASSERT_EQ(t.services[0].fd_store[0], store[0]);
        ASSERT_STREQ(t.services[0].fd_store_names[0], "state");
        ASSERT_UEQ(t.n_outputs, 1u);
        ASSERT_EQ(t.outputs[0].fd, out.fd);
        ASSERT_EQ(t.outputs[0].pid, 4242);
        ASSERT_STREQ(t.outputs[0].identifier, "my prog");
        /* The reader owns the fds: all closed by serialization_done(). */
        serialization_done(&t);
        ASSERT_EQ(fcntl(sfds[0], F_GETFD), -1);
        ASSERT_EQ(fcntl(store[0], F_GETFD), -1);
        ASSERT_EQ(fcntl(out.fd, F_GETFD), -1);
        ASSERT_EQ(fcntl(s.control_fd, F_GETFD), -1);
        ASSERT_EQ(t.control_fd, -EBADF);
        free(buf);
}

TEST(unknown_records_skipped) {
        Serialization t = SERIALIZATION_NULL;
        FILE *f = file_of("porterd-serialization 1\nfuture thing 1 2\nservice b.service failed exit-code 0 0\n");
        ASSERT_OK(serialization_read(f, &t));
        fclose(f);
        ASSERT_UEQ(t.n_services, 1u);
        ASSERT_EQ(t.services[0].main_pid, 0);
        ASSERT_STREQ(t.services[0].result, "exit-code");
        ASSERT_UEQ(t.service_nofile.rlim_max, 0u);
        serialization_done(&t);
}

TEST(malformed) {
        static const char *const bad[] = {
                "",
                "porterd-serialization 2\n",
                "porterd-serialization 1\nservice a.service running success x 0\n",
                "porterd-serialization 1\nservice a.service running success 1\n",
                "porterd-serialization 1\nnofile 2048 1024\n",
                "porterd-serialization 1\nnofile -2 1024\n",
                "porterd-serialization 1\nsocket a.socket\n",
                "porterd-serialization 1\nsocket a.socket listening 3x\n",
                "porterd-serialization 1\nfdstore a.service 3 x\n",
                "porterd-serialization 1\nservice a.service running success 1 0\nfdstore b.service 3 x\n",
                "porterd-serialization 1\ncontrol -2\n",
                "porterd-serialization 1\noutput a.service 3 0 x\n",
                "porterd-serialization 1\nservice a.service running success 1 0", /* no final newline */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Serialization t = SERIALIZATION_NULL;
                FILE *f = file_of(bad[i]);
                int r = serialization_read(f, &t);
                fclose(f);
                if (r != -EBADMSG)
                        fprintf(stderr, "case %zu: '%s'\n", i, bad[i]);
                ASSERT_ERROR(r, EBADMSG);
                ASSERT_EQ(t.control_fd, -EBADF);
        }
}

RUN_TESTS()
