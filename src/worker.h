/* A worker process: accepts FastCGI requests on the shared socket until told
 * to stop, serving each one through auth, the router and a handler. */
#ifndef USERS_WORKER_H
#define USERS_WORKER_H

#include "config.h"

/* Runs in a freshly forked child; returns the process exit status. */
int worker_run(const struct config *cfg, int listen_fd);

#endif
