/* Unit tests of the service's real route table (routes.c): every contract
 * route reaches its handler, the others are 404 or 405 with Allow. */
#include <string.h>

#include "handlers.h"
#include "router.h"
#include "tap.h"

static const struct route *route;
static const char *arg;
static size_t arg_len;
static char allow[64];

static enum router_result match(enum http_method m, const char *path)
{
	route = NULL;
	allow[0] = '\0';
	return router_match(router_routes, router_route_count, m, path, &route,
	    &arg, &arg_len, allow, sizeof(allow));
}

static int reaches(enum http_method m, const char *path, handler_fn h,
    int column)
{
	return match(m, path) == ROUTER_MATCH && route->handler == h &&
	    route->column == column;
}

static int refuses(enum http_method m, const char *path, const char *want)
{
	return match(m, path) == ROUTER_METHOD_NOT_ALLOWED &&
	    strcmp(allow, want) == 0;
}

static void test_reads(void)
{
	ok(reaches(HTTP_GET, "/v1/test", handle_test, 0), "GET /v1/test");
	ok(reaches(HTTP_GET, "/v1/db-connection", handle_db_connection, 0),
	    "GET /v1/db-connection");
	ok(reaches(HTTP_GET, "/v1/users/list", handle_users_list, 0),
	    "GET list");
	ok(reaches(HTTP_GET, "/v1/users/list-without-dates",
	       handle_users_list_without_dates, 0),
	    "GET list-without-dates");
	ok(reaches(HTTP_GET, "/v1/users/id/4", handle_user_by_id, 0) &&
	        arg_len == 1 && arg[0] == '4',
	    "GET id/4 with its value");
	ok(reaches(HTTP_GET, "/v1/users/id-limit-fields/4",
	       handle_user_limit_fields, 0),
	    "GET id-limit-fields/4");
	ok(reaches(HTTP_GET, "/v1/users/nickname/x", handle_users_search,
	       USER_NICKNAME),
	    "nickname search");
	ok(reaches(HTTP_GET, "/v1/users/first-name/x", handle_users_search,
	       USER_FIRST_NAME),
	    "first-name search");
	ok(reaches(HTTP_GET, "/v1/users/last-name/x", handle_users_search,
	       USER_LAST_NAME),
	    "last-name search");
	ok(reaches(HTTP_GET, "/v1/users/email/x", handle_users_search,
	       USER_EMAIL),
	    "email search");
	ok(reaches(HTTP_GET, "/v1/users/identification-type/x",
	       handle_users_search, USER_IDENTIFICATION_TYPE),
	    "identification-type search");
	ok(reaches(HTTP_GET, "/v1/users/identification-number/x",
	       handle_users_search, USER_IDENTIFICATION_NUMBER),
	    "identification-number search");
	ok(reaches(HTTP_GET, "/v1/users/country-id/x", handle_users_search,
	       USER_COUNTRY_ID),
	    "country-id search");
	ok(reaches(HTTP_GET, "/v1/users/creation-date/2023-03-20",
	       handle_users_on_day, USER_CREATION_DATE),
	    "creation-date search");
	ok(reaches(HTTP_GET, "/v1/users/update-date/2023-03-20",
	       handle_users_on_day, USER_UPDATE_DATE),
	    "update-date search");
}

static void test_writes(void)
{
	ok(reaches(HTTP_POST, "/v1/users/add-user", handle_user_add, 0),
	    "POST add-user");
	ok(reaches(HTTP_POST, "/v1/users/add-user/", handle_user_add, 0),
	    "POST add-user/ (trailing slash)");
	ok(reaches(HTTP_PUT, "/v1/users/update-user/6", handle_user_update, 0),
	    "PUT update-user");
	ok(reaches(HTTP_PATCH, "/v1/users/update-user/6", handle_user_update,
	       0),
	    "PATCH update-user");
	ok(reaches(HTTP_DELETE, "/v1/users/delete-user/6", handle_user_delete,
	       0),
	    "DELETE delete-user");
}

static void test_refusals(void)
{
	ok(match(HTTP_GET, "/v1/users/id/") == ROUTER_NOT_FOUND,
	    "empty id segment is 404");
	ok(match(HTTP_GET, "/v1/users/list/") == ROUTER_NOT_FOUND,
	    "list takes no trailing slash");
	ok(match(HTTP_GET, "/v1/Users/list") == ROUTER_NOT_FOUND,
	    "paths are case-sensitive");
	ok(match(HTTP_GET, "/v1/users/id/4/5") == ROUTER_NOT_FOUND,
	    "two segments are 404");
	ok(match(HTTP_GET, "/v2/test") == ROUTER_NOT_FOUND, "other prefix");
	ok(refuses(HTTP_POST, "/v1/users/list", "GET"), "POST list: Allow GET");
	ok(refuses(HTTP_GET, "/v1/users/add-user", "POST"),
	    "GET add-user: Allow POST");
	ok(refuses(HTTP_GET, "/v1/users/update-user/1", "PUT, PATCH"),
	    "GET update-user: Allow PUT, PATCH");
	ok(refuses(HTTP_GET, "/v1/users/delete-user/1", "DELETE"),
	    "GET delete-user: Allow DELETE");
	ok(refuses(HTTP_OTHER, "/v1/test", "GET"), "HEAD/OPTIONS: Allow GET");
}

int main(void)
{
	test_reads();
	test_writes();
	test_refusals();
	return tap_done();
}
