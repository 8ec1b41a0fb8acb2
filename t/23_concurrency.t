#!/usr/bin/env bash
# t/23_concurrency.t: writes racing each other (api.md "Fine points",
# Concurrency): clashing adds give exactly one 201, concurrent updates of
# different fields lose none, a row is deleted once. Makes its own users and
# deletes them when it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

ADD_CONFLICT_MSG='Bad request, could not add user. CHECK: The first_name next together the last_name should be uniques. The identification_type next together the identification_number should be uniques.'
UPDATE_CONFLICT_MSG='Bad request, could not update user. CHECK: The first_name next together the last_name should be uniques. The identification_type next together the identification_number should be uniques.'

# This run's names; its rows (mkrow: dated 2023-03-20 21:02:33) go when it
# exits (t/writes.sh), after the background requests have finished.
begin_writes C "'2023-03-20 21:02:33'"
at_exit wait

# bg OUT METHOD PATH [CURL ARGS...]: one request in the background; its
# status goes to OUT.code, its body to OUT.body. (lib.sh's api keeps the
# headers in one file, so it cannot run in parallel with itself.)
bg() {
	local out=$1 method=$2 path=$3
	shift 3
	curl -sk --path-as-is -X "$method" --max-time 30 -o "$out.body" \
		-w '%{http_code}' -H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" -H 'Expect:' \
		"$@" "$USERS_URL$path" >"$out.code" &
}

# tally NAME: the statuses of the requests NAME.*, counted: "1x201 19x409".
tally() {
	local f
	for f in "$TEST_TMP/$1".*.code; do
		cat "$f"
		echo
	done | sort | uniq -c | awk '{ printf "%s%dx%s", s, $1, $2; s = " " }'
}

# messages NAME STATUS MESSAGE: how many NAME.* answers with STATUS carry
# MESSAGE.
messages() {
	local f n=0
	for f in "$TEST_TMP/$1".*.code; do
		[ "$(cat "$f")" = "$2" ] || continue
		[ "$(jq -r .message "${f%.code}.body" 2>/dev/null)" = "$3" ] &&
			n=$((n + 1))
	done
	echo "$n"
}

# winner NAME STATUS: the id in the body of the NAME.* answer with STATUS.
winner() {
	local f
	for f in "$TEST_TMP/$1".*.code; do
		if [ "$(cat "$f")" = "$2" ]; then
			jq -r '.message.id // empty' "${f%.code}.body" 2>/dev/null
			return
		fi
	done
}

# race NAME N BODYFN: N parallel adds; BODYFN I prints the body of add I.
race() {
	local i bodies=()
	for ((i = 1; i <= $2; i++)); do
		bodies[i]=$($3 "$i")
	done
	for ((i = 1; i <= $2; i++)); do
		bg "$TEST_TMP/$1.$i" POST /v1/users/add-user \
			-H 'Content-Type: application/json' --data-binary "${bodies[i]}"
	done
	wait
}

# --- adds of one (first_name, last_name) -------------------------------------

same_names() {
	jq -nc --arg r "$RUN" --arg i "$1" --arg t "$TYPE" '{
		nickname: ("RACE_" + $r + "_" + $i), first_name: ("Same" + $r),
		last_name: "Racer", email: ("r" + $i + "." + $r + "@example.com"),
		identification_type: $t, identification_number: ($r + "n" + $i),
		country_id: "AR"}'
}
race names 20 same_names
is "$(tally names)" '1x201 19x409' '20 parallel adds of one name: one 201, the rest 409'
is "$(messages names 409 "$ADD_CONFLICT_MSG")" 19 'the 409s carry the contract message'
is "$(q "SELECT COUNT(*) FROM users WHERE first_name = 'Same$RUN' AND last_name = 'Racer'")" 1 \
	'one name: exactly one row'
is "$(q "SELECT id FROM users WHERE first_name = 'Same$RUN' AND last_name = 'Racer'")" \
	"$(winner names 201)" 'one name: the row is the 201 answer'
is "$(q "SELECT COUNT(*) FROM users WHERE identification_type = '$TYPE' AND identification_number LIKE '${RUN}n%'")" 1 \
	'one name: no other row of the race'

# --- adds of one identification, the type in two letter cases ----------------

