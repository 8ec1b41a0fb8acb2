# shellcheck shell=bash
# t/fcgi.sh: a second responder of the test's own on a TCP port, spoken to
# over FastCGI directly (no nginx), for the tests of what nginx cannot show:
# which peer may connect (t/42_allow.t) and which database server answers
# (t/43_replicas.t). Sourced after lib.sh.

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

port_open() {
	perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr =>
		"127.0.0.1", PeerPort => $ARGV[0]) or exit 1' "$1"
}

# fcgi FROM PORT METHOD PATH [BODY]: one FastCGI request to 127.0.0.1:PORT
# from the address FROM (or, PORT a path, to that unix socket), with the
# bearer token $USERS_TOKEN; prints "STATUS BODY", "closed" (the
# connection ended with no byte) or "connect failed". FCGI_DELAY=SECONDS
# waits that long between connecting and sending the request.
fcgi() {
	perl -MIO::Socket::INET -MIO::Socket::UNIX -MTime::HiRes=sleep -e '
		$SIG{PIPE} = "IGNORE";
		my ($from, $port, $method, $path, $body, $token, $delay) = @ARGV;
		my $s = $port =~ m{^/}
		    ? IO::Socket::UNIX->new(Peer => $port, Timeout => 5)
		    : IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, LocalAddr => $from, Timeout => 5);
		$s or do { print "connect failed"; exit 0 };
		sleep $delay if $delay;
		sub rec { my ($t, $c) = @_;
			pack("CCnnCC", 1, $t, 1, length($c), 0, 0) . $c }
		# A length of 128 or more takes 4 bytes, the top bit set.
		sub len { my $l = length($_[0]);
			$l < 128 ? pack("C", $l) : pack("N", $l | 0x80000000) }
		sub nv { my ($n, $v) = @_; len($n) . len($v) . $n . $v }
		my %p = (REQUEST_METHOD => $method, PATH_INFO => $path,
		    QUERY_STRING => "", CONTENT_LENGTH => length($body),
		    CONTENT_TYPE => "application/json",
		    HTTP_AUTHORIZATION => "Bearer $token");
		my $params = join "", map { nv($_, $p{$_}) } sort keys %p;
		my $out = rec(1, pack("nCx5", 1, 0)) . rec(4, $params) .
		    rec(4, "");
		$out .= rec(5, $body) if length $body;
		syswrite $s, $out . rec(5, "");
		my ($all, $buf, $stdout) = ("", "", "");
		eval {
			local $SIG{ALRM} = sub { die "timeout\n" };
			alarm 10;
			while (sysread($s, $buf, 65536)) { $all .= $buf }
			alarm 0;
		};
		if ($all eq "") { print "closed"; exit 0 }
		while (length($all) >= 8) {
			my ($v, $t, $id, $len, $pad) = unpack("CCnnC", $all);
			$stdout .= substr($all, 8, $len) if $t == 6;
			$all = substr($all, 8 + $len + $pad);
		}
		my ($status) = $stdout =~ /^Status: (\d{3})/m;
		my ($b) = $stdout =~ /\r?\n\r?\n(.*)$/s;
		print $status // "200", " ", $b // "";' \
		"$1" "$2" "$3" "$4" "${5:-}" "$USERS_TOKEN" "${FCGI_DELAY:-0}"
}

# reap PID: stops the responder if it still runs.
reap() { kill -TERM "$1" 2>/dev/null || :; }

# start_responder INI PORT: runs usersd -c INI (its log in INI's name with
# .log) until it listens on 127.0.0.1:PORT; its pid in RESPONDER.
start_responder() {
	chgrp usersd "$1" 2>/dev/null
	chmod 0640 "$1"
	"$BIN" -c "$1" </dev/null >>"${1%.ini}.log" 2>&1 &
	RESPONDER=$!
	at_exit reap "$RESPONDER"
	wait_for 10 port_open "$2"
}

# stop_responder: SIGTERM, and wait until it has gone.
stop_responder() {
	kill -TERM "$RESPONDER"
	wait_for 15 not alive "$RESPONDER"
}

# tcp_ini PORT: the stack's INI with the socket on 127.0.0.1:PORT.
tcp_ini() {
	sed -e "s|^socket = .*|socket = 127.0.0.1:$1|" \
		-e '/^socket_mode\|^socket_group/d' "$USERS_STATE_DIR/usersd.ini"
}

# fcgi_raw PORT TOKEN METHOD PATH [BODY] [NAME=VALUE...]: one FastCGI
# request from 127.0.0.1 with the bearer TOKEN and the extra CGI params
# (HTTP_IF_MATCH=...); sets STATUS, HEADERS (CR stripped) and BODY from the
# answer, STATUS "closed" when none came.
fcgi_raw() {
	local out
	out=$(perl -MIO::Socket::INET -e '
		$SIG{PIPE} = "IGNORE";
		my ($port, $token, $method, $path, $body, @extra) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, Timeout => 5) or exit 0;
		sub rec { my ($t, $c) = @_;
			pack("CCnnCC", 1, $t, 1, length($c), 0, 0) . $c }
		sub len { my $l = length($_[0]);
			$l < 128 ? pack("C", $l) : pack("N", $l | 0x80000000) }
		sub nv { my ($n, $v) = @_; len($n) . len($v) . $n . $v }
		my %p = (REQUEST_METHOD => $method, PATH_INFO => $path,
		    QUERY_STRING => "", CONTENT_LENGTH => length($body),
		    CONTENT_TYPE => "application/json",
		    HTTP_AUTHORIZATION => "Bearer $token");
		for (@extra) { my ($n, $v) = split /=/, $_, 2; $p{$n} = $v }
		my $params = join "", map { nv($_, $p{$_}) } sort keys %p;
		my $out = rec(1, pack("nCx5", 1, 0)) . rec(4, $params) .
		    rec(4, "");
		$out .= rec(5, $body) if length $body;
		syswrite $s, $out . rec(5, "");
		my ($all, $buf, $stdout) = ("", "", "");
		eval {
			local $SIG{ALRM} = sub { die "timeout\n" };
			alarm 10;
			while (sysread($s, $buf, 65536)) { $all .= $buf }
			alarm 0;
		};
		while (length($all) >= 8) {
			my ($v, $t, $id, $len, $pad) = unpack("CCnnC", $all);
			$stdout .= substr($all, 8, $len) if $t == 6;
			$all = substr($all, 8 + $len + $pad);
		}
		$stdout =~ s/\r//g;
		print $stdout;' "$@")
	HEADERS=${out%%$'\n\n'*}
	# shellcheck disable=SC2034 # read by the tests
	BODY=''
	# shellcheck disable=SC2034
	[ "$HEADERS" = "$out" ] || BODY=${out#*$'\n\n'}
	# shellcheck disable=SC2034 # read by the tests
	STATUS=$(printf '%s\n' "$HEADERS" | sed -n 's/^Status: \([0-9]*\).*/\1/p')
	# shellcheck disable=SC2034
	[ -n "$out" ] || STATUS=closed
}
