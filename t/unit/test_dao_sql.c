/*
 * Every SQL text the DAO can send (dao_sql.c), rendered without a database
 * and held against t/unit/dao_sql.golden, so that a change to any
 * statement shows in review as a change of that file: the session setup,
 * START TRANSACTION, the fixed statements, and every list statement the
 * planner can ask for (each filter column, order column, direction,
 * offset or keyset, and the trigram plan on the columns it serves).
 *
 * After an intended change, regenerate the file and review its diff; from
 * the top of the source tree:
 *
 *     t/unit/test_dao_sql --write
 *
 * The file is $top_srcdir/t/unit/dao_sql.golden (make check sets
 * top_srcdir; it defaults to "."), so in a build outside the source tree:
 *     top_srcdir=/path/to/source t/unit/test_dao_sql --write
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dao_internal.h"
#include "tap.h"
#include "xmalloc.h"

#define GOLDEN "t/unit/dao_sql.golden"
#define MAX_ENTRIES 1000
/* The longest statement name, NUL included. */
#define NAME_MAX_LEN 128

/* One rendered statement: "[name]\ntext\n\n" in the golden file. */
struct entry {
	char name[NAME_MAX_LEN];
	char text[DAO_SQL_MAX];
	int rendered; /* 0: the text did not fit DAO_SQL_MAX */
	struct dao_select key;
	int is_select;
	int params; /* a filtered statement's placeholders; -1: not one */
};

static struct entry entries[MAX_ENTRIES];
static int n_entries;

static struct entry *add(const char *name)
{
	struct entry *e;

