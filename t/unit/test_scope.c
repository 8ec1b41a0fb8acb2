/* Unit tests of token scopes (scope.c) and of the route table's column of
 * them (routes.c): api-extensions.md section 6. */
#include <string.h>

#include "handlers.h"
#include "router.h"
#include "scope.h"
#include "tap.h"

static unsigned parse(const char *s)
{
	return scope_parse(s, strlen(s));
}

static void test_parse(void)
{
	ok(parse("users:read") == SCOPE_READ, "one scope");
	ok(parse("users:read users:write users:delete users:export") ==
	        (SCOPE_READ | SCOPE_WRITE | SCOPE_DELETE | SCOPE_EXPORT),
	    "all four");
	ok(parse("  users:write   openid ") == SCOPE_WRITE,
	    "extra spaces and unknown names are ignored");
	ok(parse("Users:Read USERS:WRITE") == 0,
	    "compared exactly: letter case counts");
	ok(parse("users:reader users:rea") == 0, "no prefix or longer match");
	ok(parse("") == 0, "empty grants nothing");
	ok(scope_parse("users:read\0users:write", 22) == 0,
	    "a NUL makes the word holding it unknown");
	ok(scope_parse("users:readX", 10) == SCOPE_READ,
	    "only len bytes are read");
	ok(strcmp(scope_name(SCOPE_DELETE), "users:delete") == 0 &&
	        strcmp(scope_name(SCOPE_EXPORT), "users:export") == 0 &&
	        strcmp(scope_name((enum scope)0), "") == 0,
	    "names");
	ok(strcmp(scope_challenge(SCOPE_WRITE),
	       "Bearer error=\"insufficient_scope\", scope=\"users:write\"") ==
	        0,
	    "the challenge names the scope");
	ok(scope_allows(SCOPE_READ | SCOPE_WRITE, SCOPE_WRITE) &&
	        !scope_allows(SCOPE_READ, SCOPE_WRITE) &&
	        !scope_allows(0, SCOPE_READ),
	    "scope_allows");
}

/* The scope the real table gives method + path; 0 when it routes none. */
static unsigned route_scope(enum http_method m, const char *path)
{
	const struct route *route;
	const char *arg;
	size_t arg_len;
	char allow[64];

	if (router_match(router_routes, router_route_count, m, path, &route,
	        &arg, &arg_len, allow, sizeof(allow)) != ROUTER_MATCH)
		return 0;
	return route->scope;
}

static void test_routes(void)
{
	static const char *const reads[] = { "/v1/test", "/v1/db-connection",
		"/v1/users/list", "/v1/users/list-without-dates",
		"/v1/users/id/1", "/v1/users/id-limit-fields/1",
		"/v1/users/nickname/x", "/v1/users/first-name/x",
		"/v1/users/last-name/x", "/v1/users/email/x",
		"/v1/users/identification-type/x",
		"/v1/users/identification-number/x", "/v1/users/country-id/x",
		"/v1/users/creation-date/2023-01-01",
		"/v1/users/update-date/2023-01-01" };
	size_t i, bad = 0;

	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		if (route_scope(HTTP_GET, reads[i]) != SCOPE_READ)
			bad++;
	ok(bad == 0, "every GET route but export needs users:read");
	ok(route_scope(HTTP_GET, "/v1/users/export") == SCOPE_EXPORT,
	    "export needs users:export");
	ok(route_scope(HTTP_POST, "/v1/users/add-user") == SCOPE_WRITE,
	    "add needs users:write");
	ok(route_scope(HTTP_PUT, "/v1/users/update-user/1") == SCOPE_WRITE &&
	        route_scope(HTTP_PATCH, "/v1/users/update-user/1") ==
	            SCOPE_WRITE,
	    "PUT and PATCH need users:write");
	ok(route_scope(HTTP_DELETE, "/v1/users/delete-user/1") == SCOPE_DELETE,
	    "delete needs users:delete");
	for (i = bad = 0; i < router_route_count; i++)
		if (router_routes[i].scope == 0)
			bad++;
	ok(bad == 0, "every row of the table names a scope");
}

int main(void)
{
	test_parse();
	test_routes();
	return tap_done();
}
