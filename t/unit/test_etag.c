/* Unit tests of the entity tags (etag.c): the ETag's form, and If-Match
 * and If-None-Match read by RFC 9110's rules. */
#include <string.h>

#include "etag.h"
#include "tap.h"

static struct user user_at(long id, unsigned long version)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	u.id = id;
	u.version = version;
	return u;
}

static void test_format(void)
{
	struct user u = user_at(4, 2);
	char a[ETAG_MAX], b[ETAG_MAX];

	etag_format(&u, 0x3ff, a, sizeof(a));
	ok(strcmp(a, "\"4-2-3ff\"") == 0, "full: \"4-2-3ff\" (%s)", a);
	etag_format(&u, 0xf9, b, sizeof(b));
	ok(strcmp(a, b) != 0, "another representation, another tag (%s)", b);
	u.version = 3;
	etag_format(&u, 0x3ff, b, sizeof(b));
	ok(strcmp(a, b) != 0, "another version, another tag (%s)", b);
	u = user_at(2147483647, 4294967295ul);
	etag_format(&u, 0x3ff, a, sizeof(a));
	ok(strcmp(a, "\"2147483647-4294967295-3ff\"") == 0,
	    "the largest id and version fit (%s)", a);
}

/* The result of If-Match value h for user 4, its versions in *v. */
static enum etag_parse im(const char *h, struct etag_versions *v)
{
	return etag_if_match(h, 4, v);
}

static void test_if_match(void)
{
	struct etag_versions v;

	ok(im(NULL, &v) == ETAG_OK && v.any, "absent: any version");
	ok(im("*", &v) == ETAG_OK && v.any, "*: any version");
	ok(im(" * ", &v) == ETAG_OK && v.any, "* with spaces: any version");
	ok(im("\"4-2-3ff\"", &v) == ETAG_OK && !v.any && v.count == 1 &&
	        v.version[0] == 2,
	    "one tag: its version");
	ok(im("\"4-2-f9\"", &v) == ETAG_OK && v.count == 1 && v.version[0] == 2,
	    "a limited representation's tag names the same version");
	ok(im("W/\"4-2-3ff\"", &v) == ETAG_OK && !v.any && v.count == 0,
	    "a weak tag matches nothing (strong comparison)");
	ok(im("\"5-2-3ff\"", &v) == ETAG_OK && v.count == 0,
	    "another user's tag matches nothing");
	ok(im("\"abc\"", &v) == ETAG_OK && v.count == 0,
	    "a foreign tag matches nothing, and is no error");
	ok(im("\"4-02-3ff\"", &v) == ETAG_OK && v.count == 0,
	    "a leading zero is not our spelling");
	ok(im("\"4-0-3ff\"", &v) == ETAG_OK && v.count == 0,
	    "version 0 is none");
	ok(im("\"4-2-3FF\"", &v) == ETAG_OK && v.count == 0,
	    "upper-case hex is not our spelling");
	ok(im("\"4-2-3ff\", \"4-5-3ff\",W/\"4-6-3ff\" ,", &v) == ETAG_OK &&
	        v.count == 2 && v.version[0] == 2 && v.version[1] == 5,
	    "a list: each strong tag of the user, empty elements ignored");
	ok(im("\"4-2-3ff\", \"4-2-f9\"", &v) == ETAG_OK && v.count == 1,
	    "one version named twice counts once");
	ok(im("\"4-1-1\",\"4-2-1\",\"4-3-1\",\"4-4-1\"", &v) == ETAG_OK &&
	        v.count == 4,
	    "four versions");
	ok(im("\"4-1-1\",\"4-2-1\",\"4-3-1\",\"4-4-1\",\"4-5-1\"", &v) ==
	        ETAG_TOO_MANY,
	    "five versions: too many");
	ok(im("4-2-3ff", &v) == ETAG_MALFORMED, "unquoted: malformed");
	ok(im("\"4-2-3ff", &v) == ETAG_MALFORMED, "unclosed: malformed");
	ok(im("\"4-2-3ff\" x", &v) == ETAG_MALFORMED,
	    "text after a tag: malformed");
	ok(im("w/\"4-2-3ff\"", &v) == ETAG_MALFORMED,
	    "w/ (RFC 9110: W/ is case-sensitive): malformed");
	ok(im("", &v) == ETAG_MALFORMED, "empty: malformed");
	ok(im(" , ,", &v) == ETAG_MALFORMED, "commas only: malformed");
	ok(im("*, \"4-2-3ff\"", &v) == ETAG_MALFORMED,
	    "* in a list: malformed");
	ok(im("\"4 2\"", &v) == ETAG_MALFORMED, "a space inside: malformed");
}

static void test_none_match(void)
{
	const char *cur = "\"4-2-3ff\"";

	ok(etag_none_match("\"4-2-3ff\"", cur), "the current tag matches");
	ok(etag_none_match("W/\"4-2-3ff\"", cur),
	    "weakly compared: W/ of it matches");
	ok(etag_none_match("*", cur), "* matches");
	ok(etag_none_match("\"x\", \"4-2-3ff\"", cur), "in a list it matches");
	ok(!etag_none_match("\"4-2-f9\"", cur),
	    "another representation's tag does not");
	ok(!etag_none_match("\"4-1-3ff\"", cur), "an older version does not");
	ok(!etag_none_match(NULL, cur), "absent does not");
	ok(!etag_none_match("4-2-3ff", cur), "malformed does not");
	ok(!etag_none_match("\"4-2-3ff\" junk", cur),
	    "a malformed list holding it does not");
}

int main(void)
{
	test_format();
	test_if_match();
	test_none_match();
	return tap_done();
}
