/* Filter parameters: filter.<field>=<op>:<value>, decoded once, checked
 * against the field's kind, and kept as a canonical, sorted set. */
#include "filter.h"

#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "decimal.h"
#include "paging.h"
#include "params.h"
#include "utf8.h"

#define FILTER_PREFIX "filter."
#define FILTER_PREFIX_LEN (sizeof(FILTER_PREFIX) - 1)
/* Room for a decoded key: the prefix and the longest orderBy name. */
#define FILTER_KEY_BUF 64

/* The kinds of field, and the operators each takes (a bit per op). */
enum kind { KIND_ID, KIND_TEXT, KIND_DATE };

#define OP(o) (1u << (o))
static const unsigned kind_ops[] = {
	[KIND_ID] = OP(FILTER_EQ) | OP(FILTER_NE) | OP(FILTER_GT) |
	    OP(FILTER_GE) | OP(FILTER_LT) | OP(FILTER_LE) | OP(FILTER_IN),
	[KIND_TEXT] = OP(FILTER_EQ) | OP(FILTER_NE) | OP(FILTER_CO) |
	    OP(FILTER_SW) | OP(FILTER_EW) | OP(FILTER_IN),
	[KIND_DATE] = OP(FILTER_EQ) | OP(FILTER_GT) | OP(FILTER_GE) |
	    OP(FILTER_LT) | OP(FILTER_LE),
};

static const char *const op_names[FILTER_OP_COUNT] = {
	[FILTER_EQ] = "eq",
	[FILTER_NE] = "ne",
	[FILTER_CO] = "co",
	[FILTER_SW] = "sw",
	[FILTER_EW] = "ew",
	[FILTER_IN] = "in",
	[FILTER_GT] = "gt",
	[FILTER_GE] = "ge",
	[FILTER_LT] = "lt",
	[FILTER_LE] = "le",
};

const char *filter_op_name(enum filter_op op)
{
	return (unsigned)op < FILTER_OP_COUNT ? op_names[op] : "?";
}

static enum kind kind_of(enum user_column c)
{
	if (c == USER_ID)
		return KIND_ID;
	return user_is_date_column(c) ? KIND_DATE : KIND_TEXT;
}

/* Operators are lower case, as the contract writes them. */
static int parse_op(const char *s, size_t len, enum filter_op *out)
{
	int o;

	for (o = 0; o < FILTER_OP_COUNT; o++)
		if (len == 2 && memcmp(s, op_names[o], 2) == 0) {
			*out = (enum filter_op)o;
			return 0;
		}
	return -1;
}

/* Copies len bytes and a NUL into the arena; NULL when it is full. */
static char *arena_put(struct filter_set *fs, const char *s, size_t len)
{
	char *p;

	if (len + 1 > sizeof(fs->arena) - fs->used)
		return NULL;
	p = fs->arena + fs->used;
	memcpy(p, s, len);
	p[len] = '\0';
	fs->used += len + 1;
	return p;
}

static int date_field(const char *s, size_t len, long min, long max)
{
	long v;

	return decimal_parse(s, len, min, max, DECIMAL_ZEROS, &v) == DECIMAL_OK;
}

/* "YYYY-MM-DD" (a real day, 1000 .. 9999) or, when with_time,
 * "YYYY-MM-DD HH:MM:SS" too; returns the length taken, or -1. */
static int parse_when(const char *s, size_t len, int with_time)
{
	long y, m;

	if ((len != 10 && len != 19) || (len == 19 && !with_time) ||
	    s[4] != '-' || s[7] != '-')
		return -1;
	if (decimal_parse(s, 4, 1000, 9999, DECIMAL_ZEROS, &y) != DECIMAL_OK ||
	    decimal_parse(s + 5, 2, 1, 12, DECIMAL_ZEROS, &m) != DECIMAL_OK ||
	    !date_field(s + 8, 2, 1, days_in_month((int)y, (int)m)))
		return -1;
	if (len == 10)
		return 10;
	if (s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
	    !date_field(s + 11, 2, 0, 23) || !date_field(s + 14, 2, 0, 59) ||
	    !date_field(s + 17, 2, 0, 59))
		return -1;
	return 19;
}

