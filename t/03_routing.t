#!/usr/bin/env bash
# t/03_routing.t: which paths and methods reach which route (api.md "Routes",
# "Fine points"): 404 for unknown paths, 405 with Allow for known paths with
# another method, the liveness and database routes. Read-only: no request
# here can add, change or delete a row.
. "$(dirname "$0")/lib.sh"

# not_allowed METHOD PATH ALLOW: a 405 with a JSON message, whose Allow
# header is exactly ALLOW.
not_allowed() {
	expect "$1" "$2" 405 @string
	is "$(header Allow)" "$3" "$1 $2: Allow: $3"
}

# --- the two service routes ---

expect GET /v1/test 200 @string
jq_is '.message | length > 0' true 'GET /v1/test: message not empty'

expect GET /v1/db-connection 200
jq_is '.' '{"message":"Connection has been established successfully."}' \
    'GET /v1/db-connection: the contract message'

expect -n 'the query string is not part of the path' GET '/v1/test?x=1' 200

# --- unknown paths: 404 ---

expect GET /v1/ 404 @string
expect GET /v1/nothing-here 404 @string
expect GET /v1/users 404 @string
expect GET /v1/users/ 404 @string
expect GET /v1/users/id 404 @string
expect GET /v1/users/id/ 404 @string
expect GET /v1/users/id-limit-fields/ 404 @string
expect GET /v1/users/nickname/ 404 @string
expect GET /v1/users/creation-date/ 404 @string
expect GET /v1/users/id/4/5 404 @string
expect GET /v1/users/id/4/ 404 @string
expect GET /v1/users/id-limit-fields/4/5 404 @string
expect GET /v1/users/list/extra 404 @string
expect GET /v1/users/list-with-dates 404 @string
expect GET /v1/testing 404 @string
expect GET /v1/test/x 404 @string
expect DELETE /v1/no-such-route 404 @string

# Case-sensitive paths.
expect GET /v1/Users/list 404 @string
expect GET /v1/users/LIST 404 @string
expect GET /v1/TEST 404 @string
expect GET /V1/test 404 @string

# Only add-user takes a trailing slash.
expect GET /v1/users/list/ 404 @string
expect GET /v1/users/list-without-dates/ 404 @string
expect GET /v1/test/ 404 @string
expect GET /v1/db-connection/ 404 @string

# add-user with and without the slash reaches the handler: an empty object
# is a 400 (missing attributes), never 404/405, and adds nothing.
for p in /v1/users/add-user /v1/users/add-user/; do
	expect POST "$p" 400 @string -H 'Content-Type: application/json' \
		--data-binary '{}'
	isnt "$STATUS" 404 "POST $p: not 404"
	isnt "$STATUS" 405 "POST $p: not 405"
done
expect POST /v1/users/add-user// 404 @string

# --- known paths, other methods: 405 with Allow ---

not_allowed POST /v1/users/list GET
not_allowed PUT /v1/users/list GET
not_allowed DELETE /v1/users/list-without-dates GET
not_allowed DELETE /v1/users/id/1 GET
not_allowed POST /v1/users/id/1 GET
not_allowed PATCH /v1/users/id-limit-fields/1 GET
not_allowed POST /v1/users/nickname/RAFA GET
not_allowed PUT /v1/users/creation-date/2023-03-20 GET
not_allowed GET /v1/users/add-user POST
not_allowed PUT /v1/users/add-user/ POST
not_allowed GET /v1/users/delete-user/1 DELETE
not_allowed PATCH /v1/users/delete-user/1 DELETE
not_allowed POST /v1/test GET
not_allowed DELETE /v1/db-connection GET
not_allowed OPTIONS /v1/test GET
not_allowed OPTIONS /v1/users/list GET

# update-user takes PUT and PATCH.
for m in GET POST DELETE; do
	expect "$m" /v1/users/update-user/1 405 @string
	allow=$(header Allow)
	like "$allow" '(^|[ ,])PUT([ ,]|$)' "$m update-user: Allow has PUT"
	like "$allow" '(^|[ ,])PATCH([ ,]|$)' "$m update-user: Allow has PATCH"
	unlike "$allow" "GET|POST|DELETE" "$m update-user: Allow has no other method"
done

# HEAD: -I so that curl expects no body.
for p in /v1/test /v1/users/list /v1/users/id/4; do
	expect HEAD "$p" 405 '' -I
	is "$(header Allow)" GET "HEAD $p: Allow: GET"
done

# --- Answers given without reading the body ---------------------------------

# A worker closes a connection at once only when it read the request to its
# end; a body it refused unread goes through libfcgi's draining close.
# Closed at once instead, the unread bytes make the kernel reset the
# connection under nginx, which logs "Connection reset by peer" while
# reading the answer (and waits on it). 12 KiB: more than libfcgi's 8 KiB
# read buffer, so bytes stay unread in the socket. Twenty times each.
pad=$(head -c 12288 /dev/zero | tr '\0' x)
body="{\"nickname\":\"UNREAD $pad\"}"
errors_before=$(wc -l <"$USERS_STATE_DIR/log/nginx.error.log")
n401=0 n405=0
for _ in $(seq 20); do
	raw_request POST /v1/users/add-user -H "x-api-key: $USERS_API_KEY" \
		-H 'Content-Type: application/json' --data-binary "$body"
	[ "$STATUS:$(message)" = "401:Not authenticated, check x_api_key and Authorization" ] &&
		n401=$((n401 + 1))
	api POST /v1/test -H 'Content-Type: application/json' \
		--data-binary "$body"
	[ "$STATUS:$(header Allow)" = 405:GET ] && n405=$((n405 + 1))
done
is "$n401" 20 'a 12 KiB add-user body without a token: 401 and its message, 20 of 20'
is "$n405" 20 'a 12 KiB body POSTed to GET-only /v1/test: 405 with Allow, 20 of 20'
is "$(sql "SELECT COUNT(*) FROM users WHERE nickname LIKE 'UNREAD %'")" 0 \
	'no refused body reached the table'
is "$(tail -n +"$((errors_before + 1))" "$USERS_STATE_DIR/log/nginx.error.log" |
	grep -c 'reset by peer')" 0 'nginx saw no connection reset under those answers'

done_testing
