-- sql/08_user_days.sql: a migration (README "Filters, counts and field
-- selection", "Schema migrations"): bounds on the ids created on each UTC
-- day, so that a filtered page in id order with a creation_date range
-- walks only the stretch of ids that can hold its matches. Loaded into an
-- already-selected database like the others, and by ./stack into an
-- existing one on every up: the table is created if missing and filled
-- only while it is empty.
--
-- Every user whose creation_date falls on day has min_id <= id <= max_id.
-- The bounds may be wider than the users there now (a delete or a changed
-- date never narrows them), never narrower: the planner only uses them to
-- say where not to look. The service keeps them up after each write
-- commits, with the trigram index, from the same window of changes
-- (src/dao_changes.c); a search reads the changes it has yet to take in
-- as well (src/dao_sql.c, the bounds statement). A bulk load that leaves
-- no change behind (SET @users_changes_bulk = 1) empties this table and
-- runs this file again, as it does sql/07_search_trigrams.sql.

SET NAMES utf8mb4;

CREATE TABLE IF NOT EXISTS user_days (
	day    DATE NOT NULL,
	min_id INT  NOT NULL,
	max_id INT  NOT NULL,
	PRIMARY KEY (day)
) ENGINE = InnoDB;

-- One pass over the users in id order; nothing to do once filled.
INSERT INTO user_days (day, min_id, max_id)
	SELECT DATE(creation_date), MIN(id), MAX(id) FROM users
	WHERE NOT EXISTS (SELECT 1 FROM user_days)
	GROUP BY DATE(creation_date)
	ON DUPLICATE KEY UPDATE min_id = LEAST(user_days.min_id, VALUES(min_id)),
		max_id = GREATEST(user_days.max_id, VALUES(max_id));
