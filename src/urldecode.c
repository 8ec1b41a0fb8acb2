/* Percent-decoding (exactly once) of request paths and query strings; every
 * decoded value must then pass the strict UTF-8 check of utf8.c. */
#include "urldecode.h"

#include "utf8.h"

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
