/* One request as a handler sees it, the response it fills in, and the
 * writer that formats it. The worker owns all three and writes the bytes
 * to FastCGI. */
#ifndef USERS_HTTP_H
#define USERS_HTTP_H

#include <stddef.h>

#include <json-c/json.h>

#include "answers.h"
#include "config.h"
#include "cursor.h"
#include "etag.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_PUT = 1 << 2,
	HTTP_PATCH = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_OTHER = 1 << 5 /* HEAD, OPTIONS, anything else: never routed */
};

/* Where a streamed answer's bytes go (the worker's FastCGI output). */
struct http_stream {
	/* Writes len bytes; 0, or -1 when the connection failed. */
	int (*write)(void *ctx, const char *data, size_t len);
	void *ctx;
};

struct request {
	enum http_method method;
	const char *path;         /* raw PATH_INFO, still percent-encoded */
	const char *query;        /* raw QUERY_STRING, "" when absent */
	const char *content_type; /* CONTENT_TYPE, NULL when absent */
	const char *body;         /* request body (NUL-terminated) or NULL */
	size_t body_len;
	int body_too_large; /* CONTENT_LENGTH above HTTP_MAX_BODY */
	const char *arg;    /* the route's path value, raw; NULL if none */
	size_t arg_len;
	int column; /* the route's column (search routes) */
	/* The raw Authorization header (already verified) and
	 * Idempotency-Key header; NULL when absent. */
	const char *authorization;
	const char *idempotency_key;
	/* If-Match, If-None-Match (api-extensions.md section 4); NULL when
	 * absent. */
	const char *if_match;
	const char *if_none_match;
	const struct config *cfg;
	/* The export writes its answer as it goes; NULL: cannot stream. */
	const struct http_stream *stream;
};

/* The largest request body the responder reads, in bytes; nginx's
 * client_max_body_size must say the same (t/unit/test_answers.c). A plain
 * number: the 413 message (answers.c) writes it as it is spelled here. */
#define HTTP_MAX_BODY 16384

struct response {
	int status;
	json_object *body; /* {"message": ...}; owned, put by the worker */
	char location[64]; /* Location header when non-empty */
	char allow[64];    /* Allow header when non-empty */
	const char *www_authenticate; /* WWW-Authenticate when non-NULL */
	char etag[ETAG_MAX];          /* ETag when non-empty */
	/* When non-empty: X-Next-Cursor, and Link rel="next" to the same
	 * path and query with this cursor (array routes, full page). */
	char next_cursor[CURSOR_TEXT_MAX];
	/* The query parameter Link's next URI sets to next_cursor: NULL is
	 * "cursor" (the lists), "after" for the change feed. */
	const char *next_param;
	/* An idempotent add's earlier answer: Idempotent-Replayed: true. */
	int replayed;
	/* When non-NULL ("exact" or "estimated"): X-Total-Count: total and
	 * X-Total-Count-Kind: total_kind (array routes, count=). */
	const char *total_kind;
	long long total;
	/* The handler wrote the whole answer through the request's stream
	 * (body stays NULL); aborted: it failed after the first byte, so the
	 * worker ends the connection without ending the request, and nginx
	 * ends the client's response without its final chunk. */
	int streamed;
	int aborted;
};

/* Answers a from the answers table: its status, {"message": its text}. */
void http_answer(struct response *res, enum answer a);
/* a's status with a message made from a's text and a detail (the failed
 * rules of a body, a number); text is copied. */
void http_answer_text(struct response *res, enum answer a, const char *text);
/* Sets status and body {"message": text}; text is copied. Handlers answer
 * through the table above instead. */
void http_message(struct response *res, int status, const char *text);
/* Sets status and body {"message": value}; takes value's reference. */
void http_json(struct response *res, int status, json_object *value);

/* Writes the CGI head of a streamed 200 (Status, Content-Type, no
 * Content-Length: nginx sends it chunked), with X-Changes-Cursor when
 * changes_cursor is not NULL. Returns the write's result. */
int http_stream_head(const struct request *req, const char *content_type,
    const char *changes_cursor);

/* Maps a method name to its bit; unknown names give HTTP_OTHER. */
enum http_method http_method_parse(const char *name);
/* Writes "GET, PUT" for a method mask into buf. */
void http_allow_header(unsigned methods, char *buf, size_t buflen);
/* "OK", "Not Found", ... for the Status header. */
const char *http_reason(int status);

/* A formatted response: CGI headers, blank line, body. Owned by the
 * caller, kept from one request to the next; start it zeroed. */
struct http_out {
	char *data;
	size_t len, cap;
};

/*
 * Replaces o's bytes with res as the worker sends it: Status, Content-Type,
 * Content-Length, the headers res sets (X-Next-Cursor with a Link rel="next"
 * built from req's raw path and query), then the body. A 304 has no body
 * and no content headers (RFC 9110 15.4.5): Status and ETag only.
 */
void http_format_response(struct http_out *o, const struct request *req,
    const struct response *res);
/* Gives back a buffer a big answer left large; o stays usable. */
void http_out_trim(struct http_out *o);
/* Frees o's buffer; o stays usable. */
void http_out_free(struct http_out *o);

#endif
