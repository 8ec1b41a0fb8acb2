/* Logging to stderr: one line per event, with level, pid, the current
 * request id (when serving one) and the calling function. */
#ifndef USERS_LOG_H
#define USERS_LOG_H

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};
#define LOG_LEVEL_COUNT (LOG_LEVEL_DEBUG + 1)

extern enum log_level log_threshold;

/* The levels' names by enum log_level, as log lines and the INI's
 * [server] log_level spell them; NULL after the last. */
extern const char *const log_level_names[LOG_LEVEL_COUNT + 1];

void log_set_level(enum log_level level);
/* Sets the level by name (error, warn, info, debug); -1 for an unknown one. */
int log_set_level_name(const char *name);
/* The id is copied (truncated to 64 bytes); NULL clears it. */
void log_set_request_id(const char *request_id);
void log_write(enum log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The level test is in the macro so disabled levels cost one compare. */
#define log_at(level, ...) \
	do { \
		if ((level) <= log_threshold) \
			log_write((level), __func__, __VA_ARGS__); \
	} while (0)
#define log_error(...) log_at(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
