/* Unit tests of params.c: ids, days, search text, query pairs, JSON media
 * types. */
#include <stdio.h>
#include <string.h>

#include "params.h"
#include "tap.h"

static int id_of(const char *raw, long *id)
{
	return params_id(raw, strlen(raw), id);
}

static int day_ok(const char *raw)
{
	int y, m, d;

	return params_day(raw, strlen(raw), &y, &m, &d) == 0;
}

static int text_ok(const char *raw, const char *want)
{
	char buf[PARAMS_TEXT_BUF];
	size_t len;

	if (params_text(raw, strlen(raw), buf, &len) != 0)
		return 0;
	return want == NULL ||
	    (len == strlen(want) && memcmp(buf, want, len) == 0);
}

static void test_ids(void)
{
	static const char *const bad[] = { "0", "-1", "+1", "01", "1.0", "1e3",
		"2147483648", "99999999999999999999", "abc", "1 ", " 1", "%",
		"%00", "0x10", "" };
	long id = 0;
	size_t i;

	ok(id_of("1", &id) == 0 && id == 1, "id 1");
	ok(id_of("42", &id) == 0 && id == 42, "id 42");
	ok(id_of("2147483647", &id) == 0 && id == 2147483647L, "largest id");
	ok(id_of("%34%32", &id) == 0 && id == 42, "id decoded once: %%34%%32");
	ok(id_of("%2534", &id) != 0, "%%2534 decodes to %%34: not an id");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(id_of(bad[i], &id) != 0, "id '%s' refused", bad[i]);
}

static void test_days(void)
{
	int y = 0, m = 0, d = 0;

	ok(params_day("2023-03-20", 10, &y, &m, &d) == 0 && y == 2023 &&
	        m == 3 && d == 20,
	    "2023-03-20 parsed");
	ok(day_ok("2024-02-29"), "leap day 2024");
	ok(day_ok("2000-02-29"), "leap day 2000");
	ok(!day_ok("1900-02-29"), "1900 is not leap");
	ok(!day_ok("2023-02-29"), "2023-02-29 refused");
	ok(!day_ok("2023-02-30"), "2023-02-30 refused");
	ok(!day_ok("2023-04-31"), "2023-04-31 refused");
	ok(day_ok("1000-01-01"), "first day of range");
	ok(day_ok("9999-12-31"), "last day of range");
	ok(!day_ok("0999-12-31"), "before the range");
	ok(!day_ok("2023-2-3"), "2023-2-3 refused");
	ok(!day_ok("2023-13-01"), "month 13 refused");
	ok(!day_ok("2023-00-10"), "month 0 refused");
	ok(!day_ok("2023-01-00"), "day 0 refused");
	ok(!day_ok("abc"), "abc refused");
	ok(!day_ok("2023-03-20T00"), "trailing text refused");
	ok(!day_ok("2023/03/20"), "slashes refused");
	ok(day_ok("2023%2D03-20"), "escaped dash decoded once");
}

static void test_text(void)
{
	char raw[1300], want[401];
	int i;

	ok(text_ok("gmail", "gmail"), "plain value");
	ok(text_ok("%40", "@"), "%%40 is @");
	ok(text_ok("%2540", "%40"), "%%2540 is %%40");
	ok(text_ok("a%2Fb", "a/b"), "%%2F is a slash in the value");
	ok(text_ok("a+b", "a+b"), "plus stays plus");
	ok(text_ok("%20x%20", " x "), "not trimmed");
	ok(text_ok("RAM%C3%93N", "RAM\xc3\x93N"), "UTF-8 value");
	ok(!text_ok("%", NULL), "lone %% refused");
	ok(!text_ok("%zz", NULL), "bad escape refused");
	ok(!text_ok("%00", NULL), "NUL refused");
	ok(!text_ok("%C0%AF", NULL), "overlong refused");
	ok(!text_ok("%FF", NULL), "invalid UTF-8 refused");
	for (i = 0; i < 100; i++)
		memcpy(raw + i * 6, "%C3%B3", 6);
	raw[600] = '\0';
	for (i = 0; i < 100; i++)
		memcpy(want + i * 2, "\xc3\xb3", 2);
	want[200] = '\0';
	ok(text_ok(raw, want), "100 two-byte characters accepted");
	memcpy(raw + 600, "x", 2);
	ok(!text_ok(raw, NULL), "101 characters refused");
	memset(raw, 'a', 100);
	raw[100] = '\0';
	ok(text_ok(raw, NULL), "100 ASCII characters accepted");
	memset(raw, 'a', 1250);
	raw[1250] = '\0';
	ok(!text_ok(raw, NULL), "very long value refused");
}

