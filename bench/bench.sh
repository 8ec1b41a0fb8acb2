# bench/bench.sh: `./stack bench`, sourced by stack (it uses stack's
# functions and variables): a synthetic table, then wrk and sysbench
# measure nginx alone (S), MariaDB alone (D) and each route against
# C = 1 / (1/S + 1/D), the ceiling of a request that costs both.

BENCH_DIR=$ROOT/bench
# The filtered lists, the counts and the export.
# shellcheck source=bench/query.sh
. "$BENCH_DIR/query.sh"
# MariaDB holds the whole table in memory, as a server sized for its data
# would; the bench's own server only (stack's db_start).
BENCH_DB_OPTIONS=(--innodb-buffer-pool-size=2G --innodb-log-file-size=512M)
# Rows per INSERT ... SELECT while loading.
BENCH_CHUNK=200000
# The list routes' page size: the API's default.
BENCH_LIMIT=5
# nginx's upstream keepalive (per nginx worker) when fastcgi_keep_conn is on.
BENCH_KEEPALIVE=${BENCH_KEEPALIVE:-32}
# Set while the keep-alive variant of the nginx configuration is written.
BENCH_KEEP_CONN=0

bench_usage() {
	cat <<'EOF'
usage: ./stack bench [--smoke | --hold | --profile]
  Starts a bench stack (var/bench/, https://localhost:28443, MariaDB on
  127.0.0.1:23307; STACK_INSTANCE=N moves them as for test), loads
  BENCH_USERS synthetic users (default 1000000), runs wrk -t2 -c32 for
  BENCH_SECONDS (default 10) per route and sysbench oltp_point_select with
  32 threads, exports the whole table once with curl (rows/s, the
  workers' peak RSS), prints the table and writes var/bench/results.tsv,
  export.tsv, rss.tsv and bench.png, then stops the stack. It fails when a
  request fails, a run completes none, a count=exact differs from the
  table's or the export's rows from BENCH_USERS, never on a number.
  --smoke (or BENCH_SMOKE=1): 1000 users, 1-second runs (./stack test).
  --hold: starts and loads the stack, then leaves it running unmeasured
  (for wrk or perf of one's own); ./stack down bench stops it.
  --profile: instead of the table, by id under wrk with perf recording
  the whole machine; writes var/bench/profile.txt and perf.data.
  BENCH_KEEPALIVE (default 32): nginx's upstream keepalive (per nginx
  worker) in the fastcgi_keep_conn runs.
EOF
}

# bench_nginx_site SITE: called by stack's nginx_write_conf for the bench
# stack. Drops the per-key rate limit (a load test is the runaway client it
# stops), adds, on the same TLS listener, a static reply of a user-sized
# JSON behind the same x-api-key check, and, with BENCH_KEEP_CONN=1, keeps
# the FastCGI connections open (an upstream with keepalive).
bench_nginx_site() {
	local site=$1 body='{"message":"bench"}'
	[ -s "$S/static-user.json" ] && body=$(cat "$S/static-user.json")
	case $body in
	*\'* | *\\* | *\$*) die "static-user.json has a ' \\ or \$ nginx would read" ;;
	esac
	cat >"$S/nginx/bench-server.conf" <<EOF
# Written by ./stack bench: nginx's own answer, the bench's S.
location = /_bench/static-user {
	if (\$users_api_key_name = "") {
		return 403 '{"message":"Not authenticated, check x_api_key and Authorization"}';
	}
	return 200 '$body';
}
EOF
	sed -i -e '/^[[:space:]]*limit_req zone=/d' \
		-e "s|^\([[:space:]]*listen 127.0.0.1:$HTTPS_PORT ssl;\)\$|&\n\tinclude $S/nginx/bench-server.conf;|" \
		"$site"
	! grep -n 'limit_req zone=' "$site" >&2 ||
		die "could not drop the rate limit from $site"
	grep -q "include $S/nginx/bench-server.conf;" "$site" ||
		die "could not add the bench's static location to $site"
	[ "$BENCH_KEEP_CONN" = 1 ] || return 0
	sed -i "s|^\([[:space:]]*\)fastcgi_pass usersd_responders;\$|\1fastcgi_pass usersd_bench;\n\1fastcgi_keep_conn on;|" \
		"$site"
	grep -q 'fastcgi_keep_conn on;' "$site" ||
		die "could not switch $site to fastcgi_keep_conn"
	cat >>"$site" <<EOF

# Written by ./stack bench: FastCGI connections kept open between requests.
upstream usersd_bench {
	server unix:$APP_SOCK;
	keepalive $BENCH_KEEPALIVE;
}
EOF
}

# bench_sql: the MariaDB client on the bench's users database, as root.
bench_sql() {
	db_client --database=users -N -B "$@"
}

# bench_schema: the users table as MariaDB describes it, less its
# AUTO_INCREMENT counter.
bench_schema() {
	bench_sql -r -e 'SHOW CREATE TABLE users' |
		sed 's/ AUTO_INCREMENT=[0-9]*//'
}

# bench_load: BENCH_USERS users with ids 1..N made inside MariaDB from the
# sequence engine, in chunks. Every value follows from the id, so names and
# identifications are unique by construction: first names cycle through
# 1000 values and last names change every 1000 ids; one email in 100000
# has the rare domain rare-mail.example, one in four gmail.com; one user a
# minute from 2022-01-01 (1440 a day). The primary key, the unique keys and
# the check hold during the load; the plain indexes are dropped before and
# built again after it, sorted: a third faster than keeping them row by row.
bench_load() {
	local from to start=$SECONDS schema keys name def drop="" add=""
	say "loading $BENCH_USERS users"
	schema=$(bench_schema)
	# shellcheck disable=SC2016 # the backquotes are SQL's, not the shell's
	keys=$(sed -n 's/^  \(\(FULLTEXT \|SPATIAL \)\?KEY \(`[^`]*`\).*[^,]\),\?$/\3\t\1/p' \
		<<<"$schema")
	while IFS=$'\t' read -r name def; do
		[ -n "$name" ] || continue
		drop+="${drop:+, }DROP KEY $name"
		add+="${add:+, }ADD $def"
	done <<<"$keys"
	# A bulk load is not a change: the feed starts empty (a mirror starts
	# from the export), and the triggers are skipped below.
	bench_sql -e 'TRUNCATE TABLE users; TRUNCATE TABLE user_trigram_blocks;
		TRUNCATE TABLE user_trigram_columns; TRUNCATE TABLE user_days;
		TRUNCATE TABLE user_changes; TRUNCATE TABLE user_idempotency;
		UPDATE user_changes_head SET seq = 0, purged = 0;
		UPDATE user_trigram_head SET seq = 0'
	[ -z "$drop" ] || bench_sql -e "ALTER TABLE users $drop"
	for ((from = 1; from <= BENCH_USERS; from += BENCH_CHUNK)); do
		to=$((from + BENCH_CHUNK - 1))
		[ $to -le "$BENCH_USERS" ] || to=$BENCH_USERS
		# The load leaves no change behind, so the trigram index is
		# filled in one pass after it (sql/07's backfill, which the
		# emptied user_trigram_columns asks for).
		bench_sql <<EOF || die "loading users $from..$to failed"
SET @users_changes_bulk = 1;
INSERT INTO users (id, nickname, first_name, last_name, email,
	identification_type, identification_number, country_id,
	creation_date, update_date)
SELECT seq, UPPER(CONCAT(f, ' ', l)), f, l,
	CONCAT(LOWER(f), '.', LOWER(l), '@', IF(seq % 100000 = 1,
		'rare-mail.example', ELT(1 + seq % 4, 'gmail.com',
		'hotmail.com', 'yahoo.com', 'outlook.com'))),
	ELT(1 + seq % 3, 'DNI', 'CC', 'PASSPORT'), LPAD(seq, 10, '0'),
	ELT(1 + seq % 6, 'AR', 'BR', 'CL', 'CO', 'MX', 'UY'),
	c, c + INTERVAL seq % 7 DAY
FROM (SELECT seq, CONCAT('Name', seq % 1000) AS f,
	CONCAT('Surname', seq DIV 1000) AS l,
	TIMESTAMP'2022-01-01 00:00:00' + INTERVAL seq MINUTE AS c
	FROM seq_${from}_to_${to}) AS s;
EOF
	done
	say "inserted the rows in $((SECONDS - start)) s; building the indexes"
	[ -z "$add" ] || bench_sql -e "ALTER TABLE users $add"
	say "indexing the trigrams of the seven text columns"
	bench_sql <sql/07_search_trigrams.sql ||
		die "sql/07_search_trigrams.sql failed"
	bench_sql <sql/08_user_days.sql || die "sql/08_user_days.sql failed"
	[ "$(bench_schema)" = "$schema" ] ||
		die "the users table differs from sql/*.sql's after the load"
	bench_sql -e 'ANALYZE TABLE users' >/dev/null
	[ "$(bench_sql -e 'SELECT COUNT(*) FROM users')" = "$BENCH_USERS" ] ||
		die "the users table does not hold $BENCH_USERS rows"
	say "loaded $BENCH_USERS users in $((SECONDS - start)) s"
}

# bench_static: nginx's static answer becomes the by-id answer of the
# middle user, byte for byte, and nginx reloads with it.
bench_static() {
	curl -sk --max-time 5 -H "x-api-key: $API_KEY" \
		-H "Authorization: Bearer $TOKEN" \
		"$URL/v1/users/id/$((BENCH_USERS / 2))" >"$S/static-user.json" ||
		die "could not read user $((BENCH_USERS / 2))"
	grep -q '"identification_number"' "$S/static-user.json" ||
		die "user $((BENCH_USERS / 2)) is not a user: $(cat "$S/static-user.json")"
	bench_nginx_reload
}

# bench_nginx_reload: writes the configuration again, reloads nginx and
# waits until its new workers answer.
bench_nginx_reload() {
	nginx_start
	sleep 1
	wait_ready
}

# bench_probe METHOD PATH BODY ERE: one request that must answer 2xx with a
# body matching ERE (BODY '' for none), so that a route the bench gets
# wrong, or an empty answer from a table loaded wrong, fails with its
# answer rather than as a count.
bench_probe() {
	local out code
	out=$(curl -sk --max-time 30 -X "$1" -H "x-api-key: $API_KEY" \
		-H "Authorization: Bearer $TOKEN" \
		${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
		-w '\n%{http_code}' "$URL$2") || die "$1 $2: curl failed"
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	[[ $code == 2?? ]] || die "$1 $2 answered $code: $out"
	grep -Eq -- "$4" <<<"$out" ||
		die "$1 $2 answered $code without /$4/: $out"
}

# Answers holding at least one user, or exactly one.
BENCH_SOME='^\{"message":\[\{"id":[0-9]+,'
BENCH_ONE='^\{"message":\{"id":[0-9]+,'

# bench_drain: waits until the responder runs no more queries, so that the
# requests wrk left queued do not weigh on the next measurement.
bench_drain() {
	local quiet=0 deadline=$((SECONDS + 60))
	while [ $quiet -lt 2 ] && [ $SECONDS -lt $deadline ]; do
		if [ "$(db_client -N -B -e "SELECT COUNT(*) FROM
			information_schema.PROCESSLIST WHERE USER = 'usersd'
			AND COMMAND <> 'Sleep'")" = 0 ]; then
			quiet=$((quiet + 1))
		else
			quiet=0
		fi
		sleep 0.1
	done
}

# bench_row NAME REQ_PER_S P50_MS P99_MS ERRORS NGINX_P50 NGINX_P99 CPU...:
# one line of the results. CPU: the four "CPU microseconds a request"
# figures of bench_cpu_split.
bench_row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" \
		>>"$S/results.raw"
	printf '  %-28s %8s req/s  p50 %6s ms  p99 %6s ms  errors %s\n' \
		"$1" "$2" "$3" "$4" "$5"
}

# bench_ms MICROSECONDS
bench_ms() {
	awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'
}

# bench_ticks PID...: the CPU time (user + system, in clock ticks) these
# processes have used so far, all their threads included.
bench_ticks() {
	local sum=0 pid t
	for pid in "$@"; do
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) ||
			t=0
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}

