#!/usr/bin/env bash
# t/10_search.t: the substring search routes and the day routes (api.md
# "Routes", "Fine points"), each answer compared with the equivalent SQL.
# Reads only.
. "$(dirname "$0")/lib.sh"

LIM=1000        # one page holds every match (max_limit of the dev config)
USER_KEYS='["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id","creation_date","update_date"]'

# sql_day COLUMN DAY: a WHERE clause for the rows on that day.
sql_day() {
	printf "%s >= '%s' AND %s < '%s' + INTERVAL 1 DAY" "$1" "$2" "$1" "$2"
}

# search ROUTE RAW: GET /v1/users/ROUTE/RAW with room for every match.
search() { api GET "/v1/users/$1/$2?limit=$LIM"; }

# column ROUTE: the column a text route searches (first-name: first_name).
column() { printf '%s' "${1//-/_}"; }

# hit ROUTE RAW DECODED NAME: 200 and the (non-empty) ids SQL finds.
hit() {
	local want
	want=$(sql_ids "$(sql_like "$(column "$1")" "$3")")
	isnt "$want" "" "$4: SQL finds rows (the test is meaningful)"
	search "$1" "$2"
	is "$STATUS" 200 "$4: 200"
	is "$(body_ids)" "$want" "$4: the ids SQL finds"
}

# miss ROUTE RAW DECODED NAME: 200 [] and SQL finds nothing either.
miss() {
	is "$(sql_ids "$(sql_like "$(column "$1")" "$3")")" "" \
		"$4: SQL finds nothing"
	search "$1" "$2"
	is "$STATUS" 200 "$4: 200"
	jq_is .message '[]' "$4: []"
}

# --- every text route: a hit and a miss --------------------------------

hit nickname GABRIELA GABRIELA 'nickname GABRIELA'
hit first-name carlos carlos 'first-name carlos (case-insensitive)'
hit last-name perez perez 'last-name perez'
hit email %40hotmail @hotmail 'email %40hotmail'
hit identification-type dni dni 'identification-type dni'
hit identification-number 987 987 'identification-number 987'
hit country-id ar ar 'country-id ar'

for route in nickname first-name last-name email identification-type \
    identification-number; do
	miss "$route" zzqxj zzqxj "$route zzqxj"
done
miss country-id XQ XQ 'country-id XQ'

# The answer's objects are whole users, as the database holds them.
search nickname GABRIELA
jq_is '.message[0] | keys_unsorted' "$USER_KEYS" 'search hit: the ten keys in contract order'
jq_is '.message[0].id | type' '"number"' 'search hit: id is a number'
want=$(row_json "$(sql_ids "nickname LIKE '%GABRIELA%'" id 'LIMIT 1')")
jq_is '.message[0]' "$want" 'search hit: the object equals the row in SQL'
like "$(header Content-Type)" '^application/json' 'search: JSON content type'

# identification-type dni finds exactly the DNI users.
search identification-type dni
is "$(body_ids)" "$(sql_ids "identification_type = 'DNI'")" \
	'identification-type dni: every DNI user and no other'
search identification-type PaSaPoRtE
is "$(body_ids)" "$(sql_ids "identification_type = 'PASAPORTE'")" \
	'identification-type PaSaPoRtE: every PASAPORTE user'

# --- %, _ and \ match themselves ---------------------------------------

hit nickname %5F _ 'nickname %5F: a literal _'
isnt "$(body_ids)" "$(sql_ids 1)" 'nickname %5F: not every user (_ is no wildcard)'
miss nickname %25 % 'nickname %25: no nickname holds %'
miss nickname %5C "\\" "nickname %5C: no nickname holds \\"
miss nickname %5C%5F '\_' 'nickname %5C%5F: \ is no escape character'
miss nickname %5C%25 '\%' 'nickname %5C%25: \ is no escape character'
miss nickname JOSE%25PEREZ 'JOSE%PEREZ' 'nickname JOSE%25PEREZ: % is no wildcard'
hit nickname JOSE_PEREZ JOSE_PEREZ 'nickname JOSE_PEREZ (raw _)'
miss nickname JOSE_PERE_ JOSE_PERE_ 'nickname JOSE_PERE_: _ is no wildcard'

# --- decoding: exactly once --------------------------------------------

hit email %40outlook @outlook 'email %40outlook'
hit email @outlook @outlook 'email @outlook (raw @)'
miss email %2540 %40 'email %2540 is the three characters %40'
hit nickname GUSTA%20G 'GUSTA G' 'nickname GUSTA%20G (a space)'
hit nickname %20 ' ' 'nickname %20: the nicknames with a space (not trimmed)'
miss nickname GUSTA+G 'GUSTA+G' 'nickname GUSTA+G: + is a plus, not a space'
miss nickname a%2Fb 'a/b' 'nickname a%2Fb: %2F is a / inside the value'
hit first-name %52afael Rafael 'first-name %52afael: an escaped ASCII letter'

# --- UTF-8, accents and case -------------------------------------------

for raw in RAM%C3%93N ram%C3%B3n ram%c3%b3n ramon RAMON Ram%C3%B3n2022; do
	search nickname "$raw"
	is "$STATUS" 200 "nickname $raw: 200"
	is "$(body_ids)" 8 "nickname $raw: user 8 (RAMÓN2022)"
