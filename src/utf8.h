/* Strict UTF-8 (Unicode table 3-7): one decoder for the URL decoder, the
 * cursor values and the JSON body checks. */
#ifndef USERS_UTF8_H
#define USERS_UTF8_H

#include <stddef.h>

/*
 * Decodes the sequence at s[*i] (i < len): returns its code point and moves
 * *i past it, or returns -1 and leaves *i when it is not well formed (a
 * stray continuation byte, C0, C1, F5..FF, a cut sequence, an overlong
 * form, a surrogate, anything above U+10FFFF). NUL decodes to 0.
 */
long utf8_decode(const unsigned char *s, size_t len, size_t *i);

/* 1 when s[0..len) is strict UTF-8, as above, without NUL; else 0. */
int utf8_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8 s[0..len). */
size_t utf8_length(const char *s, size_t len);

#endif
