/* SPDX-License-Identifier: MIT */
/* Value parsing of the directives through the real table: typed results,
 * resets by empty assignments, last-wins scalars, sentinels, fatal
 * settings. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "load-fragment.h"
#include "missing_network.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "tests.h"
#include "unit-config.h"
#include "unit-load.h"

static int parse_into(UnitConfig *u, const char *text, Diagnostics *d) {
        SpecifierContext sc = { .unit_name = u->id };
        FILE *f = fmemopen((void *) text, strlen(text), "r");
        ConfigParseParams p = {
                .path = "/t/unit",
                .unit = u->id,
                .lookup = load_fragment_lookup,
                .userdata = u,
                .diagnostics = d,
                .specifiers = &sc,
        };
        int r;

        ASSERT_NOT_NULL(f);
        r = config_parse(&p, f);
        fclose(f);
        return r;
}

/* Parse text as unit `name`; asserts the given number of diagnostics. */
static UnitConfig *load(const char *name, const char *text, size_t n_diags) {
        UnitConfig *u = NULL;
        Diagnostics d = {};

        ASSERT_OK(unit_config_new(name, &u));
        ASSERT_OK(parse_into(u, text, &d));
        if (d.n != n_diags) {
                for (size_t i = 0; i < d.n; i++)
                        fprintf(stderr, "  diag %u: %s\n", d.items[i].line, d.items[i].message);
                ASSERT_EQ(d.n, n_diags);
        }
        diagnostics_done(&d);
        return u;
}

static bool diag_has(const Diagnostics *d, const char *needle) {
        for (size_t i = 0; i < d->n; i++)
                if (strstr(d->items[i].message, needle))
                        return true;
        return false;
}

TEST(socket_booleans_and_scalars_last_wins) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket",
                "[Socket]\nListenStream=80\nAccept=yes\nAccept=maybe\nAccept=\n"
                "MaxConnections=10\nMaxConnections=12\nMaxConnectionsPerSource=3\nBacklog=128\nBacklog=\n"
                "SocketMode=0600\nSocketMode=99999\nDirectoryMode=0700\nKeepAlive=on\nNoDelay=t\n"
                "Priority=-3\nMark=7\nIPTTL=64\nFlushPending=1\nRemoveOnStop=yes\nWritable=true\n"
                "PassFileDescriptorsToExec=y\nAcceptFileDescriptors=no\n", 4);
        SocketConfig *s = u->socket;

        ASSERT_TRUE(s->accept);                 /* "maybe" and "" were ignored */
        ASSERT_EQ(s->max_connections, 12);
        ASSERT_EQ(s->max_connections_per_source, 3);
        ASSERT_EQ(s->options.backlog, 128);
        ASSERT_EQ(s->options.socket_mode, 0600);
        ASSERT_EQ(s->options.directory_mode, 0700);
        ASSERT_TRUE(s->options.keep_alive && s->options.no_delay);
        ASSERT_EQ(s->options.priority, -3);
        ASSERT_EQ(s->options.mark, 7);
        ASSERT_EQ(s->options.ip_ttl, 64);
        ASSERT_TRUE(s->flush_pending && s->options.remove_on_stop && s->options.writable);
        ASSERT_TRUE(s->pass_fds_to_exec);
        ASSERT_FALSE(s->options.accept_fds);
}

