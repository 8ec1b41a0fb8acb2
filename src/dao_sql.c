/* Every SQL text the DAO sends, in one place: the fixed statements as
 * constants, the list statements built from constants and column names
 * only (never from client input). t/unit/dao_sql.golden holds the final
 * text of each; t/unit/test_dao_sql.c says how to regenerate it. */
#include "dao_internal.h"

#include <stdarg.h>
#include <stdio.h>

/*
 * Every column of struct user, in enum user_column order: rows are bound
 * by position (dao_read.c), and the unit test checks this list against
 * user_column_name.
 */
#define USER_COLUMNS \
	"u.id, u.nickname, u.first_name, u.last_name, u.email, " \
	"u.identification_type, u.identification_number, u.country_id, " \
	"u.creation_date, u.update_date"

/*
 * Every session starts from the same state, whatever the server defaults:
 * dates are read and written in UTC, text compares by the table's
 * collation, and a value that does not fit is refused rather than cut.
 * MYSQL_INIT_COMMAND runs again on every new connection.
 */
#define SESSION_SETUP \
	"SET time_zone = '+00:00', collation_connection = " \
	"'utf8mb4_unicode_ci', " \
	"sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'"
const char dao_sql_session_setup[] = SESSION_SETUP;
const char dao_sql_session_setup_galera[] =
    SESSION_SETUP ", wsrep_sync_wait = 1";

/* The binlog's position, not gtid_current_pos: on a primary they agree,
 * and the binlog's is what its replicas receive. */
const char dao_sql_primary_position[] = "SELECT @@global.gtid_binlog_pos";

