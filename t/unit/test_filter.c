/* filter.c and listopts.c: the filter parameters (api-extensions.md
 * section 1), count= and fields=, parsed from raw query strings. */
#include <string.h>

#include "filter.h"
#include "listopts.h"
#include "tap.h"

static struct filter_set fs;

static enum filter_error parse(const char *q)
{
	memset(&fs, 0x5A, sizeof(fs));
	return filter_parse(q, &fs);
}

/* The query is one filter: column, op, its values joined by '|'. */
static int one(const char *q, enum user_column c, enum filter_op op,
    const char *values)
{
	char joined[512] = "";
	int i;

	if (parse(q) != FILTER_OK || fs.count != 1 || fs.term[0].column != c ||
	    fs.term[0].op != op)
		return 0;
	for (i = 0; i < fs.term[0].count; i++) {
		if (strlen(fs.term[0].value[i]) != fs.term[0].len[i])
			return 0;
		strcat(joined, i ? "|" : "");
		strcat(joined, fs.term[0].value[i]);
	}
	return strcmp(joined, values) == 0;
}

static void test_good(void)
{
	ok(parse(NULL) == FILTER_OK && fs.count == 0, "no query: no filter");
	ok(parse("") == FILTER_OK && fs.count == 0, "empty query");
	ok(parse("page=1&filterx=1&filter=2&Filter.id=eq:1") == FILTER_OK &&
	        fs.count == 0,
	    "other keys are not filters (the prefix is lower case)");
	ok(one("filter.id=eq:42", USER_ID, FILTER_EQ, "42") &&
	        fs.term[0].num[0] == 42,
	    "id eq");
	ok(one("filter.ID=in:3,1,2", USER_ID, FILTER_IN, "3|1|2") &&
	        fs.term[0].num[2] == 2,
	    "id in, field in any case");
	ok(one("filter.firstName=co:a%3Ab", USER_FIRST_NAME, FILTER_CO, "a:b"),
	    "camelCase, a decoded ':' in the value");
	ok(one("filter.first_name=eq:a+b%2Bc", USER_FIRST_NAME, FILTER_EQ,
	       "a b+c"),
	    "form decoding: + is a space");
	ok(one("filter.email=in:a,b,c", USER_EMAIL, FILTER_IN, "a|b|c"),
	    "text in");
	ok(one("filter.creation_date=eq:2024-02-29", USER_CREATION_DATE,
	       FILTER_EQ, "2024-02-29 00:00:00|2024-02-29 23:59:59"),
	    "a day's eq: its first and last second");
	ok(one("filter.update_date=gt:2024-02-29", USER_UPDATE_DATE, FILTER_GT,
	       "2024-02-29 23:59:59"),
	    "gt a day: after its last second");
	ok(one("filter.update_date=le:2024-02-29", USER_UPDATE_DATE, FILTER_LE,
	       "2024-02-29 23:59:59"),
	    "le a day: up to its last second");
	ok(one("filter.update_date=ge:2024-02-29", USER_UPDATE_DATE, FILTER_GE,
	       "2024-02-29 00:00:00"),
	    "ge a day: from its first second");
	ok(one("filter.update_date=lt:2024-02-29+10:11:12", USER_UPDATE_DATE,
	       FILTER_LT, "2024-02-29 10:11:12"),
	    "lt a date and time");
	ok(parse("filter.id=lt:20&filter.email=co:x&filter.id=ge:10") ==
	            FILTER_OK &&
	        fs.count == 3 && fs.term[0].op == FILTER_GE &&
	        fs.term[1].op == FILTER_LT && fs.term[2].column == USER_EMAIL,
	    "terms sorted by column and operator");
}

