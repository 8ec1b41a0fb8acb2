/* Write routes: add, update, delete. The body is checked in the order a
 * client can fix it: media type, size, then content. */
#include "handlers.h"

#include <stdio.h>

#include "params.h"
#include "validate.h"

static const char msg_add_conflict[] =
    "Bad request, could not add user. CHECK: The first_name next together "
    "the last_name should be uniques. The identification_type next together "
    "the identification_number should be uniques.";
static const char msg_update_conflict[] =
    "Bad request, could not update user. CHECK: The first_name next together "
    "the last_name should be uniques. The identification_type next together "
    "the identification_number should be uniques.";
static const char msg_update_missing[] =
    "Bad request, a non-existent user cannot be updated. Operation not "
    "allowed";
static const char msg_delete_missing[] =
    "Bad request, a non-existent user cannot be deleted. Operation not "
    "allowed";
static const char msg_deleted[] = "User has been deleted successfully.";
static const char msg_media_type[] =
    "Unsupported media type, the body must be sent as application/json.";
static const char msg_too_large[] =
    "Payload too large, the body must be at most 16384 bytes.";

/* Checks and parses the body into *f; on failure answers and returns -1. */
static int read_fields(const struct request *req, struct response *res,
    enum validate_mode mode, struct user_fields *f)
{
	char msg[1024];

	if (!params_is_json(req->content_type)) {
		http_message(res, 415, msg_media_type);
		return -1;
	}
	if (req->body_too_large) {
		http_message(res, 413, msg_too_large);
		return -1;
	}
	if (validate_user_body(req->body ? req->body : "", req->body_len, mode,
	    f, msg, sizeof(msg)) != 0) {
		http_message(res, 400, msg);
		return -1;
	}
	return 0;
}

void handle_user_add(const struct request *req, struct response *res)
{
	struct user_fields f;
	struct user u;
	enum dao_status status;

	if (read_fields(req, res, VALIDATE_ADD, &f) != 0)
		return;
	status = dao_user_add(&f, &u);
	if (status == DAO_CONFLICT) {
		http_message(res, 409, msg_add_conflict);
		return;
	}
	if (status != DAO_OK) {
		handler_dao_failure(res, status);
		return;
	}
	snprintf(res->location, sizeof(res->location), "/v1/users/id/%ld",
	    u.id);
	http_json(res, 201, user_to_json(&u, USER_VIEW_FULL));
}

void handle_user_update(const struct request *req, struct response *res)
{
	struct user_fields f;
	struct user u;
	enum dao_status status;
	long id;

	if (handler_path_id(req, res, &id) != 0 ||
	    read_fields(req, res, VALIDATE_UPDATE, &f) != 0)
		return;
	status = dao_user_update(id, &f, &u);
	if (status == DAO_NOT_FOUND)
		http_message(res, 404, msg_update_missing);
	else if (status == DAO_CONFLICT)
		http_message(res, 409, msg_update_conflict);
	else if (status != DAO_OK)
		handler_dao_failure(res, status);
	else
		http_json(res, 200, user_to_json(&u, USER_VIEW_FULL));
}

void handle_user_delete(const struct request *req, struct response *res)
{
	enum dao_status status;
	long id;

	if (handler_path_id(req, res, &id) != 0)
		return;
	status = dao_user_delete(id);
	if (status == DAO_NOT_FOUND)
		http_message(res, 404, msg_delete_missing);
	else if (status != DAO_OK)
		handler_dao_failure(res, status);
	else
		http_message(res, 200, msg_deleted);
}
