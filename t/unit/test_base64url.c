/* Unit tests of base64url.c: RFC 4648's test vectors in the url alphabet,
 * each class of byte outside it, every length mod 4, both modes, and an
 * output buffer too small. */
#include <string.h>

#include "base64url.h"
#include "tap.h"

/* Whether text decodes in mode to want (NULL: must fail). */
static int decodes(const char *text, enum base64url_mode mode, const char *want,
    size_t want_len)
{
	unsigned char out[64];
	size_t n = 0;
	int rc =
	    base64url_decode(text, strlen(text), out, sizeof(out), &n, mode);

	if (want == NULL)
		return rc == -1;
	return rc == 0 && n == want_len && memcmp(out, want, n) == 0;
}

static int both(const char *text, const char *want, size_t want_len)
{
	return decodes(text, BASE64URL_LENIENT, want, want_len) &&
	    decodes(text, BASE64URL_CANONICAL, want, want_len);
}

/* RFC 4648, section 10; unpadded, and the same in the url alphabet. */
static void test_vectors(void)
{
	static const char *const v[][2] = { { "", "" }, { "Zg", "f" },
		{ "Zm8", "fo" }, { "Zm9v", "foo" }, { "Zm9vYg", "foob" },
		{ "Zm9vYmE", "fooba" }, { "Zm9vYmFy", "foobar" } };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ok(both(v[i][0], v[i][1], strlen(v[i][1])), "'%s' is '%s'",
		    v[i][0], v[i][1]);
	/* 62 and 63: '+' and '/' in the standard alphabet. */
	ok(both("-_-_", "\xfb\xff\xbf", 3), "'-_-_' is fb ff bf");
	ok(both("____", "\xff\xff\xff", 3), "'____' is ff ff ff");
	ok(both("AAAA", "\0\0\0", 3), "'AAAA' is three NULs");
	ok(both("-w", "\xfb", 1), "'-w' is fb");
	ok(both("_-8", "\xff\xef", 2), "'_-8' is ff ef");
}

static void test_values(void)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "abcdefghijklmnopqrstuvwxyz0123456789-_";
	int c, wrong = 0;

	for (c = 0; c < 256; c++) {
		const char *at = c != 0 ? strchr(alphabet, c) : NULL;
		int want = at != NULL ? (int)(at - alphabet) : -1;

		wrong += base64url_value((unsigned char)c) != want;
	}
	ok(wrong == 0, "every byte's value: its index in the alphabet, or -1");
}

/* One byte of each class outside the alphabet, at each position of a
 * four-character group: refused in both modes. */
static void test_invalid(void)
{
	static const struct {
		char c;
		const char *what;
	} bad[] = { { '+', "standard 62 '+'" }, { '/', "standard 63 '/'" },
		{ '=', "padding '='" }, { '.', "'.'" }, { ' ', "space" },
		{ '\t', "tab" }, { '\n', "newline" }, { '\x7f', "DEL" },
		{ '\x01', "control 01" }, { '\x80', "byte 80" },
		{ '\xc3', "UTF-8 lead c3" }, { '\xff', "byte ff" },
		{ '%', "'%'" }, { '@', "'@' (before 'A')" },
		{ '[', "'[' (after 'Z')" }, { '`', "'`' (before 'a')" },
		{ '{', "'{' (after 'z')" }, { ':', "':' (after '9')" } };
	size_t i;
	int pos;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int refused = 1;

		for (pos = 0; pos < 4; pos++) {
			char text[5] = "Zm9v";

			text[pos] = bad[i].c;
			refused &= decodes(text, BASE64URL_LENIENT, NULL, 0) &&
			    decodes(text, BASE64URL_CANONICAL, NULL, 0);
		}
		ok(refused, "%s refused at every position", bad[i].what);
	}
	ok(both("Zm8=", NULL, 0) && both("Zg==", NULL, 0),
	    "padded text refused");
	{
		unsigned char out[8];
		size_t n;

		ok(base64url_decode("Zm\0v", 4, out, sizeof(out), &n,
		       BASE64URL_LENIENT) == -1,
		    "a NUL inside the length refused");
	}
}

/* Lengths 0 .. 4 mod 4, and the unused bits of 2 and 3. */
static void test_lengths(void)
{
	size_t len;

	for (len = 0; len <= 9; len++)
		ok(base64url_decoded_len(len) == len * 6 / 8,
		    "%zu characters make %zu bytes", len, len * 6 / 8);
	ok(both("", "", 0), "length 0: nothing");
	ok(decodes("Z", BASE64URL_LENIENT, "", 0),
	    "length 1, lenient: six bits, no byte");
	ok(decodes("Z", BASE64URL_CANONICAL, NULL, 0),
	    "length 1, canonical: refused");
	ok(decodes("Zm9vZ", BASE64URL_LENIENT, "foo", 3),
	    "length 4n + 1, lenient: the last character dropped");
	ok(decodes("Zm9vZ", BASE64URL_CANONICAL, NULL, 0),
	    "length 4n + 1, canonical: refused");
	ok(both("Zm9vZg", "foof", 4), "length 4n + 2");
	ok(both("Zm9vZm8", "foofo", 5), "length 4n + 3");
	ok(both("Zm9vZm9v", "foofoo", 6), "length 4n + 4");
	ok(decodes("Zh", BASE64URL_LENIENT, "f", 1) &&
	        decodes("Zh", BASE64URL_CANONICAL, NULL, 0),
	    "length 2, unused bits set: lenient drops them, canonical refuses");
	ok(decodes("Zm9", BASE64URL_LENIENT, "fo", 2) &&
	        decodes("Zm9", BASE64URL_CANONICAL, NULL, 0),
	    "length 3, unused bits set: lenient drops them, canonical refuses");
}

static void test_bounds(void)
{
	unsigned char out[6];
	size_t n = 99;

	memset(out, 'x', sizeof(out));
	ok(base64url_decode("Zm9vYmFy", 8, out, 5, &n, BASE64URL_LENIENT) ==
	            -1 &&
	        n == 99 && out[0] == 'x',
	    "6 bytes into 5: refused, nothing written");
	ok(base64url_decode("Zm9vYmE", 7, out, 4, &n, BASE64URL_CANONICAL) ==
	        -1,
	    "5 bytes into 4: refused");
	ok(base64url_decode("Zm9vYmE", 7, out, 5, &n, BASE64URL_CANONICAL) ==
	            0 &&
	        n == 5 && memcmp(out, "fooba", 5) == 0,
	    "5 bytes into exactly 5");
	ok(base64url_decode("Zm9vZ", 5, out, 3, &n, BASE64URL_LENIENT) == 0 &&
	        n == 3,
	    "lenient 4n + 1 needs room for 3n only");
	ok(base64url_decode("", 0, NULL, 0, &n, BASE64URL_CANONICAL) == 0 &&
	        n == 0,
	    "empty text into no room");
	ok(base64url_decode("Zg", 2, out, 0, &n, BASE64URL_LENIENT) == -1,
	    "one byte into no room: refused");
}

int main(void)
{
	test_vectors();
	test_values();
	test_invalid();
	test_lengths();
	test_bounds();
	return tap_done();
}
