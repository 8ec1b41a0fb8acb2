#!/usr/bin/env bash
# t/21_update.t: PUT and PATCH /v1/users/update-user/{id} (api.md "Writes"):
# partial updates, ignored keys, dates, validation, 404, 409, 415, 413; a
# failure leaves the row as it was. Inserts its own rows (SQL, with old
# dates) and deletes them when it exits; sample user 6 gets the original
# README's PUT and its update_date is put back afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

PREFIX_RE='^Bad request, check request attributes\. Missing or incorrect\. CHECK: '
CONFLICT_MSG='Bad request, could not update user. CHECK: The first_name next together the last_name should be uniques. The identification_type next together the identification_number should be uniques.'
BAD_ID_MSG='Bad request, the id passed as a parameter is not valid.'
USER_KEYS='["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id","creation_date","update_date"]'
PICK='{nickname, first_name, last_name, email, identification_type, identification_number, country_id}'
OLD='2023-03-20 21:02:33' # creation_date and update_date of the rows made here
README_BODY='{"nickname":"JOSE_PEREZ","first_name":"Jose","last_name":"Perez","email":"jose_consultasInternas@hotmail.com","identification_type":"DNI","identification_number":"22287680","country_id":"AR","creation_date":"2023-03-20 21:02:33","update_date":"2023-03-20 21:02:33","id":6}'


# sql_now: the database's UTC clock, as the API writes dates.
sql_now() { q "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')"; }

# This run's names; its rows (mkrow: dated OLD) go when it exits
# (t/writes.sh).
begin_writes U "'$OLD'"
SIX_CREATED='' SIX_UPDATED=''

# User 6 gets its README values and its own dates back at exit.
restore_six() {
	[ -n "$SIX_UPDATED" ] || return 0
	q "UPDATE users SET nickname = 'JOSE_PEREZ', first_name = 'Jose',
		last_name = 'Perez', email = 'jose_consultasInternas@hotmail.com',
		identification_type = 'DNI', identification_number = '22287680',
		country_id = 'AR', creation_date = '$SIX_CREATED',
		update_date = '$SIX_UPDATED' WHERE id = 6"
}
at_exit restore_six

# upd METHOD ID BODY [CONTENT_TYPE_HEADER]
upd() {
	api "$1" "/v1/users/update-user/$2" -H 'Expect:' \
		-H "${4:-Content-Type: application/json}" --data-binary "$3"
}

# upd_ok NAME METHOD ID BODY CHANGES [CONTENT_TYPE_HEADER]: 200; the
# answer is the row before with CHANGES applied (creation_date included),
# update_date now; the answer is the row in SQL and what GET gives.
upd_ok() {
	local before t0 answer
	before=$(row_json "$3")
	t0=$(sql_now)
	upd "$2" "$3" "$4" "${6:-}"
	is "$STATUS" 200 "$1: 200"
	jq_is '.message | keys_unsorted' "$USER_KEYS" "$1: the ten keys in order"
	jq_is '.message | del(.update_date)' \
		"$(jq -nc --argjson b "${before:-null}" --argjson c "$5" \
			'$b + $c | del(.update_date)' 2>&1)" \
		"$1: the new values; the other fields and creation_date unchanged"
	jq_is ".message.update_date >= \"$t0\"" true \
		"$1: update_date is now (>= $t0)"
	is "$(q "SELECT ABS(TIMESTAMPDIFF(SECOND, update_date, UTC_TIMESTAMP())) <= 300 FROM users WHERE id = $3")" 1 \
		"$1: update_date in SQL is now, in UTC"
	jq_is .message "$(row_json "$3")" "$1: the answer is the row in SQL"
	answer=$(printf '%s' "$BODY" | jq -c .message 2>&1)
	api GET "/v1/users/id/$3"
	jq_is .message "$answer" "$1: GET gives the same user"
}

# upd_fails STATUS NAME METHOD ID BODY [CONTENT_TYPE_HEADER]: STATUS with
# a string message; the row and the row count as before.
upd_fails() {
	local before n
	before=$(row_json "$4")
	n=$(count)
	upd "$3" "$4" "$5" "${6:-}"
	is "$STATUS" "$1" "$2: $1"
	jq_is '.message | type' '"string"' "$2: a JSON string message"
	is "$(row_json "$4")" "$before" "$2: the row is unchanged"
	is "$(count)" "$n" "$2: as many rows"
}

# upd_bad NAME METHOD ID BODY: 400 with the contract's prefix.
upd_bad() {
	upd_fails 400 "$1" "$2" "$3" "$4"
	like "$(message)" "$PREFIX_RE" "$1: the contract's message"
}

# upd_conflict NAME ID BODY: 409 with the exact message.
upd_conflict() {
	upd_fails 409 "$1" PATCH "$2" "$3"
	is "$(message)" "$CONFLICT_MSG" "$1: the contract's message"
}

mkrow
A=$NEWID
mkrow
B=$NEWID
ok "rows made with SQL ($A, $B)" test -n "$(row_json "$A")" -a -n "$(row_json "$B")"

