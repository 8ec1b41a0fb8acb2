#!/usr/bin/env bash
# t/14_filters.t: filter.<field>=<op>:<value> on the list routes
# (api-extensions.md section 1): every operator on every kind of field
# compared with the same question asked of MariaDB, the three 400s,
# filters x orderBy x cursor walks against SQL, and cursors bound to their
# filters. Adds a few users with chosen dates and texts, removed at exit.
. "$(dirname "$0")/lib.sh"

LIST=/v1/users/list
F='It is not possible to apply filtering based on the requested filter value. '
CURSOR_MSG='Bad request, the cursor parameter is not valid. Send the X-Next-Cursor value of an earlier answer as it is.'
TAG=zq14f

# Users with distinct dates (two a day on some days), and texts holding
# the LIKE wildcards and the escape characters.
add_users() {
	q "INSERT INTO users (nickname, first_name, last_name, email,
		identification_type, identification_number, country_id,
		creation_date, update_date) VALUES
	('${TAG}a', '${TAG}A', 'Pct%One', '${TAG}1@x.io', 'FLT', '914000001', 'ZQ', '2001-02-03 00:00:00', '2001-02-03 00:00:00'),
	('${TAG}b', '${TAG}B', 'Under_Two', '${TAG}2@x.io', 'FLT', '914000002', 'ZQ', '2001-02-03 23:59:59', '2002-01-01 10:00:00'),
	('${TAG}c', '${TAG}C', 'Back\\\\Three', '${TAG}3@x.io', 'FLT', '914000003', 'ZQ', '2001-02-04 00:00:00', '2003-05-06 07:08:09'),
	('${TAG}d', '${TAG}D', 'Bang!Four', '${TAG}4@y.io', 'FLT', '914000004', 'ZR', '2001-02-04 12:00:00', '2001-02-04 12:00:00'),
	('${TAG}e', '${TAG}E', 'Ramón', '${TAG}5@y.io', 'FLT', '914000005', 'ZR', '2010-12-31 23:59:59', '2011-01-01 00:00:00'),
	('${TAG}f', '${TAG}F', 'Plus Six', '${TAG}6@y.io', 'FLT', '914000006', 'ZR', '2010-12-31 00:00:00', '2010-12-31 00:00:00')"
}
at_exit q "DELETE FROM users WHERE nickname LIKE '${TAG}_'"
q "DELETE FROM users WHERE nickname LIKE '${TAG}_'"
add_users
ids=$(sql_ids "nickname LIKE '${TAG}_'")
ok "six test users ($ids)" [ "$(echo "$ids" | wc -w)" = 6 ]
first=${ids%% *}

# same QUERY WHERE NAME: the list with QUERY (and room for every row) is
# 200 with the ids of WHERE in id order.
same() {
	local want
	want=$(sql_ids "$2")
	api GET "$LIST?limit=1000&$1"
	is "$STATUS" 200 "$3: 200"
	is "$(body_ids)" "$want" "$3: the ids SQL finds"
}

# nonempty WHERE NAME: SQL finds something, so the comparison means it.
nonempty() { isnt "$(sql_ids "$1")" '' "$2: SQL finds rows"; }

# uri TEXT: TEXT percent-encoded for a query value.
uri() { printf '%s' "$1" | jq -sRr @uri; }
# lit TEXT: TEXT for LIKE ... ESCAPE '!' inside an SQL literal.
lit() {
	printf '%s' "$1" | sed -e 's/!/!!/g' -e 's/%/!%/g' -e 's/_/!_/g' \
		-e 's/\\/\\\\/g' -e "s/'/''/g"
}

# Every operator on every text column, with the values of two users; the
# first one's last name holds a %.
for col in nickname first_name last_name email identification_type \
	identification_number country_id; do
	v=$(q "SELECT $col FROM users WHERE id = $first")
	w=$(q "SELECT $col FROM users WHERE id = $((first + 3))")
	same "filter.$col=eq:$(uri "$v")" "$col = '$v'" "$col eq"
	same "filter.$col=ne:$(uri "$v")" "$col <> '$v'" "$col ne"
	same "filter.$col=in:$(uri "$v"),$(uri "$w")" "$col IN ('$v', '$w')" "$col in"
	same "filter.$col=sw:$(uri "${v:0:3}")" \
		"$col LIKE '$(lit "${v:0:3}")%' ESCAPE '!'" "$col sw"
	same "filter.$col=ew:$(uri "${v: -2}")" \
		"$col LIKE '%$(lit "${v: -2}")' ESCAPE '!'" "$col ew"
	same "filter.$col=co:$(uri "${v:1:3}")" \
		"$col LIKE '%$(lit "${v:1:3}")%' ESCAPE '!'" "$col co"
