/* Data access for the users table: one MariaDB connection per worker, its
 * prepared statements cached, reconnecting after the connection is lost.
 * Lists page by offset or by keyset; substring searches of the columns
 * with a trigram index read only the blocks of users it points to. */
#include "dao.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "calendar.h"
#include "log.h"

/* Replays of a write transaction the server aborted for a deadlock or a
 * lock wait timeout, before giving up with DAO_UNAVAILABLE. */
#define DAO_TXN_RETRIES 3
/* A search value: 100 characters of at most 4 bytes each. */
#define DAO_LIKE_VALUE_MAX 400
/* Room for the longest statement text built here. */
#define DAO_SQL_MAX 1536

/*
 * The trigram index of sql/01_schema.sql: which blocks of TRIGRAM_BLOCK
 * ids hold each trigram of a column's values. A search counts the blocks
 * of up to TRIGRAM_PROBES of the value's trigrams (each count stopping at
 * TRIGRAM_MAX_BLOCKS) and, when the rarest is below that and in fewer
 * than 1 / TRIGRAM_SHARE of all blocks, runs the exact LIKE on the users of
 * the blocks holding its three rarest trigrams only. A value more common
 * than that is found as fast by the ordered scan, which stops after a page
 * of matches.
 */
#define TRIGRAM_BLOCK 64
#define TRIGRAM_PROBES 6
#define TRIGRAM_JOINED 3
#define TRIGRAM_MAX_BLOCKS 256
#define TRIGRAM_SHARE 4
/* A trigram: three characters of at most 4 bytes. */
#define TRIGRAM_BYTES 12

/* How a list statement finds its rows. */
enum plan {
	PLAN_SCAN,      /* the users table, through its order's index */
	PLAN_TRIGRAM,   /* the blocks of users the trigram index names */
	PLAN_COUNT
};

/*
 * Every session starts from the same state, whatever the server defaults:
 * dates are read and written in UTC, text compares by the table's
 * collation, and a value that does not fit is refused rather than cut.
 * MYSQL_INIT_COMMAND runs again on every new connection.
 */
static const char session_setup[] =
    "SET time_zone = '+00:00', collation_connection = 'utf8mb4_unicode_ci', "
    "sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'";

static const char sql_insert[] =
    "INSERT INTO users (nickname, first_name, last_name, email, "
    "identification_type, identification_number, country_id, "
    "creation_date, update_date) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";

/*
 * Absent fields are bound as NULL and keep their value, so concurrent
 * updates of different fields never undo each other. GREATEST keeps the
 * CHECK (update_date >= creation_date) true even if the clock steps back.
 */
static const char sql_update[] =
    "UPDATE users SET "
    "nickname = COALESCE(?, nickname), "
    "first_name = COALESCE(?, first_name), "
    "last_name = COALESCE(?, last_name), "
    "email = COALESCE(?, email), "
    "identification_type = COALESCE(?, identification_type), "
    "identification_number = COALESCE(?, identification_number), "
    "country_id = COALESCE(?, country_id), "
    "update_date = GREATEST(UTC_TIMESTAMP(), creation_date) "
    "WHERE id = ?";

static const char sql_delete[] = "DELETE FROM users WHERE id = ?";

/*
 * The per-worker connection and its statements, the one piece of mutable
 * file state the house rules allow. A NULL statement is not prepared yet.
 */
static struct {
	const struct config_database *cfg; /* from dao_init; not owned */
	MYSQL *mysql;                      /* NULL: not connected */
	MYSQL_STMT *by_id;
	MYSQL_STMT *insert;
	MYSQL_STMT *update;
	MYSQL_STMT *remove;
	MYSQL_STMT *probe;                 /* trigram block counts */
	int no_trigram_table;              /* an older schema: scan always */
	/*
	 * Row lists by [filter column][order column][descending][keyset]
	 * [plan]. Filter USER_ID is the plain list, a text column a LIKE
	 * search, a date column a day range; keyset 1 continues after a
	 * cursor instead of skipping an offset.
	 */
	MYSQL_STMT *select[USER_COLUMN_COUNT][USER_COLUMN_COUNT][2][2]
	    [PLAN_COUNT];
} db;

/* What a failed attempt saw: the retry loop decides from it. */
struct failure {
	unsigned int code; /* MariaDB error number; 0: not from the server */
	int broken;        /* the connection's state is unknown: drop it */
	int write_sent; /* a write went out: replaying could apply it twice */
	int rows_out;   /* rows reached the caller: replaying repeats them */
};

/* One try of an operation on an open connection. */
typedef enum dao_status (*attempt_fn)(void *arg, struct failure *f);

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

static enum dao_status failed(struct failure *f, const char *step,
    unsigned int code, const char *sqlstate, const char *message)
{
	f->code = code;
	if (code == ER_DUP_ENTRY) {
		/* A client mistake, and the message quotes the row's values. */
		log_debug("%s: duplicate key", step);
		return DAO_CONFLICT;
	}
	if (is_connection_error(code) || is_busy(code) || is_overloaded(code)) {
		log_warn("%s: %u (%s) %s", step, code, sqlstate, message);
		return DAO_UNAVAILABLE;
	}
	log_error("%s: %u (%s) %s", step, code, sqlstate, message);
	/* A client library error may leave the protocol out of step. */
	if (code == 0 || (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR))
		f->broken = 1;
	return DAO_ERROR;
}

