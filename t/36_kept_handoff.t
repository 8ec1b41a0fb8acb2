#!/usr/bin/env bash
# t/36_kept_handoff.t: a request on a kept FastCGI connection does not wait
# behind a slow one on another connection of the same worker (listener.c).
# A responder of the test's own with 2 workers; six connections kept open
# the way nginx keeps them (FCGI_KEEP_CONN), so one worker holds at least
# two, A and B. A read blocked on a held table lock occupies A's worker;
# a request on B is answered at once by the other worker, which B has been
# handed to; A's read is answered once the lock goes, and both stay kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"
. "$(dirname "$0")/fcgi.sh"

PORT=$(free_port) || bail "no free port"
tcp_ini "$PORT" | sed 's/^workers = .*/workers = 2/' >"$TEST_TMP/kept.ini"
start_responder "$TEST_TMP/kept.ini" "$PORT" || bail "the responder did not start"
ok 'before: the service answers' wait_for 10 service_ready

# The client: N connections, each asked /v1/test with FCGI_KEEP_CONN, then
# commands on stdin, one answer line each on stdout:
#   ports            the local port of each connection, in order
#   send I PATH      sends a GET of PATH on connection I (no answer line)
#   wait I           reads its answer: "STATUS SECONDS" (since the send),
#                    or "closed SECONDS"
kept_client() {
	perl -MIO::Socket::INET -MTime::HiRes=time -e '
		$| = 1;
		$SIG{PIPE} = "IGNORE";
		my ($port, $token, $n) = @ARGV;
		sub rec { my ($t, $c) = @_;
			pack("CCnnCC", 1, $t, 1, length($c), 0, 0) . $c }
		sub len { my $l = length($_[0]);
			$l < 128 ? pack("C", $l) : pack("N", $l | 0x80000000) }
		sub nv { len($_[0]) . len($_[1]) . $_[0] . $_[1] }
		my (@c, @sent);
		sub send_get { my ($i, $path) = @_;
			my %p = (REQUEST_METHOD => "GET", PATH_INFO => $path,
			    QUERY_STRING => "", CONTENT_LENGTH => 0,
			    HTTP_AUTHORIZATION => "Bearer $token");
			my $params = join "", map { nv($_, $p{$_}) } sort keys %p;
			# FCGI_RESPONDER, flags FCGI_KEEP_CONN
			syswrite $c[$i], rec(1, pack("nCx5", 1, 1)) .
			    rec(4, $params) . rec(4, "") . rec(5, "");
			$sent[$i] = time;
		}
		# Records up to FCGI_END_REQUEST: the Status, or "closed".
		sub answer { my ($i) = @_;
			my ($all, $buf, $out) = ("", "", "");
			for (;;) {
				while (length($all) >= 8) {
					my ($v, $t, $id, $len, $pad) =
					    unpack("CCnnC", $all);
					last if length($all) < 8 + $len + $pad;
					$out .= substr($all, 8, $len) if $t == 6;
					$all = substr($all, 8 + $len + $pad);
					if ($t == 3) {
						my ($s) = $out =~ /^Status: (\d{3})/m;
						return $s // "200";
					}
				}
				my $got = eval {
					local $SIG{ALRM} = sub { die "timeout\n" };
					alarm 20;
					my $r = sysread($c[$i], $buf, 65536);
					alarm 0;
					$r;
				};
				return "closed" unless $got;
				$all .= $buf;
			}
		}
		for my $i (0 .. $n - 1) {
			$c[$i] = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
			    PeerPort => $port, Timeout => 5) or die "connect: $!";
			send_get($i, "/v1/test");
			my $s = answer($i);
			die "connection $i: $s\n" unless $s eq "200";
		}
		while (my $line = <STDIN>) {
			my ($cmd, $i, $path) = split " ", $line;
			if ($cmd eq "ports") {
				print join(" ", map { $_->sockport } @c), "\n";
			} elsif ($cmd eq "send") {
				send_get($i, $path);
			} elsif ($cmd eq "wait") {
				my $s = answer($i);
				printf "%s %.3f\n", $s, time - $sent[$i];
			}
		}' "$PORT" "$USERS_TOKEN" "$1"
}

# owners PORTS...: for each connection (by its client's port), the pids
# of the processes holding it, comma-separated, from the kernel's table of
# sockets; "-" for one that is gone.
owners() {
	local p who
	for p in "$@"; do
		who=$(ss -tnpH state established \
		    "( sport = :$PORT and dport = :$p )" |
		    grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | paste -sd, -)
		printf '%s\n' "${who:--}"
	done | paste -sd' ' -
}

coproc KEPT { kept_client 6 2>"$TEST_TMP/kept.err"; }
say() { printf '%s\n' "$*" >&"${KEPT[1]}"; }
# (Not in a pipeline: bash gives its coprocess's descriptors to no child.)
hear() { local line; read -r -t 30 line <&"${KEPT[0]}" && printf '%s' "$line"; }

say ports
read -ra ports <<<"$(hear)"
is "${#ports[@]}" 6 'six connections kept open, each answered /v1/test'
read -ra pids <<<"$(owners "${ports[@]}")"
is "$(printf '%s\n' "${pids[@]}" | grep -c '^[0-9]*$')" 6 \
    "each is held by one worker (${pids[*]})"
# Two on one worker: six connections on two workers make sure of it.
a='' b=''
for ((i = 0; i < 6; i++)); do
	for ((j = i + 1; j < 6; j++)); do
		[ -z "$b" ] && [ "${pids[i]}" = "${pids[j]}" ] && a=$i b=$j
	done
done
ok 'two of them on one worker' test -n "$b"
[ -n "$b" ] || bail "no two connections on one worker"
slow=${pids[a]}

ok 'the table is locked (LOCK TABLES users WRITE in another session)' \
    lock_hold
say send "$a" /v1/users/id/4
ok 'a read on A waits for the lock' wait_for 5 queries_waiting -ge 1
say send "$b" /v1/test
say wait "$b"
read -r status secs <<<"$(hear)"
is "$status" 200 'meanwhile a request on B, kept by the same worker: 200'
ok "without waiting for A's read (answered after $secs s)" \
    awk -v s="$secs" 'BEGIN { exit !(s < 1) }'
read -ra during <<<"$(owners "${ports[@]}")"
diag "holders while A's read waits: ${during[*]}"
is "${during[a]}" "$slow" 'A stays with the worker serving it'
like "${during[b]}" "^[0-9]+(,[0-9]+)*\$" 'B is still open'
ok 'B has been handed to the other worker' \
    test -n "$(tr , '\n' <<<"${during[b]}" | grep -vx "$slow")"

lock_release
say wait "$a"
read -r status secs <<<"$(hear)"
is "$status" 200 "once the lock goes, A's read answers 200 (after $secs s)"
for c in "$a" "$b"; do
	say send "$c" /v1/test
	say wait "$c"
	reply=$(hear)
	is "${reply%% *}" 200 "connection $c is still kept: /v1/test on it answers 200"
done
read -ra last <<<"$(owners "${ports[@]}")"
diag "holders afterwards: ${last[*]}"
is "$(printf '%s\n' "${last[@]}" | grep -c '^[0-9]*$')" 6 \
    'all six connections still open, each held by one worker'
isnt "${last[b]}" "$slow" 'B stays with the worker it was handed to'

[ -s "$TEST_TMP/kept.err" ] && diag "client: $(cat "$TEST_TMP/kept.err")"
to_client=${KEPT[1]}
exec {to_client}>&-
wait "$KEPT_PID" 2>/dev/null
stop_responder
done_testing
