#!/usr/bin/env bash
# t/16_fields.t: fields= on every route that answers users
# (api-extensions.md section 3): only the named keys, in the user
# object's order, whatever order and spelling they are asked in; the 400
# for an empty list, an unknown, repeated or (on the routes with fewer
# keys) absent name. The values are the rows' (row_json).
. "$(dirname "$0")/lib.sh"

FIELDS_MSG='It is not possible to select the requested fields. Invalid field'
LIST=/v1/users/list

# keys PATH KEYS NAME: 200, and every user of the answer has exactly KEYS
# (a jq array), in that order.
keys() {
	api GET "$1"
	is "$STATUS" 200 "$3: 200"
	jq_is '[.message | if type == "array" then .[] else . end | keys_unsorted] | unique' \
		"[$2]" "$3: the keys, in order"
}

keys "$LIST?fields=email,id" '["id","email"]' 'list fields=email,id'
keys "$LIST?fields=updateDate,NICKNAME,country_id&limit=3" \
	'["nickname","country_id","update_date"]' 'list: aliases, any case, canonical order'
keys "$LIST?fields=first_name&filter.id=lt:4&count=exact" '["first_name"]' \
	'list with a filter and a count'
is "$(header X-Total-Count)" 3 'fields do not change the count'
keys '/v1/users/list-without-dates?fields=lastName,id' '["id","last_name"]' 'list-without-dates'
keys '/v1/users/id/1?fields=creation_date,id' '["id","creation_date"]' 'by id'
keys '/v1/users/id-limit-fields/1?fields=email' '["email"]' 'id-limit-fields'
for route in nickname first-name last-name email identification-type \
	identification-number country-id; do
	v=a
	[ "$route" = identification-number ] && v=2
	keys "/v1/users/$route/$v?fields=id,identificationNumber" \
		'["id","identification_number"]' "search $route"
done
day=$(q "SELECT DATE(creation_date) FROM users ORDER BY id LIMIT 1")
keys "/v1/users/creation-date/$day?fields=id" '["id"]' 'creation-date'
keys "/v1/users/update-date/$day?fields=id,update_date" '["id","update_date"]' 'update-date'
all='id,nickname,first_name,last_name,email,identification_type,identification_number,country_id,creation_date,update_date'
keys "$LIST?fields=$all" \
	'["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id","creation_date","update_date"]' \
	'every field'

# The values are the row's.
api GET '/v1/users/id/8?fields=nickname,id,update_date'
is "$(printf '%s' "$BODY" | jq -c .message)" \
	"$(row_json 8 | jq -c '{id, nickname, update_date}')" 'by id: the row'"'"'s values'
api GET "$LIST?fields=email&limit=1000&orderBy=email"
is "$(printf '%s' "$BODY" | jq -r '.message[].email' | paste -sd' ' -)" \
	"$(q 'SELECT email FROM users ORDER BY email, id' | paste -sd' ' -)" \
	'list fields=email: the emails in order'
# A cursor still works: it comes from the row, not the answer.
api GET "$LIST?fields=id&limit=2&orderBy=email"
cur=$(header X-Next-Cursor)
isnt "$cur" '' 'fields=id ordered by email: a cursor'
api GET "$LIST?fields=id&limit=2&orderBy=email&cursor=$cur"
is "$(body_ids)" "$(sql_ids 1 'email, id' 'LIMIT 2 OFFSET 2')" 'the cursor continues'

# The writes answer a user too.
TAG=zq16w
at_exit q "DELETE FROM users WHERE nickname = '${TAG}a'"
q "DELETE FROM users WHERE nickname = '${TAG}a'"
body="{\"nickname\":\"${TAG}a\",\"first_name\":\"${TAG}\",\"last_name\":\"W\",\"email\":\"${TAG}@x.io\",\"identification_type\":\"DNI\",\"identification_number\":\"916000001\",\"country_id\":\"AR\"}"
api POST "/v1/users/add-user?fields=id,nickname" -H 'Content-Type: application/json' --data "$body"
is "$STATUS" 201 'add with fields: 201'
jq_is '.message | keys_unsorted' '["id","nickname"]' 'add with fields: the keys'
nid=$(printf '%s' "$BODY" | jq -r .message.id)
api PATCH "/v1/users/update-user/$nid?fields=country_id" -H 'Content-Type: application/json' \
	--data '{"country_id":"UY"}'
is "$STATUS" 200 'update with fields: 200'
jq_is -c .message '{"country_id":"UY"}' 'update with fields: the key'
api PATCH "/v1/users/update-user/$nid?fields=nope" -H 'Content-Type: application/json' \
	--data '{"country_id":"CL"}'
is "$STATUS" 400 'update with a bad fields: 400'
is "$(message)" "$FIELDS_MSG" 'update with a bad fields: the message'
is "$(q "SELECT country_id FROM users WHERE id = $nid")" UY 'a bad fields changes nothing'

# --- the 400 ----------------------------------------------------------------

for bad in fields= fields 'fields=,' 'fields=id,' fields=,id fields=id,,email \
	fields=password fields=id,ID fields=id,email,Email fields=first%20name \
	'fields=id&fields=email' fields=id%00 "fields=$(rep id, 50)id"; do
	expect -n "list $bad" GET "$LIST?$bad" 400 "$FIELDS_MSG"
done
expect -n 'without dates: a date' GET '/v1/users/list-without-dates?fields=id,creation_date' 400 "$FIELDS_MSG"
expect -n 'limit-fields: first_name' GET '/v1/users/id-limit-fields/1?fields=first_name' 400 "$FIELDS_MSG"
expect -n 'by id: unknown' GET '/v1/users/id/1?fields=x' 400 "$FIELDS_MSG"
expect -n 'search: unknown' GET '/v1/users/nickname/a?fields=x' 400 "$FIELDS_MSG"
expect -n 'day: empty' GET "/v1/users/creation-date/$day?fields=" 400 "$FIELDS_MSG"
expect -n 'count before fields' GET "$LIST?fields=x&count=x" 400 \
	'Bad request, the count parameter must be exact or estimated.'
expect -n 'a bad id before fields' GET '/v1/users/id/x?fields=x' 400 \
	'Bad request, the id passed as a parameter is not valid.'

done_testing
