/* SPDX-License-Identifier: MIT */
/* unit_load() over real directory trees made with mkdtemp: fragment,
 * drop-ins, masking, the §5.1 checks, service checks, and the service a
 * socket triggers. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"
#include "unit-load.h"
#include "unit-path.h"

static char dir[] = "/tmp/porter-test-unit-load-XXXXXX";
static bool dir_made;

static void remove_dir(void) {
        char cmd[600];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) system(cmd);
}

/* The test tree is made on first use (test order is not guaranteed) and
 * removed at exit. */
static void ensure_dir(void) {
        if (dir_made)
                return;
        ASSERT_NOT_NULL(mkdtemp(dir));
        dir_made = true;
        atexit(remove_dir);
}

static void write_file(const char *name, const char *text) {
        char path[512];
        FILE *f;

        ensure_dir();
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        /* create the drop-in directory if the name has one */
        char *slash = strrchr(path, '/');
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        fclose(f);
}

/* Load name from the test directory; diagnostics go to *d. */
static UnitConfig *load(const char *name, Diagnostics *d) {
        char *paths[] = { dir, NULL };
        LookupPaths lp = { .search_path = paths };
        SpecifierContext sc = {};
        UnitConfig *u = NULL;

        ensure_dir();
        ASSERT_OK(unit_load(&lp, name, &sc, &u, d));
        ASSERT_NOT_NULL(u);
        return u;
}

static bool diag_has(const Diagnostics *d, DiagnosticSeverity sev, const char *needle) {
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].severity == sev && strstr(d->items[i].message, needle))
                        return true;
        return false;
}

/* Load a socket written from text and check its state (and one message). */
static void check_socket(const char *text, UnitLoadState want, const char *needle) {
        Diagnostics d = {};
        UnitConfig *u;

        write_file("check.socket", text);
        u = load("check.socket", &d);
        if (u->load_state != want || (needle && !diag_has(&d, DIAGNOSTIC_ERROR, needle))) {
                for (size_t i = 0; i < d.n; i++)
                        fprintf(stderr, "  %u: %s\n", d.items[i].line, d.items[i].message);
                fprintf(stderr, "state %s, wanted %s for:\n%s", unit_load_state_to_string(u->load_state),
                        unit_load_state_to_string(want), text);
                ASSERT_TRUE(false);
        }
        unit_config_free(u);
        diagnostics_done(&d);
}

TEST(fragment_and_dropins) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        write_file("web.socket", "[Unit]\nDescription=web\n[Socket]\nListenStream=8080\nBacklog=10\n");
        write_file("web.socket.d/10-backlog.conf", "[Socket]\nBacklog=20\nMaxConnections=7\n");
        /* a fatal lexer error stops only this drop-in: Backlog=99 never applies */
        write_file("web.socket.d/20-broken.conf", "[Socket]\nKeepAlive=yes\n[Socket\nBacklog=99\n");
        write_file("web.socket.d/30-last.conf", "[Unit]\nDescription=last wins\n[Socket]\nAccept=maybe\n");
        write_file("web.socket.d/ignored.txt", "[Socket]\nBacklog=1\n");

        u = load("web.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_EQ(u->socket->options.backlog, 20);
        ASSERT_EQ(u->socket->max_connections, 7);
        ASSERT_TRUE(u->socket->options.keep_alive);
        ASSERT_STREQ(u->description, "last wins");
        ASSERT_EQ(strv_length(u->dropin_paths), 3);
        ASSERT_TRUE(endswith(u->dropin_paths[0], "10-backlog.conf"));
        ASSERT_TRUE(endswith(u->dropin_paths[2], "30-last.conf"));
        ASSERT_TRUE(diag_has(&d, DIAGNOSTIC_ERROR, "Invalid section header"));
        ASSERT_TRUE(diag_has(&d, DIAGNOSTIC_WARNING, "Accept=maybe"));
        ASSERT_STREQ(u->socket->fdname, "web.socket");
        diagnostics_done(&d);
}

TEST(fatal_setting_in_dropin_keeps_unit) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        write_file("drop.socket", "[Socket]\nListenStream=8081\n");
        write_file("drop.socket.d/a.conf", "[Socket]\nSocketUser=bad/user\nBacklog=5\n");
        u = load("drop.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_NE(u->socket->options.backlog, 5);
        diagnostics_done(&d);
}

