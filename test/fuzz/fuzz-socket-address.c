/* SPDX-License-Identifier: MIT */
/* Fuzz the Listen*= address grammar: whatever socket_address_parse()
 * accepts must verify, print, and parse back to an equal address; the same
 * for ListenNetlink= values; SocketProtocol= values must map to a name that
 * parses back to the same number. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "socket-address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                \
        do {                                                                    \
                if (!(x)) {                                                     \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x); \
                        abort();                                                \
                }                                                               \
        } while (0)

static void round_trip(const SocketAddress *a, bool netlink) {
        _cleanup_free_ char *p = NULL, *pretty = NULL;
        SocketAddress b;

        CHECK(socket_address_print(a, &p) >= 0);
        CHECK((netlink ? socket_address_parse_netlink(&b, p) : socket_address_parse(&b, p)) >= 0);
        b.type = a->type; /* the Listen directive, not the text, sets the type */
        if (!socket_address_equal(a, &b)) {
                fprintf(stderr, "round trip changed the address: '%s'\n", p);
                abort();
        }
        if (!netlink)
                CHECK(sockaddr_pretty(&a->sockaddr.sa, a->size, true, &pretty) >= 0);
}

static void fuzz_address(const char *s) {
        SocketAddress a;

        if (socket_address_parse(&a, s) < 0)
                return;
        /* Every Listen directive that could carry it must verify. */
        a.type = SOCK_STREAM;
        CHECK(socket_address_verify(&a, true) >= 0);
        CHECK(socket_address_family(&a) != AF_UNIX || socket_address_get_path(&a) ||
              a.sockaddr.un.sun_path[0] == '\0');
        round_trip(&a, false);
        a.type = SOCK_DGRAM;
        CHECK(socket_address_verify(&a, true) >= 0);
        round_trip(&a, false);
}

static void fuzz_netlink(const char *s) {
        SocketAddress a;

        if (socket_address_parse_netlink(&a, s) < 0)
                return;
        CHECK(socket_address_verify(&a, true) >= 0);
        CHECK(!socket_address_can_accept(&a));
        round_trip(&a, true);
}

static void fuzz_protocol(const char *s) {
        static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW };
        int p = parse_socket_protocol(s);
        const char *name;

        if (p < 0) {
                CHECK(p == -EPROTONOSUPPORT);
                return;
        }
        name = socket_protocol_to_string(p);
        CHECK(name);
        CHECK(parse_socket_protocol(name) == p);
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
                int q = socket_protocol_for_type(p, types[i]);
                CHECK(q == 0 || q == p);
                CHECK(socket_protocol_fits(q, AF_INET, types[i]));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;

        if (size > 4096)
                return 0;
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        fuzz_address(s);
        fuzz_netlink(s);
        fuzz_protocol(s);
        return 0;
}
