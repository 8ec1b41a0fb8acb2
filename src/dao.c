/* Data access for the users table: one MariaDB connection per worker, its
 * prepared statements cached, reconnecting after the connection is lost. */
#include "dao.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "log.h"

/* Replays of a write transaction the server aborted for a deadlock or a
 * lock wait timeout, before giving up with DAO_UNAVAILABLE. */
#define DAO_TXN_RETRIES 3
/* A search value: 100 characters of at most 4 bytes each. */
#define DAO_LIKE_VALUE_MAX 400
/* Room for the longest statement text built here. */
#define DAO_SQL_MAX 512

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
	/*
	 * Row lists by [filter column][order column][descending]. Filter
	 * USER_ID is the plain list, a text column a LIKE search, a date
	 * column a day range.
	 */
	MYSQL_STMT *select[USER_COLUMN_COUNT][USER_COLUMN_COUNT][2];
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
	int f, o, d;

	close_stmt(&db.by_id);
	close_stmt(&db.insert);
	close_stmt(&db.update);
	close_stmt(&db.remove);
	for (f = 0; f < USER_COLUMN_COUNT; f++)
		for (o = 0; o < USER_COLUMN_COUNT; o++)
			for (d = 0; d < 2; d++)
				close_stmt(&db.select[f][o][d]);
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

/* "SELECT <every column, in enum order> FROM users". */
static int sql_select_head(char *buf, size_t size, size_t *len)
{
	int c, rc;

	rc = sql_add(buf, size, len, "SELECT ");
	for (c = 0; c < USER_COLUMN_COUNT; c++)
		rc |= sql_add(buf, size, len, "%s%s", c > 0 ? ", " : "",
		    user_column_name(c));
	return rc | sql_add(buf, size, len, " FROM users");
}

static int is_text_column(enum user_column c)
{
	return c >= USER_TEXT_FIRST && c <= USER_TEXT_LAST;
}

static int is_date_column(enum user_column c)
{
	return c == USER_CREATION_DATE || c == USER_UPDATE_DATE;
}

/*
 * The text of a list statement, from constants and column names only. Ties
 * are broken by id in the same direction so pages never overlap.
 */
static int sql_select(char *buf, size_t size, enum user_column filter,
    enum user_column order, int desc)
{
	const char *dir = desc ? "DESC" : "ASC";
	const char *name = user_column_name(filter);
	size_t len = 0;
	int rc;

	rc = sql_select_head(buf, size, &len);
	if (is_text_column(filter))
		rc |= sql_add(
		    buf, size, &len, " WHERE %s LIKE ? ESCAPE '!'", name);
	else if (is_date_column(filter))
		rc |= sql_add(
		    buf, size, &len, " WHERE %s >= ? AND %s < ?", name, name);
	if (order == USER_ID)
		rc |= sql_add(buf, size, &len, " ORDER BY id %s", dir);
	else
		rc |= sql_add(buf, size, &len, " ORDER BY %s %s, id %s",
		    user_column_name(order), dir, dir);
	return rc | sql_add(buf, size, &len, " LIMIT ? OFFSET ?");
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
	if ((sql_select_head(sql, sizeof(sql), &len) |
	        sql_add(sql, sizeof(sql), &len, " WHERE id = ?")) != 0) {
		log_error("statement text too long");
		return DAO_ERROR;
	}
	return prepare(&db.by_id, sql, f);
}

static enum dao_status prepare_select(enum user_column filter,
    const struct paging *p, MYSQL_STMT **out, struct failure *f)
{
	MYSQL_STMT **slot = &db.select[filter][p->order_by][p->descending];

	if (*slot == NULL) {
		char sql[DAO_SQL_MAX];
		enum dao_status s;

		if (sql_select(sql, sizeof(sql), filter, p->order_by,
		        p->descending) != 0) {
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
	long long limit, offset;
	dao_row_fn each;
	void *ctx;
};

static enum dao_status query_attempt(void *arg, struct failure *f)
{
	struct query *q = arg;
	MYSQL_BIND param[4];
	enum dao_status s;
	MYSQL_STMT *st;
	struct row r;
	long count;
	int n = 0;

	if ((s = prepare_select(q->filter, q->paging, &st, f)) != DAO_OK)
		return s;
	memset(param, 0, sizeof(param));
	if (is_text_column(q->filter)) {
		param[n].buffer_type = MYSQL_TYPE_STRING;
		param[n].buffer = q->pattern;
		param[n++].buffer_length = q->pattern_len;
	} else if (is_date_column(q->filter)) {
		for (; n < 2; n++) {
			param[n].buffer_type = MYSQL_TYPE_DATETIME;
			param[n].buffer = &q->day[n];
		}
	}
	bind_long(&param[n++], &q->limit);
	bind_long(&param[n], &q->offset);
	if (mysql_stmt_bind_param(st, param) != 0)
		return stmt_failed(st, "bind", f);
	return fetch_rows(st, &r, q->each, q->ctx, &count, f);
}

static int paging_valid(const struct paging *p)
{
	return p->order_by >= USER_ID && p->order_by < USER_COLUMN_COUNT &&
	       (p->descending == 0 || p->descending == 1) && p->limit >= 1 &&
	       p->page >= 0;
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
	q->each = each;
	q->ctx = ctx;
	return run(query_attempt, q);
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

static int days_in_month(int year, int month)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[month - 1] + (month == 2 && leap);
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
