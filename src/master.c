/* Pre-fork master: keeps cfg->server.workers children of the current
 * generation alive, replaces generations on reload, stops them on exit. */
#include "master.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "worker.h"
#include "xmalloc.h"

struct child {
	pid_t pid; /* 0: free slot */
	unsigned generation;
	struct timespec started;
};

struct master {
	struct config *cfg;
	int listen_fd;
	struct listener_spares spares; /* shared by every generation */
	unsigned generation;           /* the one being kept alive */
	struct child *children;
	size_t nchildren;      /* slots, live or free */
	unsigned quick_deaths; /* workers in a row that died within a second */
	sigset_t wait_mask;    /* the mask sigsuspend waits with */
};

/* A worker that dies this soon after its start counts as a quick death. */
#define QUICK_DEATH_MS 1000

static volatile sig_atomic_t got_stop, got_reload, got_child;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else if (sig == SIGCHLD)
		got_child = 1;
	else
		got_stop = 1;
}

/* Handlers first, then block them: they are only taken in sigsuspend, so no
 * flag can be set between a check and the wait. */
static void install_signals(struct master *m)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &m->wait_mask);
}

static struct child *free_slot(struct master *m)
{
	size_t i;

	for (i = 0; i < m->nchildren; i++)
		if (m->children[i].pid == 0)
			return &m->children[i];
	m->children =
	    xrealloc(m->children, (m->nchildren + 1) * sizeof(*m->children));
	m->children[m->nchildren].pid = 0;
	return &m->children[m->nchildren++];
}

static void spawn(struct master *m)
{
	struct child *c = free_slot(m);
	pid_t pid = fork();

	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return;
	}
	/* exit(), not _exit(): a sanitizer build checks for leaks at exit. */
	if (pid == 0)
		exit(worker_run(m->cfg, m->listen_fd, &m->spares));
	c->pid = pid;
	c->generation = m->generation;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	log_info("worker %ld started (generation %u)", (long)pid,
	    m->generation);
}

static size_t count_current(const struct master *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nchildren; i++)
		if (m->children[i].pid != 0 &&
		    m->children[i].generation == m->generation)
			n++;
	return n;
}

static void log_exit(pid_t pid, int status, int expected)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && expected)
		log_info("worker %ld exited", (long)pid);
	else if (WIFEXITED(status))
		log_warn("worker %ld exited with status %d", (long)pid,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warn("worker %ld killed by signal %d (%s)", (long)pid,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000L +
	    (now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* Frees the slot of an exited child and says why it went. */
static void forget(struct master *m, pid_t pid, int status)
{
	struct child *c;
	int expected;

	for (c = m->children; c < m->children + m->nchildren; c++) {
		if (c->pid != pid)
			continue;
		expected = got_stop || c->generation != m->generation;
		log_exit(pid, status, expected);
		if (!expected && elapsed_ms(&c->started) < QUICK_DEATH_MS)
			m->quick_deaths++;
		else if (!expected)
			m->quick_deaths = 0;
		c->pid = 0;
	}
}

/* Reaps every child that has exited, without waiting. */
static void reap(struct master *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		forget(m, pid, status);
}

/* Workers that keep dying at start (a bug, a missing library) would make
 * the master fork in a tight loop: past a few, wait a second between. */
static void respawn(struct master *m)
{
	struct timespec pause = { 1, 0 };

	while (!got_stop && count_current(m) < (size_t)m->cfg->server.workers) {
		if (m->quick_deaths > (unsigned)m->cfg->server.workers) {
			log_error("workers die at start; retrying in a second");
			nanosleep(&pause, NULL);
			m->quick_deaths = 0;
		}
		spawn(m);
	}
}

static void signal_children(struct master *m, int sig, int old_only)
{
	size_t i;

	for (i = 0; i < m->nchildren; i++)
		if (m->children[i].pid != 0 &&
		    (!old_only || m->children[i].generation != m->generation))
			kill(m->children[i].pid, sig);
}

/* New workers start before the old ones are asked to finish, so the socket
 * always has someone accepting on it. */
static void reload(struct master *m)
{
	struct config fresh;
	char err[512];
	size_t i;

	if (config_load(m->cfg->path, &fresh, err, sizeof(err)) != 0) {
		log_error("reload refused, keeping the running configuration: "
		          "%s",
		    err);
		return;
	}
	if (strcmp(fresh.server.socket, m->cfg->server.socket) != 0)
		log_warn("[server] socket changed: it takes effect at restart");
	config_free(m->cfg);
	*m->cfg = fresh;
	log_set_level_name(m->cfg->server.log_level);
	m->generation++;
	for (i = 0; i < (size_t)m->cfg->server.workers; i++)
		spawn(m);
	signal_children(m, SIGTERM, 1);
	log_info("configuration reloaded from %s", m->cfg->path);
}

static size_t count_live(const struct master *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nchildren; i++)
		if (m->children[i].pid != 0)
			n++;
	return n;
}

/* Asks every worker to finish its request and waits, bounded. */
static void stop_all(struct master *m)
{
	time_t deadline = time(NULL) + m->cfg->server.shutdown_timeout;
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	signal_children(m, SIGTERM, 0);
	while (count_live(m) > 0 && time(NULL) < deadline) {
		nanosleep(&tick, NULL);
		reap(m);
	}
	if (count_live(m) == 0)
		return;
	log_warn("workers still busy after %d s: killing them",
	    m->cfg->server.shutdown_timeout);
	signal_children(m, SIGKILL, 0);
	while (count_live(m) > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0)
			break;
		forget(m, pid, status);
	}
}

int master_run(struct config *cfg, int listen_fd)
{
	struct master m;

	memset(&m, 0, sizeof(m));
	m.cfg = cfg;
	m.listen_fd = listen_fd;
	if (listener_spares_open(&m.spares) != 0)
		return 1;
	install_signals(&m);
	respawn(&m);
	log_info("master ready: %d workers on %s", cfg->server.workers,
	    cfg->server.socket);
	while (!got_stop) {
		while (!got_stop && !got_reload && !got_child)
			sigsuspend(&m.wait_mask);
		if (got_child) {
			got_child = 0;
			reap(&m);
		}
		if (got_reload && !got_stop) {
			got_reload = 0;
			reload(&m);
		}
		/* A worker that died is replaced at once (and said why above).
		 */
		respawn(&m);
	}
	log_info("stopping: waiting for in-flight requests");
	/* New connections are refused at once rather than queued behind a
	 * stop; the workers already let go of their copies. */
	close(listen_fd);
	stop_all(&m);
	listener_spares_close(&m.spares);
	free(m.children);
	log_info("stopped");
	return 0;
}
