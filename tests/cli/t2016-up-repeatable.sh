#!/bin/sh
test_description='repeatable migrations: repeatable/NAME.sql runs again whenever it changes'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 2: views, functions and reference data (StackStorm's
# "populate" after every upgrade) as repeatable migrations, run after the
# versioned steps of up, migrate and bootstrap whenever their text differs
# from the text that last ran, each in its own transaction with its row.

q="'"

reps() {
	db_sql "SELECT name, runs FROM ferry_repeatable ORDER BY name" | tr '\n' ' '
}

colors() {
	db_sql "SELECT name FROM colors ORDER BY name" | tr '\n' ' '
}

test_expect_success 'setup' '
	mkdir -p migrations/repeatable &&
	cat >migrations/0001_colors.sql <<-\EOF &&
	CREATE TABLE colors (name text PRIMARY KEY, hex text);
	EOF
	cat >migrations/0002_shades.sql <<-\EOF &&
	CREATE TABLE shades (color text, level integer);
	EOF
	cat >migrations/repeatable/colors_data.sql <<-\EOF &&
	-- Reference data, re-populated whenever it changes.
	DELETE FROM colors;
	INSERT INTO colors VALUES ('"'"'red'"'"', '"'"'f00'"'"'), ('"'"'blue'"'"', '"'"'00f'"'"');
	EOF
	cat >migrations/repeatable/views.sql <<-\EOF &&
	-- ferry:up
	DROP VIEW IF EXISTS shade_count;
	CREATE VIEW shade_count AS SELECT color, count(*) AS n FROM shades GROUP BY color;
	EOF
	echo "not SQL" >migrations/repeatable/README
'

test_expect_success 'up --to an older version runs no repeatable migration' '
	ferry -d "$DB_URL" up --to 1 >out &&
	! grep repeatable out &&
	test "$(colors)" = ""
'

test_expect_success 'plan and --dry-run show them after the versioned steps, by name' '
	ferry -d "$DB_URL" plan >out &&
	grep "^1 *up *0002_shades" out &&
	grep "^2 *repeatable *repeatable/colors_data" out &&
	grep "^3 *repeatable *repeatable/views" out &&
	ferry -d "$DB_URL" plan --json >out &&
	test_json out ".[1].action == \"repeatable\"" ".[1].version == null" \
		".[1].name == \"colors_data\"" ".[0].version == \"2\"" &&
	ferry -d "$DB_URL" up --dry-run >out &&
	grep "^-- 2/3: repeatable repeatable/colors_data$" out &&
	grep "^-- migrations/repeatable/colors_data.sql:1, in one transaction with its ledger row$" out &&
	grep "^DELETE FROM colors;$" out &&
	grep "^dry run: would run 1 up and 2 repeatable sections; nothing was changed$" out &&
	test "$(colors)" = ""
'

test_expect_success 'up runs the versioned step, then each repeatable one' '
	ferry -d "$DB_URL" up >out &&
	cat >expect <<-\EOF &&
	up     0002_shades ... ok
	up     repeatable/colors_data ... ok
	up     repeatable/views ... ok
	applied 3 migrations; database at 2
	EOF
	sed "s/ ok (.*)$/ ok/" out >actual &&
	test_cmp expect actual &&
	test "$(colors)" = "blue red " &&
	test "$(reps)" = "colors_data|1 views|1 " &&
	db_sql "SELECT action, coalesce(version, 0), name, success FROM ferry_history WHERE action = ${q}repeatable${q} ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	repeatable|0|colors_data|1
	repeatable|0|views|1
	EOF
	test_cmp expect actual
'

test_expect_success 'unchanged: nothing to do, nothing runs again' '
	ferry -d "$DB_URL" up >out &&
	grep "^nothing to do" out &&
	test "$(reps)" = "colors_data|1 views|1 " &&
	ferry -d "$DB_URL" status >out &&
	grep "^repeatable  2 current$" out &&
	ferry -d "$DB_URL" status --exit-code >out
'

test_expect_success 'status, list and JSON show them; a changed one is work to do' '
	echo "INSERT INTO colors VALUES ('"'"'green'"'"', '"'"'0f0'"'"');" >>migrations/repeatable/colors_data.sql &&
	ferry -d "$DB_URL" status >out &&
	grep "^repeatable  1 changed, 1 current$" out &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out &&
	ferry -d "$DB_URL" status --json >out &&
	test_json out ".repeatable.total == 2" ".repeatable.changed == 1" &&
	ferry -d "$DB_URL" list >out &&
	grep "^R  *colors_data  *-  *complete .*changed: up runs it again$" out &&
	grep "^R  *views  *-  *complete " out &&
	ferry -d "$DB_URL" list --json >out &&
	test_json out ".[2].version == null" ".[2].repeatable == true" \
		".[2].drift == true" ".[3].drift == false" \
		".[0].repeatable == false"
'

test_expect_success 'up runs the changed one only, and counts its runs' '
	ferry -d "$DB_URL" up >out &&
	grep "^up     repeatable/colors_data ... ok" out &&
	! grep views out &&
	test "$(colors)" = "blue green red " &&
	test "$(reps)" = "colors_data|2 views|1 "
'

test_expect_success '--check runs it and rolls back' '
	echo "INSERT INTO colors VALUES ('"'"'black'"'"', '"'"'000'"'"');" >>migrations/repeatable/colors_data.sql &&
	db_snapshot before &&
	ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^check passed: 1 repeatable section ran in one transaction and was rolled back" out &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'a repeatable file that fails: exit 1 at its line, rolled back, history says so; fixed, it runs' '
	echo "INSERT INTO no_such_table VALUES (1);" >>migrations/repeatable/colors_data.sql &&
	db_snapshot before &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migration ${q}repeatable/colors_data${q} failed$" err &&
	grep "^migrations/repeatable/colors_data.sql:6:[0-9]*: .*no_such_table" err &&
	grep "^hint: nothing of it was applied; fix it and run again$" err &&
	test "$(colors)" = "blue green red " &&
	test "$(reps)" = "colors_data|2 views|1 " &&
	db_sql "SELECT success FROM ferry_history WHERE action = ${q}repeatable${q} ORDER BY id DESC LIMIT 1" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	sed -i "\$d" migrations/repeatable/colors_data.sql &&
	ferry -d "$DB_URL" up >out &&
	test "$(colors)" = "black blue green red " &&
	test "$(reps)" = "colors_data|3 views|1 "
'

test_expect_success 'with --single-transaction, a failing repeatable one takes the whole run back' '
	echo "CREATE TABLE sizes (n integer);" >migrations/0003_sizes.sql &&
	echo "SELECT nosuch FROM shades;" >>migrations/repeatable/views.sql &&
	db_snapshot before &&
	test_expect_code 1 ferry -d "$DB_URL" up --single-transaction >out 2>err &&
	grep "^ferry: error: migration ${q}repeatable/views${q} failed$" err &&
	test "$(db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 3")" = 0 &&
	sed -i "\$d" migrations/repeatable/views.sql &&
	ferry -d "$DB_URL" up --single-transaction >out &&
	test "$(db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 3")" = 1
