/* Unit tests for secret.c: files read whole, one trailing newline stripped
 * on request, NUL bytes kept, the size limit, what is not a regular file,
 * and reasons that name the path but never the content. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "tap.h"

static char scratch[] = "/tmp/test_secret_XXXXXX";

/* Writes len bytes of text to name in the scratch directory. */
static void put_file(const char *name, const char *text, size_t len)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1 || write(fd, text, len) != (ssize_t)len) {
		perror("test_secret: support file");
		exit(2);
	}
	close(fd);
}

/* Reads name; 1 when it gives exactly want (want_len bytes). */
static int reads_as(const char *name, int strip, const char *want,
    size_t want_len)
{
	char why[256], *text = NULL;
	size_t len = 12345;
	int got;

	if (secret_read_file(name, strip, &text, &len, why, sizeof(why)) != 0)
		return 0;
	got = len == want_len && memcmp(text, want, len) == 0 &&
	    text[len] == '\0';
	secret_free(text, len);
	return got;
}

/* Reads name expecting a refusal whose reason holds want. */
static int refused(const char *name, const char *want)
{
	char why[256] = "", *text = NULL;
	size_t len = 0;

	if (secret_read_file(name, 1, &text, &len, why, sizeof(why)) != -1)
		return 0;
	return text == NULL && strstr(why, want) != NULL &&
	    strstr(why, "hunter2") == NULL;
}

static void test_reads(void)
{
	put_file("pw", "hunter2\n", 8);
	ok(reads_as("pw", 1, "hunter2", 7), "one trailing newline stripped");
	ok(reads_as("pw", 0, "hunter2\n", 8), "kept without strip_newline");
	put_file("pw2", "hunter2\n\n", 9);
	ok(reads_as("pw2", 1, "hunter2\n", 8), "only one newline is stripped");
	put_file("crlf", "hunter2\r\n", 9);
	ok(reads_as("crlf", 1, "hunter2\r", 8), "a CR stays");
	put_file("nul", "a\0b\n", 4);
	ok(reads_as("nul", 1, "a\0b", 3),
	    "NUL bytes are kept, len counts them");
	put_file("empty", "", 0);
	ok(reads_as("empty", 1, "", 0), "an empty file reads as empty");
	put_file("nl", "\n", 1);
	ok(reads_as("nl", 1, "", 0), "a newline alone strips to empty");
}

static void test_size(void)
{
	char *big = malloc(SECRET_FILE_MAX + 1);

	if (big == NULL)
		exit(2);
	memset(big, 'k', SECRET_FILE_MAX + 1);
	put_file("max", big, SECRET_FILE_MAX);
	ok(reads_as("max", 0, big, SECRET_FILE_MAX),
	    "exactly SECRET_FILE_MAX bytes are read");
	put_file("over", big, SECRET_FILE_MAX + 1);
	ok(refused("over", "over is larger than 65536 bytes"),
	    "one byte more is refused");
	free(big);
}

static void test_refusals(void)
{
	put_file("pw", "hunter2\n", 8);
	ok(refused("nothere", "cannot open nothere: No such file"),
	    "a missing file: its path and the error");
	ok(refused(".", ". is not a regular file"), "a directory");
	ok(refused("/dev/null", "/dev/null is not a regular file"),
	    "a character device");
}

static void test_short_why(void)
{
	char why[8], *text = NULL;
	size_t len = 0;

	memset(why, 'x', sizeof(why));
	ok(secret_read_file("nothere", 1, &text, &len, why, sizeof(why)) ==
	            -1 &&
	        text == NULL && strcmp(why, "cannot ") == 0,
	    "the reason is cut to whylen");
}

int main(void)
{
	if (mkdtemp(scratch) == NULL || chdir(scratch) == -1) {
		perror("test_secret: scratch directory");
		return 2;
	}
	test_reads();
	test_size();
	test_refusals();
	test_short_why();
	secret_free(NULL, 0);
	ok(1, "secret_free(NULL, 0) is a no-op");
	unlink("pw");
	unlink("pw2");
	unlink("crlf");
	unlink("nul");
	unlink("empty");
	unlink("nl");
	unlink("max");
	unlink("over");
	if (chdir("/") == 0)
		rmdir(scratch);
	return tap_done();
}
