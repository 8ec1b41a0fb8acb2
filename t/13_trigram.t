#!/usr/bin/env bash
# t/13_trigram.t: the trigram index behind the email and last-name
# searches (sql/01_schema.sql, README "Substring search") keeps the
# contract's exact answers: case, accents, %, _ and \ literal, 3 characters
# exactly, and rows written, changed and deleted through the API. Every
# answer is compared with the plain LIKE in SQL. The service reads the
# trigram index only when a value's rarest trigram is in under a quarter of
# all 64-id blocks: a user at id 6400000 makes 100001 blocks, so with it
# the searches below go through the index, and without it through the
# scan. Adds two users and deletes them again (also on failure), then sets
# the AUTO_INCREMENT back.
. "$(dirname "$0")/lib.sh"

# same ROUTE COLUMN RAW DECODED: the route answers what SQL's LIKE finds.
same() {
	api GET "/v1/users/$1/$3?limit=1000"
	is "$STATUS" 200 "$1 $3: 200"
	is "$(body_ids)" "$(sql_ids "$(sql_like "$2" "$4")")" "$1 $3: the ids LIKE finds"
}

FAR=6400000
id=''
# remove_users: the users added here go, the AUTO_INCREMENT back with them.
remove_users() {
	[ -n "$id" ] && q "DELETE FROM users WHERE id = $id" >/dev/null 2>&1
	q "DELETE FROM users WHERE id = $FAR" >/dev/null 2>&1
	q 'ALTER TABLE users AUTO_INCREMENT = 1' >/dev/null 2>&1
	id=''
}
at_exit remove_users

ok 'the trigram table indexes the sample users' \
	[ "$(q 'SELECT COUNT(*) > 0 FROM user_trigram_blocks WHERE col = 4')" = 1 ]

# sample_searches: values of several shapes on the sample users.
sample_searches() {
same email email gmail gmail
same email email GMAIL GMAIL
same email email %40hotmail.com @hotmail.com
same email email ail ail
same email email 88%40 88@
same email email consultas consultas
same email email _ma _ma
same email email .co .co
same last-name last_name CAS CAS
same last-name last_name ez ez
same last-name last_name mez mez
same last-name last_name zqw zqw
same last-name last_name Castr%C3%B3 'Castró'
same last-name last_name %C3%A1ez 'áez'
}

sample_searches # through the scan (one block of users)
q "INSERT INTO users (id, nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date) VALUES ($FAR, 'FAR AWAY', 'Far', 'Awayqq',
	'far.awayqq@zz.zz', 'DNI', '64000000640', 'AR', UTC_TIMESTAMP(),
	UTC_TIMESTAMP())"
# Awayqq: 4 trigrams; far.awayqq@zz.zz: 14, all distinct.
is "$(q "SELECT COUNT(*) FROM user_trigram_blocks WHERE blk = $FAR DIV 64")" \
	18 'a user inserted with SQL is indexed by the trigger: 18 trigrams'
ok 'its trigrams are there' \
	[ "$(q "SELECT COUNT(*) FROM user_trigram_blocks WHERE col = 4 AND tri = 'yqq' AND blk = $FAR DIV 64")" = 1 ]
sample_searches # through the index
same email email yqq%40zz yqq@zz
is "$(body_ids)" "$FAR" 'the far user is found through its block'

# Keyset paging through the index: follow X-Next-Cursor to the end.
all='' pages=0 url='/v1/users/email/.co?limit=3&orderBy=email&orderAt=desc'
while [ $pages -lt 50 ]; do
	api GET "$url"
	[ "$STATUS" = 200 ] || break
	pages=$((pages + 1))
	ids=$(body_ids)
	[ -z "$ids" ] || all+="${all:+ }$ids"
	cur=$(header X-Next-Cursor)
	[ -n "$cur" ] || break
	url="/v1/users/email/.co?limit=3&orderBy=email&orderAt=desc&cursor=$cur"
done
is "$all" \
	"$(q "SELECT id FROM users WHERE email LIKE '%.co%' ORDER BY email DESC, id DESC" | paste -sd' ' -)" \
	"email .co by email desc, 3 a page through cursors: the SQL order ($pages pages)"

# --- a user written through the API -------------------------------------

body='{"nickname":"TRIGRAM TEST","first_name":"Zoë","last_name":"Ñandú O Brien",
	"email":"Zoë.Ñandú_x%y\\z@example.org","identification_type":"DNI",
	"identification_number":"99887766554","country_id":"AR"}'
api POST /v1/users/add-user -H 'Content-Type: application/json' --data-binary "$body"
is "$STATUS" 201 'add a user with accents and %, _, \ in the email: 201'
id=$(printf '%s' "$BODY" | jq -r '.message.id // empty')
like "$id" '^[0-9]+$' "the new user's id ($id)"

for v in zoe.nandu ZOË.ÑANDÚ 'oe.' '_x%y' 'x%y\z' 'ú_x' 'u_x%y\z@e'; do
	raw=$(printf '%s' "$v" | jq -sRr @uri)
	same email email "$raw" "$v"
	like " $(body_ids) " " $id " "email $v finds the new user"
done
for v in '_x_y' 'x%%y' 'x_y' 'zoe.nandux'; do
	raw=$(printf '%s' "$v" | jq -sRr @uri)
	same email email "$raw" "$v"
	unlike " $(body_ids) " " $id " "email $v: no wildcard, not the new user"
done
for v in nandu 'ÑANDÚ O' 'u O B' 'rien' 'o b'; do
	raw=$(printf '%s' "$v" | jq -sRr @uri)
	same last-name last_name "$raw" "$v"
	like " $(body_ids) " " $id " "last-name $v finds the new user"
done

# Changed through the API: the new value is found, the old one no more.
api PATCH "/v1/users/update-user/$id" -H 'Content-Type: application/json' \
	--data-binary '{"email":"quokka.walrus@example.net","last_name":"Quetzal"}'
is "$STATUS" 200 'update the email and last name: 200'
same email email okka.wal okka.wal
like " $(body_ids) " " $id " 'the new email is found'
same email email zoe.nandu zoe.nandu
unlike " $(body_ids) " " $id " 'the old email is not'
same last-name last_name etza etza
like " $(body_ids) " " $id " 'the new last name is found'
same last-name last_name nandu nandu
unlike " $(body_ids) " " $id " 'the old last name is not'

# Keyset paging over the index: a full page names the next one.
api GET '/v1/users/email/example.?limit=1&orderBy=email'
is "$STATUS" 200 'email example. limit 1: 200'
isnt "$(header X-Next-Cursor)" '' 'email example. limit 1: a next cursor'

# Deleted through the API: no longer found.
api DELETE "/v1/users/delete-user/$id"
is "$STATUS" 200 'delete the user: 200'
same email email quokka quokka
unlike " $(body_ids) " " $id " 'the deleted user is not found'
id=''

done_testing
