/* The change feed's DAO (sql/05_changes.sql, README "Change feed"): the
 * sequencer that numbers committed changes, the page read, the head,
 * retention, the housekeeping that keeps the side tables bounded, and the
 * upkeep of the trigram index, which follows the numbered changes. */
#include "dao_internal.h"

#include <stdio.h>

#include <mysqld_error.h>

/* DAO_SEQUENCE_BATCH (dao_internal.h) bounds one sequencer transaction, so
 * a page read after a burst of writes stays short; housekeeping runs up
 * to HOUSEKEEPING_BATCHES of them. */
#define SEQUENCE_BATCH DAO_SEQUENCE_BATCH
#define HOUSEKEEPING_BATCHES 40
/* Changes whose users one trigram index step takes in at most (up to 61
 * index rows each on the bench's users, about 2 us a row), and how long
 * one housekeeping may index: the upkeep costs what the writes' trigrams
 * cost, about 0.1 ms an add, so it must keep up with the writes. */
#define TRIGRAM_INDEX_BATCH 256
#define TRIGRAM_BUDGET_SECONDS 0.25
/* Changes one retention step deletes at most: short row locks. */
#define PURGE_BATCH 1000
/* Expired Idempotency-Keys one housekeeping deletes at most. */
#define IDEM_PURGE_BATCH 500
/* How long one housekeeping may go on, once every
 * DAO_HOUSEKEEPING_SECONDS (dao.h): a request that comes meanwhile waits
 * for it. Four workers keep up with over 10,000 writes a second so. */
#define HOUSEKEEPING_BUDGET_SECONDS 0.05

/* When this worker may next do housekeeping, and since when a write or a
 * feed read wants it (monotonic seconds): per-worker state of the
 * connection's kind, set only here. */
static double next_housekeeping;
static int housekeeping_wanted;
static double housekeeping_wanted_at;

/* One sequencer transaction: what it did, and whether it also purges. */
struct sequencer {
	long retention_days; /* 0: no purge */
	long numbered;       /* changes given a seq */
	long purged;         /* changes deleted by retention */
	struct dao_feed_head head;
};

/*
 * Executes st with param bound and reads at most max rows of cols integer
 * columns into out (row-major); *rows is how many. NULL reads as 0.
 */
static enum dao_status fetch_longs(MYSQL_STMT *st, MYSQL_BIND *param, int cols,
    long long *out, long max, long *rows, struct dao_failure *f)
{
	MYSQL_BIND bind[2];
	my_bool is_null[2];
	long long v[2];
	enum dao_status s = DAO_OK;
	int c, rc;

	*rows = 0;
	memset(bind, 0, sizeof(bind));
	for (c = 0; c < cols; c++) {
		dao_bind_long(&bind[c], &v[c]);
		bind[c].is_null = &is_null[c];
	}
	if ((param != NULL && mysql_stmt_bind_param(st, param) != 0) ||
	    mysql_stmt_bind_result(st, bind) != 0)
		return dao_stmt_failed(st, "bind", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "execute", f);
	while ((rc = mysql_stmt_fetch(st)) != MYSQL_NO_DATA) {
		if (rc != 0) {
			s = dao_stmt_failed(st, "fetch", f);
			break;
		}
		for (c = 0; c < cols && *rows < max; c++)
			out[*rows * cols + c] = is_null[c] ? 0 : v[c];
		if (*rows < max)
			(*rows)++;
	}
	mysql_stmt_free_result(st);
	return s;
}

/* Runs the prepared statement which with n (1 or 2) integer parameters. */
static enum dao_status run_longs(enum dao_stmt which, long long *v, int n,
    struct dao_failure *f)
{
	MYSQL_BIND param[2];
	MYSQL_STMT *st;
	enum dao_status s;
	int i;

	if ((s = dao_prepare(which, &st, f)) != DAO_OK)
		return s;
	for (i = 0; i < n && i < 2; i++)
		dao_bind_long(&param[i], &v[i]);
	if (mysql_stmt_bind_param(st, param) != 0)
		return dao_stmt_failed(st, "bind", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, dao_sql_name(which), f);
	return DAO_OK;
}

static enum dao_status run_two(enum dao_stmt which, long long a, long long b,
    struct dao_failure *f)
{
	long long v[2] = { a, b };