TEST(listen_kinds_order_and_reset) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket",
                "[Socket]\nListenStream=/run/gone.sk\nListenStream=\n"
                "ListenStream=127.0.0.1:8080\nListenDatagram=[::1]:53\nListenSequentialPacket=@abs\n"
                "ListenFIFO=/var/run/x.fifo\nListenNetlink=route 1\nListenSpecial=/proc/kmsg\n"
                "ListenMessageQueue=/q\nListenStream=/run/%n.sk\n", 0);
        SocketConfig *s = u->socket;

        ASSERT_EQ(s->n_ports, 8);
        ASSERT_EQ(s->ports[0].type, SOCKET_PORT_SOCKET);
        ASSERT_EQ(s->ports[0].address.type, SOCK_STREAM);
        ASSERT_EQ(socket_address_family(&s->ports[0].address), AF_INET);
        ASSERT_EQ(s->port_origins[0].line, 4);
        ASSERT_EQ(s->ports[1].address.type, SOCK_DGRAM);
        ASSERT_EQ(socket_address_family(&s->ports[1].address), AF_INET6);
        ASSERT_EQ(s->ports[2].address.type, SOCK_SEQPACKET);
        ASSERT_EQ(s->ports[3].type, SOCKET_PORT_FIFO);
        ASSERT_STREQ(s->ports[3].path, "/run/x.fifo");  /* /var/run rewritten */
        ASSERT_EQ(socket_address_family(&s->ports[4].address), AF_NETLINK);
        ASSERT_EQ(s->ports[5].type, SOCKET_PORT_SPECIAL);
        ASSERT_EQ(s->ports[6].type, SOCKET_PORT_MQUEUE);
        ASSERT_STREQ(socket_address_get_path(&s->ports[7].address), "/run/a.socket.sk");
        for (size_t i = 0; i < s->n_ports; i++)
                ASSERT_EQ(s->ports[i].fd, -EBADF);
}

TEST(listen_bad_values_warn) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        ASSERT_OK(unit_config_new("a.socket", &u));
        ASSERT_OK(parse_into(u,
                "[Socket]\nListenSequentialPacket=127.0.0.1:80\nListenFIFO=relative\nListenStream=*:80\n"
                "ListenStream=\"/run/x\"\nListenStream=70000\nListenStream=/run/%Z\nListenFIFO=/dev/foo\n"
                "ListenNetlink=nosuchfamily\n", &d));
        ASSERT_EQ(u->socket->n_ports, 0);
        ASSERT_EQ(d.n, 8);
        ASSERT_TRUE(diag_has(&d, "Address family not supported"));
        ASSERT_TRUE(diag_has(&d, "not absolute"));
        ASSERT_TRUE(diag_has(&d, "specifiers"));
        ASSERT_TRUE(diag_has(&d, "API file system"));
        for (size_t i = 0; i < d.n; i++) {
                ASSERT_EQ(d.items[i].severity, DIAGNOSTIC_WARNING);
                ASSERT_TRUE(endswith(d.items[i].message, ", ignoring"));
        }
        diagnostics_done(&d);
}

TEST(socket_protocol) {
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        Diagnostics d = {};

        u = load("a.socket", "[Socket]\nSocketProtocol=MPTCP\n", 0);
        ASSERT_EQ(u->socket->options.socket_protocol, IPPROTO_MPTCP);
        ASSERT_EQ(u->socket->socket_protocol_line, 2);
        u = unit_config_free(u);
        u = load("a.socket", "[Socket]\nSocketProtocol=132\nSocketProtocol=udplite\n", 0);
        ASSERT_EQ(u->socket->options.socket_protocol, IPPROTO_UDPLITE);
        u = unit_config_free(u);

        /* tcp and the empty string are refused and keep the earlier value */
        ASSERT_OK(unit_config_new("a.socket", &u));
        ASSERT_OK(parse_into(u, "[Socket]\nSocketProtocol=sctp\nSocketProtocol=tcp\nSocketProtocol=\n", &d));
        ASSERT_EQ(u->socket->options.socket_protocol, IPPROTO_SCTP);
        ASSERT_EQ(d.n, 2);
        ASSERT_TRUE(diag_has(&d, "SocketProtocol=tcp"));
        diagnostics_done(&d);
}

TEST(mptcp_fallback_extension) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket", "[Socket]\nMPTCPFallback=no\n", 0);

        ASSERT_TRUE(u->socket->options.mptcp_strict);
        u = unit_config_free(u);
        u = load("a.socket", "[Socket]\n", 0);
        ASSERT_FALSE(u->socket->options.mptcp_strict);
}

