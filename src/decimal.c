/* Decimal integers without strtol: it skips spaces, takes a sign and stops
 * quietly at the first non-digit, and each caller wants less than that. */
#include "decimal.h"

#include <limits.h>

/* The magnitude of a long's most negative value. */
#define MAGNITUDE_MAX ((unsigned long)LONG_MAX + 1)

/* 1 when s starts with a sign the flags allow, else 0; sets *negative. */
static size_t sign_length(const char *s, size_t len, unsigned int flags,
    int *negative)
{
	*negative = 0;
	if (len > 0 && s[0] == '-' && (flags & DECIMAL_MINUS)) {
		*negative = 1;
		return 1;
	}
	return len > 0 && s[0] == '+' && (flags & DECIMAL_PLUS) ? 1 : 0;
}

enum decimal_result decimal_parse(const char *s, size_t len, long min, long max,
    unsigned int flags, long *out)
{
	unsigned long mag = 0;
	int negative, over = 0;
	size_t i = sign_length(s, len, flags, &negative);
	long v;

	if (i == len ||
	    (!(flags & DECIMAL_ZEROS) && s[i] == '0' && len - i > 1))
		return DECIMAL_SYNTAX;
	for (; i < len; i++) {
		unsigned int d = (unsigned int)(unsigned char)s[i] - '0';

		if (d > 9)
			return DECIMAL_SYNTAX;
		/* Past a long's reach the magnitude stops growing, so any
		 * number of digits is read without overflow. */
		if (over || mag > (MAGNITUDE_MAX - d) / 10)
			over = 1;
		else
			mag = mag * 10 + d;
	}
	if (over || (!negative && mag > (unsigned long)LONG_MAX))
		return DECIMAL_RANGE;
	if (!negative)
		v = (long)mag;
	else if (mag == MAGNITUDE_MAX)
		v = LONG_MIN;
	else
		v = -(long)mag;
	if (v < min || v > max)
		return DECIMAL_RANGE;
	*out = v;
	return DECIMAL_OK;
}
