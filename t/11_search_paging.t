#!/usr/bin/env bash
# t/11_search_paging.t: page, limit, orderBy and orderAt on the search and
# day routes (api.md "Pagination and order"), compared with the SQL order.
# Reads only.
. "$(dirname "$0")/lib.sh"

ORDERBY_MSG='It is not possible to apply sorting based on the requested orderBy value. Invalid field'
ORDERAT_MSG='It is not possible to apply sorting based on the requested orderAt value. Invalid field'
DNI_WHERE="identification_type LIKE '%dni%'"

# q SQL: sql in a UTF-8, UTC session.
q() { sql "SET NAMES utf8mb4; SET time_zone = '+00:00'; $1"; }

# sql_ids WHERE [ORDER] [LIMIT]: ids of the matching rows, space-separated.
sql_ids() {
	q "SELECT id FROM users WHERE $1 ORDER BY ${2:-id} ${3:-}" |
		paste -sd' ' -
}

# body_ids: the ids of BODY's array, space-separated (or what went wrong).
body_ids() {
	printf '%s' "$BODY" | jq -r 'if (.message | type) == "array"
		then [.message[].id | tostring] | join(" ")
		else "not an array: \(.)" end' 2>&1
}

# body_len: the length of BODY's array, or "x".
body_len() {
	printf '%s' "$BODY" | jq -r 'if (.message | type) == "array"
		then .message | length else "x" end' 2>/dev/null || printf x
}

# column NAME: the column an orderBy value names (any case, camelCase).
column() {
	case $(printf '%s' "$1" | tr 'A-Z' 'a-z' | tr -d _) in
	id) echo id ;;
	nickname) echo nickname ;;
	firstname) echo first_name ;;
	lastname) echo last_name ;;
	email) echo email ;;
	identificationtype) echo identification_type ;;
	identificationnumber) echo identification_number ;;
	countryid) echo country_id ;;
	creationdate) echo creation_date ;;
	updatedate) echo update_date ;;
	*) echo "unknown-column-$1" ;;
	esac
}

# walk PATH QUERY: GETs page 0, 1, ... of PATH?QUERY until an empty page.
# Sets ALL (the ids of every page), SIZES (each page's length), ERR.
walk() {
	local page=0 n
	ALL='' SIZES='' ERR=''
	while [ "$page" -le 60 ]; do
		api GET "$1?$2&page=$page"
		n=$(body_len)
		if [ "$STATUS" != 200 ] || [ "$n" = x ]; then
			ERR="page $page: $STATUS $BODY"
			return
		fi
		SIZES+="$n "
		[ "$n" = 0 ] && return
		ALL+="${ALL:+ }$(body_ids)"
		page=$((page + 1))
	done
	ERR='more than 60 pages'
}

# bad QUERY MESSAGE NAME: 400 on the dni search; MESSAGE exact when given.
bad() {
	api GET "/v1/users/identification-type/dni?$1"
	is "$STATUS" 400 "$3: 400"
	if [ -n "$2" ]; then
		is "$(message)" "$2" "$3: the contract's message"
	else
		jq_is '.message | type' '"string"' "$3: a JSON string message"
	fi
}

# good QUERY WANT NAME: 200 and ids WANT on the dni search.
good() {
	api GET "/v1/users/identification-type/dni?$1"
	is "$STATUS" 200 "$3: 200"
	is "$(body_ids)" "$2" "$3: ids"
}

# --- all pages, both directions ----------------------------------------

ndni=$(q "SELECT COUNT(*) FROM users WHERE $DNI_WHERE")
ok "more than two pages of DNI users ($ndni)" [ "${ndni:-0}" -gt 8 ]
for by in id last_name lastName nickname; do
	col=$(column "$by")
	for at in asc desc; do
		AT=$(printf '%s' "$at" | tr a-z A-Z)
		name="dni by $by $at, limit 4"
		walk /v1/users/identification-type/dni \
			"limit=4&orderBy=$by&orderAt=$at"
		is "$ERR" '' "$name: every page 200"
		is "$ALL" "$(sql_ids "$DNI_WHERE" "$col $AT, id $AT")" \
			"$name: the pages put together are the SQL order"
		is "$(printf '%s\n' $ALL | sort | uniq -d | paste -sd' ' -)" '' \
			"$name: no id twice"
		like "$SIZES" '^(4 )*([1-3] )?0 $' \
			"$name: full pages of 4, then one short page, then []"
	done
done

# The page right after the last, and far past it.
last=$(((ndni + 3) / 4))
good "limit=4&page=$last" '' "page $last (just past the end)"
jq_is .message '[]' "page $last: []"
good 'limit=4&page=100' '' 'page 100'
jq_is .message '[]' 'page 100: []'
good 'limit=1000&page=2147483647' '' 'page 2147483647, limit 1000 (no overflow)'
jq_is .message '[]' 'page 2147483647: []'

# --- defaults and bounds -----------------------------------------------

