/* Messages and checks shared by the handlers. */
#include "handlers.h"

#include "log.h"
#include "params.h"

const char handler_msg_bad_id[] =
    "Bad request, the id passed as a parameter is not valid.";
const char handler_msg_unavailable[] =
    "ECONNREFUSED. An error has occurred with the connection or query to "
    "the database. Verify that it is active or available";
const char handler_msg_internal[] =
    "Internal server error. The error has been logged.";

int handler_path_id(const struct request *req, struct response *res,
    long *id)
{
	if (params_id(req->arg, req->arg_len, id) == 0)
		return 0;
	http_message(res, 400, handler_msg_bad_id);
	return -1;
}

void handler_dao_failure(struct response *res, enum dao_status status)
{
	if (status == DAO_UNAVAILABLE) {
		http_message(res, 503, handler_msg_unavailable);
		return;
	}
	/* The detail was logged where it happened; the client gets none. */
	http_message(res, 500, handler_msg_internal);
}
