/* Checks of path values, query pairs and headers, after one percent-decoding
 * pass. */
#include "params.h"

#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "decimal.h"
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

int params_id(const char *raw, size_t len, long *id)
{
	char buf[SHORT_VALUE_MAX];
	size_t n;

	if (decode_short(raw, len, buf, &n) != 0 ||
	    decimal_parse(buf, n, 1, 2147483647L, DECIMAL_CANONICAL, id) !=
	        DECIMAL_OK)
		return -1;
	return 0;
}

/* A fixed-width field of a day: its digits, leading zeros included. */
static int day_field(const char *s, size_t len, long min, long max, long *out)
{
	return decimal_parse(s, len, min, max, DECIMAL_ZEROS, out) ==
	    DECIMAL_OK;
}

int params_day(const char *raw, size_t len, int *year, int *month, int *day)
{
	char buf[SHORT_VALUE_MAX];
	size_t n;
	long y, m, d;

	if (decode_short(raw, len, buf, &n) != 0 || n != 10 || buf[4] != '-' ||
	    buf[7] != '-')
		return -1;
	if (!day_field(buf, 4, 1000, 9999, &y) ||
	    !day_field(buf + 5, 2, 1, 12, &m) ||
	    !day_field(buf + 8, 2, 1, 31, &d) ||
	    d > days_in_month((int)y, (int)m))
		return -1;
	*year = (int)y;
	*month = (int)m;
	*day = (int)d;
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

int params_query_next(const char **pos, struct params_pair *pair)
{
	const char *p = *pos, *amp, *eq;
	size_t len = 0;

	while (len == 0) {
		if (p == NULL || *p == '\0')
			return 0;
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		pair->raw = p;
		p = amp != NULL ? amp + 1 : p + len;
	}
	*pos = p;
	eq = memchr(pair->raw, '=', len);
	pair->raw_len = len;
	pair->key_len = eq != NULL ? (size_t)(eq - pair->raw) : len;
	pair->value = eq != NULL ? eq + 1 : NULL;
	pair->value_len = eq != NULL ? len - pair->key_len - 1 : 0;
	return 1;
}

int params_query_decode(const char *raw, size_t len, char *buf, size_t size,
    size_t *out_len)
{
	if (len >= size)
		return -1;
	return urldecode(raw, len, buf, out_len, URLDECODE_FORM);
}

/* Whether the pair's key decodes to name. A key longer than name fully
 * percent-encoded cannot, so the buffer only needs room for that. */
static int key_is(const struct params_pair *pair, const char *name)
{
	char key[PARAMS_NAME_MAX * 3 + 1];
	size_t n, name_len = strlen(name);

	return params_query_decode(pair->raw, pair->key_len, key, sizeof(key),
	           &n) == 0 &&
	    n == name_len && memcmp(key, name, n) == 0;
}

int params_query_get(const char *query, const char *name, char *buf,
    size_t size, size_t *len)
{
	struct params_pair pair;
	int found = 0;

	while (params_query_next(&query, &pair)) {
		if (!key_is(&pair, name))
			continue;
		if (found++ || pair.value == NULL ||
		    params_query_decode(pair.value, pair.value_len, buf, size,
		        len) != 0)
			return -1;
	}
	return found;
}

int params_query_choice(const char *query, const char *name,
    const char *const *names, int n, int absent, int *out)
{
	char buf[PARAMS_NAME_MAX + 1];
	size_t len;
	int found = params_query_get(query, name, buf, sizeof(buf), &len), i;

	*out = absent;
	if (found <= 0)
		return found;
	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len &&
		    memcmp(buf, names[i], len) == 0) {
			*out = i;
			return 0;
		}
	return -1;
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
