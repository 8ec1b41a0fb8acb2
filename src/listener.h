/* The connections a worker serves: the shared listening socket and the
 * FastCGI connections nginx keeps open to this worker, each with its own
 * libfcgi request. A worker serves whichever has a request ready. */
#ifndef USERS_LISTENER_H
#define USERS_LISTENER_H

#include <signal.h>

#include <fcgiapp.h>

#include "netaddr.h"

/* The most connections one worker holds; while it holds this many it
 * leaves new ones to the other workers. */
#define LISTENER_CONNS_MAX 64

struct listener {
	int epfd, sigfd, listen_fd;
	const struct netaddr_allow *allow;
	int listening;     /* the listening socket is in the epoll set */
	int draining;      /* told to stop: no new connections */
	double drain_end;  /* then the kept ones are closed */
	double drain_secs; /* how long nginx gets to close them itself */
	int idle;          /* the last listener_next waited idle_secs */
	FCGX_Request conn[LISTENER_CONNS_MAX];     /* ipcFd -1: a free slot */
	unsigned char watched[LISTENER_CONNS_MAX]; /* in the epoll set */
	size_t n;                                  /* slots in use */
};

/*
 * Sets l up for listen_fd (made non-blocking: several workers wait on it).
 * allow: the TCP peers let in (NULL: any). stop_signals: the signals that
 * make the worker stop, which the caller keeps blocked: they are read from
 * a signalfd among the connections, so a signal never interrupts a request
 * and is never lost between two waits. 0, or -1 with the reason logged.
 */
int listener_init(struct listener *l, int listen_fd,
    const struct netaddr_allow *allow, double drain_secs,
    const sigset_t *stop_signals);

/*
 * Waits for the next request on any connection and has libfcgi read it:
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
