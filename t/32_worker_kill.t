#!/usr/bin/env bash
# t/32_worker_kill.t: a worker killed with SIGKILL (faults): under
# a loop of reads the master logs the death and has a new worker within a
# second, and at most the one request that worker was serving fails; a
# worker killed while it serves a (lock-blocked) request costs at most that
# request, which nginx answers with its JSON 503, not a 502. Where nginx
# keeps its FastCGI connections open (fastcgi_keep_conn, off in the site
# file), a request that fails on a kept one is sent once more on a new
# connection, unless it is a POST or PATCH: a killed read may then still
# answer 200; a killed add is always a 503 and is not made.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"

NWORKERS=$(ini_get "$INI" server workers)

# replaced VICTIM: the master has its count of workers again, VICTIM gone.
replaced() {
	local now
	now=$(workers "$master")
	[ "$(count_words "$now")" = "$NWORKERS" ] &&
	    disjoint "$now" "$1"
}

ok 'before: the service answers' wait_for 10 service_ready
master=$(master_pid)
before=$(workers "$master")
is "$(count_words "$before")" "$NWORKERS" 'before: the master has its workers'

# --- a random worker, under load ---

loop_start k1 read
loop_start k2 read
sleep 1
read -ra pids <<<"$before"
victim=${pids[RANDOM % ${#pids[@]}]}
lines=$(log_lines)
kill -s KILL "$victim"
t0=$EPOCHREALTIME
ok "a new worker replaces $victim within a second" wait_for 1 replaced "$victim"
diag "replaced after $(awk -v s="$t0" -v n="$EPOCHREALTIME" \
    'BEGIN { printf "%.3f", n - s }') s"
sleep 1
loop_stop k1 k2
all=$(loop_log k1 k2)
new=$(workers "$master")
ok 'the master logs the death' log_has_since "$lines" \
    "usersd\\[$master\\] .*worker $victim killed by signal 9"
newpid=$(comm -13 <(tr ' ' '\n' <<<"$before" | sort) \
    <(tr ' ' '\n' <<<"$new" | sort))
like "$newpid" '^[0-9]+$' 'exactly one worker is new'
ok 'the master logs the new worker' log_has_since "$lines" \
    "usersd\\[$master\\] .*worker $newpid started"
is "$(master_pid)" "$master" 'the master is the same process'
diag "$(printf '%s\n' "$all" | grep -c .) requests:" \
    "$(printf '%s\n' "$all" | awk -F '\t' '{ n[$4]++ }
	END { for (s in n) printf "%s x%d ", s, n[s] }')"
ok 'the loop ran' test "$(printf '%s\n' "$all" | grep -c .)" -ge 10
failed=$(printf '%s\n' "$all" | awk -F '\t' '$4 != 200')
ok 'at most the request on the killed worker failed' \
    test "$(printf '%s' "$failed" | grep -c .)" -le 1
is "$(printf '%s\n' "$failed" | awk -F '\t' -v m="$MSG_NGINX_503" \
    'NF && !($4 == 503 && $6 == m)')" '' 'a failed request got the JSON 503'

# --- the worker serving a request ---

# busy_worker: the pid of the worker whose query waits for the lock. The
# responder reaches MariaDB through its unix socket, so the processlist
# cannot name the worker; the kernel can: the waiting worker is blocked in
# poll(2) on its MariaDB socket while the idle ones wait in accept(2), and
# no other request is in flight here. /proc/PID/syscall starts with the
# number: poll 7 or ppoll 271 on x86-64, ppoll 73 on arm64.
busy_worker() {
	local pid nr
	for pid in $(workers "$master"); do
		nr=$(cut -d ' ' -f 1 "/proc/$pid/syscall" 2>/dev/null) || continue
		case $nr in
		7 | 271 | 73) echo "$pid" && return 0 ;;
		esac
	done
	return 1
}

# worker_busy: busy_worker finds one.
worker_busy() { busy_worker >/dev/null; }

ok 'the table is locked' lock_hold
before=$(workers "$master")
: >"$TEST_TMP/held.log"
_loop_request "$TEST_TMP/held.log" read - "$USERS_URL/v1/users/id/4" &
held=$!
ok 'a read waits for the lock' wait_for 4 worker_busy
busy=$(busy_worker)
ok "the waiting read is on worker $busy" member "$busy" "$before"
lines=$(log_lines)
kill -s KILL "$busy"
# Sent again by nginx (when it came on a kept connection), the read waits
# for the lock on another worker: answered once the lock goes.
sleep 0.5
lock_release
wait "$held"
IFS=$'\t' read -r _ _ _ code _ msg _ <"$TEST_TMP/held.log"
[ "$code" != 200 ] || msg=$(jq -c '.message | {id, nickname}' "$TEST_TMP/held.log.body" 2>&1)
ok "its read gets nginx's JSON 503, or 200 with its user from nginx's second try ($code $msg)" \
    test "$code $msg" = "503 $MSG_NGINX_503" -o \
    "$code $msg" = '200 {"id":4,"nickname":"GABRIELA JIMENEZ"}'

ok 'a new worker replaces it within a second' wait_for 1 replaced "$busy"
ok 'the master logs the death' log_has_since "$lines" \
    "worker $busy killed by signal 9"
api GET /v1/test
is "$STATUS" 200 'the other workers still serve'

# An add that waits for the lock when its worker is killed: nginx's JSON
# 503, and no user, after the lock goes: nginx never sends a POST again.
ok 'the table is locked again' lock_hold
tag=$(printf '%05d' $((RANDOM % 100000)))
at_exit sql "DELETE FROM users WHERE first_name = 'Fault' AND last_name = 'kill$tag'"
before=$(workers "$master")
: >"$TEST_TMP/add.log"
_loop_request "$TEST_TMP/add.log" add - -X POST \
    -H 'Content-Type: application/json' \
    --data-binary "$(fault_user "kill$tag" "9$tag")" \
    "$USERS_URL/v1/users/add-user" &
held=$!
ok 'an add waits for the lock' wait_for 4 worker_busy
busy=$(busy_worker)
ok "the waiting add is on worker $busy" member "$busy" "$before"
kill -s KILL "$busy"
wait "$held"
IFS=$'\t' read -r _ _ _ code _ msg _ <"$TEST_TMP/add.log"
is "$code $msg" "503 $MSG_NGINX_503" "the killed add gets nginx's JSON 503"
lock_release
ok 'unlocked: the service answers 200' wait_for 10 service_ready
is "$(sql "SELECT COUNT(*) FROM users WHERE last_name = 'kill$tag'")" 0 \
    'the killed add was not made, nor sent again'

done_testing
