/* The master process: pre-forks workers on one socket, respawns those that
 * die, reloads on SIGHUP, stops gracefully on SIGTERM/SIGINT. */
#ifndef USERS_MASTER_H
#define USERS_MASTER_H

#include "config.h"

/*
 * Runs until SIGTERM or SIGINT, then stops the workers (letting in-flight
 * requests finish, SIGKILL after shutdown_timeout) and returns 0. On SIGHUP
 * it reloads cfg->path: a valid file replaces *cfg and a new generation of
 * workers replaces the old one; an invalid file is logged and ignored.
 */
int master_run(struct config *cfg, int listen_fd);

#endif
