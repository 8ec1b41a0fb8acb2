#!/usr/bin/env bash
# t/20_add.t: POST /v1/users/add-user (api.md "Writes"): the stored row,
# validation, media type, size and uniqueness; a failure writes nothing.
# Creates its own users and deletes every row it added when it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

PREFIX_RE='^Bad request, check request attributes\. Missing or incorrect\. CHECK: '
USER_KEYS='["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id","creation_date","update_date"]'
PICK='{nickname, first_name, last_name, email, identification_type, identification_number, country_id}'
DATE_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'

# This run's names; the rows this file adds go when it exits (t/writes.sh).
begin_writes T

# post_ct CONTENT_TYPE_HEADER BODY [PATH]: forgets the last row count.
post_ct() {
	LAST_COUNT=''
	api POST "${3:-/v1/users/add-user}" -H 'Expect:' -H "$1" \
		--data-binary "$2"
}

# post BODY [PATH]: as JSON.
post() { post_ct 'Content-Type: application/json' "$1" "${2:-}"; }

# add_ok NAME [EXPECTED]: POSTs U: 201, the answer holds EXPECTED's seven
# values (U's by default) and is the row in SQL. Sets NEWID.
add_ok() {
	post "$U"
	is "$STATUS" 201 "$1: 201"
	NEWID=$(printf '%s' "$BODY" | jq -r '.message.id // empty' 2>/dev/null)
	jq_is ".message | $PICK" "$(printf '%s' "${2:-$U}" | jq -c "$PICK")" \
		"$1: the stored values"
	jq_is .message "$(row_json "$NEWID")" "$1: the answer is the row in SQL"
}

# add_fails STATUS NAME BODY [CONTENT_TYPE_HEADER]: STATUS with a string
# message, and the table has as many rows as before. (The count after one
# failure is the count before the next, unless a request came between.)
LAST_COUNT=''
add_fails() {
	local before after
	before=${LAST_COUNT:-$(count)}
	post_ct "${4:-Content-Type: application/json}" "$3"
	after=$(count)
	is "$STATUS" "$1" "$2: $1"
	jq_is '.message | type' '"string"' "$2: a JSON string message"
	is "$after" "$before" "$2: nothing written"
	LAST_COUNT=$after
}

# add_bad NAME BODY [FIELD]: 400 with the contract's prefix, naming FIELD.
add_bad() {
	add_fails 400 "$1" "$2"
	like "$(message)" "$PREFIX_RE" "$1: the contract's message"
	if [ -n "${3:-}" ]; then
		like "$(message)" "$3" "$1: the message names $3"
	fi
}

# conflict NAME BODY: 409 with the exact message, nothing written.
conflict() {
	add_fails 409 "$1" "$2"
	is "$(message)" "$ADD_CONFLICT_MSG" "$1: the contract's message"
}

# --- a user is created ---------------------------------------------------

mk
FIRST=$U
before=$(count)
post "$U"
is "$STATUS" 201 'add: 201'
like "$(header Content-Type)" '^application/json' 'add: JSON content type'
jq_is '.message | keys_unsorted' "$USER_KEYS" 'add: the ten keys in contract order'
jq_is '.message.id | type' '"number"' 'add: id is a number'
id=$(printf '%s' "$BODY" | jq -r '.message.id // empty' 2>/dev/null)
num=$(printf '%s' "$U" | jq -r .identification_number)
is "$id" "$(q "SELECT id FROM users WHERE identification_type = '$TYPE' AND identification_number = '$num'")" \
	'add: id is the new row id in SQL'
ok "add: the id is new (> $MAXID)" [ "${id:-0}" -gt "$MAXID" ]
is "$(count)" $((before + 1)) 'add: one row more'
jq_is ".message | $PICK" "$(printf '%s' "$U" | jq -c "$PICK")" 'add: the values sent'
jq_is '.message.creation_date == .message.update_date' true 'add: creation_date = update_date'
like "$(printf '%s' "$BODY" | jq -r .message.creation_date)" "$DATE_RE" \
	'add: creation_date is YYYY-MM-DD HH:MM:SS'
