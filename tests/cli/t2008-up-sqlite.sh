#!/bin/sh
test_description='ferry up on SQLite: triggers with BEGIN ... END, and a database not there yet'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/0001_create_users.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
	CREATE TABLE audit (msg text);
	EOF
	cat >migrations/0002_audit_trigger.sql <<-\EOF
	-- ferry:up
	CREATE TRIGGER users_audit AFTER INSERT ON users
	BEGIN
		INSERT INTO audit (msg) VALUES ('"'"'new user; '"'"' || NEW.name);
		INSERT INTO audit (msg) VALUES (CASE WHEN NEW.id > 1 THEN '"'"'more'"'"' ELSE '"'"'first'"'"' END);
	END;
	INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');
	INSERT INTO users (id, name) VALUES (2, '"'"'bob'"'"');
	-- ferry:down
	DROP TRIGGER users_audit;
	EOF
'

test_expect_success 'a trigger body with BEGIN ... END; is one statement' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0001_create_users ... ok (N ms)
	up     0002_audit_trigger ... ok (N ms)
	applied 2 migrations; database at 2
	EOF
	test_cmp expect actual &&
	db_sql "SELECT msg FROM audit ORDER BY rowid" >actual &&
	cat >expect <<-\EOF &&
	new user; ada
	first
	new user; bob
	more
	EOF
	test_cmp expect actual
'

test_expect_success 'a failure after a trigger names the right line' '
	cat >migrations/0003_more.sql <<-\EOF &&
	-- ferry:up
	CREATE TRIGGER users_audit2 AFTER DELETE ON users
	BEGIN
		INSERT INTO audit (msg) VALUES ('"'"'gone; '"'"' || OLD.name);
	END;
	INSERT INTO users (id, name) VALUES (1, '"'"'ada again'"'"');
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'0003_more'"'"' failed
	migrations/0003_more.sql:6:1: UNIQUE constraint failed: users.id
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM sqlite_master WHERE name = '"'"'users_audit2'"'"'" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	rm migrations/0003_more.sql
'

test_expect_success 'a refused run does not create the database file' '
	printf -- "-- ferry:up\nBEGIN;\nCREATE TABLE x (id integer);\nCOMMIT;\n" >migrations/0003_x.sql &&
	test_expect_code 2 ferry -d sqlite:new.db up >out 2>actual &&
	grep "^ferry: error: migrations/0003_x.sql:2:1: BEGIN in migration" actual &&
	test_path_is_missing new.db
'

test_expect_success 'a bad file, found before the database is opened, creates nothing' '
	rm -f new.db &&
	printf "SELECT 1;\n-- ferry:up\nSELECT 2;\n" >migrations/0003_x.sql &&
	cat >expect <<-\EOF &&
	ferry: error: migrations/0003_x.sql:1:1: SQL before the first '"'"'-- ferry:'"'"' marker
	hint: move it below '"'"'-- ferry:up'"'"', or start the file with that marker
	EOF
	test_expect_code 2 ferry -d sqlite:new.db up >out 2>actual &&
	test_cmp expect actual &&
	test_path_is_missing new.db
'

test_expect_success 'status and list on a database path that does not exist create nothing' '
	rm migrations/0003_x.sql &&
	ferry -d sqlite:new.db status >out &&
	grep "^database    sqlite:new.db (sqlite [0-9.]*), not created yet$" out &&
	ferry -d new.db list >/dev/null &&
	ferry -d sqlite:new.db history >/dev/null &&
	ferry -d sqlite:new.db status --json >/dev/null &&
	test_path_is_missing new.db
'

test_expect_success 'up creates the database file' '
	ferry -d sqlite:new.db -q up &&
	test_path_is_file new.db &&
	sqlite3 new.db "SELECT count(*) FROM users" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_done
