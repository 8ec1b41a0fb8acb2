/* Pagination and ordering of every route that answers an array: parsed once
 * from the query string, shared by list and search. */
#ifndef USERS_PAGING_H
#define USERS_PAGING_H

#include <stddef.h>

#include "answers.h"
#include "cursor.h"
#include "user.h"

struct paging {
	long page;                 /* 0 .. 2147483647 */
	long limit;                /* 1 .. max_limit */
	enum user_column order_by; /* USER_ID by default */
	int descending;            /* 0: ASC (default), 1: DESC */
	/* ?cursor=: continue after cursor.(value, id) instead of an offset;
	 * its column and direction are order_by and descending. */
	int has_cursor;
	struct cursor cursor;
};

enum paging_error {
	PAGING_OK = 0,
	PAGING_BAD_PAGE,  /* empty, repeated, not canonical digits, too big */
	PAGING_BAD_LIMIT, /* empty, repeated, not canonical digits, 0, > max */
	PAGING_BAD_ORDER_BY,     /* empty, repeated, not a whitelisted name */
	PAGING_BAD_ORDER_AT,     /* empty, repeated, not asc/desc */
	PAGING_BAD_CURSOR,       /* empty, repeated, not a cursor we make */
	PAGING_CURSOR_WITH_PAGE, /* cursor and page together */
	PAGING_CURSOR_MISMATCH   /* made for another orderBy or orderAt */
};

/*
 * Parses the raw (still percent-encoded) QUERY_STRING, which may be NULL or
 * empty. Values are form-decoded once; unknown parameters are ignored.
 * orderBy accepts the column names and their camelCase aliases in any
 * letter case; orderAt "asc" or "desc" in any case. cursor is the value of
 * an earlier answer's X-Next-Cursor, made for the same orderBy and orderAt.
 * When several parameters are bad, the first of page, limit, orderBy,
 * orderAt, cursor in that order decides the error. Allocates nothing.
 */
enum paging_error paging_parse(const char *query, long default_limit,
    long max_limit, struct paging *out);

/* The column an orderBy name (either spelling, any ASCII case) names:
 * 0 and *out, or -1. Filters and field selection take the same names. */
int paging_column_parse(const char *s, size_t len, enum user_column *out);

/* The answer (answers.h) that reports err. */
enum answer paging_error_answer(enum paging_error err);

/*
 * The client-facing 400 message for err (the contract's texts for orderBy
 * and orderAt), written into buf; returns buf.
 */
const char *paging_error_message(enum paging_error err, long max_limit,
    char *buf, size_t buflen);

/* Offset of the first row: page * limit, computed without overflow; 0 with
 * a cursor. */
long long paging_offset(const struct paging *p);

#endif
