#!/usr/bin/env bash
# t/24_idempotent.t: Idempotency-Key on add-user (api-extensions.md
# section 5): a replay answers the first add's status, body and Location
# with Idempotent-Replayed: true and adds nothing; 20 concurrent requests
# with one key make one row and the same answer; another body is 422; a
# failed add stores nothing, so its retry runs; a bad key is 400; keys are
# per token subject and expire after 24 hours.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

REUSED_MSG='Unprocessable request, the Idempotency-Key was used with another body.'
BADKEY_MSG='Bad request, the Idempotency-Key must be 1 to 255 visible ASCII characters.'

begin_writes I

# add KEY BODY [CURL ARGS...]: POST add-user with Idempotency-Key KEY.
add() {
	local key=$1 body=$2 h="Idempotency-Key: $1"
	shift 2
	# curl leaves out a header written "Name:"; "Name;" sends it empty.
	[ -n "$key" ] || h='Idempotency-Key;'
	api POST /v1/users/add-user -H 'Expect:' \
		-H 'Content-Type: application/json' -H "$h" \
		--data-binary "$body" "$@"
}

rows_of() { q "SELECT COUNT(*) FROM users WHERE identification_type = '$TYPE' AND identification_number = '$1'"; }
num_of() { printf '%s' "$1" | jq -r .identification_number; }
keys_now() { q 'SELECT COUNT(*) FROM user_idempotency'; }

# --- the same key sequentially ------------------------------------------------

mk
KEY="seq-$RUN"
before=$(count)
add "$KEY" "$U"
is "$STATUS" 201 'first add with a key: 201'
is "$(header Idempotent-Replayed)" '' 'first add: no Idempotent-Replayed'
first_body=$BODY
first_loc=$(header Location)
first_etag=$(header ETag)
like "$first_etag" '^"[0-9]+-[0-9]+-3ff"$' 'first add: an ETag'
id=$(printf '%s' "$BODY" | jq -r '.message.id // empty')
is "$first_loc" "/v1/users/id/$id" 'first add: Location'
jq_is .message "$(row_json "$id")" 'first add: the answer is the row in SQL'
is "$(count)" $((before + 1)) 'first add: one row more'

# The user changes meanwhile: a replay still answers the first body.
api PATCH "/v1/users/update-user/$id" -H 'Content-Type: application/json' \
	--data '{"country_id":"UY"}'
is "$STATUS" 200 'the added user is then updated'
for n in 1 2 3; do
	add "$KEY" "$U"
	is "$STATUS" 201 "replay $n: 201"
	is "$(header Idempotent-Replayed)" true "replay $n: Idempotent-Replayed: true"
	is "$(header Location)" "$first_loc" "replay $n: the same Location"
	is "$(header ETag)" "$first_etag" "replay $n: the first add's ETag"
	is "$BODY" "$first_body" "replay $n: the same body, byte for byte"
done
is "$(count)" $((before + 1)) 'replays added nothing'
is "$(rows_of "$(num_of "$U")")" 1 'one row with these values'

# Another body with the key: 422, nothing added.
other=$(printf '%s' "$U" | jq -c '.country_id = "CL"')
add "$KEY" "$other"
is "$STATUS" 422 'the key with another body: 422'
is "$(message)" "$REUSED_MSG" '422: the contract message'
is "$(header Idempotent-Replayed)" '' '422: not a replay'
is "$(count)" $((before + 1)) '422: nothing added'
# The same JSON spelled otherwise is another body (bytes are compared).
add "$KEY" "$(printf '%s' "$U" | jq .)"
is "$STATUS" 422 'the same JSON, other whitespace: 422'

# The same key under another token subject is another key.
TOKEN2=$(mint_hs "{\"sub\":\"other-$RUN\",\"exp\":$(($(now) + 600))}")
mk
raw_request POST /v1/users/add-user -H 'Expect:' \
	-H "x-api-key: $USERS_API_KEY" -H "Authorization: Bearer $TOKEN2" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: $KEY" \
	--data-binary "$U"
is "$STATUS" 201 'the key under another subject: a new add'
is "$(header Idempotent-Replayed)" '' 'another subject: not a replay'
isnt "$(header Location)" "$first_loc" 'another subject: another user'

# --- 20 concurrent requests with one key ---------------------------------------

mk
KEY="par-$RUN"
before=$(count)
for i in $(seq 20); do
	curl -sk --max-time 30 -D "$TEST_TMP/h$i" -o "$TEST_TMP/b$i" \
		-X POST "$USERS_URL/v1/users/add-user" -H 'Expect:' \
		-H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" \
		-H 'Content-Type: application/json' -H "Idempotency-Key: $KEY" \
		--data-binary "$U" &