int dao_sql_replica_wait(const char *pos, unsigned int ms, char *buf,
    size_t size)
{
	int n;

	/* The position comes from the primary, never from a client; its
	 * characters are checked all the same, as it is quoted here. */
	if (pos[strspn(pos, "0123456789-,")] != '\0')
		return -1;
	n = snprintf(buf, size, "SELECT MASTER_GTID_WAIT('%s', %u.%03u)", pos,
	    ms / 1000, ms % 1000);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

const char dao_sql_begin[] = "START TRANSACTION";
/* The feed's housekeeping reads the latest rows and takes no gap locks,
 * so it never holds up a writer's insert (next transaction only). */
const char dao_sql_read_committed[] =
    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
/* A page and its exact count read the same rows: one snapshot, taken at
 * once rather than at the first read, and no locks. */
const char dao_sql_begin_snapshot[] =
    "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";

/* The one read of a single user, so the one with its version (the ETag's,
 * api-extensions.md section 4), after every column (struct dao_row). */
static const char sql_by_id[] =
    "SELECT " USER_COLUMNS ", u.version FROM users AS u WHERE u.id = ?";

static const char sql_insert[] =
    "INSERT INTO users (nickname, first_name, last_name, email, "
    "identification_type, identification_number, country_id, "
    "creation_date, update_date) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";

/*
 * Absent fields are bound as NULL and keep their value, so concurrent
 * updates of different fields never undo each other. GREATEST keeps the
 * CHECK (update_date >= creation_date) true even if the clock steps back.
 * Every update makes a new version, in the statement itself.
 */
#define SQL_UPDATE_SET \
	"UPDATE users SET " \
	"nickname = COALESCE(?, nickname), " \
	"first_name = COALESCE(?, first_name), " \
	"last_name = COALESCE(?, last_name), " \
	"email = COALESCE(?, email), " \
	"identification_type = COALESCE(?, identification_type), " \
	"identification_number = COALESCE(?, identification_number), " \
	"country_id = COALESCE(?, country_id), " \
	"version = version + 1, " \
	"update_date = GREATEST(UTC_TIMESTAMP(), creation_date) "

/*
 * If-Match (api-extensions.md section 4): the version check is the
 * write's own WHERE, so no other write can come between the two; a
 * concurrent one holding the row's lock makes this one wait, then see
 * the new version and match nothing. ETAG_VERSIONS_MAX placeholders, the
 * first version repeated into the spare ones (dao_write.c).
 */
#define SQL_IF_VERSION " AND version IN (?, ?, ?, ?)"

static const char sql_update[] = SQL_UPDATE_SET "WHERE id = ?";
static const char sql_update_if[] =
    SQL_UPDATE_SET "WHERE id = ?" SQL_IF_VERSION;

static const char sql_delete[] = "DELETE FROM users WHERE id = ?";
static const char sql_delete_if[] =
    "DELETE FROM users WHERE id = ?" SQL_IF_VERSION;

/* ---- the change feed (sql/05_changes.sql, dao_changes.c) ---- */

/* Every sequencer and purge serializes on this row. */
static const char sql_changes_lock[] =
    "SELECT seq, purged FROM user_changes_head WHERE one = 1 FOR UPDATE";
static const char sql_changes_head[] =
    "SELECT seq, purged FROM user_changes_head WHERE one = 1";
/* Whether a committed change waits for its seq: a plain read sees no row
 * of an open transaction, so a page read skips the sequencer (and its
 * lock) when there is none. */
static const char sql_changes_waiting[] =
    "SELECT id FROM user_changes WHERE seq = 0 LIMIT 1";
/* Committed rows without a seq, oldest first: a row of a transaction
 * still open is locked by it and skipped, never waited for. */
static const char sql_changes_pending[] =
    "SELECT id FROM user_changes WHERE seq = 0 ORDER BY id LIMIT ? "
    "FOR UPDATE SKIP LOCKED";
/* The changes' seqs: the next after the head, in id order, in one
 * statement per batch (dao_changes.c pads the list with its last id). */
static const char sql_changes_base[] = "SET @users_changes_seq = ?";
static const char sql_changes_set_head[] =
    "UPDATE user_changes_head SET seq = ?, purged = ? WHERE one = 1";
/* A page: the change and the user as it is now (NULLs once deleted). */
static const char sql_changes_page[] =
    "SELECT " USER_COLUMNS ", c.seq, c.op, c.user_id, c.at "
    "FROM user_changes AS c LEFT JOIN users AS u ON u.id = c.user_id "
    "WHERE c.seq > ? ORDER BY c.seq LIMIT ?";
/* The first seq of a purge window that retention keeps. */
static const char sql_changes_kept[] =
    "SELECT seq FROM user_changes WHERE seq > ? AND seq <= ? AND "
    "at >= UTC_TIMESTAMP() - INTERVAL ? DAY ORDER BY seq LIMIT 1";
static const char sql_changes_purge[] =
    "DELETE FROM user_changes WHERE seq > ? AND seq <= ?";

/* ---- the trigram index's upkeep (sql/07_search_trigrams.sql) ---- */

/* One indexer at a time; the others go on at once (it is caught up). */
static const char sql_trigram_lock[] =
    "SELECT seq FROM user_trigram_head WHERE one = 1 FOR UPDATE SKIP LOCKED";
static const char sql_trigram_mark[] =
    "SELECT seq FROM user_trigram_head WHERE one = 1";
/*
 * The trigrams of the users of the changes in a window of seqs, as they
 * are now (a user changed again since is in a later window too), of the
 * columns the changes wrote (user_changes.cols: an update of one column
 * reads and indexes that one only). k.seq is enum user_column, ELT's and
 * cols's order (sql/07's list); rows in key order. It is the one
 * housekeeping statement that reads users: while a client holds a lock
 * on that table (LOCK TABLES, DDL), it gives up after a second rather
 * than keep its worker from requests for a whole read timeout.
 */
static const char sql_trigram_index[] =
    "SET STATEMENT lock_wait_timeout = 1 FOR "
    "INSERT IGNORE INTO user_trigram_blocks (col, tri, blk) "
    "SELECT v.col, SUBSTRING(v.val, s.seq, 3), v.id DIV 64 "
    "FROM (SELECT u.id, k.seq AS col, ELT(k.seq, u.nickname, u.first_name, "
    "u.last_name, u.email, u.identification_type, "
    "u.identification_number, u.country_id) AS val "
    "FROM (SELECT user_id, BIT_OR(cols) AS cols FROM user_changes "
    "WHERE seq > ? AND seq <= ? GROUP BY user_id) AS c "
    "JOIN users AS u ON u.id = c.user_id "
    "JOIN seq_1_to_7 AS k ON c.cols & 1 << (k.seq - 1)) AS v "
    "JOIN seq_1_to_98 AS s ON s.seq <= CHAR_LENGTH(v.val) - 2 "
    "ORDER BY 1, 2, 3";
/* The id bounds of the days of the same window's users, as they are now
 * (sql/08_user_days.sql): only ever widened. Same one-second wait. */
static const char sql_days_index[] =
    "SET STATEMENT lock_wait_timeout = 1 FOR "
    "INSERT INTO user_days (day, min_id, max_id) "
    "SELECT DATE(u.creation_date), MIN(u.id), MAX(u.id) "
    "FROM (SELECT DISTINCT user_id FROM user_changes "
    "WHERE seq > ? AND seq <= ?) AS c JOIN users AS u ON u.id = c.user_id "
    "GROUP BY 1 ORDER BY 1 "
    "ON DUPLICATE KEY UPDATE min_id = LEAST(user_days.min_id, "
    "VALUES(min_id)), max_id = GREATEST(user_days.max_id, VALUES(max_id))";
static const char sql_trigram_set_mark[] =
    "UPDATE user_trigram_head SET seq = ? WHERE one = 1";

/* ---- Idempotency-Key (api-extensions.md section 5) ---- */

/* The claim: a second request with the key waits here for the first. */
static const char sql_idem_claim[] =
    "INSERT INTO user_idempotency (key_hash, body_hash, user_id, answer, "
    "created) VALUES (?, ?, 0, '', UTC_TIMESTAMP())";
static const char sql_idem_save[] =
    "UPDATE user_idempotency SET user_id = ?, answer = ? WHERE key_hash = ?";
/* The committed claim, read with a lock (the latest version, not a
 * snapshot); the last column says whether it is within 24 hours. */
static const char sql_idem_read[] =
    "SELECT body_hash, user_id, answer, "
    "created >= UTC_TIMESTAMP() - INTERVAL 1 DAY "
    "FROM user_idempotency WHERE key_hash = ? LOCK IN SHARE MODE";
static const char sql_idem_expire[] =
    "DELETE FROM user_idempotency WHERE key_hash = ? AND "
    "created < UTC_TIMESTAMP() - INTERVAL 1 DAY";
static const char sql_idem_purge[] =
    "DELETE FROM user_idempotency WHERE "
    "created < UTC_TIMESTAMP() - INTERVAL 1 DAY ORDER BY created LIMIT ?";

static int sql_probe(char *buf, size_t size);
static int sql_changes_number(char *buf, size_t size);

/* The statements of one text each: a constant, or a function writing it. */
static const struct {
	const char *name;
	const char *text;
	int (*render)(char *buf, size_t size);
} statements[DAO_STMT_COUNT] = {
	[DAO_STMT_BY_ID] = { "by-id", sql_by_id, NULL },
	[DAO_STMT_INSERT] = { "insert", sql_insert, NULL },
	[DAO_STMT_UPDATE] = { "update", sql_update, NULL },
	[DAO_STMT_DELETE] = { "delete", sql_delete, NULL },
	[DAO_STMT_UPDATE_IF] = { "update-if-match", sql_update_if, NULL },
	[DAO_STMT_DELETE_IF] = { "delete-if-match", sql_delete_if, NULL },
	[DAO_STMT_PROBE] = { "probe", NULL, sql_probe },
	[DAO_STMT_CHANGES_LOCK] = { "changes-lock", sql_changes_lock, NULL },
	[DAO_STMT_CHANGES_HEAD] = { "changes-head", sql_changes_head, NULL },
	[DAO_STMT_CHANGES_WAITING] = { "changes-waiting", sql_changes_waiting,
	    NULL },
	[DAO_STMT_CHANGES_PENDING] = { "changes-pending", sql_changes_pending,
	    NULL },
	[DAO_STMT_CHANGES_BASE] = { "changes-base", sql_changes_base, NULL },
	[DAO_STMT_CHANGES_NUMBER] = { "changes-number", NULL,
	    sql_changes_number },
	[DAO_STMT_CHANGES_SET_HEAD] = { "changes-set-head",
	    sql_changes_set_head, NULL },
	[DAO_STMT_CHANGES_PAGE] = { "changes-page", sql_changes_page, NULL },
	[DAO_STMT_CHANGES_KEPT] = { "changes-kept", sql_changes_kept, NULL },
	[DAO_STMT_CHANGES_PURGE] = { "changes-purge", sql_changes_purge, NULL },
	[DAO_STMT_TRIGRAM_LOCK] = { "trigram-lock", sql_trigram_lock, NULL },
	[DAO_STMT_TRIGRAM_MARK] = { "trigram-mark", sql_trigram_mark, NULL },
	[DAO_STMT_TRIGRAM_INDEX] = { "trigram-index", sql_trigram_index, NULL },
	[DAO_STMT_TRIGRAM_SET_MARK] = { "trigram-set-mark",
	    sql_trigram_set_mark, NULL },
	[DAO_STMT_DAYS_INDEX] = { "days-index", sql_days_index, NULL },
	[DAO_STMT_IDEM_CLAIM] = { "idem-claim", sql_idem_claim, NULL },
	[DAO_STMT_IDEM_SAVE] = { "idem-save", sql_idem_save, NULL },
	[DAO_STMT_IDEM_READ] = { "idem-read", sql_idem_read, NULL },
	[DAO_STMT_IDEM_EXPIRE] = { "idem-expire", sql_idem_expire, NULL },
	[DAO_STMT_IDEM_PURGE] = { "idem-purge", sql_idem_purge, NULL },
};

/* Appends to the statement text; -1 once it no longer fits. */
__attribute__((format(printf, 4, 5))) static int sql_add(char *buf, size_t size,
    size_t *len, const char *fmt, ...)
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

/* The changes whose users the trigram index may not hold yet: numbered
 * after its mark, or not numbered (sql/07_search_trigrams.sql). */
#define TRIGRAM_TAIL \
	"seq = 0 OR seq > (SELECT h.seq FROM user_trigram_head AS h " \
	"WHERE h.one = 1)"

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
		rc |= sql_add(buf, size, &len,
		    "(SELECT COUNT(*) FROM "
		    "(SELECT 1 FROM user_trigram_blocks WHERE col = ? AND "
		    "tri = ? LIMIT %d) AS p%d), ",
		    TRIGRAM_MAX_BLOCKS, i);
	/* The number of blocks there are, from the primary key's end, and
	 * the changes the index has yet to take in (up to the same cap). */
	return rc |
	    sql_add(buf, size, &len,
	        "(SELECT COALESCE(MAX(id), 0) DIV %d + 1 FROM users), "
	        "(SELECT COUNT(*) FROM (SELECT 1 FROM user_changes "
	        "WHERE " TRIGRAM_TAIL " LIMIT %d) AS tl)",
	        TRIGRAM_BLOCK, TRIGRAM_MAX_BLOCKS);
}

