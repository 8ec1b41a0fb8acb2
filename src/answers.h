/* Every answer the responder gives a client, as one table of status and
 * message: a text is written once, and nginx's copies are checked against
 * it (t/unit/test_answers.c). Handlers send one with http_answer(). */
#ifndef USERS_ANSWERS_H
#define USERS_ANSWERS_H

/*
 * "Fixed start" answers are sent with a detail after the table's text
 * (http_answer_text): the number or the failed rules that follow it.
 */
enum answer {
	ANSWER_UP,                  /* 200 GET /v1/test */
	ANSWER_DB_CONNECTED,        /* 200 GET /v1/db-connection */
	ANSWER_DELETED,             /* 200 a user deleted */
	ANSWER_NOT_MODIFIED,        /* 304 If-None-Match: no body is sent */
	ANSWER_BAD_ID,              /* 400 path id */
	ANSWER_BAD_VALUE,           /* 400 path search text */
	ANSWER_BAD_DAY,             /* 400 path date */
	ANSWER_BAD_PAGE,            /* 400 fixed start: the largest page */
	ANSWER_BAD_LIMIT,           /* 400 fixed start: max_limit */
	ANSWER_BAD_ORDER_BY,        /* 400 */
	ANSWER_BAD_ORDER_AT,        /* 400 */
	ANSWER_BAD_CURSOR,          /* 400 */
	ANSWER_CURSOR_WITH_PAGE,    /* 400 */
	ANSWER_CURSOR_MISMATCH,     /* 400 */
	ANSWER_BAD_FILTER_FIELD,    /* 400 filter.<unknown> */
	ANSWER_BAD_FILTER_OPERATOR, /* 400 */
	ANSWER_BAD_FILTER_VALUE,    /* 400 */
	ANSWER_BAD_COUNT,           /* 400 count= */
	ANSWER_BAD_FIELDS,          /* 400 fields= */
	ANSWER_BAD_FORMAT,          /* 400 export format= */
	ANSWER_BAD_ATTRIBUTES,      /* 400 fixed start: the failed body rules */
	ANSWER_BAD_AFTER,           /* 400 change feed after= */
	ANSWER_BAD_IDEMPOTENCY_KEY, /* 400 Idempotency-Key */
	ANSWER_BAD_IF_MATCH,        /* 400 If-Match not a list of tags */
	ANSWER_UNAUTHENTICATED,     /* 401; nginx's 403 says the same */
	ANSWER_INSUFFICIENT_SCOPE,  /* 403 fixed start: the scope needed */
	ANSWER_NO_ROUTE,            /* 404 */
	ANSWER_USER_NOT_FOUND,      /* 404 read of a missing id */
	ANSWER_UPDATE_MISSING,      /* 404 */
	ANSWER_DELETE_MISSING,      /* 404 */
	ANSWER_BAD_METHOD,          /* 405, with Allow */
	ANSWER_ADD_CONFLICT,        /* 409 */
	ANSWER_UPDATE_CONFLICT,     /* 409 */
	ANSWER_FEED_GONE,           /* 410 after= older than retention */
	ANSWER_STALE,               /* 412 If-Match: the user changed */
	ANSWER_TOO_LARGE,           /* 413, names HTTP_MAX_BODY */
	ANSWER_MEDIA_TYPE,          /* 415 */
	ANSWER_IDEMPOTENCY_REUSED,  /* 422 the key with another body */
	ANSWER_IF_MATCH_REQUIRED,   /* 428 [writes] require_if_match */
	ANSWER_INTERNAL,            /* 500, nginx's 500 too */
	ANSWER_UNAVAILABLE,         /* 503 the database */
	ANSWER_COUNT
};

/* The HTTP status of a; 500 for a value outside the enum. */
int answer_status(enum answer a);
/* The message of a (static, never NULL); the 500 text outside the enum. */
const char *answer_text(enum answer a);

#endif
