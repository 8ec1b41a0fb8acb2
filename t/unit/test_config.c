/* Unit test of config_load: typed values, defaults, and every refusal naming
 * its section and key without ever showing a secret. */
#include "config.h"
#include "netaddr.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tap.h"

#define SECRET "Sup3rS3cretJwtValue"
#define PASSWORD "Passw0rdDbValue"
#define FILE_SECRET "F1leS3cretJwtValue"
#define FILE_PASSWORD "F1lePassw0rdDb"

#define SERVER "[server]\nsocket = /run/usersd/usersd.sock\n"
#define DB_CORE \
	"[database]\nunix_socket = /run/mysqld/mysqld.sock\n" \
	"user = users\nname = usersdb\n"
#define DB DB_CORE "password = " PASSWORD "\n"
#define JWT "[jwt]\nalg = HS256\nsecret = " SECRET "\n"
#define JWT_RS "[jwt]\nalg = RS256\npublic_key_file = pub.pem\n"

static const char pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf8sdAcu8cubfrLeqvpjDv+DYlskf\n"
    "sUDVjbzbnAiNupHsWTymu9otKPNUtgpREGXCnKDPGAptAZbG+jLPoihlZQ==\n"
    "-----END PUBLIC KEY-----\n";

#define PRIV_PEM \
	"-----BEGIN PRIVATE KEY-----\nMIGH\n" \
	"-----END PRIVATE KEY-----\n"

/* Support files, by name relative to the scratch directory we chdir to. */
static const struct {
	const char *name;
	const char *text;
	size_t len;
} files[] = {
	{ "pub.pem", pem, sizeof(pem) - 1 },
	{ "priv.pem", PRIV_PEM, sizeof(PRIV_PEM) - 1 },
	{ "secret.txt", FILE_SECRET "\n", sizeof(FILE_SECRET) },
	{ "secret2nl.txt", "two\n\n", 5 },
	{ "secret_nonl.txt", "plain", 5 },
	{ "secret_nul.txt", "a\0b\n", 4 },
	{ "empty.txt", "", 0 },
	{ "newline.txt", "\n", 1 },
	{ "password.txt", FILE_PASSWORD "\n", sizeof(FILE_PASSWORD) },
};

struct bad_case {
	const char *name;
	const char *ini;
	const char *where;  /* what follows "PATH: "; NULL: file-level */
	const char *reason; /* must appear in the message */
};

#define LONG_PATH \
	"/run/" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock"

