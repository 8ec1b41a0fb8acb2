/* The connections a worker serves: the shared listening socket, the
 * FastCGI connections nginx keeps open to this worker, each with its own
 * libfcgi request, and those other workers handed on while busy. A worker
 * serves whichever has a request ready. */
#ifndef USERS_LISTENER_H
#define USERS_LISTENER_H

#include <signal.h>

#include <fcgiapp.h>

#include "netaddr.h"

/* The most connections one worker holds; while it holds this many it
 * leaves new ones to the other workers. */
#define LISTENER_CONNS_MAX 64

/* How long a request or the worker's own work may keep the requests that
 * arrive on its other connections waiting before it hands those
 * connections on, to the next worker to be idle. */
#define LISTENER_HANDOFF_US 2000

/* The queue kept connections are handed on through, made by the master
 * before it forks the workers, so that every generation shares it: one
 * end each. */
struct listener_spares {
	int send_fd, recv_fd;
};

struct listener {
	int epfd, sigfd, listen_fd;
	struct listener_spares spares;
	const struct netaddr_allow *allow;
	int listening;     /* the listening socket and spares are watched */
	int draining;      /* told to stop: no new connections */
	double drain_end;  /* then the kept ones are closed */
	double drain_secs; /* how long nginx gets to close them itself */
	int idle;          /* the last listener_next waited idle_secs */
	FCGX_Request conn[LISTENER_CONNS_MAX];     /* ipcFd -1: a free slot */
	unsigned char watched[LISTENER_CONNS_MAX]; /* in the epoll set */
	size_t n;                                  /* slots in use */
	/* Read by the SIGALRM handler: the slot being served (LISTENER_IDLE
	 * between requests, LISTENER_CONNS_MAX in the worker's own work) and
	 * the connections it handed on, closed here once the worker is idle. */
	volatile sig_atomic_t busy;
	volatile sig_atomic_t handed[LISTENER_CONNS_MAX];
};

#define LISTENER_IDLE (-1)

/* 0, or -1 with the reason logged. */
int listener_spares_open(struct listener_spares *s);
void listener_spares_close(struct listener_spares *s);

/*
 * Sets l up for listen_fd (made non-blocking: several workers wait on it).
 * allow: the TCP peers let in (NULL: any). stop_signals: the signals that
 * make the worker stop, which the caller keeps blocked: they are read from
 * a signalfd among the connections, so a signal never interrupts a request
 * and is never lost between two waits. 0, or -1 with the reason logged.
 */
int listener_init(struct listener *l, int listen_fd,
    const struct listener_spares *spares, const struct netaddr_allow *allow,
    double drain_secs, const sigset_t *stop_signals);

/*
 * The worker starts serving fr (NULL: its own work). Until its next
 * listener_next, every LISTENER_HANDOFF_US a timer hands each of its other
 * connections with a request waiting to the spares' queue, for the next
 * worker to be idle. Not while draining: a stopping worker serves its own.
 * One per process: the timer's handler finds l here.
 */
void listener_busy(struct listener *l, const FCGX_Request *fr);

/*
 * Closes the connections handed on while busy, then waits for the next
 * request on any connection and has libfcgi read it:
 * the request to serve, then to end with FCGX_Finish_r (which keeps the
 * connection when nginx asked for it). Once a stop signal has come no
 * connection is accepted; requests on kept connections are still served
 * until nginx closes them or drain_secs have passed; then NULL (and
 * l->draining is set). idle_secs, when not negative: NULL with l->idle set
 * once that long has passed without a request (0: none is waiting now),
 * for the worker's own work; never while draining. NULL with neither set:
 * an error, logged.
 */
FCGX_Request *listener_next(struct listener *l, double idle_secs);

/* Closes every connection still held and the epoll descriptor. */
void listener_close(struct listener *l);

#endif
