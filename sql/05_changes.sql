-- sql/05_changes.sql: the change feed (api-extensions.md section 8,
-- README "Change feed") and the keys of idempotent adds (section 5).
-- Idempotent: ./stack runs it on every start against an existing database,
-- so it only creates what is missing and replaces the triggers.

SET NAMES utf8mb4;

-- One row per committed add, update and delete of users, written by the
-- triggers below in the write's own transaction, whatever client writes.
-- A row is born without a seq (0): seq is given after its transaction
-- committed, by the sequencer (src/dao_changes.c), one batch at a time
-- under the lock of user_changes_head, in id order, skipping rows still locked by an open
-- transaction (SKIP LOCKED). So seq order is the order in which changes
-- became visible, and a reader of seq > N never sees a later seq before an
-- earlier one: a transaction that commits late gets a seq higher than any
-- handed out before, and one that rolls back takes its row with it.
--   op: 1 add, 2 update, 3 delete. at: when the write ran (UTC).
--   cols: the text columns the change wrote, bit c - 1 for column c of
--   sql/07_search_trigrams.sql's list (enum user_column): an add all
--   seven (127), an update those whose bytes changed, a delete none. The
--   trigram index's upkeep (src/dao_changes.c) indexes only those.
-- The seq key holds the unsequenced rows (0) first, in id order: the
-- sequencer's scan. Not a unique key and not NULL, on purpose: a write's
-- insert then needs no duplicate check (and may use the change buffer),
-- and numbering a row rewrites it in place. Seqs are unique all the same:
-- only the sequencer gives them, under the head's lock. at is only read
-- for the rows kept (retention).
CREATE TABLE IF NOT EXISTS user_changes (
	id      BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT,
	seq     BIGINT UNSIGNED  NOT NULL DEFAULT 0,
	op      TINYINT UNSIGNED NOT NULL,
	user_id INT              NOT NULL,
	cols    TINYINT UNSIGNED NOT NULL DEFAULT 127,
	at      DATETIME         NOT NULL,
	PRIMARY KEY (id),
	KEY user_changes_seq_ix (seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
-- A table from before cols: its rows index every column, as an add's do.
ALTER TABLE user_changes
	ADD COLUMN IF NOT EXISTS cols TINYINT UNSIGNED NOT NULL DEFAULT 127
	AFTER user_id;

-- The one row that serializes the sequencer: seq is the last seq handed
-- out (the feed's head), purged the last seq deleted by retention (an
-- after below it is 410).
CREATE TABLE IF NOT EXISTS user_changes_head (
	one    TINYINT UNSIGNED NOT NULL,
	seq    BIGINT UNSIGNED  NOT NULL,
	purged BIGINT UNSIGNED  NOT NULL,
	PRIMARY KEY (one),
	CONSTRAINT user_changes_head_one_ck CHECK (one = 1)
) ENGINE = InnoDB;

INSERT IGNORE INTO user_changes_head (one, seq, purged) VALUES (1, 0, 0);

-- A bulk load may SET @users_changes_bulk = 1 to skip these (the bench's
-- million users are not changes: a mirror starts from the export).
CREATE OR REPLACE TRIGGER users_changes_ai AFTER INSERT ON users
	FOR EACH ROW
	INSERT INTO user_changes (op, user_id, at)
	SELECT 1, NEW.id, UTC_TIMESTAMP() FROM DUAL
	WHERE @users_changes_bulk IS NULL;

-- An id changed by hand is the old id's delete and the new id's update.
CREATE OR REPLACE TRIGGER users_changes_au AFTER UPDATE ON users
	FOR EACH ROW
	INSERT INTO user_changes (op, user_id, cols, at)
	SELECT 3, OLD.id, 0, UTC_TIMESTAMP() FROM DUAL
	WHERE OLD.id <> NEW.id AND @users_changes_bulk IS NULL
	UNION ALL
	SELECT 2, NEW.id, IF(OLD.id <> NEW.id, 127,
		(BINARY NEW.nickname <> BINARY OLD.nickname) |
		(BINARY NEW.first_name <> BINARY OLD.first_name) << 1 |
		(BINARY NEW.last_name <> BINARY OLD.last_name) << 2 |
		(BINARY NEW.email <> BINARY OLD.email) << 3 |
		(BINARY NEW.identification_type <>
			BINARY OLD.identification_type) << 4 |
		(BINARY NEW.identification_number <>
			BINARY OLD.identification_number) << 5 |
		(BINARY NEW.country_id <> BINARY OLD.country_id) << 6),
		UTC_TIMESTAMP() FROM DUAL
	WHERE @users_changes_bulk IS NULL;

CREATE OR REPLACE TRIGGER users_changes_ad AFTER DELETE ON users
	FOR EACH ROW
	INSERT INTO user_changes (op, user_id, cols, at)
	SELECT 3, OLD.id, 0, UTC_TIMESTAMP() FROM DUAL
	WHERE @users_changes_bulk IS NULL;

-- Idempotency-Key of add-user (section 5): one row per (token subject,
-- key), inserted first in the add's transaction, so a concurrent request
-- with the same key waits on this primary key and then replays the
-- committed answer; a failed add rolls its row back. key_hash is SHA-256
-- of the subject and the key (src/idem.c), body_hash SHA-256 of the body.
-- Rows older than 24 hours are ignored and purged in small batches.
CREATE TABLE IF NOT EXISTS user_idempotency (
	key_hash  BINARY(32)  NOT NULL,
	body_hash BINARY(32)  NOT NULL,
	user_id   INT         NOT NULL,
	answer    TEXT        NOT NULL,
	created   DATETIME    NOT NULL,
	PRIMARY KEY (key_hash),
	KEY user_idempotency_created_ix (created)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
