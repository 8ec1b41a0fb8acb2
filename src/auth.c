/* Bearer JWT verification: libjwt 1.10 checks the signature only, so the
 * header parsing, algorithm pinning and all claim checks live here; a
 * small per-worker cache spares the signature check of a known token. */
#include "auth.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <jwt.h>

#include "base64url.h"
#include "log.h"
#include "scope.h"
#include "xmalloc.h"

/* Longer tokens are refused before libjwt, which copies them to the stack. */
#define AUTH_TOKEN_MAX 8192

/* What a verified token's acceptance depends on besides the config, and
 * the scopes it grants. */
struct token_times {
	int has_exp, has_nbf;
	int64_t exp, nbf;
	unsigned scopes;
};

struct cache_entry {
	char *token; /* owned copy; NULL: a free slot */
	size_t len;
	uint64_t hash;
	struct token_times times;
	unsigned long used; /* the clock at the last hit: LRU order */
};

/*
 * The cache and the configuration its entries were verified with (copied:
 * the caller's struct may change in place, or another take its address).
 */
static struct {
	struct cache_entry entry[AUTH_CACHE_SIZE];
	unsigned long clock;
	int have_config;
	char *alg;
	unsigned char *key;
	size_t key_len;
	long leeway_seconds;
	int require_exp;
	char *issuer;
	char *audience;
	struct auth_cache_stats stats;
} cache;

/*
 * Finds the token in "Bearer <token>". The scheme matches in any case and
 * must be followed by spaces (RFC 7235 allows only SP there); whitespace
 * around the whole value is tolerated. Returns NULL when the header is not
 * a Bearer credential at all; *len is 0 when the token is missing.
 */
static const char *bearer_token(const char *header, size_t *len)
{
	static const char scheme[] = "Bearer";
	const char *p = header, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, scheme, sizeof(scheme) - 1) != 0)
		return NULL;
	p += sizeof(scheme) - 1;
	if (*p != ' ' && *p != '\0')
		return NULL;
	while (*p == ' ')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*len = (size_t)(end - p);
	return p;
}

/*
 * A compact JWS is three unpadded base64url segments. libjwt 1.10's decoder
 * skips characters it does not know instead of failing, so anything else
 * stops here. No segment may be empty: every algorithm we accept signs.
 */
static int token_well_formed(const char *token, size_t len)
{
	size_t i, segments = 0, seglen = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || token[i] == '.') {
			/* A length of 4n+1 cannot be base64 of anything. */
			if (seglen == 0 || seglen % 4 == 1 || ++segments > 3)
				return 0;
			seglen = 0;
		} else if (base64url_value((unsigned char)token[i]) >= 0) {
			seglen++;
		} else {
			return 0;
		}
	}
	return segments == 3;
}

/* Characters decoded at a time: a multiple of 4, so each part decodes
 * by itself, with no allocation for a token of any length. */
#define NUL_SCAN_CHARS 256

/* Whether a segment token_well_formed let through decodes to a NUL byte
 * anywhere. Lenient, as libjwt decodes it: unused bits are not checked. */
static int segment_has_nul(const char *s, size_t len)
{
	unsigned char buf[NUL_SCAN_CHARS / 4 * 3];
	size_t off, part, n;

	for (off = 0; off < len; off += part) {
		part = len - off < NUL_SCAN_CHARS ? len - off : NUL_SCAN_CHARS;
		/* It cannot fail here; if it did, refusing is the safe side. */
		if (base64url_decode(s + off, part, buf, sizeof(buf), &n,
		        BASE64URL_LENIENT) != 0 ||
		    memchr(buf, 0, n) != NULL)
			return 1;
	}
	return 0;
}

/*
 * Whether the decoded header or payload holds a NUL: libjwt 1.10 hands them
 * to jansson as C strings, so whatever follows a NUL would be ignored where
 * the same bytes without it are refused. The signature is binary: not read.
 */
static int token_has_nul(const char *token, size_t len)
{
	const char *dot1 = memchr(token, '.', len);
	const char *payload = dot1 + 1;
	const char *dot2 =
	    memchr(payload, '.', len - (size_t)(payload - token));

	return segment_has_nul(token, (size_t)(dot1 - token)) ||
	    segment_has_nul(payload, (size_t)(dot2 - payload));
}

