/* The DAO's reads: rows fetched into struct user, the row by id, and the
 * row lists (plain, substring search, day), which page by offset or by
 * keyset; searches of the columns with a trigram index read only the
 * blocks of users it points to when that is cheaper (the planner). */
#include "dao_internal.h"

#include <stdio.h>

#include <mysqld_error.h>

#include "calendar.h"

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
	/* The filters of the list, or the search as a filter, for counts. */
	const struct filter_set *filters;
	struct dao_total *total; /* NULL: nothing to count */
	dao_row_fn each;
	void *ctx;
};

void dao_row_bind(struct dao_row *r)
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
		} else if (user_is_text_column(c)) {
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
	dao_bind_long(&r->bind[USER_COLUMN_COUNT], &r->version);
	r->bind[USER_COLUMN_COUNT].length = &r->length[USER_COLUMN_COUNT];
	r->bind[USER_COLUMN_COUNT].is_null = &r->is_null[USER_COLUMN_COUNT];
}

static int format_date(const MYSQL_TIME *t, char *out)
{
	int n;

	n = snprintf(out, USER_DATE_LEN, "%04u-%02u-%02u %02u:%02u:%02u",
	    t->year, t->month, t->day, t->hour, t->minute, t->second);
	return n == USER_DATE_LEN - 1 ? 0 : -1;
}

