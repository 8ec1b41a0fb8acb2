/* The DAO's connection: one MariaDB connection per worker and the
 * statements prepared on it, the classification and logging of failures,
 * the reconnect and retry loop, and transactions. */
#include "dao_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

/* Replays of a write transaction the server aborted for a deadlock or a
 * lock wait timeout, before giving up with DAO_UNAVAILABLE. */
#define DAO_TXN_RETRIES 3

/* The statement grid's first two dimensions. */
#define COLUMNS USER_COLUMN_COUNT

struct dao_conn {
	const char *host; /* from the configuration; NULL: unix_socket */
	unsigned int port;
	const char *unix_socket;
	char name[32];     /* "primary", "replica 2": for the logs */
	char label[20];    /* "replica 2: " before a connect error; "" alone */
	MYSQL *mysql;      /* NULL: not connected */
	double rest_until; /* dao_resting until then (monotonic seconds) */
	MYSQL_STMT *stmt[DAO_STMT_COUNT];
	int no_trigram_table; /* an older schema: scan always */
	/* Row lists by [filter column][order column][descending][keyset]
	 * [plan], as struct dao_select names them. A NULL statement is not
	 * prepared yet. */
	MYSQL_STMT *select[COLUMNS][COLUMNS][2][2][DAO_PLAN_COUNT];
};

/*
 * The per-worker connections and their statements, the one piece of
 * mutable file state the house rules allow: [database] first, then the
 * [replicas] servers. cur is the one the running attempt uses.
 */
static struct {
	const struct config_database *cfg; /* from dao_init; not owned */
	struct config_replicas rep;        /* a copy; its strings not owned */
	struct dao_conn server[1 + CONFIG_REPLICAS_MAX];
	size_t count;
	struct dao_conn *cur;
} db;

void dao_log(enum log_level level, const char *op, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_write(level, "dao", "%s: %s", op, text);
}

/* The errors after which this connection is gone or going. */
static int is_connection_error(unsigned int code)
{
	switch (code) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_NET_READ_ERROR:
	case ER_NET_READ_INTERRUPTED:
	case ER_NET_ERROR_ON_WRITE:
	case ER_NET_WRITE_INTERRUPTED:
		return 1;
	default:
		return 0;
	}
}

/* The server aborted the transaction (or its last statement) over locks. */
static int is_busy(unsigned int code)
{
	return code == ER_LOCK_WAIT_TIMEOUT || code == ER_LOCK_DEADLOCK;
}

/* The server is up but would not finish the statement now. */
static int is_overloaded(unsigned int code)
{
	return code == ER_STATEMENT_TIMEOUT || code == ER_QUERY_INTERRUPTED;
}

/* The server is up but takes no writes, or no queries at all: a primary
 * made read-only (1290), a Galera node out of its cluster (1047). */
static int is_not_serving(unsigned int code)
{
	return code == ER_OPTION_PREVENTS_STATEMENT ||
	    code == ER_UNKNOWN_COM_ERROR;
}

/* Records the error in f and logs it as "dao: OP: STEP: CODE (STATE) ...",
 * at a level that says whose it is. */
static enum dao_status failed(struct dao_failure *f, const char *step,
    unsigned int code, const char *sqlstate, const char *message)
{
	f->code = code;
	if (code == ER_DUP_ENTRY) {
		/* A client mistake, and the message quotes the row's values. */
		dao_log(LOG_LEVEL_DEBUG, f->op, "%s: duplicate key", step);
		return DAO_CONFLICT;
	}
	if (is_connection_error(code) || is_busy(code) || is_overloaded(code) ||
	    is_not_serving(code)) {
		dao_log(LOG_LEVEL_WARN, f->op, "%s: %u (%s) %s", step, code,
		    sqlstate, message);
		return DAO_UNAVAILABLE;
	}
	dao_log(LOG_LEVEL_ERROR, f->op, "%s: %u (%s) %s", step, code, sqlstate,
	    message);
	/* A client library error may leave the protocol out of step. */
	if (code == 0 || (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR))
		f->broken = 1;
	return DAO_ERROR;
}

