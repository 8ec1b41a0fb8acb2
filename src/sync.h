/* The pure parts of safe writes and sync (api-extensions.md sections 5
 * and 8): the change feed's after= cursor, the Idempotency-Key header and
 * the SHA-256 digests an idempotent add is stored under. Unit-tested. */
#ifndef USERS_SYNC_H
#define USERS_SYNC_H

#include <stddef.h>

/* A SHA-256 digest. */
#define SYNC_HASH_LEN 32
/* The longest Idempotency-Key, in bytes. */
#define SYNC_KEY_MAX 255
/* Room for a feed cursor's text: a long in decimal, plus NUL. */
#define SYNC_CURSOR_MAX 21

/*
 * after= of the raw QUERY_STRING. The cursor is the seq of the last change
 * a client has, in canonical decimal (0 .. LONG_MAX; no sign, no leading
 * zero but "0"). Returns 0 when absent, 1 and sets *after when valid, -1
 * when empty, repeated or anything else.
 */
int sync_after_parse(const char *query, long *after);

/* Writes seq's cursor text into out (SYNC_CURSOR_MAX bytes); -1 if it
 * does not fit. */
int sync_cursor_format(long seq, char *out, size_t size);

/* Whether an Idempotency-Key header value is valid: 1 to 255 visible
 * ASCII characters (0x21 .. 0x7e), nothing else. */
int sync_key_valid(const char *key);

/* The key's row: SHA-256 of the subject's length (4 bytes, big endian),
 * the subject and the key, so no two (subject, key) pairs share a row. */
void sync_key_hash(const char *subject, const char *key,
    unsigned char out[SYNC_HASH_LEN]);

/* SHA-256 of the body's len bytes (a body may hold NULs). */
void sync_body_hash(const char *body, size_t len,
    unsigned char out[SYNC_HASH_LEN]);

/*
 * The sub claim of a bearer token already verified (auth_check): the
 * Authorization header value's payload, decoded again, its "sub" if it is
 * a string, else "". Returns 0, or -1 when it does not fit size.
 */
int sync_token_subject(const char *authorization, char *out, size_t size);

#endif
