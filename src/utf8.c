/* Strict UTF-8 decoding, validity and length; see utf8.h. */
#include "utf8.h"

/*
 * The shortest form only: the lead byte says how many continuation bytes
 * follow and the smallest code point they may spell, so overlong forms
 * fail the min test; surrogates and code points above U+10FFFF are refused
 * by value.
 */
long utf8_decode(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	long cp, min;
	size_t n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		cp = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		cp = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -1; /* stray continuation, C0/C1, F5..FF */
	}
	if (len - *i <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[*i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += n + 1;
	return cp;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	/* NUL is well formed but would cut the value short as a C string. */
	while (i < len)
		if (utf8_decode(p, len, &i) <= 0)
			return 0;
	return 1;
}

size_t utf8_length(const char *s, size_t len)
{
	size_t i, count = 0;

	/* Every code point has exactly one byte that is not 10xxxxxx. */
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}
