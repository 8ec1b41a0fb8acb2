/*
 * The connections of one worker: the listening socket shared by every
 * worker, for new connections, and those nginx keeps open to this worker
 * when it is told to (fastcgi_keep_conn with an upstream keepalive; off in
 * the site file, README "Performance"), each a libfcgi request of its own.
 * One epoll set watches them all and the worker serves whichever has a
 * request, so an idle kept connection never pins a worker that other
 * connections need.
 *
 * libfcgi's own accept (inside FCGX_Accept_r) is not used: after accepting
 * on a unix socket it waits for the first byte in a select() that any
 * signal interrupts, and then closes the connection, which dropped a
 * request already sent when a reload's SIGTERM came at that moment. Here
 * the worker accepts and hands the descriptor to libfcgi, which reads the
 * request from it; the TCP allow-list check is done here too.
 *
 * A worker told to stop accepts nothing more and keeps serving its kept
 * connections until nginx closes them: closing one itself could race a
 * request nginx is sending on it, which nginx passes on to another
 * connection only when it is not a POST. nginx closes them after its
 * upstream keepalive_timeout / keepalive_time; drain_secs bounds the wait.
 */
#define _GNU_SOURCE /* accept4 */
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The epoll tags of the listening socket and of the stop signals; a
 * connection's is its slot and descriptor, so an event for a slot reused
 * since is recognised. */
#define LISTEN_TAG UINT64_MAX
#define SIGNAL_TAG (UINT64_MAX - 1)
#define EVENTS_MAX 16

static void watch_listener(struct listener *l);

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t conn_tag(size_t slot, int fd)
{
	return ((uint64_t)slot << 32) | (uint32_t)fd;
}

int listener_init(struct listener *l, int listen_fd,
    const struct netaddr_allow *allow, double drain_secs,
    const sigset_t *stop_signals)
{
	struct epoll_event sig = { .events = EPOLLIN, .data.u64 = SIGNAL_TAG };
	size_t i;
	int fl;

	memset(l, 0, sizeof(*l));
	l->listen_fd = listen_fd;
	l->allow = allow;
	l->drain_secs = drain_secs;
	l->epfd = l->sigfd = -1;
	for (i = 0; i < LISTENER_CONNS_MAX; i++)
		FCGX_InitRequest(&l->conn[i], -1, 0);
	/* Another worker may take the connection epoll woke this one for. */
	fl = fcntl(listen_fd, F_GETFL);
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    (l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (l->sigfd = signalfd(-1, stop_signals,
	         SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &sig) != 0) {
		log_error("listener: %s", strerror(errno));
		listener_close(l);
		return -1;
	}
	watch_listener(l);
	return l->listening ? 0 : -1;
}

/* Watches the listening socket only while this worker has room for one
 * more connection and is not stopping. */
static void watch_listener(struct listener *l)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	int want = !l->draining && l->n < LISTENER_CONNS_MAX;

	if (want == l->listening)
		return;
	ev.data.u64 = LISTEN_TAG;
	/* EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all. */
	if (epoll_ctl(l->epfd, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
	        l->listen_fd, &ev) != 0) {
		log_error("listener: epoll_ctl: %s", strerror(errno));
		return;
	}
	l->listening = want;
}

/* accept(2): errors of the connection being taken, not of the listening
 * socket. */
static int accept_again(int err)
{
	switch (err) {
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return 1;
	default:
		return 0;
	}
}

static void refuse(int fd, const struct sockaddr_in *peer)
{
	char addr[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &peer->sin_addr, addr, sizeof(addr)) == NULL)
		strcpy(addr, "?");
	log_warn("closed a FastCGI connection from %s: not in [server] allow",
	    addr);
	close(fd);
}

/* A new connection, if one is waiting, into a free slot: the slot, or
 * -1. It joins the epoll set only if it outlives its first request
 * (watch_connections): nginx writes the request as soon as it connects,
 * so it is read at once, and a connection per request costs no epoll_ctl. */
static int take_connection(struct listener *l)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int fd, one = 1;
	size_t i;

	do
		fd = accept4(l->listen_fd, (struct sockaddr *)&peer, &len,
		    SOCK_CLOEXEC);
	while (fd < 0 && accept_again(errno));
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_warn("accept: %s", strerror(errno));
		return -1;
	}
	if (!netaddr_allow_peer(l->allow, (struct sockaddr *)&peer)) {
		refuse(fd, (struct sockaddr_in *)&peer);
		return -1;
	}
	/* No replies to wait for: Nagle would only delay answers. */
	if (peer.ss_family == AF_INET)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (i = 0; l->conn[i].ipcFd >= 0; i++)
		; /* watch_listener leaves a free slot whenever it accepts */
	/* Not closed by the FCGX_Finish_r that FCGX_Accept_r starts with;
	 * the request's begin record then says whether nginx keeps it. */
	l->conn[i].ipcFd = fd;
	l->conn[i].keepConnection = 1;
	l->watched[i] = 0;
	l->n++;
	return (int)i;
}

