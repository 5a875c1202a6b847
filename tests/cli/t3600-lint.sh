#!/bin/sh
test_description='ferry lint: statements that would hurt live traffic, read offline'
. "$(dirname "$0")/test-lib.sh"

# Issue 16 part 4. Each rule on a statement that breaks it and on one that
# does not, on the engine of this run (the database URL's scheme picks the
# rules: the PostgreSQL rules must stay silent on SQLite and the SQLite
# ones on PostgreSQL); allows with and without a reason; --json; exit 5
# on an error no allow suppressed, 0 otherwise; validate's warnings;
# up --strict and migrate --strict refusing with the database untouched;
# check --release after a DROP COLUMN in an up section.

# change: migration 2 from stdin (1_base.sql has the tables with traffic).
change() {
	cat >migrations/2_change.sql
}

# finds CODE: lint with the database's engine, exit CODE, nothing on
# stderr, the findings as "rule line:col [allowed]" compared with ./expect.
finds() {
	test_expect_code "$1" ferry -d "$DB_URL" lint --json >out 2>err &&
	test_must_be_empty err &&
	jq -r '.findings[] | "\(.rule) \(.line):\(.column)" +
		(if .allowed then " allowed" else "" end)' out >actual &&
	test_cmp expect actual
}

# on ENGINE: this run is on ENGINE (the rule concerns it).
on() {
	test "$ENGINE" = "$1"
}

test_expect_success 'setup: users, orders, a view and an index of migration 1' '
	mkdir migrations &&
	cat >migrations/1_base.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, name text, email text, legacy text);
	CREATE TABLE orders (id integer PRIMARY KEY, user_id integer);
	CREATE VIEW v AS SELECT id FROM users;
	CREATE INDEX users_name ON users (name);
	EOF
	cp migrations/1_base.sql base.sql
'

test_expect_success 'a clean set: exit 0, one line, no database opened' '
	ferry -d "$DB_URL" lint >out 2>err &&
	test_must_be_empty err &&
	if on pg; then e=postgres; else e=sqlite; fi &&
	echo "ok: nothing that would hurt live traffic in 1 migration ($e)" >expect &&
	test_cmp expect out &&
	if on sqlite; then
		test_path_is_missing test.db
	else
		db_tables >actual &&
		test_must_be_empty actual
	fi
'

test_expect_success 'up-drop-table: the whole report, exit 5' '
	change <<-\EOF &&
	-- ferry:up
	DROP TABLE orders;
	EOF
	test_expect_code 5 ferry -d "$DB_URL" lint >out 2>err &&
	if on pg; then e=postgres; else e=sqlite; fi &&
	cat >expect <<-EOF &&
	migrations/2_change.sql:2:1: error: [up-drop-table] DROP TABLE '"'"'orders'"'"', which the previous release may still use
	    why: the previous release still reads and writes the table: its queries fail once it is gone
	    fix: move it to the finish section, which runs once no node runs the previous release
	1 error, 0 warnings, 0 allowed ($e)
	EOF
	test_cmp expect out &&
	cat >expect <<-\EOF &&
	ferry: error: lint found 1 error that would hurt live traffic
	hint: move what breaks the previous release to a finish section, or allow a statement with '"'"'-- ferry:allow RULE REASON'"'"'
	EOF
	test_cmp expect err
'

test_expect_success 'up-drop-table: not in finish or down, nor of a table the migration created' '
	change <<-\EOF &&
	-- ferry:up
	CREATE TABLE scratch (id integer);
	DROP TABLE scratch;
	-- ferry:finish
	DROP TABLE orders;
	-- ferry:down
	DROP TABLE users;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'up-drop-column and up-drop-view; DROP CONSTRAINT is fine' '
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE users DROP COLUMN legacy;
	DROP VIEW v;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	DROP VIEW v;
	EOF
	cat >expect <<-\EOF &&
	up-drop-column 2:19
	up-drop-view 3:1
	EOF
	finds 5 &&
	change <<-\EOF &&
	ALTER TABLE users DROP CONSTRAINT users_check;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'up-rename-table and up-rename-column; a new table may be renamed' '
	change <<-\EOF &&
	ALTER TABLE users RENAME COLUMN name TO full_name;
	ALTER TABLE orders RENAME TO purchases;
	CREATE TABLE t (a integer);
	ALTER TABLE t RENAME COLUMN a TO b;
	ALTER TABLE t RENAME TO t2;
	EOF
	cat >expect <<-\EOF &&
	up-rename-column 1:19
	up-rename-table 2:20
	EOF
	finds 5