# --- partial updates ---------------------------------------------------------

upd_ok 'PATCH nickname' PATCH "$A" "{\"nickname\":\"PATCHED_$RUN\"}" \
	"{\"nickname\":\"PATCHED_$RUN\"}"
jq_is .message.creation_date "\"$OLD\"" 'PATCH: creation_date unchanged'
upd_ok 'PUT email only (PUT is partial too)' PUT "$A" \
	"{\"email\":\"put.$RUN@example.com\"}" "{\"email\":\"put.$RUN@example.com\"}"
ch=$(jq -nc --arg r "$RUN" '{first_name: ("Ñandú " + $r), country_id: "UY"}')
upd_ok 'PATCH two fields, UTF-8' PATCH "$A" "$ch" "$ch"
is "$(q "SELECT HEX(first_name) FROM users WHERE id = $A")" "$(hexof "Ñandú $RUN")" \
	'PATCH UTF-8: stored byte for byte'
ch=$(jq -nc --arg r "$RUN" '{nickname: ("ALL_" + $r), first_name: ("AllF" + $r),
	last_name: ("AllL" + $r), email: ("all." + $r + "@example.org"),
	identification_type: ("V" + $r), identification_number: ($r + "0"),
	country_id: "BR"}')
upd_ok 'PUT all seven fields' PUT "$A" "$ch" "$ch"
upd_ok 'PATCH trims spaces' PATCH "$A" "{\"last_name\":\"  Trim  Me $RUN  \"}" \
	"{\"last_name\":\"Trim  Me $RUN\"}"
user1=$(row_json 1)
upd_ok 'PATCH with id, creation_date, update_date: ignored' PATCH "$A" \
	'{"id":1,"creation_date":"2000-01-01 00:00:00","update_date":"2000-01-01 00:00:00","country_id":"CL"}' \
	'{"country_id":"CL"}'
jq_is .message.id "$A" 'ignored id: the id of the path'
is "$(row_json 1)" "$user1" 'ignored id: user 1 unchanged'
upd_ok 'PUT the user its own names (no clash with itself)' PUT "$A" \
	"$(row_json "$A" | jq -c '{first_name, last_name}')" '{}'

# The same values as stored, twice within a second: 200, not 404.
q "UPDATE users SET update_date = UTC_TIMESTAMP() WHERE id = $A"
same=$(row_json "$A" | jq -c "$PICK")
upd PATCH "$A" "$same"
is "$STATUS" 200 'PATCH with the stored values: 200'
upd PATCH "$A" "$same"
is "$STATUS" 200 'PATCH with the stored values again: 200'
jq_is ".message | $PICK" "$same" 'PATCH with the stored values: values unchanged'
upd PUT "$A" "$(printf '%s' "$same" | jq -c '{nickname}')"
is "$STATUS" 200 'PUT with the stored nickname: 200'

# --- the original README's PUT, on sample user 6 ---------------------------

six=$(row_json 6)
is "$(printf '%s' "$six" | jq -c "$PICK")" "$(printf '%s' "$README_BODY" | jq -c "$PICK")" \
	'user 6 holds the README values'
if [ "$(printf '%s' "$six" | jq -c "$PICK")" = "$(printf '%s' "$README_BODY" | jq -c "$PICK")" ]; then
	SIX_CREATED=$(printf '%s' "$six" | jq -r .creation_date)
	SIX_UPDATED=$(printf '%s' "$six" | jq -r .update_date)
	upd_ok 'README PUT on user 6' PUT 6 "$README_BODY" '{}'
	jq_is .message.creation_date "\"$SIX_CREATED\"" 'README PUT: creation_date of 6 unchanged'
	q "UPDATE users SET update_date = '$SIX_UPDATED' WHERE id = 6"
	is "$(row_json 6)" "$six" 'user 6 as before (update_date put back)'
fi

# --- ids -----------------------------------------------------------------------

missing=$(q 'SELECT COALESCE(MAX(id), 0) + 1000000 FROM users')
upd_fails 404 "PATCH missing id $missing" PATCH "$missing" '{"nickname":"GHOST1"}'
upd_fails 404 "PUT missing id $missing" PUT "$missing" '{"nickname":"GHOST1"}'
upd_fails 404 'PATCH id 2147483647' PATCH 2147483647 '{"nickname":"GHOST1"}'
for id in 0 00 01 -1 +1 abc 1a a1 1.0 0x1 1e3 1%20 %201 2147483648 \
    99999999999999999999; do
	upd_fails 400 "PATCH id '$id'" PATCH "$id" '{"nickname":"BADID1"}'
	is "$(message)" "$BAD_ID_MSG" "PATCH id '$id': the contract's message"
