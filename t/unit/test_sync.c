/* sync.c: the feed's after= cursor, the Idempotency-Key check, the key
 * and body digests, the token's subject. */
#include <stdio.h>
#include <string.h>

#include "sync.h"
#include "tap.h"

static void test_after(void)
{
	long a = -1;

	ok(sync_after_parse("", &a) == 0 &&
	        sync_after_parse("limit=5", &a) == 0,
	    "no after: absent");
	ok(sync_after_parse("after=0", &a) == 1 && a == 0, "after=0");
	ok(sync_after_parse("limit=3&after=42", &a) == 1 && a == 42,
	    "after=42 among others");
	ok(sync_after_parse("after=9223372036854775807", &a) == 1 &&
	        a == 9223372036854775807L,
	    "after=LONG_MAX");
	ok(sync_after_parse("after=9223372036854775808", &a) == -1,
	    "after beyond LONG_MAX: bad");
	ok(sync_after_parse("after=", &a) == -1, "empty after: bad");
	ok(sync_after_parse("after", &a) == -1, "after without =: bad");
	ok(sync_after_parse("after=007", &a) == -1, "leading zero: bad");
	ok(sync_after_parse("after=-1", &a) == -1, "sign: bad");
	ok(sync_after_parse("after=1&after=1", &a) == -1, "repeated: bad");
	ok(sync_after_parse("after=1x", &a) == -1, "trailing junk: bad");
	ok(sync_after_parse("after=%31%32", &a) == 1 && a == 12,
	    "percent-encoded digits decode once");
}

static void test_cursor_format(void)
{
	char buf[SYNC_CURSOR_MAX];
	long a;

	ok(sync_cursor_format(0, buf, sizeof(buf)) == 0 &&
	        strcmp(buf, "0") == 0,
	    "cursor 0");
	ok(sync_cursor_format(9223372036854775807L, buf, sizeof(buf)) == 0 &&
	        sync_after_parse("after=9223372036854775807", &a) == 1,
	    "the largest cursor fits and parses back");
	ok(sync_cursor_format(-1, buf, sizeof(buf)) == -1, "negative: -1");
	ok(sync_cursor_format(123, buf, 3) == -1, "too small a buffer: -1");
}

static void test_key(void)
{
	char k255[256], k256[257];

	memset(k255, 'a', 255);
	k255[255] = '\0';
	memset(k256, 'a', 256);
	k256[256] = '\0';
	ok(sync_key_valid("a") && sync_key_valid("!~") &&
	        sync_key_valid("8e9c1f3a-0b7d-4c1e-9f00-5f1d2b8c7a61"),
	    "visible ASCII keys are valid");
	ok(sync_key_valid(k255), "255 characters: valid");
	ok(!sync_key_valid(k256), "256 characters: bad");
	ok(!sync_key_valid("") && !sync_key_valid(NULL),
	    "empty or absent: bad");
	ok(!sync_key_valid("a b") && !sync_key_valid("a\tb") &&
	        !sync_key_valid("\x7f") && !sync_key_valid("\xc3\xa9"),
	    "space, tab, DEL and non-ASCII: bad");
}

static void test_hashes(void)
{
	unsigned char a[SYNC_HASH_LEN], b[SYNC_HASH_LEN];
	/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
	static const unsigned char abc[SYNC_HASH_LEN] = { 0xba, 0x78, 0x16,
		0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d,
		0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a,
		0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };

	sync_body_hash("abc", 3, a);
	ok(memcmp(a, abc, sizeof(abc)) == 0, "body hash is SHA-256");
	sync_body_hash("a\0c", 3, b);
	ok(memcmp(a, b, sizeof(a)) != 0, "a NUL in the body counts");
	sync_key_hash("ab", "c", a);
	sync_key_hash("a", "bc", b);
	ok(memcmp(a, b, sizeof(a)) != 0,
	    "subject and key cannot trade characters");
	sync_key_hash("ab", "c", b);
	ok(memcmp(a, b, sizeof(a)) == 0, "the same pair, the same row");
}

static void test_subject(void)
{
	char sub[64];

	/* {"sub":"alice","exp":1} with any header and signature. */
	ok(sync_token_subject("Bearer x.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.y", sub,
	       sizeof(sub)) == 0 &&
	        strcmp(sub, "alice") == 0,
	    "sub read from the payload");
	ok(sync_token_subject("  bearer   x.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.y",
	       sub, sizeof(sub)) == 0 &&
	        strcmp(sub, "alice") == 0,
	    "scheme in any case, blanks as auth.c reads them");
	/* {"sub":7} */
	ok(sync_token_subject("Bearer x.eyJzdWIiOjd9.y", sub, sizeof(sub)) ==
	            0 &&
	        sub[0] == '\0',
	    "a sub that is not a string: empty");
	ok(sync_token_subject(NULL, sub, sizeof(sub)) == 0 && sub[0] == '\0',
	    "no header: empty");
	ok(sync_token_subject("Bearer x.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.y", sub,
	       3) == -1,
	    "a subject too long for the buffer: -1");
}

int main(void)
{
	test_after();
	test_cursor_format();
	test_key();
	test_hashes();
	test_subject();
	return tap_done();
}
