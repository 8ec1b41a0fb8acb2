/* Private to the dao_*.c files: the statement texts (dao_sql.c), the
 * connection with its statement cache and retry loop (dao_conn.c), and
 * what the reads (dao_read.c) and the writes (dao_write.c) share. */
#ifndef USERS_DAO_INTERNAL_H
#define USERS_DAO_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include <mysql.h>

#include "dao.h"
#include "log.h"
#include "user.h"

/* A search value: 100 characters of at most 4 bytes each. */
#define DAO_LIKE_VALUE_MAX 400
/* Room for the longest statement text built here. */
#define DAO_SQL_MAX 4096

/*
 * The trigram index of sql/01_schema.sql (every text column since
 * sql/07_search_trigrams.sql): which blocks of TRIGRAM_BLOCK
 * ids hold each trigram of a column's values. A search counts the blocks
 * of up to TRIGRAM_PROBES of the value's trigrams (each count stopping at
 * TRIGRAM_MAX_BLOCKS) and, when the rarest is below that and in fewer
 * than 1 / TRIGRAM_SHARE of all blocks, runs the exact LIKE on the users of
 * the blocks holding its TRIGRAM_JOINED rarest trigrams only. A value more
 * common than that is found as fast by the ordered scan, which stops after
 * a page of matches.
 */
#define TRIGRAM_BLOCK 64
#define TRIGRAM_PROBES 6
#define TRIGRAM_JOINED 3
#define TRIGRAM_MAX_BLOCKS 256
#define TRIGRAM_SHARE 4
/* A trigram: three characters of at most 4 bytes. */
#define TRIGRAM_BYTES 12

/* Changes one sequencer transaction numbers at most (dao_changes.c), the
 * placeholders of its one numbering statement. */
#define DAO_SEQUENCE_BATCH 256

/* ---- dao_sql.c: every statement text ---- */

/* How a list statement finds its rows. */
enum dao_plan {
	DAO_PLAN_SCAN,    /* the users table, through its order's index */
	DAO_PLAN_TRIGRAM, /* the blocks of users the trigram index names */
	DAO_PLAN_COUNT
};

/* The statements of one text each; the list statements are dao_select. */
enum dao_stmt {
	DAO_STMT_BY_ID,
	DAO_STMT_INSERT,
	DAO_STMT_UPDATE,
	DAO_STMT_DELETE,
	DAO_STMT_UPDATE_IF, /* update, delete only at the If-Match versions */
	DAO_STMT_DELETE_IF,
	DAO_STMT_PROBE,            /* trigram block counts */
	DAO_STMT_CHANGES_LOCK,     /* the feed's head, locked */
	DAO_STMT_CHANGES_HEAD,     /* the feed's head */
	DAO_STMT_CHANGES_WAITING,  /* is any committed one without a seq? */
	DAO_STMT_CHANGES_PENDING,  /* committed changes without a seq */
	DAO_STMT_CHANGES_BASE,     /* the seq numbering starts after */
	DAO_STMT_CHANGES_NUMBER,   /* numbers a batch of changes */
	DAO_STMT_CHANGES_SET_HEAD, /* the new head and purged */
	DAO_STMT_CHANGES_PAGE,     /* a page of the feed */
	DAO_STMT_CHANGES_KEPT,     /* where retention starts keeping */
	DAO_STMT_CHANGES_PURGE,    /* deletes a window of old changes */
	DAO_STMT_TRIGRAM_LOCK,     /* the trigram index's mark, locked */
	DAO_STMT_TRIGRAM_MARK,     /* the mark */
	DAO_STMT_TRIGRAM_INDEX,    /* indexes a window of changes' users */
	DAO_STMT_TRIGRAM_SET_MARK, /* the new mark */
	DAO_STMT_DAYS_INDEX,       /* the same window's days' id bounds */
	DAO_STMT_IDEM_CLAIM,       /* an Idempotency-Key's row */
	DAO_STMT_IDEM_SAVE,        /* its answer */
	DAO_STMT_IDEM_READ,        /* a committed one */
	DAO_STMT_IDEM_EXPIRE,      /* one past 24 hours */
	DAO_STMT_IDEM_PURGE,       /* a batch past 24 hours */
	DAO_STMT_COUNT
};

/* One list statement. Filter USER_ID is the plain list, a text column a
 * LIKE search, a date column a day range; keyset 1 continues after a
 * cursor instead of skipping an offset. */
struct dao_select {
	enum user_column filter;
	enum user_column order;
	int desc;   /* 0 or 1 */
	int keyset; /* 0 or 1 */
	enum dao_plan plan;
};

/* What a filtered statement answers (dao_filter.c). */
enum dao_filter_kind {
	DAO_FILTER_PAGE,     /* the rows of a page */
	DAO_FILTER_COUNT,    /* SELECT COUNT(*) of the whole set */
	DAO_FILTER_ESTIMATE, /* EXPLAIN EXTENDED: rows x filtered */
	DAO_FILTER_BOUNDS    /* the id bounds of its creation_date range */
};

