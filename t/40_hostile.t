#!/usr/bin/env bash
# t/40_hostile.t: hostile input end to end ("Hostile input"): SQL
# injection payloads in every path value, query parameter and body field;
# NUL, invalid UTF-8 and overlong encodings; repeated parameters; numbers
# that overflow; forged, expired and oversized tokens; URIs and headers over
# nginx's limits; slow clients. No answer may be a 5xx, leave JSON, or carry
# SQL error text. The users it adds, it deletes: the table ends as it began.
. "$(dirname "$0")/lib.sh"

SLOW_PIDS=()
# stop_slow_clients: the slow clients below end with the test.
stop_slow_clients() {
	local pid
	for pid in "${SLOW_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
}
at_exit stop_slow_clients

SQL_ERROR='SQL|syntax|mysql|mariadb|errno'
MSG_ID='Bad request, the id passed as a parameter is not valid.'
MSG_PAGE='Bad request, the page parameter must be an integer from 0 to 2147483647.'
MSG_LIMIT='Bad request, the limit parameter must be an integer from 1 to 1000.'
MSG_ORDER_BY='It is not possible to apply sorting based on the requested orderBy value. Invalid field'
MSG_ORDER_AT='It is not possible to apply sorting based on the requested orderAt value. Invalid field'
MSG_CHECK='Bad request, check request attributes. Missing or incorrect. CHECK: '

# The payloads: each reaches MariaDB, if at all, as a bound parameter.
# Every route, parameter and field gets the first five; the others go to
# one of each kind, to keep the file's run time down.
PAYLOADS=(
	"' OR '1'='1"
	"1; DROP TABLE users--"
	"%' OR 1=1 -- "
	"\\'"
	"' UNION SELECT email FROM users--"
)
MORE_PAYLOADS=(
	"'); DELETE FROM users; --"
	"\" OR \"\"=\""
	"admin'/*"
	"1' AND SLEEP(5)#"
	"_%_' OR id>0 OR '"
)

# enc TEXT: TEXT percent-encoded, every byte but A-Za-z0-9-_.~ escaped.
enc() { jq -rn --arg v "$1" '$v | @uri'; }

# --- every answer is checked for the same three things ---

ANSWERS=0
SQL_SEEN=''
BAD_STATUS=''
NOT_JSON=''

# note METHOD PATH: records the last answer's faults, asserted per
# section; lib.sh's raw_request calls it after every request.
note() {
	local what="$1 $2"
	ANSWERS=$((ANSWERS + 1))
	shopt -s nocasematch
	if [[ $BODY =~ $SQL_ERROR ]]; then
		SQL_SEEN+="$what: $STATUS $BODY"$'\n'
	fi
	shopt -u nocasematch
	case $STATUS in
	[1-4][0-9][0-9]) ;;
	*) BAD_STATUS+="$what: '$STATUS'"$'\n' ;;
	esac
	printf '%s' "$BODY" | jq -e 'type == "object" and keys == ["message"]' \
	    >/dev/null 2>&1 || NOT_JSON+="$what: $STATUS ${BODY:0:200}"$'\n'
}

REQUEST_HOOK=note

# section_clean NAME: no answer so far had SQL error text, a 5xx (or no
# answer at all), or a body other than {"message": ...}.
section_clean() {
	is "$SQL_SEEN" '' "$1: no SQL error text in any body (/$SQL_ERROR/i)"
	is "$BAD_STATUS" '' "$1: no 5xx and no missing answer"
	is "$NOT_JSON" '' "$1: every body is {\"message\": ...}"
	SQL_SEEN='' BAD_STATUS='' NOT_JSON=''
}

table_count() { sql 'SELECT COUNT(*) FROM users'; }
table_sum() { sql 'CHECKSUM TABLE users' | cut -f2; }

COUNT0=$(table_count)
SUM0=$(table_sum)
like "$COUNT0" '^[0-9]+$' "the users table has a row count ($COUNT0)"
like "$SUM0" '^[0-9]+$' "the users table has a checksum ($SUM0)"

# --- SQL injection in path values (read-only) ---

SEARCH_ROUTES=(nickname first-name last-name email identification-type
	identification-number country-id)

