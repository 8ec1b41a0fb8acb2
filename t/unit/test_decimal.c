/* Unit tests for decimal.c: the canonical spelling and each flag, the
 * bounds, overflow however long the input, and every short input compared
 * with a strtol-based reference. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "tap.h"

/* decimal_parse on a C string; *out is -7 when it was left alone. */
static enum decimal_result parse(const char *s, long min, long max,
    unsigned int flags, long *out)
{
	*out = -7;
	return decimal_parse(s, strlen(s), min, max, flags, out);
}

static int gives(const char *s, long min, long max, unsigned int flags,
    long want)
{
	long v;

	return parse(s, min, max, flags, &v) == DECIMAL_OK && v == want;
}

static int result(const char *s, long min, long max, unsigned int flags,
    enum decimal_result want)
{
	long v;

	return parse(s, min, max, flags, &v) == want && v == -7;
}

/* What decimal.h promises, written with strtol and a spelling check. */
static enum decimal_result reference(const char *s, long min, long max,
    unsigned int flags, long *out)
{
	const char *digits = s;
	long v;

	if ((*s == '-' && (flags & DECIMAL_MINUS)) ||
	    (*s == '+' && (flags & DECIMAL_PLUS)))
		digits++;
	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return DECIMAL_SYNTAX;
	if (!(flags & DECIMAL_ZEROS) && digits[0] == '0' && digits[1] != '\0')
		return DECIMAL_SYNTAX;
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		return DECIMAL_RANGE;
	*out = v;
	return DECIMAL_OK;
}

