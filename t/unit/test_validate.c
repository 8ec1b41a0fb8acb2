/* Unit tests of validate_user_body: the contract's "Writes" rules, each
 * limit at its edges, the JSON gate and the 400 message. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "validate.h"

#define PREFIX \
	"Bad request, check request attributes. Missing or incorrect. CHECK: "
#define MSGLEN 1024

/* The sample user of the contract, without id and dates. */
static const char *const sample_keys[] = { "nickname", "first_name",
	"last_name", "email", "identification_type", "identification_number",
	"country_id" };
static const char *const sample_values[] = { "\"GABRIELA JIMENEZ\"",
	"\"Gabriela\"", "\"Jimenez\"", "\"gabriela.consultas@hotmail.com\"",
	"\"DNI\"", "\"410871223\"", "\"AR\"" };
static const enum user_column sample_columns[] = { USER_NICKNAME,
	USER_FIRST_NAME, USER_LAST_NAME, USER_EMAIL, USER_IDENTIFICATION_TYPE,
	USER_IDENTIFICATION_NUMBER, USER_COUNTRY_ID };
#define ALL_SEVEN 0xFEu /* bits 1..7: nickname .. country_id */

static const char readme_put[] =
    "{\"nickname\":\"JOSE_PEREZ\","
    "\"first_name\":\"Jose\",\"last_name\":\"Perez\","
    "\"email\":\"jose_consultasInternas@hotmail.com\","
    "\"identification_type\":\"DNI\",\"identification_number\":\"22287680\","
    "\"country_id\":\"AR\",\"creation_date\":\"2023-03-20 21:02:33\","
    "\"update_date\":\"2023-03-20 21:02:33\",\"id\":6}";

/*
 * The sample body with key's raw JSON value replaced by value (omitted when
 * value is NULL); key NULL gives the sample itself. Returns buf.
 */
static char *body_with(char *buf, size_t cap, const char *key,
    const char *value)
{
	size_t i, n = 0;

	n += (size_t)snprintf(buf + n, cap - n, "{");
	for (i = 0; i < 7; i++) {
		const char *v = sample_values[i];

		if (key != NULL && strcmp(key, sample_keys[i]) == 0) {
			if (value == NULL)
				continue;
			v = value;
		}
		n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\":%s",
		    n > 1 ? "," : "", sample_keys[i], v);
	}
	snprintf(buf + n, cap - n, "}");
	return buf;
}

static int check(const char *body, enum validate_mode mode,
    struct user_fields *f, char *msg)
{
	return validate_user_body(body, strlen(body), mode, f, msg, MSGLEN);
}

/* "x" repeated n times, as a JSON string value in dst. */
static char *repeat(char *dst, size_t cap, const char *x, size_t n)
{
	size_t len = strlen(x), i, k = 0;

	dst[k++] = '"';
	for (i = 0; i < n && k + len + 2 < cap; i++, k += len)
		memcpy(dst + k, x, len);
	dst[k++] = '"';
	dst[k] = '\0';
	return dst;
}