'

test_expect_success 'up stopped by an unfinished checkpoint runs none' '
	cat >migrations/0004_finishing.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE tmp_old (a integer);
	-- ferry:finish
	DROP TABLE tmp_old;
	EOF
	echo "CREATE TABLE later (a integer);" >migrations/0005_later.sql &&
	printf "1.0 4 checkpoint\n2.0 5\n" >migrations/releases &&
	echo "-- a comment changes the text" >>migrations/repeatable/views.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	grep "^up     0004_finishing ... ok" out &&
	! grep "repeatable/views" out &&
	test "$(reps)" = "colors_data|3 views|1 " &&
	ferry -d "$DB_URL" migrate >out &&
	grep "^up     repeatable/views ... ok" out &&
	grep "^applied 1 up and 1 finish sections, and 1 repeatable migration; database at 5 (release 2.0)$" out &&
	test "$(reps)" = "colors_data|3 views|2 " &&
	echo "-- and again" >>migrations/repeatable/views.sql &&
	ferry -d "$DB_URL" migrate >out &&
	grep "^applied 0 up and 0 finish sections, and 1 repeatable migration; database at 5 (release 2.0)$" out &&
	test "$(reps)" = "colors_data|3 views|3 "
'

test_expect_success 'two runners without the runner lock: the row lets one run it' '
	cp migrations/repeatable/views.sql saved &&
	slow_sql 2 >>migrations/repeatable/views.sql &&
	FERRY_TEST_NO_LOCK=1 ferry_testing -d "$DB_URL" up >a.out 2>a.err &
	echo $! >a.pid &&
	wait_for 10 grep -q "^up     repeatable/views \.\.\. " a.out &&
	FERRY_TEST_NO_LOCK=1 ferry_testing -d "$DB_URL" up >b.out 2>b.err &&
	wait "$(cat a.pid)" &&
	grep "^up     repeatable/views ... ok" a.out &&
	grep "^up     repeatable/views ... applied by another runner meanwhile$" b.out &&
	test "$(reps)" = "colors_data|3 views|4 " &&
	test "$(db_sql "SELECT count(*) FROM ferry_history WHERE action = ${q}repeatable${q} AND name = ${q}views${q} AND success = 1")" = 4 &&
	cp saved migrations/repeatable/views.sql &&
	ferry -d "$DB_URL" -q up
