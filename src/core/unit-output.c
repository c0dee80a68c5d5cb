/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "log-journal.h"
#include "manager.h"
#include "string-util.h"
#include "unit-output.h"
#include "unit.h"

struct UnitOutput {
        Unit *unit;
        int fd;
        pid_t pid;
        char *identifier;
        sd_event_source *source;
        size_t len;
        char buf[UNIT_OUTPUT_LINE_MAX + 1];
        UnitOutput *next;
};

static void unit_output_line(UnitOutput *o, const char *line) {
        Unit *u = o->unit;

        /* Kept and logged whatever porterd's own log level is: it is the
         * service's output, not porterd's chatter. */
        unit_log_ring_push(&u->log_ring, LOG_INFO, line);
        if (log_journal_active())
                log_journal_send_output(u->id, o->identifier, o->pid, line);
        else
                fprintf(stderr, "%s[%i]: %s\n", o->identifier, (int) o->pid, line);
}

/* Hand out complete lines; a full buffer without a newline is one line. */
static void unit_output_split(UnitOutput *o, bool eof) {
        size_t start = 0;

        for (size_t i = 0; i < o->len; i++)
                if (o->buf[i] == '\n') {
                        o->buf[i] = 0;
                        unit_output_line(o, o->buf + start);
                        start = i + 1;
                }
        if (start < o->len && (eof || (start == 0 && o->len == UNIT_OUTPUT_LINE_MAX))) {
                o->buf[o->len] = 0;
                unit_output_line(o, o->buf + start);
                start = o->len;
        }
        memmove(o->buf, o->buf + start, o->len - start);
        o->len -= start;
}

static void unit_output_free(UnitOutput *o) {
        Unit *u = o->unit;
        for (UnitOutput **p = &u->outputs; *p; p = &(*p)->next)
                if (*p == o) {
                        *p = o->next;
                        break;
                }
        o->source = sd_event_source_disable_unref(o->source);
        safe_close(o->fd);
        free(o->identifier);
        free(o);
}

/* Read until EAGAIN; returns true at EOF or error. */
static bool unit_output_read(UnitOutput *o) {
        for (;;) {
                ssize_t n = read(o->fd, o->buf + o->len, UNIT_OUTPUT_LINE_MAX - o->len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return false;
                if (n <= 0) {
                        unit_output_split(o, true);
                        return true;
                }
                o->len += n;
                unit_output_split(o, false);
        }
}

static int unit_output_dispatch(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        UnitOutput *o = userdata;
        if (unit_output_read(o))
                unit_output_free(o);
        return 0;
}

int unit_output_watch(Unit *u, int read_fd, pid_t pid, const char *identifier) {
        _cleanup_close_ int fd = read_fd;
        const char *slash = identifier ? strrchr(identifier, '/') : NULL;

        UnitOutput *o = new0(UnitOutput, 1);
        if (!o)
                return -ENOMEM;
        o->unit = u;
        o->pid = pid;
        o->fd = -EBADF;
        o->identifier = strdup(slash ? slash + 1 : identifier ?: u->id);
        int r = o->identifier ? 0 : -ENOMEM;
        if (r >= 0)
                r = sd_event_add_io(u->manager->event, &o->source, fd, EPOLLIN, unit_output_dispatch, o);
        if (r < 0) {
                free(o->identifier);
                free(o);
                return r;
        }
        (void) sd_event_source_set_description(o->source, "unit-output");
        o->fd = TAKE_FD(fd);
        o->next = u->outputs;
        u->outputs = o;
        return 0;
}

void unit_output_free_all(Unit *u) {
        while (u->outputs) {
                (void) unit_output_read(u->outputs);
                unit_output_free(u->outputs);
        }
}

int unit_output_get(Unit *u, size_t i, int *ret_fd, pid_t *ret_pid, const char **ret_identifier) {
        UnitOutput *o = u->outputs;
        for (; o && i > 0; i--)
                o = o->next;
        if (!o)
                return -ENOENT;
        *ret_fd = o->fd;
        *ret_pid = o->pid;
        *ret_identifier = o->identifier;
        return 0;
}
