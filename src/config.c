/* The INI file read into struct config: one table row per setting (section,
 * key, type, bounds, default), strict parsing, then the rules across keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include <iniparser/iniparser.h>

#include "decimal.h"
#include "log.h"
#include "netaddr.h"
#include "secret.h"
#include "xmalloc.h"

/* iniparser 4.1 reads lines with fgets into 1023 bytes, newline included. */
#define INI_LINE_MAX 1022

enum setting_type {
	SET_STRING, /* char *, a copy; non-empty unless EMPTY_OK */
	SET_CHOICE, /* char *, one of choices, any case, stored as listed */
	SET_INT,    /* int, decimal */
	SET_UINT,   /* unsigned int, decimal */
	SET_LONG,   /* long, decimal */
	SET_MODE,   /* mode_t, octal digits only */
	SET_BOOL,   /* int 0/1: true/false, yes/no, 1/0, any case */
	SET_CUSTOM, /* the row's set() parses and stores */
};

#define REQUIRED 0x1 /* absent is an error */
#define EMPTY_OK 0x2 /* "" is a value */
#define SECRET 0x4   /* wiped from the dictionary after reading */

struct setting;
/* Both return 0, or -1 with the reason (never the value) in why. Function
 * types, so the rows' functions are declared by name below. */
typedef int setting_set_fn(struct config *cfg, const struct setting *s,
    const char *value, char *why, size_t whylen);
typedef int setting_check_fn(struct config *cfg, char *why, size_t whylen);

struct setting {
	const char *section;
	const char *key;
	enum setting_type type;
	unsigned int flags;
	long min, max;              /* bounds of the number types */
	const char *def;            /* spelled as in the file; NULL: none */
	size_t offset;              /* the field in struct config */
	const char *const *choices; /* SET_CHOICE: NULL-terminated */
	setting_set_fn *set;        /* SET_CUSTOM only */
	setting_check_fn *check;    /* run after the value is stored */
};

/* A pair of keys of which at most one may be given. */
struct exclusive {
	const char *section, *a, *b;
	int required; /* and at least one */
};

/* Where error messages go: "PATH: [section] key: reason". */
struct errbuf {
	const char *path;
	char *buf;
	size_t len;
};

static setting_set_fn set_password_file, set_secret, set_secret_file,
    set_public_key_file;
static setting_check_fn check_socket, check_allow, check_servers, check_alg;

static const char *const jwt_algs[] = { "HS256", "HS384", "HS512", "RS256",
	"RS384", "RS512", "ES256", "ES384", "ES512", NULL };

#define OFF(field) offsetof(struct config, field)
#define STR(sec, key, flags, field, check) \
	{ \
		sec, key, SET_STRING, flags, 0, 0, NULL, OFF(field), NULL, \
		    NULL, check \
	}
#define NUM(sec, key, type, min, max, def, field) \
	{ \
		sec, key, type, 0, min, max, def, OFF(field), NULL, NULL, NULL \
	}
#define CHOICE(sec, key, flags, def, field, choices, check) \
	{ \
		sec, key, SET_CHOICE, flags, 0, 0, def, OFF(field), choices, \
		    NULL, check \
	}
#define CUSTOM(sec, key, flags, field, set) \
	{ \
		sec, key, SET_CUSTOM, flags, 0, 0, NULL, OFF(field), NULL, \
		    set, NULL \
	}

/*
 * Every setting the file may hold, in the order they are read: jwt alg comes
 * before the keys whose meaning depends on it. Integers are decimal only, so
 * "010" is ten (iniparser's getint would say eight).
 */
