#!/bin/sh
test_description='ferry rollback: revert every migration in state up, newest first'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: rollback reverts (with down) every migration in state up,
# aborting an unfinished rollout safely. Its help: the rollout is every
# migration after the last release older than the oldest migration in state
# up, reverted newest first, each in one transaction with the removal of
# its ledger row, so that the old release finds the database as it left
# it; refused (exit 5) before anything runs when one of them has no down
# section, was finished, or stopped half way.

test_expect_success 'setup: release 1.0 finished, release 2.0 rolling out' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, name text, legacy text);
	INSERT INTO users (id, name, legacy) VALUES (1, '"'"'ada'"'"', '"'"'x'"'"');
	-- ferry:finish
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >migrations/2_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	UPDATE users SET email = '"'"'ada@example.com'"'"';
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	-- ferry:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	cat >migrations/3_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, note text);
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	-- ferry:down
	DROP TABLE orders;
	EOF
	cat >migrations/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:finish
	-- ferry:down
	ALTER TABLE orders DROP COLUMN total;
	EOF
	printf "1.0 1\n2.0 4\n" >migrations/releases &&
	ferry -d "$DB_URL" migrate --to 1.0 >out &&
	ferry -d "$DB_URL" up >out &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|up
	3|up
	4|up
	EOF
	test_cmp expect actual
'

test_expect_success 'rollback with nothing to revert reports so' '
	ferry -d "$DB_URL" --table other_migrations rollback >actual 2>err &&
	echo "nothing to do: no migration is in state '"'"'up'"'"'" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'rollback reverts 4, 3 and 2, newest first; 1 stays' '
	ferry -d "$DB_URL" rollback >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   4_total ... ok (N ms)
	down   3_orders ... ok (N ms)
	down   2_email ... ok (N ms)
	reverted 3 migrations; database at 1 (release 1.0)
	EOF
	test_cmp expect actual
'

test_expect_success 'the down sections ran: the database is as release 1.0 had it' '
	db_tables >actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	users
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id, name, legacy FROM users" >actual &&
	echo "1|ada|x" >expect &&
	test_cmp expect actual &&
	test_must_fail db_sql "SELECT email FROM users" 2>/dev/null
'

test_expect_success 'their ledger rows are gone; history says down, newest first' '
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	echo "1|complete" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1|1
	finish|1|1
	up|2|1
	up|3|1
	up|4|1
	down|4|1
	down|3|1
	down|2|1
	EOF
	test_cmp expect actual
'

test_expect_success 'status: release 1.0 finished, 2.0 pending again' '
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out 2>err &&
	test_must_be_empty err &&
	sed -n "2,4p" out >actual &&
	cat >expect <<-\EOF &&
	release     1.0 finished
	version     at 1; newest file 4
	migrations  1 complete, 3 pending
	EOF
	test_cmp expect actual
'

test_expect_success 'rollback again: nothing to do, nothing changed' '
	db_snapshot before &&
	ferry -d "$DB_URL" rollback >actual 2>err &&
	echo "nothing to do: no migration is in state '"'"'up'"'"'" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'the rollout again: up brings 2.0 back' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|up
	3|up
	4|up
	EOF
	test_cmp expect actual
'

test_expect_success 'one migration to revert has no down section: refused, nothing reverted' '
	cp migrations/3_orders.sql orders.sql &&
	cat >migrations/3_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, note text);
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	EOF
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" rollback >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: cannot roll back migration '"'"'3_orders'"'"': it has no down section
	hint: add a '"'"'-- ferry:down'"'"' section that undoes its up section; nothing was reverted
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	db_sql "SELECT total FROM orders" >actual &&
	test_must_be_empty actual &&
	cp orders.sql migrations/3_orders.sql
'

