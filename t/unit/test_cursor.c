/* Unit tests for cursor.c: round trips for every column kind, the exact
 * encoding, and refusal of every malformed or tampered cursor text. */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "tap.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Test-side base64url of len bytes (no padding) into out. */
static void b64url(const char *in, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, o = 0;

	for (i = 0; i < len; i += 3) {
		size_t left = len - i;
		unsigned long v = (unsigned long)s[i] << 16;

		if (left > 1)
			v |= (unsigned long)s[i + 1] << 8;
		if (left > 2)
			v |= s[i + 2];
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		if (left > 1)
			out[o++] = b64_alphabet[v >> 6 & 63];
		if (left > 2)
			out[o++] = b64_alphabet[v & 63];
	}
	out[o] = '\0';
}

static void is_str(const char *got, const char *want, const char *name)
{
	ok(strcmp(got, want) == 0, "%s", name);
	if (strcmp(got, want) != 0)
		printf("#   got '%s'\n#   want '%s'\n", got, want);
}

/* cursor_decode of the base64url of a raw payload (len bytes). */
static int decode_payload(const char *payload, size_t len, struct cursor *c)
{
	char text[2048];

	b64url(payload, len, text);
	return cursor_decode(text, strlen(text), c);
}

static int decode_str(const char *payload, struct cursor *c)
{
	return decode_payload(payload, strlen(payload), c);
}

static struct user sample_user(void)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	u.id = 42;
	strcpy(user_text(&u, USER_NICKNAME), "RAM\xc3\x93N|2022");
	strcpy(user_text(&u, USER_FIRST_NAME), "Ramon");
	strcpy(user_text(&u, USER_LAST_NAME), "Castro");
	strcpy(user_text(&u, USER_EMAIL), "ramoncnc2022@gmail.com");
	strcpy(user_text(&u, USER_IDENTIFICATION_TYPE), "DNI");
	strcpy(user_text(&u, USER_IDENTIFICATION_NUMBER), "2271617711");
	strcpy(user_text(&u, USER_COUNTRY_ID), "AR");
	strcpy(u.creation_date, "2023-03-20 21:02:33");
	strcpy(u.update_date, "2024-02-29 23:59:59");
	return u;
}

static void test_round_trips(void)
{
	struct user u = sample_user();
	char text[CURSOR_TEXT_MAX];
	struct cursor c, d;
	int col, desc, n;

	for (col = USER_ID; col < USER_COLUMN_COUNT; col++) {
		for (desc = 0; desc <= 1; desc++) {
			memset(&d, 0x5a, sizeof(d));
			n = -1;
			if (cursor_from_user(&c, &u, (enum user_column)col,
			        desc) == 0)
				n = cursor_encode(&c, text, sizeof(text));
			ok(n > 0 && (size_t)n == strlen(text) &&
			        strspn(text, b64_alphabet) == (size_t)n &&
			        cursor_decode(text, (size_t)n, &d) == 0 &&
			        (int)d.column == col && d.descending == desc &&
			        d.id == 42 && d.value_len == c.value_len &&
			        memcmp(d.value, c.value, c.value_len + 1) == 0,
			    "round trip: column %d %s", col,
			    desc ? "desc" : "asc");
		}
	}
	cursor_from_user(&c, &u, USER_NICKNAME, 0);
	ok(strcmp(c.value, "RAM\xc3\x93N|2022") == 0 && c.value_len == 11,
	    "from_user: the order column's value, '|' included");
	cursor_from_user(&c, &u, USER_ID, 1);
	ok(c.value_len == 0 && c.id == 42 && c.descending == 1,
	    "from_user: id order carries no value");
	cursor_from_user(&c, &u, USER_UPDATE_DATE, 0);
	ok(strcmp(c.value, "2024-02-29 23:59:59") == 0,
	    "from_user: the date text");
}

static void test_exact_encoding(void)
{
	struct user u = sample_user();
	char text[CURSOR_TEXT_MAX], want[128];
	struct cursor c;

	cursor_from_user(&c, &u, USER_EMAIL, 1);
	cursor_encode(&c, text, sizeof(text));
	b64url("1|email|d|42|ramoncnc2022@gmail.com", 35, want);
	is_str(text, want, "email desc: base64url of 1|email|d|42|value");
	cursor_from_user(&c, &u, USER_ID, 0);
	cursor_encode(&c, text, sizeof(text));
	b64url("1|id|a|42|", 10, want);
	is_str(text, want, "id asc: base64url of 1|id|a|42|");
	ok(strchr(text, '=') == NULL, "no padding");
}

