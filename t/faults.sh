# shellcheck shell=bash
# t/faults.sh: helpers of the fault tests (t/3*.t), sourced after lib.sh:
# the responder's processes, background request loops and a held table
# lock, each undone by lib.sh's at_exit so a failing test still leaves the
# stack as it found it.

S=$USERS_STATE_DIR
LOG=$S/log/usersd.log
# shellcheck disable=SC2034 # read by the t/3x files
INI=$S/usersd.ini
# The responder's answer when MariaDB is away, and nginx's when the
# responder is.
# shellcheck disable=SC2034 # read by the t/3x files
MSG_DB_DOWN='ECONNREFUSED. An error has occurred with the connection or query to the database. Verify that it is active or available'
# shellcheck disable=SC2034 # read by the t/3x files
MSG_NGINX_503='Service unavailable, try again later'

# stack COMMAND: ./stack COMMAND on this test stack (STACK_INSTANCE is in
# the environment); its progress lines go to stderr, away from TAP.
stack() { "$ROOT/stack" "$1" test >&2; }

master_pid() { cat "$S/usersd.pid" 2>/dev/null; }

# workers [MASTER]: the live children of the master, sorted, one line.
workers() {
	ps -o pid=,stat= --ppid "${1:-$(master_pid)}" 2>/dev/null |
	    awk '$2 !~ /^Z/ { print $1 }' | sort -n | tr '\n' ' ' |
	    sed 's/ $//'
}

# count_words WORDS: how many.
count_words() {
	local -a w
	read -ra w <<<"$1"
	echo "${#w[@]}"
}

# member PID "A B": PID is in the list.
member() { [[ " $2 " == *" $1 "* ]]; }

# disjoint "A B" "C D": no pid in both lists.
disjoint() {
	local a b
	for a in $1; do
		for b in $2; do
			[ "$a" != "$b" ] || return 1
		done
	done
}

# service_ready: the responder and its database answer.
service_ready() { answers 200 /v1/test && answers 200 /v1/db-connection; }

log_lines() { wc -l <"$LOG"; }

# log_since LINES: the log lines after the first LINES.
log_since() { tail -n "+$(($1 + 1))" "$LOG"; }

# log_has_since LINES ERE: a log line after the first LINES matches ERE.
log_has_since() { log_since "$1" | grep -Eq -- "$2"; }

# --- background request loops ---

