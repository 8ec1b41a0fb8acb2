# shellcheck shell=bash
# t/writes.sh: helpers shared by the write tests (t/2x_*.t), sourced after
# lib.sh: the run's unique names, rows made with SQL, a digest of the sample
# users, and the rows a file adds deleted at its exit.

count() { q 'SELECT COUNT(*) FROM users'; }

# samples: a digest of the 42 sample users, to show they are untouched.
samples() {
	q "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, nickname, first_name,
		last_name, email, identification_type, identification_number,
		country_id, creation_date, update_date) ORDER BY id SEPARATOR '#'))
		FROM users WHERE id <= 42"
}

# begin_writes LETTER [DATE]: the file's run. RUN (digits, unique to this
# run, at most 12), TYPE (LETTER RUN, the identification_type of its
# users), K (mkrow's counter), ROW_DATE (DATE, an SQL expression: the dates
# of mkrow's rows, now by default), START_COUNT, SAMPLES; every row above the
# highest id now (MAXID) is the file's (prove runs the files one at a
# time; never a sample user) and is deleted when it exits.
begin_writes() {
	RUN=$(($(date +%s) % 100000))$$
	TYPE="$1$RUN"
	K=0
	ROW_DATE=${2:-'UTC_TIMESTAMP()'}
	START_COUNT=$(count)
	SAMPLES=$(samples)
	MAXID=$(q 'SELECT COALESCE(MAX(id), 0) FROM users')
	at_exit delete_new_rows
}

# end_writes: the sample users are untouched, and once the file's rows are
# deleted the table has as many rows as at the start.
end_writes() {
	is "$(samples)" "$SAMPLES" 'the 42 sample users are unchanged'
	delete_new_rows
	is "$(count)" "$START_COUNT" 'cleanup: as many rows as at the start'
}

# delete_new_rows: deletes the rows above MAXID (never a sample user).
delete_new_rows() {
	case ${MAXID:-} in
	'' | *[!0-9]*) ;;
	*) q "DELETE FROM users WHERE id > GREATEST($MAXID, 42)" ;;
	esac
}

# mkrow: inserts a user with SQL and sets NEWID. Its names and
# identification are unique to this run and file (RUN, TYPE and the counter
# K, which it advances; TYPE's letter starts them), both dates are
# ROW_DATE.
mkrow() { mkrow_named '' ''; }

# mkrow_named FIRST LAST: mkrow with those names ('': mkrow's).
mkrow_named() {
	local tag=${TYPE:0:1}
	K=$((K + 1))
	# shellcheck disable=SC2034 # read by the tests
	NEWID=$(q "INSERT INTO users (nickname, first_name, last_name, email,
		identification_type, identification_number, country_id,
		creation_date, update_date) VALUES ('${tag}NICK_${RUN}_$K',
		'${1:-${tag}F${RUN}k$K}', '${2:-${tag}L${RUN}k$K}',
		'${tag,,}$K.$RUN@example.com', '$TYPE', '${RUN}k$K', 'AR',
		$ROW_DATE, $ROW_DATE);
		SELECT LAST_INSERT_ID()")
}

# mk [OVERRIDES_JSON]: sets U to a valid add body for a new, unique user
# of this run (begin_writes), with OVERRIDES_JSON's keys replaced.
mk() {
	K=$((K + 1))
	# shellcheck disable=SC2034 # read by the tests
	U=$(jq -nc --arg r "$RUN" --arg k "$K" --arg t "$TYPE" \
		--argjson o "${1:-null}" '{
		nickname: ("NICK_" + $r + "_" + $k),
		first_name: ("F" + $r + "k" + $k),
		last_name: ("L" + $r + "k" + $k),
		email: ("u" + $r + "." + $k + "@example.com"),
		identification_type: $t,
		identification_number: ($r + $k),
		country_id: "AR"
	} + ($o // {})')
}

# The 400 of an add that clashes with a unique key (api.md).
# shellcheck disable=SC2034 # read by the t/2x files
ADD_CONFLICT_MSG='Bad request, could not add user. CHECK: The first_name next together the last_name should be uniques. The identification_type next together the identification_number should be uniques.'