static const struct setting settings[] = {
	STR("server", "socket", REQUIRED, server.socket, check_socket),
	NUM("server", "socket_mode", SET_MODE, 0, 0777, "0660",
	    server.socket_mode),
	STR("server", "allow", 0, server.allow, check_allow),
	STR("server", "socket_group", 0, server.socket_group, NULL),
	STR("server", "user", 0, server.user, NULL),
	NUM("server", "workers", SET_INT, 1, 256, "4", server.workers),
	/* At least the burst nginx's rate limit admits at once (400): nginx
	 * answers 503 when the queue is full (usersd-site.conf). */
	NUM("server", "backlog", SET_INT, 1, 65535, "1024", server.backlog),
	NUM("server", "shutdown_timeout", SET_INT, 1, 3600, "10",
	    server.shutdown_timeout),
	CHOICE("server", "log_level", 0, "info", server.log_level,
	    log_level_names, NULL),

	STR("database", "host", 0, database.host, NULL),
	STR("database", "unix_socket", 0, database.unix_socket, NULL),
	NUM("database", "port", SET_UINT, 1, 65535, "3306", database.port),
	STR("database", "user", REQUIRED, database.user, NULL),
	STR("database", "password", EMPTY_OK | SECRET, database.password, NULL),
	CUSTOM("database", "password_file", 0, database.password,
	    set_password_file),
	STR("database", "name", REQUIRED, database.name, NULL),
	NUM("database", "connect_timeout", SET_UINT, 1, 3600, "2",
	    database.connect_timeout),
	NUM("database", "read_timeout", SET_UINT, 1, 3600, "5",
	    database.read_timeout),
	NUM("database", "write_timeout", SET_UINT, 1, 3600, "5",
	    database.write_timeout),

	STR("replicas", "servers", EMPTY_OK, replicas.servers, check_servers),
	NUM("replicas", "read_your_writes", SET_BOOL, 0, 1, "true",
	    replicas.read_your_writes),
	NUM("replicas", "wait_timeout_ms", SET_UINT, 1, 60000, "1000",
	    replicas.wait_timeout_ms),
	NUM("replicas", "skip_seconds", SET_UINT, 1, 3600, "10",
	    replicas.skip_seconds),
	NUM("replicas", "galera", SET_BOOL, 0, 1, "false", replicas.galera),

	CHOICE("jwt", "alg", REQUIRED, NULL, jwt.alg, jwt_algs, check_alg),
	CUSTOM("jwt", "secret", SECRET, jwt.key, set_secret),
	CUSTOM("jwt", "secret_file", 0, jwt.key, set_secret_file),
	CUSTOM("jwt", "public_key_file", 0, jwt.key, set_public_key_file),
	NUM("jwt", "leeway_seconds", SET_LONG, 0, 3600, "30",
	    jwt.leeway_seconds),
	NUM("jwt", "require_exp", SET_BOOL, 0, 1, "false", jwt.require_exp),
	STR("jwt", "issuer", 0, jwt.issuer, NULL),
	STR("jwt", "audience", 0, jwt.audience, NULL),
	NUM("jwt", "scopes", SET_BOOL, 0, 1, "false", jwt.scopes),

	NUM("pagination", "default_limit", SET_LONG, 1, 100000, "5",
	    pagination.default_limit),
	NUM("pagination", "max_limit", SET_LONG, 1, 100000, "1000",
	    pagination.max_limit),

	NUM("writes", "require_if_match", SET_BOOL, 0, 1, "false",
	    writes.require_if_match),

	/* The change feed (api-extensions.md section 8). */
	NUM("changes", "retention_days", SET_LONG, 1, 3650, "7",
	    changes.retention_days),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static const struct exclusive exclusives[] = {
	{ "database", "host", "unix_socket", 1 },
	{ "database", "password", "password_file", 1 },
	/* Required for HS* only: checked once alg is known. */
	{ "jwt", "secret", "secret_file", 0 },
};

__attribute__((format(printf, 4, 5))) static int report(const struct errbuf *e,
    const char *section, const char *key, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (e->buf == NULL || e->len == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (section != NULL && key != NULL)
		snprintf(e->buf, e->len, "%s: [%s] %s: %s", e->path, section,
		    key, why);
	else if (section != NULL)
		snprintf(e->buf, e->len, "%s: [%s]: %s", e->path, section, why);
	else
		snprintf(e->buf, e->len, "%s: %s", e->path, why);
	return -1;
}

static void *field_of(struct config *cfg, const struct setting *s)
{
	return (char *)cfg + s->offset;
}

static const struct setting *find_setting(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].section, section) == 0 &&
		    strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

static int known_section(const char *section)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].section, section) == 0)
			return 1;
	return 0;
}