/* 1 when s is complete, well-formed UTF-8 (the message is sent as JSON). */
static int utf8_complete(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int need = *p < 0x80 ? 0
		    : *p >= 0xF0     ? 3
		    : *p >= 0xE0     ? 2
		    : *p >= 0xC2     ? 1
		                     : -1;
		if (need < 0)
			return 0;
		for (p++; need > 0; need--, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static void test_valid(void)
{
	struct user_fields f;
	char body[4096], msg[MSGLEN];
	size_t i;
	int rc;

	rc = check(body_with(body, sizeof(body), NULL, NULL), VALIDATE_ADD, &f,
	    msg);
	ok(rc == 0, "sample user is a valid add");
	ok(f.present == ALL_SEVEN, "add: all seven present bits (%#x)",
	    f.present);
	ok(strcmp(user_text(&f, USER_NICKNAME), "GABRIELA JIMENEZ") == 0,
	    "add: nickname kept with its inner space");
	ok(strcmp(user_text(&f, USER_EMAIL),
	       "gabriela.consultas@hotmail.com") == 0,
	    "add: email copied");
	ok(!user_fields_has(&f, USER_ID) &&
	        !user_fields_has(&f, USER_CREATION_DATE),
	    "add: no id/date bits");

	rc = check(readme_put, VALIDATE_UPDATE, &f, msg);
	ok(rc == 0, "README PUT body is a valid update (%s)", msg);
	ok(f.present == ALL_SEVEN, "update: seven present, id/dates ignored");
	ok(strcmp(user_text(&f, USER_NICKNAME), "JOSE_PEREZ") == 0 &&
	        strcmp(user_text(&f, USER_EMAIL),
	            "jose_consultasInternas@hotmail.com") == 0 &&
	        strcmp(user_text(&f, USER_IDENTIFICATION_NUMBER), "22287680") ==
	            0 &&
	        strcmp(user_text(&f, USER_COUNTRY_ID), "AR") == 0,
	    "update: values copied");
	rc = check(readme_put, VALIDATE_ADD, &f, msg);
	ok(rc == 0, "README PUT body is a valid add too (ignored keys)");

	rc = check("{\"first_name\":\"Ana\"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 && f.present == 1u << USER_FIRST_NAME,
	    "update: one field gives one bit");
	ok(strcmp(user_text(&f, USER_FIRST_NAME), "Ana") == 0 &&
	        user_text(&f, USER_NICKNAME)[0] == '\0',
	    "update: absent fields left empty");

	for (i = 0; i < 7; i++) {
		rc = check(body_with(body, sizeof(body), sample_keys[i], NULL),
		    VALIDATE_ADD, &f, msg);
		ok(rc == -1 && strstr(msg, sample_keys[i]) != NULL &&
		        strstr(msg, "required") != NULL,
		    "add without %s: 400 naming it", sample_keys[i]);
		ok(f.present == 0, "add without %s: out zeroed",
		    sample_keys[i]);
		rc = check(body_with(body, sizeof(body), sample_keys[i], NULL),
		    VALIDATE_UPDATE, &f, msg);
		ok(rc == 0 && !user_fields_has(&f, sample_columns[i]) &&
		        f.present == (ALL_SEVEN & ~(1u << sample_columns[i])),
		    "update without %s: fine", sample_keys[i]);
	}
}

/* One length case: field set to value; expect accepted or rejected. */
static void length_case(const char *key, const char *value, int accepted,
    const char *what)
{
	struct user_fields f;
	char body[4096], msg[MSGLEN];
	int rc;

	rc = check(body_with(body, sizeof(body), key, value), VALIDATE_ADD, &f,
	    msg);
	if (accepted)
		ok(rc == 0, "%s %s accepted (%s)", key, what, msg);
	else
		ok(rc == -1 && strstr(msg, key) != NULL &&
		        strstr(msg, "characters") != NULL,
		    "%s %s rejected: %s", key, what, msg);
}

static void test_lengths(void)
{
	static const struct {
		const char *key;
		size_t min, max;
	} limits[] = {
		{ "nickname", 4, 50 },
		{ "first_name", 1, 50 },
		{ "last_name", 1, 50 },
		{ "identification_type", 2, 15 },
		{ "identification_number", 6, 20 },
		{ "country_id", 2, 5 },
	};
	char v[1024], what[64];
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if (limits[i].min > 1) {
			snprintf(what, sizeof(what), "min-1 (%zu)",
			    limits[i].min - 1);
			length_case(limits[i].key,
			    repeat(v, sizeof(v), "a", limits[i].min - 1), 0,
			    what);
		}
		snprintf(what, sizeof(what), "min (%zu)", limits[i].min);
		length_case(limits[i].key,
		    repeat(v, sizeof(v), "a", limits[i].min), 1, what);
		snprintf(what, sizeof(what), "max (%zu)", limits[i].max);
		length_case(limits[i].key,
		    repeat(v, sizeof(v), "a", limits[i].max), 1, what);
		snprintf(what, sizeof(what), "max+1 (%zu)", limits[i].max + 1);
		length_case(limits[i].key,
		    repeat(v, sizeof(v), "a", limits[i].max + 1), 0, what);
		/* Characters, not bytes: the same bounds in two-byte ó. */
		snprintf(what, sizeof(what), "max in ó (%zu chars)",
		    limits[i].max);
		length_case(limits[i].key,
		    repeat(v, sizeof(v), "\xc3\xb3", limits[i].max), 1, what);
		snprintf(what, sizeof(what), "max+1 in ó (%zu chars)",
		    limits[i].max + 1);
		length_case(limits[i].key,
		    repeat(v, sizeof(v), "\xc3\xb3", limits[i].max + 1), 0,
		    what);
	}
	length_case("first_name", "\"\"", 0, "empty");
	length_case("last_name", "\"\"", 0, "empty");
	length_case("nickname",
	    "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	    "\xf0\x9f\x98\x80\"",
	    0, "3 emoji (12 bytes)");
	length_case("nickname",
	    "\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"
	    "\\ud83d\\ude00\"",
	    1, "4 escaped surrogate pairs");
	length_case("country_id",
	    "\"\xc3\x93\xc3\x93\xc3\x93\xc3\x93\xc3\x93\"", 1,
	    "5 two-byte chars (10 bytes)");
}

/* Sets v to "<local>@<domain>" with n_local and n_domain characters of x
 * and a ".co" tld (counted in n_domain). */
static char *email_of(char *v, size_t cap, const char *x, size_t n_local,
    size_t n_domain)
{
	size_t len = strlen(x), i, k = 0;

	v[k++] = '"';
	for (i = 0; i < n_local && k + len < cap; i++, k += len)
		memcpy(v + k, x, len);
	v[k++] = '@';
	for (i = 0; i + 3 < n_domain && k + len < cap; i++, k += len)
		memcpy(v + k, x, len);
	memcpy(v + k, ".co\"", 5);
	return v;
}

static void email_case(const char *value, int accepted, const char *what)
{
	struct user_fields f;
	char body[4096], msg[MSGLEN];
	int rc;

	rc = check(body_with(body, sizeof(body), "email", value), VALIDATE_ADD,
	    &f, msg);
	if (accepted)
		ok(rc == 0, "email %s accepted (%s)", what, msg);
	else
		ok(rc == -1 && strstr(msg, "email ") != NULL,
		    "email %s rejected: %s", what, msg);
}

static void test_email(void)
{
	struct user_fields f;
	char v[1024], body[4096], msg[MSGLEN];
	int rc;

	email_case("\"a@b.c\"", 0, "of 5 chars (min-1)");
	email_case("\"a@b.co\"", 1, "of 6 chars (min)");
	email_case(email_of(v, sizeof(v), "a", 64, 35), 1, "of 100 chars");
	email_case(email_of(v, sizeof(v), "a", 64, 36), 0, "of 101 chars");
	email_case(email_of(v, sizeof(v), "a", 65, 10), 0,
	    "with a 65-char local part");
	email_case(email_of(v, sizeof(v), "\xc3\xb3", 64, 10), 1,
	    "with a 64-char local part in ó");

	/* 100 characters, 388 bytes: the widest value fits USER_TEXT_MAX. */
	email_of(v, sizeof(v), "\xf0\x9f\x98\x80", 64, 35);
	rc = check(body_with(body, sizeof(body), "email", v), VALIDATE_ADD, &f,
	    msg);
	ok(rc == 0 &&
	        strlen(user_text(&f, USER_EMAIL)) == 64 * 4 + 1 + 32 * 4 + 3,
	    "email of 100 four-byte-ish chars stored whole");

	email_case("\"ab@cd@ef.gh\"", 0, "with two @");
	email_case("\"abcdef.gh\"", 0, "without @");
	email_case("\"@abcdef.gh\"", 0, "with an empty local part");
	email_case("\"abcd@efgh\"", 0, "without a dot in the domain");
	email_case("\"abcd@.efgh\"", 0, "with a leading dot in the domain");
	email_case("\"abcd@efgh.\"", 0, "with a trailing dot in the domain");
	email_case("\"abcd@ef..gh\"", 0, "with two dots in a row");
	email_case("\"ab cd@ef.gh\"", 0, "with a space inside");
	email_case("\"abcd@ef.gh\\u00a0x\"", 0, "with U+00A0 inside");
	email_case("\"abcd@ef.g\\u3000h\"", 0, "with U+3000 inside");
	email_case("\"ab\\tcd@ef.gh\"", 0, "with a tab inside");
	email_case("\"abcd@\"", 0, "with no domain");
	email_case("\"a.b@c.d\"", 1, "a.b@c.d");
	email_case("\"jos\xc3\xa9@ma\xc3\xb1"
	           "ana.es\"",
	    1, "in UTF-8");

	rc = check("{\"email\":\"  ab@cd.ef  \"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 && strcmp(user_text(&f, USER_EMAIL), "ab@cd.ef") == 0,
	    "email: surrounding spaces trimmed");
	rc = check("{\"email\":\"abc@defg\"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "local@domain.tld") != NULL,
	    "email: message shows the expected shape");
}

static void test_trim_and_controls(void)
{
	static const struct {
		const char *value, *what;
	} bad[] = {
		{ "\"Ana\\tMaria\"", "an escaped tab inside" },
		{ "\"\\tAna\"", "a leading escaped tab (not trimmed)" },
		{ "\"Ana\\n\"", "an escaped newline" },
		{ "\"Ana\\r\"", "an escaped CR" },
		{ "\"A\\u0000na\"", "\\u0000" },
		{ "\"Ana\\u001f\"", "U+001F" },
		{ "\"Ana\\u007f\"", "U+007F" },
		{ "\"Ana\\u0085\"", "escaped U+0085" },
		{ "\"Ana\xc2\x85\"", "raw U+0085" },
		{ "\"Ana\\u009f\"", "U+009F" },
		{ "\"Ana\\u202a\"", "U+202A (left-to-right embedding)" },
		{ "\"Ana\\u202E\"", "U+202E (right-to-left override)" },
		{ "\"Ana\xe2\x80\xae"
		  "x\"",
		    "raw U+202E" },
		{ "\"Ana\\u2066\"", "U+2066 (left-to-right isolate)" },
		{ "\"Ana\xe2\x81\xa9\"",
		    "raw U+2069 (pop directional isolate)" },
	};
	struct user_fields f;
	char body[4096], msg[MSGLEN];
	size_t i;
	int rc;

	rc = check("{\"first_name\":\"  Ana  \"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 && strcmp(user_text(&f, USER_FIRST_NAME), "Ana") == 0,
	    "\"  Ana  \" trimmed to \"Ana\"");
	rc = check("{\"first_name\":\"   \"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 &&
	        strstr(msg,
	            "first_name must be a string of 1 to 50 "
	            "characters") != NULL,
	    "\"   \" is too short: %s", msg);
	rc = check("{\"nickname\":\"  abc  \"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1, "nickname of 3 chars padded with spaces is too short");
	rc = check("{\"nickname\":\" Ab  Cd \"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 && strcmp(user_text(&f, USER_NICKNAME), "Ab  Cd") == 0,
	    "inner spaces kept as sent");
	rc = check("{\"first_name\":\"\\u00a0Ana\"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 &&
	        strcmp(user_text(&f, USER_FIRST_NAME),
	            "\xc2\xa0"
	            "Ana") == 0,
	    "only U+0020 is trimmed (U+00A0 kept)");
	rc = check("{\"first_name\":\"Ramo\\u0301n\"}", VALIDATE_UPDATE, &f,
	    msg);
	ok(rc == 0 &&
	        strcmp(user_text(&f, USER_FIRST_NAME), "Ramo\xcc\x81n") == 0,
	    "no normalisation (combining accent kept)");
	rc =
	    check("{\"first_name\":\"A\\u200bna\\u2029\\u202f\\u2065\\u206a\"}",
	        VALIDATE_UPDATE, &f, msg);
	ok(rc == 0,
	    "U+200B, U+2029, U+202F, U+2065, U+206A allowed (only "
	    "the bidi controls are refused)");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = check(body_with(body, sizeof(body), "first_name",
		               bad[i].value),
		    VALIDATE_ADD, &f, msg);
		ok(rc == -1 &&
		        strstr(msg,
		            "first_name must not contain "
		            "control characters") != NULL,
		    "first_name with %s rejected", bad[i].what);
	}
	rc =
	    check(body_with(body, sizeof(body), "first_name", "\"Ana\tMaria\""),
	        VALIDATE_ADD, &f, msg);
	ok(rc == -1 && strstr(msg, "one JSON object") != NULL,
	    "a raw tab inside a string is not JSON: 400");
}

static void test_types_and_keys(void)
{
	static const char *const wrong[] = { "123", "1.5", "null", "true",
		"false", "{}", "{\"a\":\"abcd\"}", "[]", "[\"abcd\"]" };
	struct user_fields f;
	char body[4096], msg[MSGLEN];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		rc = check(body_with(body, sizeof(body), "nickname", wrong[i]),
		    VALIDATE_ADD, &f, msg);
		ok(rc == -1 && strstr(msg, "nickname must be a string") != NULL,
		    "nickname %s: must be a string", wrong[i]);
	}
	rc = check("{\"country_id\":12}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "country_id must be a string") != NULL,
	    "update: a number is not a string");

	rc = check("{\"nickname\":\"abcd\",\"foo\":\"x\"}", VALIDATE_UPDATE, &f,
	    msg);
	ok(rc == -1 && strstr(msg, "unknown key \"foo\"") != NULL,
	    "update: unknown key named: %s", msg);
	ok(f.present == 0, "update: out zeroed on failure");
	rc = check("{\"Nickname\":\"abcd\"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "Nickname") != NULL,
	    "keys are case-sensitive");
	body_with(body, sizeof(body), NULL, NULL);
	strcpy(body + strlen(body) - 1, ",\"role\":\"admin\"}");
	rc = check(body, VALIDATE_ADD, &f, msg);
	ok(rc == -1 && strstr(msg, "role") != NULL, "add: unknown key 400");

	rc = check("{\"id\":7,\"creation_date\":null,\"update_date\":{}}",
	    VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "at least one of") != NULL,
	    "update with ignored keys only: 400 (%s)", msg);
	rc = check("{}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "at least one of nickname, ") != NULL,
	    "update {}: 400");
	rc = check("{}", VALIDATE_ADD, &f, msg);
	ok(rc == -1 && strstr(msg, "nickname is required") != NULL &&
	        strstr(msg, "country_id is required") != NULL,
	    "add {}: every field required");
	body_with(body, sizeof(body), NULL, NULL);
	strcpy(body + strlen(body) - 1,
	    ",\"id\":[1,{\"x\":2}],\"update_date\":false}");
	rc = check(body, VALIDATE_ADD, &f, msg);
	ok(rc == 0, "ignored keys may hold any type (%s)", msg);

	rc = check("{\"nickname\":\"first\",\"nickname\":\"second\"}",
	    VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 && strcmp(user_text(&f, USER_NICKNAME), "second") == 0,
	    "a key given twice: the last wins");
	rc = check("{\"nickname\":1,\"nickname\":\"valid\"}", VALIDATE_UPDATE,
	    &f, msg);
	ok(rc == 0, "a bad first occurrence is overridden by a good last one");
	rc = check("{\"nickname\":\"valid\",\"nickname\":\"no\"}",
	    VALIDATE_UPDATE, &f, msg);
	ok(rc == -1, "a bad last occurrence fails");
	rc =
	    check("{\"\\u006eickname\":\"escaped\"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0 && user_fields_has(&f, USER_NICKNAME),
	    "an escaped key is the same key");
	rc = check("{\"nickname\\u0000x\":\"abcd\"}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1, "a key holding NUL is not cut to a known key");
}

