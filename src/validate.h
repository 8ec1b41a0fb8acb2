/* Validation of the JSON body of add-user and update-user: one table row
 * per field with its character limits. */
#ifndef USERS_VALIDATE_H
#define USERS_VALIDATE_H

#include <stddef.h>

#include "dao.h"

enum validate_mode {
	VALIDATE_ADD,   /* all seven fields required */
	VALIDATE_UPDATE /* a non-empty subset */
};

/*
 * Parses body (len bytes, at most HTTP_MAX_BODY) as one JSON object and
 * fills *out with the trimmed values. Returns 0, or -1 with the client's
 * 400 message in msg: answer_text(ANSWER_BAD_ATTRIBUTES) ("Bad request,
 * check request attributes. ... CHECK: ") followed by the rules that
 * failed.
 */
int validate_user_body(const char *body, size_t len, enum validate_mode mode,
    struct user_fields *out, char *msg, size_t msglen);

#endif
