/* base64url (RFC 4648, section 5) without padding: the one decoder of the
 * cursors, the bearer token's check and the feed's reading of its sub. */
#ifndef USERS_BASE64URL_H
#define USERS_BASE64URL_H

#include <stddef.h>

/* How strictly base64url_decode reads its text. */
enum base64url_mode {
	/* Any length: the bits that make no whole byte are dropped (one
	 * character past a multiple of four decodes to nothing), as libjwt
	 * and most decoders do. */
	BASE64URL_LENIENT,
	/* Canonical only: a length of 4n + 1, or unused low bits that are
	 * not zero, fail, so every byte string has exactly one spelling. */
	BASE64URL_CANONICAL
};

/* The value (0 .. 63) of a character of the url alphabet, or -1: '+', '/'
 * and the padding '=' are not in it. */
int base64url_value(unsigned char c);

/* How many bytes len characters decode to (whole bytes only). */
size_t base64url_decoded_len(size_t len);

/*
 * Decodes len characters of in into out, which has room for outlen bytes:
 * 0 and *n, or -1 when a character is outside the alphabet (padding
 * included), the text is not canonical in BASE64URL_CANONICAL mode, or
 * out is too small. The size is checked first, so a text too long writes
 * nothing; a bad character may leave part of out written.
 */
int base64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outlen, size_t *n, enum base64url_mode mode);

#endif