'

test_expect_success 'reset drops their table with the ledger' '
	ferry -d "$DB_URL" reset --yes >out &&
	grep "ferry_repeatable  (ferry${q}s ledger)" out &&
	test "$(db_tables)" = ""
'

test_expect_success 'bootstrap runs them, and --check on an empty database creates nothing' '
	ferry -d "$DB_URL" migrate --check >out &&
	grep "^check passed: 5 up, 1 finish and 2 repeatable sections ran" out &&
	test "$(db_tables)" = "" &&
	ferry -d "$DB_URL" bootstrap >out &&
	grep "^up     repeatable/views ... ok" out &&
	test "$(reps)" = "colors_data|1 views|1 " &&
	test "$(colors)" = "black blue green red "
'

test_expect_success 'bad files are refused before anything runs (exit 2)' '
	db_snapshot before &&
	cp migrations/repeatable/views.sql saved &&
	printf -- "-- ferry:up\nSELECT 1;\n-- ferry:finish\nSELECT 2;\n" >migrations/repeatable/views.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migrations/repeatable/views.sql:3:1: a repeatable migration has no finish section$" err &&
	printf -- "-- ferry:up no-transaction\nSELECT 1;\n" >migrations/repeatable/views.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migrations/repeatable/views.sql:1:1: a repeatable migration runs in a transaction$" err &&
	cp saved migrations/repeatable/views.sql &&
	echo "SELECT 1;" >"migrations/repeatable/two words.sql" &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: ${q}two words.sql${q} is not a valid repeatable migration file name$" err &&
	rm "migrations/repeatable/two words.sql" &&
	echo "SELECT 1;" >migrations/repeatable/Views.SQL &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	rm migrations/repeatable/Views.SQL &&
	mkfifo migrations/repeatable/pipe.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "pipe.sql" err &&
	rm migrations/repeatable/pipe.sql &&
	mv migrations/repeatable repeatable.d &&
	echo "not a directory" >migrations/repeatable &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: .*repeatable" err &&
	rm migrations/repeatable &&
	mv repeatable.d migrations/repeatable &&
	db_snapshot after &&
	test_cmp before after
'

test_done
