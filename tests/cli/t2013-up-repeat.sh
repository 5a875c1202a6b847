#!/bin/sh
test_description='ferry up: a statement under -- ferry:repeat runs in batches, each committed, until it changes no row'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 1. A backfill of 25 rows in batches of 10. Rows 3 and 17
# refuse the change (a CHECK constraint): row 3 makes the first batch fail
# (what --check must find), row 17 the second (what a resume must survive).
# `touched` counts how often a row was changed: a batch run twice shows.

q="'"

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/0001_docs.sql <<-\EOF &&
	CREATE TABLE docs (id integer PRIMARY KEY, v integer NOT NULL,
		touched integer NOT NULL DEFAULT 0,
		CHECK (id NOT IN (3, 17) OR v = 13));
	CREATE TABLE marks (n integer);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25)
	INSERT INTO docs (id, v) SELECT i, 13 FROM n;
	EOF
	cat >migrations/0002_backfill.sql <<-\EOF &&
	-- ferry:up no-transaction
	INSERT INTO marks VALUES (1);
	-- ferry:repeat max=100
	UPDATE docs SET v = 14, touched = touched + 1
	 WHERE id IN (SELECT id FROM docs WHERE v = 13 ORDER BY id LIMIT 10);
	INSERT INTO marks VALUES (2);
	EOF
	ferry -q -d "$DB_URL" up --to 1
'

test_expect_success 'plan and --dry-run say which statements repeat' '
	ferry -d "$DB_URL" plan >out &&
	grep "^step 1: 1 statement of 0002_backfill repeats until no row changes, each batch in a transaction of its own$" out &&
	ferry -d "$DB_URL" plan --json >plan.json &&
	test_json plan.json ".[0].repeats == 1" &&
	ferry -d "$DB_URL" up --dry-run >out &&
	grep "^-- migrations/0002_backfill.sql:2, no transaction: statement by statement; 1 statement repeats until it changes no row, each batch in a transaction of its own$" out &&
	grep "^-- ferry:repeat max=100$" out &&
	ferry -d "$DB_URL" up --dry-run --json >dry.json &&
	test_json dry.json ".steps[0].repeats == 1"
'

test_expect_success '--check runs the first batch on the real data, and rolls it back' '
	db_snapshot before &&
	test_expect_code 1 ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^ferry: error: migration ${q}0002_backfill${q} failed$" err &&
	grep "^migrations/0002_backfill.sql:4:1: " err &&
	grep "hint: the check was rolled back: nothing was applied" err &&
	db_snapshot after &&
	test_cmp before after &&
	db_sql "DELETE FROM docs WHERE id = 3" &&
	ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^up     0002_backfill ... ok" out &&
	db_sql "SELECT count(*) FROM docs WHERE touched > 0" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a failing batch: the batches before it stay, the row says how far' '
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0002_backfill${q} failed
	hint: its 1 batch so far (10 rows) stays committed; fix it and run again to go on with the next batch
	EOF
	grep -v "^migrations/" err >actual &&
	test_cmp expect actual &&
	grep "^migrations/0002_backfill.sql:4:1: " err &&
	db_sql "SELECT v, touched, count(*) FROM docs GROUP BY v, touched ORDER BY v" >actual &&
	printf "13|0|14\n14|1|10\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT state, failed_statement, progress FROM ferry_migrations WHERE version = 2" >actual &&
	grep "^failed|2|[0-9a-f]\{16\},#1:10$" actual
'

test_expect_success 'the next run goes on with the loop: no batch twice, the count carried on' '
	db_sql "DELETE FROM docs WHERE id = 17" &&
	ferry -v -d "$DB_URL" up >out 2>err &&
	grep "resuming at statement 2" out &&
	grep "^ferry: 0002_backfill: statement 2, batch 2: 10 rows (20 so far) in [0-9]* ms$" err &&
	grep "^ferry: 0002_backfill: statement 2, batch 3: 3 rows (23 so far) in [0-9]* ms$" err &&
	! grep "batch 4" err &&
	db_sql "SELECT v, touched, count(*) FROM docs GROUP BY v, touched" >actual &&
	echo "14|1|23" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT n FROM marks ORDER BY n" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT state, failed_statement, progress FROM ferry_migrations WHERE version = 2" >actual &&
	echo "complete||" >expect &&
	test_cmp expect actual
