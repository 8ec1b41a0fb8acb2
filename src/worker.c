/* The worker loop and the request pipeline: auth, route, body, handler,
 * response. Each request's memory is freed before the next is accepted;
 * the response (formatted by http.c) is written from one buffer the
 * worker keeps. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "auth.h"
#include "dao.h"
#include "decimal.h"
#include "http.h"
#include "listener.h"
#include "log.h"
#include "router.h"
#include "scope.h"

/* SIGTERM and SIGINT stay blocked: the listener reads them from a
 * signalfd between requests (listener.c). SIGHUP is the master's. */
static void install_signals(sigset_t *stops)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	/* The master blocks these while it forks: from here on only the
	 * stop signals stay blocked. */
	sigemptyset(stops);
	sigaddset(stops, SIGTERM);
	sigaddset(stops, SIGINT);
	sigprocmask(SIG_SETMASK, stops, NULL);
}

/*
 * Reads a body of at most HTTP_MAX_BODY bytes into buf. CONTENT_LENGTH is
 * client data: its leading digits are the length (nginx sends nothing
 * else), none is 0, and more than the limit is refused unread.
 */
static void read_body(FCGX_Request *fr, struct request *req, char *buf)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	size_t got = 0, want;
	long length = 0;

	if (cl != NULL &&
	    decimal_parse(cl, strspn(cl, "0123456789"), 0, HTTP_MAX_BODY,
	        DECIMAL_ZEROS, &length) == DECIMAL_RANGE) {
		req->body_too_large = 1;
		return;
	}
	want = (size_t)length;
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
	res->www_authenticate = result == AUTH_NO_CREDENTIALS
	    ? "Bearer"
	    : "Bearer error=\"invalid_token\"";
	http_answer(res, ANSWER_UNAUTHENTICATED);
}

/* 403 with the scope the route needs, in the body and the challenge
 * (api-extensions.md section 6). */
static void insufficient_scope(struct response *res, enum scope need)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s%s",
	    answer_text(ANSWER_INSUFFICIENT_SCOPE), scope_name(need));
	res->www_authenticate = scope_challenge(need);
	http_answer_text(res, ANSWER_INSUFFICIENT_SCOPE, msg);
}

static void dispatch(FCGX_Request *fr, struct request *req,
    struct response *res, char *body_buf)
{
	const struct route *route;
	enum auth_result auth;
	unsigned scopes;

	req->authorization = FCGX_GetParam("HTTP_AUTHORIZATION", fr->envp);
	req->idempotency_key = FCGX_GetParam("HTTP_IDEMPOTENCY_KEY", fr->envp);
	auth = auth_check_scopes(&req->cfg->jwt, req->authorization, time(NULL),
	    &scopes);
	if (auth != AUTH_OK) {
		unauthenticated(res, auth);
		return;
	}
	switch (router_match(router_routes, router_route_count, req->method,
	    req->path, &route, &req->arg, &req->arg_len, res->allow,
	    sizeof(res->allow))) {
	case ROUTER_NOT_FOUND:
		http_answer(res, ANSWER_NO_ROUTE);
		return;
	case ROUTER_METHOD_NOT_ALLOWED:
		http_answer(res, ANSWER_BAD_METHOD);
		return;
	case ROUTER_MATCH:
		break;
	}
	if (req->cfg->jwt.scopes &&
	    !scope_allows(scopes, (enum scope)route->scope)) {
		insufficient_scope(res, (enum scope)route->scope);
		return;
	}
	req->column = route->column;
	if (req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH))
		read_body(fr, req, body_buf);
	route->handler(req, res);
}

/* One FastCGI write; a big buffer is given back afterwards. */
static void write_response(FCGX_Request *fr, const struct request *req,
    const struct response *res, struct http_out *o)
{
	http_format_response(o, req, res);
	FCGX_PutStr(o->data, (int)o->len, fr->out);
	http_out_trim(o);
}

/* The streamed answer's writes: libfcgi buffers them and sends a record
 * whenever its buffer fills, so memory does not grow with the answer. */
static int stream_write(void *ctx, const char *data, size_t len)
{
	FCGX_Stream *out = ctx;

	while (len > 0) {
		int part = len > 65536 ? 65536 : (int)len;

		if (FCGX_PutStr(data, part, out) != part)
			return -1;
		data += part;
		len -= (size_t)part;
	}
	return 0;
}

