#!/usr/bin/env bash
# t/41_posture.t: the service's security posture: TLS 1.2+ only, the
# security headers on every answer, the public API description, the
# responder's privilege drop and socket, no secret in any log or answer,
# the JSON access log, and the rate limit per API key name (last: it waits
# for the limiter to recover so later tests are not affected).
. "$(dirname "$0")/lib.sh"

S=$USERS_STATE_DIR
ACCESS_LOG=$S/log/usersd.access.log
PORT=${USERS_URL##*:}

# Every answer collected here is searched for secrets at the end.
SEEN=$TEST_TMP/seen
: >"$SEEN"
keep() { printf '%s\n%s\n' "$HEADERS" "$BODY" >>"$SEEN"; }

# posture NAME STATUS MESSAGE_TYPE: the answer has STATUS, the security
# headers, a request id, JSON Content-Type and a JSON body whose "message"
# is of MESSAGE_TYPE (string for errors, object for a user).
posture() {
	local id json
	keep
	id=$(header x-request-id | grep -Ec '^[0-9a-f]{32}$')
	json=$(printf '%s' "$BODY" | jq -r '.message | type' 2>/dev/null)
	is "$STATUS hsts=$(header strict-transport-security) $(
	    )nosniff=$(header x-content-type-options) $(
	    )cache=$(header cache-control) id=$id $(
	    )type=$(header content-type) message=$json" \
	    "$2 hsts=max-age=31536000 nosniff=nosniff cache=no-store id=1 $(
	    )type=application/json; charset=utf-8 message=$3" "$1"
}

KEY=(-H "x-api-key: $USERS_API_KEY")
AUTH=(-H "Authorization: Bearer $USERS_TOKEN")

# --- TLS: 1.2 and 1.3 only ------------------------------------------------

# The client is made able to speak TLS 1.1 (OpenSSL 3 refuses it at its
# default security level): the refusal must come from the server.
err=$(curl -sSk --tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0' \
    --max-time 10 -o /dev/null "$USERS_URL/v1/test" 2>&1)
is "$?" 35 'TLS 1.1: the handshake fails (curl exit 35)'
like "$err" 'alert protocol version' 'TLS 1.1: refused by the server with a protocol_version alert'
for v in 1.2 1.3; do
	code=$(curl -sk -v --tlsv$v --tls-max $v --max-time 10 -o /dev/null \
	    -w '%{http_code}' "${KEY[@]}" "${AUTH[@]}" "$USERS_URL/v1/test" \
	    2>"$TEST_TMP/tls.err")
	is "$code $(grep -Eo "SSL connection using TLSv$v" "$TEST_TMP/tls.err")" \
	    "200 SSL connection using TLSv$v" "TLS $v: accepted, GET /v1/test is 200"
done

# --- the security headers on every answer ---------------------------------

api GET /v1/test
posture 'responder 200: security headers, JSON' 200 string
api GET /v1/users/id/4
posture 'responder 200 with a user: security headers, JSON' 200 object
raw_request GET /v1/users/id/4 "${KEY[@]}"
posture 'responder 401 (no token): security headers, JSON' 401 string
raw_request GET /v1/users/id/4 "${KEY[@]}" -H 'Authorization: Bearer not.a.token'
posture 'responder 401 (bad token): security headers, JSON' 401 string
raw_request GET /v1/users/id/4 -H 'x-api-key: not-a-key' "${AUTH[@]}"
posture 'nginx 403 (unknown key): security headers, JSON' 403 string
api GET /v1/users/id/999999
posture 'responder 404 (no such user): security headers, JSON' 404 string
raw_request GET /nowhere "${KEY[@]}"
posture 'nginx 404 (outside /v1/): security headers, JSON' 404 string
raw_request POST /v1/openapi.yaml
posture 'nginx 405 (POST to a static file): security headers, JSON' 405 string
head -c 20000 /dev/zero | tr '\0' a >"$TEST_TMP/big"
api POST /v1/users/add-user -H 'Content-Type: application/json' \
    --data-binary "@$TEST_TMP/big"
posture 'nginx 413 (body over 16 KiB): security headers, JSON' 413 string
api GET "/v1/$(head -c 9000 /dev/zero | tr '\0' a)"
posture 'nginx 414 (URI over 8 KiB): security headers, JSON' 414 string
api GET /v1/test -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)"
posture 'nginx 431 (header over 8 KiB): security headers, JSON' 431 string
request_url GET "http://localhost:$PORT/v1/test" "${KEY[@]}" "${AUTH[@]}"
posture 'nginx 400 (plain HTTP to the TLS port): security headers, JSON' 400 string

# --- the API description: public ------------------------------------------

if [ -f "$ROOT/docs/openapi.yaml" ]; then
	raw_request GET /v1/openapi.yaml
	is "$STATUS $(header content-type)" '200 application/yaml; charset=utf-8' \
	    'GET /v1/openapi.yaml without key or token: 200, application/yaml'
	ok 'GET /v1/openapi.yaml: the body is docs/openapi.yaml' \
	    cmp -s <(printf '%s\n' "$BODY") "$ROOT/docs/openapi.yaml"
	is "$(header strict-transport-security) $(header x-content-type-options)" \
	    'max-age=31536000 nosniff' 'GET /v1/openapi.yaml: security headers'
