#!/bin/sh
test_description='progress a person can see: statements with -v, an elapsed-time line on a terminal, server warnings'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 7.

q="'"

test_expect_success 'setup' '
	mkdir migrations &&
	echo "CREATE TABLE t (a integer);" >migrations/0001_t.sql &&
	cat >migrations/0002_steps.sql <<-\EOF &&
	-- ferry:up no-transaction
	INSERT INTO t VALUES (1);
	INSERT INTO t VALUES (2), (3);
	CREATE TABLE u (b integer);
	EOF
	ferry -d "$DB_URL" -q up --to 1
'

test_expect_success '-v: one line per statement of a no-transaction section, with its rows' '
	ferry -d "$DB_URL" -v up >out 2>err &&
	grep "^ferry: 0002_steps: statement 1/3 at migrations/0002_steps.sql:2: 1 row in [0-9]* ms$" err &&
	grep "^ferry: 0002_steps: statement 2/3 at migrations/0002_steps.sql:3: 2 rows in [0-9]* ms$" err &&
	grep "^ferry: 0002_steps: statement 3/3 at migrations/0002_steps.sql:4: 0 rows in [0-9]* ms$" err
'

test_expect_success '-v: and of a transactional section, once it ran' '
	printf "INSERT INTO t VALUES (7);\nINSERT INTO t VALUES (8), (9);\n" >migrations/0003_tx.sql &&
	ferry -d "$DB_URL" -v up >out 2>err &&
	grep "^ferry: 0003_tx: statement 1/2 at migrations/0003_tx.sql:1: 1 row" err &&
	grep "^ferry: 0003_tx: statement 2/2 at migrations/0003_tx.sql:2: 2 rows" err &&
	rm migrations/0003_tx.sql &&
	db_sql "DELETE FROM t WHERE a > 6" &&
	db_sql "DELETE FROM ferry_migrations WHERE version = 3"
'

test_expect_success 'on a terminal, a section longer than 2 s shows its elapsed time in place' '
	{
		echo "INSERT INTO t VALUES (4);" &&
		slow_sql 3
	} >migrations/0003_slow.sql &&
	test_tty tty.out ferry -d "$DB_URL" up &&
	grep "up     0003_slow ... .\[Kup     0003_slow ... 2 s" tty.out &&
	grep "up     0003_slow ... ok (" tty.out
'

test_expect_success 'not in a file or a pipe' '
	{
		echo "INSERT INTO t VALUES (5);" &&
		slow_sql 2
	} >migrations/0004_slow.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	! grep "\[K" out err &&
	grep "^up     0004_slow ... ok (" out
'

test_expect_success 'batches show the batch, the rows so far and the rate' '
	cat >migrations/0005_backfill.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE docs (id integer PRIMARY KEY, v integer);
	INSERT INTO docs (id, v) SELECT a, 0 FROM t;
	-- ferry:repeat pause=700ms
	UPDATE docs SET v = 1 WHERE id IN (SELECT id FROM docs WHERE v = 0 ORDER BY id LIMIT 1);
	EOF
	test_tty tty.out ferry -d "$DB_URL" up &&
	grep "up     0005_backfill ... [0-9] s, batch [0-9]*, [0-9]* rows, [0-9]* rows/s" tty.out &&
	test "$(db_sql "SELECT count(*) FROM docs WHERE v = 0")" = 0
'

test_expect_success '--fail-on-warning goes with --check' '
	test_expect_code 2 ferry -d "$DB_URL" up --fail-on-warning >out 2>err &&
	grep "^ferry: error: --fail-on-warning goes with --check$" err
'

test_expect_success 'PostgreSQL: a server WARNING is shown without -v; --check --fail-on-warning fails on it' '
	if test "$ENGINE" != pg; then
		echo "# PostgreSQL only" && return 0
	fi &&
	cat >migrations/0006_warn.sql <<-\EOF &&
	DO $$ BEGIN RAISE WARNING '"'"'plugin % is deprecated'"'"', '"'"'acl'"'"'; RAISE NOTICE '"'"'just a notice'"'"'; END $$;
	EOF
	ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^ferry: warning: plugin acl is deprecated$" err &&
	! grep "just a notice" err &&
	test_expect_code 1 ferry -d "$DB_URL" up --check --fail-on-warning >out 2>err &&
	grep "^ferry: error: the check ran, but with 1 warning$" err &&
	ferry -d "$DB_URL" -v up >out 2>err &&
	grep "^ferry: warning: plugin acl is deprecated$" err &&
	grep "NOTICE: just a notice" err
'

test_done