is "$(q "SELECT ABS(TIMESTAMPDIFF(SECOND, creation_date, UTC_TIMESTAMP())) <= 300 FROM users WHERE id = ${id:-0}")" 1 \
	'add: creation_date is now, in UTC'
jq_is .message "$(row_json "$id")" 'add: the answer is the row in SQL'
is "$(header Location)" "/v1/users/id/$id" 'add: Location'
created=$(printf '%s' "$BODY" | jq -c .message)
api GET "$(header Location)"
is "$STATUS" 200 'add: GET Location: 200'
jq_is .message "$created" 'add: GET Location: the same object'

mk
post "$U" /v1/users/add-user/
is "$STATUS" 201 'add-user/ (trailing slash): 201'
id=$(printf '%s' "$BODY" | jq -r '.message.id // empty' 2>/dev/null)
is "$(header Location)" "/v1/users/id/$id" 'add-user/: Location'
jq_is .message "$(row_json "$id")" 'add-user/: the answer is the row in SQL'

# --- values: trimmed, UTF-8, stored as sent ---------------------------------

mk '{"first_name":"Ana"}'
want=$U
U=$(printf '%s' "$U" | jq -c 'map_values("  " + . + "  ")')
add_ok 'values trimmed of spaces ("  Ana  ")' "$want"
is "$(q "SELECT HEX(first_name) FROM users WHERE id = ${NEWID:-0}")" "$(hexof Ana)" \
	'trimmed: first_name is Ana in SQL'

mk "$(jq -nc --arg r "$RUN" '{last_name: ("De  La  Cruz " + $r)}')"
add_ok 'inner spaces kept'

mk "$(jq -nc --arg r "$RUN" '{first_name: "Ramón",
	last_name: ("Núñez-Ölçer " + $r), nickname: ("RAMÓN😀" + $r),
	email: ("ñandú." + $r + "@exämple.com"), country_id: "ÅR"}')"
add_ok 'UTF-8 values'
utf=$U
api GET "/v1/users/id/${NEWID:-0}"
jq_is ".message | $PICK" "$(printf '%s' "$utf" | jq -c "$PICK")" 'UTF-8: GET gives the same text'
for f in first_name last_name nickname email country_id; do
	is "$(q "SELECT HEX($f) FROM users WHERE id = ${NEWID:-0}")" \
		"$(hexof "$(printf '%s' "$utf" | jq -r ".$f")")" \
		"UTF-8: $f stored byte for byte"
done

mk "$(jq -nc '{first_name: "Ramo\u0301n"}')"
add_ok 'a combining accent (not normalised)'
is "$(q "SELECT HEX(first_name) FROM users WHERE id = ${NEWID:-0}")" 52616D6FCC816E \
	'combining accent: stored as sent (o + U+0301)'

mk '{"first_name":"@@"}'
esc='Ram\u00f3n\ud83d\ude00'
U=${U/@@/"$esc"}
add_ok 'JSON \u escapes (a surrogate pair)' "$(printf '%s' "$U" | jq -c .)"
is "$(q "SELECT HEX(first_name) FROM users WHERE id = ${NEWID:-0}")" "$(hexof 'Ramón😀')" \
	'\u escapes: stored as UTF-8'

mk "$(jq -nc --arg r "$RUN" '{last_name: ("O'"'"'Brien \"Q\" " + $r)}')"
add_ok 'quotes in a value'

mk
U="${U%\}},\"nickname\":\"LAST_WINS_$RUN\"}"
add_ok 'a key given twice: the last one wins' \
	"$(printf '%s' "$U" | jq -c ".nickname = \"LAST_WINS_$RUN\"")"

