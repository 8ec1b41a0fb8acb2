# shellcheck shell=bash
# t/lib.sh: the shared shell library of the end-to-end tests.
# A test sources it, makes requests with `api` (or checks one in a line
# with `expect`), and checks them with `is`, `like`, `ok`, `jq_is`;
# `done_testing` prints the plan and sets the exit status. Clean-ups go
# through `at_exit`, never through a trap of the test's own. `./stack test`
# exports the environment read below.
#
#   USERS_URL        https://localhost:PORT, nginx's TLS listener
#   USERS_API_KEY    a key nginx accepts
#   USERS_TOKEN      a bearer token the responder accepts
#   USERS_JWT_SECRET the HS256 secret of the test configuration
#   USERS_MYSQL      a mariadb client command line for the test database
#   USERS_STATE_DIR  the test stack's state directory (logs under log/)
#
# It sets ROOT (the checkout) and TEST_TMP (a directory of mode 0700 of
# this test's own, removed at exit).

set -u

: "${USERS_URL:?run the tests through ./stack test}"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# --- TAP -----------------------------------------------------------------

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

# pass NAME / fail NAME: a check decided by the test itself.
pass() { _tap_result 1 "$1"; }
fail() { _tap_result 0 "$1"; }

# skip NAME REASON: a check that cannot run here, reported as skipped.
skip() { _tap_result 1 "$1 # SKIP $2"; }

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

# A command that does not exist (a renamed helper, a typo) fails the test
# at done_testing: its checks would otherwise just be missing from the plan.
command_not_found_handle() {
	printf '%s\n' "$1" >>"$TEST_TMP/.not-found"
	printf '%s: %s: command not found\n' "$0" "$1" >&2
	return 127
}

done_testing() {
	[ ! -s "$TEST_TMP/.not-found" ] ||
		fail "every command exists (not found: $(sort -u "$TEST_TMP/.not-found" |
			paste -sd' ' -))"
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}

# --- clean-up at exit ----------------------------------------------------

# The one EXIT trap: a test that sets its own would drop every clean-up
# registered here (lib.sh's temporary directory among them).
_at_exit=()

# at_exit COMMAND [ARGS...]: runs COMMAND ARGS (expanded now; a function
# reads the variables it needs when it runs) when the test exits, last
# registered first, whatever the outcome; a failing one does not stop
# the others.
at_exit() { _at_exit+=("$(printf '%q ' "$@")"); }

_run_at_exit() {
	local i
	for ((i = ${#_at_exit[@]} - 1; i >= 0; i--)); do
		eval "${_at_exit[i]}" || true
	done
	rm -rf "$TEST_TMP"
}

TEST_TMP=$(mktemp -d)
_hdr_file=$TEST_TMP/.lib-headers
trap _run_at_exit EXIT

# --- requests ------------------------------------------------------------

# REQUEST_HOOK: when set, a command raw_request runs after each answer with
# METHOD PATH (t/40_hostile.t inspects every answer so).
REQUEST_HOOK=

# request_url METHOD URL [CURL ARGS...]: a request to any URL. Sets STATUS,
# BODY, HEADERS (CR stripped, lower-case names kept as sent).
request_url() {
	local method=$1 url=$2
	shift 2
	BODY=$(curl -sk --path-as-is -X "$method" -D "$_hdr_file" \
		--max-time 30 "$@" "$url")
	HEADERS=$(tr -d '\r' <"$_hdr_file")
	# shellcheck disable=SC2034 # read by the tests
	STATUS=$(printf '%s\n' "$HEADERS" | awk 'NR == 1 { print $2 }')
}

# raw_request METHOD PATH [CURL ARGS...]: no default credentials.
raw_request() {
	local method=$1 path=$2
	shift 2
	request_url "$method" "$USERS_URL$path" "$@"
	[ -z "$REQUEST_HOOK" ] || "$REQUEST_HOOK" "$method" "$path"
}

# api METHOD PATH [CURL ARGS...]: with the test key and token.
api() {
	local method=$1 path=$2
	shift 2
	raw_request "$method" "$path" -H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" "$@"
}

# with_token TOKEN [PATH]: GET PATH (default /v1/test) with the test key
# and "Bearer TOKEN".
with_token() {
	raw_request GET "${2:-/v1/test}" -H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $1"
}

# header NAME: the value of the last response header NAME (any case).
header() {
	printf '%s\n' "$HEADERS" | awk -v n="$1" '
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == tolower(n)) v = substr($0, i + 1) }
		END { sub(/^[ \t]+/, "", v); print v }'
}

# jq_is [JQ OPTIONS...] FILTER EXPECTED NAME: jq -c FILTER on BODY (with
# options such as --arg) equals EXPECTED.
jq_is() {
	local n=$#
	is "$(printf '%s' "$BODY" | jq -c "${@:1:n-2}" 2>&1)" "${@:n-1:1}" \
		"${@:n:1}"
}

# message: the body's "message" (raw for strings, compact JSON otherwise).
message() { printf '%s' "$BODY" | jq -r 'if (.message|type) == "string" then .message else (.message|tojson) end' 2>&1; }

# shape NAME TYPE: BODY is exactly {"message": X} with X of jq type TYPE.
shape() {
	jq_is 'if type == "object" and keys == ["message"]
		then .message | type else "not a {\"message\": ...} object" end' \
		"\"$2\"" "$1"
}

# expect [-n NAME] METHOD PATH STATUS [MESSAGE [CURL ARGS...]]: one case
# in a line. Makes the request with api, then checks, each as a TAP line of
# its own, the status and, when MESSAGE is given and not empty, the body:
#   @TYPE  the body is {"message": X}, X of jq type TYPE (as shape does)
#   ~ERE   the message matches ERE
#   TEXT   the message is exactly TEXT
# The lines' names start with NAME, by default "METHOD PATH".
expect() {
	local name=''
	if [ "$1" = -n ]; then
		name=$2
		shift 2
	fi
	local method=$1 path=$2 status=$3 msg=${4:-}
	shift $(($# < 4 ? 3 : 4))
	name=${name:-$method $path}
	api "$method" "$path" "$@"
	is "$STATUS" "$status" "$name: $status"
	case $msg in
	'') ;;
	@*) shape "$name: {\"message\": ${msg:1}}" "${msg:1}" ;;
	[~]*) like "$(message)" "${msg:1}" "$name: message /${msg:1}/" ;;
	*) is "$(message)" "$msg" "$name: message" ;;
	esac
}

