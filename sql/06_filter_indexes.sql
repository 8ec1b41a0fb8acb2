-- sql/06_filter_indexes.sql: indexes for filter sets no single-column index
-- serves (README "Filters", the planner's rule in src/dao_sql.c). Loaded
-- into an already-selected database like the others, and safe to run again
-- on one that has it (./stack applies sql files numbered 04 and up to an
-- existing database on every up).
--
-- A country with a creation-date range, the export and report query: with
-- (country_id) and (creation_date) alone, MariaDB reads the whole date
-- range and checks the country on each row (43,200 rows for 7,200 matches
-- at 1,000,000 users), or walks the primary key for a page in id order.
-- This index holds exactly the matches, one range; its estimate is the
-- count=estimated of that filter set. The filter builder's rule that makes
-- a page in id order use it names these two columns (composite_index in
-- src/dao_sql.c): the two lists must agree.

CREATE INDEX IF NOT EXISTS users_country_id_creation_date_ix
	ON users (country_id, creation_date);
