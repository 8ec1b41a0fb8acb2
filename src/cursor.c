/* Keyset cursors: a small text payload, "1|<column>|<a|d>|<id>|<value>",
 * in unpadded base64url. Opaque to clients, strict on the way back in. */
#include "cursor.h"

#include <stdio.h>
#include <string.h>

#include "base64url.h"
#include "calendar.h"
#include "decimal.h"
#include "utf8.h"

#define CURSOR_VERSION "1"
/* The version of cursors bound to filters: a digest field after the id. */
#define CURSOR_VERSION_FILTERED "2"
#define CURSOR_MAX_ID 2147483647L

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url of len bytes; out must hold (len + 2) / 3 * 4 + 1. */
static size_t b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i, o = 0;
	unsigned long v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

/* A fixed-width field of a date: its digits, leading zeros included. */
static int date_field(const char *s, size_t len, long min, long max, long *out)
{
	return decimal_parse(s, len, min, max, DECIMAL_ZEROS, out) ==
	    DECIMAL_OK;
}

/* "YYYY-MM-DD HH:MM:SS", a real date and time of day. */
static int date_valid(const char *s, size_t len)
{
	long y, mo, d, h, mi, se;

	if (len != USER_DATE_LEN - 1 || s[4] != '-' || s[7] != '-' ||
	    s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return 0;
	return date_field(s, 4, 0, 9999, &y) &&
	    date_field(s + 5, 2, 1, 12, &mo) &&
	    date_field(s + 8, 2, 1, 31, &d) &&
	    d <= days_in_month((int)y, (int)mo) &&
	    date_field(s + 11, 2, 0, 23, &h) &&
	    date_field(s + 14, 2, 0, 59, &mi) &&
	    date_field(s + 17, 2, 0, 59, &se);
}

/* Whether value suits column's kind (see cursor_decode). */
static int value_valid(enum user_column column, const char *value, size_t len)
{
	if (column == USER_ID)
		return len == 0;
	if (user_is_date_column(column))
		return date_valid(value, len);
	return len <= CURSOR_VALUE_MAX && (len == 0 || utf8_valid(value, len));
}

static int parse_column(const char *s, size_t len, enum user_column *out)
{
	int c;

	for (c = 0; c < USER_COLUMN_COUNT; c++) {
		const char *name = user_column_name((enum user_column)c);

		if (strlen(name) == len && memcmp(name, s, len) == 0) {
			*out = (enum user_column)c;
			return 0;
		}
	}
	return -1;
}

int cursor_from_user(struct cursor *c, const struct user *u,
    enum user_column column, int descending)
{
	const char *value = "";

	if (column < USER_ID || column >= USER_COLUMN_COUNT)
		return -1;
	if (user_is_text_column(column))
		value = user_text(u, column);
	else if (column == USER_CREATION_DATE)
		value = u->creation_date;
	else if (column == USER_UPDATE_DATE)
		value = u->update_date;
	c->column = column;
	c->descending = descending ? 1 : 0;
	c->id = u->id;
	c->filters = 0;
	c->value_len = strnlen(value, CURSOR_VALUE_MAX + 1);
	if (c->value_len > CURSOR_VALUE_MAX ||
	    !value_valid(column, value, c->value_len) || u->id < 1 ||
	    u->id > CURSOR_MAX_ID)
		return -1;
	memcpy(c->value, value, c->value_len);
	c->value[c->value_len] = '\0';
	return 0;
}

int cursor_encode(const struct cursor *c, char *out, size_t outlen)
{
	char payload[CURSOR_PAYLOAD_MAX + 1];
	int n;

	if (c->column < USER_ID || c->column >= USER_COLUMN_COUNT ||
	    c->id < 1 || c->id > CURSOR_MAX_ID ||
	    !value_valid(c->column, c->value, c->value_len))
		return -1;
	if (c->filters == 0)
		n = snprintf(payload, sizeof(payload), "%s|%s|%c|%ld|",
		    CURSOR_VERSION, user_column_name(c->column),
		    c->descending ? 'd' : 'a', c->id);
	else
		n = snprintf(payload, sizeof(payload), "%s|%s|%c|%ld|%016llx|",
		    CURSOR_VERSION_FILTERED, user_column_name(c->column),
		    c->descending ? 'd' : 'a', c->id,
		    (unsigned long long)c->filters);
	if (n < 0 || (size_t)n + c->value_len > CURSOR_PAYLOAD_MAX)
		return -1;
	memcpy(payload + n, c->value, c->value_len);
	n += (int)c->value_len;
	if (((size_t)n + 2) / 3 * 4 + 1 > outlen)
		return -1;
	return (int)b64_encode((const unsigned char *)payload, (size_t)n, out);
}

/* The next '|'-terminated field of p[0..end); -1 when there is none. */
static int next_field(const char **p, const char *end, const char **field,
    size_t *len)
{
	const char *bar = memchr(*p, '|', (size_t)(end - *p));

	if (bar == NULL)
		return -1;
	*field = *p;
	*len = (size_t)(bar - *p);
	*p = bar + 1;
	return 0;
}

/* 16 lower-case hex digits, not all zero (an empty set has no digest). */
static int parse_digest(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len != 16)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			v = v << 4 | (uint64_t)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			v = v << 4 | (uint64_t)(s[i] - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return v == 0 ? -1 : 0;
}

int cursor_decode(const char *text, size_t len, struct cursor *out)
{
	unsigned char payload[CURSOR_PAYLOAD_MAX];
	const char *p, *end, *f;
	size_t n, flen;
	int filtered;

	/* Canonical: a 4n + 1 length, a character outside the alphabet or
	 * unused bits that are not zero fail, so every payload has exactly
	 * one spelling. */
	if (len == 0 ||
	    base64url_decode(text, len, payload, sizeof(payload), &n,
	        BASE64URL_CANONICAL) != 0)
		return -1;
	p = (const char *)payload;
	end = p + n;
	/* The value comes last, so it may hold '|' itself. */
	if (next_field(&p, end, &f, &flen) != 0 || flen != 1 ||
	    (f[0] != CURSOR_VERSION[0] && f[0] != CURSOR_VERSION_FILTERED[0]))
		return -1;
	filtered = f[0] == CURSOR_VERSION_FILTERED[0];
	if (next_field(&p, end, &f, &flen) != 0 ||
	    parse_column(f, flen, &out->column) != 0)
		return -1;
	if (next_field(&p, end, &f, &flen) != 0 || flen != 1 ||
	    (f[0] != 'a' && f[0] != 'd'))
		return -1;
	out->descending = f[0] == 'd';
	if (next_field(&p, end, &f, &flen) != 0 ||
	    decimal_parse(f, flen, 1, CURSOR_MAX_ID, DECIMAL_CANONICAL,
	        &out->id) != DECIMAL_OK)
		return -1;
	out->filters = 0;
	if (filtered &&
	    (next_field(&p, end, &f, &flen) != 0 ||
	        parse_digest(f, flen, &out->filters) != 0))
		return -1;
	out->value_len = (size_t)(end - p);
	if (!value_valid(out->column, p, out->value_len))
		return -1;
	memcpy(out->value, p, out->value_len);
	out->value[out->value_len] = '\0';
	return 0;
}
