/* The DAO's writes: add, update and delete, each one transaction through
 * one attempt helper, the written row read back in the same transaction. */
#include "dao_internal.h"

#include <stdlib.h>

#include "xmalloc.h"

/* An add with an Idempotency-Key tries its key's row this many times: a
 * row found expired (or purged meanwhile) is cleared and tried again. */
#define IDEM_TRIES 3
/* The longest stored answer read back: a user's JSON is far shorter. */
#define IDEM_ANSWER_MAX 16384

/* One write: its arguments, and the steps it runs inside the transaction. */
struct write_op {
	enum dao_status (*steps)(struct write_op *w, struct dao_failure *f);
	long id;                          /* update, delete */
	const struct etag_versions *want; /* update, delete */
	const struct user_fields *fields; /* add, update */
	struct user *out; /* add, update; delete: the user after DAO_STALE */
	struct dao_idem *idem; /* an idempotent add */
};

/* The key and the If-Match versions, bound after the statement's other
 * parameters: the spare version placeholders repeat the first. */
struct write_key {
	long long id;
	long long version[ETAG_VERSIONS_MAX];
};

/* Binds w's key, and its versions when it has some; returns the
 * statement to run: plain, or the If-Match one. */
static enum dao_stmt bind_key(const struct write_op *w, struct write_key *k,
    MYSQL_BIND *param, enum dao_stmt plain, enum dao_stmt checked)
{
	int i;

	k->id = w->id;
	dao_bind_long(&param[0], &k->id);
	if (w->want->any)
		return plain;
	for (i = 0; i < ETAG_VERSIONS_MAX; i++) {
		/* No version at all matches none: 0 is never one. */
		k->version[i] = w->want->count == 0
		    ? 0
		    : (long long)w->want->version[i < w->want->count ? i : 0];
		dao_bind_long(&param[1 + i], &k->version[i]);
	}
	return checked;
}

/*
 * After a write that matched no row: the user is missing (DAO_NOT_FOUND),
 * or it has another version than If-Match named (DAO_STALE, the user as
 * it is into w->out, for the 412's ETag).
 */
static enum dao_status no_row(struct write_op *w, struct dao_failure *f)
{
	enum dao_status s;

	if (w->want->any)
		return DAO_NOT_FOUND;
	s = dao_read_by_id(w->id, w->out, f);
	return s == DAO_OK ? DAO_STALE : s;
}

/* Binds the seven text fields; absent ones as NULL. */
static void bind_fields(MYSQL_BIND *param, const struct user_fields *uf,
    my_bool *is_null)
{
	int c;

	for (c = USER_TEXT_FIRST; c <= USER_TEXT_LAST; c++) {
		int i = c - USER_TEXT_FIRST;

		memset(&param[i], 0, sizeof(param[i]));
		param[i].buffer_type = MYSQL_TYPE_STRING;
		is_null[i] = !user_fields_has(uf, c);
		param[i].is_null = &is_null[i];
		if (!is_null[i]) {
			param[i].buffer = (void *)uf->text[i];
			param[i].buffer_length =
			    strnlen(uf->text[i], USER_TEXT_MAX - 1);
		}
	}
}

/* Executes the bound statement st; step names it in the logs. From here
 * on the write may have reached the server. */
static enum dao_status execute(MYSQL_STMT *st, MYSQL_BIND *param,
    const char *step, struct dao_failure *f)
{
	if (mysql_stmt_bind_param(st, param) != 0)
		return dao_stmt_failed(st, "bind", f);
	f->write_sent = 1;
	if (mysql_stmt_execute(st) != 0)
		return dao_stmt_failed(st, step, f);
	return DAO_OK;
}

/* The row just written, into w->out: it must be there. */
static enum dao_status read_back(long id, struct write_op *w,
    struct dao_failure *f)
{
	enum dao_status s = dao_read_by_id(id, w->out, f);

	if (s == DAO_NOT_FOUND) {
		dao_log(LOG_LEVEL_ERROR, f->op, "written row %ld not found",
		    id);
		s = DAO_ERROR;
	}
	return s;
}

static enum dao_status add_steps(struct write_op *w, struct dao_failure *f)
{
	MYSQL_BIND param[USER_TEXT_COUNT];
	my_bool is_null[USER_TEXT_COUNT];
	enum dao_status s;
	MYSQL_STMT *st;

	if ((s = dao_prepare(DAO_STMT_INSERT, &st, f)) != DAO_OK)
		return s;
	bind_fields(param, w->fields, is_null);
	if ((s = execute(st, param, "insert", f)) != DAO_OK)
		return s;
	return read_back((long)mysql_stmt_insert_id(st), w, f);
}

static enum dao_status update_steps(struct write_op *w, struct dao_failure *f)
{
	MYSQL_BIND param[USER_TEXT_COUNT + 1 + ETAG_VERSIONS_MAX];
	my_bool is_null[USER_TEXT_COUNT];
	struct write_key key;
	enum dao_status s;
	enum dao_stmt which;
	MYSQL_STMT *st;