for p in "${PAYLOADS[@]}"; do
	e=$(enc "$p")
	for r in id id-limit-fields; do
		expect -n "GET $r/$p" GET "/v1/users/$r/$e" 400 "$MSG_ID"
	done
	expect -n "PUT update-user/$p" PUT "/v1/users/update-user/$e" 400 \
	    "$MSG_ID" -H 'Content-Type: application/json' \
	    --data '{"nickname":"never stored"}'
	expect -n "DELETE delete-user/$p" DELETE "/v1/users/delete-user/$e" 400 \
	    "$MSG_ID"
	for r in creation-date update-date; do
		expect -n "GET $r/$p" GET "/v1/users/$r/$e" 400
	done
done
for p in "${MORE_PAYLOADS[@]}" '4 OR 1=1' "4'" '4;' '4--'; do
	expect -n "GET id/$p" GET "/v1/users/id/$(enc "$p")" 400 "$MSG_ID"
done

# search_literal ROUTE TEXT NAME: 200 with an array whose every user holds
# TEXT (in any case) in the route's column: the payload matched as text.
search_literal() {
	local col=${1//-/_}
	expect -n "$3" GET "/v1/users/$1/$(enc "$2")?limit=1000" 200
	# shellcheck disable=SC2016 # a jq program
	jq_is --arg col "$col" --arg p "$2" \
	    '.message | type == "array" and all(.[];
		.[$col] | ascii_downcase | contains($p | ascii_downcase))' \
	    true "$3: an array, each user's $col contains the text"
}

for p in "${PAYLOADS[@]}"; do
	for r in "${SEARCH_ROUTES[@]}"; do
		search_literal "$r" "$p" "GET $r/$p"
	done
done
for p in "${MORE_PAYLOADS[@]}"; do
	search_literal nickname "$p" "GET nickname/$p"
done

section_clean 'SQL payloads in path values'

# --- SQL injection in query parameters (read-only) ---

# query_payload ROUTE PAYLOAD: the payload in each of the four parameters.
query_payload() {
	local e
	e=$(enc "$2")
	expect -n "$1?page=$2" GET "$1?page=$e" 400 "$MSG_PAGE"
	expect -n "$1?limit=$2" GET "$1?limit=$e" 400 "$MSG_LIMIT"
	expect -n "$1?orderBy=$2" GET "$1?orderBy=$e" 400 "$MSG_ORDER_BY"
	expect -n "$1?orderAt=$2" GET "$1?orderAt=$e" 400 "$MSG_ORDER_AT"
}

for p in "${PAYLOADS[@]}"; do
	query_payload /v1/users/list "$p"
	e=$(enc "$p")
	# Unknown parameters are ignored, whatever their name or value.
	expect -n 'list?<payload>=<payload>: ignored' \
	    GET "/v1/users/list?$e=$e&limit=2" 200
	jq_is '.message | length' 2 "list?<payload>=<payload>: limit=2 holds"
done
query_payload /v1/users/nickname/a "${PAYLOADS[0]}"
query_payload /v1/users/creation-date/2023-03-20 "${PAYLOADS[1]}"
query_payload /v1/users/list-without-dates "${MORE_PAYLOADS[0]}"

section_clean 'SQL payloads in query parameters'

is "$(table_count)" "$COUNT0" 'read-only payloads: row count unchanged'
is "$(table_sum)" "$SUM0" 'read-only payloads: CHECKSUM TABLE unchanged'
is "$(sql "SHOW TABLES LIKE 'users'")" users 'the users table still exists'

# --- NUL, invalid UTF-8, overlong forms (read-only) ---

BAD_BYTES=(%00 a%00b %FF %C3%28 %C0%AF %E0%80%AF %ED%A0%80 %F4%90%80%80
	%F8%88%80%80%80 %80)

# Each sequence in an id, a search value and a date, and in one query
# parameter (in turn); NUL and 0xFF in all four.
PARAMS=(page limit orderBy orderAt)
i=0
for b in "${BAD_BYTES[@]}"; do
	expect GET "/v1/users/id/4$b" 400
	expect GET "/v1/users/${SEARCH_ROUTES[i % ${#SEARCH_ROUTES[@]}]}/a$b" 400
	r=$( ((i % 2)) && echo update-date || echo creation-date)
	expect GET "/v1/users/$r/2023-03-2$b" 400
	expect GET "/v1/users/list?${PARAMS[i % 4]}=1$b" 400
	i=$((i + 1))
done
for b in %00 %FF; do
	expect DELETE "/v1/users/delete-user/4$b" 400
	expect GET "/v1/users/id-limit-fields/4$b" 400
	for k in "${PARAMS[@]}"; do
		expect GET "/v1/users/list?$k=1$b" 400
	done
done