	return run_longs(which, v, 2, f);
}

/* The head, locked (lock 1) or as committed (lock 0). */
static enum dao_status read_head(int lock, struct dao_feed_head *head,
    struct dao_failure *f)
{
	long long v[2];
	enum dao_status s;
	MYSQL_STMT *st;
	long rows;

	s = dao_prepare(lock ? DAO_STMT_CHANGES_LOCK : DAO_STMT_CHANGES_HEAD,
	    &st, f);
	if (s != DAO_OK ||
	    (s = fetch_longs(st, NULL, 2, v, 1, &rows, f)) != DAO_OK)
		return s;
	if (rows != 1) {
		dao_log(LOG_LEVEL_ERROR, f->op,
		    "user_changes_head has no row: load sql/05_changes.sql");
		return DAO_ERROR;
	}
	head->seq = (long)v[0];
	head->purged = (long)v[1];
	return DAO_OK;
}

/*
 * Deletes the oldest changes older than retention, at most PURGE_BATCH,
 * always a prefix of the feed (so head->purged says what is gone): up to
 * the first one retention keeps.
 */
static enum dao_status purge_steps(struct sequencer *q, struct dao_failure *f)
{
	long long from = q->head.purged, to, days = q->retention_days, kept;
	long long mark;
	MYSQL_BIND param[3];
	enum dao_status s;
	MYSQL_STMT *st;
	long rows;

	to =
	    q->head.seq < from + PURGE_BATCH ? q->head.seq : from + PURGE_BATCH;
	/* Never a change the trigram index has not taken in yet: a search
	 * finds its user through it until then. */
	if ((s = dao_prepare(DAO_STMT_TRIGRAM_MARK, &st, f)) != DAO_OK ||
	    (s = fetch_longs(st, NULL, 1, &mark, 1, &rows, f)) != DAO_OK)
		return s;
	if (rows == 1 && mark < to)
		to = mark;
	if (to <= from)
		return DAO_OK;
	if ((s = dao_prepare(DAO_STMT_CHANGES_KEPT, &st, f)) != DAO_OK)
		return s;
	dao_bind_long(&param[0], &from);
	dao_bind_long(&param[1], &to);
	dao_bind_long(&param[2], &days);
	if ((s = fetch_longs(st, param, 1, &kept, 1, &rows, f)) != DAO_OK)
		return s;
	if (rows == 1)
		to = kept - 1;
	if (to <= from)
		return DAO_OK;
	if ((s = run_two(DAO_STMT_CHANGES_PURGE, from, to, f)) != DAO_OK)
		return s;
	q->purged = (long)(to - from);
	q->head.purged = (long)to;
	return DAO_OK;
}

/* Gives ids[0 .. rows) (ascending) the seqs after the head, in one
 * statement: the id list is padded with the last id. */
static enum dao_status number(struct sequencer *q, long long *ids, long rows,
    struct dao_failure *f)
{
	MYSQL_BIND param[SEQUENCE_BATCH];
	long long head = q->head.seq;
	enum dao_status s;
	MYSQL_STMT *st;
	long i;

	if ((s = run_longs(DAO_STMT_CHANGES_BASE, &head, 1, f)) != DAO_OK ||
	    (s = dao_prepare(DAO_STMT_CHANGES_NUMBER, &st, f)) != DAO_OK)
		return s;
	for (i = 0; i < SEQUENCE_BATCH; i++)
		dao_bind_long(&param[i], &ids[i < rows ? i : rows - 1]);
	if (mysql_stmt_bind_param(st, param) != 0)
		return dao_stmt_failed(st, "bind", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "changes number", f);
	if (mysql_stmt_affected_rows(st) != (my_ulonglong)rows) {
		dao_log(LOG_LEVEL_ERROR, f->op, "numbered %llu changes of %ld",
		    (unsigned long long)mysql_stmt_affected_rows(st), rows);
		return DAO_ERROR;
	}
	q->head.seq += rows;
	return DAO_OK;
}

/*
 * In one transaction under the head's lock: the committed changes without
 * a seq, oldest first (SKIP LOCKED passes over the rows of transactions
 * still open: they are numbered by a later run, after everything numbered
 * now), get the next seqs; then retention, when asked.
 */
