/* SPDX-License-Identifier: MIT */
/* The per-unit log ring: the last UNIT_LOG_LINES lines, oldest first, in a
 * buffer that grows with what it holds.  Checked against a plain model (an
 * array of copies) over pushes of mixed lengths. */
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "unit-log.h"

/* The last UNIT_LOG_LINES lines pushed, as the ring must show them. */
typedef struct Model {
        char *lines[UNIT_LOG_LINES];
        size_t n, next;
} Model;

static void model_push(Model *m, const char *s) {
        free(m->lines[m->next]);
        m->lines[m->next] = strdup(s);
        m->next = (m->next + 1) % UNIT_LOG_LINES;
        if (m->n < UNIT_LOG_LINES)
                m->n++;
}

static const char *model_get(const Model *m, size_t i) {
        size_t oldest = m->n < UNIT_LOG_LINES ? 0 : m->next;
        return m->lines[(oldest + i) % UNIT_LOG_LINES];
}

static void model_done(Model *m) {
        for (size_t i = 0; i < UNIT_LOG_LINES; i++)
                free(m->lines[i]);
}

static void assert_same(const UnitLogRing *r, const Model *m) {
        ASSERT_EQ(r->n, m->n);
        for (size_t i = 0; i < m->n; i++) {
                const UnitLogLine *l = unit_log_ring_get(r, i);
                ASSERT_NOT_NULL(l);
                ASSERT_STREQ(l->text, model_get(m, i));
                ASSERT_EQ(l->level, (int) (strlen(l->text) % 8));
        }
        ASSERT_NULL(unit_log_ring_get(r, m->n));
}

TEST(empty) {
        UnitLogRing r = {};
        ASSERT_EQ(r.n, 0u);
        ASSERT_NULL(unit_log_ring_get(&r, 0));
        unit_log_ring_clear(&r);
        ASSERT_NULL(r.buf);
}

TEST(one_line_is_small) {
        UnitLogRing r = {};
        usec_t before = now(CLOCK_REALTIME);
        unit_log_ring_push(&r, LOG_INFO, "Listening on 127.0.0.1:10001 (Stream).");
        ASSERT_EQ(r.n, 1u);
        /* What the ring exists for: a unit that logged one line costs about
         * that line, not UNIT_LOG_LINES slots. */
        ASSERT_TRUE(r.allocated <= 64u);
        const UnitLogLine *l = unit_log_ring_get(&r, 0);
        ASSERT_STREQ(l->text, "Listening on 127.0.0.1:10001 (Stream).");
        ASSERT_EQ(l->level, LOG_INFO);
        ASSERT_TRUE(l->timestamp >= before);
        ASSERT_TRUE(l->timestamp <= now(CLOCK_REALTIME));
        unit_log_ring_clear(&r);
        ASSERT_EQ(r.n, 0u);
}

TEST(keeps_last_lines_of_mixed_lengths) {
        UnitLogRing r = {};
        Model m = {};
        char buf[2100];
        unsigned seed = 1;
        uint32_t most = 0;

        for (int i = 0; i < 5000; i++) {
                seed = seed * 1103515245u + 12345u;
                /* Mostly short lines, some long ones, some empty: lengths
                 * change which records fit and when the buffer compacts. */
                size_t len = (seed >> 8) % 13 == 0 ? (seed >> 4) % 2048 : (seed >> 4) % 90;
                for (size_t k = 0; k < len; k++)
                        buf[k] = (char) ('a' + (i + k) % 26);
                buf[len] = 0;
                unit_log_ring_push(&r, (int) (len % 8), buf);
                model_push(&m, buf);
                if (i % 97 == 0 || i > 4900)
                        assert_same(&r, &m);
                /* Bounded by a small multiple of the most it held (it
                 * does not shrink while the unit lives). */
                if (r.end - r.start > most)
                        most = r.end - r.start;
                ASSERT_TRUE(r.allocated <= 4 * most + 4096);
        }
        assert_same(&r, &m);
        unit_log_ring_clear(&r);
        model_done(&m);
}

TEST(keeps_last_hundred_in_order) {
        UnitLogRing r = {};
        char buf[32];
        for (int i = 0; i < UNIT_LOG_LINES + 5; i++) {
                snprintf(buf, sizeof buf, "line %d", i);
                unit_log_ring_push(&r, LOG_INFO, buf);
        }
        ASSERT_EQ(r.n, (uint32_t) UNIT_LOG_LINES);
        ASSERT_STREQ(unit_log_ring_get(&r, 0)->text, "line 5");
        ASSERT_STREQ(unit_log_ring_get(&r, UNIT_LOG_LINES - 1)->text, "line 104");
        /* Cleared, it starts over from nothing. */
        unit_log_ring_clear(&r);
        unit_log_ring_push(&r, LOG_ERR, "again");
        ASSERT_EQ(r.n, 1u);
        ASSERT_STREQ(unit_log_ring_get(&r, 0)->text, "again");
        ASSERT_EQ(unit_log_ring_get(&r, 0)->level, LOG_ERR);
        unit_log_ring_clear(&r);
}

RUN_TESTS();
