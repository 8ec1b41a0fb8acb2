/* The feed cursor, the Idempotency-Key and its digests, the token's sub. */
#include "sync.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/sha.h>

#include "base64url.h"
#include "decimal.h"
#include "params.h"
#include "xmalloc.h"

int sync_after_parse(const char *query, long *after)
{
	char buf[32];
	size_t n;
	/* Repeated or without '=': -1 here; empty: decimal_parse's -1. */
	int found = params_query_get(query, "after", buf, sizeof(buf), &n);

	if (found <= 0)
		return found;
	return decimal_parse(buf, n, 0, LONG_MAX, DECIMAL_CANONICAL, after) ==
	        DECIMAL_OK
	    ? 1
	    : -1;
}

int sync_cursor_format(long seq, char *out, size_t size)
{
	int n = snprintf(out, size, "%ld", seq);

	return seq < 0 || n < 0 || (size_t)n >= size ? -1 : 0;
}

int sync_key_valid(const char *key)
{
	size_t i;

	if (key == NULL)
		return 0;
	for (i = 0; key[i] != '\0'; i++)
		if (i >= SYNC_KEY_MAX || key[i] < 0x21 || key[i] > 0x7e)
			return 0;
	return i > 0;
}

void sync_key_hash(const char *subject, const char *key,
    unsigned char out[SYNC_HASH_LEN])
{
	size_t slen = strlen(subject), klen = strlen(key);
	unsigned char *buf = xmalloc(4 + slen + klen);

	buf[0] = (unsigned char)(slen >> 24);
	buf[1] = (unsigned char)(slen >> 16);
	buf[2] = (unsigned char)(slen >> 8);
	buf[3] = (unsigned char)slen;
	memcpy(buf + 4, subject, slen);
	memcpy(buf + 4 + slen, key, klen);
	SHA256(buf, 4 + slen + klen, out);
	free(buf);
}

void sync_body_hash(const char *body, size_t len,
    unsigned char out[SYNC_HASH_LEN])
{
	SHA256((const unsigned char *)(body != NULL ? body : ""), len, out);
}

/* Decodes len characters of base64url into a new NUL-terminated string
 * (the caller frees it); NULL on a character outside the alphabet. Lenient:
 * this only reads the sub of a token auth.c has already checked. */
static char *b64url_decode(const char *s, size_t len)
{
	size_t size = base64url_decoded_len(len), n;
	char *out = xmalloc(size + 1);

	if (base64url_decode(s, len, (unsigned char *)out, size, &n,
	        BASE64URL_LENIENT) != 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

int sync_token_subject(const char *authorization, char *out, size_t size)
{
	const char *token, *payload, *end;
	json_object *claims, *sub;
	char *text;
	int rc = 0;

	out[0] = '\0';
	if (authorization == NULL)
		return 0;
	/* auth.c's reading of the header: blanks, the scheme, spaces. */
	token = authorization + strspn(authorization, " \t");
	if (strncasecmp(token, "Bearer ", 7) != 0)
		return 0;
	token += 7 + strspn(token + 7, " ");
	if ((payload = strchr(token, '.')) == NULL ||
	    (end = strchr(++payload, '.')) == NULL ||
	    (text = b64url_decode(payload, (size_t)(end - payload))) == NULL)
		return 0;
	claims = json_tokener_parse(text);
	free(text);
	if (json_object_object_get_ex(claims, "sub", &sub) &&
	    json_object_is_type(sub, json_type_string)) {
		int n = snprintf(out, size, "%s", json_object_get_string(sub));

		if (n < 0 || (size_t)n >= size)
			rc = -1;
	}
	json_object_put(claims);
	return rc;
}
