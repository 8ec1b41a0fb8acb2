#!/usr/bin/env bash
# t/cluster/63_replicas.t: one replica of the replication stack SIGKILLed
# and the other SIGSTOPped under reads and adds: no request
# fails; with no replica to acknowledge, a commit waits at most the
# semi-sync timeout once (500 ms), then the primary goes on alone; the
# replicas come back (SIGCONT, `./stack db-start test replica1`), catch up
# and acknowledge again. Runs in ./stack test's cluster pass only
# (USERS_CLUSTER=replication): anywhere else it fails.
# The reads go on elsewhere (the DAO's read/write split, [replicas]) and
# replica1 serves reads again once back.
. "$(dirname "$0")/cluster.sh" replication

status_of_primary() {
	on primary "SHOW STATUS LIKE '$1'" | cut -f2
}
semisync_clients() { test "$(status_of_primary Rpl_semi_sync_master_clients)" = "$1"; }

ok 'before: the service answers' wait_for 10 service_ready
ok 'before: both replicas acknowledge' wait_for 10 semisync_clients 2
tag=$(printf '%05d' $((RANDOM % 100000)))
loop_start w1 rw "$tag"
loop_start r2 read
sleep 1
stopped=$(cat "$S/replica2/mysqld.pid")
kill -s STOP "$stopped"
at_exit kill -s CONT "$stopped"
kill -s KILL "$(cat "$S/replica1/mysqld.pid")"
sleep 3
loop_stop w1 r2
all=$(loop_log w1 r2)
diag "$(printf '%s\n' "$all" | grep -c .) requests:" \
    "$(printf '%s\n' "$all" | awk -F '\t' '{ n[$4]++ }
	END { for (s in n) printf "%s x%d ", s, n[s] }')"
ok 'the loops ran' test "$(printf '%s\n' "$all" | grep -c .)" -ge 20
is "$(printf '%s\n' "$all" | awk -F '\t' '$4 != 200 && $4 != 201')" '' \
    'no request failed'
# slowest KIND: the longest time of a request of that kind.
slowest() {
	printf '%s\n' "$all" | awk -F '\t' -v k="$1" '$1 == k' |
	    sort -t "$(printf '\t')" -k 5 -g | tail -n 1 | cut -f 5
}
diag "slowest add: $(slowest add) s, slowest read: $(slowest read) s"
ok 'the slowest add took under 1.5 s (semi-sync timeout 0.5 s)' \
    awk -v s="$(slowest add)" 'BEGIN { exit !(s < 1.5) }'
# A read caught on the stopped replica waits at most [database]
# read_timeout (the replicas share it) before it goes elsewhere.
rt=$(ini_get "$S/usersd1.ini" database read_timeout)
ok "the slowest read took under read_timeout + 1 s ($rt + 1 s)" \
    awk -v s="$(slowest read)" -v t="$rt" 'BEGIN { exit !(s < t + 1) }'
# One more add while both are away (a loop may have spent the window
# waiting on a read): it waits the semi-sync timeout at most.
t0=$EPOCHREALTIME
expect -n 'an add with both replicas away' POST /v1/users/add-user 201 '' \
    -H 'Content-Type: application/json' \
    --data-binary "$(fault_user "$tag-away" "${tag}99997")"
ok 'it took under 1.5 s' awk -v a="$t0" -v b="$EPOCHREALTIME" \
    'BEGIN { exit !(b - a < 1.5) }'
is "$(status_of_primary Rpl_semi_sync_master_status)" OFF \
    'with no replica the primary goes on asynchronously'

kill -s CONT "$stopped"
ok 'db-start replica1' "$ROOT/stack" db-start test replica1 2>/dev/null
ok 'both replicas acknowledge again' wait_for 15 semisync_clients 2
# The primary turns semi-synchronous again once a replica acknowledges.
expect -n 'an add after they are back' POST /v1/users/add-user 201 '' \
    -H 'Content-Type: application/json' \
    --data-binary "$(fault_user "$tag-back" "${tag}99998")"
semisync_on() { test "$(status_of_primary Rpl_semi_sync_master_status)" = ON; }
ok 'the primary is semi-synchronous again' wait_for 10 semisync_on
for r in replica1 replica2; do
	ok "$r has caught up" wait_for 10 caught_up "$r"
done

# selects_grow ROLE BEFORE: reads through nginx until ROLE has run more
# SELECTs than BEFORE (a skipped replica is tried again after
# [replicas] skip_seconds).
selects() { on "$1" "SHOW GLOBAL STATUS LIKE 'Com_select'" | cut -f2; }
selects_grow() {
	local _
	for _ in 1 2 3 4 5 6; do answers 200 /v1/users/id/4; done
	test "$(selects "$1")" -gt "$2"
}
skip_s=$(ini_get "$S/usersd1.ini" replicas skip_seconds)
ok "replica1 serves reads again (within skip_seconds ${skip_s:-10} s)" \
    wait_for $((${skip_s:-10} + 5)) selects_grow replica1 "$(selects replica1)"

at_exit delete_fault_users
done_testing