static enum dao_status conn_failed(const char *step, struct failure *f)
{
	return failed(f, step, mysql_errno(db.mysql), mysql_sqlstate(db.mysql),
	    mysql_error(db.mysql));
}

static enum dao_status stmt_failed(
    MYSQL_STMT *st, const char *step, struct failure *f)
{
	/* A failed streaming fetch leaves its error on the connection only. */
	if (mysql_stmt_errno(st) == 0)
		return conn_failed(step, f);
	return failed(f, step, mysql_stmt_errno(st), mysql_stmt_sqlstate(st),
	    mysql_stmt_error(st));
}

static void close_stmt(MYSQL_STMT **st)
{
	if (*st != NULL)
		mysql_stmt_close(*st);
	*st = NULL;
}

/* Statements belong to their connection: close them first. */
static void db_disconnect(void)
{
	MYSQL_STMT **st = &db.select[0][0][0][0][0];
	size_t i, n = sizeof(db.select) / sizeof(db.select[0][0][0][0][0]);

	close_stmt(&db.by_id);
	close_stmt(&db.insert);
	close_stmt(&db.update);
	close_stmt(&db.remove);
	close_stmt(&db.probe);
	for (i = 0; i < n; i++)
		close_stmt(&st[i]);
	if (db.mysql != NULL)
		mysql_close(db.mysql);
	db.mysql = NULL;
}

static int db_connect(void)
{
	const struct config_database *c = db.cfg;
	unsigned int protocol, off = 0;
	my_bool no = 0, yes = 1;
	MYSQL *m;

	if ((m = mysql_init(NULL)) == NULL) {
		log_error("mysql_init failed");
		return -1;
	}
	/* A host always means TCP, even "localhost". */
	protocol =
	    c->unix_socket != NULL ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
	if (mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") ||
	    mysql_options(m, MYSQL_INIT_COMMAND, session_setup) ||
	    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &c->connect_timeout) ||
	    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &c->read_timeout) ||
	    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &c->write_timeout) ||
	    mysql_options(m, MYSQL_OPT_RECONNECT, &no) ||
	    mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &off) ||
	    mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol) ||
	    mysql_options(m, MYSQL_REPORT_DATA_TRUNCATION, &yes)) {
		log_error("mysql_options: %s", mysql_error(m));
		goto fail;
	}
	/* FOUND_ROWS: an UPDATE that changes nothing still counts its row. */
	if (mysql_real_connect(m, c->host, c->user, c->password, c->name,
	        c->port, c->unix_socket, CLIENT_FOUND_ROWS) == NULL) {
		log_warn("connect: %u (%s) %s", mysql_errno(m),
		    mysql_sqlstate(m), mysql_error(m));
		goto fail;
	}
	db.mysql = m;
	/* The schema may have gained the trigram index meanwhile. */
	db.no_trigram_table = 0;
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

/*
 * Runs attempt on a connection, connecting first when there is none. A lost
 * connection is dropped; the attempt is made once more on a new one only
 * when replaying is safe and the loss was not a read timeout (a slow
 * server is not made slower by asking twice). A transaction the server
 * aborted over locks is replayed up to DAO_TXN_RETRIES times.
 */
static enum dao_status run(attempt_fn attempt, void *arg)
{
	int busy = 0, reconnected = 0;

	if (db.cfg == NULL) {
		log_error("dao_init was not called");
		return DAO_ERROR;
	}
	for (;;) {
		struct failure f = {0};
		enum dao_status s;
		double started;

		if (db.mysql == NULL && db_connect() != 0)
			return DAO_UNAVAILABLE;
		started = seconds_now();
		s = attempt(arg, &f);
		if (f.broken || is_connection_error(f.code))
			db_disconnect();
		if (s != DAO_UNAVAILABLE || f.rows_out)
			return s;
		if (is_busy(f.code)) {
			if (busy++ < DAO_TXN_RETRIES)
				continue;
			log_warn("still locked out after %d retries", busy - 1);
			return s;
		}
		if (!is_connection_error(f.code) || reconnected ||
		    f.write_sent ||
		    seconds_now() - started >= db.cfg->read_timeout)
			return s;
		reconnected = 1;
		log_info("connection lost, reconnecting");
	}
}

/* Appends to the statement text; -1 once it no longer fits. */
__attribute__((format(printf, 4, 5))) static int sql_add(
    char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len) {
		*len = size;
		return -1;
	}
	*len += (size_t)n;
	return 0;
}

/* "SELECT <every column of u, in enum order>" after the given keyword. */
static int sql_columns(char *buf, size_t size, size_t *len,
    const char *select)
{
	int c, rc;

	rc = sql_add(buf, size, len, "%s", select);
	for (c = 0; c < USER_COLUMN_COUNT; c++)
		rc |= sql_add(buf, size, len, "%su.%s", c > 0 ? ", " : "",
		    user_column_name(c));
	return rc;
}

static int is_text_column(enum user_column c)
{
	return c >= USER_TEXT_FIRST && c <= USER_TEXT_LAST;
}