/* iniparser names entries "section:key". */
static void entry_name(char *buf, size_t len, const char *section,
    const char *key)
{
	snprintf(buf, len, "%s:%s", section, key);
}

static int has_entry(const dictionary *d, const char *section, const char *key)
{
	char name[128];

	entry_name(name, sizeof(name), section, key);
	return iniparser_find_entry(d, name);
}

/* Decimal only: an optional "-" then digits, leading zeros allowed. */
static int parse_long(const char *value, long min, long max, long *out,
    char *why, size_t whylen)
{
	switch (decimal_parse(value, strlen(value), min, max,
	    DECIMAL_ZEROS | DECIMAL_MINUS, out)) {
	case DECIMAL_OK:
		return 0;
	case DECIMAL_RANGE:
		snprintf(why, whylen, "out of range %ld..%ld", min, max);
		return -1;
	default:
		snprintf(why, whylen, "not a decimal integer");
		return -1;
	}
}

static int parse_mode(const char *value, long max, mode_t *out, char *why,
    size_t whylen)
{
	long v;

	if (*value == '\0' || strspn(value, "01234567") != strlen(value)) {
		snprintf(why, whylen, "not an octal mode such as 0660");
		return -1;
	}
	errno = 0;
	v = strtol(value, NULL, 8);
	if (errno == ERANGE || v > max) {
		snprintf(why, whylen, "out of range 0..0%lo",
		    (unsigned long)max);
		return -1;
	}
	*out = (mode_t)v;
	return 0;
}

static int parse_bool(const char *value, int *out, char *why, size_t whylen)
{
	static const char *const yes[] = { "true", "yes", "1" };
	static const char *const no[] = { "false", "no", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	snprintf(why, whylen, "not a boolean (true/false, yes/no, 1/0)");
	return -1;
}

static int parse_choice(const char *value, const char *const *choices,
    const char **out, char *why, size_t whylen)
{
	size_t i, used;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcasecmp(value, choices[i]) == 0) {
			*out = choices[i];
			return 0;
		}
	}
	used = (size_t)snprintf(why, whylen, "must be one of");
	for (i = 0; choices[i] != NULL && used < whylen; i++)
		used += (size_t)snprintf(why + used, whylen - used, " %s",
		    choices[i]);
	return -1;
}

/* Parses value by the row's type and stores it in cfg. */
static int store(struct config *cfg, const struct setting *s, const char *value,
    char *why, size_t whylen)
{
	void *field = field_of(cfg, s);
	const char *choice;
	long n;

	switch (s->type) {
	case SET_STRING:
		if (*value == '\0' && !(s->flags & EMPTY_OK)) {
			snprintf(why, whylen, "must not be empty");
			return -1;
		}
		*(char **)field = xstrdup(value);
		return 0;
	case SET_CHOICE:
		if (parse_choice(value, s->choices, &choice, why, whylen) == -1)
			return -1;
		*(char **)field = xstrdup(choice);
		return 0;
	case SET_MODE:
		return parse_mode(value, s->max, (mode_t *)field, why, whylen);
	case SET_BOOL:
		return parse_bool(value, (int *)field, why, whylen);
	case SET_CUSTOM:
		return s->set(cfg, s, value, why, whylen);
	case SET_INT:
	case SET_UINT:
	case SET_LONG:
		break;
	}
	if (parse_long(value, s->min, s->max, &n, why, whylen) == -1)
		return -1;
	/* The bounds in the table fit the field's type. */
	if (s->type == SET_INT)
		*(int *)field = (int)n;
	else if (s->type == SET_UINT)
		*(unsigned int *)field = (unsigned int)n;
	else
		*(long *)field = n;
	return 0;
}

