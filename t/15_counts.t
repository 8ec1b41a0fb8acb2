#!/usr/bin/env bash
# t/15_counts.t: count=exact|estimated on every array route
# (api-extensions.md section 2): X-Total-Count is COUNT(*) of the whole
# (filtered) set for exact, on every page, cursor pages too; estimated is
# within a factor of 2 (plus 10 rows) of it where an index or the table's
# statistics answer; no count, no header; the 400.
. "$(dirname "$0")/lib.sh"

COUNT_MSG='Bad request, the count parameter must be exact or estimated.'
LIST=/v1/users/list

# counted PATH WHERE NAME: PATH (with ?...&count=exact) is 200 with
# X-Total-Count the rows of WHERE, kind exact.
counted() {
	api GET "$1"
	is "$STATUS" 200 "$3: 200"
	is "$(header X-Total-Count)" "$(q "SELECT COUNT(*) FROM users WHERE $2")" \
		"$3: X-Total-Count is COUNT(*)"
	is "$(header X-Total-Count-Kind)" exact "$3: X-Total-Count-Kind exact"
}

# estimated PATH WHERE NAME: kind estimated, a number; with STRICT=1,
# within a factor of 2 (and 10 rows) of COUNT(*).
estimated() {
	local want got
	api GET "$1"
	is "$STATUS" 200 "$3: 200"
	is "$(header X-Total-Count-Kind)" estimated "$3: X-Total-Count-Kind estimated"
	got=$(header X-Total-Count)
	like "$got" '^[0-9]+$' "$3: X-Total-Count is a number ($got)"
	if [ "${STRICT:-0}" = 1 ]; then
		want=$(q "SELECT COUNT(*) FROM users WHERE $2")
		ok "$3: $got within 2x + 10 of $want" \
			[ "${got:-0}" -le $((2 * want + 10)) ] && [ $((2 * ${got:-0} + 10)) -ge "$want" ]
	fi
}

# --- exact on every array route -----------------------------------------

counted "$LIST?count=exact" 1 'list'
counted "$LIST?count=exact&limit=2&page=3" 1 'list page 3: the whole set'
counted "/v1/users/list-without-dates?count=exact&limit=1" 1 'list-without-dates'
counted "$LIST?count=exact&filter.identificationType=eq:dni&filter.id=gt:5" \
	"identification_type = 'dni' AND id > 5" 'filtered list'
counted "$LIST?count=exact&filter.id=gt:2147483646" 'id > 2147483646' 'filtered to nothing'
is "$(body_ids)" '' 'filtered to nothing: []'
for route in nickname first-name last-name email identification-type \
	identification-number country-id; do
	col=${route//-/_}
	counted "/v1/users/$route/a?count=exact&limit=2" "$(sql_like "$col" a)" \
		"search $route"
done
counted "/v1/users/email/%25?count=exact" "$(sql_like email %)" 'search for %'
day=$(q "SELECT DATE(creation_date) FROM users ORDER BY id LIMIT 1")
counted "/v1/users/creation-date/$day?count=exact&limit=1" \
	"creation_date >= '$day' AND creation_date < '$day' + INTERVAL 1 DAY" 'creation-date'
counted "/v1/users/update-date/$day?count=exact&limit=1" \
	"update_date >= '$day' AND update_date < '$day' + INTERVAL 1 DAY" 'update-date'
counted '/v1/users/update-date/1999-01-01?count=exact' 0 'a day with nobody'

# A cursor page carries the count of the whole set too.
api GET "$LIST?count=exact&limit=3&orderBy=email"
cur=$(header X-Next-Cursor)
counted "$LIST?count=exact&limit=3&orderBy=email&cursor=$cur" 1 'cursor page'
is "$(body_len)" 3 'cursor page: a page of 3'
# The Link keeps count=.
like "$(header Link)" 'count=exact' 'Link keeps count=exact'

# --- estimated ------------------------------------------------------------

STRICT=1 estimated "$LIST?count=estimated" 1 'list'
STRICT=1 estimated "$LIST?count=estimated&filter.id=le:20" 'id <= 20' 'id range'
STRICT=1 estimated "/v1/users/list-without-dates?count=estimated&filter.id=in:1,2,3" \
	'id IN (1,2,3)' 'id in'
estimated "$LIST?count=estimated&filter.email=co:gmail" "email LIKE '%gmail%'" \
	'co (the rows the scan reads)'
estimated "/v1/users/last-name/gom?count=estimated" "$(sql_like last_name gom)" 'search'
estimated "/v1/users/creation-date/$day?count=estimated" 1 'day search'

# --- no count, no header; the 400 ---------------------------------------

api GET "$LIST?limit=2"
is "$(header X-Total-Count)" '' 'no count=: no X-Total-Count'
is "$(header X-Total-Count-Kind)" '' 'no count=: no X-Total-Count-Kind'
for bad in count= count count=EXACT count=Estimated count=all count=1 \
	'count=exact&count=exact' 'count=exact&count=estimated' count=exact%00; do
	expect -n "list $bad" GET "$LIST?$bad" 400 "$COUNT_MSG"
done
expect -n 'search count=x' GET '/v1/users/nickname/a?count=x' 400 "$COUNT_MSG"
expect -n 'day count=x' GET "/v1/users/creation-date/$day?count=x" 400 "$COUNT_MSG"
expect -n 'without dates count=x' GET '/v1/users/list-without-dates?count=x' 400 "$COUNT_MSG"
# A bad filter is reported before a bad count.
expect -n 'filter before count' GET "$LIST?count=x&filter.x=eq:1" 400 \
	'It is not possible to apply filtering based on the requested filter value. Invalid field'

# --- the page and the count agree under writes -----------------------------

# Rows added while the pages are read: each answer's count is the rows
# its page saw (the first page then holds the first rows of that count).
TAG=zq15c
at_exit q "DELETE FROM users WHERE nickname LIKE '${TAG}%'"
bad=0
for i in 1 2 3 4 5 6 7 8; do
	q "INSERT INTO users (nickname, first_name, last_name, email,
		identification_type, identification_number, country_id,
		creation_date, update_date) VALUES ('${TAG}$i', '${TAG}$i', 'C',
		'${TAG}$i@x.io', 'CNT', '91500000$i', 'ZC', UTC_TIMESTAMP(), UTC_TIMESTAMP())" &
	api GET "$LIST?count=exact&limit=1000&filter.country_id=eq:ZC"
	wait
	[ "$(header X-Total-Count)" = "$(body_len)" ] || bad=$((bad + 1))
done
is "$bad" 0 'under inserts, every count equals its page of every row'

done_testing