/* Serves one request; returns 1 when its answer was aborted. */
static int serve(FCGX_Request *fr, const struct config *cfg, struct http_out *o)
{
	static char body_buf[HTTP_MAX_BODY + 1];
	struct http_stream stream = { stream_write, fr->out };
	struct request req;
	struct response res;
	const char *query;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	log_set_request_id(FCGX_GetParam("REQUEST_ID", fr->envp));
	req.cfg = cfg;
	req.stream = &stream;
	req.method =
	    http_method_parse(FCGX_GetParam("REQUEST_METHOD", fr->envp));
	req.path = FCGX_GetParam("PATH_INFO", fr->envp);
	query = FCGX_GetParam("QUERY_STRING", fr->envp);
	req.query = query != NULL ? query : "";
	req.if_match = FCGX_GetParam("HTTP_IF_MATCH", fr->envp);
	req.if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", fr->envp);
	req.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	if (req.content_type != NULL && req.content_type[0] == '\0')
		req.content_type = NULL;
	dispatch(fr, &req, &res, body_buf);
	if (res.streamed) {
		if (res.aborted)
			log_warn("aborted the answer to %s", req.path);
		log_set_request_id(NULL);
		return res.aborted;
	}
	if (res.body == NULL) {
		log_error("handler left no response for %s", req.path);
		http_answer(&res, ANSWER_INTERNAL);
	}
	if (res.status >= 500)
		log_warn("%d for %s", res.status, req.path ? req.path : "-");
	write_response(fr, &req, &res, o);
	json_object_put(res.body);
	log_set_request_id(NULL);
	return 0;
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
	else
		fr->keepConnection = 0; /* unread input: no next request */
	FCGX_Finish_r(fr);
}

/*
 * Ends an aborted answer so that nginx cannot take it for a whole one.
 * Closing the connection early is not enough: without fastcgi_keep_conn,
 * nginx reads an upstream close as the normal end of the answer and sends
 * the final chunk. A record of an unknown protocol version is an upstream
 * error to nginx: it ends the client's response without the final chunk
 * (HTTP/1.1) or resets the stream (HTTP/2). The connection is then shut
 * down, so libfcgi's FCGI_END_REQUEST never follows.
 */
static void abort_request(FCGX_Request *fr)
{
	/* version 0 (nginx knows 1), FCGI_STDOUT, request 1, no content */
	static const unsigned char bad_record[8] = { 0, 6, 0, 1, 0, 0, 0, 0 };

	if (fr->ipcFd >= 0) {
		if (write(fr->ipcFd, bad_record, sizeof(bad_record)) < 0)
			log_warn("abort: %s", strerror(errno));
		shutdown(fr->ipcFd, SHUT_RDWR);
	}
	fr->keepConnection = 0;
	FCGX_Finish_r(fr);
}

/* [server] allow into *buf, or *allow NULL when unset (any peer). -1 on
 * a list config.c would have refused: the worker then stops rather than
 * let every peer in. */
static int peer_allow(const struct config *cfg, struct netaddr_allow *buf,
    const struct netaddr_allow **allow)
{
	char why[128];

	*allow = NULL;
	if (cfg->server.allow == NULL)
		return 0;
	if (netaddr_allow_parse(cfg->server.allow, buf, why, sizeof(why)) !=
	    0) {
		log_error("[server] allow: %s", why);
		return -1;
	}
	*allow = buf;
	return 0;
}

/* The DAO's housekeeping, as busy as a request: meanwhile the kept
 * connections with a request waiting are handed on (listener_busy). */
static void housekeep(struct listener *conns, long retention_days)
{
	listener_busy(conns, NULL);
	dao_housekeeping(retention_days);
}

/*
 * The next request to serve, doing the DAO's housekeeping in between: a
 * request should not pay for it (it ran at the end of the writes and feed
 * reads that want it, which waited up to its budget). It runs once no
 * request is waiting and its period is over; a worker never idle for a
 * whole period after that (saturated) runs it anyway, so the feed's
 * tables stay bounded under any load. A stopping worker leaves it to the
 * others.
 */
static FCGX_Request *next_request(struct listener *conns, long retention_days)
{
	for (;;) {
		FCGX_Request *fr;
		double in;

		if (conns->draining || !dao_housekeeping_due(&in))
			in = -1.0; /* nothing to do but wait for requests */
		else if (in <= -DAO_HOUSEKEEPING_SECONDS) {
			housekeep(conns, retention_days);
			continue;
		} else if (in < 0)
			in = 0;
		fr = listener_next(conns, in);
		if (fr != NULL || !conns->idle)
			return fr;
		housekeep(conns, retention_days);
	}
}

int worker_run(const struct config *cfg, int listen_fd,
    const struct listener_spares *spares)
{
	struct http_out out = { NULL, 0, 0 };
	struct netaddr_allow allow_buf;
	const struct netaddr_allow *allow;
	static struct listener conns; /* 64 requests: not on the stack */
	FCGX_Request *fr;
	sigset_t stops;

	install_signals(&stops);
	/* Half the master's patience for the kept connections nginx has not
	 * closed yet (README "Performance": with kept connections on, set the
	 * upstream's keepalive_timeout and keepalive_time below it). */
	if (peer_allow(cfg, &allow_buf, &allow) != 0 ||
	    listener_init(&conns, listen_fd, spares, allow,
	        cfg->server.shutdown_timeout / 2.0, &stops) != 0)
		return 1;
	dao_init(&cfg->database, &cfg->replicas);
	log_info("worker ready");
	while ((fr = next_request(&conns, cfg->changes.retention_days)) !=
	    NULL) {
		listener_busy(&conns, fr);
		if (serve(fr, cfg, &out))
			abort_request(fr);
		else
			finish(fr);
	}
	listener_close(&conns);
	http_out_free(&out);
	dao_shutdown();
	log_info("worker stopped");
	return conns.draining ? 0 : 1;
}
