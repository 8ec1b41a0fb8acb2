/* The worker loop and the request pipeline: auth, route, body, handler,
 * response. Each request's memory is freed before the next is accepted;
 * the response is written from one buffer the worker keeps. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "auth.h"
#include "dao.h"
#include "http.h"
#include "log.h"
#include "router.h"
#include "urldecode.h"
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

/* The response's bytes, headers then body, written with one call. */
struct out {
	char *data;
	size_t len, cap;
};

static const char msg_unauthenticated[] =
    "Not authenticated, check x_api_key and Authorization";
static const char msg_no_route[] = "Not found, there is no such route.";
static const char msg_bad_method[] =
    "Method not allowed, see the Allow header for the methods this route "
    "takes.";

static volatile sig_atomic_t stop_requested;
static int worker_listen_fd = -1;

/*
 * Stop accepting without a race: pointing the listening descriptor at
 * /dev/null makes a pending or later accept() fail at once, so a signal that
 * lands just before accept() cannot leave the worker blocked in it. The
 * request in flight, on its own descriptor, completes.
 */
static void on_stop(int sig)
{
	int saved = errno, fd;

	(void)sig;
	stop_requested = 1;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, worker_listen_fd);
		close(fd);
	}
	errno = saved;
}

static void install_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	/* The master blocks these while it forks; take them from here on. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Reads a body of at most HTTP_MAX_BODY bytes into buf. CONTENT_LENGTH is
 * client data: anything but plain digits within the limit is refused. */
static void read_body(FCGX_Request *fr, struct request *req, char *buf)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	size_t want = 0, got = 0;

	for (; cl != NULL && *cl >= '0' && *cl <= '9'; cl++) {
		want = want * 10 + (size_t)(*cl - '0');
		if (want > HTTP_MAX_BODY) {
			req->body_too_large = 1;
			return;
		}
	}
	while (got < want) {
		int n = FCGX_GetStr(buf + got, (int)(want - got), fr->in);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	req->body = buf;
	req->body_len = got;
}

static void unauthenticated(struct response *res, enum auth_result result)
{
	/* No credentials at all get a bare challenge (RFC 6750, 3.1). */
	res->www_authenticate = result == AUTH_NO_CREDENTIALS ? "Bearer"
	    : "Bearer error=\"invalid_token\"";
	http_message(res, 401, msg_unauthenticated);
}

static void dispatch(FCGX_Request *fr, struct request *req,
    struct response *res, char *body_buf)
{
	const struct route *route;
	enum auth_result auth;

	auth = auth_check(&req->cfg->jwt,
	    FCGX_GetParam("HTTP_AUTHORIZATION", fr->envp), time(NULL));
	if (auth != AUTH_OK) {
		unauthenticated(res, auth);
		return;
	}
	switch (router_match(router_routes, router_route_count, req->method,
	    req->path, &route, &req->arg, &req->arg_len, res->allow,
	    sizeof(res->allow))) {
	case ROUTER_NOT_FOUND:
		http_message(res, 404, msg_no_route);
		return;
	case ROUTER_METHOD_NOT_ALLOWED:
		http_message(res, 405, msg_bad_method);
		return;
	case ROUTER_MATCH:
		break;
	}
	req->column = route->column;
	if (req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH))
		read_body(fr, req, body_buf);
	route->handler(req, res);
}

static void out_reserve(struct out *o, size_t more)
{
	if (o->cap - o->len > more)
		return;
	while (o->cap - o->len <= more)
		o->cap = o->cap ? o->cap * 2 : 4096;
	o->data = xrealloc(o->data, o->cap);
}

