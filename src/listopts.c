/* count= and fields=: one lookup in the query's pairs each
 * (params_query_get), values form-decoded once. */
#include "listopts.h"

#include <string.h>

#include "paging.h"
#include "params.h"

/* Room for a fields list naming every column in its longest spelling
 * ("identification_number" ...). */
#define VALUE_BUF 256

int listopts_count(const char *query, enum listopts_count *out)
{
	/* In enum listopts_count's order, after LISTOPTS_COUNT_NONE. */
	static const char *const names[] = { "exact", "estimated" };
	int v, rc = params_query_choice(query, "count", names, 2, -1, &v);

	*out = (enum listopts_count)(v + 1);
	return rc;
}

int listopts_fields(const char *query, unsigned shown, unsigned *out)
{
	char buf[VALUE_BUF];
	const char *v = buf, *comma;
	enum user_column c;
	unsigned mask = 0;
	size_t n;
	/* Repeated or without '=': -1 here; empty: an empty list, -1. */
	int found = params_query_get(query, "fields", buf, sizeof(buf), &n);

	*out = shown;
	if (found == 0)
		return 0;
	if (found < 0 || n == 0)
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
