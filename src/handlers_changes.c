/* GET /v1/users/changes (api-extensions.md section 8): the change feed,
 * read on the primary, a page of changes after the client's cursor. */
#include "handlers.h"

#include <stdio.h>

#include "paging.h"
#include "sync.h"

static const char *const op_names[] = {
	[DAO_CHANGE_ADD] = "add",
	[DAO_CHANGE_UPDATE] = "update",
	[DAO_CHANGE_DELETE] = "delete",
};

struct feed_page {
	json_object *array;
	long last_seq;
};

/* The contract's name of op; a value the table lacks reads as an update. */
static const char *op_name(enum dao_change_op op)
{
	if ((size_t)op < sizeof(op_names) / sizeof(op_names[0]) &&
	    op_names[op] != NULL)
		return op_names[op];
	return "update";
}

static void add_change(const struct dao_change *c, void *ctx)
{
	struct feed_page *p = ctx;
	json_object *o = json_object_new_object();
	const char *op = op_name(c->op);

	json_object_object_add(o, "seq", json_object_new_int64(c->seq));
	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "id", json_object_new_int64(c->id));
	json_object_object_add(o, "at", json_object_new_string(c->at));
	json_object_object_add(o, "user",
	    c->user != NULL ? user_to_json(c->user, USER_VIEW_FULL) : NULL);
	json_object_array_add(p->array, o);
	p->last_seq = c->seq;
}

/* limit= as the list routes read it; on a bad one answers 400, -1. The
 * lists' other parameters mean nothing here: a bad one is refused too
 * (one parser, one answer). */
static int read_limit(const struct request *req, struct response *res,
    long *limit)
{
	const struct config_pagination *cfg = &req->cfg->pagination;
	enum paging_error err;
	struct paging p;
	char msg[256];

	err = paging_parse(req->query, cfg->default_limit, cfg->max_limit, &p);
	if (err == PAGING_OK) {
		*limit = p.limit;
		return 0;
	}
	http_answer_text(res, paging_error_answer(err),
	    paging_error_message(err, cfg->max_limit, msg, sizeof(msg)));
	return -1;
}

void handle_users_changes(const struct request *req, struct response *res)
{
	struct feed_page page = { NULL, -1 };
	struct dao_feed_head head;
	enum dao_status s;
	long after = 0, limit;
	int has_after;

	if ((has_after = sync_after_parse(req->query, &after)) < 0) {
		http_answer(res, ANSWER_BAD_AFTER);
		return;
	}
	if (read_limit(req, res, &limit) != 0)
		return;
	page.array = json_object_new_array();
	s = dao_changes_page(after, has_after ? limit : 0, add_change, &page,
	    &head);
	if (s != DAO_OK) {
		json_object_put(page.array);
		handler_dao_failure(res, s);
		return;
	}
	dao_housekeeping_want();
	if (has_after && after < head.purged) {
		json_object_put(page.array);
		http_answer(res, ANSWER_FEED_GONE);
		return;
	}
	if (has_after && after > head.seq) {
		json_object_put(page.array);
		http_answer(res, ANSWER_BAD_AFTER);
		return;
	}
	res->next_param = "after";
	if (!has_after)
		sync_cursor_format(head.seq, res->next_cursor,
		    sizeof(res->next_cursor));
	else if (page.last_seq >= 0)
		sync_cursor_format(page.last_seq, res->next_cursor,
		    sizeof(res->next_cursor));
	http_json(res, 200, page.array);
}