same_ident() {
	local t=$TYPE
	[ $(($1 % 2)) = 1 ] && t=${TYPE,,}
	jq -nc --arg r "$RUN" --arg i "$1" --arg t "$t" '{
		nickname: ("IDENT_" + $r + "_" + $i), first_name: ("Ident" + $r),
		last_name: ("Racer" + $i), email: ("i" + $i + "." + $r + "@example.com"),
		identification_type: $t, identification_number: ($r + "shared"),
		country_id: "AR"}'
}
race ident 20 same_ident
is "$(tally ident)" '1x201 19x409' '20 parallel adds of one identification: one 201'
is "$(messages ident 409 "$ADD_CONFLICT_MSG")" 19 'the 409s carry the contract message'
is "$(q "SELECT COUNT(*) FROM users WHERE identification_type = '$TYPE' AND identification_number = '${RUN}shared'")" 1 \
	'one identification: exactly one row'

# --- adds of one name in several cases and accents ------------------------------

VARIANTS=(Ramón ramon RAMON Ramon RAMÓN rámon RaMóN ramón Rámón RAMóN)
accents() {
	local last="Accent$RUN"
	[ $(($1 % 2)) = 1 ] && last="ACCENT$RUN"
	jq -nc --arg r "$RUN" --arg i "$1" --arg t "$TYPE" \
		--arg f "${VARIANTS[$1 % ${#VARIANTS[@]}]}" --arg l "$last" '{
		nickname: ("ACC_" + $r + "_" + $i), first_name: $f, last_name: $l,
		email: ("a" + $i + "." + $r + "@example.com"),
		identification_type: $t, identification_number: ($r + "a" + $i),
		country_id: "AR"}'
}
race accent 20 accents
is "$(tally accent)" '1x201 19x409' '20 parallel adds of Ramón/RAMON/ramon…: one 201'
is "$(q "SELECT COUNT(*) FROM users WHERE first_name = 'ramon' AND last_name = 'accent$RUN'")" 1 \
	'Ramón/RAMON/ramon…: exactly one row'

# --- updates of different fields of one user --------------------------------------

mkrow
P=$NEWID
ok "a row made with SQL ($P)" test -n "$P"
for r in 1 2 3 4 5 6 7 8 9 10; do
	bg "$TEST_TMP/patch$r.a" PATCH "/v1/users/update-user/$P" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"nickname\":\"R${r}_NICK_$RUN\"}"
	bg "$TEST_TMP/patch$r.b" PUT "/v1/users/update-user/$P" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"email\":\"r$r.$RUN@example.com\"}"
	bg "$TEST_TMP/patch$r.c" PATCH "/v1/users/update-user/$P" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"country_id\":\"C$r\"}"
	wait
	is "$(tally "patch$r")" '3x200' "update round $r: three 200"
	is "$(q "SELECT CONCAT_WS('|', nickname, email, country_id) FROM users WHERE id = $P")" \
		"R${r}_NICK_$RUN|r$r.$RUN@example.com|C$r" \
		"update round $r: all three new values stored (no field lost)"
done
is "$(q "SELECT CONCAT_WS('|', first_name, last_name, identification_type, identification_number, creation_date) FROM users WHERE id = $P")" \
	"CF${RUN}k1|CL${RUN}k1|$TYPE|${RUN}k1|2023-03-20 21:02:33" \
	'after the rounds: the untouched fields and creation_date as they were'

# --- updates of several users to one name ---------------------------------------

ids=()
for i in 1 2 3 4 5 6 7 8 9 10; do
	mkrow
	ids+=("$NEWID")
done
for i in "${!ids[@]}"; do
	bg "$TEST_TMP/clash.$i" PATCH "/v1/users/update-user/${ids[i]}" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"first_name\":\"Clash$RUN\",\"last_name\":\"Twin\"}"
done
wait
is "$(tally clash)" '1x200 9x409' '10 parallel updates to one name: one 200, the rest 409'
is "$(messages clash 409 "$UPDATE_CONFLICT_MSG")" 9 'the 409s carry the contract message'
in=$(IFS=,; printf '%s' "${ids[*]}")
is "$(q "SELECT COUNT(*) FROM users WHERE first_name = 'Clash$RUN' AND last_name = 'Twin'")" 1 \
	'one name: exactly one row has it'
is "$(q "SELECT COUNT(*) FROM users WHERE id IN (${in:-0}) AND first_name LIKE 'CF$RUN%'")" 9 \
	'one name: the nine others keep their names'

# --- deletes of one user ----------------------------------------------------------

mkrow
V=$NEWID
n=$(count)
for i in 1 2 3 4 5 6 7 8 9 10; do
	bg "$TEST_TMP/del.$i" DELETE "/v1/users/delete-user/$V"
done
wait
is "$(tally del)" '1x200 9x404' '10 parallel deletes of one user: one 200, the rest 404'
is "$(q "SELECT COUNT(*) FROM users WHERE id = ${V:-0}")" 0 'the row is gone'
is "$(count)" $((n - 1)) 'exactly one row less'

# --- the sample users are untouched; clean up -----------------------------------

end_writes

done_testing