static const struct bad_case bad_cases[] = {
	{ "missing socket", "[server]\nworkers = 2\n" DB JWT, "[server] socket",
	    "required" },
	{ "missing server section", DB JWT, "[server] socket", "required" },
	{ "missing database user",
	    SERVER "[database]\nunix_socket = /s\n"
	           "name = n\npassword = " PASSWORD "\n" JWT,
	    "[database] user", "required" },
	{ "missing database name",
	    SERVER "[database]\nunix_socket = /s\n"
	           "user = u\npassword = " PASSWORD "\n" JWT,
	    "[database] name", "required" },
	{ "missing alg", SERVER DB "[jwt]\nsecret = " SECRET "\n", "[jwt] alg",
	    "required" },
	{ "missing jwt section", SERVER DB, "[jwt] alg", "required" },
	{ "neither host nor unix_socket",
	    SERVER "[database]\nuser = u\n"
	           "name = n\npassword = " PASSWORD "\n" JWT,
	    "[database] host", "required" },
	{ "host and unix_socket", SERVER DB "host = db.local\n" JWT,
	    "[database] unix_socket", "cannot be used with host" },
	{ "no password", SERVER DB_CORE JWT, "[database] password",
	    "required" },
	{ "password and password_file",
	    SERVER DB "password_file = password.txt\n" JWT,
	    "[database] password_file", "cannot be used with password" },
	{ "password_file missing",
	    SERVER DB_CORE "password_file = nothere.txt\n" JWT,
	    "[database] password_file", "cannot open nothere.txt" },
	{ "password_file a directory", SERVER DB_CORE "password_file = .\n" JWT,
	    "[database] password_file", "not a regular file" },
	{ "unknown key", SERVER "colour = blue\n" DB JWT, "[server] colour",
	    "unknown key" },
	{ "unknown jwt key", SERVER DB JWT "algorithm = HS256\n",
	    "[jwt] algorithm", "unknown key" },
	{ "unknown section", SERVER DB JWT "[extra]\nx = 1\n", "[extra]",
	    "unknown section" },
	{ "empty unknown section", "[logging]\n" SERVER DB JWT, "[logging]",
	    "unknown section" },
	{ "key before any section", "workers = 2\n" SERVER DB JWT, NULL,
	    "outside any [section]" },
	{ "section name with colon", SERVER DB JWT "[foo:bar]\n", NULL,
	    "outside any [section]" },
	{ "section header naming a key", SERVER "[server:socket]\n" DB JWT,
	    "[server] socket", "has no value" },
	{ "int abc", SERVER "workers = abc\n" DB JWT, "[server] workers",
	    "not a decimal integer" },
	{ "int trailing garbage", SERVER "workers = 12abc\n" DB JWT,
	    "[server] workers", "not a decimal integer" },
	{ "int empty", SERVER "workers =\n" DB JWT, "[server] workers",
	    "not a decimal integer" },
	{ "int plus sign", SERVER "workers = +5\n" DB JWT, "[server] workers",
	    "not a decimal integer" },
	{ "int hex", SERVER "workers = 0x10\n" DB JWT, "[server] workers",
	    "not a decimal integer" },
	{ "int inner space", SERVER "workers = 4 2\n" DB JWT,
	    "[server] workers", "not a decimal integer" },
	{ "int secret misplaced", SERVER "workers = " SECRET "\n" DB JWT,
	    "[server] workers", "not a decimal integer" },
	{ "workers 0", SERVER "workers = 0\n" DB JWT, "[server] workers",
	    "out of range 1..256" },
	{ "workers 257", SERVER "workers = 257\n" DB JWT, "[server] workers",
	    "out of range 1..256" },
	{ "workers -1", SERVER "workers = -1\n" DB JWT, "[server] workers",
	    "out of range" },
	{ "backlog overflow",
	    SERVER "backlog = 99999999999999999999999\n" DB JWT,
	    "[server] backlog", "out of range 1..65535" },
	{ "shutdown_timeout 0", SERVER "shutdown_timeout = 0\n" DB JWT,
	    "[server] shutdown_timeout", "out of range" },
	{ "port 65536", SERVER DB "port = 65536\n" JWT, "[database] port",
	    "out of range 1..65535" },
	{ "connect_timeout 0", SERVER DB "connect_timeout = 0\n" JWT,
	    "[database] connect_timeout", "out of range 1..3600" },
	{ "write_timeout 3601", SERVER DB "write_timeout = 3601\n" JWT,
	    "[database] write_timeout", "out of range 1..3600" },
	{ "leeway 3601", SERVER DB JWT "leeway_seconds = 3601\n",
	    "[jwt] leeway_seconds", "out of range 0..3600" },
	{ "leeway -1", SERVER DB JWT "leeway_seconds = -1\n",
	    "[jwt] leeway_seconds", "out of range 0..3600" },
	{ "max_limit 100001",
	    SERVER DB JWT "[pagination]\n"
	                  "max_limit = 100001\n",
	    "[pagination] max_limit", "out of range 1..100000" },
	{ "default_limit 0", SERVER DB JWT "[pagination]\ndefault_limit = 0\n",
	    "[pagination] default_limit", "out of range" },
	{ "retention_days 0", SERVER DB JWT "[changes]\nretention_days = 0\n",
	    "[changes] retention_days", "out of range 1..3650" },
	{ "retention_days 3651",
	    SERVER DB JWT "[changes]\nretention_days = 3651\n",
	    "[changes] retention_days", "out of range 1..3650" },
	{ "default_limit over default max",
	    SERVER DB JWT "[pagination]\n"
	                  "default_limit = 1001\n",
	    "[pagination] default_limit", "must not exceed max_limit (1000)" },
	{ "default_limit over max_limit",
	    SERVER DB JWT "[pagination]\n"
	                  "default_limit = 50\nmax_limit = 20\n",
	    "[pagination] default_limit", "must not exceed max_limit (20)" },
	{ "bool maybe", SERVER DB JWT "require_exp = maybe\n",
	    "[jwt] require_exp", "not a boolean" },
	{ "bool 2", SERVER DB JWT "require_exp = 2\n", "[jwt] require_exp",
	    "not a boolean" },
	{ "bool truthy prefix", SERVER DB JWT "require_exp = tru\n",
	    "[jwt] require_exp", "not a boolean" },
	{ "bool empty", SERVER DB JWT "require_exp =\n", "[jwt] require_exp",
	    "not a boolean" },
	{ "scopes maybe", SERVER DB JWT "scopes = maybe\n", "[jwt] scopes",
	    "not a boolean" },
	{ "require_if_match 2",
	    SERVER DB JWT "[writes]\nrequire_if_match = 2\n",
	    "[writes] require_if_match", "not a boolean" },
	{ "unknown [writes] key", SERVER DB JWT "[writes]\nif_match = true\n",
	    NULL, "if_match" },
	{ "socket_mode 0800", SERVER "socket_mode = 0800\n" DB JWT,
	    "[server] socket_mode", "octal" },
	{ "socket_mode rw", SERVER "socket_mode = rw\n" DB JWT,
	    "[server] socket_mode", "octal" },
	{ "socket_mode 01000", SERVER "socket_mode = 01000\n" DB JWT,
	    "[server] socket_mode", "out of range 0..0777" },
	{ "log_level verbose", SERVER "log_level = verbose\n" DB JWT,
	    "[server] log_level", "must be one of error warn info debug" },
	{ "socket all interfaces", "[server]\nsocket = 0.0.0.0:9000\n" DB JWT,
	    "[server] socket", "127.0.0.1:PORT" },
	{ "socket empty host", "[server]\nsocket = :9000\n" DB JWT,
	    "[server] socket", "127.0.0.1:PORT" },
	{ "socket port 0", "[server]\nsocket = 127.0.0.1:0\n" DB JWT,
	    "[server] socket", "127.0.0.1:PORT" },
	{ "socket port name", "[server]\nsocket = 127.0.0.1:http\n" DB JWT,
	    "[server] socket", "127.0.0.1:PORT" },
	{ "socket path too long", "[server]\nsocket = " LONG_PATH "\n" DB JWT,
	    "[server] socket", "longer than 107 bytes" },
	{ "socket empty", "[server]\nsocket =\n" DB JWT, "[server] socket",
	    "must not be empty" },
	{ "socket IPv6", "[server]\nsocket = [::1]:9000\n" DB JWT,
	    "[server] socket", "IPv6 is not supported" },
	{ "socket host name", "[server]\nsocket = localhost:9000\n" DB JWT,
	    "[server] socket", "IPV4:PORT" },
	{ "socket port 65536", "[server]\nsocket = 10.0.0.1:65536\n" DB JWT,
	    "[server] socket", "IPV4:PORT" },
	{ "socket other host without allow",
	    "[server]\nsocket = 10.0.0.5:9000\n" DB JWT, "[server] socket",
	    "set [server] allow" },
	{ "allow on a unix socket", SERVER "allow = 127.0.0.1\n" DB JWT,
	    "[server] allow", "TCP socket only" },
	{ "allow a name",
	    "[server]\nsocket = 10.0.0.5:9000\nallow = nginx.local\n" DB JWT,
	    "[server] allow", "word 1 is not an IPv4 address" },
	{ "allow leading zero",
	    "[server]\nsocket = 10.0.0.5:9000\n"
	    "allow = \"10.0.0.2 010.0.0.3\"\n" DB JWT,
	    "[server] allow", "word 2 is not an IPv4 address" },
	{ "allow IPv6",
	    "[server]\nsocket = 10.0.0.5:9000\nallow = ::1\n" DB JWT,
	    "[server] allow", "not an IPv4 address" },
	{ "allow empty", "[server]\nsocket = 10.0.0.5:9000\nallow =\n" DB JWT,
	    "[server] allow", "must not be empty" },
	{ "allow blank",
	    "[server]\nsocket = 10.0.0.5:9000\nallow = \" \"\n" DB JWT,
	    "[server] allow", "at least one address" },
	{ "replicas server port name",
	    SERVER DB JWT "[replicas]\nservers = db1:mysql\n",
	    "[replicas] servers", "is not HOST:PORT" },
	{ "replicas server empty brackets",
	    SERVER DB JWT "[replicas]\nservers = []:3306\n",
	    "[replicas] servers", "is not HOST:PORT" },
	{ "replicas nine servers",
	    SERVER DB JWT "[replicas]\nservers = \"a b c d e f g h i\"\n",
	    "[replicas] servers", "more than 8 servers" },
	{ "replicas wait_timeout_ms 0",
	    SERVER DB JWT "[replicas]\nwait_timeout_ms = 0\n",
	    "[replicas] wait_timeout_ms", "out of range 1..60000" },
	{ "replicas skip_seconds 3601",
	    SERVER DB JWT "[replicas]\nskip_seconds = 3601\n",
	    "[replicas] skip_seconds", "out of range 1..3600" },
	{ "replicas unknown key", SERVER DB JWT "[replicas]\nhosts = a\n",
	    "[replicas] hosts", "unknown key" },
	{ "database user empty",
	    SERVER "[database]\nunix_socket = /s\n"
	           "user =\nname = n\npassword = " PASSWORD "\n" JWT,
	    "[database] user", "must not be empty" },
	{ "issuer empty", SERVER DB JWT "issuer =\n", "[jwt] issuer",
	    "must not be empty" },
	{ "alg HS1024", SERVER DB "[jwt]\nalg = HS1024\nsecret = " SECRET "\n",
	    "[jwt] alg", "must be one of HS256" },
	{ "alg none", SERVER DB "[jwt]\nalg = none\nsecret = " SECRET "\n",
	    "[jwt] alg", "must be one of" },
	{ "secret for RS256", SERVER DB JWT_RS "secret = " SECRET "\n",
	    "[jwt] secret", "not used with RS256" },
	{ "secret_file for ES256",
	    SERVER DB "[jwt]\nalg = ES256\n"
	              "public_key_file = pub.pem\nsecret_file = secret.txt\n",
	    "[jwt] secret_file", "not used with ES256" },
	{ "public_key_file for HS256",
	    SERVER DB JWT "public_key_file = pub.pem\n",
	    "[jwt] public_key_file", "not used with HS256" },
	{ "RS256 without public_key_file", SERVER DB "[jwt]\nalg = RS256\n",
	    "[jwt] public_key_file", "required for RS256" },
	{ "public_key_file missing",
	    SERVER DB "[jwt]\nalg = RS384\n"
	              "public_key_file = nothere.pem\n",
	    "[jwt] public_key_file", "cannot open nothere.pem" },
	{ "public_key_file not PEM",
	    SERVER DB "[jwt]\nalg = RS256\n"
	              "public_key_file = secret.txt\n",
	    "[jwt] public_key_file", "no PEM public key" },
	{ "public_key_file private key",
	    SERVER DB "[jwt]\nalg = ES512\n"
	              "public_key_file = priv.pem\n",
	    "[jwt] public_key_file", "no PEM public key" },
	{ "HS256 without secret", SERVER DB "[jwt]\nalg = HS256\n",
	    "[jwt] secret", "required for HS256" },
	{ "secret empty", SERVER DB "[jwt]\nalg = HS256\nsecret =\n",
	    "[jwt] secret", "must not be empty" },
	{ "secret and secret_file", SERVER DB JWT "secret_file = secret.txt\n",
	    "[jwt] secret_file", "cannot be used with secret" },
	{ "secret_file empty",
	    SERVER DB "[jwt]\nalg = HS512\n"
	              "secret_file = empty.txt\n",
	    "[jwt] secret_file", "is empty" },
	{ "secret_file only a newline",
	    SERVER DB "[jwt]\nalg = HS512\n"
	              "secret_file = newline.txt\n",
	    "[jwt] secret_file", "is empty" },
	{ "secret_file missing",
	    SERVER DB "[jwt]\nalg = HS512\n"
	              "secret_file = nothere.txt\n",
	    "[jwt] secret_file", "cannot open nothere.txt" },
	{ "bad timeout, password_file, RS256",
	    SERVER DB_CORE
	    "password_file = password.txt\nwrite_timeout = x\n" JWT_RS,
	    "[database] write_timeout", "not a decimal integer" },
};

