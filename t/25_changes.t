#!/usr/bin/env bash
# t/25_changes.t: the change feed /v1/users/changes (api-extensions.md
# section 8): its answers and cursors; every acknowledged write of a
# concurrent mixed load appears exactly once, in each client's order, and a
# reader polling during the load sees the same sequence as one reading
# after it; a transaction held open while later ones commit is delivered
# once, afterwards, and a rolled-back one never; a mirror rebuilt from the
# export and the feed equals the table; 400 and 410 cursors, retention.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

BAD_AFTER='Bad request, the after parameter is not valid. Send the X-Next-Cursor value of an earlier answer as it is.'
GONE='Gone, the cursor is older than the change feed keeps; export again.'
CHANGE_KEYS='["seq","op","id","at","user"]'
DATE_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'

begin_writes C

feed_head() { q 'SELECT seq FROM user_changes_head'; }

# drain CURSOR FILE: follows the feed from CURSOR to its end (pages of
# 100), appending "seq op id" a change to FILE; CUR is the last cursor.
drain() {
	CUR=$1
	while :; do
		api GET "/v1/users/changes?after=$CUR&limit=100"
		[ "$STATUS" = 200 ] || { diag "feed: $STATUS $BODY"; return 1; }
		[ "$(body_len)" -gt 0 ] || return 0
		printf '%s' "$BODY" | jq -r '.message[] | "\(.seq) \(.op) \(.id)"' >>"$2"
		CUR=$(header X-Next-Cursor)
	done
}

# body_for N J: an add body unique to this run, client N, user J.
body_for() {
	jq -nc --arg r "$RUN" --arg n "$1" --arg j "$2" --arg t "$TYPE" '{
		nickname: ("CNICK_" + $r + "_" + $n + "_" + $j),
		first_name: ("CF" + $r + "n" + $n), last_name: ("CL" + $r + "j" + $j),
		email: ("c" + $r + "." + $n + "." + $j + "@example.com"),
		identification_type: $t, identification_number: ($r + "n" + $n + "j" + $j),
		country_id: "AR" }'
}

# call METHOD PATH [BODY]: one request without lib.sh's shared files (for
# concurrent use); prints the body, then the status on a line of its own.
call() {
	curl -sk --max-time 30 -X "$1" "$USERS_URL$2" -H 'Expect:' \
		-H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" \
		-H 'Content-Type: application/json' ${3:+--data-binary "$3"} \
		-w '\n%{http_code}'
}

# writer N USERS: client N adds USERS users one after another, updates
# each twice and deletes every other one; each acknowledged write goes to
# $TEST_TMP/wN as "op id", in the order the client saw them acknowledged.
writer() {
	local n=$1 j k out id
	for ((j = 1; j <= $2; j++)); do
		out=$(call POST /v1/users/add-user "$(body_for "$n" "$j")")
		[ "${out##*$'\n'}" = 201 ] || continue
		id=$(printf '%s' "${out%$'\n'*}" | jq -r .message.id)
		echo "add $id" >>"$TEST_TMP/w$n"
		for k in 1 2; do
			out=$(call PATCH "/v1/users/update-user/$id" "{\"country_id\":\"U$k\"}")
			[ "${out##*$'\n'}" != 200 ] || echo "update $id" >>"$TEST_TMP/w$n"
		done
		if ((j % 2)); then
			out=$(call DELETE "/v1/users/delete-user/$id")
			[ "${out##*$'\n'}" != 200 ] || echo "delete $id" >>"$TEST_TMP/w$n"
		fi
	done
}

# --- answers --------------------------------------------------------------------

# Earlier files' writes may still wait for their seqs (each read numbers a
# batch): read the feed to its end first. An empty page means nothing
# committed waits.
drain "$(feed_head)" /dev/null || fail 'the feed reads to its end'
api GET /v1/users/changes
is "$STATUS" 200 'no after: 200'
jq_is .message '[]' 'no after: an empty array'
H0=$(feed_head)
is "$(header X-Next-Cursor)" "$H0" 'no after: the head as X-Next-Cursor'
is "$(header Link)" "</v1/users/changes?after=$H0>; rel=\"next\"" 'no after: Link to after=head'

