#!/bin/sh
test_description='ferry plan: the steps up, finish and migrate would take, touching nothing'
. "$(dirname "$0")/test-lib.sh"

# SPEC sections 3 and 5: plan [--to T] shows the steps to reach T,
# checkpoints included, without touching the database; plan --json is an
# array of steps {action, version, name, release, checkpoint, by_up}.

test_expect_success 'setup: releases 1.0 (checkpoint) and 2.0, one unreleased' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	EOF
	cat >migrations/2_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	cat >migrations/3_orders.sql <<-\EOF &&
	CREATE TABLE orders (id integer PRIMARY KEY, note text);
	EOF
	cat >migrations/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	EOF
	cat >migrations/5_items.sql <<-\EOF &&
	CREATE TABLE items (id integer PRIMARY KEY);
	EOF
	printf "1.0 2 checkpoint\n2.0 4\n" >migrations/releases
'

test_expect_success 'plan on a new database: every step, and where up stops' '
	db_snapshot before &&
	ferry -d "$DB_URL" plan >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	STEP  ACTION  MIGRATION  RELEASE
	1     up      1_users    1.0 (checkpoint)
	2     up      2_email    1.0 (checkpoint)
	3     finish  2_email    1.0 (checkpoint)
	4     up      3_orders   2.0
	5     up      4_total    2.0
	6     up      5_items    -
	7     finish  4_total    2.0
	'"'"'ferry up'"'"' stops before step 3: checkpoint release 1.0 must be finished first
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'plan created nothing: no database file, no ledger, no lock file' '
	if test "$ENGINE" = sqlite; then
		test_path_is_missing test.db &&
		test_path_is_missing test.db-ferry.lock &&
		test_path_is_missing test.db-journal &&
		test_path_is_missing test.db-wal
	else
		db_tables >actual &&
		test_must_be_empty actual
	fi
'

test_expect_success 'plan --json: an array of steps with exactly the SPEC fields' '
	ferry -d "$DB_URL" plan --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		"type == \"array\"" \
		"length == 7" \
		"map(keys) | unique == [[\"action\", \"by_up\", \"checkpoint\", \"name\", \"release\", \"version\"]]" &&
	jq -c ".[]" out >actual &&
	cat >expect <<-\EOF &&
	{"action":"up","version":"1","name":"users","release":"1.0","checkpoint":true,"by_up":true}
	{"action":"up","version":"2","name":"email","release":"1.0","checkpoint":true,"by_up":true}
	{"action":"finish","version":"2","name":"email","release":"1.0","checkpoint":true,"by_up":false}
	{"action":"up","version":"3","name":"orders","release":"2.0","checkpoint":false,"by_up":false}
	{"action":"up","version":"4","name":"total","release":"2.0","checkpoint":false,"by_up":false}
	{"action":"up","version":"5","name":"items","release":null,"checkpoint":false,"by_up":false}
	{"action":"finish","version":"4","name":"total","release":"2.0","checkpoint":false,"by_up":false}
	EOF
	test_cmp expect actual
'

test_expect_success 'plan --to a release: up to it, finished, and no stop to report' '
	ferry -d "$DB_URL" plan --to 1.0 >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	STEP  ACTION  MIGRATION  RELEASE
	1     up      1_users    1.0 (checkpoint)
	2     up      2_email    1.0 (checkpoint)
	3     finish  2_email    1.0 (checkpoint)
	EOF
	test_cmp expect actual
'

test_expect_success 'plan --to a version: finish the checkpoint first, then go on' '
	ferry -d "$DB_URL" plan --to 3 --json >out 2>err &&
	test_must_be_empty err &&
	jq -r ".[] | \"\(.action) \(.version) \(.by_up)\"" out >actual &&
	cat >expect <<-\EOF &&
	up 1 true
	up 2 true
	finish 2 false
	up 3 false
	EOF
	test_cmp expect actual
'

test_expect_success 'after up stopped at the checkpoint: plan starts with its finish' '
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	db_snapshot before &&
	ferry -d "$DB_URL" plan >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	STEP  ACTION  MIGRATION  RELEASE
	1     finish  2_email    1.0 (checkpoint)
	2     up      3_orders   2.0
	3     up      4_total    2.0
	4     up      5_items    -
	5     finish  4_total    2.0
	'"'"'ferry up'"'"' stops before step 1: checkpoint release 1.0 must be finished first
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'plan leaves the ledger and the history as they were' '
	db_sql "SELECT count(*) FROM ferry_history" >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'migrate takes exactly the steps plan showed' '
	ferry -d "$DB_URL" plan --json >plan.json &&
	ferry -d "$DB_URL" migrate --json >run.json 2>err &&
	jq -c "[.[] | {action, version}]" plan.json >expect &&
	jq -c "[.applied[] | {action, version}]" run.json >actual &&
	test_cmp expect actual
'

test_expect_success 'at the target: nothing to do, and [] in JSON' '
	ferry -d "$DB_URL" plan >actual 2>err &&
	echo "nothing to do: the database is at its target" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	ferry -d "$DB_URL" plan --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ". == []"
'

test_expect_success 'plan refuses a database ahead of the files (exit 5), as the run would' '
	mv migrations/5_items.sql items.sql &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" plan >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: version 5 is applied but no file has it; run the newer release
	EOF
	test_cmp expect actual &&
	test_expect_code 5 ferry -d "$DB_URL" plan --json >out 2>actual &&
	test_json out ".error.exit == 5" ".error.code == \"refused\"" &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	mv items.sql migrations/5_items.sql
'

test_expect_success 'plan refuses drift (exit 5)' '
	cp migrations/3_orders.sql orders.sql &&
	echo "-- edited" >>migrations/3_orders.sql &&
	test_expect_code 5 ferry -d "$DB_URL" plan >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	echo "ferry: error: migration '"'"'3_orders'"'"' was changed after it was applied" >expect &&
	test_cmp expect actual &&
	cp orders.sql migrations/3_orders.sql
'

test_expect_success 'plan refuses a migration merged late (exit 5)' '
	cat >migrations/0_early.sql <<-\EOF &&
	CREATE TABLE early (id integer PRIMARY KEY);
	EOF
	test_expect_code 5 ferry -d "$DB_URL" plan >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'0_early'"'"' is older than the newest applied one, 5
	hint: it was probably merged late; apply it anyway with '"'"'ferry migrate --allow-out-of-order'"'"'
	EOF
	test_cmp expect actual
'

test_expect_success 'plan --allow-out-of-order plans it, as migrate would' '
	db_snapshot before &&
	ferry -d "$DB_URL" plan --allow-out-of-order >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	STEP  ACTION  MIGRATION  RELEASE
	1     up      0_early    1.0 (checkpoint)
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	rm migrations/0_early.sql
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 ferry -d "$DB_URL" plan --to 9 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'9'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	test_cmp expect actual &&
	test_expect_code 2 ferry -d "$DB_URL" plan 2.0 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'plan'"'"' takes no arguments; to plan up to a version, use --to 2.0
	hint: try '"'"'ferry plan --help'"'"'
	EOF
	test_cmp expect actual
'

test_expect_success 'PostgreSQL: plan with --schema creates neither the schema nor a ledger' '
	if test "$ENGINE" = pg; then
		ferry -d "$DB_URL" --schema plan_only plan >out 2>err &&
		test_must_be_empty err &&
		head -n 1 out >actual &&
		echo "STEP  ACTION  MIGRATION  RELEASE" >expect &&
		test_cmp expect actual &&
		db_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '"'"'plan_only'"'"'" >actual &&
		echo 0 >expect &&
		test_cmp expect actual
	fi
'

test_done