static void test_bad(void)
{
	char q[9000];
	int i;

	ok(parse("filter.x=eq:1") == FILTER_BAD_FIELD, "unknown field");
	ok(parse("filter.=eq:1") == FILTER_BAD_FIELD, "empty field");
	ok(parse("filter.id%00=eq:1") == FILTER_BAD_FIELD, "NUL in the key");
	ok(parse("filter.id=co:1") == FILTER_BAD_OPERATOR, "co on id");
	ok(parse("filter.email=gt:a") == FILTER_BAD_OPERATOR, "gt on text");
	ok(parse("filter.creation_date=ne:2024-01-01") == FILTER_BAD_OPERATOR,
	    "ne on a date");
	ok(parse("filter.id") == FILTER_BAD_OPERATOR, "no value");
	ok(parse("filter.id=eq") == FILTER_BAD_OPERATOR, "no ':'");
	ok(parse("filter.id=EQ:1") == FILTER_BAD_OPERATOR, "upper-case op");
	ok(parse("filter.id=eq:") == FILTER_BAD_VALUE, "empty value");
	ok(parse("filter.id=eq:0") == FILTER_BAD_VALUE, "id 0");
	ok(parse("filter.id=eq:2147483648") == FILTER_BAD_VALUE, "id too big");
	ok(parse("filter.id=in:1,,2") == FILTER_BAD_VALUE, "empty in item");
	ok(parse("filter.email=co:%zz") == FILTER_BAD_VALUE, "bad escape");
	ok(parse("filter.creation_date=eq:2023-02-29") == FILTER_BAD_VALUE,
	    "not a real day");
	ok(parse("filter.creation_date=eq:2023-02-28+00:00:00") ==
	        FILTER_BAD_VALUE,
	    "eq takes a day only");
	ok(parse("filter.creation_date=gt:2023-02-28+24:00:00") ==
	        FILTER_BAD_VALUE,
	    "hour 24");
	strcpy(q, "filter.email=eq:");
	for (i = 0; i < 101; i++)
		strcat(q, "x");
	ok(parse(q) == FILTER_BAD_VALUE, "101 characters");
	q[strlen(q) - 1] = '\0';
	ok(parse(q) == FILTER_OK, "100 characters");
	strcpy(q, "filter.id=in:1");
	for (i = 2; i <= 51; i++)
		sprintf(q + strlen(q), ",%d", i);
	ok(parse(q) == FILTER_BAD_VALUE, "51 in values");
	*strrchr(q, ',') = '\0';
	ok(parse(q) == FILTER_OK && fs.term[0].count == 50, "50 in values");
	q[0] = '\0';
	for (i = 1; i <= 9; i++)
		sprintf(q + strlen(q), "filter.id=gt:%d&", i);
	ok(parse(q) == FILTER_BAD_VALUE, "nine filters");
	*strrchr(q, 'f') = '\0';
	ok(parse(q) == FILTER_OK && fs.count == 8, "eight filters");
	ok(parse("filter.id=eq:x&filter.x=eq:1") == FILTER_BAD_VALUE,
	    "the first bad filter decides");
	ok(filter_error_answer(FILTER_BAD_FIELD) == ANSWER_BAD_FILTER_FIELD &&
	        filter_error_answer(FILTER_BAD_OPERATOR) ==
	            ANSWER_BAD_FILTER_OPERATOR &&
	        filter_error_answer(FILTER_BAD_VALUE) ==
	            ANSWER_BAD_FILTER_VALUE,
	    "answers");
	ok(strcmp(answer_text(ANSWER_BAD_FILTER_OPERATOR),
	       "It is not possible to apply filtering based on the requested "
	       "filter value. Invalid operator") == 0,
	    "the operator 400's text");
}

static void test_digest(void)
{
	uint64_t a, b, c;

	parse("");
	ok(filter_digest(&fs) == 0, "no filters: digest 0");
	parse("filter.id=gt:1&filter.email=eq:x");
	a = filter_digest(&fs);
	parse("filter.EMAIL=eq:x&filter.id=gt:1");
	b = filter_digest(&fs);
	parse("filter.EMAIL=eq:y&filter.id=gt:1");
	c = filter_digest(&fs);
	ok(a != 0 && a == b, "the same filters in another order: one digest");
	ok(a != c, "another value: another digest");
}

static void test_listopts(void)
{
	enum listopts_count n;
	unsigned all = (1u << USER_COLUMN_COUNT) - 1, m;

	ok(listopts_count("", &n) == 0 && n == LISTOPTS_COUNT_NONE, "no count");
	ok(listopts_count("count=exact", &n) == 0 && n == LISTOPTS_COUNT_EXACT,
	    "count=exact");
	ok(listopts_count("a=1&count=estimated", &n) == 0 &&
	        n == LISTOPTS_COUNT_ESTIMATED,
	    "count=estimated");
	ok(listopts_count("count=Exact", &n) != 0, "count=Exact");
	ok(listopts_count("count=", &n) != 0, "count=");
	ok(listopts_count("count", &n) != 0, "count alone");
	ok(listopts_count("count=exact&count=exact", &n) != 0, "count twice");
	ok(listopts_fields("", all, &m) == 0 && m == all, "no fields: all");
	ok(listopts_fields("fields=email,ID", all, &m) == 0 &&
	        m == (1u << USER_EMAIL | 1u << USER_ID),
	    "fields=email,ID");
	ok(listopts_fields("fields=firstName%2Ccountry_id", all, &m) == 0 &&
	        m == (1u << USER_FIRST_NAME | 1u << USER_COUNTRY_ID),
	    "encoded comma, camelCase");
	ok(listopts_fields("fields=", all, &m) != 0, "empty list");
	ok(listopts_fields("fields=id,", all, &m) != 0, "empty name");
	ok(listopts_fields("fields=id,Id", all, &m) != 0, "repeated name");
	ok(listopts_fields("fields=password", all, &m) != 0, "unknown name");
	ok(listopts_fields("fields=id&fields=email", all, &m) != 0,
	    "fields twice");
	ok(listopts_fields("fields=creation_date", 1u << USER_ID, &m) != 0,
	    "a column the route does not show");
}

int main(void)
{
	test_good();
	test_bad();
	test_digest();
	test_listopts();
	return tap_done();
}
