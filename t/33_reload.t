#!/usr/bin/env bash
# t/33_reload.t: SIGHUP (faults): the master reads the INI file
# again (a changed default_limit shows in the answers) and replaces every
# worker with a new generation; a broken file is refused with a log line
# and the running workers keep serving; under a steady loop of requests
# across all these reloads, not one request fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"
. "$(dirname "$0")/fcgi.sh"

NWORKERS=$(ini_get "$INI" server workers)
cp -p "$INI" "$TEST_TMP/usersd.ini"
# restore_ini: the running configuration ends as it began, even on
# failure.
restore_ini() {
	cmp -s "$INI" "$TEST_TMP/usersd.ini" ||
		cp -p "$TEST_TMP/usersd.ini" "$INI"
	[ "$(list_length)" = 5 ] || kill -s HUP "$(master_pid)"
}
at_exit restore_ini

# new_generation OLD: NWORKERS workers, none of them in OLD.
new_generation() {
	local now
	now=$(workers "$master")
	[ "$(count_words "$now")" = "$NWORKERS" ] && disjoint "$now" "$1"
}

# list_length: the number of users /v1/users/list answers without a limit.
list_length() {
	api GET /v1/users/list
	printf '%s' "$BODY" | jq '.message | length'
}

# reload NAME: SIGHUP, then the master says so and a new generation runs.
reload() {
	local old lines
	old=$(workers "$master")
	lines=$(log_lines)
	kill -s HUP "$master"
	ok "$1: the master logs the reload" wait_for 5 log_has_since "$lines" \
	    "usersd\\[$master\\] .*configuration reloaded"
	ok "$1: every worker is replaced" wait_for 10 new_generation "$old"
	ok "$1: the old workers exit cleanly" wait_for 5 exited_cleanly \
	    "$lines" "$old"
}

# exited_cleanly LINES PIDS: since LINES, the master logged a plain exit
# (status 0, no signal) of each of PIDS.
exited_cleanly() {
	local pid
	for pid in $2; do
		log_has_since "$1" "usersd\\[$master\\] .*worker $pid exited$" ||
		    return 1
	done
}

ok 'before: the service answers' wait_for 10 service_ready
master=$(master_pid)
is "$(list_length)" 5 'before: the list answers default_limit = 5 users'

loop_start h1 read
loop_start h2 read
sleep 1

sed -i 's/^default_limit = 5$/default_limit = 3/' "$INI"
ok 'the INI now says default_limit = 3' grep -qx 'default_limit = 3' "$INI"
reload 'reload with default_limit = 3'
is "$(list_length)" 3 'the new workers use the new default_limit'

cp -p "$TEST_TMP/usersd.ini" "$INI"
reload 'reload with the original INI'
is "$(list_length)" 5 'default_limit is 5 again'

# A broken file: an unknown key.
gen=$(workers "$master")
printf 'no_such_key = 1\n' >>"$INI"
lines=$(log_lines)
kill -s HUP "$master"
ok 'broken INI: the master refuses it with a log line' wait_for 5 \
    log_has_since "$lines" "usersd\\[$master\\] .*reload refused"
sleep 0.5
is "$(workers "$master")" "$gen" 'broken INI: the same workers keep serving'
api GET /v1/users/id/4
is "$STATUS" 200 'broken INI: the workers answer 200'
is "$(list_length)" 5 'broken INI: the running configuration is kept'
cp -p "$TEST_TMP/usersd.ini" "$INI"
sleep 0.5

# A connection a worker has accepted but whose request has not come yet
# when the reload's SIGTERM reaches that worker: the request that follows
# is still served. (libfcgi's own accept waited for the first byte in a
# select() the signal interrupted, and closed the connection.)
FCGI_DELAY=1.5 fcgi - "$S/usersd.sock" GET /v1/users/id/4 >"$TEST_TMP/held" &
held=$!
sleep 0.5
reload 'reload with a connection accepted and its request to come'
wait "$held"
is "$(cut -d' ' -f1 "$TEST_TMP/held")" 200 \
    'the request sent after the reload on that connection answers 200'

loop_stop h1 h2
all=$(loop_log h1 h2)
diag "$(printf '%s\n' "$all" | grep -c .) requests:" \
    "$(printf '%s\n' "$all" | awk -F '\t' '{ n[$4]++ }
	END { for (s in n) printf "%s x%d ", s, n[s] }')"
ok 'the loops ran throughout' test "$(printf '%s\n' "$all" | grep -c .)" -ge 20
is "$(printf '%s\n' "$all" | awk -F '\t' '$4 != 200')" '' \
    'across the reloads: zero requests failed'
is "$(master_pid)" "$master" 'the master is the same process'
ok 'the INI is restored' cmp -s "$INI" "$TEST_TMP/usersd.ini"

done_testing
