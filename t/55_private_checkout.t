#!/usr/bin/env bash
# t/55_private_checkout.t: the README's first command from a checkout that
# the service's users cannot reach (a fresh directory of mode 0700, as root's
# home is): `./stack up` serves with the responder as usersd and nginx's
# workers as www-data, its state outside the checkout; a failed up stops what
# it started; `./stack down` leaves nothing running. It uses an up stack of
# its own (STACK_INSTANCE (N + 5) % 10, N this run's instance), built from a
# copy of the working tree.
. "$(dirname "$0")/lib.sh"

INST=$(((${STACK_INSTANCE:-0} + 5) % 10))
PORT=$((8443 + INST * 100))
COPY=$TEST_TMP/users-service
LINK=$COPY/var/up$INST
STATE=""
HOLDER=""

# stack_gone: the copy's stack down, its state removed, the port released.
stack_gone() {
	[ -x "$COPY/stack" ] && STACK_INSTANCE=$INST "$COPY/stack" down >/dev/null 2>&1
	[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null
	case $STATE in /var/lib/usersd-stack/*/up*) rm -rf "$(dirname "$STATE")" ;; esac
}
at_exit stack_gone

# copy_tree: the working tree as git sees it (tracked and new files, not
# the ignored build output or var/), so the copy builds from scratch.
# shellcheck disable=SC2016 # the inner shell expands $f
copy_tree() {
	mkdir "$COPY" &&
		git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
		(cd "$ROOT" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
			tar -C "$ROOT" --null -T - -cf - | tar -C "$COPY" -xf -
}

# up: ./stack up in the copy; sets OUT (both streams) and RC.
up() {
	RC=0
	OUT=$(cd "$COPY" && STACK_INSTANCE=$INST ./stack up 2>&1) || RC=$?
}

# pids_of_stack: every process whose command line names the state
# directory, and their children (nginx's and the responder's workers).
pids_of_stack() {
	local p
	for p in $(pgrep -f -- "$STATE/"); do
		printf '%s\n' "$p"
		pgrep -P "$p"
	done | sort -u
}

# users_of PIDFILE: the users of that process's children, sorted, unique.
users_of() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return
	ps -o user= --ppid "$pid" | sort -u | tr '\n' ' '
}

ok 'mktemp -d makes a directory of mode 0700' \
	test "$(stat -c %a "$TEST_TMP")" = 700
ok 'the working tree is copied into it' copy_tree
for u in usersd www-data; do
	ok "$u cannot reach the copy" sh -c "! runuser -u $u -- test -x '$COPY'"
done

# A port taken by someone else fails nginx's start, after MariaDB and the
# responder have started.
perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
	LocalPort => $ARGV[0], Listen => 1, ReuseAddr => 1) or die "$!\n";
	sleep 600' "$PORT" &
HOLDER=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	ss -Hltn "sport = :$PORT" | grep -q . && break
	sleep 0.2
done
up
isnt "$RC" 0 'up fails when its HTTPS port is taken'
like "$OUT" 'up failed: stopping what it had started' 'and says it stops what it started'
like "$OUT" "the state is in /var/lib/usersd-stack/[0-9a-f]{12}/up$INST " \
	'and says where the state of a private checkout lives'
ok "var/up$INST is a link" test -L "$LINK"
STATE=$(readlink "$LINK")
like "$STATE" "^/var/lib/usersd-stack/[0-9a-f]{12}/up$INST\$" 'to a directory under /var/lib/usersd-stack'
is "$(cat "$(dirname "$STATE")/checkout" 2>/dev/null)" "$COPY" 'which names the checkout'
is "$(pids_of_stack | wc -l)" 0 'nothing of the failed up runs'
for f in mysqld.pid usersd.pid nginx.pid; do
	ok "no $f is left" test ! -e "$STATE/$f"
done
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=""

up
is "$RC" 0 'up succeeds once the port is free'
[ "$RC" = 0 ] || diag "$(printf '%s' "$OUT" | tail -n 30)"
like "$OUT" "https://localhost:$PORT" 'and prints its URL'
like "$OUT" "Logs in $STATE/log/" 'and where its logs are'
for path in /v1/test /v1/db-connection /v1/users/id/1 /v1/openapi.yaml; do
	is "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 \
		-H "x-api-key: $USERS_API_KEY" -H "Authorization: Bearer $USERS_TOKEN" \
		"https://localhost:$PORT$path")" 200 "GET $path answers 200"
done
is "$(users_of "$STATE/usersd.pid")" 'usersd ' "the responder's workers run as usersd"
is "$(users_of "$STATE/nginx.pid")" 'www-data ' "nginx's workers run as www-data"
for f in usersd.ini db-password; do
	is "$(stat -c '%U:%G %a' "$STATE/$f")" 'root:usersd 640' \
		"$f is root:usersd 0640, unreadable to other users"
done
is "$(stat -c '%a' "$STATE/tls/key.pem")" 600 'the TLS key is 0600'
is "$(stat -c '%a' "$TEST_TMP")" 700 'the checkout keeps its mode 0700'

PIDS=$(pids_of_stack)
ok 'the stack has processes' test -n "$PIDS"
DOWN=$(cd "$COPY" && STACK_INSTANCE=$INST ./stack down 2>&1)
is "$?" 0 'down succeeds'
like "$DOWN" "the up stack is stopped" 'and says so'
# A zombie has exited (here, pid 1 may be slow to reap or never reap).
left=""
for p in $PIDS; do
	st=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) || continue
	[ "$st" = Z ] || left="$left $p"
done
is "$left" "" 'no process of the stack is left'
[ -z "$left" ] || diag "$(ps -o pid,ppid,user,args -p "${left# }" 2>&1)"
is "$(pids_of_stack | wc -l)" 0 'nothing names the state directory any more'

# A new clone at the same path (the old one removed with its var/) starts
# from nothing, not from the state the old one left.
touch "$STATE/left-by-the-old-clone"
rm -rf "${COPY:?}/var"
up
is "$RC" 0 'up in a new clone at the same path succeeds'
like "$OUT" "removing $STATE, left by an earlier checkout at this path" \
	'and says it removes the old state'
ok 'the old state is gone' test ! -e "$STATE/left-by-the-old-clone"
is "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 \
	-H "x-api-key: $USERS_API_KEY" -H "Authorization: Bearer $USERS_TOKEN" \
	"https://localhost:$PORT/v1/test")" 200 'and the new stack answers'
(cd "$COPY" && STACK_INSTANCE=$INST ./stack down >/dev/null 2>&1)
is "$?" 0 'and goes down'

done_testing
