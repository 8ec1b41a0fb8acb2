#!/usr/bin/env bash
# t/12_cursor.t: keyset paging on the array routes (README "Keyset
# paging"). A full page names the next one in X-Next-Cursor and in
# Link: <same path and query, cursor instead of page>; rel="next"; walking
# those links gives the SQL order with no id twice; bad cursors are 400.
# Read-only; orders are computed with SQL, as other files may add users.
. "$(dirname "$0")/lib.sh"

LIST=/v1/users/list
CURSOR_MSG='Bad request, the cursor parameter is not valid. Send the X-Next-Cursor value of an earlier answer as it is.'
WITH_PAGE_MSG='Bad request, the cursor and page parameters cannot be used together.'
MISMATCH_MSG='Bad request, the cursor was made for another orderBy or orderAt. Send the same orderBy and orderAt as the request that answered it.'

# link_target: the URI reference of the Link header's rel="next", or "".
link_target() {
	header Link | sed -n 's/^<\([^>]*\)>; rel="next"$/\1/p'
}

# walk_links PATH LIMIT: follows Link from PATH (which has limit=LIMIT) until a
# page without one. Sets ALL (every id, in order), PAGES, ERR (the first
# broken promise: a failed page, a full page without Link or X-Next-Cursor,
# a short page with one, Link and X-Next-Cursor disagreeing).
walk_links() {
	local url=$1 limit=$2 n link cur
	ALL='' PAGES=0 ERR=''
	while [ "$PAGES" -le 200 ]; do
		api GET "$url"
		n=$(body_len)
		if [ "$STATUS" != 200 ] || [ "$n" = x ]; then
			ERR="page $PAGES ($url): $STATUS $BODY"
			return
		fi
		PAGES=$((PAGES + 1))
		[ "$n" -gt 0 ] && ALL+="${ALL:+ }$(body_ids)"
		link=$(link_target)
		cur=$(header X-Next-Cursor)
		if [ "$n" = "$limit" ]; then
			if [ -z "$link" ] || [ -z "$cur" ]; then
				ERR="page $PAGES full but Link '$link' X-Next-Cursor '$cur'"
				return
			fi
			if [ "${link##*&cursor=}" != "$cur" ]; then
				ERR="page $PAGES: Link '$link' does not end in X-Next-Cursor '$cur'"
				return
			fi
			url=$link
		else
			if [ -n "$link" ] || [ -n "$cur" ] ||
			    [ -n "$(header Link)" ]; then
				ERR="page $PAGES short ($n) but Link '$(header Link)' X-Next-Cursor '$cur'"
			fi
			return
		fi
	done
	ERR='more than 200 pages'
}

# check_walk NAME WANT: the walk's ids are WANT, once each.
check_walk() {
	is "$ERR" '' "$1: every page 200, Link and X-Next-Cursor exactly on full pages"
	is "$ALL" "$2" "$1: the pages put together are the SQL order"
	is "$(twice "$ALL")" '' "$1: no id twice"
}

total=$(q 'SELECT COUNT(*) FROM users')
ok "at least the 42 sample users ($total)" [ "${total:-0}" -ge 42 ]

# --- the list, by several orders, both directions -----------------------

for by in id nickname last_name email country_id creation_date update_date; do
	for at in asc desc; do
		AT=${at^^}
		walk_links "$LIST?limit=7&orderBy=$by&orderAt=$at" 7
		check_walk "list by $by $at" \
			"$(q "SELECT id FROM users ORDER BY $by $AT, id $AT" | paste -sd' ' -)"
	done
done

# A page size that divides the total: the last full page still has a Link,
# and the page it leads to is [] without one.
walk_links "$LIST?limit=$total&orderBy=email" "$total"
check_walk "list limit=$total (the whole table on one page)" \
	"$(q 'SELECT id FROM users ORDER BY email, id' | paste -sd' ' -)"
is "$PAGES" 2 "list limit=$total: a full page, then an empty one"

