/* Percent-decoding of request paths and query strings. */
#ifndef USERS_URLDECODE_H
#define USERS_URLDECODE_H

#include <stddef.h>

enum urldecode_mode {
	URLDECODE_PATH, /* '+' stays '+' */
	URLDECODE_FORM  /* '+' becomes ' ' (query strings) */
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

#endif
