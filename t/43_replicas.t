#!/usr/bin/env bash
# t/43_replicas.t: the DAO's read/write split on the one-host
# test stack. A second responder of this test's own gets [replicas]: one
# server that refuses connections (a closed port) and the stack's MariaDB
# itself standing in for a replica. Reads must all answer, the dead one
# resting; writes go to [database]; a primary made read-only (1290) is a
# 503 for writes while reads go on. The cluster stacks test real replicas.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi.sh"

DB_SOCK=$(ini_get "$USERS_STATE_DIR/usersd.ini" database unix_socket)
INI=$TEST_TMP/replicas.ini
LOG=$TEST_TMP/replicas.log

# replicas_ini PORT SERVERS: the stack's INI on 127.0.0.1:PORT with that
# [replicas] servers and a short skip_seconds.
replicas_ini() {
	tcp_ini "$1" >"$INI"
	printf '[replicas]\nservers = "%s"\nskip_seconds = 2\n' "$2" >>"$INI"
}

# status_is STATUS METHOD PATH BODY NAME: the answer's status; its body
# in BODY.
status_is() {
	local want=$1 out
	out=$(fcgi 127.0.0.1 "$PORT" "$2" "$3" "$4")
	is "${out%% *}" "$want" "$5"
	BODY=${out#* }
}

DEAD=$(free_port) || bail "no free port"
PORT=$(free_port) || bail "no free port"
replicas_ini "$PORT" "127.0.0.1:$DEAD $DB_SOCK"
out=$("$BIN" -t -c "$INI" 2>&1)
is "$?" 0 "the INI with [replicas] is valid ($out)"
start_responder "$INI" "$PORT" || bail "the responder did not start"

# --- reads: every one answers, the dead server rests ----------------------

bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	out=$(fcgi 127.0.0.1 "$PORT" GET "/v1/users/id/$(((i % 5) + 1))")
	[ "${out%% *}" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 '12 reads by id, one replica down: none failed'
like "$(cat "$LOG")" 'replica 1: unreachable, not used for 2 s' \
	'the unreachable replica rests for skip_seconds'
status_is 200 GET /v1/users/list '' 'a list answers'
status_is 200 GET /v1/users/nickname/a '' 'a search answers'

# --- writes on [database], read back at once ------------------------------

nick="REPL_$$_$RANDOM"
idn=$(printf '9%d%05d' $$ "$RANDOM")
body=$(jq -nc --arg n "$nick" --arg i "$idn" '{nickname: $n, first_name: $n,
	last_name: "Replica", email: ($n + "@example.org"),
	identification_type: "DNI", identification_number: $i,
	country_id: "AR"}')
status_is 201 POST /v1/users/add-user "$body" 'an add answers 201'
id=$(printf '%s' "$BODY" | jq -r '.message.id')
at_exit sql "DELETE FROM users WHERE nickname = '$nick'"
status_is 200 GET "/v1/users/id/$id" '' 'the new user is read at once'
status_is 200 PUT "/v1/users/update-user/$id" '{"last_name":"Updated"}' \
	'an update answers 200'
status_is 200 GET "/v1/users/id/$id" '' 'and is read back'
jq_is -r '.message.last_name' Updated 'with its new value'

# --- a read-only primary: writes 503, reads go on -------------------------

at_exit sql 'SET GLOBAL read_only = 0'
sql 'SET GLOBAL read_only = 1'
status_is 503 PUT "/v1/users/update-user/$id" '{"last_name":"Again"}' \
	'a primary made read-only (1290) answers writes 503'
status_is 200 GET "/v1/users/id/$id" '' 'reads still answer'
sql 'SET GLOBAL read_only = 0'
like "$(cat "$LOG")" '1290' 'the log names the 1290'
status_is 200 DELETE "/v1/users/delete-user/$id" '' \
	'writable again: the delete answers 200'
status_is 404 GET "/v1/users/id/$id" '' 'and the user is gone'
stop_responder

# --- every replica down: the reads fall back to [database] ----------------

DEAD2=$(free_port) || bail "no free port"
replicas_ini "$PORT" "127.0.0.1:$DEAD 127.0.0.1:$DEAD2"
start_responder "$INI" "$PORT" || bail "the responder did not start"
bad=0
for i in 1 2 3 4 5 6; do
	out=$(fcgi 127.0.0.1 "$PORT" GET "/v1/users/id/$i")
	[ "${out%% *}" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 'both replicas down: 6 reads answered by [database]'
stop_responder

# --- [database] down: the replica answers the reads, writes are 503 -------

replicas_ini "$PORT" "$DB_SOCK"
sed -i "s|^unix_socket = .*|host = 127.0.0.1\nport = $DEAD|" "$INI"
start_responder "$INI" "$PORT" || bail "the responder did not start"
bad=0
for i in 1 2 3 4 5 6; do
	out=$(fcgi 127.0.0.1 "$PORT" GET "/v1/users/id/$i")
	[ "${out%% *}" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 '[database] down: 6 reads answered by the replica'
status_is 200 GET /v1/users/list '' 'a list too'
status_is 503 PUT /v1/users/update-user/1 '{"last_name":"Never"}' \
	'a write answers 503'
stop_responder

done_testing
