/* Unit tests for auth_check: tokens are minted here with libjwt; RSA and EC
 * key pairs are generated at run time with the openssl command. The token
 * cache is checked through its counters (a hit never reaches libjwt). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jwt.h>

#include "auth.h"
#include "scope.h"
#include "tap.h"

#define HS_SECRET "your-256-bit-secret"
#define NOW 1700000000L

static const char readme_token[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    "."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

struct pem {
	unsigned char *data;
	size_t len;
};

static struct config_jwt hs_config(void)
{
	struct config_jwt cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.alg = "HS256";
	cfg.kind = JWT_KIND_HMAC;
	cfg.key = (unsigned char *)HS_SECRET;
	cfg.key_len = strlen(HS_SECRET);
	cfg.leeway_seconds = 30;
	return cfg;
}

/* Signs grants (a JSON object text) with alg and key; the caller frees. */
static char *mint(jwt_alg_t alg, const void *key, size_t key_len,
    const char *grants)
{
	jwt_t *jwt = NULL;
	char *token = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_set_alg(jwt, alg, key, (int)key_len) == 0 &&
	    (grants == NULL || jwt_add_grants_json(jwt, grants) == 0))
		token = jwt_encode_str(jwt);
	jwt_free(jwt);
	return token;
}

static char *mint_hs(jwt_alg_t alg, const char *secret, const char *grants)
{
	return mint(alg, secret, strlen(secret), grants);
}

/* len bytes of s (NULs allowed) in unpadded base64url; the caller frees. */
static char *b64url_n(const char *s, size_t len)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;
	const unsigned char *in = (const unsigned char *)s;
	char *out = malloc(len / 3 * 4 + 5);
	unsigned long v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = abc[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8;
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

static char *b64url(const char *s)
{
	return b64url_n(s, strlen(s));
}

/* header.payload.sig from raw JSON texts; the caller frees. */
static char *craft(const char *header, const char *payload, const char *sig)
{
	char *h = b64url(header), *p = b64url(payload);
	size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
	char *token = malloc(n);

	snprintf(token, n, "%s.%s.%s", h, p, sig);
	free(h);
	free(p);
	return token;
}

/*
 * header.payload (hlen and plen bytes, NULs allowed) signed with HS256 under
 * HS_SECRET by the openssl command: libjwt writes its own alg and cannot put
 * a NUL in a header, so it cannot make these. The caller frees.
 */
static char *craft_hs256(const char *header, size_t hlen, const char *payload,
    size_t plen)
{
	char *h = b64url_n(header, hlen), *p = b64url_n(payload, plen);
	char cmd[2048], sig[128] = "", *token = NULL;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
	    "printf '%%s' '%s.%s' | "
	    "openssl dgst -sha256 -hmac '" HS_SECRET "' -binary | "
	    "openssl base64 -A | tr '+/' '-_' | tr -d '='",
	    h, p);
	f = popen(cmd, "r");
	if (f != NULL && fgets(sig, sizeof(sig), f) != NULL) {
		size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;

		sig[strcspn(sig, "\n")] = '\0';
		token = malloc(n);
		snprintf(token, n, "%s.%s.%s", h, p, sig);
	}
	if (f != NULL)
		pclose(f);
	free(h);
	free(p);
	return token;
}

/* auth_check on prefix + token (NULL token: AUTH_INVALID_TOKEN + 100). */
static int check_with(const struct config_jwt *cfg, const char *prefix,
    const char *token, long now)
{
	size_t n;
	char *header;
	int r;

	if (token == NULL)
		return AUTH_INVALID_TOKEN + 100;
	n = strlen(prefix) + strlen(token) + 1;
	header = malloc(n);
	snprintf(header, n, "%s%s", prefix, token);
	r = auth_check(cfg, header, (time_t)now);
	free(header);
	return r;
}

static int check(const struct config_jwt *cfg, const char *token, long now)
{
	return check_with(cfg, "Bearer ", token, now);
}

/* Whether libjwt alone accepts token with key: the precondition showing
 * that it is our own check that refuses it. */
static int libjwt_accepts(const char *token, const void *key, size_t len)
{
	jwt_t *jwt = NULL;
	int ret = jwt_decode(&jwt, token, key, (int)len);

	jwt_free(jwt);
	return ret == 0;
}

