/* export.c: format=, the CSV header and records (RFC 4180 quoting, the
 * formula-injection guard). */
#include <string.h>

#include "export.h"
#include "tap.h"

static struct user u;

static void set(enum user_column c, const char *v)
{
	strcpy(user_text(&u, c), v);
}

static int record_is(unsigned mask, const char *want)
{
	char out[EXPORT_LINE_MAX];
	int n = export_csv_record(&u, mask, out, sizeof(out));

	if (n < 0 || strcmp(out, want) != 0) {
		printf("#   got: %s\n", n < 0 ? "(-1)" : out);
		return 0;
	}
	return n == (int)strlen(want);
}

#define M(c) (1u << (c))

int main(void)
{
	enum export_format f;
	char out[EXPORT_LINE_MAX];
	int c;

	ok(export_format_parse("", &f) == 0 && f == EXPORT_NDJSON, "default");
	ok(export_format_parse("format=csv", &f) == 0 && f == EXPORT_CSV,
	    "csv");
	ok(export_format_parse("a=1&format=ndjson", &f) == 0 &&
	        f == EXPORT_NDJSON,
	    "ndjson");
	ok(export_format_parse("format=CSV", &f) != 0, "CSV");
	ok(export_format_parse("format=", &f) != 0, "empty");
	ok(export_format_parse("format", &f) != 0, "no value");
	ok(export_format_parse("format=csv&format=csv", &f) != 0, "twice");
	ok(export_format_parse("format=json", &f) != 0, "json");

	ok(export_csv_header(M(USER_EMAIL) | M(USER_ID), out, sizeof(out)) ==
	            10 &&
	        strcmp(out, "id,email\r\n") == 0,
	    "header in the object's order");
	ok(export_csv_header(M(USER_ID), out, 4) == -1, "header too long");

	u.id = 42;
	for (c = USER_TEXT_FIRST; c <= USER_TEXT_LAST; c++)
		set(c, "x");
	strcpy(u.creation_date, "2024-01-02 03:04:05");
	strcpy(u.update_date, "2024-01-02 03:04:06");
	ok(record_is(~0u,
	       "42,x,x,x,x,x,x,x,2024-01-02 03:04:05,2024-01-02 03:04:06\r\n"),
	    "every column");
	set(USER_NICKNAME, "a,b");
	ok(record_is(M(USER_ID) | M(USER_NICKNAME), "42,\"a,b\"\r\n"),
	    "comma: quoted");
	set(USER_NICKNAME, "say \"hi\"");
	ok(record_is(M(USER_NICKNAME), "\"say \"\"hi\"\"\"\r\n"),
	    "quotes doubled");
	set(USER_NICKNAME, "two\nlines");
	ok(record_is(M(USER_NICKNAME), "\"two\nlines\"\r\n"), "LF: quoted");
	set(USER_NICKNAME, "=1+2");
	ok(record_is(M(USER_NICKNAME), "'=1+2\r\n"), "= guarded");
	set(USER_NICKNAME, "+1");
	ok(record_is(M(USER_NICKNAME), "'+1\r\n"), "+ guarded");
	set(USER_NICKNAME, "-1");
	ok(record_is(M(USER_NICKNAME), "'-1\r\n"), "- guarded");
	set(USER_NICKNAME, "@SUM(A1)");
	ok(record_is(M(USER_NICKNAME), "'@SUM(A1)\r\n"), "@ guarded");
	set(USER_NICKNAME, "\tx");
	ok(record_is(M(USER_NICKNAME), "'\tx\r\n"), "tab guarded");
	set(USER_NICKNAME, "\rx");
	ok(record_is(M(USER_NICKNAME), "\"'\rx\"\r\n"), "CR guarded, quoted");
	set(USER_NICKNAME, "=HYPERLINK(\"a\",\"b\")");
	ok(record_is(M(USER_NICKNAME),
	       "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"\r\n"),
	    "guard inside the quotes");
	set(USER_NICKNAME, "a=b");
	ok(record_is(M(USER_NICKNAME), "a=b\r\n"), "= inside: no guard");
	set(USER_NICKNAME, "");
	ok(record_is(M(USER_NICKNAME) | M(USER_ID), ",42\r\n") == 0 &&
	        record_is(M(USER_NICKNAME) | M(USER_ID), "42,\r\n"),
	    "empty cell");
	memset(user_text(&u, USER_EMAIL), '"', USER_TEXT_MAX - 1);
	user_text(&u, USER_EMAIL)[USER_TEXT_MAX - 1] = '\0';
	for (c = USER_TEXT_FIRST; c <= USER_TEXT_LAST; c++)
		if (c != USER_EMAIL)
			strcpy(user_text(&u, c), user_text(&u, USER_EMAIL));
	user_text(&u, USER_NICKNAME)[0] = '=';
	ok(export_csv_record(&u, ~0u, out, sizeof(out)) > 0,
	    "the longest record fits EXPORT_LINE_MAX");
	ok(export_csv_record(&u, ~0u, out, 100) == -1, "too small: -1");
	return tap_done();
}