enum dao_status dao_conn_failed(const char *step, struct dao_failure *f)
{
	MYSQL *m = db.cur->mysql;

	return failed(f, step, mysql_errno(m), mysql_sqlstate(m),
	    mysql_error(m));
}

enum dao_status dao_stmt_failed(MYSQL_STMT *st, const char *step,
    struct dao_failure *f)
{
	/* A failed streaming fetch leaves its error on the connection only. */
	if (mysql_stmt_errno(st) == 0)
		return dao_conn_failed(step, f);
	return failed(f, step, mysql_stmt_errno(st), mysql_stmt_sqlstate(st),
	    mysql_stmt_error(st));
}

static void close_stmts(MYSQL_STMT **st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (st[i] != NULL)
			mysql_stmt_close(st[i]);
		st[i] = NULL;
	}
}

/* Statements belong to their connection: close them first. */
static void db_disconnect(struct dao_conn *c)
{
	close_stmts(c->stmt, DAO_STMT_COUNT);
	if (c->mysql != NULL)
		dao_filter_cache_drop(c->mysql);
	close_stmts(&c->select[0][0][0][0][0],
	    sizeof(c->select) / sizeof(c->select[0][0][0][0][0]));
	if (c->mysql != NULL)
		mysql_close(c->mysql);
	c->mysql = NULL;
}

static const char *session_setup(void)
{
	return db.rep.galera && db.rep.read_your_writes
	    ? dao_sql_session_setup_galera
	    : dao_sql_session_setup;
}

