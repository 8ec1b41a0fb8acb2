-- sql/04_versions.sql: a migration (README "Schema migrations"): every
-- user gets a version that each update increments, for the ETags of
-- api-extensions.md section 4 (src/etag.c). Loaded like the files before
-- it into a new database, and by ./stack into an existing one on every
-- up, so it must be harmless to run again: IF NOT EXISTS. MariaDB adds a
-- last column with a default instantly (no table copy), so it costs the
-- same at a million rows as at 42. Every existing user starts at 1.

ALTER TABLE users ADD COLUMN IF NOT EXISTS
	version INT UNSIGNED NOT NULL DEFAULT 1;
