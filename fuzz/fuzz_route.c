/* libFuzzer target: router_match on the real route table with every
 * method, urldecode in both modes, the path-value parsers (params_id,
 * params_day, params_text) on the value the router found and on the input,
 * and the UTF-8 and decimal parsers under them. */
#include "fuzz.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include "decimal.h"
#include "http.h"
#include "params.h"
#include "router.h"
#include "urldecode.h"
#include "utf8.h"

static const enum http_method methods[] = { HTTP_GET, HTTP_POST, HTTP_PUT,
	HTTP_PATCH, HTTP_DELETE, HTTP_OTHER };
#define METHOD_COUNT (sizeof(methods) / sizeof(methods[0]))

/* Decodes s in mode into an exactly sized buffer; checks the promises of
 * urldecode.h. Returns the result and, on success, the copy in *out (the
 * caller frees it) and its length in *out_len. */
static int decode(const char *s, size_t len, enum urldecode_mode mode,
    char **out, size_t *out_len)
{
	char *dst = malloc(len + 1);
	size_t n = SIZE_MAX;
	int ret;

	if (dst == NULL)
		abort();
	ret = urldecode(s, len, dst, &n, mode);
	FUZZ_CHECK(ret == 0 || ret == -1);
	if (ret == 0) {
		FUZZ_CHECK(n <= len);
		FUZZ_CHECK(dst[n] == '\0');
		FUZZ_CHECK(memchr(dst, '\0', n) == NULL);
		FUZZ_CHECK(utf8_valid(dst, n));
		FUZZ_CHECK(utf8_length(dst, n) <= n);
	} else {
		FUZZ_CHECK(dst[0] == '\0' && n == 0);
	}
	*out = dst;
	*out_len = n;
	return ret;
}

/* Both modes agree on everything but '+', which only FORM turns into ' '. */
static void check_urldecode(const char *s, size_t len)
{
	char *path, *form;
	size_t path_len, form_len, i;
	int path_ret, form_ret;

	path_ret = decode(s, len, URLDECODE_PATH, &path, &path_len);
	form_ret = decode(s, len, URLDECODE_FORM, &form, &form_len);
	FUZZ_CHECK(path_ret == form_ret);
	FUZZ_CHECK(path_len == form_len);
	for (i = 0; i < path_len; i++)
		FUZZ_CHECK(path[i] == form[i] ||
		    (path[i] == '+' && form[i] == ' '));
	free(path);
	free(form);
}

/* A path value as the three parsers see it. An id is canonical: printed
 * back, it is the decoded value. */
static void check_values(const char *raw, size_t len)
{
	char *buf = malloc(PARAMS_TEXT_BUF), *dec;
	size_t n, dec_len;
	long id = -1;
	int y, m, d;

	if (buf == NULL)
		abort();
	if (params_id(raw, len, &id) == 0) {
		char printed[32];

		FUZZ_CHECK(id >= 1 && id <= 2147483647L);
		FUZZ_CHECK(decode(raw, len, URLDECODE_PATH, &dec, &dec_len) ==
		    0);
		snprintf(printed, sizeof(printed), "%ld", id);
		FUZZ_CHECK(strcmp(printed, dec) == 0);
		free(dec);
	}
	if (params_day(raw, len, &y, &m, &d) == 0) {
		FUZZ_CHECK(y >= 1000 && y <= 9999);
		FUZZ_CHECK(m >= 1 && m <= 12);
		FUZZ_CHECK(d >= 1 && d <= 31);
		FUZZ_CHECK(m != 2 || d <= 29);
	}
	if (params_text(raw, len, buf, &n) == 0) {
		FUZZ_CHECK(n < PARAMS_TEXT_BUF);
		FUZZ_CHECK(buf[n] == '\0');
		FUZZ_CHECK(utf8_valid(buf, n));
		FUZZ_CHECK(utf8_length(buf, n) >= 1);
		FUZZ_CHECK(utf8_length(buf, n) <= PARAMS_TEXT_MAX_CHARS);
	}
	free(buf);
}

