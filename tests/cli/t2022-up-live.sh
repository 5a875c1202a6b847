#!/bin/sh
test_description='up under live traffic: the write lock held, --exclusive where it cannot be known, the options in help'
. "$(dirname "$0")/test-lib.sh"

# Issue 16 parts 2 and 3, on each engine: SQLite says per migration how
# long it held the database's write lock (-v, JSON write_lock_ms);
# PostgreSQL, which locks tables and rows, says null. SQLite cannot tell
# who has its file open: status has no sessions line (JSON null) and
# --exclusive is refused there, with the reason.

q="'"

test_expect_success 'setup: a table filled by a slow statement, then a no-transaction copy' '
	mkdir migrations &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE t (id int);" \
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) INSERT INTO t SELECT x FROM c;" \
		>migrations/1_t.sql &&
	printf "%s\n" "-- ferry:up no-transaction" "CREATE TABLE u (id int);" \
		"INSERT INTO u SELECT id FROM t;" >migrations/2_u.sql
'

test_expect_success 'up --json: write_lock_ms per migration (SQLite), null on PostgreSQL' '
	ferry -d "$DB_URL" up --json >out 2>err &&
	if test "$ENGINE" = sqlite
	then
		test_json out ".applied | length == 2" \
			".applied | all(.write_lock_ms >= 0 and .write_lock_ms <= .ms)" \
			".applied[0].write_lock_ms > 0" \
			".applied | all(.lock_retries == 0)"
	else
		test_json out ".applied | length == 2" \
			".applied | all(.write_lock_ms == null)"
	fi
'

test_expect_success 'up -v: "write lock held" on SQLite only' '
	printf "%s\n" "-- ferry:up" "INSERT INTO t SELECT id FROM t;" >migrations/3_more.sql &&
	ferry -d "$DB_URL" up -v >out 2>err &&
	if test "$ENGINE" = sqlite
	then
		grep "^up     3_more ... ok ([0-9.]* m\{0,1\}s, write lock held [0-9.]* m\{0,1\}s)$" out
	else
		grep "^up     3_more ... ok ([0-9.]* m\{0,1\}s)$" out
	fi
'

test_expect_success 'without -v, no write lock figure' '
	printf "%s\n" "-- ferry:up" "DELETE FROM u;" >migrations/4_less.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^up     4_less ... ok ([0-9.]* m\{0,1\}s)$" out
'

test_expect_success '--single-transaction: each step says how long it held the write lock (SQLite)' '
	if test "$ENGINE" = sqlite
	then
		mkdir sdir &&
		printf "%s\n" "CREATE TABLE s1 (id int);" >sdir/1_s1.sql &&
		printf "%s\n" "CREATE TABLE s2 (id int);" "INSERT INTO s2 VALUES (1);" >sdir/2_s2.sql &&
		ferry -d sqlite:single.db --dir sdir up --single-transaction --json >out 2>err &&
		test_json out ".applied | length == 2" \
			".applied | all(.write_lock_ms != null and .write_lock_ms >= 0 and .write_lock_ms <= .ms)"
	fi
'

test_expect_success 'status: sessions on PostgreSQL; on SQLite no line and JSON null' '
	ferry -d "$DB_URL" status >out 2>err &&
	ferry -d "$DB_URL" status --json >json 2>err &&
	if test "$ENGINE" = sqlite
	then
		! grep "^sessions" out &&
		test_json json ".sessions == null"
	else
		grep "^sessions    " out &&
		test_json json ".sessions | type == \"array\""
	fi
'

test_expect_success 'SQLite: --exclusive is refused, saying why, whether or not there is work (exit 2)' '
	if test "$ENGINE" = sqlite
	then
		test_expect_code 2 ferry -d "$DB_URL" up --exclusive >out 2>err &&
		printf "%s\n" "ferry: error: --exclusive cannot be checked on SQLite" \
			"SQLite keeps no list of the processes that have the file open; one that holds no lock leaves no trace" \
			"hint: stop the application${q}s processes yourself, then run without --exclusive" >expect &&
		test_cmp expect err &&
		printf "%s\n" "-- ferry:up" "CREATE TABLE v (id int);" >migrations/5_v.sql &&
		db_snapshot before &&
		test_expect_code 2 ferry -d "$DB_URL" migrate --exclusive >out 2>err &&
		test_cmp expect err &&
		db_snapshot after &&
		test_cmp before after &&
		echo "exclusive = yes" >ferry.conf &&
		test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
		test_cmp expect err &&
		ferry -d "$DB_URL" status >out 2>err &&
		rm ferry.conf
	fi
'

test_expect_success 'SQLite: finish and restore --exclusive are refused the same way, nothing changed' '
	if test "$ENGINE" = sqlite
	then
		printf "%s\n" "ferry: error: --exclusive cannot be checked on SQLite" \
			"SQLite keeps no list of the processes that have the file open; one that holds no lock leaves no trace" \
			"hint: stop the application${q}s processes yourself, then run without --exclusive" >expect &&
		printf "%s\n" "-- ferry:up" "CREATE TABLE w (id int);" \
			"-- ferry:finish" "DROP TABLE u;" >migrations/6_w.sql &&
		ferry -d "$DB_URL" up >out 2>err &&
		ferry -d "$DB_URL" backup -o snap.sqlite >out 2>err &&
		db_snapshot before &&
		test_expect_code 2 ferry -d "$DB_URL" finish --exclusive >out 2>err &&
		test_must_be_empty out &&
		test_cmp expect err &&
		db_snapshot after &&
		test_cmp before after &&
		ferry -d "$DB_URL" finish >out 2>err &&
		db_snapshot before &&
		test_expect_code 2 ferry -d "$DB_URL" restore --exclusive --yes snap.sqlite >out 2>err &&
		test_must_be_empty out &&
		test_cmp expect err &&
		db_snapshot after &&
		test_cmp before after
	fi
'

test_expect_success 'help: up, finish and migrate list --lock-wait, --lock-retries and --exclusive; rollback the budget' '
	for c in up finish migrate
	do
		ferry $c --help >out 2>err &&
		grep "^  *--lock-wait DURATION " out &&
		grep "^  *--lock-retries N " out &&
		grep "^  *--exclusive " out || return 1
	done &&
	ferry rollback --help >out &&
	grep "^  *--lock-wait DURATION " out &&
	! grep -- "--exclusive" out &&
	ferry restore --help >out &&
	grep "^  *--exclusive " out
'

test_done
