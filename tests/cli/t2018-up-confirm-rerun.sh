#!/bin/sh
test_description='sections marked confirm ask first; up --rerun runs an up section again'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 5: Kong's one-off community-to-enterprise conversion,
# which asks for confirmation (-y) and can be forced again (-f).

q="'"

count() {
	db_sql "SELECT count(*) FROM $1"
}

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/0001_plugins.sql <<-\EOF &&
	CREATE TABLE plugins (name text);
	CREATE TABLE converted (at integer);
	EOF
	cat >migrations/0002_convert.sql <<-\EOF &&
	-- Convert community plugins to their enterprise names.
	-- ferry:up confirm
	INSERT INTO converted VALUES (1);
	EOF
	db_snapshot empty
'

test_expect_success 'without an answer the whole run is refused (exit 5), nothing changed' '
	test_expect_code 5 ferry -d "$DB_URL" up </dev/null >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: the up section of migration ${q}0002_convert${q} was not confirmed
	hint: its up section asks before it runs: answer yes, or give --yes; nothing was changed
	EOF
	test_cmp expect err &&
	db_snapshot after &&
	test_cmp empty after
'

test_expect_success 'on a terminal it asks; no answer is no' '
	test_expect_code 5 test_tty tty.out ferry -d "$DB_URL" up &&
	grep "^0002_convert asks before its up section runs: run it? \[y/N\] ferry: error: the up section of migration ${q}0002_convert${q} was not confirmed" tty.out &&
	db_snapshot after &&
	test_cmp empty after
'

test_expect_success '--dry-run says it asks; --check tries it without asking' '
	ferry -d "$DB_URL" up --dry-run </dev/null >out &&
	grep "^-- 2/2: up 0002_convert, asks for confirmation$" out &&
	ferry -d "$DB_URL" --json up --dry-run </dev/null >out &&
	test_json out ".steps[1].confirm == true" ".steps[0].confirm == null" &&
	ferry -d "$DB_URL" up --check </dev/null >out &&
	grep "^check passed: 2 up sections ran" out &&
	db_snapshot after &&
	test_cmp empty after
'

test_expect_success 'with --yes it runs' '
	ferry -d "$DB_URL" up --yes </dev/null >out &&
	grep "^up     0002_convert ... ok" out &&
	test "$(count converted)" = 1
'

test_expect_success 'a finish section marked confirm asks too' '
	cat >migrations/0003_drop_old.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE old_plugins (name text);
	-- ferry:finish confirm
	DROP TABLE old_plugins;
	EOF
	ferry -d "$DB_URL" up </dev/null >out &&
	test_expect_code 5 ferry -d "$DB_URL" finish </dev/null >out 2>err &&
	grep "^ferry: error: the finish section of migration ${q}0003_drop_old${q} was not confirmed$" err &&
	ferry -d "$DB_URL" finish -y </dev/null >out &&
	test "$(db_sql "SELECT state FROM ferry_migrations WHERE version = 3")" = complete
'

test_expect_success 'up --rerun: refused without an answer, run with --yes, recorded as a rerun' '
	test_expect_code 5 ferry -d "$DB_URL" up --rerun 2 </dev/null >out 2>err &&
	grep "^ferry: error: the rerun of migration ${q}0002_convert${q} was not confirmed$" err &&
	test "$(count converted)" = 1 &&
	ferry -d "$DB_URL" up --rerun 2 --dry-run </dev/null >out &&
	grep "^-- 1/1: rerun 0002_convert, asks for confirmation$" out &&
	grep "^INSERT INTO converted VALUES (1);$" out &&
	ferry -d "$DB_URL" up --rerun 2 --yes </dev/null >out &&
	grep "^up     0002_convert ... ok" out &&
	grep "^applied 1 migration; database at 3$" out &&
	test "$(count converted)" = 2 &&
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	echo "rerun|2|1" >expect &&
	test_cmp expect actual &&
	test "$(db_sql "SELECT state FROM ferry_migrations WHERE version = 2")" = complete
'

test_expect_success 'a rerun that fails is rolled back and recorded as a failed rerun' '
	cat >migrations/0004_fragile.sql <<-\EOF &&
	INSERT INTO converted VALUES (4);
	EOF
	ferry -d "$DB_URL" up </dev/null >out &&
	printf "INSERT INTO converted VALUES (4);\nINSERT INTO no_such_table VALUES (1);\n" >migrations/0004_fragile.sql &&
	ferry -d "$DB_URL" repair --yes </dev/null >out &&
	test_expect_code 1 ferry -d "$DB_URL" up --rerun 4 --yes </dev/null >out 2>err &&
	grep "^ferry: error: migration ${q}0004_fragile${q} failed$" err &&
	test "$(count converted)" = 3 &&
	db_sql "SELECT action, success FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	echo "rerun|0" >expect &&
	test_cmp expect actual
'

test_expect_success 'what cannot be rerun is refused before anything runs' '
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" up --rerun 3 --yes </dev/null >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: cannot rerun migration ${q}0003_drop_old${q}: it was finished
	hint: its up section may expect what its finish section removed: revert it with ${q}ferry down --force${q} and apply it again, or write a new migration
	EOF
	test_cmp expect err &&
	cat >migrations/0005_pending.sql <<-\EOF &&
	-- ferry:up no-transaction
	INSERT INTO converted VALUES (5);
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up --rerun 5 --yes </dev/null >out 2>err &&
	grep "^ferry: error: cannot rerun migration ${q}0005_pending${q}: it is not applied$" err &&
	grep "^hint: ${q}ferry up${q} applies it$" err &&
	ferry -d "$DB_URL" up </dev/null >out &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" up --rerun 5 --yes </dev/null >out 2>err &&
	grep "^ferry: error: cannot rerun migration ${q}0005_pending${q}: it has a no-transaction up section$" err &&
	test_expect_code 2 ferry -d "$DB_URL" up --rerun 9 --yes </dev/null >out 2>err &&
	grep "^ferry: error: no migration file has version 9 to rerun$" err &&
	test_expect_code 2 ferry -d "$DB_URL" up --rerun 2 --to 3 --yes </dev/null >out 2>err &&
	grep "^ferry: error: a rerun goes with up alone, without --to or --baseline$" err &&
	echo "-- edited" >>migrations/0002_convert.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up --rerun 2 --yes </dev/null >out 2>err &&
	grep "drift\|changed" err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'a migration in state up with a finish section can be rerun; it stays up' '
	sed -i "\$d" migrations/0002_convert.sql &&
	cat >migrations/0006_expand.sql <<-\EOF &&
	-- ferry:up
	INSERT INTO converted VALUES (6);
	-- ferry:finish
	DELETE FROM converted WHERE at = 6;
	EOF
	ferry -d "$DB_URL" up </dev/null >out &&
	ferry -d "$DB_URL" up --rerun 6 --yes </dev/null >out &&
	test "$(db_sql "SELECT count(*) FROM converted WHERE at = 6")" = 2 &&
	test "$(db_sql "SELECT state FROM ferry_migrations WHERE version = 6")" = up
'

test_done