api GET "/v1/users/changes?after=$H0"
is "$STATUS" 200 'after=head: 200'
jq_is .message '[]' 'after=head: nothing new'
is "$(header X-Next-Cursor)" '' 'an empty page: no X-Next-Cursor'

mk() { U=$(body_for 0 "$1"); }
mk 1
api POST /v1/users/add-user -H 'Content-Type: application/json' --data-binary "$U"
A=$(printf '%s' "$BODY" | jq -r .message.id)
api PATCH "/v1/users/update-user/$A" -H 'Content-Type: application/json' --data '{"country_id":"CO"}'
mk 2
api POST /v1/users/add-user -H 'Content-Type: application/json' --data-binary "$U"
B=$(printf '%s' "$BODY" | jq -r .message.id)
api DELETE "/v1/users/delete-user/$B"
is "$STATUS" 200 'four writes made'

api GET "/v1/users/changes?after=$H0&limit=3"
is "$STATUS" 200 'a page: 200'
jq_is '[.message[] | [.seq, .op, .id]]' \
	"[[$((H0 + 1)),\"add\",$A],[$((H0 + 2)),\"update\",$A],[$((H0 + 3)),\"add\",$B]]" \
	'a page: seq, op and id of the first three writes, in order'
jq_is '[.message[] | keys_unsorted] | unique' "[$CHANGE_KEYS]" 'a change: seq, op, id, at, user'
jq_is '[.message[] | .at | test("'"$DATE_RE"'")] | all' true 'a change: at is YYYY-MM-DD HH:MM:SS'
jq_is -c '.message[0].user' "$(row_json "$A")" 'user: the row as it is now (after its update)'
jq_is '.message[2].user' null 'user: null once deleted'
is "$(header X-Next-Cursor)" $((H0 + 3)) 'a page: X-Next-Cursor is its last seq'
is "$(header Link)" "</v1/users/changes?limit=3&after=$((H0 + 3))>; rel=\"next\"" \
	'a page: Link keeps limit, sets after'
api GET "/v1/users/changes?limit=3&after=$((H0 + 3))"
jq_is '[.message[] | [.seq, .op, .id]]' "[[$((H0 + 4)),\"delete\",$B]]" 'the next page: the delete'

# --- 400 -----------------------------------------------------------------------

for a in abc 01 -1 '' '1&after=1' 1.5 99999999999999999999 '%2B1'; do
	expect -n "after=$a" GET "/v1/users/changes?after=$a" 400 "$BAD_AFTER"
done
expect -n 'after beyond the head' GET "/v1/users/changes?after=$(($(feed_head) + 1000))" 400 "$BAD_AFTER"
expect -n 'limit=0' GET "/v1/users/changes?after=0&limit=0" 400 '~^Bad request, the limit parameter'

# --- a transaction held open ----------------------------------------------------