static char scratch[] = "/tmp/test_config_dir_XXXXXX";

/* Writes text to a fresh /tmp file; the caller unlinks path. */
static void write_temp(const char *text, size_t len, char *path, size_t size)
{
	char tmpl[] = "/tmp/test_config_XXXXXX";
	int fd = mkstemp(tmpl);

	if (fd == -1 || write(fd, text, len) != (ssize_t)len) {
		perror("test_config: temp file");
		exit(2);
	}
	close(fd);
	snprintf(path, size, "%s", tmpl);
}

/* Loads text as an INI file; path receives the name it had. */
static int load_text(const char *text, struct config *cfg, char *err,
    size_t errlen, char *path, size_t pathlen)
{
	int rc;

	write_temp(text, strlen(text), path, pathlen);
	rc = config_load(path, cfg, err, errlen);
	unlink(path);
	return rc;
}

static int is_zeroed(const struct config *cfg)
{
	static const struct config zero;

	return memcmp(cfg, &zero, sizeof(zero)) == 0;
}

static int no_secret_in(const char *err)
{
	return strstr(err, SECRET) == NULL && strstr(err, PASSWORD) == NULL &&
	    strstr(err, FILE_SECRET) == NULL &&
	    strstr(err, FILE_PASSWORD) == NULL;
}

