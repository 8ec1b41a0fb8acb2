/* Unit tests for utf8.c: code points decoded, every ill-formed sequence
 * refused (held against Unicode's table 3-7 as byte ranges, every 1-, 2-
 * and 3-byte input and every 4-byte lead), validity and length. */
#include <string.h>

#include "tap.h"
#include "utf8.h"

/* Decodes the first sequence of s (len bytes); *next is where it ended. */
static long decode(const char *s, size_t len, size_t *next)
{
	*next = 0;
	return utf8_decode((const unsigned char *)s, len, next);
}

/* Decodes exactly one sequence: code point want, all len bytes used. */
static int decodes_to(const char *s, size_t len, long want)
{
	size_t next;

	return decode(s, len, &next) == want && next == len;
}

static int refused(const char *s, size_t len)
{
	size_t next;

	return decode(s, len, &next) == -1 && next == 0;
}

/*
 * Table 3-7 of the Unicode standard ("well-formed UTF-8 byte sequences"):
 * the length of the well-formed sequence at s, or 0. Written as byte
 * ranges, independently of utf8.c's arithmetic.
 */
static size_t table_3_7(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (len < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

/* utf8_decode and table 3-7 agree on s[0..len): same length or both refuse. */
static int agrees(const unsigned char *s, size_t len)
{
	size_t next = 0, want = table_3_7(s, len);
	long cp = utf8_decode(s, len, &next);

	return want == 0 ? cp == -1 && next == 0 : cp >= 0 && next == want;
}

static void test_decode(void)
{
	size_t next;

	ok(decodes_to("A", 1, 0x41), "ASCII A is U+0041");
	ok(decodes_to("\0", 1, 0), "NUL decodes to 0");
	ok(decodes_to("\x7F", 1, 0x7F), "DEL is U+007F");
	ok(decodes_to("\xC2\x80", 2, 0x80), "C2 80 is U+0080");
	ok(decodes_to("\xC3\x93", 2, 0xD3), "O acute is U+00D3");
	ok(decodes_to("\xDF\xBF", 2, 0x7FF), "DF BF is U+07FF");
	ok(decodes_to("\xE0\xA0\x80", 3, 0x800), "E0 A0 80 is U+0800");
	ok(decodes_to("\xE2\x82\xAC", 3, 0x20AC), "euro sign is U+20AC");
	ok(decodes_to("\xE2\x80\xAE", 3, 0x202E), "RLO is U+202E");
	ok(decodes_to("\xED\x9F\xBF", 3, 0xD7FF), "U+D7FF, below surrogates");
	ok(decodes_to("\xEE\x80\x80", 3, 0xE000), "U+E000, above surrogates");
	ok(decodes_to("\xEF\xBF\xBF", 3, 0xFFFF), "EF BF BF is U+FFFF");
	ok(decodes_to("\xF0\x90\x80\x80", 4, 0x10000), "U+10000");
	ok(decodes_to("\xF0\x9F\x98\x80", 4, 0x1F600), "emoji U+1F600");
	ok(decodes_to("\xF4\x8F\xBF\xBF", 4, 0x10FFFF), "U+10FFFF");
	ok(refused("\x80", 1), "stray continuation byte refused");
	ok(refused("\xC0\x80", 2), "overlong NUL (C0 80) refused");
	ok(refused("\xC1\xBF", 2), "overlong C1 refused");
	ok(refused("\xE0\x9F\xBF", 3), "overlong 3-byte refused");
	ok(refused("\xF0\x8F\xBF\xBF", 4), "overlong 4-byte refused");
	ok(refused("\xED\xA0\x80", 3), "high surrogate U+D800 refused");
	ok(refused("\xED\xBF\xBF", 3), "low surrogate U+DFFF refused");
	ok(refused("\xF4\x90\x80\x80", 4), "U+110000 refused");
	ok(refused("\xF5\x80\x80\x80", 4), "F5 lead refused");
	ok(refused("\xFF", 1), "FF refused");
	ok(refused("\xC3", 1), "2-byte sequence cut by len refused");
	ok(refused("\xE2\x82", 2), "3-byte sequence cut by len refused");
	ok(refused("\xF0\x9F\x98", 3), "4-byte sequence cut by len refused");
	ok(refused("\xC3\x41", 2), "ASCII in place of a continuation refused");
	ok(refused("\xE2\xC3\x93", 3), "a lead in place of a continuation");
	next = 1;
	ok(utf8_decode((const unsigned char *)"a\xC3\x93z", 4, &next) == 0xD3 &&
	        next == 3,
	    "decodes from *i and moves it past the sequence");
}

/* Every input of up to three bytes, and every 4-byte lead with every
 * second byte: decode and table 3-7 agree. */
static void test_table(void)
{
	unsigned char s[4];
	unsigned a, b, c, bad = 0;

	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		bad += !agrees(s, 1);
		for (b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			bad += !agrees(s, 2);
			for (c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				bad += !agrees(s, 3);
				s[3] = 0x80;
				bad += !agrees(s, 4);
				s[3] = 0x41;
				bad += !agrees(s, 4);
			}
		}
	}
	ok(bad == 0,
	    "table 3-7 holds for every 1- to 3-byte input and the "
	    "4-byte ones ending in 80 or 41 (%u disagree)",
	    bad);
}

static void test_valid(void)
{
	ok(utf8_valid("", 0) == 1, "empty is valid");
	ok(utf8_valid("caf\xC3\xA9", 5) == 1, "cafe with an accent is valid");
	ok(utf8_valid("\xF0\x9F\x98\x80", 4) == 1, "emoji is valid");
	ok(utf8_valid("a\0b", 3) == 0, "NUL inside len is invalid");
	ok(utf8_valid("\0", 1) == 0, "NUL alone is invalid");
	ok(utf8_valid("ab\xC3", 3) == 0, "cut at the end is invalid");
	ok(utf8_valid("\xC3\x93\x80", 3) == 0, "a trailing continuation");
	ok(utf8_valid("\xC0\xAF", 2) == 0, "overlong slash is invalid");
	ok(utf8_valid("abc", 2) == 1, "validity honours len");
}

static void test_length(void)
{
	ok(utf8_length("", 0) == 0, "length of empty is 0");
	ok(utf8_length("caf\xC3\xA9", 5) == 4, "cafe with an accent is 4");
	ok(utf8_length("\xE2\x82\xAC\xF0\x9F\x98\x80", 7) == 2,
	    "euro sign and emoji are 2");
	ok(utf8_length("\xF4\x8F\xBF\xBF", 4) == 1, "U+10FFFF is 1");
}

int main(void)
{
	test_decode();
	test_table();
	test_valid();
	test_length();
	return tap_done();
}
