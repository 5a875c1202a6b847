#!/bin/sh
test_description='stdout and stderr in one file keep the order things happened in'
. "$(dirname "$0")/test-lib.sh"

# stdout is buffered in a file or a pipe, stderr is not: whatever stdout
# holds goes out before words go to stderr. Each test sends both streams
# to one file and compares all of it, in order.

q="'"

# The engine's own words for INSERT INTO a missing table.
no_table() {
	case $ENGINE in
	sqlite) echo "migrations/$1:1:1: no such table: nowhere" ;;
	pg) echo "migrations/$1:1:13: relation \"nowhere\" does not exist (SQLSTATE 42P01)" ;;
	esac
}

test_expect_success 'setup' '
	mkdir migrations &&
	echo "CREATE TABLE a (id integer);" >migrations/0001_a.sql &&
	echo "INSERT INTO nowhere VALUES (1);" >migrations/0002_b.sql
'

test_expect_success 'up applies one migration, then the next fails' '
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>&1 &&
	normalize <out >actual &&
	cat >expect <<-EOF &&
	up     0001_a ... ok (N ms)
	up     0002_b ... 
	ferry: error: migration ${q}0002_b${q} failed
	$(no_table 0002_b.sql)
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect actual
'

test_expect_success 'up stops at an unfinished checkpoint after applying one' '
	ferry -d "$DB_URL" -q reset --yes &&
	cat >migrations/0001_a.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE a (id integer);
	-- ferry:finish
	UPDATE a SET id = 1;
	EOF
	echo "CREATE TABLE b (id integer);" >migrations/0002_b.sql &&
	echo "1.0 1 checkpoint" >migrations/releases &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>&1 &&
	normalize <out >actual &&
	cat >expect <<-EOF &&
	up     0001_a ... ok (N ms)
	applied 1 migration; database at 1 (release 1.0)
	ferry: error: stopped after release 1.0: it is a checkpoint, and it is not finished
	hint: roll release 1.0 out to every node, run ${q}ferry finish --to 1.0${q}, then ${q}ferry up${q} again (or ${q}ferry migrate${q} to do it all with downtime)
	EOF
	test_cmp expect actual
'

test_expect_success 'up --json at the checkpoint: progress, the document, then the error' '
	ferry -d "$DB_URL" -q reset --yes &&
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>&1 &&
	normalize <out | sed -E -e "s/\"ms\": [0-9]+/\"ms\": N/" \
		-e "s/\"write_lock_ms\": ([0-9]+|null)/\"write_lock_ms\": N/" >actual &&
	cat >expect <<-EOF &&
	up     0001_a ... ok (N ms)
	{
	  "applied": [
	    {
	      "action": "up",
	      "version": "1",
	      "name": "a",
	      "release": "1.0",
	      "ms": N,
	      "write_lock_ms": N,
	      "lock_retries": 0
	    }
	  ],
	  "waited": false,
	  "other_runner": false,
	  "baselined": 0,
	  "version": "1",
	  "checkpoint": "1.0"
	}
	ferry: error: stopped after release 1.0: it is a checkpoint, and it is not finished
	hint: roll release 1.0 out to every node, run ${q}ferry finish --to 1.0${q}, then ${q}ferry up${q} again (or ${q}ferry migrate${q} to do it all with downtime)
	EOF
	test_cmp expect actual
'

test_expect_success 'finish completes one migration, then the next fails' '
	ferry -d "$DB_URL" -q reset --yes &&
	rm migrations/releases &&
	cat >migrations/0002_b.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE b (id integer);
	-- ferry:finish
	INSERT INTO nowhere VALUES (1);
	EOF
	ferry -d "$DB_URL" -q up &&
	test_expect_code 1 ferry -d "$DB_URL" finish >out 2>&1 &&
	normalize <out >actual &&
	cat >expect <<-EOF &&
	finish 0001_a ... ok (N ms)
	finish 0002_b ... 
	ferry: error: finish section of migration ${q}0002_b${q} failed
	$(no_table 0002_b.sql | sed "s/:1:/:4:/")
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect actual
'

test_done
