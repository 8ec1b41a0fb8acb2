/* Allocation that aborts on exhaustion: a worker that cannot allocate is
 * respawned by the master, so callers never test for NULL. */
#ifndef USERS_XMALLOC_H
#define USERS_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* The caller frees the copy with free(). */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