static int is_date_column(enum user_column c)
{
	return c == USER_CREATION_DATE || c == USER_UPDATE_DATE;
}

/* The columns the trigram index covers: as in sql/01_schema.sql. */
static int trigram_column(enum user_column c)
{
	return c == USER_LAST_NAME || c == USER_EMAIL;
}

/*
 * FROM and the joins of a plan. A day search reads that day's users
 * through the date's index and sorts them: left to itself the optimizer
 * may walk the order's index instead, hoping for a page of matches soon,
 * and since ids and creation dates grow together, that walk reads every
 * user created before the day (49,000 rows for a page at 100,000 users).
 * The forced plan costs what the day holds, however large the table.
 *
 * The trigram plan starts from the blocks of the rarest trigram (t1),
 * keeps those holding the next two (t2, t3, which may repeat t1) and reads
 * the users of each block: STRAIGHT_JOIN keeps that order, which the
 * optimizer cannot know is the cheap one.
 */
static int sql_from(char *buf, size_t size, size_t *len,
    enum user_column filter, enum plan plan)
{
	int rc = 0, t;

	if (plan == PLAN_SCAN && is_date_column(filter))
		return sql_columns(buf, size, len, "SELECT ") |
		    sql_add(buf, size, len, " FROM users AS u FORCE INDEX "
		    "(users_%s_ix) WHERE 1", user_column_name(filter));
	if (plan == PLAN_SCAN)
		return sql_columns(buf, size, len, "SELECT ") |
		    sql_add(buf, size, len, " FROM users AS u WHERE 1");
	rc |= sql_columns(buf, size, len, "SELECT STRAIGHT_JOIN ");
	rc |= sql_add(buf, size, len, " FROM user_trigram_blocks AS t1");
	for (t = 2; t <= TRIGRAM_JOINED; t++)
		rc |= sql_add(buf, size, len, " JOIN user_trigram_blocks AS "
		    "t%d ON t%d.col = t1.col AND t%d.tri = ? AND "
		    "t%d.blk = t1.blk", t, t, t, t);
	rc |= sql_add(buf, size, len, " JOIN users AS u ON u.id BETWEEN "
	    "t1.blk * %d AND t1.blk * %d + %d", TRIGRAM_BLOCK,
	    TRIGRAM_BLOCK, TRIGRAM_BLOCK - 1);
	return rc | sql_add(buf, size, len, " WHERE t1.col = %d AND "
	    "t1.tri = ?", (int)filter);
}

/*
 * After the row (value, id) in the order: for ascending order
 * (col > v OR (col = v AND id > i)), which compares by the column's
 * collation exactly as ORDER BY col, id does, and which the optimizer
 * serves as one range of the column's index (it ends with the id).
 */
static int sql_keyset(char *buf, size_t size, size_t *len,
    enum user_column order, int desc)
{
	const char *cmp = desc ? "<" : ">";
	const char *name = user_column_name(order);

	if (order == USER_ID)
		return sql_add(buf, size, len, " AND u.id %s ?", cmp);
	return sql_add(buf, size, len, " AND (u.%s %s ? OR (u.%s = ? AND "
	    "u.id %s ?))", name, cmp, name, cmp);
}

/*
 * The text of a list statement, from constants and column names only. Ties
 * are broken by id in the same direction so pages never overlap.
 */
static int sql_select(char *buf, size_t size, enum user_column filter,
    enum user_column order, int desc, int keyset, enum plan plan)
{
	const char *dir = desc ? "DESC" : "ASC";
	const char *name = user_column_name(filter);
	size_t len = 0;
	int rc;

	rc = sql_from(buf, size, &len, filter, plan);
	if (is_text_column(filter))
		rc |= sql_add(buf, size, &len, " AND u.%s LIKE ? ESCAPE '!'",
		    name);
	else if (is_date_column(filter))
		rc |= sql_add(buf, size, &len, " AND u.%s >= ? AND u.%s < ?",
		    name, name);
	if (keyset)
		rc |= sql_keyset(buf, size, &len, order, desc);
	if (order == USER_ID)
		rc |= sql_add(buf, size, &len, " ORDER BY u.id %s", dir);
	else
		rc |= sql_add(buf, size, &len, " ORDER BY u.%s %s, u.id %s",
		    user_column_name(order), dir, dir);
	return rc | sql_add(buf, size, &len, keyset ? " LIMIT ?" :
	    " LIMIT ? OFFSET ?");
}

/*
 * One round trip for the block counts of TRIGRAM_PROBES trigrams, each
 * stopping at TRIGRAM_MAX_BLOCKS so a common trigram costs no more.
 */
static int sql_probe(char *buf, size_t size)
{
	size_t len = 0;
	int rc, i;

	rc = sql_add(buf, size, &len, "SELECT ");
	for (i = 0; i < TRIGRAM_PROBES; i++)
		rc |= sql_add(buf, size, &len, "(SELECT COUNT(*) FROM "
		    "(SELECT 1 FROM user_trigram_blocks WHERE col = ? AND "
		    "tri = ? LIMIT %d) AS p%d), ", TRIGRAM_MAX_BLOCKS, i);
	/* The number of blocks there are, from the primary key's end. */
	return rc | sql_add(buf, size, &len,
	    "(SELECT COALESCE(MAX(id), 0) DIV %d + 1 FROM users)",
	    TRIGRAM_BLOCK);
}

