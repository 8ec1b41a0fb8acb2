#!/usr/bin/env bash
# t/24_conditional.t: conditional requests (api-extensions.md section 4):
# the version each update makes, the strong ETag of every single-user
# answer (one per representation), If-None-Match -> 304, If-Match -> 412
# with the current ETag, If-Match: *, weak and malformed tags, two
# concurrent If-Match updates with one ETag (exactly one wins), and
# [writes] require_if_match -> 428 on a responder of the test's own
# (t/fcgi.sh). Inserts its own rows and deletes them when it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"
. "$(dirname "$0")/fcgi.sh"

STALE_MSG='Precondition failed, the user was changed since it was read.'
REQUIRED_MSG="Precondition required, send If-Match with the user's ETag."
BAD_MSG='Bad request, the If-Match header is not valid. Send * or the ETag of an earlier answer as it is (at most 4 of one user).'
TAG_RE='^"[1-9][0-9]*-[1-9][0-9]*-[0-9a-f]+"$'

begin_writes C

# etag: the ETag header of the last answer.
etag() { header ETag; }
# version ID: the row's version in SQL.
version() { q "SELECT version FROM users WHERE id = $1"; }
# nick ID: the row's nickname in SQL.
nick() { q "SELECT nickname FROM users WHERE id = $1"; }

# put ID[?QUERY] BODY [CURL ARGS...]: PUT update-user with a JSON body.
put() {
	local id=$1 body=$2
	shift 2
	api PUT "/v1/users/update-user/$id" -H 'Expect:' \
		-H 'Content-Type: application/json' --data-binary "$body" "$@"
}

# --- the column and the ETags ----------------------------------------------

is "$(q "SELECT COUNT(*) FROM information_schema.columns WHERE
	table_schema = DATABASE() AND table_name = 'users' AND
	column_name = 'version'")" 1 'users has the version column'
mkrow
ID=$NEWID
is "$(version "$ID")" 1 'a new row is at version 1'

api GET "/v1/users/id/$ID"
is "$STATUS" 200 'by id: 200'
FULL=$(etag)
like "$FULL" "$TAG_RE" "by id: a strong ETag ($FULL)"
is "$FULL" "\"$ID-1-3ff\"" 'by id: id, version 1, all ten columns'
api GET "/v1/users/id/$ID"
is "$(etag)" "$FULL" 'the same user, the same ETag'
api GET "/v1/users/id-limit-fields/$ID"
is "$STATUS" 200 'id-limit-fields: 200'
LIMITED=$(etag)
like "$LIMITED" "$TAG_RE" "id-limit-fields: a strong ETag ($LIMITED)"
isnt "$LIMITED" "$FULL" 'the limited representation has its own ETag'
api GET "/v1/users/id/$ID?fields=id,email"
F1=$(etag)
api GET "/v1/users/id/$ID?fields=id,nickname"
F2=$(etag)
like "$F1" "$TAG_RE" "fields=id,email: a strong ETag ($F1)"
ok "each fields= choice has its own ETag ($F1 $F2)" \
	test "$F1" != "$F2" -a "$F1" != "$FULL" -a "$F1" != "$LIMITED"
api GET "/v1/users/id/$ID?fields=email,id"
is "$(etag)" "$F1" 'the same columns in another order: the same ETag'

# --- If-None-Match -----------------------------------------------------------

api GET "/v1/users/id/$ID" -H "If-None-Match: $FULL"
is "$STATUS" 304 'If-None-Match with the current ETag: 304'
is "$BODY" '' '304: no body'
is "$(etag)" "$FULL" '304: the ETag again'
is "$(header Content-Length)" '' '304: no Content-Length'
api GET "/v1/users/id/$ID" -H "If-None-Match: W/$FULL"
is "$STATUS" 304 'If-None-Match compares weakly: W/ of it is 304'
api GET "/v1/users/id/$ID" -H 'If-None-Match: "x", '"$FULL"
is "$STATUS" 304 'If-None-Match: a list holding it is 304'
api GET "/v1/users/id/$ID" -H 'If-None-Match: *'
is "$STATUS" 304 'If-None-Match: * on an existing user is 304'
api GET "/v1/users/id-limit-fields/$ID" -H "If-None-Match: $LIMITED"
is "$STATUS" 304 'id-limit-fields with its ETag: 304'
api GET "/v1/users/id/$ID?fields=id,email" -H "If-None-Match: $F1"
is "$STATUS" 304 'fields= with its ETag: 304'
api GET "/v1/users/id/$ID" -H "If-None-Match: $LIMITED"
is "$STATUS" 200 "another representation's ETag: 200"
jq_is '.message.id' "$ID" 'and the whole user'
api GET "/v1/users/id/$ID" -H 'If-None-Match: nonsense'
is "$STATUS" 200 'a malformed If-None-Match is ignored: 200'
api GET '/v1/users/id/2147483647' -H 'If-None-Match: *'
is "$STATUS" 404 'If-None-Match on a missing user: still 404'