	bind_fields(param, w->fields, is_null);
	which = bind_key(w, &key, &param[USER_TEXT_COUNT], DAO_STMT_UPDATE,
	    DAO_STMT_UPDATE_IF);
	if ((s = dao_prepare(which, &st, f)) != DAO_OK)
		return s;
	if ((s = execute(st, param, "update", f)) != DAO_OK)
		return s;
	/* Rows matched, not changed, thanks to CLIENT_FOUND_ROWS. */
	if (mysql_stmt_affected_rows(st) == 0)
		return no_row(w, f);
	return read_back(w->id, w, f);
}

static enum dao_status delete_steps(struct write_op *w, struct dao_failure *f)
{
	MYSQL_BIND param[1 + ETAG_VERSIONS_MAX];
	struct write_key key;
	enum dao_status s;
	enum dao_stmt which;
	MYSQL_STMT *st;

	which = bind_key(w, &key, param, DAO_STMT_DELETE, DAO_STMT_DELETE_IF);
	if ((s = dao_prepare(which, &st, f)) != DAO_OK)
		return s;
	if ((s = execute(st, param, "delete", f)) != DAO_OK)
		return s;
	return mysql_stmt_affected_rows(st) == 0 ? no_row(w, f) : DAO_OK;
}

/* Binds a 32-byte digest as a parameter. */
static void bind_hash(MYSQL_BIND *b, const unsigned char *hash,
    unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	*len = 32;
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)hash;
	b->buffer_length = 32;
	b->length = len;
}

/* Inserts the key's row; DAO_CONFLICT when there is one (after waiting
 * for a transaction that holds it to end). */
static enum dao_status idem_claim(struct dao_idem *k, struct dao_failure *f)
{
	MYSQL_BIND param[2];
	unsigned long len[2];
	enum dao_status s;
	MYSQL_STMT *st;

	if ((s = dao_prepare(DAO_STMT_IDEM_CLAIM, &st, f)) != DAO_OK)
		return s;
	bind_hash(&param[0], k->key_hash, &len[0]);
	bind_hash(&param[1], k->body_hash, &len[1]);
	return execute(st, param, "idempotency claim", f);
}

/* Result buffers of an idempotency row read back. */
struct idem_row {
	unsigned char body_hash[32];
	long long user_id, fresh;
	unsigned long len[4];
	my_bool is_null[4];
	MYSQL_BIND bind[4];
};

static void idem_row_bind(struct idem_row *r, char *answer)
{
	int i;

	memset(r->bind, 0, sizeof(r->bind));
	r->bind[0].buffer_type = MYSQL_TYPE_BLOB;
	r->bind[0].buffer = r->body_hash;
	r->bind[0].buffer_length = sizeof(r->body_hash);
	dao_bind_long(&r->bind[1], &r->user_id);
	r->bind[2].buffer_type = MYSQL_TYPE_STRING;
	r->bind[2].buffer = answer;
	r->bind[2].buffer_length = IDEM_ANSWER_MAX - 1;
	dao_bind_long(&r->bind[3], &r->fresh);
	for (i = 0; i < 4; i++) {
		r->bind[i].length = &r->len[i];
		r->bind[i].is_null = &r->is_null[i];
	}
}

/*
 * Reads the key's committed row into k (answer, user_id, mismatch);
 * *found 0: no row, 1: within 24 hours, 2: older.
 */
static enum dao_status idem_read(struct dao_idem *k, int *found,
    struct dao_failure *f)
{
	char *answer = xmalloc(IDEM_ANSWER_MAX);
	struct idem_row r;
	MYSQL_BIND param;
	unsigned long len;
	enum dao_status s;
	MYSQL_STMT *st;
	int rc;

	*found = 0;
	if ((s = dao_prepare(DAO_STMT_IDEM_READ, &st, f)) != DAO_OK)
		goto done;
	bind_hash(&param, k->key_hash, &len);
	idem_row_bind(&r, answer);
	if (mysql_stmt_bind_param(st, &param) != 0 ||
	    mysql_stmt_bind_result(st, r.bind) != 0) {
		s = dao_stmt_failed(st, "bind", f);
		goto done;
	}
	if (mysql_stmt_execute(st) != 0) {
		s = dao_stmt_failed(st, "idempotency read", f);
		goto done;
	}
	rc = mysql_stmt_fetch(st);
	if (rc == 0 && r.len[0] == 32 && !r.is_null[2]) {
		answer[r.len[2]] = '\0';
		*found = r.fresh ? 1 : 2;
		k->mismatch = memcmp(r.body_hash, k->body_hash, 32) != 0;
		k->user_id = (long)r.user_id;
		k->answer = answer;
		answer = NULL;
	} else if (rc != MYSQL_NO_DATA) {
		s = rc == 1 ? dao_stmt_failed(st, "fetch", f) : DAO_ERROR;
	}
	mysql_stmt_free_result(st);
done:
	free(answer);
	return s;
}