# id, creation_date and update_date in the body are ignored.
user1=$(row_json 1)
mk
U=$(printf '%s' "$U" | jq -c '. + {id: 1, creation_date: "2000-01-01 00:00:00", update_date: "2000-01-01 00:00:00"}')
add_ok 'id, creation_date, update_date ignored'
ok "ignored keys: a new id ($NEWID), not 1" [ "${NEWID:-0}" -gt "$MAXID" ]
jq_is '.message.creation_date | startswith("2000-")' false 'ignored keys: creation_date is now'
jq_is '.message.creation_date == .message.update_date' true 'ignored keys: creation_date = update_date'
is "$(row_json 1)" "$user1" 'ignored keys: user 1 unchanged'

# --- length bounds (characters, after trimming) ------------------------------

mk '{"nickname":"ABCD"}'
add_ok 'nickname of 4'
mk "{\"nickname\":\"$(rep N 50)\"}"
add_ok 'nickname of 50'
mk "{\"nickname\":\"$(rep Ó 50)\"}"
add_ok 'nickname of 50 × Ó (100 bytes)'
mk '{"first_name":"X"}'
add_ok 'first_name of 1'
mk "{\"first_name\":\"$(rep ó 50)\"}"
add_ok 'first_name of 50 × ó (multi-byte counts as characters)'
is "$(q "SELECT CHAR_LENGTH(first_name), LENGTH(first_name) FROM users WHERE id = ${NEWID:-0}")" \
	$'50\t100' 'first_name of 50 × ó: 50 characters, 100 bytes in SQL'
mk "{\"first_name\":\"$(rep 😀 50)\"}"
add_ok 'first_name of 50 × U+1F600 (4-byte characters)'
mk "{\"last_name\":\"$(rep L 50)\"}"
add_ok 'last_name of 50'
mk '{"email":"a@b.co"}'
add_ok 'email of 6'
mk "{\"email\":\"$(rep a 60)@$(rep b 35).com\"}"
add_ok 'email of 100'
mk "{\"email\":\"$(rep a 64)@example.com\"}"
add_ok 'email with a local part of 64'
mk '{"identification_type":"Z9"}'
add_ok 'identification_type of 2'
mk "{\"identification_type\":\"$TYPE$(rep X $((15 - ${#TYPE})))\"}"
add_ok 'identification_type of 15'
mk '{"identification_number":"123456"}'
add_ok 'identification_number of 6'
mk '{"identification_number":"12345678901234567890"}'
add_ok 'identification_number of 20'
mk '{"country_id":"ABCDE"}'
add_ok 'country_id of 5'

for f in nickname first_name last_name email identification_type \
    identification_number country_id; do
	mk
	add_bad "without $f" "$(printf '%s' "$U" | jq -c "del(.$f)")" "$f"
done
add_bad '{}' '{}' nickname

mk '{"nickname":"ABC"}'
add_bad 'nickname of 3' "$U" nickname
mk '{"nickname":"   ABC   "}'
add_bad 'nickname of 3 after trimming' "$U" nickname
mk "{\"nickname\":\"$(rep N 51)\"}"
add_bad 'nickname of 51' "$U" nickname
mk '{"first_name":""}'
add_bad 'first_name empty' "$U" first_name
mk '{"first_name":"   "}'
add_bad 'first_name of spaces only' "$U" first_name
mk "{\"first_name\":\"$(rep ó 51)\"}"
add_bad 'first_name of 51 × ó' "$U" first_name
mk "{\"last_name\":\"$(rep L 51)\"}"
add_bad 'last_name of 51' "$U" last_name
mk '{"email":"a@b.c"}'
add_bad 'email of 5' "$U" email
mk "{\"email\":\"$(rep a 60)@$(rep b 36).com\"}"
add_bad 'email of 101' "$U" email
mk "{\"email\":\"$(rep a 65)@example.com\"}"
add_bad 'email with a local part of 65' "$U" email
mk '{"identification_type":"Z"}'
add_bad 'identification_type of 1' "$U" identification_type
mk "{\"identification_type\":\"$(rep T 16)\"}"
add_bad 'identification_type of 16' "$U" identification_type
mk '{"identification_number":"12345"}'
add_bad 'identification_number of 5' "$U" identification_number
mk '{"identification_number":"123456789012345678901"}'
add_bad 'identification_number of 21' "$U" identification_number
mk '{"country_id":"A"}'
add_bad 'country_id of 1' "$U" country_id
mk '{"country_id":"ABCDEF"}'
add_bad 'country_id of 6' "$U" country_id