'

test_expect_success 'up-alter-type, and pg-alter-type-rewrite on PostgreSQL; text is a widening' '
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ALTER COLUMN user_id TYPE bigint;
	ALTER TABLE users ALTER COLUMN name TYPE text;
	-- ferry:finish
	ALTER TABLE orders ALTER COLUMN user_id TYPE bigint;
	ALTER TABLE users ALTER COLUMN name TYPE varchar(300);
	EOF
	if on pg; then
		cat >expect <<-\EOF
		up-alter-type 2:20
		pg-alter-type-rewrite 2:20
		pg-alter-type-rewrite 5:20
		EOF
	else
		echo "up-alter-type 2:20" >expect
	fi &&
	finds 5
'

test_expect_success 'up-set-not-null; pg-set-not-null-scan unless a CHECK was validated first' '
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ALTER COLUMN email SET NOT NULL;
	-- ferry:finish
	ALTER TABLE users ALTER COLUMN name SET NOT NULL;
	EOF
	if on pg; then
		cat >expect <<-\EOF
		up-set-not-null 2:19
		pg-set-not-null-scan 2:19
		pg-set-not-null-scan 4:19
		EOF
	else
		echo "up-set-not-null 2:19" >expect
	fi &&
	finds 5 &&
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;
	ALTER TABLE users VALIDATE CONSTRAINT name_nn;
	-- ferry:finish
	ALTER TABLE users ALTER COLUMN name SET NOT NULL;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'up-truncate, in up only' '
	change <<-\EOF &&
	-- ferry:up
	TRUNCATE orders;
	-- ferry:finish
	TRUNCATE orders;
	EOF
	echo "up-truncate 2:1" >expect &&
	finds 5
'

test_expect_success 'up-add-column-not-null; with a DEFAULT, or nullable, it is fine' '
	change <<-\EOF &&
	ALTER TABLE users ADD COLUMN age integer NOT NULL;
	ALTER TABLE users ADD COLUMN score integer NOT NULL DEFAULT 0;
	ALTER TABLE users ADD COLUMN nick text;
	EOF
	echo "up-add-column-not-null 1:19" >expect &&
	finds 5
'

test_expect_success 'pg-create-index-blocking and pg-drop-index-blocking: PostgreSQL only' '
	change <<-\EOF &&
	CREATE INDEX orders_user ON orders (user_id);
	DROP INDEX users_name;
	CREATE TABLE t (a integer);
	CREATE INDEX t_a ON t (a);
	ALTER TABLE orders ADD CONSTRAINT orders_u UNIQUE (user_id);
	EOF
	if on pg; then
		cat >expect <<-\EOF
		pg-create-index-blocking 1:1
		pg-drop-index-blocking 2:1
		pg-create-index-blocking 5:20
		EOF
		finds 5
	else
		: >expect &&
		finds 0
	fi &&
	change <<-\EOF &&
	-- ferry:up no-transaction
	CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);
	DROP INDEX CONCURRENTLY users_name;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'pg-volatile-default: PostgreSQL only; now() and constants are fine' '
	change <<-\EOF &&
	ALTER TABLE users ADD COLUMN token text DEFAULT gen_random_uuid();
	ALTER TABLE users ADD COLUMN r float DEFAULT random();
	ALTER TABLE users ADD COLUMN at timestamp DEFAULT now();
	ALTER TABLE users ADD COLUMN k integer DEFAULT 7;
	EOF
	if on pg; then
		cat >expect <<-\EOF
		pg-volatile-default 1:19
		pg-volatile-default 2:19
		EOF
		finds 5
	else
		: >expect &&
		finds 0
	fi
'

test_expect_success 'pg-constraint-not-valid: PostgreSQL only; NOT VALID then VALIDATE is fine' '
	change <<-\EOF &&
	ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);
	ALTER TABLE orders ADD CONSTRAINT orders_pos CHECK (id > 0);
	ALTER TABLE orders ADD CONSTRAINT o2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
	ALTER TABLE orders VALIDATE CONSTRAINT o2;
	EOF
	if on pg; then
		cat >expect <<-\EOF
		pg-constraint-not-valid 1:20
		pg-constraint-not-valid 2:20
		EOF
		finds 5
	else
		: >expect &&
		finds 0
	fi
