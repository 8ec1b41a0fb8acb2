/* The route table: adding a route is one line here. Order matters only for
 * readability: patterns do not overlap. */
#include "handlers.h"
#include "router.h"
#include "user.h"

#define ROUTE_SEARCH(path, column) \
	{ \
		ROUTE_VALUE, path, HTTP_GET, handle_users_search, column \
	}

const struct route router_routes[] = {
	{ ROUTE_EXACT, "/v1/test", HTTP_GET, handle_test, 0 },
	{ ROUTE_EXACT, "/v1/db-connection", HTTP_GET, handle_db_connection, 0 },
	{ ROUTE_EXACT, "/v1/users/list", HTTP_GET, handle_users_list, 0 },
	{ ROUTE_EXACT, "/v1/users/list-without-dates", HTTP_GET,
	    handle_users_list_without_dates, 0 },
	{ ROUTE_EXACT, "/v1/users/export", HTTP_GET, handle_users_export, 0 },
	{ ROUTE_EXACT, "/v1/users/changes", HTTP_GET, handle_users_changes, 0 },
	{ ROUTE_VALUE, "/v1/users/id/", HTTP_GET, handle_user_by_id, 0 },
	{ ROUTE_VALUE, "/v1/users/id-limit-fields/", HTTP_GET,
	    handle_user_limit_fields, 0 },
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
	    handle_users_on_day, USER_CREATION_DATE },
	{ ROUTE_VALUE, "/v1/users/update-date/", HTTP_GET, handle_users_on_day,
	    USER_UPDATE_DATE },
	{ ROUTE_EXACT_SLASH, "/v1/users/add-user", HTTP_POST, handle_user_add,
	    0 },
	{ ROUTE_VALUE, "/v1/users/update-user/", HTTP_PUT | HTTP_PATCH,
	    handle_user_update, 0 },
	{ ROUTE_VALUE, "/v1/users/delete-user/", HTTP_DELETE,
	    handle_user_delete, 0 },
};

const size_t router_route_count =
    sizeof(router_routes) / sizeof(router_routes[0]);