/* The statement in *slot, prepared from sql when it is not yet. */
static enum dao_status prepare(
    MYSQL_STMT **slot, const char *sql, struct failure *f)
{
	MYSQL_STMT *st;

	if (*slot != NULL)
		return DAO_OK;
	if ((st = mysql_stmt_init(db.mysql)) == NULL)
		return conn_failed("mysql_stmt_init", f);
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		enum dao_status s = stmt_failed(st, "prepare", f);

		mysql_stmt_close(st);
		return s;
	}
	*slot = st;
	return DAO_OK;
}

static enum dao_status prepare_by_id(struct failure *f)
{
	char sql[DAO_SQL_MAX];
	size_t len = 0;

	if (db.by_id != NULL)
		return DAO_OK;
	if ((sql_columns(sql, sizeof(sql), &len, "SELECT ") |
	        sql_add(sql, sizeof(sql), &len,
	        " FROM users AS u WHERE u.id = ?")) != 0) {
		log_error("statement text too long");
		return DAO_ERROR;
	}
	return prepare(&db.by_id, sql, f);
}

static enum dao_status prepare_select(enum user_column filter,
    const struct paging *p, enum plan plan, MYSQL_STMT **out,
    struct failure *f)
{
	int keyset = p->has_cursor ? 1 : 0;
	MYSQL_STMT **slot =
	    &db.select[filter][p->order_by][p->descending][keyset][plan];

	if (*slot == NULL) {
		char sql[DAO_SQL_MAX];
		enum dao_status s;

		if (sql_select(sql, sizeof(sql), filter, p->order_by,
		        p->descending, keyset, plan) != 0) {
			log_error("statement text too long");
			return DAO_ERROR;
		}
		if ((s = prepare(slot, sql, f)) != DAO_OK)
			return s;
	}
	*out = *slot;
	return DAO_OK;
}

/* A fetched row: the struct user and the buffers MariaDB writes into. */
struct row {
	struct user user;
	long long id;
	MYSQL_TIME date[2];
	unsigned long length[USER_COLUMN_COUNT];
	my_bool is_null[USER_COLUMN_COUNT];
	MYSQL_BIND bind[USER_COLUMN_COUNT];
};

static void row_bind(struct row *r)
{
	int c;

	memset(r->bind, 0, sizeof(r->bind));
	for (c = 0; c < USER_COLUMN_COUNT; c++) {
		MYSQL_BIND *b = &r->bind[c];

		b->length = &r->length[c];
		b->is_null = &r->is_null[c];
		if (c == USER_ID) {
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &r->id;
		} else if (is_text_column(c)) {
			/* One byte is kept for the NUL added after the fetch;
			 * a longer value is reported as truncated. */
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = user_text(&r->user, c);
			b->buffer_length = USER_TEXT_MAX - 1;
		} else {
			b->buffer_type = MYSQL_TYPE_DATETIME;
			b->buffer = &r->date[c - USER_CREATION_DATE];
			b->buffer_length = sizeof(MYSQL_TIME);
		}
	}
}

static int format_date(const MYSQL_TIME *t, char *out)
{
	int n;

	n = snprintf(out, USER_DATE_LEN, "%04u-%02u-%02u %02u:%02u:%02u",
	    t->year, t->month, t->day, t->hour, t->minute, t->second);
	return n == USER_DATE_LEN - 1 ? 0 : -1;
}

/* Completes r->user from the fetched buffers; -1 if a value is unusable. */
static int row_finish(struct row *r)
{
	int c;

	for (c = 0; c < USER_COLUMN_COUNT; c++)
		if (r->is_null[c])
			return -1;
	for (c = USER_TEXT_FIRST; c <= USER_TEXT_LAST; c++) {
		if (r->length[c] >= USER_TEXT_MAX)
			return -1;
		user_text(&r->user, c)[r->length[c]] = '\0';
	}
	r->user.id = (long)r->id;
	if (format_date(&r->date[0], r->user.creation_date) != 0 ||
	    format_date(&r->date[1], r->user.update_date) != 0)
		return -1;
	return 0;
}

/*
 * Executes st (its parameters bound) and streams its rows through r,
 * handing each to each (when not NULL); *count is the number of rows. The
 * result is always read to the end or freed, so the connection stays
 * usable for the next statement.
 */
static enum dao_status fetch_rows(MYSQL_STMT *st, struct row *r,
    dao_row_fn each, void *ctx, long *count, struct failure *f)
{
	enum dao_status s = DAO_OK;

	*count = 0;
	row_bind(r);
	if (mysql_stmt_bind_result(st, r->bind) != 0)
		return stmt_failed(st, "bind result", f);
	if (mysql_stmt_execute(st) != 0)
		return stmt_failed(st, "execute", f);
	for (;;) {
		int rc = mysql_stmt_fetch(st);

		if (rc == MYSQL_NO_DATA)
			break;
		if (rc == 1) {
			s = stmt_failed(st, "fetch", f);
			break;
		}
		if (rc == MYSQL_DATA_TRUNCATED || row_finish(r) != 0) {
			log_error("a row does not fit struct user");
			s = DAO_ERROR;
			break;
		}
		(*count)++;
		if (each != NULL) {
			f->rows_out = 1;
			each(&r->user, ctx);
		}
	}
	mysql_stmt_free_result(st);
	return s;
}

