#!/bin/sh
test_description='ferry finish: the finish sections of migrations in state up, oldest first'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 1-3: finish is the destructive (contract) half, run only when
# asked; each finish section runs in one transaction with its ledger row,
# and the migration becomes complete. --to takes a version or a release;
# --single-transaction is all or none.

test_expect_success 'setup: two releases, each with an expand/contract migration' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, legacy_mail text);
	INSERT INTO users (id, name, legacy_mail) VALUES (1, '"'"'ada'"'"', '"'"'ada@old.example'"'"');
	EOF
	cat >migrations/2_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	UPDATE users SET email = legacy_mail;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy_mail;
	-- ferry:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	cat >migrations/3_orders.sql <<-\EOF &&
	CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL, note text);
	EOF
	cat >migrations/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	EOF
	printf "1.0 2\n2.0 4\n" >migrations/releases
'

test_expect_success 'finish on a new database: nothing to do, nothing created' '
	db_snapshot before &&
	ferry -d "$DB_URL" finish >actual 2>err &&
	echo "nothing to do: no migration waits for finish" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after &&
	db_tables >actual &&
	test_must_be_empty actual
'

test_expect_success 'up leaves 2 and 4 up, their finish sections waiting' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT version, state, finish_at FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete|
	2|up|
	3|complete|
	4|up|
	EOF
	test_cmp expect actual
'

test_expect_success 'finish --to 1.0 runs the finish section of release 1.0 only' '
	ferry -d "$DB_URL" finish --to 1.0 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 2_email ... ok (N ms)
	finished 1 migration; database at 4 (release 2.0)
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|complete
	3|complete
	4|up
	EOF
	test_cmp expect actual
'

test_expect_success 'the finish section ran: legacy_mail is gone, the data stays' '
	test_must_fail db_sql "SELECT legacy_mail FROM users" 2>/dev/null &&
	db_sql "SELECT id, name, email FROM users" >actual &&
	echo "1|ada|ada@old.example" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT note FROM orders" >actual &&
	test_must_be_empty actual
'

test_expect_success 'the ledger records when finish ran, and how long it took' '
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 2 AND finish_at IS NOT NULL AND finish_ms >= 0" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 4 AND finish_at IS NULL AND finish_ms IS NULL" >actual &&
	test_cmp expect actual
'

test_expect_success 'finish --to 1.0 again: nothing to do' '
	db_snapshot before &&
	ferry -d "$DB_URL" finish --to 1.0 >actual 2>err &&
	echo "nothing to do: no migration up to 1.0 waits for finish" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'finish runs the rest' '
	ferry -d "$DB_URL" finish >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 4_total ... ok (N ms)
	finished 1 migration; database at 4 (release 2.0)
	EOF
	test_cmp expect actual &&
	test_must_fail db_sql "SELECT note FROM orders" 2>/dev/null &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|complete
	3|complete
	4|complete
	EOF
	test_cmp expect actual
'

test_expect_success 'finish with nothing left: exit 0, database unchanged' '
	db_snapshot before &&
	ferry -d "$DB_URL" finish >actual 2>err &&
	echo "nothing to do: no migration waits for finish" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'the history has each finish, after the ups' '
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1|1
	up|2|1
	up|3|1
	up|4|1
	finish|2|1
	finish|4|1
	EOF
	test_cmp expect actual
'

test_expect_success 'status: release 2.0 finished, nothing waits' '
	ferry -d "$DB_URL" status --exit-code >out 2>err &&
	test_must_be_empty err &&
	sed -n "2,4p" out >actual &&
	cat >expect <<-\EOF &&
	release     2.0 finished
	version     at 4; newest file 4
	migrations  4 complete, 0 pending
	EOF
	test_cmp expect actual
'

