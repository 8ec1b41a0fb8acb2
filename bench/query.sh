# bench/query.sh: the rows of filters, counts and export,
# sourced by bench/bench.sh (it uses its functions and stack's variables).

# The filtered list: one country (seq % 6, so a sixth of the users) and 30
# days of creation dates (1440 users a day) from the middle user's day on:
# about 7,200 matches at 1,000,000 users, every user at 1,000 (their 1,000
# minutes are within one day).
BENCH_QUERY_DAYS=30

# bench_query_range: "FROM TO" (YYYY-MM-DD), the dates the filter spans.
bench_query_range() {
	bench_sql -e "SELECT DATE(creation_date),
		DATE(creation_date) + INTERVAL $BENCH_QUERY_DAYS DAY
		FROM users WHERE id = $((BENCH_USERS / 2))"
}

# bench_count_probe PATH KIND EXPECTED: one request of PATH (which holds
# count=KIND) that must answer 2xx with users, X-Total-Count-Kind KIND and,
# for exact, X-Total-Count EXPECTED (for estimated, any positive number).
bench_count_probe() {
	local out head total kind code
	out=$(curl -sk --max-time 30 -D - -H "x-api-key: $API_KEY" \
		-H "Authorization: Bearer $TOKEN" -w '\n%{http_code}' \
		"$URL$1") || die "GET $1: curl failed"
	code=${out##*$'\n'}
	head=$(tr -d '\r' <<<"$out")
	total=$(sed -n 's/^[Xx]-[Tt]otal-[Cc]ount: *//p' <<<"$head")
	kind=$(sed -n 's/^[Xx]-[Tt]otal-[Cc]ount-[Kk]ind: *//p' <<<"$head")
	[[ $code == 2?? ]] || die "GET $1 answered $code: $out"
	grep -Eq -- "$BENCH_SOME" <<<"$out" ||
		die "GET $1 answered $code without users: $out"
	[ "$kind" = "$2" ] ||
		die "GET $1: X-Total-Count-Kind '$kind', not '$2'"
	[[ $total =~ ^[1-9][0-9]*$ ]] ||
		die "GET $1: X-Total-Count '$total' is not a positive number"
	[ "$2" != exact ] || [ "$total" = "$3" ] ||
		die "GET $1: X-Total-Count $total, but $3 users match"
	say "$2 count: $total ($3 users match)"
}

# bench_query_routes: the filtered list page alone, with count=exact, with
# count=estimated, and ordered by creation_date.
bench_query_routes() {
	local from to q n p
	read -r from to <<<"$(bench_query_range)"
	[ -n "$to" ] || die "no creation date for user $((BENCH_USERS / 2))"
	n=$(bench_sql -e "SELECT COUNT(*) FROM users WHERE country_id = 'AR'
		AND creation_date >= '$from' AND creation_date < '$to'")
	say "filtered list: country AR, $from to $to: $n users match"
	q="/v1/users/list?filter.country_id=eq:AR&filter.creation_date=ge:$from"
	q+="&filter.creation_date=lt:$to&limit=$BENCH_LIMIT"
	bench_probe GET "$q" '' "$BENCH_SOME"
	bench_wrk "list AR + ${BENCH_QUERY_DAYS}d ($n)" get "$q"
	for p in exact estimated; do
		bench_count_probe "$q&count=$p" "$p" "$n"
		bench_wrk "list AR + ${BENCH_QUERY_DAYS}d, count=$p" get \
			"$q&count=$p"
	done
	# The same page in creation_date order: that index serves both the
	# range and the order, so the scan stops after a page of matches.
	bench_probe GET "$q&orderBy=creation_date" '' "$BENCH_SOME"
	bench_wrk "list AR + ${BENCH_QUERY_DAYS}d, by creation_date" get \
		"$q&orderBy=creation_date"
	# One client: what a request costs without a queue (the estimate's
	# target is for one client), against the unfiltered page.
	bench_wrk "list page 0, 1 client" get \
		"/v1/users/list?page=0&limit=$BENCH_LIMIT" 1
	bench_wrk "list AR + ${BENCH_QUERY_DAYS}d, 1 client" get "$q" 1
	bench_wrk "list AR + ${BENCH_QUERY_DAYS}d, count=estimated, 1 client" \
		get "$q&count=estimated" 1
}

# bench_rss_sampler OUT PID...: every ~50 ms, the largest VmRSS (KiB) of
# these processes goes on a line of OUT, until killed. Builtins only, so
# that sampling costs the measured run little.
bench_rss_sampler() {
	local out=$1 pid k v max
	shift
	while :; do
		max=0
		for pid in "$@"; do
			while read -r k v _; do
				[ "$k" != VmRSS: ] || [ "$v" -le "$max" ] || max=$v
			done 2>/dev/null <"/proc/$pid/status"
		done
		echo "$max" >>"$out"
		sleep 0.05
	done
}

# bench_hwm PID...: the largest VmHWM (KiB, each process's peak RSS since
# it started) of these processes.
bench_hwm() {
	local pid
	for pid in "$@"; do
		awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status"
	done | sort -n | tail -n 1
}

# bench_export: the whole table as NDJSON by one client (curl) through
# nginx: rows a second, the request time nginx logged, the CPU each group
# spent per 1000 rows and the responder workers' peak RSS while it ran
# (sampled, and their VmHWM after it). Fails unless it answers 200 with exactly
# BENCH_USERS lines, the first a user.
bench_export() {
	local master workers sampler log from before after client
	local code secs bytes rows first rss hwm
	master=$(running "$APP_PID") || die "the responder does not run"
	mapfile -t workers < <(ps -o pid= --ppid "$master" | tr -d ' ')
	log=$S/log/export
	: >"$log.rss"
	bench_rss_sampler "$log.rss" "${workers[@]}" &
	sampler=$!
	from=$(stat -c %s "$S/log/usersd.access.log")
	before=$(bench_cpu_now)
	# curl's figures go to stderr, the body to awk, which counts the
	# lines and keeps the first; the subshell's children's CPU is the
	# client's (as for wrk).
	(set -o pipefail
	curl -sS -k --max-time 600 -H "x-api-key: $API_KEY" \
		-H "Authorization: Bearer $TOKEN" \
		-w '%{stderr}%{http_code} %{time_total} %{size_download}\n' \
		"$URL/v1/users/export?format=ndjson" 2>"$log.curl" |
		awk -v f="$log.first" 'NR == 1 { print > f } END { print NR }' \
			>"$log.rows" || exit 1
	awk '{ print $16 + $17 }' "/proc/$BASHPID/stat" >"$log.ticks") ||
		{ kill "$sampler"; die "the export failed: $(cat "$log.curl")"; }
	after=$(bench_cpu_now)
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	client=$(cat "$log.ticks")
	read -r code secs bytes <"$log.curl"
	rows=$(cat "$log.rows")
	first=$(head -c 200 "$log.first" 2>/dev/null || true)
	[ "$code" = 200 ] || die "the export answered $code: $first"
	[[ $first =~ ^\{\"id\":[0-9]+, ]] ||
		die "the export's first line is not a user: $first"
	[ "$rows" = "$BENCH_USERS" ] ||
		die "the export sent $rows rows, not $BENCH_USERS"
	rss=$(sort -n "$log.rss" | tail -n 1)
	hwm=$(bench_hwm "${workers[@]}")
	bench_export_tsv "$rows" "$secs" "$bytes" \
		"$(bench_nginx_latency "$from")" "$rss" "$hwm" \
		"$(bench_cpu_split "$before" "$after" "$client" \
		"$(awk -v n="$rows" 'BEGIN { print n / 1000 }')")"
	bench_drain
}

# bench_export_tsv ROWS SECONDS BYTES NGINX_P50_P99 RSS HWM CPU: writes
# export.tsv and prints the export's line. CPU: bench_cpu_split's four
# figures for 1000 rows (a row costs a few microseconds).
bench_export_tsv() {
	local rate
	rate=$(awk -v n="$1" -v s="$2" \
		'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	{
		printf 'rows\tseconds\trows_per_s\tbytes\tnginx_ms'
		printf '\tworker_rss_peak_kib\tworker_hwm_kib\tcpu_us_1k_nginx'
		printf '\tcpu_us_1k_usersd\tcpu_us_1k_mariadb\tcpu_us_1k_client\n'
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rate" \
			"$3" "${4%%$'\t'*}" "$5" "$6" "$7"
	} >"$S/export.tsv"
	printf '  %-28s %8s rows/s  %s s  worker RSS peak %s KiB\n' \
		"export ndjson, 1 client" "$rate" "$2" "$5"
}

# bench_export_report: the export's line after the table.
bench_export_report() {
	printf 'export (curl, one client; cpu_us_*: CPU microseconds per 1000 rows):\n'
	column -t -s $'\t' "$S/export.tsv"
	echo
}