static void test_media_types(void)
{
	ok(params_is_json("application/json"), "application/json");
	ok(params_is_json("application/json; charset=utf-8"), "with charset");
	ok(params_is_json("Application/JSON;charset=UTF-8"), "any case");
	ok(!params_is_json(NULL), "missing");
	ok(!params_is_json(""), "empty");
	ok(!params_is_json("text/plain"), "text/plain");
	ok(!params_is_json("application/jsonp"), "application/jsonp");
	ok(!params_is_json("application/x-www-form-urlencoded"), "form");
}

/* The pairs of query, each written "key=value" or "key" (no '='), joined
 * by '|', as params_query_next finds them. */
static int pairs_are(const char *query, const char *want)
{
	struct params_pair pair;
	char got[256] = "";
	size_t used = 0;

	while (params_query_next(&query, &pair)) {
		int n = snprintf(got + used, sizeof(got) - used, "%s%.*s%s%.*s",
		    used > 0 ? "|" : "", (int)pair.key_len, pair.raw,
		    pair.value != NULL ? "=" : "", (int)pair.value_len,
		    pair.value != NULL ? pair.value : "");

		if (n < 0 || (size_t)n >= sizeof(got) - used ||
		    pair.raw_len !=
		        pair.key_len + (pair.value != NULL) + pair.value_len)
			return 0;
		used += (size_t)n;
	}
	return strcmp(got, want) == 0;
}

static int query_decodes(const char *raw, size_t size, const char *want)
{
	char buf[64];
	size_t n = 99;

	if (params_query_decode(raw, strlen(raw), buf, size, &n) != 0)
		return want == NULL;
	return want != NULL && n == strlen(want) && strcmp(buf, want) == 0;
}

static void test_query(void)
{
	const char *pos = NULL;
	struct params_pair pair;

	ok(params_query_next(&pos, &pair) == 0, "query: NULL has no pairs");
	ok(pairs_are("", ""), "query: empty has no pairs");
	ok(pairs_are("a=1&b=2", "a=1|b=2"), "query: two pairs in order");
	ok(pairs_are("&&a=1&&b&", "a=1|b"), "query: empty pairs skipped");
	ok(pairs_are("page", "page"), "query: a key without '='");
	ok(pairs_are("page=", "page="), "query: an empty value has its '='");
	ok(pairs_are("=5", "=5"), "query: an empty key is a pair");
	ok(pairs_are("a=b=c", "a=b=c"), "query: the first '=' ends the key");
	ok(pairs_are("a%26b=c%3Dd", "a%26b=c%3Dd"), "query: pairs stay raw");
	ok(query_decodes("a+b%2B", 64, "a b+"),
	    "query: '+' is a space, "
	    "%%2B a plus");
	ok(query_decodes("%2541", 64, "%41"), "query: decoded once");
	ok(query_decodes("", 64, ""), "query: empty decodes to empty");
	ok(query_decodes("abc", 4, "abc"), "query: fits size with its NUL");
	ok(query_decodes("abcd", 4, NULL), "query: len >= size refused");
	ok(query_decodes("%41%42%43%44", 4, NULL),
	    "query: refused by the raw length, not the decoded one");
	ok(query_decodes("%", 64, NULL), "query: a bad escape refused");
	ok(query_decodes("%00", 64, NULL), "query: a decoded NUL refused");
	ok(query_decodes("%C3", 64, NULL), "query: cut UTF-8 refused");
}

/* params_query_get's answer for name in query, with buf of size bytes:
 * "-1", "0", or "1:" and the value. */
static int get_is(const char *query, const char *name, size_t size,
    const char *want)
{
	char buf[64], got[80];
	size_t n = 99;
	int rc = params_query_get(query, name, buf, size, &n);

	if (rc == 1)
		snprintf(got, sizeof(got), "1:%.*s", (int)n, buf);
	else
		snprintf(got, sizeof(got), "%d", rc);
	return strcmp(got, want) == 0;
}

