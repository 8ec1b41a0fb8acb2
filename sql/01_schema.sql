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
