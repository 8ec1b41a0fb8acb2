#!/usr/bin/env bash
# t/44_scopes.t: token scopes (api-extensions.md section 6). A responder of
# the test's own (t/fcgi.sh) with [jwt] scopes = true answers every route
# to tokens granting each scope alone, none, all four, and near-misses:
# a route is served only when the token holds its scope, else 403 with
# the scope named in the body and in WWW-Authenticate. The stack's own
# responder (scopes off) still serves a token without a scope claim. No
# row changes: the writes that pass the scope check fail validation or
# name a missing user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi.sh"

bail() {
	fail "$1"
	done_testing
	exit 1
}

BIN=$(built usersd)
[ -n "$BIN" ] || bail "no usersd binary"
PORT=$(free_port) || bail "no free port"
tcp_ini "$PORT" | sed '/^\[jwt\]/a scopes = true' >"$TEST_TMP/scopes.ini"
start_responder "$TEST_TMP/scopes.ini" "$PORT" ||
	bail "the responder with [jwt] scopes did not start"

# token SCOPE_CLAIM_JSON: a token whose scope claim is that JSON value
# (null: no claim).
token() {
	if [ "$1" = null ]; then
		mint_hs '{"sub":"scopes"}'
	else
		mint_hs "{\"sub\":\"scopes\",\"scope\":$1}"
	fi
}

MISSING=2147483647
# Every route: METHOD PATH BODY SCOPE.
ROUTES=(
	"GET /v1/test - users:read"
	"GET /v1/db-connection - users:read"
	"GET /v1/users/list - users:read"
	"GET /v1/users/list-without-dates - users:read"
	"GET /v1/users/id/1 - users:read"
	"GET /v1/users/id-limit-fields/1 - users:read"
	"GET /v1/users/nickname/a - users:read"
	"GET /v1/users/first-name/a - users:read"
	"GET /v1/users/last-name/a - users:read"
	"GET /v1/users/email/a - users:read"
	"GET /v1/users/identification-type/a - users:read"
	"GET /v1/users/identification-number/1 - users:read"
	"GET /v1/users/country-id/AR - users:read"
	"GET /v1/users/creation-date/2023-03-20 - users:read"
	"GET /v1/users/update-date/2023-03-20 - users:read"
	"GET /v1/users/export - users:export"
	"POST /v1/users/add-user {} users:write"
	"PUT /v1/users/update-user/$MISSING {\"nickname\":\"SCOPES_NICK\"} users:write"
	"PATCH /v1/users/update-user/$MISSING {\"nickname\":\"SCOPES_NICK\"} users:write"
	"DELETE /v1/users/delete-user/$MISSING - users:delete"
)

# The status a route answers when the scope check lets it through.
served_status() {
	case $1 in
	POST) echo 400 ;;        # {} fails validation
	PUT | PATCH | DELETE) echo 404 ;; # a missing user
	*) echo 200 ;;
	esac
}

# check LABEL CLAIM GRANTED...: every route with a token of that claim;
# served when GRANTED lists its scope, else 403 naming it.
check() {
	local label=$1 tok r method path body need want bad='' www
	tok=$(token "$2")
	shift 2
	for r in "${ROUTES[@]}"; do
		read -r method path body need <<<"$r"
		[ "$body" = - ] && body=''
		fcgi_raw "$PORT" "$tok" "$method" "$path" "$body"
		if [[ " $* " == *" $need "* ]]; then
			want=$(served_status "$method")
			[ "$STATUS" = "$want" ] ||
				bad+=" $method $path: $STATUS (want $want);"
			continue
		fi
		www=$(printf '%s\n' "$HEADERS" | sed -n 's/^WWW-Authenticate: //p')
		[ "$STATUS" = 403 ] || bad+=" $method $path: $STATUS (want 403);"
		[ "$(message)" = "Forbidden, the token lacks the scope $need" ] ||
			bad+=" $method $path: message $(message);"
		[ "$www" = "Bearer error=\"insufficient_scope\", scope=\"$need\"" ] ||
			bad+=" $method $path: WWW-Authenticate $www;"
	done
	is "$bad" '' "$label: each of the ${#ROUTES[@]} routes as its scope says"
}

check 'no scope claim' null
check 'an empty scope claim' '""'
check 'users:read alone' '"users:read"' users:read
check 'users:write alone' '"users:write"' users:write
check 'users:delete alone' '"users:delete"' users:delete
check 'users:export alone' '"users:export"' users:export
check 'all four, with extra spaces and an unknown one' \
	'" users:export  openid users:delete users:write users:read "' \
	users:read users:write users:delete users:export
check 'letter case counts (Users:Read, USERS:WRITE)' '"Users:Read USERS:WRITE"'
check 'a prefix is not the scope (users:rea users:writer)' \
	'"users:rea users:writer"'
check 'a scope claim that is an array grants nothing' \
	'["users:read","users:write"]'
check 'read and write' '"users:read users:write"' users:read users:write

# Refused tokens are still 401, before any scope.
fcgi_raw "$PORT" "$(mint_hs '{"scope":"users:read"}' another-secret)" GET /v1/test
is "$STATUS" 401 'a bad signature is 401, not 403'
fcgi_raw "$PORT" "$(mint_hs '{"scope":"users:read"}' '' \
	'{"alg":"hs256","typ":"JWT"}')" GET /v1/test
is "$STATUS" 401 'header alg "hs256" is not HS256: 401'
# An unknown route is 404 and a wrong method 405 before the scope.
fcgi_raw "$PORT" "$(token null)" GET /v1/nothing
is "$STATUS" 404 'an unknown route: 404 before the scope'
fcgi_raw "$PORT" "$(token null)" POST /v1/users/list
is "$STATUS" 405 'a wrong method: 405 before the scope'

stop_responder

# Without [jwt] scopes (the stack's responder), a token without the claim
# is served, as in the original.
with_token "$(token null)" /v1/users/id/1
is "$STATUS" 200 'scopes off: a token without a scope claim reads'

done_testing