/*
 * The shape of a filtered statement: everything that changes its text and
 * nothing else (no value), so that one prepared statement serves every
 * request of that shape. values is the number of placeholders of a term:
 * 1, 2 for a date's eq, and for in the list's length rounded up to a
 * bucket (dao_filter_bucket). Zero-filled before use: compared with
 * memcmp.
 */
struct dao_filter_shape {
	enum dao_filter_kind kind;
	int count;
	struct {
		enum user_column column;
		enum filter_op op;
		int values;
	} term[FILTER_MAX];
	enum user_column order; /* DAO_FILTER_PAGE only, as dao_select's */
	int desc;
	int keyset;
	int bounded; /* a page within id bounds (dao_sql_boundable) */
};

/* Run by every new connection (MYSQL_INIT_COMMAND), the text that opens
 * a write's transaction, and the one that opens a read's snapshot. The
 * Galera setup adds wsrep_sync_wait = 1: a read first waits for the node
 * to apply what the cluster committed. */
extern const char dao_sql_session_setup[];
extern const char dao_sql_session_setup_galera[];
extern const char dao_sql_begin[];
extern const char dao_sql_begin_snapshot[];
/* Sets READ COMMITTED for the next transaction (the feed's housekeeping). */
extern const char dao_sql_read_committed[];
/* The primary's GTID position: what a replica must have applied before a
 * read sees every write acknowledged so far. */
extern const char dao_sql_primary_position[];

/* The statement's short name ("by-id"), as the golden file shows it. */
const char *dao_sql_name(enum dao_stmt s);
/* Writes the statement's text into buf; -1 if it does not fit size. */
int dao_sql_render(enum dao_stmt s, char *buf, size_t size);
/* Writes the list statement's text into buf; -1 if it does not fit. */
int dao_sql_select(const struct dao_select *k, char *buf, size_t size);

/* Writes the filtered statement's text into buf; -1 if it does not fit
 * or the shape is not one the builder knows. */
int dao_sql_filtered(const struct dao_filter_shape *k, char *buf, size_t size);
/* Whether a page of shape k may run within the id bounds of its
 * creation_date range (a DAO_FILTER_BOUNDS statement of the same terms
 * first, then the page with bounded set): sql/08_user_days.sql. */
int dao_sql_boundable(const struct dao_filter_shape *k);
/* Whether term i of shape k is one the bounds statement reads: its
 * values are bound to it, in order, and no other term's. */
int dao_sql_bounds_term(const struct dao_filter_shape *k, int i);
/* The number of placeholders an in list of n values is given: buckets of
 * 1, 2, 4, 8, 16, 32, 50, the last value repeated into the spare ones, so
 * that lists of any length share 7 shapes. */
int dao_filter_bucket(int n);

/* ---- dao_conn.c: the connection, failures, retries, the cache ---- */

/* Writes SELECT MASTER_GTID_WAIT(pos, ms / 1000) into buf; -1 if pos is
 * not a GTID position (digits, '-' and ',' only) or does not fit. */
int dao_sql_replica_wait(const char *pos, unsigned int ms, char *buf,
    size_t size);

/* ---- dao_conn.c: the connections, failures, retries, the cache ---- */

/* One database server and what this worker holds on it (dao_conn.c). */
struct dao_conn;

/* What a failed attempt saw: the retry loop decides from it. */
struct dao_failure {
	const char *op;    /* the operation, for the logs: "add" */
	unsigned int code; /* MariaDB error number; 0: not from the server */
	int broken;        /* the connection's state is unknown: drop it */
	int write_sent; /* a write went out: replaying could apply it twice */
	int rows_out;   /* rows reached the caller: replaying repeats them */
};

/* One try of an operation on an open connection. */
typedef enum dao_status (*dao_attempt_fn)(void *arg, struct dao_failure *f);

