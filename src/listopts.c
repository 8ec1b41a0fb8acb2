/* count= and fields=: one pass over the query's pairs each, values
 * form-decoded once. */
#include "listopts.h"

#include <string.h>

#include "paging.h"
#include "params.h"

/* Room for a decoded key we look for, and for a fields list naming every
 * column in its longest spelling ("identification_number" ...). */
#define KEY_BUF 16
#define VALUE_BUF 256

/* The decoded value of the one pair whose key is name: 1 and the value
 * (NULL when the pair has no '='), 0 when absent, -1 when repeated or
 * too long. */
static int find_value(const char *query, const char *name, char *buf,
    size_t *len, const char **value)
{
	struct params_pair pair;
	char key[KEY_BUF];
	int found = 0;
	size_t n;

	while (params_query_next(&query, &pair)) {
		if (params_query_decode(pair.raw, pair.key_len, key,
		        sizeof(key), &n) != 0 ||
		    n != strlen(name) || memcmp(key, name, n) != 0)
			continue;
		if (found++)
			return -1;
		*value = NULL;
		if (pair.value == NULL)
			continue;
		if (params_query_decode(pair.value, pair.value_len, buf,
		        VALUE_BUF, len) != 0)
			return -1;
		*value = buf;
	}
	return found;
}

int listopts_count(const char *query, enum listopts_count *out)
{
	char buf[VALUE_BUF];
	const char *v;
	size_t n;
	int found = find_value(query, "count", buf, &n, &v);

	*out = LISTOPTS_COUNT_NONE;
	if (found == 0)
		return 0;
	if (found < 0 || v == NULL)
		return -1;
	if (n == 5 && memcmp(v, "exact", 5) == 0)
		*out = LISTOPTS_COUNT_EXACT;
	else if (n == 9 && memcmp(v, "estimated", 9) == 0)
		*out = LISTOPTS_COUNT_ESTIMATED;
	else
		return -1;
	return 0;
}

int listopts_fields(const char *query, unsigned shown, unsigned *out)
{
	char buf[VALUE_BUF];
	const char *v, *comma;
	enum user_column c;
	unsigned mask = 0;
	size_t n;
	int found = find_value(query, "fields", buf, &n, &v);

	*out = shown;
	if (found == 0)
		return 0;
	if (found < 0 || v == NULL || n == 0)
		return -1;
	for (;;) {
		comma = memchr(v, ',', n);
		size_t item = comma != NULL ? (size_t)(comma - v) : n;

		if (paging_column_parse(v, item, &c) != 0 ||
		    !(shown >> c & 1u) || (mask >> c & 1u))
			return -1;
		mask |= 1u << c;
		if (comma == NULL)
			break;
		n -= item + 1;
		v = comma + 1;
	}
	*out = mask;
	return 0;
}
