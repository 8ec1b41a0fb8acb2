/* Unit tests for urldecode.c: escapes decoded once, '+' per mode, strict
 * UTF-8 (overlong, surrogates, range, truncation, NUL), code point counts. */
#include <string.h>

#include "tap.h"
#include "urldecode.h"
#include "utf8.h"

/* Decodes s; returns the decode result, the text in out (room 256). */
static int dec(const char *s, enum urldecode_mode mode, char *out,
    size_t *out_len)
{
	size_t n = 12345;
	int rc;

	memset(out, 'X', 256);
	rc = urldecode(s, strlen(s), out, &n, mode);
	if (out_len != NULL)
		*out_len = n;
	return rc;
}

/* Decodes to exactly want (and its length) in mode. */
static int decodes_to(const char *s, enum urldecode_mode mode, const char *want)
{
	char out[256];
	size_t n;

	if (dec(s, mode, out, &n) != 0)
		return 0;
	return n == strlen(want) && strcmp(out, want) == 0;
}

static int rejected(const char *s, enum urldecode_mode mode)
{
	char out[256];

	return dec(s, mode, out, NULL) == -1;
}

static void test_escapes(void)
{
	char out[256];
	size_t n;

	ok(decodes_to("", URLDECODE_PATH, ""), "empty input decodes to empty");
	ok(decodes_to("abc", URLDECODE_PATH, "abc"), "plain text unchanged");
	ok(decodes_to("%40", URLDECODE_PATH, "@"), "%%40 is @");
	ok(decodes_to("a%2fb", URLDECODE_PATH, "a/b"), "lower-case hex");
	ok(decodes_to("%2F", URLDECODE_PATH, "/"), "%%2F is a slash");
	ok(decodes_to("%2540", URLDECODE_PATH, "%40"),
	    "%%2540 decodes once to %%40");
	ok(decodes_to("%252F", URLDECODE_FORM, "%2F"),
	    "%%252F decodes once to %%2F");
	ok(decodes_to("%25", URLDECODE_PATH, "%"), "%%25 is %%");
	ok(decodes_to("100%25%5F%5C", URLDECODE_PATH, "100%_\\"),
	    "%%, _ and backslash escapes");
	ok(decodes_to("%7E%7e", URLDECODE_PATH, "~~"), "mixed-case hex digits");
	ok(rejected("%", URLDECODE_PATH), "lone %% rejected");
	ok(rejected("abc%", URLDECODE_PATH), "trailing %% rejected");
	ok(rejected("%4", URLDECODE_PATH), "%%4 (one digit) rejected");
	ok(rejected("a%4", URLDECODE_FORM), "trailing %%4 rejected in form");
	ok(rejected("%G1", URLDECODE_PATH), "%%G1 rejected");
	ok(rejected("%1G", URLDECODE_PATH), "%%1G rejected");
	ok(rejected("%zz", URLDECODE_PATH), "%%zz rejected");
	ok(rejected("%%41", URLDECODE_PATH), "%%%%41 rejected");
	ok(rejected("% 1", URLDECODE_PATH), "%% followed by space rejected");
	/* The length bounds the input: an escape may not run past it. */
	n = 99;
	ok(urldecode("%41", 2, out, &n, URLDECODE_PATH) == -1,
	    "escape cut by len rejected");
	ok(urldecode("ab%41", 2, out, &n, URLDECODE_PATH) == 0 && n == 2 &&
	        strcmp(out, "ab") == 0,
	    "len stops before a later escape");
	ok(dec("%ZZ", URLDECODE_PATH, out, &n) == -1 && out[0] == '\0' &&
	        n == 0,
	    "failure leaves an empty string and length 0");
}

static void test_plus(void)
{
	ok(decodes_to("a+b", URLDECODE_PATH, "a+b"), "path keeps +");
	ok(decodes_to("a+b", URLDECODE_FORM, "a b"), "form maps + to space");
	ok(decodes_to("++", URLDECODE_FORM, "  "), "form maps every +");
	ok(decodes_to("%2B", URLDECODE_FORM, "+"), "form %%2B is +");
	ok(decodes_to("%2B", URLDECODE_PATH, "+"), "path %%2B is +");
	ok(decodes_to("%20", URLDECODE_PATH, " "), "path %%20 is space");
}

