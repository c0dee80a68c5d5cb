/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "macro.h"

#define WHITESPACE " \t\n\r"
#define NEWLINE "\n\r"
#define DIGITS "0123456789"
#define LOWERCASE_LETTERS "abcdefghijklmnopqrstuvwxyz"
#define UPPERCASE_LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LETTERS LOWERCASE_LETTERS UPPERCASE_LETTERS
#define ALPHANUMERICAL LETTERS DIGITS

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* NULL-safe equality: two NULLs are equal. */
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool isempty(const char *s) {
        return !s || s[0] == '\0';
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

/* If s starts with prefix, return the rest of s, else NULL. */
char *startswith(const char *s, const char *prefix) _pure_;
/* Same, ignoring ASCII case. */
char *startswith_no_case(const char *s, const char *prefix) _pure_;
/* If s ends with suffix, return a pointer to the suffix inside s, else NULL. */
char *endswith(const char *s, const char *suffix) _pure_;

/* Concatenate the NULL-terminated list of strings into a new string. */
char *strjoin_real(const char *x, ...) _sentinel_;
#define strjoin(a, ...) strjoin_real((a), __VA_ARGS__, NULL)

/* Remove leading and trailing characters of `bad` in place; returns s. */
char *strstrip_set(char *s, const char *bad);
static inline char *strstrip(char *s) {
        return strstrip_set(s, WHITESPACE);
}

/* Lower-case ASCII in place; returns s. */
char *ascii_strlower(char *s);

/* Replace *p by a copy of s (s may be NULL).  Returns 0 or -ENOMEM. */
int free_and_strdup(char **p, const char *s);

/* True if every byte is printable ASCII (0x20..0x7e). */
bool string_is_printable_ascii(const char *s) _pure_;

/* True if s contains any byte of chars. */
static inline bool string_has_any(const char *s, const char *chars) {
        return s[strcspn(s, chars)] != '\0';
}
