#!/usr/bin/env bash
# t/cluster/62_galera.t: the Galera stack as ./stack up --cluster galera
# makes it (3 nodes, synced), then a node the responders do not write to
# SIGKILLed under reads and adds: requests work again after the
# suspect timeout (those in flight may fail with a 503), nothing
# acknowledged is lost, and `./stack db-start test galera3` brings the node
# back into the cluster with every acknowledged row. Runs in ./stack test's
# Galera pass only (USERS_CLUSTER=galera): anywhere else it fails.
. "$(dirname "$0")/cluster.sh" galera

state() { on "$1" "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2; }
size() { on "$1" "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2; }
synced3() { [ "$(state "$1")" = Synced ] && [ "$(size "$1")" = 3 ]; }
size_is() { [ "$(size "$1")" = "$2" ]; }

st=$("$ROOT/stack" status test 2>/dev/null)
is "$?" 0 'status: exit 0, everything runs'
is "$(printf '%s\n' "$st" | cut -f1 | tr '\n' ' ')" \
    'nginx responder1 responder2 responder3 galera1 galera2 galera3 ' \
    'status: one line a process, by role'
for g in galera1 galera2 galera3; do
	ok "$g is synced in a cluster of 3" synced3 "$g"
	is "$(ps -o user= -p "$(printf '%s\n' "$st" | awk -F '\t' -v g="$g" '$1 == g { print $2 }')")" \
	    mysql "$g runs as mysql"
done

ok 'before: the service answers' wait_for 10 service_ready
tag=$(printf '%05d' $((RANDOM % 100000)))
loop_start w1 rw "$tag"
loop_start r2 read
sleep 2
kill -s KILL "$(cat "$S/galera3/mysqld.pid")"
t_kill=$EPOCHREALTIME
sleep 6
loop_stop w1 r2
all=$(loop_log w1 r2)
diag "$(printf '%s\n' "$all" | grep -c .) requests:" \
    "$(printf '%s\n' "$all" | awk -F '\t' '{ n[$4]++ }
	END { for (s in n) printf "%s x%d ", s, n[s] }')"
ok 'the loops ran' test "$(printf '%s\n' "$all" | grep -c .)" -ge 20
# The others stall commits until they declare the node gone (the stack's
# evs.suspect_timeout, 3 s): a request may wait, or fail with the JSON 503
# if it waits past the responder's read timeout; none sent after that.
failed=$(printf '%s\n' "$all" | awk -F '\t' '$4 != 200 && $4 != 201')
diag "slowest: $(printf '%s\n' "$all" | sort -t "$(printf '\t')" -k 5 -g | tail -n 1 |
    cut -f 1,4,5) s; failed: $(printf '%s' "$failed" | grep -c .)"
is "$(printf '%s\n' "$failed" | awk -F '\t' -v k="$t_kill" 'NF && $2 > k + 4')" '' \
    'no request sent 4 s after the kill failed'
is "$(printf '%s\n' "$failed" | awk -F '\t' 'NF && $4 != 503')" '' \
    'a failed request is a 503'
ok 'requests went on after the kill' test "$(printf '%s\n' "$all" |
    awk -F '\t' -v k="$t_kill" '$2 > k + 4' | grep -c .)" -ge 10
ok 'the others go on as a cluster of 2' wait_for 10 size_is galera1 2

ids=$(printf '%s\n' "$all" | awk -F '\t' '$1 == "add" && $4 == 201 { print $6 }' |
    paste -sd, -)
ok 'adds were acknowledged' test -n "$ids"
t0=$SECONDS
ok 'db-start galera3' "$ROOT/stack" db-start test galera3 2>/dev/null
ok 'galera3 rejoins: synced in a cluster of 3' wait_for 60 synced3 galera3
diag "galera3 was back in $((SECONDS - t0)) s"
n=$(printf '%s' "$ids" | tr ',' '\n' | grep -c .)
for g in galera1 galera2 galera3; do
	is "$(on "$g" "SELECT COUNT(*) FROM users.users WHERE id IN ($ids)")" \
	    "$n" "$g has every acknowledged add"
done

at_exit delete_fault_users
done_testing