mkrow
HELD=$NEWID
drain "$(feed_head)" "$TEST_TMP/pre" || fail 'drain before the held transaction'
C0=$CUR
mkfifo "$TEST_TMP/held" "$TEST_TMP/rolled"
$USERS_MYSQL <"$TEST_TMP/held" >"$TEST_TMP/held.out" 2>&1 &
held_pid=$!
$USERS_MYSQL <"$TEST_TMP/rolled" >"$TEST_TMP/rolled.out" 2>&1 &
rolled_pid=$!
exec 3>"$TEST_TMP/held" 4>"$TEST_TMP/rolled"
echo "START TRANSACTION; UPDATE users SET nickname = 'HELD_$RUN' WHERE id = $HELD;" >&3
echo "START TRANSACTION; INSERT INTO users (nickname, first_name, last_name, email, identification_type, identification_number, country_id, creation_date, update_date) VALUES ('ROLLED_$RUN', 'RF$RUN', 'RL$RUN', 'r$RUN@example.com', '$TYPE', 'R$RUN', 'AR', UTC_TIMESTAMP(), UTC_TIMESTAMP());" >&4
uncommitted() {
	[ "$(q "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;
		SELECT COUNT(*) FROM user_changes WHERE seq = 0")" = 2 ]
}
ok 'both transactions wrote their change rows and stay open' wait_for 10 uncommitted
rolled_id=$(q "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;
	SELECT id FROM users WHERE nickname = 'ROLLED_$RUN'")
later=()
for j in 1 2 3; do
	mk $((10 + j))
	api POST /v1/users/add-user -H 'Content-Type: application/json' --data-binary "$U"
	later+=("$(printf '%s' "$BODY" | jq -r .message.id)")
done
drain "$C0" "$TEST_TMP/during"
is "$(awk '{ print $2, $3 }' "$TEST_TMP/during" | paste -sd, -)" \
	"add ${later[0]},add ${later[1]},add ${later[2]}" \
	'while held: the later adds, and neither open transaction'
C1=$CUR
echo "COMMIT;" >&3
echo "ROLLBACK;" >&4
exec 3>&- 4>&-
wait "$held_pid" "$rolled_pid"
is "$(cat "$TEST_TMP/held.out" "$TEST_TMP/rolled.out")" '' 'the held transactions ran without error'
drain "$C1" "$TEST_TMP/after"
is "$(awk '{ print $2, $3 }' "$TEST_TMP/after")" "update $HELD" \
	'after the commit: the held update, once'
held_seq=$(awk '{ print $1 }' "$TEST_TMP/after")
ok 'the held update comes after the adds that committed first' \
	[ "${held_seq:-0}" -gt "$(awk 'END { print $1 }' "$TEST_TMP/during")" ]
api GET "/v1/users/changes?after=$((held_seq - 1))&limit=1"
jq_is '.message[0].user.nickname' "\"HELD_$RUN\"" 'the held change: the committed row'
drain "$C0" "$TEST_TMP/all_held"
is "$(wc -l <"$TEST_TMP/all_held")" 4 'from before the hold: 4 changes, each once'
is "$(awk -v r="${rolled_id:-x}" '$3 == r' "$TEST_TMP/all_held")" '' \
	'the rolled-back insert never appears'
is "$(q "SELECT COUNT(*) FROM user_changes WHERE seq = 0")" 0 'no change left without a seq'

# --- a concurrent mixed load ----------------------------------------------------

C2=$(feed_head)
: >"$TEST_TMP/poll"
poller() {
	local cur=$C2 out
	while [ ! -e "$TEST_TMP/stop" ]; do
		out=$(curl -sk --max-time 30 -D "$TEST_TMP/poll.h" \
			-H "x-api-key: $USERS_API_KEY" \
			-H "Authorization: Bearer $USERS_TOKEN" \
			"$USERS_URL/v1/users/changes?after=$cur&limit=7")
		printf '%s' "$out" | jq -r '.message[] | "\(.seq) \(.op) \(.id)"' >>"$TEST_TMP/poll"
		next=$(tr -d '\r' <"$TEST_TMP/poll.h" | awk -F': ' 'tolower($1) == "x-next-cursor" { print $2 }')
		cur=${next:-$cur}
	done
	printf '%s\n' "$cur" >"$TEST_TMP/poll.cur"
}
poller &
poll_pid=$!
WRITERS=4
for n in $(seq "$WRITERS"); do
	: >"$TEST_TMP/w$n"
	writer "$n" 8 &
	pids[n]=$!
done
for n in $(seq "$WRITERS"); do wait "${pids[n]}"; done
touch "$TEST_TMP/stop"
wait "$poll_pid"
ok 'the reader read changes while the load ran' [ -s "$TEST_TMP/poll" ]
drain "$(cat "$TEST_TMP/poll.cur")" "$TEST_TMP/poll"
drain "$C2" "$TEST_TMP/load"
acked=$(cat "$TEST_TMP"/w[0-9]* | wc -l)
ok "the load made writes ($acked acknowledged)" [ "$acked" -ge $((WRITERS * 8 * 3)) ]
is "$(wc -l <"$TEST_TMP/load")" "$acked" 'the feed holds as many changes as writes were acknowledged'
is "$(awk -v s="$C2" '$1 != ++s' "$TEST_TMP/load")" '' 'seqs are consecutive from the cursor'
is "$(awk '{ print $2, $3 }' "$TEST_TMP/load" | sort)" \
	"$(cat "$TEST_TMP"/w[0-9]* | sort)" 'every acknowledged write appears exactly once'
bad=0
for n in $(seq "$WRITERS"); do
	ids=$(awk '{ print $2 }' "$TEST_TMP/w$n" | sort -u | paste -sd'|' -)
	[ "$(awk -v re="^($ids)\$" '$3 ~ re { print $2, $3 }' "$TEST_TMP/load")" = "$(cat "$TEST_TMP/w$n")" ] ||
		{ bad=$((bad + 1)); diag "client $n's writes are out of order in the feed"; }
done
is "$bad" 0 "each client's writes are in the feed in the order it made them"
is "$(cat "$TEST_TMP/poll")" "$(cat "$TEST_TMP/load")" \
	'a reader polling during the load saw the same sequence (no gap, no repeat)'

# --- a mirror from the export and the feed --------------------------------------

for n in 5 6; do : >"$TEST_TMP/w$n"; writer "$n" 6 & pids[n]=$!; done
sleep 0.2
curl -sk --max-time 60 -D "$TEST_TMP/exp.h" -o "$TEST_TMP/exp" \
	-H "x-api-key: $USERS_API_KEY" -H "Authorization: Bearer $USERS_TOKEN" \
	"$USERS_URL/v1/users/export"
XC=$(tr -d '\r' <"$TEST_TMP/exp.h" | awk -F': ' 'tolower($1) == "x-changes-cursor" { print $2 }')
like "$XC" '^[0-9]+$' 'the export: an X-Changes-Cursor'
for n in 5 6; do wait "${pids[n]}"; done
# Another change after the writers, so the feed has something to apply.
api PATCH "/v1/users/update-user/$A" -H 'Content-Type: application/json' --data '{"country_id":"PE"}'
: >"$TEST_TMP/mirror.feed"
cur=$XC
while :; do
	api GET "/v1/users/changes?after=$cur&limit=50"
	if [ "$STATUS" != 200 ] || [ "$(body_len)" = 0 ]; then break; fi
	printf '%s' "$BODY" | jq -c '.message[]' >>"$TEST_TMP/mirror.feed"
	cur=$(header X-Next-Cursor)
done
ok 'the feed after the export cursor has changes' [ -s "$TEST_TMP/mirror.feed" ]
jq -c -n --slurpfile rows "$TEST_TMP/exp" --slurpfile ch "$TEST_TMP/mirror.feed" '
	reduce $ch[] as $c (
		(reduce $rows[] as $r ({}; .[$r.id | tostring] = $r));
		if $c.user == null then del(.[$c.id | tostring])
		else .[$c.id | tostring] = $c.user end)
	| [.[]] | sort_by(.id) | .[]' >"$TEST_TMP/mirror" 2>&1
rows_json 1 >"$TEST_TMP/table"
ok 'the mirror (export + feed) has rows' [ -s "$TEST_TMP/mirror" ]
is "$(diff "$TEST_TMP/mirror" "$TEST_TMP/table" | head -5)" '' 'the mirror equals the table'

# --- retention: 410 -------------------------------------------------------------

drain "$(feed_head)" /dev/null
OLD=$CUR
q "UPDATE user_changes SET at = at - INTERVAL 8 DAY WHERE seq > 0"
mk 99
api POST /v1/users/add-user -H 'Content-Type: application/json' --data-binary "$U"
KEPT=$(printf '%s' "$BODY" | jq -r .message.id)
all_purged() {
	sleep 0.2
	api GET "/v1/users/changes?after=$(feed_head)" >/dev/null
	[ "$(q 'SELECT purged FROM user_changes_head')" = "$OLD" ]
}
ok 'changes older than retention_days are purged (a prefix of the feed)' wait_for 30 all_purged
expect -n 'after older than retention' GET "/v1/users/changes?after=$((OLD - 1))" 410 "$GONE"
expect -n 'after=0 once purged' GET "/v1/users/changes?after=0" 410 "$GONE"
api GET "/v1/users/changes?after=$OLD"
is "$STATUS" 200 'after = the last purged seq: 200'
jq_is '[.message[] | [.op, .id]]' "[[\"add\",$KEPT]]" 'retention keeps the newer change'

end_writes
done_testing
