/* Bearer JWT verification with libjwt 1.10, which checks only the
 * signature: algorithm pinning and every claim check are done here, and
 * verified tokens are cached per worker. */
#ifndef USERS_AUTH_H
#define USERS_AUTH_H

#include <time.h>

#include "config.h"

enum auth_result {
	AUTH_OK = 0,
	AUTH_NO_CREDENTIALS, /* no header, or not a Bearer scheme */
	AUTH_INVALID_TOKEN   /* a bearer token that fails any check */
};

/*
 * Checks an Authorization header value (NULL when absent) against cfg at
 * time now: scheme "Bearer" in any case, signature with the configured key,
 * header alg equal to cfg->alg, exp/nbf with leeway, require_exp, iss, aud
 * (a string or an array containing it).
 */
enum auth_result auth_check(const struct config_jwt *cfg,
    const char *authorization, time_t now);
/* auth_check, and the scopes (enum scope bits) the token's scope claim
 * grants into *scopes: 0 when refused, or without a string claim. */
enum auth_result auth_check_scopes(const struct config_jwt *cfg,
    const char *authorization, time_t now, unsigned *scopes);

/*
 * auth_check keeps the tokens it verified in a per-process cache, this
 * module's one piece of mutable state: AUTH_CACHE_SIZE entries, each keyed
 * on every byte of its token (at most AUTH_CACHE_TOKEN_MAX bytes), the
 * least recently used evicted first, all dropped when cfg changes. A hit
 * checks exp and nbf against now again, so an entry never outlives its
 * token's exp; an expired one is dropped. Refused tokens are never cached.
 */
#define AUTH_CACHE_SIZE 64
#define AUTH_CACHE_TOKEN_MAX 2048

struct auth_cache_stats {
	unsigned long hits;      /* accepted from the cache */
	unsigned long decodes;   /* tokens given to libjwt */
	unsigned long evictions; /* entries dropped to make room */
	unsigned long entries;   /* entries now */
};

void auth_cache_stats(struct auth_cache_stats *out);
/* Empties the cache and frees its memory (the counters restart). */
void auth_cache_clear(void);

#endif