int dao_row_finish(struct dao_row *r, int has_version)
{
	int c;

	r->user.version = 0;
	if (has_version) {
		if (r->is_null[USER_COLUMN_COUNT] || r->version < 1)
			return -1;
		r->user.version = (unsigned long)r->version;
	}
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
enum dao_status dao_fetch_rows(MYSQL_STMT *st, struct dao_row *r,
    dao_row_fn each, void *ctx, long *count, struct dao_failure *f)
{
	int has_version = mysql_stmt_field_count(st) > USER_COLUMN_COUNT;
	enum dao_status s = DAO_OK;

	*count = 0;
	dao_row_bind(r);
	if (mysql_stmt_bind_result(st, r->bind) != 0)
		return dao_stmt_failed(st, "bind result", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "execute", f);
	for (;;) {
		int rc = mysql_stmt_fetch(st);

		if (rc == MYSQL_NO_DATA)
			break;
		if (rc == 1) {
			s = dao_stmt_failed(st, "fetch", f);
			break;
		}
		if (rc == MYSQL_DATA_TRUNCATED ||
		    dao_row_finish(r, has_version) != 0) {
			dao_log(LOG_LEVEL_ERROR, f->op,
			    "a row does not fit struct user");
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

enum dao_status dao_read_by_id(long id, struct user *out, struct dao_failure *f)
{
	long long key = id;
	MYSQL_BIND param;
	enum dao_status s;
	MYSQL_STMT *st;
	struct dao_row r;
	long count;

	if ((s = dao_prepare(DAO_STMT_BY_ID, &st, f)) != DAO_OK)
		return s;
	dao_bind_long(&param, &key);
	if (mysql_stmt_bind_param(st, &param) != 0)
		return dao_stmt_failed(st, "bind", f);
	if ((s = dao_fetch_rows(st, &r, NULL, NULL, &count, f)) != DAO_OK)
		return s;
	if (count == 0)
		return DAO_NOT_FOUND;
	*out = r.user;
	return DAO_OK;
}

/* The probe's answer after the trigrams' block counts. */
#define PROBE_BLOCKS TRIGRAM_PROBES
#define PROBE_TAIL (TRIGRAM_PROBES + 1)

/*
 * Runs the probe: count[i] is the number of blocks (up to
 * TRIGRAM_MAX_BLOCKS) holding q's trigram i, count[PROBE_BLOCKS] the
 * number of blocks there are, count[PROBE_TAIL] the number of changes the
 * index has yet to take in (up to TRIGRAM_MAX_BLOCKS).
 */
static enum dao_status probe_counts(MYSQL_STMT *st, struct query *q,
    long long count[PROBE_TAIL + 1], struct dao_failure *f)
{
	MYSQL_BIND param[2 * TRIGRAM_PROBES], result[PROBE_TAIL + 1];
	long long col = q->filter;
	enum dao_status s;
	int i, rc;

	memset(result, 0, sizeof(result));
	for (i = 0; i < TRIGRAM_PROBES; i++) {
		/* Unused slots repeat the first trigram; their counts are
		 * not read. */
		int k = i < q->tri_count ? i : 0;

		dao_bind_long(&param[2 * i], &col);
		dao_bind_text(&param[2 * i + 1], q->tri[k], &q->tri_len[k]);
		dao_bind_long(&result[i], &count[i]);
	}
	dao_bind_long(&result[PROBE_BLOCKS], &count[PROBE_BLOCKS]);
	dao_bind_long(&result[PROBE_TAIL], &count[PROBE_TAIL]);
	if (mysql_stmt_bind_param(st, param) != 0 ||
	    mysql_stmt_bind_result(st, result) != 0)
		return dao_stmt_failed(st, "bind", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "probe", f);
	rc = mysql_stmt_fetch(st);
	s = DAO_OK;
	if (rc != 0)
		s = rc == MYSQL_NO_DATA ? DAO_ERROR
		                        : dao_stmt_failed(st, "probe fetch", f);
	mysql_stmt_free_result(st);
	if (rc == MYSQL_NO_DATA)
		dao_log(LOG_LEVEL_ERROR, f->op, "probe answered no row");
	return s;
}

/*
 * Counts the blocks of each of q's trigrams and decides the plan. *empty
 * is set when a trigram is in no block and the index has taken in every
 * change: no row can match. Otherwise q->join lists the rarest ones for
 * DAO_PLAN_TRIGRAM. An index far behind the writes (after a burst) makes
 * searches scan until it has caught up.
 */
static enum dao_status probe(struct query *q, enum dao_plan *plan, int *empty,
    struct dao_failure *f)
{
	long long count[PROBE_TAIL + 1];
	int i, j, order[TRIGRAM_PROBES];
	enum dao_status s;
	MYSQL_STMT *st;

	if ((s = dao_prepare(DAO_STMT_PROBE, &st, f)) != DAO_OK) {
		if (f->code != ER_NO_SUCH_TABLE)
			return s;
		/* A database from before the index: search as before. */
		dao_log(LOG_LEVEL_WARN, f->op,
		    "no user_trigram_blocks table: searches scan");
		dao_set_trigram_table_missing();
		f->code = 0;
		return DAO_OK;
	}
	if ((s = probe_counts(st, q, count, f)) != DAO_OK)
		return s;
	/* Changes not taken in yet: ask for the upkeep, for writes made
	 * outside the service (which ask for none) as well. */
	if (count[PROBE_TAIL] > 0)
		dao_housekeeping_want();
	/* Insertion sort of the few trigrams by their block counts. */
	for (i = 0; i < q->tri_count; i++) {
		for (j = i; j > 0 && count[order[j - 1]] > count[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	if (count[order[0]] == 0 && count[PROBE_TAIL] == 0) {
		*empty = 1;
		return DAO_OK;
	}
	if (count[order[0]] >= TRIGRAM_MAX_BLOCKS ||
	    count[PROBE_TAIL] >= TRIGRAM_MAX_BLOCKS ||
	    count[order[0]] * TRIGRAM_SHARE >= count[PROBE_BLOCKS])
		return DAO_OK;
	for (i = 0; i < TRIGRAM_JOINED; i++)
		q->join[i] = order[i < q->tri_count ? i : q->tri_count - 1];
	*plan = DAO_PLAN_TRIGRAM;
	return DAO_OK;
}

/* The plan for q: a probe for searches the trigram index can serve. */
static enum dao_status choose_plan(struct query *q, enum dao_plan *plan,
    int *empty, struct dao_failure *f)
{
	*plan = DAO_PLAN_SCAN;
	*empty = 0;
	if (q->tri_count == 0 || dao_trigram_table_missing())
		return DAO_OK;
	return probe(q, plan, empty, f);
}

/* Binds q's parameters in the order dao_sql_select writes them. */
static void bind_query(struct query *q, enum dao_plan plan, MYSQL_BIND *param)
{
	const struct paging *p = q->paging;
	int n = 0, t;

	if (plan == DAO_PLAN_TRIGRAM) {
		for (t = 1; t < TRIGRAM_JOINED; t++)
			dao_bind_text(&param[n++], q->tri[q->join[t]],
			    &q->tri_len[q->join[t]]);
		dao_bind_text(&param[n++], q->tri[q->join[0]],
		    &q->tri_len[q->join[0]]);
	}
	if (user_is_text_column(q->filter)) {
		dao_bind_text(&param[n++], q->pattern, &q->pattern_len);
	} else if (user_is_date_column(q->filter)) {
		dao_bind_date(&param[n++], &q->day[0]);
		dao_bind_date(&param[n++], &q->day[1]);
	}
	if (p->has_cursor && p->order_by != USER_ID) {
		for (t = 0; t < 2; t++) {
			if (user_is_date_column(p->order_by))
				dao_bind_date(&param[n++], &q->after_date);
			else
				dao_bind_text(&param[n++], p->cursor.value,
				    &q->after_len);
		}
	}
	if (p->has_cursor)
		dao_bind_long(&param[n++], &q->after_id);
	dao_bind_long(&param[n++], &q->limit);
	if (!p->has_cursor)
		dao_bind_long(&param[n], &q->offset);
}

/* The page: the fixed statements, or the filter builder's (dao_filter.c)
 * for a list with filters. */
static enum dao_status page_attempt(struct query *q, struct dao_failure *f)
{
	MYSQL_BIND param[TRIGRAM_JOINED + 2 + 3 + 2];
	const struct paging *p = q->paging;
	struct dao_select k = { .filter = q->filter,
		.order = p->order_by,
		.desc = p->descending,
		.keyset = p->has_cursor ? 1 : 0 };
	enum dao_status s;
	MYSQL_STMT *st;
	struct dao_row r;
	long count;
	int empty;

	if (q->filter == USER_ID && q->filters != NULL && q->filters->count > 0)
		return dao_filter_page(q->filters, p, q->each, q->ctx, f);
	if ((s = choose_plan(q, &k.plan, &empty, f)) != DAO_OK)
		return s;
	if (empty)
		return DAO_OK;
	if ((s = dao_prepare_select(&k, &st, f)) != DAO_OK)
		return s;
	bind_query(q, k.plan, param);
	if (mysql_stmt_bind_param(st, param) != 0)
		return dao_stmt_failed(st, "bind", f);
	return dao_fetch_rows(st, &r, q->each, q->ctx, &count, f);
}

/*
 * The page and, when asked, the total. An exact total is counted in the
 * page's snapshot: a read-only transaction started WITH CONSISTENT
 * SNAPSHOT, so rows added or deleted meanwhile change neither.
 */
static enum dao_status query_attempt(void *arg, struct dao_failure *f)
{
	struct query *q = arg;
	int counted = q->total != NULL && q->total->kind != DAO_COUNT_NONE;
	int snapshot = counted && q->total->kind == DAO_COUNT_EXACT;
	enum dao_status s;

	if (snapshot &&
	    (s = dao_query(dao_sql_begin_snapshot, "START TRANSACTION", f)) !=
	        DAO_OK)
		return s;
	s = page_attempt(q, f);
	if (s == DAO_OK && counted)
		s = dao_filter_total(q->filters, q->total, f);
	return snapshot ? dao_end_transaction(s, f) : s;
}

static int paging_valid(const struct paging *p)
{
	return p->order_by >= USER_ID && p->order_by < USER_COLUMN_COUNT &&
	    (p->descending == 0 || p->descending == 1) && p->limit >= 1 &&
	    p->page >= 0 &&
	    (!p->has_cursor ||
	        (p->cursor.column == p->order_by &&
	            p->cursor.descending == p->descending &&
	            p->cursor.id >= 1));
}

/* "YYYY-MM-DD HH:MM:SS" (checked by cursor_decode) as a DATETIME. */
void dao_parse_datetime(const char *s, MYSQL_TIME *t)
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

static enum dao_status run_query(const char *op, struct query *q,
    const struct paging *p, dao_row_fn each, void *ctx)
{
	if (!paging_valid(p)) {
		dao_log(LOG_LEVEL_ERROR, op, "invalid paging");
		return DAO_ERROR;
	}
	q->paging = p;
	q->limit = p->limit;
	q->offset = paging_offset(p);
	if (p->has_cursor) {
		q->after_id = p->cursor.id;
		q->after_len = p->cursor.value_len;
		if (user_is_date_column(p->order_by))
			dao_parse_datetime(p->cursor.value, &q->after_date);
	}
	q->each = each;
	q->ctx = ctx;
	return dao_run_read(op, query_attempt, q);
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
	if (!user_is_trigram_column(q->filter) || len > DAO_LIKE_VALUE_MAX)
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

		i = n <= TRIGRAM_PROBES
		    ? (size_t)k
		    : (size_t)k * (n - 1) / (TRIGRAM_PROBES - 1);
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

/* The arguments of dao_user_by_id. */
struct by_id {
	long id;
	struct user *out;
};

static enum dao_status by_id_attempt(void *arg, struct dao_failure *f)
{
	struct by_id *b = arg;

	return dao_read_by_id(b->id, b->out, f);
}

enum dao_status dao_user_by_id(long id, struct user *out)
{
	struct by_id b = { .id = id, .out = out };

	return dao_run_read("by-id", by_id_attempt, &b);
}

enum dao_status dao_users_list(const struct paging *p, dao_row_fn each,
    void *ctx)
{
	struct query q = { .filter = USER_ID };

	return run_query("list", &q, p, each, ctx);
}

enum dao_status dao_users_filtered(const struct paging *p,
    const struct filter_set *fs, struct dao_total *total, dao_row_fn each,
    void *ctx)
{
	struct query q = { .filter = USER_ID, .filters = fs, .total = total };
	const struct filter_term *t = &fs->term[0];

	/* co alone on a column of the trigram index is the search of that
	 * column: its planner reads only the blocks the index names. */
	if (fs->count == 1 && t->op == FILTER_CO &&
	    user_is_trigram_column(t->column))
		return dao_users_search_counted(t->column, t->value[0],
		    t->len[0], p, total, each, ctx);

	return run_query("list", &q, p, each, ctx);
}

/* The search as the one filter "co" on its column, for its count. */
static void search_as_filter(struct filter_set *fs, enum user_column column,
    const char *value, size_t len)
{
	fs->count = 1;
	fs->used = 0;
	fs->term[0].column = column;
	fs->term[0].op = FILTER_CO;
	fs->term[0].count = 1;
	fs->term[0].value[0] = value;
	fs->term[0].len[0] = len;
}

/* The day as the filter "eq" on its column: its first and last second. */
static void day_as_filter(struct filter_set *fs, enum user_column column,
    int year, int month, int day)
{
	struct filter_term *t = &fs->term[0];
	int i;

	fs->count = 1;
	t->column = column;
	t->op = FILTER_EQ;
	t->count = 2;
	for (i = 0; i < 2; i++) {
		/* day_range has checked the date: the modulos only tell
		 * the compiler the widths. */
		snprintf(fs->arena + 20 * i, 20, "%04u-%02u-%02u %s",
		    (unsigned)year % 10000u, (unsigned)month % 100u,
		    (unsigned)day % 100u, i == 0 ? "00:00:00" : "23:59:59");
		t->value[i] = fs->arena + 20 * i;
		t->len[i] = 19;
	}
	fs->used = 40;
}

enum dao_status dao_users_search(enum user_column column, const char *value,
    size_t len, const struct paging *p, dao_row_fn each, void *ctx)
{
	return dao_users_search_counted(column, value, len, p, NULL, each, ctx);
}

enum dao_status dao_users_search_counted(enum user_column column,
    const char *value, size_t len, const struct paging *p,
    struct dao_total *total, dao_row_fn each, void *ctx)
{
	struct query q = { .filter = column, .total = total };
	struct filter_set fs;

	if (!user_is_text_column(column) || like_pattern(value, len, &q) != 0) {
		dao_log(LOG_LEVEL_ERROR, "search",
		    "invalid search: column %d, %zu bytes", (int)column, len);
		return DAO_ERROR;
	}
	search_as_filter(&fs, column, value, len);
	q.filters = &fs;
	trigram_pick(value, len, &q);
	return run_query("search", &q, p, each, ctx);
}

enum dao_status dao_users_on_day(enum user_column column, int year, int month,
    int day, const struct paging *p, dao_row_fn each, void *ctx)
{
	return dao_users_on_day_counted(column, year, month, day, p, NULL, each,
	    ctx);
}

enum dao_status dao_users_on_day_counted(enum user_column column, int year,
    int month, int day, const struct paging *p, struct dao_total *total,
    dao_row_fn each, void *ctx)
{
	struct query q = { .filter = column, .total = total };
	struct filter_set fs;

	if (!user_is_date_column(column) ||
	    day_range(year, month, day, q.day) != 0) {
		dao_log(LOG_LEVEL_ERROR, "on-day",
		    "invalid day search: column %d, %d-%d-%d", (int)column,
		    year, month, day);
		return DAO_ERROR;
	}
	day_as_filter(&fs, column, year, month, day);
	q.filters = &fs;
	return run_query("on-day", &q, p, each, ctx);
}
