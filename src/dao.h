/* Data access: one MariaDB connection per worker and server ([database],
 * and the [replicas] servers a read has used), every statement prepared
 * once per connection and kept; after a lost connection, reconnect and
 * prepare again. All SQL text lives in dao_sql.c. */
#ifndef USERS_DAO_H
#define USERS_DAO_H

#include <stddef.h>

#include "config.h"
#include "etag.h"
#include "filter.h"
#include "paging.h"
#include "user.h"

enum dao_status {
	DAO_OK = 0,
	DAO_NOT_FOUND,   /* no row with that id */
	DAO_CONFLICT,    /* a unique key clash (1062) */
	DAO_STALE,       /* the user has none of the If-Match versions */
	DAO_UNAVAILABLE, /* server unreachable, gone, or timed out: 503 */
	DAO_ERROR        /* anything else: 500, detail in the log only */
};

/* The fields of a write: which of the seven text columns are present, and
 * their validated, trimmed values. */
struct user_fields {
	unsigned present; /* bit (1u << column) for each column given */
	char text[USER_TEXT_COUNT][USER_TEXT_MAX];
};
#define user_fields_has(f, column) (((f)->present >> (column)) & 1u)

/* Called once per row, in order; the row is only valid during the call. */
typedef void (*dao_row_fn)(const struct user *u, void *ctx);

/* Remembers cfg and rep (which must outlive the DAO; rep may be NULL: no
 * replicas) and tries to connect to [database]; a failure here is not
 * fatal: every call connects when it must. */
void dao_init(const struct config_database *cfg,
    const struct config_replicas *rep);
/* Closes the statements and the connection. */
void dao_shutdown(void);

/* Round trip to the server (reconnecting when needed). */
enum dao_status dao_ping(void);

enum dao_status dao_user_by_id(long id, struct user *out);

/*
 * The row lists below answer p->limit rows in the order (p->order_by, id),
 * ascending or descending: after p->cursor's (value, id) when p->has_cursor
 * (keyset: as cheap on the last page as on the first), else from
 * paging_offset(p). Each statement is prepared once per connection and
 * kind (filter, order, direction, keyset or offset, plan).
 */
enum dao_status dao_users_list(const struct paging *p, dao_row_fn each,
    void *ctx);

/* Case- and accent-insensitive substring match (the column's collation) of
 * value (len bytes of UTF-8), in which %, _ and the escape character match
 * themselves. column: USER_NICKNAME .. USER_COUNTRY_ID. The trigram index
 * (sql/01_schema.sql, sql/07_search_trigrams.sql) covers every one: a value
 * of 3 or more characters reads only the users of the blocks it names. */
enum dao_status dao_users_search(enum user_column column, const char *value,
    size_t len, const struct paging *p, dao_row_fn each, void *ctx);

/* Rows whose column (USER_CREATION_DATE or USER_UPDATE_DATE) falls on that
 * UTC day, as the half-open range [day, day + 1). */
enum dao_status dao_users_on_day(enum user_column column, int year, int month,
    int day, const struct paging *p, dao_row_fn each, void *ctx);

/* What an array route counts besides its page (api-extensions.md 2). */
enum dao_count_kind {
	DAO_COUNT_NONE = 0,
	DAO_COUNT_EXACT,    /* COUNT(*) in the page's snapshot */
	DAO_COUNT_ESTIMATED /* the optimizer's estimate (EXPLAIN EXTENDED) */
};

struct dao_total {
	enum dao_count_kind kind; /* set by the caller */
	long long rows;           /* set by the DAO when kind is not NONE */
};

/*
 * The list with filters (fs: none when fs->count is 0) and, when total is
 * not NULL and asks, the number of rows of the whole filtered set. With
 * DAO_COUNT_EXACT the page and the count are read in one read-only
 * transaction WITH CONSISTENT SNAPSHOT, so they agree.
 */
enum dao_status dao_users_filtered(const struct paging *p,
    const struct filter_set *fs, struct dao_total *total, dao_row_fn each,
    void *ctx);
/* dao_users_search and dao_users_on_day with a total, as above. */
enum dao_status dao_users_search_counted(enum user_column column,
    const char *value, size_t len, const struct paging *p,
    struct dao_total *total, dao_row_fn each, void *ctx);