static enum dao_status sequence_steps(struct sequencer *q,
    struct dao_failure *f)
{
	long long ids[SEQUENCE_BATCH], limit = SEQUENCE_BATCH;
	MYSQL_BIND param;
	enum dao_status s;
	MYSQL_STMT *st;
	long rows;

	if ((s = read_head(1, &q->head, f)) != DAO_OK ||
	    (s = dao_prepare(DAO_STMT_CHANGES_PENDING, &st, f)) != DAO_OK)
		return s;
	dao_bind_long(&param, &limit);
	if ((s = fetch_longs(st, &param, 1, ids, SEQUENCE_BATCH, &rows, f)) !=
	    DAO_OK)
		return s;
	f->write_sent = 1;
	if (rows > 0 && (s = number(q, ids, rows, f)) != DAO_OK)
		return s;
	q->numbered = rows;
	if (q->retention_days > 0 && (s = purge_steps(q, f)) != DAO_OK)
		return s;
	if (rows == 0 && q->retention_days == 0)
		return DAO_OK;
	return run_two(DAO_STMT_CHANGES_SET_HEAD, q->head.seq, q->head.purged,
	    f);
}

/* One sequencer transaction, READ COMMITTED: no gap locks, so writers'
 * inserts into user_changes never wait for it. */
static enum dao_status sequence(struct sequencer *q, struct dao_failure *f)
{
	enum dao_status s;

	q->numbered = q->purged = 0;
	if ((s = dao_query(dao_sql_read_committed, "isolation", f)) != DAO_OK ||
	    (s = dao_begin(f)) != DAO_OK)
		return s;
	return dao_end_transaction(sequence_steps(q, f), f);
}

/*
 * One transaction of the indexes' upkeep (sql/07_search_trigrams.sql,
 * sql/08_user_days.sql): under the mark's lock, or not at all while
 * another worker holds it, the users of the numbered changes after the
 * mark (TRIGRAM_INDEX_BATCH at most) get their trigrams and their days'
 * id bounds, and the mark moves past them. *indexed is how many changes
 * it took in.
 */
static enum dao_status trigram_steps(long *indexed, struct dao_failure *f)
{
	struct dao_feed_head head;
	long long mark, to;
	enum dao_status s;
	MYSQL_STMT *st;
	long rows;

	*indexed = 0;
	if ((s = dao_prepare(DAO_STMT_TRIGRAM_LOCK, &st, f)) != DAO_OK ||
	    (s = fetch_longs(st, NULL, 1, &mark, 1, &rows, f)) != DAO_OK ||
	    rows == 0 || (s = read_head(0, &head, f)) != DAO_OK)
		return s;
	to = head.seq < mark + TRIGRAM_INDEX_BATCH ? head.seq
	                                           : mark + TRIGRAM_INDEX_BATCH;
	if (to <= mark)
		return DAO_OK;
	f->write_sent = 1;
	if ((s = run_two(DAO_STMT_TRIGRAM_INDEX, mark, to, f)) != DAO_OK ||
	    (s = run_two(DAO_STMT_DAYS_INDEX, mark, to, f)) != DAO_OK ||
	    (s = run_longs(DAO_STMT_TRIGRAM_SET_MARK, &to, 1, f)) != DAO_OK)
		return s;
	*indexed = (long)(to - mark);
	return DAO_OK;
}

/* READ COMMITTED, as the sequencer: the users are read as committed,
 * without locks that would hold up their writers. */
static enum dao_status trigram_index(long *indexed, struct dao_failure *f)
{
	enum dao_status s;

	if ((s = dao_query(dao_sql_read_committed, "isolation", f)) != DAO_OK ||
	    (s = dao_begin(f)) != DAO_OK)
		return s;
	return dao_end_transaction(trigram_steps(indexed, f), f);
}

/* A page: the request, and the row buffers. */
struct page {
	long long after, limit;
	dao_change_fn each;
	void *ctx;
	struct dao_feed_head *head;
	struct dao_row row;
	long long seq, op, user_id;
	MYSQL_TIME at;
	MYSQL_BIND bind[USER_COLUMN_COUNT + 4];
};

