-- sql/07_search_trigrams.sql: a migration (README "Substring search",
-- "Schema migrations"): the trigram index of sql/01_schema.sql on every
-- text column a search route serves, not only last_name and email. Loaded
-- into an already-selected database like the others, and by ./stack into
-- an existing one on every up, so it must be harmless and cheap to run
-- again: the triggers are replaced (CREATE OR REPLACE), and the backfill
-- runs only while user_trigram_columns does not list every column.
--
-- The indexed columns, col = enum user_column in src/user.h:
--   1 nickname, 2 first_name, 3 last_name, 4 email, 5 identification_type,
--   6 identification_number, 7 country_id.
-- The list is in four places that must agree: the two triggers below, the
-- backfill below (its derived table and the rows it marks done), and
-- user_is_trigram_column in src/user.h. A column listed in src/user.h only
-- would have its searches miss rows; one listed here only costs writes.

SET NAMES utf8mb4;

-- A database from before the index had no table (the service then scans).
CREATE TABLE IF NOT EXISTS user_trigram_blocks (
	col TINYINT UNSIGNED NOT NULL,
	tri VARCHAR(3) NOT NULL,
	blk INT UNSIGNED NOT NULL,
	PRIMARY KEY (col, tri, blk)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The columns whose existing rows the backfill below has indexed. A bulk
-- load that skipped the triggers (SET @users_trigram_bulk = 1) empties it,
-- then runs this file once: until then, searches miss the rows it loaded.
CREATE TABLE IF NOT EXISTS user_trigram_columns (
	col TINYINT UNSIGNED NOT NULL,
	name VARCHAR(64) NOT NULL,
	PRIMARY KEY (col)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Maintained in the same transaction as every insert and update, whatever
-- writes the row (sql/01_schema.sql says why in key order and without a
-- read of the table). One derived row per column joined with the sequence
-- makes every trigram: SUBSTRING counts characters as LIKE does.
CREATE OR REPLACE TRIGGER users_trigrams_ai AFTER INSERT ON users
FOR EACH ROW
	INSERT IGNORE INTO user_trigram_blocks (col, tri, blk)
	SELECT v.col, SUBSTRING(v.val, s.seq, 3), NEW.id DIV 64
	FROM (SELECT 1 AS col, NEW.nickname AS val
		UNION ALL SELECT 2, NEW.first_name
		UNION ALL SELECT 3, NEW.last_name
		UNION ALL SELECT 4, NEW.email
		UNION ALL SELECT 5, NEW.identification_type
		UNION ALL SELECT 6, NEW.identification_number
		UNION ALL SELECT 7, NEW.country_id) AS v
	JOIN seq_1_to_98 AS s ON s.seq <= CHAR_LENGTH(v.val) - 2
	WHERE @users_trigram_bulk IS NULL
	ORDER BY 1, 2;

-- Only the columns whose bytes changed (a change of case or accent can
-- still change which trigrams the value has, through trailing spaces).
CREATE OR REPLACE TRIGGER users_trigrams_au AFTER UPDATE ON users
FOR EACH ROW
	INSERT IGNORE INTO user_trigram_blocks (col, tri, blk)
	SELECT v.col, SUBSTRING(v.val, s.seq, 3), NEW.id DIV 64
	FROM (SELECT 1 AS col, NEW.nickname AS val,
			BINARY NEW.nickname <> BINARY OLD.nickname AS changed
		UNION ALL SELECT 2, NEW.first_name,
			BINARY NEW.first_name <> BINARY OLD.first_name
		UNION ALL SELECT 3, NEW.last_name,
			BINARY NEW.last_name <> BINARY OLD.last_name
		UNION ALL SELECT 4, NEW.email,
			BINARY NEW.email <> BINARY OLD.email
		UNION ALL SELECT 5, NEW.identification_type,
			BINARY NEW.identification_type <>
			BINARY OLD.identification_type
		UNION ALL SELECT 6, NEW.identification_number,
			BINARY NEW.identification_number <>
			BINARY OLD.identification_number
		UNION ALL SELECT 7, NEW.country_id,
			BINARY NEW.country_id <> BINARY OLD.country_id) AS v
	JOIN seq_1_to_98 AS s ON s.seq <= CHAR_LENGTH(v.val) - 2
	WHERE @users_trigram_bulk IS NULL AND
		(v.changed OR NEW.id <> OLD.id)
	ORDER BY 1, 2;

-- The backfill: the rows of every user already there, 16,384 users at a
-- time, deduplicated in a MEMORY table first (a duplicate key costs InnoDB
-- far more), then added in key order; rows already there are skipped, and
-- writes meanwhile are indexed by the triggers above. Once done, the
-- columns are marked so that the next run does nothing.
SET SESSION max_heap_table_size = 256 * 1024 * 1024;

CREATE TEMPORARY TABLE user_trigram_stage (
	col TINYINT UNSIGNED NOT NULL,
	tri VARCHAR(3) NOT NULL,
	blk INT UNSIGNED NOT NULL,
	PRIMARY KEY USING HASH (col, tri, blk)
) ENGINE = MEMORY DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

DELIMITER //
BEGIN NOT ATOMIC
	DECLARE first_blk INT UNSIGNED DEFAULT 0;
	DECLARE last_blk INT UNSIGNED;
	DECLARE lo, hi INT UNSIGNED;

	IF (SELECT COUNT(*) FROM user_trigram_columns) < 7 THEN
		SELECT COALESCE(MAX(id), 0) DIV 64 INTO last_blk FROM users;
		WHILE first_blk <= last_blk DO
			DELETE FROM user_trigram_stage;
			SET lo = first_blk * 64, hi = (first_blk + 256) * 64;
			INSERT INTO user_trigram_stage (col, tri, blk)
			SELECT v.col, SUBSTRING(v.val, s.seq, 3), v.id DIV 64
			FROM (SELECT id, 1 AS col, nickname AS val FROM users
				WHERE id >= lo AND id < hi
				UNION ALL SELECT id, 2, first_name FROM users
				WHERE id >= lo AND id < hi
				UNION ALL SELECT id, 3, last_name FROM users
				WHERE id >= lo AND id < hi
				UNION ALL SELECT id, 4, email FROM users
				WHERE id >= lo AND id < hi
				UNION ALL SELECT id, 5, identification_type
				FROM users WHERE id >= lo AND id < hi
				UNION ALL SELECT id, 6, identification_number
				FROM users WHERE id >= lo AND id < hi
				UNION ALL SELECT id, 7, country_id FROM users
				WHERE id >= lo AND id < hi) AS v
			JOIN seq_1_to_98 AS s
				ON s.seq <= CHAR_LENGTH(v.val) - 2
			ON DUPLICATE KEY UPDATE blk = user_trigram_stage.blk;
			INSERT IGNORE INTO user_trigram_blocks (col, tri, blk)
			SELECT col, tri, blk FROM user_trigram_stage
			ORDER BY col, tri, blk;
			SET first_blk = first_blk + 256;
		END WHILE;
		INSERT IGNORE INTO user_trigram_columns (col, name) VALUES
			(1, 'nickname'), (2, 'first_name'), (3, 'last_name'),
			(4, 'email'), (5, 'identification_type'),
			(6, 'identification_number'), (7, 'country_id');
	END IF;
END //
DELIMITER ;

DROP TEMPORARY TABLE user_trigram_stage;
