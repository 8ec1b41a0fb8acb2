#!/usr/bin/env bash
# t/34_stop.t: SIGTERM (faults): the master stops; a request in
# flight (held up by a table lock) completes with its normal answer before
# the exit, and the exit status is 0; nginx answers its JSON 503 while the
# responder is down; ./stack app-start test brings the service back. A
# connection a worker accepted before the stop, whose request comes after
# it, is still served.
# To see the exit status, the responder runs as this script's child.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"
. "$(dirname "$0")/fcgi.sh"

# down NAME: nginx answers the JSON 503 of an absent responder.
down() {
	api GET /v1/users/id/4
	is "$STATUS" 503 "$1: nginx answers 503"
	is "$(header Content-Type)" 'application/json; charset=utf-8' \
	    "$1: as JSON"
	is "$(message)" "$MSG_NGINX_503" "$1: with nginx's message"
}

# stopped_ok PID LINES NAME: since LINES, PID logged its stop, without having
# to kill busy workers.
stopped_ok() {
	ok "$3: the master logs that it stopped" log_has_since "$2" \
	    "usersd\\[$1\\] .*: stopped$"
	ok "$3: no worker had to be killed" not log_has_since "$2" \
	    "usersd\\[$1\\] .*still busy"
}

ok 'before: the service answers' wait_for 10 service_ready
master=$(master_pid)
bin=$(tr '\0' '\n' <"/proc/$master/cmdline" | head -n 1)
like "$bin" 'usersd$' "the responder's binary: $bin"
# Whatever happens below, the service runs again at the end.
service_back() {
	service_ready || { stack app-start && wait_for 15 service_ready; }
}
at_exit service_back

# --- the stack's responder, idle ---

lines=$(log_lines)
kill -s TERM "$master"
ok 'idle: the master exits on SIGTERM' wait_for 15 not alive "$master"
stopped_ok "$master" "$lines" idle
down 'idle: responder down'

# --- one started here, with a request in flight ---

rm -f "$S/usersd.sock"
"$bin" -c "$INI" </dev/null >>"$LOG" 2>&1 &
own=$!
# ./stack stops it, should this test end early.
printf '%s\n' "$own" >"$S/usersd.pid"
ok 'a responder started by the test answers' wait_for 15 service_ready

ok 'the table is locked' lock_hold
: >"$TEST_TMP/held.log"
_loop_request "$TEST_TMP/held.log" read - "$USERS_URL/v1/users/id/4" &
held=$!
ok 'a read is in flight, waiting for the lock' \
    wait_for 4 queries_waiting -ge 1
lines=$(log_lines)
kill -s TERM "$own"
sleep 1
ok 'in flight: the master waits for it' alive "$own"
# A new connection meanwhile: no worker accepts it any more. Where nginx
# keeps its connections open (fastcgi_keep_conn, off in the site file), a
# request through it may still come on one, which the stopping workers
# serve until nginx closes it.
: >"$TEST_TMP/late.log"
_loop_request "$TEST_TMP/late.log" read - "$USERS_URL/v1/users/id/4" &
late=$!
fcgi - "$S/usersd.sock" GET /v1/users/id/4 >"$TEST_TMP/direct" &
direct=$!
sleep 0.5
lock_release
wait "$held" "$late" "$direct"
IFS=$'\t' read -r _ _ _ code secs msg _ <"$TEST_TMP/late.log"
[ "$code" != 200 ] || msg=$(jq -r .message.nickname "$TEST_TMP/late.log.body" 2>&1)
ok "while stopping: a request through nginx gets nginx's JSON 503, or 200 on a kept connection ($code $msg)" \
    test "$code $msg" = "503 $MSG_NGINX_503" -o "$code $msg" = '200 GABRIELA JIMENEZ'
diag "it was answered after $secs s"
is "$(cat "$TEST_TMP/direct")" closed \
    'while stopping: a new connection is not accepted (closed at the exit)' 
IFS=$'\t' read -r _ _ _ code _ _ _ <"$TEST_TMP/held.log"
is "$code" 200 'in flight: the request completes with 200'
is "$(jq -c '.message | {id, nickname}' "$TEST_TMP/held.log.body" 2>&1)" \
    '{"id":4,"nickname":"GABRIELA JIMENEZ"}' 'in flight: with its user'
ok 'in flight: then the master exits' wait_for 15 not alive "$own"
wait "$own"
is "$?" 0 'in flight: exit status 0'
stopped_ok "$own" "$lines" 'in flight'
down 'responder down'

# --- back ---

stack app-start
ok './stack app-start test: the service answers again' \
    wait_for 15 service_ready
isnt "$(master_pid)" "$own" 'a new master runs'
api GET /v1/users/id/4
is "$STATUS" 200 'back: /v1/users/id/4 answers 200'

# --- a connection accepted, its request still to come ---

# A worker has accepted the connection (straight to the socket, no nginx)
# and waits for its first byte when SIGTERM comes: the request sent after
# it is served, then the master exits.
master=$(master_pid)
FCGI_DELAY=1.5 fcgi - "$S/usersd.sock" GET /v1/users/id/4 \
    >"$TEST_TMP/accepted" &
accepted=$!
sleep 0.5
lines=$(log_lines)
kill -s TERM "$master"
wait "$accepted"
is "$(cut -d' ' -f1 "$TEST_TMP/accepted")" 200 \
    'accepted before the stop: the request sent after it answers 200'
ok 'accepted before the stop: then the master exits' \
    wait_for 15 not alive "$master"
stopped_ok "$master" "$lines" 'accepted before the stop'
stack app-start
ok 'back again: the service answers' wait_for 15 service_ready

done_testing
