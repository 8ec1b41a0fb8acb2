/* Entity tags: the ETag of a single-user answer, and the If-Match and
 * If-None-Match lists of RFC 9110 13.1 read against it. */
#include "etag.h"

#include <stdio.h>
#include <string.h>

#include "decimal.h"

/* One entity-tag of a list: its opaque part (between the quotes). */
struct etag_item {
	int weak;
	const char *opaque;
	size_t len;
};

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* etagc (RFC 9110 8.8.3): any visible byte but '"', and obs-text. */
static int is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7E) || c >= 0x80;
}

/*
 * The next entity-tag of the list at *pos (RFC 9110 5.6.1: elements
 * separated by commas and optional whitespace, empty ones ignored).
 * Returns 1 with *item set, 0 at the end, -1 when the list is malformed.
 */
static int next_item(const char **pos, struct etag_item *item)
{
	const char *p = *pos, *start;

	while (is_ows(*p) || *p == ',')
		p++;
	if (*p == '\0')
		return 0;
	item->weak = p[0] == 'W' && p[1] == '/';
	if (item->weak)
		p += 2;
	if (*p++ != '"')
		return -1;
	start = p;
	while (is_etagc((unsigned char)*p))
		p++;
	if (*p != '"')
		return -1;
	item->opaque = start;
	item->len = (size_t)(p - start);
	p++;
	while (is_ows(*p))
		p++;
	if (*p != ',' && *p != '\0')
		return -1;
	*pos = p;
	return 1;
}

/* Whether the value, whitespace aside, is "*". */
static int is_star(const char *v)
{
	while (is_ows(*v))
		v++;
	if (*v++ != '*')
		return 0;
	while (is_ows(*v))
		v++;
	return *v == '\0';
}

void etag_format(const struct user *u, unsigned columns, char *buf, size_t size)
{
	snprintf(buf, size, "\"%ld-%lu-%x\"", u->id, u->version, columns);
}

/* A decimal field of our tag: digits, no leading zero, 1..max. */
static int tag_number(const char *s, size_t len, long max, long *out)
{
	return decimal_parse(s, len, 1, max, DECIMAL_CANONICAL, out) ==
	        DECIMAL_OK
	    ? 0
	    : -1;
}

/* Reads our tag "ID-VERSION-COLUMNS"; -1 for any other opaque text. */
static int tag_parse(const struct etag_item *t, long *id, long *version)
{
	const char *end = t->opaque + t->len, *dash1, *dash2, *hex;

	dash1 = memchr(t->opaque, '-', t->len);
	if (dash1 == NULL)
		return -1;
	dash2 = memchr(dash1 + 1, '-', (size_t)(end - dash1 - 1));
	if (dash2 == NULL)
		return -1;
	hex = dash2 + 1;
	if (hex == end || (size_t)(end - hex) > 8 ||
	    strspn(hex, "0123456789abcdef") < (size_t)(end - hex))
		return -1;
	if (tag_number(t->opaque, (size_t)(dash1 - t->opaque), 2147483647L,
	        id) != 0 ||
	    tag_number(dash1 + 1, (size_t)(dash2 - dash1 - 1), 4294967295L,
	        version) != 0)
		return -1;
	return 0;
}

/* Adds v to out's versions once; -1 when they are full. */
static int add_version(struct etag_versions *out, unsigned long v)
{
	int i;

	for (i = 0; i < out->count; i++)
		if (out->version[i] == v)
			return 0;
	if (out->count == ETAG_VERSIONS_MAX)
		return -1;
	out->version[out->count++] = v;
	return 0;
}

enum etag_parse etag_if_match(const char *header, long id,
    struct etag_versions *out)
{
	const char *pos = header;
	struct etag_item t;
	long tag_id, version;
	int r, items = 0;

	memset(out, 0, sizeof(*out));
	if (header == NULL || is_star(header)) {
		out->any = 1;
		return ETAG_OK;
	}
	while ((r = next_item(&pos, &t)) == 1) {
		items++;
		if (t.weak || tag_parse(&t, &tag_id, &version) != 0 ||
		    tag_id != id)
			continue;
		if (add_version(out, (unsigned long)version) != 0)
			return ETAG_TOO_MANY;
	}
	return r < 0 || items == 0 ? ETAG_MALFORMED : ETAG_OK;
}

int etag_none_match(const char *header, const char *current)
{
	size_t clen = strlen(current);
	const char *pos = header;
	struct etag_item t;
	int r;

	if (header == NULL)
		return 0;
	if (is_star(header))
		return 1;
	if (clen < 2)
		return 0;
	/* Every item is read first: a malformed list matches nothing. */
	while ((r = next_item(&pos, &t)) == 1)
		;
	if (r < 0)
		return 0;
	pos = header;
	while (next_item(&pos, &t) == 1)
		if (t.len == clen - 2 &&
		    memcmp(t.opaque, current + 1, t.len) == 0)
			return 1;
	return 0;
}