TEST(limits_sentinels_and_defaults) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket",
                "[Socket]\nListenStream=80\nTriggerLimitIntervalSec=infinity\nTriggerLimitBurst=4294967295\n"
                "PollLimitIntervalSec=0\nPollLimitBurst=0\n", 0);

        ASSERT_EQ(u->socket->trigger_limit.interval, USEC_INFINITY);
        ASSERT_OK(unit_load_finish(u, NULL));
        /* writing the sentinels gives the defaults, 0 disables */
        ASSERT_EQ(u->socket->trigger_limit.interval, 2 * USEC_PER_SEC);
        ASSERT_EQ(u->socket->trigger_limit.burst, 20);
        ASSERT_EQ(u->socket->poll_limit.interval, 0);
        ASSERT_EQ(u->socket->poll_limit.burst, 0);
        ASSERT_STREQ(u->socket->fdname, "a.socket");
        u = unit_config_free(u);

        u = load("b.socket", "[Socket]\nListenStream=80\nAccept=yes\n", 0);
        ASSERT_OK(unit_load_finish(u, NULL));
        ASSERT_EQ(u->socket->trigger_limit.burst, 200);
        ASSERT_EQ(u->socket->poll_limit.burst, 150);
        ASSERT_EQ(u->socket->poll_limit.interval, 2 * USEC_PER_SEC);
        ASSERT_STREQ(u->socket->fdname, "connection");
}

TEST(socket_times_and_sizes) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket",
                "[Socket]\nTimeoutSec=0\nDeferTriggerMaxSec=5min 20s\nKeepAliveTimeSec=1h30min\n"
                "DeferAcceptSec=2.5s\nReceiveBuffer=1.5M\nSendBuffer=3G\nPipeSize=64K\n"
                "IPTOS=low-delay\nMessageQueueMaxMessages=10\nMessageQueueMessageSize=-1x\n", 2);
        SocketConfig *s = u->socket;

        ASSERT_EQ(s->timeout_usec, USEC_INFINITY);      /* sec_fix_0 */
        ASSERT_EQ(s->defer_trigger_max_usec, 320 * USEC_PER_SEC);
        ASSERT_EQ(s->options.keep_alive_time, 5400 * USEC_PER_SEC);
        ASSERT_EQ(s->options.defer_accept, 2500 * USEC_PER_MSEC);
        ASSERT_EQ(s->options.receive_buffer, 1536 * 1024);
        ASSERT_EQ(s->options.send_buffer, 0);           /* 3G > INT_MAX: refused */
        ASSERT_EQ(s->options.pipe_size, 64 * 1024);
        ASSERT_EQ(s->options.ip_tos, 0x10);
        ASSERT_EQ(s->options.mq_maxmsg, 10);
        u = unit_config_free(u);

        u = load("a.socket", "[Socket]\nIPTOS=8\nIPTOS=\nBindToDevice=eth0\nBindToDevice=*\n", 0);
        ASSERT_EQ(u->socket->options.ip_tos, -1);
        ASSERT_NULL(u->socket->options.bind_to_device);
}

TEST(socket_names_service_and_defer) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket",
                "[Socket]\nService=foo\nService=bar.service\nService=baz.socket\nFileDescriptorName=x:y\n"
                "FileDescriptorName=web\nDeferTrigger=patient\nBindIPv6Only=both\nTimestamping=us\n"
                "Symlinks=/run/a /run/b\nSymlinks=\nSymlinks=/run/c\nSymlinks=relative\n", 4);
        SocketConfig *s = u->socket;

        ASSERT_STREQ(s->service, "bar.service");
        ASSERT_STREQ(s->fdname, "web");
        ASSERT_EQ(s->defer_trigger, SOCKET_DEFER_PATIENT);
        ASSERT_EQ(s->options.bind_ipv6_only, SOCKET_ADDRESS_BOTH);
        ASSERT_EQ(s->options.timestamping, SOCKET_TIMESTAMPING_US);
        ASSERT_EQ(strv_length(s->options.symlinks), 1);
        ASSERT_STREQ(s->options.symlinks[0], "/run/c");
        u = unit_config_free(u);

        u = load("a.socket", "[Socket]\nFileDescriptorName=web\nFileDescriptorName=\n", 0);
        ASSERT_NULL(u->socket->fdname);
}