TEST(fragment_errors) {
        Diagnostics d = {};
        UnitConfig *u;

        write_file("lex.socket", "[Socket]\nListenStream=1\n[Socket\n");
        u = load("lex.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_ERROR);
        ASSERT_ERROR(u->load_error, EBADMSG);
        unit_config_free(u);

        write_file("fatal.socket", "[Socket]\nListenStream=1\nSocketUser=bad/user\n");
        u = load("fatal.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_BAD_SETTING);
        unit_config_free(u);

        u = load("missing.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_NOT_FOUND);
        unit_config_free(u);
        diagnostics_done(&d);
}

TEST(masked) {
        char path[512];
        Diagnostics d = {};
        UnitConfig *u;

        write_file("empty.socket", "");
        u = load("empty.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_MASKED);
        unit_config_free(u);

        ensure_dir();
        snprintf(path, sizeof(path), "%s/null.socket", dir);
        ASSERT_OK(symlink("/dev/null", path));
        u = load("null.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_MASKED);
        unit_config_free(u);
        ASSERT_EQ(d.n, 0);
}

TEST(socket_checks) {
        check_socket("[Socket]\nListenStream=80\n", UNIT_LOADED, NULL);
        check_socket("[Socket]\nAccept=yes\n", UNIT_BAD_SETTING, "no Listen setting");
        check_socket("[Socket]\nListenStream=80\nListenStream=\n", UNIT_BAD_SETTING, "no Listen setting");
        check_socket("[Socket]\nListenStream=80\nMaxConnections=0\n", UNIT_BAD_SETTING, "MaxConnections=");
        check_socket("[Socket]\nListenStream=80\nListenDatagram=81\nAccept=yes\n", UNIT_BAD_SETTING,
                     "non-accepting");
        check_socket("[Socket]\nListenFIFO=/run/x.fifo\nAccept=yes\n", UNIT_BAD_SETTING, "non-accepting");
        check_socket("[Socket]\nListenSequentialPacket=/run/x.sk\nAccept=yes\n", UNIT_LOADED, NULL);
        check_socket("[Socket]\nListenStream=80\nAccept=yes\nService=x.service\n", UNIT_BAD_SETTING,
                     "Explicit service");
        check_socket("[Socket]\nListenStream=80\nAccept=yes\nDeferTrigger=yes\n", UNIT_BAD_SETTING,
                     "DeferTrigger");
        check_socket("[Socket]\nListenStream=80\nDeferTrigger=yes\n", UNIT_LOADED, NULL);
        check_socket("[Socket]\nListenStream=/run/a.sk\nSymlinks=/run/link\n", UNIT_LOADED, NULL);
        check_socket("[Socket]\nListenStream=80\nSymlinks=/run/link\n", UNIT_BAD_SETTING, "symlinks");
        check_socket("[Socket]\nListenStream=/run/a.sk\nListenFIFO=/run/b\nSymlinks=/run/link\n",
                     UNIT_BAD_SETTING, "symlinks");
        check_socket("[Socket]\nListenStream=/run/a.sk\nSocketProtocol=mptcp\n", UNIT_BAD_SETTING,
                     "SocketProtocol=mptcp");
        check_socket("[Socket]\nListenStream=80\nSocketProtocol=mptcp\n", UNIT_LOADED, NULL);
        /* UDP-Lite on a stream port is silently plain TCP, as in systemd */
        check_socket("[Socket]\nListenStream=80\nSocketProtocol=udplite\n", UNIT_LOADED, NULL);
        check_socket("[Socket]\nListenDatagram=/run/d.sk\nSocketProtocol=udplite\n", UNIT_BAD_SETTING,
                     "SocketProtocol=udplite");
}

TEST(service_name_too_long) {
        char name[300];
        Diagnostics d = {};
        UnitConfig *u;

        /* 248 + ".socket" fits in 255, 248 + ".service" does not */
        memset(name, 'a', 248);
        strcpy(name + 248, ".socket");
        write_file(name, "[Socket]\nListenStream=1\n");
        u = load(name, &d);
        ASSERT_EQ(u->load_state, UNIT_ERROR);
        ASSERT_TRUE(diag_has(&d, DIAGNOSTIC_ERROR, "service name"));
        unit_config_free(u);
        diagnostics_done(&d);

        /* with Service= the socket's own name does not matter */
        write_file(name, "[Socket]\nListenStream=1\nService=short.service\n");
        u = load(name, &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        unit_config_free(u);
        diagnostics_done(&d);
}

TEST(protocol_error_points_at_the_setting) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        write_file("proto.socket", "[Socket]\nListenStream=/run/p.sk\n\nSocketProtocol=sctp\n");
        u = load("proto.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_BAD_SETTING);
        ASSERT_EQ(d.n, 1);
        ASSERT_EQ(d.items[0].line, 4);
        ASSERT_TRUE(endswith(d.items[0].path, "/proto.socket"));
        diagnostics_done(&d);
}

TEST(service_checks_and_defaults) {
        Diagnostics d = {};
        UnitConfig *u;

        write_file("ok.service", "[Service]\nExecStart=/bin/true\n");
        u = load("ok.service", &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_EQ(u->service->type, SERVICE_SIMPLE);
        ASSERT_EQ(u->service->notify_access, NOTIFY_NONE);
        unit_config_free(u);

        write_file("notify.service", "[Service]\nType=notify\nExecStart=/bin/true\n");
        u = load("notify.service", &d);
        ASSERT_EQ(u->service->notify_access, NOTIFY_MAIN);
        unit_config_free(u);

        write_file("none.service", "[Service]\nType=simple\n");
        u = load("none.service", &d);
        ASSERT_EQ(u->load_state, UNIT_BAD_SETTING);
        unit_config_free(u);

        write_file("two.service", "[Service]\nExecStart=/bin/true\nExecStart=/bin/true\n");
        u = load("two.service", &d);
        ASSERT_EQ(u->load_state, UNIT_BAD_SETTING);
        ASSERT_TRUE(diag_has(&d, DIAGNOSTIC_ERROR, "more than one ExecStart="));
        unit_config_free(u);

        write_file("oneshot.service", "[Service]\nExecStart=/bin/true\nExecStart=/bin/true\nType=oneshot\n");
        u = load("oneshot.service", &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_EQ(u->service->timeout_start_usec, USEC_INFINITY);
        ASSERT_EQ(u->service->timeout_stop_usec, 90 * USEC_PER_SEC);
        unit_config_free(u);

        write_file("oneshot-timeout.service", "[Service]\nType=oneshot\nExecStart=/bin/true\nTimeoutSec=5\n");
        u = load("oneshot-timeout.service", &d);
        ASSERT_EQ(u->service->timeout_start_usec, 5 * USEC_PER_SEC);
        unit_config_free(u);

        write_file("stoponly.service", "[Service]\nExecStop=/bin/true\nRemainAfterExit=yes\n");
        u = load("stoponly.service", &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_EQ(u->service->type, SERVICE_ONESHOT);
        unit_config_free(u);
        diagnostics_done(&d);
}

TEST(template_instance) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        write_file("tpl@.socket", "[Socket]\nListenStream=/run/tpl-%i.sk\n");
        u = load("tpl@inst.socket", &d);
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_STREQ(u->id, "tpl@inst.socket");
        ASSERT_STREQ(socket_address_get_path(&u->socket->ports[0].address), "/run/tpl-inst.sk");
        diagnostics_done(&d);
}

TEST(load_by_path) {
        char path[512];
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        char *paths[] = { NULL };
        LookupPaths lp = { .search_path = paths };
        SpecifierContext sc = {};

        write_file("bypath.socket", "[Socket]\nListenStream=9\n");
        snprintf(path, sizeof(path), "%s/bypath.socket", dir);
        ASSERT_OK(unit_load(&lp, path, &sc, &u, &d));
        ASSERT_EQ(u->load_state, UNIT_LOADED);
        ASSERT_STREQ(u->fragment_path, path);
        diagnostics_done(&d);
}

TEST(triggered_service) {
        static const struct {
                const char *name, *text, *want;
        } cases[] = {
                { "t1.socket", "[Socket]\nListenStream=1\n", "t1.service" },
                { "t2.socket", "[Socket]\nListenStream=1\nService=other.service\n", "other.service" },
                { "t3.socket", "[Socket]\nListenStream=1\nAccept=yes\n", "t3@.service" },
                { "a@b.socket", "[Socket]\nListenStream=1\n", "a@b.service" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Diagnostics d = {};
                _cleanup_free_ char *s = NULL;
                UnitConfig *u;

                write_file(cases[i].name, cases[i].text);
                u = load(cases[i].name, &d);
                ASSERT_OK(unit_config_triggered_service(u, &s));
                ASSERT_STREQ(s, cases[i].want);
                unit_config_free(u);
                diagnostics_done(&d);
        }
}

RUN_TESTS()
