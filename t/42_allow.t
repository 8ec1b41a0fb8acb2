#!/usr/bin/env bash
# t/42_allow.t: a responder on a TCP address (responders on other
# hosts): [server] allow is required beyond loopback, and a peer not on the
# list is refused. Two loopback addresses stand for two hosts: Linux routes
# all of 127.0.0.0/8 to lo, so a client bound to 127.0.0.2 reaches a
# responder on 127.0.0.1 with the peer address 127.0.0.2, exactly as a
# second host would (no network namespace needed). A second responder is
# started here on its own port; the stack's own is not touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi.sh"


# get FROM PORT: the status of GET /v1/users/id/1 from the address FROM,
# or "closed" / "connect failed".
get() {
	local out
	out=$(fcgi "$1" "$2" GET /v1/users/id/1)
	printf '%s' "${out%% *}"
}

# allow_ini PORT ALLOW: the stack's INI on 127.0.0.1:PORT with that
# [server] allow ("" for none), as $TEST_TMP/allow.ini.
allow_ini() {
	tcp_ini "$1" >"$TEST_TMP/allow.ini"
	[ -z "$2" ] || sed -i "/^socket = /a allow = \"$2\"" "$TEST_TMP/allow.ini"
}

# --- the configuration check ----------------------------------------------

ini=$TEST_TMP/check.ini
tcp_ini 9 | sed 's|^socket = .*|socket = 0.0.0.0:9|' >"$ini"
out=$("$BIN" -t -c "$ini" 2>&1)
is "$?" 1 'usersd -t refuses 0.0.0.0:PORT without [server] allow'
like "$out" 'socket: not a unix socket or a loopback 127.0.0.1:PORT: set \[server\] allow' \
	'and says to set [server] allow'
sed -i '/^socket = /a allow = "10.0.0.2 10.0.0.3"' "$ini"
out=$("$BIN" -t -c "$ini" 2>&1)
is "$?" 0 "with allow it is accepted ($out)"

# --- the refusal ----------------------------------------------------------

PORT=$(free_port) || bail "no free port"
allow_ini "$PORT" 127.0.0.1
start_responder "$TEST_TMP/allow.ini" "$PORT" ||
	bail "the responder did not start"
is "$(get 127.0.0.1 "$PORT")" 200 'a peer on the allow list is answered'
is "$(get 127.0.0.2 "$PORT")" closed \
	'a peer not on the list (127.0.0.2) is closed before any answer'
is "$(get 127.0.0.1 "$PORT")" 200 \
	'the worker that refused it still serves the allowed peer'
ok 'the responder is still running' alive "$RESPONDER"
like "$(cat "$TEST_TMP/allow.log")" \
	'accepting FastCGI connections from 127.0.0.1 only' \
	'the log names the allowed peers'
stop_responder

# Loopback without allow: any local peer, 127.0.0.2 included, as before.
PORT=$(free_port) || bail "no free port"
allow_ini "$PORT" ''
start_responder "$TEST_TMP/allow.ini" "$PORT" ||
	bail "the responder did not start"
is "$(get 127.0.0.2 "$PORT")" 200 \
	'without allow, a loopback responder answers every local peer'
stop_responder

done_testing
