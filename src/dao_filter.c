/* The DAO's filtered reads: the statement of a filter set's shape,
 * prepared once and kept in a small per-worker cache, its values bound,
 * and the totals (exact COUNT(*) or the optimizer's estimate). */
#include "dao_internal.h"

#include <stdlib.h>

#include "xmalloc.h"

/* Every placeholder a filtered page can have: the terms' values, two id
 * bounds, the cursor's three, the limit and the offset. */
#define BIND_MAX (FILTER_MAX * FILTER_IN_MAX + 7)
/* A LIKE pattern: the value with every byte escaped, and two '%'. */
#define PATTERN_MAX (2 * DAO_LIKE_VALUE_MAX + 2)

/*
 * The prepared statements of the shapes this worker met, the least
 * recently used first to go when all DAO_FILTER_CACHE are taken. A
 * statement belongs to the connection it was prepared on (the primary or
 * a replica): a slot names it, and is closed with it. It is the
 * per-worker connection state the house rules allow.
 */
static struct {
	struct {
		struct dao_filter_shape shape;
		MYSQL *conn;    /* the connection st was prepared on */
		MYSQL_STMT *st; /* NULL: a free slot */
		unsigned long used;
	} slot[DAO_FILTER_CACHE];
	unsigned long clock;
} cache;

/* A statement's values: the storage its MYSQL_BINDs point into. */
struct binding {
	MYSQL_BIND param[BIND_MAX];
	long long num[BIND_MAX];
	MYSQL_TIME time[BIND_MAX];
	unsigned long len[BIND_MAX];
	char pattern[FILTER_MAX][PATTERN_MAX];
	int n;
};

void dao_filter_cache_drop(const MYSQL *conn)
{
	int i;

	for (i = 0; i < DAO_FILTER_CACHE; i++) {
		if (cache.slot[i].st == NULL || cache.slot[i].conn != conn)
			continue;
		mysql_stmt_close(cache.slot[i].st);
		cache.slot[i].st = NULL;
		cache.slot[i].conn = NULL;
	}
}

/* The statement of shape k: from the cache, or prepared into the free or
 * least recently used slot. */
static enum dao_status shape_stmt(const struct dao_filter_shape *k,
    MYSQL_STMT **out, struct dao_failure *f)
{
	char sql[DAO_SQL_MAX];
	MYSQL *conn = dao_mysql();
	int i, victim = 0;
	enum dao_status s;

	for (i = 0; i < DAO_FILTER_CACHE; i++) {
		if (cache.slot[i].st != NULL && cache.slot[i].conn == conn &&
		    memcmp(&cache.slot[i].shape, k, sizeof(*k)) == 0) {
			cache.slot[i].used = ++cache.clock;
			*out = cache.slot[i].st;
			return DAO_OK;
		}
		if (cache.slot[victim].st != NULL &&
		    (cache.slot[i].st == NULL ||
		        cache.slot[i].used < cache.slot[victim].used))
			victim = i;
	}
	if (dao_sql_filtered(k, sql, sizeof(sql)) != 0) {
		dao_log(LOG_LEVEL_ERROR, f->op, "filtered statement too long");
		return DAO_ERROR;
	}
	if (cache.slot[victim].st != NULL) {
		mysql_stmt_close(cache.slot[victim].st);
		cache.slot[victim].st = NULL;
	}
	if ((s = dao_prepare_text(sql, &cache.slot[victim].st, f)) != DAO_OK)
		return s;
	/* memcpy, not assignment: the slot is compared with memcmp. */
	memcpy(&cache.slot[victim].shape, k, sizeof(*k));
	cache.slot[victim].conn = conn;
	cache.slot[victim].used = ++cache.clock;
	*out = cache.slot[victim].st;
	return DAO_OK;
}