static int streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void setup(void)
{
	size_t i;

	if (mkdtemp(scratch) == NULL || chdir(scratch) == -1) {
		perror("test_config: scratch directory");
		exit(2);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd =
		    open(files[i].name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd == -1 ||
		    write(fd, files[i].text, files[i].len) !=
		        (ssize_t)files[i].len) {
			perror("test_config: support file");
			exit(2);
		}
		close(fd);
	}
}

static void teardown(void)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i].name);
	if (chdir("/") == 0)
		rmdir(scratch);
}

static void test_full(void)
{
	struct config c;
	char err[512], path[64];
	int rc;

	rc = load_text("; a comment\n"
	               "[server]\n"
	               "socket = /run/usersd/usersd.sock\n"
	               "socket_mode = 0640\n"
	               "socket_group = www-data\n"
	               "user = usersd\n"
	               "workers = 8\n"
	               "backlog = 256\n"
	               "shutdown_timeout = 20\n"
	               "log_level = DEBUG\n"
	               "\n"
	               "[database]\n"
	               "host = db.example.org\n"
	               "port = 3307\n"
	               "user = users\n"
	               "password = \"p;a#ss\"\n"
	               "name = usersdb\n"
	               "connect_timeout = 3\n"
	               "read_timeout = 6\n"
	               "write_timeout = 7\n"
	               "[jwt]\n"
	               "alg = hs384\n"
	               "secret = " SECRET "\n"
	               "leeway_seconds = 60\n"
	               "require_exp = Yes\n"
	               "issuer = https://auth.example.org\n"
	               "audience = users-api\n"
	               "[pagination]\n"
	               "default_limit = 10\n"
	               "max_limit = 500\n",
	    &c, err, sizeof(err), path, sizeof(path));
	ok(rc == 0, "full file loads (%s)", err);
	if (rc != 0)
		return;
	ok(streq(c.path, path), "full: path kept");
	ok(streq(c.server.socket, "/run/usersd/usersd.sock"), "full: socket");
	ok(c.server.socket_mode == 0640, "full: socket_mode 0640 is octal");
	ok(streq(c.server.socket_group, "www-data"), "full: socket_group");
	ok(streq(c.server.user, "usersd"), "full: user");
	ok(c.server.workers == 8, "full: workers");
	ok(c.server.backlog == 256, "full: backlog");
	ok(c.server.shutdown_timeout == 20, "full: shutdown_timeout");
	ok(streq(c.server.log_level, "debug"), "full: log_level lower-cased");
	ok(streq(c.database.host, "db.example.org"), "full: host");
	ok(c.database.unix_socket == NULL, "full: no unix_socket");
	ok(c.database.port == 3307, "full: port");
	ok(streq(c.database.user, "users"), "full: database user");
	ok(streq(c.database.password, "p;a#ss"),
	    "full: quoted password keeps ; and #");
	ok(streq(c.database.name, "usersdb"), "full: name");
	ok(c.database.connect_timeout == 3 && c.database.read_timeout == 6 &&
	        c.database.write_timeout == 7,
	    "full: timeouts");
	ok(streq(c.jwt.alg, "HS384"), "full: alg upper-cased");
	ok(c.jwt.kind == JWT_KIND_HMAC, "full: kind HMAC");
	ok(c.jwt.key_len == strlen(SECRET) && c.jwt.key != NULL &&
	        memcmp(c.jwt.key, SECRET, c.jwt.key_len) == 0,
	    "full: secret");
	ok(c.jwt.leeway_seconds == 60, "full: leeway_seconds");
	ok(c.jwt.require_exp == 1, "full: require_exp Yes");
	ok(streq(c.jwt.issuer, "https://auth.example.org"), "full: issuer");
	ok(streq(c.jwt.audience, "users-api"), "full: audience");
	ok(c.pagination.default_limit == 10, "full: default_limit");
	ok(c.pagination.max_limit == 500, "full: max_limit");
	config_free(&c);
	ok(is_zeroed(&c), "config_free leaves the struct zeroed");
	config_free(&c);
	ok(is_zeroed(&c), "config_free twice is harmless");
}

