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
