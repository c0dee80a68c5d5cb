/* SPDX-License-Identifier: MIT */
#pragma once

/* Scalar value grammars of unit files: booleans, integers, modes, sizes,
 * ports, nice levels and PIDs.
 *
 * Accept/refuse decisions below were checked against systemd-analyze verify
 * (252) with Backlog=, SocketMode=, ReceiveBuffer= and Accept= values.
 *
 * Integers (safe_ato*): optional leading whitespace (as systemd: it is skipped),
 * an optional sign ('+' always, '-' only for the signed parsers), then digits
 * in base 10, or base 16 after "0x"/"0X", base 8 after "0o"/"0O" or a leading
 * "0" followed by more digits, base 2 after "0b"/"0B" (systemd passes base 0
 * to strtol() and adds 0o/0b).  Nothing may follow the digits: no trailing
 * whitespace, no unit.  Errors: empty string or no digits or trailing garbage
 * → -EINVAL; value out of range of the target type, or a '-' on an unsigned
 * parser with a non-zero value → -ERANGE ("-0" is 0, as in systemd).
 *
 * None of these functions write *ret on failure, and all accept ret == NULL to
 * only validate. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

/* "1 yes y true t on" → 1, "0 no n false f off" → 0 (case-insensitive),
 * anything else (including NULL and "") → -EINVAL. */
int parse_boolean(const char *v) _pure_;

int safe_atou(const char *s, unsigned *ret);
int safe_atoi(const char *s, int *ret);
int safe_atolu(const char *s, unsigned long *ret);
int safe_atoli(const char *s, long *ret);
int safe_atou64(const char *s, uint64_t *ret);
int safe_atoi64(const char *s, int64_t *ret);
int safe_atou16(const char *s, uint16_t *ret);
int safe_atou8(const char *s, uint8_t *ret);

/* Octal file mode, at most 07777, e.g. "0644", "755", "4755" (octal digits
 * only: "0o640" and "0x1ff" are refused, as systemd 252 does).  Leading
 * whitespace is skipped; a sign, trailing garbage and empty → -EINVAL; larger
 * than 07777 → -ERANGE. */
int parse_mode(const char *s, mode_t *ret);

/* A byte size with multipliers of `base` (1024 for unit files, 1000 also
 * works), systemd's grammar:
 *
 *   size := ( ws* digits [ "." digits ] ws* [ suffix ] )+
 *   suffix := "E" | "P" | "T" | "G" | "M" | "K" | "B"    (case-sensitive)
 *
 * e.g. "512", "4K", "1.5M", "2 G", "1G 512M" (a sum: each later term must use
 * a smaller suffix than the one before).  The fraction is exact up to 18
 * digits and truncated to whole bytes.  A leading '-' → -ERANGE, as systemd;
 * empty, garbage, trailing whitespace → -EINVAL; above UINT64_MAX → -ERANGE. */
int parse_size(const char *s, uint64_t base, uint64_t *ret);

/* A TCP/UDP port 1..65535 (safe_atou16 rules, but leading whitespace is
 * refused as systemd does).  "0" → -EINVAL, larger than 65535 → -ERANGE,
 * garbage → -EINVAL. */
int parse_ip_port(const char *s, uint16_t *ret);

/* A nice level -20..19 (Nice=); outside → -ERANGE, garbage → -EINVAL. */
int parse_nice(const char *s, int *ret);

/* A PID > 0 that fits pid_t (safe_atolu rules); 0 or too big → -ERANGE,
 * as systemd; garbage → -EINVAL. */
int parse_pid(const char *s, pid_t *ret);