static int set_password_file(struct config *cfg, const struct setting *s,
    const char *value, char *why, size_t whylen)
{
	char *text;
	size_t len;

	if (secret_read_file(value, 1, &text, &len, why, whylen) == -1)
		return -1;
	/* A C string cannot carry it: the password would be cut short. */
	if (memchr(text, '\0', len) != NULL) {
		secret_free(text, len);
		snprintf(why, whylen, "%s contains a NUL byte", value);
		return -1;
	}
	*(char **)field_of(cfg, s) = text;
	return 0;
}

static int is_hmac(const struct config *cfg)
{
	return cfg->jwt.alg != NULL && cfg->jwt.alg[0] == 'H';
}

static int check_alg(struct config *cfg, char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	cfg->jwt.kind = is_hmac(cfg) ? JWT_KIND_HMAC : JWT_KIND_PUBLIC_KEY;
	return 0;
}

/* alg is read before the keys, so the kind is known here. */
static int forbid_unless_hmac(const struct config *cfg, int want_hmac,
    char *why, size_t whylen)
{
	if (cfg->jwt.alg == NULL || is_hmac(cfg) == want_hmac)
		return 0;
	snprintf(why, whylen, "not used with %s (it takes %s)", cfg->jwt.alg,
	    want_hmac ? "public_key_file" : "secret or secret_file");
	return -1;
}

static int set_secret(struct config *cfg, const struct setting *s,
    const char *value, char *why, size_t whylen)
{
	(void)s;
	if (forbid_unless_hmac(cfg, 1, why, whylen) == -1)
		return -1;
	if (*value == '\0') {
		snprintf(why, whylen, "must not be empty");
		return -1;
	}
	cfg->jwt.key = (unsigned char *)xstrdup(value);
	cfg->jwt.key_len = strlen(value);
	return 0;
}

/* The file may hold raw bytes: key_len, not a NUL, ends the secret. */
static int set_secret_file(struct config *cfg, const struct setting *s,
    const char *value, char *why, size_t whylen)
{
	char *text;
	size_t len;

	(void)s;
	if (forbid_unless_hmac(cfg, 1, why, whylen) == -1 ||
	    secret_read_file(value, 1, &text, &len, why, whylen) == -1)
		return -1;
	if (len == 0) {
		free(text);
		snprintf(why, whylen, "%s is empty", value);
		return -1;
	}
	cfg->jwt.key = (unsigned char *)text;
	cfg->jwt.key_len = len;
	return 0;
}

/* libjwt 1.10 reads the key with PEM_read_bio_PUBKEY: "PUBLIC KEY" only. */
static int set_public_key_file(struct config *cfg, const struct setting *s,
    const char *value, char *why, size_t whylen)
{
	char *text;
	size_t len;

	(void)s;
	if (forbid_unless_hmac(cfg, 0, why, whylen) == -1 ||
	    secret_read_file(value, 0, &text, &len, why, whylen) == -1)
		return -1;
	if (memchr(text, '\0', len) != NULL ||
	    strstr(text, "-----BEGIN PUBLIC KEY-----") == NULL) {
		secret_free(text, len);
		snprintf(why, whylen,
		    "%s holds no PEM public key "
		    "(-----BEGIN PUBLIC KEY-----)",
		    value);
		return -1;
	}
	cfg->jwt.key = (unsigned char *)text;
	cfg->jwt.key_len = len;
	return 0;
}

/* FCGX_OpenSocket takes a path, or host:port when there is a ':'; an empty
 * host would bind every interface, a name would be resolved. */
static int check_socket(struct config *cfg, char *why, size_t whylen)
{
	return netaddr_parse_listen(cfg->server.socket, why, whylen) == -1 ? -1
	                                                                   : 0;
}

/* Read after socket: the address list is for a TCP socket only. */
static int check_allow(struct config *cfg, char *why, size_t whylen)
{
	struct netaddr_allow allow;

	if (netaddr_parse_listen(cfg->server.socket, why, whylen) ==
	    NETADDR_UNIX) {
		snprintf(why, whylen, "applies to a TCP socket only");
		return -1;
	}
	return netaddr_allow_parse(cfg->server.allow, &allow, why, whylen);
}

