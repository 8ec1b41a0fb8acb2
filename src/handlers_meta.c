/* Liveness and database-reachability routes. */
#include "handlers.h"

void handle_test(const struct request *req, struct response *res)
{
	(void)req;
	http_answer(res, ANSWER_UP);
}

void handle_db_connection(const struct request *req, struct response *res)
{
	enum dao_status status = dao_ping();

	(void)req;
	if (status != DAO_OK) {
		handler_dao_failure(res, status);
		return;
	}
	http_answer(res, ANSWER_DB_CONNECTED);
}