'

test_expect_success 'a statement that never stops changing rows: stopped at max= with a clear error' '
	cat >migrations/0003_forever.sql <<-\EOF &&
	-- ferry:up no-transaction
	-- ferry:repeat max=3 pause=10ms
	UPDATE docs SET touched = touched + 1 WHERE id = 1;
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0003_forever${q} failed
	migrations/0003_forever.sql:3:1: statement 1 of migration ${q}0003_forever${q} still changed rows after 3 batches
	hint: a repeated statement must change no row in the end: make its WHERE leave out the rows it has done, or raise max= on ${q}-- ferry:repeat${q}, then run again to go on
	EOF
	test_cmp expect err &&
	db_sql "SELECT touched FROM docs WHERE id = 1" >actual &&
	echo 4 >expect &&
	test_cmp expect actual
'

test_expect_success 'fixed, the statement resumes and ends' '
	cat >migrations/0003_forever.sql <<-\EOF &&
	-- ferry:up no-transaction
	-- ferry:repeat max=3 pause=10ms
	UPDATE docs SET touched = touched + 1 WHERE id = 1 AND touched < 4;
	EOF
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT touched FROM docs WHERE id = 1" >actual &&
	echo 4 >expect &&
	test_cmp expect actual
'

test_expect_success 'a repeat in a section that runs in one transaction is refused' '
	test_refused_file 0004_x.sql "-- ferry:up\n-- ferry:repeat\nUPDATE docs SET v = 1;\n" \
		"ferry: error: migrations/0004_x.sql:2: ${q}-- ferry:repeat${q} in a section that runs in one transaction\nhint: mark the section ${q}-- ferry:up no-transaction${q}: each batch of a repeated statement commits on its own\n" &&
	test_refused_file 0004_x.sql "UPDATE docs SET v = 1;\n-- ferry:repeat\nUPDATE docs SET v = 1;\n" \
		"ferry: error: migrations/0004_x.sql:2: ${q}-- ferry:repeat${q} in a section that runs in one transaction\nhint: mark the section ${q}-- ferry:up no-transaction${q}: each batch of a repeated statement commits on its own\n"
'

test_expect_success 'unknown options and bad values are refused' '
	for opt in every=3 pause=2h pause=5 max=0 max=x "max=3 extra"
	do
		test_refused_file 0004_x.sql "-- ferry:up no-transaction\n-- ferry:repeat $opt\nUPDATE docs SET v = 1;\n" \
			"ferry: error: migrations/0004_x.sql:2: unknown option ${q}${opt##* }${q} on ${q}-- ferry:repeat${q}\nhint: the options are pause=DURATION (e.g. pause=500ms or pause=2s, at most 1 hour) and max=N (batches, default 100000)\n" ||
		return 1
	done
'

test_expect_success 'a repeat with no statement after it is refused' '
	test_refused_file 0004_x.sql "-- ferry:up no-transaction\nSELECT 1;\n-- ferry:repeat\n-- only a comment\n-- ferry:down\nSELECT 2;\n" \
		"ferry: error: migrations/0004_x.sql:3: ${q}-- ferry:repeat${q} is followed by no statement\nhint: put the statement to repeat right after it, in the same section\n" &&
	test_refused_file 0004_x.sql "-- ferry:up no-transaction\nSELECT 1;\n-- ferry:repeat\n" \
		"ferry: error: migrations/0004_x.sql:3: ${q}-- ferry:repeat${q} is followed by no statement\nhint: put the statement to repeat right after it, in the same section\n" &&
	test_refused_file 0004_x.sql "-- ferry:up no-transaction\n-- ferry:repeat\n-- ferry:repeat\nSELECT 1;\n" \
		"ferry: error: migrations/0004_x.sql:2: ${q}-- ferry:repeat${q} is followed by no statement\nhint: put the statement to repeat right after it, in the same section\n"
