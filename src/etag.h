/* Entity tags of a single-user answer (api-extensions.md section 4): what
 * the ETag header says, and what If-Match and If-None-Match ask. Pure
 * text work, no database: t/unit/test_etag.c. */
#ifndef USERS_ETAG_H
#define USERS_ETAG_H

#include <stddef.h>

#include "user.h"

/*
 * The tag: "ID-VERSION-COLUMNS", COLUMNS the shown columns' mask (bits 1u
 * << enum user_column) in lower-case hex: "4-2-3ff" is user 4 at version
 * 2 with all ten keys. Strong (RFC 9110 8.8.1): one tag, one body.
 */
#define ETAG_MAX 48

/* Writes u's tag for the representation showing columns into buf (at
 * least ETAG_MAX bytes), quotes included. */
void etag_format(const struct user *u, unsigned columns, char *buf,
    size_t size);

/* At most this many versions of one user in an If-Match list. */
#define ETAG_VERSIONS_MAX 4

/* What a write's If-Match asks for user id. */
struct etag_versions {
	int any;   /* "*", or no If-Match: any version of an existing user */
	int count; /* the versions named; any 0 and count 0: none matches */
	unsigned long version[ETAG_VERSIONS_MAX];
};

enum etag_parse {
	ETAG_OK,
	ETAG_MALFORMED, /* not "*" nor a list of one or more entity-tags */
	ETAG_TOO_MANY   /* more than ETAG_VERSIONS_MAX versions of the user */
};

/*
 * Reads an If-Match value (NULL: absent, which is any) for user id into
 * *out. Strong comparison: a weak tag (W/"...") never matches, nor does a
 * tag of another user or not of our form; such tags are not errors. A
 * tag of any representation of a version matches that version.
 */
enum etag_parse etag_if_match(const char *header, long id,
    struct etag_versions *out);

/*
 * Whether an If-None-Match value matches current (a tag etag_format
 * wrote): "*", or a list holding it, weakly compared (W/ ignored, RFC
 * 9110 13.1.2). NULL, or a value that is not a list of entity-tags, does
 * not match: the full answer is never wrong.
 */
int etag_none_match(const char *header, const char *current);

#endif