static void test_limits(void)
{
	struct user u = sample_user();
	char text[CURSOR_TEXT_MAX], small[8];
	struct cursor c, d;
	int n;

	/* A text column at its longest: 100 characters of 4 bytes. */
	memset(user_text(&u, USER_EMAIL), 0, USER_TEXT_MAX);
	for (n = 0; n < 100; n++)
		memcpy(user_text(&u, USER_EMAIL) + 4 * n, "\xf0\x9f\x98\x80",
		    4);
	u.id = 2147483647L;
	ok(cursor_from_user(&c, &u, USER_EMAIL, 1) == 0 && c.value_len == 400,
	    "400-byte value accepted");
	n = cursor_encode(&c, text, sizeof(text));
	ok(n > 0 && (size_t)n < CURSOR_TEXT_MAX &&
	        cursor_decode(text, (size_t)n, &d) == 0 && d.value_len == 400 &&
	        d.id == 2147483647L,
	    "longest cursor fits CURSOR_TEXT_MAX");
	ok(cursor_encode(&c, small, sizeof(small)) == -1,
	    "encode refuses a buffer too small");
	u.id = 0;
	ok(cursor_from_user(&c, &u, USER_ID, 0) == -1, "id 0 makes no cursor");
	u = sample_user();
	strcpy(u.creation_date, "0000-00-00 00:00:00");
	ok(cursor_from_user(&c, &u, USER_CREATION_DATE, 0) == -1,
	    "a zero date makes no cursor");
	u = sample_user();
	strcpy(user_text(&u, USER_LAST_NAME), "\xff");
	ok(cursor_from_user(&c, &u, USER_LAST_NAME, 0) == -1,
	    "invalid UTF-8 makes no cursor");
	strcpy(user_text(&u, USER_LAST_NAME), "");
	ok(cursor_from_user(&c, &u, USER_LAST_NAME, 0) == 0 && c.value_len == 0,
	    "an empty text value is a value");
}

static void test_bad_base64(void)
{
	struct user u = sample_user();
	char text[CURSOR_TEXT_MAX], bad[CURSOR_TEXT_MAX + 8];
	struct cursor c, d;
	size_t n;

	cursor_from_user(&c, &u, USER_EMAIL, 0);
	n = (size_t)cursor_encode(&c, text, sizeof(text));
	ok(cursor_decode("", 0, &d) == -1, "empty text");
	ok(cursor_decode(text, n - 1, &d) == -1 ||
	        cursor_decode(text, n - 2, &d) == -1,
	    "cut text");
	snprintf(bad, sizeof(bad), "%s=", text);
	ok(cursor_decode(bad, strlen(bad), &d) == -1, "padding refused");
	snprintf(bad, sizeof(bad), "%s", text);
	bad[3] = '+';
	ok(cursor_decode(bad, n, &d) == -1, "'+' (base64, not url) refused");
	bad[3] = '/';
	ok(cursor_decode(bad, n, &d) == -1, "'/' refused");
	bad[3] = '.';
	ok(cursor_decode(bad, n, &d) == -1, "'.' refused");
	bad[3] = ' ';
	ok(cursor_decode(bad, n, &d) == -1, "space refused");
	bad[3] = '\0';
	ok(cursor_decode(bad, n, &d) == -1, "NUL inside refused");
	ok(cursor_decode("A", 1, &d) == -1, "4n+1 characters refused");
	/* "MQ" is "1"; "MR" has non-zero unused bits: another spelling. */
	ok(cursor_decode("MR", 2, &d) == -1, "non-canonical trailing bits");
	memset(bad, 'A', sizeof(bad));
	ok(cursor_decode(bad, sizeof(bad), &d) == -1, "too long refused");
}

