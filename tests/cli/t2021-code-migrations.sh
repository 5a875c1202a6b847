#!/bin/sh
test_description='migrations written in C: examples/startup migrates at start with a file and a code migration'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 6. The example program is built beside the ferry under
# test (make test builds it): build/examples/startup.

STARTUP=${FERRY_STARTUP_BIN:-$(dirname "$FERRY")/examples/startup}
SET=$(cd "$TEST_DIR/../../examples/startup/migrations" && pwd)
q="'"

startup() {
	"$STARTUP" "$DB_URL" "$SET"
}

test_expect_success 'setup: the example program is built' '
	test -x "$STARTUP" &&
	test -f "$SET/0001_customers.sql"
'

test_expect_success 'a dry run lists it; a check runs it and rolls back' '
	STARTUP_TRIAL=dry-run "$STARTUP" "$DB_URL" "$SET" >out 2>err &&
	grep "^dry-run: up 2_split_names$" out &&
	STARTUP_TRIAL=check "$STARTUP" "$DB_URL" "$SET" >out 2>err &&
	grep "^up 2_split_names: [0-9]* ms$" out &&
	grep "^check: up 2_split_names$" out &&
	test "$(db_tables)" = ""
'

test_expect_success 'a code migration that fails rolls back with what it wrote (exit 1)' '
	test_expect_code 1 env STARTUP_FAIL=1 "$STARTUP" "$DB_URL" "$SET" >out 2>err &&
	grep "^startup: migration ${q}2_split_names${q} failed: code migration ${q}2_split_names${q} returned -1$" err &&
	grep "^hint: nothing of it was applied; fix it and run again$" err &&
	test "$(db_sql "SELECT count(*) FROM customers WHERE first_name IS NOT NULL")" = 0 &&
	test "$(db_sql "SELECT version FROM ferry_migrations")" = 1 &&
	db_sql "SELECT action, version, name, success FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	echo "up|2|split_names|0" >expect &&
	test_cmp expect actual
'

test_expect_success 'the file and the code migration apply in version order, recorded alike' '
	startup >out 2>err &&
	grep "^up 2_split_names: [0-9]* ms$" out &&
	grep "^up 0003_index_last_name: [0-9]* ms$" out &&
	grep "^database at 3$" out &&
	db_sql "SELECT first_name, last_name FROM customers ORDER BY id" >actual &&
	printf "Ada|Lovelace\nAlan|Turing\nGrace|Hopper\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, name, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|customers|complete\n2|split_names|complete\n3|index_last_name|complete\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the next start does nothing' '
	db_snapshot before &&
	startup >out 2>err &&
	grep "^database at 3$" out &&
	! grep "^up " out &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'another checksum is drift, refused as an edited file is (exit 5)' '
	test_expect_code 5 env STARTUP_CHECKSUM=v2 "$STARTUP" "$DB_URL" "$SET" >out 2>err &&
	grep "^startup: migration ${q}2_split_names${q} was changed after it was applied" err &&
	grep "^hint: its checksum given to ferry_set_add_code() changed" err
'

test_expect_success 'the ferry command, which does not know it, sees a database ahead of its files' '
	test_expect_code 5 ferry -d "$DB_URL" --dir "$SET" up >out 2>err &&
	grep "not in these files\|ahead" err
'

test_done