# --- bodies and the database ----------------------------------------------

# body_ids: the ids of BODY's array, space-separated (or what went wrong).
body_ids() {
	printf '%s' "$BODY" | jq -r 'if (.message | type) == "array"
		then [.message[].id | tostring] | join(" ")
		else "not an array: \(.)" end' 2>&1
}

# body_len: the length of BODY's array, or "x".
body_len() {
	printf '%s' "$BODY" | jq -r 'if (.message | type) == "array"
		then .message | length else "x" end' 2>/dev/null || printf x
}

# sql QUERY: runs QUERY on the test database, tab-separated, no headers.
sql() { $USERS_MYSQL -N -B -e "$1"; }

# q SQL: sql in a UTF-8, UTC session.
q() { sql "SET NAMES utf8mb4; SET time_zone = '+00:00'; $1"; }

# rows_json WHERE [ORDER]: the rows as the API shows them, one compact
# JSON object a line (read as hex: the client's batch mode would escape
# backslashes). The export's NDJSON lines are exactly these.
rows_json() {
	q "SELECT HEX(JSON_OBJECT('id', id, 'nickname', nickname,
		'first_name', first_name, 'last_name', last_name, 'email', email,
		'identification_type', identification_type,
		'identification_number', identification_number,
		'country_id', country_id,
		'creation_date', DATE_FORMAT(creation_date, '%Y-%m-%d %H:%i:%s'),
		'update_date', DATE_FORMAT(update_date, '%Y-%m-%d %H:%i:%s')))
		FROM users WHERE $1 ORDER BY ${2:-id}" |
		perl -ne 'chomp; print pack("H*", $_), "\n"' | jq -c .
}

# row_json ID: the row with that id (nothing for a non-number).
row_json() {
	case ${1:-} in '' | *[!0-9]*) return ;; esac
	rows_json "id = $1"
}

# sql_ids WHERE [ORDER] [LIMIT]: ids of the matching rows (ORDER BY ORDER,
# id by default, then LIMIT, an SQL clause), space-separated.
sql_ids() {
	q "SELECT id FROM users WHERE $1 ORDER BY ${2:-id} ${3:-}" |
		paste -sd' ' -
}

# sql_like COLUMN VALUE: a WHERE clause matching VALUE literally as a
# substring (%, _ and ! escaped for LIKE, ' and \ for the SQL literal).
sql_like() {
	local v
	v=$(printf '%s' "$2" | sed -e 's/!/!!/g' -e 's/%/!%/g' -e 's/_/!_/g' \
		-e 's/\\/\\\\/g' -e "s/'/''/g")
	printf "%s LIKE '%%%s%%' ESCAPE '!'" "$1" "$v"
}

# order_column NAME: the column an orderBy value names (any case,
# camelCase or snake_case).
order_column() {
	local n=${1,,}
	case ${n//_/} in
	id) echo id ;;
	nickname) echo nickname ;;
	firstname) echo first_name ;;
	lastname) echo last_name ;;
	email) echo email ;;
	identificationtype) echo identification_type ;;
	identificationnumber) echo identification_number ;;
	countryid) echo country_id ;;
	creationdate) echo creation_date ;;
	updatedate) echo update_date ;;
	*) echo "unknown-column-$1" ;;
	esac
}