done
hit nickname RAM%C3%93N 'RAMÓN' 'nickname RAM%C3%93N as in SQL'
hit first-name %C3%A1na ána 'first-name %C3%A1na: accent-insensitive'
miss nickname %F0%9F%98%80 '😀' 'nickname %F0%9F%98%80: a 4-byte character'

# --- what is not a value -----------------------------------------------

expect GET /v1/users/nickname/% 400 @string
expect GET /v1/users/nickname/%zz 400 @string
expect GET /v1/users/nickname/ab%4 400 @string          # a cut escape
expect GET /v1/users/nickname/%00 400 @string
expect GET /v1/users/nickname/ab%00cd 400 @string
expect GET /v1/users/nickname/%FF 400 @string           # invalid UTF-8
expect GET /v1/users/email/%C3 400 @string              # a cut sequence
expect GET /v1/users/nickname/%C0%AF 400 @string        # overlong
expect GET /v1/users/nickname/%E0%80%AF 400 @string     # overlong
expect GET /v1/users/nickname/%ED%A0%80 400 @string     # a surrogate
expect GET /v1/users/nickname/%F4%90%80%80 400 @string  # above U+10FFFF
expect GET /v1/users/first-name/%25zz%C3 400 @string

# Length: 1 to 100 characters, counted as characters.
miss nickname "$(rep a 100)" "$(rep a 100)" 'nickname of 100 characters'
expect -n 'nickname of 101 characters' \
	GET "/v1/users/nickname/$(rep a 101)" 400 @string
miss nickname "$(rep %C3%B3 100)" "$(rep ó 100)" 'nickname of 100 × ó (200 bytes)'
expect -n 'nickname of 101 × ó' \
	GET "/v1/users/nickname/$(rep %C3%B3 101)" 400 @string
miss email "$(rep %F0%9F%98%80 100)" "$(rep 😀 100)" 'email of 100 × U+1F600 (400 bytes)'
expect -n 'email of 101 × U+1F600' \
	GET "/v1/users/email/$(rep %F0%9F%98%80 101)" 400 @string
hit nickname G G 'nickname of 1 character'

expect GET /v1/users/nickname/ 404                # an empty segment
expect DELETE /v1/users/nickname/GABRIELA 405
like "$(header Allow)" 'GET' 'DELETE on a search route: Allow names GET'
expect GET /v1/users/Nickname/GABRIELA 404        # the path's case

# --- the day routes ----------------------------------------------------

day=$(q "SELECT DATE(creation_date) FROM users WHERE id = 1")
like "$day" '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' "user 1 was created on a day ($day)"
[ "$day" = "$(date -u +%F)" ] || diag "sample users created on $day, today is $(date -u +%F) (UTC)"
for route in creation-date update-date; do
	col=$(column "$route")
	uday=$(q "SELECT DATE($col) FROM users WHERE id = 1")
	want=$(sql_ids "$(sql_day "$col" "$uday")")
	like " $want " ' 1 ' "$route $uday: SQL finds user 1"
	api GET "/v1/users/$route/$uday?limit=$LIM"
	is "$STATUS" 200 "$route $uday: 200"
	is "$(body_ids)" "$want" "$route $uday: every row of that UTC day"
	jq_is '.message[0] | keys_unsorted' "$USER_KEYS" "$route: whole users"

	for d in 1999-01-01 2024-02-29 2000-02-29 1000-01-01 9999-12-31; do
		want=$(sql_ids "$(sql_day "$col" "$d")")
		api GET "/v1/users/$route/$d?limit=$LIM"
		is "$STATUS" 200 "$route $d: 200"
		is "$(body_ids)" "$want" "$route $d: as in SQL ($want)"
	done
	is "$(sql_ids "$(sql_day "$col" 1999-01-01)")" "" \
		"$route 1999-01-01: a day without users"
	api GET "/v1/users/$route/1999-01-01"
	jq_is .message '[]' "$route 1999-01-01: []"

	for d in 2023-02-30 2023-2-3 abc 2023-13-01 0999-01-01 2023-02-29 \
	    1900-02-29 2023-04-31 2023-00-10 2023-01-00 2023-01-32 \
	    10000-01-01 2023-01-01x 2023-01-01%20 %202023-01-01 \
	    20230101 2023-01-1 -2023-01-01 +2023-01-01 \
	    %EF%BC%92023-01-01; do
		expect GET "/v1/users/$route/$d" 400 @string
	done
	expect GET "/v1/users/$route/" 404                # an empty segment
done

# The value is percent-decoded once, like every path value.
uday=$(q "SELECT DATE(creation_date) FROM users WHERE id = 1")
api GET "/v1/users/creation-date/${uday//-/%2D}?limit=$LIM"
is "$STATUS" 200 'creation-date with %2D for -: 200'
is "$(body_ids)" "$(sql_ids "$(sql_day creation_date "$uday")")" \
	'creation-date with %2D for -: the same rows'

# An id-looking value is just text on a search route.
hit identification-number 22287680 22287680 'identification-number 22287680'

done_testing