/*
 * The header as libjwt parsed it. jwt_str_alg ignores case, but RFC 7515
 * 4.1.1 makes alg case-sensitive: the header's own string must equal the
 * configured name. We implement no extension, so by RFC 7515 4.1.11 a crit
 * header, whatever it lists, makes the token invalid.
 */
static const char *header_check(const struct config_jwt *cfg, jwt_t *jwt)
{
	const char *alg = jwt_get_header(jwt, "alg");
	char *crit;

	if (alg == NULL || strcmp(alg, cfg->alg) != 0)
		return "algorithm differs from the configured one";
	crit = jwt_get_headers_json(jwt, "crit");
	if (crit != NULL) {
		free(crit);
		return "crit header: no extension is understood";
	}
	return NULL;
}

/*
 * Verifies the signature with the configured key and pins the algorithm:
 * libjwt takes the algorithm from the token itself, so an HS token would
 * otherwise be checked with an RS public key as its HMAC secret. Returns
 * NULL and sets *out (the caller frees it with jwt_free), or the reason.
 */
static const char *token_decode(const struct config_jwt *cfg, const char *token,
    size_t len, jwt_t **out)
{
	jwt_alg_t want = jwt_str_alg(cfg->alg);
	const char *why;
	char *copy;
	int ret;

	*out = NULL;
	if (want == JWT_ALG_NONE || want == JWT_ALG_INVAL || cfg->key == NULL ||
	    cfg->key_len == 0 || cfg->key_len > INT_MAX) {
		log_error("[jwt] alg or key unusable: every token is refused");
		return "configuration unusable";
	}
	if (token_has_nul(token, len))
		return "NUL byte in the header or payload";
	copy = xstrndup(token, len);
	/* With a key, libjwt 1.10 also refuses alg "none" (EINVAL). */
	ret = jwt_decode(out, copy, cfg->key, (int)cfg->key_len);
	free(copy);
	if (ret != 0) {
		*out = NULL;
		return "undecodable or bad signature";
	}
	if ((why = header_check(cfg, *out)) != NULL) {
		jwt_free(*out);
		*out = NULL;
	}
	return why;
}

/*
 * The claim set as a json-c object (the caller puts it), or NULL when it is
 * not an object. Read as JSON because jwt_get_grant_int in 1.10 returns 0
 * without an error for a string, real, boolean or null claim.
 */
static json_object *claims_get(jwt_t *jwt)
{
	enum json_tokener_error jerr;
	json_object *claims;
	char *text;

	text = jwt_get_grants_json(jwt, NULL);
	if (text == NULL)
		return NULL;
	claims = json_tokener_parse_verbose(text, &jerr);
	free(text);
	if (claims != NULL && !json_object_is_type(claims, json_type_object)) {
		json_object_put(claims);
		claims = NULL;
	}
	return claims;
}

/* The latest fractional exp or nbf taken: 9999-12-31T23:59:59Z. */
#define NUMERIC_DATE_MAX 253402300799.0

/*
 * Returns 0 when name is absent, 1 with *value set, -1 if not a NumericDate
 * (RFC 7519: a JSON number, which may have a fraction). An integer is taken
 * as it is; a fraction must be finite and from 0 to the year 9999, and is
 * rounded up: for whole seconds t, t < x exactly when t < ceil(x), so
 * times_valid compares as if with x itself.
 */
static int claim_time(json_object *claims, const char *name, int64_t *value)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(claims, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*value = json_object_get_int64(v);
		return 1;
	}
	if (!json_object_is_type(v, json_type_double))
		return -1;
	d = json_object_get_double(v);
	if (!(d >= 0 && d <= NUMERIC_DATE_MAX)) /* NaN fails too */
		return -1;
	*value = (int64_t)d;
	if ((double)*value < d)
		(*value)++;
	return 1;
}

/* exp and nbf with leeway, written so that no sum can overflow. */
static const char *times_valid(const struct config_jwt *cfg,
    const struct token_times *t, time_t now)
{
	int64_t leeway = cfg->leeway_seconds > 0 ? cfg->leeway_seconds : 0;

	if (!t->has_exp && cfg->require_exp)
		return "exp missing and required";
	if (t->has_exp && (int64_t)now - leeway >= t->exp)
		return "expired";
	if (t->has_nbf && (int64_t)now + leeway < t->nbf)
		return "not yet valid (nbf)";
	return NULL;
}

