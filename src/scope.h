/* Token scopes (api-extensions.md section 6): the four a route may need,
 * and the scope claim read into a set of them. */
#ifndef USERS_SCOPE_H
#define USERS_SCOPE_H

#include <stddef.h>

/* One bit each; a set of them is an unsigned mask. */
enum scope {
	SCOPE_READ = 1u << 0,   /* "users:read": the GET routes */
	SCOPE_WRITE = 1u << 1,  /* "users:write": add, update */
	SCOPE_DELETE = 1u << 2, /* "users:delete" */
	SCOPE_EXPORT = 1u << 3  /* "users:export": export, the change feed */
};

/* The scope's name as the claim spells it ("users:write"); "" for a value
 * that is not one scope. */
const char *scope_name(enum scope s);
/* The WWW-Authenticate value of a 403 for lacking s (static):
 * Bearer error="insufficient_scope", scope="users:write". */
const char *scope_challenge(enum scope s);

/*
 * The scopes a claim value grants: its space-separated names (RFC 8693
 * 4.2, OAuth 2.0's scope syntax), compared exactly, letter case included;
 * unknown names and repeated spaces are ignored. len bytes of claim are
 * read (a NUL among them ends nothing: the name holding it is unknown).
 */
unsigned scope_parse(const char *claim, size_t len);

/* Whether granted holds need. */
int scope_allows(unsigned granted, enum scope need);

#endif
