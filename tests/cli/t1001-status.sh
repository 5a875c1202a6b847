#!/bin/sh
test_description='ferry status: where the database stands'
. "$(dirname "$0")/test-lib.sh"

# "(sqlite 3.40.1), not created yet" is SQLite's: a PostgreSQL database
# exists before ferry sees it.
if test "$ENGINE" = sqlite; then
	fresh=", not created yet"
else
	fresh=
fi

test_expect_success 'setup' '
	use_fixture basic
'

test_expect_success 'status on a database not created yet' '
	db_snapshot before &&
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	normalize_engine <out >actual &&
	cat >expect <<-EOF &&
	database    $DB_SHOWN (ENGINE VERSION)$fresh
	release     none finished
	version     nothing applied yet; newest file 3
	migrations  0 complete, 3 pending
	drift       none
	lock        free
	last action none

	STATE    VERSION  NAME           RELEASE
	pending  1        create_users   -
	pending  2        create_orders  -
	pending  3        seed_users     -
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'status creates neither the database nor the ledger' '
	if test "$ENGINE" = sqlite; then
		test_path_is_missing test.db &&
		test_path_is_missing test.db-journal
	fi &&
	ferry -d "$DB_URL" list >/dev/null &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >/dev/null &&
	ferry -d "$DB_URL" history >/dev/null &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'status names the engine and its version' '
	ferry -d "$DB_URL" status >out &&
	head -n 1 out >line &&
	grep "^database    $DB_SHOWN ([a-z]* [0-9][0-9.]*.*)" line &&
	if test "$ENGINE" = sqlite; then
		grep "(sqlite 3\.[0-9]*\.[0-9]*)" line
	fi
'

test_expect_success 'status --exit-code: 3 while migrations wait' '
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >actual &&
	ferry -d "$DB_URL" status >expect &&
	test_cmp expect actual
'

test_expect_success 'status after a partial up' '
	ferry -d "$DB_URL" -q up --to 2 &&
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	normalize_engine <out | normalize >actual &&
	cat >expect <<-EOF &&
	database    $DB_SHOWN (ENGINE VERSION)
	release     none finished
	version     at 2; newest file 3
	migrations  2 complete, 1 pending
	drift       none
	lock        free
	last action up 2 by USER@HOST at TIME

	STATE    VERSION  NAME        RELEASE
	pending  3        seed_users  -
	EOF
	test_cmp expect actual &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >/dev/null
'

test_expect_success 'status after a full up' '
	ferry -d "$DB_URL" -q up &&
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	normalize_engine <out | normalize >actual &&
	cat >expect <<-EOF &&
	database    $DB_SHOWN (ENGINE VERSION)
	release     none finished
	version     at 3; newest file 3
	migrations  3 complete, 0 pending
	drift       none
	lock        free
	last action up 3 by USER@HOST at TIME
	EOF
	test_cmp expect actual
'

test_expect_success 'status --exit-code: 0 when nothing waits' '
	ferry -d "$DB_URL" status --exit-code >actual &&
	ferry -d "$DB_URL" status >expect &&
	test_cmp expect actual
'

test_expect_success 'a new file makes work again' '
	echo "CREATE TABLE later (id integer);" >migrations/0004_later.sql &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out &&
	sed -n "3,4p" out >actual &&
	cat >expect <<-\EOF &&
	version     at 3; newest file 4
	migrations  3 complete, 1 pending
	EOF
	test_cmp expect actual
'

test_expect_success 'status reads only: the database is unchanged' '
	db_snapshot before &&
	ferry -d "$DB_URL" status >/dev/null &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >/dev/null &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'status with a bad migration directory' '
	cat >expect <<-\EOF &&
	ferry: error: migration directory '"'"'nowhere'"'"' does not exist
	hint: create it with '"'"'ferry init'"'"', or name another one with --dir
	EOF
	test_expect_code 2 ferry -d "$DB_URL" --dir nowhere status >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_done