/* Reads exp and nbf into *t, then checks them. */
static const char *check_times(const struct config_jwt *cfg,
    json_object *claims, time_t now, struct token_times *t)
{
	int r;

	r = claim_time(claims, "exp", &t->exp);
	if (r < 0)
		return "exp is not a NumericDate";
	t->has_exp = r;
	r = claim_time(claims, "nbf", &t->nbf);
	if (r < 0)
		return "nbf is not a NumericDate";
	t->has_nbf = r;
	return times_valid(cfg, t, now);
}

/* A JSON string equal to want, byte for byte (an embedded NUL differs). */
static int string_equals(json_object *v, const char *want)
{
	size_t len = strlen(want);

	return json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == len &&
	    memcmp(json_object_get_string(v), want, len) == 0;
}

/*
 * Whether claim name equals want: a string, or when array_ok (aud, per
 * RFC 7519) also an array in which one string does.
 */
static int claim_matches(json_object *claims, const char *name,
    const char *want, int array_ok)
{
	json_object *v;
	size_t i, n;

	if (!json_object_object_get_ex(claims, name, &v))
		return 0;
	if (!array_ok || !json_object_is_type(v, json_type_array))
		return string_equals(v, want);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		if (string_equals(json_object_array_get_idx(v, i), want))
			return 1;
	return 0;
}

