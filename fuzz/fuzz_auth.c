/* libFuzzer target: auth_check under two HS256 configurations. Each input
 * is tried twice: as the Authorization header value itself, and as a claim
 * set this target signs with the configured secret, so that the claim
 * checks behind a good signature are fuzzed too. */
#include "fuzz.h"

#include <json-c/json.h>
#include <jwt.h>

#include "auth.h"
#include "log.h"

#define SECRET "your-256-bit-secret"
#define NOW ((time_t)1700000000)
#define TOKEN_MAX 8192 /* auth.c's AUTH_TOKEN_MAX */

/* The test stack's [jwt] section, and a strict one with every check on. */
static struct config_jwt loose = {
	.alg = "HS256",
	.kind = JWT_KIND_HMAC,
	.key = (unsigned char *)SECRET,
	.key_len = sizeof(SECRET) - 1,
	.leeway_seconds = 30,
	.require_exp = 0,
};
static struct config_jwt strict = {
	.alg = "HS256",
	.kind = JWT_KIND_HMAC,
	.key = (unsigned char *)SECRET,
	.key_len = sizeof(SECRET) - 1,
	.leeway_seconds = 0,
	.require_exp = 1,
	.issuer = "https://auth.example.com",
	.audience = "usersd",
};

/* Both configurations; whatever the strict one accepts, the loose one does. */
static enum auth_result check_both(const char *header)
{
	enum auth_result l = auth_check(&loose, header, NOW);
	enum auth_result s = auth_check(&strict, header, NOW);

	FUZZ_CHECK(l == AUTH_OK || l == AUTH_NO_CREDENTIALS ||
	    l == AUTH_INVALID_TOKEN);
	FUZZ_CHECK(s == AUTH_OK || s == AUTH_NO_CREDENTIALS ||
	    s == AUTH_INVALID_TOKEN);
	if (s == AUTH_OK)
		FUZZ_CHECK(l == AUTH_OK);
	/* Whether a credential was offered does not depend on the config. */
	FUZZ_CHECK((l == AUTH_NO_CREDENTIALS) == (s == AUTH_NO_CREDENTIALS));
	return l;
}

/* Whether the signed claim set has neither exp nor nbf, as json-c reads
 * the text libjwt signed (jansson and json-c may disagree on odd input,
 * so only a clean object counts). */
static int no_time_claims(jwt_t *jwt)
{
	char *text = jwt_get_grants_json(jwt, NULL);
	json_object *claims, *v;
	int none = 0;

	if (text == NULL)
		return 0;
	claims = json_tokener_parse(text);
	if (claims != NULL && json_object_is_type(claims, json_type_object))
		none = !json_object_object_get_ex(claims, "exp", &v) &&
		    !json_object_object_get_ex(claims, "nbf", &v);
	json_object_put(claims);
	free(text);
	return none;
}

/* Signs claims (a JSON object text) with alg and the secret and checks the
 * result as "Bearer <token>". */
static void check_signed(const char *claims, jwt_alg_t alg)
{
	jwt_t *jwt = NULL;
	char *token = NULL, *header;
	enum auth_result res;
	size_t len;

	if (jwt_new(&jwt) != 0)
		abort();
	if (jwt_add_grants_json(jwt, claims) != 0 ||
	    jwt_set_alg(jwt, alg, (const unsigned char *)SECRET,
	        (int)sizeof(SECRET) - 1) != 0 ||
	    (token = jwt_encode_str(jwt)) == NULL)
		goto done;
	len = strlen(token);
	header = malloc(len + sizeof("Bearer "));
	if (header == NULL)
		abort();
	memcpy(header, "Bearer ", 7);
	memcpy(header + 7, token, len + 1);
	res = check_both(header);
	FUZZ_CHECK(res != AUTH_NO_CREDENTIALS);
	/* The algorithm is pinned, whatever the claims. */
	if (alg != JWT_ALG_HS256)
		FUZZ_CHECK(res == AUTH_INVALID_TOKEN);
	else if (len <= TOKEN_MAX && no_time_claims(jwt))
		FUZZ_CHECK(res == AUTH_OK);
	free(header);
done:
	free(token);
	jwt_free(jwt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_cstring(data, size);

	log_set_level(LOG_LEVEL_ERROR);
	check_both(input);
	check_signed(input, JWT_ALG_HS256);
	check_signed(input, JWT_ALG_HS384);
	free(input);
	return 0;
}
