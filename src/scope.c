/* Token scopes: the names of the four, and the scope claim read into a
 * set of them. */
#include "scope.h"

#include <string.h>

/* A scope's row: its name, and the challenge of a 403 that lacks it
 * (RFC 6750 3.1), written once here so that no answer builds one. */
#define SCOPE_ROW(scope, name) \
	{ \
		scope, name, \
		    "Bearer error=\"insufficient_scope\", scope=\"" name "\"" \
	}

static const struct {
	enum scope scope;
	const char *name;
	const char *challenge;
} scopes[] = {
	SCOPE_ROW(SCOPE_READ, "users:read"),
	SCOPE_ROW(SCOPE_WRITE, "users:write"),
	SCOPE_ROW(SCOPE_DELETE, "users:delete"),
	SCOPE_ROW(SCOPE_EXPORT, "users:export"),
};

#define SCOPE_COUNT (sizeof(scopes) / sizeof(scopes[0]))

const char *scope_name(enum scope s)
{
	size_t i;

	for (i = 0; i < SCOPE_COUNT; i++)
		if (scopes[i].scope == s)
			return scopes[i].name;
	return "";
}

const char *scope_challenge(enum scope s)
{
	size_t i;

	for (i = 0; i < SCOPE_COUNT; i++)
		if (scopes[i].scope == s)
			return scopes[i].challenge;
	return "Bearer error=\"insufficient_scope\"";
}

/* The scope named by the word of n bytes; 0 when none is. */
static unsigned scope_of_word(const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < SCOPE_COUNT; i++)
		if (strlen(scopes[i].name) == n &&
		    memcmp(scopes[i].name, word, n) == 0)
			return (unsigned)scopes[i].scope;
	return 0;
}

unsigned scope_parse(const char *claim, size_t len)
{
	unsigned granted = 0;
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && claim[i] == ' ')
			i++;
		start = i;
		while (i < len && claim[i] != ' ')
			i++;
		if (i > start)
			granted |= scope_of_word(claim + start, i - start);
	}
	return granted;
}

int scope_allows(unsigned granted, enum scope need)
{
	return (granted & (unsigned)need) == (unsigned)need;
}
