/*
 * The connections of one worker: the listening socket shared by every
 * worker, for new connections, the connections nginx keeps open to this
 * worker when it is told to (fastcgi_keep_conn with an upstream keepalive;
 * off in the site file, README "Performance"), each a libfcgi request of
 * its own, and the queue through which the workers hand kept connections
 * on. One epoll set watches them all and
 * the worker serves whichever has a request, so an idle kept connection
 * never pins a worker that other connections need.
 *
 * libfcgi's own accept (inside FCGX_Accept_r) is not used: after accepting
 * on a unix socket it waits for the first byte in a select() that any
 * signal interrupts, and then closes the connection, which dropped a
 * request already sent when a reload's SIGTERM came at that moment. Here
 * the worker accepts and hands the descriptor to libfcgi, which reads the
 * request from it; the TCP allow-list check is done here too.
 *
 * A request on a kept connection must not wait long behind another one
 * this worker serves: nginx sends on whichever idle connection it has, not
 * knowing the worker holding it is busy. So while a worker serves a
 * request (or does its own work), a timer looks at its other connections
 * every LISTENER_HANDOFF_US and passes each with a request waiting
 * (SCM_RIGHTS) into a datagram queue all workers watch; the next worker to
 * wait takes it, before its own connections (that request has waited
 * already), serves it and keeps it. A fast request costs one setitimer;
 * one that outlasts the timer a poll, and a sendmsg per connection handed
 * on. A connection is never read by two workers: the giver reads none but
 * the one it serves, and closes its copy before it waits again.
 *
 * That bounds the wait behind a slow request, not the queueing: each
 * worker still serves its own connections in turn, where one backlog
 * shared by all would serve requests in the order they came, and the
 * measured tail is longer (README "Performance"; why the site file keeps
 * fastcgi_keep_conn off).
 *
 * A worker told to stop accepts nothing more, takes nothing handed on and
 * hands nothing on, and keeps serving its kept connections until nginx
 * closes them: closing one itself could race a request nginx is sending
 * on it, which nginx passes on to another connection only when it is not
 * a POST. nginx closes them after its upstream keepalive_timeout /
 * keepalive_time; drain_secs bounds the wait.
 */
#define _GNU_SOURCE /* accept4 */
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The epoll tags of the listening socket, the stop signals and the spares'
 * queue; a connection's is its slot and descriptor, so an event for a slot
 * reused since is recognised. */
#define LISTEN_TAG UINT64_MAX
#define SIGNAL_TAG (UINT64_MAX - 1)
#define SPARE_TAG (UINT64_MAX - 2)
#define EVENTS_MAX 16

static void watch_listener(struct listener *l);

/* The worker's listener, for the timer's signal handler. */
static struct listener *timed;

int listener_spares_open(struct listener_spares *s)
{
	int fds[2];

	/* A socketpair: what one end sends, the other receives, whichever
	 * process reads it; each datagram (one connection) reaches one. */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) != 0) {
		log_error("listener: socketpair: %s", strerror(errno));
		s->send_fd = s->recv_fd = -1;
		return -1;
	}
	s->send_fd = fds[0];
	s->recv_fd = fds[1];
	return 0;
}

void listener_spares_close(struct listener_spares *s)
{
	if (s->send_fd >= 0)
		close(s->send_fd);
	if (s->recv_fd >= 0)
		close(s->recv_fd);
	s->send_fd = s->recv_fd = -1;
}

