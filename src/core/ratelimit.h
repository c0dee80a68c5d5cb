/* SPDX-License-Identifier: MIT */
#pragma once

/* A fixed-window rate limit, as systemd's ratelimit_below(): the first event
 * opens a window of `interval`; events are allowed while at most `burst` have
 * arrived in the open window.  An interval or burst of 0 disables the limit.
 * The clock is passed in (the manager's seam), so tests control time. */

#include <stdbool.h>

#include "time-util.h"

typedef struct RateLimit {
        usec_t interval;
        unsigned burst;
        usec_t begin;           /* start of the open window, 0 when none */
        unsigned num;           /* events counted in the open window */
} RateLimit;

/* Count one event at time `now`.  Returns true if it is within the limit,
 * false if the limit is hit (the event should be refused). */
bool ratelimit_below(RateLimit *rl, usec_t now);

/* Forget the open window, e.g. on reset-failed. */
void ratelimit_reset(RateLimit *rl);

/* true while the open window has seen more than `burst` events. */
bool ratelimit_exceeded(const RateLimit *rl, usec_t now);
