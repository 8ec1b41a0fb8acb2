/* Which server runs an operation: writes on the primary (or on the first
 * Galera node that answers), reads spread over the replicas, each waiting
 * first for the primary's position when read-your-writes is on. With no
 * [replicas] server, everything runs on [database] as it always did. */
#include "dao_internal.h"

#include <stdio.h>
#include <unistd.h>

/* The longest GTID position kept: one GTID per replication domain. */
#define GTID_POS_MAX 512
/* How long reads go without the primary's position after it refused
 * quickly; one that took SLOW_FAILURE_SECONDS or more to fail (a frozen
 * server, a host gone) is not asked again for skip_seconds. */
#define POSITION_RETRY_SECONDS 1.0
#define SLOW_FAILURE_SECONDS 0.5

/* This worker's next replica (each worker starts at its own), and until
 * when its reads do not ask the primary for its position. */
static size_t round_robin;
static double position_unknown_until;

void dao_route_init(void)
{
	round_robin = (size_t)getpid();
}

/* The server a write goes to: [database]; with Galera the first node
 * that is not resting, [database] first. */
static size_t writer_index(size_t from)
{
	size_t i, n = dao_server_count();

	if (!dao_replicas()->galera)
		return 0;
	for (i = from; i < n; i++)
		if (!dao_resting(dao_server(i)))
			return i;
	return from < n ? from : 0;
}

/*
 * A write, or a ping, on the primary. With Galera, a node that cannot be
 * reached before the write was sent rests and the next node takes it: a
 * write that may have reached a node is never sent to another.
 */
enum dao_status dao_run(const char *op, dao_attempt_fn attempt, void *arg)
{
	size_t i = writer_index(0), n = dao_server_count();

	for (;;) {
		struct dao_failure f;
		enum dao_status s;

		s = dao_run_on(dao_server(i), op, attempt, arg, &f);
		if (s == DAO_OK && i == 0)
			position_unknown_until = 0; /* the primary is back */
		if (s != DAO_UNAVAILABLE || !dao_replicas()->galera ||
		    f.write_sent || i + 1 >= n)
			return s;
		dao_rest(dao_server(i), op, "not writable");
		i = writer_index(i + 1);
	}
}

/* The first column of the one row sql answers, into out. */
static enum dao_status query_value(const char *step, const char *sql, char *out,
    size_t size, struct dao_failure *f)
{
	MYSQL *m = dao_mysql();
	MYSQL_RES *res;
	MYSQL_ROW row;
	enum dao_status s = DAO_OK;

	if (mysql_real_query(m, sql, strlen(sql)) != 0)
		return dao_conn_failed(step, f);
	if ((res = mysql_store_result(m)) == NULL)
		return dao_conn_failed(step, f);
	row = mysql_fetch_row(res);
	if (row == NULL || row[0] == NULL) {
		dao_log(LOG_LEVEL_WARN, f->op, "%s: no value", step);
		s = DAO_ERROR;
	} else {
		snprintf(out, size, "%s", row[0]);
	}
	mysql_free_result(res);
	return s;
}

static enum dao_status position_attempt(void *arg, struct dao_failure *f)
{
	return query_value("GTID position", dao_sql_primary_position, arg,
	    GTID_POS_MAX, f);
}

/*
 * The primary's GTID position now, into pos: every write acknowledged
 * before this read began is in it. -1 when the primary cannot say (it is
 * down): the read then goes on without waiting, as stale as the
 * replication lag, rather than failing while the replicas can answer.
 * A primary that refused is asked again POSITION_RETRY_SECONDS later, so
 * reads wait again within a second of its return; one that let the read
 * wait is asked again only after skip_seconds, or after a write through
 * this worker found it back.
 */