	if (n_entries == MAX_ENTRIES) {
		fprintf(stderr, "more than %d statements\n", MAX_ENTRIES);
		exit(2);
	}
	e = &entries[n_entries++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

static void add_text(const char *name, const char *text)
{
	struct entry *e = add(name);

	snprintf(e->text, sizeof(e->text), "%s", text);
	e->params = -1;
	e->rendered = strlen(text) < sizeof(e->text);
}

static void add_select(const struct dao_select *k)
{
	char name[NAME_MAX_LEN];
	struct entry *e;

	snprintf(name, sizeof(name), "select filter=%s order=%s %s %s %s",
	    user_column_name(k->filter), user_column_name(k->order),
	    k->desc ? "desc" : "asc", k->keyset ? "keyset" : "offset",
	    k->plan == DAO_PLAN_TRIGRAM ? "trigram" : "scan");
	e = add(name);
	e->params = -1;
	e->rendered = dao_sql_select(k, e->text, sizeof(e->text)) == 0;
	e->key = *k;
	e->is_select = 1;
}

/* Every list statement: the plain list (filter id), each text search and
 * each day search, by every order, both ways, by offset and by keyset. */
static void render_selects(void)
{
	struct dao_select k;
	int filter, order;

	for (filter = 0; filter < USER_COLUMN_COUNT; filter++)
		for (order = 0; order < USER_COLUMN_COUNT; order++)
			for (k.desc = 0; k.desc < 2; k.desc++)
				for (k.keyset = 0; k.keyset < 2; k.keyset++)
					for (k.plan = 0;
					     k.plan < DAO_PLAN_COUNT;
					     k.plan++) {
						k.filter =
						    (enum user_column)filter;
						k.order =
						    (enum user_column)order;
						if (k.plan ==
						        DAO_PLAN_TRIGRAM &&
						    !user_is_trigram_column(
						        k.filter))
							continue;
						add_select(&k);
					}
}

static const char *const kind_names[] = { "page", "count", "estimate",
	"bounds" };

/* The ? a filtered statement's execution binds (dao_filter.c). */
static int filtered_params(const struct dao_filter_shape *k)
{
	int n = 0, i;

	for (i = 0; i < k->count; i++)
		if (k->kind != DAO_FILTER_BOUNDS || dao_sql_bounds_term(k, i))
			n += k->term[i].values;
	if (k->kind != DAO_FILTER_PAGE)
		return n;
	n += k->bounded ? 2 : 0;
	if (k->keyset)
		n += k->order == USER_ID ? 1 : 3;
	return n + (k->keyset ? 1 : 2);
}

static void add_filtered(const struct dao_filter_shape *k)
{
	char name[NAME_MAX_LEN];
	size_t len;
	struct entry *e;
	int i;

	len = (size_t)snprintf(name, sizeof(name), "filtered %s",
	    kind_names[k->kind]);
	for (i = 0; i < k->count && len < sizeof(name); i++)
		len += (size_t)snprintf(name + len, sizeof(name) - len,
		    " %s:%s:%d", user_column_name(k->term[i].column),
		    filter_op_name(k->term[i].op), k->term[i].values);
	if (k->kind == DAO_FILTER_PAGE && len < sizeof(name))
		snprintf(name + len, sizeof(name) - len, " order=%s %s %s%s",
		    user_column_name(k->order), k->desc ? "desc" : "asc",
		    k->keyset ? "keyset" : "offset",
		    k->bounded ? " bounded" : "");
	e = add(name);
	e->rendered = dao_sql_filtered(k, e->text, sizeof(e->text)) == 0;
	e->params = filtered_params(k);
}

/* Whether the filter parser gives column the operator. */
static int op_allowed(enum user_column c, enum filter_op op)
{
	if (c == USER_ID)
		return op != FILTER_CO && op != FILTER_SW && op != FILTER_EW;
	if (user_is_date_column(c))
		return op == FILTER_EQ || op >= FILTER_GT;
	return op <= FILTER_IN;
}

static void one_term(struct dao_filter_shape *k, enum user_column c,
    enum filter_op op, int values)
{
	memset(k, 0, sizeof(*k));
	k->count = 1;
	k->term[0].column = c;
	k->term[0].op = op;
	k->term[0].values = values;
}

/* Sets terms (column, op, values)... of k, in the parser's order. */
static void terms(struct dao_filter_shape *k, int n, const int *t)
{
	int i;

	memset(k, 0, sizeof(*k));
	k->count = n;
	for (i = 0; i < n; i++) {
		k->term[i].column = (enum user_column)t[3 * i];
		k->term[i].op = (enum filter_op)t[3 * i + 1];
		k->term[i].values = t[3 * i + 2];
	}
}

/*
 * The planner's rule (dao_sql.c, sql_order_hint): the shapes the
 * composite index of sql/06 serves, in id order by offset (the rule: the
 * order's indexes ignored) and by keyset, in another order, their count
 * and estimate (no rule); an eq on another column joins the ignored.
 */
static void render_composite(void)
{
	static const int range[] = { USER_COUNTRY_ID, FILTER_EQ, 1,
		USER_CREATION_DATE, FILTER_GE, 1, USER_CREATION_DATE, FILTER_LT,
		1 };
	static const int more[] = { USER_IDENTIFICATION_TYPE, FILTER_EQ, 1,
		USER_COUNTRY_ID, FILTER_IN, 4, USER_CREATION_DATE, FILTER_EQ,
		2 };
	struct dao_filter_shape k;
	int i;

	for (i = 0; i < 5; i++) {
		terms(&k, 3, range);
		k.kind =
		    i < 3 ? DAO_FILTER_PAGE : (enum dao_filter_kind)(i - 2);
		k.desc = i == 1;
		k.keyset = i == 2;
		add_filtered(&k);
	}
	terms(&k, 3, range);
	k.kind = DAO_FILTER_PAGE;
	k.order = USER_CREATION_DATE;
	add_filtered(&k);
	terms(&k, 3, more);
	k.kind = DAO_FILTER_PAGE;
	add_filtered(&k);
	/* The data's part (sql/08_user_days.sql): the bounds statement, and
	 * the page within them, both ways. */
	terms(&k, 3, range);
	k.kind = DAO_FILTER_BOUNDS;
	add_filtered(&k);
	for (i = 0; i < 2; i++) {
		terms(&k, 3, range);
		k.desc = i;
		k.bounded = 1;
		add_filtered(&k);
	}
	terms(&k, 3, more);
	k.kind = DAO_FILTER_BOUNDS;
	add_filtered(&k);
}

/* Which pages run within id bounds: an eq on country_id (the composite
 * index's lead) and a creation_date range, in id order, by offset. */
static void check_boundable(void)
{
	static const int range[] = { USER_COUNTRY_ID, FILTER_EQ, 1,
		USER_CREATION_DATE, FILTER_GE, 1, USER_CREATION_DATE, FILTER_LT,
		1 };
	static const int in_lead[] = { USER_COUNTRY_ID, FILTER_IN, 4,
		USER_CREATION_DATE, FILTER_EQ, 2 };
	static const int no_range[] = { USER_COUNTRY_ID, FILTER_EQ, 1,
		USER_UPDATE_DATE, FILTER_GE, 1 };
	struct dao_filter_shape k;

	terms(&k, 3, range);
	ok(dao_sql_boundable(&k),
	    "country eq + creation_date range, by id: bounded");
	k.desc = 1;
	ok(dao_sql_boundable(&k), "the same in descending order: bounded");
	k.keyset = 1;
	ok(!dao_sql_boundable(&k),
	    "by keyset: the walk from the cursor instead");
	terms(&k, 3, range);
	k.order = USER_CREATION_DATE;
	ok(!dao_sql_boundable(&k),
	    "in creation_date order: the index serves it");
	terms(&k, 3, range);
	k.kind = DAO_FILTER_COUNT;
	ok(!dao_sql_boundable(&k), "a count: not a page");
	terms(&k, 2, in_lead);
	ok(!dao_sql_boundable(&k), "in on country_id: the rule's sort instead");
	terms(&k, 2, no_range);
	ok(!dao_sql_boundable(&k), "an update_date range: no bounds");
	terms(&k, 3, range);
	ok(dao_sql_bounds_term(&k, 1) && dao_sql_bounds_term(&k, 2) &&
	        !dao_sql_bounds_term(&k, 0),
	    "the bounds statement reads the creation_date terms only");
}

/*
 * The filter builder's shapes: every operator on every column (as a
 * count), every in bucket, the page by every order both ways by offset
 * and keyset, the estimate, no filter, and the longest statement (eight
 * in lists of 50).
 */
static void render_filtered(void)
{
	static const int buckets[] = { 1, 2, 4, 8, 16, 32, 50 };
	struct dao_filter_shape k;
	int c, op, b, i;

	memset(&k, 0, sizeof(k));
	k.kind = DAO_FILTER_COUNT;
	add_filtered(&k);
	k.kind = DAO_FILTER_ESTIMATE;
	add_filtered(&k);
	for (c = 0; c < USER_COLUMN_COUNT; c++)
		for (op = 0; op < FILTER_OP_COUNT; op++) {
			if (!op_allowed(c, op))
				continue;
			one_term(&k, c, op,
			    user_is_date_column(c) && op == FILTER_EQ ? 2 : 1);
			k.kind = DAO_FILTER_COUNT;
			add_filtered(&k);
		}
	for (b = 0; b < 7; b++) {
		one_term(&k, USER_EMAIL, FILTER_IN, buckets[b]);
		k.kind = DAO_FILTER_COUNT;
		add_filtered(&k);
	}
	for (c = 0; c < USER_COLUMN_COUNT; c++)
		for (i = 0; i < 4; i++) {
			one_term(&k, USER_COUNTRY_ID, FILTER_EQ, 1);
			k.kind = DAO_FILTER_PAGE;
			k.order = (enum user_column)c;
			k.desc = i & 1;
			k.keyset = i >> 1;
			add_filtered(&k);
		}
	one_term(&k, USER_CREATION_DATE, FILTER_GE, 1);
	k.kind = DAO_FILTER_ESTIMATE;
	add_filtered(&k);
	render_composite();
	memset(&k, 0, sizeof(k));
	k.kind = DAO_FILTER_PAGE;
	k.count = FILTER_MAX;
	for (i = 0; i < FILTER_MAX; i++) {
		k.term[i].column = USER_IDENTIFICATION_NUMBER;
		k.term[i].op = FILTER_IN;
		k.term[i].values = FILTER_IN_MAX;
	}
	k.order = USER_IDENTIFICATION_NUMBER;
	k.desc = 1;
	k.keyset = 1;
	add_filtered(&k);
}

static void render_all(void)
{
	int s;

	add_text("session", dao_sql_session_setup);
	add_text("begin", dao_sql_begin);
	add_text("begin-snapshot", dao_sql_begin_snapshot);
	add_text("read-committed", dao_sql_read_committed);
	for (s = 0; s < DAO_STMT_COUNT; s++) {
		struct entry *e = add(dao_sql_name((enum dao_stmt)s));

		e->params = -1;
		e->rendered = dao_sql_render((enum dao_stmt)s, e->text,
		                  sizeof(e->text)) == 0;
	}
	render_selects();
	render_filtered();
}

/* The whole golden file's text; the caller frees it. */
static char *document(void)
{
	size_t size = 1, len = 0;
	char *doc;
	int i;

	for (i = 0; i < n_entries; i++)
		size += strlen(entries[i].name) + strlen(entries[i].text) + 5;
	doc = xmalloc(size);
	doc[0] = '\0';
	for (i = 0; i < n_entries; i++)
		len += (size_t)snprintf(doc + len, size - len, "[%s]\n%s\n\n",
		    entries[i].name, entries[i].text);
	return doc;
}

/* The file's content, or NULL; the caller frees it. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, size = 1 << 16, n;
	char *buf;

	if (f == NULL)
		return NULL;
	buf = xmalloc(size);
	while ((n = fread(buf + len, 1, size - len - 1, f)) > 0) {
		len += n;
		if (size - len - 1 == 0)
			buf = xrealloc(buf, size *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The golden text of the statement named name, in a copy the caller
 * frees; NULL when the file has no such entry. */
static char *golden_text(const char *golden, const char *name)
{
	char head[NAME_MAX_LEN + 3];
	const char *at, *end;

	snprintf(head, sizeof(head), "[%s]\n", name);
	for (at = golden; (at = strstr(at, head)) != NULL; at++)
		if (at == golden || at[-1] == '\n')
			break;
	if (at == NULL)
		return NULL;
	at += strlen(head);
	end = strchr(at, '\n');
	return xstrndup(at, end != NULL ? (size_t)(end - at) : strlen(at));
}

/* The ? an execution binds, as dao_read.c binds them (bind_query). */
static int params_expected(const struct dao_select *k)
{
	int n = k->plan == DAO_PLAN_TRIGRAM ? TRIGRAM_JOINED : 0;

	n += user_is_text_column(k->filter) ? 1 : 0;
	n += user_is_date_column(k->filter) ? 2 : 0;
	if (k->keyset)
		n += k->order == USER_ID ? 1 : 3;
	return n + (k->keyset ? 1 : 2);
}

static int count_params(const char *text)
{
	int n = 0;

	for (; *text != '\0'; text++)
		n += *text == '?';
	return n;
}

static void check_entries(const char *golden)
{
	int i;

	for (i = 0; i < n_entries; i++) {
		struct entry *e = &entries[i];
		char *want =
		    golden != NULL ? golden_text(golden, e->name) : NULL;
		int same =
		    e->rendered && want != NULL && strcmp(want, e->text) == 0;

		ok(same, "%s", e->name);
		if (!same) {
			printf("#   golden: %s\n",
			    want != NULL ? want : "(no such entry)");
			printf("#   now:    %s\n",
			    e->rendered ? e->text
			                : "(does not fit DAO_SQL_MAX)");
		}
		free(want);
	}
}

/* Rows are bound by position: every SELECT lists the columns in enum
 * user_column order, and binds the parameters bind_query expects. */
static void check_shape(void)
{
	char cols[512];
	size_t len = 0;
	int c, i, columns_ok = 1, params_ok = 1;

	for (c = 0; c < USER_COLUMN_COUNT; c++)
		len += (size_t)snprintf(cols + len, sizeof(cols) - len,
		    "%su.%s", c > 0 ? ", " : "", user_column_name(c));
	for (i = 0; i < n_entries; i++) {
		struct entry *e = &entries[i];

		if (!e->is_select && strcmp(e->name, "by-id") != 0)
			continue;
		if (strstr(e->text, cols) == NULL) {
			columns_ok = 0;
			printf("#   %s: not the columns %s\n", e->name, cols);
		}
		if (e->is_select &&
		    count_params(e->text) != params_expected(&e->key)) {
			params_ok = 0;
			printf("#   %s: %d parameters\n", e->name,
			    count_params(e->text));
		}
	}
	for (i = 0; i < n_entries; i++) {
		struct entry *e = &entries[i];

		if (e->params >= 0 && count_params(e->text) != e->params) {
			params_ok = 0;
			printf("#   %s: %d parameters\n", e->name,
			    count_params(e->text));
		}
		if (e->params >= 0 &&
		    strncmp(e->name, "filtered page", 13) == 0 &&
		    strstr(e->text, cols) == NULL) {
			columns_ok = 0;
			printf("#   %s: not the columns %s\n", e->name, cols);
		}
	}
	ok(columns_ok, "every SELECT lists the columns in enum order");
	ok(params_ok, "every list statement has the parameters bound to it");
}

static int write_golden(const char *path, const char *doc)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fputs(doc, f) == EOF || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	fprintf(stderr, "wrote %d statements to %s\n", n_entries, path);
	return 0;
}

/*
 * The statements of [replicas] (dao_route.c), sent only when servers are
 * configured, so they are checked here rather than in the golden file,
 * which holds exactly what a one-server service sends.
 */
static void check_replica_texts(void)
{
	char buf[128];

	ok(strcmp(dao_sql_primary_position,
	       "SELECT @@global.gtid_binlog_pos") == 0,
	    "the primary's position is its binlog's");
	ok(dao_sql_replica_wait("0-1-42,1-2-7", 1500, buf, sizeof(buf)) == 0 &&
	        strcmp(buf, "SELECT MASTER_GTID_WAIT('0-1-42,1-2-7', 1.500)") ==
	            0,
	    "MASTER_GTID_WAIT text: %s", buf);
	ok(dao_sql_replica_wait("", 5, buf, sizeof(buf)) == 0 &&
	        strcmp(buf, "SELECT MASTER_GTID_WAIT('', 0.005)") == 0,
	    "an empty position (no write yet) waits for nothing: %s", buf);
	ok(dao_sql_replica_wait("0-1-1') OR ('1", 1000, buf, sizeof(buf)) == -1,
	    "a position with other characters is refused");
	ok(dao_sql_replica_wait("0-1-1", 1000, buf, 20) == -1,
	    "a text that does not fit is refused");
	ok(strncmp(dao_sql_session_setup_galera, dao_sql_session_setup,
	       strlen(dao_sql_session_setup)) == 0 &&
	        strcmp(dao_sql_session_setup_galera +
	                strlen(dao_sql_session_setup),
	            ", wsrep_sync_wait = 1") == 0,
	    "the Galera session setup is the same plus wsrep_sync_wait = 1");
}

/* The number of placeholders in statement s's text. */
static int placeholders(enum dao_stmt s)
{
	char buf[DAO_SQL_MAX];
	int n = 0;
	const char *p;

	if (dao_sql_render(s, buf, sizeof(buf)) != 0)
		return -1;
	for (p = buf; *p != '\0'; p++)
		n += *p == '?';
	return n;
}

/* dao_write.c binds the fields, the id, then ETAG_VERSIONS_MAX versions. */
static void check_if_match(void)
{
	ok(placeholders(DAO_STMT_UPDATE_IF) ==
	        USER_TEXT_COUNT + 1 + ETAG_VERSIONS_MAX,
	    "update-if-match: the fields, the id, ETAG_VERSIONS_MAX versions");
	ok(placeholders(DAO_STMT_DELETE_IF) == 1 + ETAG_VERSIONS_MAX,
	    "delete-if-match: the id, ETAG_VERSIONS_MAX versions");
	ok(placeholders(DAO_STMT_UPDATE) == USER_TEXT_COUNT + 1 &&
	        placeholders(DAO_STMT_DELETE) == 1,
	    "update and delete: the fields and the id, the id");
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char path[4096], *doc, *golden;

	snprintf(path, sizeof(path), "%s/%s",
	    top != NULL && *top != '\0' ? top : ".", GOLDEN);
	render_all();
	doc = document();
	if (argc == 2 && strcmp(argv[1], "--write") == 0) {
		int rc = write_golden(path, doc);

		free(doc);
		return rc;
	}
	golden = slurp(path);
	ok(golden != NULL, "%s is readable", path);
	check_entries(golden);
	check_shape();
	check_replica_texts();
	check_if_match();
	check_boundable();
	/* A shape the builder does not make is refused, not rendered. */
	{
		struct dao_filter_shape k;
		char buf[DAO_SQL_MAX];

		one_term(&k, USER_EMAIL, FILTER_IN, 3);
		ok(dao_sql_filtered(&k, buf, sizeof(buf)) != 0,
		    "an in list of 3 placeholders (no bucket) is refused");
		one_term(&k, USER_CREATION_DATE, FILTER_EQ, 1);
		ok(dao_sql_filtered(&k, buf, sizeof(buf)) != 0,
		    "a date's eq with one placeholder is refused");
		ok(dao_filter_bucket(3) == 4 && dao_filter_bucket(50) == 50 &&
		        dao_filter_bucket(51) == -1,
		    "in buckets");
	}
	ok(golden != NULL && strcmp(golden, doc) == 0,
	    "the golden file holds these %d statements and nothing else",
	    n_entries);
	free(golden);
	free(doc);
	return tap_done();
}
