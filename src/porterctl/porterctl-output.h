/* SPDX-License-Identifier: MIT */
#pragma once

/* Terminal output as systemctl does it: state glyphs and colours only on a
 * terminal, and a pager only on a terminal.
 *
 * Colours are on when standard output is a terminal and TERM is not
 * "dumb", unless $NO_COLOR is set (https://no-color.org) or
 * $SYSTEMD_COLORS is false; $SYSTEMD_COLORS=true forces them on.
 *
 * The pager runs when standard output is a terminal and --no-pager was not
 * given: $PORTER_PAGER, else $SYSTEMD_PAGER, else $PAGER (through sh -c),
 * else less, else more; an empty value or "cat" means none.  $LESS
 * defaults to "FRSXMK" as systemctl sets it, so short output does not wait
 * for a key. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "porterctl.h"

/* Whether to print ANSI colours (decided once, before any pager). */
bool porterctl_colors(void);

/* systemctl's glyph of an ActiveState: "●" active, reloading, activating,
 * deactivating; "×" failed; "○" inactive and everything else. */
const char *porterctl_state_glyph(const char *active);

/* The colour sequence for an ActiveState (green active, red failed), or ""
 * without colours or for other states; porterctl_color_off() ends it. */
const char *porterctl_state_color(const char *active);
const char *porterctl_color_off(void);

/* "Mon 2026-11-23 00:20:01 UTC" (local time) of usec since the epoch,
 * as systemctl prints timestamps; "" for 0. */
const char *porterctl_format_timestamp(uint64_t usec, char *buf, size_t size);

/* "3s ago", "5min 2s ago", "2h 5min ago", "3 days 4h ago" of usec
 * since the epoch, relative to now. */
const char *porterctl_format_relative(uint64_t usec, char *buf, size_t size);

/* Start the pager for the rest of standard output when args and the
 * terminal allow (see above).  Failures only mean no pager. */
void porterctl_pager_open(const PorterctlArgs *args);

/* Flush, close the pipe and wait for the pager to exit.  No-op without one. */
void porterctl_pager_close(void);