'

test_expect_success 'pg-vacuum-full and pg-cluster (errors), pg-lock-table (a warning)' '
	change <<-\EOF &&
	-- ferry:up no-transaction
	VACUUM FULL orders;
	CLUSTER orders USING orders_pkey;
	VACUUM orders;
	EOF
	if on pg; then
		cat >expect <<-\EOF
		pg-vacuum-full 2:1
		pg-cluster 3:1
		EOF
		finds 5
	else
		: >expect &&
		finds 0
	fi &&
	change <<-\EOF &&
	LOCK TABLE orders IN SHARE MODE;
	EOF
	if on pg; then echo "pg-lock-table 1:1" >expect; else : >expect; fi &&
	finds 0
'

test_expect_success 'pg-vacuum-full, pg-cluster, pg-lock-table: not on a table the migration created' '
	change <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE t (a integer);
	CREATE INDEX t_a ON t (a);
	VACUUM FULL t;
	CLUSTER t USING t_a;
	LOCK TABLE t IN SHARE MODE;
	-- ferry:finish
	CLUSTER t USING t_a;
	LOCK TABLE t;
	EOF
	: >expect &&
	finds 0 &&
	change <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE t (a integer);
	VACUUM FULL t, orders;
	CLUSTER;
	LOCK TABLE t, orders;
	EOF
	if on pg; then
		cat >expect <<-\EOF
		pg-vacuum-full 3:1
		pg-cluster 4:1
		pg-lock-table 5:1
		EOF
		finds 5
	else
		: >expect &&
		finds 0
	fi
'

test_expect_success 'pg-cluster, pg-lock-table: not for what only looks like them' '
	change <<-\EOF &&
	ALTER TABLE orders CLUSTER ON orders_pkey;
	ALTER TABLE orders SET WITHOUT CLUSTER;
	SELECT pg_advisory_xact_lock(1);
	SELECT id FROM orders WHERE id = 1 FOR UPDATE;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'unbounded-write: a warning (exit 0); WHERE, -- ferry:repeat or a new table are fine' '
	change <<-\EOF &&
	-- ferry:up
	UPDATE users SET name = '"'"''"'"';
	DELETE FROM orders;
	UPDATE users SET name = '"'"'x'"'"' WHERE id = 1;
	CREATE TABLE t (a integer);
	DELETE FROM t;
	EOF
	cat >expect <<-\EOF &&
	unbounded-write 2:1
	unbounded-write 3:1
	EOF
	finds 0 &&
	change <<-\EOF &&
	-- ferry:up no-transaction
	-- ferry:repeat
	DELETE FROM orders WHERE id IN (SELECT id FROM orders LIMIT 1000);
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'a long statement is read to its end: a late WHERE, a late DROP COLUMN' '
	{
		echo "-- ferry:up" &&
		echo "UPDATE users SET name = name" &&
		i=0 &&
		while test $i -lt 200
		do
			echo ", email = email" &&
			i=$((i + 1)) || return 1
		done &&
		echo "WHERE id = 1;" &&
		echo "ALTER TABLE users" &&
		i=0 &&
		while test $i -lt 200
		do
			echo "ADD COLUMN c$i integer," &&
			i=$((i + 1)) || return 1
		done &&
		echo "DROP COLUMN legacy;"
	} >migrations/2_change.sql &&
	echo "up-drop-column 405:1" >expect &&
	finds 5
'

test_expect_success 'sqlite-table-rebuild: SQLite only; a copy that keeps the table is fine' '
	change <<-\EOF &&
	-- ferry:finish
	CREATE TABLE new_orders (id integer PRIMARY KEY, user_id integer NOT NULL);
	INSERT INTO new_orders (id, user_id) SELECT id, user_id FROM orders;
	DROP TABLE orders;
	ALTER TABLE new_orders RENAME TO orders;
	EOF
	if on sqlite; then
		echo "sqlite-table-rebuild 3:1" >expect &&
		finds 5
	else
		: >expect &&
		finds 0
	fi &&
	change <<-\EOF &&
	CREATE TABLE archive (id integer);
	INSERT INTO archive SELECT id FROM orders;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'sqlite-pragma-in-transaction: SQLite only, a warning; no-transaction is fine' '
	change <<-\EOF &&
	PRAGMA foreign_keys = OFF;
	EOF
	if on sqlite; then
		echo "sqlite-pragma-in-transaction 1:1" >expect
	else
		: >expect
	fi &&
	finds 0 &&
	change <<-\EOF &&
	-- ferry:up no-transaction
	PRAGMA foreign_keys = OFF;
	EOF
	: >expect &&
	finds 0
