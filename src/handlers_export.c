/* GET /v1/users/export (api-extensions.md section 7): every user the
 * filters keep, in id order, as NDJSON or CSV, read in keyset chunks and
 * written as the rows come, so memory does not grow with the table and
 * no transaction stays open. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "listopts.h"
#include "paging.h"
#include "sync.h"
#include "xmalloc.h"

/* Rows a chunk reads: one statement each, continuing after the last id. */
#define EXPORT_CHUNK 1000

struct exporter {
	const struct request *req;
	enum export_format format;
	unsigned fields;
	int started; /* the head (and CSV header) is written */
	int failed;  /* a write failed: the client is gone */
	long rows;   /* of the current chunk */
	long last_id;
	/* X-Changes-Cursor: the feed's head before the first row read. */
	char changes_cursor[SYNC_CURSOR_MAX];
	char line[EXPORT_LINE_MAX];
};

static int put(struct exporter *e, const char *s, size_t len)
{
	return e->req->stream->write(e->req->stream->ctx, s, len);
}

/* The head, then the CSV header line. */
static int start(struct exporter *e)
{
	int n;

	e->started = 1;
	if (e->format == EXPORT_NDJSON)
		return http_stream_head(e->req, "application/x-ndjson",
		    e->changes_cursor);
	if (http_stream_head(e->req, "text/csv; charset=utf-8",
	        e->changes_cursor) != 0)
		return -1;
	n = export_csv_header(e->fields, e->line, sizeof(e->line));
	return n < 0 ? -1 : put(e, e->line, (size_t)n);
}

static int write_row(struct exporter *e, const struct user *u)
{
	json_object *o;
	const char *s;
	int rc;

	if (e->format == EXPORT_CSV) {
		int n =
		    export_csv_record(u, e->fields, e->line, sizeof(e->line));
		return n < 0 ? -1 : put(e, e->line, (size_t)n);
	}
	o = user_to_json_masked(u, USER_VIEW_FULL, e->fields);
	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = put(e, s, strlen(s)) | put(e, "\n", 1);
	json_object_put(o);
	return rc;
}

/* Each row of a chunk: the head before the first byte, then the row. */
static void export_row(const struct user *u, void *ctx)
{
	struct exporter *e = ctx;

	e->rows++;
	e->last_id = u->id;
	if (e->failed)
		return;
	if ((!e->started && start(e) != 0) || write_row(e, u) != 0)
		e->failed = 1;
}

/* The export's parameters; on a bad one answers 400 and returns -1. */
static int parse(const struct request *req, struct response *res,
    struct exporter *e, struct paging *p, struct filter_set *fs)
{
	const struct config_pagination *cfg = &req->cfg->pagination;
	enum paging_error err;
	enum filter_error ferr;

	err = paging_parse(req->query, cfg->default_limit, cfg->max_limit, p);
	if (err == PAGING_OK && p->order_by != USER_ID)
		err = PAGING_BAD_ORDER_BY; /* the export is in id order */
	if (err != PAGING_OK) {
		char msg[256];

		http_answer_text(res, paging_error_answer(err),
		    paging_error_message(err, cfg->max_limit, msg,
		        sizeof(msg)));
		return -1;
	}
	if ((ferr = filter_parse(req->query, fs)) != FILTER_OK) {
		http_answer(res, filter_error_answer(ferr));
		return -1;
	}
	if (listopts_fields(req->query, user_view_columns(USER_VIEW_FULL),
	        &e->fields) != 0) {
		http_answer(res, ANSWER_BAD_FIELDS);
		return -1;
	}
	if (export_format_parse(req->query, &e->format) != 0) {
		http_answer(res, ANSWER_BAD_FORMAT);
		return -1;
	}
	return 0;
}

/*
 * Reads the chunks until the end; the first failure ends it. A short chunk
 * is the end only once the next one, read after it, is empty: MariaDB can
 * answer a statement that a KILL QUERY stopped while it was being planned
 * with no rows and no error, and taken for the end such a chunk would end
 * the export cleanly with part of the rows (t/17's storm of kills saw it
 * on a chunk boundary). The price is one more statement per export.
 */
static enum dao_status run_chunks(struct exporter *e, struct paging *p,
    const struct filter_set *fs)
{
	int short_before = 0;

	p->page = 0;
	p->limit = EXPORT_CHUNK;
	p->has_cursor = 0;
	for (;;) {
		enum dao_status s;

		e->rows = 0;
		s = dao_users_filtered(p, fs, NULL, export_row, e);
		if (s != DAO_OK || e->failed || (e->rows == 0 && short_before))
			return s;
		short_before = e->rows < EXPORT_CHUNK;
		if (e->rows == 0)
			continue; /* the same cursor again */
		/* The next chunk starts after the last id (keyset). */
		memset(&p->cursor, 0, sizeof(p->cursor));
		p->has_cursor = 1;
		p->cursor.column = USER_ID;
		p->cursor.descending = p->descending;
		p->cursor.id = e->last_id;
	}
}

void handle_users_export(const struct request *req, struct response *res)
{
	struct filter_set *fs = xmalloc(sizeof(*fs));
	struct exporter *e = xcalloc(1, sizeof(*e));
	struct dao_feed_head head;
	enum dao_status s;
	struct paging p;

	e->req = req;
	if (req->stream == NULL) {
		http_answer(res, ANSWER_INTERNAL);
		goto done;
	}
	if (parse(req, res, e, &p, fs) != 0)
		goto done;
	/*
	 * Every change numbered up to the head committed before any row is
	 * read, so the export shows it; any other gets a higher seq. export
	 * + the feed after this cursor is a consistent copy.
	 */
	if ((s = dao_changes_head(&head)) == DAO_OK) {
		sync_cursor_format(head.seq, e->changes_cursor,
		    sizeof(e->changes_cursor));
		s = run_chunks(e, &p, fs);
	}
	if (s == DAO_OK && !e->failed && !e->started && start(e) != 0)
		e->failed = 1; /* no rows: the head (and CSV header) only */
	if (!e->started) {
		/* Nothing sent yet: the usual JSON answer. */
		handler_dao_failure(res, s);
		goto done;
	}
	res->streamed = 1;
	res->aborted = s != DAO_OK || e->failed;
done:
	free(e);
	free(fs);
}