/* Valid UTF-8 decodes step by step into utf8_length code points. */
static void check_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, count = 0;

	if (!utf8_valid(s, len))
		return;
	while (i < len) {
		long cp = utf8_decode(p, len, &i);

		FUZZ_CHECK(cp > 0 && cp <= 0x10FFFF);
		count++;
	}
	FUZZ_CHECK(count == utf8_length(s, len));
}

/* decimal_parse under every flag set agrees with strtol and a spelling
 * check, on the input as a C string. */
static void check_decimal(const char *s)
{
	size_t len = strlen(s);
	unsigned int flags;

	for (flags = 0; flags < 8; flags++) {
		const char *digits = s +
		    ((s[0] == '-' && (flags & DECIMAL_MINUS)) ||
		        (s[0] == '+' && (flags & DECIMAL_PLUS)));
		int spelled = *digits != '\0' &&
		    strspn(digits, "0123456789") == strlen(digits) &&
		    ((flags & DECIMAL_ZEROS) || digits[0] != '0' ||
		        digits[1] == '\0');
		long v = -7, want;
		enum decimal_result r;

		r = decimal_parse(s, len, -1000, 2147483647L, flags, &v);
		if (!spelled) {
			FUZZ_CHECK(r == DECIMAL_SYNTAX && v == -7);
			continue;
		}
		errno = 0;
		want = strtol(s, NULL, 10);
		if (errno == ERANGE || want < -1000 || want > 2147483647L)
			FUZZ_CHECK(r == DECIMAL_RANGE && v == -7);
		else
			FUZZ_CHECK(r == DECIMAL_OK && v == want);
	}
}

/* One lookup; returns its result after checking what router.h promises. */
static enum router_result match(enum http_method method, const char *path)
{
	const struct route *r = NULL;
	const char *arg = path;
	size_t arg_len = SIZE_MAX, plen = strlen(path);
	char allow[64];
	enum router_result res;

	res = router_match(router_routes, router_route_count, method, path, &r,
	    &arg, &arg_len, allow, sizeof(allow));
	FUZZ_CHECK(strnlen(allow, sizeof(allow)) < sizeof(allow));
	switch (res) {
	case ROUTER_MATCH:
		FUZZ_CHECK(r != NULL && method != HTTP_OTHER);
		FUZZ_CHECK((r->methods & method) != 0);
		if (r->shape != ROUTE_VALUE) {
			FUZZ_CHECK(arg == NULL && arg_len == 0);
			break;
		}
		FUZZ_CHECK(arg > path && arg + arg_len == path + plen);
		FUZZ_CHECK(arg_len > 0 && memchr(arg, '/', arg_len) == NULL);
		check_values(arg, arg_len);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		FUZZ_CHECK(r == NULL && arg == NULL && arg_len == 0);
		FUZZ_CHECK(allow[0] != '\0');
		break;
	case ROUTER_NOT_FOUND:
		FUZZ_CHECK(r == NULL && arg == NULL && arg_len == 0);
		FUZZ_CHECK(allow[0] == '\0');
		break;
	default:
		FUZZ_CHECK(!"router_match returned no known result");
	}
	return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_cstring(data, size);
	size_t allow_len = size % 24, i;
	char *allow = malloc(allow_len > 0 ? allow_len : 1);
	int not_found = 0;

	if (allow == NULL)
		abort();
	for (i = 0; i < METHOD_COUNT; i++)
		not_found += match(methods[i], path) == ROUTER_NOT_FOUND;
	/* Whether a path exists does not depend on the method. */
	FUZZ_CHECK(not_found == 0 || not_found == (int)METHOD_COUNT);
	/* Any out-parameter may be NULL, and Allow may be cut short. */
	router_match(router_routes, router_route_count, HTTP_OTHER, path, NULL,
	    NULL, NULL, allow, allow_len);
	if (allow_len > 0)
		FUZZ_CHECK(strnlen(allow, allow_len) < allow_len);
	router_match(router_routes, router_route_count, HTTP_GET, path, NULL,
	    NULL, NULL, NULL, 0);
	/* The raw bytes, NULs and all, straight to the decoders. */
	check_urldecode((const char *)data, size);
	check_values((const char *)data, size);
	check_utf8((const char *)data, size);
	check_decimal(path);
	free(allow);
	free(path);
	return 0;
}
