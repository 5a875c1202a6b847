#!/bin/sh
test_description='ferry up: -- ferry:require, a query that must be true before a section runs'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 3: "disable services first" as a precondition, not a
# CHECK-constraint trick whose hint blames the file.

q="'"

test_expect_success 'setup: a worker still running' '
	mkdir migrations &&
	cat >migrations/0001_services.sql <<-\EOF &&
	CREATE TABLE services (name text PRIMARY KEY, running integer NOT NULL);
	INSERT INTO services VALUES ('"'"'worker'"'"', 1), ('"'"'api'"'"', 0);
	EOF
	cat >migrations/0002_stopped.sql <<-\EOF &&
	-- ferry:up
	-- ferry:require stop every worker first: st2ctl stop
	SELECT count(*) = 0 FROM services WHERE running = 1;
	CREATE TABLE jobs (id integer PRIMARY KEY);
	EOF
	ferry -q -d "$DB_URL" up --to 1 &&
	db_snapshot before
'

test_expect_success 'not met: refused (exit 5) with the message as the hint, nothing changed, no history' '
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0002_stopped.sql:3:1: precondition of 0002_stopped not met
	hint: stop every worker first: st2ctl stop
	EOF
	test_cmp expect err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success '--dry-run and --check refuse it too, and change nothing' '
	test_expect_code 5 ferry -d "$DB_URL" up --dry-run >out 2>err &&
	grep "^ferry: error: migrations/0002_stopped.sql:3:1: precondition of 0002_stopped not met$" err &&
	test_expect_code 5 ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^ferry: error: migrations/0002_stopped.sql:3:1: precondition of 0002_stopped not met$" err &&
	test_expect_code 5 ferry -d "$DB_URL" migrate >out 2>err &&
	grep "^hint: stop every worker first: st2ctl stop$" err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'met: the section runs, without the query' '
	db_sql "UPDATE services SET running = 0" &&
	ferry -d "$DB_URL" up --dry-run >out &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT count(*) FROM jobs" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 2" >actual &&
	echo complete >expect &&
	test_cmp expect actual
'

test_expect_success 'a query that fails is an error of its own: nothing changed, no failed row' '
	cat >migrations/0003_broken.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE more (a integer);
	-- ferry:require the services table must say so
	SELECT count(*) = 0 FROM no_such_table;
	EOF
	db_snapshot before &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migrations/0003_broken.sql:4:1: precondition of 0003_broken could not be checked: .*no_such_table" err &&
	grep "^hint: fix the query after ${q}-- ferry:require${q}; nothing was changed$" err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'no row, or NULL, is not true' '
	cat >migrations/0003_broken.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE more (a integer);
	-- ferry:require no row is no
	SELECT 1 FROM services WHERE name = '"'"'nobody'"'"';
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	grep "^hint: no row is no$" err &&
	cat >migrations/0003_broken.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE more (a integer);
	-- ferry:require null is no
	SELECT NULL;
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	grep "^hint: null is no$" err &&
	rm migrations/0003_broken.sql
'

test_expect_success 'in a no-transaction section: checked first, counted as a statement, resumable' '
	cat >migrations/0003_notx.sql <<-\EOF &&
	-- ferry:up no-transaction
	INSERT INTO jobs VALUES (1);
	-- ferry:require the api must be stopped
	SELECT count(*) = 0 FROM services WHERE name = '"'"'api'"'"' AND running = 1;
	INSERT INTO nowhere VALUES (2);
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT state, failed_statement FROM ferry_migrations WHERE version = 3" >actual &&
	echo "failed|3" >expect &&
	test_cmp expect actual &&
	db_sql "UPDATE services SET running = 1 WHERE name = '"'"'api'"'"'" &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	grep "^hint: the api must be stopped$" err &&
	test_expect_code 5 ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^hint: the api must be stopped$" err &&
	db_sql "UPDATE services SET running = 0" &&
	db_sql "CREATE TABLE nowhere (a integer)" &&
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT id FROM jobs" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'with --single-transaction: checked inside the run'"'"'s transaction, refused whole (a sequence may move)' '
	cat >migrations/0004_one.sql <<-\EOF &&
	CREATE TABLE one (a integer);
	EOF
	cat >migrations/0005_two.sql <<-\EOF &&
	-- ferry:up
	-- ferry:require the api must be running
	SELECT running = 1 FROM services WHERE name = '"'"'api'"'"';
	CREATE TABLE two (a integer);
	EOF
	db_sql "SELECT count(*) FROM ferry_migrations; SELECT count(*) FROM ferry_history" >before &&
	test_expect_code 5 ferry -d "$DB_URL" up --single-transaction >out 2>err &&
	grep "^hint: the api must be running$" err &&
	db_sql "SELECT count(*) FROM ferry_migrations; SELECT count(*) FROM ferry_history" >after &&
	test_cmp before after &&
	! db_sql "SELECT count(*) FROM one" 2>/dev/null &&
	db_sql "UPDATE services SET running = 1 WHERE name = '"'"'api'"'"'" &&
	ferry -d "$DB_URL" up --single-transaction >out 2>err &&
	db_sql "SELECT count(*) FROM two" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a dry run cannot check a query on what a step before it creates: it warns' '
	cat >migrations/0006_make.sql <<-\EOF &&
	CREATE TABLE made (a integer);
	EOF
	cat >migrations/0007_use.sql <<-\EOF &&
	-- ferry:up
	-- ferry:require made must be empty
	SELECT count(*) = 0 FROM made;
	CREATE TABLE used (a integer);
	EOF
	ferry -d "$DB_URL" up --dry-run >out 2>err &&
	grep "^ferry: warning: precondition of 0007_use could not be checked: .*made.* (before the steps ahead of it have run)$" err &&
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT count(*) FROM used" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a dry run: a later step'"'"'s precondition not met now is a warning' '
	db_sql "UPDATE services SET running = 1" &&
	cat >migrations/0008_stop.sql <<-\EOF &&
	UPDATE services SET running = 0;
	EOF
	cat >migrations/0009_after.sql <<-\EOF &&
	-- ferry:up
	-- ferry:require nothing may run
	SELECT count(*) = 0 FROM services WHERE running = 1;
	CREATE TABLE after_stop (a integer);
	EOF
	ferry -d "$DB_URL" up --dry-run >out 2>err &&
	grep "^ferry: warning: precondition of 0009_after not met now (before the steps ahead of it have run)$" err &&
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT count(*) FROM after_stop" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a require with no message, or with no query after it, is refused' '
	test_refused_file 0019_x.sql "-- ferry:up\n-- ferry:require\nSELECT 1;\n" \
		"ferry: error: migrations/0019_x.sql:2: ${q}-- ferry:require${q} needs a message\nhint: say what to do when the query after it is not true, e.g. ${q}-- ferry:require stop every worker first${q}\n" &&
	test_refused_file 0019_x.sql "-- ferry:up\nSELECT 1;\n-- ferry:require stop it\n" \
		"ferry: error: migrations/0019_x.sql:3: ${q}-- ferry:require${q} is followed by no statement\nhint: put the query that must return true right after it, in the same section\n"
'

test_done