'

test_expect_success 'a directive after SQL on the same line is a comment, not a directive' '
	cat >migrations/0004_same_line.sql <<-\EOF &&
	-- ferry:up no-transaction
	UPDATE docs SET touched = touched + 1 WHERE id = 2; -- ferry:repeat
	EOF
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT touched FROM docs WHERE id = 2" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success 'a SELECT under repeat changes no row: it runs once' '
	cat >migrations/0005_select.sql <<-\EOF &&
	-- ferry:up no-transaction
	-- ferry:repeat max=2
	SELECT count(*) FROM docs;
	EOF
	ferry -v -d "$DB_URL" up >out 2>err &&
	! grep "batch" err &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 5" >actual &&
	echo complete >expect &&
	test_cmp expect actual
'

test_expect_success 'a directive inside a statement is refused before anything runs' '
	cat >migrations/0006_inside.sql <<-\EOF &&
	-- ferry:up no-transaction
	UPDATE docs SET touched = touched + 1
	-- ferry:repeat
	 WHERE id = 2 AND touched < 3;
	EOF
	db_snapshot before &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0006_inside.sql:3:1: a ${q}-- ferry:${q} directive inside a statement of migration ${q}0006_inside${q}
	hint: put it on its own line before the statement it is about, after the ${q};${q} of the one before
	EOF
	test_cmp expect err &&
	db_snapshot after &&
	test_cmp before after &&
	rm migrations/0006_inside.sql
'

test_expect_success '--check stops after the last repeated statement: what follows may need every batch' '
	cat >migrations/0006_two_phase.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE t6 (id integer PRIMARY KEY, v integer NOT NULL);
	INSERT INTO t6 VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0);
	-- ferry:repeat
	UPDATE t6 SET v = 1 WHERE id IN (SELECT id FROM t6 WHERE v = 0 ORDER BY id LIMIT 2);
	CREATE TABLE t6_done (n integer CHECK (n = 0));
	INSERT INTO t6_done SELECT count(*) FROM t6 WHERE v = 0;
	EOF
	db_snapshot before &&
	ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^up     0006_two_phase ... ok" out &&
	db_snapshot after &&
	test_cmp before after &&
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "SELECT n FROM t6_done" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

if test "$ENGINE" = pg
then
	test_expect_success 'after the section set a role: the batches run as it, ferry'"'"'s ledger writes as ferry' '
		db_sql "DO \$\$ BEGIN CREATE ROLE ferry_t2013_app; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" &&
		db_sql "GRANT SELECT, UPDATE ON docs TO ferry_t2013_app" &&
		cat >migrations/0007_as_app.sql <<-\EOF &&
		-- ferry:up no-transaction
		SET ROLE ferry_t2013_app;
		-- ferry:repeat
		UPDATE docs SET touched = touched + 1
		 WHERE id IN (SELECT id FROM docs WHERE touched = 40 ORDER BY id LIMIT 1)
		   AND current_user = '"'"'ferry_t2013_app'"'"';
		EOF
		db_sql "UPDATE docs SET touched = 40 WHERE id IN (5, 6, 7)" &&
		ferry -d "$DB_URL" up >out 2>err &&
		db_sql "SELECT count(*) FROM docs WHERE touched = 41" >actual &&
		echo 3 >expect &&
		test_cmp expect actual &&
		db_sql "SELECT state FROM ferry_migrations WHERE version = 7" >actual &&
		echo complete >expect &&
		test_cmp expect actual
	'
fi

test_expect_success 'a repeat inside the section'"'"'s own BEGIN is refused when it runs' '
	cat >migrations/0008_in_begin.sql <<-\EOF &&
	-- ferry:up no-transaction
	BEGIN;
	-- ferry:repeat
	UPDATE docs SET touched = touched + 1 WHERE id = 2 AND touched < 3;
	COMMIT;
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "statement 2 of migration ${q}0008_in_begin${q} is repeated inside the section${q}s own BEGIN" err &&
	db_sql "SELECT touched FROM docs WHERE id = 2" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_done