static void page_bind(struct page *p)
{
	MYSQL_BIND *b = &p->bind[USER_COLUMN_COUNT];

	dao_row_bind(&p->row);
	/* The user's columns, without the version: the feed shows no ETag. */
	memcpy(p->bind, p->row.bind, USER_COLUMN_COUNT * sizeof(p->bind[0]));
	dao_bind_long(&b[0], &p->seq);
	dao_bind_long(&b[1], &p->op);
	dao_bind_long(&b[2], &p->user_id);
	dao_bind_date(&b[3], &p->at);
}

/* Hands the fetched change to the page's callback; -1 if unusable. */
static int page_emit(struct page *p, struct dao_failure *f)
{
	struct dao_change c;
	const MYSQL_TIME *t = &p->at;

	memset(&c, 0, sizeof(c));
	if (!p->row.is_null[USER_ID] && dao_row_finish(&p->row, 0) != 0)
		return -1;
	c.seq = (long)p->seq;
	c.op = (enum dao_change_op)p->op;
	c.id = (long)p->user_id;
	c.user = p->row.is_null[USER_ID] ? NULL : &p->row.user;
	snprintf(c.at, sizeof(c.at), "%04u-%02u-%02u %02u:%02u:%02u",
	    t->year % 10000, t->month % 100, t->day % 100, t->hour % 100,
	    t->minute % 100, t->second % 100);
	f->rows_out = 1;
	p->each(&c, p->ctx);
	return 0;
}

static enum dao_status page_read(struct page *p, struct dao_failure *f)
{
	MYSQL_BIND param[2];
	enum dao_status s = DAO_OK;
	MYSQL_STMT *st;
	int rc;

	if ((s = dao_prepare(DAO_STMT_CHANGES_PAGE, &st, f)) != DAO_OK)
		return s;
	dao_bind_long(&param[0], &p->after);
	dao_bind_long(&param[1], &p->limit);
	page_bind(p);
	if (mysql_stmt_bind_param(st, param) != 0 ||
	    mysql_stmt_bind_result(st, p->bind) != 0)
		return dao_stmt_failed(st, "bind", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "execute", f);
	while ((rc = mysql_stmt_fetch(st)) != MYSQL_NO_DATA) {
		if (rc == 1) {
			s = dao_stmt_failed(st, "fetch", f);
			break;
		}
		if (rc == MYSQL_DATA_TRUNCATED || page_emit(p, f) != 0) {
			dao_log(LOG_LEVEL_ERROR, f->op, "a change is unusable");
			s = DAO_ERROR;
			break;
		}
	}
	mysql_stmt_free_result(st);
	return s;
}

/* Whether a committed change has no seq yet (one plain read). */
static enum dao_status waiting(int *any, struct dao_failure *f)
{
	enum dao_status s;
	MYSQL_STMT *st;
	long long id;
	long rows;

	if ((s = dao_prepare(DAO_STMT_CHANGES_WAITING, &st, f)) != DAO_OK ||
	    (s = fetch_longs(st, NULL, 1, &id, 1, &rows, f)) != DAO_OK)
		return s;
	*any = rows > 0;
	return DAO_OK;
}

/* Sequence (when a change waits), then the page, then the head (see dao.h
 * for why that order). Readers that find nothing to number never take
 * the head's lock, so they do not queue behind each other. */
static enum dao_status page_attempt(void *arg, struct dao_failure *f)
{
	struct page *p = arg;
	struct sequencer q = { 0 };
	enum dao_status s;
	int any;

	if ((s = waiting(&any, f)) != DAO_OK ||
	    (any && (s = sequence(&q, f)) != DAO_OK))
		return s;
	if (p->limit > 0 && (s = page_read(p, f)) != DAO_OK)
		return s;
	return read_head(0, p->head, f);
}

enum dao_status dao_changes_page(long after, long limit, dao_change_fn each,
    void *ctx, struct dao_feed_head *head)
{
	struct page p;

	memset(&p, 0, sizeof(p));
	p.after = after;
	p.limit = limit;
	p.each = each;
	p.ctx = ctx;
	p.head = head;
	return dao_run("changes", page_attempt, &p);
}

static enum dao_status head_attempt(void *arg, struct dao_failure *f)
{
	return read_head(0, arg, f);
}

enum dao_status dao_changes_head(struct dao_feed_head *head)
{
	return dao_run("changes head", head_attempt, head);
}

/* Sequences up to HOUSEKEEPING_BATCHES batches, retention with each;
 * *behind: the budget ran out first. */
