# t/writes.sh: helpers shared by the write tests (t/2x_*.t), sourced after
# lib.sh: SQL in a UTF-8 UTC session, row snapshots and digests.

# q SQL: sql in a UTF-8, UTC session.
q() { sql "SET NAMES utf8mb4; SET time_zone = '+00:00'; $1"; }

count() { q 'SELECT COUNT(*) FROM users'; }

# row_json ID: the row as the API should show it, compact JSON (read as
# hex: the client's batch mode would escape backslashes).
row_json() {
	case ${1:-} in '' | *[!0-9]*) return ;; esac
	q "SELECT HEX(JSON_OBJECT('id', id, 'nickname', nickname,
		'first_name', first_name, 'last_name', last_name, 'email', email,
		'identification_type', identification_type,
		'identification_number', identification_number,
		'country_id', country_id,
		'creation_date', DATE_FORMAT(creation_date, '%Y-%m-%d %H:%i:%s'),
		'update_date', DATE_FORMAT(update_date, '%Y-%m-%d %H:%i:%s')))
		FROM users WHERE id = $1" |
		perl -ne 'chomp; print pack "H*", $_' | jq -c .
}

# samples: a digest of the 42 sample users, to show they are untouched.
samples() {
	q "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, nickname, first_name,
		last_name, email, identification_type, identification_number,
		country_id, creation_date, update_date) ORDER BY id SEPARATOR '#'))
		FROM users WHERE id <= 42"
}

# hexof TEXT: TEXT's bytes as SQL's HEX() shows them.
hexof() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }

# rep STRING N: STRING repeated N times.
rep() { perl -e 'print $ARGV[0] x $ARGV[1]' -- "$1" "$2"; }

# delete_new_rows_at_exit [FUNCTION]: every row above the highest id now is
# the calling file's (prove runs the files one at a time; never a sample
# user) and is deleted when it exits, after FUNCTION (the file's own
# clean-up, if any) has run; lib.sh's own clean-up is kept.
delete_new_rows_at_exit() {
	MAXID=$(q 'SELECT COALESCE(MAX(id), 0) FROM users')
	AT_EXIT=${1:-}
	local lib_trap
	lib_trap=$(trap -p EXIT)
	if [ -n "$lib_trap" ]; then
		eval "${lib_trap/#"trap -- '"/"trap -- 'cleanup; "}"
	else
		trap cleanup EXIT
	fi
}

cleanup() {
	[ -z "${AT_EXIT:-}" ] || "$AT_EXIT"
	case ${MAXID:-} in
	'' | *[!0-9]*) ;;
	*) q "DELETE FROM users WHERE id > GREATEST($MAXID, 42)" ;;
	esac
}

# insert_user TAG DATE [FIRST LAST]: inserts a user with SQL and sets NEWID.
# Its names and identification are unique to this run and file (RUN, TYPE
# and the counter K, which it advances; TAG is the file's letter), both
# dates are DATE (an SQL expression).
insert_user() {
	K=$((K + 1))
	NEWID=$(q "INSERT INTO users (nickname, first_name, last_name, email,
		identification_type, identification_number, country_id,
		creation_date, update_date) VALUES ('$1NICK_${RUN}_$K',
		'${3:-$1F${RUN}k$K}', '${4:-$1L${RUN}k$K}',
		'${1,,}$K.$RUN@example.com', '$TYPE', '${RUN}k$K', 'AR', $2, $2);
		SELECT LAST_INSERT_ID()")
}
