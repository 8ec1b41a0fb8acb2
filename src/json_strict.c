/* JSON read strictly: RFC 8259's tokens checked before json-c parses, because
 * json-c alone lets through what the contract refuses (see json_strict.h). */
#include "json_strict.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "utf8.h"

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_digits(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && is_digit(s[i]))
		i++;
	return i;
}

/* Four hex digits at s[i] as a code unit, or -1. */
static long lex_hex4(const unsigned char *s, size_t len, size_t i)
{
	long v = 0;
	size_t k;

	if (i > len || len - i < 4)
		return -1;
	for (k = i; k < i + 4; k++) {
		unsigned char c = s[k];

		if (is_digit(c))
			v = v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

/*
 * A \u escape at s[*i] (the backslash): a surrogate must come as a proper
 * pair, because json-c silently turns a lone one into U+FFFD. Sets *nul for
 * \u0000. Returns 0 and moves *i past it, or -1.
 */
static int lex_unicode_escape(const unsigned char *s, size_t len, size_t *i,
    int *nul)
{
	long hi, lo;

	hi = lex_hex4(s, len, *i + 2);
	if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
		return -1;
	*i += 6;
	if (hi == 0)
		*nul = 1;
	if (hi < 0xD800 || hi > 0xDBFF)
		return 0;
	if (len - *i < 2 || s[*i] != '\\' || s[*i + 1] != 'u')
		return -1;
	lo = lex_hex4(s, len, *i + 2);
	if (lo < 0xDC00 || lo > 0xDFFF)
		return -1;
	*i += 6;
	return 0;
}

/* A double-quoted string at s[*i]: RFC 8259 escapes, no raw controls,
 * strict UTF-8. Sets *nul when it holds \u0000. */
static int lex_string(const unsigned char *s, size_t len, size_t *i, int *nul)
{
	size_t j = *i + 1;

	*nul = 0;
	while (j < len) {
		unsigned char c = s[j];

		if (c == '"') {
			*i = j + 1;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c >= 0x80) {
			if (utf8_decode(s, len, &j) < 0)
				return -1;
		} else if (c != '\\') {
			j++;
		} else if (j + 1 < len && s[j + 1] == 'u') {
			if (lex_unicode_escape(s, len, &j, nul) < 0)
				return -1;
		} else if (j + 1 < len && s[j + 1] != '\0' &&
		    strchr("\"\\/bfnrt", s[j + 1]) != NULL) {
			j += 2;
		} else {
			return -1;
		}
	}
	return -1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at s[*i]. */
static int lex_number(const unsigned char *s, size_t len, size_t *i)
{
	size_t j = *i, k;

	if (j < len && s[j] == '-')
		j++;
	if (j < len && s[j] == '0')
		j++;
	else if (j < len && s[j] >= '1' && s[j] <= '9')
		j = skip_digits(s, len, j);
	else
		return -1;
	if (j < len && s[j] == '.') {
		k = skip_digits(s, len, j + 1);
		if (k == j + 1)
			return -1;
		j = k;
	}
	if (j < len && (s[j] == 'e' || s[j] == 'E')) {
		j++;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		k = skip_digits(s, len, j);
		if (k == j)
			return -1;
		j = k;
	}
	*i = j;
	return 0;
}

/* true, false or null at s[*i]. */
static int lex_literal(const unsigned char *s, size_t len, size_t *i)
{
	size_t j = *i, n;

	while (j < len && s[j] >= 'a' && s[j] <= 'z')
		j++;
	n = j - *i;
	if ((n == 4 && memcmp(s + *i, "true", 4) == 0) ||
	    (n == 5 && memcmp(s + *i, "false", 5) == 0) ||
	    (n == 4 && memcmp(s + *i, "null", 4) == 0)) {
		*i = j;
		return 0;
	}
	return -1;
}

/* Tokens only: the grammar (nesting, commas, colons) is left to json-c. */
int json_strict_lex(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	int nul_string = 0, nul;

	while (i < len) {
		unsigned char c = s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (c == '"') {
			if (lex_string(s, len, &i, &nul) < 0)
				return 0;
			nul_string = nul;
			continue;
		}
		if (c == ':' && nul_string)
			return 0; /* a key holding NUL */
		nul_string = 0;
		if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',' ||
		    c == ':')
			i++;
		else if (c == '-' || is_digit(c)) {
			if (lex_number(s, len, &i) < 0)
				return 0;
		} else if (c >= 'a' && c <= 'z') {
			if (lex_literal(s, len, &i) < 0)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

json_object *json_strict_object(const char *body, size_t len, int depth)
{
	struct json_tokener *tok;
	json_object *obj;
	size_t end;

	if (len > INT_MAX || !json_strict_lex(body, len))
		return NULL;
	tok = json_tokener_new_ex(depth);
	if (tok == NULL) {
		/* Out of memory: abort as xmalloc does; the master respawns. */
		log_error("json_tokener_new_ex failed");
		abort();
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(obj, json_type_object))
		goto fail;
	/* Only whitespace may follow the object. */
	for (end = json_tokener_get_parse_end(tok); end < len; end++)
		if (body[end] != ' ' && body[end] != '\t' &&
		    body[end] != '\n' && body[end] != '\r')
			goto fail;
	json_tokener_free(tok);
	return obj;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return NULL;
}