# --- If-Match on PUT and PATCH -------------------------------------------------

put "$ID" '{"nickname":"C_ONE"}' -H "If-Match: $FULL"
is "$STATUS" 200 'PUT with the current ETag: 200'
is "$(version "$ID")" 2 'the update made version 2'
V2=$(etag)
is "$V2" "\"$ID-2-3ff\"" 'the answer carries the new ETag'
api GET "/v1/users/id/$ID"
is "$(etag)" "$V2" 'a read gives the same ETag'

put "$ID" '{"nickname":"C_STALE"}' -H "If-Match: $FULL"
is "$STATUS" 412 'PUT with an old ETag: 412'
is "$(message)" "$STALE_MSG" '412: the message'
is "$(etag)" "$V2" '412: the current ETag'
is "$(nick "$ID")" C_ONE '412: nothing written'
is "$(version "$ID")" 2 '412: the version is unchanged'

put "$ID" '{"nickname":"C_STALE"}' -H "If-Match: W/$V2"
is "$STATUS" 412 'a weak tag never matches If-Match (strong comparison)'
is "$(nick "$ID")" C_ONE 'weak tag: nothing written'

api GET "/v1/users/id-limit-fields/$ID"
LIMITED2=$(etag)
api PATCH "/v1/users/update-user/$ID" -H 'Expect:' \
	-H 'Content-Type: application/json' --data-binary '{"nickname":"C_TWO"}' \
	-H "If-Match: $LIMITED2"
is "$STATUS" 200 "PATCH with the limited representation's ETag of the version: 200"
is "$(nick "$ID")" C_TWO 'PATCH: written'
is "$(version "$ID")" 3 'version 3'

put "$ID" '{"nickname":"C_THREE"}' -H "If-Match: \"x\", $FULL, \"$ID-3-1\""
is "$STATUS" 200 'a list naming the current version: 200'
is "$(version "$ID")" 4 'version 4'

put "$ID" '{"nickname":"C_FOUR"}' -H 'If-Match: *'
is "$STATUS" 200 'If-Match: * on an existing user: 200'
is "$(version "$ID")" 5 'version 5'

put "$ID" '{"nickname":"C_FIVE"}'
is "$STATUS" 200 'no If-Match: 200, as in the original'
is "$(version "$ID")" 6 'an update without If-Match makes a version too'

put "$ID?fields=id,email" '{"nickname":"C_FIVE"}' -H "If-Match: \"$ID-6-3ff\""
is "$STATUS" 200 'PUT with fields=: 200'
is "$(etag)" "\"$ID-7-11\"" "the answer's ETag is of its fields= representation"
api GET "/v1/users/id/$ID?fields=id,email"
is "$(etag)" "\"$ID-7-11\"" 'the same as the read of that representation'
put "$ID?fields=id,email" '{"nickname":"C_SIX"}' -H "If-Match: \"$ID-6-3ff\""
is "$STATUS" 412 'a stale PUT with fields=: 412'
is "$(etag)" "\"$ID-7-11\"" '412: the current ETag of that representation'

for h in 'nonsense' '"unclosed' "$V2 junk" 'w/"1-1-1"' ',' \
	"\"$ID-1-1\",\"$ID-2-1\",\"$ID-3-1\",\"$ID-4-1\",\"$ID-5-1\""; do
	put "$ID" '{"nickname":"C_BAD"}' -H "If-Match: $h"
	is "$STATUS" 400 "malformed If-Match ($h): 400"
	is "$(message)" "$BAD_MSG" "malformed If-Match ($h): the message"
done
is "$(nick "$ID")" C_FIVE 'no malformed If-Match wrote anything'

put 2147483647 '{"nickname":"C_NONE"}' -H "If-Match: \"2147483647-1-3ff\""
is "$STATUS" 404 'If-Match on a missing user: still 404'
put 2147483647 '{"nickname":"C_NONE"}' -H 'If-Match: *'
is "$STATUS" 404 'If-Match: * on a missing user: 404'

# --- If-Match on DELETE --------------------------------------------------------

api DELETE "/v1/users/delete-user/$ID" -H "If-Match: $V2"
is "$STATUS" 412 'DELETE with an old ETag: 412'
is "$(message)" "$STALE_MSG" 'DELETE 412: the message'
is "$(etag)" "\"$ID-7-3ff\"" 'DELETE 412: the current full ETag'
is "$(q "SELECT COUNT(*) FROM users WHERE id = $ID")" 1 'the user is still there'
api DELETE "/v1/users/delete-user/$ID" -H "If-Match: \"$ID-7-3ff\""
is "$STATUS" 200 'DELETE with the current ETag: 200'
is "$(q "SELECT COUNT(*) FROM users WHERE id = $ID")" 0 'the user is gone'
api DELETE "/v1/users/delete-user/$ID" -H "If-Match: \"$ID-7-3ff\""
is "$STATUS" 404 'DELETE with If-Match of a deleted user: 404'
api DELETE "/v1/users/delete-user/$ID" -H 'If-Match: *'
is "$STATUS" 404 'DELETE with If-Match: * of a missing user: 404'