test_expect_success 'rollback --json: one document, progress on stderr' '
	ferry -d "$DB_URL" rollback --json >out 2>err &&
	test_json out \
		"[.applied[] | .action + \" \" + .version] == [\"down 4\", \"down 3\", \"down 2\"]" \
		".version == \"1\"" &&
	normalize <err >actual &&
	cat >expect <<-\EOF &&
	down   4_total ... ok (N ms)
	down   3_orders ... ok (N ms)
	down   2_email ... ok (N ms)
	EOF
	test_cmp expect actual
'

test_expect_success 'a rollout partly finished is over: refused, nothing rolled back' '
	ferry -d "$DB_URL" up >out &&
	ferry -d "$DB_URL" finish --to 2 >out &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" rollback >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'2_email'"'"' is finished: its finish section ran and may have dropped data
	hint: its down section cannot bring that back; the rollout is over, nothing was rolled back ('"'"'ferry down --force'"'"' reverts it anyway)
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n3|up\n4|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a failing down section: exit 1, that migration stays up' '
	ferry -d "$DB_URL" down --to 1.0 --force --yes </dev/null >out &&
	ferry -d "$DB_URL" up >out &&
	cat >migrations/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:finish
	-- ferry:down
	ALTER TABLE orders DROP COLUMN no_such_column;
	EOF
	test_expect_code 1 ferry -d "$DB_URL" rollback >out 2>err &&
	echo "down   4_total ... " >expect &&
	test_cmp expect out &&
	head -n 1 err >actual &&
	echo "ferry: error: down section of migration '"'"'4_total'"'"' failed" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|up\n3|up\n4|up\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	echo "down|4|0" >expect &&
	test_cmp expect actual
'

test_expect_success 'usage: rollback takes no arguments (exit 2)' '
	test_expect_code 2 ferry -d "$DB_URL" rollback 2 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'rollback'"'"' takes no arguments
	hint: try '"'"'ferry rollback --help'"'"'
	EOF
	test_cmp expect actual
'

# A rollout of release 2.0 puts up 6 (with a finish section) and 7 (none,
# so complete at once). 7 belongs to the rollout all the same: rollback
# takes it back too, or the old release would find the database ahead of
# its files, and the retried rollout would find 6 out of order.
test_expect_success 'a migration of the rollout without a finish section goes back too' '
	mkdir r1 r2 &&
	cat >r1/5_base.sql <<-\EOF &&
	CREATE TABLE base (id integer PRIMARY KEY, legacy text);
	EOF
	printf "1.0 5\n" >r1/releases &&
	cp r1/5_base.sql r2/ &&
	cat >r2/6_contract.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE base ADD COLUMN fresh text;
	-- ferry:finish
	ALTER TABLE base DROP COLUMN legacy;
	-- ferry:down
	ALTER TABLE base DROP COLUMN fresh;
	EOF
	cat >r2/7_plain.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE plain (id integer PRIMARY KEY);
	-- ferry:down
	DROP TABLE plain;
	EOF
	printf "1.0 5\n2.0 7\n" >r2/releases &&
	ferry -d "$DB_URL" --table r_migrations --dir r1 up >out &&
	ferry -d "$DB_URL" --table r_migrations --dir r2 up >out &&
	ferry -d "$DB_URL" --table r_migrations --dir r2 rollback >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   7_plain ... ok (N ms)
	down   6_contract ... ok (N ms)
	reverted 2 migrations; database at 5 (release 1.0)
	EOF
	test_cmp expect actual
'

test_expect_success 'after rollback, release 1.0 finds its database: up has nothing to do' '
	ferry -d "$DB_URL" --table r_migrations --dir r1 up >actual 2>err &&
	test_must_be_empty err &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual
'

test_expect_success 'after rollback, the retried rollout goes up again' '
	ferry -d "$DB_URL" --table r_migrations --dir r2 up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT version, state FROM r_migrations ORDER BY version" >actual &&
	printf "5|complete\n6|up\n7|complete\n" >expect &&
	test_cmp expect actual
'

test_done