TEST(exec_lines) {
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        Diagnostics d = {};

        u = load("a.socket", "[Socket]\nExecStartPre=/bin/true a\nExecStartPre=\nExecStartPre=/bin/echo %n\n"
                             "ExecStartPost=-/bin/false\nExecStopPost=-bin/relative\n", 1);
        ASSERT_NOT_NULL(socket_config_exec_command(u->socket, SOCKET_EXEC_START_PRE));
        ASSERT_NULL(socket_config_exec_command(u->socket, SOCKET_EXEC_START_PRE)->next);
        ASSERT_STREQ(socket_config_exec_command(u->socket, SOCKET_EXEC_START_PRE)->argv[1], "a.socket");
        ASSERT_NOT_NULL(socket_config_exec_command(u->socket, SOCKET_EXEC_START_POST));
        ASSERT_NULL(socket_config_exec_command(u->socket, SOCKET_EXEC_STOP_POST));
        u = unit_config_free(u);

        /* without '-', a bad line is fatal for the unit */
        ASSERT_OK(unit_config_new("a.service", &u));
        ASSERT_ERROR(parse_into(u, "[Service]\nExecStart=bin/relative\nDescription=never\n", &d), ENOEXEC);
        ASSERT_EQ(d.items[0].severity, DIAGNOSTIC_ERROR);
        diagnostics_done(&d);
        u = unit_config_free(u);
        ASSERT_OK(unit_config_new("a.service", &u));
        ASSERT_ERROR(parse_into(u, "[Service]\nExecStart=/bin/echo %Z\n", &d), ENOEXEC);
        diagnostics_done(&d);
}

TEST(users_are_fatal_when_invalid) {
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        Diagnostics d = {};
        static const char *const bad[] = {
                "[Service]\nUser=bad/name\n",
                "[Service]\nGroup=x/y\n",
                "[Socket]\nSocketUser=a:b\n",
                "[Socket]\nSocketGroup=%Z\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_OK(unit_config_new(strstr(bad[i], "Socket]") ? "a.socket" : "a.service", &u));
                ASSERT_ERROR(parse_into(u, bad[i], &d), ENOEXEC);
                diagnostics_done(&d);
                u = unit_config_free(u);
        }
        u = load("a.socket", "[Socket]\nSocketUser=nobody\nSocketGroup=1000\nSocketUser=\n", 0);
        ASSERT_NULL(u->socket->socket_user);
        ASSERT_STREQ(u->socket->socket_group, "1000");
        u = unit_config_free(u);
        u = load("a.service", "[Service]\nUser=www-data\nSupplementaryGroups=a b\nSupplementaryGroups=c\n", 0);
        ASSERT_STREQ(u->service->exec.user, "www-data");
        ASSERT_EQ(strv_length(u->service->exec.supplementary_groups), 3);
}

TEST(environment) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.service",
                "[Service]\nEnvironment=A=1 \"B=two words\"\nEnvironment=A=3 1BAD=x\n"
                "EnvironmentFile=-/etc/default/x\nEnvironmentFile=rel\nPassEnvironment=PATH HOME PATH\n"
                "UnsetEnvironment=X X=1\nEnvironment=N=%n\n", 2);
        ExecContext *c = &u->service->exec;

        ASSERT_EQ(strv_length(c->environment), 3);
        ASSERT_STREQ(c->environment[0], "A=3");
        ASSERT_STREQ(c->environment[1], "B=two words");
        ASSERT_STREQ(c->environment[2], "N=a.service");
        ASSERT_STREQ(c->environment_files[0], "-/etc/default/x");
        ASSERT_EQ(strv_length(c->environment_files), 1);
        ASSERT_EQ(strv_length(c->pass_environment), 2);
        ASSERT_EQ(strv_length(c->unset_environment), 2);
        u = unit_config_free(u);

        u = load("a.service", "[Service]\nEnvironment=A=1\nEnvironment=\nPassEnvironment=X\nPassEnvironment=\n", 0);
        ASSERT_NULL(u->service->exec.environment);
        ASSERT_NULL(u->service->exec.pass_environment);
}

