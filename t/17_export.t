#!/usr/bin/env bash
# t/17_export.t: GET /v1/users/export (api-extensions.md section 7): the
# whole table (several keyset chunks) as NDJSON and as CSV, parsed back
# and compared row by row with SQL; filters, fields and orderAt; the
# formula-injection guard; the JSON 400s before the first byte; and a
# failure after the first byte that no client can take for a whole export.
. "$(dirname "$0")/lib.sh"

EXPORT=/v1/users/export
TAG=zq17e
N=2600 # rows added: three chunks of 1000 and a part

at_exit q "DELETE FROM users WHERE nickname LIKE '${TAG}%'"
q "DELETE FROM users WHERE nickname LIKE '${TAG}%'"
# Texts a spreadsheet would run, quotes, commas, line breaks, UTF-8.
q "INSERT INTO users (nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date)
	SELECT CONCAT('${TAG}', seq),
		ELT(1 + seq % 8, '=1+2', '+SUM(A1)', '-3', '@cmd', CONCAT(CHAR(9), 'tab'),
			'say \"hi\", ok', CONCAT('two', CHAR(10), 'lines'), 'Ramón'),
		CONCAT('L', seq), CONCAT('${TAG}', seq, '@x.io'), 'EXP',
		CONCAT('917', LPAD(seq, 6, '0')), IF(seq % 3 = 0, 'ZE', 'ZF'),
		'2020-01-01 00:00:00' + INTERVAL seq MINUTE,
		'2021-01-01 00:00:00' + INTERVAL seq MINUTE
	FROM seq_1_to_$N"
total=$(q 'SELECT COUNT(*) FROM users')
ok "$N rows added ($total in all)" [ "$total" -gt "$N" ]

# export QUERY: GETs the export into $TEST_TMP/out; CURL_RC, STATUS,
# HEADERS as api sets them.
export_get() {
	CURL_RC=0
	curl -sk --max-time 60 -D "$TEST_TMP/h" -o "$TEST_TMP/out" \
		-H "x-api-key: $USERS_API_KEY" -H "Authorization: Bearer $USERS_TOKEN" \
		"$USERS_URL$EXPORT?$1" || CURL_RC=$?
	HEADERS=$(tr -d '\r' <"$TEST_TMP/h")
	STATUS=$(printf '%s\n' "$HEADERS" | awk 'NR == 1 { print $2 }')
	BODY=$(cat "$TEST_TMP/out")
}

# --- NDJSON ---------------------------------------------------------------

export_get ''
is "$CURL_RC/$STATUS" 0/200 'ndjson: 200, complete'
is "$(header Content-Type)" application/x-ndjson 'ndjson: Content-Type'
is "$(header X-Changes-Cursor)" "$(q 'SELECT seq FROM user_changes_head')" \
	'X-Changes-Cursor: the change feed head'
is "$(header Content-Length)" '' 'streamed: no Content-Length'
jq -c . "$TEST_TMP/out" >"$TEST_TMP/got" 2>&1
rows_json 1 >"$TEST_TMP/want"
is "$(wc -l <"$TEST_TMP/got")" "$total" 'ndjson: one line a user'
ok 'ndjson: every row as SQL has it, in id order' cmp -s "$TEST_TMP/got" "$TEST_TMP/want"
is "$(grep -c '' "$TEST_TMP/out")" "$total" 'ndjson: one object a line, nothing else'

export_get 'format=ndjson&orderAt=desc&filter.country_id=eq:ZE&filter.id=gt:100'
jq -c . "$TEST_TMP/out" >"$TEST_TMP/got"
rows_json "country_id = 'ZE' AND id > 100" 'id DESC' >"$TEST_TMP/want"
ok 'filtered, desc: the SQL rows' cmp -s "$TEST_TMP/got" "$TEST_TMP/want"
isnt "$(wc -l <"$TEST_TMP/want")" 0 'filtered, desc: SQL finds rows'

