/* Secret files read with read(2), not stdio, so no copy of a secret stays
 * behind in a FILE buffer; every copy is wiped before it is freed. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

void secret_free(void *p, size_t len)
{
	if (p != NULL)
		explicit_bzero(p, len);
	free(p);
}

/*
 * Reads fd to its end, or to one byte past SECRET_FILE_MAX, into buf
 * (SECRET_FILE_MAX + 1 bytes). Returns the bytes read, or -1 with errno.
 */
static ssize_t read_all(int fd, char *buf)
{
	size_t got = 0;

	while (got <= SECRET_FILE_MAX) {
		ssize_t r = read(fd, buf + got, SECRET_FILE_MAX + 1 - got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int secret_read_file(const char *file, int strip_newline, char **out,
    size_t *len, char *why, size_t whylen)
{
	char *buf = NULL;
	struct stat st;
	ssize_t got = 0;
	size_t n;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		snprintf(why, whylen, "cannot open %s: %s", file,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file", file);
		goto fail;
	}
	buf = xmalloc(SECRET_FILE_MAX + 1);
	got = read_all(fd, buf);
	if (got == -1) {
		snprintf(why, whylen, "cannot read %s: %s", file,
		    strerror(errno));
		got = SECRET_FILE_MAX + 1; /* wipe whatever came */
		goto fail;
	}
	if (got > SECRET_FILE_MAX) {
		snprintf(why, whylen, "%s is larger than %d bytes", file,
		    SECRET_FILE_MAX);
		goto fail;
	}
	n = (size_t)got;
	if (strip_newline && n > 0 && buf[n - 1] == '\n')
		n--;
	*out = xmalloc(n + 1);
	memcpy(*out, buf, n);
	(*out)[n] = '\0';
	*len = n;
	secret_free(buf, (size_t)got);
	close(fd);
	return 0;
fail:
	secret_free(buf, (size_t)got);
	close(fd);
	return -1;
}
