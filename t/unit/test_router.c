/* Unit tests for router.c (on a small table of its own, not routes.c) and
 * http.c: shapes, values, case, 404 versus 405 with Allow, the helpers and
 * the response writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "tap.h"

/* Each dummy handler leaves its own status, so a test can tell them apart. */
#define DUMMY(name, code) \
	static void name(const struct request *req, struct response *res) \
	{ \
		(void)req; \
		http_message(res, code, #name); \
	}

DUMMY(h_test, 901)
DUMMY(h_list, 902)
DUMMY(h_id, 903)
DUMMY(h_nickname, 904)
DUMMY(h_add, 905)
DUMMY(h_update, 906)
DUMMY(h_delete, 907)
DUMMY(h_thing_get, 908)
DUMMY(h_thing_delete, 909)
DUMMY(h_things_post, 910)
DUMMY(h_odd, 911)

static const struct route table[] = {
	{ ROUTE_EXACT, "/v1/test", HTTP_GET, h_test, 0, 0 },
	{ ROUTE_EXACT, "/v1/users/list", HTTP_GET, h_list, 0, 0 },
	{ ROUTE_VALUE, "/v1/users/id/", HTTP_GET, h_id, 0, 0 },
	{ ROUTE_VALUE, "/v1/users/nickname/", HTTP_GET, h_nickname, 42, 0 },
	{ ROUTE_EXACT_SLASH, "/v1/users/add-user", HTTP_POST, h_add, 0, 0 },
	{ ROUTE_VALUE, "/v1/users/update-user/", HTTP_PUT | HTTP_PATCH,
	    h_update, 0, 0 },
	{ ROUTE_VALUE, "/v1/users/delete-user/", HTTP_DELETE, h_delete, 0, 0 },
	/* One path shape split over two rows: Allow must be their union. */
	{ ROUTE_VALUE, "/v1/things/", HTTP_GET, h_thing_get, 0, 0 },
	{ ROUTE_VALUE, "/v1/things/", HTTP_DELETE, h_thing_delete, 0, 0 },
	{ ROUTE_EXACT, "/v1/things/", HTTP_POST, h_things_post, 0, 0 },
	/* A table that wrongly lists HTTP_OTHER still never routes HEAD. */
	{ ROUTE_EXACT, "/v1/odd", HTTP_GET | HTTP_OTHER, h_odd, 0, 0 },
};

#define TABLE_COUNT (sizeof(table) / sizeof(table[0]))

static const struct route *rt;
static const char *arg;
static size_t arg_len;
static char allow[64];

static enum router_result match(enum http_method m, const char *path)
{
	rt = (const struct route *)1;
	arg = "poison";
	arg_len = 99;
	strcpy(allow, "poison");
	return router_match(table, TABLE_COUNT, m, path, &rt, &arg, &arg_len,
	    allow, sizeof(allow));
}

/* The handler the route points to, run: its status identifies it. */
static int handler_status(void)
{
	struct response res;
	int status;

	memset(&res, 0, sizeof(res));
	rt->handler(NULL, &res);
	status = res.status;
	json_object_put(res.body);
	return status;
}

static int matched(enum http_method m, const char *path, int status)
{
	return match(m, path) == ROUTER_MATCH && rt != NULL &&
	    handler_status() == status && allow[0] == '\0';
}

/* Matched a value route, with the value exactly want (raw). */
static int matched_value(enum http_method m, const char *path, int status,
    const char *want)
{
	return matched(m, path, status) && arg != NULL &&
	    arg_len == strlen(want) && strncmp(arg, want, arg_len) == 0 &&
	    arg >= path && arg < path + strlen(path);
}

static int not_found(enum http_method m, const char *path)
{
	return match(m, path) == ROUTER_NOT_FOUND && rt == NULL &&
	    arg == NULL && arg_len == 0 && allow[0] == '\0';
}

static int not_allowed(enum http_method m, const char *path,
    const char *want_allow)
{
	return match(m, path) == ROUTER_METHOD_NOT_ALLOWED && rt == NULL &&
	    arg == NULL && strcmp(allow, want_allow) == 0;
}

static void test_exact(void)
{
	ok(matched(HTTP_GET, "/v1/test", 901), "GET /v1/test");
	ok(matched(HTTP_GET, "/v1/users/list", 902), "GET /v1/users/list");
	ok(match(HTTP_GET, "/v1/test") == ROUTER_MATCH && arg == NULL &&
	        arg_len == 0,
	    "exact route has no value");
	ok(not_found(HTTP_GET, "/v1/test/"), "exact: trailing slash is 404");
	ok(not_found(HTTP_GET, "/v1/users/list/"), "list/ is 404");
	ok(not_found(HTTP_GET, "/v1/testx"), "longer path is 404");
	ok(not_found(HTTP_GET, "/v1/tes"), "shorter path is 404");
	ok(not_found(HTTP_GET, "/v1/Test"), "paths are case-sensitive");
	ok(not_found(HTTP_GET, "/V1/users/list"), "prefix case-sensitive");
	ok(not_found(HTTP_GET, "/v1/users/list?x=1"),
	    "query is not part of the path");
	ok(not_found(HTTP_GET, "/v1/users/list-without-dates"),
	    "path not in table is 404");
	ok(not_found(HTTP_GET, "/v1/%74est"), "encoded path is not decoded");
	ok(not_found(HTTP_GET, "//v1/test"), "double slash is 404");
	ok(not_found(HTTP_GET, ""), "empty path is 404");
	ok(not_found(HTTP_GET, "/"), "root is 404");
	ok(not_found(HTTP_GET, NULL), "NULL path is 404");
	ok(not_found(HTTP_OTHER, NULL), "NULL path, HEAD is 404");
}

static void test_exact_slash(void)
{
	ok(matched(HTTP_POST, "/v1/users/add-user", 905), "POST add-user");
	ok(matched(HTTP_POST, "/v1/users/add-user/", 905), "POST add-user/");
	ok(not_found(HTTP_POST, "/v1/users/add-user//"), "add-user// is 404");
	ok(not_found(HTTP_POST, "/v1/users/add-user/x"), "add-user/x is 404");
	ok(not_found(HTTP_POST, "/v1/users/add-users"), "add-users is 404");
	ok(not_found(HTTP_POST, "/v1/users/Add-User"), "Add-User is 404");
	ok(not_allowed(HTTP_GET, "/v1/users/add-user/", "POST"),
	    "GET add-user/ is 405 Allow POST");
}

static void test_value(void)
{
	ok(matched_value(HTTP_GET, "/v1/users/id/4", 903, "4"), "id/4");
	ok(matched_value(HTTP_GET, "/v1/users/id/abc", 903, "abc"),
	    "id/abc matches (the handler validates the id)");
	ok(matched_value(HTTP_GET, "/v1/users/nickname/a%2Fb", 904, "a%2Fb"),
	    "%%2F stays raw inside the value");
	ok(matched_value(HTTP_GET, "/v1/users/nickname/%2540", 904, "%2540"),
	    "value is not decoded by the router");
	ok(matched_value(HTTP_GET, "/v1/users/nickname/a+b", 904, "a+b"),
	    "+ kept in the value");
	ok(matched_value(HTTP_GET, "/v1/users/nickname/RAM%C3%93N", 904,
	       "RAM%C3%93N"),
	    "escaped UTF-8 value");
	ok(matched_value(HTTP_GET, "/v1/users/nickname/.", 904, "."),
	    "dot value");
	ok(match(HTTP_GET, "/v1/users/nickname/x") == ROUTER_MATCH &&
	        rt == &table[3] && rt->column == 42,
	    "the matched row itself is returned (its column too)");
	ok(not_found(HTTP_GET, "/v1/users/id/"), "empty value is 404");
	ok(not_found(HTTP_GET, "/v1/users/id"), "missing slash is 404");
	ok(not_found(HTTP_GET, "/v1/users/id/4/"), "trailing slash is 404");
	ok(not_found(HTTP_GET, "/v1/users/id/4/5"), "extra segment is 404");
	ok(not_found(HTTP_GET, "/v1/users/id//4"), "empty segment is 404");
	ok(not_found(HTTP_GET, "/v1/users/ID/4"), "value route case-sensitive");
	ok(not_found(HTTP_DELETE, "/v1/users/id/"),
	    "empty value, other method is 404 too");
	ok(matched_value(HTTP_PUT, "/v1/users/update-user/7", 906, "7"),
	    "PUT update-user/7");
	ok(matched_value(HTTP_PATCH, "/v1/users/update-user/7", 906, "7"),
	    "PATCH update-user/7");
	ok(matched_value(HTTP_DELETE, "/v1/users/delete-user/8", 907, "8"),
	    "DELETE delete-user/8");
}

static void test_methods(void)
{
	ok(not_allowed(HTTP_POST, "/v1/test", "GET"), "POST /v1/test 405");
	ok(not_allowed(HTTP_OTHER, "/v1/test", "GET"), "HEAD /v1/test 405");
	ok(not_allowed(HTTP_DELETE, "/v1/users/id/4", "GET"),
	    "DELETE id/4 is 405 Allow GET");
	ok(not_allowed(HTTP_GET, "/v1/users/update-user/7", "PUT, PATCH"),
	    "GET update-user is 405 Allow PUT, PATCH");
	ok(not_allowed(HTTP_POST, "/v1/users/update-user/7", "PUT, PATCH"),
	    "POST update-user is 405");
	ok(not_allowed(HTTP_OTHER, "/v1/users/update-user/7", "PUT, PATCH"),
	    "OPTIONS update-user is 405");
	ok(not_allowed(HTTP_GET, "/v1/users/delete-user/8", "DELETE"),
	    "GET delete-user is 405 Allow DELETE");
	ok(not_found(HTTP_OTHER, "/v1/users/nothing"),
	    "unknown path is 404 whatever the method");
	ok(matched_value(HTTP_GET, "/v1/things/x", 908, "x"),
	    "first of two rows for one shape");
	ok(matched_value(HTTP_DELETE, "/v1/things/x", 909, "x"),
	    "second row of one shape is reached");
	ok(not_allowed(HTTP_PUT, "/v1/things/x", "GET, DELETE"),
	    "Allow is the union of the rows");
	ok(not_allowed(HTTP_OTHER, "/v1/things/x", "GET, DELETE"),
	    "HEAD on split shape is 405 with the union");
	ok(matched(HTTP_POST, "/v1/things/", 910), "exact row beside values");
	ok(not_allowed(HTTP_GET, "/v1/things/", "POST"),
	    "exact row Allow does not include the value rows");
	ok(matched(HTTP_GET, "/v1/odd", 911), "GET on a GET|OTHER row");
	ok(not_allowed(HTTP_OTHER, "/v1/odd", "GET"),
	    "HTTP_OTHER never routed, not listed in Allow");
}

static void test_null_outputs(void)
{
	char small[4];

	ok(router_match(table, TABLE_COUNT, HTTP_GET, "/v1/users/id/4", NULL,
	       NULL, NULL, NULL, 0) == ROUTER_MATCH,
	    "NULL outputs tolerated");
	ok(router_match(table, TABLE_COUNT, HTTP_PUT, "/v1/test", NULL, NULL,
	       NULL, NULL, 0) == ROUTER_METHOD_NOT_ALLOWED,
	    "405 without an allow buffer");
	ok(router_match(table, TABLE_COUNT, HTTP_GET, "/v1/users/update-user/7",
	       NULL, NULL, NULL, small,
	       sizeof(small)) == ROUTER_METHOD_NOT_ALLOWED &&
	        strcmp(small, "PUT") == 0,
	    "Allow cut at a whole name when the buffer is small");
	ok(router_match(table, 0, HTTP_GET, "/v1/test", &rt, &arg, &arg_len,
	       allow, sizeof(allow)) == ROUTER_NOT_FOUND,
	    "empty table is 404");
}

static void test_http_methods(void)
{
	ok(http_method_parse("GET") == HTTP_GET, "GET");
	ok(http_method_parse("POST") == HTTP_POST, "POST");
	ok(http_method_parse("PUT") == HTTP_PUT, "PUT");
	ok(http_method_parse("PATCH") == HTTP_PATCH, "PATCH");
	ok(http_method_parse("DELETE") == HTTP_DELETE, "DELETE");
	ok(http_method_parse("HEAD") == HTTP_OTHER, "HEAD is other");
	ok(http_method_parse("OPTIONS") == HTTP_OTHER, "OPTIONS is other");
	ok(http_method_parse("get") == HTTP_OTHER, "lower-case get is other");
	ok(http_method_parse("GETX") == HTTP_OTHER, "GETX is other");
	ok(http_method_parse("GE") == HTTP_OTHER, "GE is other");
	ok(http_method_parse("") == HTTP_OTHER, "empty is other");
	ok(http_method_parse(NULL) == HTTP_OTHER, "NULL is other");
}

static void test_http_allow(void)
{
	char buf[64];

	http_allow_header(HTTP_GET, buf, sizeof(buf));
	ok(strcmp(buf, "GET") == 0, "Allow GET");
	http_allow_header(HTTP_DELETE | HTTP_GET | HTTP_PATCH | HTTP_PUT |
	        HTTP_POST,
	    buf, sizeof(buf));
	ok(strcmp(buf, "GET, POST, PUT, PATCH, DELETE") == 0,
	    "Allow all five in fixed order");
	http_allow_header(HTTP_PATCH | HTTP_PUT, buf, sizeof(buf));
	ok(strcmp(buf, "PUT, PATCH") == 0, "Allow PUT, PATCH");
	http_allow_header(HTTP_OTHER | HTTP_POST, buf, sizeof(buf));
	ok(strcmp(buf, "POST") == 0, "HTTP_OTHER never listed");
	http_allow_header(0, buf, sizeof(buf));
	ok(strcmp(buf, "") == 0, "empty mask gives empty text");
	http_allow_header(HTTP_GET | HTTP_DELETE, buf, 4);
	ok(strcmp(buf, "GET") == 0, "name that does not fit is left out");
	http_allow_header(HTTP_GET, buf, 3);
	ok(strcmp(buf, "") == 0, "buffer too small for any name");
}

static void test_http_reason(void)
{
	ok(strcmp(http_reason(200), "OK") == 0, "200 OK");
	ok(strcmp(http_reason(201), "Created") == 0, "201 Created");
	ok(strcmp(http_reason(400), "Bad Request") == 0, "400");
	ok(strcmp(http_reason(401), "Unauthorized") == 0, "401");
	ok(strcmp(http_reason(403), "Forbidden") == 0, "403");
	ok(strcmp(http_reason(404), "Not Found") == 0, "404");
	ok(strcmp(http_reason(405), "Method Not Allowed") == 0, "405");
	ok(strcmp(http_reason(409), "Conflict") == 0, "409");
	ok(strcmp(http_reason(413), "Payload Too Large") == 0, "413");
	ok(strcmp(http_reason(415), "Unsupported Media Type") == 0, "415");
	ok(strcmp(http_reason(500), "Internal Server Error") == 0, "500");
	ok(strcmp(http_reason(503), "Service Unavailable") == 0, "503");
	ok(http_reason(418) != NULL && http_reason(418)[0] != '\0',
	    "unknown status still has a reason");
	ok(http_reason(-1) != NULL, "nonsense status has a reason");
}

static const char *body_text(const struct response *res)
{
	return json_object_to_json_string_ext(res->body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_http_body(void)
{
	struct response res;
	json_object *arr;

	memset(&res, 0, sizeof(res));
	http_message(&res, 404, "Not here / \"quoted\"");
	ok(res.status == 404 &&
	        strcmp(body_text(&res),
	            "{\"message\":\"Not here / \\\"quoted\\\"\"}") == 0,
	    "http_message sets status and envelope");
	/* Replacing the body must release the first (LeakSanitizer checks). */
	http_message(&res, 200, "RAM\xC3\x93N");
	ok(res.status == 200 &&
	        strcmp(body_text(&res), "{\"message\":\"RAM\xC3\x93N\"}") == 0,
	    "second message replaces the first, UTF-8 kept");
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_int(4));
	http_json(&res, 201, arr);
	ok(res.status == 201 &&
	        strcmp(body_text(&res), "{\"message\":[4]}") == 0,
	    "http_json wraps a value");
	http_json(&res, 200, NULL);
	ok(strcmp(body_text(&res), "{\"message\":null}") == 0,
	    "http_json with NULL gives null");
	http_message(&res, 500, NULL);
	ok(res.status == 500 &&
	        strcmp(body_text(&res), "{\"message\":\"\"}") == 0,
	    "http_message with NULL text");
	json_object_put(res.body);
}

/* The writer's bytes as a string: its buffer is not NUL-terminated. */
static const char *out_text(const struct http_out *o)
{
	static char text[8192];
	size_t n = o->len < sizeof(text) - 1 ? o->len : sizeof(text) - 1;

	memcpy(text, o->data, n);
	text[n] = '\0';
	return text;
}

/* The writer's bytes, compared whole: headers in order, then the body. */
static void test_http_format(void)
{
	struct http_out o = { NULL, 0, 0 };
	struct request req;
	struct response res;
	char query[4096], *big;
	static const char created[] =
	    "Status: 201 Created\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: 18\r\n"
	    "Location: /v1/users/id/7\r\n"
	    "\r\n"
	    "{\"message\":\"made\"}";

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	http_message(&res, 201, "made");
	snprintf(res.location, sizeof(res.location), "/v1/users/id/7");
	http_format_response(&o, &req, &res);
	ok(o.len == strlen(created) && memcmp(o.data, created, o.len) == 0,
	    "format: status, type, length, Location, blank line, body");

	/* page and cursor are replaced, the rest kept in order, a raw space
	 * escaped so it cannot end the reference. */
	memset(res.location, 0, sizeof(res.location));
	http_message(&res, 200, "p");
	snprintf(res.next_cursor, sizeof(res.next_cursor), "C1");
	req.path = "/v1/users/list";
	req.query = "limit=2&page=3&x=%7E a&cursor=old&&orderBy=id";
	http_format_response(&o, &req, &res);
	ok(strstr(out_text(&o),
	       "Content-Length: 15\r\n"
	       "X-Next-Cursor: C1\r\n"
	       "Link: </v1/users/list?limit=2&x=%7E%20a&orderBy=id&cursor=C1>; "
	       "rel=\"next\"\r\n\r\n{\"message\":\"p\"}") != NULL &&
	        strncmp(out_text(&o), "Status: 200 OK\r\n", 16) == 0,
	    "format again: the buffer is reused, next link built");

	/* A Link nginx would refuse (headers over its 4 KiB) is left out. */
	memset(query, 'a', sizeof(query) - 1);
	query[0] = 'q';
	query[1] = '=';
	query[sizeof(query) - 1] = '\0';
	req.query = query;
	http_format_response(&o, &req, &res);
	ok(strstr(out_text(&o), "X-Next-Cursor: C1\r\n\r\n") != NULL &&
	        strstr(out_text(&o), "Link:") == NULL,
	    "format: an over-long Link is left out, X-Next-Cursor stays");
	http_out_trim(&o);
	ok(o.data != NULL, "trim keeps a buffer of ordinary size");
	big = calloc(70000, 1);
	memset(big, 'b', 70000 - 1);
	http_message(&res, 200, big);
	free(big);
	http_format_response(&o, &req, &res);
	ok(o.len > 70000, "format: a big body");
	http_out_trim(&o);
	ok(o.data == NULL && o.len == 0 && o.cap == 0,
	    "trim gives back a big buffer");
	http_format_response(&o, &req, &res);
	http_out_free(&o);
	ok(o.data == NULL && o.len == 0 && o.cap == 0, "free empties it");
	json_object_put(res.body);
}

int main(void)
{
	test_exact();
	test_exact_slash();
	test_value();
	test_methods();
	test_null_outputs();
	test_http_methods();
	test_http_allow();
	test_http_reason();
	test_http_body();
	test_http_format();
	return tap_done();
}