/* The shape of fs's terms; the page's order comes from the caller. */
static void shape_of(const struct filter_set *fs, enum dao_filter_kind kind,
    struct dao_filter_shape *k)
{
	int i;

	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->count = fs != NULL ? fs->count : 0;
	for (i = 0; i < k->count; i++) {
		const struct filter_term *t = &fs->term[i];

		k->term[i].column = t->column;
		k->term[i].op = t->op;
		k->term[i].values =
		    t->op == FILTER_IN ? dao_filter_bucket(t->count) : t->count;
	}
}

/* '%' value '%' (co), value '%' (sw), '%' value (ew), with !, % and _
 * escaped so they match themselves. */
static unsigned long like_of(const struct filter_term *t, char *out)
{
	const char *v = t->value[0];
	size_t i, n = 0;

	if (t->op != FILTER_SW)
		out[n++] = '%';
	for (i = 0; i < t->len[0]; i++) {
		if (v[i] == '%' || v[i] == '_' || v[i] == '!')
			out[n++] = '!';
		out[n++] = v[i];
	}
	if (t->op != FILTER_EW)
		out[n++] = '%';
	return (unsigned long)n;
}

/* Binds value v of term t (of index ti) as the next parameter. */
static void bind_value(struct binding *b, const struct filter_term *t, int ti,
    int v)
{
	int n = b->n++;

	if (t->column == USER_ID) {
		b->num[n] = t->num[v];
		dao_bind_long(&b->param[n], &b->num[n]);
	} else if (user_is_date_column(t->column)) {
		dao_parse_datetime(t->value[v], &b->time[n]);
		dao_bind_date(&b->param[n], &b->time[n]);
	} else if (t->op == FILTER_CO || t->op == FILTER_SW ||
	    t->op == FILTER_EW) {
		b->len[n] = like_of(t, b->pattern[ti]);
		dao_bind_text(&b->param[n], b->pattern[ti], &b->len[n]);
	} else {
		b->len[n] = (unsigned long)t->len[v];
		dao_bind_text(&b->param[n], t->value[v], &b->len[n]);
	}
}

/* Binds the terms' values in the shape's order; an in list fills its
 * bucket's spare placeholders with its last value. */
static void bind_terms(struct binding *b, const struct filter_set *fs,
    const struct dao_filter_shape *k)
{
	int i, v;

	b->n = 0;
	for (i = 0; i < k->count; i++) {
		const struct filter_term *t = &fs->term[i];

		for (v = 0; v < k->term[i].values; v++)
			bind_value(b, t, i, v < t->count ? v : t->count - 1);
	}
}

/* The cursor's value (twice, unless by id) and id, the limit, the offset. */
static void bind_paging(struct binding *b, const struct paging *p)
{
	if (p->has_cursor && p->order_by != USER_ID) {
		for (int t = 0; t < 2; t++) {
			int n = b->n++;

			if (user_is_date_column(p->order_by)) {
				dao_parse_datetime(p->cursor.value,
				    &b->time[n]);
				dao_bind_date(&b->param[n], &b->time[n]);
			} else {
				b->len[n] = (unsigned long)p->cursor.value_len;
				dao_bind_text(&b->param[n], p->cursor.value,
				    &b->len[n]);
			}
		}
	}
	if (p->has_cursor) {
		b->num[b->n] = p->cursor.id;
		dao_bind_long(&b->param[b->n], &b->num[b->n]);
		b->n++;
	}
	b->num[b->n] = p->limit;
	dao_bind_long(&b->param[b->n], &b->num[b->n]);
	b->n++;
	if (!p->has_cursor) {
		b->num[b->n] = paging_offset(p);
		dao_bind_long(&b->param[b->n], &b->num[b->n]);
		b->n++;
	}
}

/* The binding is large (the values of 8 in lists of 50): on the heap,
 * owned by the caller of bind_new, freed by it. */
static struct binding *bind_new(void)
{
	return xcalloc(1, sizeof(struct binding));
}

/* The id bounds (sql/08_user_days.sql) of fs's creation_date range: *any
 * 0 when no day of it holds a user. */