TEST(rlimits) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.service",
                "[Service]\nLimitNOFILE=1024:4096\nLimitCORE=infinity\nLimitCPU=1h\nLimitAS=1G\n"
                "LimitNICE=-5\nLimitRTTIME=2s\nLimitNPROC=10:5\nLimitMEMLOCK=bogus\n", 2);
        struct rlimit **rl = u->service->exec.rlimit;

        ASSERT_EQ(rl[RLIMIT_NOFILE]->rlim_cur, 1024);
        ASSERT_EQ(rl[RLIMIT_NOFILE]->rlim_max, 4096);
        ASSERT_UEQ(rl[RLIMIT_CORE]->rlim_cur, RLIM_INFINITY);
        ASSERT_EQ(rl[RLIMIT_CPU]->rlim_max, 3600);
        ASSERT_EQ(rl[RLIMIT_AS]->rlim_cur, 1024 * 1024 * 1024);
        ASSERT_EQ(rl[RLIMIT_NICE]->rlim_cur, 25);
        ASSERT_EQ(rl[RLIMIT_RTTIME]->rlim_cur, 2000000);
        ASSERT_NULL(rl[RLIMIT_NPROC]);
        ASSERT_NULL(rl[RLIMIT_MEMLOCK]);
        ASSERT_NULL(rl[RLIMIT_STACK]);
}

TEST(exec_context_misc) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.service",
                "[Service]\nNice=-5\nNice=30\nUMask=0077\nWorkingDirectory=-~\nRuntimeDirectory=foo bar/baz\n"
                "RuntimeDirectory=/abs\nRuntimeDirectoryMode=0700\nStandardInput=socket\n"
                "StandardOutput=append:/var/log/%n.log\nStandardError=fd\nStandardOutput=bogus\n"
                "NonBlocking=yes\n", 3);
        ExecContext *c = &u->service->exec;

        ASSERT_TRUE(c->nice_set);
        ASSERT_EQ(c->nice, -5);
        ASSERT_EQ(c->umask, 0077);
        ASSERT_TRUE(c->working_directory_home && c->working_directory_missing_ok);
        ASSERT_EQ(strv_length(c->runtime_directory), 2);
        ASSERT_EQ(c->runtime_directory_mode, 0700);
        ASSERT_EQ(c->std_input, EXEC_INPUT_SOCKET);
        ASSERT_EQ(c->std_output, EXEC_OUTPUT_FILE_APPEND);
        ASSERT_STREQ(c->stdio_file[1], "/var/log/a.service.log");
        ASSERT_EQ(c->std_error, EXEC_OUTPUT_NAMED_FD);
        ASSERT_STREQ(c->stdio_fdname[2], "stderr");
        ASSERT_TRUE(c->non_blocking);
}

TEST(working_directory_fatal_unless_dash) {
        _cleanup_unit_config_free_ UnitConfig *u = NULL;
        Diagnostics d = {};

        ASSERT_OK(unit_config_new("a.service", &u));
        ASSERT_ERROR(parse_into(u, "[Service]\nWorkingDirectory=relative\n", &d), ENOEXEC);
        diagnostics_done(&d);
        u = unit_config_free(u);
        u = load("a.service", "[Service]\nWorkingDirectory=-relative\nWorkingDirectory=/srv/%n\n", 1);
        ASSERT_STREQ(u->service->exec.working_directory, "/srv/a.service");
        ASSERT_FALSE(u->service->exec.working_directory_missing_ok);
}

TEST(kill_context) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.socket",
                "[Socket]\nKillMode=mixed\nKillSignal=INT\nFinalKillSignal=9\nRestartKillSignal=SIGRTMIN+2\n"
                "WatchdogSignal=SIGNOPE\nSendSIGHUP=yes\nSendSIGKILL=no\nKillMode=bogus\n", 2);
        const KillContext *k = socket_config_kill_context(u->socket);

        ASSERT_EQ(k->kill_mode, KILL_MIXED);
        ASSERT_EQ(k->kill_signal, SIGINT);
        ASSERT_EQ(k->final_kill_signal, SIGKILL);
        ASSERT_EQ(k->restart_kill_signal, SIGRTMIN + 2);
        ASSERT_EQ(k->watchdog_signal, SIGABRT);
        ASSERT_TRUE(k->send_sighup);
        ASSERT_FALSE(k->send_sigkill);
        u = unit_config_free(u);

        /* ReloadSignal= has no effect in porter: unsupported, one warning. */
        u = load("a.service", "[Service]\nKillSignal=HUP\nKillSignal=\nReloadSignal=USR1\n", 1);
        ASSERT_EQ(u->service->kill.kill_signal, SIGTERM);
        ASSERT_EQ(u->service->reload_signal, SIGHUP);
}

