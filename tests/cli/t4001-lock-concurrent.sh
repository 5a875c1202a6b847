#!/bin/sh
test_description='eight ferry up at once: one does the work, all exit 0'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2: one runner at a time; runners that waited and find the
# work done exit 0, so every node of a cluster may run 'ferry up' at start.

RUNNERS="1 2 3 4 5 6 7 8"

# 20 migrations, each a table filled with 5000 rows: long enough that the
# runners started together overlap, and a second apply would show (the
# CREATE TABLE would fail, or the row count double).
test_expect_success 'setup: 20 migrations' '
	mkdir migrations &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
	do
		cat >migrations/0${i}_table_$i.sql <<-EOF || return 1
		-- table $i of 20
		CREATE TABLE t$i (id integer PRIMARY KEY, v text NOT NULL);
		WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 5000)
		INSERT INTO t$i (id, v) SELECT i, '"'"'row'"'"' FROM r;
		EOF
	done &&
	ls migrations >files &&
	test_line_count = 20 files
'

test_expect_success '8 runners started together all exit 0' '
	for p in $RUNNERS
	do
		(
			# a barrier: all start as soon as "go" exists
			while ! test -f go; do sleep 0.01; done
			"$FERRY" -d "$DB_URL" up >out.$p 2>err.$p
			echo $? >rc.$p
		) &
	done &&
	touch go &&
	wait &&
	for p in $RUNNERS
	do
		echo "runner $p: 0" || return 1
	done >expect &&
	for p in $RUNNERS
	do
		echo "runner $p: $(cat rc.$p)" || return 1
	done >actual &&
	test_cmp expect actual
'

test_expect_success 'exactly one runner applied all 20, in order' '
	{
		for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
		do
			echo "up     0${i}_table_$i ... ok (N ms)" || return 1
		done &&
		echo "applied 20 migrations; database at 20"
	} >expect &&
	: >workers &&
	for p in $RUNNERS
	do
		if grep -q "^applied" out.$p
		then
			echo $p >>workers &&
			normalize <out.$p >actual &&
			test_cmp expect actual &&
			test_must_be_empty err.$p || return 1
		fi
	done &&
	test_line_count = 1 workers
'

# A runner that waited says so twice: who it waited for (stderr), and that
# it found the work done (stdout). One that came after the work says only
# that nothing was left. The holder may be caught before it wrote its name
# ("another process"); both are acceptable here.
test_expect_success 'the others waited or came late, and found nothing to do' '
	echo "ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid PID, USER@HOST, since TIME" >expect.named &&
	echo "ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by another process" >expect.unnamed &&
	waited=0 &&
	for p in $RUNNERS
	do
		grep -q "^applied" out.$p && continue
		normalize <err.$p >err.$p.norm &&
		if test -s err.$p
		then
			waited=$((waited + 1)) &&
			echo "nothing to do: another ferry applied the migrations while this one waited" >expect &&
			test_cmp expect out.$p &&
			{ cmp -s expect.unnamed err.$p.norm ||
			  test_cmp expect.named err.$p.norm; }
		else
			echo "nothing to do: every migration is applied" >expect &&
			test_cmp expect out.$p
		fi || { echo "runner $p:"; cat out.$p err.$p; return 1; }
	done &&
	echo "$waited runners waited" &&
	test $waited -ge 1
'

test_expect_success 'every migration is applied exactly once' '
	echo "20|20|complete|complete" >expect &&
	db_sql "SELECT count(*), count(DISTINCT version), min(state), max(state) FROM ferry_migrations" >actual &&
	test_cmp expect actual &&
	{
		echo ferry_history &&
		echo ferry_migrations &&
		for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
		do
			echo t$i || return 1
		done
	} >expect &&
	db_tables >actual &&
	test_cmp expect actual &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
	do
		echo "t$i 5000" || return 1
	done >expect &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
	do
		echo "t$i $(db_sql "SELECT count(*) FROM t$i")" || return 1
	done >actual &&
	test_cmp expect actual
'

test_expect_success 'history has exactly 20 up rows and no failure' '
	echo "up|20|20|20" >expect &&
	db_sql "SELECT action, count(*), count(DISTINCT version), count(*) - count(error) FROM ferry_history GROUP BY action" >actual &&
	test_cmp expect actual
'

test_expect_success 'a ninth runner afterwards has nothing to do' '
	echo "nothing to do: every migration is applied" >expect &&
	ferry -d "$DB_URL" up >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_done
