#!/usr/bin/env bash
# t/13_trigram.t: the trigram index behind every substring search
# (sql/01_schema.sql, sql/07_search_trigrams.sql, README "Substring
# search") keeps the
# contract's exact answers: case, accents, %, _ and \ literal, 3 characters
# exactly, and rows written, changed and deleted through the API. Every
# answer is compared with the plain LIKE in SQL. The service reads the
# trigram index only when a value's rarest trigram is in under a quarter of
# all 64-id blocks: a user at id 6400000 makes 100001 blocks, so with it
# the searches below go through the index, and without it through the
# scan (the handler counters show which). The index takes writes in
# after they commit; until then a search finds them through their
# changes. Adds two users and deletes them again (also on failure), then sets
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
	q "DELETE FROM users WHERE id >= $FAR" >/dev/null 2>&1
	q 'ALTER TABLE users AUTO_INCREMENT = 1' >/dev/null 2>&1
	id=''
}
at_exit remove_users

ok 'the trigram table indexes the sample users' \
	[ "$(q 'SELECT COUNT(*) > 0 FROM user_trigram_blocks WHERE col = 4')" = 1 ]
# Every text column (enum user_column 1..7), as sql/07 marks them done.
# No sample country id has 3 characters: no trigram of column 7.
is "$(q 'SELECT GROUP_CONCAT(DISTINCT col ORDER BY col) FROM user_trigram_blocks')" \
	1,2,3,4,5,6 'the sample users are indexed on their six columns of 3+ characters'
is "$(q 'SELECT GROUP_CONCAT(col ORDER BY col) FROM user_trigram_columns')" \
	1,2,3,4,5,6,7 'sql/07 marked its backfill done for all seven columns'

# rows_read: the rows the server has read so far (every handler's next-row
# reads); a search's cost in rows is the difference around it.
rows_read() {
	q "SHOW GLOBAL STATUS WHERE Variable_name IN
		('Handler_read_next', 'Handler_read_rnd_next')" |
		awk -F'\t' '{ n += $2 } END { print n }'
}
# reads ROUTE RAW: the rows one search reads, less what asking costs.
reads() {
	local a b c
	a=$(rows_read)
	b=$(rows_read)
	api GET "/v1/users/$1/$2?limit=1000"
	c=$(rows_read)
	echo $(((c - b) - (b - a)))
}

# The other five columns: sample values of several shapes.
other_searches() {
same nickname nickname RAM%C3%93N 'RAMÓN'
same nickname nickname ramon ramon
same nickname nickname _PE _PE
same nickname nickname %5F '_'
same nickname nickname %20G ' G'
same nickname nickname zqw zqw
same first-name first_name gab gab
same first-name first_name IEL IEL
same first-name first_name ar ar
same first-name first_name a a
same identification-number identification_number 2271 2271
same identification-number identification_number 000 000
same identification-number identification_number 22 22
same identification-type identification_type dni dni
same identification-type identification_type PASA PASA
same identification-type identification_type P P
same country-id country_id ar ar
same country-id country_id arg arg
}

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
other_searches
# The index takes writes in after they commit (sql/07_search_trigrams.sql):
# while a transaction holds its mark, the service cannot move it, and a
# user inserted with SQL meanwhile is found through the changes the index
# has yet to take in; once the mark is free, housekeeping indexes it.
mkfifo "$TEST_TMP/mark"
$USERS_MYSQL <"$TEST_TMP/mark" >"$TEST_TMP/mark.out" 2>&1 &
mark_pid=$!
exec 5>"$TEST_TMP/mark"
echo 'START TRANSACTION; SELECT seq FROM user_trigram_head WHERE one = 1 FOR UPDATE;' >&5
mark_held() {
	! q 'SELECT seq FROM user_trigram_head WHERE one = 1 FOR UPDATE NOWAIT' >/dev/null 2>&1
}
ok 'a transaction holds the index mark' wait_for 10 mark_held
q "INSERT INTO users (id, nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date) VALUES ($FAR, 'FAR AWAY', 'Far', 'Awayqq',
	'far.awayqq@zz.zz', 'DNI', '64000000640', 'AR', UTC_TIMESTAMP(),
	UTC_TIMESTAMP())"