/* Sends fd as one datagram, without blocking: async-signal-safe. */
static int send_connection(int queue, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 'c';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(queue, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* A connection from the queue, or -1 (another worker took it first). */
static int receive_connection(int queue)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	int fd = -1;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(queue, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c != NULL && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * SIGALRM, every LISTENER_HANDOFF_US while the worker is busy: each other
 * connection with a request waiting goes into the queue, where the next
 * worker to wait takes it. One the peer closed stays (the worker closes it
 * itself). Idle: the timer is stopped.
 */
static void on_timer(int sig)
{
	static const struct itimerval stop;
	struct listener *l = timed;
	struct pollfd p[LISTENER_CONNS_MAX];
	int slot[LISTENER_CONNS_MAX], saved = errno;
	nfds_t n = 0, i;
	int s;

	(void)sig;
	if (l == NULL || l->busy == LISTENER_IDLE) {
		setitimer(ITIMER_REAL, &stop, NULL);
		errno = saved;
		return;
	}
	for (s = 0; s < LISTENER_CONNS_MAX; s++) {
		int fd = l->conn[s].ipcFd;

		if (fd < 0 || s == l->busy || l->handed[s])
			continue;
		p[n].fd = fd;
		p[n].events = POLLIN | POLLRDHUP;
		p[n].revents = 0;
		slot[n++] = s;
	}
	if (n > 0 && poll(p, n, 0) > 0)
		for (i = 0; i < n; i++)
			if (p[i].revents == POLLIN &&
			    send_connection(l->spares.send_fd, p[i].fd) == 0)
				l->handed[slot[i]] = 1;
	errno = saved;
}

void listener_busy(struct listener *l, const FCGX_Request *fr)
{
	static const struct itimerval every = {
		{ 0, LISTENER_HANDOFF_US },
		{ 0, LISTENER_HANDOFF_US },
	};
	size_t others = l->n - (fr != NULL);

	if (l->draining)
		return;
	l->busy =
	    fr != NULL ? (sig_atomic_t)(fr - l->conn) : LISTENER_CONNS_MAX;
	/* Nothing to hand on: no timer (one still running finds nothing). */
	if (others > 0)
		setitimer(ITIMER_REAL, &every, NULL);
}

/* After a busy spell: the connections handed on leave this worker. The
 * epoll entry goes first: it belongs to the connection, which the taker
 * keeps open, not to this descriptor. */
static void close_handed(struct listener *l)
{
	size_t i;

	for (i = 0; i < LISTENER_CONNS_MAX; i++) {
		if (!l->handed[i])
			continue;
		if (l->watched[i])
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->conn[i].ipcFd,
			    NULL);
		close(l->conn[i].ipcFd);
		l->conn[i].ipcFd = -1;
		l->watched[i] = 0;
		l->handed[i] = 0;
	}
}

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
    const struct listener_spares *spares, const struct netaddr_allow *allow,
    double drain_secs, const sigset_t *stop_signals)
{
	struct epoll_event sig = { .events = EPOLLIN, .data.u64 = SIGNAL_TAG };
	struct sigaction sa;
	size_t i;
	int fl;

	memset(l, 0, sizeof(*l));
	l->listen_fd = listen_fd;
	l->spares = *spares;
	l->busy = LISTENER_IDLE;
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
	/* SA_RESTART: a request's reads and writes go on where the timer
	 * interrupted them (MariaDB's client retries its polls itself). */
	timed = l;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_timer;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	watch_listener(l);
	return l->listening ? 0 : -1;
}

/* Watches the listening socket and the spares' queue only while this
 * worker has room for one more connection and is not stopping. */
static void watch_listener(struct listener *l)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	struct epoll_event spare = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	int want = !l->draining && l->n < LISTENER_CONNS_MAX;
	int op = want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL;

	if (want == l->listening)
		return;
	ev.data.u64 = LISTEN_TAG;
	spare.data.u64 = SPARE_TAG;
	/* EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all. */
	if (epoll_ctl(l->epfd, op, l->listen_fd, &ev) != 0 ||
	    epoll_ctl(l->epfd, op, l->spares.recv_fd, &spare) != 0) {
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

/* fd into a free slot (watch_listener leaves one whenever it takes a
 * connection): the slot. */
static int hold(struct listener *l, int fd)
{
	size_t i;

	for (i = 0; l->conn[i].ipcFd >= 0; i++)
		;
	/* Not closed by the FCGX_Finish_r that FCGX_Accept_r starts with;
	 * the request's begin record then says whether nginx keeps it. */
	l->conn[i].ipcFd = fd;
	l->conn[i].keepConnection = 1;
	l->watched[i] = 0;
	l->n++;
	return (int)i;
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
	return hold(l, fd);
}

/* A connection another worker handed on, if one is waiting, into a free
 * slot: the slot, or -1. It was handed on with a request to read, so it
 * is read at once, as a new connection's is. */
static int take_spare(struct listener *l)
{
	int fd = receive_connection(l->spares.recv_fd);

	return fd < 0 ? -1 : hold(l, fd);
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

/* The request of one event, read by libfcgi: a new connection's, a
 * handed-on one's or a kept one's; NULL when there is none. */
static FCGX_Request *read_event(struct listener *l, uint64_t tag)
{
	FCGX_Request *fr;

	if (tag == SPARE_TAG || tag == LISTEN_TAG) {
		int slot;

		if (!l->listening || l->n == LISTENER_CONNS_MAX ||
		    (slot = tag == LISTEN_TAG ? take_connection(l)
		                              : take_spare(l)) < 0)
			return NULL;
		fr = &l->conn[slot];
	} else {
		fr = &l->conn[tag >> 32];
		if (fr->ipcFd != (int)(uint32_t)tag)
			return NULL; /* that connection ended in this batch */
	}
	return read_request(l, fr) == 0 ? fr : NULL;
}

/* The events of one wait: the first request, new connections taken on
 * the way. A stop signal in the same batch goes first, so that no
 * connection is taken after it; then a handed-on connection, whose
 * request has waited already. */
static FCGX_Request *handle(struct listener *l, const struct epoll_event *ev,
    int n)
{
	FCGX_Request *fr = NULL;
	int i, spare = 0;

	for (i = 0; i < n; i++)
		if (ev[i].data.u64 == SIGNAL_TAG)
			start_drain(l);
		else if (ev[i].data.u64 == SPARE_TAG)
			spare = 1;
	if (spare)
		fr = read_event(l, SPARE_TAG);
	for (i = 0; i < n && fr == NULL; i++)
		if (ev[i].data.u64 != SIGNAL_TAG && ev[i].data.u64 != SPARE_TAG)
			fr = read_event(l, ev[i].data.u64);
	return fr;
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

	/* Idle first: the timer hands on nothing more after this. */
	l->busy = LISTENER_IDLE;
	close_handed(l);
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
