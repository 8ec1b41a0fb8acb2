-- sql/07_search_trigrams.sql: a migration (README "Substring search",
-- "Schema migrations"): the trigram index of sql/01_schema.sql on every
-- text column a search route serves, not only last_name and email. Loaded
-- into an already-selected database like the others, and by ./stack into
-- an existing one on every up, so it must be harmless and cheap to run
-- again: sql/01's triggers are dropped if there, the mark is set once,
-- and the backfill runs only while user_trigram_columns does not list
-- every column.
--
-- The indexed columns, col = enum user_column in src/user.h:
--   1 nickname, 2 first_name, 3 last_name, 4 email, 5 identification_type,
--   6 identification_number, 7 country_id.
-- The list is in four places that must agree: the backfill below (its
-- derived table and the rows it marks done), the ELT of the indexer's
-- statement in src/dao_sql.c, the bits of user_changes.cols that
-- sql/05_changes.sql's update trigger sets, and user_is_trigram_column in
-- src/user.h.
-- A column listed in src/user.h only would have its searches miss rows;
-- one listed here only costs writes.

SET NAMES utf8mb4;

-- A database from before the index had no table (the service then scans).
CREATE TABLE IF NOT EXISTS user_trigram_blocks (
	col TINYINT UNSIGNED NOT NULL,
	tri VARCHAR(3) NOT NULL,
	blk INT UNSIGNED NOT NULL,
	PRIMARY KEY (col, tri, blk)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The columns whose existing rows the backfill below has indexed. A bulk
-- load that leaves no change behind (SET @users_changes_bulk = 1) empties
-- it, then runs this file once: until then, searches miss the rows it
-- loaded.
CREATE TABLE IF NOT EXISTS user_trigram_columns (
	col TINYINT UNSIGNED NOT NULL,
	name VARCHAR(64) NOT NULL,
	PRIMARY KEY (col)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Maintained after commit, not in the writer's transaction (README
-- "Substring search" measures both): every write already leaves a row in
-- user_changes (sql/05_changes.sql), and the service's housekeeping, after
-- the sequencer has numbered them, adds the trigrams of the users of the
-- changes after user_trigram_head.seq and moves that mark on, in one short
-- transaction of its own (src/dao_changes.c). A search reads the blocks of
-- the changes after the mark (or still unnumbered) as well as the index's,
-- so it never misses a committed write. Writers take no lock here: an
-- INSERT IGNORE of a row another writer added would take a shared
-- next-key lock and make a third writer wait for both.
CREATE TABLE IF NOT EXISTS user_trigram_head (
	one TINYINT UNSIGNED NOT NULL,
	seq BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (one),
	CONSTRAINT user_trigram_head_one_ck CHECK (one = 1)
) ENGINE = InnoDB;

-- The first run starts at the feed's head: every change up to it was
-- indexed by sql/01's triggers or is by the backfill below, which reads
-- the users after those triggers are gone.
INSERT IGNORE INTO user_trigram_head (one, seq)
	SELECT 1, seq FROM user_changes_head WHERE one = 1;
DROP TRIGGER IF EXISTS users_trigrams_ai;
DROP TRIGGER IF EXISTS users_trigrams_au;

-- The backfill: the rows of every user already there, 16,384 users at a
-- time, deduplicated in a MEMORY table first (a duplicate key costs InnoDB
-- far more), then added in key order; rows already there are skipped, and
-- writes meanwhile are indexed by the service, from their changes. Once done, the
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
