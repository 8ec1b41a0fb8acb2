/* Log lines: "2026-11-29T10:00:00Z usersd[123] error [req-id] func: text". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_LEVEL_INFO;

static char current_request_id[65];

const char *const log_level_names[LOG_LEVEL_COUNT + 1] = { "error", "warn",
	"info", "debug", NULL };

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

int log_set_level_name(const char *name)
{
	size_t i;

	for (i = 0; i < LOG_LEVEL_COUNT; i++) {
		if (name != NULL && strcmp(name, log_level_names[i]) == 0) {
			log_threshold = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_set_request_id(const char *request_id)
{
	if (request_id == NULL) {
		current_request_id[0] = '\0';
		return;
	}
	snprintf(current_request_id, sizeof(current_request_id), "%s",
	    request_id);
}

void log_write(enum log_level level, const char *func, const char *fmt, ...)
{
	char stamp[32], text[1024];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* One fprintf per line so concurrent workers do not interleave. */
	fprintf(stderr, "%s usersd[%ld] %s [%s] %s: %s\n", stamp,
	    (long)getpid(), log_level_names[level],
	    current_request_id[0] ? current_request_id : "-", func, text);
}