static enum dao_status sequence_batches(struct sequencer *q, int *behind,
    struct dao_failure *f)
{
	double until = dao_seconds_now() + HOUSEKEEPING_BUDGET_SECONDS;
	int i;

	*behind = 1;
	for (i = 0; i < HOUSEKEEPING_BATCHES && dao_seconds_now() < until;
	     i++) {
		enum dao_status s = sequence(q, f);

		if (s != DAO_OK)
			return s;
		/* Both keep up with any write rate the server takes. */
		if (q->numbered < SEQUENCE_BATCH && q->purged < PURGE_BATCH) {
			*behind = 0;
			break;
		}
	}
	return DAO_OK;
}

/* Indexes the numbered changes in TRIGRAM_INDEX_BATCH steps, for up to
 * TRIGRAM_BUDGET_SECONDS; *behind: the budget ran out first. */
static enum dao_status trigram_batches(int *behind, struct dao_failure *f)
{
	double until = dao_seconds_now() + TRIGRAM_BUDGET_SECONDS;

	*behind = 1;
	while (dao_seconds_now() < until) {
		long indexed;
		enum dao_status s = trigram_index(&indexed, f);

		/* users locked by a client (sql_trigram_index's one-second
		 * wait): the changes wait, searches read them meanwhile, and
		 * the next housekeeping tries again; no retry now. */
		if (s == DAO_UNAVAILABLE && f->code == ER_LOCK_WAIT_TIMEOUT) {
			f->code = 0;
			*behind = 0;
			return DAO_OK;
		}
		if (s != DAO_OK)
			return s;
		if (indexed < TRIGRAM_INDEX_BATCH) {
			*behind = 0;
			break;
		}
	}
	return DAO_OK;
}

/* A housekeeping that ran out of budget asks for the next one, so a
 * burst is worked off even if no write comes after it. One that failed
 * does not: the database is in trouble, and the next write asks anyway
 * (each attempt can hold the worker for a whole read timeout). */
static enum dao_status housekeeping_attempt(void *arg, struct dao_failure *f)
{
	struct sequencer q = { .retention_days = *(const long *)arg };
	int behind = 0, index_behind = 0;
	enum dao_status s;

	if ((s = sequence_batches(&q, &behind, f)) == DAO_OK)
		s = trigram_batches(&index_behind, f);
	if (s == DAO_OK && (behind || index_behind))
		dao_housekeeping_want();
	return s;
}

static enum dao_status idem_purge_attempt(void *arg, struct dao_failure *f)
{
	long long limit = IDEM_PURGE_BATCH;
	MYSQL_BIND param;
	enum dao_status s;
	MYSQL_STMT *st;

	(void)arg;
	if ((s = dao_query(dao_sql_read_committed, "isolation", f)) != DAO_OK ||
	    (s = dao_begin(f)) != DAO_OK ||
	    (s = dao_prepare(DAO_STMT_IDEM_PURGE, &st, f)) != DAO_OK)
		return dao_end_transaction(s, f);
	dao_bind_long(&param, &limit);
	if (mysql_stmt_bind_param(st, &param) != 0)
		s = dao_stmt_failed(st, "bind", f);
	else if (mysql_stmt_execute(st) != 0)
		s = dao_stmt_failed(st, "purge", f);
	return dao_end_transaction(s, f);
}

enum dao_status dao_idem_purge(void)
{
	return dao_run("idempotency purge", idem_purge_attempt, NULL);
}

void dao_housekeeping(long retention_days)
{
	double now = dao_seconds_now();

	if (!housekeeping_wanted || now < next_housekeeping)
		return;
	next_housekeeping = now + DAO_HOUSEKEEPING_SECONDS;
	housekeeping_wanted = 0;
	if (dao_run("housekeeping", housekeeping_attempt, &retention_days) ==
	    DAO_OK)
		dao_idem_purge();
}

void dao_housekeeping_want(void)
{
	if (housekeeping_wanted)
		return;
	housekeeping_wanted = 1;
	housekeeping_wanted_at = dao_seconds_now();
}

int dao_housekeeping_due(double *in)
{
	double due = next_housekeeping > housekeeping_wanted_at
	    ? next_housekeeping
	    : housekeeping_wanted_at;

	if (!housekeeping_wanted)
		return 0;
	*in = due - dao_seconds_now();
	return 1;
}
