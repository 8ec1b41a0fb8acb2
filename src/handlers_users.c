/* Read routes: list, by id, substring search and day search. Every array
 * answer goes through the same paging parser and row collector, which
 * names the next page's cursor when a page is full. */
#include "handlers.h"

#include "params.h"
#include "paging.h"

struct collector {
	json_object *array;
	enum user_view view;
	const struct paging *paging;
	long rows;
	int full; /* a full page: next holds its last row */
	struct cursor next;
};

static void collect_row(const struct user *u, void *ctx)
{
	struct collector *c = ctx;

	json_object_array_add(c->array, user_to_json(u, c->view));
	/* Only the last row of a full page makes a cursor. */
	if (++c->rows == c->paging->limit)
		c->full = cursor_from_user(&c->next, u, c->paging->order_by,
		              c->paging->descending) == 0;
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

/* Parses paging from the query string; on failure answers 400, returns -1. */
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
	http_json(res, 200, c->array);
}

static void list(const struct request *req, struct response *res,
    enum user_view view)
{
	struct collector c;
	struct paging p;

	if (parse_paging(req, res, &p) != 0)
		return;
	collector_init(&c, view, &p);
	finish_array(res, &c, dao_users_list(&p, collect_row, &c));
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
	long id;

	if (handler_path_id(req, res, &id) != 0)
		return;
	status = dao_user_by_id(id, &u);
	if (status == DAO_NOT_FOUND)
		http_answer(res, ANSWER_USER_NOT_FOUND);
	else if (status != DAO_OK)
		handler_dao_failure(res, status);
	else
		http_json(res, 200, user_to_json(&u, view));
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
	if (parse_paging(req, res, &p) != 0)
		return;
	collector_init(&c, USER_VIEW_FULL, &p);
	finish_array(res, &c,
	    dao_users_search(req->column, value, len, &p, collect_row, &c));
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
	if (parse_paging(req, res, &p) != 0)
		return;
	collector_init(&c, USER_VIEW_FULL, &p);
	finish_array(res, &c,
	    dao_users_on_day(req->column, y, m, d, &p, collect_row, &c));
}
