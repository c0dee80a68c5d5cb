/* SPDX-License-Identifier: MIT */
/* Directive parsers of [Socket] (spec §2, §3).  Conventions:
 * load-fragment.h. */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "alloc-util.h"
#include "load-fragment.h"
#include "parse-util.h"
#include "socket-address.h"
#include "socket-listen.h"
#include "socket-options.h"
#include "string-util.h"
#include "strv.h"
#include "unit-config.h"
#include "unit-name.h"

bool fdname_is_valid(const char *s) {
        size_t n = 0;

        if (isempty(s))
                return false;
        for (const char *p = s; *p; p++, n++)
                if (*p < ' ' || *p > '~' || *p == ':')
                        return false;
        return n <= 255;
}

/* Paths of FIFOs, message queues and USB functions may not live in the API
 * file systems (systemd's path_is_valid + the API VFS check). */
static bool path_is_api_vfs(const char *p) {
        static const char *const api[] = { "/proc", "/sys", "/dev" };

        for (size_t i = 0; i < ELEMENTSOF(api); i++) {
                const char *rest = startswith(p, api[i]);
                if (rest && (*rest == '\0' || *rest == '/'))
                        return true;
        }
        return false;
}

/* The legacy /var/run/ prefix becomes /run/, as systemd does for AF_UNIX
 * paths and FIFOs.  Returns 0 or -ENOMEM. */
static int rewrite_var_run(char **path) {
        const char *rest = startswith(*path, "/var/run/");
        char *n;

        if (!rest)
                return 0;
        n = strjoin("/run/", rest);
        if (!n)
                return -ENOMEM;
        free(*path);
        *path = n;
        return 0;
}

static int socket_add_port(SocketConfig *s, const ConfigContext *ctx, SocketPort *p) {
        SocketPort *ports;
        SocketPortOrigin *origins;
        char *path = ctx->path ? strdup(ctx->path) : NULL;

        if (ctx->path && !path)
                return -ENOMEM;
        ports = reallocarray(s->ports, s->n_ports + 1, sizeof(SocketPort));
        if (ports)
                s->ports = ports;
        origins = reallocarray(s->port_origins, s->n_ports + 1, sizeof(SocketPortOrigin));
        if (origins)
                s->port_origins = origins;
        if (!ports || !origins) {
                free(path);
                return -ENOMEM;
        }
        s->ports[s->n_ports] = *p;
        s->port_origins[s->n_ports] = (SocketPortOrigin) { .path = path, .line = ctx->line };
        s->n_ports++;
        *p = (SocketPort) { .fd = -EBADF };
        return 0;
}

/* ListenFIFO=, ListenSpecial=, ListenMessageQueue=, ListenUSBFunction=. */
static int parse_listen_path(const ConfigContext *ctx, const char *lvalue, int ltype, char **pvalue, SocketPort *p) {
        static const SocketPortType types[] = {
                [SOCKET_LISTEN_FIFO - SOCKET_LISTEN_FIFO] = SOCKET_PORT_FIFO,
                [SOCKET_LISTEN_SPECIAL - SOCKET_LISTEN_FIFO] = SOCKET_PORT_SPECIAL,
                [SOCKET_LISTEN_MQUEUE - SOCKET_LISTEN_FIFO] = SOCKET_PORT_MQUEUE,
                [SOCKET_LISTEN_USB_FUNCTION - SOCKET_LISTEN_FIFO] = SOCKET_PORT_USB_FUNCTION,
        };
        char *value = *pvalue;
        int r;

        if (value[0] != '/')
                return config_warn(ctx, "%s= path '%s' is not absolute, ignoring", lvalue, value);
        if (ltype == SOCKET_LISTEN_MQUEUE && strchr(value + 1, '/'))
                return config_warn(ctx, "%s= name '%s' must be '/' followed by a name without '/', ignoring",
                                   lvalue, value);
        if (ltype != SOCKET_LISTEN_SPECIAL && ltype != SOCKET_LISTEN_MQUEUE && path_is_api_vfs(value))
                return config_warn(ctx, "%s= path '%s' is below an API file system, ignoring", lvalue, value);
        if (ltype == SOCKET_LISTEN_FIFO) {
                r = rewrite_var_run(pvalue);
                if (r < 0)
                        return r;
                value = *pvalue;
        }
        socket_port_init(p, types[ltype - SOCKET_LISTEN_FIFO]);
        p->path = strdup(value);
        return p->path ? 1 : -ENOMEM;
}