walk_links "/v1/users/list-without-dates?limit=5&orderBy=firstName&orderAt=DESC" 5
check_walk 'list-without-dates by firstName DESC' \
	"$(q 'SELECT id FROM users ORDER BY first_name DESC, id DESC' | paste -sd' ' -)"

# --- search and day routes ----------------------------------------------

dni="identification_type LIKE '%dni%'"
for by in id last_name nickname; do
	for at in asc desc; do
		AT=${at^^}
		walk_links "/v1/users/identification-type/dni?limit=4&orderBy=$by&orderAt=$at" 4
		check_walk "identification-type dni by $by $at" \
			"$(q "SELECT id FROM users WHERE $dni ORDER BY $by $AT, id $AT" | paste -sd' ' -)"
	done
done

walk_links '/v1/users/email/%40gmail?limit=3&orderBy=email&orderAt=desc' 3
check_walk 'email %40gmail by email desc' \
	"$(q "SELECT id FROM users WHERE email LIKE '%@gmail%' ORDER BY email DESC, id DESC" | paste -sd' ' -)"

walk_links '/v1/users/last-name/castro?limit=1&orderBy=last_name' 1
check_walk 'last-name castro by last_name, limit 1 (Castro ties)' \
	"$(q "SELECT id FROM users WHERE last_name LIKE '%castro%' ORDER BY last_name, id" | paste -sd' ' -)"

walk_links '/v1/users/nickname/ram%C3%B3n?limit=1&orderBy=nickname' 1
check_walk 'nickname ram%C3%B3n (UTF-8 path kept in Link)' \
	"$(q "SELECT id FROM users WHERE nickname LIKE '%ramón%' ORDER BY nickname, id" | paste -sd' ' -)"

day=$(q 'SELECT DATE(creation_date) FROM users WHERE id = 1')
walk_links "/v1/users/creation-date/$day?limit=6&orderBy=update_date&orderAt=desc" 6
check_walk "creation-date $day by update_date desc" \
	"$(q "SELECT id FROM users WHERE creation_date >= '$day' AND creation_date < '$day' + INTERVAL 1 DAY ORDER BY update_date DESC, id DESC" | paste -sd' ' -)"

# --- the headers themselves ---------------------------------------------

api GET "$LIST?foo=bar&limit=2&page=3&orderAt=desc&x%3Dy=1&orderBy=email"
is "$STATUS" 200 'page=3 by email desc: 200'
cur=$(header X-Next-Cursor)
like "$cur" '^[A-Za-z0-9_-]+$' 'X-Next-Cursor is base64url without padding'
is "$(header Link)" \
	"<$LIST?foo=bar&limit=2&orderAt=desc&x%3Dy=1&orderBy=email&cursor=$cur>; rel=\"next\"" \
	'Link: same path and parameters, page replaced by cursor'
after=$(body_ids)
api GET "$LIST?limit=2&orderAt=desc&orderBy=email&cursor=$cur"
is "$(body_ids)" "$(q 'SELECT id FROM users ORDER BY email DESC, id DESC LIMIT 2 OFFSET 8' | paste -sd' ' -)" \
	'the cursor of page 3 continues with page 4'
isnt "$(body_ids)" "$after" 'page 4 is not page 3'
api GET "$LIST?limit=2&orderAt=desc&orderBy=email&cursor=$cur&foo=1"
like "$(header Link)" "^<$LIST\\?limit=2&orderAt=desc&orderBy=email&foo=1&cursor=[A-Za-z0-9_-]+>; rel=\"next\"$" \
	'Link from a cursor request: the old cursor replaced, others kept in order'

api GET "$LIST?limit=$((total + 1))"
is "$(header X-Next-Cursor)$(header Link)" '' 'a short page: no X-Next-Cursor, no Link'
api GET /v1/users/id/1
is "$(header X-Next-Cursor)$(header Link)" '' 'by id: no cursor'
api GET '/v1/users/email/zzqxj-no-such'
is "$(header X-Next-Cursor)$(header Link)" '' 'an empty search: no cursor'

# cursor_of TEXT: TEXT as a cursor (base64url, no padding).
cursor_of() { printf '%s' "$1" | b64url; }