static void test_utf8(void)
{
	ok(decodes_to("RAM%C3%93N2022", URLDECODE_PATH, "RAM\xC3\x93N2022"),
	    "two-byte sequence decoded");
	ok(decodes_to("RAM\xC3\x93N", URLDECODE_PATH, "RAM\xC3\x93N"),
	    "raw valid UTF-8 passes");
	ok(decodes_to("%E2%82%AC", URLDECODE_PATH, "\xE2\x82\xAC"),
	    "three-byte euro sign");
	ok(decodes_to("%F0%9F%98%80", URLDECODE_PATH, "\xF0\x9F\x98\x80"),
	    "four-byte emoji");
	ok(decodes_to("%F4%8F%BF%BF", URLDECODE_PATH, "\xF4\x8F\xBF\xBF"),
	    "U+10FFFF accepted");
	ok(decodes_to("%EF%BF%BF", URLDECODE_PATH, "\xEF\xBF\xBF"),
	    "U+FFFF accepted");
	ok(decodes_to("%ED%9F%BF", URLDECODE_PATH, "\xED\x9F\xBF"),
	    "U+D7FF (below surrogates) accepted");
	ok(decodes_to("%EE%80%80", URLDECODE_PATH, "\xEE\x80\x80"),
	    "U+E000 (above surrogates) accepted");
	ok(decodes_to("%C2%80", URLDECODE_PATH, "\xC2\x80"),
	    "U+0080 smallest two-byte accepted");
	ok(decodes_to("%E0%A0%80", URLDECODE_PATH, "\xE0\xA0\x80"),
	    "U+0800 smallest three-byte accepted");
	ok(decodes_to("%F0%90%80%80", URLDECODE_PATH, "\xF0\x90\x80\x80"),
	    "U+10000 smallest four-byte accepted");
	ok(decodes_to("%7F", URLDECODE_PATH, "\x7F"), "U+007F accepted");

	ok(rejected("%C0%AF", URLDECODE_PATH), "overlong %%C0%%AF rejected");
	ok(rejected("%C1%BF", URLDECODE_PATH), "overlong %%C1%%BF rejected");
	ok(rejected("%C0%80", URLDECODE_PATH), "overlong NUL rejected");
	ok(rejected("%E0%80%AF", URLDECODE_PATH),
	    "overlong three-byte rejected");
	ok(rejected("%E0%9F%BF", URLDECODE_PATH), "overlong U+07FF rejected");
	ok(rejected("%F0%80%80%AF", URLDECODE_PATH),
	    "overlong four-byte rejected");
	ok(rejected("%F0%8F%BF%BF", URLDECODE_PATH),
	    "overlong U+FFFF rejected");
	ok(rejected("%ED%A0%80", URLDECODE_PATH), "surrogate U+D800 rejected");
	ok(rejected("%ED%BF%BF", URLDECODE_PATH), "surrogate U+DFFF rejected");
	ok(rejected("%ED%A0%BD%ED%B8%80", URLDECODE_PATH),
	    "CESU surrogate pair rejected");
	ok(rejected("%F4%90%80%80", URLDECODE_PATH), "U+110000 rejected");
	ok(rejected("%F5%80%80%80", URLDECODE_PATH), "lead byte F5 rejected");
	ok(rejected("%FF", URLDECODE_PATH), "byte FF rejected");
	ok(rejected("%FE", URLDECODE_PATH), "byte FE rejected");
	ok(rejected("%C3", URLDECODE_PATH), "truncated two-byte rejected");
	ok(rejected("%C3A", URLDECODE_PATH), "lead byte then ASCII rejected");
	ok(rejected("%E2%82", URLDECODE_PATH), "truncated three-byte rejected");
	ok(rejected("%F0%9F%98", URLDECODE_PATH),
	    "truncated four-byte rejected");
	ok(rejected("%80", URLDECODE_PATH), "stray continuation rejected");
	ok(rejected("a%BFb", URLDECODE_PATH), "stray continuation mid-text");
	ok(rejected("%C3%93%93", URLDECODE_PATH),
	    "extra continuation after a sequence rejected");
	ok(rejected("%00", URLDECODE_PATH), "decoded NUL rejected");
	ok(rejected("a%00b", URLDECODE_FORM), "decoded NUL mid-text rejected");
	ok(rejected("RAM\xC3N", URLDECODE_PATH), "raw truncated byte rejected");
	ok(rejected("\xC0\xAF", URLDECODE_PATH), "raw overlong rejected");
	ok(rejected("\xED\xA0\x80", URLDECODE_FORM), "raw surrogate rejected");
	ok(rejected("\x80", URLDECODE_FORM), "raw continuation rejected");
	ok(decodes_to("%C3\x93", URLDECODE_PATH, "\xC3\x93"),
	    "escaped lead byte plus raw continuation is valid");
}

static void test_raw_nul(void)
{
	char out[8];
	size_t n;

	ok(urldecode("a\0b", 3, out, &n, URLDECODE_PATH) == -1,
	    "raw NUL inside len rejected");
}

static void test_utf8_valid(void)
{
	ok(utf8_valid("", 0) == 1, "empty is valid");
	ok(utf8_valid("abc", 3) == 1, "ASCII is valid");
	ok(utf8_valid("\xC3\x93", 2) == 1, "O acute is valid");
	ok(utf8_valid("\xC3\x93", 1) == 0, "cut by len is invalid");
	ok(utf8_valid("a\0", 2) == 0, "NUL is invalid");
	ok(utf8_valid("\xE0\x80\x80", 3) == 0, "overlong is invalid");
	ok(utf8_valid("\xED\xA0\x80", 3) == 0, "surrogate is invalid");
	ok(utf8_valid("\xF4\x90\x80\x80", 4) == 0, "above U+10FFFF invalid");
}

static void test_length(void)
{
	ok(utf8_length("", 0) == 0, "length of empty is 0");
	ok(utf8_length("abc", 3) == 3, "ASCII length counts bytes");
	ok(utf8_length("RAM\xC3\x93N", 6) == 5, "RAM\\u00d3N is 5 code points");
	ok(utf8_length("\xE2\x82\xAC", 3) == 1, "euro sign is 1 code point");
	ok(utf8_length("\xF0\x9F\x98\x80x", 5) == 2, "emoji + x is 2");
	ok(utf8_length("\xC3\xA1\xC3\xA9\xC3\xAD", 6) == 3, "three accents 3");
	ok(utf8_length("abcdef", 2) == 2, "length honours len");
}

int main(void)
{
	test_escapes();
	test_plus();
	test_utf8();
	test_raw_nul();
	test_utf8_valid();
	test_length();
	return tap_done();
}
