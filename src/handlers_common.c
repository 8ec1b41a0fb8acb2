/* Checks and failure answers shared by the handlers. */
#include "handlers.h"

#include "params.h"

int handler_path_id(const struct request *req, struct response *res, long *id)
{
	if (params_id(req->arg, req->arg_len, id) == 0)
		return 0;
	http_answer(res, ANSWER_BAD_ID);
	return -1;
}

void handler_dao_failure(struct response *res, enum dao_status status)
{
	if (status == DAO_UNAVAILABLE) {
		http_answer(res, ANSWER_UNAVAILABLE);
		return;
	}
	/* The detail was logged where it happened; the client gets none. */
	http_answer(res, ANSWER_INTERNAL);
}

void handler_etag(struct response *res, const struct user *u,
    enum user_view view, unsigned fields)
{
	etag_format(u, user_view_columns(view) & fields, res->etag,
	    sizeof(res->etag));
}

/* 428 when the INI requires If-Match, 400 when it is not a tag list. */
int handler_if_match(const struct request *req, struct response *res, long id,
    struct etag_versions *want)
{
	if (req->if_match == NULL && req->cfg->writes.require_if_match) {
		http_answer(res, ANSWER_IF_MATCH_REQUIRED);
		return -1;
	}
	if (etag_if_match(req->if_match, id, want) == ETAG_OK)
		return 0;
	http_answer(res, ANSWER_BAD_IF_MATCH);
	return -1;
}