# A cursor past the last row: 200 [] without a Link.
last=$(q 'SELECT MAX(id) FROM users')
lastcur=$(cursor_of "1|id|a|$last|")
api GET "$LIST?cursor=$lastcur"
is "$STATUS" 200 'a cursor after the last id: 200'
jq_is .message '[]' 'a cursor after the last id: []'
maxcur=$(cursor_of '1|id|d|2147483647|')
api GET "$LIST?orderAt=desc&limit=3&cursor=$maxcur"
is "$(body_ids)" "$(q 'SELECT id FROM users ORDER BY id DESC LIMIT 3' | paste -sd' ' -)" \
	'a hand-made cursor (id < 2147483647, desc) is honoured'

# --- bad cursors: 400 -----------------------------------------------------

api GET "$LIST?limit=2&orderBy=email"
good=$(header X-Next-Cursor)
isnt "$good" '' 'a cursor to tamper with'
expect -n 'empty cursor' GET "$LIST?orderBy=email&cursor=" 400 "$CURSOR_MSG"
expect -n 'cursor without a value' GET "$LIST?orderBy=email&cursor" 400 "$CURSOR_MSG"
expect -n 'repeated cursor' \
	GET "$LIST?orderBy=email&cursor=$good&cursor=$good" 400 "$CURSOR_MSG"
expect -n 'padded cursor' GET "$LIST?orderBy=email&cursor=${good}%3D" 400 "$CURSOR_MSG"
expect -n 'one character more' GET "$LIST?orderBy=email&cursor=${good}A" 400 "$CURSOR_MSG"
expect -n 'one character less' GET "$LIST?orderBy=email&cursor=${good%?}" 400 "$CURSOR_MSG"
expect -n 'rot13 of a cursor' GET "$LIST?orderBy=email&cursor=$(printf '%s' "$good" |
	tr 'A-Za-z' 'N-ZA-Mn-za-m')" 400 "$CURSOR_MSG"
expect -n 'spaces' GET "$LIST?cursor=not+a+cursor" 400 "$CURSOR_MSG"
expect -n 'bytes that are not UTF-8' GET "$LIST?cursor=%FF%FE" 400 "$CURSOR_MSG"
expect -n 'unknown version' GET "$LIST?cursor=$(cursor_of '2|id|a|1|')" 400 "$CURSOR_MSG"
expect -n 'unknown column' GET "$LIST?cursor=$(cursor_of '1|id;DROP|a|1|')" 400 "$CURSOR_MSG"
expect -n 'id 0' GET "$LIST?cursor=$(cursor_of '1|id|a|0|')" 400 "$CURSOR_MSG"
expect -n 'a date that does not exist' GET "$LIST?orderBy=creation_date&cursor=$(
	cursor_of '1|creation_date|a|1|2023-02-30 00:00:00')" 400 "$CURSOR_MSG"
expect -n 'cursor with page=0' \
	GET "$LIST?orderBy=email&page=0&cursor=$good" 400 "$WITH_PAGE_MSG"
expect -n 'cursor with page=2' \
	GET "$LIST?page=2&orderBy=email&cursor=$good" 400 "$WITH_PAGE_MSG"
expect -n 'email cursor, default orderBy' \
	GET "$LIST?cursor=$good" 400 "$MISMATCH_MSG"
expect -n 'asc cursor, orderAt=desc' \
	GET "$LIST?orderBy=email&orderAt=desc&cursor=$good" 400 "$MISMATCH_MSG"
expect -n 'email cursor, orderBy=lastName' \
	GET "$LIST?orderBy=lastName&cursor=$good" 400 "$MISMATCH_MSG"
expect -n 'a bad orderAt wins over the cursor on a search' \
	GET "/v1/users/country-id/ar?orderBy=email&cursor=$good&orderAt=bogus" 400 '~orderAt'
expect -n 'a bad cursor on a day route' \
	GET "/v1/users/update-date/$day?cursor=x" 400 "$CURSOR_MSG"
api GET "$LIST?orderBy=email&cursor=$good"
is "$STATUS" 200 'the untampered cursor still works'

done_testing
