#!/usr/bin/env bash
# t/cluster/64_read_your_writes.t: read-your-writes under injected lag
#. With the SQL thread of both replicas stopped (they still
# receive and acknowledge the binary log, so adds do not wait on
# semi-sync, but apply nothing), an add followed at once by a GET of its
# id answers 200 with the added row every time: the read waits on a
# replica for the primary's GTID position ([replicas] wait_timeout_ms),
# gives up, and is served by the primary. Once the replicas apply again
# and have caught up, the same pairs are fast and served by the replicas.
# Runs in ./stack test's cluster pass only (USERS_CLUSTER=replication):
# anywhere else it fails.
. "$(dirname "$0")/cluster.sh" replication

# executes: the prepared statements both replicas have run. The reads
# are prepared statements; the GTID wait before them is not, so a read
# that gave up waiting does not count here.
executes() {
	local r n=0
	for r in replica1 replica2; do
		n=$((n + $(on "$r" "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | cut -f2)))
	done
	echo "$n"
}
# slave_status ROLE: SHOW SLAVE STATUS, a "Name: value" line each.
slave_status() {
	mariadb --no-defaults --socket="$S/$1/mysqld.sock" --user=root \
	    -e 'SHOW SLAVE STATUS\G'
}
slave_sql() {
	local r
	for r in replica1 replica2; do on "$r" "$1 SLAVE SQL_THREAD"; done
}
# replicas_serve BEFORE: reads through nginx until the replicas have run
# more read statements than BEFORE.
replicas_serve() {
	local _
	for _ in 1 2 3 4 5 6; do answers 200 /v1/users/id/4; done
	test "$(executes)" -gt "$1"
}

wait_ms=$(ini_get "$S/usersd1.ini" replicas wait_timeout_ms)
wait_ms=${wait_ms:-1000}
skip_s=$(ini_get "$S/usersd1.ini" replicas skip_seconds)
skip_s=${skip_s:-10}
tag=$(printf '%05d' $((RANDOM % 100000)))
at_exit sql "DELETE FROM users WHERE first_name = 'Fault' AND last_name LIKE 'ryw$tag-%'"

# pair N NAME DIGIT: an add, then at once a GET of its id: the GET answers 200
# with the row as the primary has it. Appends the GET's seconds to
# $TEST_TMP/NAME.times; ADDED collects the ids.
ADDED=()
pair() {
	local id t0 secs
	api POST /v1/users/add-user -H 'Content-Type: application/json' \
	    --data-binary "$(fault_user "ryw$tag-$2-$1" "$tag$3$(printf '%03d' "$1")")"
	is "$STATUS" 201 "$2 $1: the add answers 201"
	id=$(printf '%s' "$BODY" | jq -r '.message.id' 2>/dev/null)
	ADDED+=("$id")
	t0=$EPOCHREALTIME
	api GET "/v1/users/id/$id"
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	printf '%s\n' "$secs" >>"$TEST_TMP/$2.times"
	is "$STATUS" 200 "$2 $1: GET of its id at once answers 200 ($secs s)"
	is "$(printf '%s' "$BODY" | jq -c .message 2>&1)" "$(row_json "$id")" \
	    "$2 $1: with the added row"
}
# times_summary NAME: min, median and max of the GETs' seconds.
times_summary() {
	sort -g "$TEST_TMP/$1.times" | awk '{ t[NR] = $1 }
	    END { printf "min %s s, median %s s, max %s s (%d GETs)",
		t[1], t[int((NR + 1) / 2)], t[NR], NR }'
}
# slow_count NAME SECONDS: how many GETs took SECONDS or more.
slow_count() {
	awk -v s="$2" '$1 >= s { n++ } END { print n + 0 }' "$TEST_TMP/$1.times"
}

ok 'before: the service answers' wait_for 10 service_ready
for r in replica1 replica2; do
	ok "before: $r has caught up" wait_for 10 caught_up "$r"
done
ok 'before: the replicas serve reads' \
    wait_for $((skip_s + 5)) replicas_serve "$(executes)"

# The lag: both replicas receive the binary log but apply none of it.
at_exit slave_sql START
slave_sql STOP
for r in replica1 replica2; do
	is "$(slave_status "$r" | awk '$1 ~ /^Slave_(IO|SQL)_Running:$/ { printf "%s ", $2 }')" 'Yes No ' \
	    "$r receives the binary log but applies nothing"
done
# A GET waits on a replica for the whole wait_timeout_ms budget (a worker
# rests a lagging replica for skip_seconds, but with the adds in between
# a worker's next GET comes later than that), then the primary serves it
# without waiting on the other: ~1 s a pair.
n=20
before=$(executes)
t_start=$EPOCHREALTIME
for i in $(seq "$n"); do pair "$i" lag 6; done
t_lag=$EPOCHREALTIME
lag_executes=$(($(executes) - before))
diag "under lag: $(times_summary lag); $(slow_count lag "$(awk -v m="$wait_ms" 'BEGIN { print m / 1000 }')") GETs waited wait_timeout_ms ($wait_ms ms) or more;" \
    "the $n pairs took $(awk -v a="$t_start" -v b="$t_lag" 'BEGIN { printf "%.1f", b - a }') s"
ids=$(printf '%s\n' "${ADDED[@]}" | paste -sd, -)
for r in replica1 replica2; do
	is "$(on "$r" "SELECT COUNT(*) FROM users.users WHERE id IN ($ids)")" 0 \
	    "$r has none of the adds yet (the GETs were not served there)"
done
is "$lag_executes" 0 'the replicas ran no read while lagging'
ok "some GET waited on a replica first (>= wait_timeout_ms, $wait_ms ms)" \
    test "$(slow_count lag "$(awk -v m="$wait_ms" 'BEGIN { print m / 1000 }')")" -gt 0
# wait_timeout_ms bounds all of a read's waits together: with both
# replicas lagging, no GET waits for the second one after the first.
ok 'the slowest GET took under wait_timeout_ms + 0.5 s' \
    awk -v s="$(sort -g "$TEST_TMP/lag.times" | tail -n 1)" -v m="$wait_ms" \
    'BEGIN { exit !(s < m / 1000 + 0.5) }'

# The lag lifted: the replicas catch up, and once every worker's rest
# (skip_seconds since the last lagging read) is over, they serve again.
slave_sql START
for r in replica1 replica2; do
	ok "after: $r has caught up" wait_for 10 caught_up "$r"
done
left=$(awk -v t="$t_lag" -v n="$EPOCHREALTIME" -v s="$skip_s" \
    'BEGIN { d = t + s + 0.5 - n; printf "%.2f", (d > 0 ? d : 0) }')
sleep "$left"
m=5
before=$(executes)
for i in $(seq "$m"); do pair "$i" caught-up 7; done
after_executes=$(($(executes) - before))
diag "caught up: $(times_summary caught-up); the replicas ran $after_executes reads for $m GETs"
ok "the replicas served the GETs again ($after_executes reads >= $m)" \
    test "$after_executes" -ge "$m"
ok 'no GET waited wait_timeout_ms' \
    test "$(slow_count caught-up "$(awk -v m="$wait_ms" 'BEGIN { print m / 1000 }')")" = 0

done_testing
