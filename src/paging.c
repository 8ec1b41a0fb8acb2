/* Pagination and ordering: page, limit, orderBy, orderAt and cursor read
 * from the query string's pairs (params.c decodes them), with the
 * contract's 400 messages. */
#include "paging.h"

#include <stdio.h>
#include <string.h>

#include "answers.h"
#include "decimal.h"
#include "params.h"

#define PAGING_MAX_PAGE 2147483647L
/* Room for one decoded value: the longest cursor. A known key's value
 * that could not fit is not a valid one, so nothing longer needs
 * decoding. */
#define PAGING_BUF CURSOR_TEXT_MAX

/* The known parameters, in the order their errors take precedence. */
enum paging_key {
	KEY_PAGE,
	KEY_LIMIT,
	KEY_ORDER_BY,
	KEY_ORDER_AT,
	KEY_CURSOR,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = { "page", "limit", "orderBy",
	"orderAt", "cursor" };

static const enum paging_error key_errors[KEY_COUNT] = { PAGING_BAD_PAGE,
	PAGING_BAD_LIMIT, PAGING_BAD_ORDER_BY, PAGING_BAD_ORDER_AT,
	PAGING_BAD_CURSOR };

/* orderBy names (compared without regard to ASCII case) and their columns. */
static const struct {
	const char *name;
	enum user_column column;
} order_names[] = {
	{ "id", USER_ID },
	{ "nickname", USER_NICKNAME },
	{ "first_name", USER_FIRST_NAME },
	{ "firstName", USER_FIRST_NAME },
	{ "last_name", USER_LAST_NAME },
	{ "lastName", USER_LAST_NAME },
	{ "email", USER_EMAIL },
	{ "identification_type", USER_IDENTIFICATION_TYPE },
	{ "identificationType", USER_IDENTIFICATION_TYPE },
	{ "identification_number", USER_IDENTIFICATION_NUMBER },
	{ "identificationNumber", USER_IDENTIFICATION_NUMBER },
	{ "country_id", USER_COUNTRY_ID },
	{ "countryId", USER_COUNTRY_ID },
	{ "creation_date", USER_CREATION_DATE },
	{ "creationDate", USER_CREATION_DATE },
	{ "update_date", USER_UPDATE_DATE },
	{ "updateDate", USER_UPDATE_DATE },
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII-only on purpose: the result must not depend on the locale. */
static int equal_nocase(const char *s, size_t len, const char *name)
{
	size_t i;

	if (strlen(name) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (ascii_lower((unsigned char)s[i]) !=
		    ascii_lower((unsigned char)name[i]))
			return 0;
	return 1;
}

int paging_column_parse(const char *s, size_t len, enum user_column *out)
{
	size_t i;

	for (i = 0; i < sizeof(order_names) / sizeof(order_names[0]); i++) {
		if (equal_nocase(s, len, order_names[i].name)) {
			*out = order_names[i].column;
			return 0;
		}
	}
	return -1;
}

static int parse_order_at(const char *s, size_t len, int *descending)
{
	if (equal_nocase(s, len, "asc"))
		*descending = 0;
	else if (equal_nocase(s, len, "desc"))
		*descending = 1;
	else
		return -1;
	return 0;
}

/* Decoded value of a known key into out; -1 when the value is not valid. */
static int apply_value(int k, const char *v, size_t len, long max_limit,
    struct paging *out)
{
	switch (k) {
	case KEY_PAGE:
		return decimal_parse(v, len, 0, PAGING_MAX_PAGE,
		           DECIMAL_CANONICAL, &out->page) == DECIMAL_OK
		    ? 0
		    : -1;
	case KEY_LIMIT:
		return decimal_parse(v, len, 1, max_limit, DECIMAL_CANONICAL,
		           &out->limit) == DECIMAL_OK
		    ? 0
		    : -1;
	case KEY_ORDER_BY:
		return paging_column_parse(v, len, &out->order_by);
	case KEY_ORDER_AT:
		return parse_order_at(v, len, &out->descending);
	default:
		out->has_cursor = 1;
		return cursor_decode(v, len, &out->cursor);
	}
}

/*
 * Precedence when several parameters are bad: page, then limit, then
 * orderBy, then orderAt, then cursor, whatever their order in the query, so
 * one query always gets the same answer. A cursor with a page, or one made
 * for another order, is refused only when each is valid by itself.
 */
enum paging_error paging_parse(const char *query, long default_limit,
    long max_limit, struct paging *out)
{
	char buf[PAGING_BUF];
	int k, page_seen = 0;
	size_t n;

	out->page = 0;
	out->limit = default_limit;
	out->order_by = USER_ID;
	out->descending = 0;
	out->has_cursor = 0;
	/* In precedence order: the first bad key is the answer. Repeated
	 * or without '=' ("page" alone) is bad; an empty value is
	 * apply_value's to refuse. */
	for (k = 0; k < KEY_COUNT; k++) {
		int found =
		    params_query_get(query, key_names[k], buf, sizeof(buf), &n);

		if (found < 0 ||
		    (found > 0 && apply_value(k, buf, n, max_limit, out) != 0))
			return key_errors[k];
		if (k == KEY_PAGE)
			page_seen = found;
	}
	if (!out->has_cursor)
		return PAGING_OK;
	if (page_seen)
		return PAGING_CURSOR_WITH_PAGE;
	if (out->cursor.column != out->order_by ||
	    out->cursor.descending != out->descending)
		return PAGING_CURSOR_MISMATCH;
	return PAGING_OK;
}

enum answer paging_error_answer(enum paging_error err)
{
	switch (err) {
	case PAGING_BAD_PAGE:
		return ANSWER_BAD_PAGE;
	case PAGING_BAD_LIMIT:
		return ANSWER_BAD_LIMIT;
	case PAGING_BAD_ORDER_BY:
		return ANSWER_BAD_ORDER_BY;
	case PAGING_BAD_ORDER_AT:
		return ANSWER_BAD_ORDER_AT;
	case PAGING_BAD_CURSOR:
		return ANSWER_BAD_CURSOR;
	case PAGING_CURSOR_WITH_PAGE:
		return ANSWER_CURSOR_WITH_PAGE;
	case PAGING_CURSOR_MISMATCH:
		return ANSWER_CURSOR_MISMATCH;
	default:
		return ANSWER_INTERNAL; /* PAGING_OK is no error to answer */
	}
}

/* The table's text; for page and limit, the bound that ends it. */
const char *paging_error_message(enum paging_error err, long max_limit,
    char *buf, size_t buflen)
{
	enum answer a = paging_error_answer(err);

	if (buf == NULL || buflen == 0)
		return buf;
	if (a == ANSWER_INTERNAL)
		buf[0] = '\0';
	else if (err == PAGING_BAD_PAGE)
		snprintf(buf, buflen, "%s%ld.", answer_text(a),
		    PAGING_MAX_PAGE);
	else if (err == PAGING_BAD_LIMIT)
		snprintf(buf, buflen, "%s%ld.", answer_text(a), max_limit);
	else
		snprintf(buf, buflen, "%s", answer_text(a));
	return buf;
}

long long paging_offset(const struct paging *p)
{
	if (p->has_cursor)
		return 0;
	/* Both factors fit 32 bits, so the product fits 64. */
	return (long long)p->page * (long long)p->limit;
}
