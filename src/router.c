/* The matcher: finds the route for a method and a raw PATH_INFO, or says
 * why there is none (404, or 405 with the methods the path allows). */
#include "router.h"

#include <string.h>

/*
 * Whether path has the route's shape; for ROUTE_VALUE also where the value
 * is. Paths compare byte for byte: they are case-sensitive and still raw,
 * so "%2F" inside a value is three characters, not a separator.
 */
static int shape_matches(const struct route *r, const char *path,
    const char **arg, size_t *arg_len)
{
	size_t plen = strlen(r->pattern);
	const char *rest;

	if (strncmp(path, r->pattern, plen) != 0)
		return 0;
	rest = path + plen;
	switch (r->shape) {
	case ROUTE_EXACT:
		return *rest == '\0';
	case ROUTE_EXACT_SLASH:
		return *rest == '\0' || strcmp(rest, "/") == 0;
	case ROUTE_VALUE:
		if (*rest == '\0' || strchr(rest, '/') != NULL)
			return 0;
		*arg = rest;
		*arg_len = strlen(rest);
		return 1;
	}
	return 0;
}

/*
 * The first route (in table order) whose shape and method both match wins.
 * HTTP_OTHER is in no route's mask by construction, and is refused even if
 * a table put it there: HEAD and OPTIONS are never routed.
 */
enum router_result router_match(const struct route *table, size_t count,
    enum http_method method, const char *path, const struct route **route,
    const char **arg, size_t *arg_len, char *allow, size_t allow_len)
{
	unsigned allowed = 0;
	int shaped = 0;
	const char *value;
	size_t value_len, i;

	if (route != NULL)
		*route = NULL;
	if (arg != NULL)
		*arg = NULL;
	if (arg_len != NULL)
		*arg_len = 0;
	if (allow != NULL && allow_len > 0)
		allow[0] = '\0';
	if (path == NULL)
		return ROUTER_NOT_FOUND;
	for (i = 0; i < count; i++) {
		value = NULL;
		value_len = 0;
		if (!shape_matches(&table[i], path, &value, &value_len))
			continue;
		shaped = 1;
		allowed |= table[i].methods & ~(unsigned)HTTP_OTHER;
		if (method == HTTP_OTHER || !(table[i].methods & method))
			continue;
		if (route != NULL)
			*route = &table[i];
		if (arg != NULL)
			*arg = value;
		if (arg_len != NULL)
			*arg_len = value_len;
		return ROUTER_MATCH;
	}
	if (!shaped)
		return ROUTER_NOT_FOUND;
	if (allow != NULL)
		http_allow_header(allowed, allow, allow_len);
	return ROUTER_METHOD_NOT_ALLOWED;
}