/* Kept connections not yet in the epoll set join it; closing a
 * descriptor took it out. */
static void watch_connections(struct listener *l)
{
	size_t i;

	for (i = 0; i < LISTENER_CONNS_MAX; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		int fd = l->conn[i].ipcFd;

		if (fd < 0 || l->watched[i]) {
			l->watched[i] = fd >= 0;
			continue;
		}
		ev.data.u64 = conn_tag(i, fd);
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
			l->watched[i] = 1;
			continue;
		}
		log_error("listener: epoll_ctl: %s", strerror(errno));
		close(fd);
		l->conn[i].ipcFd = -1;
	}
}

/*
 * Has libfcgi read the next request on the connection of slot: 0, or -1
 * when the connection ended instead (nginx closed it). The request's own
 * listening descriptor is -1, so libfcgi, finding no request, closes the
 * connection and fails at accept(-1) rather than accepting.
 */
static int read_request(struct listener *l, FCGX_Request *fr)
{
	if (FCGX_Accept_r(fr) == 0)
		return 0;
	l->n--;
	return -1;
}

/* A stop signal came: drain from now on. */
static void start_drain(struct listener *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		; /* taken: it only says stop */
	if (l->draining)
		return;
	l->draining = 1;
	l->drain_end = now_seconds() + l->drain_secs;
	watch_listener(l);
}

/* The events of one wait: the first connection with a request, new
 * connections taken on the way. A stop signal in the same batch goes
 * first, so that no connection is taken after it. */
static FCGX_Request *handle(struct listener *l, const struct epoll_event *ev,
    int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].data.u64 == SIGNAL_TAG)
			start_drain(l);
	for (i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;
		FCGX_Request *fr;

		if (tag == SIGNAL_TAG)
			continue;
		if (tag == LISTEN_TAG) {
			int slot;

			if (!l->listening || l->n == LISTENER_CONNS_MAX ||
			    (slot = take_connection(l)) < 0)
				continue;
			fr = &l->conn[slot];
			if (read_request(l, fr) == 0)
				return fr;
			continue;
		}
		fr = &l->conn[tag >> 32];
		if (fr->ipcFd != (int)(uint32_t)tag)
			continue; /* that connection ended in this batch */
		if (read_request(l, fr) == 0)
			return fr;
	}
	return NULL;
}

/* epoll_wait's timeout until a monotonic time: rounded up, so the wait
 * does not end before it; 0 once it has passed. */
static int timeout_until(double end)
{
	double left = end - now_seconds();

	return left > 0 ? (int)(left * 1000.0) + 1 : 0;
}

FCGX_Request *listener_next(struct listener *l, double idle_secs)
{
	struct epoll_event ev[EVENTS_MAX];
	double idle_end = now_seconds() + idle_secs;

	l->idle = 0;
	for (;;) {
		FCGX_Request *fr;
		int n, timeout = -1;

		/* A request served since the last wait may have ended its
		 * connection (nginx did not ask to keep it). */
		l->n = 0;
		for (n = 0; n < LISTENER_CONNS_MAX; n++)
			l->n += l->conn[n].ipcFd >= 0;
		watch_listener(l);
		watch_connections(l);
		/* Draining bounds the wait by drain_end alone: the worker's
		 * idle work is not worth delaying its stop for. */
		if (l->draining) {
			if (l->n == 0 || l->drain_end <= now_seconds())
				return NULL;
			timeout = timeout_until(l->drain_end);
		} else if (idle_secs >= 0) {
			timeout = timeout_until(idle_end);
		}
		n = epoll_wait(l->epfd, ev, EVENTS_MAX, timeout);
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %s", strerror(errno));
			return NULL;
		}
		if (n > 0 && (fr = handle(l, ev, n)) != NULL)
			return fr;
		if (n == 0 && !l->draining && idle_secs >= 0) {
			l->idle = 1;
			return NULL;
		}
	}
}

void listener_close(struct listener *l)
{
	size_t i, open = 0;

	/* Plain close: libfcgi's would wait up to 2 s for nginx to close
	 * each one first. */
	for (i = 0; i < LISTENER_CONNS_MAX; i++) {
		if (l->conn[i].ipcFd < 0)
			continue;
		close(l->conn[i].ipcFd);
		l->conn[i].ipcFd = -1;
		open++;
	}
	if (open > 0)
		log_info("closed %zu kept connection%s nginx had not closed",
		    open, open == 1 ? "" : "s");
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
}
