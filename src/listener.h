/* The worker takes connections off the shared listening socket itself and
 * hands each one to libfcgi, which reads the request from it. */
#ifndef USERS_LISTENER_H
#define USERS_LISTENER_H

#include <signal.h>

#include "netaddr.h"

/*
 * The next connection on listen_fd from a peer allow lets in (NULL: any),
 * blocking until one comes; peers not on the list are closed at once.
 * -1 once *stop is set or listen_fd no longer accepts (a stopping worker
 * points it at /dev/null), or on an error that will not pass.
 */
int listener_accept(int listen_fd, const struct netaddr_allow *allow,
    const volatile sig_atomic_t *stop);

#endif
