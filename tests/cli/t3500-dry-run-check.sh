#!/bin/sh
test_description='--dry-run and --check on up, finish, migrate, rollback and down'
. "$(dirname "$0")/test-lib.sh"

# Issue 5, parts 1 and 2: --dry-run prints the plan and the exact SQL of
# each section with its file and line, and touches nothing, not even the
# ledger's creation; --check runs every transactional section for real in
# one transaction that is rolled back, lists no-transaction sections as not
# tried, and leaves the database as it was, ledger included.

# unchanged CMD...: CMD exits 0 and the database is byte for byte as it was.
unchanged() {
	db_snapshot db.before &&
	"$@" &&
	db_snapshot db.after &&
	test_cmp db.before db.after
}

history_rows() {
	db_sql "SELECT count(*) FROM ferry_history"
}

test_expect_success 'setup: three migrations, a finish and down section, a no-transaction one' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	INSERT INTO users VALUES (1, '"'"'a;b'"'"');


	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >migrations/2_index.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE INDEX users_id_idx ON users (id);
	-- ferry:down
	DROP INDEX users_id_idx;
	EOF
	cat >migrations/3_orders.sql <<-\EOF
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY);
	-- ferry:down
	DROP TABLE orders;
	EOF
'

test_expect_success 'up --dry-run on a new database: the plan and the SQL, file and line' '
	cat >expect <<-\EOF &&
	-- 1/3: up 1_users
	-- migrations/1_users.sql:2, in one transaction with its ledger row
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	INSERT INTO users VALUES (1, '"'"'a;b'"'"');

	-- 2/3: up 2_index
	-- migrations/2_index.sql:2, no transaction: statement by statement
	CREATE INDEX users_id_idx ON users (id);

	-- 3/3: up 3_orders
	-- migrations/3_orders.sql:2, in one transaction with its ledger row
	CREATE TABLE orders (id integer PRIMARY KEY);

	dry run: would run 3 up sections; nothing was changed
	EOF
	unchanged ferry -d "$DB_URL" up --dry-run >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'up --dry-run created nothing: no SQLite file, no ledger' '
	if test "$ENGINE" = sqlite
	then
		test_path_is_missing test.db
	else
		db_tables >tables &&
		test_must_be_empty tables
	fi
'

test_expect_success 'up --dry-run --to 1 -q: only the SQL of the first migration' '
	ferry -d "$DB_URL" -q up --dry-run --to 1 >actual &&
	grep "^-- " actual >headers &&
	cat >expect <<-\EOF &&
	-- 1/1: up 1_users
	-- migrations/1_users.sql:2, in one transaction with its ledger row
	EOF
	test_cmp expect headers &&
	! grep "dry run:" actual
'

test_expect_success 'up --dry-run --json: steps with file, line, transaction and SQL' '
	ferry -d "$DB_URL" up --dry-run --json >out.json &&
	test_json out.json ".dry_run == true" \
		".steps | length == 3" \
		".steps[0].action == \"up\" and .steps[0].version == \"1\"" \
		".steps[0].file == \"migrations/1_users.sql\" and .steps[0].line == 2" \
		".steps[0].transaction == true and .steps[1].transaction == false" \
		".steps[2].sql | startswith(\"CREATE TABLE orders\")" \
		".version == null"
'

test_expect_success '--dry-run and --check together: a usage error' '
	cat >expect <<-\EOF &&
	ferry: error: --dry-run and --check do not go together: --dry-run runs nothing, --check runs everything and rolls back
	hint: try '"'"'ferry up --help'"'"'
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up --dry-run --check >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'up --check on a new database: runs, rolls back, says what was not tried' '
	unchanged ferry -d "$DB_URL" up --check >out 2>err &&
	cat >expect <<-\EOF &&
	up     1_users ... ok (N ms)
	up     3_orders ... ok (N ms)
	check passed: 2 up sections ran in one transaction and were rolled back; 1 not tried; the database is unchanged
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	grep "^ferry: warning: up section of 2_index not tried: it is no-transaction, so it could not be rolled back$" err &&
	if test "$ENGINE" = sqlite
	then
		test_path_is_missing test.db
	else
		db_tables >tables &&
		test_must_be_empty tables
	fi
'

test_expect_success 'up --check --json: every step, tried or not' '
	ferry -d "$DB_URL" up --check --json >out.json 2>err &&
	test_json out.json ".check == true and .ok == true" \
		"[.steps[].tried] == [true, false, true]" \
		".steps[1].ms == null and (.steps[0].ms | type) == \"number\""
'

test_expect_success 'up --check finds a broken migration: exit 1, where, nothing applied' '
	cat >migrations/4_bad.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE bad (id integer PRIMARY KEY);
	INSERT INTO bad VALUES (1);
	INSERT INTO bad VALUES (1);
	EOF
	db_snapshot db.before &&
	test_expect_code 1 ferry -d "$DB_URL" up --check >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	! grep "check passed" out &&
	grep "^ferry: error: migration '"'"'4_bad'"'"' failed$" err &&
	grep "^migrations/4_bad.sql:4:1: " err &&
	grep "^hint: the check was rolled back: nothing was applied; fix it and check again$" err &&
	rm migrations/4_bad.sql