static void bind_long(MYSQL_BIND *b, long long *value)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = value;
}

static enum dao_status read_by_id(long id, struct user *out, struct failure *f)
{
	long long key = id;
	MYSQL_BIND param;
	enum dao_status s;
	struct row r;
	long count;

	if ((s = prepare_by_id(f)) != DAO_OK)
		return s;
	bind_long(&param, &key);
	if (mysql_stmt_bind_param(db.by_id, &param) != 0)
		return stmt_failed(db.by_id, "bind", f);
	if ((s = fetch_rows(db.by_id, &r, NULL, NULL, &count, f)) != DAO_OK)
		return s;
	if (count == 0)
		return DAO_NOT_FOUND;
	*out = r.user;
	return DAO_OK;
}

/* One list query: its filter, its parameters' storage and its consumer. */
struct query {
	enum user_column filter; /* USER_ID: none */
	const struct paging *paging;
	char pattern[2 * DAO_LIKE_VALUE_MAX + 2];
	unsigned long pattern_len;
	MYSQL_TIME day[2]; /* [first second of the day, next day) */
	/* The cursor's value and id, bound for the keyset condition. */
	MYSQL_TIME after_date;
	unsigned long after_len;
	long long after_id;
	long long limit, offset;
	/* Distinct trigrams of a search value; tri_count 0: none to use. */
	char tri[TRIGRAM_PROBES][TRIGRAM_BYTES];
	unsigned long tri_len[TRIGRAM_PROBES];
	int tri_count;
	int join[TRIGRAM_JOINED]; /* indexes into tri, rarest first */
	dao_row_fn each;
	void *ctx;
};

static void bind_text(MYSQL_BIND *b, const char *text, unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)text;
	b->buffer_length = *len;
	b->length = len;
}

static void bind_date(MYSQL_BIND *b, MYSQL_TIME *t)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

/*
 * Counts the blocks of each of q's trigrams and decides the plan. *empty
 * is set when a trigram is in no block: no row can match. Otherwise
 * q->join lists the rarest ones for PLAN_TRIGRAM.
 */
static enum dao_status probe(struct query *q, enum plan *plan, int *empty,
    struct failure *f)
{
	MYSQL_BIND param[2 * TRIGRAM_PROBES], result[TRIGRAM_PROBES + 1];
	long long count[TRIGRAM_PROBES + 1], col = q->filter;
	int i, j, rc, order[TRIGRAM_PROBES];
	enum dao_status s;
	char sql[DAO_SQL_MAX];

