#!/usr/bin/env bash
# t/04_read.t: the read routes' answers (api.md "The user object", "Routes",
# "Fine points"): the exact user shape, UTF-8, id-limit-fields, list and
# list-without-dates shapes, and which ids are 400 or 404. Read-only; relies
# only on the 42 sample users.
. "$(dirname "$0")/lib.sh"

ID_MSG='Bad request, the id passed as a parameter is not valid.'
FULL_KEYS='["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id","creation_date","update_date"]'
NODATE_KEYS='["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id"]'
LIMIT_KEYS='["id","nickname","email","identification_type","identification_number","country_id"]'
GABRIELA='{"id":4,"nickname":"GABRIELA JIMENEZ","first_name":"Gabriela","last_name":"Jimenez","email":"gabriela.consultas@hotmail.com","identification_type":"DNI","identification_number":"410871223","country_id":"AR"}'
HECTOR='{"id":3,"nickname":"HECTOR SS G","first_name":"Hector","last_name":"Gomez","email":"hectorGomez78@gmail.com","identification_type":"DNI","identification_number":"2172265827","country_id":"AR"}'
DATE_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'

# db_date ID COLUMN: the column as the database holds it, YYYY-MM-DD HH:MM:SS.
db_date() {
	sql "SELECT DATE_FORMAT($2, '%Y-%m-%d %H:%i:%s') FROM users WHERE id = $1"
}

# dates NAME JQ_PATH ID: the user's two dates have the contract's format and
# equal the database's values.
dates() {
	local c v
	for c in creation_date update_date; do
		v=$(printf '%s' "$BODY" | jq -r "$2.$c" 2>&1)
		like "$v" "$DATE_RE" "$1: $c is YYYY-MM-DD HH:MM:SS"
		is "$v" "$(db_date "$3" "$c")" "$1: $c equals the database's"
	done
}

# --- one user ---

expect GET /v1/users/id/4 200 @object
jq_is '.message | keys_unsorted' "$FULL_KEYS" 'id/4: the keys, in order'
jq_is '.message | del(.creation_date, .update_date)' "$GABRIELA" \
    'id/4: the values of Gabriela'
jq_is '.message.id | type' '"number"' 'id/4: id is a JSON number'
dates 'id/4' .message 4
user4=$(printf '%s' "$BODY" | jq -c .message)

api GET /v1/users/id/3
jq_is '.message | del(.creation_date, .update_date)' "$HECTOR" \
    'id/3: the values of Hector'

# UTF-8 end to end: Ó is C3 93.
expect GET /v1/users/id/8 200
nick=$(printf '%s' "$BODY" | jq -r .message.nickname)
is "$nick" "$(printf 'RAM\303\223N2022')" 'id/8: nickname is RAMÓN2022'
is "$(printf '%s' "$nick" | od -An -tx1 | tr -d ' \n')" \
    52414dc3934e32303232 'id/8: nickname bytes are the UTF-8 of RAMÓN2022'
is "$(sql 'SELECT HEX(nickname) FROM users WHERE id = 8')" \
    52414DC3934E32303232 'the database holds RAMÓN2022 in UTF-8'

# A percent-encoded id is decoded once: %34 is "4".
expect GET /v1/users/id/%34 200
jq_is '.message.id' 4 'id/%34: user 4'

expect GET '/v1/users/id/4?foo=bar' 200
jq_is '.message.id' 4 'id/4?foo=bar: user 4'

# --- id-limit-fields ---

expect GET /v1/users/id-limit-fields/4 200 @object
jq_is '.message | keys_unsorted' "$LIMIT_KEYS" \
    'id-limit-fields/4: exactly the six keys, in order'
jq_is '.message' "$(printf '%s' "$GABRIELA" |
    jq -c '{id, nickname, email, identification_type, identification_number, country_id}')" \
    'id-limit-fields/4: the values of Gabriela'
jq_is '.message.id | type' '"number"' 'id-limit-fields/4: id is a number'

# --- 404 and 400 ---

max=$(sql 'SELECT MAX(id) FROM users')
for route in id id-limit-fields; do
	for id in 2147483647 $((max + 1000)); do
		expect GET "/v1/users/$route/$id" 404 @string
	done
done

# Ids the application must refuse with the contract's message.
bad_ids=(0 00 -1 -0 +1 %2B1 01 004 1.5 1e3 0x1 abc 4abc 2147483648
    4294967297 99999999999999999999 %2F 1%20 %201 %2534 %2E %D9%A1 %C3%A9)
for route in id id-limit-fields; do
	for id in "${bad_ids[@]}"; do
		expect GET "/v1/users/$route/$id" 400 "$ID_MSG"
	done
done

# NUL and malformed escapes: nginx may refuse the request line itself (its
# own JSON 400), or the application does (the id message). A 400 either way.
for route in id id-limit-fields; do
	for id in %00 4%00 4%zz 4% %4; do
		expect GET "/v1/users/$route/$id" 400 @string
	done
done

# --- list and list-without-dates ---

expect GET /v1/users/list 200 @array
jq_is '[.message[] | keys_unsorted] | unique' "[$FULL_KEYS]" \
    'list: every user has the ten keys, in order'
jq_is '[.message[].id | type] | unique' '["number"]' 'list: ids are numbers'
jq_is '[.message[] | .creation_date, .update_date |
    test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")] | all' \
    true 'list: dates are YYYY-MM-DD HH:MM:SS'

expect GET /v1/users/list-without-dates 200 @array
jq_is '.message | length' 5 'list-without-dates: 5 users by default'
jq_is '[.message[] | keys_unsorted] | unique' "[$NODATE_KEYS]" \
    'list-without-dates: every user has the eight keys, in order'
jq_is '[.message[] | has("creation_date") or has("update_date")] | any' \
    false 'list-without-dates: no creation_date or update_date'
jq_is '.message[3]' "$GABRIELA" 'list-without-dates: the 4th is Gabriela'

# The issue's acceptance example.
expect -n 'acceptance example' \
	GET '/v1/users/list?page=1&limit=2&orderBy=id&orderAt=asc' 200
jq_is '[.message[].id]' '[3,4]' 'acceptance example: users 3 and 4'
jq_is '[.message[] | keys_unsorted] | unique' "[$FULL_KEYS]" \
    'acceptance example: the full shape'
jq_is '.message[0] | del(.creation_date, .update_date)' "$HECTOR" \
    'acceptance example: Hector first'
jq_is '.message[1]' "$user4" 'acceptance example: Gabriela as id/4 gives her'
dates 'acceptance example, user 3' '.message[0]' 3

done_testing
