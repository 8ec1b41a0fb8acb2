/* The user record: its columns, its in-memory form and its JSON views. */
#ifndef USERS_USER_H
#define USERS_USER_H

#include <json-c/json.h>

/* Every column of the users table, in the order the JSON object shows them. */
enum user_column {
	USER_ID,
	USER_NICKNAME,
	USER_FIRST_NAME,
	USER_LAST_NAME,
	USER_EMAIL,
	USER_IDENTIFICATION_TYPE,
	USER_IDENTIFICATION_NUMBER,
	USER_COUNTRY_ID,
	USER_CREATION_DATE,
	USER_UPDATE_DATE,
	USER_COLUMN_COUNT
};

/* The seven text columns a client writes: USER_NICKNAME .. USER_COUNTRY_ID. */
#define USER_TEXT_FIRST USER_NICKNAME
#define USER_TEXT_LAST USER_COUNTRY_ID
#define USER_TEXT_COUNT (USER_TEXT_LAST - USER_TEXT_FIRST + 1)

/* The kinds of column, for the searches, the order and the cursor: the
 * seven text columns, the two dates, and the id. */
static inline int user_is_text_column(enum user_column c)
{
	return c >= USER_TEXT_FIRST && c <= USER_TEXT_LAST;
}

static inline int user_is_date_column(enum user_column c)
{
	return c == USER_CREATION_DATE || c == USER_UPDATE_DATE;
}

/* The text columns the trigram index covers: all seven. The list must
 * agree with the triggers and the backfill of sql/07_search_trigrams.sql
 * (a column here only would have its searches miss rows). */
static inline int user_is_trigram_column(enum user_column c)
{
	return user_is_text_column(c);
}

/* Room for the widest column (VARCHAR(100), 4 bytes a character) plus NUL. */
#define USER_TEXT_MAX 401
/* "YYYY-MM-DD HH:MM:SS" plus NUL. */
#define USER_DATE_LEN 20

struct user {
	long id;
	/* Indexed by enum user_column - USER_TEXT_FIRST; UTF-8, NUL-terminated.
	 */
	char text[USER_TEXT_COUNT][USER_TEXT_MAX];
	char creation_date[USER_DATE_LEN];
	char update_date[USER_DATE_LEN];
	/* The row's version (sql/04_versions.sql), never shown in JSON: the
	 * ETag's (etag.h). Read by the single-user statements only; 0 in the
	 * rows of a list. */
	unsigned long version;
};

/* Which keys a JSON user carries (the contract's three shapes). */
enum user_view {
	USER_VIEW_FULL,          /* all ten keys */
	USER_VIEW_WITHOUT_DATES, /* all but creation_date, update_date */
	USER_VIEW_LIMIT_FIELDS   /* id, nickname, email, identification_type,
	                            identification_number, country_id */
};

/* The column's name in the table and in JSON ("first_name"). */
const char *user_column_name(enum user_column column);

/* Text of a text column; column must be in USER_TEXT_FIRST..USER_TEXT_LAST. */
#define user_text(u, column) ((u)->text[(column)-USER_TEXT_FIRST])

/* A new JSON object with the view's keys in contract order; caller puts it. */
json_object *user_to_json(const struct user *u, enum user_view view);

/* The columns a view shows, as a mask of bits (1u << column). */
unsigned user_view_columns(enum user_view view);
/* A new JSON object with the view's keys that are in mask (bits 1u <<
 * column), in contract order; caller puts it. */
json_object *user_to_json_masked(const struct user *u, enum user_view view,
    unsigned mask);

#endif
