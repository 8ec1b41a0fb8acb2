/* The route table: adding a route is one line here. Order matters only for
 * readability: patterns do not overlap. The last column is the scope a
 * token needs when [jwt] scopes is on: each row is one kind of access. */
#include "handlers.h"
#include "router.h"
#include "user.h"

#define ROUTE_SEARCH(path, column) \
	{ \
		ROUTE_VALUE, path, HTTP_GET, handle_users_search, column, \
		    SCOPE_READ \
	}

const struct route router_routes[] = {
	{ ROUTE_EXACT, "/v1/test", HTTP_GET, handle_test, 0, SCOPE_READ },
	{ ROUTE_EXACT, "/v1/db-connection", HTTP_GET, handle_db_connection, 0,
	    SCOPE_READ },
	{ ROUTE_EXACT, "/v1/users/list", HTTP_GET, handle_users_list, 0,
	    SCOPE_READ },
	{ ROUTE_EXACT, "/v1/users/list-without-dates", HTTP_GET,
	    handle_users_list_without_dates, 0, SCOPE_READ },
	{ ROUTE_EXACT, "/v1/users/export", HTTP_GET, handle_users_export, 0,
	    SCOPE_EXPORT },
	{ ROUTE_EXACT, "/v1/users/changes", HTTP_GET, handle_users_changes, 0,
	    SCOPE_EXPORT },
	{ ROUTE_VALUE, "/v1/users/id/", HTTP_GET, handle_user_by_id, 0,
	    SCOPE_READ },
	{ ROUTE_VALUE, "/v1/users/id-limit-fields/", HTTP_GET,
	    handle_user_limit_fields, 0, SCOPE_READ },
	ROUTE_SEARCH("/v1/users/nickname/", USER_NICKNAME),
	ROUTE_SEARCH("/v1/users/first-name/", USER_FIRST_NAME),
	ROUTE_SEARCH("/v1/users/last-name/", USER_LAST_NAME),
	ROUTE_SEARCH("/v1/users/email/", USER_EMAIL),
	ROUTE_SEARCH("/v1/users/identification-type/",
	    USER_IDENTIFICATION_TYPE),
	ROUTE_SEARCH("/v1/users/identification-number/",
	    USER_IDENTIFICATION_NUMBER),
	ROUTE_SEARCH("/v1/users/country-id/", USER_COUNTRY_ID),
	{ ROUTE_VALUE, "/v1/users/creation-date/", HTTP_GET,
	    handle_users_on_day, USER_CREATION_DATE, SCOPE_READ },
	{ ROUTE_VALUE, "/v1/users/update-date/", HTTP_GET, handle_users_on_day,
	    USER_UPDATE_DATE, SCOPE_READ },
	{ ROUTE_EXACT_SLASH, "/v1/users/add-user", HTTP_POST, handle_user_add,
	    0, SCOPE_WRITE },
	{ ROUTE_VALUE, "/v1/users/update-user/", HTTP_PUT | HTTP_PATCH,
	    handle_user_update, 0, SCOPE_WRITE },
	{ ROUTE_VALUE, "/v1/users/delete-user/", HTTP_DELETE,
	    handle_user_delete, 0, SCOPE_DELETE },
	/* The change feed (/v1/users/changes) takes SCOPE_EXPORT, as
	 * api-extensions.md section 6 says: a mirror reads it after the
	 * export. */
};

const size_t router_route_count =
    sizeof(router_routes) / sizeof(router_routes[0]);
