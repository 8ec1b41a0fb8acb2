/* Response helpers shared by every handler: the {"message": ...} envelope,
 * method names and the Allow and Status header texts. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Method bits in the order the Allow header lists them. */
static const struct {
	enum http_method method;
	const char *name;
} methods[] = {
	{ HTTP_GET, "GET" },
	{ HTTP_POST, "POST" },
	{ HTTP_PUT, "PUT" },
	{ HTTP_PATCH, "PATCH" },
	{ HTTP_DELETE, "DELETE" },
};

#define METHOD_COUNT (sizeof(methods) / sizeof(methods[0]))

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 413, "Payload Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

void http_message(struct response *res, int status, const char *text)
{
	if (text == NULL)
		text = "";
	http_json(res, status, json_object_new_string(text));
}

/* A body set earlier (say, before an error turned up) is released here. */
void http_json(struct response *res, int status, json_object *value)
{
	json_object *body = json_object_new_object();

	/* Out of memory aborts, as xmalloc does: the master respawns us. */
	if (body == NULL || json_object_object_add(body, "message", value) != 0)
		abort();
	if (res->body != NULL)
		json_object_put(res->body);
	res->body = body;
	res->status = status;
}

/* Names are case-sensitive (RFC 9110 9.1): "get" is not GET. */
enum http_method http_method_parse(const char *name)
{
	size_t i;

	if (name == NULL)
		return HTTP_OTHER;
	for (i = 0; i < METHOD_COUNT; i++)
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].method;
	return HTTP_OTHER;
}

/* Names that would not fit whole are left out rather than cut. */
void http_allow_header(unsigned mask, char *buf, size_t buflen)
{
	size_t used = 0, need, i;
	const char *sep = "";

	if (buf == NULL || buflen == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < METHOD_COUNT; i++) {
		if (!(mask & (unsigned)methods[i].method))
			continue;
		need = strlen(sep) + strlen(methods[i].name);
		if (used + need >= buflen)
			break;
		snprintf(buf + used, buflen - used, "%s%s", sep,
		    methods[i].name);
		used += need;
		sep = ", ";
	}
}

const char *http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	if (status >= 200 && status < 300)
		return "Success";
	if (status >= 400 && status < 500)
		return "Client Error";
	if (status >= 500 && status < 600)
		return "Server Error";
	return "Unknown";
}