/* Bodies that are not one JSON object: 400 with the same sentence. */
static void test_not_an_object(void)
{
	static const struct {
		const char *body, *what;
	} bad[] = {
		{ "", "empty body" },
		{ "   ", "whitespace only" },
		{ "nickname=abcd", "a form body" },
		{ "{", "an open object" },
		{ "{\"nickname\":\"abcd\"", "a missing brace" },
		{ "{\"nickname\":\"abcd\",}", "a trailing comma" },
		{ "[]", "an array" },
		{ "[{\"nickname\":\"abcd\"}]", "an array holding the object" },
		{ "\"abcd\"", "a string" },
		{ "42", "a number" },
		{ "null", "null" },
		{ "{}x", "trailing garbage {}x" },
		{ "{} {}", "two objects" },
		{ "{\"nickname\":\"abcd\"} 1", "a trailing number" },
		{ "{'nickname':'abcd'}", "single quotes" },
		{ "{\"nickname\":\"abcd\",\"id\":NaN}", "NaN" },
		{ "{\"nickname\":\"abcd\",\"id\":Infinity}", "Infinity" },
		{ "{\"nickname\":\"abcd\",\"id\":-Infinity}", "-Infinity" },
		{ "{\"nickname\":\"abcd\",\"id\":1.}", "the number 1." },
		{ "{\"nickname\":\"abcd\",\"id\":01}", "a leading zero" },
		{ "{\"nickname\":\"abcd\",\"id\":TRUE}", "TRUE" },
		{ "{\"nickname\":\"abcd\"/*c*/}", "a comment" },
		{ "{nickname:\"abcd\"}", "an unquoted key" },
		{ "{\"nickname\":\"ab\\x41\"}", "a bad escape" },
		{ "{\"nickname\":\"ab\\u12\"}", "a short \\u escape" },
		{ "\xef\xbb\xbf{\"nickname\":\"abcd\"}", "a byte order mark" },
		{ "{\"nickname\":\"ab\xffzz\"}", "the byte FF" },
		{ "{\"nickname\":\"ab\xc0\xafzz\"}", "an overlong /" },
		{ "{\"nickname\":\"ab\xe0\x80\xafzz\"}", "a 3-byte overlong" },
		{ "{\"nickname\":\"ab\xf0\x80\x80\xafz\"}",
		    "a 4-byte overlong" },
		{ "{\"nickname\":\"abcd\",\"id\":\"a\nb\"}",
		    "a raw newline in a string" },
		{ "{\"nickname\":\"ab\xed\xa0\x80z\"}", "a UTF-8 surrogate" },
		{ "{\"nickname\":\"ab\xf4\x90\x80\x80z\"}", "above U+10FFFF" },
		{ "{\"nickname\":\"abcd\xc3\"}", "a cut sequence" },
		{ "{\"nickname\":\"abc\x80\"}", "a stray continuation byte" },
		{ "{\"nickname\":\"ab\\ud800cd\"}", "a lone high surrogate" },
		{ "{\"nickname\":\"ab\\udc00cd\"}", "a lone low surrogate" },
		{ "{\"nickname\":\"ab\\ud800\\ud800\"}", "two high halves" },
		{ "{\"nickname\":{\"a\":{\"b\":{\"c\":{\"d\":1}}}}}",
		    "deep nesting" },
	};
	struct user_fields f;
	char msg[MSGLEN];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&f, 0x55, sizeof(f));
		rc = check(bad[i].body, VALIDATE_UPDATE, &f, msg);
		ok(rc == -1 &&
		        strcmp(msg,
		            PREFIX "the body must be one JSON "
		                   "object") == 0 &&
		        f.present == 0,
		    "%s: 400 not an object", bad[i].what);
	}
	rc = validate_user_body("{\"nickname\":\"abcd\"}\0", 20,
	    VALIDATE_UPDATE, &f, msg, MSGLEN);
	ok(rc == -1, "a NUL byte after the object: 400");
	rc = validate_user_body("{\"nickname\":\"ab\0cd\"}", 20,
	    VALIDATE_UPDATE, &f, msg, MSGLEN);
	ok(rc == -1, "a raw NUL byte inside a string: 400");
	rc = validate_user_body(NULL, 0, VALIDATE_UPDATE, &f, msg, MSGLEN);
	ok(rc == -1, "no body at all: 400");
	rc = check("{\"nickname\":\"abcd\"} \r\n\t", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0, "trailing whitespace is fine");
	rc = check(" \n{\"nickname\" : \"abcd\" }", VALIDATE_UPDATE, &f, msg);
	ok(rc == 0, "leading and inner whitespace is fine");
	rc = check("{\"nickname\":\"a\\\"b\\\\c\\/d\"}", VALIDATE_UPDATE, &f,
	    msg);
	ok(rc == 0 && strcmp(user_text(&f, USER_NICKNAME), "a\"b\\c/d") == 0,
	    "JSON escapes decoded");
	rc = check("{\"nickname\":{\"a\":1}}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "nickname must be a string") != NULL,
	    "a nested object value: must be a string");
	rc = check("{\"nickname\":\"abcd\",\"id\":-1.5e+3}", VALIDATE_UPDATE,
	    &f, msg);
	ok(rc == 0, "a well-formed number in an ignored key is fine");
}