static int db_connect(struct dao_conn *c, const char *op)
{
	const struct config_database *cfg = db.cfg;
	unsigned int protocol, off = 0;
	my_bool no = 0, yes = 1;
	MYSQL *m;

	if ((m = mysql_init(NULL)) == NULL) {
		dao_log(LOG_LEVEL_ERROR, op, "mysql_init failed");
		return -1;
	}
	/* A host always means TCP, even "localhost". */
	protocol =
	    c->unix_socket != NULL ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
	if (mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") ||
	    mysql_options(m, MYSQL_INIT_COMMAND, session_setup()) ||
	    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT,
	        &cfg->connect_timeout) ||
	    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &cfg->read_timeout) ||
	    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &cfg->write_timeout) ||
	    mysql_options(m, MYSQL_OPT_RECONNECT, &no) ||
	    mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &off) ||
	    mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol) ||
	    mysql_options(m, MYSQL_REPORT_DATA_TRUNCATION, &yes)) {
		dao_log(LOG_LEVEL_ERROR, op, "mysql_options: %s",
		    mysql_error(m));
		goto fail;
	}
	/* FOUND_ROWS: an UPDATE that changes nothing still counts its row. */
	if (mysql_real_connect(m, c->host, cfg->user, cfg->password, cfg->name,
	        c->port, c->unix_socket, CLIENT_FOUND_ROWS) == NULL) {
		dao_log(LOG_LEVEL_WARN, op, "%sconnect: %u (%s) %s", c->label,
		    mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
		goto fail;
	}
	c->mysql = m;
	/* The schema may have gained the trigram index meanwhile. */
	c->no_trigram_table = 0;
	return 0;
fail:
	mysql_close(m);
	return -1;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The server was unreachable or lost: reads leave it alone for a while. */
static void lost(struct dao_conn *c, const char *op)
{
	if (db.count > 1)
		dao_rest(c, op, "unreachable");
}

/*
 * Runs attempt on c, connecting first when there is none. A lost
 * connection is dropped; the attempt is made once more on a new one only
 * when replaying is safe and the loss was not a read timeout (a slow
 * server is not made slower by asking twice). A transaction the server
 * aborted over locks is replayed up to DAO_TXN_RETRIES times (a Galera
 * certification failure, the same 1213, once).
 */
enum dao_status dao_run_on(struct dao_conn *c, const char *op,
    dao_attempt_fn attempt, void *arg, struct dao_failure *last)
{
	int busy = 0, reconnected = 0;
	int busy_max = db.rep.galera ? 1 : DAO_TXN_RETRIES;

	memset(last, 0, sizeof(*last));
	last->op = op;
	if (db.cfg == NULL) {
		dao_log(LOG_LEVEL_ERROR, op, "dao_init was not called");
		return DAO_ERROR;
	}
	for (;;) {
		struct dao_failure f = { .op = op };
		enum dao_status s;
		double started;

		if (c->mysql == NULL && db_connect(c, op) != 0) {
			lost(c, op);
			return DAO_UNAVAILABLE;
		}
		db.cur = c;
		started = seconds_now();
		s = attempt(arg, &f);
		*last = f;
		/* It answered: whatever failed before is over. */
		if (s == DAO_OK || s == DAO_NOT_FOUND || s == DAO_CONFLICT ||
		    s == DAO_STALE)
			c->rest_until = 0;
		if (f.broken || is_connection_error(f.code))
			db_disconnect(c);
		if (s != DAO_UNAVAILABLE || f.rows_out)
			return s;
		if (is_busy(f.code)) {
			if (busy++ < busy_max)
				continue;
			dao_log(LOG_LEVEL_WARN, op,
			    "still locked out after %d retries", busy - 1);
			return s;
		}
		if (is_connection_error(f.code))
			lost(c, op);
		if (!is_connection_error(f.code) || reconnected ||
		    f.write_sent ||
		    seconds_now() - started >= db.cfg->read_timeout)
			return s;
		reconnected = 1;
		dao_log(LOG_LEVEL_INFO, op, "connection lost, reconnecting");
	}
}

struct dao_conn *dao_server(size_t i)
{
	return i < db.count ? &db.server[i] : NULL;
}

size_t dao_server_count(void)
{
	return db.count;
}

const struct config_replicas *dao_replicas(void)
{
	return &db.rep;
}

int dao_resting(const struct dao_conn *c)
{
	return c->rest_until > seconds_now();
}

void dao_rest(struct dao_conn *c, const char *op, const char *why)
{
	if (!dao_resting(c))
		dao_log(LOG_LEVEL_WARN, op, "%s: %s, not used for %u s",
		    c->name, why, db.rep.skip_seconds);
	c->rest_until = seconds_now() + db.rep.skip_seconds;
}

double dao_seconds_now(void)
{
	return seconds_now();
}

MYSQL *dao_mysql(void)
{
	return db.cur->mysql;
}

/* The statement in *slot, prepared from sql when it is not yet. */
static enum dao_status prepare(MYSQL_STMT **slot, const char *sql,
    struct dao_failure *f)
{
	MYSQL_STMT *st;

	if ((st = mysql_stmt_init(db.cur->mysql)) == NULL)
		return dao_conn_failed("mysql_stmt_init", f);
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		enum dao_status s = dao_stmt_failed(st, "prepare", f);

		mysql_stmt_close(st);
		return s;
	}
	*slot = st;
	return DAO_OK;
}

enum dao_status dao_prepare(enum dao_stmt s, MYSQL_STMT **out,
    struct dao_failure *f)
{
	MYSQL_STMT **slot = &db.cur->stmt[s];

	if (*slot == NULL) {
		char sql[DAO_SQL_MAX];
		enum dao_status rc;

		if (dao_sql_render(s, sql, sizeof(sql)) != 0) {
			dao_log(LOG_LEVEL_ERROR, f->op,
			    "%s: statement text too long", dao_sql_name(s));
			return DAO_ERROR;
		}
		if ((rc = prepare(slot, sql, f)) != DAO_OK)
			return rc;
	}
	*out = *slot;
	return DAO_OK;
}

enum dao_status dao_prepare_select(const struct dao_select *k, MYSQL_STMT **out,
    struct dao_failure *f)
{
	MYSQL_STMT **slot =
	    &db.cur->select[k->filter][k->order][k->desc][k->keyset][k->plan];

