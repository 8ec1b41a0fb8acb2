#!/usr/bin/env bash
# t/cluster/60_responder.t: the replication stack as ./stack up --cluster
# makes it (status, semi-sync, read-only replicas), then one of its three
# responders SIGKILLed, master and workers, under reads and adds (issue
# 12): only requests in flight on it may fail, each with nginx's JSON 503;
# no add is made twice; `./stack app-start test responder2` brings it back
# and nginx uses it again. Runs in ./stack test's cluster pass only, which
# sets USERS_CLUSTER: anywhere else it fails.
. "$(dirname "$0")/cluster.sh" any


# --- the stack ---

st=$("$ROOT/stack" status test 2>/dev/null)
is "$?" 0 'status: exit 0, everything runs'
is "$(printf '%s\n' "$st" | cut -f1 | tr '\n' ' ')" \
    'nginx responder1 responder2 responder3 primary replica1 replica2 ' \
    'status: one line a process, by role'
is "$(printf '%s\n' "$st" | awk -F '\t' 'NF != 3 || $2 !~ /^[0-9]+$/')" '' \
    'status: ROLE<TAB>PID<TAB>ADDRESS'
like "$(printf '%s\n' "$st" | grep '^responder' | cut -f3 | tr '\n' ' ')" \
    '^(127\.0\.0\.1:[0-9]+ ){3}$' 'the responders listen on loopback TCP ports'
is "$(on primary "SHOW STATUS LIKE 'Rpl_semi_sync_master_status'" | cut -f2)" \
    ON 'the primary is semi-synchronous'
is "$(on primary 'SELECT @@rpl_semi_sync_master_wait_point')" AFTER_SYNC \
    '... AFTER_SYNC'
is "$(on primary "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'" | cut -f2)" \
    2 '... with both replicas'
for r in replica1 replica2; do
	is "$(on "$r" 'SELECT @@read_only')" 1 "$r is read-only"
	is "$(on "$r" "SELECT COUNT(*) FROM users.users")" \
	    "$(on primary 'SELECT COUNT(*) FROM users.users')" \
	    "$r has the primary's rows"
done

# --- responder2 killed under load ---

ok 'before: the service answers' wait_for 10 service_ready
tag=$(printf '%05d' $((RANDOM % 100000)))
loop_start w1 rw "$tag"
loop_start w2 rw "$tag"
loop_start r3 read
sleep 2
master=$(cat "$S/usersd2.pid")
victims="$master $(workers "$master")"
# shellcheck disable=SC2086 # a list of pids
kill -s KILL $victims
t_kill=$EPOCHREALTIME
sleep 3
loop_stop w1 w2 r3
all=$(loop_log w1 w2 r3)
diag "$(printf '%s\n' "$all" | grep -c .) requests:" \
    "$(printf '%s\n' "$all" | awk -F '\t' '{ n[$4]++ }
	END { for (s in n) printf "%s x%d ", s, n[s] }')"
ok 'the loops ran' test "$(printf '%s\n' "$all" | grep -c .)" -ge 30
ok 'requests went on after the kill' test "$(printf '%s\n' "$all" |
    awk -F '\t' -v k="$t_kill" '$2 > k + 0.5' | grep -c .)" -ge 10
failed=$(printf '%s\n' "$all" | awk -F '\t' '$4 != 200 && $4 != 201')
ok 'at most one request a client failed (the one in flight)' \
    test "$(printf '%s' "$failed" | grep -c .)" -le 3
is "$(printf '%s\n' "$failed" | awk -F '\t' -v k="$t_kill" 'NF && $2 > k')" '' \
    'no request sent after the kill failed'
is "$(printf '%s\n' "$failed" | awk -F '\t' -v m="$MSG_NGINX_503" \
    'NF && !($4 == 503 && $6 == m)')" '' 'a failed request got the JSON 503'

# Each add has a last name of its own: one sent twice would be a 409 (the
# unique first and last name) or a second row.
adds=$(printf '%s\n' "$all" | awk -F '\t' '$1 == "add" && $4 == 201 { print $6 "\t" $7 }')
ok 'adds were acknowledged' test "$(printf '%s' "$adds" | grep -c .)" -ge 5
is "$(printf '%s\n' "$all" | awk -F '\t' '$4 == 409')" '' 'no add answered 409'
is "$(sql "SELECT last_name FROM users WHERE last_name LIKE '$tag-%'
	GROUP BY last_name HAVING COUNT(*) > 1")" '' 'no add made two rows'
ids=$(printf '%s\n' "$adds" | cut -f1 | paste -sd, -)
is "$(sql "SELECT id, last_name FROM users WHERE id IN ($ids) ORDER BY id")" "$(printf '%s\n' "$adds" | sort -n)" \
    'every acknowledged add is a row, with its id'
ok 'no other row than an add that was sent' test \
    "$(sql "SELECT COUNT(*) FROM users WHERE last_name LIKE '$tag-%'")" -le \
    "$(printf '%s\n' "$all" | awk -F '\t' '$1 == "add"' | grep -c .)"

# --- back ---

ok 'app-start responder2' "$ROOT/stack" app-start test responder2 2>/dev/null
line=$("$ROOT/stack" status test 2>/dev/null | grep '^responder2')
like "$line" $'^responder2\t[0-9]+\t' 'status: responder2 runs again'
addr=$(printf '%s' "$line" | cut -f3)
# nginx tries a failed server again after fail_timeout (10 s).
sleep 10
for _ in $(seq 12); do answers 200 /v1/users/id/4; done
ok "nginx sends requests to responder2 ($addr) again" \
    grep -qF "\"upstream_addr\":\"$addr\"" <(tail -n 12 "$S/log/usersd.access.log")

at_exit delete_fault_users
done_testing
