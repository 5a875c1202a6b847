#!/bin/sh
test_description='with the runner lock off, the ledger alone applies nothing twice'
. "$(dirname "$0")/test-lib.sh"

# Every change of a migration's state is a compare-and-set on its ledger
# row, inside the section's own transaction (src/lib/ledger.c): a new row
# is inserted, never replaced; finish and down name the state they expect;
# a no-transaction section is claimed by its runner, statement by
# statement. So even without the runner lock (FERRY_TEST_NO_LOCK=1, in the
# library's test build), two runners never both apply a section: the
# second one's claim fails, its transaction rolls back whole, and it stops
# with exit 0, as a runner that finds the work done does.

# bg NAME CMD...: ferry (test build, no runner lock) in the background.
bg() {
	_name=$1
	shift
	FERRY_TEST_NO_LOCK=1 ferry_testing -d "$DB_URL" "$@" >"$_name.out" \
		2>"$_name.err" &
	echo $! >"$_name.pid"
}

started() {
	grep -q "^$1 \.\.\. " a.out
}

balance_is() {
	test "$(db_sql "SELECT balance FROM accounts")" = "$1"
}

# Both runners exit 0; one did the step, the other says it found it done.
one_did_it() {
	wait "$(cat a.pid)" && wait "$(cat b.pid)" &&
	grep "^$1 \.\.\. ok" a.out &&
	grep "^$1 \.\.\. applied by another runner meanwhile$" b.out &&
	grep "^nothing applied here: another runner applied the work meanwhile; database at " b.out &&
	grep "^ferry: another runner changed the ledger first; this run applied nothing of $2 and stops$" b.err
}

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/1_accounts.sql <<-\EOF &&
	CREATE TABLE accounts (id integer PRIMARY KEY, balance integer);
	INSERT INTO accounts VALUES (1, 100);
	EOF
	{ slow_sql 2 && echo "UPDATE accounts SET balance = balance + 50;"; } \
		>migrations/2_deposit.sql &&
	ferry -d "$DB_URL" up --to 1 >out
'

test_expect_success 'up: the second runner, come while the first applies, applies nothing' '
	bg a up &&
	wait_for 10 started "up     2_deposit" &&
	bg b up &&
	one_did_it "up     2_deposit" 2_deposit &&
	balance_is 150 &&
	test "$(db_sql "SELECT count(*) FROM ferry_history WHERE action = '"'"'up'"'"' AND version = 2")" = 1 &&
	test "$(db_sql "SELECT state FROM ferry_migrations WHERE version = 2")" = complete
'

test_expect_success 'up, no-transaction: one runner claims the section' '
	{
		echo "-- ferry:up no-transaction" &&
		slow_sql 2 &&
		echo "UPDATE accounts SET balance = balance + 50;"
	} >migrations/3_deposit.sql &&
	bg a up &&
	wait_for 10 started "up     3_deposit" &&
	bg b up &&
	wait "$(cat a.pid)" && wait "$(cat b.pid)" &&
	balance_is 200 &&
	test "$(db_sql "SELECT state, runner FROM ferry_migrations WHERE version = 3")" = "complete|" &&
	test "$(db_sql "SELECT count(*) FROM ferry_history WHERE action = '"'"'up'"'"' AND version = 3")" = 1 &&
	cat a.out b.out >both &&
	grep "^up     3_deposit \.\.\. .*ok (" both &&
	grep "applied by another runner meanwhile$" both
'

test_expect_success 'finish: the second runner finishes nothing' '
	cat >migrations/4_expand.sql <<-EOF &&
	-- ferry:up
	CREATE TABLE ledger_notes (id integer);
	-- ferry:finish
	$(slow_sql 2)
	UPDATE accounts SET balance = balance + 50;
	EOF
	ferry -d "$DB_URL" up >out &&
	bg a finish &&
	wait_for 10 started "finish 4_expand" &&
	bg b finish &&
	one_did_it "finish 4_expand" 4_expand &&
	balance_is 250 &&
	test "$(db_sql "SELECT count(*) FROM ferry_history WHERE action = '"'"'finish'"'"'")" = 1
'

test_expect_success 'down: the second runner reverts nothing' '
	cat >migrations/5_fee.sql <<-EOF &&
	-- ferry:up
	UPDATE accounts SET balance = balance - 10;
	-- ferry:down
	$(slow_sql 2)
	UPDATE accounts SET balance = balance + 10;
	EOF
	ferry -d "$DB_URL" up >out &&
	balance_is 240 &&
	bg a down --steps 1 --yes &&
	wait_for 10 started "down   5_fee" &&
	bg b down --steps 1 --yes &&
	one_did_it "down   5_fee" 5_fee &&
	balance_is 250 &&
	test "$(db_sql "SELECT count(*) FROM ferry_history WHERE action = '"'"'down'"'"'")" = 1
'

test_expect_success 'single transaction (5 pending again): the second run rolls back whole' '
	cat >migrations/6_bonus.sql <<-EOF &&
	$(slow_sql 2)
	UPDATE accounts SET balance = balance + 5;
	EOF
	echo "UPDATE accounts SET balance = balance + 1;" >migrations/7_cent.sql &&
	bg a up --single-transaction &&
	wait_for 10 started "up     6_bonus" &&
	bg b up --single-transaction &&
	wait "$(cat a.pid)" && wait "$(cat b.pid)" &&
	balance_is 246 &&
	grep "^ferry: another runner changed the ledger first; this run applied nothing of" b.err &&
	test "$(db_sql "SELECT count(*) FROM ferry_history WHERE action = '"'"'up'"'"' AND version IN (6, 7)")" = 2
'

test_done