# --- types, keys, characters -----------------------------------------------

mk '{"identification_number":12345678}'
add_bad 'identification_number as a number' "$U" identification_number
mk '{"nickname":1234}'
add_bad 'nickname as a number' "$U" nickname
mk '{"first_name":null}'
add_bad 'first_name null' "$U" first_name
mk '{"country_id":true}'
add_bad 'country_id true' "$U" country_id
mk '{"email":{}}'
add_bad 'email an object' "$U" email
mk '{"last_name":["Perez"]}'
add_bad 'last_name an array' "$U" last_name
mk '{"password":"secret"}'
add_bad 'an unknown key' "$U"
mk '{"Nickname":"ABCDE"}'
add_bad 'an unknown key (Nickname, case differs)' "$U"
mk
add_bad 'the user nested in an object' "{\"user\":$U}"

for c in '\t' '\n' '\r' '\u0000' '\u001f' '\u007f' '\u0085' '\u009f'; do
	mk '{"first_name":"@@"}'
	add_bad "first_name with $c" "${U/@@/"A${c}B"}" first_name
done

# The bidirectional controls (U+202A-U+202E, U+2066-U+2069) are refused as
# the control characters are, with the same message; U+200B is not one.
mk '{"first_name":"@@"}'
post "${U/@@/"A\\u0001B"}"
CONTROL_MSG=$(message)
RAW_RLO=$(printf '\342\200\256')
for c in '\u202a' '\u202e' RAW_RLO '\u2066' '\u2069'; do
	name=$c
	[ "$c" != RAW_RLO ] || { c=$RAW_RLO; name='U+202E as raw UTF-8'; }
	mk '{"first_name":"@@"}'
	add_bad "first_name with bidi control $name" "${U/@@/"A${c}B"}" first_name
	is "$(message)" "$CONTROL_MSG" "first_name with $name: the control characters' message"
done
mk '{"nickname":"@@"}'
add_bad 'nickname with U+202E (right-to-left override)' \
	"${U/@@/"NICK\\u202e$RUN"}" nickname
mk '{"email":"@@"}'
add_bad 'email with U+202E (right-to-left override)' \
	"${U/@@/"moc.elpmaxe@\\u202e$RUN"}" email
mk "{\"first_name\":\"Zero\\u200bWidth$RUN\"}"
add_ok 'first_name with U+200B (a format character, allowed)'

mk '{"nickname":"@@"}'
add_bad 'nickname starting with a tab (only spaces are trimmed)' \
	"${U/@@/"\\tNICK$RUN"}" nickname
mk '{"first_name":"@@"}'
add_bad 'a raw tab byte inside a string (not JSON)' "${U/@@/"A"$'\t'"B"}"
mk '{"first_name":"@@"}'
add_bad 'a raw newline inside a string (not JSON)' "${U/@@/"A"$'\n'"B"}"
mk '{"first_name":"@@"}'
add_bad 'invalid UTF-8 (\xFF)' "${U/@@/"A"$'\xff'"B"}"
mk '{"first_name":"@@"}'
add_bad 'overlong UTF-8 (\xC0\xAF)' "${U/@@/"A"$'\xc0\xaf'"B"}"
mk '{"first_name":"@@"}'
add_bad 'a lone surrogate escape (\ud800)' "${U/@@/"A\\ud800B"}"

for e in no-at.example.com 'a@b@example.com' a@localhost 'a b@example.com' \
    @example.com 'ab@' 'a@b.com@' "$(printf 'a\xc2\xa0b@example.com')" \
    'a@exa mple.com'; do
	mk "$(jq -nc --arg e "$e" '{email: $e}')"
	add_bad "email '$e'" "$U" email
