#!/usr/bin/env bash
# t/31_db_slow.t: MariaDB made slow by a held table lock (faults):
# as many concurrent requests as there are workers, reads and an add, each
# answer the JSON 503 within read_timeout instead of waiting for the lock;
# the workers are free again afterwards; once the lock goes the service
# answers 200 and the refused add left no row.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"

READ_TIMEOUT=$(ini_get "$INI" database read_timeout)
BOUND=$((READ_TIMEOUT + 3))
NWORKERS=$(ini_get "$INI" server workers)
NAME=slow-$$-$(date +%s)
at_exit delete_fault_users

ok 'before: the service answers' wait_for 10 service_ready
# The stack's MariaDB serves the workers' connections from its thread
# pool, and a statement that runs on hands its group's queue to another
# thread after 20 ms (./stack, README Performance).
is "$(q 'SELECT @@thread_handling, @@thread_pool_stall_limit' | tr '\t' ' ')" \
	'pool-of-threads 20' 'MariaDB runs the thread pool, stall limit 20 ms'
before=$(workers "$(master_pid)")
# An add just before the lock: the housekeeping it asks for runs while
# the table is locked, and the one part of it that reads users (the
# trigram index's upkeep) must give up within a second, or the request
# that waits for its worker misses the bound below.
api POST /v1/users/add-user -H 'Content-Type: application/json' \
	--data-binary "$(fault_user "$NAME-pre" "$(printf PRE%06d $$)")"
is "$STATUS" 201 'an add just before the lock: 201'
ok 'the table is locked (LOCK TABLES users WRITE in another session)' \
    lock_hold

# One request per worker, all at once: an add and reads of each kind.
paths=(/v1/users/id/4 /v1/users/list /v1/users/nickname/ana
	/v1/users/creation-date/2023-03-20 /v1/users/id-limit-fields/3)
: >"$TEST_TMP/slow.log"
_loop_request "$TEST_TMP/slow.log" add "$NAME" -X POST \
    -H 'Content-Type: application/json' --data-binary \
    "$(fault_user "$NAME" "9$$$(date +%s)")" \
    "$USERS_URL/v1/users/add-user" &
bg=($!)
for ((i = 1; i < NWORKERS; i++)); do
	_loop_request "$TEST_TMP/r$i.log" read - \
	    "$USERS_URL${paths[(i - 1) % ${#paths[@]}]}" &
	bg+=($!)
done
# Not a bare wait: it would wait for the lock's client too.
wait "${bg[@]}"
cat "$TEST_TMP"/r*.log >>"$TEST_TMP/slow.log"
all=$(cat "$TEST_TMP/slow.log")
diag "$(printf '%s\n' "$all" | cut -f 1,4,5 | tr '\t\n' ' ;')"

is "$(printf '%s\n' "$all" | grep -c .)" "$NWORKERS" \
    "locked: $NWORKERS concurrent requests answered"
is "$(printf '%s\n' "$all" | awk -F '\t' -v m="$MSG_DB_DOWN" \
    '!($4 == 503 && $6 == m)')" '' \
    'locked: each is the JSON 503 with the contract message'
is "$(printf '%s\n' "$all" | awk -F '\t' -v b="$BOUND" '$5 + 0 >= b')" '' \
    "locked: each within read_timeout + 3 s ($BOUND s)"
is "$(printf '%s\n' "$all" | awk -F '\t' '$1 == "add" { print $4 }')" 503 \
    'locked: the add is refused with 503'

# The workers gave up on the lock: they are free for other requests, and
# none died or was replaced.
api GET /v1/test
is "$STATUS" 200 'locked: a worker is free again for /v1/test'
api GET /v1/users/id/4
is "$STATUS" 503 'locked: a later read still answers 503, no pile-up'
is "$(workers "$(master_pid)")" "$before" 'locked: the same workers, none restarted'

lock_release
ok 'unlocked: the lock is gone' wait_for 10 not lock_is_held
ok 'unlocked: /v1/users/id/4 answers 200 again' \
    wait_for 10 answers 200 /v1/users/id/4
api GET '/v1/users/list?limit=3'
is "$STATUS" 200 'unlocked: the list answers 200'
jq_is '.message | length' 3 'unlocked: the list has its rows'
# The abandoned sessions end once the server sees their clients gone; the
# add's never saw a COMMIT.
wait_for 10 queries_waiting = 0
is "$(sql "SELECT COUNT(*) FROM users WHERE first_name = 'Fault'
	AND last_name = '$NAME'")" 0 'the add refused during the lock left no row'

done_testing
