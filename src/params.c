/* Checks of path values and headers, after one percent-decoding pass. */
#include "params.h"

#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "urldecode.h"
#include "utf8.h"

/* Ids and days are short: anything longer than this is already invalid. */
#define SHORT_VALUE_MAX 32

static int decode_short(const char *raw, size_t len, char *buf, size_t *out)
{
	if (len == 0 || len >= SHORT_VALUE_MAX)
		return -1;
	return urldecode(raw, len, buf, out, URLDECODE_PATH);
}

static int all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

int params_id(const char *raw, size_t len, long *id)
{
	char buf[SHORT_VALUE_MAX];
	size_t n, i;
	long value = 0;

	if (decode_short(raw, len, buf, &n) != 0)
		return -1;
	/* 2147483647 has ten digits; a leading zero is not canonical. */
	if (!all_digits(buf, n) || n > 10 || buf[0] == '0')
		return -1;
	for (i = 0; i < n; i++)
		value = value * 10 + (buf[i] - '0');
	if (value > 2147483647L)
		return -1;
	*id = value;
	return 0;
}

static int number(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int params_day(const char *raw, size_t len, int *year, int *month, int *day)
{
	char buf[SHORT_VALUE_MAX];
	size_t n;
	int y, m, d;

	if (decode_short(raw, len, buf, &n) != 0 || n != 10)
		return -1;
	if (buf[4] != '-' || buf[7] != '-' || !all_digits(buf, 4) ||
	    !all_digits(buf + 5, 2) || !all_digits(buf + 8, 2))
		return -1;
	y = number(buf, 4);
	m = number(buf + 5, 2);
	d = number(buf + 8, 2);
	if (y < 1000 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*year = y;
	*month = m;
	*day = d;
	return 0;
}

int params_text(const char *raw, size_t len, char *buf, size_t *out_len)
{
	size_t chars;

	/* Longer raw text cannot decode to 100 characters or fewer. */
	if (len == 0 || len > PARAMS_TEXT_RAW_MAX)
		return -1;
	if (urldecode(raw, len, buf, out_len, URLDECODE_PATH) != 0)
		return -1;
	chars = utf8_length(buf, *out_len);
	return chars >= 1 && chars <= PARAMS_TEXT_MAX_CHARS ? 0 : -1;
}

int params_is_json(const char *content_type)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;
	const char *rest;

	if (content_type == NULL || strncasecmp(content_type, json, n) != 0)
		return 0;
	rest = content_type + n;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	return *rest == '\0' || *rest == ';';
}
