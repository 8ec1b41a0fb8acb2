/* Percent-decoding and UTF-8 checks for request paths and query strings. */
#ifndef USERS_URLDECODE_H
#define USERS_URLDECODE_H

#include <stddef.h>

enum urldecode_mode {
	URLDECODE_PATH,   /* '+' stays '+' */
	URLDECODE_FORM    /* '+' becomes ' ' (query strings) */
};

/*
 * Decodes len bytes of src once into dst (room for len + 1 bytes; the
 * result is never longer) and NUL-terminates it. Fails (-1) on a bad escape
 * ("%", "%4", "%zz"), a decoded NUL, or a result that is not valid UTF-8
 * (overlong forms, surrogates, code points above U+10FFFF included).
 * Returns 0 and sets *dst_len on success.
 */
int urldecode(const char *src, size_t len, char *dst, size_t *dst_len,
    enum urldecode_mode mode);

/* 1 when s[0..len) is valid UTF-8 (strict, as above, no NUL), else 0. */
int utf8_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8 s[0..len). */
size_t utf8_length(const char *s, size_t len);

#endif
