/* Bearer JWT verification with libjwt 1.10, which checks only the
 * signature: algorithm pinning and every claim check are done here. */
#ifndef USERS_AUTH_H
#define USERS_AUTH_H

#include <time.h>

#include "config.h"

enum auth_result {
	AUTH_OK = 0,
	AUTH_NO_CREDENTIALS,   /* no header, or not a Bearer scheme */
	AUTH_INVALID_TOKEN     /* a bearer token that fails any check */
};

/*
 * Checks an Authorization header value (NULL when absent) against cfg at
 * time now: scheme "Bearer" in any case, signature with the configured key,
 * header alg equal to cfg->alg, exp/nbf with leeway, require_exp, iss, aud
 * (a string or an array containing it).
 */
enum auth_result auth_check(const struct config_jwt *cfg,
    const char *authorization, time_t now);

#endif