same email email yqq%40zz yqq@zz
is "$(body_ids)" "$FAR" 'mark held: a user inserted with SQL is found at once'
same first-name first_name fAR fAR
is "$(body_ids)" "$FAR" 'mark held: and by its first name'
is "$(q "SELECT COUNT(*) FROM user_trigram_blocks WHERE blk = $FAR DIV 64")" \
	0 'mark held: its block is not indexed yet (it was found through its change)'
echo 'ROLLBACK;' >&5
exec 5>&-
wait "$mark_pid"
unlike "$(cat "$TEST_TMP/mark.out")" 'ERROR' 'the transaction holding the mark ran without error'
# FAR AWAY: 6 trigrams; Far: 1; Awayqq: 4; far.awayqq@zz.zz: 14, all
# distinct; DNI: 1; 64000000640: 640 400 000 006 064, 5 distinct; AR: none.
far_indexed() {
	api GET /v1/users/email/yqq%40zz # a search asks for the upkeep
	[ "$(q "SELECT GROUP_CONCAT(n ORDER BY col) FROM (SELECT col, COUNT(*) AS n
		FROM user_trigram_blocks WHERE blk = $FAR DIV 64 GROUP BY col) AS c")" = 6,1,4,14,1,5 ]
}
ok 'mark free: housekeeping indexes its seven columns (6,1,4,14,1,5 trigrams)' \
	wait_for 10 far_indexed
ok 'its trigrams are there' \
	[ "$(q "SELECT COUNT(*) FROM user_trigram_blocks WHERE col = 4 AND tri = 'yqq' AND blk = $FAR DIV 64")" = 1 ]
# 500 more users far away, so that a scan reads many more rows than a
# block: none holds a value searched below ('FILLER', 'Fill', 'FILL7').
q "INSERT INTO users (id, nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date) SELECT 7000000 + seq, CONCAT('FILLER ', seq),
	'Fill', CONCAT('Filler', seq), CONCAT('filler', seq, '@fill.zz'), 'ZZZ',
	CONCAT('FILL', seq), 'ZZ', UTC_TIMESTAMP(), UTC_TIMESTAMP()
	FROM seq_1_to_500"
# index_caught_up: no change the index has yet to take in.
index_caught_up() {
	api GET /v1/users/email/yqq%40zz
	[ "$(q 'SELECT COUNT(*) FROM user_changes WHERE seq = 0 OR
		seq > (SELECT seq FROM user_trigram_head WHERE one = 1)')" = 0 ]
}
ok 'housekeeping indexes the 500 users inserted with SQL' wait_for 20 index_caught_up
# The same upkeep keeps the days' id bounds (sql/08_user_days.sql).
is "$(q 'SELECT COUNT(*) FROM users AS u WHERE NOT EXISTS (SELECT 1 FROM
	user_days AS d WHERE d.day = DATE(u.creation_date) AND
	u.id BETWEEN d.min_id AND d.max_id)')" 0 \
	"and every user lies within its day's id bounds (user_days)"
sample_searches # through the index
other_searches
same email email yqq%40zz yqq@zz
is "$(body_ids)" "$FAR" 'the far user is found through its block'
same nickname nickname R%20AWA 'R AWA'
is "$(body_ids)" "$FAR" 'nickname R AWA: the far user through its block'
same first-name first_name fAR fAR
is "$(body_ids)" "$FAR" 'first-name fAR: the far user through its block'
same identification-number identification_number 00640 00640
is "$(body_ids)" "$FAR" 'identification-number 00640: the far user through its block'
# The plan, from the rows read: a value of 3 characters or more reads the
# far user's block only; one of 2 reads the table (every sample user).
all_users=$(q 'SELECT COUNT(*) FROM users')
for r in 'nickname AWA' 'first-name Far' 'identification-number 00640'; do
	n=$(reads "${r% *}" "${r#* }")
	ok "${r% *} ${r#* } reads its block, not the table ($n rows of $all_users)" \
		[ "$n" -lt 100 ]