export_get 'fields=email,id&filter.nickname=sw:zq17e1'
is "$(jq -c 'keys_unsorted' "$TEST_TMP/out" | sort -u)" '["id","email"]' 'fields: the keys, in order'
is "$(jq -r .id "$TEST_TMP/out" | paste -sd' ' -)" "$(sql_ids "nickname LIKE 'zq17e1%'")" \
	'fields with a filter: the ids'

export_get 'filter.id=gt:2147483646'
is "$CURL_RC/$STATUS" 0/200 'nothing to export: 200'
is "$(wc -c <"$TEST_TMP/out")" 0 'nothing to export: an empty body'

# --- CSV -----------------------------------------------------------------

# csv_check FILE WHERE: FILE, parsed as RFC 4180, is the header and the
# rows of WHERE, a guard ' before a cell starting with = + - @ tab CR.
csv_check() {
	rows_json "$2" >"$TEST_TMP/want.json"
	python3 - "$1" "$TEST_TMP/want.json" <<'PY'
import csv, json, sys
cols = ["id", "nickname", "first_name", "last_name", "email",
        "identification_type", "identification_number", "country_id",
        "creation_date", "update_date"]
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
want = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
def cell(v):
    v = str(v)
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
if rows[0] != cols:
    print("header:", rows[0]); sys.exit(1)
if len(rows) - 1 != len(want):
    print("rows:", len(rows) - 1, "want", len(want)); sys.exit(1)
for got, w in zip(rows[1:], want):
    if got != [cell(w[c]) for c in cols]:
        print("got:", got, "want:", w); sys.exit(1)
PY
}

export_get 'format=csv'
is "$CURL_RC/$STATUS" 0/200 'csv: 200, complete'
is "$(header Content-Type)" 'text/csv; charset=utf-8' 'csv: Content-Type'
ok 'csv: parsed back, every row as SQL has it (guarded)' csv_check "$TEST_TMP/out" 1
is "$(head -c 12 "$TEST_TMP/out" | od -An -c | tr -s ' ' | head -1)" "$(printf 'id,nickname,' | od -An -c | tr -s ' ')" \
	'csv: the header line first'
ok 'csv: CRLF line ends' grep -q $'\r$' "$TEST_TMP/out"
like "$(grep -a -m1 "'=1+2" "$TEST_TMP/out")" "^[0-9]+,${TAG}[0-9]+,'=1\\+2," 'csv: = guarded'
export_get 'format=csv&fields=id,first_name&filter.first_name=in:-3,@cmd'
is "$(head -1 "$TEST_TMP/out" | tr -d '\r')" 'id,first_name' 'csv fields: the header'
is "$(sed 1d "$TEST_TMP/out" | tr -d '\r' | cut -d, -f2 | sort -u | paste -sd' ' -)" "'-3 '@cmd" \
	'csv fields: the guarded cells'
export_get 'format=csv&filter.id=gt:2147483646'
is "$(cat "$TEST_TMP/out")" "$(printf 'id,nickname,first_name,last_name,email,identification_type,identification_number,country_id,creation_date,update_date\r')" \
	'csv, nothing to export: the header only'

# --- errors before the first byte are JSON --------------------------------

FMSG='Bad request, the format parameter must be ndjson or csv.'
for bad in format= format=CSV format=json 'format=csv&format=csv' format; do
	expect -n "export $bad" GET "$EXPORT?$bad" 400 "$FMSG"
done
expect GET "$EXPORT?orderBy=email" 400 \
	'It is not possible to apply sorting based on the requested orderBy value. Invalid field'
expect GET "$EXPORT?orderAt=up" 400 \
	'It is not possible to apply sorting based on the requested orderAt value. Invalid field'
expect GET "$EXPORT?filter.x=eq:1" 400 \
	'It is not possible to apply filtering based on the requested filter value. Invalid field'
expect GET "$EXPORT?filter.id=co:1" 400 \
	'It is not possible to apply filtering based on the requested filter value. Invalid operator'