static void test_defaults(void)
{
	struct config c;
	char err[512], path[64];
	int rc;

	rc = load_text(SERVER DB_CORE "password = \"\"\n" JWT, &c, err,
	    sizeof(err), path, sizeof(path));
	ok(rc == 0, "minimal file loads (%s)", err);
	if (rc != 0)
		return;
	ok(c.server.socket_mode == 0660, "default socket_mode 0660");
	ok(c.server.socket_group == NULL, "default socket_group NULL");
	ok(c.server.user == NULL, "default user NULL");
	ok(c.server.workers == 4, "default workers 4");
	ok(c.server.backlog == 1024,
	    "default backlog 1024 (holds nginx's "
	    "burst of 400)");
	ok(c.server.shutdown_timeout == 10, "default shutdown_timeout 10");
	ok(streq(c.server.log_level, "info"), "default log_level info");
	ok(c.database.host == NULL, "default host NULL");
	ok(streq(c.database.unix_socket, "/run/mysqld/mysqld.sock"),
	    "unix_socket read");
	ok(c.database.port == 3306, "default port 3306");
	ok(streq(c.database.password, ""), "password may be \"\"");
	ok(c.database.connect_timeout == 2, "default connect_timeout 2");
	ok(c.database.read_timeout == 5, "default read_timeout 5");
	ok(c.database.write_timeout == 5, "default write_timeout 5");
	ok(c.jwt.leeway_seconds == 30, "default leeway_seconds 30");
	ok(c.jwt.require_exp == 0, "default require_exp false");
	ok(c.jwt.issuer == NULL, "default issuer NULL");
	ok(c.jwt.audience == NULL, "default audience NULL");
	ok(c.pagination.default_limit == 5, "default default_limit 5");
	ok(c.pagination.max_limit == 1000, "default max_limit 1000");
	ok(c.jwt.scopes == 0, "default [jwt] scopes false");
	ok(c.writes.require_if_match == 0,
	    "default [writes] require_if_match false");
	ok(c.changes.retention_days == 7, "default retention_days 7");
	config_free(&c);
}

static void test_bad(const struct bad_case *bc)
{
	struct config c;
	char err[512], path[64], prefix[160];
	int rc;

	memset(&c, 0xa5, sizeof(c));
	rc = load_text(bc->ini, &c, err, sizeof(err), path, sizeof(path));
	if (bc->where != NULL)
		snprintf(prefix, sizeof(prefix), "%s: %s: ", path, bc->where);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	ok(rc == -1, "%s: refused", bc->name);
	ok(strncmp(err, prefix, strlen(prefix)) == 0 &&
	        strstr(err + strlen(prefix), bc->reason) != NULL,
	    "%s: message \"%s\"", bc->name, err);
	ok(no_secret_in(err), "%s: no secret in the message", bc->name);
	ok(is_zeroed(&c), "%s: nothing left to free", bc->name);
}

/* Loads SERVER + extra + DB + JWT and expects success. */
static int load_ok(const char *server_extra, const char *jwt, struct config *c,
    const char *name)
{
	char text[2048], err[512], path[64];
	int rc;

	snprintf(text, sizeof(text), "%s%s%s%s", SERVER, server_extra, DB, jwt);
	rc = load_text(text, c, err, sizeof(err), path, sizeof(path));
	ok(rc == 0, "%s loads (%s)", name, err);
	return rc;
}

