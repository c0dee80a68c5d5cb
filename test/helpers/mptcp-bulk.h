/* SPDX-License-Identifier: MIT */
#pragma once

/* The byte stream mptcp-bulk-server sends and mptcp-bulk-client checks, and
 * the checksum both print.  The stream is a pure function of the offset
 * from the start of a connection (xorshift64* of a fixed seed, 8 bytes a
 * step), so the client can check every byte it receives without the server
 * telling it anything, and a reordered, lost or duplicated segment after a
 * path failure shows up as a mismatch, not just as a wrong total.
 *
 * The request protocol: the client sends the number of bytes it wants as a
 * decimal line ("16777216\n"); the server sends exactly that many bytes of
 * the stream and closes. */

#include <stddef.h>
#include <stdint.h>

#define BULK_SEED UINT64_C(0x9e3779b97f4a7c15)
#define BULK_MAX_BYTES (UINT64_C(1) << 32)
#define BULK_REQUEST_MAX 32

typedef struct BulkStream {
        uint64_t state;
        uint8_t word[8];
        unsigned used; /* bytes of word already handed out */
} BulkStream;

static inline void bulk_stream_init(BulkStream *s) {
        *s = (BulkStream) { .state = BULK_SEED, .used = 8 };
}

static inline void bulk_stream_step(BulkStream *s) {
        uint64_t x = s->state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s->state = x;
        x *= UINT64_C(0x2545f4914f6cdd1d);
        for (unsigned i = 0; i < 8; i++)
                s->word[i] = (uint8_t) (x >> (8 * i));
        s->used = 0;
}

/* Fill buf with the next n bytes of the stream. */
static inline void bulk_stream_fill(BulkStream *s, uint8_t *buf, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (s->used == 8)
                        bulk_stream_step(s);
                buf[i] = s->word[s->used++];
        }
}

/* 64-bit FNV-1a: not cryptographic, but any corruption a network path can
 * cause changes it, and it is a dozen lines instead of a SHA-256. */
#define FNV64_INIT UINT64_C(0xcbf29ce484222325)

static inline uint64_t fnv64_update(uint64_t h, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                h ^= p[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}
