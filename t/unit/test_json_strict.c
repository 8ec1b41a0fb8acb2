/* Unit tests for json_strict.c: what json-c alone would let through is
 * refused by the token check, and json_strict_object takes one object. */
#include <string.h>

#include "json_strict.h"
#include "tap.h"

static int lexes(const char *s)
{
	return json_strict_lex(s, strlen(s));
}

/* json_strict_object's verdict on s: 1 an object came back, else 0. */
static int is_object(const char *s, int depth)
{
	json_object *obj = json_strict_object(s, strlen(s), depth);
	int got = obj != NULL;

	json_object_put(obj);
	return got;
}

static void test_lex(void)
{
	ok(lexes("{\"a\": \"b\", \"n\": -1.5e+3, \"t\": [true, false, null]}"),
	    "RFC 8259 tokens pass");
	ok(lexes(" \t\r\n"),
	    "whitespace alone passes (the grammar is json-c's)");
	ok(lexes("\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
	    "every escape, a surrogate pair included");
	ok(lexes("\"caf\xC3\xA9\""), "raw UTF-8 in a string");
	ok(!lexes("'a'"), "single quotes refused");
	ok(!lexes("NaN"), "NaN refused");
	ok(!lexes("Infinity"), "Infinity refused");
	ok(!lexes("1."), "1. refused");
	ok(lexes("01"), "01 lexes as two numbers (json-c refuses the grammar)");
	ok(!lexes("+1"), "a plus sign refused");
	ok(!lexes("\"a\tb\""), "a raw tab in a string refused");
	ok(!lexes("\"\xC0\xAF\""), "overlong UTF-8 refused");
	ok(!lexes("\"\xED\xA0\x80\""), "surrogate UTF-8 refused");
	ok(!lexes("\"\\ud800\""), "a lone high surrogate escape refused");
	ok(!lexes("\"\\udc00\""), "a lone low surrogate escape refused");
	ok(!lexes("\"\\x41\""), "an unknown escape refused");
	ok(!lexes("\"abc"), "an unterminated string refused");
	ok(!lexes("{\"a\\u0000b\": 1}"), "a key holding \\u0000 refused");
	ok(lexes("{\"a\": \"b\\u0000\"}"), "a value holding \\u0000 passes");
	ok(!lexes("tru"), "a cut literal refused");
	ok(json_strict_lex("{}\0", 3) == 0, "a NUL byte after the object");
}

static void test_object(void)
{
	ok(is_object("{\"a\": \"b\"}", 4), "an object");
	ok(is_object(" {} \r\n", 4), "whitespace around an object");
	ok(!is_object("[]", 4), "an array is not an object");
	ok(!is_object("\"a\"", 4), "a string is not an object");
	ok(!is_object("{} {}", 4), "two objects");
	ok(!is_object("{} x", 4), "text after the object");
	ok(!is_object("{\"a\": 1,}", 4), "a trailing comma (json-c strict)");
	ok(!is_object("{\"a\": 'b'}", 4), "single quotes inside");
	ok(!is_object("{\"a\": 01}", 4), "a leading zero inside");
	ok(is_object("{\"a\": [[1]]}", 4), "nested within the depth");
	ok(!is_object("{\"a\": [[[[1]]]]}", 4), "nested deeper than the depth");
	ok(!is_object("", 4), "empty text");
}

int main(void)
{
	test_lex();
	test_object();
	return tap_done();
}
