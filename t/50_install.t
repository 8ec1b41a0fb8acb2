#!/usr/bin/env bash
# t/50_install.t: make install into a temporary DESTDIR. The tree
# (binary, INI without a secret, nginx site and keys files, systemd unit,
# SQL, man pages, logrotate file); the installed INI refused until its two
# secret files exist, naming each key; the unit and logrotate file checked
# by their tools; then the installed binary, with an installed-style INI,
# serving through nginx in place of the stack's responder, which is put
# back at the end, also on failure. Builds the package: 10 s here, more
# on a slow machine.
. "$(dirname "$0")/lib.sh"

S=$USERS_STATE_DIR
DEST=$TEST_TMP/root
# The installed-style configuration lives in the state directory: ./stack
# recognises (and stops) a responder whose command line names it.
INST=$S/installed
INSTALLED_PID=""

# The paths configure is given, as on a Debian host.
PREFIX=/usr SYSCONFDIR=/etc LOCALSTATEDIR=/var
SBINDIR=$PREFIX/sbin DATADIR=$PREFIX/share

diag_file() { [ -f "$1" ] && tail -n "${2:-20}" "$1" | sed 's/^/# /'; }

# The stack's responder again, the way ./stack starts it.
stack_responder_start() {
	local n=${S##*/test}
	STACK_INSTANCE=$n "$ROOT/stack" app-start test >&2
}

# restore_responder: the stack gets its own responder back, whatever
# happened here.
restore_responder() {
	local pid
	if [ -n "$INSTALLED_PID" ] && alive "$INSTALLED_PID"; then
		kill -s TERM "$INSTALLED_PID" 2>/dev/null
		wait_for 15 not alive "$INSTALLED_PID" ||
			kill -s KILL "$INSTALLED_PID" 2>/dev/null
	fi
	pid=$(cat "$S/usersd.pid" 2>/dev/null)
	if [ -z "$pid" ] || ! alive "$pid" ||
		[ "$(readlink "/proc/$pid/exe")" = "$DEST$SBINDIR/usersd" ]; then
		stack_responder_start || true
	fi
}
at_exit rm -rf "$INST"
at_exit restore_responder

# ini_set FILE SECTION KEY VALUE: replaces the key's line in that section;
# fails when there is none (VALUE "" deletes the line).
ini_set() {
	awk -v sec="$2" -v key="$3" -v val="$4" '
		/^[ \t]*\[/ { s = $0; gsub(/[][ \t]/, "", s) }
		s == sec && $0 ~ "^[ \t]*" key "[ \t]*=" {
			if (val != "") print key " = " val
			found = 1; next
		}
		{ print }
		END { exit !found }' "$1" >"$1.new" && mv "$1.new" "$1"
}

# --- Build and install, from what make dist would ship ---------------------

mkdir -p "$TEST_TMP/build"
built=0
if timeout 120 make -s -C "$ROOT" distdir distdir="$TEST_TMP/src" \
	>"$TEST_TMP/distdir.log" 2>&1; then
	built=1
else
	diag_file "$TEST_TMP/distdir.log"
fi
is "$built" 1 'make distdir: the sources a tarball holds'
[ "$built" = 1 ] || done_testing
built=0
if (cd "$TEST_TMP/build" && timeout 120 "$TEST_TMP/src/configure" --prefix=$PREFIX \
	--sysconfdir=$SYSCONFDIR --localstatedir=$LOCALSTATEDIR &&
	timeout 600 make -j2 &&
	timeout 120 make install DESTDIR="$DEST") >"$TEST_TMP/build.log" 2>&1; then
	built=1
else
	diag_file "$TEST_TMP/build.log" 30
fi
is "$built" 1 "configure --prefix=$PREFIX --sysconfdir=$SYSCONFDIR --localstatedir=$LOCALSTATEDIR && make && make install DESTDIR=..."
[ "$built" = 1 ] || done_testing

UNITDIR=$(sed -n 's/^systemdsystemunitdir = //p' "$TEST_TMP/build/Makefile")
diag "systemd unit directory: $UNITDIR"

# --- The tree ------------------------------------------------------------------

# has MODE PATH: PATH is a regular file in DESTDIR with that mode.
has() {
	is "$(stat -c %a "$DEST$2" 2>&1)" "$1" "installed: $2 (mode $1)"
}

has 755 "$SBINDIR/usersd"
has 644 "$SYSCONFDIR/usersd/usersd.ini"
has 644 "$SYSCONFDIR/nginx/usersd/usersd-site.conf"
has 644 "$SYSCONFDIR/nginx/usersd/api-keys.map"
has 644 "$UNITDIR/usersd.service"
has 644 "$SYSCONFDIR/logrotate.d/usersd"
has 644 "$DATADIR/man/man8/usersd.8"
has 644 "$DATADIR/man/man5/usersd.ini.5"
for f in "$ROOT"/sql/*.sql; do
	has 644 "$DATADIR/usersd/sql/${f##*/}"
done
for f in "$ROOT"/etc/mariadb/*.cnf; do
	has 644 "$DATADIR/usersd/examples/mariadb/${f##*/}"