TEST(service_settings) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a.service",
                "[Service]\nType=notify\nRestart=on-failure\nRestartSec=1.5s\nTimeoutSec=10\n"
                "TimeoutStartSec=0\nRemainAfterExit=yes\nSuccessExitStatus=1 2 SIGKILL 300\n"
                "RestartPreventExitStatus=3\nRestartPreventExitStatus=\nRestartForceExitStatus=CANTCREAT TEMPFAIL NOPE\n"
                "PIDFile=/var/run/a.pid\n"
                "FileDescriptorStoreMax=4\nFileDescriptorStorePreserve=yes\nNotifyAccess=all\n"
                "Sockets=a.socket b.socket\nSockets=\nSockets=c.service\nType=bogus\n", 4);
        ServiceConfig *s = u->service;

        ASSERT_EQ(s->type, SERVICE_NOTIFY);
        ASSERT_EQ(s->restart, SERVICE_RESTART_ON_FAILURE);
        ASSERT_EQ(s->restart_usec, 1500 * USEC_PER_MSEC);
        ASSERT_EQ(s->timeout_start_usec, USEC_INFINITY);
        ASSERT_EQ(s->timeout_stop_usec, 10 * USEC_PER_SEC);
        ASSERT_TRUE(s->remain_after_exit);
        ASSERT_TRUE(exit_status_set_test_status(&service_config_exit_status(s)->success_status, 1));
        ASSERT_TRUE(exit_status_set_test_status(&service_config_exit_status(s)->success_status, 2));
        ASSERT_FALSE(exit_status_set_test_status(&service_config_exit_status(s)->success_status, 0));
        ASSERT_TRUE(exit_status_set_test_signal(&service_config_exit_status(s)->success_status, SIGKILL));
        ASSERT_FALSE(exit_status_set_test_status(&service_config_exit_status(s)->restart_prevent_status, 3));
        ASSERT_TRUE(exit_status_set_test_status(&service_config_exit_status(s)->restart_force_status, 73));
        ASSERT_TRUE(exit_status_set_test_status(&service_config_exit_status(s)->restart_force_status, 75));
        ASSERT_STREQ(s->pid_file, "/run/a.pid");
        ASSERT_EQ(s->n_fd_store_max, 4);
        ASSERT_EQ(s->fd_store_preserve, EXEC_PRESERVE_YES);
        ASSERT_EQ(s->notify_access, NOTIFY_ALL);
        ASSERT_EQ(strv_length(s->sockets), 2);  /* "" does not reset Sockets= */
}

