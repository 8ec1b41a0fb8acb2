/* Write routes: add, update, delete. The body is checked in the order a
 * client can fix it: media type, size, then content. */
#include "handlers.h"

#include <stdio.h>

#include "listopts.h"
#include "params.h"
#include "validate.h"

/* fields= (api-extensions.md section 3) of the user a write answers,
 * read before the write so that a bad one changes nothing; on failure
 * answers 400 and returns -1. */
static int read_selection(const struct request *req, struct response *res,
    unsigned *mask)
{
	if (listopts_fields(req->query, user_view_columns(USER_VIEW_FULL),
	        mask) == 0)
		return 0;
	http_answer(res, ANSWER_BAD_FIELDS);
	return -1;
}

/* Checks and parses the body into *f; on failure answers and returns -1. */
static int read_fields(const struct request *req, struct response *res,
    enum validate_mode mode, struct user_fields *f)
{
	char msg[1024];

	if (!params_is_json(req->content_type)) {
		http_answer(res, ANSWER_MEDIA_TYPE);
		return -1;
	}
	if (req->body_too_large) {
		http_answer(res, ANSWER_TOO_LARGE);
		return -1;
	}
	if (validate_user_body(req->body ? req->body : "", req->body_len, mode,
	        f, msg, sizeof(msg)) != 0) {
		http_answer_text(res, ANSWER_BAD_ATTRIBUTES, msg);
		return -1;
	}
	return 0;
}

void handle_user_add(const struct request *req, struct response *res)
{
	struct user_fields f;
	struct user u;
	enum dao_status status;
	unsigned mask;

	if (read_fields(req, res, VALIDATE_ADD, &f) != 0 ||
	    read_selection(req, res, &mask) != 0)
		return;
	status = dao_user_add(&f, &u);
	if (status == DAO_CONFLICT) {
		http_answer(res, ANSWER_ADD_CONFLICT);
		return;
	}
	if (status != DAO_OK) {
		handler_dao_failure(res, status);
		return;
	}
	snprintf(res->location, sizeof(res->location), "/v1/users/id/%ld",
	    u.id);
	handler_etag(res, &u, USER_VIEW_FULL, mask);
	http_json(res, 201, user_to_json_masked(&u, USER_VIEW_FULL, mask));
}

/*
 * The precondition is read before the body: a client that sent none
 * where one is required learns that first. A 412 carries the ETag the
 * user has now, of the representation the write would have answered.
 */
void handle_user_update(const struct request *req, struct response *res)
{
	struct etag_versions want;
	struct user_fields f;
	struct user u;
	enum dao_status status;
	unsigned mask;
	long id;

	if (handler_path_id(req, res, &id) != 0 ||
	    handler_if_match(req, res, id, &want) != 0 ||
	    read_fields(req, res, VALIDATE_UPDATE, &f) != 0 ||
	    read_selection(req, res, &mask) != 0)
		return;
	status = dao_user_update(id, &want, &f, &u);
	if (status == DAO_OK || status == DAO_STALE)
		handler_etag(res, &u, USER_VIEW_FULL, mask);
	if (status == DAO_NOT_FOUND)
		http_answer(res, ANSWER_UPDATE_MISSING);
	else if (status == DAO_CONFLICT)
		http_answer(res, ANSWER_UPDATE_CONFLICT);
	else if (status == DAO_STALE)
		http_answer(res, ANSWER_STALE);
	else if (status != DAO_OK)
		handler_dao_failure(res, status);
	else
		http_json(res, 200,
		    user_to_json_masked(&u, USER_VIEW_FULL, mask));
}

void handle_user_delete(const struct request *req, struct response *res)
{
	struct etag_versions want;
	enum dao_status status;
	struct user current;
	long id;

	if (handler_path_id(req, res, &id) != 0 ||
	    handler_if_match(req, res, id, &want) != 0)
		return;
	status = dao_user_delete(id, &want, &current);
	if (status == DAO_NOT_FOUND) {
		http_answer(res, ANSWER_DELETE_MISSING);
	} else if (status == DAO_STALE) {
		handler_etag(res, &current, USER_VIEW_FULL,
		    user_view_columns(USER_VIEW_FULL));
		http_answer(res, ANSWER_STALE);
	} else if (status != DAO_OK) {
		handler_dao_failure(res, status);
	} else {
		http_answer(res, ANSWER_DELETED);
	}
}
