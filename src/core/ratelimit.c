/* SPDX-License-Identifier: MIT */
#include "ratelimit.h"

static bool ratelimit_disabled(const RateLimit *rl) {
        return rl->interval == 0 || rl->burst == 0;
}

bool ratelimit_below(RateLimit *rl, usec_t now) {
        if (ratelimit_disabled(rl))
                return true;

        /* A new window starts when none is open or the last one is older
         * than the interval; that event counts as the first of it. */
        if (rl->begin == 0 || usec_add(rl->begin, rl->interval) <= now) {
                rl->begin = now ? now : 1;
                rl->num = 1;
                return true;
        }

        if (rl->num < rl->burst) {
                rl->num++;
                return true;
        }
        rl->num++;
        return false;
}

void ratelimit_reset(RateLimit *rl) {
        rl->begin = 0;
        rl->num = 0;
}

bool ratelimit_exceeded(const RateLimit *rl, usec_t now) {
        if (ratelimit_disabled(rl) || rl->begin == 0)
                return false;
        if (usec_add(rl->begin, rl->interval) <= now)
                return false;
        return rl->num > rl->burst;
}
