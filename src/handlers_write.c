/* Write routes: add, update, delete. The body is checked in the order a
 * client can fix it: media type, size, then content. */
#include "handlers.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "etag.h"
#include "listopts.h"
#include "params.h"
#include "sync.h"
#include "validate.h"
#include "xmalloc.h"

/* The longest token subject an Idempotency-Key is stored under. */
#define SUBJECT_MAX 1024

/* fields= (api-extensions.md section 3) of the user a write answers,
 * read before the write so that a bad one changes nothing; on failure
 * answers 400 and returns -1. */
static int read_selection(const struct request *req, struct response *res,
    unsigned *mask)
{
	if (listopts_fields(req->query, user_view_columns(USER_VIEW_FULL),
	        mask) == 0)
		return 0;
	http_answer(res, ANSWER_BAD_FIELDS);
	return -1;
}

/* Checks and parses the body into *f; on failure answers and returns -1. */
static int read_fields(const struct request *req, struct response *res,
    enum validate_mode mode, struct user_fields *f)
{
	char msg[1024];

	if (!params_is_json(req->content_type)) {
		http_answer(res, ANSWER_MEDIA_TYPE);
		return -1;
	}
	if (req->body_too_large) {
		http_answer(res, ANSWER_TOO_LARGE);
		return -1;
	}
	if (validate_user_body(req->body ? req->body : "", req->body_len, mode,
	        f, msg, sizeof(msg)) != 0) {
		http_answer_text(res, ANSWER_BAD_ATTRIBUTES, msg);
		return -1;
	}
	return 0;
}

/* The answer of an add, as stored for an Idempotency-Key: the ETag, a
 * newline, the user object's JSON text (which holds no raw newline); a
 * new string. */
static char *render_added(const struct user *u, void *ctx)
{
	unsigned mask = *(const unsigned *)ctx;
	json_object *o = user_to_json_masked(u, USER_VIEW_FULL, mask);
	const char *json = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	char etag[ETAG_MAX];
	size_t elen, jlen = strlen(json);
	char *text;

	etag_format(u, user_view_columns(USER_VIEW_FULL) & mask, etag,
	    sizeof(etag));
	elen = strlen(etag);
	text = xmalloc(elen + 1 + jlen + 1);
	memcpy(text, etag, elen);
	text[elen] = '\n';
	memcpy(text + elen + 1, json, jlen + 1);
	json_object_put(o);
	return text;
}

static void added(struct response *res, long id, json_object *body)
{
	snprintf(res->location, sizeof(res->location), "/v1/users/id/%ld", id);
	http_json(res, 201, body);
}

/*
 * An add with an Idempotency-Key (api-extensions.md section 5): the first
 * and every replay answer the stored text, so they are the same bytes.
 */
static void add_idempotent(const struct request *req, struct response *res,
    const struct user_fields *f, unsigned mask)
{
	char subject[SUBJECT_MAX];
	struct dao_idem k;
	enum dao_status status;
	json_object *body;
	const char *json;

	memset(&k, 0, sizeof(k));
	if (sync_token_subject(req->authorization, subject, sizeof(subject)) !=
	    0) {
		http_answer(res, ANSWER_BAD_IDEMPOTENCY_KEY);
		return;
	}
	sync_key_hash(subject, req->idempotency_key, k.key_hash);
	sync_body_hash(req->body, req->body_len, k.body_hash);
	k.render = render_added;
	k.ctx = &mask;
	status = dao_user_add_idempotent(f, &k);
	if (status == DAO_CONFLICT)
		http_answer(res, ANSWER_ADD_CONFLICT);
	else if (status != DAO_OK)
		handler_dao_failure(res, status);
	else if (k.mismatch)
		http_answer(res, ANSWER_IDEMPOTENCY_REUSED);
	else if ((json = strchr(k.answer, '\n')) == NULL ||
	    (size_t)(json - k.answer) >= sizeof(res->etag) ||
	    (body = json_tokener_parse(json + 1)) == NULL)
		http_answer(res, ANSWER_INTERNAL);
	else {
		memcpy(res->etag, k.answer, (size_t)(json - k.answer));
		res->etag[json - k.answer] = '\0';
		res->replayed = k.replayed;
		added(res, k.user_id, body);
		dao_housekeeping_want();
	}
	free(k.answer);
}

void handle_user_add(const struct request *req, struct response *res)
{
	struct user_fields f;
	struct user u;
	enum dao_status status;
	unsigned mask;

	if (read_fields(req, res, VALIDATE_ADD, &f) != 0 ||
	    read_selection(req, res, &mask) != 0)
		return;
	if (req->idempotency_key != NULL) {
		if (!sync_key_valid(req->idempotency_key))
			http_answer(res, ANSWER_BAD_IDEMPOTENCY_KEY);
		else
			add_idempotent(req, res, &f, mask);
		return;
	}
	status = dao_user_add(&f, &u);
	if (status == DAO_CONFLICT) {
		http_answer(res, ANSWER_ADD_CONFLICT);
		return;
	}
	if (status != DAO_OK) {
		handler_dao_failure(res, status);
		return;
	}
	handler_etag(res, &u, USER_VIEW_FULL, mask);
	added(res, u.id, user_to_json_masked(&u, USER_VIEW_FULL, mask));
	dao_housekeeping_want();
}

/*
 * The precondition is read before the body: a client that sent none
 * where one is required learns that first. A 412 carries the ETag the
 * user has now, of the representation the write would have answered.
 */
void handle_user_update(const struct request *req, struct response *res)
{
	struct etag_versions want;
	struct user_fields f;
	struct user u;
	enum dao_status status;
	unsigned mask;
	long id;

	if (handler_path_id(req, res, &id) != 0 ||
	    handler_if_match(req, res, id, &want) != 0 ||
	    read_fields(req, res, VALIDATE_UPDATE, &f) != 0 ||
	    read_selection(req, res, &mask) != 0)
		return;
	status = dao_user_update(id, &want, &f, &u);
	if (status == DAO_OK || status == DAO_STALE)
		handler_etag(res, &u, USER_VIEW_FULL, mask);
	if (status == DAO_OK)
		dao_housekeeping_want();
	if (status == DAO_NOT_FOUND)
		http_answer(res, ANSWER_UPDATE_MISSING);
	else if (status == DAO_CONFLICT)
		http_answer(res, ANSWER_UPDATE_CONFLICT);
	else if (status == DAO_STALE)
		http_answer(res, ANSWER_STALE);
	else if (status != DAO_OK)
		handler_dao_failure(res, status);
	else
		http_json(res, 200,
		    user_to_json_masked(&u, USER_VIEW_FULL, mask));
}

void handle_user_delete(const struct request *req, struct response *res)
{
	struct etag_versions want;
	enum dao_status status;
	struct user current;
	long id;

	if (handler_path_id(req, res, &id) != 0 ||
	    handler_if_match(req, res, id, &want) != 0)
		return;
	status = dao_user_delete(id, &want, &current);
	if (status == DAO_OK)
		dao_housekeeping_want();
	if (status == DAO_NOT_FOUND) {
		http_answer(res, ANSWER_DELETE_MISSING);
	} else if (status == DAO_STALE) {
		handler_etag(res, &current, USER_VIEW_FULL,
		    user_view_columns(USER_VIEW_FULL));
		http_answer(res, ANSWER_STALE);
	} else if (status != DAO_OK) {
		handler_dao_failure(res, status);
	} else {
		http_answer(res, ANSWER_DELETED);
	}
}