static void test_bad_payloads(void)
{
	static const char *const bad[] = {
		"",
		"1",
		"1|",
		"1|id|a|42",  /* no value separator */
		"2|id|a|42|", /* unknown version */
		"01|id|a|42|",
		"1|ID|a|42|",        /* names are exact */
		"1|firstName|a|42|", /* aliases are not column names */
		"1|password|a|42|",
		"1||a|42|",
		"1|id|A|42|",
		"1|id|asc|42|",
		"1|id||42|",
		"1|id|a||",
		"1|id|a|0|",
		"1|id|a|-1|",
		"1|id|a|+1|",
		"1|id|a|042|",
		"1|id|a|2147483648|",
		"1|id|a|99999999999999999999|",
		"1|id|a|4 2|",
		"1|id|a|42|x", /* id order carries no value */
		"1|creation_date|a|42|2023-02-30 00:00:00",
		"1|creation_date|a|42|2023-01-01",
		"1|creation_date|a|42|2023-01-01T00:00:00",
		"1|creation_date|a|42|2023-01-01 24:00:00",
		"1|update_date|d|42|2023-01-01 00:60:00",
		"1|update_date|d|42|2023-01-01 00:00:60",
		"1|update_date|d|42|2023-13-01 00:00:00",
		"1|update_date|d|42|2023-1-01 00:00:00",
		"1|update_date|d|42|2023-01-01 00:00:00 ",
		"1|email|a|42|\xff",
		"1|email|a|42|\xc0\xaf",
		"1|email|a|42|\xed\xa0\x80",
	};
	struct cursor d;
	char big[700];
	size_t i;
	int n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(decode_str(bad[i], &d) == -1, "payload refused: '%s'",
		    bad[i]);
	ok(decode_payload("1|email|a|42|a\0b", 16, &d) == -1,
	    "NUL in the value refused");
	n = snprintf(big, sizeof(big), "1|email|a|42|");
	memset(big + n, 'x', 401);
	ok(decode_payload(big, (size_t)n + 401, &d) == -1,
	    "401-byte value refused");
	ok(decode_payload(big, (size_t)n + 400, &d) == 0 && d.value_len == 400,
	    "400-byte value accepted");

	ok(decode_str("1|last_name|d|7|a|b", &d) == 0 &&
	        d.column == USER_LAST_NAME && d.descending == 1 && d.id == 7 &&
	        strcmp(d.value, "a|b") == 0,
	    "a value may hold '|'");
	ok(decode_str("1|nickname|a|1|", &d) == 0 && d.value_len == 0,
	    "an empty text value decodes");
	ok(decode_str("1|creation_date|a|2147483647|2024-02-29 23:59:59", &d) ==
	            0 &&
	        d.column == USER_CREATION_DATE && d.id == 2147483647L,
	    "a leap-day date decodes");
	ok(decode_str("1|identification_number|a|5|22287680", &d) == 0 &&
	        d.column == USER_IDENTIFICATION_NUMBER,
	    "the longest name");
}

/* Version 2: a cursor bound to filters carries their digest. */
static void test_filtered(void)
{
	struct cursor c = { .column = USER_EMAIL,
		.id = 9,
		.value = "a|b",
		.value_len = 3,
		.filters = 0x0123456789abcdefULL };
	struct cursor d;
	char text[CURSOR_TEXT_MAX];

	ok(cursor_encode(&c, text, sizeof(text)) > 0 &&
	        cursor_decode(text, strlen(text), &d) == 0 &&
	        d.filters == c.filters && d.id == 9 &&
	        strcmp(d.value, "a|b") == 0,
	    "a filtered cursor round-trips with its digest");
	ok(decode_str("2|id|a|42|0123456789abcdef|", &d) == 0 &&
	        d.filters == 0x0123456789abcdefULL,
	    "version 2 decodes");
	ok(decode_str("1|id|a|42|", &d) == 0 && d.filters == 0,
	    "version 1: no filters");
	ok(decode_str("2|id|a|42|0000000000000000|", &d) == -1,
	    "a zero digest is refused");
	ok(decode_str("2|id|a|42|0123456789ABCDEF|", &d) == -1,
	    "an upper-case digest is refused");
	ok(decode_str("2|id|a|42|0123456789abcde|", &d) == -1,
	    "a short digest is refused");
	ok(decode_str("2|id|a|42|", &d) == -1, "no digest is refused");
}

int main(void)
{
	test_filtered();
	test_round_trips();
	test_exact_encoding();
	test_limits();
	test_bad_base64();
	test_bad_payloads();
	return tap_done();
}