static int check_servers(struct config *cfg, char *why, size_t whylen)
{
	return netaddr_parse_servers(cfg->replicas.servers, &cfg->replicas, why,
	    whylen);
}

/* The file is read only by its known keys, so refuse everything else. */
static int check_known(const dictionary *d, const struct errbuf *e)
{
	const char **keys;
	int i, j, nsec, total;

	nsec = iniparser_getnsec(d);
	total = nsec;
	for (i = 0; i < nsec; i++) {
		const char *section = iniparser_getsecname(d, i);
		int nkeys;

		if (!known_section(section))
			return report(e, section, NULL, "unknown section");
		nkeys = iniparser_getsecnkeys(d, section);
		if (nkeys <= 0)
			continue;
		keys = xcalloc((size_t)nkeys, sizeof(*keys));
		iniparser_getseckeys(d, section, keys);
		for (j = 0; j < nkeys; j++) {
			/* Each is "section:key". */
			const char *key = keys[j] == NULL
			    ? ""
			    : keys[j] + strlen(section) + 1;

			if (find_setting(section, key) == NULL) {
				report(e, section, key, "unknown key");
				free(keys);
				return -1;
			}
		}
		free(keys);
		total += nkeys;
	}
	/* What is left: keys before the first [section] (stored as ":key"),
	 * or a "[a:b]" header, which the counts above miss. */
	if (total != d->n)
		return report(e, NULL, NULL,
		    "a key outside any [section], or "
		    "a section name with ':'");
	return 0;
}

static int check_exclusive(const dictionary *d, const struct errbuf *e)
{
	size_t i;

	for (i = 0; i < sizeof(exclusives) / sizeof(exclusives[0]); i++) {
		const struct exclusive *x = &exclusives[i];
		int has_a = has_entry(d, x->section, x->a);
		int has_b = has_entry(d, x->section, x->b);

		if (has_a && has_b)
			return report(e, x->section, x->b,
			    "cannot be used with %s", x->a);
		if (x->required && !has_a && !has_b)
			return report(e, x->section, x->a, "required (or %s)",
			    x->b);
	}
	return 0;
}

static int load_setting(const dictionary *d, const struct setting *s,
    struct config *cfg, const struct errbuf *e)
{
	char name[128], why[512];
	const char *value;

	entry_name(name, sizeof(name), s->section, s->key);
	if (!iniparser_find_entry(d, name)) {
		if (s->flags & REQUIRED)
			return report(e, s->section, s->key, "required");
		if (s->def == NULL)
			return 0;
		value = s->def;
	} else {
		/* A "[section:key]" header leaves the entry without a value. */
		value = iniparser_getstring(d, name, NULL);
		if (value == NULL)
			return report(e, s->section, s->key, "has no value");
	}
	if (store(cfg, s, value, why, sizeof(why)) == -1 ||
	    (s->check != NULL && s->check(cfg, why, sizeof(why)) == -1))
		return report(e, s->section, s->key, "%s", why);
	return 0;
}

static int check_rules(const struct config *cfg, const struct errbuf *e)
{
	char why[256];

	/* Beyond loopback anyone who can route to the port could call the
	 * service with nginx's trust: name the peers allowed. */
	if (cfg->server.allow == NULL &&
	    netaddr_parse_listen(cfg->server.socket, why, sizeof(why)) ==
	        NETADDR_TCP_OTHER)
		return report(e, "server", "socket",
		    "not a unix socket or a loopback 127.0.0.1:PORT: "
		    "set [server] allow to the addresses that may connect");
	if (cfg->jwt.key == NULL && cfg->jwt.kind == JWT_KIND_HMAC)
		return report(e, "jwt", "secret",
		    "required for %s (or secret_file)", cfg->jwt.alg);
	if (cfg->jwt.key == NULL)
		return report(e, "jwt", "public_key_file", "required for %s",
		    cfg->jwt.alg);
	if (cfg->pagination.default_limit > cfg->pagination.max_limit)
		return report(e, "pagination", "default_limit",
		    "must not exceed max_limit (%ld)",
		    cfg->pagination.max_limit);
	return 0;
}

