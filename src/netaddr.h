/* The network addresses of the INI file: where usersd listens, which
 * peers may connect to it, and where the database servers are. */
#ifndef USERS_NETADDR_H
#define USERS_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

/* At most this many [server] allow addresses. */
#define NETADDR_ALLOW_MAX 32

/* [server] allow: the IPv4 peers that may connect, in network order. */
struct netaddr_allow {
	size_t n;
	uint32_t addr[NETADDR_ALLOW_MAX];
};

enum netaddr_listen {
	NETADDR_UNIX,         /* a socket path */
	NETADDR_TCP_LOOPBACK, /* 127.0.0.0/8 */
	NETADDR_TCP_OTHER     /* any other IPv4 address, 0.0.0.0 included */
};

/*
 * What [server] socket names: a unix socket path, or IPV4:PORT with a
 * dotted-quad address (libfcgi binds IPv4 only) and a port 1..65535.
 * Returns the kind, or -1 with the reason in why.
 */
int netaddr_parse_listen(const char *socket, char *why, size_t whylen);

/*
 * [server] allow, space-separated dotted-quad IPv4 addresses, into out.
 * Returns 0, or -1 with the reason in why.
 */
int netaddr_allow_parse(const char *allow, struct netaddr_allow *out, char *why,
    size_t whylen);

/* Whether a connection from peer may be served: always from a unix
 * socket; from TCP when allow is NULL (a loopback socket with no list) or
 * lists the peer's IPv4 address. */
int netaddr_allow_peer(const struct netaddr_allow *allow,
    const struct sockaddr *peer);

/*
 * One word of [replicas] servers: /unix/socket/path, HOST:PORT, HOST (port
 * 3306) or [IPV6]:PORT, into *out (strings owned by *out: free them with
 * netaddr_endpoint_free). Returns 0, or -1 with the reason in why.
 */
int netaddr_parse_server(const char *word, struct config_endpoint *out,
    char *why, size_t whylen);
void netaddr_endpoint_free(struct config_endpoint *e);

/* The longest word of [replicas] servers: a socket path or a host name. */
#define NETADDR_SERVER_MAX 300

/* Every space-separated word of list into r->server[], counted in
 * r->count (the caller frees what was stored, even on failure). Returns 0,
 * or -1 with the reason in why. */
int netaddr_parse_servers(const char *list, struct config_replicas *r,
    char *why, size_t whylen);

#endif