# walk_pages PATH QUERY [MAX]: GETs page 0, 1, ... of PATH?QUERY until an
# empty page (at most MAX, 60 by default). Sets ALL (the ids of every page,
# space-separated), SIZES (each page's length), ERR (what went wrong).
# shellcheck disable=SC2034 # ERR is read by the tests
walk_pages() {
	local page=0 n
	ALL='' SIZES='' ERR=''
	while [ "$page" -le "${3:-60}" ]; do
		api GET "$1?$2&page=$page"
		n=$(body_len)
		if [ "$STATUS" != 200 ] || [ "$n" = x ]; then
			ERR="page $page: $STATUS $BODY"
			return
		fi
		SIZES+="$n "
		[ "$n" = 0 ] && return
		ALL+="${ALL:+ }$(body_ids)"
		page=$((page + 1))
	done
	ERR="more than ${3:-60} pages"
}

# twice WORDS: the words that occur more than once, space-separated.
twice() { printf '%s\n' "$1" | tr -s ' ' '\n' | sed '/^$/d' | sort | uniq -d | paste -sd' ' -; }

# --- text ----------------------------------------------------------------

# rep STRING N: STRING repeated N times.
rep() { perl -e 'print $ARGV[0] x $ARGV[1]' -- "$1" "$2"; }

# hexof TEXT: TEXT's bytes as SQL's HEX() shows them.
hexof() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }

# b64url: stdin in base64url without padding (JWT segments, cursors).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# mint_hs PAYLOAD_JSON [SECRET] [HEADER_JSON] [DIGEST]: a signed JWT.
mint_hs() {
	local payload=$1 secret=${2:-$USERS_JWT_SECRET}
	local header=${3:-'{"alg":"HS256","typ":"JWT"}'} digest=${4:-sha256}
	local h p s
	h=$(printf '%s' "$header" | b64url)
	p=$(printf '%s' "$payload" | b64url)
	s=$(printf '%s' "$h.$p" | openssl dgst -"$digest" -hmac "$secret" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}

now() { date +%s; }

# ini_get FILE SECTION KEY: the key's value in that section of an INI file
# (quotes, surrounding spaces and a trailing ; or # comment removed).
ini_get() {
	awk -v s="$2" -v k="$3" '
		/^[[:space:]]*[;#]/ { next }
		/^[[:space:]]*\[/ { sec = $0; gsub(/[][[:space:]]/, "", sec); next }
		sec == s {
			i = index($0, "="); if (!i) next
			key = substr($0, 1, i - 1); gsub(/[[:space:]]/, "", key)
			if (key != k) next
			v = substr($0, i + 1); sub(/[;#].*/, "", v)
			gsub(/^[[:space:]"]+|[[:space:]"]+$/, "", v); print v; exit
		}' "$1"
}

# built NAME: the newest executable NAME automake built, in the checkout
# or in src/ ("" when there is none), as ./stack finds usersd.
built() {
	local b found=''
	for b in "$ROOT/$1" "$ROOT/src/$1"; do
		[ -x "$b" ] && { [ -z "$found" ] || [ "$b" -nt "$found" ]; } &&
			found=$b
	done
	printf '%s' "$found"
}

# --- processes and waits -------------------------------------------------

# alive PID: the process exists and has not exited (a zombie has).
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# not COMMAND [ARGS...]: succeeds when COMMAND fails (for wait_for, ok).
not() { ! "$@"; }

# wait_for SECONDS COMMAND...: polls COMMAND every 0.05 s until it succeeds
# (0) or SECONDS (may be fractional) have passed (1).
wait_for() {
	local limit=$1 start=$EPOCHREALTIME
	shift
	until "$@"; do
		elapsed_since "$start" "$limit" || return 1
		sleep 0.05
	done
}

# elapsed_since START LIMIT: true while less than LIMIT seconds have
# passed since the $EPOCHREALTIME value START.
elapsed_since() {
	awk -v s="$1" -v n="$EPOCHREALTIME" -v l="$2" \
		'BEGIN { exit !(n - s < l) }'
}

# status_of PATH: the status the API answers PATH with (000: no answer).
status_of() {
	curl -sk -o /dev/null -w '%{http_code}' --max-time 10 \
		-H "x-api-key: $USERS_API_KEY" \
		-H "Authorization: Bearer $USERS_TOKEN" "$USERS_URL$1"
}

# answers STATUS PATH: the API answers PATH with STATUS.
answers() { [ "$(status_of "$2")" = "$1" ]; }
