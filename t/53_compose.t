#!/usr/bin/env bash
# t/53_compose.t: what can be checked of docker-compose.yml and the
# Dockerfile without a Docker engine: the compose file validates, every path
# it mounts or copies exists, the runtime image installs every library the
# binaries link, and etc/usersd-compose.ini is a valid usersd configuration
# whose values match the compose file and the nginx site. No stack needed.
. "$(dirname "$0")/lib.sh"

INI=$ROOT/etc/usersd-compose.ini
DOCKERFILE=$ROOT/Dockerfile
SITE=$ROOT/nginx/usersd-site.conf
cd "$ROOT" || exit 1

# ini SECTION KEY: the value in etc/usersd-compose.ini (unquoted, no comment).
ini() {
	awk -v s="$1" -v k="$2" '
		/^[[:space:]]*[;#]/ { next }
		/^\[/ { sec = $0; gsub(/[][[:space:]]/, "", sec); next }
		sec == s {
			i = index($0, "="); if (!i) next
			key = substr($0, 1, i - 1); gsub(/[[:space:]]/, "", key)
			if (key != k) next
			v = substr($0, i + 1); sub(/[;#].*/, "", v)
			gsub(/^[[:space:]"]+|[[:space:]"]+$/, "", v); print v
		}' "$INI"
}

# svc FILTER: jq FILTER on the resolved compose file.
svc() { jq -r "$1" "$TEST_TMP/compose.json" 2>&1; }

# --- the compose file validates
ok 'docker-compose is installed (Debian package)' \
	sh -c 'command -v docker-compose >/dev/null'
if docker-compose -f docker-compose.yml config -q 2>"$TEST_TMP/config.err"; then
	pass 'docker-compose config -q: the file is valid'
else
	fail 'docker-compose config -q: the file is valid'
	diag "$(cat "$TEST_TMP/config.err")"
fi
# The resolved file (absolute paths) as JSON; Debian's docker-compose
# depends on python3-yaml.
docker-compose -f docker-compose.yml config 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' \
	>"$TEST_TMP/compose.json" 2>"$TEST_TMP/yaml.err"
is "$(svc '.services | keys | join(" ")')" 'mariadb nginx tls-init usersd' \
	'services: mariadb, usersd, nginx and the one-shot tls-init'

# --- mariadb
is "$(svc .services.mariadb.image)" mariadb:10.11 'mariadb: the official mariadb:10.11'
is "$(svc '.services.mariadb.volumes[] | select(endswith(":/docker-entrypoint-initdb.d:ro"))')" \
	"$ROOT/sql:/docker-entrypoint-initdb.d:ro" 'mariadb: sql/ read-only as /docker-entrypoint-initdb.d'
is "$(svc '.services.mariadb.healthcheck.test | join(" ")')" \
	'CMD healthcheck.sh --connect --innodb_initialized' \
	'mariadb: healthcheck.sh --connect --innodb_initialized'
is "$(svc '.services.usersd.depends_on.mariadb.condition')" service_healthy \
	'usersd waits for a healthy mariadb'
is "$(svc '.services.nginx.depends_on.usersd.condition')" service_healthy \
	'nginx waits for a healthy usersd'
is "$(svc '.services.nginx.depends_on["tls-init"].condition')" \
	service_completed_successfully 'nginx waits for its certificate'
is "$(svc '.services.nginx.ports | join(" ")')" '127.0.0.1:8443:443/tcp' \
	'nginx: 443 published on the host'"'"'s loopback 8443'
is "$(svc '.services.usersd.ports // [] | length')" 0 'usersd: no port published'

# --- every path mounted from the host exists in the repository
binds=$(svc '.services[] | .volumes // [] | .[] | if type == "string" then split(":")[0] else .source end | select(startswith("/"))')
ok 'some host paths are mounted' test -n "$binds"
for b in $binds; do
	ok "mounted host path exists in the repository: ${b#"$ROOT"/}" \
		test -e "$b" -a "${b#"$ROOT"/}" != "$b"
done
# The secrets are the one exception: made by the user, in secrets/, which
# the image's build context leaves out.
for f in $(svc '.secrets[].file'); do
	is "$(dirname "$f")" "$ROOT/secrets" "secret file in secrets/: ${f#"$ROOT"/}"
done
ok '.dockerignore leaves secrets/ out of the build context' \
	grep -qx 'secrets' .dockerignore

# --- the Dockerfile
for s in $(svc '.services[] | select(.build) | .build.target'); do
	ok "Dockerfile has the stage $s" grep -Eq "^FROM [^ ]+ AS $s\$" "$DOCKERFILE"
done
is "$(svc '[.services[] | select(.build) | .build.context] | unique | join(" ")')" \
	"$ROOT" 'the build context is the repository'
grep -E '^FROM ' "$DOCKERFILE" | awk '{ print $2 }' | sort -u >"$TEST_TMP/bases"
is "$(grep -c '^debian:12' "$TEST_TMP/bases")" "$(wc -l <"$TEST_TMP/bases")" \
	'every stage is built on Debian 12'
# COPY sources from the context (not --from a stage) exist and are not
# left out by .dockerignore.
grep -E '^COPY ' "$DOCKERFILE" | grep -v -- '--from=' |
	awk '{ for (i = 2; i < NF; i++) print $i }' >"$TEST_TMP/copies"
ok 'the Dockerfile copies from the context' test -s "$TEST_TMP/copies"
while read -r src; do
	ok "COPY source exists: $src" test -e "$src"
	ok "COPY source not in .dockerignore: $src" \
		not grep -qxF -- "$src" .dockerignore
done <"$TEST_TMP/copies"
# The binaries copied from the build stage are where make install-exec
# puts them: usersd in sbin, usersd-token in bin.
like "$(grep -E '^sbin_PROGRAMS' Makefile.am)" '\busersd\b' 'Makefile.am: usersd in sbin'
like "$(grep -E '^bin_PROGRAMS' Makefile.am)" '\busersd-token\b' 'Makefile.am: usersd-token in bin'
ok 'runtime stage copies /usr/sbin/usersd from the build' \
	grep -q '^COPY --from=build /out/usr/sbin/usersd ' "$DOCKERFILE"
ok 'runtime stage copies /usr/bin/usersd-token from the build' \
	grep -q '^COPY --from=build /out/usr/bin/usersd-token ' "$DOCKERFILE"
# The runtime stage's apt-get line names the package of every library the
# built binaries link (libc6 is in the base image); no -dev package.
sed -n '/^FROM .* AS runtime$/,/^FROM /p' "$DOCKERFILE" >"$TEST_TMP/runtime"
unlike "$(grep -E -- '-dev\b|autoconf|automake|gcc' "$TEST_TMP/runtime")" . \
	'runtime stage: no -dev package and no build tool'
ok 'runtime stage runs as the unprivileged usersd' \
	grep -qx 'USER usersd' "$TEST_TMP/runtime"
for bin in usersd usersd-token; do
	ok "$bin is built" test -x "$ROOT/$bin"
	[ -x "$ROOT/$bin" ] || continue
	for lib in $(objdump -p "$ROOT/$bin" | awk '/NEEDED/ { print $2 }'); do
		path=$(ldd "$ROOT/$bin" | awk -v l="$lib" '$1 == l { print $3 }')
		pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null |
			head -n 1 | cut -d: -f1)
		[ "$pkg" = libc6 ] && continue
		# The sanitizer runtimes come from this run's --enable-sanitizers
		# pass; the image builds without it.
		case $lib in libasan.so.* | libubsan.so.* | liblsan.so.*) continue ;; esac
		ok "runtime stage installs $pkg ($lib of $bin)" \
			grep -Eq "(^|[[:space:]])$pkg([[:space:]]|\$)" "$TEST_TMP/runtime"
	done
done
ok 'the runtime image has the group nginx (gid 101, the nginx image'"'"'s)' \
	grep -q 'groupadd --system --gid 101 nginx' "$TEST_TMP/runtime"
ok 'the runtime image puts usersd in the group nginx' \
	grep -Eq 'useradd .*--groups nginx' "$TEST_TMP/runtime"

# --- etc/usersd-compose.ini is a configuration usersd accepts
keys=$(grep -oE '^[[:space:]]*(STR|NUM|CHOICE|CUSTOM)\("[a-z]+", "[a-z_]+"' src/config.c |
	sed -E 's/.*\("([a-z]+)", "([a-z_]+)"/\1.\2/')
ok 'src/config.c: its settings table read' test "$(printf '%s\n' "$keys" | wc -l)" -ge 20
awk '/^[[:space:]]*[;#]/ || /^[[:space:]]*$/ { next }
	/^\[/ { sec = $0; gsub(/[][[:space:]]/, "", sec); next }
	{ i = index($0, "="); k = substr($0, 1, i - 1); gsub(/[[:space:]]/, "", k); print sec "." k }' \
	"$INI" >"$TEST_TMP/ini-keys"
ok 'etc/usersd-compose.ini has keys' test -s "$TEST_TMP/ini-keys"
while read -r k; do
	ok "config.c reads [${k%%.*}] ${k#*.}" grep -qx -- "$k" <<<"$keys"
done <"$TEST_TMP/ini-keys"
# usersd -t on a copy whose container paths point into a temp dir.
USERSD=$(built usersd)
mkdir -p "$TEST_TMP/run/secrets" "$TEST_TMP/run/usersd"
printf 'db-password\n' >"$TEST_TMP/run/secrets/db_password"
printf 'a-jwt-secret-for-the-test' >"$TEST_TMP/run/secrets/jwt_secret"
sed -e "s|/run/secrets/|$TEST_TMP/run/secrets/|g" -e "s|/run/usersd/|$TEST_TMP/run/usersd/|g" \
	"$INI" >"$TEST_TMP/usersd.ini"
if out=$("$USERSD" -t -c "$TEST_TMP/usersd.ini" 2>&1); then
	pass 'usersd -t accepts etc/usersd-compose.ini (container paths faked)'
else
	fail 'usersd -t accepts etc/usersd-compose.ini (container paths faked)'
	diag "$out"
fi
ok 'the faked copy still names every /run path' \
	test "$(grep -c "$TEST_TMP/run/" "$TEST_TMP/usersd.ini")" -eq "$(grep -c '^[^;]*/run/' "$INI")"

# --- the INI, the compose environment and the nginx site agree
is "$(svc '.services.usersd.volumes[] | select(endswith(":/etc/usersd/usersd.ini:ro"))')" \
	"$INI:/etc/usersd/usersd.ini:ro" 'usersd: etc/usersd-compose.ini mounted as /etc/usersd/usersd.ini'
ok 'the image runs usersd -c /etc/usersd/usersd.ini' \
	grep -qF 'CMD ["-c", "/etc/usersd/usersd.ini"]' "$TEST_TMP/runtime"
is "$(ini database host)" mariadb '[database] host is the mariadb service'
is "$(ini database port)" 3306 '[database] port is MariaDB'"'"'s default'
is "$(ini database name)" "$(svc .services.mariadb.environment.MARIADB_DATABASE)" \
	'[database] name = MARIADB_DATABASE'
is "$(ini database user)" "$(svc .services.mariadb.environment.MARIADB_USER)" \
	'[database] user = MARIADB_USER'
is "$(ini database password_file)" "$(svc .services.mariadb.environment.MARIADB_PASSWORD_FILE)" \
	'[database] password_file = MARIADB_PASSWORD_FILE'
# A docker secret NAME is the file /run/secrets/NAME in each service given it.
secret_of() { # SERVICE FILE: passes when FILE is a secret SERVICE is given
	[[ $2 == /run/secrets/* ]] &&
		svc ".services[\"$1\"].secrets[] | if type == \"string\" then . else .source end" |
		grep -qx -- "${2#/run/secrets/}"
}
ok '[database] password_file is a secret of usersd' secret_of usersd "$(ini database password_file)"
ok '... and of mariadb' secret_of mariadb "$(ini database password_file)"
is "$(ini jwt alg)" HS256 '[jwt] alg HS256 (secret from a docker secret)'
ok '[jwt] secret_file is a secret of usersd' secret_of usersd "$(ini jwt secret_file)"
sock=$(ini server socket)
sockdir=$(dirname "$sock")
vol=$(svc ".services.usersd.volumes[] | select(endswith(\":$sockdir:rw\")) | split(\":\")[0]")
ok "[server] socket ($sock) is on a named volume of usersd" \
	test -n "$vol" -a "${vol#/}" = "$vol"
is "$(svc ".services.nginx.volumes[] | select(endswith(\":$sockdir:rw\")) | split(\":\")[0]")" \
	"$vol" 'nginx mounts the same volume at the same place'
# fastcgi_pass names the upstream, whose one server is the socket.
is "$(grep -oE '^[[:space:]]*server unix:[^;]+' "$SITE" | sed 's/.*unix://')" "$sock" \
	'nginx/usersd-site.conf: the upstream (fastcgi_pass) names [server] socket'
is "$(ini server socket_group)" nginx '[server] socket_group nginx'
# Each file the site names is inside something mounted into nginx.
targets=$(svc '.services.nginx.volumes[] | split(":")[1]')
files=$(grep -v '^[[:space:]]*#' "$SITE" |
	grep -oE '(/etc/ssl/usersd|/etc/nginx/usersd|/usr/share/usersd|/run/usersd)/[^ ;]+' |
	sort -u)
ok 'nginx/usersd-site.conf names files in the host-specific places' test -n "$files"
for f in $files; do
	found=0
	for t in $targets; do
		[ "$f" = "$t" ] || [[ $f == "$t"/* ]] && found=1
	done
	ok "nginx has $f mounted" test $found = 1
done

done_testing
