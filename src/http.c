/* Response helpers shared by every handler: the {"message": ...} envelope,
 * method names and the Allow and Status header texts; and the writer that
 * turns a response into the bytes the worker sends. */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "xmalloc.h"

/* A buffer larger than this after a response is given back, so one big
 * page does not stay in every worker's memory. */
#define OUT_KEEP (64 * 1024)
/*
 * The longest Link header written. nginx refuses a FastCGI answer whose
 * headers outgrow fastcgi_buffer_size (4 KiB by default) with a 502: a
 * longer one (a request with long unknown parameters) is left out, and
 * X-Next-Cursor alone says how to go on.
 */
#define LINK_MAX 3072

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
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 413, "Payload Too Large" },
	{ 414, "URI Too Long" },
	{ 412, "Precondition Failed" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

void http_answer(struct response *res, enum answer a)
{
	http_message(res, answer_status(a), answer_text(a));
}

void http_answer_text(struct response *res, enum answer a, const char *text)
{
	http_message(res, answer_status(a), text);
}

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

static void out_reserve(struct http_out *o, size_t more)
{
	if (o->cap - o->len > more)
		return;
	while (o->cap - o->len <= more)
		o->cap = o->cap ? o->cap * 2 : 4096;
	o->data = xrealloc(o->data, o->cap);
}

static void out_add(struct http_out *o, const char *s, size_t n)
{
	out_reserve(o, n);
	memcpy(o->data + o->len, s, n);
	o->len += n;
}

static void out_str(struct http_out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* libfcgi's own printf knows no %zu: ours formats into the buffer. */
__attribute__((format(printf, 2, 3))) static void out_printf(struct http_out *o,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->data + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= o->cap - o->len) {
		out_reserve(o, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(o->data + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
	}
	o->len += (size_t)n;
}

/* "Name: value\r\n" when value is set. */
static void out_header(struct http_out *o, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	out_str(o, name);
	out_str(o, ": ");
	out_str(o, value);
	out_str(o, "\r\n");
}

/*
 * Bytes of the client's raw path or query as a URI reference inside
 * Link's <...>: escapes stay as they came (the service decodes them once,
 * as it did this request's), any other byte outside RFC 3986's set is
 * percent-encoded, so nothing can end the reference or the header early.
 */
static void out_uri(struct http_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	out_reserve(o, 3 * n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') ||
		    (c != 0 && strchr("-._~!$&'()*+,;=:@/?%", c) != NULL)) {
			o->data[o->len++] = (char)c;
		} else {
			o->data[o->len++] = '%';
			o->data[o->len++] = hex[c >> 4];
			o->data[o->len++] = hex[c & 15];
		}
	}
}

/* Whether a query pair has the key page, cursor or param (the next
 * link's own key). */
static int is_paging_position(const struct params_pair *pair, const char *param)
{
	char key[32];
	size_t n;

	/* "cursor" fully percent-encoded is 18 bytes: longer is another. */
	if (params_query_decode(pair->raw, pair->key_len, key, sizeof(key),
	        &n) != 0)
		return 0;
	return (n == 4 && memcmp(key, "page", 4) == 0) ||
	    (n == 6 && memcmp(key, "cursor", 6) == 0) ||
	    (n == strlen(param) && memcmp(key, param, n) == 0);
}

/*
 * Link: </same/path?same&query&cursor=C>; rel="next" (RFC 8288): the
 * request's own parameters in their order and spelling, but for page and
 * cursor, which the new cursor replaces.
 */
static void out_next_link(struct http_out *o, const struct request *req,
    const char *param, const char *cursor)
{
	size_t start = o->len;
	struct params_pair pair;
	const char *pos = req->query;

	out_str(o, "Link: <");
	if (req->path != NULL)
		out_uri(o, req->path, strlen(req->path));
	out_str(o, "?");
	while (params_query_next(&pos, &pair)) {
		if (!is_paging_position(&pair, param)) {
			out_uri(o, pair.raw, pair.raw_len);
			out_str(o, "&");
		}
	}
	out_str(o, param);
	out_str(o, "=");
	out_str(o, cursor);
	out_str(o, ">; rel=\"next\"\r\n");
	if (o->len - start > LINK_MAX)
		o->len = start;
}

/*
 * Headers and body in one buffer: the worker writes it with one FastCGI
 * call, and keeps the buffer from request to request instead of
 * allocating one for each.
 */
void http_format_response(struct http_out *o, const struct request *req,
    const struct response *res)
{
	const char *body = json_object_to_json_string_ext(res->body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(body);

	o->len = 0;
	out_reserve(o, len + 512);
	if (res->status == 304) {
		out_printf(o, "Status: 304 %s\r\n", http_reason(304));
		out_header(o, "ETag", res->etag);
		out_str(o, "\r\n");
		return;
	}
	out_printf(o,
	    "Status: %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n",
	    res->status, http_reason(res->status), len);
	out_header(o, "Location", res->location);
	out_header(o, "Allow", res->allow);
	out_header(o, "WWW-Authenticate", res->www_authenticate);
	if (res->replayed)
		out_str(o, "Idempotent-Replayed: true\r\n");
	out_header(o, "ETag", res->etag);
	if (res->total_kind != NULL)
		out_printf(o,
		    "X-Total-Count: %lld\r\nX-Total-Count-Kind: %s\r\n",
		    res->total, res->total_kind);
	if (res->next_cursor[0] != '\0') {
		out_header(o, "X-Next-Cursor", res->next_cursor);
		out_next_link(o, req,
		    res->next_param != NULL ? res->next_param : "cursor",
		    res->next_cursor);
	}
	out_str(o, "\r\n");
	out_add(o, body, len);
}

int http_stream_head(const struct request *req, const char *content_type,
    const char *changes_cursor)
{
	char head[200];
	int n;

	n = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\nContent-Type: %s\r\n%s%s%s\r\n", content_type,
	    changes_cursor != NULL ? "X-Changes-Cursor: " : "",
	    changes_cursor != NULL ? changes_cursor : "",
	    changes_cursor != NULL ? "\r\n" : "");
	if (req->stream == NULL || n < 0 || (size_t)n >= sizeof(head))
		return -1;
	return req->stream->write(req->stream->ctx, head, (size_t)n);
}

void http_out_trim(struct http_out *o)
{
	if (o->cap > OUT_KEEP)
		http_out_free(o);
}

void http_out_free(struct http_out *o)
{
	free(o->data);
	memset(o, 0, sizeof(*o));
}