static void test_messages(void)
{
	struct user_fields f;
	char body[4096], msg[MSGLEN], full[MSGLEN], small[64 + 16];
	const char *nick, *mail;
	size_t cap;
	int rc, bad_utf8 = 0, overflow = 0;

	rc = check("{\"nickname\":\"ab\",\"email\":\"nope\","
	           "\"country_id\":\"A\"}",
	    VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strncmp(msg, PREFIX, strlen(PREFIX)) == 0,
	    "message starts with the contract prefix");
	ok(strstr(msg, "nickname must be a string of 4 to 50 characters") !=
	        NULL,
	    "nickname rule named: %s", msg);
	ok(strstr(msg, "email must be a string of 6 to 100 characters") != NULL,
	    "email rule named");
	ok(strstr(msg, "country_id must be a string of 2 to 5 characters") !=
	        NULL,
	    "country_id rule named");
	nick = strstr(msg, "nickname");
	mail = strstr(msg, "email");
	ok(nick != NULL && mail != NULL && nick < mail &&
	        strstr(msg, "characters; email") != NULL,
	    "rules in table order, separated by \"; \"");
	rc = check("{\"nickname\":\"abcd\",\"email\":\"ab@cdef\"}",
	    VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 &&
	        strcmp(msg,
	            PREFIX "email must be an address like "
	                   "local@domain.tld") == 0,
	    "exact single-rule message: %s", msg);

	/* Tiny buffers: never written past msglen, always terminated. */
	body_with(body, sizeof(body), "nickname", "1");
	for (cap = 1; cap <= 64; cap++) {
		memset(small, 'Z', sizeof(small));
		rc = validate_user_body(body, strlen(body), VALIDATE_ADD, &f,
		    small, cap);
		if (rc != -1 || strlen(small) != cap - 1 || small[cap] != 'Z' ||
		    small[63 + 1] != 'Z')
			overflow++;
	}
	ok(overflow == 0, "msglen 1..64: truncated, terminated, no overflow");
	memset(small, 'Z', sizeof(small));
	rc = validate_user_body(body, strlen(body), VALIDATE_ADD, &f, small, 0);
	ok(rc == -1 && small[0] == 'Z', "msglen 0: buffer untouched");
	memset(small, 'Z', sizeof(small));
	rc = validate_user_body(body, strlen(body), VALIDATE_ADD, &f, small, 1);
	ok(rc == -1 && small[0] == '\0' && small[1] == 'Z',
	    "msglen 1: empty string");

	/* Cutting a multi-byte key in the middle keeps UTF-8 whole. */
	strcpy(body,
	    "{\"\xc3\xb3\xc3\xb3\xe2\x82\xac\xe2\x82\xac"
	    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\":1}");
	check(body, VALIDATE_UPDATE, &f, full);
	for (cap = strlen(PREFIX) + 10; cap < strlen(PREFIX) + 40; cap++) {
		rc = validate_user_body(body, strlen(body), VALIDATE_UPDATE, &f,
		    msg, cap);
		if (rc != -1 || !utf8_complete(msg) || strlen(msg) >= cap ||
		    strncmp(msg, full, strlen(msg)) != 0)
			bad_utf8++;
	}
	ok(bad_utf8 == 0, "truncation keeps a prefix and whole characters");

	rc = check("{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}",
	    VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 &&
	        strstr(msg, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"") != NULL,
	    "a long unknown key is shortened: %s", msg);
	rc = check("{\"a\\u0001b\":1}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "\"a?b\"") != NULL,
	    "controls in an unknown key are shown as ?");
	rc = check("{\"a\\u202eb\":1}", VALIDATE_UPDATE, &f, msg);
	ok(rc == -1 && strstr(msg, "\"a?b\"") != NULL,
	    "a bidi override in an unknown key is shown as ?: %s", msg);
}

int main(void)
{
	test_valid();
	test_lengths();
	test_email();
	test_trim_and_controls();
	test_types_and_keys();
	test_not_an_object();
	test_messages();
	return tap_done();
}
