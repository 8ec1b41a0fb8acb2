/* The route handlers, and the checks they share. Each handler reads a
 * struct request and fills a struct response from the answers table
 * (answers.h); none writes to FastCGI. */
#ifndef USERS_HANDLERS_H
#define USERS_HANDLERS_H

#include "dao.h"
#include "http.h"

/* handlers_meta.c */
void handle_test(const struct request *req, struct response *res);
void handle_db_connection(const struct request *req, struct response *res);

/* handlers_users.c: reads */
void handle_users_list(const struct request *req, struct response *res);
void handle_users_list_without_dates(const struct request *req,
    struct response *res);
void handle_user_by_id(const struct request *req, struct response *res);
void handle_user_limit_fields(const struct request *req, struct response *res);
void handle_users_search(const struct request *req, struct response *res);
void handle_users_on_day(const struct request *req, struct response *res);

/* handlers_export.c: the streamed export */
void handle_users_export(const struct request *req, struct response *res);

/* handlers_changes.c: the change feed */
void handle_users_changes(const struct request *req, struct response *res);

/* handlers_write.c: writes */
void handle_user_add(const struct request *req, struct response *res);
void handle_user_update(const struct request *req, struct response *res);
void handle_user_delete(const struct request *req, struct response *res);

/* handlers_common.c */
/* Parses the route's id into *id; on failure answers 400 and returns -1. */
int handler_path_id(const struct request *req, struct response *res, long *id);
/* Answers 503 or 500 for a DAO failure other than NOT_FOUND / CONFLICT. */
void handler_dao_failure(struct response *res, enum dao_status status);
/* Sets res's ETag: u as the view shows it, its fields= mask applied. */
void handler_etag(struct response *res, const struct user *u,
    enum user_view view, unsigned fields);
/* Reads If-Match for user id into *want (absent: any version); on a
 * missing one that [writes] require_if_match wants (428) or a bad one
 * (400) answers and returns -1. */
int handler_if_match(const struct request *req, struct response *res, long id,
    struct etag_versions *want);

#endif
