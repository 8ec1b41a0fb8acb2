#!/usr/bin/env bash
# t/05_paging.t: page, limit, orderBy and orderAt on the list routes (api.md
# "Pagination and order", "Fine points"): defaults, bounds, every orderBy
# name, the 400s, and walking every page of every order against MariaDB's
# own ORDER BY. Read-only; counts rows with SQL, as other test files may have
# added users before this one runs.
. "$(dirname "$0")/lib.sh"

ORDER_BY_MSG='It is not possible to apply sorting based on the requested orderBy value. Invalid field'
ORDER_AT_MSG='It is not possible to apply sorting based on the requested orderAt value. Invalid field'
LIST=/v1/users/list

# ids PATH: the ids the route answers, space-separated, or "status N".
ids() {
	api GET "$1"
	if [ "$STATUS" = 200 ]; then
		body_ids
	else
		printf 'status %s' "$STATUS"
	fi
}

# ordered COLUMN DIR [LIMIT]: the ids in the contract's order.
ordered() { sql_ids 1 "$1 $2, id $2" "LIMIT ${3:-1000000}"; }

total=$(sql 'SELECT COUNT(*) FROM users')
like "$total" '^[0-9]+$' "the users table counts $total rows"
ok 'at least the 42 sample users' test "$total" -ge 42

# --- defaults ---

is "$(ids "$LIST")" '1 2 3 4 5' 'no parameters: users 1..5'
is "$(ids "$LIST?")" '1 2 3 4 5' 'empty query string: users 1..5'
is "$(ids "$LIST?page=0")" '1 2 3 4 5' 'page=0: the first page'
is "$(ids "$LIST?page=%30")" '1 2 3 4 5' 'page=%30 is page 0'
is "$(ids "$LIST?orderBy=id&orderAt=asc")" '1 2 3 4 5' \
    'orderBy=id&orderAt=asc is the default'
is "$(ids "$LIST?foo=bar")" '1 2 3 4 5' 'an unknown parameter is ignored'
is "$(ids "$LIST?foo=bar&foo=baz&x")" '1 2 3 4 5' \
    'repeated and valueless unknown parameters are ignored'
is "$(ids "$LIST?page=1")" '6 7 8 9 10' 'page=1: users 6..10'
is "$(ids "$LIST?limit=%31%30")" '1 2 3 4 5 6 7 8 9 10' \
    'limit=%31%30 is decoded to 10'
is "$(ids "$LIST?limit=1&page=41")" 42 'limit=1&page=41: user 42'
is "$(ids "$LIST?orderAt=desc")" "$(ordered id DESC 5)" \
    'orderAt=desc alone: orders by id'

# --- limit ---

expect GET "$LIST?limit=1000" 200 @array
jq_is '.message | length' "$((total < 1000 ? total : 1000))" \
    'limit=1000: every user up to 1000'
expect GET "$LIST?limit=1" 200 @array
jq_is '.message | length' 1 'limit=1: one user'

for q in 'limit=1001' 'limit=0' 'limit=-1' 'limit=01' 'limit=' 'limit' \
    'limit=1&limit=2' 'limit=5&limit=5' 'limit=99999999999999999999' \
    'limit=+5' 'limit=%2B5' 'limit=5.0' 'limit=1e2' 'limit=0x10' \
    'limit=5+' 'limit=%205' 'limit=five' 'limit=5%00' 'limit=2147483648'; do
	expect GET "$LIST?$q" 400 @string
done

# --- page ---

for q in 'page=-1' 'page=01' 'page=00' 'page=' 'page' 'page=2147483648' \
    'page=1.5' 'page=0&page=0' 'page=99999999999999999999' 'page=+1' \
    'page=1%20' 'page=one'; do
	expect GET "$LIST?$q" 400 @string
done

expect GET "$LIST?page=2147483647" 200 @array
jq_is '.message' '[]' 'page=2147483647: []'
expect GET "$LIST?page=2147483647&limit=1000" 200 @array
jq_is '.message' '[]' 'page=2147483647&limit=1000: [] (no offset overflow)'