test_expect_success 'finish --to a version, with two waiting' '
	cat >migrations/5_tags.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE tags (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE tags DROP COLUMN old;
	EOF
	cat >migrations/6_labels.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE labels (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE labels DROP COLUMN old;
	EOF
	ferry -d "$DB_URL" up >out &&
	ferry -d "$DB_URL" finish --to 5 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 5_tags ... ok (N ms)
	finished 1 migration; database at 6
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version > 4 ORDER BY version" >actual &&
	printf "5|complete\n6|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'finish --json: one document on stdout, progress on stderr' '
	ferry -d "$DB_URL" finish --json >out 2>err &&
	test_json out \
		".applied | length == 1" \
		".applied[0] | .action == \"finish\" and .version == \"6\" and .name == \"labels\" and .release == null and (.ms | type) == \"number\"" \
		".waited == false" \
		".version == \"6\"" \
		".checkpoint == null" &&
	normalize <err >actual &&
	echo "finish 6_labels ... ok (N ms)" >expect &&
	test_cmp expect actual
'

test_expect_success 'a finish section that fails: exit 1, rolled back, the migration stays up' '
	cat >migrations/7_bad.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE bad (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE bad DROP COLUMN old;
	INSERT INTO no_such_table VALUES (1);
	EOF
	ferry -d "$DB_URL" up >out &&
	test_expect_code 1 ferry -d "$DB_URL" finish >out 2>err &&
	echo "finish 7_bad ... " >expect &&
	test_cmp expect out &&
	sed -n -e 1p -e "\$p" err >actual &&
	cat >expect <<-\EOF &&
	ferry: error: finish section of migration '"'"'7_bad'"'"' failed
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect actual &&
	sed -n 2p err >actual &&
	grep "^migrations/7_bad.sql:5:[0-9]*: ." actual &&
	db_sql "SELECT old FROM bad" >actual &&
	test_must_be_empty actual &&
	db_sql "SELECT state, finish_at FROM ferry_migrations WHERE version = 7" >actual &&
	echo "up|" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	echo "finish|7|0" >expect &&
	test_cmp expect actual
'

test_expect_success 'fixed, finish completes it' '
	cat >migrations/7_bad.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE bad (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE bad DROP COLUMN old;
	EOF
	ferry -d "$DB_URL" finish >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 7_bad ... ok (N ms)
	finished 1 migration; database at 7
	EOF
	test_cmp expect actual &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 7" >actual &&
	echo complete >expect &&
	test_cmp expect actual
'

test_expect_success '--single-transaction: the second finish fails, the first is undone too' '
	cat >migrations/8_one.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE one (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE one DROP COLUMN old;
	EOF
	cat >migrations/9_two.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE two (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE two DROP COLUMN old;
	INSERT INTO no_such_table VALUES (1);
	EOF
	ferry -d "$DB_URL" up >out &&
	test_expect_code 1 ferry -d "$DB_URL" finish --single-transaction >out 2>err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 8_one ... ok (N ms)
	finish 9_two ... 
	EOF
	test_cmp expect actual &&
	tail -n 1 err >actual &&
	echo "hint: the whole run was rolled back, nothing of it was applied; fix it and run again" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT old FROM one" >actual &&
	test_must_be_empty actual &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version > 7 ORDER BY version" >actual &&
	printf "8|up\n9|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--single-transaction, fixed: both finish' '
	cat >migrations/9_two.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE two (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE two DROP COLUMN old;
	EOF
	ferry -d "$DB_URL" finish --single-transaction >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 8_one ... ok (N ms)
	finish 9_two ... ok (N ms)
	finished 2 migrations; database at 9
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE state <> '"'"'complete'"'"'" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'finish refuses drift in an applied up section (exit 5), finishing nothing' '
	cat >migrations/10_later.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE later (id integer PRIMARY KEY, old text);
	-- ferry:finish
	ALTER TABLE later DROP COLUMN old;
	EOF
	ferry -d "$DB_URL" up >out &&
	cp migrations/3_orders.sql orders.sql &&
	echo "-- reviewed" >>migrations/3_orders.sql &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" finish >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	echo "ferry: error: migration '"'"'3_orders'"'"' was changed after it was applied" >expect &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	cp orders.sql migrations/3_orders.sql
'

test_expect_success 'usage errors exit 2 and change nothing' '
	db_snapshot before &&
	test_expect_code 2 ferry -d "$DB_URL" finish 10 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'finish'"'"' takes no arguments; to stop at a version, use --to 10
	hint: try '"'"'ferry finish --help'"'"'
	EOF
	test_cmp expect actual &&
	test_expect_code 2 ferry -d "$DB_URL" finish --to 3.0 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'3.0'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 10" >actual &&
	echo up >expect &&
	test_cmp expect actual
'

test_done
