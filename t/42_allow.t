#!/usr/bin/env bash
# t/42_allow.t: a responder on a TCP address (issue 12, responders on other
# hosts): [server] allow is required beyond loopback, and a peer not on the
# list is refused. Two loopback addresses stand for two hosts: Linux routes
# all of 127.0.0.0/8 to lo, so a client bound to 127.0.0.2 reaches a
# responder on 127.0.0.1 with the peer address 127.0.0.2, exactly as a
# second host would (no network namespace needed). A second responder is
# started here on its own port; the stack's own is not touched.
. "$(dirname "$0")/lib.sh"

# bail REASON: one failing result, then stop.
bail() {
	fail "$1"
	done_testing
	exit 1
}

BIN=$(built usersd)
[ -n "$BIN" ] || bail "no usersd binary"
SRC_INI=$USERS_STATE_DIR/usersd.ini

# free_port: a TCP port below 32768 (outside ip_local_port_range) that
# nothing on 127.0.0.1 listens on now.
free_port() {
	perl -MIO::Socket::INET -e '
		for (1 .. 200) {
			my $p = 20000 + int(rand(12000));
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
			    LocalPort => $p, Listen => 1, ReuseAddr => 1) or next;
			close $s; print $p; exit 0;
		}
		exit 1;'
}

# fcgi_get FROM PORT: sends one FastCGI GET /v1/users/1 to 127.0.0.1:PORT
# from the address FROM and prints what came back: "answered STATUS",
# "closed" (the connection ended with no byte) or "connect failed".
fcgi_get() {
	perl -MIO::Socket::INET -e '
		$SIG{PIPE} = "IGNORE";
		my ($from, $port) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, LocalAddr => $from, Timeout => 5)
		    or do { print "connect failed"; exit 0 };
		sub rec { my ($t, $c) = @_;
			pack("CCnnCC", 1, $t, 1, length($c), 0, 0) . $c }
		sub nv { my ($n, $v) = @_;
			pack("CC", length($n), length($v)) . $n . $v }
		my %p = (REQUEST_METHOD => "GET", REQUEST_URI => "/v1/users/1",
		    SCRIPT_NAME => "/v1/users/1", QUERY_STRING => "",
		    SERVER_PROTOCOL => "HTTP/1.1", CONTENT_LENGTH => "0");
		my $params = join "", map { nv($_, $p{$_}) } sort keys %p;
		syswrite $s, rec(1, pack("nCx5", 1, 0)) . rec(4, $params) .
		    rec(4, "") . rec(5, "");
		my ($all, $buf) = ("", "");
		eval {
			local $SIG{ALRM} = sub { die "timeout\n" };
			alarm 5;
			while (sysread($s, $buf, 65536)) { $all .= $buf }
			alarm 0;
		};
		if ($all eq "") { print "closed"; exit 0 }
		my ($status) = $all =~ /Status: (\d{3})/;
		print "answered ", $status // "200";' "$1" "$2"
}

# start_responder PORT ALLOW: a responder on 127.0.0.1:PORT with that
# [server] allow ("" for none); its pid in RESPONDER.
start_responder() {
	local ini=$TEST_TMP/allow.ini
	sed -e "s|^socket = .*|socket = 127.0.0.1:$1|" \
		-e '/^socket_mode\|^socket_group/d' "$SRC_INI" >"$ini"
	[ -n "$2" ] && sed -i "/^socket = /a allow = \"$2\"" "$ini"
	chgrp usersd "$ini" 2>/dev/null
	chmod 0640 "$ini"
	"$BIN" -c "$ini" </dev/null >>"$TEST_TMP/allow.log" 2>&1 &
	RESPONDER=$!
	at_exit reap "$RESPONDER"
	wait_for 10 port_open "$1"
}

# reap PID: stops the responder if it still runs.
reap() { kill -TERM "$1" 2>/dev/null || :; }

port_open() { perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr =>
	"127.0.0.1", PeerPort => $ARGV[0]) or exit 1' "$1"; }

# --- the configuration check ----------------------------------------------

ini=$TEST_TMP/check.ini
sed -e 's|^socket = .*|socket = 0.0.0.0:9|' "$SRC_INI" >"$ini"
out=$("$BIN" -t -c "$ini" 2>&1)
rc=$?
is "$rc" 1 'usersd -t refuses 0.0.0.0:PORT without [server] allow'
like "$out" 'socket: not a unix socket or a loopback 127.0.0.1:PORT: set \[server\] allow' \
	'and says to set [server] allow'
sed -i '/^socket = /a allow = "10.0.0.2 10.0.0.3"' "$ini"
out=$("$BIN" -t -c "$ini" 2>&1)
is "$?" 0 "with allow it is accepted ($out)"

# --- the refusal ----------------------------------------------------------

PORT=$(free_port) || bail "no free port"
start_responder "$PORT" 127.0.0.1 || bail "the responder did not start"
is "$(fcgi_get 127.0.0.1 "$PORT")" 'answered 401' \
	'a peer on the allow list is answered (401: no token sent)'
is "$(fcgi_get 127.0.0.2 "$PORT")" closed \
	'a peer not on the list (127.0.0.2) is closed before any answer'
is "$(fcgi_get 127.0.0.1 "$PORT")" 'answered 401' \
	'the worker that refused it still serves the allowed peer'
ok 'the responder is still running' alive "$RESPONDER"
like "$(cat "$TEST_TMP/allow.log")" 'accepting FastCGI connections from 127.0.0.1 only' \
	'the log names the allowed peers'
kill -TERM "$RESPONDER"
wait_for 15 not alive "$RESPONDER"

# Loopback without allow: any local peer, 127.0.0.2 included, as before.
PORT=$(free_port) || bail "no free port"
start_responder "$PORT" '' || bail "the responder did not start"
is "$(fcgi_get 127.0.0.2 "$PORT")" 'answered 401' \
	'without allow, a loopback responder answers every local peer'
kill -TERM "$RESPONDER"
wait_for 15 not alive "$RESPONDER"

done_testing
