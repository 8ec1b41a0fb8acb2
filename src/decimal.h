/* Decimal integers parsed one way everywhere: ids, page and limit, cursor
 * ids and dates, the INI's numbers, CONTENT_LENGTH, usersd-token's times. */
#ifndef USERS_DECIMAL_H
#define USERS_DECIMAL_H

#include <stddef.h>

enum decimal_result {
	DECIMAL_OK = 0,
	DECIMAL_SYNTAX = -1, /* not the spelling flags allow */
	DECIMAL_RANGE = -2   /* well spelled, but outside [min, max] */
};

/* Flags: 0 is canonical, ASCII digits only, no leading zero but "0". */
#define DECIMAL_CANONICAL 0x0
#define DECIMAL_ZEROS 0x1 /* leading zeros too: "010" is ten */
#define DECIMAL_MINUS 0x2 /* one leading '-' ("-0" is 0) */
#define DECIMAL_PLUS 0x4  /* one leading '+' */

/*
 * Parses exactly s[0..len) (no NUL needed, no space, nothing after the
 * digits) as a decimal in [min, max]. A wrong spelling is DECIMAL_SYNTAX
 * whatever its value; a value outside the bounds, or outside long however
 * many digits it has, is DECIMAL_RANGE. Sets *out on DECIMAL_OK only.
 */
enum decimal_result decimal_parse(const char *s, size_t len, long min, long max,
    unsigned int flags, long *out);

#endif