enum dao_status dao_users_on_day_counted(enum user_column column, int year,
    int month, int day, const struct paging *p, struct dao_total *total,
    dao_row_fn each, void *ctx);

/* Inserts all seven fields in one transaction and reads the row back. */
enum dao_status dao_user_add(const struct user_fields *f, struct user *out);
/*
 * Updates the present fields, update_date and the version in one
 * transaction and reads the row back into *out; DAO_NOT_FOUND when id does
 * not exist; DAO_STALE, *out the user as it is, when want names versions
 * and the user has none of them (checked by the UPDATE itself).
 */
enum dao_status dao_user_update(long id, const struct etag_versions *want,
    const struct user_fields *f, struct user *out);
/* Deletes the user, as dao_user_update checks want; *current is the user
 * as it is after DAO_STALE. */
enum dao_status dao_user_delete(long id, const struct etag_versions *want,
    struct user *current);

/* ---- Idempotent adds (api-extensions.md section 5, dao_write.c) ---- */

/* The answer stored for an idempotent add, rendered from the added row
 * inside its transaction; a new string the DAO frees. */
typedef char *(*dao_answer_fn)(const struct user *u, void *ctx);

struct dao_idem {
	unsigned char key_hash[32];  /* sync_key_hash */
	unsigned char body_hash[32]; /* sync_body_hash */
	dao_answer_fn render;
	void *ctx;
	/* Set by dao_user_add_idempotent on DAO_OK: */
	int replayed; /* the key was used before, with this body */
	int mismatch; /* the key was used before, with another body */
	long user_id; /* the added user (replayed or not) */
	char *answer; /* the stored answer; the caller frees it */
};

/*
 * dao_user_add with an Idempotency-Key: the key's row is inserted first in
 * the add's transaction, so a second request with the key waits for the
 * first to end; if the first committed, the second finds its row and gets
 * its answer (replayed) or a mismatch, and adds nothing. A failed add
 * rolls the key back. A key older than 24 hours counts as unused.
 */
enum dao_status dao_user_add_idempotent(const struct user_fields *f,
    struct dao_idem *k);
/* Deletes a batch of keys older than 24 hours. */
enum dao_status dao_idem_purge(void);

/* ---- the change feed (api-extensions.md section 8, dao_changes.c) ---- */

enum dao_change_op { DAO_CHANGE_ADD = 1, DAO_CHANGE_UPDATE, DAO_CHANGE_DELETE };

/* One change of a page; only valid during the callback. */
struct dao_change {
	long seq;
	enum dao_change_op op;
	long id;
	char at[USER_DATE_LEN];
	const struct user *user; /* the row now; NULL once deleted */
};

typedef void (*dao_change_fn)(const struct dao_change *c, void *ctx);

/* The feed's ends: the last seq handed out, and the last one retention
 * deleted (an after below it is gone). */
struct dao_feed_head {
	long seq;
	long purged;
};

/*
 * On the primary: gives seqs to the changes committed since (a bounded
 * batch), then hands each change after `after` (at most limit, oldest
 * first) to each, then reads the head. The page is read before the head,
 * so when head->purged <= after no change of the page was purged before
 * it was read.
 */
enum dao_status dao_changes_page(long after, long limit, dao_change_fn each,
    void *ctx, struct dao_feed_head *head);
/* The head as it is (no sequencing): the export's X-Changes-Cursor. */
enum dao_status dao_changes_head(struct dao_feed_head *head);
/* How often a worker does housekeeping, at most. */
#define DAO_HOUSEKEEPING_SECONDS 1.0

/*
 * Housekeeping, at most once every DAO_HOUSEKEEPING_SECONDS per worker:
 * sequences the backlog (so the feed's table stays bounded when nobody
 * reads it), deletes a batch of changes older than retention_days and a
 * batch of expired Idempotency-Keys. Only when dao_housekeeping_want was
 * called since the last, and its period is over; else nothing. Failures
 * are logged only. The worker calls it between requests (worker.c).
 */
void dao_housekeeping(long retention_days);

/* A write or a feed read asks for housekeeping: no I/O, the request does
 * not wait for it. */
void dao_housekeeping_want(void);

/* 0 when no housekeeping is wanted; else 1 and *in, the seconds until
 * dao_housekeeping will do it: negative when it has been due that long. */
int dao_housekeeping_due(double *in);

#endif
