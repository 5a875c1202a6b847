#!/bin/sh
test_description='ferry stamp: record migrations as complete without running them'
. "$(dirname "$0")/test-lib.sh"

# Issue 5 part 5: stamp V records every pending migration up to V (a
# version or a release) as complete, up and finish, without running any
# SQL, with checksums, release, actor and a 'stamp' history row each;
# takes the lock; refuses V unknown to the files (exit 2), a database
# ahead or drifted (exit 5); leaves applied migrations alone; --dry-run.

trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'setup: four migrations in releases 1.0 and 2.0; 2 has a finish section' '
	use_fixture expand &&
	cat >migrations/3_orders.sql <<-\EOF &&
	CREATE TABLE orders (id integer PRIMARY KEY);
	EOF
	cat >migrations/4_items.sql <<-\EOF &&
	CREATE TABLE items (id integer PRIMARY KEY);
	EOF
	printf "1.0 2\n2.0 4\n" >migrations/releases &&
	cp -R migrations pristine
'

test_expect_success 'a database that grew without ferry: its tables made by hand' '
	db_sql "CREATE TABLE users (id integer PRIMARY KEY, email text)" &&
	db_sql "CREATE TABLE orders (id integer PRIMARY KEY)" &&
	db_sql "INSERT INTO users (id, email) VALUES (1, '"'"'ada@example.com'"'"')" &&
	test_expect_code 5 ferry -d "$DB_URL" -q up 2>err &&
	grep "^ferry: error: database .* holds 2 objects but no ferry ledger\$" err &&
	grep "^hint: if migrations up to V made them, record that with .ferry stamp V. or .ferry up --baseline V.; else check the database URL\$" err
'

test_expect_success 'stamp --dry-run lists what it would record, records nothing' '
	db_snapshot db.before &&
	ferry -d "$DB_URL" stamp 3 --dry-run >actual 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	stamp  1_users
	stamp  2_email
	stamp  3_orders
	would record 3 migrations as complete, up to 3; nothing changed
	EOF
	test_cmp expect actual
'

test_expect_success 'stamp 3 records 1 to 3 as complete, up and finish, running nothing' '
	ferry -d "$DB_URL" stamp 3 >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	stamp  1_users
	stamp  2_email
	stamp  3_orders
	recorded 3 migrations as complete, up to 3
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, name, state, release, has_finish, applied_by, up_ms, finish_ms, failed_section FROM ferry_migrations ORDER BY version" | normalize >actual &&
	cat >expect <<-\EOF &&
	1|users|complete|1.0|0|USER@HOST|||
	2|email|complete|1.0|1|USER@HOST|||
	3|orders|complete|2.0|0|USER@HOST|||
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, CASE WHEN up_at IS NULL THEN 0 ELSE 1 END, CASE WHEN finish_at IS NULL THEN 0 ELSE 1 END, length(up_checksum), length(finish_checksum), length(down_checksum) FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|1|0|64||64
	2|1|1|64|64|64
	3|1|0|64||
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id, email FROM users" >actual &&
	echo "1|ada@example.com" >expect &&
	test_cmp expect actual
'

test_expect_success 'each is a stamp row in the history' '
	db_sql "SELECT action, version, name, release, success, duration_ms, error FROM ferry_history WHERE action = '"'"'stamp'"'"' ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	stamp|1|users|1.0|1||
	stamp|2|email|1.0|1||
	stamp|3|orders|2.0|1||
	EOF
	test_cmp expect actual
'

test_expect_success 'the checksums are the files'"'"': validate and status see no drift' '
	ferry -d "$DB_URL" validate >out &&
	echo "ok: the files and the ledger agree (4 migrations)" >expect &&
	test_cmp expect out
'

test_expect_success 'then up applies only the rest' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     4_items ... ok (N ms)
	applied 1 migration; database at 4 (release 2.0)
	EOF
	test_cmp expect actual
'

test_expect_success 'history shows stamp rows, newest first, and --limit' '
	ferry -d "$DB_URL" history --limit 4 >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	TIME  up  4  items  USER@HOST  N ms  ok
	TIME  stamp  3  orders  USER@HOST  -  ok
	TIME  stamp  2  email  USER@HOST  -  ok
	TIME  stamp  1  users  USER@HOST  -  ok
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" history --json --limit 2 >out &&
	test_json out "length == 2" \
		"map(.action) == [\"up\", \"stamp\"]" \
		".[1].version == \"3\" and .[1].duration_ms == null and .[1].success == true and .[1].note == null"
'

test_expect_success 'migrations already applied are left alone' '
	db_sql "UPDATE ferry_migrations SET state = '"'"'up'"'"', finish_at = NULL WHERE version = 2" &&
	db_snapshot db.before &&
	ferry -d "$DB_URL" stamp 2.0 >actual 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty err &&
	echo "nothing to do: every migration up to 2.0 is applied" >expect &&
	test_cmp expect actual &&
	db_sql "UPDATE ferry_migrations SET state = '"'"'complete'"'"', finish_at = up_at WHERE version = 2"
'

test_expect_success 'stamp by release name, in another ledger: its migrations and those before' '
	ferry -d "$DB_URL" --table other_migrations stamp 1.0 >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	stamp  1_users
	stamp  2_email
	recorded 2 migrations as complete, up to 1.0
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM other_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version FROM other_history ORDER BY id" >actual &&
	printf "stamp|1\nstamp|2\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'stamp --json: the changes, one document' '
	ferry -d "$DB_URL" --table other_migrations stamp 3 --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		".changes == [{\"action\": \"stamp\", \"version\": \"3\", \"name\": \"orders\", \"release\": \"2.0\", \"what\": \"recorded as complete without running it\"}]" \
		".dry_run == false" ".waited == false" &&
	ferry -d "$DB_URL" --table other_migrations stamp 4 --dry-run --json >out &&
	test_json out ".changes | map(.version) == [\"4\"]" ".dry_run == true" &&
	ferry -d "$DB_URL" --table other_migrations stamp 3 --json >out &&
	test_json out ".changes == []"
