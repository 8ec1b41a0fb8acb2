/* Unit tests of the answers table (answers.c) and of the nginx site file
 * against it: nginx's body limit is HTTP_MAX_BODY, and the texts nginx
 * answers itself for 500 and 403 are the responder's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "http.h"
#include "tap.h"

#ifndef SITE_CONF
#define SITE_CONF "nginx/usersd-site.conf"
#endif

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * The first line from `from` on whose first word is word, with the rest of
 * the line (after the word and blanks) in *rest; NULL when none. A comment
 * line never matches. With stop_at_brace, the search ends at a line that
 * starts with "}" (the end of a map block).
 */
static const char *find_line(const char *from, const char *word,
    const char **rest, int stop_at_brace)
{
	size_t n = strlen(word);
	const char *p = from, *s;

	while (p != NULL && *p != '\0') {
		s = p + strspn(p, " \t");
		if (stop_at_brace && *s == '}')
			return NULL;
		if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\t')) {
			*rest = s + n + strspn(s + n, " \t");
			return s;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

/* nginx's size syntax: digits, then k or m (any case) or nothing. */
static long nginx_size(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v)
		return -1;
	if (*end == 'k' || *end == 'K')
		return n * 1024;
	if (*end == 'm' || *end == 'M')
		return n * 1024 * 1024;
	return *end == ';' ? n : -1;
}

/* The quoted text at s ("...") copied into buf; buf is "" when none. */
static const char *quoted(const char *s, char *buf, size_t len)
{
	const char *end;

	buf[0] = '\0';
	if (s == NULL || *s != '"' || (end = strchr(s + 1, '"')) == NULL ||
	    (size_t)(end - s - 1) >= len)
		return buf;
	memcpy(buf, s + 1, (size_t)(end - s - 1));
	buf[end - s - 1] = '\0';
	return buf;
}

/* The body text nginx answers itself for status, from its map. */
static const char *nginx_error(const char *conf, const char *status, char *buf,
    size_t len)
{
	const char *map = strstr(conf, "map $status $users_error_message {");
	const char *rest = NULL;

	buf[0] = '\0';
	if (map != NULL && find_line(map, status, &rest, 1) != NULL)
		quoted(rest, buf, len);
	return buf;
}

static void test_table(void)
{
	int a, b, bad = 0, dup = 0;

	for (a = 0; a < ANSWER_COUNT; a++) {
		int s = answer_status((enum answer)a);
		const char *t = answer_text((enum answer)a);

		if (s < 200 || s > 599 || t == NULL || t[0] == '\0')
			bad++;
		for (b = 0; b < a; b++)
			if (strcmp(t, answer_text((enum answer)b)) == 0)
				dup++;
	}
	ok(bad == 0, "every one of the %d answers has a status and a text",
	    ANSWER_COUNT);
	ok(dup == 0, "no two answers share a text");
	ok(answer_status(ANSWER_COUNT) == 500 &&
	        strcmp(answer_text(ANSWER_COUNT),
	            answer_text(ANSWER_INTERNAL)) == 0,
	    "a value outside the table answers as the 500");
	ok(answer_status(ANSWER_INTERNAL) == 500 &&
	        answer_status(ANSWER_UNAUTHENTICATED) == 401 &&
	        answer_status(ANSWER_TOO_LARGE) == 413,
	    "500, 401 and 413 statuses");
}

static void test_http_answer(void)
{
	struct response res;
	char want[512];

	memset(&res, 0, sizeof(res));
	http_answer(&res, ANSWER_NO_ROUTE);
	snprintf(want, sizeof(want), "{\"message\":\"%s\"}",
	    answer_text(ANSWER_NO_ROUTE));
	ok(res.status == 404 &&
	        strcmp(json_object_to_json_string_ext(res.body,
	                   JSON_C_TO_STRING_PLAIN),
	            want) == 0,
	    "http_answer: the table's status and text");
	http_answer_text(&res, ANSWER_BAD_ATTRIBUTES, "detail");
	ok(res.status == 400 &&
	        strcmp(json_object_to_json_string_ext(res.body,
	                   JSON_C_TO_STRING_PLAIN),
	            "{\"message\":\"detail\"}") == 0,
	    "http_answer_text: the table's status, the given text");
	json_object_put(res.body);
}

static void test_body_limit(const char *conf)
{
	const char *rest = NULL;
	char bytes[32];

	snprintf(bytes, sizeof(bytes), " %d bytes.", HTTP_MAX_BODY);
	ok(strstr(answer_text(ANSWER_TOO_LARGE), bytes) != NULL,
	    "the 413 text names HTTP_MAX_BODY (%d)", HTTP_MAX_BODY);
	ok(find_line(conf, "client_max_body_size", &rest, 0) != NULL &&
	        nginx_size(rest) == HTTP_MAX_BODY,
	    "nginx client_max_body_size is HTTP_MAX_BODY");
	ok(find_line(conf, "client_body_buffer_size", &rest, 0) != NULL &&
	        nginx_size(rest) >= HTTP_MAX_BODY,
	    "nginx client_body_buffer_size holds a whole body");
}

static void test_nginx_texts(const char *conf)
{
	static const char ret403[] = "return 403 '{\"message\":";
	const char *p;
	char text[256], kib[32];
	int returns = 0, same = 0;

	ok(strcmp(nginx_error(conf, "500", text, sizeof(text)),
	       answer_text(ANSWER_INTERNAL)) == 0,
	    "nginx's 500 text is the responder's: \"%s\"", text);
	ok(strcmp(nginx_error(conf, "403", text, sizeof(text)),
	       answer_text(ANSWER_UNAUTHENTICATED)) == 0,
	    "nginx's 403 text is the responder's 401 text: \"%s\"", text);
	for (p = strstr(conf, ret403); p != NULL; p = strstr(p + 1, ret403)) {
		returns++;
		if (strcmp(quoted(p + strlen(ret403), text, sizeof(text)),
		        answer_text(ANSWER_UNAUTHENTICATED)) == 0)
			same++;
	}
	ok(returns >= 2 && same == returns,
	    "each of nginx's %d key refusals (return 403) says the same",
	    returns);
	/* nginx's 413 text is its own (docs/openapi.yaml shows both): it
	 * must name the same limit, in KiB. */
	snprintf(kib, sizeof(kib), "the limit is %d KiB", HTTP_MAX_BODY / 1024);
	ok(strstr(nginx_error(conf, "413", text, sizeof(text)), kib) != NULL,
	    "nginx's 413 text names HTTP_MAX_BODY: \"%s\"", text);
}

int main(void)
{
	char *conf = read_file(SITE_CONF);

	test_table();
	test_http_answer();
	ok(conf != NULL, "read %s", SITE_CONF);
	if (conf != NULL) {
		test_body_limit(conf);
		test_nginx_texts(conf);
	}
	free(conf);
	return tap_done();
}