else
	skip 'GET /v1/openapi.yaml' 'no docs/openapi.yaml yet'
fi

# --- the responder: dropped privileges, its socket, its files -------------

# proc_ids PID: "uid: R E S FS gid: R E S FS groups: G... cap: CAPEFF".
proc_ids() {
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 }
		/^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
		/^Groups:/ { $1 = ""; gr = $0; sub(/^ +/, "", gr); sub(/ +$/, "", gr) }
		/^CapEff:/ { c = $2 }
		END { print "uid: " u " gid: " g " groups: " gr " cap: " c }' \
	    "/proc/$1/status" 2>/dev/null
}

# [server] user (the [database] section has a user key too).
user=$(ini_get "$S/usersd.ini" server user)
isnt "$user" '' "usersd.ini names the [server] user to drop to ($user)"
uid=$(id -u "$user" 2>/dev/null)
gid=$(id -g "$user" 2>/dev/null)
# All four ids (real, effective, saved, filesystem) are the user's: with
# none of them 0 and no capability, root cannot be regained.
want="uid: $uid $uid $uid $uid gid: $gid $gid $gid $gid groups: $gid cap: 0000000000000000"
master=$(cat "$S/usersd.pid")
is "$(proc_ids "$master")" "$want" "the master runs as $user only (ids, groups, no capability)"
children=$(ps -o pid= --ppid "$master" | tr -d ' ')
isnt "$children" '' 'the master has workers'
bad=""
for pid in $children; do
	got=$(proc_ids "$pid")
	[ -z "$got" ] || [ "$got" = "$want" ] || bad="$bad $pid($got)"
done
is "$bad" '' "every worker runs as $user only"
is "$(ps -o user= -p "$(printf '%s\n' "$master" "$children" | paste -sd, -)" | sort -u |
    tr -d ' ')" "$user" \
    "ps: the master and its workers are $user"
like "$(cat "$S/log/usersd.log")" "running as $user" 'the master logged the drop'

is "$(stat -c '%A %G' "$S/usersd.sock")" 'srw-rw---- www-data' \
    'the socket is srw-rw---- with group www-data'
is "$(stat -c '%A %U:%G' "$S/usersd.ini") $(stat -c '%A %U:%G' "$S/db-password")" \
    "-rw-r----- root:$user -rw-r----- root:$user" \
    "usersd.ini and db-password are root:$user 0640"
# What a reload reads (the INI, the password file), as the dropped user,
# with a copy of the binary it can run (a checkout may be out of its reach:
# t/55).
bin_dir=$(mktemp -d)
at_exit rm -rf "$bin_dir"
chmod 0711 "$bin_dir"
install -m 0755 "$(built usersd)" "$bin_dir/usersd"
like "$(runuser -u "$user" -- "$bin_dir/usersd" -t -c "$S/usersd.ini" 2>&1)" \
    'configuration is valid' "$user can read usersd.ini and db-password (usersd -t as $user)"
# can_read USER FILE: USER can read FILE (what it reads is thrown away).
can_read() { runuser -u "$1" -- cat "$2" >/dev/null 2>&1; }
ok 'nobody cannot read db-password' not can_read nobody "$S/db-password"

# --- the JSON access log ---------------------------------------------------

# logged ID FILTER: jq -c FILTER on the access log line of request ID.
logged() {
	jq -R -c --arg id "$1" "fromjson? | select(.request_id == \$id) | $2" \
	    "$ACCESS_LOG" 2>&1
}

api GET '/v1/users/list?limit=1'
keep
rid=$(header x-request-id)
is "$(logged "$rid" '[.method, .uri, .status, .api_key_name, .tls]')" \
    '["GET","/v1/users/list?limit=1",200,"dev","TLSv1.3"]' \
    'access log: the line of the X-Request-Id has method, uri, status, key name'
is "$(logged "$rid" '[(.request_time | type), (.bytes > 0),
	(.upstream_response_time | test("^[0-9.]+$")), (.time | test("^[0-9]{4}-"))]')" \
    '["number",true,true,true]' \
    'access log: request_time, bytes, upstream_response_time, time'
raw_request GET /v1/test -H 'x-api-key: not-a-key'
keep
rid=$(header x-request-id)
is "$(logged "$rid" '[.status, .api_key_name, .upstream_response_time]')" \
    '[403,"",""]' 'access log: an unknown key is logged with an empty name, no upstream'

# --- the rate limit per key name (last) -----------------------------------

# burst N: N GET /v1/test through one curl, 20 at a time on kept-alive
# connections (far faster than the limit); one |-separated line each.
burst() {
	local i cfg=$TEST_TMP/burst.cfg
	: >"$cfg"
	for ((i = 1; i <= $1; i++)); do
		printf 'url = "%s/v1/test"\noutput = "%s/b%d"\n' \
		    "$USERS_URL" "$TEST_TMP" "$i" >>"$cfg"
	done
	curl -sk -Z --parallel-max 20 --max-time 30 -K "$cfg" "${KEY[@]}" \
	    "${AUTH[@]}" -w '%{http_code}|%{filename_effective}|%header{content-type}|%header{x-request-id}|%header{strict-transport-security}|%header{x-content-type-options}|%header{cache-control}|%header{retry-after}\n' \
	    2>>"$TEST_TMP/burst.err"
}