	*plan = PLAN_SCAN;
	*empty = 0;
	if (db.probe == NULL && sql_probe(sql, sizeof(sql)) != 0) {
		log_error("statement text too long");
		return DAO_ERROR;
	}
	if ((s = prepare(&db.probe, sql, f)) != DAO_OK) {
		if (f->code != ER_NO_SUCH_TABLE)
			return s;
		/* A database from before the index: search as before. */
		log_warn("no user_trigram_blocks table: searches scan");
		db.no_trigram_table = 1;
		f->code = 0;
		return DAO_OK;
	}
	memset(result, 0, sizeof(result));
	for (i = 0; i < TRIGRAM_PROBES; i++) {
		/* Unused slots repeat the first trigram; their counts are
		 * not read. */
		int k = i < q->tri_count ? i : 0;

		bind_long(&param[2 * i], &col);
		bind_text(&param[2 * i + 1], q->tri[k], &q->tri_len[k]);
		bind_long(&result[i], &count[i]);
	}
	bind_long(&result[TRIGRAM_PROBES], &count[TRIGRAM_PROBES]);
	if (mysql_stmt_bind_param(db.probe, param) != 0 ||
	    mysql_stmt_bind_result(db.probe, result) != 0)
		return stmt_failed(db.probe, "bind", f);
	if (mysql_stmt_execute(db.probe) != 0)
		return stmt_failed(db.probe, "probe", f);
	rc = mysql_stmt_fetch(db.probe);
	if (rc != 0) {
		s = rc == MYSQL_NO_DATA ? DAO_ERROR :
		    stmt_failed(db.probe, "probe fetch", f);
		mysql_stmt_free_result(db.probe);
		if (rc == MYSQL_NO_DATA)
			log_error("probe answered no row");
		return s;
	}
	mysql_stmt_free_result(db.probe);
	/* Insertion sort of the few trigrams by their block counts. */
	for (i = 0; i < q->tri_count; i++) {
		for (j = i; j > 0 && count[order[j - 1]] > count[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	if (count[order[0]] == 0) {
		*empty = 1;
		return DAO_OK;
	}
	if (count[order[0]] >= TRIGRAM_MAX_BLOCKS ||
	    count[order[0]] * TRIGRAM_SHARE >= count[TRIGRAM_PROBES])
		return DAO_OK;
	for (i = 0; i < TRIGRAM_JOINED; i++)
		q->join[i] = order[i < q->tri_count ? i : q->tri_count - 1];
	*plan = PLAN_TRIGRAM;
	return DAO_OK;
}

/* The plan for q: a probe for searches the trigram index can serve. */
static enum dao_status choose_plan(struct query *q, enum plan *plan,
    int *empty, struct failure *f)
{
	*plan = PLAN_SCAN;
	*empty = 0;
	if (q->tri_count == 0 || db.no_trigram_table)
		return DAO_OK;
	return probe(q, plan, empty, f);
}

/* Binds q's parameters in the order sql_select writes them. */
static void bind_query(struct query *q, enum plan plan, MYSQL_BIND *param)
{
	const struct paging *p = q->paging;
	int n = 0, t;

	if (plan == PLAN_TRIGRAM) {
		for (t = 1; t < TRIGRAM_JOINED; t++)
			bind_text(&param[n++], q->tri[q->join[t]],
			    &q->tri_len[q->join[t]]);
		bind_text(&param[n++], q->tri[q->join[0]],
		    &q->tri_len[q->join[0]]);
	}
	if (is_text_column(q->filter)) {
		bind_text(&param[n++], q->pattern, &q->pattern_len);
	} else if (is_date_column(q->filter)) {
		bind_date(&param[n++], &q->day[0]);
		bind_date(&param[n++], &q->day[1]);
	}
	if (p->has_cursor && p->order_by != USER_ID) {
		for (t = 0; t < 2; t++) {
			if (is_date_column(p->order_by))
				bind_date(&param[n++], &q->after_date);
			else
				bind_text(&param[n++], p->cursor.value,
				    &q->after_len);
		}
	}
	if (p->has_cursor)
		bind_long(&param[n++], &q->after_id);
	bind_long(&param[n++], &q->limit);
	if (!p->has_cursor)
		bind_long(&param[n], &q->offset);
}

static enum dao_status query_attempt(void *arg, struct failure *f)
{
	MYSQL_BIND param[TRIGRAM_JOINED + 2 + 3 + 2];
	struct query *q = arg;
	enum dao_status s;
	enum plan plan;
	MYSQL_STMT *st;
	struct row r;
	long count;
	int empty;

	if ((s = choose_plan(q, &plan, &empty, f)) != DAO_OK)
		return s;
	if (empty)
		return DAO_OK;
	if ((s = prepare_select(q->filter, q->paging, plan, &st, f)) !=
	    DAO_OK)
		return s;
	bind_query(q, plan, param);
	if (mysql_stmt_bind_param(st, param) != 0)
		return stmt_failed(st, "bind", f);
	return fetch_rows(st, &r, q->each, q->ctx, &count, f);
}

static int paging_valid(const struct paging *p)
{
	return p->order_by >= USER_ID && p->order_by < USER_COLUMN_COUNT &&
	       (p->descending == 0 || p->descending == 1) && p->limit >= 1 &&
	       p->page >= 0 && (!p->has_cursor ||
	       (p->cursor.column == p->order_by &&
	       p->cursor.descending == p->descending && p->cursor.id >= 1));
}

/* "YYYY-MM-DD HH:MM:SS" (checked by cursor_decode) as a DATETIME. */
static void parse_datetime(const char *s, MYSQL_TIME *t)
{
	memset(t, 0, sizeof(*t));
	t->year = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0'));
	t->month = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	t->day = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	t->hour = (unsigned)((s[11] - '0') * 10 + (s[12] - '0'));
	t->minute = (unsigned)((s[14] - '0') * 10 + (s[15] - '0'));
	t->second = (unsigned)((s[17] - '0') * 10 + (s[18] - '0'));
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

static enum dao_status run_query(
    struct query *q, const struct paging *p, dao_row_fn each, void *ctx)
{
	if (!paging_valid(p)) {
		log_error("invalid paging");
		return DAO_ERROR;
	}
	q->paging = p;
	q->limit = p->limit;
	q->offset = paging_offset(p);
	if (p->has_cursor) {
		q->after_id = p->cursor.id;
		q->after_len = p->cursor.value_len;
		if (is_date_column(p->order_by))
			parse_datetime(p->cursor.value, &q->after_date);
	}
	q->each = each;
	q->ctx = ctx;
	return run(query_attempt, q);
}

/*
 * Up to TRIGRAM_PROBES distinct trigrams (3 characters, as SUBSTRING
 * counts them) spread over the value, first and last included. A value of
 * fewer than 3 characters has none: it is searched by the scan.
 */
static void trigram_pick(const char *value, size_t len, struct query *q)
{
	size_t start[DAO_LIKE_VALUE_MAX + 1], chars = 0, i, n;
	int k, t, seen;

	q->tri_count = 0;
	if (!trigram_column(q->filter) || len > DAO_LIKE_VALUE_MAX)
		return;
	for (i = 0; i < len; i++)
		if (((unsigned char)value[i] & 0xc0) != 0x80)
			start[chars++] = i;
	start[chars] = len;
	if (chars < 3)
		return;
	n = chars - 2; /* trigrams in the value */
	for (k = 0; k < TRIGRAM_PROBES && (size_t)k < n; k++) {
		size_t from, to;

		i = n <= TRIGRAM_PROBES ? (size_t)k :
		    (size_t)k * (n - 1) / (TRIGRAM_PROBES - 1);
		from = start[i];
		to = start[i + 3];
		for (seen = 0, t = 0; t < q->tri_count && !seen; t++)
			seen = q->tri_len[t] == to - from &&
			    memcmp(q->tri[t], value + from, to - from) == 0;
		if (seen || to - from > TRIGRAM_BYTES)
			continue;
		memcpy(q->tri[q->tri_count], value + from, to - from);
		q->tri_len[q->tri_count++] = (unsigned long)(to - from);
	}
}

/*
 * '%' value '%', in which %, _ and the escape character ! are escaped so
 * they match themselves. They are ASCII, so no UTF-8 sequence holds them.
 */
static int like_pattern(const char *value, size_t len, struct query *q)
{
	size_t i, n = 0;

	if (len > DAO_LIKE_VALUE_MAX)
		return -1;
	q->pattern[n++] = '%';
	for (i = 0; i < len; i++) {
		if (value[i] == '%' || value[i] == '_' || value[i] == '!')
			q->pattern[n++] = '!';
		q->pattern[n++] = value[i];
	}
	q->pattern[n++] = '%';
	q->pattern_len = n;
	return 0;
}

static void set_datetime(MYSQL_TIME *t, int year, int month, int day)
{
	memset(t, 0, sizeof(*t));
	t->year = (unsigned int)year;
	t->month = (unsigned int)month;
	t->day = (unsigned int)day;
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

/* The day as [its first second, the next day's); -1 if no such date. */
static int day_range(int year, int month, int day, MYSQL_TIME range[2])
{
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month))
		return -1;
	set_datetime(&range[0], year, month, day);
	if (year == 9999 && month == 12 && day == 31) {
		/* No next day in DATETIME: end just after its last second. */
		set_datetime(&range[1], year, month, day);
		range[1].hour = 23;
		range[1].minute = 59;
		range[1].second = 59;
		range[1].second_part = 999999;
	} else if (day < days_in_month(year, month))
		set_datetime(&range[1], year, month, day + 1);
	else if (month < 12)
		set_datetime(&range[1], year, month + 1, 1);
	else
		set_datetime(&range[1], year + 1, 1, 1);
	return 0;
}

static enum dao_status begin(struct failure *f)
{
	static const char start[] = "START TRANSACTION";

	if (mysql_real_query(db.mysql, start, sizeof(start) - 1) != 0)
		return conn_failed("START TRANSACTION", f);
	return DAO_OK;
}

/* Commits after success, rolls back after anything else. */
static enum dao_status end_transaction(enum dao_status s, struct failure *f)
{
	if (s == DAO_OK) {
		if (mysql_commit(db.mysql) == 0)
			return DAO_OK;
		s = conn_failed("COMMIT", f);
	}
	if (is_connection_error(f->code))
		return s; /* the server rolls back a transaction it loses */
	if (mysql_rollback(db.mysql) != 0) {
		log_warn("ROLLBACK: %u %s", mysql_errno(db.mysql),
		    mysql_error(db.mysql));
		f->broken = 1;
	}
	return s;
}

/* Binds the seven text fields; absent ones as NULL. */
static void bind_fields(
    MYSQL_BIND *param, const struct user_fields *uf, my_bool *is_null)
{
	int c;

	for (c = USER_TEXT_FIRST; c <= USER_TEXT_LAST; c++) {
		int i = c - USER_TEXT_FIRST;

		memset(&param[i], 0, sizeof(param[i]));
		param[i].buffer_type = MYSQL_TYPE_STRING;
		is_null[i] = !user_fields_has(uf, c);
		param[i].is_null = &is_null[i];
		if (!is_null[i]) {
			param[i].buffer = (void *)uf->text[i];
			param[i].buffer_length =
			    strnlen(uf->text[i], USER_TEXT_MAX - 1);
		}
	}
}

/* The arguments of a one-row operation. */
struct row_op {
	long id;                          /* by id, update, delete */
	const struct user_fields *fields; /* add, update */
	struct user *out;                 /* by id, add, update */
};

static enum dao_status add_steps(struct row_op *w, struct failure *f)
{
	MYSQL_BIND param[USER_TEXT_COUNT];
	my_bool is_null[USER_TEXT_COUNT];
	unsigned long long id;
	enum dao_status s;

	if ((s = prepare(&db.insert, sql_insert, f)) != DAO_OK)
		return s;
	bind_fields(param, w->fields, is_null);
	if (mysql_stmt_bind_param(db.insert, param) != 0)
		return stmt_failed(db.insert, "bind", f);
	f->write_sent = 1;
	if (mysql_stmt_execute(db.insert) != 0)
		return stmt_failed(db.insert, "insert", f);
	id = mysql_stmt_insert_id(db.insert);
	s = read_by_id((long)id, w->out, f);
	if (s == DAO_NOT_FOUND) {
		log_error("inserted row %llu not found", id);
		s = DAO_ERROR;
	}
	return s;
}

static enum dao_status add_attempt(void *arg, struct failure *f)
{
	enum dao_status s;

	if ((s = begin(f)) != DAO_OK)
		return s;
	return end_transaction(add_steps(arg, f), f);
}

static enum dao_status update_steps(struct row_op *w, struct failure *f)
{
	MYSQL_BIND param[USER_TEXT_COUNT + 1];
	my_bool is_null[USER_TEXT_COUNT];
	long long key = w->id;
	enum dao_status s;

	if ((s = prepare(&db.update, sql_update, f)) != DAO_OK)
		return s;
	bind_fields(param, w->fields, is_null);
	bind_long(&param[USER_TEXT_COUNT], &key);
	if (mysql_stmt_bind_param(db.update, param) != 0)
		return stmt_failed(db.update, "bind", f);
	f->write_sent = 1;
	if (mysql_stmt_execute(db.update) != 0)
		return stmt_failed(db.update, "update", f);
	/* Rows matched, not changed, thanks to CLIENT_FOUND_ROWS. */
	if (mysql_stmt_affected_rows(db.update) == 0)
		return DAO_NOT_FOUND;
	s = read_by_id(w->id, w->out, f);
	if (s == DAO_NOT_FOUND) {
		log_error("updated row %ld not found", w->id);
		s = DAO_ERROR;
	}
	return s;
}

static enum dao_status update_attempt(void *arg, struct failure *f)
{
	enum dao_status s;

	if ((s = begin(f)) != DAO_OK)
		return s;
	return end_transaction(update_steps(arg, f), f);
}

static enum dao_status delete_steps(struct row_op *w, struct failure *f)
{
	long long key = w->id;
	MYSQL_BIND param;
	enum dao_status s;

	if ((s = prepare(&db.remove, sql_delete, f)) != DAO_OK)
		return s;
	bind_long(&param, &key);
	if (mysql_stmt_bind_param(db.remove, &param) != 0)
		return stmt_failed(db.remove, "bind", f);
	f->write_sent = 1;
	if (mysql_stmt_execute(db.remove) != 0)
		return stmt_failed(db.remove, "delete", f);
	return mysql_stmt_affected_rows(db.remove) == 0 ? DAO_NOT_FOUND
	                                                : DAO_OK;
}

/* Inside a transaction too: a stale connection then fails at START
 * TRANSACTION, before the DELETE is sent, and the delete can be replayed. */
static enum dao_status delete_attempt(void *arg, struct failure *f)
{
	enum dao_status s;

	if ((s = begin(f)) != DAO_OK)
		return s;
	return end_transaction(delete_steps(arg, f), f);
}

static enum dao_status by_id_attempt(void *arg, struct failure *f)
{
	struct row_op *w = arg;

	return read_by_id(w->id, w->out, f);
}

static enum dao_status ping_attempt(void *arg, struct failure *f)
{
	(void)arg;
	if (mysql_ping(db.mysql) != 0)
		return conn_failed("ping", f);
	return DAO_OK;
}

void dao_init(const struct config_database *cfg)
{
	db_disconnect();
	db.cfg = cfg;
	if (db_connect() != 0)
		log_warn(
		    "database unreachable for now; will connect on demand");
}

void dao_shutdown(void)
{
	db_disconnect();
	db.cfg = NULL;
}

enum dao_status dao_ping(void)
{
	return run(ping_attempt, NULL);
}

enum dao_status dao_user_by_id(long id, struct user *out)
{
	struct row_op w = {.id = id, .out = out};

	return run(by_id_attempt, &w);
}

enum dao_status dao_users_list(
    const struct paging *p, dao_row_fn each, void *ctx)
{
	struct query q = {.filter = USER_ID};

	return run_query(&q, p, each, ctx);
}

enum dao_status dao_users_search(enum user_column column, const char *value,
    size_t len, const struct paging *p, dao_row_fn each, void *ctx)
{
	struct query q = {.filter = column};

	if (!is_text_column(column) || like_pattern(value, len, &q) != 0) {
		log_error(
		    "invalid search: column %d, %zu bytes", (int)column, len);
		return DAO_ERROR;
	}
	trigram_pick(value, len, &q);
	return run_query(&q, p, each, ctx);
}

enum dao_status dao_users_on_day(enum user_column column, int year, int month,
    int day, const struct paging *p, dao_row_fn each, void *ctx)
{
	struct query q = {.filter = column};

	if (!is_date_column(column) ||
	    day_range(year, month, day, q.day) != 0) {
		log_error("invalid day search: column %d, %d-%d-%d",
		    (int)column, year, month, day);
		return DAO_ERROR;
	}
	return run_query(&q, p, each, ctx);
}

enum dao_status dao_user_add(const struct user_fields *f, struct user *out)
{
	const unsigned all = ((1u << USER_TEXT_COUNT) - 1) << USER_TEXT_FIRST;
	struct row_op w = {.fields = f, .out = out};

	if ((f->present & all) != all) {
		log_error("add without every field");
		return DAO_ERROR;
	}
	return run(add_attempt, &w);
}

enum dao_status dao_user_update(
    long id, const struct user_fields *f, struct user *out)
{
	struct row_op w = {.id = id, .fields = f, .out = out};

	return run(update_attempt, &w);
}

enum dao_status dao_user_delete(long id)
{
	struct row_op w = {.id = id};

	return run(delete_attempt, &w);
}
