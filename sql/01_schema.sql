-- sql/01_schema.sql: the users table (api.md "The table"). Loaded into an
-- already-selected database: by ./stack, `mariadb users < ...`, or docker's
-- /docker-entrypoint-initdb.d. It creates no database and selects none.

SET NAMES utf8mb4;

CREATE TABLE users (
	id                    INT          NOT NULL AUTO_INCREMENT,
	nickname              VARCHAR(50)  NOT NULL,
	first_name            VARCHAR(50)  NOT NULL,
	last_name             VARCHAR(50)  NOT NULL,
	email                 VARCHAR(100) NOT NULL,
	identification_type   VARCHAR(15)  NOT NULL,
	identification_number VARCHAR(20)  NOT NULL,
	country_id            VARCHAR(10)  NOT NULL,
	creation_date         DATETIME     NOT NULL,
	update_date           DATETIME     NOT NULL,
	PRIMARY KEY (id),
	-- Uniqueness follows the collation: 'Ramón CASTRO' clashes with
	-- 'Ramon Castro'.
	UNIQUE KEY users_name_uq (first_name, last_name),
	UNIQUE KEY users_identification_uq
		(identification_type, identification_number),
	-- The list routes sort by any of these columns with id as the tie
	-- breaker: ORDER BY col, id. An InnoDB secondary index carries the
	-- primary key after its columns, so (col) is in (col, id) order. The
	-- unique keys above do not serve first_name / identification_type:
	-- their ties are in last_name / identification_number order.
	KEY users_nickname_ix (nickname),
	KEY users_first_name_ix (first_name),
	KEY users_last_name_ix (last_name),
	KEY users_email_ix (email),
	KEY users_identification_type_ix (identification_type),
	KEY users_identification_number_ix (identification_number),
	KEY users_country_id_ix (country_id),
	-- Also the range scans of the creation-date / update-date routes.
	KEY users_creation_date_ix (creation_date),
	KEY users_update_date_ix (update_date),
	CONSTRAINT users_dates_ck CHECK (update_date >= creation_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Substring search at scale (README "Substring search"). A LIKE '%v%' no
-- index can serve reads every row: about half a second on a million users.
-- This table records, for the searched columns below, which blocks of 64
-- ids (users.id DIV 64) hold each trigram (3 consecutive characters) of
-- the column's values. LIKE compares character by character under the
-- column's collation, and trigrams compare here under that same collation,
-- so every block holding a match holds every trigram of the searched
-- value: the service intersects the blocks of the value's rarest trigrams
-- and runs the exact LIKE on their users only. A row that no longer has a
-- user behind it (after an update or a delete) only costs a few rows more
-- to read, never a wrong answer, so rows are added and never removed.
--   col: enum user_column in src/user.h. This file's triggers index 3
--   last_name and 4 email in the writer's transaction;
--   sql/07_search_trigrams.sql drops them, backfills all seven text
--   columns and has the service keep the index up after each write
--   commits: its header lists the places that must agree.
CREATE TABLE user_trigram_blocks (
	col TINYINT UNSIGNED NOT NULL,
	tri VARCHAR(3) NOT NULL,
	blk INT UNSIGNED NOT NULL,
	PRIMARY KEY (col, tri, blk)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Maintained in the same transaction as every insert and update, whatever
-- writes the row. The rows are added in key order, so concurrent writers
-- wait for each other instead of deadlocking (the statement reads nothing
-- from this table: a read there would take shared gap locks that two
-- writers then both need to insert into). A row already there is skipped
-- by IGNORE.
-- A bulk load may SET @users_trigram_bulk = 1 to skip this. Databases
-- migrated by sql/07_search_trigrams.sql no longer have these triggers.
CREATE TRIGGER users_trigrams_ai AFTER INSERT ON users FOR EACH ROW
	INSERT IGNORE INTO user_trigram_blocks (col, tri, blk)
	SELECT 3, SUBSTRING(NEW.last_name, seq, 3), NEW.id DIV 64
	FROM seq_1_to_98
	WHERE seq <= CHAR_LENGTH(NEW.last_name) - 2 AND
		@users_trigram_bulk IS NULL
	UNION ALL
	SELECT 4, SUBSTRING(NEW.email, seq, 3), NEW.id DIV 64
	FROM seq_1_to_98
	WHERE seq <= CHAR_LENGTH(NEW.email) - 2 AND
		@users_trigram_bulk IS NULL
	ORDER BY 1, 2;

-- Only the columns whose bytes changed (a change of case or accent can
-- still change which trigrams the value has, through trailing spaces).
CREATE TRIGGER users_trigrams_au AFTER UPDATE ON users FOR EACH ROW
	INSERT IGNORE INTO user_trigram_blocks (col, tri, blk)
	SELECT 3, SUBSTRING(NEW.last_name, seq, 3), NEW.id DIV 64
	FROM seq_1_to_98
	WHERE seq <= CHAR_LENGTH(NEW.last_name) - 2 AND
		@users_trigram_bulk IS NULL AND
		(BINARY NEW.last_name <> BINARY OLD.last_name OR
		NEW.id <> OLD.id)
	UNION ALL
	SELECT 4, SUBSTRING(NEW.email, seq, 3), NEW.id DIV 64
	FROM seq_1_to_98
	WHERE seq <= CHAR_LENGTH(NEW.email) - 2 AND
		@users_trigram_bulk IS NULL AND
		(BINARY NEW.email <> BINARY OLD.email OR NEW.id <> OLD.id)
	ORDER BY 1, 2;