/* api-extensions.md sections 4 and 6: the two switches, read as booleans. */
static void test_issue14_keys(void)
{
	struct config c;

	if (load_ok("", JWT "scopes = yes\n[writes]\nrequire_if_match = TRUE\n",
	        &c, "scopes and require_if_match") == 0) {
		ok(c.jwt.scopes == 1, "[jwt] scopes = yes");
		ok(c.writes.require_if_match == 1,
		    "[writes] require_if_match = TRUE");
		config_free(&c);
	}
}

static void test_numbers(void)
{
	static const struct {
		const char *text;
		mode_t mode;
	} modes[] = {
		{ "0660", 0660 },
		{ "660", 0660 },
		{ "0", 0 },
		{ "0777", 0777 },
		{ "000640", 0640 },
	};
	struct config c;
	char line[64];
	size_t i;

	if (load_ok("workers = 010\n", JWT, &c, "workers = 010") == 0) {
		ok(c.server.workers == 10, "\"010\" is decimal ten, not 8");
		config_free(&c);
	}
	if (load_ok("workers = 256\nbacklog = 1\n", JWT, &c, "bounds") == 0) {
		ok(c.server.workers == 256 && c.server.backlog == 1,
		    "inclusive bounds accepted");
		config_free(&c);
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(line, sizeof(line), "socket_mode = %s\n",
		    modes[i].text);
		if (load_ok(line, JWT, &c, modes[i].text) == 0) {
			ok(c.server.socket_mode == modes[i].mode,
			    "socket_mode %s is 0%o", modes[i].text,
			    (unsigned int)modes[i].mode);
			config_free(&c);
		}
	}
	if (load_ok("",
	        JWT "[pagination]\ndefault_limit = 100000\n"
	            "max_limit = 100000\n",
	        &c, "default_limit == max_limit") == 0) {
		ok(c.pagination.default_limit == 100000,
		    "default_limit may equal max_limit");
		config_free(&c);
	}
}

static void test_booleans(void)
{
	static const struct {
		const char *text;
		int value;
	} bools[] = {
		{ "true", 1 },
		{ "TRUE", 1 },
		{ "Yes", 1 },
		{ "1", 1 },
		{ "false", 0 },
		{ "False", 0 },
		{ "NO", 0 },
		{ "0", 0 },
	};
	struct config c;
	char jwt[128];
	size_t i;

	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(jwt, sizeof(jwt), JWT "require_exp = %s\n",
		    bools[i].text);
		if (load_ok("", jwt, &c, bools[i].text) == 0) {
			ok(c.jwt.require_exp == bools[i].value,
			    "require_exp = %s is %d", bools[i].text,
			    bools[i].value);
			config_free(&c);
		}
	}
}

static void test_socket_forms(void)
{
	struct config c;
	char err[512], path[64];

	ok(load_text("[server]\nsocket = 127.0.0.1:9000\n" DB JWT, &c, err,
	       sizeof(err), path, sizeof(path)) == 0 &&
	        streq(c.server.socket, "127.0.0.1:9000"),
	    "socket 127.0.0.1:9000 accepted (%s)", err);
	config_free(&c);
	ok(load_text("[server]\nsocket = run/usersd.sock\n" DB JWT, &c, err,
	       sizeof(err), path, sizeof(path)) == 0 &&
	        streq(c.server.socket, "run/usersd.sock"),
	    "relative unix socket path accepted (%s)", err);
	config_free(&c);
	ok(load_text("[SERVER]\nSocket = /s\nWorkers = 3\n" DB JWT, &c, err,
	       sizeof(err), path, sizeof(path)) == 0 &&
	        c.server.workers == 3,
	    "section and key names are case-insensitive (%s)", err);
	config_free(&c);
}