done
nonempty "country_id = 'ZR'" 'country ZR'
# The column's collation: case and accents do not count.
same 'filter.last_name=eq:ramon' "last_name = 'ramon'" 'eq by the collation'
nonempty "last_name = 'ramon'" 'ramon'
same 'filter.lastName=co:AMO' "last_name LIKE '%amo%'" 'co by the collation'
# %, _ and \ match themselves; ! is no escape in the value.
same 'filter.last_name=co:%25' "last_name LIKE '%!%%' ESCAPE '!'" 'co %'
same 'filter.last_name=co:r_' "last_name LIKE '%r!_%' ESCAPE '!'" 'co _'
same 'filter.last_name=sw:Back%5C' "last_name LIKE 'Back!\\\\%' ESCAPE '!'" 'sw backslash'
same 'filter.last_name=co:g!F' "last_name LIKE '%g!!F%' ESCAPE '!'" 'co !'
nonempty "last_name LIKE '%g!!F%' ESCAPE '!'" 'g!F'
same 'filter.last_name=ew:%25One' "last_name LIKE '%!%One' ESCAPE '!'" 'ew %One'
# Form decoding once: + is a space, %2B a plus.
same 'filter.last_name=eq:Plus+Six' "last_name = 'Plus Six'" '+ is a space'
same 'filter.last_name=eq:Plus%2BSix' "last_name = 'Plus+Six'" '%2B is +'
same 'filter.last_name=eq:Ram%C3%B3n' "last_name = 'Ramón'" 'UTF-8 value'

# --- id ------------------------------------------------------------------

same "filter.id=eq:$first" "id = $first" 'id eq'
same "filter.id=ne:$first" "id <> $first" 'id ne'
same "filter.id=gt:$first" "id > $first" 'id gt'
same "filter.id=ge:$first" "id >= $first" 'id ge'
same "filter.id=lt:$first" "id < $first" 'id lt'
same "filter.id=le:$first" "id <= $first" 'id le'
same "filter.id=in:3,$first,1,99999" "id IN (3, $first, 1, 99999)" 'id in'
same "filter.ID=ge:10&filter.id=lt:20" 'id >= 10 AND id < 20' 'a field repeats'
same "filter.id=in:$(seq -s, 1 50)" 'id <= 50' 'in with 50 values'
same "filter.id=in:$(seq -s, 1 17)&filter.id=in:$(seq -s, 5 9)" \
	'id BETWEEN 5 AND 9' 'two in lists of other buckets'

# --- dates ---------------------------------------------------------------

for col in creation_date update_date; do
	for d in 2001-02-03 2001-02-04 2010-12-31; do
		same "filter.$col=eq:$d" "DATE($col) = '$d'" "$col eq $d"
		same "filter.$col=gt:$d" "DATE($col) > '$d'" "$col gt $d (after the day)"
		same "filter.$col=ge:$d" "$col >= '$d'" "$col ge $d"
		same "filter.$col=lt:$d" "$col < '$d'" "$col lt $d"
		same "filter.$col=le:$d" "DATE($col) <= '$d'" "$col le $d (the whole day)"
	done
	for t in '2001-02-03 23:59:59' '2010-12-31 12:00:00'; do
		enc=${t/ /+}
		same "filter.$col=gt:$enc" "$col > '$t'" "$col gt $t"
		same "filter.$col=ge:${t/ /%20}" "$col >= '$t'" "$col ge $t"
		same "filter.$col=lt:$enc" "$col < '$t'" "$col lt $t"
		same "filter.$col=le:$enc" "$col <= '$t'" "$col le $t"
	done
done
nonempty "DATE(creation_date) = '2001-02-03'" 'day 2001-02-03'
same 'filter.creationDate=ge:2001-02-03&filter.creation_date=lt:2001-02-05&filter.countryId=eq:zq' \
	"creation_date >= '2001-02-03' AND creation_date < '2001-02-05' AND country_id = 'zq'" \
	'three filters, two fields'
# A country and a creation_date range in id order run within the ids
# their days can hold (sql/08_user_days.sql): these users were added with
# old dates and new ids, so the bounds come from their days (or their
# changes, until housekeeping takes them in), not from the ids' order.
same 'filter.creation_date=eq:2001-02-04&filter.country_id=eq:zr' \
	"DATE(creation_date) = '2001-02-04' AND country_id = 'zr'" 'bounded: a day and a country'
api GET "$LIST?limit=1000&filter.creation_date=gt:2001-02-03&filter.creation_date=le:2010-12-31&filter.country_id=eq:zr&orderAt=desc"
is "$(body_ids)" "$(sql_ids "creation_date > '2001-02-03' AND creation_date < '2011-01-01' AND country_id = 'zr'" 'id DESC')" \
	'bounded: gt and le (le a day: to its end), descending'