/* ListenStream=, ListenDatagram=, ListenSequentialPacket=, ListenNetlink=. */
static int parse_listen_address(const ConfigContext *ctx, const char *lvalue, int ltype, char **value,
                                SocketPort *p) {
        SocketAddress a = {};
        int r;

        if (ltype == SOCKET_LISTEN_NETLINK)
                r = socket_address_parse_netlink(&a, *value);
        else {
                if ((*value)[0] == '/') {
                        r = rewrite_var_run(value);
                        if (r < 0)
                                return r;
                }
                r = socket_address_parse(&a, *value);
                if (r >= 0)
                        a.type = ltype;
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_warn(ctx, "Failed to parse address value in %s=%s: %s, ignoring", lvalue, *value,
                                   strerror(-r));
        if (a.type == SOCK_SEQPACKET && socket_address_family(&a) != AF_UNIX)
                return config_warn(ctx, "Address family not supported in %s=%s, ignoring", lvalue, *value);
        r = socket_address_verify(&a, true);
        if (r < 0)
                return config_warn(ctx, "Invalid address in %s=%s: %s, ignoring", lvalue, *value, strerror(-r));

        socket_port_init(p, SOCKET_PORT_SOCKET);
        p->address = a;
        return 1;
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_listen) {
        SocketConfig *s = ((UnitConfig *) userdata)->socket;
        _cleanup_free_ char *value = NULL;
        SocketPort p = { .fd = -EBADF };
        int r;

        /* An empty Listen*= of any kind drops every port of every kind. */
        if (isempty(rvalue)) {
                socket_config_clear_ports(s);
                return 0;
        }
        r = config_expand_specifiers(ctx, lvalue, rvalue, &value);
        if (r <= 0)
                return r;

        if (ltype >= SOCKET_LISTEN_FIFO)
                r = parse_listen_path(ctx, lvalue, ltype, &value, &p);
        else
                r = parse_listen_address(ctx, lvalue, ltype, &value, &p);
        if (r <= 0)
                return r;
        r = socket_add_port(s, ctx, &p);
        if (r < 0)
                socket_port_done(&p);
        return r;
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_protocol) {
        SocketConfig *s = ((UnitConfig *) userdata)->socket;
        int r;

        /* Empty is refused too: the earlier value stays (spec §3). */
        r = parse_socket_protocol(rvalue);
        if (r < 0)
                return config_warn(ctx, "Failed to parse SocketProtocol=%s (porter and systemd accept udplite, sctp, "
                                   "mptcp), ignoring", rvalue);
        *(int *) data = r;
        r = free_and_strdup(&s->socket_protocol_path, ctx->path);
        s->socket_protocol_line = ctx->line;
        return r;
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_bind) {
        int b = socket_address_bind_ipv6_only_from_string(rvalue);

        if (b < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(int *) data = b;
        return 0;
}

static bool ifname_is_valid(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n < IFNAMSIZ && !streq(s, ".") && !streq(s, "..") && !string_has_any(s, "/: \t\n\r");
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_bindtodevice) {
        _cleanup_free_ char *s = NULL;
        int r;

        if (isempty(rvalue) || streq(rvalue, "*"))
                return free_and_strdup(data, NULL);
        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        if (!ifname_is_valid(s))
                return config_warn(ctx, "Invalid interface name in %s=%s, ignoring", lvalue, s);
        return free_and_replace(*(char **) data, s);
}

CONFIG_PARSER_PROTOTYPE(config_parse_ip_tos) {
        static const struct {
                const char *name;
                int value;
        } names[] = {
                { "low-delay", 0x10 },
                { "throughput", 0x08 },
                { "reliability", 0x04 },
                { "low-cost", 0x02 },
        };
        int v;

        if (isempty(rvalue)) {
                *(int *) data = -1;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(rvalue, names[i].name)) {
                        *(int *) data = names[i].value;
                        return 0;
                }
        if (safe_atoi(rvalue, &v) < 0 || v < 0 || v > 255)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(int *) data = v;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_timestamping) {
        int t = socket_timestamping_from_string(rvalue);

        if (t < 0)
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        *(int *) data = t;
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_fdname) {
        _cleanup_free_ char *s = NULL;
        int r;

        if (isempty(rvalue))
                return free_and_strdup(data, NULL);
        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        if (!fdname_is_valid(s))
                return config_warn(ctx, "Invalid file descriptor name in %s=%s, ignoring", lvalue, s);
        return free_and_replace(*(char **) data, s);
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_service) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = config_expand_specifiers(ctx, lvalue, rvalue, &s);
        if (r <= 0)
                return r;
        if (!unit_name_is_valid(s, UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE))
                return config_warn(ctx, "Invalid unit name in %s=%s, ignoring", lvalue, s);
        if (!endswith(s, ".service"))
                return config_warn(ctx, "Unit must be of type service in %s=%s, ignoring", lvalue, s);
        return free_and_replace(*(char **) data, s);
}

CONFIG_PARSER_PROTOTYPE(config_parse_socket_defer_trigger) {
        int b = parse_boolean(rvalue);

        if (b >= 0)
                *(SocketDeferTrigger *) data = b ? SOCKET_DEFER_YES : SOCKET_DEFER_NO;
        else if (streq(rvalue, "patient"))
                *(SocketDeferTrigger *) data = SOCKET_DEFER_PATIENT;
        else
                return config_warn_parse(ctx, lvalue, rvalue, 0);
        return 0;
}

CONFIG_PARSER_PROTOTYPE(config_parse_mptcp_fallback) {
        int b = parse_boolean(rvalue);

        if (b < 0)
                return config_warn_parse(ctx, lvalue, rvalue, b);
        /* Stored inverted: SocketOptions.mptcp_strict means "no fallback". */
        *(bool *) data = !b;
        return 0;
}