static void test_remote_forms(void)
{
	struct config c;
	char err[512], path[64];
	struct netaddr_allow allow;
	struct sockaddr_in peer = { .sin_family = AF_INET };
	struct sockaddr_un unix_peer = { .sun_family = AF_UNIX };

	ok(load_text("[server]\nsocket = 10.0.0.5:9000\n"
	             "allow = \" 10.0.0.2  10.0.0.3\"\n" DB JWT,
	       &c, err, sizeof(err), path, sizeof(path)) == 0 &&
	        streq(c.server.socket, "10.0.0.5:9000") &&
	        streq(c.server.allow, " 10.0.0.2  10.0.0.3"),
	    "socket 10.0.0.5:9000 with allow accepted (%s)", err);
	config_free(&c);
	ok(load_text("[server]\nsocket = 0.0.0.0:9000\nallow = 10.0.0.2\n" DB
	                 JWT,
	       &c, err, sizeof(err), path, sizeof(path)) == 0,
	    "socket 0.0.0.0:9000 with allow accepted (%s)", err);
	config_free(&c);
	ok(load_text("[server]\nsocket = 127.0.0.2:9000\n" DB JWT, &c, err,
	       sizeof(err), path, sizeof(path)) == 0 &&
	        c.server.allow == NULL,
	    "socket 127.0.0.2:9000 is loopback: no allow needed (%s)", err);
	config_free(&c);
	ok(load_text("[server]\nsocket = 127.0.0.1:9000\nallow = 127.0.0.1\n" DB
	                 JWT,
	       &c, err, sizeof(err), path, sizeof(path)) == 0,
	    "allow on a loopback socket accepted (%s)", err);
	config_free(&c);
	ok(netaddr_allow_parse(" 10.0.0.2  10.0.0.3\t192.168.1.1 ", &allow, err,
	       sizeof(err)) == 0 &&
	        allow.n == 3,
	    "allow: three addresses (%s)", err);
	inet_pton(AF_INET, "10.0.0.3", &peer.sin_addr);
	ok(netaddr_allow_peer(&allow, (struct sockaddr *)&peer),
	    "allow: 10.0.0.3 may connect");
	inet_pton(AF_INET, "10.0.0.4", &peer.sin_addr);
	ok(!netaddr_allow_peer(&allow, (struct sockaddr *)&peer),
	    "allow: 10.0.0.4 may not");
	ok(netaddr_allow_peer(NULL, (struct sockaddr *)&peer),
	    "no allow list: any TCP peer may connect");
	ok(netaddr_allow_peer(&allow, (struct sockaddr *)&unix_peer),
	    "allow does not apply to a unix socket peer");
	ok(netaddr_allow_parse("10.0.0.2 10.0.0", &allow, err, sizeof(err)) ==
	            -1 &&
	        strstr(err, "word 2") != NULL,
	    "allow: a bad second word is named (%s)", err);
	ok(netaddr_parse_listen("127.255.0.1:1", err, sizeof(err)) ==
	        NETADDR_TCP_LOOPBACK,
	    "127.255.0.1 is loopback");
	ok(netaddr_parse_listen("128.0.0.1:1", err, sizeof(err)) ==
	        NETADDR_TCP_OTHER,
	    "128.0.0.1 is not loopback");
}

static void test_replicas(void)
{
	struct config c;
	char err[512], path[64];
	const struct config_endpoint *e;

	ok(load_text(SERVER DB JWT, &c, err, sizeof(err), path, sizeof(path)) ==
	            0 &&
	        c.replicas.servers == NULL && c.replicas.count == 0 &&
	        c.replicas.read_your_writes == 1 &&
	        c.replicas.wait_timeout_ms == 1000 &&
	        c.replicas.skip_seconds == 10 && c.replicas.galera == 0,
	    "no [replicas]: none, and the defaults (%s)", err);
	config_free(&c);
	ok(load_text(SERVER DB JWT "[replicas]\nservers =\n", &c, err,
	       sizeof(err), path, sizeof(path)) == 0 &&
	        c.replicas.count == 0,
	    "empty servers: none (%s)", err);
	config_free(&c);
	if (load_text(SERVER DB JWT "[replicas]\n"
	                            "servers = \"127.0.0.1:13308 /run/r.sock "
	                            "[::1]:3310  db2.local\"\n"
	                            "read_your_writes = false\n"
	                            "wait_timeout_ms = 250\nskip_seconds = 3\n"
	                            "galera = yes\n",
	        &c, err, sizeof(err), path, sizeof(path)) != 0) {
		ok(0, "replicas load (%s)", err);
		return;
	}
	e = c.replicas.server;
	ok(c.replicas.count == 4, "four servers");
	ok(streq(e[0].host, "127.0.0.1") && e[0].port == 13308 &&
	        e[0].unix_socket == NULL,
	    "host:port");
	ok(e[1].host == NULL && streq(e[1].unix_socket, "/run/r.sock"),
	    "unix socket");
	ok(streq(e[2].host, "::1") && e[2].port == 3310, "[IPv6]:port");
	ok(streq(e[3].host, "db2.local") && e[3].port == 3306,
	    "host alone: port 3306");
	ok(c.replicas.read_your_writes == 0 &&
	        c.replicas.wait_timeout_ms == 250 &&
	        c.replicas.skip_seconds == 3 && c.replicas.galera == 1,
	    "read_your_writes, wait_timeout_ms, skip_seconds, galera");
	config_free(&c);
	ok(is_zeroed(&c), "replicas: config_free leaves the struct zeroed");
}

