#!/usr/bin/env bash
# t/11_search_paging.t: page, limit, orderBy and orderAt on the search and
# day routes (api.md "Pagination and order"), compared with the SQL order.
# Reads only.
. "$(dirname "$0")/lib.sh"

ORDERBY_MSG='It is not possible to apply sorting based on the requested orderBy value. Invalid field'
ORDERAT_MSG='It is not possible to apply sorting based on the requested orderAt value. Invalid field'
DNI_WHERE="identification_type LIKE '%dni%'"
DNI=/v1/users/identification-type/dni

# good QUERY WANT NAME: 200 and ids WANT on the dni search.
good() {
	api GET "$DNI?$1"
	is "$STATUS" 200 "$3: 200"
	is "$(body_ids)" "$2" "$3: ids"
}

# --- all pages, both directions ----------------------------------------

ndni=$(q "SELECT COUNT(*) FROM users WHERE $DNI_WHERE")
ok "more than two pages of DNI users ($ndni)" [ "${ndni:-0}" -gt 8 ]
for by in id last_name lastName nickname; do
	col=$(order_column "$by")
	for at in asc desc; do
		AT=${at^^}
		name="dni by $by $at, limit 4"
		walk_pages "$DNI" "limit=4&orderBy=$by&orderAt=$at"
		is "$ERR" '' "$name: every page 200"
		is "$ALL" "$(sql_ids "$DNI_WHERE" "$col $AT, id $AT")" \
			"$name: the pages put together are the SQL order"
		is "$(twice "$ALL")" '' "$name: no id twice"
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

expect GET "$DNI?orderBy=password" 400 "$ORDERBY_MSG"
expect GET "$DNI?orderBy=first-name" 400 "$ORDERBY_MSG"
expect GET "$DNI?orderBy=last+name" 400 "$ORDERBY_MSG"   # a space
expect GET "$DNI?orderBy=id%20" 400 "$ORDERBY_MSG"
expect GET "$DNI?orderBy=id;DROP" 400 "$ORDERBY_MSG"
expect GET "$DNI?orderBy=users.id" 400 "$ORDERBY_MSG"
expect GET "$DNI?orderBy=" 400 @string
expect GET "$DNI?orderBy=id&orderBy=id" 400 @string
expect GET "$DNI?orderAt=up" 400 "$ORDERAT_MSG"
expect GET "$DNI?orderAt=ascending" 400 "$ORDERAT_MSG"
expect GET "$DNI?orderAt=desc%00" 400 @string
expect GET "$DNI?orderAt=" 400 @string
expect GET "$DNI?orderAt=asc&orderAt=desc" 400 @string
for v in 0 -1 abc 01 1001 1.5 %204 4%20 +4 0x10 99999999999999999999 ''; do
	expect GET "$DNI?limit=$v" 400 @string
done
expect GET "$DNI?limit=4&limit=4" 400 @string
for v in -1 01 abc 1.0 2147483648 99999999999999999999 +1 ''; do
	expect GET "$DNI?page=$v" 400 @string
done
expect GET "$DNI?page=0&page=0" 400 @string

# --- every orderBy value on one search route --------------------------

for by in id nickname first_name firstName last_name lastName email \
    identification_type identificationType identification_number \
    identificationNumber country_id countryId creation_date creationDate \
    update_date updateDate ID NICKNAME First_Name LASTNAME lastname \
    EMAIL IdentificationNumber COUNTRYID UPDATE_DATE; do
	col=$(order_column "$by")
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
walk_pages "/v1/users/update-date/$day" 'limit=7&orderBy=email'
is "$ERR" '' "update-date $day by email, limit 7: every page 200"
is "$ALL" "$(sql_ids "update_date >= '$day' AND update_date < '$day' + INTERVAL 1 DAY" 'email, id')" \
	"update-date $day by email, limit 7: the SQL order"
expect GET "/v1/users/update-date/$day?orderBy=nope" 400 "$ORDERBY_MSG"

done_testing