# --- add ---------------------------------------------------------------------------

K=$((K + 1))
ADD_BODY="{\"nickname\":\"CN$RUN\",\"first_name\":\"CF$RUN\",\"last_name\":\"CL$RUN\",\"email\":\"c$RUN@example.com\",\"identification_type\":\"$TYPE\",\"identification_number\":\"${RUN}a\",\"country_id\":\"AR\"}"
api POST /v1/users/add-user -H 'Expect:' -H 'Content-Type: application/json' \
	--data-binary "$ADD_BODY"
is "$STATUS" 201 'add: 201'
AID=$(printf '%s' "$BODY" | jq -r .message.id)
is "$(etag)" "\"$AID-1-3ff\"" 'add: the ETag of version 1'
api GET "/v1/users/id/$AID" -H "If-None-Match: \"$AID-1-3ff\""
is "$STATUS" 304 "the add's ETag is the read's"

# --- two writers, one ETag ----------------------------------------------------------

mkrow
CID=$NEWID
wins=0 other=''
for round in $(seq 20); do
	tag="\"$CID-$round-3ff\""
	for w in a b; do
		curl -sk -o /dev/null -w '%{http_code}\n' -X PUT \
			-H "x-api-key: $USERS_API_KEY" \
			-H "Authorization: Bearer $USERS_TOKEN" \
			-H 'Content-Type: application/json' -H 'Expect:' \
			-H "If-Match: $tag" \
			--data-binary "{\"nickname\":\"C_$w$round\"}" \
			"$USERS_URL/v1/users/update-user/$CID" >"$TEST_TMP/race.$w" &
	done
	wait
	codes=$(sort "$TEST_TMP/race.a" "$TEST_TMP/race.b" | paste -sd' ' -)
	case $codes in
	'200 412') wins=$((wins + 1)) ;;
	*) other+=" round $round: $codes" ;;
	esac
	[ "$(version "$CID")" = $((round + 1)) ] ||
		other+=" round $round: version $(version "$CID")"
done
is "$wins" 20 "20 rounds of two PUTs with one ETag: exactly one 200 and one 412 each$other"
is "$(version "$CID")" 21 'one version a round'

# --- [writes] require_if_match ---------------------------------------------------

BIN=$(built usersd)
PORT=$(free_port)
if [ -z "$BIN" ] || [ -z "$PORT" ]; then
	fail 'a responder of our own (binary or port missing)'
else
	tcp_ini "$PORT" >"$TEST_TMP/req.ini"
	printf '\n[writes]\nrequire_if_match = true\n' >>"$TEST_TMP/req.ini"
	if start_responder "$TEST_TMP/req.ini" "$PORT"; then
		fcgi_raw "$PORT" "$USERS_TOKEN" PUT "/v1/users/update-user/$CID" \
			'{"nickname":"C_REQ"}'
		is "$STATUS" 428 'require_if_match: PUT without If-Match is 428'
		is "$(message)" "$REQUIRED_MSG" '428: the message'
		fcgi_raw "$PORT" "$USERS_TOKEN" PATCH "/v1/users/update-user/$CID" \
			'{"nickname":"C_REQ"}'
		is "$STATUS" 428 'require_if_match: PATCH without If-Match is 428'
		fcgi_raw "$PORT" "$USERS_TOKEN" DELETE "/v1/users/delete-user/$CID"
		is "$STATUS" 428 'require_if_match: DELETE without If-Match is 428'
		is "$(version "$CID")" 21 '428: nothing written'
		fcgi_raw "$PORT" "$USERS_TOKEN" PUT "/v1/users/update-user/$CID" \
			'{"nickname":"C_REQ"}' "HTTP_IF_MATCH=\"$CID-21-3ff\""
		is "$STATUS" 200 'require_if_match: PUT with the ETag is 200'
		fcgi_raw "$PORT" "$USERS_TOKEN" PUT "/v1/users/update-user/$CID" \
			'{"nickname":"C_REQ"}' 'HTTP_IF_MATCH=*'
		is "$STATUS" 200 'require_if_match: If-Match: * is enough'
		fcgi_raw "$PORT" "$USERS_TOKEN" GET "/v1/users/id/$CID"
		is "$STATUS" 200 'require_if_match: reads need none'
		fcgi_raw "$PORT" "$USERS_TOKEN" PUT "/v1/users/update-user/$CID" \
			'{"nickname":"C_REQ"}' "HTTP_IF_MATCH=\"$CID-1-3ff\""
		is "$STATUS" 412 'require_if_match: a stale one is 412'
		is "$(printf '%s\n' "$HEADERS" | sed -n 's/^ETag: //p')" \
			"\"$CID-23-3ff\"" '412 over FastCGI: the current ETag'
		stop_responder
	else
		fail 'the require_if_match responder did not start'
	fi
fi

end_writes
done_testing