'

test_expect_success 'setup: apply everything for real' '
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT version || '"'"' '"'"' || state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1 up\n2 complete\n3 complete\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'up --dry-run and --check at head: nothing to do' '
	unchanged ferry -d "$DB_URL" up --dry-run >actual &&
	echo "dry run: nothing to do; nothing was changed" >expect &&
	test_cmp expect actual &&
	unchanged ferry -d "$DB_URL" up --check >actual &&
	echo "check: nothing to do; the database is unchanged" >expect &&
	test_cmp expect actual
'

test_expect_success 'finish --dry-run shows the finish section; --check runs it and rolls back' '
	unchanged ferry -d "$DB_URL" finish --dry-run >actual &&
	cat >expect <<-\EOF &&
	-- 1/1: finish 1_users
	-- migrations/1_users.sql:7, in one transaction with its ledger row
	ALTER TABLE users DROP COLUMN legacy;

	dry run: would run 1 finish section; nothing was changed
	EOF
	test_cmp expect actual &&
	history_rows >history.before &&
	unchanged ferry -d "$DB_URL" finish --check >out 2>err &&
	cat >expect <<-\EOF &&
	finish 1_users ... ok (N ms)
	check passed: 1 finish section ran in one transaction and was rolled back; the database is unchanged
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	history_rows >history.after &&
	test_cmp history.before history.after &&
	db_sql "SELECT legacy FROM users" >legacy &&
	echo "a;b" >expect &&
	test_cmp expect legacy
'

test_expect_success 'migrate --dry-run: the finish sections after the up ones' '
	ferry -d "$DB_URL" migrate --dry-run >actual &&
	grep "^-- [0-9]" actual >headers &&
	echo "-- 1/1: finish 1_users" >expect &&
	test_cmp expect headers
'

test_expect_success 'down --dry-run asks nothing, even without a terminal, and shows the down SQL' '
	unchanged ferry -d "$DB_URL" down --steps 2 --dry-run </dev/null >actual 2>err &&
	cat >expect <<-\EOF &&
	-- 1/2: down 3_orders
	-- migrations/3_orders.sql:4, in one transaction with its ledger row
	DROP TABLE orders;

	-- 2/2: down 2_index
	-- migrations/2_index.sql:4, in one transaction with its ledger row
	DROP INDEX users_id_idx;

	dry run: would run 2 down sections; nothing was changed
	EOF
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'down --check runs the down sections and rolls them back' '
	unchanged ferry -d "$DB_URL" down --to 0 --check </dev/null >out 2>err &&
	cat >expect <<-\EOF &&
	down   3_orders ... ok (N ms)
	down   2_index ... ok (N ms)
	down   1_users ... ok (N ms)
	check passed: 3 down sections ran in one transaction and were rolled back; the database is unchanged
	EOF
	normalize <out >actual &&
	test_cmp expect actual
'

test_expect_success 'down --check still refuses what down refuses (a finished migration)' '
	ferry -d "$DB_URL" -q finish &&
	db_snapshot db.before &&
	test_expect_code 5 ferry -d "$DB_URL" down --to 0 --check </dev/null >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty out &&
	grep "is finished" err
'

test_expect_success 'rollback --dry-run: nothing in state up, nothing to do' '
	unchanged ferry -d "$DB_URL" rollback --dry-run >actual &&
	echo "dry run: nothing to do; nothing was changed" >expect &&
	test_cmp expect actual
'

test_expect_success 'rollback --dry-run and --check with a rollout in flight' '
	cat >migrations/4_notes.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE notes (id integer PRIMARY KEY);
	-- ferry:finish
	DELETE FROM notes;
	-- ferry:down
	DROP TABLE notes;
	EOF
	ferry -d "$DB_URL" -q up &&
	unchanged ferry -d "$DB_URL" rollback --dry-run >actual &&
	grep "^-- [0-9]" actual >headers &&
	echo "-- 1/1: down 4_notes" >expect &&
	test_cmp expect headers &&
	unchanged ferry -d "$DB_URL" rollback --check >out 2>err &&
	cat >expect <<-\EOF &&
	down   4_notes ... ok (N ms)
	check passed: 1 down section ran in one transaction and was rolled back; the database is unchanged
	EOF
	normalize <out >actual &&
	test_cmp expect actual
'

test_expect_success 'a dry run refuses what the run refuses: a drifted file (exit 5)' '
	sed "s/(id integer PRIMARY KEY)/(id bigint PRIMARY KEY)/" migrations/3_orders.sql >changed &&
	mv changed migrations/3_orders.sql &&
	db_snapshot db.before &&
	test_expect_code 5 ferry -d "$DB_URL" up --dry-run >out 2>err &&
	test_expect_code 5 ferry -d "$DB_URL" up --check >out2 2>err2 &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty out &&
	grep "changed after it was applied" err &&
	grep "changed after it was applied" err2
'

test_done