done
n=$(reads nickname AW)
ok "nickname AW (2 characters) reads the table ($n rows, $all_users users)" \
	[ "$n" -ge "$all_users" ]

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
for v in 'igram t' 'TRÍGRAM' 'm T' '%' '_x'; do
	raw=$(printf '%s' "$v" | jq -sRr @uri)
	same nickname nickname "$raw" "$v"
done
for v in zoë ZOE oë oe z; do
	raw=$(printf '%s' "$v" | jq -sRr @uri)
	same first-name first_name "$raw" "$v"
	like " $(body_ids) " " $id " "first-name $v finds the new user"
done
for v in 887766 98877 '4'; do
	same identification-number identification_number "$v" "$v"
	like " $(body_ids) " " $id " "identification-number $v finds the new user"
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
# The index takes in the columns a change wrote (user_changes.cols, bit
# c - 1 of column c): last_name 3 and email 4.
is "$(q "SELECT cols FROM user_changes WHERE user_id = $id ORDER BY id DESC LIMIT 1")" \
	12 'the update names the columns it wrote: last_name and email (12)'
same email email okka.wal okka.wal
like " $(body_ids) " " $id " 'the new email is found'
same email email zoe.nandu zoe.nandu
unlike " $(body_ids) " " $id " 'the old email is not'
same last-name last_name etza etza
like " $(body_ids) " " $id " 'the new last name is found'
same last-name last_name nandu nandu
unlike " $(body_ids) " " $id " 'the old last name is not'
api PATCH "/v1/users/update-user/$id" -H 'Content-Type: application/json' \
	--data-binary '{"nickname":"WOMBAT_9%","first_name":"Àxel","identification_number":"55443322110"}'
is "$STATUS" 200 'update the nickname, first name and number: 200'
is "$(q "SELECT cols FROM user_changes WHERE user_id = $id ORDER BY id DESC LIMIT 1")" \
	35 'the update names nickname, first_name and identification_number (35)'
same nickname nickname MBAT%5F9%25 'MBAT_9%'
like " $(body_ids) " " $id " 'the new nickname with _ and % is found'
same nickname nickname igram igram
unlike " $(body_ids) " " $id " 'the old nickname is not'
same first-name first_name axe axe
like " $(body_ids) " " $id " 'the new first name is found, without its accent'
same identification-number identification_number 433221 433221
like " $(body_ids) " " $id " 'the new number is found'
same identification-number identification_number 887766 887766
unlike " $(body_ids) " " $id " 'the old number is not'
same nickname nickname wombat_9 wombat_9
like " $(body_ids) " " $id " 'the new nickname is found'
same first-name first_name xel xel
like " $(body_ids) " " $id " 'the new first name is found'
same first-name first_name zoë zoë
unlike " $(body_ids) " " $id " 'the old first name is not'

# Keyset paging over the index: a full page names the next one.
api GET '/v1/users/email/example.?limit=1&orderBy=email'
is "$STATUS" 200 'email example. limit 1: 200'
isnt "$(header X-Next-Cursor)" '' 'email example. limit 1: a next cursor'

# Deleted through the API: no longer found.
api DELETE "/v1/users/delete-user/$id"
is "$STATUS" 200 'delete the user: 200'
same email email quokka quokka
unlike " $(body_ids) " " $id " 'the deleted user is not found'
same nickname nickname wombat wombat
unlike " $(body_ids) " " $id " 'nor by its nickname'
same identification-number identification_number 433221 433221
unlike " $(body_ids) " " $id " 'nor by its number'
id=''

done_testing
