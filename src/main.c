/* usersd: the users FastCGI responder. Reads the INI file, opens the
 * socket, drops privileges, and hands over to the master. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "config.h"
#include "log.h"
#include "master.h"
#include "netaddr.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/usersd/usersd.ini"

static void usage(void)
{
	fprintf(stderr,
	    "usage: usersd [-t] [-c file]\n"
	    "  -c file  configuration (default " DEFAULT_CONFIG ")\n"
	    "  -t       check the configuration and exit\n");
	exit(2);
}

static int is_unix_socket(const char *socket)
{
	return socket[0] == '/' || socket[0] == '.';
}

/* Gives the socket its configured mode and group, so nginx can connect. */
static int prepare_socket(const struct config_server *s)
{
	struct group *gr;

	if (!is_unix_socket(s->socket))
		return 0;
	if (chmod(s->socket, s->socket_mode) != 0) {
		log_error("chmod %s: %s", s->socket, strerror(errno));
		return -1;
	}
	if (s->socket_group == NULL)
		return 0;
	if ((gr = getgrnam(s->socket_group)) == NULL) {
		log_error("[server] socket_group: no group %s",
		    s->socket_group);
		return -1;
	}
	if (chown(s->socket, (uid_t)-1, gr->gr_gid) != 0) {
		log_error("chown %s: %s", s->socket, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Linux caps a listen backlog at net.core.somaxconn without a word; nginx
 * answers 503 to what the queue cannot hold, so the cap is said at start.
 */
static void warn_somaxconn(int backlog)
{
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
	int max;

	if (f == NULL)
		return;
	if (fscanf(f, "%d", &max) == 1 && max < backlog)
		log_warn("[server] backlog %d is cut to net.core.somaxconn %d: "
		         "raise that (sysctl) or a burst nginx lets through "
		         "gets "
		         "503s",
		    backlog, max);
	fclose(f);
}

/* Becomes the configured user, then checks root cannot be regained. */
static int drop_privileges(const char *user)
{
	struct passwd *pw;

	if (user == NULL || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_error("[server] user: no user %s", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		log_error("dropping to %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {
		log_error("managed to regain root privileges");
		abort();
	}
	log_info("running as %s", user);
	return 0;
}

/*
 * The workers check [server] allow themselves (listener.c): libfcgi's
 * FCGI_WEB_SERVER_ADDRS is never read, so one inherited from the
 * environment cannot matter; it is dropped so that nothing suggests it
 * does.
 */
static void log_peer_allow_list(const struct config_server *s)
{
	unsetenv("FCGI_WEB_SERVER_ADDRS");
	if (s->allow != NULL)
		log_info("accepting FastCGI connections from %s only",
		    s->allow);
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	struct config cfg;
	char err[512];
	int ch, check_only = 0, listen_fd, rc;

	while ((ch = getopt(argc, argv, "c:t")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check_only = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (config_load(path, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "usersd: %s\n", err);
		return 1;
	}
	log_set_level_name(cfg.server.log_level);
	if (check_only) {
		printf("usersd: %s: configuration is valid\n", path);
		config_free(&cfg);
		return 0;
	}
	log_peer_allow_list(&cfg.server);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		goto fail;
	}
	/* No moment with a world-writable socket: mode is set right after. */
	umask(0177);
	if ((listen_fd = FCGX_OpenSocket(cfg.server.socket,
	         cfg.server.backlog)) < 0) {
		log_error("cannot listen on %s: %s", cfg.server.socket,
		    strerror(errno));
		goto fail;
	}
	warn_somaxconn(cfg.server.backlog);
	if (prepare_socket(&cfg.server) != 0 ||
	    drop_privileges(cfg.server.user) != 0)
		goto fail;
	rc = master_run(&cfg, listen_fd);
	if (is_unix_socket(cfg.server.socket))
		unlink(cfg.server.socket);
	config_free(&cfg);
	return rc;
fail:
	config_free(&cfg);
	return 1;
}