done
if [ -f "$ROOT/docs/openapi.yaml" ]; then
	has 644 "$DATADIR/usersd/openapi.yaml"
fi

INI=$DEST$SYSCONFDIR/usersd/usersd.ini
SITE=$DEST$SYSCONFDIR/nginx/usersd/usersd-site.conf
KEYS=$DEST$SYSCONFDIR/nginx/usersd/api-keys.map
UNIT=$DEST$UNITDIR/usersd.service

is "$(grep -cE '^[[:space:]]*(password|secret)[[:space:]]*=' "$INI")" 0 \
	'the installed INI holds no password and no secret'
is "$(grep -cvE '^[[:space:]]*(#|$)' "$KEYS")" 0 \
	'the installed keys file holds no key (comments only)'
is "$(grep -ci -- "$USERS_API_KEY" "$KEYS")" 0 \
	'the development API key is not installed'

# What the site file names is what was installed where it says.
keys_path=$(sed -n 's/^[[:space:]]*include[[:space:]]\{1,\}\([^;]*api-keys\.map\);.*/\1/p' "$SITE")
is "$keys_path" "$SYSCONFDIR/nginx/usersd/api-keys.map" \
	'the site file includes the installed keys file'
while read -r f; do
	ok "the file the site serves is installed: $f" test -f "$DEST$f"
done < <(sed -n 's/^[[:space:]]*alias[[:space:]]\{1,\}\([^;]*\);.*/\1/p' "$SITE")
sock=$(ini_get "$INI" server socket)
is "$sock" /run/usersd/usersd.sock \
	'[server] socket is in the unit'"'"'s runtime directory'
# The upstream holds the one server of a one-host install: the INI's socket.
like "$(cat "$SITE")" "server unix:$sock;" \
	'the site file passes to the INI'"'"'s socket'
like "$(cat "$SITE")" 'fastcgi_pass usersd_responders;' \
	'through the upstream of the responders'

# The unit: the configured paths and the required settings.
# shellcheck disable=SC2016 # $MAINPID is the unit's, literally
for line in "ExecStart=$SBINDIR/usersd -c $SYSCONFDIR/usersd/usersd.ini" \
	'RuntimeDirectory=usersd' 'NoNewPrivileges=yes' \
	'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
	'Restart=on-failure' 'ExecReload=/bin/kill -HUP $MAINPID' \
	'KillSignal=SIGTERM'; do
	is "$(grep -cxF -- "$line" "$UNIT")" 1 "unit: $line"
done
is "$(grep -c '@[a-z]*@' "$UNIT")" 0 'unit: every @path@ substituted'
# The design: started as root, usersd drops to [server] user itself.
is "$(ini_get "$INI" server user)" usersd \
	'the INI drops to the unprivileged user usersd'

if command -v systemd-analyze >/dev/null; then
	# verify wants the binaries at their paths: point it at DESTDIR's.
	mkdir -p "$TEST_TMP/unit"
	sed "s|$SBINDIR/usersd|$DEST$SBINDIR/usersd|g" "$UNIT" \
		>"$TEST_TMP/unit/usersd.service"
	out=$(systemd-analyze verify --man=no "$TEST_TMP/unit/usersd.service" 2>&1)
	rc=$?
	is "$rc:$out" "0:" 'systemd-analyze verify: no error, no warning'
else
	skip 'systemd-analyze verify' 'systemd-analyze is not installed'
fi

# The nginx package rotates /var/log/nginx/*.log: naming one of them again
# would fail logrotate's whole run ("duplicate log entry").
is "$(grep -vE '^[[:space:]]*#' "$DEST$SYSCONFDIR/logrotate.d/usersd" |
	grep -c '/var/log/nginx/')" 0 \
	'logrotate file: no nginx log (the nginx package rotates those)'
# ...so every log the site writes must be one that entry's glob takes.
is "$(sed -n 's/^[[:space:]]*\(access\|error\)_log[[:space:]]\{1,\}\([^ ;]*\).*/\2/p' "$SITE" |
	grep -cvE '^/var/log/nginx/[^/]+\.log$')" 0 \
	'the site logs only to /var/log/nginx/*.log, which the nginx package rotates'
if command -v logrotate >/dev/null; then
	printf 'include %s\n' "$DEST$SYSCONFDIR/logrotate.d/usersd" \
		>"$TEST_TMP/logrotate.conf"
	out=$(logrotate -d -s "$TEST_TMP/logrotate.state" "$TEST_TMP/logrotate.conf" 2>&1)
	rc=$?
	errors=$(printf '%s\n' "$out" | grep -c '^error:')
	is "$rc:$errors" 0:0 'logrotate -d accepts the logrotate file'
	[ "$rc:$errors" = 0:0 ] || diag "$out"