/* The dictionary frees without wiping: clear the secrets it holds. */
static void wipe_dict_secrets(dictionary *d)
{
	char name[128];
	const char *value;
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (!(settings[i].flags & SECRET))
			continue;
		entry_name(name, sizeof(name), settings[i].section,
		    settings[i].key);
		value = iniparser_getstring(d, name, NULL);
		if (value != NULL)
			explicit_bzero((char *)value, strlen(value));
	}
}

/* iniparser prints bad lines to stderr, a password line included. */
static int quiet(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

/* Says why iniparser refused the file, by the rules of its 4.1 parser. */
static void explain_parse_failure(const struct errbuf *e)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int continued = 0;
	FILE *f;

	f = fopen(e->path, "r");
	if (f == NULL) {
		report(e, NULL, NULL, "cannot read: %s", strerror(errno));
		return;
	}
	report(e, NULL, NULL, "cannot parse it");
	while ((n = getline(&line, &cap, f)) != -1) {
		const char *p;
		size_t len;

		lineno++;
		len = (size_t)n - (n > 0 && line[n - 1] == '\n');
		if (len > INI_LINE_MAX) {
			report(e, NULL, NULL,
			    "line %zu: longer than %d "
			    "characters",
			    lineno, INI_LINE_MAX);
			break;
		}
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			len--;
		line[len] = '\0';
		p = line + strspn(line, " \t\v\f\r");
		if (continued || *p == '\0' || *p == ';' || *p == '#' ||
		    (*p == '[' && line[len - 1] == ']') ||
		    (*p != '=' && strchr(p, '=') != NULL)) {
			continued = len > 0 && line[len - 1] == '\\';
			continue;
		}
		/* Not the line's text: it may hold a secret. */
		report(e, NULL, NULL,
		    "line %zu: syntax error (not [section], "
		    "key = value or a comment)",
		    lineno);
		break;
	}
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	fclose(f);
}

static dictionary *load_dict(const struct errbuf *e)
{
	dictionary *d;
	FILE *f;

	/* iniparser only says "cannot open": find out why first. */
	f = fopen(e->path, "r");
	if (f == NULL) {
		report(e, NULL, NULL, "cannot read: %s", strerror(errno));
		return NULL;
	}
	fclose(f);
	iniparser_set_error_callback(quiet);
	d = iniparser_load(e->path);
	iniparser_set_error_callback(NULL);
	if (d == NULL)
		explain_parse_failure(e);
	return d;
}

int config_load(const char *path, struct config *out, char *err, size_t errlen)
{
	struct errbuf e = { path, err, errlen };
	dictionary *d;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	d = load_dict(&e);
	if (d == NULL)
		return -1;
	out->path = xstrdup(path);
	if (check_known(d, &e) == -1 || check_exclusive(d, &e) == -1)
		goto fail;
	for (i = 0; i < NSETTINGS; i++)
		if (load_setting(d, &settings[i], out, &e) == -1)
			goto fail;
	if (check_rules(out, &e) == -1)
		goto fail;
	wipe_dict_secrets(d);
	iniparser_freedict(d);
	return 0;
fail:
	wipe_dict_secrets(d);
	iniparser_freedict(d);
	config_free(out);
	return -1;
}

void config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	if (cfg->database.password != NULL)
		explicit_bzero(cfg->database.password,
		    strlen(cfg->database.password));
	secret_free(cfg->jwt.key, cfg->jwt.key_len);
	/* Strings are freed by their rows; password_file shares password's. */
	for (i = 0; i < NSETTINGS; i++)
		if (settings[i].type == SET_STRING ||
		    settings[i].type == SET_CHOICE)
			free(*(char **)field_of(cfg, &settings[i]));
	for (i = 0; i < cfg->replicas.count; i++)
		netaddr_endpoint_free(&cfg->replicas.server[i]);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}