api GET "$LIST?limit=1&page=2&filter.creation_date=ge:2001-01-01&filter.country_id=eq:zr"
is "$(body_ids)" "$(sql_ids "creation_date >= '2001-01-01' AND country_id = 'zr'" id 'LIMIT 1 OFFSET 2')" \
	'bounded: page 2 of 1 (pages count from 0) is the third match'
same 'filter.creation_date=ge:1990-01-01&filter.creation_date=lt:1990-02-01&filter.country_id=eq:zq&count=exact' \
	"creation_date >= '1990-01-01' AND creation_date < '1990-02-01' AND country_id = 'zq'" \
	'bounded: days no user was created on'
is "$(header X-Total-Count)" 0 'bounded, no user on those days: X-Total-Count 0'
same 'filter.update_date=ge:2000-01-01&filter.update_date=le:2003-05-06+07:08:09&filter.email=ew:@x.io&filter.id=gt:1&filter.nickname=sw:zq&filter.first_name=ne:x&filter.last_name=co:e&filter.identificationType=in:FLT,DNI' \
	"update_date >= '2000-01-01' AND update_date <= '2003-05-06 07:08:09' AND email LIKE '%@x.io' AND id > 1 AND nickname LIKE 'zq%' AND first_name <> 'x' AND last_name LIKE '%e%' AND identification_type IN ('FLT','DNI')" \
	'eight filters'
same "filter.id=ge:$first&foo=bar" "id >= $first" 'other parameters are ignored'
same 'filter.id=in:1,1,1' 'id = 1' 'in with a value repeated'

# --- list-without-dates takes the same filters ----------------------------

api GET "/v1/users/list-without-dates?limit=1000&filter.countryId=in:ZQ,ZR&orderBy=email&orderAt=desc"
is "$STATUS" 200 'list-without-dates filtered: 200'
is "$(body_ids)" "$(sql_ids "country_id IN ('ZQ','ZR')" 'email DESC, id DESC')" \
	'list-without-dates filtered: the SQL order'
jq_is '.message[0] | keys_unsorted' \
	'["id","nickname","first_name","last_name","email","identification_type","identification_number","country_id"]' \
	'list-without-dates filtered: no dates'

# --- the 400s --------------------------------------------------------------

for bad in 'filter.nope=eq:1' 'filter.=eq:1' 'filter.id_=eq:1' \
	'filter.first%20name=eq:x' 'filter.idd=eq:1' 'filter.ID%00=eq:1' \
	"filter.$(rep x 100)=eq:1" 'filter.id=eq:1&filter.password=eq:x'; do
	expect -n "field: $bad" GET "$LIST?$bad" 400 "${F}Invalid field"
done
for bad in 'filter.id=co:1' 'filter.id=sw:1' 'filter.id' 'filter.id=' \
	'filter.id=1' 'filter.id=EQ:1' 'filter.id=eq' 'filter.id=xx:1' \
	'filter.email=gt:a' 'filter.email=le:a' 'filter.creation_date=ne:2001-02-03' \
	'filter.creation_date=in:2001-02-03' 'filter.update_date=co:2001' \
	'filter.nickname=eq%3Dx' 'filter.id=%zz:1'; do
	expect -n "operator: $bad" GET "$LIST?$bad" 400 "${F}Invalid operator"
done
for bad in 'filter.id=eq:' 'filter.id=eq:0' 'filter.id=eq:01' 'filter.id=eq:-1' \
	'filter.id=eq:2147483648' 'filter.id=eq:1.0' 'filter.id=in:1,,2' \
	'filter.id=in:1,' "filter.id=in:$(seq -s, 1 51)" 'filter.id=eq:1%00' \
	'filter.email=eq:' "filter.email=eq:$(rep x 101)" "filter.email=in:a,$(rep y 101)" \
	'filter.email=co:%zz' 'filter.email=co:%FF' 'filter.email=in:a,,b' \
	'filter.creation_date=eq:2001-02-30' 'filter.creation_date=eq:2001-2-3' \
	'filter.creation_date=eq:2001-02-03+00:00:00' 'filter.creation_date=gt:2001-02-03+24:00:00' \
	'filter.creation_date=ge:0999-12-31' 'filter.creation_date=lt:2001-02-03T00:00:00' \
	'filter.update_date=le:' "$(for i in 1 2 3 4 5 6 7 8 9; do printf 'filter.id=gt:%d&' "$i"; done)"; do
	expect -n "value: ${bad:0:80}" GET "$LIST?$bad" 400 "${F}Invalid value"