done

mk
for b in 'nickname=x' "[$U]" '{}x' "${U}x" "$U$U" "$U,{}" '' 'null' \
    '"text"' '42' "${U%\}},}" "{'nickname':'ABCD'}" "${U%\}}"; do
	add_bad "not one JSON object: $(printf '%.40s' "$b")" "$b"
done

# --- media type and size ----------------------------------------------------

mk
for ct in 'Content-Type: text/plain' 'Content-Type:' \
    'Content-Type: application/x-www-form-urlencoded' \
    'Content-Type: application/jsonx' 'Content-Type: text/json' \
    'Content-Type: multipart/form-data; boundary=x'; do
	add_fails 415 "$ct" "$U" "$ct"
done

mk
post_ct 'Content-Type: application/json; charset=utf-8' "$U"
is "$STATUS" 201 'Content-Type: application/json; charset=utf-8: 201'
mk
post_ct 'Content-Type: APPLICATION/JSON' "$U"
is "$STATUS" 201 'Content-Type: APPLICATION/JSON (media types ignore case): 201'

mk
len=$(printf '%s' "$U" | wc -c)
add_ok_big=$U$(rep ' ' $((16384 - len)))
is "$(printf '%s' "$add_ok_big" | wc -c | tr -d ' ')" 16384 'a body of exactly 16384 bytes'
post "$add_ok_big"
is "$STATUS" 201 'a body of 16384 bytes (16 KiB): 201'
mk
len=$(printf '%s' "$U" | wc -c)
add_fails 413 'a body of 16385 bytes' "$U$(rep ' ' $((16385 - len)))"
like "$(header Content-Type)" '^application/json' '413: JSON content type'
mk
add_fails 413 'a body of 64 KiB' "{\"nickname\":\"$(rep N 65536)\"}"

# --- uniqueness ---------------------------------------------------------------

mk '{"first_name":"Ramón","last_name":"CASTRO"}'
conflict 'Ramón CASTRO clashes with sample Ramon Castro' "$U"
mk '{"first_name":"rafael","last_name":"castro"}'
conflict 'rafael castro clashes with sample Rafael Castro' "$U"
mk '{"first_name":"Jose","last_name":"Perez"}'
conflict 'Jose Perez (sample 6 exactly)' "$U"
mk '{"first_name":"  Jose  ","last_name":"  Pérez  "}'
conflict '"  Jose  " "  Pérez  " (trimmed, accent)' "$U"
mk '{"identification_type":"DNI","identification_number":"445938822"}'
conflict 'DNI 445938822 (sample 1)' "$U"
mk '{"identification_type":"dni","identification_number":"445938822"}'
conflict 'dni 445938822 (case)' "$U"
mk '{"identification_type":"  DNI ","identification_number":" 445938822  "}'
conflict 'DNI 445938822 with spaces around' "$U"
mk "$(printf '%s' "$FIRST" | jq -c '{first_name, last_name}')"
conflict 'the names of a user added above' "$U"
mk "$(printf '%s' "$FIRST" | jq -c '{identification_type, identification_number}')"
conflict 'the identification of a user added above' "$U"

# --- other methods ------------------------------------------------------------

before=$(count)
expect GET /v1/users/add-user 405
like "$(header Allow)" POST 'GET add-user: Allow names POST'
mk
JSON=(-H 'Content-Type: application/json' --data-binary "$U")
expect PUT /v1/users/add-user 405 '' "${JSON[@]}"
is "$(count)" "$before" 'other methods: nothing written'
expect POST /v1/users/add-user// 404 '' "${JSON[@]}"
expect POST /v1/users/Add-User 404 '' "${JSON[@]}"   # the path's case
is "$(count)" "$before" 'unknown paths: nothing written'

# --- the sample users are untouched; clean up -----------------------------------

end_writes

done_testing
