/* Percent-decoding (exactly once) of request paths and query strings, and
 * the strict UTF-8 check every decoded value must pass. */
#include "urldecode.h"

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int urldecode(const char *src, size_t len, char *dst, size_t *dst_len,
    enum urldecode_mode mode)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			if (len - i < 3)
				goto fail;
			hi = hex_value((unsigned char)src[i + 1]);
			lo = hex_value((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				goto fail;
			dst[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && mode == URLDECODE_FORM) {
			dst[n++] = ' ';
		} else {
			dst[n++] = (char)c;
		}
	}
	dst[n] = '\0';
	/* One check of the output covers both decoded bytes and raw ones. */
	if (!utf8_valid(dst, n))
		goto fail;
	if (dst_len != NULL)
		*dst_len = n;
	return 0;
fail:
	dst[0] = '\0';
	if (dst_len != NULL)
		*dst_len = 0;
	return -1;
}

/*
 * Length of the well-formed sequence starting at s[0] (Unicode table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (s[0] == 0x00)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;       /* stray continuation, C0/C1, F5..FF */
	if (s[0] == 0xE0)
		lo = 0xA0;      /* overlong below U+0800 */
	else if (s[0] == 0xED)
		hi = 0x9F;      /* surrogates U+D800..U+DFFF */
	else if (s[0] == 0xF0)
		lo = 0x90;      /* overlong below U+10000 */
	else if (s[0] == 0xF4)
		hi = 0x8F;      /* above U+10FFFF */
	if (left < need)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_sequence(p + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
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