done
# 100 characters are fine, 4-byte ones too.
same "filter.email=ne:$(rep x 100)" "email <> '$(rep x 100)'" '100 characters'
same "filter.email=ne:$(rep %F0%9F%98%80 100)" '1' '100 four-byte characters'
# The first bad filter decides; paging errors come before filters.
expect -n 'first bad decides (value)' GET "$LIST?filter.id=eq:x&filter.nope=eq:1" 400 "${F}Invalid value"
expect -n 'first bad decides (field)' GET "$LIST?filter.nope=eq:1&filter.id=eq:x" 400 "${F}Invalid field"
expect -n 'orderBy before filters' GET "$LIST?filter.nope=eq:1&orderBy=x" 400 \
	'It is not possible to apply sorting based on the requested orderBy value. Invalid field'
# A value with ':' keeps it: only the first one ends the operator.
same 'filter.email=co:a:b' "email LIKE '%a:b%'" "':' in a value"

# --- filters x orderBy x cursor walks ---------------------------------

# walk QUERY WHERE ORDER NAME: following X-Next-Cursor from QUERY gives
# the ids of WHERE in ORDER, none twice.
walk() {
	local url="$LIST?$1" all='' n cur err='' pages=0
	while [ $pages -lt 60 ]; do
		api GET "$url"
		n=$(body_len)
		if [ "$STATUS" != 200 ] || [ "$n" = x ]; then
			err="$STATUS $BODY"
			break
		fi
		pages=$((pages + 1))
		[ "$n" -gt 0 ] && all+="${all:+ }$(body_ids)"
		cur=$(header X-Next-Cursor)
		[ -z "$cur" ] && break
		url="$LIST?$1&cursor=$cur"
	done
	is "$err" '' "$4: every page 200"
	is "$all" "$(sql_ids "$2" "$3")" "$4: the pages are the SQL order"
	is "$(twice "$all")" '' "$4: no id twice"
}
WHERE_A="country_id IN ('AR','ZQ','ZR') AND id <> 2"
for by in id nickname lastName email creation_date updateDate; do
	col=$(order_column "$by")
	for at in asc desc; do
		AT=${at^^}
		walk "limit=3&orderBy=$by&orderAt=$at&filter.country_id=in:AR,ZQ,ZR&filter.id=ne:2" \
			"$WHERE_A" "$col $AT, id $AT" "cursor walk by $by $at"
		walk_pages "$LIST" "limit=4&orderBy=$by&orderAt=$at&filter.last_name=co:o&filter.id=ge:3"
		is "$ALL" "$(sql_ids "last_name LIKE '%o%' AND id >= 3" "$col $AT, id $AT")" \
			"page walk by $by $at: the SQL order"
	done
done

# co alone on a column of the trigram index takes the search's planner:
# the same rows, by every order, in pages and by cursor.
for by in id lastName email; do
	col=$(order_column "$by")
	walk "limit=3&orderBy=$by&filter.email=co:gmail" "email LIKE '%gmail%'" \
		"$col ASC, id ASC" "co on email alone by $by"
	walk "limit=4&orderBy=$by&orderAt=desc&filter.last_name=co:tro" "last_name LIKE '%tro%'" \
		"$col DESC, id DESC" "co on last_name alone by $by desc"
done
same 'filter.email=co:zq14f' "email LIKE '%zq14f%'" 'co on email alone: the test users'

# --- cursors are bound to their filters -----------------------------------

api GET "$LIST?limit=2&filter.id=gt:3"
c1=$(header X-Next-Cursor)
isnt "$c1" '' 'a filtered full page names a cursor'
api GET "$LIST?limit=2&filter.id=gt:3&cursor=$c1"
is "$STATUS" 200 'the cursor with the same filter: 200'
is "$(body_ids)" "$(sql_ids 'id > 3' id 'LIMIT 2 OFFSET 2')" 'the cursor with the same filter: the next rows'
expect -n 'the cursor with another filter' GET "$LIST?limit=2&filter.id=gt:4&cursor=$c1" 400 "$CURSOR_MSG"
expect -n 'the cursor without its filter' GET "$LIST?limit=2&cursor=$c1" 400 "$CURSOR_MSG"
expect -n 'the cursor with one more filter' GET "$LIST?limit=2&filter.id=gt:3&filter.id=lt:100&cursor=$c1" 400 "$CURSOR_MSG"
expect -n 'the cursor on a search' GET "/v1/users/nickname/a?limit=2&cursor=$c1" 400 "$CURSOR_MSG"
api GET "$LIST?limit=2&filter.id=lt:100&filter.id=gt:3"
c2=$(header X-Next-Cursor)
api GET "$LIST?limit=2&filter.id=gt:3&filter.id=lt:100&cursor=$c2"
is "$STATUS" 200 'the same filters in another order keep the cursor'
api GET "$LIST?limit=2"
c0=$(header X-Next-Cursor)
expect -n 'an unfiltered cursor with a filter' GET "$LIST?limit=2&filter.id=gt:3&cursor=$c0" 400 "$CURSOR_MSG"
api GET "$LIST?limit=2&cursor=$c0"
is "$STATUS" 200 'an unfiltered cursor without filters: 200'

done_testing
