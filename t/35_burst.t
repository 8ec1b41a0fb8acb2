#!/usr/bin/env bash
# t/35_burst.t: a burst that the per-key rate limit admits (nodelay, burst
# 400: nginx/usersd-site.conf) is served, not refused. nginx
# answers 503 when the responder's listen queue ([server] backlog) is full,
# for its connect() then fails with EAGAIN: so the queue must hold the
# whole burst. The workers are held (SIGSTOP) while 300 concurrent requests
# arrive, as when they are busy with slow pages; released, they answer
# every one with 200. Read-only; it lets the key's bucket refill before
# each burst and after the last, so no other file is limited.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"

ERROR_LOG=$S/log/nginx.error.log
SOCK=$S/usersd.sock
N=300
BURST=$(sed -n 's/^[[:space:]]*limit_req zone=usersd_per_key burst=\([0-9]*\).*/\1/p' \
    "$ROOT/nginx/usersd-site.conf")

# listen_queue: the connections waiting in the responder's listen queue and
# its size (a listening socket's Recv-Q and Send-Q).
listen_queue() { ss -xlnH | awk -v p="$SOCK" '$5 == p { print $3, $4; exit }'; }

# refill: until the key is served again, then 2.5 s more: the bucket
# drains at 200 r/s, so an emptied burst of 400 is whole again.
refill() {
	local deadline=$((SECONDS + 10))
	until api GET /v1/test && [ "$STATUS" = 200 ] ||
		[ $SECONDS -ge $deadline ]; do
		sleep 0.2
	done
	sleep 2.5
}

# all_queued: every request of the burst waits in the listen queue.
all_queued() {
	local waiting
	read -r waiting _ <<<"$(listen_queue)"
	[ "${waiting:-0}" -ge "$N" ]
}

# held_burst NAME PATH: N requests for PATH at once, each on its own
# connection, while the workers are stopped; all must get a 200, and nginx
# must log no failed connect to the socket.
held_burst() {
	local name=$1 path=$2 i errors_before held curl_pid
	refill
	for ((i = 1; i <= N; i++)); do
		printf 'url = "%s%s"\noutput = "/dev/null"\n' "$USERS_URL" "$path"
	done >"$TEST_TMP/burst.cfg"
	errors_before=$(wc -l <"$ERROR_LOG")
	held=$(workers "$(master_pid)")
	# shellcheck disable=SC2086 # a list of pids
	kill -s STOP $held
	# shellcheck disable=SC2086 # a list of pids
	at_exit kill -s CONT $held
	curl -sk -Z --parallel-immediate --parallel-max "$N" --max-time 60 \
		-K "$TEST_TMP/burst.cfg" -H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" -w '%{http_code}\n' \
		>"$TEST_TMP/codes" 2>"$TEST_TMP/curl.err" &
	curl_pid=$!
	wait_for 10 all_queued
	diag "$name: listen queue (waiting, size) $(listen_queue)"
	# shellcheck disable=SC2086 # a list of pids
	kill -s CONT $held
	wait "$curl_pid"
	diag "$name: $(sort "$TEST_TMP/codes" | uniq -c | tr -s '\n ' ' ')"
	is "$(wc -l <"$TEST_TMP/codes" | tr -d ' ')" "$N" "$name: $N answers"
	is "$(grep -vc '^200$' "$TEST_TMP/codes")" 0 \
		"$name: every request inside the burst gets 200 (no 503)"
	is "$(tail -n +"$((errors_before + 1))" "$ERROR_LOG" |
		grep -c 'connect() to unix:')" 0 \
		"$name: nginx never found the responder's listen queue full"
}

read -r _ size <<<"$(listen_queue)"
ok "the responder's listen queue (${size:-?}) holds the rate limit's burst ($BURST)" \
    test "${size:-0}" -ge "${BURST:-1}"
ok "the burst ($BURST) is more than this test's $N" test "${BURST:-0}" -gt "$N"

held_burst "$N concurrent list pages" '/v1/users/list?limit=1000'
held_burst "$N concurrent reads by id" '/v1/users/id/1'
refill

done_testing
