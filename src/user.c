/* The user record's column names and its three JSON shapes. */
#include "user.h"

static const char *const column_names[USER_COLUMN_COUNT] = {
	[USER_ID] = "id",
	[USER_NICKNAME] = "nickname",
	[USER_FIRST_NAME] = "first_name",
	[USER_LAST_NAME] = "last_name",
	[USER_EMAIL] = "email",
	[USER_IDENTIFICATION_TYPE] = "identification_type",
	[USER_IDENTIFICATION_NUMBER] = "identification_number",
	[USER_COUNTRY_ID] = "country_id",
	[USER_CREATION_DATE] = "creation_date",
	[USER_UPDATE_DATE] = "update_date",
};

/* The columns each view shows, in contract order, ended by USER_COLUMN_COUNT.
 */
static const enum user_column view_full[] = { USER_ID, USER_NICKNAME,
	USER_FIRST_NAME, USER_LAST_NAME, USER_EMAIL, USER_IDENTIFICATION_TYPE,
	USER_IDENTIFICATION_NUMBER, USER_COUNTRY_ID, USER_CREATION_DATE,
	USER_UPDATE_DATE, USER_COLUMN_COUNT };
static const enum user_column view_without_dates[] = { USER_ID, USER_NICKNAME,
	USER_FIRST_NAME, USER_LAST_NAME, USER_EMAIL, USER_IDENTIFICATION_TYPE,
	USER_IDENTIFICATION_NUMBER, USER_COUNTRY_ID, USER_COLUMN_COUNT };
static const enum user_column view_limit_fields[] = { USER_ID, USER_NICKNAME,
	USER_EMAIL, USER_IDENTIFICATION_TYPE, USER_IDENTIFICATION_NUMBER,
	USER_COUNTRY_ID, USER_COLUMN_COUNT };

const char *user_column_name(enum user_column column)
{
	return column_names[column];
}

static json_object *column_value(const struct user *u, enum user_column c)
{
	switch (c) {
	case USER_ID:
		return json_object_new_int64(u->id);
	case USER_CREATION_DATE:
		return json_object_new_string(u->creation_date);
	case USER_UPDATE_DATE:
		return json_object_new_string(u->update_date);
	default:
		return json_object_new_string(user_text(u, c));
	}
}

static const enum user_column *view_list(enum user_view view)
{
	return view == USER_VIEW_FULL         ? view_full
	    : view == USER_VIEW_WITHOUT_DATES ? view_without_dates
	                                      : view_limit_fields;
}

unsigned user_view_columns(enum user_view view)
{
	const enum user_column *cols = view_list(view);
	unsigned mask = 0;

	for (; *cols != USER_COLUMN_COUNT; cols++)
		mask |= 1u << *cols;
	return mask;
}

json_object *user_to_json(const struct user *u, enum user_view view)
{
	return user_to_json_masked(u, view, ~0u);
}

json_object *user_to_json_masked(const struct user *u, enum user_view view,
    unsigned mask)
{
	const enum user_column *cols = view_list(view);
	json_object *obj = json_object_new_object();

	/* Keys are constants: skip json-c's copy of each key. */
	for (; *cols != USER_COLUMN_COUNT; cols++)
		if (mask >> *cols & 1u)
			json_object_object_add_ex(obj, column_names[*cols],
			    column_value(u, *cols),
			    JSON_C_OBJECT_ADD_KEY_IS_NEW |
			        JSON_C_OBJECT_KEY_IS_CONSTANT);
	return obj;
}