# bench_cpu_now: "NGINX RESPONDER MARIADB" CPU ticks used so far, masters
# and workers together.
bench_cpu_now() {
	local ng app db
	ng=$(running "$NGINX_PID") || die "nginx does not run"
	app=$(running "$APP_PID") || die "the responder does not run"
	db=$(running "$DB_PID") || die "MariaDB does not run"
	# shellcheck disable=SC2046 # the pids are words
	echo "$(bench_ticks "$ng" $(ps -o pid= --ppid "$ng"))" \
		"$(bench_ticks "$app" $(ps -o pid= --ppid "$app"))" \
		"$(bench_ticks "$db")"
}

# bench_cpu_split BEFORE AFTER CLIENT_TICKS REQUESTS: CPU microseconds a
# request cost nginx, the responder, MariaDB and the load generator (wrk or
# sysbench) between two bench_cpu_now readings: where the time goes.
bench_cpu_split() {
	awk -v b="$1" -v a="$2" -v c="$3" -v n="$4" -v hz="$(getconf CLK_TCK)" '
		BEGIN {
			split(b, x, " "); split(a, y, " ")
			f = n > 0 ? 1e6 / hz / n : 0
			printf "%.0f\t%.0f\t%.0f\t%.0f", (y[1] - x[1]) * f,
			    (y[2] - x[2]) * f, (y[3] - x[3]) * f, c * f
		}'
}

