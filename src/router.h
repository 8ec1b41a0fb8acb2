/* The route table and the matcher: method + raw PATH_INFO to a handler. */
#ifndef USERS_ROUTER_H
#define USERS_ROUTER_H

#include <stddef.h>

#include "http.h"
#include "scope.h"

typedef void (*handler_fn)(const struct request *req, struct response *res);

enum route_shape {
	ROUTE_EXACT,       /* the path equals pattern */
	ROUTE_EXACT_SLASH, /* the path equals pattern, or pattern + "/" */
	ROUTE_VALUE        /* pattern is a prefix ending in '/', followed by
	                      one non-empty segment with no '/' (the value) */
};

struct route {
	enum route_shape shape;
	const char *pattern;
	unsigned methods; /* mask of enum http_method */
	handler_fn handler;
	int column; /* enum user_column the handler works on, or 0 */
	/* The enum scope a token needs with [jwt] scopes (api-extensions.md
	 * section 6); 0 in a table of tests only. */
	unsigned scope;
};

/* The service's routes (routes.c). */
extern const struct route router_routes[];
extern const size_t router_route_count;

enum router_result {
	ROUTER_MATCH,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD_NOT_ALLOWED
};

/*
 * Looks path up in table. On ROUTER_MATCH sets *route and, for ROUTE_VALUE,
 * *arg / *arg_len to the raw value inside path (else NULL / 0). On
 * ROUTER_METHOD_NOT_ALLOWED writes the Allow header value into allow.
 */
enum router_result router_match(const struct route *table, size_t count,
    enum http_method method, const char *path, const struct route **route,
    const char **arg, size_t *arg_len, char *allow, size_t allow_len);

#endif