static int primary_position(const char *op, char *pos)
{
	double started = dao_seconds_now(), took;
	struct dao_failure f;

	if (started < position_unknown_until)
		return -1;
	if (dao_run_on(dao_server(0), op, position_attempt, pos, &f) ==
	    DAO_OK) {
		position_unknown_until = 0;
		return 0;
	}
	took = dao_seconds_now() - started;
	position_unknown_until = started + took +
	    (took < SLOW_FAILURE_SECONDS ? POSITION_RETRY_SECONDS
	                                 : dao_replicas()->skip_seconds);
	dao_log(took < SLOW_FAILURE_SECONDS ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
	    op, "primary: no GTID position, reads do not wait for %.0f s",
	    position_unknown_until - started - took);
	return -1;
}

/* One read on a replica: wait up to wait_ms for pos (when not NULL), then
 * read. */
struct replica_read {
	const char *pos;
	unsigned int wait_ms;
	dao_attempt_fn attempt;
	void *arg;
	int lagging; /* the wait timed out */
};

/* Has the replica wait for r->pos: DAO_UNAVAILABLE when it timed out. */
static enum dao_status replica_wait(struct replica_read *r,
    struct dao_failure *f)
{
	char sql[GTID_POS_MAX + 64], done[16];
	enum dao_status s;

	if (dao_sql_replica_wait(r->pos, r->wait_ms, sql, sizeof(sql)) != 0) {
		dao_log(LOG_LEVEL_ERROR, f->op, "bad GTID position");
		return DAO_ERROR;
	}
	if ((s = query_value("MASTER_GTID_WAIT", sql, done, sizeof(done), f)) !=
	    DAO_OK)
		return s;
	/* 0: caught up; -1: timed out. */
	if (strcmp(done, "0") != 0) {
		r->lagging = 1;
		return DAO_UNAVAILABLE;
	}
	return DAO_OK;
}

static enum dao_status wait_then_read(void *arg, struct dao_failure *f)
{
	struct replica_read *r = arg;

	if (r->pos != NULL) {
		enum dao_status s = replica_wait(r, f);

		if (s != DAO_OK)
			return s;
	}
	return r->attempt(r->arg, f);
}

/*
 * The milliseconds left of a read's wait budget that began at started:
 * wait_timeout_ms bounds all of a read's waits together, so lagging
 * replicas never cost more than one timeout before the primary serves.
 */
static unsigned int wait_left_ms(double started)
{
	double left = dao_replicas()->wait_timeout_ms -
	    (dao_seconds_now() - started) * 1000.0;

	return left >= 1.0 ? (unsigned int)left : 0;
}

/*
 * A read: on the replicas in turn from this worker's next one, skipping
 * those that rest; one that fails, times out or lags rests and the read
 * goes on to the next, then to the primary, which also serves once the
 * wait budget is spent. A read that already handed rows to its caller is
 * not repeated.
 */
enum dao_status dao_run_read(const char *op, dao_attempt_fn attempt, void *arg)
{
	const struct config_replicas *rep = dao_replicas();
	size_t i, n = dao_server_count() - 1, start;
	char pos[GTID_POS_MAX];
	struct replica_read r = { NULL, 0, attempt, arg, 0 };
	double started = dao_seconds_now();

	if (n == 0)
		return dao_run(op, attempt, arg);
	if (rep->read_your_writes && !rep->galera &&
	    primary_position(op, pos) == 0)
		r.pos = pos;
	start = round_robin++;
	for (i = 0; i < n; i++) {
		struct dao_conn *c = dao_server(1 + (start + i) % n);
		struct dao_failure f;
		enum dao_status s;

		if (dao_resting(c))
			continue;
		if (r.pos != NULL && (r.wait_ms = wait_left_ms(started)) == 0)
			break;
		r.lagging = 0;
		s = dao_run_on(c, op, wait_then_read, &r, &f);
		if (s == DAO_OK || s == DAO_NOT_FOUND || f.rows_out)
			return s;
		dao_rest(c, op,
		    r.lagging ? "not caught up in wait_timeout_ms" : "failed");
	}
	return dao_run(op, attempt, arg);
}