static int sql_changes_number(char *buf, size_t size)
{
	size_t len = 0;
	int rc, i;

	rc = sql_add(buf, size, &len,
	    "UPDATE user_changes SET seq = "
	    "(@users_changes_seq := @users_changes_seq + 1) WHERE id IN (");
	for (i = 0; i < DAO_SEQUENCE_BATCH; i++)
		rc |= sql_add(buf, size, &len, i == 0 ? "?" : ", ?");
	return rc | sql_add(buf, size, &len, ") ORDER BY id");
}

const char *dao_sql_name(enum dao_stmt s)
{
	return statements[s].name;
}

int dao_sql_render(enum dao_stmt s, char *buf, size_t size)
{
	size_t len = 0;

	if (statements[s].render != NULL)
		return statements[s].render(buf, size);
	return sql_add(buf, size, &len, "%s", statements[s].text);
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
 * keeps those holding the next two (t2, t3, which may repeat t1), adds
 * the blocks of the users whose changes the index has yet to take in, and
 * reads the users of each block: STRAIGHT_JOIN keeps that order, which the
 * optimizer cannot know is the cheap one.
 */
static int sql_from(char *buf, size_t size, size_t *len,
    enum user_column filter, enum dao_plan plan)
{
	int rc = 0, t;

	if (plan == DAO_PLAN_SCAN && user_is_date_column(filter))
		return sql_add(buf, size, len,
		    "SELECT " USER_COLUMNS
		    " FROM users AS u FORCE INDEX (users_%s_ix) WHERE 1",
		    user_column_name(filter));
	if (plan == DAO_PLAN_SCAN)
		return sql_add(buf, size, len,
		    "SELECT " USER_COLUMNS " FROM users AS u WHERE 1");
	rc |= sql_add(buf, size, len,
	    "SELECT STRAIGHT_JOIN " USER_COLUMNS
	    " FROM (SELECT t1.blk FROM user_trigram_blocks AS t1");
	for (t = 2; t <= TRIGRAM_JOINED; t++)
		rc |= sql_add(buf, size, len,
		    " JOIN user_trigram_blocks AS "
		    "t%d ON t%d.col = t1.col AND t%d.tri = ? AND "
		    "t%d.blk = t1.blk",
		    t, t, t, t);
	rc |= sql_add(buf, size, len,
	    " WHERE t1.col = %d AND t1.tri = ?"
	    " UNION SELECT user_id DIV %d FROM user_changes WHERE " TRIGRAM_TAIL
	    ") AS b",
	    (int)filter, TRIGRAM_BLOCK);
	return rc |
	    sql_add(buf, size, len,
	        " JOIN users AS u ON u.id BETWEEN "
	        "b.blk * %d AND b.blk * %d + %d WHERE 1",
	        TRIGRAM_BLOCK, TRIGRAM_BLOCK, TRIGRAM_BLOCK - 1);
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
	return sql_add(buf, size, len,
	    " AND (u.%s %s ? OR (u.%s = ? AND "
	    "u.id %s ?))",
	    name, cmp, name, cmp);
}

/* A page's end, the same for plain and filtered lists: the keyset
 * condition, the order (id breaks ties) and the limit. */
static int sql_page_tail(char *buf, size_t size, size_t *len,
    enum user_column order, int desc, int keyset)
{
	const char *dir = desc ? "DESC" : "ASC";
	int rc = 0;

	if (keyset)
		rc |= sql_keyset(buf, size, len, order, desc);
	if (order == USER_ID)
		rc |= sql_add(buf, size, len, " ORDER BY u.id %s", dir);
	else
		rc |= sql_add(buf, size, len, " ORDER BY u.%s %s, u.id %s",
		    user_column_name(order), dir, dir);
	return rc |
	    sql_add(buf, size, len, keyset ? " LIMIT ?" : " LIMIT ? OFFSET ?");
}

/*
 * The parameters, in this order (dao_read.c binds them so): the joined
 * trigrams t2, t3 then t1 (trigram plan), the LIKE pattern or the day's two
 * bounds (filter), the cursor's value twice (keyset, unless by id) and
 * its id (keyset), the limit, the offset (unless keyset). Ties are broken
 * by id in the same direction so pages never overlap.
 */
int dao_sql_select(const struct dao_select *k, char *buf, size_t size)
{
	const char *name = user_column_name(k->filter);
	size_t len = 0;
	int rc;

	rc = sql_from(buf, size, &len, k->filter, k->plan);
	if (user_is_text_column(k->filter))
		rc |= sql_add(buf, size, &len, " AND u.%s LIKE ? ESCAPE '!'",
		    name);
	else if (user_is_date_column(k->filter))
		rc |= sql_add(buf, size, &len, " AND u.%s >= ? AND u.%s < ?",
		    name, name);
	return rc |
	    sql_page_tail(buf, size, &len, k->order, k->desc, k->keyset);
}

/* ---- filtered statements (api-extensions.md section 1) ---- */

/*
 * The comparison of each operator, a constant: the column's name (from
 * user_column_name, a fixed table) goes in front, every value is a
 * placeholder. co, sw and ew are LIKE with a pattern dao_filter.c builds
 * with ! escaping %, _ and itself; a date's eq is its day's first and
 * last second; in gets its placeholders from sql_in.
 */
static const char *const filter_sql[FILTER_OP_COUNT] = {
	[FILTER_EQ] = " = ?",
	[FILTER_NE] = " <> ?",
	[FILTER_CO] = " LIKE ? ESCAPE '!'",
	[FILTER_SW] = " LIKE ? ESCAPE '!'",
	[FILTER_EW] = " LIKE ? ESCAPE '!'",
	[FILTER_IN] = " IN (",
	[FILTER_GT] = " > ?",
	[FILTER_GE] = " >= ?",
	[FILTER_LT] = " < ?",
	[FILTER_LE] = " <= ?",
};

static const int in_buckets[] = { 1, 2, 4, 8, 16, 32, FILTER_IN_MAX };

int dao_filter_bucket(int n)
{
	size_t i;

	for (i = 0; i < sizeof(in_buckets) / sizeof(in_buckets[0]); i++)
		if (n <= in_buckets[i])
			return in_buckets[i];
	return -1;
}

/* Whether the term's placeholders are a count the builder makes. */
static int term_known(enum user_column column, enum filter_op op, int values)
{
	if (column < USER_ID || column >= USER_COLUMN_COUNT ||
	    (unsigned)op >= FILTER_OP_COUNT)
		return 0;
	if (op == FILTER_IN)
		return dao_filter_bucket(values) == values;
	if (user_is_date_column(column) && op == FILTER_EQ)
		return values == 2;
	return values == 1;
}

static int sql_term(char *buf, size_t size, size_t *len,
    enum user_column column, enum filter_op op, int values)
{
	const char *name = user_column_name(column);
	int rc, i;

	if (user_is_date_column(column) && op == FILTER_EQ)
		return sql_add(buf, size, len, " AND u.%s BETWEEN ? AND ?",
		    name);
	rc = sql_add(buf, size, len, " AND u.%s%s", name, filter_sql[op]);
	if (op != FILTER_IN)
		return rc;
	for (i = 0; i < values; i++)
		rc |= sql_add(buf, size, len, i == 0 ? "?" : ", ?");
	return rc | sql_add(buf, size, len, ")");
}

/*
 * The composite indexes of sql/06_filter_indexes.sql, as (the column an
 * eq or in names, the column any comparison names); the two lists must
 * agree. The rule below never names them: on a database without one, its
 * shapes still answer, through a single-column range and a sort.
 */
static const struct {
	enum user_column lead;
	enum user_column range;
} composite_index[] = {
	{ USER_COUNTRY_ID, USER_CREATION_DATE },
};

/* Whether one composite index holds exactly the rows of some of k's
 * terms: an eq or in on its first column, a comparison on its second. */
static int composite_serves(const struct dao_filter_shape *k)
{
	size_t n = sizeof(composite_index) / sizeof(composite_index[0]), c;

	for (c = 0; c < n; c++) {
		int i, lead = 0, range = 0;

		for (i = 0; i < k->count; i++) {
			enum user_column col = k->term[i].column;
			enum filter_op op = k->term[i].op;

			lead |= col == composite_index[c].lead &&
			    (op == FILTER_EQ || op == FILTER_IN);
			range |= col == composite_index[c].range &&
			    (op == FILTER_EQ || op >= FILTER_GT);
		}
		if (lead && range)
			return 1;
	}
	return 0;
}

/* The first composite index whose lead column k has an eq term on. */
static int lead_eq(const struct dao_filter_shape *k, enum user_column *lead)
{
	size_t n = sizeof(composite_index) / sizeof(composite_index[0]), c;
	int i;

	for (c = 0; c < n; c++)
		for (i = 0; i < k->count; i++)
			if (k->term[i].column == composite_index[c].lead &&
			    k->term[i].op == FILTER_EQ) {
				*lead = composite_index[c].lead;
				return 1;
			}
	return 0;
}

int dao_sql_bounds_term(const struct dao_filter_shape *k, int i)
{
	enum filter_op op = k->term[i].op;

	return k->term[i].column == USER_CREATION_DATE &&
	    (op == FILTER_EQ || op >= FILTER_GT);
}

/*
 * The data's part of the rule (sql/08_user_days.sql): ids and creation
 * dates grow together, so the matches of a date range lie in one stretch
 * of ids, which user_days bounds. A page in id order with an eq on a
 * composite index's lead column and a creation_date range then walks
 * that column's own index (its entries end with the id, so in id order)
 * within the stretch: for 30 days of one country at 1,000,000 users, the
 * page's few entries instead of the sort of all 7,200 matches. The
 * bounds only say where no match can be, so the answer is exact whatever
 * the data. The price falls on data whose dates do not grow with the ids
 * (an import): its stretch can span most of the table, and the walk reads
 * the lead value's users in it until it has a page of matches.
 */
int dao_sql_boundable(const struct dao_filter_shape *k)
{
	enum user_column lead;
	int i;

	if (k->kind != DAO_FILTER_PAGE || k->order != USER_ID || k->keyset ||
	    !lead_eq(k, &lead))
		return 0;
	for (i = 0; i < k->count; i++)
		if (dao_sql_bounds_term(k, i))
			return 1;
	return 0;
}

/* The least and greatest id the days of k's creation_date terms can hold,
 * with those of the changes the upkeep has yet to take in (NULLs: none). */
static int sql_bounds(const struct dao_filter_shape *k, char *buf, size_t size)
{
	size_t len = 0;
	int rc, i;

	rc = sql_add(buf, size, &len,
	    "SELECT MIN(x.lo), MAX(x.hi) FROM (SELECT d.min_id AS lo, "
	    "d.max_id AS hi FROM user_days AS d WHERE 1");
	for (i = 0; i < k->count; i++) {
		if (!dao_sql_bounds_term(k, i))
			continue;
		if (k->term[i].op == FILTER_EQ)
			rc |= sql_add(buf, size, &len,
			    " AND d.day BETWEEN DATE(?) AND DATE(?)");
		else
			rc |= sql_add(buf, size, &len, " AND d.day %s DATE(?)",
			    k->term[i].op >= FILTER_LT ? "<=" : ">=");
	}
	return rc |
	    sql_add(buf, size, &len,
	        " UNION ALL SELECT MIN(user_id), MAX(user_id) FROM "
	        "user_changes WHERE " TRIGRAM_TAIL ") AS x");
}

/*
 * The planner's rule, from the shape alone (never from values): an
 * offset page in id order whose terms a composite index serves may not
 * walk an index for its order. Left to itself, the optimizer answers
 * ORDER BY u.id LIMIT n by walking the primary key (or an eq term's own
 * index, which is in id order too) and checking each row, betting that
 * matches are spread evenly; ids and creation dates grow together, so for
 * a range of dates in the middle that walk reads half the table before
 * the first match (500,000 rows, 90 ms at 1,000,000 users). Ignored for
 * the order only, those indexes still serve eq, in and id ranges, and
 * the optimizer chooses by its estimates of the terms' ranges: the
 * composite index's range and a sort of its matches (1.3 ms for 7,200),
 * or a rarer term's index. Cursor pages and the export's chunks keep the
 * walk: it goes on from the cursor, so all the pages together read the
 * table once, where the sort would read every match again on every page.
 */
static int sql_order_hint(char *buf, size_t size, size_t *len,
    const struct dao_filter_shape *k)
{
	enum user_column lead;
	int rc, i;

	if (k->bounded && lead_eq(k, &lead))
		return sql_add(buf, size, len, " FORCE INDEX (users_%s_ix)",
		    user_column_name(lead));
	if (k->kind != DAO_FILTER_PAGE || k->order != USER_ID || k->keyset ||
	    !composite_serves(k))
		return 0;
	rc = sql_add(buf, size, len, " IGNORE INDEX FOR ORDER BY (PRIMARY");
	for (i = 0; i < k->count; i++) {
		enum user_column col = k->term[i].column;

		/* The terms are sorted by column then operator: one name
		 * per column; an id's index is the primary key, a date's
		 * eq a range. */
		if (k->term[i].op != FILTER_EQ || col == USER_ID ||
		    user_is_date_column(col) ||
		    (i > 0 && k->term[i - 1].column == col &&
		        k->term[i - 1].op == FILTER_EQ))
			continue;
		rc |= sql_add(buf, size, len, ", users_%s_ix",
		    user_column_name(col));
	}
	return rc | sql_add(buf, size, len, ")");
}

/*
 * SELECT (the page, after the planner's rule), SELECT COUNT(*) or
 * EXPLAIN EXTENDED (its rows and filtered), then the terms in the shape's
 * order; or the bounds statement. The page's parameters come in this
 * order: each term's values, a bounded page's two id bounds, the
 * cursor's (value twice unless by id, then id), the limit, the offset
 * (unless keyset); a count's and an estimate's, the terms'; the bounds
 * statement's, those of the terms dao_sql_bounds_term names.
 */
int dao_sql_filtered(const struct dao_filter_shape *k, char *buf, size_t size)
{
	size_t len = 0;
	int rc, i;

	if (k->count < 0 || k->count > FILTER_MAX)
		return -1;
	for (i = 0; i < k->count; i++)
		if (!term_known(k->term[i].column, k->term[i].op,
		        k->term[i].values))
			return -1;
	if (k->kind == DAO_FILTER_BOUNDS)
		return sql_bounds(k, buf, size);
	if (k->kind == DAO_FILTER_COUNT)
		rc =
		    sql_add(buf, size, &len, "SELECT COUNT(*) FROM users AS u");
	else if (k->kind == DAO_FILTER_ESTIMATE)
		rc = sql_add(buf, size, &len,
		    "EXPLAIN EXTENDED SELECT u.id FROM users AS u");
	else
		rc = sql_add(buf, size, &len,
		    "SELECT " USER_COLUMNS " FROM users AS u");
	rc |= sql_order_hint(buf, size, &len, k);
	rc |= sql_add(buf, size, &len, " WHERE 1");
	for (i = 0; i < k->count; i++)
		rc |= sql_term(buf, size, &len, k->term[i].column,
		    k->term[i].op, k->term[i].values);
	if (k->kind != DAO_FILTER_PAGE)
		return rc;
	if (k->bounded)
		rc |= sql_add(buf, size, &len, " AND u.id BETWEEN ? AND ?");
	return rc |
	    sql_page_tail(buf, size, &len, k->order, k->desc, k->keyset);
}