	if (*slot == NULL) {
		char sql[DAO_SQL_MAX];
		enum dao_status s;

		if (dao_sql_select(k, sql, sizeof(sql)) != 0) {
			dao_log(LOG_LEVEL_ERROR, f->op,
			    "statement text too long");
			return DAO_ERROR;
		}
		if ((s = prepare(slot, sql, f)) != DAO_OK)
			return s;
	}
	*out = *slot;
	return DAO_OK;
}

enum dao_status dao_prepare_text(const char *sql, MYSQL_STMT **slot,
    struct dao_failure *f)
{
	return prepare(slot, sql, f);
}

enum dao_status dao_query(const char *sql, const char *step,
    struct dao_failure *f)
{
	if (mysql_real_query(db.cur->mysql, sql, strlen(sql)) != 0)
		return dao_conn_failed(step, f);
	return DAO_OK;
}

int dao_trigram_table_missing(void)
{
	return db.cur->no_trigram_table;
}

void dao_set_trigram_table_missing(void)
{
	db.cur->no_trigram_table = 1;
}

enum dao_status dao_begin(struct dao_failure *f)
{
	size_t len = strlen(dao_sql_begin);

	if (mysql_real_query(db.cur->mysql, dao_sql_begin, len) != 0)
		return dao_conn_failed("START TRANSACTION", f);
	return DAO_OK;
}

enum dao_status dao_end_transaction(enum dao_status s, struct dao_failure *f)
{
	if (s == DAO_OK) {
		if (mysql_commit(db.cur->mysql) == 0)
			return DAO_OK;
		s = dao_conn_failed("COMMIT", f);
	}
	if (is_connection_error(f->code))
		return s; /* the server rolls back a transaction it loses */
	if (mysql_rollback(db.cur->mysql) != 0) {
		dao_log(LOG_LEVEL_WARN, f->op, "ROLLBACK: %u %s",
		    mysql_errno(db.cur->mysql), mysql_error(db.cur->mysql));
		f->broken = 1;
	}
	return s;
}

static enum dao_status ping_attempt(void *arg, struct dao_failure *f)
{
	(void)arg;
	if (mysql_ping(db.cur->mysql) != 0)
		return dao_conn_failed("ping", f);
	return DAO_OK;
}

static void set_server(struct dao_conn *c, const char *host, unsigned int port,
    const char *unix_socket, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->host = host;
	c->port = port;
	c->unix_socket = unix_socket;
	snprintf(c->name, sizeof(c->name), "%s", name);
}

void dao_init(const struct config_database *cfg,
    const struct config_replicas *rep)
{
	size_t i;

	dao_shutdown();
	db.cfg = cfg;
	if (rep != NULL)
		db.rep = *rep;
	set_server(&db.server[0], cfg->host, cfg->port, cfg->unix_socket,
	    "primary");
	db.count = 1 + db.rep.count;
	for (i = 0; i < db.rep.count; i++) {
		const struct config_endpoint *e = &db.rep.server[i];
		/* Room for any size_t: gcc checks the format against it. */
		char name[32];

		snprintf(name, sizeof(name), "%s %zu",
		    db.rep.galera ? "node" : "replica", i + 1);
		set_server(&db.server[i + 1], e->host, e->port, e->unix_socket,
		    name);
	}
	if (db.rep.galera)
		snprintf(db.server[0].name, sizeof(db.server[0].name),
		    "node 0");
	for (i = 0; db.count > 1 && i < db.count; i++)
		snprintf(db.server[i].label, sizeof(db.server[i].label),
		    "%s: ", db.server[i].name);
	db.cur = &db.server[0];
	/* Replicas connect when a read first needs them. */
	if (db_connect(&db.server[0], "init") != 0)
		dao_log(LOG_LEVEL_WARN, "init",
		    "database unreachable for now; will connect on demand");
	dao_route_init();
}

void dao_shutdown(void)
{
	size_t i;

	for (i = 0; i < db.count; i++)
		db_disconnect(&db.server[i]);
	memset(&db, 0, sizeof(db));
}

enum dao_status dao_ping(void)
{
	return dao_run("ping", ping_attempt, NULL);
}
