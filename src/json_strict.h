/* JSON read strictly: an RFC 8259 token check in front of json-c, which
 * alone accepts what the contract refuses. */
#ifndef USERS_JSON_STRICT_H
#define USERS_JSON_STRICT_H

#include <stddef.h>

#include <json-c/json.h>

/*
 * 1 when every token of text[0..len) is RFC 8259's, else 0. json-c 0.16,
 * even with JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8, accepts
 * single-quoted strings, NaN, Infinity, "1.", raw control bytes in
 * strings, overlong and surrogate UTF-8, turns a lone \uD800 into U+FFFD,
 * and cuts a key at \u0000 (so "nickname\u0000x" would become "nickname"):
 * each of these is refused here.
 */
int json_strict_lex(const char *text, size_t len);

/*
 * text[0..len) as one JSON object nested at most depth deep, after
 * json_strict_lex, with only whitespace after it; the caller puts it.
 * NULL for anything else. Out of memory aborts (json-c's tokener).
 */
json_object *json_strict_object(const char *text, size_t len, int depth);

#endif
