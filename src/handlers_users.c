/* Read routes: list, by id, substring search and day search. Every array
 * answer goes through the same paging parser and row collector, which
 * names the next page's cursor when a page is full. */
#include "handlers.h"

#include <stdlib.h>

#include "listopts.h"
#include "xmalloc.h"
#include "params.h"
#include "paging.h"

struct collector {
	json_object *array;
	enum user_view view;
	unsigned fields;  /* fields=: bits (1u << column) */
	uint64_t filters; /* filter_digest, carried by the next cursor */
	struct dao_total total;
	const char *total_header; /* X-Total-Count-Kind; NULL: none */
	const struct paging *paging;
	long rows;
	int full; /* a full page: next holds its last row */
	struct cursor next;
};

static void collect_row(const struct user *u, void *ctx)
{
	struct collector *c = ctx;

	json_object_array_add(c->array,
	    user_to_json_masked(u, c->view, c->fields));
	/* Only the last row of a full page makes a cursor. */
	if (++c->rows == c->paging->limit) {
		c->full = cursor_from_user(&c->next, u, c->paging->order_by,
		              c->paging->descending) == 0;
		c->next.filters = c->filters;
	}
}

/* The count= kinds as the DAO and X-Total-Count-Kind name them. */
static const struct {
	enum dao_count_kind kind;
	const char *header;
} count_kinds[] = {
	[LISTOPTS_COUNT_NONE] = { DAO_COUNT_NONE, NULL },
	[LISTOPTS_COUNT_EXACT] = { DAO_COUNT_EXACT, "exact" },
	[LISTOPTS_COUNT_ESTIMATED] = { DAO_COUNT_ESTIMATED, "estimated" },
};

/* Paging from the query string; on failure answers 400, returns -1. */
static int parse_paging(const struct request *req, struct response *res,
    struct paging *p)
{
	const struct config_pagination *cfg = &req->cfg->pagination;
	enum paging_error err;
	char msg[256];

	err = paging_parse(req->query, cfg->default_limit, cfg->max_limit, p);
	if (err == PAGING_OK)
		return 0;
	http_answer_text(res, paging_error_answer(err),
	    paging_error_message(err, cfg->max_limit, msg, sizeof(msg)));
	return -1;
}

/* Filters (when fs is not NULL: the list routes) and the cursor's binding
 * to them: a cursor is only good for the filters of the page that made
 * it. On failure answers 400, returns -1. */
static int parse_filters(const struct request *req, struct response *res,
    struct collector *c, const struct paging *p, struct filter_set *fs)
{
	c->filters = 0;
	if (fs != NULL) {
		enum filter_error err = filter_parse(req->query, fs);

		if (err != FILTER_OK) {
			http_answer(res, filter_error_answer(err));
			return -1;
		}
		c->filters = filter_digest(fs);
	}
	if (p->has_cursor && p->cursor.filters != c->filters) {
		http_answer(res, ANSWER_BAD_CURSOR);
		return -1;
	}
	return 0;
}

/*
 * Reads paging, filters, count and fields from the query string into c,
 * p and fs; on a bad one answers 400 and returns -1. The first bad one in
 * that order decides.
 */
static int parse_array(const struct request *req, struct response *res,
    struct collector *c, struct paging *p, struct filter_set *fs)
{
	enum listopts_count count;

	if (parse_paging(req, res, p) != 0 ||
	    parse_filters(req, res, c, p, fs) != 0)
		return -1;
	if (listopts_count(req->query, &count) != 0) {
		http_answer(res, ANSWER_BAD_COUNT);
		return -1;
	}
	c->total.kind = count_kinds[count].kind;
	c->total_header = count_kinds[count].header;
	c->total.rows = 0;
	if (listopts_fields(req->query, user_view_columns(c->view),
	        &c->fields) != 0) {
		http_answer(res, ANSWER_BAD_FIELDS);
		return -1;
	}
	return 0;
}

static void collector_init(struct collector *c, enum user_view view,
    const struct paging *p)
{
	c->array = json_object_new_array();
	c->view = view;
	c->paging = p;
	c->rows = 0;
	c->full = 0;
}