static void out_add(struct out *o, const char *s, size_t n)
{
	out_reserve(o, n);
	memcpy(o->data + o->len, s, n);
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* libfcgi's own printf knows no %zu: ours formats into the buffer. */
__attribute__((format(printf, 2, 3)))
static void out_printf(struct out *o, const char *fmt, ...)
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
static void out_header(struct out *o, const char *name, const char *value)
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
static void out_uri(struct out *o, const char *s, size_t n)
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

/* Whether a raw "key[=value]" pair has the key page or cursor. */
static int is_paging_position(const char *pair, size_t len)
{
	const char *eq = memchr(pair, '=', len);
	size_t key_len = eq ? (size_t)(eq - pair) : len, n;
	char key[32];

	/* "cursor" fully percent-encoded is 18 bytes: longer is another. */
	if (key_len >= sizeof(key) ||
	    urldecode(pair, key_len, key, &n, URLDECODE_FORM) != 0)
		return 0;
	return (n == 4 && memcmp(key, "page", 4) == 0) ||
	    (n == 6 && memcmp(key, "cursor", 6) == 0);
}

/*
 * Link: </same/path?same&query&cursor=C>; rel="next" (RFC 8288): the
 * request's own parameters in their order and spelling, but for page and
 * cursor, which the new cursor replaces.
 */
static void out_next_link(struct out *o, const struct request *req,
    const char *cursor)
{
	size_t start = o->len;
	const char *p, *amp;

	out_str(o, "Link: <");
	if (req->path != NULL)
		out_uri(o, req->path, strlen(req->path));
	out_str(o, "?");
	for (p = req->query; p != NULL && *p != '\0'; p = amp + 1) {
		size_t n;

		amp = strchr(p, '&');
		n = amp ? (size_t)(amp - p) : strlen(p);
		if (n > 0 && !is_paging_position(p, n)) {
			out_uri(o, p, n);
			out_str(o, "&");
		}
		if (amp == NULL)
			break;
	}
	out_str(o, "cursor=");
	out_str(o, cursor);
	out_str(o, ">; rel=\"next\"\r\n");
	if (o->len - start > LINK_MAX)
		o->len = start;
}

/*
 * Headers and body go out as one buffer: one FastCGI write, and a buffer
 * reused from request to request instead of allocated for each.
 */
static void write_response(FCGX_Request *fr, const struct request *req,
    const struct response *res, struct out *o)
{
	const char *body = json_object_to_json_string_ext(res->body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(body);

	o->len = 0;
	out_reserve(o, len + 512);
	out_printf(o, "Status: %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n", res->status, http_reason(res->status),
	    len);
	out_header(o, "Location", res->location);
	out_header(o, "Allow", res->allow);
	out_header(o, "WWW-Authenticate", res->www_authenticate);
	if (res->next_cursor[0] != '\0') {
		out_header(o, "X-Next-Cursor", res->next_cursor);
		out_next_link(o, req, res->next_cursor);
	}
	out_str(o, "\r\n");
	out_add(o, body, len);
	FCGX_PutStr(o->data, (int)o->len, fr->out);
	if (o->cap > OUT_KEEP) {
		free(o->data);
		memset(o, 0, sizeof(*o));
	}
}

static void serve(FCGX_Request *fr, const struct config *cfg, struct out *o)
{
	static char body_buf[HTTP_MAX_BODY + 1];
	struct request req;
	struct response res;
	const char *query;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	log_set_request_id(FCGX_GetParam("REQUEST_ID", fr->envp));
	req.cfg = cfg;
	req.method = http_method_parse(FCGX_GetParam("REQUEST_METHOD",
	    fr->envp));
	req.path = FCGX_GetParam("PATH_INFO", fr->envp);
	query = FCGX_GetParam("QUERY_STRING", fr->envp);
	req.query = query != NULL ? query : "";
	req.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	if (req.content_type != NULL && req.content_type[0] == '\0')
		req.content_type = NULL;
	dispatch(fr, &req, &res, body_buf);
	if (res.body == NULL) {
		log_error("handler left no response for %s", req.path);
		http_message(&res, 500, "Internal server error.");
	}
	if (res.status >= 500)
		log_warn("%d for %s", res.status, req.path ? req.path : "-");
	write_response(fr, &req, &res, o);
	json_object_put(res.body);
	log_set_request_id(NULL);
}

/*
 * Ends the request and closes its connection. libfcgi's own close shuts
 * the connection down and then waits, up to 2 s, for nginx to close its
 * side, so that unread request bytes cannot make the kernel reset the
 * connection under the answer. When the request's input was read to its
 * end there is nothing to reset: a detached request is closed at once,
 * and the worker takes the next connection without waiting for nginx
 * (measured: 12-25 % more by-id reads a second, see README).
 */
static void finish(FCGX_Request *fr)
{
	if (FCGX_GetChar(fr->in) == EOF)
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

int worker_run(const struct config *cfg, int listen_fd)
{
	struct out out = { NULL, 0, 0 };
	FCGX_Request fr;

	worker_listen_fd = listen_fd;
	install_signals();
	if (FCGX_InitRequest(&fr, listen_fd, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		return 1;
	}
	dao_init(&cfg->database);
	log_info("worker ready");
	while (!stop_requested) {
		if (FCGX_Accept_r(&fr) < 0)
			break;
		serve(&fr, cfg, &out);
		finish(&fr);
	}
	if (!stop_requested)
		log_error("accept failed: %s", strerror(errno));
	FCGX_Free(&fr, 1);
	free(out.data);
	dao_shutdown();
	log_info("worker stopped");
	return stop_requested ? 0 : 1;
}