TEST(unit_section) {
        _cleanup_unit_config_free_ UnitConfig *u = load("a@x.service",
                "[Unit]\nDescription=Unit %n instance %i\nDocumentation=man:a(8) https://x.org nope\n"
                "Requires=b.service c.socket\nAfter=b.service\nAfter=b.service d@e.service\nWants=bad..name/x\n"
                "BindTo=e.service\nRequiresOverridable=f.service\nRequiresMountsFor=/var/lib %Z/x\n"
                "DefaultDependencies=no\nStartLimitIntervalSec=20\nStartLimitBurst=3\nStartLimitAction=reboot\n"
                "ConditionPathExists=|!/etc/x\nConditionPathExists=relative\nConditionVirtualization=!container\n"
                "AssertUser=root\nRefuseManualStart=yes\n"
                "[Service]\nStartLimitInterval=30\nStartLimitBurst=9\n", 5);

        ASSERT_STREQ(u->description, "Unit a@x.service instance x");
        ASSERT_EQ(strv_length(u->documentation), 2);
        ASSERT_EQ(strv_length(unit_config_dependencies(u, UNIT_REQUIRES)), 3);
        ASSERT_EQ(strv_length(unit_config_dependencies(u, UNIT_AFTER)), 2);
        ASSERT_NULL(unit_config_dependencies(u, UNIT_WANTS));
        ASSERT_EQ(strv_length(unit_config_dependencies(u, UNIT_BINDS_TO)), 1);
        ASSERT_EQ(strv_length(u->requires_mounts_for), 1);     /* %Z is no specifier */
        ASSERT_FALSE(u->default_dependencies);
        /* the legacy [Service] spellings land in the unit, last wins */
        ASSERT_EQ(u->start_limit_interval, 30 * USEC_PER_SEC);
        ASSERT_EQ(u->start_limit_burst, 9);
        ASSERT_EQ(u->start_limit_action, EMERGENCY_ACTION_REBOOT);
        ASSERT_EQ(unit_config_extra(u)->conditions.n, 2);
        ASSERT_STREQ(unit_config_extra(u)->conditions.items[0].type, "PathExists");
        ASSERT_TRUE(unit_config_extra(u)->conditions.items[0].trigger && unit_config_extra(u)->conditions.items[0].negate);
        ASSERT_STREQ(unit_config_extra(u)->conditions.items[0].parameter, "/etc/x");
        ASSERT_STREQ(unit_config_extra(u)->conditions.items[1].parameter, "container");
        ASSERT_EQ(unit_config_extra(u)->asserts.n, 1);
        ASSERT_TRUE(u->refuse_manual_start);
        u = unit_config_free(u);

        u = load("a.service", "[Unit]\nConditionPathExists=/a\nConditionHost=x\nConditionPathExists=\n", 0);
        ASSERT_EQ(unit_config_extra(u)->conditions.n, 0);
}

TEST(unsupported_warns_once_per_key_and_file) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        ASSERT_OK(unit_config_new("a.service", &u));
        ASSERT_OK(parse_into(u, "[Service]\nPrivateTmp=yes\nPrivateTmp=no\nCPUShares=10\n[Unit]\nSourcePath=/x\n", &d));
        ASSERT_EQ(unit_config_extra(u)->n_unsupported, 4);
        ASSERT_STREQ(unit_config_extra(u)->unsupported[1].value, "no");
        ASSERT_EQ(unit_config_extra(u)->unsupported[1].line, 3);
        ASSERT_EQ(d.n, 3);
        ASSERT_STREQ(d.items[0].message, "PrivateTmp= is not supported by porter, ignoring");
        diagnostics_done(&d);
}

TEST(sections_and_unknown_keys) {
        Diagnostics d = {};
        _cleanup_unit_config_free_ UnitConfig *u = NULL;

        ASSERT_OK(unit_config_new("a.socket", &u));
        ASSERT_OK(parse_into(u, "[Socket]\nListenStrem=80\nlistenstream=80\n[Install]\nWantedBy=sockets.target\n"
                                "Also=b.service\nDefaultInstance=x\n", &d));
        ASSERT_EQ(d.n, 2);
        ASSERT_TRUE(diag_has(&d, "Unknown key 'ListenStrem' in section [Socket], ignoring."));
        ASSERT_STREQ(u->install.wanted_by[0], "sockets.target");
        ASSERT_STREQ(u->install.also[0], "b.service");
        ASSERT_STREQ(u->install.default_instance, "x");
        diagnostics_done(&d);
}

TEST(signal_names) {
        ASSERT_EQ(signal_from_string("SIGTERM"), SIGTERM);
        ASSERT_EQ(signal_from_string("TERM"), SIGTERM);
        ASSERT_EQ(signal_from_string("9"), 9);
        ASSERT_EQ(signal_from_string("RTMIN"), SIGRTMIN);
        ASSERT_EQ(signal_from_string("SIGRTMAX-1"), SIGRTMAX - 1);
        ASSERT_ERROR(signal_from_string("0"), EINVAL);
        ASSERT_ERROR(signal_from_string("SIGFOO"), EINVAL);
        ASSERT_ERROR(signal_from_string("RTMIN+99"), EINVAL);
        ASSERT_ERROR(signal_from_string(""), EINVAL);
}

RUN_TESTS()
