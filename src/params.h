/* Request values decoded and checked the contract's way: path values (ids,
 * days, search text), the query string's pairs, the body's media type.
 * Pure functions, unit-tested. */
#ifndef USERS_PARAMS_H
#define USERS_PARAMS_H

#include <stddef.h>

/* Longest search value, in characters. */
#define PARAMS_TEXT_MAX_CHARS 100
/* Longest raw search value: 100 characters of 4 bytes, each escaped. */
#define PARAMS_TEXT_RAW_MAX (PARAMS_TEXT_MAX_CHARS * 4 * 3)
/* Room to decode any raw value up to that length, plus NUL. */
#define PARAMS_TEXT_BUF (PARAMS_TEXT_RAW_MAX + 1)

/* Decodes the raw value once and parses an id: ASCII digits, no sign, no
 * leading zero, 1 .. 2147483647. Returns 0 and sets *id, or -1. */
int params_id(const char *raw, size_t len, long *id);

/* Decodes the raw value once and parses a real calendar day YYYY-MM-DD,
 * 1000-01-01 .. 9999-12-31. Returns 0, or -1. */
int params_day(const char *raw, size_t len, int *year, int *month, int *day);

/* Decodes the raw value once into buf (PARAMS_TEXT_BUF bytes): valid UTF-8,
 * no NUL, 1 .. 100 characters, not trimmed. Returns 0 and sets *out_len, or
 * -1. */
int params_text(const char *raw, size_t len, char *buf, size_t *out_len);

/* One "key[=value]" pair of a raw query string, still percent-encoded. */
struct params_pair {
	const char *raw; /* the whole pair, raw_len bytes */
	size_t raw_len;
	size_t key_len;    /* raw[0..key_len) is the key */
	const char *value; /* after the first '='; NULL when none */
	size_t value_len;
};

/*
 * Walks the raw QUERY_STRING: *pos starts at it (NULL and "" have no
 * pairs). Sets *pair to the next non-empty pair between '&'s, moves *pos
 * past it and returns 1; returns 0 after the last.
 */
int params_query_next(const char **pos, struct params_pair *pair);

/*
 * Form-decodes (once; '+' is a space) len raw bytes of a key or a value
 * into buf, which has room for size bytes: -1 when len >= size (longer
 * text is never one the caller knows) or it does not decode (urldecode.h's
 * rules). Returns 0 and sets *out_len.
 */
int params_query_decode(const char *raw, size_t len, char *buf, size_t size,
    size_t *out_len);

/* The longest name params_query_get looks up, in bytes. */
#define PARAMS_NAME_MAX 16

/*
 * The one pair of the raw query whose key form-decodes to name (in any
 * spelling: "%66ormat" is format; name has at most PARAMS_NAME_MAX
 * bytes): returns 1 with its value form-decoded into buf (size bytes,
 * params_query_decode's rules) and *len set; 0 when no key is name
 * (keys that do not decode are no one's). -1 when name is given more
 * than once (ambiguous), has no '=' ("page" alone), or its value does
 * not decode into buf. An empty value ("page=") is found, with *len 0:
 * each caller's own parse decides about it.
 */
int params_query_get(const char *query, const char *name, char *buf,
    size_t size, size_t *len);

/*
 * The value of name (params_query_get) as one of n names: 0 and *out =
 * its index in names, or *out = absent when name is not given; -1 when
 * the value is none of them (an empty one included), or name is given
 * twice or without '='. The names are at most PARAMS_NAME_MAX bytes.
 */
int params_query_choice(const char *query, const char *name,
    const char *const *names, int n, int absent, int *out);

/* 1 when a Content-Type value is application/json, in any case, with or
 * without parameters ("application/json; charset=utf-8"); else 0. */
int params_is_json(const char *content_type);

#endif
