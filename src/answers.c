/* The answers table: status and message of every answer the responder
 * gives. The texts are the contract's (README, docs/openapi.yaml). */
#include "answers.h"

#include "http.h"

/* HTTP_MAX_BODY as text, so the 413 message cannot name another limit. */
#define ANSWER_STR_(x) #x
#define ANSWER_STR(x) ANSWER_STR_(x)

/* One text for the conflicts of add and update, but for the verb. */
#define ANSWER_UNIQUES \
	"The first_name next together the last_name should be uniques. " \
	"The identification_type next together the identification_number " \
	"should be uniques."

/* The start of the three filter 400s (api-extensions.md section 1). */
#define ANSWER_FILTER \
	"It is not possible to apply filtering based on the requested " \
	"filter value. "

static const struct {
	int status;
	const char *text;
} answers[ANSWER_COUNT] = {
	[ANSWER_UP] = { 200, "The users service is up and answering." },
	[ANSWER_DB_CONNECTED] = { 200,
	    "Connection has been established successfully." },
	[ANSWER_DELETED] = { 200, "User has been deleted successfully." },
	/* Never sent: a 304 has no body (http_format_response). */
	[ANSWER_NOT_MODIFIED] = { 304,
	    "Not modified, the user still has the ETag of If-None-Match." },
	[ANSWER_BAD_ID] = { 400,
	    "Bad request, the id passed as a parameter is not valid." },
	[ANSWER_BAD_VALUE] = { 400,
	    "Bad request, the value passed as a parameter is not valid. It "
	    "must be 1 to 100 characters of percent-encoded UTF-8." },
	[ANSWER_BAD_DAY] = { 400,
	    "Bad request, the date passed as a parameter is not valid. It "
	    "must be a real date written YYYY-MM-DD." },
	[ANSWER_BAD_PAGE] = { 400,
	    "Bad request, the page parameter must be an integer from 0 to " },
	[ANSWER_BAD_LIMIT] = { 400,
	    "Bad request, the limit parameter must be an integer from 1 to " },
	[ANSWER_BAD_ORDER_BY] = { 400,
	    "It is not possible to apply sorting based on the requested "
	    "orderBy value. Invalid field" },
	[ANSWER_BAD_ORDER_AT] = { 400,
	    "It is not possible to apply sorting based on the requested "
	    "orderAt value. Invalid field" },
	[ANSWER_BAD_CURSOR] = { 400,
	    "Bad request, the cursor parameter is not valid. Send the "
	    "X-Next-Cursor value of an earlier answer as it is." },
	[ANSWER_CURSOR_WITH_PAGE] = { 400,
	    "Bad request, the cursor and page parameters cannot be used "
	    "together." },
	[ANSWER_CURSOR_MISMATCH] = { 400,
	    "Bad request, the cursor was made for another orderBy or orderAt. "
	    "Send the same orderBy and orderAt as the request that answered "
	    "it." },
	[ANSWER_BAD_FILTER_FIELD] = { 400, ANSWER_FILTER "Invalid field" },
	[ANSWER_BAD_FILTER_OPERATOR] = { 400,
	    ANSWER_FILTER "Invalid operator" },
	[ANSWER_BAD_FILTER_VALUE] = { 400, ANSWER_FILTER "Invalid value" },
	[ANSWER_BAD_COUNT] = { 400,
	    "Bad request, the count parameter must be exact or estimated." },
	[ANSWER_BAD_FIELDS] = { 400,
	    "It is not possible to select the requested fields. Invalid "
	    "field" },
	[ANSWER_BAD_FORMAT] = { 400,
	    "Bad request, the format parameter must be ndjson or csv." },
	[ANSWER_BAD_ATTRIBUTES] = { 400,
	    "Bad request, check request attributes. Missing or incorrect. "
	    "CHECK: " },
	[ANSWER_BAD_AFTER] = { 400,
	    "Bad request, the after parameter is not valid. Send the "
	    "X-Next-Cursor value of an earlier answer as it is." },
	[ANSWER_BAD_IDEMPOTENCY_KEY] = { 400,
	    "Bad request, the Idempotency-Key must be 1 to 255 visible ASCII "
	    "characters." },
	[ANSWER_BAD_IF_MATCH] = { 400,
	    "Bad request, the If-Match header is not valid. Send * or the "
	    "ETag of an earlier answer as it is (at most 4 of one user)." },
	[ANSWER_UNAUTHENTICATED] = { 401,
	    "Not authenticated, check x_api_key and Authorization" },
	[ANSWER_INSUFFICIENT_SCOPE] = { 403,
	    "Forbidden, the token lacks the scope " },
	[ANSWER_NO_ROUTE] = { 404, "Not found, there is no such route." },
	[ANSWER_USER_NOT_FOUND] = { 404,
	    "Not found, there is no user with the id passed as a parameter." },
	[ANSWER_UPDATE_MISSING] = { 404,
	    "Bad request, a non-existent user cannot be updated. Operation "
	    "not allowed" },
	[ANSWER_DELETE_MISSING] = { 404,
	    "Bad request, a non-existent user cannot be deleted. Operation "
	    "not allowed" },
	[ANSWER_BAD_METHOD] = { 405,
	    "Method not allowed, see the Allow header for the methods this "
	    "route takes." },
	[ANSWER_ADD_CONFLICT] = { 409,
	    "Bad request, could not add user. CHECK: " ANSWER_UNIQUES },
	[ANSWER_UPDATE_CONFLICT] = { 409,
	    "Bad request, could not update user. CHECK: " ANSWER_UNIQUES },
	[ANSWER_FEED_GONE] = { 410,
	    "Gone, the cursor is older than the change feed keeps; export "
	    "again." },
	[ANSWER_STALE] = { 412,
	    "Precondition failed, the user was changed since it was read." },
	[ANSWER_TOO_LARGE] = { 413,
	    "Payload too large, the body must be at most " ANSWER_STR(
	        HTTP_MAX_BODY) " bytes." },
	[ANSWER_MEDIA_TYPE] = { 415,
	    "Unsupported media type, the body must be sent as "
	    "application/json." },
	[ANSWER_IDEMPOTENCY_REUSED] = { 422,
	    "Unprocessable request, the Idempotency-Key was used with another "
	    "body." },
	[ANSWER_IF_MATCH_REQUIRED] = { 428,
	    "Precondition required, send If-Match with the user's ETag." },
	[ANSWER_INTERNAL] = { 500,
	    "Internal server error. The error has been logged." },
	[ANSWER_UNAVAILABLE] = { 503,
	    "ECONNREFUSED. An error has occurred with the connection or query "
	    "to the database. Verify that it is active or available" },
};

/* An enum value outside the table is a bug: it answers as one. */
static int known(enum answer a)
{
	return (unsigned)a < ANSWER_COUNT && answers[a].text != NULL;
}

int answer_status(enum answer a)
{
	return known(a) ? answers[a].status : answers[ANSWER_INTERNAL].status;
}

const char *answer_text(enum answer a)
{
	return known(a) ? answers[a].text : answers[ANSWER_INTERNAL].text;
}
