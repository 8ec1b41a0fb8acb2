#!/usr/bin/env bash
# t/56_migrations.t: the schema migrations (README "Schema migrations").
# A database made the old way, from sql/01-02 only and holding users, gets
# sql/04_*.sql and later through ./stack migrate, the same code every up
# runs on an existing database: the version column appears, every row is
# kept as it was (at version 1), the trigram index covers all seven text
# columns and its triggers are gone, and a second run changes nothing. The
# test stack's own database, made from all of sql/, has the column too.
. "$(dirname "$0")/lib.sh"

DB=users_mig_$$
N=${USERS_STATE_DIR##*/test}
# The stack's root client, on another database.
MIG="${USERS_MYSQL/--database=users/--database=$DB}"

msql() { $MIG -N -B -e "$1"; }
drop_db() { sql "DROP DATABASE IF EXISTS $DB"; }
at_exit drop_db

# digest: every column of every user but the version, in id order.
digest() {
	msql "SELECT COUNT(*), MD5(GROUP_CONCAT(CONCAT_WS('|', id, nickname,
		first_name, last_name, email, identification_type,
		identification_number, country_id, creation_date, update_date)
		ORDER BY id SEPARATOR '#')) FROM users"
}

has_version() {
	msql "SELECT COUNT(*) FROM information_schema.columns WHERE
		table_schema = '$DB' AND table_name = 'users' AND
		column_name = 'version'"
}

migrate() { STACK_INSTANCE=$N "$ROOT/stack" migrate test "$DB" >&2; }

ok 'the numbered files include at least one migration (04 or more)' \
	test -n "$(find "$ROOT/sql" -name '0[4-9]_*.sql' -o -name '[1-9][0-9]_*.sql')"

sql "CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
loaded=0
for f in "$ROOT"/sql/0[1-3]_*.sql; do
	$MIG <"$f" && loaded=$((loaded + 1))
done
is "$loaded" 2 'a database made from sql/01-02 only'
msql "INSERT INTO users (nickname, first_name, last_name, email,
	identification_type, identification_number, country_id, creation_date,
	update_date) VALUES ('MIG_$$', 'Mig', 'Ration', 'mig$$@example.com',
	'DNI', 'M$$', 'AR', '2020-01-02 03:04:05', '2021-01-02 03:04:05')"
is "$(has_version)" 0 'it has no version column'
before=$(digest)
like "$before" '^43	' 'it holds the 42 sample users and one more'

ok 'the stack applies the migrations to it' migrate
is "$(has_version)" 1 'the version column is there'
is "$(digest)" "$before" 'every row kept as it was'
is "$(msql 'SELECT COUNT(*) FROM users WHERE version = 1')" 43 \
	'every existing user starts at version 1'
is "$(msql "SELECT column_type, is_nullable, column_default FROM
	information_schema.columns WHERE table_schema = '$DB' AND
	table_name = 'users' AND column_name = 'version'" | tr '\t' ' ')" \
	'int(10) unsigned NO 1' 'INT UNSIGNED NOT NULL DEFAULT 1'
# Before, sql/01's triggers indexed last_name (3) and email (4) only.
is "$(msql 'SELECT GROUP_CONCAT(DISTINCT col ORDER BY col) FROM user_trigram_blocks')" \
	1,2,3,4,5,6 'the trigram index covers every text column with 3+ characters'
is "$(msql "SELECT COUNT(*) FROM information_schema.triggers WHERE
	trigger_schema = '$DB' AND trigger_name LIKE 'users_trigrams_%'")" 0 \
	'the trigram triggers are gone: the service keeps the index up'
is "$(msql 'SELECT (SELECT seq FROM user_trigram_head) = (SELECT seq FROM user_changes_head)')" \
	1 "the index's mark starts at the feed's head"
is "$(msql 'SELECT COUNT(*) FROM users AS u WHERE NOT EXISTS (SELECT 1 FROM
	user_days AS d WHERE d.day = DATE(u.creation_date) AND
	u.id BETWEEN d.min_id AND d.max_id)')" 0 \
	"every user lies within its day's id bounds (sql/08's backfill)"

msql "UPDATE users SET version = 5 WHERE nickname = 'MIG_$$'"
ok 'a second run succeeds' migrate
is "$(digest)" "$before" 'a second run keeps every row'
is "$(msql "SELECT version FROM users WHERE nickname = 'MIG_$$'")" 5 \
	'a second run keeps the versions'
is "$(msql "SELECT COUNT(*) FROM information_schema.columns WHERE
	table_schema = '$DB' AND table_name = 'users'")" 11 \
	'and adds nothing more: eleven columns'

is "$(sql "SELECT COUNT(*) FROM information_schema.columns WHERE
	table_schema = 'users' AND table_name = 'users' AND
	column_name = 'version'")" 1 \
	"the test stack's database, made from all of sql/, has the column"

done_testing