else
	skip 'logrotate -d' 'logrotate is not installed'
fi

if command -v groff >/dev/null; then
	for m in man8/usersd.8 man5/usersd.ini.5; do
		is "$(groff -mandoc -ww -z "$DEST$DATADIR/man/$m" 2>&1)" "" \
			"man page $m: groff has no warning"
	done
else
	skip 'man pages through groff' 'groff is not installed'
fi

# --- The installed INI refuses to start and names the key ---------------------

BIN=$DEST$SBINDIR/usersd
if [ -e "$SYSCONFDIR/usersd/db-password" ]; then
	skip 'usersd -t on the installed INI' "this host has $SYSCONFDIR/usersd/db-password"
else
	out=$("$BIN" -t -c "$INI" 2>&1)
	is "$?" 1 'usersd -t on the installed INI: exit 1'
	like "$out" "\\[database\\] password_file: cannot open $SYSCONFDIR/usersd/db-password" \
		'... naming [database] password_file and its file'
fi
# The same INI with its paths moved into DESTDIR: one secret file at a time.
sed "s|$SYSCONFDIR/usersd/|$DEST$SYSCONFDIR/usersd/|g" "$INI" >"$TEST_TMP/moved.ini"
echo pass >"$DEST$SYSCONFDIR/usersd/db-password"
out=$("$BIN" -t -c "$TEST_TMP/moved.ini" 2>&1)
is "$?" 1 'with the database password set: still refused'
like "$out" "\\[jwt\\] secret_file: cannot open $DEST$SYSCONFDIR/usersd/jwt-secret" \
	'... naming [jwt] secret_file and its file'
echo secret >"$DEST$SYSCONFDIR/usersd/jwt-secret"
out=$("$BIN" -t -c "$TEST_TMP/moved.ini" 2>&1)
is "$?:$out" "0:usersd: $TEST_TMP/moved.ini: configuration is valid" \
	'with both secret files: valid'

# --- The installed binary serves through nginx ---------------------------------

mkdir -p "$INST"
cp "$INI" "$INST/usersd.ini"
(umask 077 && printf '%s' "$USERS_JWT_SECRET" >"$INST/jwt-secret")
edited=1
ini_set "$INST/usersd.ini" server socket "$S/usersd.sock" || edited=0
# Dropped to usersd as the stack's own responder is, when the stack does.
ini_set "$INST/usersd.ini" server user \
	"$(ini_get "$S/usersd.ini" server user)" || edited=0
ini_set "$INST/usersd.ini" database unix_socket "$S/mysqld.sock" || edited=0
ini_set "$INST/usersd.ini" database password_file "$S/db-password" || edited=0
ini_set "$INST/usersd.ini" jwt secret_file "$INST/jwt-secret" || edited=0
is "$edited" 1 'installed-style INI: socket, database and secret keys set'
out=$("$BIN" -t -c "$INST/usersd.ini" 2>&1)
is "$?:$out" "0:usersd: $INST/usersd.ini: configuration is valid" \
	'installed-style INI: valid'

# The stack's responder steps aside (SIGTERM, as systemd stops it).
old=$(cat "$S/usersd.pid")
kill -s TERM "$old"
ok "the stack's responder stopped (pid $old)" \
	wait_for 20 not alive "$old"
rm -f "$S/usersd.sock"
"$BIN" -c "$INST/usersd.ini" </dev/null >>"$S/log/usersd.log" 2>&1 &
INSTALLED_PID=$!
printf '%s\n' "$INSTALLED_PID" >"$S/usersd.pid"
ok 'the installed usersd opens the socket' wait_for 10 test -S "$S/usersd.sock"
ok 'the installed usersd serves' wait_for 10 answers 200 /v1/test
is "$(readlink "/proc/$INSTALLED_PID/exe")" "$BIN" \
	'the master is the installed binary'
want_user=$(ini_get "$INST/usersd.ini" server user)
is "$(ps -o user= -p "$INSTALLED_PID" --ppid "$INSTALLED_PID" | sort -u |
	tr -d ' ')" "${want_user:-root}" \
	"master and workers run as ${want_user:-root}"

api GET /v1/users/id/4
is "$STATUS" 200 'GET /v1/users/id/4 through nginx: 200'
jq_is '.message.first_name' '"Gabriela"' '... Gabriela'

kill -s TERM "$INSTALLED_PID"
wait "$INSTALLED_PID"
is "$?" 0 'the installed usersd stops on SIGTERM with exit 0'
INSTALLED_PID=""

# --- The stack's responder back -------------------------------------------------

rm -f "$S/usersd.sock"
stack_responder_start
ok "the stack's responder serves again" wait_for 15 answers 200 /v1/test
exe=$(readlink "/proc/$(cat "$S/usersd.pid")/exe")
ok "... it is the stack's build again ($exe)" \
	test "${exe#"$ROOT"/}" != "$exe"

done_testing