expect GET "$EXPORT?fields=x" 400 'It is not possible to select the requested fields. Invalid field'
is "$(header Content-Type)" 'application/json; charset=utf-8' 'a 400 is JSON'
expect -n 'export: POST' POST "$EXPORT" 405

# The responder's statements are killed while they send rows, again and
# again, during each export: an export either completes whole (curl
# exit 0, every row) or its client sees an error (no final chunk, or a
# reset stream), never a clean end after part of the rows.
# --- a failure after the first byte ----------------------------------------

# The responder's connections stay open from request to request: one
# client sends KILL QUERY to each, every millisecond or so, until stopped
# (on an idle connection it does nothing).
kill_loop() {
	local ids
	ids=$(q "SELECT id FROM information_schema.PROCESSLIST WHERE user = 'usersd'")
	for _ in $(seq 6000); do
		for id in $ids; do printf 'KILL QUERY %s;\n' "$id"; done
		printf 'DO SLEEP(0.001);\n'
	done >"$TEST_TMP/kills.sql"
	exec $USERS_MYSQL --force <"$TEST_TMP/kills.sql" >/dev/null 2>&1
}
# Enough rows that an export lasts long enough for the kills to land.
q "INSERT INTO users (nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date)
	SELECT CONCAT('${TAG}k', seq), CONCAT('K', seq), 'K', 'k@x.io', 'KIL',
		CONCAT('918', LPAD(seq, 6, '0')), 'ZK', UTC_TIMESTAMP(),
		UTC_TIMESTAMP()
	FROM seq_1_to_100000"
total=$(q 'SELECT COUNT(*) FROM users')
aborted=0 partial_ok=0
runs=0
while [ $runs -lt 10 ] && [ $aborted -lt 2 ]; do
	runs=$((runs + 1))
	kill_loop &
	killer=$!
	export_get 'format=ndjson'
	kill "$killer" 2>/dev/null
	wait "$killer" 2>/dev/null
	lines=$(grep -c '' "$TEST_TMP/out")
	if [ "$CURL_RC" != 0 ]; then
		aborted=$((aborted + 1))
	elif [ "$STATUS" = 200 ] && [ "$lines" != "$total" ]; then
		partial_ok=$((partial_ok + 1))
		diag "run $runs: curl 0, status 200, $lines of $total lines"
	fi
	diag "run $runs: curl $CURL_RC, status $STATUS, $lines lines"
done
is "$partial_ok" 0 'no export ends cleanly with part of the rows'
ok "the failure after the first byte reaches the client as an error ($aborted of $runs runs)" \
	[ "$aborted" -gt 0 ]
grep -q 'aborted the answer to /v1/users/export' "$USERS_STATE_DIR/log/usersd.log"
ok 'the responder logs the aborted export' [ $? = 0 ]
# The worker serves on afterwards.
export_get 'filter.id=le:3'
is "$CURL_RC/$STATUS/$(grep -c '' "$TEST_TMP/out")" 0/200/3 'after an abort: exports go on'

# --- memory -----------------------------------------------------------------

# Each worker's peak RSS (VmHWM) after exporting all the rows (100,000 and
# more) several times:
for _ in 1 2 3 4; do export_get 'format=csv'; done
records=$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))))' "$TEST_TMP/out")
is "$CURL_RC/$records" "0/$((total + 1))" 'a whole csv export: the header and every row'
# under 8 MiB (not measured under the sanitizers, whose shadow memory
# counts).
peak=0
for pid in $(ps -o pid= --ppid "$(cat "$USERS_STATE_DIR/usersd.pid")"); do
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
done
if ldd "$(built usersd)" 2>/dev/null | grep -q libasan; then
	skip "workers' peak RSS under 8 MiB ($peak kB)" 'a sanitizer build'
else
	ok "workers' peak RSS under 8 MiB ($peak kB)" [ "$peak" -gt 0 ] && [ "$peak" -lt 8192 ]
fi

done_testing
