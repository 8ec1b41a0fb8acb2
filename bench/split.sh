#!/usr/bin/env bash
# bench/split.sh [ROUNDS [SECONDS]]: what the read/write split costs a
# read, measured on a running replication stack (`./stack up --cluster
# replication`, STACK_INSTANCE=N as for it). Three modes, alternating for
# ROUNDS (default 3) rounds of SECONDS (default 5) each:
#   primary    [replicas] servers = "": every read on the primary (one host)
#   split      reads on the replicas, read_your_writes = false
#   split+ryw  reads on the replicas, each waiting for the primary's GTID
#              position first (the default)
# A mode is the stack's responder INIs with that change, the 3 responders
# restarted; the stack's own INIs come back at the end. The load is 4
# FastCGI clients (perl, a new connection a request, as nginx makes them)
# spread over the 3 responders' TCP addresses, GET /v1/users/id/N for
# random N: nginx is left out, its share is the same in every mode. For
# each run it prints reads/s and the CPU microseconds a read cost the
# responders, the primary and the replicas, read from /proc around it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
ROUNDS=${1:-3}
SECONDS_A_RUN=${2:-5}
CLIENTS=4
TOKEN=$(sed -n 's/^readonly TOKEN=//p' "$ROOT/stack")
S=$ROOT/var/up${STACK_INSTANCE:-}
STATUS=$(mktemp)
trap 'rm -f "$STATUS"' EXIT

die() {
	echo "bench/split.sh: $*" >&2
	exit 1
}

[[ $ROUNDS =~ ^[1-9][0-9]?$ && $SECONDS_A_RUN =~ ^[1-9][0-9]?$ ]] ||
	die "usage: bench/split.sh [ROUNDS [SECONDS]] (numbers 1-99)"
"$ROOT/stack" status >"$STATUS" 2>/dev/null ||
	die "no running stack: ./stack up --cluster replication first"
grep -q '^replica2' "$STATUS" ||
	die "the running stack is not a replication cluster"

# pid_of ROLE / addr_of ROLE: from ./stack status.
pid_of() { awk -F'\t' -v r="$1" '$1 == r { print $2 }' "$STATUS"; }
addr_of() { awk -F'\t' -v r="$1" '$1 == r { print $3 }' "$STATUS"; }

# ticks PID...: CPU ticks (user + system) used so far by these processes
# and their children (a responder's workers).
ticks() {
	local pid all=()
	for pid in "$@"; do
		all+=("$pid")
		mapfile -t -O "${#all[@]}" all < <(ps -o pid= --ppid "$pid")
	done
	for pid in "${all[@]}"; do
		awk '{ print $14 + $15 }' "/proc/${pid// /}/stat" 2>/dev/null ||
			echo 0
	done | awk '{ s += $1 } END { print s + 0 }'
}

# cpu_now: "RESPONDERS PRIMARY REPLICAS" ticks, pids read afresh (a mode
# restarts the responders).
cpu_now() {
	"$ROOT/stack" status >"$STATUS" 2>/dev/null || die "the stack stopped"
	echo "$(ticks "$(pid_of responder1)" "$(pid_of responder2)" \
		"$(pid_of responder3)")" "$(ticks "$(pid_of primary)")" \
		"$(ticks "$(pid_of replica1)" "$(pid_of replica2)")"
}