static void test_secret_files(void)
{
	struct config c;

	if (load_ok("", "[jwt]\nalg = HS256\nsecret_file = secret.txt\n", &c,
	        "secret_file") == 0) {
		ok(c.jwt.key_len == strlen(FILE_SECRET) &&
		        memcmp(c.jwt.key, FILE_SECRET, c.jwt.key_len) == 0 &&
		        c.jwt.key[c.jwt.key_len] == '\0',
		    "secret_file read, trailing newline stripped");
		ok(c.jwt.kind == JWT_KIND_HMAC, "secret_file: kind HMAC");
		config_free(&c);
	}
	if (load_ok("", "[jwt]\nalg = HS256\nsecret_file = secret2nl.txt\n", &c,
	        "secret_file with two newlines") == 0) {
		ok(c.jwt.key_len == 4 && memcmp(c.jwt.key, "two\n", 4) == 0,
		    "only one trailing newline stripped");
		config_free(&c);
	}
	if (load_ok("", "[jwt]\nalg = HS256\nsecret_file = secret_nonl.txt\n",
	        &c, "secret_file without newline") == 0) {
		ok(c.jwt.key_len == 5 && memcmp(c.jwt.key, "plain", 5) == 0,
		    "secret_file without newline kept whole");
		config_free(&c);
	}
	if (load_ok("", "[jwt]\nalg = HS256\nsecret_file = secret_nul.txt\n",
	        &c, "binary secret_file") == 0) {
		ok(c.jwt.key_len == 3 && memcmp(c.jwt.key, "a\0b", 3) == 0,
		    "binary secret kept by length");
		config_free(&c);
	}
}

static void test_password_file(void)
{
	struct config c;
	char err[512], path[64];
	int rc;

	rc = load_text(SERVER DB_CORE "password_file = password.txt\n" JWT, &c,
	    err, sizeof(err), path, sizeof(path));
	ok(rc == 0, "password_file loads (%s)", err);
	if (rc == 0) {
		ok(streq(c.database.password, FILE_PASSWORD),
		    "password_file read, trailing newline stripped");
		config_free(&c);
	}
	rc = load_text(SERVER DB_CORE "password_file = empty.txt\n" JWT, &c,
	    err, sizeof(err), path, sizeof(path));
	ok(rc == 0 && streq(c.database.password, ""),
	    "empty password_file is an empty password (%s)", err);
	config_free(&c);
}

static void test_public_key(void)
{
	struct config c;

	if (load_ok("", JWT_RS, &c, "RS256 with public_key_file") == 0) {
		ok(streq(c.jwt.alg, "RS256"), "RS256: alg");
		ok(c.jwt.kind == JWT_KIND_PUBLIC_KEY, "RS256: kind public key");
		ok(c.jwt.key_len == strlen(pem) &&
		        memcmp(c.jwt.key, pem, c.jwt.key_len) == 0,
		    "RS256: PEM read verbatim");
		ok(c.jwt.key[c.jwt.key_len] == '\0', "RS256: NUL-terminated");
		config_free(&c);
	}
	if (load_ok("", "[jwt]\nalg = es256\npublic_key_file = pub.pem\n", &c,
	        "es256") == 0) {
		ok(streq(c.jwt.alg, "ES256") &&
		        c.jwt.kind == JWT_KIND_PUBLIC_KEY,
		    "es256 stored as ES256, public key");
		config_free(&c);
	}
}

static void test_file_errors(void)
{
	struct config c;
	char err[512], path[64], text[1200];
	char out_path[] = "/tmp/test_config_stderr_XXXXXX";
	struct stat st;
	int out_fd, saved, rc;

	memset(&c, 0xa5, sizeof(c));
	rc = config_load("/nonexistent/users.ini", &c, err, sizeof(err));
	ok(rc == -1 &&
	        strcmp(err,
	            "/nonexistent/users.ini: cannot read: "
	            "No such file or directory") == 0,
	    "missing file: \"%s\"", err);
	ok(is_zeroed(&c), "missing file: nothing left to free");

	/* iniparser prints bad lines on stderr: it must stay silent. */
	out_fd = mkstemp(out_path);
	fflush(stderr);
	saved = dup(2);
	dup2(out_fd, 2);
	rc = load_text(SERVER "[database]\npassword \"" PASSWORD "\"\n" JWT, &c,
	    err, sizeof(err), path, sizeof(path));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ok(rc == -1 && strstr(err, path) == err &&
	        strstr(err, ": line 4: syntax error") != NULL,
	    "syntax error names the line: \"%s\"", err);
	ok(no_secret_in(err), "syntax error: no secret in the message");
	ok(fstat(out_fd, &st) == 0 && st.st_size == 0,
	    "syntax error: nothing printed on stderr");
	close(out_fd);
	unlink(out_path);
	ok(is_zeroed(&c), "syntax error: nothing left to free");

	snprintf(text, sizeof(text), "[server]\nsocket = /%01100d\n", 0);
	rc = load_text(text, &c, err, sizeof(err), path, sizeof(path));
	ok(rc == -1 && strstr(err, ": line 2: longer than") != NULL,
	    "over-long line: \"%s\"", err);

	rc = load_text("[server]\nworkers = x\n", &c, NULL, 0, path,
	    sizeof(path));
	ok(rc == -1 && is_zeroed(&c), "no error buffer: still refused");
}

int main(void)
{
	size_t i;

	setup();
	test_full();
	test_defaults();
	test_numbers();
	test_booleans();
	test_issue14_keys();
	test_socket_forms();
	test_remote_forms();
	test_replicas();
	test_secret_files();
	test_password_file();
	test_public_key();
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		test_bad(&bad_cases[i]);
	test_file_errors();
	teardown();
	return tap_done();
}