'

test_expect_success 'an unknown target: exit 2, nothing recorded' '
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'9'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	test_refused_unchanged 2 ferry -d "$DB_URL" --table third_migrations stamp 9 &&
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'1.5'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	test_refused_unchanged 2 ferry -d "$DB_URL" --table third_migrations stamp 1.5
'

test_expect_success 'usage: no target, two targets (exit 2)' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'stamp'"'"' needs a version or a release
	hint: try '"'"'ferry stamp --help'"'"'
	EOF
	test_refused_unchanged 2 ferry -d "$DB_URL" stamp &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'stamp'"'"' takes one version or release, not '"'"'2'"'"'
	hint: try '"'"'ferry stamp --help'"'"'
	EOF
	test_refused_unchanged 2 ferry -d "$DB_URL" stamp 1 2
'

test_expect_success 'a database ahead of the files: refused (exit 5)' '
	rm migrations/4_items.sql &&
	echo "1.0 2" >migrations/releases &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: version 4 (release 2.0) is applied but no file has it; run the newer release
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" stamp 2 &&
	cp pristine/4_items.sql pristine/releases migrations/
'

test_expect_success 'drift: refused (exit 5)' '
	echo "CREATE TABLE users (id integer PRIMARY KEY, legacy text, x text);" >migrations/1_users.sql &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'1_users'"'"' was changed after it was applied
	applied by USER@HOST at TIME
	hint: restore '"'"'migrations/1_users.sql'"'"' as it was applied; changes belong in a new migration
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" --table other_migrations stamp 4 &&
	cp pristine/1_users.sql migrations/
'

test_expect_success 'setup: a second set, for recovery' '
	mkdir recovery &&
	echo "CREATE TABLE r_users (id integer PRIMARY KEY);" >recovery/1_r_users.sql &&
	echo "CREATE TABLE r_orders (id integer PRIMARY KEY);" >recovery/2_r_orders.sql &&
	cat >recovery/3_r_tags.sql <<-\EOF
	-- ferry:up no-transaction
	CREATE TABLE r_tags (id integer PRIMARY KEY);
	INSERT INTO r_tags (id) VALUES (1);
	INSERT INTO r_tags (id) VALUES (1);
	EOF
'

test_expect_success '"table already exists": stamp the one made by hand, up does the rest' '
	db_sql "CREATE TABLE r_users (id integer PRIMARY KEY)" &&
	test_expect_code 1 ferry -d "$DB_URL" --dir recovery --table r_migrations up --to 2 >out 2>err &&
	grep "^ferry: error: migration '"'"'1_r_users'"'"' failed\$" err &&
	ferry -d "$DB_URL" --dir recovery --table r_migrations stamp 1 >actual &&
	cat >expect <<-\EOF &&
	stamp  1_r_users
	recorded 1 migration as complete, up to 1
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" --dir recovery --table r_migrations up --to 2 >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     2_r_orders ... ok (N ms)
	applied 1 migration; database at 2
	EOF
	test_cmp expect actual &&
	db_sql "SELECT action, version, success FROM r_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1|0
	stamp|1|1
	up|2|1
	EOF
	test_cmp expect actual
'

test_expect_success 'a migration up to the target stopped half way: refused (exit 5)' '
	test_expect_code 1 ferry -d "$DB_URL" --dir recovery --table r_migrations -q up 2>err &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'3_r_tags'"'"' stopped half way: it cannot be stamped
	its up section stopped at statement 3
	hint: run '"'"'ferry up'"'"' to resume it, or '"'"'ferry repair'"'"' if you completed it by hand; then stamp
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" --dir recovery --table r_migrations stamp 3
'

test_expect_success 'setup: a runner holds the lock for a few seconds' '
	mkdir slow &&
	echo "CREATE TABLE s_first (id integer PRIMARY KEY);" >slow/1_first.sql &&
	{
		echo "CREATE TABLE s_second (id integer PRIMARY KEY);" &&
		slow_sql 20
	} >slow/2_slow.sql &&
	ferry -d "$DB_URL" --dir slow --table s_migrations -q up --to 1 &&
	"$FERRY" -d "$DB_URL" --dir slow --table s_migrations up >holder.out 2>holder.err &
	echo $! >holder.pid &&
	i=0 &&
	while ! grep -q "^up  " holder.out && test $i -lt 600; do
		sleep 0.05; i=$((i + 1))
	done &&
	grep -q "^up  " holder.out
'

test_expect_success 'stamp waits for the lock, then gives up (exit 4); nothing recorded' '
	test_expect_code 4 ferry -d "$DB_URL" --dir slow --table s_migrations stamp 2 --lock-timeout 0 >out 2>err &&
	test_must_be_empty out &&
	normalize <err >actual &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid PID, USER@HOST, since TIME
	ferry: error: another ferry is working on database '"'"'$DB_SHOWN'"'"'
	the lock is held by pid PID, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	test_cmp expect actual &&
	kill -9 "$(cat holder.pid)" &&
	rm holder.pid &&
	db_sql "SELECT state FROM s_migrations WHERE version = 1" >actual &&
	echo "complete" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM s_history WHERE action = '"'"'stamp'"'"'" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'stamp --help' '
	ferry stamp --help >out 2>err &&
	test_must_be_empty err &&
	grep "^usage: ferry stamp TARGET \\[--no-verify\\] \\[--dry-run\\] \\[--json\\]" out
'

test_done