/* The collector and the options of an array route; -1 after a 400. */
static int array_start(const struct request *req, struct response *res,
    struct collector *c, enum user_view view, struct paging *p,
    struct filter_set *fs)
{
	c->view = view;
	c->array = NULL;
	if (parse_array(req, res, c, p, fs) != 0)
		return -1;
	collector_init(c, view, p);
	return 0;
}

/*
 * Answers 200 with the collected array, or the DAO failure. A full page
 * may have a next one: the answer then names the cursor that reads it.
 */
static void finish_array(struct response *res, struct collector *c,
    enum dao_status status)
{
	if (status != DAO_OK) {
		json_object_put(c->array);
		handler_dao_failure(res, status);
		return;
	}
	if (c->full &&
	    cursor_encode(&c->next, res->next_cursor,
	        sizeof(res->next_cursor)) < 0)
		res->next_cursor[0] = '\0';
	res->total = c->total.rows;
	res->total_kind = c->total_header;
	http_json(res, 200, c->array);
}

static void list(const struct request *req, struct response *res,
    enum user_view view)
{
	struct filter_set *fs = xmalloc(sizeof(*fs));
	struct collector c;
	struct paging p;

	/* The set holds its values' arena: too big for a habit of the
	 * stack, owned here. */
	if (array_start(req, res, &c, view, &p, fs) == 0)
		finish_array(res, &c,
		    dao_users_filtered(&p, fs, &c.total, collect_row, &c));
	free(fs);
}

void handle_users_list(const struct request *req, struct response *res)
{
	list(req, res, USER_VIEW_FULL);
}

void handle_users_list_without_dates(const struct request *req,
    struct response *res)
{
	list(req, res, USER_VIEW_WITHOUT_DATES);
}

static void by_id(const struct request *req, struct response *res,
    enum user_view view)
{
	struct user u;
	enum dao_status status;
	unsigned fields;
	long id;

	if (handler_path_id(req, res, &id) != 0)
		return;
	if (listopts_fields(req->query, user_view_columns(view), &fields) !=
	    0) {
		http_answer(res, ANSWER_BAD_FIELDS);
		return;
	}
	status = dao_user_by_id(id, &u);
	if (status == DAO_NOT_FOUND) {
		http_answer(res, ANSWER_USER_NOT_FOUND);
		return;
	}
	if (status != DAO_OK) {
		handler_dao_failure(res, status);
		return;
	}
	handler_etag(res, &u, view, fields);
	if (etag_none_match(req->if_none_match, res->etag))
		http_answer(res, ANSWER_NOT_MODIFIED);
	else
		http_json(res, 200, user_to_json_masked(&u, view, fields));
}

void handle_user_by_id(const struct request *req, struct response *res)
{
	by_id(req, res, USER_VIEW_FULL);
}

void handle_user_limit_fields(const struct request *req, struct response *res)
{
	by_id(req, res, USER_VIEW_LIMIT_FIELDS);
}

void handle_users_search(const struct request *req, struct response *res)
{
	struct collector c;
	char value[PARAMS_TEXT_BUF];
	struct paging p;
	size_t len;

	if (params_text(req->arg, req->arg_len, value, &len) != 0) {
		http_answer(res, ANSWER_BAD_VALUE);
		return;
	}
	if (array_start(req, res, &c, USER_VIEW_FULL, &p, NULL) != 0)
		return;
	finish_array(res, &c,
	    dao_users_search_counted(req->column, value, len, &p, &c.total,
	        collect_row, &c));
}

void handle_users_on_day(const struct request *req, struct response *res)
{
	struct collector c;
	struct paging p;
	int y, m, d;

	if (params_day(req->arg, req->arg_len, &y, &m, &d) != 0) {
		http_answer(res, ANSWER_BAD_DAY);
		return;
	}
	if (array_start(req, res, &c, USER_VIEW_FULL, &p, NULL) != 0)
		return;
	finish_array(res, &c,
	    dao_users_on_day_counted(req->column, y, m, d, &p, &c.total,
	        collect_row, &c));
}