good '' "$(sql_ids "$DNI_WHERE" id 'LIMIT 5')" 'no parameters: the first 5 by id'
good 'limit=4&page=1' "$(sql_ids "$DNI_WHERE" id 'LIMIT 4 OFFSET 4')" \
	'limit=4&page=1: rows 5 to 8'
good 'page=0' "$(sql_ids "$DNI_WHERE" id 'LIMIT 5')" 'page=0 is valid'
good 'limit=1' "$(sql_ids "$DNI_WHERE" id 'LIMIT 1')" 'limit=1'
good 'limit=1000' "$(sql_ids "$DNI_WHERE")" 'limit=1000 (max_limit)'
good 'limit=3&foo=bar&order=nickname' "$(sql_ids "$DNI_WHERE" id 'LIMIT 3')" \
	'unknown parameters are ignored'
good 'orderAt=DESC&limit=3' "$(sql_ids "$DNI_WHERE" 'id DESC' 'LIMIT 3')" \
	'orderAt=DESC'
good 'orderAt=Asc&limit=3' "$(sql_ids "$DNI_WHERE" 'id ASC' 'LIMIT 3')" \
	'orderAt=Asc'
good 'orderBy=last%5Fname&limit=3' \
	"$(sql_ids "$DNI_WHERE" 'last_name, id' 'LIMIT 3')" \
	'orderBy=last%5Fname (percent-decoded)'

bad 'orderBy=password' "$ORDERBY_MSG" 'orderBy=password'
bad 'orderBy=first-name' "$ORDERBY_MSG" 'orderBy=first-name'
bad 'orderBy=last+name' "$ORDERBY_MSG" 'orderBy=last+name (a space)'
bad 'orderBy=id%20' "$ORDERBY_MSG" 'orderBy=id%20'
bad 'orderBy=id;DROP' "$ORDERBY_MSG" 'orderBy=id;DROP'
bad 'orderBy=users.id' "$ORDERBY_MSG" 'orderBy=users.id'
bad 'orderBy=' '' 'orderBy= (empty)'
bad 'orderBy=id&orderBy=id' '' 'orderBy twice'
bad 'orderAt=up' "$ORDERAT_MSG" 'orderAt=up'
bad 'orderAt=ascending' "$ORDERAT_MSG" 'orderAt=ascending'
bad 'orderAt=desc%00' '' 'orderAt=desc%00'
bad 'orderAt=' '' 'orderAt= (empty)'
bad 'orderAt=asc&orderAt=desc' '' 'orderAt twice'
for v in 0 -1 abc 01 1001 1.5 %204 4%20 +4 0x10 99999999999999999999 ''; do
	bad "limit=$v" '' "limit=$v"
done
bad 'limit=4&limit=4' '' 'limit twice'
for v in -1 01 abc 1.0 2147483648 99999999999999999999 +1 ''; do
	bad "page=$v" '' "page=$v"
done
bad 'page=0&page=0' '' 'page twice'

# --- every orderBy value on one search route --------------------------

for by in id nickname first_name firstName last_name lastName email \
    identification_type identificationType identification_number \
    identificationNumber country_id countryId creation_date creationDate \
    update_date updateDate ID NICKNAME First_Name LASTNAME lastname \
    EMAIL IdentificationNumber COUNTRYID UPDATE_DATE; do
	col=$(column "$by")
	for AT in ASC DESC; do
		api GET "/v1/users/country-id/ar?limit=1000&orderBy=$by&orderAt=$AT"
		is "$STATUS" 200 "country-id ar by $by $AT: 200"
		is "$(body_ids)" \
			"$(sql_ids "country_id LIKE '%ar%'" "$col $AT, id $AT")" \
			"country-id ar by $by $AT: the SQL order"
	done
done

# --- a day route pages the same way -----------------------------------

day=$(q "SELECT DATE(creation_date) FROM users WHERE id = 1")
dwhere="creation_date >= '$day' AND creation_date < '$day' + INTERVAL 1 DAY"
api GET "/v1/users/creation-date/$day?limit=4&page=1&orderBy=nickname&orderAt=desc"
is "$STATUS" 200 "creation-date $day page 1 by nickname desc: 200"
is "$(body_ids)" "$(sql_ids "$dwhere" 'nickname DESC, id DESC' 'LIMIT 4 OFFSET 4')" \
	"creation-date $day page 1 by nickname desc: the SQL rows"
walk "/v1/users/update-date/$day" 'limit=7&orderBy=email'
is "$ERR" '' "update-date $day by email, limit 7: every page 200"
is "$ALL" "$(sql_ids "update_date >= '$day' AND update_date < '$day' + INTERVAL 1 DAY" 'email, id')" \
	"update-date $day by email, limit 7: the SQL order"
api GET "/v1/users/update-date/$day?orderBy=nope"
is "$STATUS" 400 'update-date with orderBy=nope: 400'
is "$(message)" "$ORDERBY_MSG" 'update-date with orderBy=nope: the message'

done_testing