# 200 r/s with a burst of 400: 1500 requests at ~1000/s get many 429s; a
# slower machine gets more rounds (at most 3).
: >"$TEST_TMP/burst.txt"
errors_before=$(wc -l <"$S/log/nginx.error.log")
start=$EPOCHREALTIME
for round in 1 2 3; do
	burst 1500 >>"$TEST_TMP/burst.txt"
	grep -q '^429' "$TEST_TMP/burst.txt" && break
done
diag "burst: $(cut -d '|' -f 1 "$TEST_TMP/burst.txt" | sort | uniq -c | tr -s '\n ' ' ')$(
    )in $round round(s), $(awk -v a="$start" -v b="$EPOCHREALTIME" \
    'BEGIN { printf "%.1f", b - a }') s"
n200=$(grep -c '^200' "$TEST_TMP/burst.txt")
n429=$(grep -c '^429' "$TEST_TMP/burst.txt")
ok "a burst over the limit gets 429s ($n429)" test "$n429" -gt 0
ok "the burst allowance is answered first ($n200 x 200, at least 300)" \
    test "$n200" -ge 300
is "$(cut -d '|' -f 1 "$TEST_TMP/burst.txt" | grep -Ev '^(200|429)$' | sort -u | tr '\n' ' ')" '' \
    'the burst gets only 200s and 429s'
IFS='|' read -r code file ctype rid hsts nosniff cache retry \
    < <(grep -m 1 '^429' "$TEST_TMP/burst.txt")
is "$ctype|$hsts|$nosniff|$cache|$retry" \
    'application/json; charset=utf-8|max-age=31536000|nosniff|no-store|1' \
    '429: JSON Content-Type, security headers, Retry-After: 1'
like "$rid" '^[0-9a-f]{32}$' '429: X-Request-Id'
BODY=$(cat "$file" 2>/dev/null)
jq_is . '{"message":"Too many requests"}' '429: body {"message":"Too many requests"}'
is "$(logged "$rid" '[.status, .api_key_name]')" '[429,"dev"]' \
    'access log: the 429 with the key name'
# A flood must not fill the disk twice: the access log has its line, the
# error log none per refusal (limit_req_log_level below error_log's level).
errors_new=$(tail -n +"$((errors_before + 1))" "$S/log/nginx.error.log" | wc -l)
is "$(tail -n +"$((errors_before + 1))" "$S/log/nginx.error.log" |
    grep -c 'limiting requests')" 0 "the $n429 429s left no 'limiting requests' line in nginx's error log"
ok "nginx's error log grew by $errors_new lines in the burst, fewer than its $n429 429s" \
    test "$errors_new" -lt "$n429"
# The bucket drains at 200/s: the key is served again at once, and fully
# (the whole burst) 2 s later, before the next test starts.
deadline=$((SECONDS + 10))
until api GET /v1/test && [ "$STATUS" = 200 ] || [ $SECONDS -ge $deadline ]; do
	sleep 0.2
done
is "$STATUS" 200 'after the burst the key is served again within 10 s'
sleep 2.5

# --- secrets: in no log line, in no answer --------------------------------

pw=$(cat "$S/db-password")
isnt "$pw" '' 'the database password is known to the test'
ok 'the logs are not empty (the searches below can find something)' \
    test -s "$ACCESS_LOG" -a -s "$S/log/usersd.log"
for name in 'database password' 'JWT secret' 'API key' 'bearer token'; do
	case $name in
	'database password') secret=$pw ;;
	'JWT secret') secret=$USERS_JWT_SECRET ;;
	'API key') secret=$USERS_API_KEY ;;
	'bearer token') secret=$USERS_TOKEN ;;
	esac
	is "$(grep -rlF -- "$secret" "$S/log/" | tr '\n' ' ')" '' \
	    "the $name is in no file of log/"
	# The answers carry neither; the token is not echoed either.
	is "$(grep -cF -- "$secret" "$SEEN")" 0 "the $name is in no answer above"
done
ok 'the access log has no request header (no Authorization, no x-api-key)' \
    not grep -qiE 'authorization|x-api-key|bearer' "$ACCESS_LOG"

# The access log is the site's, the file logrotate rotates in production
# (/var/log/nginx/*.log, the nginx package's entry): no second, empty one.
is "$(cd "$S/log" && printf '%s ' *access*)" 'usersd.access.log ' \
    'log/ has one access log, the site'"'"'s usersd.access.log'

# Each line is one JSON object (checked last: it covers every test so far).
is "$(jq -R -r '. as $l | try (fromjson | objects | empty) catch $l' \
    "$ACCESS_LOG" | head -n 3)" '' 'access log: every line is a JSON object'
is "$(nginx -t -q -c "$S/nginx/nginx.conf" 2>&1)" '' 'nginx -t: no error, no warning'

done_testing
