/* The network addresses of the INI file, parsed strictly: numbers in
 * decimal, addresses numeric where libfcgi would otherwise resolve names. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "xmalloc.h"

#define UNIX_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* A decimal port 1..65535, the whole of s. */
static int parse_port(const char *s, unsigned int *out)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > 65535)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

int netaddr_parse_listen(const char *socket, char *why, size_t whylen)
{
	const char *colon = strrchr(socket, ':');
	char host[INET_ADDRSTRLEN];
	struct in_addr a;
	unsigned int port;
	size_t hostlen;

	if (socket[0] == '[') {
		snprintf(why, whylen,
		    "IPv6 is not supported (libfcgi listens on IPv4 only)");
		return -1;
	}
	if (colon == NULL) {
		if (strlen(socket) <= UNIX_PATH_MAX)
			return NETADDR_UNIX;
		snprintf(why, whylen, "unix socket path longer than %zu bytes",
		    UNIX_PATH_MAX);
		return -1;
	}
	hostlen = (size_t)(colon - socket);
	if (hostlen == 0 || hostlen >= sizeof(host) ||
	    parse_port(colon + 1, &port) != 0)
		goto bad;
	memcpy(host, socket, hostlen);
	host[hostlen] = '\0';
	/* inet_pton takes the dotted quad only: no names, no "010.0.0.1". */
	if (inet_pton(AF_INET, host, &a) != 1)
		goto bad;
	if ((ntohl(a.s_addr) >> 24) == 127)
		return NETADDR_TCP_LOOPBACK;
	return NETADDR_TCP_OTHER;
bad:
	snprintf(why, whylen,
	    "must be a unix socket path or IPV4:PORT "
	    "(e.g. 127.0.0.1:PORT)");
	return -1;
}

/* The next space-separated word of *p into word (NUL-terminated), moving
 * *p past it; 0 at the end, -1 when it does not fit size. */
static int next_word(const char **p, char *word, size_t size)
{
	size_t len;

	*p += strspn(*p, " \t");
	len = strcspn(*p, " \t");
	if (len == 0)
		return 0;
	if (len >= size)
		return -1;
	memcpy(word, *p, len);
	word[len] = '\0';
	*p += len;
	return 1;
}

int netaddr_allow_parse(const char *allow, struct netaddr_allow *out, char *why,
    size_t whylen)
{
	char word[INET_ADDRSTRLEN];
	const char *p = allow;
	struct in_addr a;
	int rc;

	out->n = 0;
	while ((rc = next_word(&p, word, sizeof(word))) != 0) {
		if (rc == -1 || inet_pton(AF_INET, word, &a) != 1) {
			snprintf(why, whylen,
			    "word %zu is not an IPv4 address (a.b.c.d)",
			    out->n + 1);
			return -1;
		}
		if (out->n == NETADDR_ALLOW_MAX) {
			snprintf(why, whylen, "more than %d addresses",
			    NETADDR_ALLOW_MAX);
			return -1;
		}
		out->addr[out->n++] = a.s_addr;
	}
	if (out->n == 0) {
		snprintf(why, whylen, "must name at least one address");
		return -1;
	}
	return 0;
}

int netaddr_allow_peer(const struct netaddr_allow *allow,
    const struct sockaddr *peer)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)peer;
	size_t i;

	if (allow == NULL || peer->sa_family == AF_UNIX)
		return 1;
	if (peer->sa_family != AF_INET)
		return 0;
	for (i = 0; i < allow->n; i++)
		if (allow->addr[i] == in->sin_addr.s_addr)
			return 1;
	return 0;
}

/* "[v6]:port" or "host:port" or "host" into e. */
static int parse_host_port(const char *word, struct config_endpoint *e)
{
	const char *colon, *host = word;
	size_t hostlen;

	e->port = 3306;
	if (word[0] == '[') {
		const char *close = strchr(word, ']');

		if (close == NULL || close == word + 1)
			return -1;
		host = word + 1;
		hostlen = (size_t)(close - host);
		if (close[1] != '\0' &&
		    (close[1] != ':' || parse_port(close + 2, &e->port) != 0))
			return -1;
	} else {
		colon = strchr(word, ':');
		hostlen = colon != NULL ? (size_t)(colon - word) : strlen(word);
		if (colon != NULL && parse_port(colon + 1, &e->port) != 0)
			return -1;
	}
	if (hostlen == 0)
		return -1;
	e->host = xmalloc(hostlen + 1);
	memcpy(e->host, host, hostlen);
	e->host[hostlen] = '\0';
	return 0;
}

int netaddr_parse_server(const char *word, struct config_endpoint *out,
    char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (word[0] == '/') {
		if (strlen(word) > UNIX_PATH_MAX) {
			snprintf(why, whylen,
			    "unix socket path longer than %zu bytes",
			    UNIX_PATH_MAX);
			return -1;
		}
		out->unix_socket = xstrdup(word);
		return 0;
	}
	if (parse_host_port(word, out) == 0)
		return 0;
	snprintf(why, whylen,
	    "\"%s\" is not HOST:PORT, [IPV6]:PORT or /unix/socket/path", word);
	return -1;
}

void netaddr_endpoint_free(struct config_endpoint *e)
{
	free(e->host);
	free(e->unix_socket);
	memset(e, 0, sizeof(*e));
}

int netaddr_parse_servers(const char *list, struct config_replicas *r,
    char *why, size_t whylen)
{
	char word[NETADDR_SERVER_MAX + 1];
	const char *p = list;
	int rc;

	while ((rc = next_word(&p, word, sizeof(word))) != 0) {
		if (rc == -1) {
			snprintf(why, whylen, "a server longer than %d bytes",
			    NETADDR_SERVER_MAX);
			return -1;
		}
		if (r->count == CONFIG_REPLICAS_MAX) {
			snprintf(why, whylen, "more than %d servers",
			    CONFIG_REPLICAS_MAX);
			return -1;
		}
		if (netaddr_parse_server(word, &r->server[r->count], why,
		        whylen) == -1)
			return -1;
		r->count++;
	}
	return 0;
}
