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

# within GOT WANT: GOT is at most 2 * WANT + 10 and at least (WANT - 10) / 2.
within() { [ "${1:-0}" -le $((2 * $2 + 10)) ] && [ $((2 * ${1:-0} + 10)) -ge "$2" ]; }

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
		ok "$3: $got within 2x + 10 of $want" within "$got" "$want"
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

# --- combined terms: the planner's rule and the estimate ------------------

# 3,000 users in 6 countries of their own (by id % 6), 5 identification
# types (id % 5: independent of the country), 10 a day over 300 days: the
# optimizer then chooses as it does at scale, and the terms are
# independent, as the estimate assumes. ANALYZE gives it the table's size.
TAG=zq15e
at_exit q "DELETE FROM users WHERE nickname LIKE '${TAG}%'"
q "DELETE FROM users WHERE nickname LIKE '${TAG}%'"
q "INSERT INTO users (nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date)
	SELECT CONCAT('${TAG}', seq), CONCAT('${TAG}', seq), 'Est',
		CONCAT('${TAG}', seq, '@x.io'), ELT(1 + seq % 5, 'EA', 'EB', 'EC', 'ED', 'EE'),
		CONCAT('916', LPAD(seq, 6, '0')), CONCAT('E', seq % 6),
		'2030-01-01 00:00:00' + INTERVAL seq * 144 MINUTE,
		'2030-01-01 00:00:00' + INTERVAL seq * 144 MINUTE
	FROM seq_1_to_3000"
q 'ANALYZE TABLE users' >/dev/null
is "$(q "SELECT COUNT(*) FROM users WHERE nickname LIKE '${TAG}%'")" 3000 '3000 users added'

# The filter builder's statement of a shape, as t/unit/dao_sql.golden holds
# it (the unit test checks it is the DAO's text): golden NAME.
golden() { awk -v h="[$1]" 'f { print; exit } $0 == h { f = 1 }' "$ROOT/t/unit/dao_sql.golden"; }

# plan_key NAME VALUE...: the index MariaDB's EXPLAIN names for the
# statement NAME with its ? replaced by the VALUEs (SQL literals) in order.
# With RULE=0, the statement without the planner's rule (its hint cut).
plan_key() {
	local sql
	sql=$(perl -e 'my ($rule, $t) = (shift, shift);
		$t =~ s/ IGNORE INDEX FOR ORDER BY \([^)]*\)// unless $rule;
		$t =~ s/\?/shift/e for 1 .. @ARGV; print $t' \
		"${RULE:-1}" "$(golden "$1")" "${@:2}")
	q "EXPLAIN $sql" | awk -F'\t' 'NR == 1 { print $6 }'
}

C3="filter.country_id=eq:E1&filter.creation_date=ge:2030-03-01&filter.creation_date=lt:2030-03-31"
W3="country_id = 'E1' AND creation_date >= '2030-03-01' AND creation_date < '2030-03-31'"
# The first page in id order: the rule keeps MariaDB from walking the
# primary key and it reads the composite index of sql/06.
is "$(plan_key 'filtered page country_id:eq:1 creation_date:ge:1 creation_date:lt:1 order=id asc offset' \
	"'E1'" "'2030-03-01'" "'2030-03-31'" 5 0)" users_country_id_creation_date_ix \
	'country + date range, page in id order: EXPLAIN names the composite index'
diag "without the rule, MariaDB $(q 'SELECT VERSION()') reads $(RULE=0 plan_key \
	'filtered page country_id:eq:1 creation_date:ge:1 creation_date:lt:1 order=id asc offset' \
	"'E1'" "'2030-03-01'" "'2030-03-31'" 5 0) here (an index in id order: the walk the rule prevents)"
is "$(plan_key 'filtered page country_id:eq:1 creation_date:ge:1 creation_date:lt:1 order=id desc offset' \
	"'E1'" "'2030-03-01'" "'2030-03-31'" 5 0)" users_country_id_creation_date_ix \
	'the same, descending'
is "$(plan_key 'filtered page country_id:eq:1 creation_date:ge:1 creation_date:lt:1 order=creation_date asc offset' \
	"'E1'" "'2030-03-01'" "'2030-03-31'" 5 0)" users_country_id_creation_date_ix \
	'the same in creation_date order (no rule needed: the index serves the order)'
is "$(plan_key 'filtered count country_id:eq:1 creation_date:ge:1 creation_date:lt:1' \
	"'E1'" "'2030-03-01'" "'2030-03-31'")" users_country_id_creation_date_ix \
	'its exact count reads the composite index'
# A rarer term's index still wins: the rule ignores indexes for the order only.
is "$(plan_key 'filtered page identification_type:eq:1 country_id:in:4 creation_date:eq:2 order=id asc offset' \
	"'EA'" "'E1'" "'E2'" "'E2'" "'E2'" "'2030-03-01 00:00:00'" "'2030-03-01 23:59:59'" 5 0)" \
	users_country_id_creation_date_ix 'type + countries + a day: the composite index'
# The service runs that page within the ids its days can hold
# (sql/08_user_days.sql): the country's own index, whose entries end with
# the id, walked in id order between the bounds; here the bounds of the
# matches themselves, as the days give them.
bounds=$(q "SELECT MIN(id), MAX(id) FROM users WHERE creation_date >= '2030-03-01' AND creation_date < '2030-03-31'" | tr '\t' ' ')
is "$(plan_key 'filtered page country_id:eq:1 creation_date:ge:1 creation_date:lt:1 order=id asc offset bounded' \
	"'E1'" "'2030-03-01'" "'2030-03-31'" "${bounds% *}" "${bounds#* }" 5 0)" users_country_id_ix \
	'bounded: EXPLAIN names the country index, walked in id order'
api GET "$LIST?$C3&limit=5"
is "$(body_ids)" "$(sql_ids "$W3" id 'LIMIT 5')" 'the page in id order is the first 5 matches'
api GET "$LIST?$C3&limit=5&page=3&orderBy=id&orderAt=desc"
is "$(body_ids)" "$(sql_ids "$W3" 'id DESC' 'LIMIT 5 OFFSET 15')" 'page 3 descending'

# The estimate of combined terms: EXPLAIN's rows times filtered, within 2x
# (and 10 rows) of COUNT(*) here, where InnoDB counts small ranges exactly
# (README "Counts": the factor at 1,000,000 users).
STRICT=1 estimated "$LIST?count=estimated&$C3" "$W3" 'country + date range (50)'
STRICT=1 estimated "$LIST?count=estimated&$C3&filter.identification_type=eq:EA" \
	"$W3 AND identification_type = 'EA'" 'country + type + date range (10)'
STRICT=1 estimated "$LIST?count=estimated&filter.identification_type=eq:EB&filter.creation_date=ge:2030-03-01&filter.creation_date=lt:2030-03-31" \
	"identification_type = 'EB' AND creation_date >= '2030-03-01' AND creation_date < '2030-03-31'" \
	'type + date range (60)'
STRICT=1 estimated "$LIST?count=estimated&filter.country_id=in:E2,E3&filter.identification_type=eq:EC" \
	"country_id IN ('E2', 'E3') AND identification_type = 'EC'" 'countries + type (200)'
counted "$LIST?count=exact&$C3" "$W3" 'country + date range exact'

done_testing