'

test_expect_success 'an allow with a reason: listed as allowed, exit 0' '
	change <<-\EOF &&
	-- ferry:up
	-- ferry:allow up-drop-column nothing reads legacy since release 3
	ALTER TABLE users DROP COLUMN legacy;
	DROP VIEW v; -- ferry:allow up-drop-view unused
	EOF
	cat >expect <<-\EOF &&
	up-drop-column 3:19 allowed
	up-drop-view 4:1 allowed
	EOF
	finds 0 &&
	test_json out ".ok == true" \
		".findings[0].reason == \"nothing reads legacy since release 3\"" &&
	ferry -d "$DB_URL" lint >out 2>err &&
	test_must_be_empty err &&
	if on pg; then e=postgres; else e=sqlite; fi &&
	cat >expect <<-EOF &&
	migrations/2_change.sql:3:19: error: [up-drop-column] DROP COLUMN '"'"'legacy'"'"' of '"'"'users'"'"', which the previous release may still use
	    allowed: nothing reads legacy since release 3
	migrations/2_change.sql:4:1: error: [up-drop-view] DROP VIEW '"'"'v'"'"', which the previous release may still use
	    allowed: unused
	0 errors, 0 warnings, 2 allowed ($e)
	EOF
	test_cmp expect out
'

test_expect_success 'an allow without a reason, or of an unknown rule, suppresses nothing' '
	change <<-\EOF &&
	-- ferry:up
	-- ferry:allow up-drop-column
	ALTER TABLE users DROP COLUMN legacy;
	-- ferry:allow drop-anything because
	DROP VIEW v;
	EOF
	cat >expect <<-\EOF &&
	allow-without-reason 2:1
	up-drop-column 3:19
	allow-unknown-rule 4:1
	up-drop-view 5:1
	EOF
	finds 5 &&
	test_json out ".ok == false" \
		".findings[0].message == \"'"'"'-- ferry:allow up-drop-column'"'"' gives no reason\"" \
		".findings[2].message == \"'"'"'-- ferry:allow'"'"' names no rule: '"'"'drop-anything'"'"'\""
'

test_expect_success 'lint --json: every field of a finding' '
	change <<-\EOF &&
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	test_expect_code 5 ferry -d "$DB_URL" lint --json >out 2>err &&
	test_must_be_empty err &&
	if on pg; then e=postgres; else e=sqlite; fi &&
	test_json out ".ok == false" ".findings | length == 1" \
		".findings[0] | keys == [\"allowed\",\"column\",\"engine\",\"file\",\"fix\",\"level\",\"line\",\"message\",\"reason\",\"rule\",\"why\"]" \
		".findings[0].file == \"migrations/2_change.sql\"" \
		".findings[0].line == 1 and .findings[0].column == 19" \
		".findings[0].rule == \"up-drop-column\"" \
		".findings[0].level == \"error\"" \
		".findings[0].engine == \"$e\"" \
		".findings[0].allowed == false and .findings[0].reason == null" \
		".findings[0].why | test(\"previous release\")" \
		".findings[0].fix | test(\"finish\")"
'

test_expect_success 'no database URL: both engines, each finding tagged' '
	change <<-\EOF &&
	CREATE INDEX orders_user ON orders (user_id);
	PRAGMA journal_mode = WAL;
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	test_expect_code 5 ferry lint --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		"[.findings[] | [.rule, .engine]] == [[\"pg-create-index-blocking\",\"postgres\"],[\"sqlite-pragma-in-transaction\",\"sqlite\"],[\"up-drop-column\",\"any\"]]" &&
	test_expect_code 5 ferry lint >out 2>err &&
	grep "^migrations/2_change.sql:1:1: error: \[pg-create-index-blocking\] CREATE INDEX on .orders. without CONCURRENTLY (postgres)$" out &&
	grep "^migrations/2_change.sql:3:19: error: \[up-drop-column\] DROP COLUMN .legacy. of .users., which the previous release may still use$" out &&
	grep "^2 errors, 1 warning, 0 allowed (sqlite and postgres)$" out