static enum dao_status page_bounds(const struct filter_set *fs,
    long long bound[2], int *any, struct dao_failure *f)
{
	struct dao_filter_shape k;
	MYSQL_BIND result[2];
	my_bool is_null[2] = { 1, 1 };
	struct binding *b;
	enum dao_status s;
	MYSQL_STMT *st;
	int i, v, rc;

	shape_of(fs, DAO_FILTER_BOUNDS, &k);
	if ((s = shape_stmt(&k, &st, f)) != DAO_OK)
		return s;
	b = bind_new();
	for (i = 0; i < k.count; i++)
		for (v = 0; dao_sql_bounds_term(&k, i) && v < k.term[i].values;
		     v++)
			bind_value(b, &fs->term[i], i, v);
	memset(result, 0, sizeof(result));
	for (i = 0; i < 2; i++) {
		dao_bind_long(&result[i], &bound[i]);
		result[i].is_null = &is_null[i];
	}
	if (mysql_stmt_bind_param(st, b->param) != 0 ||
	    mysql_stmt_bind_result(st, result) != 0)
		s = dao_stmt_failed(st, "bind", f);
	else if (mysql_stmt_execute(st) != 0)
		s = dao_stmt_failed(st, "bounds", f);
	else if ((rc = mysql_stmt_fetch(st)) != 0) {
		s = rc == 1 ? dao_stmt_failed(st, "bounds fetch", f)
		            : DAO_ERROR;
		if (rc != 1)
			dao_log(LOG_LEVEL_ERROR, f->op,
			    "bounds answered no row");
	}
	mysql_stmt_free_result(st);
	free(b);
	*any = s == DAO_OK && !is_null[0] && !is_null[1];
	return s;
}

enum dao_status dao_filter_page(const struct filter_set *fs,
    const struct paging *p, dao_row_fn each, void *ctx, struct dao_failure *f)
{
	struct dao_filter_shape k;
	long long bound[2];
	struct binding *b;
	struct dao_row r;
	enum dao_status s;
	MYSQL_STMT *st;
	long count;
	int any, i;

	shape_of(fs, DAO_FILTER_PAGE, &k);
	k.order = p->order_by;
	k.desc = p->descending;
	k.keyset = p->has_cursor ? 1 : 0;
	if (dao_sql_boundable(&k)) {
		if ((s = page_bounds(fs, bound, &any, f)) != DAO_OK)
			return s;
		if (!any)
			return DAO_OK; /* no user was created on those days */
		k.bounded = 1;
	}
	if ((s = shape_stmt(&k, &st, f)) != DAO_OK)
		return s;
	b = bind_new();
	bind_terms(b, fs, &k);
	for (i = 0; k.bounded && i < 2; i++, b->n++) {
		b->num[b->n] = bound[i];
		dao_bind_long(&b->param[b->n], &b->num[b->n]);
	}
	bind_paging(b, p);
	if (mysql_stmt_bind_param(st, b->param) != 0)
		s = dao_stmt_failed(st, "bind", f);
	else
		s = dao_fetch_rows(st, &r, each, ctx, &count, f);
	free(b);
	return s;
}

/* The one row of COUNT(*) into *rows. */
static enum dao_status fetch_count(MYSQL_STMT *st, long long *rows,
    struct dao_failure *f)
{
	MYSQL_BIND result;
	enum dao_status s = DAO_OK;
	int rc;

	dao_bind_long(&result, rows);
	if (mysql_stmt_bind_result(st, &result) != 0)
		return dao_stmt_failed(st, "bind result", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "count", f);
	rc = mysql_stmt_fetch(st);
	if (rc == 1)
		s = dao_stmt_failed(st, "count fetch", f);
	else if (rc != 0) {
		dao_log(LOG_LEVEL_ERROR, f->op, "count answered no row");
		s = DAO_ERROR;
	}
	mysql_stmt_free_result(st);
	return s;
}

/* EXPLAIN EXTENDED's columns, read as text, of its first (its only: one
 * table) row. */
#define EXPLAIN_COLUMNS 16
#define EXPLAIN_CELL 64

