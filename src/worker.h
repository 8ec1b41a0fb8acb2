/* A worker process: accepts FastCGI requests on the shared socket until told
 * to stop, serving each one through auth, the router and a handler. */
#ifndef USERS_WORKER_H
#define USERS_WORKER_H

#include "config.h"
#include "listener.h"

/* Runs in a freshly forked child; returns the process exit status. spares:
 * the queue the workers hand kept connections on through. */
int worker_run(const struct config *cfg, int listen_fd,
    const struct listener_spares *spares);

#endif