'

test_expect_success '--engine overrides the URL; an unknown engine is a usage error' '
	change <<-\EOF &&
	CREATE INDEX orders_user ON orders (user_id);
	EOF
	test_expect_code 5 ferry -d sqlite:other.db lint --engine postgres --json >out &&
	test_json out ".findings[0].engine == \"postgres\"" &&
	ferry lint --engine sqlite >out &&
	test_path_is_missing other.db &&
	test_expect_code 2 ferry lint --engine mysql >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: unknown engine '"'"'mysql'"'"'; give '"'"'sqlite'"'"' or '"'"'postgres'"'"'
	hint: try '"'"'ferry lint --help'"'"'
	EOF
	test_cmp expect err
'

test_expect_success 'validate prints lint findings as warnings, exit unchanged; JSON under lint' '
	change <<-\EOF &&
	-- ferry:up
	-- ferry:allow up-drop-view unused
	DROP VIEW v;
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	ferry -d "$DB_URL" validate >out 2>err &&
	echo "ok: the files and the ledger agree (2 migrations)" >expect &&
	test_cmp expect out &&
	cat >expect <<-\EOF &&
	ferry: warning: migrations/2_change.sql:4:19: [up-drop-column] DROP COLUMN '"'"'legacy'"'"' of '"'"'users'"'"', which the previous release may still use
	EOF
	test_cmp expect err &&
	ferry -d "$DB_URL" validate --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ".ok == true" ".findings == []" \
		"[.lint[] | [.rule, .allowed]] == [[\"up-drop-view\",true],[\"up-drop-column\",false]]"
'

test_expect_success 'up --strict: refused before anything is written, exit 5' '
	rm -f migrations/2_change.sql &&
	ferry -d "$DB_URL" up >/dev/null 2>&1 &&
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN nick text;
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	db_snapshot db.before &&
	test_expect_code 5 ferry -d "$DB_URL" up --strict >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: --strict: the up section of migration '"'"'2_change'"'"' would hurt live traffic
	migrations/2_change.sql:3:19: [up-drop-column] DROP COLUMN '"'"'legacy'"'"' of '"'"'users'"'"', which the previous release may still use
	hint: move it to the finish section, which runs once no node runs the previous release; or allow it with '"'"'-- ferry:allow up-drop-column REASON'"'"' ('"'"'ferry lint'"'"' lists every finding)
	EOF
	test_cmp expect err &&
	test_expect_code 5 ferry -d "$DB_URL" migrate --strict >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	head -n 1 err >actual &&
	head -n 1 expect >expect.1 &&
	test_cmp expect.1 actual
'

test_expect_success 'up --strict: warnings and allowed findings do not stop it' '
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN nick text;
	UPDATE users SET nick = name;
	-- ferry:allow up-drop-column the release before this one no longer reads it
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	ferry -d "$DB_URL" up --strict >out 2>err &&
	test_must_be_empty err &&
	grep "^applied 1 migration" out
'

test_expect_success 'check --release: an allowed DROP COLUMN in up leaves release 1.0 running' '
	printf "1.0 1\n2.0 2\n" >migrations/releases &&
	ferry -d "$DB_URL" check --release 1.0 >out 2>err &&
	test_must_be_empty err &&
	echo "release 1.0 can run on this database" >expect &&
	test_cmp expect out
'

test_expect_success 'check --release: a DROP COLUMN in an applied up section ends release 1.0' '
	change <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN nick text;
	UPDATE users SET nick = name;
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	cat >expect <<-\EOF &&
	ferry: error: release 1.0 can no longer run: migration '"'"'2_change'"'"' is applied and its up section breaks older releases
	migrations/2_change.sql:4:19: [up-drop-column] DROP COLUMN '"'"'legacy'"'"' of '"'"'users'"'"', which the previous release may still use
	hint: run a newer release
	EOF
	db_snapshot db.before &&
	test_expect_code 3 ferry -d "$DB_URL" check --release 1.0 >out 2>actual &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" check --release 2.0 >out &&
	echo "release 2.0 can run on this database" >expect &&
	test_cmp expect out
'

test_done
