/*
 * Accepting connections here instead of inside libfcgi's FCGX_Accept_r.
 * libfcgi, after accepting on a unix socket, waits in select() up to 2 s
 * for the connection's first byte and closes the connection when that
 * select() fails. A signal always interrupts select(), SA_RESTART or not,
 * and a reload or a stop sends every old worker SIGTERM: a worker caught
 * in that select() dropped a request nginx had already sent (nginx logged
 * "writev() failed (32: Broken pipe)", the client got a 503). Accepted
 * here, the connection goes straight to libfcgi's read of the request,
 * which SA_RESTART resumes after the signal. The TCP allow-list check,
 * which libfcgi did from FCGI_WEB_SERVER_ADDRS, is done here too.
 */
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* accept(2): errors of the connection being taken, not of the listening
 * socket; the next accept() is fine. */
static int accept_again(int err)
{
	switch (err) {
	case EINTR:
	case EAGAIN:
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

/* Out of descriptors or memory: the connection waits in the backlog
 * while the worker pauses, rather than the worker exiting. */
static int accept_later(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM;
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

int listener_accept(int listen_fd, const struct netaddr_allow *allow,
    const volatile sig_atomic_t *stop)
{
	static const struct timespec pause = { 0, 100 * 1000 * 1000 };

	while (!*stop) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept(listen_fd, (struct sockaddr *)&peer, &len),
		    one = 1;

		if (fd < 0) {
			if (accept_again(errno))
				continue;
			if (!accept_later(errno))
				return -1;
			log_warn("accept: %s; pausing", strerror(errno));
			nanosleep(&pause, NULL);
			continue;
		}
		if (!netaddr_allow_peer(allow, (struct sockaddr *)&peer)) {
			refuse(fd, (struct sockaddr_in *)&peer);
			continue;
		}
		/* No replies to wait for: Nagle would only delay answers. */
		if (peer.ss_family == AF_INET)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		return fd;
	}
	return -1;
}