/* Deletes the key's row if it is older than 24 hours. */
static enum dao_status idem_expire(struct dao_idem *k, struct dao_failure *f)
{
	MYSQL_BIND param;
	unsigned long len;
	enum dao_status s;
	MYSQL_STMT *st;

	if ((s = dao_prepare(DAO_STMT_IDEM_EXPIRE, &st, f)) != DAO_OK)
		return s;
	bind_hash(&param, k->key_hash, &len);
	return execute(st, &param, "idempotency expire", f);
}

/*
 * Claims the key: 0 in *replay when this request does the add, 1 when a
 * committed one with the key answers it (k->answer set, k->replayed or
 * k->mismatch).
 */
static enum dao_status idem_take(struct dao_idem *k, int *replay,
    struct dao_failure *f)
{
	int tries, found;

	*replay = 0;
	for (tries = 0; tries < IDEM_TRIES; tries++) {
		enum dao_status s = idem_claim(k, f);

		if (s != DAO_CONFLICT)
			return s;
		free(k->answer);
		k->answer = NULL;
		if ((s = idem_read(k, &found, f)) != DAO_OK)
			return s;
		if (found == 1) {
			k->replayed = !k->mismatch;
			*replay = 1;
			return DAO_OK;
		}
		/* An expired row says nothing about this request. */
		k->mismatch = 0;
		free(k->answer);
		k->answer = NULL;
		if (found == 2 && (s = idem_expire(k, f)) != DAO_OK)
			return s;
	}
	dao_log(LOG_LEVEL_WARN, f->op, "idempotency key still taken");
	return DAO_UNAVAILABLE;
}

/* Stores the answer rendered from the added row under the key. */
static enum dao_status idem_save(struct dao_idem *k, const struct user *u,
    struct dao_failure *f)
{
	long long id = u->id;
	MYSQL_BIND param[3];
	unsigned long len, alen;
	enum dao_status s;
	MYSQL_STMT *st;

	if ((s = dao_prepare(DAO_STMT_IDEM_SAVE, &st, f)) != DAO_OK)
		return s;
	free(k->answer); /* none by now: the claim was won */
	k->answer = k->render(u, k->ctx);
	k->user_id = u->id;
	alen = strlen(k->answer);
	dao_bind_long(&param[0], &id);
	dao_bind_text(&param[1], k->answer, &alen);
	bind_hash(&param[2], k->key_hash, &len);
	return execute(st, param, "idempotency save", f);
}

static enum dao_status idem_add_steps(struct write_op *w, struct dao_failure *f)
{
	struct dao_idem *k = w->idem;
	enum dao_status s;
	int replay;

	/* A replayed attempt (a deadlock) starts over. */
	free(k->answer);
	k->answer = NULL;
	k->replayed = k->mismatch = 0;
	if ((s = idem_take(k, &replay, f)) != DAO_OK || replay)
		return s;
	if ((s = add_steps(w, f)) != DAO_OK)
		return s;
	return idem_save(k, w->out, f);
}

/*
 * Every write runs in a transaction, a delete too: a stale connection then
 * fails at START TRANSACTION, before the statement is sent, and the write
 * can be replayed on a new connection (see dao_run).
 */
static enum dao_status write_attempt(void *arg, struct dao_failure *f)
{
	struct write_op *w = arg;
	enum dao_status s;

	if ((s = dao_begin(f)) != DAO_OK)
		return s;
	return dao_end_transaction(w->steps(w, f), f);
}

enum dao_status dao_user_add(const struct user_fields *f, struct user *out)
{
	const unsigned all = ((1u << USER_TEXT_COUNT) - 1) << USER_TEXT_FIRST;
	struct write_op w = { .steps = add_steps, .fields = f, .out = out };

	if ((f->present & all) != all) {
		dao_log(LOG_LEVEL_ERROR, "add", "add without every field");
		return DAO_ERROR;
	}
	return dao_run("add", write_attempt, &w);
}

enum dao_status dao_user_add_idempotent(const struct user_fields *f,
    struct dao_idem *k)
{
	struct user u;
	struct write_op w = { .steps = idem_add_steps,
		.fields = f,
		.out = &u,
		.idem = k };
	enum dao_status s;

	k->answer = NULL;
	s = dao_run("add", write_attempt, &w);
	if (s != DAO_OK) {
		free(k->answer);
		k->answer = NULL;
	}
	return s;
}

enum dao_status dao_user_update(long id, const struct etag_versions *want,
    const struct user_fields *f, struct user *out)
{
	struct write_op w = { .steps = update_steps,
		.id = id,
		.want = want,
		.fields = f,
		.out = out };

	return dao_run("update", write_attempt, &w);
}

enum dao_status dao_user_delete(long id, const struct etag_versions *want,
    struct user *current)
{
	struct write_op w = { .steps = delete_steps,
		.id = id,
		.want = want,
		.out = current };

	return dao_run("delete", write_attempt, &w);
}