/* Adds "day time" or the given date-time as value i of t. */
static int put_when(struct filter_set *fs, struct filter_term *t, int i,
    const char *s, size_t len, const char *time)
{
	char buf[USER_DATE_LEN];

	if (len == 10)
		snprintf(buf, sizeof(buf), "%.10s %s", s, time);
	else
		memcpy(buf, s, (len = 19));
	if ((t->value[i] = arena_put(fs, buf, 19)) == NULL)
		return -1;
	t->len[i] = 19;
	return 0;
}

/* A date filter's value, normalised as filter.h says. */
static int date_value(struct filter_set *fs, struct filter_term *t,
    const char *s, size_t len)
{
	int n = parse_when(s, len, t->op != FILTER_EQ);
	int day = n == 10;

	if (n < 0)
		return -1;
	t->count = t->op == FILTER_EQ ? 2 : 1;
	if (t->op == FILTER_EQ)
		return put_when(fs, t, 0, s, len, "00:00:00") |
		    put_when(fs, t, 1, s, len, "23:59:59");
	return put_when(fs, t, 0, s, len,
	    day && (t->op == FILTER_GT || t->op == FILTER_LE) ? "23:59:59"
	                                                      : "00:00:00");
}

/* One id or text value (an item of an in list, or the whole value). */
static int scalar_value(struct filter_set *fs, struct filter_term *t,
    const char *s, size_t len)
{
	int i = t->count;

	if (i >= FILTER_IN_MAX || len == 0)
		return -1;
	if (t->column == USER_ID) {
		if (decimal_parse(s, len, 1, 2147483647L, DECIMAL_CANONICAL,
		        &t->num[i]) != DECIMAL_OK)
			return -1;
	} else {
		if (!utf8_valid(s, len))
			return -1;
		size_t chars = utf8_length(s, len);

		if (chars < 1 || chars > FILTER_VALUE_MAX_CHARS)
			return -1;
	}
	if ((t->value[i] = arena_put(fs, s, len)) == NULL)
		return -1;
	t->len[i] = len;
	t->count++;
	return 0;
}

/* The decoded value after "op:": one value, or the items of an in list. */
static int parse_values(struct filter_set *fs, struct filter_term *t,
    const char *s, size_t len)
{
	const char *comma;

	t->count = 0;
	if (user_is_date_column(t->column))
		return date_value(fs, t, s, len);
	if (t->op != FILTER_IN)
		return scalar_value(fs, t, s, len);
	for (;;) {
		comma = memchr(s, ',', len);
		if (comma == NULL)
			return scalar_value(fs, t, s, len);
		if (scalar_value(fs, t, s, (size_t)(comma - s)) != 0)
			return -1;
		len -= (size_t)(comma - s) + 1;
		s = comma + 1;
	}
}

/* The field of a decoded key "filter.<field>"; 0 when the key is no
 * filter's, 1 and *column when it names a field, -1 when it names none. */
static int parse_key(const char *key, size_t len, enum user_column *column)
{
	if (len < FILTER_PREFIX_LEN ||
	    memcmp(key, FILTER_PREFIX, FILTER_PREFIX_LEN) != 0)
		return 0;
	return paging_column_parse(key + FILTER_PREFIX_LEN,
	           len - FILTER_PREFIX_LEN, column) == 0
	    ? 1
	    : -1;
}

/* "op:" at the start of s, an operator the column takes. */
static int op_prefix(enum user_column column, const char *s, size_t len,
    enum filter_op *op)
{
	if (len < 3 || s[2] != ':' || parse_op(s, 2, op) != 0)
		return -1;
	return kind_ops[kind_of(column)] & OP(*op) ? 0 : -1;
}