done
wait
is "$(count)" $((before + 1)) '20 concurrent requests, one key: one row added'
is "$(rows_of "$(num_of "$U")")" 1 '20 concurrent: one row with these values'
statuses=$(for i in $(seq 20); do awk 'NR == 1 { print $2 }' "$TEST_TMP/h$i"; done | sort | uniq -c | awk '{ print $1 "x" $2 }')
is "$statuses" 20x201 '20 concurrent: every answer 201'
is "$(cat "$TEST_TMP"/b* | sort -u | wc -l)" 1 '20 concurrent: one body, byte for byte'
locs=$(for i in $(seq 20); do tr -d '\r' <"$TEST_TMP/h$i" | awk -F': ' 'tolower($1) == "location" { print $2 }'; done | sort | uniq -c | awk '{ print $1 "x" $2 }')
pid=$(jq -r '.message.id' "$TEST_TMP/b1")
is "$locs" "20x/v1/users/id/$pid" '20 concurrent: one Location, the row'
replayed=$(cat "$TEST_TMP"/h* | tr -d '\r' | grep -ci '^idempotent-replayed: true$')
is "$replayed" 19 '20 concurrent: 19 answers are replays'
jq_is -n "$(row_json "$pid")" "$(jq -c .message "$TEST_TMP/b1")" \
	'20 concurrent: the answer is the row in SQL'

# --- a failed add stores nothing: the retry runs ------------------------------

mk
taken=$U
add "taken-$RUN" "$taken"
is "$STATUS" 201 'a user to clash with'
clash=$(printf '%s' "$taken" | jq -c --arg n "N$RUN" '.identification_number = $n | .nickname = "CLASH_NICK"')
KEY="fail-$RUN"
keys=$(keys_now)
before=$(count)
add "$KEY" "$clash"
is "$STATUS" 409 'a clashing add with a key: 409'
is "$(message)" "$ADD_CONFLICT_MSG" '409: the contract message'
is "$(keys_now)" "$keys" '409: no key stored'
is "$(count)" "$before" '409: nothing added'
add "$KEY" "$clash"
is "$STATUS" 409 'its retry runs again: 409 again, not a replay'
is "$(header Idempotent-Replayed)" '' 'the retry is not a replay'
# Once the clash is gone, the same key and body add.
q "UPDATE users SET first_name = CONCAT(first_name, 'x') WHERE identification_type = '$TYPE' AND identification_number = '$(num_of "$taken")'"
add "$KEY" "$clash"
is "$STATUS" 201 'after the clash is gone, the same key adds: 201'
is "$(header Idempotent-Replayed)" '' 'that add is not a replay'
add "$KEY" "$clash"
is "$(header Idempotent-Replayed)" true 'and now it replays'

# A body the validation refuses (400) stores nothing either.
keys=$(keys_now)
add "bad-$RUN" '{"nickname":"x"}'
is "$STATUS" 400 'an invalid body with a key: 400'
is "$(keys_now)" "$keys" '400: no key stored'

# --- bad keys -------------------------------------------------------------------

mk
before=$(count)
long=$(rep k 256)
for k in '' 'a b' "$long" $'caf\xc3\xa9'; do
	add "$k" "$U"
	is "$STATUS" 400 "key '${k:0:12}' (${#k} bytes): 400"
	is "$(message)" "$BADKEY_MSG" "key '${k:0:12}': the message"
done
is "$(count)" "$before" 'bad keys: nothing added'
add "$(rep k 255)" "$U"
is "$STATUS" 201 'a key of 255 characters: 201'

# --- 24 hours -----------------------------------------------------------------

mk
KEY="old-$RUN"
add "$KEY" "$U"
old_id=$(printf '%s' "$BODY" | jq -r '.message.id // empty')
q "UPDATE user_idempotency SET created = created - INTERVAL 25 HOUR WHERE user_id = ${old_id:-0}"
mk
add "$KEY" "$U"
is "$STATUS" 201 'a key older than 24 hours is unused: a new add'
is "$(header Idempotent-Replayed)" '' 'older than 24 hours: not a replay'
isnt "$(printf '%s' "$BODY" | jq -r .message.id)" "$old_id" 'older than 24 hours: another user'

# The purge deletes expired keys in batches (housekeeping, once a second
# per worker, after a write).
q "UPDATE user_idempotency SET created = created - INTERVAL 25 HOUR WHERE user_id > $MAXID"
purged() {
	sleep 0.3
	mk
	api POST /v1/users/add-user -H 'Content-Type: application/json' --data-binary "$U" >/dev/null
	[ "$(q "SELECT COUNT(*) FROM user_idempotency WHERE created < UTC_TIMESTAMP() - INTERVAL 1 DAY")" = 0 ]
}
ok 'expired keys are purged' wait_for 15 purged

end_writes
done_testing
