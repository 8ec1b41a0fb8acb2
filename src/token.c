/* usersd-token: mints a bearer token the responder accepts, signed with the
 * key its INI file configures ([jwt]); prints it on stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>

#include "config.h"
#include "decimal.h"
#include "secret.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/usersd/usersd.ini"
#define DEFAULT_TTL 3600L

/* Exit statuses: 0 a token was printed, 1 it could not be, 2 bad usage. */
enum { EXIT_TOKEN = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What the command line asks for; the strings point into argv. */
struct request {
	const char *config;
	const char *sub;
	const char *key_file;
	long ttl;
	long exp;        /* absolute, when has_exp */
	long nbf_offset; /* seconds from now, when has_nbf */
	int has_exp, has_ttl, has_nbf, no_iat;
	char *scope;         /* the --scope values joined by spaces; owned */
	const char **claims; /* the --claim k=v arguments; owned array */
	size_t nclaims;
};

/* Claims the options set: --claim may not name them. */
static const char *const reserved[] = { "sub", "exp", "iat", "nbf", "iss",
	"aud", "scope", NULL };

static const char synopsis[] =
    "usage: usersd-token [-c file] --sub ID [--ttl SECONDS | --exp EPOCH]\n"
    "                    [--nbf SECONDS] [--no-iat] [--scope S]...\n"
    "                    [--claim NAME=VALUE]... [--key private.pem]\n";

/* --help prints it all on stdout; a usage error the synopsis on stderr. */
static void usage(int full)
{
	if (!full) {
		fprintf(stderr, "%s(usersd-token --help says more)\n",
		    synopsis);
		exit(EXIT_USAGE);
	}
	printf(
	    "%s"
	    "  -c, --config FILE  usersd's INI file\n"
	    "                     (default " DEFAULT_CONFIG ")\n"
	    "  -s, --sub ID       the subject (sub claim), required\n"
	    "  -t, --ttl SECONDS  lifetime: exp = now + SECONDS\n"
	    "                     (default 3600; <= 0 mints an expired token)\n"
	    "  -e, --exp EPOCH    exp as seconds since 1970 instead of --ttl\n"
	    "  -n, --nbf SECONDS  add nbf = now + SECONDS\n"
	    "      --no-iat       leave out iat (issued at, default now)\n"
	    "  -S, --scope S      add S (one scope, or several separated by\n"
	    "                     spaces) to the scope claim\n"
	    "  -C, --claim N=V    add the string claim N\n"
	    "  -k, --key FILE     PEM private key, for RS* and ES* (the INI\n"
	    "                     holds only the public key); HS* use the\n"
	    "                     INI's [jwt] secret\n"
	    "iss and aud come from [jwt] issuer and audience when set.\n"
	    "The token goes to stdout; the secret and keys are never printed.\n"
	    "Exit status: 0 token printed, 1 error, 2 usage.\n",
	    synopsis);
	exit(EXIT_TOKEN);
}

__attribute__((format(printf, 1, 2))) static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs("usersd-token: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Decimal, optional sign, the whole string; no silent wrap-around. */
static int parse_seconds(const char *s, long *out)
{
	return decimal_parse(s, strlen(s), LONG_MIN, LONG_MAX,
	           DECIMAL_ZEROS | DECIMAL_MINUS | DECIMAL_PLUS,
	           out) == DECIMAL_OK
	    ? 0
	    : -1;
}

/* Sum that refuses to overflow (exp and nbf near the ends of time_t). */
static int add_seconds(long a, long b, long *out)
{
	if ((b > 0 && a > LONG_MAX - b) || (b < 0 && a < LONG_MIN - b))
		return -1;
	*out = a + b;
	return 0;
}

/* Appends the add bytes at s to the scope claim, after a space. */
static void scope_add(struct request *rq, const char *s, size_t add)
{
	size_t old = rq->scope == NULL ? 0 : strlen(rq->scope);

	rq->scope = xrealloc(rq->scope, old + add + 2);
	if (old > 0)
		rq->scope[old++] = ' ';
	memcpy(rq->scope + old, s, add);
	rq->scope[old + add] = '\0';
}

/* RFC 6749 3.3's scope-token bytes: visible ASCII but '"' and '\'. */
static int scope_char(char c)
{
	return c > ' ' && c <= '~' && c != '"' && c != '\\';
}

/*
 * One --scope value: one scope or several separated by spaces ("users:read
 * users:write"), each added as a word; 0, or -1 when it holds none or a
 * byte a scope cannot have.
 */
static int scope_option(struct request *rq, const char *arg)
{
	const char *p = arg;
	int words = 0;

	for (; *p != '\0'; p++)
		if (*p != ' ' && !scope_char(*p))
			return -1;
	for (p = arg; *p != '\0';) {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0) {
			scope_add(rq, p, n);
			words++;
		}
		p += n;
	}
	return words > 0 ? 0 : -1;
}

static int claim_valid(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t i;

	if (eq == NULL || eq == arg)
		return 0;
	for (i = 0; reserved[i] != NULL; i++)
		if (strlen(reserved[i]) == (size_t)(eq - arg) &&
		    strncmp(reserved[i], arg, (size_t)(eq - arg)) == 0)
			return 0;
	return 1;
}

/* optarg as seconds, or a usage error that starts with what. */
static long seconds_arg(const char *what)
{
	long v;

	if (parse_seconds(optarg, &v) == -1) {
		complain("%s: %s", what, optarg);
		usage(0);
	}
	return v;
}

/* One option getopt_long found (ch, with optarg) into *rq. */
static void apply_option(int ch, struct request *rq)
{
	switch (ch) {
	case 'c':
		rq->config = optarg;
		break;
	case 's':
		rq->sub = optarg;
		break;
	case 't':
		rq->ttl = seconds_arg("--ttl: not a number of seconds");
		rq->has_ttl = 1;
		break;
	case 'e':
		rq->exp = seconds_arg("--exp: not seconds since 1970");
		rq->has_exp = 1;
		break;
	case 'n':
		rq->nbf_offset = seconds_arg("--nbf: not a number of seconds");
		rq->has_nbf = 1;
		break;
	case 'I':
		rq->no_iat = 1;
		break;
	case 'S':
		if (scope_option(rq, optarg) != 0) {
			complain("--scope: one or more scopes separated by "
			         "spaces, of visible ASCII but \" and \\: "
			         "'%s'",
			    optarg);
			usage(0);
		}
		break;
	case 'C':
		if (!claim_valid(optarg)) {
			complain("--claim: NAME=VALUE, NAME not one of sub exp "
			         "iat nbf iss aud scope: '%s'",
			    optarg);
			usage(0);
		}
		rq->claims[rq->nclaims++] = optarg;
		break;
	case 'k':
		rq->key_file = optarg;
		break;
	case 'h':
		usage(1);
		break;
	default:
		usage(0);
	}
}

static void parse_args(int argc, char **argv, struct request *rq)
{
	static const struct option longopts[] = { { "config", required_argument,
		                                      NULL, 'c' },
		{ "sub", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 't' },
		{ "exp", required_argument, NULL, 'e' },
		{ "nbf", required_argument, NULL, 'n' },
		{ "no-iat", no_argument, NULL, 'I' },
		{ "scope", required_argument, NULL, 'S' },
		{ "claim", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int ch;

	rq->config = DEFAULT_CONFIG;
	rq->ttl = DEFAULT_TTL;
	rq->claims = xcalloc((size_t)argc, sizeof(*rq->claims));
	while ((ch = getopt_long(argc, argv, "c:s:t:e:n:S:C:k:h", longopts,
	            NULL)) != -1)
		apply_option(ch, rq);
	if (optind != argc) {
		complain("unexpected argument: %s", argv[optind]);
		usage(0);
	}
	if (rq->sub == NULL || *rq->sub == '\0') {
		complain("--sub is required");
		usage(0);
	}
	if (rq->has_ttl && rq->has_exp) {
		complain("--ttl and --exp exclude each other");
		usage(0);
	}
}

/* A private key file, read whole into *out (the caller wipes and frees it
 * with secret_free, *len bytes). */
static int read_key_file(const char *file, unsigned char **out, size_t *len)
{
	char why[512], *text;

	if (secret_read_file(file, 0, &text, len, why, sizeof(why)) == -1) {
		complain("--key: %s", why);
		return -1;
	}
	if (*len == 0) {
		secret_free(text, *len);
		complain("--key %s: empty", file);
		return -1;
	}
	*out = (unsigned char *)text;
	return 0;
}

/*
 * The signing key: HS* the INI's secret (borrowed: *owned stays NULL),
 * RS* and ES* the --key file (read into *owned, which the caller wipes).
 */
static int signing_key(const struct config_jwt *cfg, const char *key_file,
    const unsigned char **key, size_t *len, unsigned char **owned)
{
	*owned = NULL;
	if (cfg->kind == JWT_KIND_HMAC) {
		if (key_file != NULL) {
			complain("--key is for RS* and ES*; %s signs with "
			         "[jwt] secret",
			    cfg->alg);
			return -1;
		}
		*key = cfg->key;
		*len = cfg->key_len;
		return 0;
	}
	if (key_file == NULL) {
		complain("%s needs the private key: --key FILE (the INI "
		         "holds the public key only)",
		    cfg->alg);
		return -1;
	}
	if (read_key_file(key_file, owned, len) == -1)
		return -1;
	*key = *owned;
	return 0;
}

/* The claims: sub, iat, exp, nbf, iss, aud, scope, then the --claim ones. */
static int add_claims(jwt_t *jwt, const struct request *rq,
    const struct config_jwt *cfg, long now)
{
	long exp = 0, nbf = 0;
	size_t i;
	int rc;

	if (rq->has_exp)
		exp = rq->exp;
	else if (add_seconds(now, rq->ttl, &exp) == -1) {
		complain("--ttl %ld: exp out of range", rq->ttl);
		return -1;
	}
	if (rq->has_nbf && add_seconds(now, rq->nbf_offset, &nbf) == -1) {
		complain("--nbf %ld: out of range", rq->nbf_offset);
		return -1;
	}
	rc = jwt_add_grant(jwt, "sub", rq->sub);
	if (rc == 0 && !rq->no_iat)
		rc = jwt_add_grant_int(jwt, "iat", now);
	if (rc == 0)
		rc = jwt_add_grant_int(jwt, "exp", exp);
	if (rc == 0 && rq->has_nbf)
		rc = jwt_add_grant_int(jwt, "nbf", nbf);
	if (rc == 0 && cfg->issuer != NULL)
		rc = jwt_add_grant(jwt, "iss", cfg->issuer);
	if (rc == 0 && cfg->audience != NULL)
		rc = jwt_add_grant(jwt, "aud", cfg->audience);
	if (rc == 0 && rq->scope != NULL)
		rc = jwt_add_grant(jwt, "scope", rq->scope);
	for (i = 0; rc == 0 && i < rq->nclaims; i++) {
		const char *arg = rq->claims[i], *eq = strchr(arg, '=');
		char *name = xstrndup(arg, (size_t)(eq - arg));

		rc = jwt_add_grant(jwt, name, eq + 1);
		if (rc == EEXIST)
			complain("--claim %s: given twice", name);
		free(name);
		if (rc == EEXIST)
			return -1;
	}
	if (rc != 0) {
		complain("cannot add the claims: %s", strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Checks the token against the INI's key as the responder does (signature,
 * pinned alg), so a --key that does not pair with public_key_file fails
 * here instead of at the first request.
 */
static int verify(const struct config_jwt *cfg, const char *token)
{
	jwt_t *jwt = NULL;
	int ok;

	if (cfg->key_len > INT_MAX)
		return -1;
	ok = jwt_decode(&jwt, token, cfg->key, (int)cfg->key_len) == 0 &&
	    jwt_get_alg(jwt) == jwt_str_alg(cfg->alg);
	jwt_free(jwt);
	return ok ? 0 : -1;
}

/* Signs and prints the token; the key is wiped by libjwt and by us. */
static int mint(const struct request *rq, const struct config_jwt *cfg)
{
	const unsigned char *key;
	unsigned char *owned = NULL;
	jwt_t *jwt = NULL;
	char *token = NULL;
	size_t key_len = 0;
	int rc;

	if (signing_key(cfg, rq->key_file, &key, &key_len, &owned) == -1)
		return -1;
	if (key_len > INT_MAX || jwt_new(&jwt) != 0) {
		complain("cannot create the token");
		goto fail;
	}
	rc = jwt_set_alg(jwt, jwt_str_alg(cfg->alg), key, (int)key_len);
	secret_free(owned, key_len);
	owned = NULL;
	if (rc != 0) {
		complain("cannot use the key for %s: %s", cfg->alg,
		    strerror(rc));
		goto fail;
	}
	if (add_claims(jwt, rq, cfg, (long)time(NULL)) == -1)
		goto fail;
	token = jwt_encode_str(jwt);
	if (token == NULL) {
		complain("cannot sign with %s%s%s: %s", cfg->alg,
		    rq->key_file != NULL ? " and " : "",
		    rq->key_file != NULL ? rq->key_file : "", strerror(errno));
		goto fail;
	}
	if (verify(cfg, token) == -1) {
		complain("the token does not verify with [jwt] public_key_file "
		         "of %s: --key %s is not its private key",
		    rq->config, rq->key_file != NULL ? rq->key_file : "");
		goto fail;
	}
	if (printf("%s\n", token) < 0 || fflush(stdout) != 0) {
		complain("cannot write the token: %s", strerror(errno));
		goto fail;
	}
	free(token);
	jwt_free(jwt);
	return 0;
fail:
	free(token);
	secret_free(owned, key_len);
	jwt_free(jwt);
	return -1;
}

int main(int argc, char **argv)
{
	struct request rq = { 0 };
	struct config cfg;
	char err[512];
	int rc = EXIT_FAIL;

	parse_args(argc, argv, &rq);
	/* The whole file is checked, as usersd -t would: a token minted from
	 * a file the service refuses would be of no use. */
	if (config_load(rq.config, &cfg, err, sizeof(err)) != 0) {
		complain("%s", err);
		goto done;
	}
	if (mint(&rq, &cfg.jwt) == 0)
		rc = EXIT_TOKEN;
	config_free(&cfg);
done:
	free(rq.scope);
	free(rq.claims);
	return rc;
}