# bench_nginx_latency FROM: p50 and p99 (ms) of the request times nginx
# logged from byte FROM of its access log on: the server's view, without
# the load generator's own waits for a CPU (it shares the machine).
# nginx's $request_time has millisecond resolution.
bench_nginx_latency() {
	tail -c +"$(($1 + 1))" "$S/log/usersd.access.log" |
		sed -n 's/.*"request_time":\([0-9.]*\),.*/\1/p' | sort -n |
		awk '{ t[NR] = $1 }
			END {
				if (NR == 0) { printf "-\t-"; exit }
				# Nearest rank: the smallest value with at
				# least half (99 %) of them at or below it.
				m = int((NR + 1) / 2)
				p = int(NR * 0.99)
				if (p < NR * 0.99) p++
				printf "%.0f\t%.0f", t[m] * 1000, t[p] * 1000
			}'
}

# bench_wrk NAME MODE PATH [CONNECTIONS]: wrk at the fixed settings (32
# connections unless told) against one route. A request slower than 10 s
# counts as an error (a timeout).
bench_wrk() {
	local name=$1 c=${4:-32} log line n secs p50 p99 st co rd wr to
	local before after client from
	log=$S/log/wrk-${name//[^A-Za-z0-9]/_}.log
	from=$(stat -c %s "$S/log/usersd.access.log")
	before=$(bench_cpu_now)
	# The subshell waits for wrk, then reads wrk's CPU time from its own
	# children's total (fields 16 and 17 of /proc/PID/stat).
	(BENCH_MODE=$2 BENCH_MAX_ID=$BENCH_USERS BENCH_TAG=$BENCH_TAG \
		BENCH_API_KEY=$API_KEY BENCH_TOKEN=$TOKEN \
		wrk -t"$((c < 2 ? c : 2))" -c"$c" -d"${BENCH_SECONDS}s" --timeout 10s \
		-s "$BENCH_DIR/wrk.lua" "$URL$3" >"$log" 2>&1 || exit 1
	awk '{ print $16 + $17 }' "/proc/$BASHPID/stat" >"$log.ticks") ||
		{ cat "$log" >&2; die "wrk failed on $name"; }
	after=$(bench_cpu_now)
	client=$(cat "$log.ticks")
	line=$(grep '^BENCH' "$log") ||
		{ cat "$log" >&2; die "no result from wrk on $name"; }
	IFS=$'\t' read -r _ n secs p50 p99 st co rd wr to <<<"$line"
	if [ "$n" -gt 0 ]; then
		p50=$(bench_ms "$p50") p99=$(bench_ms "$p99")
	else
		p50=- p99=-
	fi
	# shellcheck disable=SC2046 # two and four fields, numbers or -
	bench_row "$name" \
		"$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" \
		"$p50" "$p99" $((st + co + rd + wr + to)) \
		$(bench_nginx_latency "$from") \
		$(bench_cpu_split "$before" "$after" "$client" "$n")
	bench_drain
}

# bench_sysbench: MariaDB's own point selects (prepared, over the unix
# socket like the responder's) on a table of the same size in its own
# schema, by 32 clients.
bench_sysbench() {
	local pw log args tps n p50 p99 errors before after client
	pw=$(openssl rand -hex 16)
	db_client <<EOF
CREATE DATABASE sbtest;
CREATE USER 'sbtest'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL ON sbtest.* TO 'sbtest'@'localhost';
EOF
	args=(--db-driver=mysql --mysql-socket="$DB_SOCK"
		--mysql-user=sbtest --mysql-password="$pw" --mysql-db=sbtest
		--tables=1 --table-size="$BENCH_USERS" --rand-type=uniform)
	log=$S/log/sysbench.log
	say "sysbench prepares $BENCH_USERS rows"
	sysbench oltp_point_select "${args[@]}" prepare >"$log" 2>&1 ||
		{ cat "$log" >&2; die "sysbench prepare failed"; }
	before=$(bench_cpu_now)
	(sysbench oltp_point_select "${args[@]}" --threads=32 \
		--time="$BENCH_SECONDS" --percentile=99 --histogram=on run \
		>>"$log" 2>&1 || exit 1
	awk '{ print $16 + $17 }' "/proc/$BASHPID/stat" >"$log.ticks") ||
		{ cat "$log" >&2; die "sysbench run failed"; }
	after=$(bench_cpu_now)
	client=$(cat "$log.ticks")
	tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)$/\1/p' "$log")
	n=$(sed -n 's/^ *transactions: *\([0-9]*\) .*/\1/p' "$log")
	errors=$(sed -n 's/^ *ignored errors: *\([0-9]*\) .*/\1/p' "$log")
	p99=$(sed -n 's/^ *99th percentile: *\([0-9.]*\)$/\1/p' "$log")
	# The median from the histogram: "value |*** count" lines.
	p50=$(awk '/^ *[0-9.]+ \|\**  *[0-9]+$/ { v[n] = $1; c[n++] = $NF; t += $NF }
		END { for (i = 0; i < n; i++) if ((s += c[i]) * 2 >= t) {
			printf "%.2f", v[i]; exit } }' "$log")
	{ [ -n "$tps" ] && [ -n "$n" ] && [ -n "$errors" ] && [ -n "$p99" ]; } ||
		{ cat "$log" >&2; die "could not read sysbench's results"; }
	# shellcheck disable=SC2046 # four fields
	bench_row "D: MariaDB point select" "${tps%.*}" "${p50:--}" "$p99" \
		"$errors" - - $(bench_cpu_split "$before" "$after" "$client" "$n")
	db_client -e 'DROP DATABASE sbtest'
}

# bench_cursor PAGE: the X-Next-Cursor of list page PAGE, which continues
# at page PAGE + 1.
bench_cursor() {
	curl -sk --max-time 30 -D - -o /dev/null -H "x-api-key: $API_KEY" \
		-H "Authorization: Bearer $TOKEN" \
		"$URL/v1/users/list?page=$1&limit=$BENCH_LIMIT" |
		tr -d '\r' | sed -n 's/^[Xx]-[Nn]ext-[Cc]ursor: *//p'
}

# bench_routes: our routes, reads first, then the writes.
bench_routes() {
	local day deep p cursor
	deep=$(bench_deep_page)
	day=$(bench_sql -e "SELECT DATE(creation_date) FROM users
		WHERE id = $((BENCH_USERS / 2))")
	# The FastCGI hop alone: nginx, the responder, no database.
	bench_probe GET /v1/test '' '^\{"message":'
	bench_wrk "hop: /v1/test, no database" get /v1/test
	bench_probe GET /v1/users/id/1 '' "$BENCH_ONE"
	bench_wrk "by id" id /v1/users/id/1
	# Eight times the connections: errors and the p99 when requests queue.
	bench_wrk "by id, 256 connections" id /v1/users/id/1 256
	bench_slow_mix "by id, a slow page mixed in"
	for p in "list page 0|/v1/users/list?page=0&limit=$BENCH_LIMIT" \
		"list page $deep|/v1/users/list?page=$deep&limit=$BENCH_LIMIT" \
		"email rare-mail (rare)|/v1/users/email/rare-mail" \
		"email gmail (common)|/v1/users/email/gmail" \
		"country AR|/v1/users/country-id/AR" \
		"creation date $day|/v1/users/creation-date/$day"; do
		bench_probe GET "${p#*|}" '' "$BENCH_SOME"
		bench_wrk "${p%%|*}" get "${p#*|}"
	done
	# The deep page again, by keyset: a cursor that continues there.
	cursor=$(bench_cursor $((deep - 1)))
	[[ $cursor =~ ^[A-Za-z0-9_-]+$ ]] ||
		die "list page $((deep - 1)) has no X-Next-Cursor: '$cursor'"
	p="/v1/users/list?limit=$BENCH_LIMIT&cursor=$cursor"
	bench_probe GET "$p" '' "$BENCH_SOME"
	bench_wrk "list page $deep, cursor" get "$p"
	# Before the writes: the export must count BENCH_USERS rows.
	bench_query_routes
	bench_export
	# The substring search's latency target is for one client alone, on
	# every route: three users whose values no generated user shares.
	bench_wrk "email rare-mail, 1 client" get /v1/users/email/rare-mail 1
	for i in 1 2 3; do
		bench_probe POST /v1/users/add-user "{\"nickname\":\"QUOKKA W$i\",
			\"first_name\":\"Quokkaf$i\",\"last_name\":\"Walrusqq\",
			\"email\":\"quokka.walrus$i@rare.example\",
			\"identification_type\":\"QKTYPE\",
			\"identification_number\":\"QX51234$i\",
			\"country_id\":\"QKLND\"}" "$BENCH_ONE"
	done
	for p in "nickname|QUOKKA" "first-name|uokkaf" "last-name|alrusq" \
		"identification-type|QKTYP" "identification-number|X5123" \
		"country-id|KLN"; do
		bench_probe GET "/v1/users/${p/|//}" '' "$BENCH_SOME"
		bench_wrk "${p%|*} ${p#*|}, 1 client" get "/v1/users/${p/|//}" 1
	done
	bench_probe POST /v1/users/add-user '{"nickname":"BENCH PROBE",
		"first_name":"Bench","last_name":"Probe",
		"email":"bench.probe@example.com","identification_type":"BENCH",
		"identification_number":"0000000000","country_id":"AR"}' \
		"$BENCH_ONE"
	bench_wrk "add user" add /v1/users/add-user
	# The tag changes so the keyed run's users are new ones.
	BENCH_TAG=$((BENCH_TAG + 1)) bench_wrk "add user, Idempotency-Key" \
		addkey /v1/users/add-user
	bench_probe PUT /v1/users/update-user/1 '{"nickname":"BENCH PROBE"}' \
		"$BENCH_ONE"
	bench_wrk "update user" update /v1/users/update-user/1
	# Conditional updates: each names the version it read.
	# wrk.lua tracks the versions from the answers' ETags, starting at 1.
	bench_sql -e "UPDATE users SET version = 1 WHERE id <= 4096"
	bench_wrk "update user, If-Match" update_if /v1/users/update-user/1
	bench_feed
}

# bench_feed: a page of 100 changes of the feed, well inside what the
# writes above left in it (a fixed after: every request reads a full page).
bench_feed() {
	local head after
	curl -sk --max-time 30 -o /dev/null -H "x-api-key: $API_KEY" \
		-H "Authorization: Bearer $TOKEN" "$URL/v1/users/changes" ||
		die "GET /v1/users/changes failed"
	head=$(bench_sql -e 'SELECT seq FROM user_changes_head')
	[ "${head:-0}" -ge 200 ] || die "the feed holds $head changes, not 200"
	after=$((head / 2))
	bench_probe GET "/v1/users/changes?after=$after&limit=100" '' \
		'^\{"message":\[\{"seq":[0-9]+,'
	bench_wrk "change feed, page of 100" get \
		"/v1/users/changes?after=$after&limit=100"
	# The latency target is for one client alone.
	bench_wrk "change feed, page of 100, 1 client" get \
		"/v1/users/changes?after=$after&limit=100" 1
}

# bench_keep_conn: by id and list page 0 again, nginx keeping its FastCGI
# connections open.
bench_keep_conn() {
	say "nginx with fastcgi_keep_conn on, upstream keepalive $BENCH_KEEPALIVE"
	BENCH_KEEP_CONN=1
	bench_nginx_reload
	BENCH_KEEP_CONN=0
	bench_wrk "by id, keep_conn" id /v1/users/id/1
	bench_wrk "list page 0, keep_conn" get \
		"/v1/users/list?page=0&limit=$BENCH_LIMIT"
	bench_slow_mix "by id, a slow page mixed in, keep_conn"
}

# bench_deep_page: the list page halfway through the table.
bench_deep_page() { echo $((BENCH_USERS / BENCH_LIMIT / 2)); }

# bench_slow_mix NAME: by id while one more client asks for the deep page
# by offset (a scan of half the table: a slow route) over and over; how
# long the fast requests wait behind the slow ones is in the p99. The CPU
# columns count the slow requests' too.
bench_slow_mix() {
	local loop page end=$((SECONDS + BENCH_SECONDS))
	page=$(bench_deep_page)
	rm -f "$S/slow-mix.failed"
	# As long as wrk runs (bench_wrk's drain waits for the last one).
	while [ $SECONDS -lt $end ]; do
		curl -sfk --max-time 30 -o /dev/null -H "x-api-key: $API_KEY" \
			-H "Authorization: Bearer $TOKEN" \
			"$URL/v1/users/list?page=$page&limit=$BENCH_LIMIT" ||
			{ : >"$S/slow-mix.failed" && break; }
	done &
	loop=$!
	bench_wrk "$1" id /v1/users/id/1
	wait "$loop" || :
	[ ! -e "$S/slow-mix.failed" ] ||
		die "the slow page failed during $1 (list page $page)"
}

# bench_rss: each responder process's resident memory, from /proc.
bench_rss() {
	local master pid kib
	master=$(running "$APP_PID") || die "the responder does not run"
	printf 'pid\trole\trss_kib\n' >"$S/rss.tsv"
	for pid in "$master" $(ps -o pid= --ppid "$master"); do
		kib=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")
		if [ "$pid" = "$master" ]; then
			printf '%s\tmaster\t%s\n' "$pid" "$kib"
		else
			printf '%s\tworker\t%s\n' "$pid" "$kib"
		fi >>"$S/rss.tsv"
	done
	say "responder RSS after the run (KiB):"
	column -t -s $'\t' "$S/rss.tsv" | sed 's/^/  /'
}

# bench_report: results.tsv with the ratio to C, the table, the chart.
bench_report() {
	local s d c load
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	s=$(awk -F'\t' 'NR == 1 { print $2 }' "$S/results.raw")
	d=$(awk -F'\t' 'NR == 2 { print $2 }' "$S/results.raw")
	{ [ "$s" -gt 0 ] && [ "$d" -gt 0 ]; } || die "S or D is 0: no ceiling C"
	c=$(awk -v s="$s" -v d="$d" 'BEGIN { printf "%.0f", 1 / (1 / s + 1 / d) }')
	{
		printf 'route\treq_per_s\tp50_ms\tp99_ms\terrors\tratio_to_C'
		printf '\tnginx_p50_ms\tnginx_p99_ms\tcpu_us_nginx'
		printf '\tcpu_us_usersd\tcpu_us_mariadb\tcpu_us_client\n'
		awk -F'\t' -v c="$c" 'BEGIN { OFS = FS }
			{ print $1, $2, $3, $4, $5, sprintf("%.2f", $2 / c),
			    $6, $7, $8, $9, $10, $11 }' "$S/results.raw"
		printf 'C = 1/(1/S + 1/D)\t%s\t-\t-\t0\t1.00\t-\t-\t-\t-\t-\t-\n' "$c"
	} >"$S/results.tsv"
	printf '\n%s users, wrk -t2 -c32 -d%ss, sysbench 32 threads; %s; %s\n' \
		"$BENCH_USERS" "$BENCH_SECONDS" 'C = 1/(1/S + 1/D)' \
		"load average $load"
	printf '%s\n%s\n\n' "nginx_p*: the request times nginx logged (ms);" \
		"cpu_us_*: CPU microseconds a request cost each process group (client: wrk, or sysbench for D)"
	column -t -s $'\t' "$S/results.tsv"
	echo
	bench_export_report
	gnuplot -e "tsv='$S/results.tsv'; png='$S/bench.png'; S=$s; C=$c" \
		-e "users='$BENCH_USERS'; load='$load'" \
		"$BENCH_DIR/chart.gp" 2>"$S/log/gnuplot.log" ||
		{ cat "$S/log/gnuplot.log" >&2; die "gnuplot failed"; }
	say "wrote $S/results.tsv and $S/bench.png"
}

# bench_teardown: stops the bench stack, fails on a sanitizer report.
# nginx first: while it keeps FastCGI connections open, the responder's
# workers wait on them for their whole shutdown_timeout.
bench_teardown() {
	local rc=$?
	trap - EXIT
	stop_process nginx "$NGINX_PID" QUIT 10
	[ ! -f "$S/log/usersd.log" ] || responder_log_clean || rc=1
	stop_stack
	[ $rc -eq 0 ] || say "bench FAILED (exit $rc); logs in $S/log/"
	exit $rc
}

# bench_hold: leaves the loaded stack running for a look of one's own
# (wrk, perf) instead of measuring.
bench_hold() {
	trap - EXIT
	cat <<EOF

The bench stack runs at $URL with $BENCH_USERS users (rate limit off).
  wrk -t2 -c32 -d10s -s bench/wrk.lua $URL/v1/users/id/1 with
  BENCH_MODE=id BENCH_MAX_ID=$BENCH_USERS BENCH_API_KEY=$API_KEY
  BENCH_TOKEN=$TOKEN in the environment.
Stop it with ./stack down bench.
EOF
	exit 0
}

# bench_perf_top ERE N ARGS...: the first N sample lines matching ERE of
# a perf report of perf.data (ARGS: its options).
bench_perf_top() {
	local ere=$1 n=$2
	shift 2
	# The pattern goes by the environment: awk -v would eat its escapes.
	perf report -i "$S/perf.data" --stdio "$@" 2>/dev/null |
		BENCH_ERE=$ere awk -v n="$n" '/^ +[0-9.]+%/ &&
			$0 ~ ENVIRON["BENCH_ERE"] && k < n { print; k++ }' || true
}

# bench_profile: by id under wrk while perf samples the whole machine
# (kernel included, with call graphs) in the middle of the run; writes
# perf.data and profile.txt: each command's share of the CPU, by library,
# where each spends its kernel time, the responder's own hottest functions.
bench_profile() {
	local rec wrkpid c
	rec=$((BENCH_SECONDS > 4 ? BENCH_SECONDS - 2 : BENCH_SECONDS))
	say "profiling by id: wrk for $BENCH_SECONDS s, perf record -a -g for $rec s"
	(BENCH_MODE=id BENCH_MAX_ID=$BENCH_USERS BENCH_TAG=$BENCH_TAG \
		BENCH_API_KEY=$API_KEY BENCH_TOKEN=$TOKEN \
		exec wrk -t2 -c32 -d"${BENCH_SECONDS}s" --timeout 10s \
		-s "$BENCH_DIR/wrk.lua" "$URL/v1/users/id/1") \
		>"$S/log/wrk-profile.log" 2>&1 &
	wrkpid=$!
	sleep 1
	perf record -a -g -o "$S/perf.data" -- sleep "$rec" \
		>"$S/log/perf.log" 2>&1 || { cat "$S/log/perf.log" >&2; die "perf record failed"; }
	wait "$wrkpid" || { cat "$S/log/wrk-profile.log" >&2; die "wrk failed"; }
	{
		echo "# by id, wrk -t2 -c32, $BENCH_USERS users:" \
			"$(grep '^Requests/sec' "$S/log/wrk-profile.log")"
		echo "# share of all CPU samples by command"
		bench_perf_top . 8 --no-children -g none --sort comm
		echo "# by command and library"
		bench_perf_top . 20 --no-children -g none --sort comm,dso
		for c in nginx usersd mariadbd; do
			echo "# $c: kernel functions, callees included (children, self; share of all samples)"
			bench_perf_top '\[k\]' 12 --children -g none \
				--comm "$c" --sort sym
		done
		echo "# usersd: its own and its libraries' hottest functions"
		bench_perf_top '\[\.\]' 25 --no-children -g none --comm usersd \
			--sort dso,sym
	} >"$S/profile.txt"
	cat "$S/profile.txt"
	say "wrote $S/profile.txt and $S/perf.data (perf report -i $S/perf.data)"
}

# bench_check: fails when a request failed or a run completed none.
bench_check() {
	local bad
	bad=$(awk -F'\t' '$5 != 0 || $2 == 0 { printf "%s%s", sep, $1; sep = ", " }' \
		"$S/results.raw")
	[ -z "$bad" ] || die "errors, or no request completed: $bad"
}

cmd_bench() {
	case ${1:-} in
	--smoke) BENCH_SMOKE=1 ;;
	--hold) BENCH_HOLD=1 ;;
	--profile) BENCH_PROFILE=1 ;;
	'') ;;
	-h | --help) bench_usage && exit 0 ;;
	*) bench_usage >&2 && exit 2 ;;
	esac
	if [ "${BENCH_SMOKE:-0}" = 1 ]; then
		BENCH_USERS=1000 BENCH_SECONDS=1
	fi
	BENCH_USERS=${BENCH_USERS:-1000000}
	BENCH_SECONDS=${BENCH_SECONDS:-10}
	{ [[ $BENCH_USERS =~ ^[1-9][0-9]*$ ]] && [ "$BENCH_USERS" -ge 100 ] &&
		[ "$BENCH_USERS" -le 100000000 ]; } ||
		die "BENCH_USERS is a number from 100 to 100000000"
	[[ $BENCH_SECONDS =~ ^[1-9][0-9]*$ ]] ||
		die "BENCH_SECONDS is a positive number"
	[[ $BENCH_KEEPALIVE =~ ^[1-9][0-9]*$ ]] ||
		die "BENCH_KEEPALIVE is a positive number"
	BENCH_TAG=$(($(date +%s) % 1000000))
	need_root
	select_stack bench
	check_paths
	if [ "${BENCH_PROFILE:-0}" = 1 ]; then
		install_packages "${BENCH_PACKAGES[@]}" linux-perf
	else
		install_packages "${BENCH_PACKAGES[@]}"
	fi
	build
	stop_stack
	rm -rf "$S"
	trap bench_teardown EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# shellcheck disable=SC2034 # stack's db_start reads it
	DB_OPTIONS=("${BENCH_DB_OPTIONS[@]}")
	start_stack
	wait_ready
	bench_load
	bench_static
	[ "${BENCH_HOLD:-0}" = 1 ] && bench_hold
	if [ "${BENCH_PROFILE:-0}" = 1 ]; then
		bench_profile
		return
	fi
	: >"$S/results.raw"
	say "measuring, $BENCH_SECONDS s a run," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg)"
	bench_probe GET /_bench/static-user '' "$BENCH_ONE"
	bench_wrk "S: nginx static reply" get /_bench/static-user
	bench_sysbench
	bench_routes
	bench_keep_conn
	bench_rss
	bench_report
	bench_check
}