# One request; appends "kind start end status seconds info name" (tabs) to
# FILE. info: the id of a created user, "-" for another 2xx, the message
# otherwise (NOTJSON when the body is not JSON).
_loop_request() { # FILE KIND NAME CURL_ARGS...
	local file=$1 kind=$2 name=$3 body=$1.body t0 t1 out code secs info
	shift 3
	t0=$EPOCHREALTIME
	out=$(curl -sk --max-time 10 -o "$body" -w '%{http_code} %{time_total}' \
	    -H "x-api-key: $USERS_API_KEY" \
	    -H "Authorization: Bearer $USERS_TOKEN" "$@")
	t1=$EPOCHREALTIME
	code=${out% *}
	secs=${out#* }
	# A 200 needs no look inside: the loops run faster without a jq.
	info=-
	[ "$code" = 200 ] || info=$(jq -r 'if (.message | type) == "string"
		then .message elif $c == "201" then .message.id else "-" end' \
	    --arg c "$code" "$body" 2>/dev/null) || info=NOTJSON
	[ -n "$info" ] || info=NOTJSON
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$t0" "$t1" "$code" \
	    "$secs" "$info" "$name" >>"$file"
}

# fault_user LAST_NAME IDENTIFICATION_NUMBER: the JSON body of an add.
fault_user() {
	printf '{"nickname":"fault %s","first_name":"Fault","last_name":"%s",' \
	    "$1" "$1"
	printf '"email":"fault@example.com","identification_type":"FT",'
	printf '"identification_number":"%s","country_id":"AR"}' "$2"
}

# The loop's body: reads (and adds with "rw") until the stop file shows up
# or 60 s have passed. Added users are named Fault / TAG-NAME-SEQ.
_loop() { # NAME MODE TAG
	local name=$1 mode=$2 tag=$3 file=$TEST_TMP/$1.log seq=0 last
	local start=$SECONDS
	while [ ! -e "$TEST_TMP/$name.stop" ] && [ $((SECONDS - start)) -lt 60 ]; do
		seq=$((seq + 1))
		if [ "$mode" = rw ]; then
			last="$tag-$name-$seq"
			_loop_request "$file" add "$last" -X POST \
			    -H 'Content-Type: application/json' --data-binary \
			    "$(fault_user "$last" "$tag$seq${name: -1}")" \
			    "$USERS_URL/v1/users/add-user"
		fi
		_loop_request "$file" read - "$USERS_URL/v1/users/id/4"
		[ "$mode" = rw ] || _loop_request "$file" read - \
		    "$USERS_URL/v1/users/list?limit=2"
	done
}

# loop_start NAME read|rw [TAG]: a background client loop; its pid is kept.
# TAG (digits) makes the added users' names unique to this run.
declare -A _loop_pids
loop_start() {
	: >"$TEST_TMP/$1.log"
	_loop "$1" "$2" "${3:-0}" &
	_loop_pids[$1]=$!
	at_exit loop_stop "$1"
}

# loop_stop NAME...: asks the loops to stop and waits for them (in this
# shell: a subshell cannot wait for them).
loop_stop() {
	local n
	for n in "$@"; do
		touch "$TEST_TMP/$n.stop"
	done
	for n in "$@"; do
		wait "${_loop_pids[$n]}" 2>/dev/null
	done
}

# loop_log NAME...: the requests of stopped loops, in order of start.
loop_log() {
	local n
	for n in "$@"; do
		cat "$TEST_TMP/$n.log"
	done | sort -t "$(printf '\t')" -n -k 2
}

# --- a held table lock: a mariadb client kept open on a pipe ---

# lock_hold: LOCK TABLES users WRITE in a client that waits for more input;
# returns once other sessions are locked out.
lock_hold() {
	# Bounded: whatever happens to this test, the lock goes within 90 s.
	# shellcheck disable=SC2086 # USERS_MYSQL is a command line
	exec {LOCK_FD}> >(exec timeout 90 $USERS_MYSQL -N -B >/dev/null 2>&1)
	LOCK_PID=$!
	printf 'LOCK TABLES users WRITE;\n' >&"$LOCK_FD"
	at_exit lock_release
	wait_for 10 lock_is_held
}

# lock_is_held: a reader gives up on the lock within a second.
lock_is_held() {
	! $USERS_MYSQL -N -B -e 'SET SESSION lock_wait_timeout = 1;
		SELECT 1 FROM users LIMIT 1' >/dev/null 2>&1
}

# lock_release: UNLOCK TABLES and end the client (killing it if it hangs).
lock_release() {
	[ -n "${LOCK_FD:-}" ] || return 0
	# In a subshell: should the client be gone, SIGPIPE ends only that.
	(printf 'UNLOCK TABLES;\n' >&"$LOCK_FD") 2>/dev/null
	exec {LOCK_FD}>&-
	LOCK_FD=
	wait_for 5 not alive "$LOCK_PID" || kill -s KILL "$LOCK_PID"
}

# db_queries_waiting: the responder's statements blocked on the lock.
db_queries_waiting() {
	sql "SELECT COUNT(*) FROM information_schema.processlist
		WHERE user = 'usersd' AND state LIKE '%lock%'"
}

# queries_waiting OP N: db_queries_waiting compared with test(1)'s OP.
queries_waiting() { test "$(db_queries_waiting)" "$1" "$2"; }

# delete_fault_users: removes the users the loops added.
delete_fault_users() { sql "DELETE FROM users WHERE first_name = 'Fault'"; }
