/* The INI file, read once into one typed struct and validated as a whole:
 * a missing required key, an unknown key or a bad value is refused with the
 * file, section, key and reason. */
#ifndef USERS_CONFIG_H
#define USERS_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

enum jwt_alg_kind { JWT_KIND_HMAC, JWT_KIND_PUBLIC_KEY };

struct config_server {
	char *socket; /* unix socket path, or "IPV4:PORT" */
	char *allow;  /* peers allowed over TCP, "a.b.c.d e.f.g.h"; NULL: any */
	mode_t socket_mode;   /* octal in the file, e.g. 0660 */
	char *socket_group;   /* group given the socket; NULL: leave as is */
	char *user;           /* drop to this user after binding; NULL: stay */
	int workers;          /* 1..256 */
	int backlog;          /* listen backlog, 1..65535 */
	int shutdown_timeout; /* seconds a stopping worker may finish in */
	char *log_level;      /* error|warn|info|debug */
};

struct config_database {
	char *host; /* NULL when unix_socket is used */
	unsigned int port;
	char *unix_socket; /* NULL when host is used */
	char *user;
	char *password; /* from password or password_file; never logged */
	char *name;
	unsigned int connect_timeout; /* seconds */
	unsigned int read_timeout;
	unsigned int write_timeout;
};

/* One database server: host and port, or a unix socket path. */
struct config_endpoint {
	char *host; /* NULL when unix_socket is used */
	unsigned int port;
	char *unix_socket; /* NULL when host is used */
};

/* At most this many [replicas] servers. */
#define CONFIG_REPLICAS_MAX 8

/* Optional: read-only copies of [database], or the other nodes of its
 * Galera cluster. Same user, password, name and timeouts as [database]. */
struct config_replicas {
	char *servers; /* as written; NULL: none (reads on [database]) */
	size_t count;  /* parsed from servers, 0..CONFIG_REPLICAS_MAX */
	struct config_endpoint server[CONFIG_REPLICAS_MAX];
	int read_your_writes;         /* boolean, default true */
	unsigned int wait_timeout_ms; /* MASTER_GTID_WAIT's bound */
	unsigned int skip_seconds;    /* a failed server rests this long */
	int galera;                   /* boolean, default false */
};

struct config_jwt {
	char *alg; /* HS256 ... ES512, upper case */
	enum jwt_alg_kind kind;
	unsigned char *key; /* HS: the secret; others: PEM public key */
	size_t key_len;
	long leeway_seconds; /* default 30 */
	int require_exp;     /* boolean */
	char *issuer;        /* NULL: not checked */
	char *audience;      /* NULL: not checked */
	int scopes;          /* boolean: routes need the scope claim's scopes */
};

/* api-extensions.md section 4. */
struct config_writes {
	int require_if_match; /* boolean: PUT, PATCH, DELETE need If-Match */
};

struct config_pagination {
	long default_limit; /* default 5 */
	long max_limit;     /* default 1000 */
};

struct config_changes {
	long retention_days; /* default 7 */
};

struct config {
	char *path; /* the file it was read from */
	struct config_server server;
	struct config_database database;
	struct config_replicas replicas;
	struct config_jwt jwt;
	struct config_pagination pagination;
	struct config_changes changes;
	struct config_writes writes;
};

/*
 * Reads and validates path into *out (zeroed first). Returns 0, or -1 with
 * a one-line reason in err ("etc/users.ini: [jwt] secret: required"); on
 * failure *out holds nothing to free. The caller frees with config_free().
 */
int config_load(const char *path, struct config *out, char *err, size_t errlen);
void config_free(struct config *cfg);

#endif
