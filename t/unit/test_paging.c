/* Unit tests for paging.c: defaults, every orderBy alias, orderAt, each 400
 * case of the contract, form decoding, unknown parameters, precedence and
 * the cursor parameter. */
#include <stdio.h>
#include <string.h>

#include "paging.h"
#include "tap.h"

#define DEF_LIMIT 5
#define MAX_LIMIT 1000

static struct paging pg;

static enum paging_error parse(const char *query)
{
	/* Poison first, so a check cannot pass on stale values. */
	pg.page = -7;
	pg.limit = -7;
	pg.order_by = USER_COLUMN_COUNT;
	pg.descending = -7;
	pg.has_cursor = -7;
	return paging_parse(query, DEF_LIMIT, MAX_LIMIT, &pg);
}

static int is_default(void)
{
	return pg.page == 0 && pg.limit == DEF_LIMIT &&
	    pg.order_by == USER_ID && pg.descending == 0 && pg.has_cursor == 0;
}

static void test_defaults(void)
{
	ok(parse(NULL) == PAGING_OK && is_default(), "NULL query: defaults");
	ok(parse("") == PAGING_OK && is_default(), "empty query: defaults");
	ok(parse("&") == PAGING_OK && is_default(), "lone '&': defaults");
	ok(parse("&&foo=1&") == PAGING_OK && is_default(),
	    "empty pairs ignored");
	ok(paging_parse(NULL, 17, MAX_LIMIT, &pg) == PAGING_OK &&
	        pg.limit == 17,
	    "default limit comes from the caller");
}

static void test_numbers(void)
{
	ok(parse("page=0") == PAGING_OK && pg.page == 0, "page=0 valid");
	ok(parse("page=3&limit=10") == PAGING_OK && pg.page == 3 &&
	        pg.limit == 10,
	    "page=3&limit=10");
	ok(parse("limit=10&page=3") == PAGING_OK && pg.page == 3 &&
	        pg.limit == 10,
	    "order of parameters does not matter");
	ok(parse("page=2147483647") == PAGING_OK && pg.page == 2147483647L,
	    "page=2147483647 valid");
	ok(parse("limit=1") == PAGING_OK && pg.limit == 1, "limit=1 valid");
	ok(parse("limit=1000") == PAGING_OK && pg.limit == 1000,
	    "limit=max valid");
	ok(parse("page=%31%32") == PAGING_OK && pg.page == 12,
	    "page value is percent-decoded");
	ok(parse("pa%67e=4") == PAGING_OK && pg.page == 4,
	    "key is percent-decoded");
	ok(paging_parse("limit=100000", 5, 100000, &pg) == PAGING_OK &&
	        pg.limit == 100000,
	    "limit up to a larger max_limit");

	ok(parse("page=") == PAGING_BAD_PAGE, "empty page");
	ok(parse("page") == PAGING_BAD_PAGE, "page without '='");
	ok(parse("page=1&page=1") == PAGING_BAD_PAGE, "repeated page");
	ok(parse("page=1&page=") == PAGING_BAD_PAGE,
	    "repeated page, second empty");
	ok(parse("page=01") == PAGING_BAD_PAGE, "page leading zero");
	ok(parse("page=00") == PAGING_BAD_PAGE, "page=00");
	ok(parse("page=-1") == PAGING_BAD_PAGE, "page negative");
	ok(parse("page=-0") == PAGING_BAD_PAGE, "page=-0");
	ok(parse("page=+1") == PAGING_BAD_PAGE, "page raw '+' (a space)");
	ok(parse("page=%2B1") == PAGING_BAD_PAGE, "page explicit plus sign");
	ok(parse("page=1.0") == PAGING_BAD_PAGE, "page=1.0");
	ok(parse("page=1e3") == PAGING_BAD_PAGE, "page=1e3");
	ok(parse("page=0x10") == PAGING_BAD_PAGE, "page=0x10");
	ok(parse("page=abc") == PAGING_BAD_PAGE, "page=abc");
	ok(parse("page=%201") == PAGING_BAD_PAGE, "page leading space");
	ok(parse("page=1%20") == PAGING_BAD_PAGE, "page trailing space");
	ok(parse("page=1%00") == PAGING_BAD_PAGE, "page with NUL");
	ok(parse("page=%ZZ") == PAGING_BAD_PAGE, "page bad escape");
	ok(parse("page=%EF%BC%91") == PAGING_BAD_PAGE,
	    "page fullwidth digit one");
	ok(parse("page=2147483648") == PAGING_BAD_PAGE, "page=2147483648");
	ok(parse("page=9223372036854775808") == PAGING_BAD_PAGE,
	    "page beyond 64 bits");
	ok(parse("page=99999999999999999999999999999999") == PAGING_BAD_PAGE,
	    "page huge");

	ok(parse("limit=") == PAGING_BAD_LIMIT, "empty limit");
	ok(parse("limit") == PAGING_BAD_LIMIT, "limit without '='");
	ok(parse("limit=5&limit=5") == PAGING_BAD_LIMIT, "repeated limit");
	ok(parse("limit=0") == PAGING_BAD_LIMIT, "limit=0");
	ok(parse("limit=1001") == PAGING_BAD_LIMIT, "limit > max_limit");
	ok(parse("limit=010") == PAGING_BAD_LIMIT, "limit leading zero");
	ok(parse("limit=-5") == PAGING_BAD_LIMIT, "limit negative");
	ok(parse("limit=5.0") == PAGING_BAD_LIMIT, "limit=5.0");
	ok(parse("limit=99999999999999999999") == PAGING_BAD_LIMIT,
	    "limit huge");
	ok(parse("limit=4294967301") == PAGING_BAD_LIMIT,
	    "limit that wraps 32 bits to 5");
	ok(paging_parse("limit=6", 5, 5, &pg) == PAGING_BAD_LIMIT,
	    "limit above a smaller max_limit");
	ok(paging_parse("limit=5", 5, 5, &pg) == PAGING_OK && pg.limit == 5,
	    "limit equal to a smaller max_limit");
	ok(paging_parse("limit=16", 5, 15, &pg) == PAGING_BAD_LIMIT,
	    "limit=16 with max_limit 15");
	ok(paging_parse("limit=20", 5, 15, &pg) == PAGING_BAD_LIMIT,
	    "limit=20 with max_limit 15");
}