last=$(( (total + 4) / 5 ))
expect GET "$LIST?page=$last" 200 @array
jq_is '.message' '[]' "page=$last, just past the end: []"
expect GET "$LIST?page=$((last - 1))" 200 @array
jq_is '.message | length' "$((total - 5 * (last - 1)))" \
    "page=$((last - 1)): the last, partial page"

# --- orderBy: every name and alias, any case ---

for name in id ID nickname NickName first_name firstName FIRSTNAME \
    First_Name last_name lastName LASTNAME email Email \
    identification_type identificationType IDENTIFICATION_TYPE \
    identification_number identificationNumber identificationnumber \
    country_id countryId COUNTRYID creation_date creationDate \
    CREATION_DATE update_date updateDate UpdateDate; do
	col=$(order_column "$name")
	is "$(ids "$LIST?orderBy=$name&orderAt=desc&limit=1000")" \
	    "$(ordered "$col" DESC 1000)" "orderBy=$name orders by $col"
done

is "$(ids "$LIST?orderBy=first%5Fname&limit=1000")" \
    "$(ordered first_name ASC 1000)" 'orderBy=first%5Fname is first_name'
is "$(ids "$LIST?orderBy=%69d&orderAt=desc&limit=1000")" \
    "$(ordered id DESC 1000)" 'orderBy=%69d is id'

for q in 'orderBy=bogus' 'orderBy=' 'orderBy' 'orderBy=id&orderBy=id' \
    'orderBy=id&orderBy=email' 'orderBy=first-name' 'orderBy=first%255Fname' \
    'orderBy=id+' 'orderBy=%20id' 'orderBy=first+name' 'orderBy=id,email' \
    'orderBy=users.id' 'orderBy=id%3BDROP%20TABLE%20users' \
    'orderBy=password' 'orderBy=1' 'orderBy=id%00'; do
	expect GET "$LIST?$q" 400 "$ORDER_BY_MSG"
done

# --- orderAt ---

for v in asc ASC desc DESC Desc dEsC; do
	expect GET "$LIST?orderAt=$v" 200 @array
done
is "$(ids "$LIST?orderAt=DESC&limit=1000")" "$(ordered id DESC 1000)" \
    'orderAt=DESC is descending'
is "$(ids "$LIST?orderAt=Asc&limit=1000")" "$(ordered id ASC 1000)" \
    'orderAt=Asc is ascending'

for q in 'orderAt=down' 'orderAt=' 'orderAt' 'orderAt=asc&orderAt=asc' \
    'orderAt=asc&orderAt=desc' 'orderAt=ascending' 'orderAt=asc+' \
    'orderAt=de+sc' 'orderAt=%20desc' 'orderAt=1'; do
	expect GET "$LIST?$q" 400 "$ORDER_AT_MSG"
done

expect GET '/v1/users/list-without-dates?orderBy=bogus' 400 "$ORDER_BY_MSG"

# --- walk every page of every order ---

for col in id nickname first_name last_name email identification_type \
    identification_number country_id creation_date; do
	for dir in asc desc; do
		walk_pages "$LIST" "limit=7&orderBy=$col&orderAt=$dir" \
		    $((total / 7 + 2))
		is "$ALL${ERR:+ ($ERR)}" "$(ordered "$col" "${dir^^}")" \
		    "walk $col $dir: the ids of the SQL ORDER BY"
		is "$(twice "$ALL")" '' "walk $col $dir: no id twice"
		is "$(wc -w <<<"$ALL")" "$total" "walk $col $dir: COUNT(*) ids"
	done
done

# list and list-without-dates agree.
for q in 'limit=1000&orderBy=nickname&orderAt=desc' \
    'limit=1000&orderBy=email' 'limit=7&page=2&orderBy=lastName' \
    'limit=3&page=5&orderBy=identification_number&orderAt=DESC'; do
	is "$(ids "/v1/users/list-without-dates?$q")" "$(ids "$LIST?$q")" \
	    "list-without-dates?$q: the same ids as list"
done

done_testing
