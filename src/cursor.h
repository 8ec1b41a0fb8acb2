/* Keyset cursors: the opaque ?cursor= value of the array routes, which
 * names the order column, the direction and the last row's (value, id). */
#ifndef USERS_CURSOR_H
#define USERS_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "user.h"

/* The longest value a cursor carries: one text column, in bytes. */
#define CURSOR_VALUE_MAX (USER_TEXT_MAX - 1)
/* The payload: "1|" column "|" a-or-d "|" id "|" value, or with filters
 * "2|" column "|" a-or-d "|" id "|" digest "|" value; see cursor.c. */
#define CURSOR_PAYLOAD_MAX \
	(2 + 21 + 1 + 1 + 1 + 10 + 1 + 16 + 1 + CURSOR_VALUE_MAX)
/* Room for the base64url text of the longest payload, plus NUL. */
#define CURSOR_TEXT_MAX ((CURSOR_PAYLOAD_MAX + 2) / 3 * 4 + 1)

/*
 * Where the next page starts: after the row (value, id) in the order of
 * column, ascending or descending. value is the column's text (UTF-8), a
 * date as "YYYY-MM-DD HH:MM:SS", or empty when column is USER_ID.
 */
struct cursor {
	enum user_column column;
	int descending;
	long id;                          /* 1 .. 2147483647 */
	char value[CURSOR_VALUE_MAX + 1]; /* NUL-terminated */
	size_t value_len;
	/* filter_digest of the filters of the page that made it; 0: none.
	 * A cursor is only good for the same filters. */
	uint64_t filters;
};

/*
 * The cursor continuing after row u in the order (column, descending).
 * Returns 0, or -1 when u cannot make one (a value too long or not UTF-8).
 */
int cursor_from_user(struct cursor *c, const struct user *u,
    enum user_column column, int descending);

/*
 * Writes the cursor's text (base64url without padding) and a NUL into out,
 * which has room for outlen bytes (CURSOR_TEXT_MAX always suffices).
 * Returns its length, or -1 when c is not valid or out is too small.
 */
int cursor_encode(const struct cursor *c, char *out, size_t outlen);

/*
 * Parses len bytes of cursor text into *out. Strict: canonical base64url
 * only (no padding, no other characters, unused bits zero), a known
 * version, a whitelisted column name, "a" or "d", a canonical id in
 * 1 .. 2147483647, and a value of the column's kind (empty for id, valid
 * UTF-8 without NUL for text, a real "YYYY-MM-DD HH:MM:SS" for dates).
 * Returns 0, or -1 for anything else.
 */
int cursor_decode(const char *text, size_t len, struct cursor *out);

#endif