static void test_scheme(void)
{
	struct config_jwt cfg = hs_config();

	ok(check(&cfg, readme_token, NOW) == AUTH_OK, "README token accepted");
	ok(check_with(&cfg, "bearer ", readme_token, NOW) == AUTH_OK,
	    "lower-case scheme accepted");
	ok(check_with(&cfg, "BEARER ", readme_token, NOW) == AUTH_OK,
	    "upper-case scheme accepted");
	ok(check_with(&cfg, "Bearer    ", readme_token, NOW) == AUTH_OK,
	    "several spaces before the token accepted");
	ok(auth_check(&cfg, NULL, NOW) == AUTH_NO_CREDENTIALS,
	    "missing header: no credentials");
	ok(auth_check(&cfg, "", NOW) == AUTH_NO_CREDENTIALS,
	    "empty header: no credentials");
	ok(auth_check(&cfg, "Basic x", NOW) == AUTH_NO_CREDENTIALS,
	    "Basic scheme: no credentials");
	ok(check_with(&cfg, "Bearertoken", "", NOW) == AUTH_NO_CREDENTIALS,
	    "scheme glued to the token: no credentials");
	ok(check_with(&cfg, "Token ", readme_token, NOW) == AUTH_NO_CREDENTIALS,
	    "other scheme with a JWT: no credentials");
	ok(auth_check(&cfg, "Bearer", NOW) == AUTH_INVALID_TOKEN,
	    "Bearer without a token: invalid token");
	ok(auth_check(&cfg, "Bearer    ", NOW) == AUTH_INVALID_TOKEN,
	    "Bearer and spaces only: invalid token");
}

static void test_garbled(void)
{
	static const char *const bad[] = {
		"abc",
		"a.b",
		"abcd.abcd",
		"abcd.abcd.abcd.abcd",
		".abcd.abcd",
		"abcd..abcd",
		"abcd.abcd.",
		"abcde.abcd.abcd",
		"ab!d.abcd.abcd",
		"ab+d.abcd.abcd",
		"abcd.ab/d.abcd",
		"abcd.abcd.ab==",
		"abcd.ab cd.abcd",
		"eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.AAAA",
	};
	struct config_jwt cfg = hs_config();
	char tampered[sizeof(readme_token) + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(check(&cfg, bad[i], NOW) == AUTH_INVALID_TOKEN,
		    "garbled token %zu refused", i);
	memcpy(tampered, readme_token, sizeof(readme_token));
	tampered[sizeof(readme_token) - 2] ^= 1;
	ok(check(&cfg, tampered, NOW) == AUTH_INVALID_TOKEN,
	    "bad signature (last character changed) refused");
	memcpy(tampered, readme_token, sizeof(readme_token));
	tampered[40] = tampered[40] == 'A' ? 'B' : 'A';
	ok(check(&cfg, tampered, NOW) == AUTH_INVALID_TOKEN,
	    "payload changed under the signature refused");
	snprintf(tampered, sizeof(tampered), "%s ", readme_token);
	ok(check_with(&cfg, "Bearer ", tampered, NOW) == AUTH_OK,
	    "trailing space after the token tolerated");
	snprintf(tampered, sizeof(tampered), "%s.", readme_token);
	ok(check(&cfg, tampered, NOW) == AUTH_INVALID_TOKEN,
	    "fourth (empty) segment refused");
	ok(check_with(&cfg, "Bearer x ", readme_token, NOW) ==
	        AUTH_INVALID_TOKEN,
	    "two tokens refused");
}

static void test_secret_and_alg(void)
{
	struct config_jwt cfg = hs_config();
	char *t;

	t = mint_hs(JWT_ALG_HS256, "another-256-bit-secret-value", "{}");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN, "wrong secret refused");
	free(t);

	t = mint_hs(JWT_ALG_HS256, HS_SECRET, "{\"sub\":\"x\"}");
	ok(check(&cfg, t, NOW) == AUTH_OK, "minted HS256 token accepted");
	free(t);

	t = mint_hs(JWT_ALG_HS384, HS_SECRET, "{\"sub\":\"x\"}");
	ok(libjwt_accepts(t, HS_SECRET, strlen(HS_SECRET)),
	    "precondition: libjwt accepts HS384 under the HS256 secret");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "HS384 token refused when HS256 is configured");
	free(t);

	t = mint_hs(JWT_ALG_HS512, HS_SECRET, "{}");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "HS512 token refused when HS256 is configured");
	free(t);

	cfg.alg = "HS512";
	t = mint_hs(JWT_ALG_HS512, HS_SECRET, "{}");
	ok(check(&cfg, t, NOW) == AUTH_OK, "HS512 accepted when configured");
	free(t);
}