/* One filter pair into the next term of fs. */
static enum filter_error parse_term(struct filter_set *fs,
    enum user_column column, const struct params_pair *pair)
{
	char buf[FILTER_ARENA];
	struct filter_term *t;
	enum filter_op op;
	size_t n;

	if (pair->value == NULL)
		return FILTER_BAD_OPERATOR;
	if (params_query_decode(pair->value, pair->value_len, buf, sizeof(buf),
	        &n) != 0)
		/* Undecodable: an invalid value if its operator is good. */
		return op_prefix(column, pair->value, pair->value_len, &op) == 0
		    ? FILTER_BAD_VALUE
		    : FILTER_BAD_OPERATOR;
	if (op_prefix(column, buf, n, &op) != 0)
		return FILTER_BAD_OPERATOR;
	if (fs->count == FILTER_MAX)
		return FILTER_BAD_VALUE; /* too many */
	t = &fs->term[fs->count];
	memset(t, 0, sizeof(*t));
	t->column = column;
	t->op = op;
	if (parse_values(fs, t, buf + 3, n - 3) != 0)
		return FILTER_BAD_VALUE;
	fs->count++;
	return FILTER_OK;
}

static int term_cmp(const struct filter_term *a, const struct filter_term *b)
{
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	return a->count < b->count ? -1 : a->count > b->count;
}

/* Insertion sort: stable, and there are at most FILTER_MAX terms. */
static void sort_terms(struct filter_set *fs)
{
	struct filter_term t;
	int i, j;

	for (i = 1; i < fs->count; i++) {
		t = fs->term[i];
		for (j = i; j > 0 && term_cmp(&fs->term[j - 1], &t) > 0; j--)
			fs->term[j] = fs->term[j - 1];
		fs->term[j] = t;
	}
}

enum filter_error filter_parse(const char *query, struct filter_set *out)
{
	char key[FILTER_KEY_BUF];
	struct params_pair pair;
	enum user_column column;
	enum filter_error err;
	size_t n;
	int known;

	out->count = 0;
	out->used = 0;
	while (params_query_next(&query, &pair)) {
		/* A key too long to decode here is no filter's: the longest
		 * field name fits. */
		if (params_query_decode(pair.raw, pair.key_len, key,
		        sizeof(key), &n) != 0) {
			if (pair.key_len >= FILTER_PREFIX_LEN &&
			    memcmp(pair.raw, FILTER_PREFIX,
			        FILTER_PREFIX_LEN) == 0)
				return FILTER_BAD_FIELD;
			continue;
		}
		known = parse_key(key, n, &column);
		if (known < 0)
			return FILTER_BAD_FIELD;
		if (known == 0)
			continue;
		if ((err = parse_term(out, column, &pair)) != FILTER_OK)
			return err;
	}
	sort_terms(out);
	return FILTER_OK;
}

enum answer filter_error_answer(enum filter_error err)
{
	switch (err) {
	case FILTER_BAD_FIELD:
		return ANSWER_BAD_FILTER_FIELD;
	case FILTER_BAD_OPERATOR:
		return ANSWER_BAD_FILTER_OPERATOR;
	case FILTER_BAD_VALUE:
		return ANSWER_BAD_FILTER_VALUE;
	default:
		return ANSWER_INTERNAL;
	}
}

/* FNV-1a, 64 bits: stable across workers, builds and restarts. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The sum of the terms' hashes does not depend on their order. */
uint64_t filter_digest(const struct filter_set *fs)
{
	uint64_t sum = 0;
	int i, v;

	for (i = 0; i < fs->count; i++) {
		const struct filter_term *t = &fs->term[i];
		uint64_t h = 14695981039346656037ULL;
		int head[3] = { (int)t->column, (int)t->op, t->count };

		h = fnv(h, head, sizeof(head));
		for (v = 0; v < t->count; v++)
			h = fnv(h, t->value[v], t->len[v] + 1);
		sum += h;
	}
	return fs->count > 0 && sum == 0 ? 1 : sum;
}