static void test_order_by(void)
{
	static const struct {
		const char *query;
		enum user_column column;
	} cases[] = {
		{ "orderBy=id", USER_ID },
		{ "orderBy=ID", USER_ID },
		{ "orderBy=nickname", USER_NICKNAME },
		{ "orderBy=NickName", USER_NICKNAME },
		{ "orderBy=first_name", USER_FIRST_NAME },
		{ "orderBy=FIRST_NAME", USER_FIRST_NAME },
		{ "orderBy=firstName", USER_FIRST_NAME },
		{ "orderBy=FiRsTnAmE", USER_FIRST_NAME },
		{ "orderBy=last_name", USER_LAST_NAME },
		{ "orderBy=Last_Name", USER_LAST_NAME },
		{ "orderBy=lastName", USER_LAST_NAME },
		{ "orderBy=LASTNAME", USER_LAST_NAME },
		{ "orderBy=email", USER_EMAIL },
		{ "orderBy=eMAIL", USER_EMAIL },
		{ "orderBy=identification_type", USER_IDENTIFICATION_TYPE },
		{ "orderBy=Identification_Type", USER_IDENTIFICATION_TYPE },
		{ "orderBy=identificationType", USER_IDENTIFICATION_TYPE },
		{ "orderBy=IDENTIFICATIONTYPE", USER_IDENTIFICATION_TYPE },
		{ "orderBy=identification_number", USER_IDENTIFICATION_NUMBER },
		{ "orderBy=IDENTIFICATION_NUMBER", USER_IDENTIFICATION_NUMBER },
		{ "orderBy=identificationNumber", USER_IDENTIFICATION_NUMBER },
		{ "orderBy=identificationnumber", USER_IDENTIFICATION_NUMBER },
		{ "orderBy=country_id", USER_COUNTRY_ID },
		{ "orderBy=Country_ID", USER_COUNTRY_ID },
		{ "orderBy=countryId", USER_COUNTRY_ID },
		{ "orderBy=COUNTRYid", USER_COUNTRY_ID },
		{ "orderBy=creation_date", USER_CREATION_DATE },
		{ "orderBy=CREATION_date", USER_CREATION_DATE },
		{ "orderBy=creationDate", USER_CREATION_DATE },
		{ "orderBy=creationdate", USER_CREATION_DATE },
		{ "orderBy=update_date", USER_UPDATE_DATE },
		{ "orderBy=UPDATE_DATE", USER_UPDATE_DATE },
		{ "orderBy=updateDate", USER_UPDATE_DATE },
		{ "orderBy=UpdateDATE", USER_UPDATE_DATE },
		{ "orderBy=first%5Fname", USER_FIRST_NAME },
		{ "orderBy=%65mail", USER_EMAIL },
		{ "order%42y=email", USER_EMAIL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(parse(cases[i].query) == PAGING_OK &&
		        pg.order_by == cases[i].column && pg.page == 0 &&
		        pg.limit == DEF_LIMIT && pg.descending == 0,
		    "%s -> column %d", cases[i].query, (int)cases[i].column);

	ok(parse("orderBy=") == PAGING_BAD_ORDER_BY, "empty orderBy");
	ok(parse("orderBy") == PAGING_BAD_ORDER_BY, "orderBy without '='");
	ok(parse("orderBy=id&orderBy=id") == PAGING_BAD_ORDER_BY,
	    "repeated orderBy");
	ok(parse("orderBy=password") == PAGING_BAD_ORDER_BY, "unknown column");
	ok(parse("orderBy=first-name") == PAGING_BAD_ORDER_BY,
	    "path spelling first-name is not a column");
	ok(parse("orderBy=first+name") == PAGING_BAD_ORDER_BY,
	    "first+name (a space) rejected");
	ok(parse("orderBy=id%20") == PAGING_BAD_ORDER_BY, "trailing space");
	ok(parse("orderBy=ids") == PAGING_BAD_ORDER_BY, "prefix match refused");
	ok(parse("orderBy=i") == PAGING_BAD_ORDER_BY, "short prefix refused");
	ok(parse("orderBy=id%00") == PAGING_BAD_ORDER_BY, "NUL after name");
	ok(parse("orderBy=id;DROP") == PAGING_BAD_ORDER_BY, "SQL-ish text");
	ok(parse("orderBy=%C4%B1d") == PAGING_BAD_ORDER_BY,
	    "dotless i is not ASCII i");
	ok(parse("orderBy=%ZZ") == PAGING_BAD_ORDER_BY, "orderBy bad escape");
	ok(parse("orderBy=%C0%AF") == PAGING_BAD_ORDER_BY, "orderBy overlong");
}

static void test_order_at(void)
{
	ok(parse("orderAt=asc") == PAGING_OK && pg.descending == 0, "asc");
	ok(parse("orderAt=ASC") == PAGING_OK && pg.descending == 0, "ASC");
	ok(parse("orderAt=desc") == PAGING_OK && pg.descending == 1, "desc");
	ok(parse("orderAt=DESC") == PAGING_OK && pg.descending == 1, "DESC");
	ok(parse("orderAt=DeSc") == PAGING_OK && pg.descending == 1, "DeSc");
	ok(parse("orderAt=%64esc") == PAGING_OK && pg.descending == 1,
	    "orderAt decoded");
	ok(parse("orderAt=") == PAGING_BAD_ORDER_AT, "empty orderAt");
	ok(parse("orderAt") == PAGING_BAD_ORDER_AT, "orderAt without '='");
	ok(parse("orderAt=asc&orderAt=desc") == PAGING_BAD_ORDER_AT,
	    "repeated orderAt");
	ok(parse("orderAt=ascending") == PAGING_BAD_ORDER_AT, "ascending");
	ok(parse("orderAt=up") == PAGING_BAD_ORDER_AT, "up");
	ok(parse("orderAt=+desc") == PAGING_BAD_ORDER_AT, "leading space");
	ok(parse("orderAt=des") == PAGING_BAD_ORDER_AT, "prefix of desc");
}

static void test_keys(void)
{
	ok(parse("foo=bar&page=2") == PAGING_OK && pg.page == 2,
	    "unknown parameter ignored");
	ok(parse("foo=%ZZ&bar=%C0%AF&%ZZ=1&page=2") == PAGING_OK &&
	        pg.page == 2,
	    "unknown parameters with bad encoding ignored");
	ok(parse("foo&bar=&=1&=") == PAGING_OK && is_default(),
	    "empty and valueless unknowns ignored");
	ok(parse("Page=abc&LIMIT=0&orderby=x&ORDERAT=y") == PAGING_OK &&
	        is_default(),
	    "keys are case-sensitive");
	ok(parse("page%20=1&%20page=1") == PAGING_OK && is_default(),
	    "keys with spaces are unknown");
	ok(parse("page=1=2") == PAGING_BAD_PAGE, "value with '=' rejected");
	ok(parse("page=1&limit=20&orderBy=email&orderAt=desc&x=y") ==
	            PAGING_OK &&
	        pg.page == 1 && pg.limit == 20 && pg.order_by == USER_EMAIL &&
	        pg.descending == 1,
	    "all four together");
}

static void test_precedence(void)
{
	ok(parse("orderAt=x&orderBy=x&limit=0&page=x") == PAGING_BAD_PAGE,
	    "page error wins over all");
	ok(parse("orderAt=x&orderBy=x&limit=0&page=1") == PAGING_BAD_LIMIT,
	    "limit error wins over orderBy and orderAt");
	ok(parse("orderAt=x&orderBy=x&limit=1") == PAGING_BAD_ORDER_BY,
	    "orderBy error wins over orderAt");
	ok(parse("orderAt=x&orderBy=id") == PAGING_BAD_ORDER_AT,
	    "orderAt error alone");
	ok(parse("limit=5&limit=5&page=1&page=1") == PAGING_BAD_PAGE,
	    "repeated page wins over repeated limit");
	ok(parse("orderBy=x&page=1&page=2") == PAGING_BAD_PAGE,
	    "a later repeat still counts");
}

static void test_messages(void)
{
	char buf[256];

	ok(strcmp(paging_error_message(PAGING_BAD_ORDER_BY, 1000, buf,
	              sizeof(buf)),
	       "It is not possible to apply sorting based on the "
	       "requested orderBy value. Invalid field") == 0,
	    "orderBy message");
	ok(strcmp(paging_error_message(PAGING_BAD_ORDER_AT, 1000, buf,
	              sizeof(buf)),
	       "It is not possible to apply sorting based on the "
	       "requested orderAt value. Invalid field") == 0,
	    "orderAt message");
	ok(strcmp(paging_error_message(PAGING_BAD_PAGE, 1000, buf, sizeof(buf)),
	       "Bad request, the page parameter must be an "
	       "integer from 0 to 2147483647.") == 0,
	    "page message");
	ok(strcmp(paging_error_message(PAGING_BAD_LIMIT, 250, buf, sizeof(buf)),
	       "Bad request, the limit parameter must be an "
	       "integer from 1 to 250.") == 0,
	    "limit message names max_limit");
	ok(paging_error_message(PAGING_BAD_LIMIT, 250, buf, sizeof(buf)) == buf,
	    "message returns buf");
	ok(strlen(paging_error_message(PAGING_BAD_ORDER_BY, 1000, buf, 10)) ==
	        9,
	    "message truncated to buflen");
	ok(strstr(paging_error_message(PAGING_BAD_CURSOR, 1000, buf,
	              sizeof(buf)),
	       "cursor") != NULL,
	    "cursor message names cursor");
	ok(strstr(paging_error_message(PAGING_CURSOR_WITH_PAGE, 1000, buf,
	              sizeof(buf)),
	       "page") != NULL,
	    "cursor-with-page message");
	ok(strstr(paging_error_message(PAGING_CURSOR_MISMATCH, 1000, buf,
	              sizeof(buf)),
	       "orderBy") != NULL,
	    "mismatch message");
}

static void test_offset(void)
{
	struct paging p = { .page = 0, .limit = 5, .order_by = USER_ID };

	ok(paging_offset(&p) == 0, "offset page 0");
	p.page = 3;
	ok(paging_offset(&p) == 15, "offset 3 * 5");
	p.page = 2147483647L;
	p.limit = 100000;
	ok(paging_offset(&p) == 214748364700000LL,
	    "offset of the largest page does not overflow");
	p.has_cursor = 1;
	ok(paging_offset(&p) == 0, "offset with a cursor is 0");
}

/* A query "cursor=TEXT&rest" for a cursor after (id, value) in an order. */
static const char *cursor_query(enum user_column col, int desc, long id,
    const char *value, const char *rest)
{
	static char query[CURSOR_TEXT_MAX + 256];
	char text[CURSOR_TEXT_MAX];
	struct cursor c;

	memset(&c, 0, sizeof(c));
	c.column = col;
	c.descending = desc;
	c.id = id;
	c.value_len = strlen(value);
	memcpy(c.value, value, c.value_len + 1);
	if (cursor_encode(&c, text, sizeof(text)) < 0)
		return "cursor=encode-failed";
	snprintf(query, sizeof(query), "cursor=%s%s", text, rest);
	return query;
}

static void test_cursor(void)
{
	char long_value[CURSOR_VALUE_MAX + 1];
	char query[4 * CURSOR_TEXT_MAX];
	size_t n;

	ok(parse(cursor_query(USER_ID, 0, 17, "", "")) == PAGING_OK &&
	        pg.has_cursor == 1 && pg.cursor.id == 17 &&
	        pg.cursor.column == USER_ID && pg.order_by == USER_ID &&
	        pg.page == 0 && pg.limit == DEF_LIMIT,
	    "id cursor alone");
	ok(parse(cursor_query(USER_EMAIL, 1, 9, "a@b.c",
	       "&orderBy=email&orderAt=desc&limit=7")) == PAGING_OK &&
	        pg.has_cursor == 1 && pg.cursor.id == 9 &&
	        strcmp(pg.cursor.value, "a@b.c") == 0 && pg.limit == 7 &&
	        pg.order_by == USER_EMAIL && pg.descending == 1,
	    "email desc cursor with its orderBy, orderAt and limit");
	ok(parse(cursor_query(USER_FIRST_NAME, 0, 3, "Ana",
	       "&orderBy=FirstName")) == PAGING_OK,
	    "an orderBy alias names the cursor's column");
	ok(parse(cursor_query(USER_CREATION_DATE, 1, 3, "2023-03-20 21:02:33",
	       "&orderBy=creationDate&orderAt=DESC")) == PAGING_OK &&
	        strcmp(pg.cursor.value, "2023-03-20 21:02:33") == 0,
	    "date cursor");
	ok(parse("page=1") == PAGING_OK && pg.has_cursor == 0,
	    "no cursor: has_cursor 0");

	ok(parse("cursor=") == PAGING_BAD_CURSOR, "empty cursor");
	ok(parse("cursor") == PAGING_BAD_CURSOR, "cursor without '='");
	ok(parse("cursor=abc") == PAGING_BAD_CURSOR, "garbage cursor");
	ok(parse("cursor=MXxpZHxhfDE3fA%3D%3D") == PAGING_BAD_CURSOR,
	    "padded cursor");
	snprintf(query, sizeof(query), "%s&cursor=x",
	    cursor_query(USER_ID, 0, 17, "", ""));
	ok(parse(query) == PAGING_BAD_CURSOR, "repeated cursor");
	snprintf(query, sizeof(query), "%s&",
	    cursor_query(USER_ID, 0, 17, "", ""));
	n = strlen(query);
	snprintf(query + n, sizeof(query) - n, "%s",
	    cursor_query(USER_ID, 0, 17, "", ""));
	ok(parse(query) == PAGING_BAD_CURSOR, "the same cursor twice");

	ok(parse(cursor_query(USER_ID, 0, 17, "", "&page=0")) ==
	        PAGING_CURSOR_WITH_PAGE,
	    "cursor with page=0");
	ok(parse(cursor_query(USER_ID, 0, 17, "", "&page=3")) ==
	        PAGING_CURSOR_WITH_PAGE,
	    "cursor with page=3");
	ok(parse(cursor_query(USER_ID, 0, 17, "", "&page=x")) ==
	        PAGING_BAD_PAGE,
	    "a bad page wins over cursor with page");
	ok(parse(cursor_query(USER_ID, 0, 17, "", "&orderBy=email")) ==
	        PAGING_CURSOR_MISMATCH,
	    "id cursor, orderBy=email");
	ok(parse(cursor_query(USER_ID, 0, 17, "", "&orderAt=desc")) ==
	        PAGING_CURSOR_MISMATCH,
	    "asc cursor, orderAt=desc");
	ok(parse(cursor_query(USER_EMAIL, 0, 17, "x", "")) ==
	        PAGING_CURSOR_MISMATCH,
	    "email cursor, default orderBy");
	ok(parse(cursor_query(USER_ID, 0, 17, "", "&page=1&orderBy=email")) ==
	        PAGING_CURSOR_WITH_PAGE,
	    "with page wins over mismatch");
	ok(parse(cursor_query(USER_ID, 0, 17, "", "&orderBy=bogus")) ==
	        PAGING_BAD_ORDER_BY,
	    "a bad orderBy wins over the cursor");
	ok(parse("cursor=abc&orderAt=up") == PAGING_BAD_ORDER_AT,
	    "a bad orderAt wins over a bad cursor");
	ok(parse("cursor=abc&limit=0") == PAGING_BAD_LIMIT,
	    "a bad limit wins over a bad cursor");

	/* The longest cursor: a 400-byte value. */
	memset(long_value, 'z', CURSOR_VALUE_MAX);
	long_value[CURSOR_VALUE_MAX] = '\0';
	ok(parse(cursor_query(USER_NICKNAME, 1, 2147483647L, long_value,
	       "&orderBy=nickname&orderAt=desc")) == PAGING_OK &&
	        pg.cursor.value_len == CURSOR_VALUE_MAX,
	    "the longest cursor parses");
	snprintf(query, sizeof(query), "%sA",
	    cursor_query(USER_NICKNAME, 1, 2147483647L, long_value, ""));
	ok(parse(query) == PAGING_BAD_CURSOR, "a longer cursor is refused");
}

static void test_long_input(void)
{
	char query[3 * CURSOR_TEXT_MAX];

	memset(query, 'k', sizeof(query));
	memcpy(query + sizeof(query) - 8, "=1&page=", 8);
	query[sizeof(query) - 1] = '\0';
	ok(parse(query) == PAGING_BAD_PAGE,
	    "a very long unknown key is ignored, the next pair still read");
	memcpy(query, "page=", 5);
	memset(query + 5, '1', sizeof(query) - 6);
	query[sizeof(query) - 1] = '\0';
	ok(parse(query) == PAGING_BAD_PAGE, "a very long page is bad");
	memset(query, 'x', sizeof(query));
	memcpy(query, "foo=", 4);
	memcpy(query + sizeof(query) - 8, "&page=2", 8);
	ok(parse(query) == PAGING_OK && pg.page == 2,
	    "a very long unknown value is ignored");
}

int main(void)
{
	test_defaults();
	test_numbers();
	test_order_by();
	test_order_at();
	test_keys();
	test_precedence();
	test_messages();
	test_offset();
	test_cursor();
	test_long_input();
	return tap_done();
}
