# t/lib.sh: the shared shell library of the end-to-end tests.
# A test sources it, makes requests with `api`, and checks them with
# `is`, `like`, `ok`, `jq_is`; `done_testing` prints the plan and sets the
# exit status. `./stack test` exports the environment read below.
#
#   USERS_URL        https://localhost:PORT, nginx's TLS listener
#   USERS_API_KEY    a key nginx accepts
#   USERS_TOKEN      a bearer token the responder accepts
#   USERS_JWT_SECRET the HS256 secret of the test configuration
#   USERS_MYSQL      a mariadb client command line for the test database
#   USERS_STATE_DIR  the test stack's state directory (logs under log/)

set -u

: "${USERS_URL:?run the tests through ./stack test}"

_tap_n=0
_tap_failed=0

_tap_result() { # pass name
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 1 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
	else
		_tap_failed=$((_tap_failed + 1))
		printf 'not ok %d - %s\n' "$_tap_n" "$2"
	fi
}

diag() { printf '# %s\n' "$*" | sed '2,$s/^/# /'; }

# is GOT EXPECTED NAME
is() {
	if [ "$1" = "$2" ]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "got:      '$1'"
		diag "expected: '$2'"
	fi
}

# isnt GOT UNEXPECTED NAME
isnt() {
	if [ "$1" != "$2" ]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "got the unexpected: '$1'"
	fi
}

# like GOT ERE NAME
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		diag "got:           '$1'"
		diag "does not match: /$2/"
	fi
}

# unlike GOT ERE NAME
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_result 0 "$3"
		diag "got:     '$1'"
		diag "matches: /$2/"
	else
		_tap_result 1 "$3"
	fi
}

# ok NAME COMMAND [ARGS...]: passes when the command succeeds.
ok() {
	local name=$1
	shift
	if "$@"; then
		_tap_result 1 "$name"
	else
		_tap_result 0 "$name"
		diag "command failed: $*"
	fi
}

done_testing() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}

_hdr_file=$(mktemp)
trap 'rm -f "$_hdr_file"' EXIT

# raw_request METHOD PATH [CURL ARGS...]: no default credentials.
# Sets STATUS, BODY, HEADERS (CR stripped, lower-case names kept as sent).
raw_request() {
	local method=$1 path=$2
	shift 2
	BODY=$(curl -sk --path-as-is -X "$method" -D "$_hdr_file" \
		--max-time 30 "$@" "$USERS_URL$path")
	HEADERS=$(tr -d '\r' <"$_hdr_file")
	STATUS=$(printf '%s\n' "$HEADERS" | awk 'NR == 1 { print $2 }')
}

# api METHOD PATH [CURL ARGS...]: with the test key and token.
api() {
	local method=$1 path=$2
	shift 2
	raw_request "$method" "$path" -H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" "$@"
}

# header NAME: the value of the last response header NAME (any case).
header() {
	printf '%s\n' "$HEADERS" | awk -v n="$(printf '%s' "$1" | tr A-Z a-z)" '
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) v = substr($0, i + 1) }
		END { sub(/^[ \t]+/, "", v); print v }'
}

# jq_is FILTER EXPECTED NAME: jq -c FILTER on BODY equals EXPECTED.
jq_is() {
	is "$(printf '%s' "$BODY" | jq -c "$1" 2>&1)" "$2" "$3"
}

# message: the body's "message" (raw for strings, compact JSON otherwise).
message() { printf '%s' "$BODY" | jq -r 'if (.message|type) == "string" then .message else (.message|tojson) end' 2>&1; }

# sql QUERY: runs QUERY on the test database, tab-separated, no headers.
sql() { $USERS_MYSQL -N -B -e "$1"; }

_b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# mint_hs PAYLOAD_JSON [SECRET] [HEADER_JSON] [DIGEST]: a signed JWT.
mint_hs() {
	local payload=$1 secret=${2:-$USERS_JWT_SECRET}
	local header=${3:-'{"alg":"HS256","typ":"JWT"}'} digest=${4:-sha256}
	local h p s
	h=$(printf '%s' "$header" | _b64url)
	p=$(printf '%s' "$payload" | _b64url)
	s=$(printf '%s' "$h.$p" | openssl dgst -"$digest" -hmac "$secret" -binary | _b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}

now() { date +%s; }