# load SECONDS MAX_ID PORT...: CLIENTS perl clients, each a loop of
# FastCGI GETs of random ids over the ports in turn; prints "OK FAILED".
load() {
	local secs=$1 max=$2 _
	shift 2
	for _ in $(seq "$CLIENTS"); do
		perl -MIO::Socket::INET -MTime::HiRes=time -e '
			my ($secs, $max, $token, @ports) = @ARGV;
			sub rec { my ($t, $c) = @_;
				pack("CCnnCC", 1, $t, 1, length($c), 0, 0) . $c }
			sub len { my $l = length($_[0]);
				$l < 128 ? pack("C", $l) : pack("N", $l | 0x80000000) }
			sub nv { len($_[0]) . len($_[1]) . $_[0] . $_[1] }
			my ($ok, $bad, $n, $end) = (0, 0, 0, time + $secs);
			while (time < $end) {
				my $port = $ports[$n++ % @ports];
				my %p = (REQUEST_METHOD => "GET", QUERY_STRING => "",
				    PATH_INFO => "/v1/users/id/" . (1 + int(rand($max))),
				    HTTP_AUTHORIZATION => "Bearer $token");
				my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
				    PeerPort => $port) or do { $bad++; next };
				syswrite $s, rec(1, pack("nCx5", 1, 0)) .
				    rec(4, join("", map { nv($_, $p{$_}) } keys %p)) .
				    rec(4, "") . rec(5, "");
				my ($all, $buf) = ("", "");
				while (sysread($s, $buf, 65536)) { $all .= $buf }
				if ($all =~ /^Status: 200/m || $all !~ /^Status:/m &&
				    $all =~ /"message":\{/) { $ok++ } else { $bad++ }
			}
			print "$ok $bad\n";' "$secs" "$max" "$TOKEN" "$@" &
	done | awk '{ ok += $1; bad += $2 } END { print ok + 0, bad + 0 }'
	wait
}

# set_mode MODE: the responder INIs of MODE (from the stack's own, kept in
# *.orig), the responders restarted.
set_mode() {
	local n ini
	for n in 1 2 3; do
		ini=$S/usersd$n.ini
		[ -f "$ini.orig" ] || cp -p "$ini" "$ini.orig"
		case $1 in
		primary) sed 's/^servers = .*/servers = ""/' "$ini.orig" >"$ini" ;;
		split) { cat "$ini.orig" && echo 'read_your_writes = false'; } >"$ini" ;;
		split+ryw) cat "$ini.orig" >"$ini" ;;
		esac
		"$ROOT/stack" app-start "responder$n" >/dev/null 2>&1 ||
			die "responder$n did not start in mode $1"
	done
}

restore() {
	local n
	for n in 1 2 3; do
		[ -f "$S/usersd$n.ini.orig" ] || continue
		cat "$S/usersd$n.ini.orig" >"$S/usersd$n.ini"
		rm -f "$S/usersd$n.ini.orig"
		"$ROOT/stack" app-start "responder$n" >/dev/null 2>&1 || :
	done
	rm -f "$STATUS"
}
trap restore EXIT

max_id=$(mariadb --no-defaults --socket="$S/mysqld.sock" --user=root -N -B \
	-e 'SELECT MAX(id) FROM users.users')
ports=()
for n in 1 2 3; do ports+=("$(addr_of "responder$n" | sed 's/.*://')"); done
hz=$(getconf CLK_TCK)
printf 'mode\treads/s\tfailed\tCPU µs a read: responders\tprimary\treplicas\ttotal\n'
for round in $(seq "$ROUNDS"); do
	for mode in primary split split+ryw; do
		set_mode "$mode"
		load 1 "$max_id" "${ports[@]}" >/dev/null # warm the connections
		before=$(cpu_now)
		read -r ok bad <<<"$(load "$SECONDS_A_RUN" "$max_id" "${ports[@]}")"
		after=$(cpu_now)
		awk -v b="$before" -v a="$after" -v n="$ok" -v f="$bad" \
			-v s="$SECONDS_A_RUN" -v hz="$hz" -v m="$mode" -v r="$round" '
			BEGIN {
				split(b, x, " "); split(a, y, " ")
				k = n > 0 ? 1e6 / hz / n : 0
				t = 0
				for (i = 1; i <= 3; i++) { c[i] = (y[i] - x[i]) * k; t += c[i] }
				printf "%s (%d)\t%.0f\t%d\t%.0f\t%.0f\t%.0f\t%.0f\n",
				    m, r, n / s, f, c[1], c[2], c[3], t
			}'
	done
done