/* The scope claim's scopes; a claim that is not a string grants none. */
static unsigned claim_scopes(json_object *claims)
{
	json_object *v;

	if (!json_object_object_get_ex(claims, "scope", &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	return scope_parse(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
}

static const char *check_claims(const struct config_jwt *cfg, jwt_t *jwt,
    time_t now, struct token_times *times)
{
	json_object *claims;
	const char *why;

	claims = claims_get(jwt);
	if (claims == NULL)
		return "claim set is not a JSON object";
	times->scopes = claim_scopes(claims);
	why = check_times(cfg, claims, now, times);
	if (why == NULL && cfg->issuer != NULL &&
	    !claim_matches(claims, "iss", cfg->issuer, 0))
		why = "iss missing or not the configured issuer";
	if (why == NULL && cfg->audience != NULL &&
	    !claim_matches(claims, "aud", cfg->audience, 1))
		why = "aud missing or without the configured audience";
	json_object_put(claims);
	return why;
}

static int same_string(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static char *copy_string(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void entry_free(struct cache_entry *e)
{
	free(e->token);
	memset(e, 0, sizeof(*e));
}

void auth_cache_clear(void)
{
	int i;

	for (i = 0; i < AUTH_CACHE_SIZE; i++)
		entry_free(&cache.entry[i]);
	free(cache.alg);
	free(cache.key);
	free(cache.issuer);
	free(cache.audience);
	memset(&cache, 0, sizeof(cache));
}

void auth_cache_stats(struct auth_cache_stats *out)
{
	*out = cache.stats;
}

/*
 * Empties the cache when cfg differs from the configuration its entries
 * were verified with (a test, or a library user, may change it in place).
 * A few compares per request: far less than one signature.
 */
static void cache_sync_config(const struct config_jwt *cfg)
{
	if (cache.have_config && same_string(cache.alg, cfg->alg) &&
	    cache.key_len == cfg->key_len &&
	    (cfg->key_len == 0 ||
	        memcmp(cache.key, cfg->key, cfg->key_len) == 0) &&
	    cache.leeway_seconds == cfg->leeway_seconds &&
	    cache.require_exp == cfg->require_exp &&
	    same_string(cache.issuer, cfg->issuer) &&
	    same_string(cache.audience, cfg->audience))
		return;
	auth_cache_clear();
	cache.have_config = 1;
	cache.alg = copy_string(cfg->alg);
	if (cfg->key_len > 0) {
		cache.key = xmalloc(cfg->key_len);
		memcpy(cache.key, cfg->key, cfg->key_len);
	}
	cache.key_len = cfg->key_len;
	cache.leeway_seconds = cfg->leeway_seconds;
	cache.require_exp = cfg->require_exp;
	cache.issuer = copy_string(cfg->issuer);
	cache.audience = copy_string(cfg->audience);
}

/* FNV-1a: only to skip most compares; equality is on every byte. */
static uint64_t token_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Whether a[0..len) equals b[0..len), in time independent of where they
 * differ. */
static int bytes_equal(const char *a, const char *b, size_t len)
{
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static struct cache_entry *cache_find(const char *token, size_t len,
    uint64_t hash)
{
	int i;

	for (i = 0; i < AUTH_CACHE_SIZE; i++) {
		struct cache_entry *e = &cache.entry[i];

		if (e->token != NULL && e->hash == hash && e->len == len &&
		    bytes_equal(e->token, token, len))
			return e;
	}
	return NULL;
}

/* A free slot, or the least recently used entry made free. */
static struct cache_entry *cache_slot(void)
{
	struct cache_entry *lru = &cache.entry[0];
	int i;

	for (i = 0; i < AUTH_CACHE_SIZE; i++) {
		if (cache.entry[i].token == NULL)
			return &cache.entry[i];
		if (cache.entry[i].used < lru->used)
			lru = &cache.entry[i];
	}
	entry_free(lru);
	cache.stats.evictions++;
	cache.stats.entries--;
	return lru;
}

static void cache_add(const char *token, size_t len, uint64_t hash,
    const struct token_times *times)
{
	struct cache_entry *e;

	if (len > AUTH_CACHE_TOKEN_MAX)
		return;
	e = cache_slot();
	e->token = xstrndup(token, len);
	e->len = len;
	e->hash = hash;
	e->times = *times;
	e->used = ++cache.clock;
	cache.stats.entries++;
}

/*
 * A cached token: its exp and nbf against now. An expired entry can never
 * be valid again (time moves forward), so it is dropped; one whose nbf is
 * ahead (the clock stepped back) is kept and refused for now.
 */
static const char *cache_check(const struct config_jwt *cfg,
    struct cache_entry *e, time_t now)
{
	const char *why = times_valid(cfg, &e->times, now);

	if (why == NULL) {
		e->used = ++cache.clock;
		cache.stats.hits++;
	} else if (e->times.has_exp &&
	    (int64_t)now -
	            (cfg->leeway_seconds > 0 ? cfg->leeway_seconds : 0) >=
	        e->times.exp) {
		entry_free(e);
		cache.stats.entries--;
	}
	return why;
}

/* The full check of a well-formed token, and the cache's part in it;
 * *scopes: what it grants. */
static const char *token_check(const struct config_jwt *cfg, const char *token,
    size_t len, time_t now, unsigned *scopes)
{
	struct token_times times = { 0 };
	struct cache_entry *e;
	jwt_t *jwt = NULL;
	const char *why;
	uint64_t hash;

	cache_sync_config(cfg);
	hash = token_hash(token, len);
	if ((e = cache_find(token, len, hash)) != NULL) {
		*scopes = e->times.scopes;
		return cache_check(cfg, e, now);
	}
	cache.stats.decodes++;
	if ((why = token_decode(cfg, token, len, &jwt)) == NULL)
		why = check_claims(cfg, jwt, now, &times);
	jwt_free(jwt);
	if (why == NULL)
		cache_add(token, len, hash, &times);
	*scopes = times.scopes;
	return why;
}

enum auth_result auth_check(const struct config_jwt *cfg,
    const char *authorization, time_t now)
{
	unsigned scopes;

	return auth_check_scopes(cfg, authorization, now, &scopes);
}

enum auth_result auth_check_scopes(const struct config_jwt *cfg,
    const char *authorization, time_t now, unsigned *scopes)
{
	const char *token, *why;
	size_t len;

	*scopes = 0;
	if (authorization == NULL ||
	    (token = bearer_token(authorization, &len)) == NULL) {
		log_debug("no bearer credentials");
		return AUTH_NO_CREDENTIALS;
	}
	/* "Bearer" with nothing after it is a bearer attempt gone wrong. */
	if (len == 0)
		why = "empty bearer token";
	else if (len > AUTH_TOKEN_MAX)
		why = "token too long";
	else if (!token_well_formed(token, len))
		why = "token is not three base64url segments";
	else
		why = token_check(cfg, token, len, now, scopes);
	if (why != NULL) {
		*scopes = 0;
		log_debug("token refused: %s", why);
		return AUTH_INVALID_TOKEN;
	}
	return AUTH_OK;
}
