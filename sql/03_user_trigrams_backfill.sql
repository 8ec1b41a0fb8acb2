-- sql/03_user_trigrams_backfill.sql: fills user_trigram_blocks (see
-- 01_schema.sql) for every row already in users. It only adds what is
-- missing, so it is safe to run at any time, also while the service runs.
-- At install it has nothing to do (the triggers index the sample users);
-- a bulk load now runs the backfill of sql/07_search_trigrams.sql
-- instead, which covers all seven text columns; this one stays in a new
-- database's install order. About a minute per million users on two
-- cores: 65,536 users at a time, deduplicated in a MEMORY table first (a duplicate key costs InnoDB far more), then added in key
-- order. The columns are those of the triggers in 01_schema.sql.

SET NAMES utf8mb4;
SET SESSION max_heap_table_size = 128 * 1024 * 1024;

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

	SELECT COALESCE(MAX(id), 0) DIV 64 INTO last_blk FROM users;
	WHILE first_blk <= last_blk DO
		DELETE FROM user_trigram_stage;
		INSERT INTO user_trigram_stage (col, tri, blk)
		SELECT 3, SUBSTRING(u.last_name, s.seq, 3), u.id DIV 64
		FROM users AS u JOIN seq_1_to_98 AS s
			ON s.seq <= CHAR_LENGTH(u.last_name) - 2
		WHERE u.id >= first_blk * 64 AND u.id < (first_blk + 1024) * 64
		UNION ALL
		SELECT 4, SUBSTRING(u.email, s.seq, 3), u.id DIV 64
		FROM users AS u JOIN seq_1_to_98 AS s
			ON s.seq <= CHAR_LENGTH(u.email) - 2
		WHERE u.id >= first_blk * 64 AND u.id < (first_blk + 1024) * 64
		ON DUPLICATE KEY UPDATE blk = user_trigram_stage.blk;
		INSERT IGNORE INTO user_trigram_blocks (col, tri, blk)
		SELECT col, tri, blk FROM user_trigram_stage
		ORDER BY col, tri, blk;
		SET first_blk = first_blk + 1024;
	END WHILE;
END //
DELIMITER ;

DROP TEMPORARY TABLE user_trigram_stage;