static void test_canonical(void)
{
	ok(gives("0", 0, 100, DECIMAL_CANONICAL, 0), "0 is canonical");
	ok(gives("7", 0, 100, DECIMAL_CANONICAL, 7), "7");
	ok(gives("100", 0, 100, DECIMAL_CANONICAL, 100), "the max itself");
	ok(gives("2147483647", 1, 2147483647L, DECIMAL_CANONICAL, 2147483647L),
	    "2147483647, the largest id");
	ok(result("", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX), "empty");
	ok(result("01", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "a leading zero");
	ok(result("00", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX), "00");
	ok(result("-1", -5, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "a minus sign");
	ok(result("+1", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "a plus sign");
	ok(result(" 1", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "a leading space");
	ok(result("1 ", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "a trailing space");
	ok(result("1x", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "trailing garbage");
	ok(result("0x1", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX), "hex");
	ok(result("1.0", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "a fraction");
	ok(result("\xD9\xA1", 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "an Arabic-Indic digit");
	ok(result("0", 1, 100, DECIMAL_CANONICAL, DECIMAL_RANGE),
	    "0 below min 1 is out of range");
	ok(result("101", 0, 100, DECIMAL_CANONICAL, DECIMAL_RANGE),
	    "101 above max 100 is out of range");
	ok(result("2147483648", 1, 2147483647L, DECIMAL_CANONICAL,
	       DECIMAL_RANGE),
	    "2147483648 above the largest id");
}

static void test_flags(void)
{
	ok(gives("010", 0, 100, DECIMAL_ZEROS, 10), "ZEROS: 010 is ten");
	ok(gives("0000", 0, 100, DECIMAL_ZEROS, 0), "ZEROS: 0000 is 0");
	ok(result("-1", -5, 5, DECIMAL_ZEROS, DECIMAL_SYNTAX),
	    "ZEROS alone: no sign");
	ok(gives("-5", -5, 5, DECIMAL_MINUS, -5), "MINUS: -5");
	ok(gives("-0", -5, 5, DECIMAL_MINUS, 0), "MINUS: -0 is 0");
	ok(result("-", -5, 5, DECIMAL_MINUS, DECIMAL_SYNTAX),
	    "MINUS: a sign alone");
	ok(result("--5", -5, 5, DECIMAL_MINUS, DECIMAL_SYNTAX),
	    "MINUS: two signs");
	ok(result("+5", -5, 5, DECIMAL_MINUS, DECIMAL_SYNTAX),
	    "MINUS alone: no plus");
	ok(result("-6", -5, 5, DECIMAL_MINUS, DECIMAL_RANGE),
	    "MINUS: -6 below min -5");
	ok(result("-5", 0, 5, DECIMAL_MINUS, DECIMAL_RANGE),
	    "MINUS: -5 below min 0 is out of range, not bad spelling");
	ok(gives("+5", -5, 5, DECIMAL_PLUS, 5), "PLUS: +5");
	ok(result("-5", -5, 5, DECIMAL_PLUS, DECIMAL_SYNTAX),
	    "PLUS alone: no minus");
	ok(result("+-5", -5, 5, DECIMAL_PLUS | DECIMAL_MINUS, DECIMAL_SYNTAX),
	    "PLUS | MINUS: one sign only");
	ok(result("-05", -5, 5, DECIMAL_MINUS, DECIMAL_SYNTAX),
	    "MINUS without ZEROS: -05 is not canonical");
	ok(gives("-05", -5, 5, DECIMAL_MINUS | DECIMAL_ZEROS, -5),
	    "MINUS | ZEROS: -05");
}

static void test_limits(void)
{
	char huge[200];
	long v;

	ok(gives("9223372036854775807", LONG_MIN, LONG_MAX, DECIMAL_CANONICAL,
	       LONG_MAX),
	    "LONG_MAX");
	ok(gives("-9223372036854775808", LONG_MIN, LONG_MAX, DECIMAL_MINUS,
	       LONG_MIN),
	    "LONG_MIN");
	ok(result("9223372036854775808", LONG_MIN, LONG_MAX, DECIMAL_CANONICAL,
	       DECIMAL_RANGE),
	    "LONG_MAX + 1 is out of range");
	ok(result("-9223372036854775809", LONG_MIN, LONG_MAX, DECIMAL_MINUS,
	       DECIMAL_RANGE),
	    "LONG_MIN - 1 is out of range");
	ok(result("18446744073709551626", LONG_MIN, LONG_MAX, DECIMAL_CANONICAL,
	       DECIMAL_RANGE),
	    "2^64 + 10 does not wrap around to 10");
	memset(huge, '9', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	ok(result(huge, 0, 100, DECIMAL_CANONICAL, DECIMAL_RANGE),
	    "199 nines: out of range, no overflow");
	huge[150] = 'x';
	ok(result(huge, 0, 100, DECIMAL_CANONICAL, DECIMAL_SYNTAX),
	    "bad spelling after the overflow is still bad spelling");
	memset(huge, '0', sizeof(huge) - 1);
	huge[sizeof(huge) - 2] = '7';
	ok(gives(huge, 0, 100, DECIMAL_ZEROS, 7), "ZEROS: 198 zeros then 7");
	ok(decimal_parse("12345", 2, 0, 100, 0, &v) == DECIMAL_OK && v == 12,
	    "len, not NUL, ends the number");
	ok(decimal_parse("1", 0, 0, 100, 0, &v) == DECIMAL_SYNTAX,
	    "len 0 is empty");
}

/* Under how many flag sets decimal_parse and the reference differ on s. */
static size_t disagreements(const char *s, long min, long max)
{
	size_t bad = 0;
	unsigned int flags;

	for (flags = 0; flags < 8; flags++) {
		long got = -7, want = -7;

		if (reference(s, min, max, flags, &want) !=
		        parse(s, min, max, flags, &got) ||
		    got != want)
			bad++;
	}
	return bad;
}

/* Every string of up to four characters of "0159-+ x", under each flag
 * set and three bounds, agrees with the reference. */
static void test_reference(void)
{
	static const char alphabet[] = "0159-+ x";
	static const size_t base = sizeof(alphabet) - 1;
	char s[5];
	size_t n, i, k, count = 0, bad = 0, total = 1;

	for (n = 1; n <= 4; n++) {
		total *= base;
		for (i = 0; i < total; i++) {
			size_t x = i;

			for (k = 0; k < n; k++, x /= base)
				s[k] = alphabet[x % base];
			s[n] = '\0';
			bad += disagreements(s, 0, 2147483647L);
			bad += disagreements(s, 1, 100);
			bad += disagreements(s, -100, 15);
			count += 3 * 8;
		}
	}
	ok(bad == 0,
	    "%zu parses of short inputs agree with strtol (%zu do not)", count,
	    bad);
}

int main(void)
{
	test_canonical();
	test_flags();
	test_limits();
	test_reference();
	return tap_done();
}