section_clean 'NUL, invalid UTF-8, overlong'

# --- repeated parameters and overflowing numbers (read-only) ---

for q in 'page=1&page=1:page' 'page=0&limit=5&page=1:page' \
    'limit=5&limit=5:limit' 'orderBy=id&orderBy=id:orderBy' \
    'orderAt=asc&orderAt=desc:orderAt' 'page=&page=1:page'; do
	want=${q##*:} q=${q%:*}
	case $want in
	page) msg=$MSG_PAGE ;;
	limit) msg=$MSG_LIMIT ;;
	orderBy) msg=$MSG_ORDER_BY ;;
	orderAt) msg=$MSG_ORDER_AT ;;
	esac
	for route in /v1/users/list /v1/users/email/a; do
		expect GET "$route?$q" 400 "$msg"
	done
done

for q in limit=99999999999999999999 limit=2147483648 limit=4294967297 \
    limit=18446744073709551617 limit=1001; do
	expect GET "/v1/users/list?$q" 400 "$MSG_LIMIT"
done
for q in page=99999999999999999999 page=2147483648 page=4294967296 \
    page=18446744073709551616 page=-1; do
	expect GET "/v1/users/list?$q" 400 "$MSG_PAGE"
done
expect GET '/v1/users/list?page=2147483647&limit=1000' 200 # the largest offset
jq_is '.message' '[]' 'list?page=2147483647&limit=1000: []'

for id in 2147483648 99999999999999999999 4294967297 18446744073709551617 \
    -1 0 +4 04 4.0 4e0 0x4; do
	expect GET "/v1/users/id/$id" 400 "$MSG_ID"
done
for id in 2147483648 99999999999999999999; do
	expect GET "/v1/users/id-limit-fields/$id" 400 "$MSG_ID"
	expect DELETE "/v1/users/delete-user/$id" 400 "$MSG_ID"
	expect PATCH "/v1/users/update-user/$id" 400 "$MSG_ID" \
	    -H 'Content-Type: application/json' --data '{"nickname":"abcd"}'
done
expect GET /v1/users/id/2147483647 404 # the largest id, none such

section_clean 'repeated parameters, overflowing numbers'

is "$(table_count)" "$COUNT0" 'after the read-only part: row count unchanged'
is "$(table_sum)" "$SUM0" 'after the read-only part: CHECKSUM TABLE unchanged'

# --- SQL injection in body fields ---

FIELDS=(nickname first_name last_name email identification_type
	identification_number country_id)
declare -A MIN=([nickname]=4 [first_name]=1 [last_name]=1 [email]=6
	[identification_type]=2 [identification_number]=6 [country_id]=2)
declare -A MAX=([nickname]=50 [first_name]=50 [last_name]=50 [email]=100
	[identification_type]=15 [identification_number]=20 [country_id]=5)
# Payloads shaped like an address, so that email stores some too.
EMAIL_PAYLOADS=("x'OR'1'='1@example.com" "x'--@example.com"
	"a\"b;DROP@example.com")

TAG=h$$$(date +%s | tail -c 5)
SEQ=0
CREATED=()