done
# nginx itself refuses %00 in a path (its own JSON 400).
upd_fails 400 "PATCH id '$A%00'" PATCH "$A%00" '{"nickname":"BADID1"}'
upd_fails 400 "PUT id -$A" PUT "-$A" '{"nickname":"BADID1"}'
is "$(message)" "$BAD_ID_MSG" "PUT id -$A: the contract's message"
expect -n 'update-user/ (empty segment)' PATCH /v1/users/update-user/ 404 '' \
	-H 'Content-Type: application/json' --data-binary '{"nickname":"NOID1"}'

# --- bodies ----------------------------------------------------------------

upd_bad '{}' PATCH "$A" '{}'
upd_bad '{} with PUT' PUT "$A" '{}'
upd_bad 'only ignored keys' PATCH "$A" \
	"{\"id\":$A,\"creation_date\":\"$OLD\",\"update_date\":\"$OLD\"}"
upd_bad 'an unknown key with a good one' PATCH "$A" \
	'{"nickname":"UNKNOWN1","password":"x"}'
upd_bad 'nickname of 3' PATCH "$A" '{"nickname":"abc"}'
upd_bad 'nickname of 51' PATCH "$A" "{\"nickname\":\"$(rep N 51)\"}"
upd_bad 'a bad email beside a good nickname' PATCH "$A" \
	'{"nickname":"GOODNICK","email":"not-an-email"}'
upd_bad 'first_name empty after trimming' PATCH "$A" '{"first_name":"   "}'
upd_bad 'a number' PATCH "$A" '{"identification_number":12345678}'
upd_bad 'null' PATCH "$A" '{"nickname":null}'
upd_bad 'a tab' PATCH "$A" '{"nickname":"TAB\tTAB"}'
upd_bad 'a newline' PUT "$A" '{"last_name":"New\nLine"}'
upd_bad 'not JSON' PATCH "$A" 'nickname=NOTJSON'
upd_bad 'a JSON array' PATCH "$A" '[{"nickname":"ARRAY1"}]'
upd_bad 'trailing garbage' PATCH "$A" '{"nickname":"TRAILING1"}x'
upd_bad 'two objects' PATCH "$A" '{"nickname":"TWO1"}{"nickname":"TWO2"}'
upd_bad 'an empty body' PATCH "$A" ''
upd_bad 'invalid UTF-8' PATCH "$A" "{\"nickname\":\"BAD$(printf '\xff')UTF8\"}"

upd_fails 415 'text/plain' PATCH "$A" '{"nickname":"PLAIN1"}' 'Content-Type: text/plain'
upd_fails 415 'no Content-Type' PATCH "$A" '{"nickname":"NOCT1"}' 'Content-Type:'
upd_fails 415 'form Content-Type' PUT "$A" '{"nickname":"FORM1"}' \
	'Content-Type: application/x-www-form-urlencoded'
upd_ok 'application/json; charset=utf-8' PATCH "$A" '{"country_id":"PE"}' \
	'{"country_id":"PE"}' 'Content-Type: application/json; charset=utf-8'
body='{"nickname":"BIG1"}'
upd_fails 413 'a body of 16385 bytes' PATCH "$A" "$body$(rep ' ' $((16385 - ${#body})))"

# --- uniqueness ------------------------------------------------------------

bnames=$(row_json "$B" | jq -c '{first_name, last_name}')
upd_conflict "the names of user $B" "$A" "$bnames"
upd_conflict "the names of user $B, another case" "$A" \
	"$(printf '%s' "$bnames" | jq -c 'map_values(ascii_upcase)')"
upd_conflict "a new nickname with the names of user $B (all or nothing)" "$A" \
	"$(printf '%s' "$bnames" | jq -c '. + {nickname: "MUSTNOTSTICK"}')"
upd_conflict "the identification of user $B" "$A" \
	"$(row_json "$B" | jq -c '{identification_type, identification_number}')"
upd_conflict 'Ramón CASTRO (sample 8 is Ramon Castro)' "$A" \
	'{"first_name":"Ramón","last_name":"CASTRO"}'
upd_conflict 'dni 445938822 (sample 1)' "$A" \
	'{"identification_type":"dni","identification_number":"445938822"}'
mkrow_named "Same$RUN" "One$RUN"
D=$NEWID
mkrow_named "Same$RUN" "Two$RUN"
upd_conflict 'last_name only: the stored first_name makes the clash' "$D" \
	"{\"last_name\":\"Two$RUN\"}"
upd_ok 'first_name only: no clash' PATCH "$D" "{\"first_name\":\"Other$RUN\"}" \
	"{\"first_name\":\"Other$RUN\"}"

# --- other methods --------------------------------------------------------

for m in GET POST DELETE; do
	before=$(row_json "$A")
	expect -n "$m update-user" "$m" "/v1/users/update-user/$A" 405 '' \
		-H 'Content-Type: application/json' --data-binary '{"nickname":"METHOD1"}'
	like "$(header Allow)" PUT "$m update-user: Allow names PUT"
	like "$(header Allow)" PATCH "$m update-user: Allow names PATCH"
	is "$(row_json "$A")" "$before" "$m update-user: the row is unchanged"
done

# --- the sample users are untouched; clean up -----------------------------------

end_writes

done_testing