struct explain_row {
	MYSQL_BIND result[EXPLAIN_COLUMNS];
	char cell[EXPLAIN_COLUMNS][EXPLAIN_CELL];
	unsigned long len[EXPLAIN_COLUMNS];
	my_bool null[EXPLAIN_COLUMNS];
	unsigned rows, filtered; /* their columns */
};

/* Binds every column as text and finds rows and filtered; -1 if the
 * result is not EXPLAIN EXTENDED's. */
static int explain_bind(MYSQL_STMT *st, struct explain_row *x)
{
	unsigned n = mysql_stmt_field_count(st), i;
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);

	if (meta == NULL)
		return -1;
	x->rows = x->filtered = n;
	memset(x->result, 0, sizeof(x->result));
	for (i = 0; i < n && i < EXPLAIN_COLUMNS; i++) {
		const char *name = mysql_fetch_field_direct(meta, i)->name;

		if (strcmp(name, "rows") == 0)
			x->rows = i;
		else if (strcmp(name, "filtered") == 0)
			x->filtered = i;
		x->result[i].buffer_type = MYSQL_TYPE_STRING;
		x->result[i].buffer = x->cell[i];
		x->result[i].buffer_length = EXPLAIN_CELL - 1;
		x->result[i].length = &x->len[i];
		x->result[i].is_null = &x->null[i];
	}
	mysql_free_result(meta);
	return n > EXPLAIN_COLUMNS || x->rows == n || x->filtered == n ? -1 : 0;
}

/* The number in cell c, or dflt when it is NULL or was cut (never a
 * number: they are short). */
static double explain_number(struct explain_row *x, unsigned c, double dflt)
{
	if (x->null[c] || x->len[c] >= EXPLAIN_CELL)
		return dflt;
	x->cell[c][x->len[c]] = '\0';
	return strtod(x->cell[c], NULL);
}

/*
 * The rows the plan reads times the share of them the other terms keep
 * (filtered, in percent): the optimizer's own product of its estimates of
 * each term, from the ranges of their indexes. A WHERE it finds impossible
 * has no rows: 0.
 */
static enum dao_status fetch_estimate(MYSQL_STMT *st, long long *rows,
    struct dao_failure *f)
{
	struct explain_row x;
	enum dao_status s = DAO_OK;
	int rc;

	if (explain_bind(st, &x) != 0) {
		dao_log(LOG_LEVEL_ERROR, f->op, "EXPLAIN: unexpected columns");
		return DAO_ERROR;
	}
	if (mysql_stmt_bind_result(st, x.result) != 0)
		return dao_stmt_failed(st, "bind result", f);
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, "estimate", f);
	rc = mysql_stmt_fetch(st);
	*rows = 0;
	if (rc == 1)
		s = dao_stmt_failed(st, "estimate fetch", f);
	else if (rc != MYSQL_NO_DATA)
		*rows = (long long)(explain_number(&x, x.rows, 0) *
		        explain_number(&x, x.filtered, 100) / 100 +
		    0.5);
	mysql_stmt_free_result(st);
	return s;
}

enum dao_status dao_filter_total(const struct filter_set *fs,
    struct dao_total *total, struct dao_failure *f)
{
	int exact = total->kind == DAO_COUNT_EXACT;
	struct dao_filter_shape k;
	struct binding *b;
	enum dao_status s;
	MYSQL_STMT *st;

	shape_of(fs, exact ? DAO_FILTER_COUNT : DAO_FILTER_ESTIMATE, &k);
	if ((s = shape_stmt(&k, &st, f)) != DAO_OK)
		return s;
	b = bind_new();
	bind_terms(b, fs, &k);
	if (b->n > 0 && mysql_stmt_bind_param(st, b->param) != 0)
		s = dao_stmt_failed(st, "bind", f);
	else
		s = exact ? fetch_count(st, &total->rows, f)
		          : fetch_estimate(st, &total->rows, f);
	free(b);
	return s;
}