# trimmed TEXT: TEXT without surrounding spaces (what the service stores).
trimmed() {
	local t=$1
	t=${t#"${t%%[! ]*}"}
	printf '%s' "${t%"${t##*[! ]}"}"
}

# expect_valid FIELD TEXT: whether the contract's rules accept TEXT in
# FIELD (the payloads are ASCII: a character is a byte).
expect_valid() {
	local t n
	t=$(trimmed "$2")
	n=${#t}
	[ "$n" -ge "${MIN[$1]}" ] && [ "$n" -le "${MAX[$1]}" ] || return 1
	[ "$1" != email ] && return 0
	[[ $t =~ ^[^@[:space:]]{1,64}@[^@[:space:].][^@[:space:]]*\.[^@[:space:]]*[^@[:space:].]$ ]] &&
	    [[ $t != *..* ]]
}

# new_body FIELD TEXT: NEW_BODY becomes a valid add-user body, unique in
# both unique keys, with FIELD set to TEXT.
new_body() {
	SEQ=$((SEQ + 1))
	NEW_BODY=$(jq -cn --arg f "$1" --arg v "$2" --arg s "$TAG$SEQ" '{
		nickname: "hostile", first_name: "Hostile", last_name: $s,
		email: "hostile@example.com", identification_type: "HT",
		identification_number: $s, country_id: "AR"} | .[$f] = $v')
}

# stored_literally ID FIELD TEXT NAME: the answer (to the write) and the
# row hold exactly TEXT.
stored_literally() {
	# shellcheck disable=SC2016 # jq programs
	jq_is --arg f "$2" '.message[$f]' "$(jq -cn --arg v "$3" '$v')" \
	    "$4: the answer holds it literally"
	is "$(sql "SELECT HEX($2) FROM users WHERE id = $1")" "$(hexof "$3")" \
	    "$4: the table holds its exact bytes"
}

# payloads_for FIELD: LIST becomes the payloads that field gets.
payloads_for() {
	LIST=("${PAYLOADS[@]}")
	[ "$1" = email ] && LIST+=("${EMAIL_PAYLOADS[@]}")
	[ "$1" = nickname ] && LIST+=("${MORE_PAYLOADS[@]}")
}

for f in "${FIELDS[@]}"; do
	payloads_for "$f"
	for p in "${LIST[@]}"; do
		new_body "$f" "$p"
		api POST /v1/users/add-user -H 'Content-Type: application/json' \
		    --data "$NEW_BODY"
		if expect_valid "$f" "$p"; then
			is "$STATUS" 201 "add with $f=$p: 201 (valid text)"
			id=$(printf '%s' "$BODY" | jq -r '.message.id')
			if [[ $id =~ ^[0-9]+$ ]]; then
				CREATED+=("$id")
				stored_literally "$id" "$f" "$(trimmed "$p")" \
				    "add with $f=$p"
			else
				ok "add with $f=$p: an id in the answer" false
			fi
		else
			is "$STATUS" 400 "add with $f=$p: 400 (breaks a rule)"
			like "$(message)" "^$MSG_CHECK.*$f" \
			    "add with $f=$p: the CHECK message names $f"
		fi
	done
done
is "$(table_count)" "$((COUNT0 + ${#CREATED[@]}))" \
    "adds: exactly the ${#CREATED[@]} answered 201 are in the table"

# Updates of one of those users, field by field.
new_body nickname 'update target'
api POST /v1/users/add-user -H 'Content-Type: application/json' \
    --data "$NEW_BODY"
is "$STATUS" 201 'add the user the updates change: 201'
UID_=$(printf '%s' "$BODY" | jq -r '.message.id')
CREATED+=("$UID_")
for f in "${FIELDS[@]}"; do
	payloads_for "$f"
	for p in "${LIST[@]}"; do
		api PATCH "/v1/users/update-user/$UID_" \
		    -H 'Content-Type: application/json' \
		    --data "$(jq -cn --arg f "$f" --arg v "$p" '{($f): $v}')"
		if expect_valid "$f" "$p"; then
			is "$STATUS" 200 "update $f=$p: 200 (valid text)"
			stored_literally "$UID_" "$f" "$(trimmed "$p")" \
			    "update $f=$p"
		else
			is "$STATUS" 400 "update $f=$p: 400 (breaks a rule)"
			like "$(message)" "^$MSG_CHECK.*$f" \
			    "update $f=$p: the CHECK message names $f"
		fi
	done
done

# Payloads as keys, and in the Content-Type header.
for p in "${PAYLOADS[@]}"; do
	api PATCH "/v1/users/update-user/$UID_" \
	    -H 'Content-Type: application/json' \
	    --data "$(jq -cn --arg k "$p" '{nickname: "abcd", ($k): "x"}')"
	is "$STATUS" 400 "update with the key $p: 400 (unknown key)"
	like "$(message)" "^${MSG_CHECK}.*unknown key" \
	    "update with the key $p: names an unknown key"
done
api PATCH "/v1/users/update-user/$UID_" \
    -H "Content-Type: application/json'; DROP TABLE users--" \
    --data '{"nickname":"abcd"}'
is "$STATUS" 415 "Content-Type with a payload after it: 415"

# The stored payloads are found by search, as text.
search_literal nickname "' OR '1'='1" "search for a stored nickname payload"
# shellcheck disable=SC2016 # a jq program
jq_is --arg p "' OR '1'='1" '[.message[] | select(.nickname == $p)] | length > 0' \
    true 'search for a stored nickname payload: the user is found'

section_clean 'SQL payloads in bodies'

for id in "${CREATED[@]}"; do
	api DELETE "/v1/users/delete-user/$id"
	[ "$STATUS" = 200 ] || diag "DELETE delete-user/$id: $STATUS $BODY"
done
ids=$(IFS=,; printf '%s' "${CREATED[*]}")
is "$(sql "SELECT COUNT(*) FROM users WHERE id IN (${ids:-0})")" 0 \
    "the ${#CREATED[@]} users added here are deleted"
is "$(table_count)" "$COUNT0" 'after the writes: row count as at the start'
is "$(table_sum)" "$SUM0" 'after the writes: CHECKSUM TABLE as at the start'

# --- tokens: forged, expired, not yet valid, too long ---

NOW=$(now)

# refused NAME TOKEN: the responder's 401, or a JSON 4xx from nginx; never
# a success or a 5xx.
refused() {
	with_token "$2" /v1/users/id/4
	like "$STATUS" '^4[0-9][0-9]$' "$1: a 4xx (got $STATUS)"
	unlike "$BODY" 'GABRIELA' "$1: no user data"
}

for alg in none None NONE nOnE '' HS256x; do
	h=$(printf '{"alg":"%s","typ":"JWT"}' "$alg" | b64url)
	pl=$(printf '%s' '{"sub":"e2e"}' | b64url)
	refused "alg \"$alg\", no signature" "$h.$pl."
	is "$STATUS" 401 "alg \"$alg\", no signature: 401"
	s=$(printf '%s' "$h.$pl" |
	    openssl dgst -sha256 -hmac "$USERS_JWT_SECRET" -binary | b64url)
	refused "alg \"$alg\", HS256 signature" "$h.$pl.$s"
	is "$STATUS" 401 "alg \"$alg\", HS256 signature: 401"
done
refused 'HS512 under the HS256 configuration' "$(mint_hs '{"sub":"e2e"}' \
    "$USERS_JWT_SECRET" '{"alg":"HS512","typ":"JWT"}' sha512)"
is "$STATUS" 401 'HS512 under the HS256 configuration: 401'
refused 'expired an hour ago' "$(mint_hs "{\"exp\":$((NOW - 3600))}")"
is "$STATUS" 401 'expired an hour ago: 401'
refused 'exp as a string' "$(mint_hs "{\"exp\":\"$((NOW + 3600))\"}")"
is "$STATUS" 401 'exp as a string: 401'
refused 'not valid for another hour' "$(mint_hs "{\"nbf\":$((NOW + 3600))}")"
is "$STATUS" 401 'not valid for another hour: 401'
refused 'SQL in the claims, wrong secret' \
    "$(mint_hs "{\"sub\":\"' OR '1'='1\"}" 'not-the-secret')"
is "$STATUS" 401 'SQL in the claims, wrong secret: 401'
pad=$(head -c 9000 /dev/zero | tr '\0' a)
refused 'a token over 8 KiB' "$(mint_hs "{\"sub\":\"e2e\",\"pad\":\"$pad\"}")"
refused 'a 9 KiB token of garbage' "$pad.$pad.$pad"

section_clean 'tokens'

# --- nginx's limits: JSON 4xx from nginx itself ---

# limited NAME: a 414, 431 or 400 from nginx with a JSON message.
limited() {
	like "$STATUS" '^(400|414|431)$' "$1: 400, 414 or 431 (got $STATUS)"
	jq_is '.message | type' '"string"' "$1: JSON message"
}

long=$(head -c 10240 /dev/zero | tr '\0' a)
api GET "/v1/users/nickname/$long"
limited 'a 10 KiB URI'
is "$STATUS" 414 'a 10 KiB URI: 414'
api GET "/v1/users/list?x=$long"
limited 'a 10 KiB query string'
big=$(head -c 65536 /dev/zero | tr '\0' b)
api GET /v1/test -H "X-Big: $big"
limited 'a 64 KiB header'
is "$STATUS" 431 'a 64 KiB header: 431'
many=()
for i in 1 2 3 4 5 6 7 8 9 10; do
	many+=(-H "X-Many-$i: ${big:0:7000}")
done
api GET /v1/test "${many[@]}"
limited 'ten 7 KiB headers (70 KiB in all)'
api GET /v1/test -H "Cookie: $big"
limited 'a 64 KiB cookie'

section_clean "nginx's limits"

# --- slow clients ---

PORT=${USERS_URL##*:}
SITE=$USERS_STATE_DIR/nginx/usersd-site.conf

# timeout_of DIRECTIVE: its value in seconds in the site configuration,
# nginx's default (60 s) when it is not set there.
timeout_of() {
	local v
	v=$(sed -n "s/^[[:space:]]*$1[[:space:]]\{1,\}\([0-9]\{1,\}\)s\{0,1\};.*/\1/p" \
	    "$SITE" | tail -n 1)
	printf '%s\n' "${v:-60}"
}
HEADER_TIMEOUT=$(timeout_of client_header_timeout)
BODY_TIMEOUT=$(timeout_of client_body_timeout)

# slow_open N TEXT: connection N sends TEXT (an unfinished request) over
# TLS and then nothing; its fd stays open in SLOW_FD[N].
declare -A SLOW_FD
slow_open() {
	local fd
	mkfifo "$TEST_TMP/in$1"
	openssl s_client -quiet -connect "127.0.0.1:$PORT" \
	    -servername localhost <"$TEST_TMP/in$1" >"$TEST_TMP/out$1" 2>/dev/null &
	SLOW_PIDS[$1]=$!
	exec {fd}>"$TEST_TMP/in$1"
	SLOW_FD[$1]=$fd
	printf '%s' "$2" >&"$fd"
}

HEAD="Host: localhost"$'\r\n'"x-api-key: $USERS_API_KEY"$'\r\n'
HEAD+="Authorization: Bearer $USERS_TOKEN"$'\r\n'
# Headers that never end, three times; bodies that never come, three
# times: six held requests, more than the responder has workers.
for n in 1 2 3; do
	slow_open "$n" "GET /v1/users/id/4 HTTP/1.1"$'\r\n'"$HEAD"
done
for n in 4 5 6; do
	slow_open "$n" "POST /v1/users/add-user HTTP/1.1"$'\r\n'"${HEAD}Content-Type: application/json"$'\r\n'"Content-Length: 300"$'\r\n\r\n''{"nickname":'
done
# One more drips a header line every 2 s: the header timeout is for the
# whole header, not for each read.
slow_open 7 "GET /v1/users/id/4 HTTP/1.1"$'\r\n'"$HEAD"
(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	sleep 2
	printf 'X-Drip-%d: %d\r\n' "$i" "$i" || exit 0
done) 1>&"${SLOW_FD[7]}" 2>/dev/null &
SLOW_PIDS[8]=$!
SLOW_START=$SECONDS
sleep 1

served=0
for i in 1 2 3 4 5 6 7 8; do
	api GET /v1/users/id/4
	[ "$STATUS" = 200 ] && served=$((served + 1))
done
is "$served" 8 'with 7 slow clients held open, 8 normal requests answer 200'
api POST /v1/users/add-user -H 'Content-Type: application/json' \
    --data '{"nickname":"x"}'
is "$STATUS" 400 'meanwhile a write reaches the responder too (400 for a bad body)'
alive=0
for n in 1 2 3 4 5 6 7; do
	kill -0 "${SLOW_PIDS[$n]}" 2>/dev/null && alive=$((alive + 1))
done
is "$alive" 7 'the slow connections were still open while those answered'

WAIT=$HEADER_TIMEOUT
[ "$BODY_TIMEOUT" -gt "$WAIT" ] && WAIT=$BODY_TIMEOUT
if [ "$WAIT" -le 15 ]; then
	# nginx drops them after its timeouts; 5 s of slack on a busy host.
	deadline=$((SLOW_START + WAIT + 5))
	for n in 1 2 3 4 5 6 7; do
		while kill -0 "${SLOW_PIDS[$n]}" 2>/dev/null &&
		    [ $SECONDS -lt $deadline ]; do
			sleep 0.2
		done
	done
	closed=0
	for n in 1 2 3 4 5 6 7; do
		kill -0 "${SLOW_PIDS[$n]}" 2>/dev/null || closed=$((closed + 1))
	done
	is "$closed" 7 "nginx closed all 7 slow connections within its timeouts + 5 s (header ${HEADER_TIMEOUT}s, body ${BODY_TIMEOUT}s)"
	diag "closed after $((SECONDS - SLOW_START)) s"
	unlike "$(cat "$TEST_TMP"/out[1-7])" 'HTTP/1\.1 [23]' \
	    'the slow requests got no success answer'
else
	skip "nginx closes slow clients" "client_header_timeout ${HEADER_TIMEOUT}s / client_body_timeout ${BODY_TIMEOUT}s: longer than this test waits (15 s)"
fi
for n in 1 2 3 4 5 6 7; do
	fd=${SLOW_FD[$n]}
	exec {fd}>&-
done

section_clean 'slow clients'

diag "$ANSWERS answers checked for SQL error text, 5xx and non-JSON bodies"
done_testing