/* Logs "dao: OP: text" at level. */
void dao_log(enum log_level level, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs attempt on the server c, reconnecting and retrying when that is
 * safe (see dao_conn.c); op names the operation in the logs. The last
 * attempt's failure is left in *last. A server that could not be reached
 * rests (dao_resting) for [replicas] skip_seconds. */
enum dao_status dao_run_on(struct dao_conn *c, const char *op,
    dao_attempt_fn attempt, void *arg, struct dao_failure *last);

/* Server i: 0 is [database], 1..dao_server_count() - 1 the [replicas]
 * servers in their order. */
struct dao_conn *dao_server(size_t i);
size_t dao_server_count(void);
/* The [replicas] section (zeroed when the file has none). */
const struct config_replicas *dao_replicas(void);

/* Whether c failed within skip_seconds; dao_rest starts that, logging why. */
int dao_resting(const struct dao_conn *c);
void dao_rest(struct dao_conn *c, const char *op, const char *why);
/* The monotonic clock, in seconds. */
double dao_seconds_now(void);

/* The connection the running attempt uses (dao_run_on sets it). */
MYSQL *dao_mysql(void);

/* ---- dao_route.c: which server runs an operation ---- */

/* Seeds this worker's round robin (dao_init calls it). */
void dao_route_init(void);
/* Writes and transactions: on [database] (with galera, on the first node
 * that answers, [database] first). Never replayed once sent. */
enum dao_status dao_run(const char *op, dao_attempt_fn attempt, void *arg);
/* Reads: on a replica when there are any (waiting for the primary's
 * position with read_your_writes), else, or when none can, as dao_run. */
enum dao_status dao_run_read(const char *op, dao_attempt_fn attempt, void *arg);

/* Record and log the error of the connection, or of st, at step. */
enum dao_status dao_conn_failed(const char *step, struct dao_failure *f);
enum dao_status dao_stmt_failed(MYSQL_STMT *st, const char *step,
    struct dao_failure *f);

/* The statement, prepared on this connection when it is not yet. */
enum dao_status dao_prepare(enum dao_stmt s, MYSQL_STMT **out,
    struct dao_failure *f);
enum dao_status dao_prepare_select(const struct dao_select *k, MYSQL_STMT **out,
    struct dao_failure *f);

/* Prepares sql into *slot on this connection (dao_filter.c's cache). */
enum dao_status dao_prepare_text(const char *sql, MYSQL_STMT **slot,
    struct dao_failure *f);
/* Runs sql (no result set) on this connection; step names it in logs. */
enum dao_status dao_query(const char *sql, const char *step,
    struct dao_failure *f);

/* Whether this connection found no user_trigram_blocks table (an older
 * schema: searches scan); set again on every new connection. */
int dao_trigram_table_missing(void);
void dao_set_trigram_table_missing(void);

/* START TRANSACTION; then commit after DAO_OK, roll back after anything
 * else, returning s or the COMMIT's failure. */
enum dao_status dao_begin(struct dao_failure *f);
enum dao_status dao_end_transaction(enum dao_status s, struct dao_failure *f);

/* ---- dao_read.c: rows ---- */

/* The row with that id into *out, on the open connection. */
enum dao_status dao_read_by_id(long id, struct user *out,
    struct dao_failure *f);

/* A fetched row: the struct user and the buffers MariaDB writes into.
 * The one bind past the columns is the version, which only the by-id
 * statement selects (after every column): MariaDB reads as many binds as
 * the statement has result columns. */
struct dao_row {
	struct user user;
	long long id;
	long long version;
	MYSQL_TIME date[2];
	unsigned long length[USER_COLUMN_COUNT + 1];
	my_bool is_null[USER_COLUMN_COUNT + 1];
	MYSQL_BIND bind[USER_COLUMN_COUNT + 1];
};

/* Binds the row's buffers in the column order of every SELECT. */
void dao_row_bind(struct dao_row *r);
/* Completes r->user from the fetched buffers; -1 if a value is unusable
 * (a NULL among them, say). */
int dao_row_finish(struct dao_row *r, int has_version);
/* Executes st (parameters bound) and hands each row to each (when not
 * NULL); *count is the number of rows. */
enum dao_status dao_fetch_rows(MYSQL_STMT *st, struct dao_row *r,
    dao_row_fn each, void *ctx, long *count, struct dao_failure *f);
/* "YYYY-MM-DD HH:MM:SS" (already checked) as a DATETIME. */
void dao_parse_datetime(const char *s, MYSQL_TIME *t);

/* ---- dao_filter.c: filtered pages and counts, the shape cache ---- */

/* At most this many filtered statements stay prepared per worker (per
 * connection); the least recently used one is closed to make room. */
#define DAO_FILTER_CACHE 32

/* The page of p's rows matching fs (fs->count > 0), on the open
 * connection. */
enum dao_status dao_filter_page(const struct filter_set *fs,
    const struct paging *p, dao_row_fn each, void *ctx, struct dao_failure *f);
/* total->rows for fs (count 0: all rows), by total->kind. */
enum dao_status dao_filter_total(const struct filter_set *fs,
    struct dao_total *total, struct dao_failure *f);
/* Closes the cached statements prepared on conn: it is going. */
void dao_filter_cache_drop(const MYSQL *conn);

/* ---- parameter binding, shared by reads and writes ---- */

static inline void dao_bind_long(MYSQL_BIND *b, long long *value)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = value;
}

static inline void dao_bind_text(MYSQL_BIND *b, const char *text,
    unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)text;
	b->buffer_length = *len;
	b->length = len;
}

static inline void dao_bind_date(MYSQL_BIND *b, MYSQL_TIME *t)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

#endif
