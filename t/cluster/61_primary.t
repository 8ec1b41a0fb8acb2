#!/usr/bin/env bash
# t/cluster/61_primary.t: the primary of the replication stack SIGKILLed
# under adds: every add acknowledged with a 201 before the kill
# is on both replicas afterwards, with its id (semi-sync AFTER_SYNC: the
# 201 leaves only once a replica has the transaction); an add sent after
# the kill answers the contract's 503 and is nowhere; after
# `./stack db-start test primary` writes work again and both replicas
# follow it again, semi-synchronously. Runs in ./stack test's cluster pass
# only (USERS_CLUSTER=replication): anywhere else it fails.
# Reads answer 200 throughout, from the replicas (the DAO's read/write
# split, [replicas]).
. "$(dirname "$0")/cluster.sh" replication

semisync_clients() {
	test "$(on primary "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'" |
	    cut -f2)" = "$1"
}
# caught_up ROLE: the replica has applied the primary's whole binary log.

ok 'before: the service answers' wait_for 10 service_ready
ok 'before: both replicas acknowledge' wait_for 10 semisync_clients 2
tag=$(printf '%05d' $((RANDOM % 100000)))
loop_start w1 rw "$tag"
loop_start w2 rw "$tag"
loop_start r3 read
sleep 2
kill -s KILL "$(cat "$S/mysqld.pid")"
t_kill=$EPOCHREALTIME
sleep 2
loop_stop w1 w2 r3
all=$(loop_log w1 w2 r3)
is "$(printf '%s\n' "$all" | awk -F '\t' '$1 == "read" && $4 != 200')" '' \
    'reads answer 200 throughout (from the replicas)'
adds=$(printf '%s\n' "$all" | awk -F '\t' '$1 == "add"')
diag "$(printf '%s\n' "$adds" | grep -c .) adds:" \
    "$(printf '%s\n' "$adds" | awk -F '\t' '{ n[$4]++ }
	END { for (s in n) printf "%s x%d ", s, n[s] }')"
acked=$(printf '%s\n' "$adds" | awk -F '\t' '$4 == 201 { print $6 "\t" $7 }' | sort -n)
ok 'adds were acknowledged before the kill' test -n "$acked"
after=$(printf '%s\n' "$adds" | awk -F '\t' -v k="$t_kill" '$2 > k + 0.2')
ok 'adds were sent after the kill' test -n "$after"
is "$(printf '%s\n' "$after" | awk -F '\t' -v m="$MSG_DB_DOWN" \
    'NF && !($4 == 503 && $6 == m)')" '' \
    'an add sent after the kill: the contract 503'

ids=$(printf '%s\n' "$acked" | cut -f1 | paste -sd, -)
names=$(printf '%s\n' "$after" | awk -F '\t' 'NF { printf "%s\x27%s\x27", (n++ ? "," : ""), $7 }')
for r in replica1 replica2; do
	is "$(on "$r" "SELECT id, last_name FROM users.users WHERE id IN ($ids) ORDER BY id")" \
	    "$acked" "$r has every add acknowledged before the kill, with its id"
	is "$(on "$r" "SELECT COUNT(*) FROM users.users WHERE last_name IN ($names)")" 0 \
	    "$r has none of the adds refused after it"
done

t0=$SECONDS
ok 'db-start primary' "$ROOT/stack" db-start test primary 2>/dev/null
ok 'writes work again' wait_for 15 answers 200 /v1/db-connection
diag "the service answered again $((SECONDS - t0)) s after db-start"
expect -n 'an add after the restart' POST /v1/users/add-user 201 '' \
    -H 'Content-Type: application/json' \
    --data-binary "$(fault_user "$tag-after" "${tag}99999")"
ok 'both replicas follow the primary again, semi-synchronously' \
    wait_for 15 semisync_clients 2
for r in replica1 replica2; do
	ok "$r has caught up" wait_for 10 caught_up "$r"
done

at_exit delete_fault_users
done_testing