static void test_query_get(void)
{
	ok(get_is(NULL, "page", 64, "0"), "get: NULL query, absent");
	ok(get_is("", "page", 64, "0"), "get: empty query, absent");
	ok(get_is("limit=5", "page", 64, "0"), "get: another key, absent");
	ok(get_is("pages=1&pag=2", "page", 64, "0"),
	    "get: a longer or shorter key is another");
	ok(get_is("Page=1", "page", 64, "0"), "get: keys are case-sensitive");
	ok(get_is("a=1&page=2&b=3", "page", 64, "1:2"), "get: found");
	ok(get_is("page=", "page", 64, "1:"), "get: an empty value is found");
	ok(get_is("page", "page", 64, "-1"), "get: no '=' refused");
	ok(get_is("page=1&page=1", "page", 64, "-1"),
	    "get: repeated refused, even with the same value");
	ok(get_is("page=&page=", "page", 64, "-1"),
	    "get: repeated empty refused");
	ok(get_is("page=1&page", "page", 64, "-1"),
	    "get: repeated without '=' refused");
	ok(get_is("page=1&pa%67e=2", "page", 64, "-1"),
	    "get: repeated in another spelling refused");
	ok(get_is("page=a+b%2B", "page", 64, "1:a b+"),
	    "get: the value form-decoded once");
	ok(get_is("%70%61%67%65=7", "page", 64, "1:7"),
	    "get: a key fully percent-encoded is the name");
	ok(get_is("%66%6F%72%6D%61%74=csv", "format", 64, "1:csv"),
	    "get: 18 bytes of encoded key are still the name");
	ok(get_is("pa+e=1", "pa e", 64, "1:1"), "get: '+' in a key is a space");
	ok(get_is("pa%=1&page=2", "page", 64, "1:2"),
	    "get: a key that does not decode is no one's");
	ok(get_is("page=%", "page", 64, "-1"),
	    "get: a value that does not decode refused");
	ok(get_is("page=1234", "page", 5, "1:1234"), "get: a value that fits");
	ok(get_is("page=12345", "page", 5, "-1"),
	    "get: a value too long for the buffer refused");
	ok(get_is("page=&page=1", "limit", 64, "0"),
	    "get: another key's repeats are not this one's");
}

/* params_query_choice: the index of the value among the names. */
static void test_query_choice(void)
{
	static const char *const names[] = { "exact", "estimated" };
	int v;

	ok(params_query_choice("count=exact", "count", names, 2, -1, &v) == 0 &&
	        v == 0,
	    "choice: the first name is 0");
	ok(params_query_choice("a=1&count=estimated", "count", names, 2, -1,
	       &v) == 0 &&
	        v == 1,
	    "choice: the second name is 1");
	ok(params_query_choice("a=1", "count", names, 2, -1, &v) == 0 &&
	        v == -1,
	    "choice: absent is the caller's value");
	ok(params_query_choice("%63ount=%65xact", "count", names, 2, -1, &v) ==
	            0 &&
	        v == 0,
	    "choice: key and value form-decoded");
	ok(params_query_choice("count=", "count", names, 2, -1, &v) == -1 &&
	        v == -1,
	    "choice: an empty value is none of the names");
	ok(params_query_choice("count=Exact", "count", names, 2, -1, &v) == -1,
	    "choice: names compare exactly");
	ok(params_query_choice("count=exactly", "count", names, 2, -1, &v) ==
	        -1,
	    "choice: a longer value is not a name");
	ok(params_query_choice("count=exact&count=exact", "count", names, 2, -1,
	       &v) == -1,
	    "choice: a repeated name is refused");
	ok(params_query_choice("count", "count", names, 2, -1, &v) == -1,
	    "choice: a name without = is refused");
	ok(params_query_choice("count=estimatedestimatedestimated", "count",
	       names, 2, -1, &v) == -1,
	    "choice: a value longer than any name is refused");
}

int main(void)
{
	test_ids();
	test_days();
	test_text();
	test_query();
	test_query_get();
	test_query_choice();
	test_media_types();
	return tap_done();
}
