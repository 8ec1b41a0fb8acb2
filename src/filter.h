/* The filters of the list routes and the export (api-extensions.md
 * section 1): filter.<field>=<op>:<value> parsed from the query string
 * into a canonical set the DAO turns into bound predicates. Pure, no
 * allocation, unit-tested and fuzzed. */
#ifndef USERS_FILTER_H
#define USERS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "answers.h"
#include "user.h"

/* At most this many filter parameters, ANDed. */
#define FILTER_MAX 8
/* An in list holds 1 .. FILTER_IN_MAX values. */
#define FILTER_IN_MAX 50
/* Each value (each item of an in list) is 1 .. 100 characters. */
#define FILTER_VALUE_MAX_CHARS 100
/*
 * Room for every decoded value of a request. nginx takes request lines of
 * at most 8 KiB (large_client_header_buffers) and decoding never grows a
 * value, so whatever reaches the responder fits; anything beyond is
 * refused as an invalid value.
 */
#define FILTER_ARENA 8192

enum filter_op {
	FILTER_EQ,
	FILTER_NE,
	FILTER_CO, /* contains */
	FILTER_SW, /* starts with */
	FILTER_EW, /* ends with */
	FILTER_IN,
	FILTER_GT,
	FILTER_GE,
	FILTER_LT,
	FILTER_LE,
	FILTER_OP_COUNT
};

/*
 * One predicate. Values are NUL-terminated text in the set's arena: the
 * decoded text for text columns; canonical decimal for id (also in num);
 * "YYYY-MM-DD HH:MM:SS" for dates. A date given as a day compares whole
 * days: eq holds two values (its first and last second: the column lies
 * between them), gt and le compare with its last second, ge and lt with
 * its first.
 */
struct filter_term {
	enum user_column column;
	enum filter_op op;
	int count; /* values: 1, 2 for a date's eq, 1 .. 50 for in */
	const char *value[FILTER_IN_MAX];
	size_t len[FILTER_IN_MAX];
	long num[FILTER_IN_MAX]; /* id values */
};

struct filter_set {
	int count;
	struct filter_term term[FILTER_MAX];
	char arena[FILTER_ARENA];
	size_t used;
};

enum filter_error {
	FILTER_OK = 0,
	FILTER_BAD_FIELD,    /* filter.<unknown> */
	FILTER_BAD_OPERATOR, /* no "op:", or an op the field does not take */
	FILTER_BAD_VALUE     /* bad id or date, empty, too long, too many */
};

/*
 * Reads every filter.<field> pair of the raw QUERY_STRING (NULL or empty:
 * no filters) into *out; other parameters are ignored. The first bad
 * filter in query order decides the error (its field, then its operator,
 * then its value); a ninth filter is an invalid value. On success the
 * terms are sorted by (column, operator, number of values), so that
 * queries asking the same question share one statement shape.
 */
enum filter_error filter_parse(const char *query, struct filter_set *out);

/* The answer (answers.h) of err. */
enum answer filter_error_answer(enum filter_error err);

/* A digest of the set that a cursor carries, the same for the same
 * filters in any order; 0 only for an empty set. */
uint64_t filter_digest(const struct filter_set *fs);

/* "eq", "ne", ...: the operator's name in the query. */
const char *filter_op_name(enum filter_op op);

#endif
