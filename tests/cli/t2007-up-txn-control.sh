#!/bin/sh
test_description='ferry up refuses statements that would end its transaction, before running anything'
. "$(dirname "$0")/test-lib.sh"

q="'"

test_expect_success 'setup: 1 applied, 2 good, 3 with BEGIN ... COMMIT' '
	use_fixture basic &&
	mv migrations/0002_create_orders.sql migrations/0003_seed_users.sql . &&
	ferry -d "$DB_URL" -q up &&
	mv 0002_create_orders.sql migrations/ &&
	cat >migrations/0003_seed_users.sql <<-\EOF
	-- ferry:up
	INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');
	BEGIN;
	INSERT INTO users (id, name) VALUES (2, '"'"'bob'"'"');
	COMMIT;
	EOF
'

test_expect_success 'BEGIN in a transactional section: exit 2, file:line:col, nothing run' '
	db_snapshot before &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0003_seed_users.sql:3:1: BEGIN in migration ${q}0003_seed_users${q} would end ferry${q}s transaction
	hint: remove it: ferry runs each section in a transaction; or mark the section ${q}-- ferry:up no-transaction${q}
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'the migration before it in the same run was not applied either' '
	db_tables >actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	users
	EOF
	test_cmp expect actual
'

test_expect_success 'COMMIT, in lower case and indented, is found at its column' '
	cat >migrations/0003_seed_users.sql <<-\EOF &&
	-- ferry:up
	INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');
	INSERT INTO users (id, name) VALUES (2, '"'"'bob'"'"');
	   commit ;
	EOF
	cat >expect <<-EOF &&
	ferry: error: migrations/0003_seed_users.sql:4:4: COMMIT in migration ${q}0003_seed_users${q} would end ferry${q}s transaction
	hint: remove it: ferry runs each section in a transaction; or mark the section ${q}-- ferry:up no-transaction${q}
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'ROLLBACK and START TRANSACTION are refused too' '
	printf -- "-- ferry:up\nDELETE FROM users;\nROLLBACK;\n" >migrations/0003_seed_users.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up 2>actual &&
	grep "^ferry: error: migrations/0003_seed_users.sql:3:1: ROLLBACK in migration" actual &&
	printf -- "-- ferry:up\nSTART TRANSACTION;\n" >migrations/0003_seed_users.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up 2>actual &&
	grep "^ferry: error: migrations/0003_seed_users.sql:2:1: START TRANSACTION in migration" actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'VACUUM cannot run in a transaction' '
	printf -- "-- ferry:up\nDELETE FROM users;\nVACUUM;\n" >migrations/0003_seed_users.sql &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0003_seed_users.sql:3:1: VACUUM cannot run inside a transaction (migration ${q}0003_seed_users${q})
	hint: mark the section ${q}-- ferry:up no-transaction${q}
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up 2>actual &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'the words in comments and strings are not statements' '
	cat >migrations/0003_seed_users.sql <<-\EOF &&
	-- ferry:up
	-- begin; commit;
	/* BEGIN;
	   COMMIT; */
	INSERT INTO users (id, name) VALUES (1, '"'"'BEGIN; COMMIT;'"'"');
	INSERT INTO users (id, name) VALUES (2, '"'"'it'"'"''"'"'s; -- not a comment'"'"'); -- rollback;
	INSERT INTO users (id, name) VALUES (3, '"'"'/* nor; this */'"'"');
	EOF
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT id, name FROM users ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|BEGIN; COMMIT;
	2|it'"'"'s; -- not a comment
	3|/* nor; this */
	EOF
	test_cmp expect actual
'

test_expect_success 'in a no-transaction section, BEGIN and COMMIT are the author'"'"'s' '
	cat >migrations/0004_batch.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE batch (id integer PRIMARY KEY);
	BEGIN;
	INSERT INTO batch (id) VALUES (1);
	INSERT INTO batch (id) VALUES (2);
	COMMIT;
	EOF
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT count(*) FROM batch" >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version = 4" >actual &&
	echo "4|complete" >expect &&
	test_cmp expect actual
'

test_expect_success 'with no ledger yet, the refusal leaves the database as it was' '
	mkdir fresh &&
	cp migrations/0001_create_users.sql fresh/ &&
	printf -- "-- ferry:up\nBEGIN;\nCREATE TABLE x (id integer);\nCOMMIT;\n" >fresh/0002_x.sql &&
	ferry -d "$DB_URL" --table fresh_migrations --dir fresh status >/dev/null &&
	db_snapshot before &&
	test_expect_code 2 ferry -d "$DB_URL" --table fresh_migrations --dir fresh up >out 2>actual &&
	test_must_be_empty out &&
	grep "^ferry: error: fresh/0002_x.sql:2:1: BEGIN in migration" actual &&
	db_snapshot after &&
	test_cmp before after
'

test_done
