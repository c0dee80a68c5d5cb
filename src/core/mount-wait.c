/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libmount.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "manager.h"
#include "mount-wait.h"
#include "socket-listen.h"
#include "string-util.h"
#include "strv.h"
#include "unit.h"

/* Is prefix a path prefix of path ("/x" of "/x" and "/x/y", not of "/xy")? */
static bool path_has_prefix(const char *path, const char *prefix) {
        size_t n = strlen(prefix);
        while (n > 1 && prefix[n - 1] == '/')
                n--;
        return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static void manager_mount_tables_drop(Manager *m) {
        mnt_unref_table(m->mount_fstab);
        mnt_unref_table(m->mount_mounted);
        m->mount_fstab = m->mount_mounted = NULL;
        m->mount_tables_valid = false;
}

/* fstab (NULL when there is none: nothing is expected to be mounted) and the
 * mount table, parsed once per event-loop iteration.  Starting 10,000 socket
 * units in one pass used to parse both once per unix socket. */
static int manager_mount_tables(Manager *m, struct libmnt_table **ret_fstab, struct libmnt_table **ret_mounted) {
        uint64_t iteration = 0;
        int r;

        (void) sd_event_get_iteration(m->event, &iteration);
        if (!m->mount_tables_valid || m->mount_tables_iteration != iteration) {
                manager_mount_tables_drop(m);
                m->mount_fstab = mnt_new_table();
                m->mount_mounted = mnt_new_table();
                if (!m->mount_fstab || !m->mount_mounted) {
                        manager_mount_tables_drop(m);
                        return -ENOMEM;
                }
                if (mnt_table_parse_fstab(m->mount_fstab, NULL) < 0) {
                        mnt_unref_table(m->mount_fstab);
                        m->mount_fstab = NULL;
                } else {
                        r = mnt_table_parse_mtab(m->mount_mounted, NULL);
                        if (r < 0) {
                                manager_mount_tables_drop(m);
                                return r;
                        }
                }
                m->mount_tables_iteration = iteration;
                m->mount_tables_valid = true;
        }
        *ret_fstab = m->mount_fstab;
        *ret_mounted = m->mount_mounted;
        return 0;
}

int mount_path_pending(Manager *m, const char *path, char **ret) {
        struct libmnt_table *fstab, *mounted;
        struct libmnt_iter *it = NULL;
        struct libmnt_fs *fs;
        const char *best = NULL;
        int r;

        r = manager_mount_tables(m, &fstab, &mounted);
        if (r < 0)
                return r;
        if (!fstab)
                return 0;
        it = mnt_new_iter(MNT_ITER_FORWARD);
        if (!it)
                return -ENOMEM;
        while (mnt_table_next_fs(fstab, it, &fs) == 0) {
                const char *target = mnt_fs_get_target(fs);
                if (!target || target[0] != '/' || streq(target, "/") || mnt_fs_is_swaparea(fs))
                        continue;
                if (!path_has_prefix(path, target) || mnt_table_find_target(mounted, target, MNT_ITER_BACKWARD))
                        continue;
                /* The outermost one first: it must be mounted before the rest. */
                if (!best || strlen(target) < strlen(best))
                        best = target;
        }
        r = 0;
        if (best) {
                *ret = strdup(best);
                r = *ret ? 1 : -ENOMEM;
        }
        mnt_free_iter(it);
        return r;
}

/* The first pending mount of any path u needs. */
static int unit_mounts_pending(Unit *u, char **ret) {
        int r;

        STRV_FOREACH(p, u->config->requires_mounts_for) {
                r = mount_path_pending(u->manager, *p, ret);
                if (r != 0)
                        return r;
        }
        if (u->type != UNIT_SOCKET || !u->config->socket)
                return 0;
        /* A socket node or FIFO is made in its parent directory: that must
         * be on its final file system first. */
        const SocketConfig *sc = u->config->socket;
        for (size_t i = 0; i < sc->n_ports; i++) {
                const char *path = socket_port_get_path(&sc->ports[i]);
                if (!path || path[0] != '/')
                        continue;
                _cleanup_free_ char *parent = strdup(path);
                if (!parent)
                        return -ENOMEM;
                char *slash = strrchr(parent, '/');
                slash[slash == parent ? 1 : 0] = 0;
                r = mount_path_pending(u->manager, parent, ret);
                if (r != 0)
                        return r;
        }
        return 0;
}

static int mount_monitor_dispatch(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        const char *filename;
        int type;

        /* Drain the monitor, then look again at every waiting unit. */
        while (mnt_monitor_next_change(m->mount_monitor, &filename, &type) == 0)
                ;
        /* The table changed: what this iteration parsed before may be stale. */
        m->mount_tables_valid = false;
        for (Unit *u = m->units; u; u = u->next) {
                if (!u->waiting_for_mount || u->in_gc)
                        continue;
                int r = unit_start(u);
                if (r < 0)
                        log_unit_warning_errno(u, r, "Failed to start after the mount appeared: %m");
        }
        return 0;
}

static int manager_watch_mounts(Manager *m) {
        int r;

        if (m->mount_monitor)
                return 0;
        m->mount_monitor = mnt_new_monitor();
        if (!m->mount_monitor)
                return -ENOMEM;
        r = mnt_monitor_enable_kernel(m->mount_monitor, true);
        if (r >= 0)
                r = mnt_monitor_get_fd(m->mount_monitor);
        if (r >= 0)
                r = sd_event_add_io(m->event, &m->mount_source, r, EPOLLIN, mount_monitor_dispatch, m);
        if (r < 0) {
                manager_mount_monitor_free(m);
                return r;
        }
        (void) sd_event_source_set_description(m->mount_source, "mount-monitor");
        return 0;
}

void manager_mount_monitor_free(Manager *m) {
        m->mount_source = sd_event_source_disable_unref(m->mount_source);
        mnt_unref_monitor(m->mount_monitor); /* closes its fd */
        m->mount_monitor = NULL;
        manager_mount_tables_drop(m);
}

int unit_wait_for_mounts(Unit *u) {
        _cleanup_free_ char *pending = NULL;
        int r;

        if (!u->config)
                return 0;
        r = unit_mounts_pending(u, &pending);
        if (r <= 0) {
                if (r < 0)
                        log_unit_warning_errno(u, r, "Failed to read the mount tables, not waiting for mounts: %m");
                unit_cancel_mount_wait(u);
                return 0;
        }
        r = manager_watch_mounts(u->manager);
        if (r < 0)
                return log_unit_error_errno(u, r, "Failed to watch the mount table for %s: %m", pending);
        if (!streq_ptr(u->waiting_for_mount, pending)) {
                log_unit_info(u, "Waiting for mount %s.", pending);
                free(u->waiting_for_mount);
                u->waiting_for_mount = TAKE_PTR(pending);
        }
        return 1;
}

void unit_cancel_mount_wait(Unit *u) {
        free(u->waiting_for_mount);
        u->waiting_for_mount = NULL;
}
