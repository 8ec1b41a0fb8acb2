/* The per-request options of the routes that answer users, besides
 * paging and filters: count= (api-extensions.md section 2) and fields=
 * (section 3). Pure, unit-tested. */
#ifndef USERS_LISTOPTS_H
#define USERS_LISTOPTS_H

#include "user.h"

enum listopts_count {
	LISTOPTS_COUNT_NONE = 0,
	LISTOPTS_COUNT_EXACT,
	LISTOPTS_COUNT_ESTIMATED
};

/*
 * count= of the raw QUERY_STRING: absent is NONE; "exact" or "estimated"
 * (as written); anything else, empty or repeated: -1.
 */
int listopts_count(const char *query, enum listopts_count *out);

/*
 * fields= of the raw QUERY_STRING as a mask of bits (1u << column): absent
 * is every column of shown (the route's own). Names are the orderBy names,
 * either spelling, any ASCII case, comma-separated; -1 for an empty list,
 * an empty, unknown or repeated name, a column outside shown, or a
 * repeated fields parameter.
 */
int listopts_fields(const char *query, unsigned shown, unsigned *out);

#endif