static void test_alg_none(void)
{
	struct config_jwt cfg = hs_config();
	const char *sig = strrchr(readme_token, '.') + 1;
	char *t;

	t = craft("{\"alg\":\"none\"}", "{\"sub\":\"x\"}", "");
	ok(libjwt_accepts(t, NULL, 0),
	    "precondition: libjwt accepts unsigned alg none without a key");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "alg none, empty signature refused");
	free(t);

	t = craft("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"sub\":\"x\"}", sig);
	ok(!libjwt_accepts(t, HS_SECRET, strlen(HS_SECRET)),
	    "libjwt with a key refuses alg none");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "alg none with a signature refused");
	free(t);

	t = craft("{\"alg\":\"NONE\"}", "{}", "AAAA");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN, "alg NONE refused");
	free(t);

	t = craft("{\"typ\":\"JWT\"}", "{}", "AAAA");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN, "missing alg refused");
	free(t);

	cfg.alg = "none";
	t = craft("{\"alg\":\"none\"}", "{}", "");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "alg none configured: still refused");
	free(t);
	ok(check(&cfg, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "alg none configured: every token refused");

	cfg = hs_config();
	cfg.key_len = 0;
	ok(check(&cfg, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "empty configured key: refused");
}

/* A header crafted and signed as craft_hs256 does: libjwt alone takes it,
 * auth_check must give want. */
static void header_case(const char *header, size_t hlen, const char *payload,
    size_t plen, int want, const char *what)
{
	struct config_jwt cfg = hs_config();
	char *t = craft_hs256(header, hlen, payload, plen);

	ok(t != NULL && libjwt_accepts(t, HS_SECRET, strlen(HS_SECRET)),
	    "precondition: libjwt accepts %s", what);
	ok(check(&cfg, t, NOW) == want, "%s %s", what,
	    want == AUTH_OK ? "accepted" : "refused");
	free(t);
}

#define HC(h, p, want, what) \
	header_case(h, sizeof(h) - 1, p, sizeof(p) - 1, want, what)

/* RFC 7515: alg is case-sensitive (4.1.1), crit lists extensions we do not
 * implement (4.1.11), and a NUL must not hide what follows it. */
static void test_header(void)
{
	HC("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"x\"}", AUTH_OK,
	    "a token signed by openssl");
	HC("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", "{\"sub\":\"x\"}",
	    AUTH_INVALID_TOKEN, "alg hs256");
	HC("{\"alg\":\"Hs256\"}", "{\"sub\":\"x\"}", AUTH_INVALID_TOKEN,
	    "alg Hs256");
	HC("{\"alg\":\"HS256\",\"crit\":[\"exp2\"],\"exp2\":1}",
	    "{\"sub\":\"x\"}", AUTH_INVALID_TOKEN, "crit [exp2]");
	HC("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}",
	    "{\"sub\":\"x\"}", AUTH_INVALID_TOKEN, "crit [b64], b64 false");
	HC("{\"alg\":\"HS256\",\"crit\":[]}", "{\"sub\":\"x\"}",
	    AUTH_INVALID_TOKEN, "crit []");
	HC("{\"alg\":\"HS256\",\"typ\":\"JWT\"}\0garbage", "{\"sub\":\"x\"}",
	    AUTH_INVALID_TOKEN, "header with a NUL and garbage after it");
	HC("{\"alg\":\"HS256\"}", "{\"sub\":\"x\"}\0garbage",
	    AUTH_INVALID_TOKEN, "payload with a NUL and garbage after it");
	HC("{\"alg\":\"HS256\"}", "{\"sub\":\"x\"}\0", AUTH_INVALID_TOKEN,
	    "payload ending in a NUL");
}

static int check_grants(const struct config_jwt *cfg, const char *grants,
    long now)
{
	char *t = mint_hs(JWT_ALG_HS256, HS_SECRET, grants);
	int r = check(cfg, t, now);

	free(t);
	return r;
}

/* RFC 7519 NumericDate: a number, which may have a fraction. */
static void test_fractional_times(void)
{
	struct config_jwt cfg = hs_config();
	char g[128];

	snprintf(g, sizeof(g), "{\"exp\":%ld.5}", NOW + 3600);
	ok(check_grants(&cfg, g, NOW) == AUTH_OK, "exp now + 3600.5 accepted");
	ok(check_grants(&cfg, "{\"exp\":4102444800.0}", NOW) == AUTH_OK,
	    "exp 4102444800.0 accepted");
	ok(check_grants(&cfg, "{\"nbf\":1600000000.25}", NOW) == AUTH_OK,
	    "nbf with a fraction in the past accepted");
	cfg.leeway_seconds = 0;
	snprintf(g, sizeof(g), "{\"exp\":%ld.5}", NOW);
	ok(check_grants(&cfg, g, NOW) == AUTH_OK,
	    "leeway 0: now < exp = now + 0.5, accepted");
	ok(check_grants(&cfg, g, NOW + 1) == AUTH_INVALID_TOKEN,
	    "leeway 0: now + 1 >= exp = now + 0.5, refused");
	snprintf(g, sizeof(g), "{\"nbf\":%ld.5}", NOW);
	ok(check_grants(&cfg, g, NOW) == AUTH_INVALID_TOKEN,
	    "leeway 0: now < nbf = now + 0.5, refused");
	ok(check_grants(&cfg, g, NOW + 1) == AUTH_OK,
	    "leeway 0: now + 1 >= nbf = now + 0.5, accepted");
	cfg.leeway_seconds = 30;
	ok(check_grants(&cfg, "{\"exp\":\"4102444800.5\"}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "exp as a string with a fraction refused");
	ok(check_grants(&cfg, "{\"exp\":1e300}", NOW) == AUTH_INVALID_TOKEN,
	    "exp 1e300 refused");
	ok(check_grants(&cfg, "{\"exp\":253402300800.5}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "exp after the year 9999 refused");
	ok(check_grants(&cfg, "{\"exp\":-1.5}", NOW) == AUTH_INVALID_TOKEN,
	    "negative exp with a fraction refused");
	ok(check_grants(&cfg, "{\"nbf\":-0.5}", NOW) == AUTH_INVALID_TOKEN,
	    "negative nbf with a fraction refused");
	ok(check_grants(&cfg, "{\"nbf\":false}", NOW) == AUTH_INVALID_TOKEN,
	    "nbf boolean refused");
}

static void test_times(void)
{
	struct config_jwt cfg = hs_config();
	char g[128];
	const long exp = NOW;

	snprintf(g, sizeof(g), "{\"exp\":%ld}", exp);
	ok(check_grants(&cfg, g, exp - 100) == AUTH_OK, "exp in future ok");
	ok(check_grants(&cfg, g, exp) == AUTH_OK, "at exp, within leeway ok");
	ok(check_grants(&cfg, g, exp + 29) == AUTH_OK,
	    "expired 29 s ago, leeway 30: ok");
	ok(check_grants(&cfg, g, exp + 30) == AUTH_INVALID_TOKEN,
	    "now == exp + leeway: refused");
	ok(check_grants(&cfg, g, exp + 3600) == AUTH_INVALID_TOKEN,
	    "expired beyond leeway: refused");
	cfg.leeway_seconds = 0;
	ok(check_grants(&cfg, g, exp - 1) == AUTH_OK, "leeway 0, before exp");
	ok(check_grants(&cfg, g, exp) == AUTH_INVALID_TOKEN,
	    "leeway 0, now == exp: refused");
	cfg.leeway_seconds = 30;

	snprintf(g, sizeof(g), "{\"nbf\":%ld}", NOW);
	ok(check_grants(&cfg, g, NOW) == AUTH_OK, "nbf now ok");
	ok(check_grants(&cfg, g, NOW - 30) == AUTH_OK,
	    "nbf 30 s ahead, leeway 30: ok");
	ok(check_grants(&cfg, g, NOW - 31) == AUTH_INVALID_TOKEN,
	    "nbf beyond leeway: refused");

	ok(check_grants(&cfg, "{\"sub\":\"x\"}", NOW) == AUTH_OK,
	    "no exp, not required: ok");
	cfg.require_exp = 1;
	ok(check_grants(&cfg, "{\"sub\":\"x\"}", NOW) == AUTH_INVALID_TOKEN,
	    "require_exp without exp: refused");
	ok(check(&cfg, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "require_exp: README token (no exp) refused");
	snprintf(g, sizeof(g), "{\"exp\":%ld}", NOW + 60);
	ok(check_grants(&cfg, g, NOW) == AUTH_OK, "require_exp with exp ok");
	cfg.require_exp = 0;

	ok(check_grants(&cfg, "{\"exp\":\"9999999999\"}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "exp as a string refused");
	ok(check_grants(&cfg, "{\"exp\":\"soon\"}", NOW) == AUTH_INVALID_TOKEN,
	    "exp as a word refused");
	ok(check_grants(&cfg, "{\"exp\":9999999999.5}", NOW) == AUTH_OK,
	    "exp with a fraction (RFC 7519 NumericDate) accepted");
	ok(check_grants(&cfg, "{\"exp\":null}", NOW) == AUTH_INVALID_TOKEN,
	    "exp null refused");
	ok(check_grants(&cfg, "{\"exp\":true}", NOW) == AUTH_INVALID_TOKEN,
	    "exp boolean refused");
	ok(check_grants(&cfg, "{\"nbf\":\"0\"}", NOW) == AUTH_INVALID_TOKEN,
	    "nbf as a string refused");
	ok(check_grants(&cfg, "{\"exp\":9223372036854775807}", NOW) == AUTH_OK,
	    "exp at INT64_MAX: no overflow");
	ok(check_grants(&cfg, "{\"nbf\":-9223372036854775807}", NOW) == AUTH_OK,
	    "very negative nbf: no overflow");
	test_fractional_times();
}

static void test_iss_aud(void)
{
	struct config_jwt cfg = hs_config();

	cfg.issuer = "https://issuer.example";
	ok(check_grants(&cfg, "{\"iss\":\"https://issuer.example\"}", NOW) ==
	        AUTH_OK,
	    "iss matches");
	ok(check_grants(&cfg, "{\"iss\":\"https://evil.example\"}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "iss mismatch refused");
	ok(check_grants(&cfg, "{\"iss\":\"https://issuer.example/\"}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "iss with a suffix refused");
	ok(check_grants(&cfg, "{\"sub\":\"x\"}", NOW) == AUTH_INVALID_TOKEN,
	    "iss missing refused");
	ok(check_grants(&cfg, "{\"iss\":[\"https://issuer.example\"]}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "iss as an array refused");
	cfg.issuer = NULL;

	cfg.audience = "users-api";
	ok(check_grants(&cfg, "{\"aud\":\"users-api\"}", NOW) == AUTH_OK,
	    "aud string matches");
	ok(check_grants(&cfg, "{\"aud\":\"users-api2\"}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "aud string mismatch refused");
	ok(check_grants(&cfg, "{\"aud\":[\"other\",\"users-api\"]}", NOW) ==
	        AUTH_OK,
	    "aud array containing it");
	ok(check_grants(&cfg, "{\"aud\":[\"other\",\"USERS-API\"]}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "aud array without it refused");
	ok(check_grants(&cfg, "{\"aud\":[]}", NOW) == AUTH_INVALID_TOKEN,
	    "empty aud array refused");
	ok(check_grants(&cfg, "{\"aud\":[[\"users-api\"]]}", NOW) ==
	        AUTH_INVALID_TOKEN,
	    "nested aud array refused");
	ok(check_grants(&cfg, "{\"aud\":1}", NOW) == AUTH_INVALID_TOKEN,
	    "aud as a number refused");
	ok(check_grants(&cfg, "{\"sub\":\"x\"}", NOW) == AUTH_INVALID_TOKEN,
	    "aud missing refused");

	cfg.issuer = "iss-1";
	ok(check_grants(&cfg,
	       "{\"iss\":\"iss-1\",\"aud\":[\"users-api\"],"
	       "\"exp\":1700000100,\"nbf\":1699999900}",
	       NOW) == AUTH_OK,
	    "all claims together ok");
	ok(check_grants(&cfg,
	       "{\"iss\":\"iss-1\",\"aud\":[\"users-api\"],"
	       "\"exp\":1600000000}",
	       NOW) == AUTH_INVALID_TOKEN,
	    "all claims but expired refused");
}

/* A valid HS256 token padded to at most target bytes, as close as the
 * base64 granularity allows; the caller frees. */
static char *padded_token(size_t target)
{
	size_t fill = target * 3 / 4;
	char *g = malloc(fill + 32), *t = NULL;

	memcpy(g, "{\"pad\":\"", 8);
	for (; fill > 0; fill--) {
		memset(g + 8, 'x', fill);
		strcpy(g + 8 + fill, "\"}");
		t = mint_hs(JWT_ALG_HS256, HS_SECRET, g);
		if (t == NULL || strlen(t) <= target)
			break;
		free(t);
		t = NULL;
	}
	free(g);
	return t;
}

static void test_length(void)
{
	struct config_jwt cfg = hs_config();
	char *t;

	t = padded_token(8192);
	ok(t != NULL && strlen(t) <= 8192 && strlen(t) > 8188,
	    "near-limit token is %zu bytes", t ? strlen(t) : 0);
	ok(check(&cfg, t, NOW) == AUTH_OK, "token just under 8 KiB accepted");
	free(t);
	t = padded_token(8196);
	ok(t != NULL && strlen(t) > 8192, "long token is %zu bytes",
	    t ? strlen(t) : 0);
	ok(t != NULL && libjwt_accepts(t, HS_SECRET, strlen(HS_SECRET)),
	    "precondition: libjwt accepts the long token");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "token over 8 KiB refused");
	free(t);
}

static int read_file(const char *path, struct pem *out)
{
	FILE *f = fopen(path, "rb");
	long n;

	out->data = NULL;
	out->len = 0;
	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	out->data = malloc((size_t)n);
	out->len = fread(out->data, 1, (size_t)n, f);
	fclose(f);
	return out->len == (size_t)n ? 0 : -1;
}

/* Generates a key pair with the openssl command into a private directory;
 * genopts are the genpkey options. Files are removed once read. */
static int gen_keypair(const char *genopts, struct pem *priv, struct pem *pub)
{
	char dir[] = "/tmp/test_auth.XXXXXX", cmd[512], p1[64], p2[64];
	int rc = -1;

	priv->data = pub->data = NULL;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p1, sizeof(p1), "%s/priv.pem", dir);
	snprintf(p2, sizeof(p2), "%s/pub.pem", dir);
	snprintf(cmd, sizeof(cmd),
	    "openssl genpkey %s -out %s 2>/dev/null && "
	    "openssl pkey -in %s -pubout -out %s 2>/dev/null",
	    genopts, p1, p1, p2);
	if (system(cmd) == 0 && read_file(p1, priv) == 0 &&
	    read_file(p2, pub) == 0)
		rc = 0;
	unlink(p1);
	unlink(p2);
	rmdir(dir);
	return rc;
}

static struct config_jwt pk_config(const char *alg, const struct pem *pub)
{
	struct config_jwt cfg = hs_config();

	cfg.alg = (char *)alg;
	cfg.kind = JWT_KIND_PUBLIC_KEY;
	cfg.key = pub->data;
	cfg.key_len = pub->len;
	return cfg;
}

static void test_rsa(void)
{
	struct pem priv = { 0 }, pub = { 0 }, priv2 = { 0 }, pub2 = { 0 };
	struct config_jwt cfg;
	char *t;
	int have;

	have = gen_keypair("-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
	           &priv, &pub) == 0 &&
	    gen_keypair("-algorithm RSA "
	                "-pkeyopt rsa_keygen_bits:2048",
	        &priv2, &pub2) == 0;
	ok(have, "generated two RSA key pairs with openssl");
	if (!have)
		goto done;
	cfg = pk_config("RS256", &pub);

	t = mint(JWT_ALG_RS256, priv.data, priv.len, "{\"sub\":\"x\"}");
	ok(check(&cfg, t, NOW) == AUTH_OK, "valid RS256 token accepted");
	free(t);

	t = mint(JWT_ALG_RS256, priv2.data, priv2.len, "{\"sub\":\"x\"}");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "RS256 token from another key refused");
	free(t);

	t = mint(JWT_ALG_RS384, priv.data, priv.len, "{\"sub\":\"x\"}");
	ok(libjwt_accepts(t, pub.data, pub.len),
	    "precondition: libjwt accepts RS384 under the RS256 key");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "RS384 token refused when RS256 is configured");
	free(t);

	/* Algorithm confusion: the public key text as an HMAC secret. */
	t = mint(JWT_ALG_HS256, pub.data, pub.len, "{\"sub\":\"admin\"}");
	ok(libjwt_accepts(t, pub.data, pub.len),
	    "precondition: libjwt accepts HS256 keyed with the public PEM");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "algorithm confusion (HS256 with the public key) refused");
	free(t);

	ok(check(&cfg, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "HS256 README token refused under RS256");

	cfg.require_exp = 1;
	t = mint(JWT_ALG_RS256, priv.data, priv.len, "{\"exp\":1600000000}");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "expired RS256 token refused");
	free(t);
done:
	free(priv.data);
	free(pub.data);
	free(priv2.data);
	free(pub2.data);
}

static void test_ec(void)
{
	struct pem priv = { 0 }, pub = { 0 };
	struct config_jwt cfg;
	char *t;
	int have;

	have = gen_keypair("-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
	           &priv, &pub) == 0;
	ok(have, "generated an EC P-256 key pair with openssl");
	if (!have)
		goto done;
	cfg = pk_config("ES256", &pub);
	t = mint(JWT_ALG_ES256, priv.data, priv.len, "{\"sub\":\"x\"}");
	ok(check(&cfg, t, NOW) == AUTH_OK, "valid ES256 token accepted");
	free(t);
	t = mint(JWT_ALG_HS256, pub.data, pub.len, "{\"sub\":\"x\"}");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN,
	    "HS256 keyed with the EC public key refused");
	free(t);
done:
	free(priv.data);
	free(pub.data);
}

/* An HS256 token with grants built from fmt. The caller frees. */
__attribute__((format(printf, 1, 2))) static char *mint_grants(const char *fmt,
    ...)
{
	char grants[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(grants, sizeof(grants), fmt, ap);
	va_end(ap);
	return mint_hs(JWT_ALG_HS256, HS_SECRET, grants);
}

static struct auth_cache_stats stats(void)
{
	struct auth_cache_stats st;

	auth_cache_stats(&st);
	return st;
}

static void test_cache_hits_and_times(void)
{
	struct config_jwt cfg = hs_config();
	char *t, *n;

	auth_cache_clear();
	t = mint_grants("{\"sub\":\"c\",\"exp\":%ld}", NOW + 100);
	ok(check(&cfg, t, NOW) == AUTH_OK, "cache: first check accepted");
	ok(stats().decodes == 1 && stats().hits == 0 && stats().entries == 1,
	    "cache: the first check decoded the token and cached it");
	ok(check(&cfg, t, NOW + 60) == AUTH_OK &&
	        check_with(&cfg, "bearer  ", t, NOW + 61) == AUTH_OK,
	    "cache: later checks accepted");
	ok(stats().decodes == 1 && stats().hits == 2,
	    "cache: later checks are hits, libjwt not called");
	ok(check(&cfg, t, NOW + 129) == AUTH_OK && stats().hits == 3,
	    "cache: a hit within the leeway after exp");
	ok(check(&cfg, t, NOW + 130) == AUTH_INVALID_TOKEN,
	    "cache: refused at exp + leeway");
	ok(stats().decodes == 1 && stats().entries == 0,
	    "cache: the expired entry was dropped without a decode");
	ok(check(&cfg, t, NOW + 131) == AUTH_INVALID_TOKEN &&
	        stats().decodes == 2 && stats().entries == 0,
	    "cache: after that the token is decoded again, and refused");
	free(t);

	/* nbf: never cached before it is valid; a hit checks it again. */
	n = mint_grants("{\"nbf\":%ld}", NOW + 100);
	ok(check(&cfg, n, NOW) == AUTH_INVALID_TOKEN &&
	        check(&cfg, n, NOW) == AUTH_INVALID_TOKEN &&
	        stats().decodes == 4 && stats().entries == 0,
	    "cache: a token before its nbf is refused and not cached");
	ok(check(&cfg, n, NOW + 100) == AUTH_OK && stats().entries == 1,
	    "cache: at nbf it is accepted and cached");
	ok(check(&cfg, n, NOW + 10) == AUTH_INVALID_TOKEN &&
	        stats().decodes == 5,
	    "cache: a clock stepped back refuses the cached token by nbf");
	ok(check(&cfg, n, NOW + 100) == AUTH_OK && stats().decodes == 5,
	    "cache: ... and keeps it for when it is valid");
	free(n);

	/* No exp: kept while the configuration is the same. */
	ok(check(&cfg, readme_token, NOW) == AUTH_OK &&
	        check(&cfg, readme_token, NOW + 86400 * 365) == AUTH_OK &&
	        stats().decodes == 6,
	    "cache: a token without exp is a hit");
}

static void test_cache_refusals(void)
{
	struct config_jwt cfg = hs_config(), other = hs_config();
	char tampered[sizeof(readme_token)];
	unsigned long d;
	char *t;

	auth_cache_clear();
	t = mint_hs(JWT_ALG_HS256, "another secret", "{\"sub\":\"x\"}");
	ok(check(&cfg, t, NOW) == AUTH_INVALID_TOKEN &&
	        check(&cfg, t, NOW) == AUTH_INVALID_TOKEN &&
	        stats().decodes == 2 && stats().entries == 0,
	    "cache: a bad signature is checked each time, never cached");
	free(t);

	ok(check(&cfg, readme_token, NOW) == AUTH_OK, "cache: token cached");
	memcpy(tampered, readme_token, sizeof(readme_token));
	tampered[sizeof(readme_token) - 2] ^= 1;
	d = stats().decodes;
	ok(check(&cfg, tampered, NOW) == AUTH_INVALID_TOKEN &&
	        stats().decodes == d + 1,
	    "cache: one byte changed at the end is another token");
	memcpy(tampered, readme_token, sizeof(readme_token));
	tampered[0] ^= 1;
	ok(check(&cfg, tampered, NOW) == AUTH_INVALID_TOKEN &&
	        stats().decodes == d + 2,
	    "cache: one byte changed at the start is another token");

	/* Another configuration at the same address: no stale hit. */
	other.issuer = "https://issuer.example";
	ok(check(&other, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "cache: issuer now required: the cached token is refused");
	ok(stats().entries == 0, "cache: a new configuration empties it");
	other = hs_config();
	other.key = (unsigned char *)"another secret";
	other.key_len = strlen("another secret");
	ok(check(&cfg, readme_token, NOW) == AUTH_OK &&
	        check(&other, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "cache: another secret refuses the token cached with the first");
	cfg.require_exp = 1;
	ok(check(&cfg, readme_token, NOW) == AUTH_INVALID_TOKEN,
	    "cache: require_exp set: the token without exp is refused");
	cfg = hs_config();
	cfg.leeway_seconds = 0;
	t = mint_grants("{\"exp\":%ld}", NOW + 10);
	ok(check(&cfg, t, NOW) == AUTH_OK &&
	        check(&cfg, t, NOW + 10) == AUTH_INVALID_TOKEN,
	    "cache: leeway 0 applies to a hit");
	free(t);
}

static void test_cache_eviction(void)
{
	struct config_jwt cfg = hs_config();
	char *t[AUTH_CACHE_SIZE + 2];
	unsigned long d;
	int i, all = 1;
	char *big;

	auth_cache_clear();
	for (i = 0; i < AUTH_CACHE_SIZE + 2; i++)
		t[i] = mint_grants("{\"sub\":\"user %d\"}", i);
	for (i = 0; i < AUTH_CACHE_SIZE; i++)
		all &= check(&cfg, t[i], NOW) == AUTH_OK;
	ok(all && stats().entries == AUTH_CACHE_SIZE && stats().evictions == 0,
	    "cache: %d tokens fill it", AUTH_CACHE_SIZE);
	/* Token 0 used again: token 1 is now the least recently used. */
	ok(check(&cfg, t[0], NOW) == AUTH_OK && stats().hits == 1,
	    "cache: token 0 is a hit");
	ok(check(&cfg, t[AUTH_CACHE_SIZE], NOW) == AUTH_OK &&
	        stats().entries == AUTH_CACHE_SIZE && stats().evictions == 1,
	    "cache: one more evicts one entry, bounded at %d", AUTH_CACHE_SIZE);
	d = stats().decodes;
	ok(check(&cfg, t[0], NOW) == AUTH_OK && stats().decodes == d,
	    "cache: the recently used token 0 stayed");
	ok(check(&cfg, t[1], NOW) == AUTH_OK && stats().decodes == d + 1,
	    "cache: the least recently used token 1 was evicted");
	ok(check(&cfg, t[AUTH_CACHE_SIZE], NOW) == AUTH_OK &&
	        stats().decodes == d + 1,
	    "cache: the newest token stayed");
	for (i = 0; i < AUTH_CACHE_SIZE + 2; i++)
		free(t[i]);

	big = malloc(AUTH_CACHE_TOKEN_MAX + 64);
	memset(big, 'a', AUTH_CACHE_TOKEN_MAX);
	big[AUTH_CACHE_TOKEN_MAX] = '\0';
	t[0] = mint_grants("{\"pad\":\"%s\"}", big);
	d = stats().decodes;
	ok(t[0] != NULL && strlen(t[0]) > AUTH_CACHE_TOKEN_MAX &&
	        check(&cfg, t[0], NOW) == AUTH_OK &&
	        check(&cfg, t[0], NOW) == AUTH_OK && stats().decodes == d + 2,
	    "cache: a token over %d bytes is accepted but not cached",
	    AUTH_CACHE_TOKEN_MAX);
	free(t[0]);
	free(big);
	auth_cache_clear();
	ok(stats().entries == 0 && stats().decodes == 0, "cache: cleared");
}

/* The scope claim's scopes (api-extensions.md section 6): from a fresh
 * decode and from the cache alike; none for a refused token. */
static void test_scopes(void)
{
	struct config_jwt cfg = hs_config();
	char header[2048];
	unsigned scopes = 99;
	char *t;

	auth_cache_clear();
	t = mint_hs(JWT_ALG_HS256, HS_SECRET,
	    "{\"sub\":\"s\",\"scope\":\"users:read users:delete\"}");
	snprintf(header, sizeof(header), "Bearer %s", t ? t : "");
	ok(auth_check_scopes(&cfg, header, NOW, &scopes) == AUTH_OK &&
	        scopes == (SCOPE_READ | SCOPE_DELETE),
	    "scopes: read and delete from the claim");
	scopes = 99;
	ok(auth_check_scopes(&cfg, header, NOW, &scopes) == AUTH_OK &&
	        scopes == (SCOPE_READ | SCOPE_DELETE) && stats().hits == 1,
	    "scopes: the same from the cache");
	free(t);
	t = mint_hs(JWT_ALG_HS256, HS_SECRET,
	    "{\"sub\":\"s\",\"scope\":[\"users:read\"]}");
	snprintf(header, sizeof(header), "Bearer %s", t ? t : "");
	ok(auth_check_scopes(&cfg, header, NOW, &scopes) == AUTH_OK &&
	        scopes == 0,
	    "scopes: an array claim grants none, the token is valid");
	free(t);
	t = mint_hs(JWT_ALG_HS256, "another-secret",
	    "{\"sub\":\"s\",\"scope\":\"users:read\"}");
	snprintf(header, sizeof(header), "Bearer %s", t ? t : "");
	scopes = 99;
	ok(auth_check_scopes(&cfg, header, NOW, &scopes) ==
	            AUTH_INVALID_TOKEN &&
	        scopes == 0,
	    "scopes: none for a refused token");
	free(t);
	auth_cache_clear();
}

int main(void)
{
	test_scheme();
	test_garbled();
	test_secret_and_alg();
	test_alg_none();
	test_header();
	test_times();
	test_iss_aud();
	test_length();
	test_rsa();
	test_ec();
	test_cache_hits_and_times();
	test_cache_refusals();
	test_cache_eviction();
	test_scopes();
	auth_cache_clear();
	return tap_done();
}
