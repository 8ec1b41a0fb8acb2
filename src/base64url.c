/* The unpadded base64url decoder (RFC 4648, section 5): ASCII-only and
 * table-free, so no locale or character set can change what it accepts. */
#include "base64url.h"

int base64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

size_t base64url_decoded_len(size_t len)
{
	/* Four characters are three bytes; two or three more are one or
	 * two; one more is six bits, no byte. No overflow for any len. */
	return len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
}

int base64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outlen, size_t *n, enum base64url_mode mode)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0;

	if ((mode == BASE64URL_CANONICAL && len % 4 == 1) ||
	    base64url_decoded_len(len) > outlen)
		return -1;
	for (i = 0; i < len; i++) {
		int v = base64url_value((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (mode == BASE64URL_CANONICAL && bits > 0 &&
	    (acc & ((1ul << bits) - 1)) != 0)
		return -1;
	*n = o;
	return 0;
}
