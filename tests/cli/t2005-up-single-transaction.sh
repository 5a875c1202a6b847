#!/bin/sh
test_description='ferry up --single-transaction: every pending migration or none'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: the third of three fails' '
	mkdir migrations &&
	echo "CREATE TABLE a (id integer PRIMARY KEY);" >migrations/0001_a.sql &&
	cat >migrations/0002_b.sql <<-\EOF &&
	CREATE TABLE b (id integer PRIMARY KEY);
	INSERT INTO a (id) VALUES (1);
	EOF
	cat >migrations/0003_c.sql <<-\EOF
	CREATE TABLE c (id integer PRIMARY KEY);
	INSERT INTO a (id) VALUES (1);
	EOF
'

test_expect_success 'a failure in the third leaves nothing of the first two' '
	test_expect_code 1 ferry -d "$DB_URL" up --single-transaction >out 2>err &&
	normalize <out >actual &&
	printf "%s\n" "up     0001_a ... ok (N ms)" "up     0002_b ... ok (N ms)" \
		"up     0003_c ... " >expect &&
	test_cmp expect actual &&
	sed -e 1p -e "\$p" -n err >actual &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'0003_c'"'"' failed
	hint: the whole run was rolled back, nothing of it was applied; fix it and run again
	EOF
	test_cmp expect actual &&
	sed -n 2p err >actual &&
	grep "^migrations/0003_c.sql:2:1: ." actual &&
	db_tables >actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'the failure is in the history' '
	db_sql "SELECT action, version, name FROM ferry_history" >actual &&
	echo "up|3|c" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  0 complete, 3 pending$" out
'

test_expect_success 'once fixed, all three go in together' '
	sed -i "s/VALUES (1)/VALUES (2)/" migrations/0003_c.sql &&
	ferry -d "$DB_URL" up --single-transaction >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0001_a ... ok (N ms)
	up     0002_b ... ok (N ms)
	up     0003_c ... ok (N ms)
	applied 3 migrations; database at 3
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n3|complete\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT id FROM a ORDER BY id" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--single-transaction with nothing to do' '
	ferry -d "$DB_URL" up --single-transaction >actual &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual
'

test_expect_success '--single-transaction refuses a no-transaction section before running anything' '
	echo "CREATE TABLE d (id integer);" >migrations/0004_d.sql &&
	cat >migrations/0005_e.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE e (id integer);
	EOF
	db_snapshot before &&
	cat >expect <<-\EOF &&
	ferry: error: cannot run migration '"'"'0005_e'"'"' in a single transaction
	its up section is marked no-transaction
	hint: run without --single-transaction
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up --single-transaction >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'without --single-transaction the same set applies' '
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT version FROM ferry_migrations WHERE version > 3 ORDER BY version" >actual &&
	printf "4\n5\n" >expect &&
	test_cmp expect actual
'

# In one transaction each migration's time is still its own, as the engine
# ran it: not the time it took to send (PostgreSQL pipelines), nor the
# whole run's, nor nothing.
test_expect_success 'in one transaction, the ledger and the history time each migration' '
	echo "CREATE TABLE quick (id integer);" >migrations/0006_quick.sql &&
	slow_sql 1 >migrations/0007_slow.sql &&
	echo "CREATE TABLE quick2 (id integer);" >migrations/0008_quick2.sql &&
	ferry -d "$DB_URL" -q up --single-transaction &&
	db_sql "SELECT version, up_ms >= 500, up_ms < 500 FROM ferry_migrations WHERE version > 5 ORDER BY version" >actual &&
	db_sql "SELECT version, duration_ms >= 500 FROM ferry_history WHERE version > 5 ORDER BY version" >>actual &&
	case $ENGINE in sqlite) t=1 f=0 ;; pg) t=t f=f ;; esac &&
	printf "6|$f|$t\n7|$t|$f\n8|$f|$t\n6|$f\n7|$t\n8|$f\n" >expect &&
	test_cmp expect actual
'

test_done
