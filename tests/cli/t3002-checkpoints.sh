#!/bin/sh
test_description='checkpoint releases: up stops at an unfinished one, migrate passes them in order'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 1: a checkpoint release must be finished before any later
# migration may go up. up applies what comes before it and exits 5 with an
# error and a hint; migrate finishes each checkpoint on the way, so a
# database several releases behind gets every skipped release's migrations
# in order.
#
# Each scenario has its own ledger (--table) and its own tables (a prefix),
# so that all of them share this script's one database.

# make_set DIR P: a set whose tables are named P_...; releases 1.0 and 2.0
# are checkpoints, 3.0 is not, and 6 is unreleased.
make_set() {
	mkdir -p "$1" &&
	printf "CREATE TABLE %s_users (id integer PRIMARY KEY, legacy text);\n" "$2" >"$1/1_users.sql" &&
	printf -- "-- ferry:up\nALTER TABLE %s_users ADD COLUMN email text;\n-- ferry:finish\nALTER TABLE %s_users DROP COLUMN legacy;\n" "$2" "$2" >"$1/2_email.sql" &&
	printf "CREATE TABLE %s_orders (id integer PRIMARY KEY, note text);\n" "$2" >"$1/3_orders.sql" &&
	printf -- "-- ferry:up\nALTER TABLE %s_orders ADD COLUMN total integer;\n-- ferry:finish\nALTER TABLE %s_orders DROP COLUMN note;\n" "$2" "$2" >"$1/4_total.sql" &&
	printf "CREATE TABLE %s_items (id integer PRIMARY KEY);\n" "$2" >"$1/5_items.sql" &&
	printf "CREATE TABLE %s_extra (id integer PRIMARY KEY);\n" "$2" >"$1/6_extra.sql" &&
	printf "1.0 2 checkpoint\n2.0 4 checkpoint\n3.0 5\n" >"$1/releases"
}

test_expect_success 'setup' '
	make_set migrations a
'

test_expect_success 'up applies release 1.0, then stops at its checkpoint: exit 5' '
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_users ... ok (N ms)
	up     2_email ... ok (N ms)
	applied 2 migrations; database at 2 (release 1.0)
	EOF
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	ferry: error: stopped after release 1.0: it is a checkpoint, and it is not finished
	hint: roll release 1.0 out to every node, run '"'"'ferry finish --to 1.0'"'"', then '"'"'ferry up'"'"' again (or '"'"'ferry migrate'"'"' to do it all with downtime)
	EOF
	test_cmp expect err &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'up again: exit 5, the same words, nothing on stdout, nothing changed' '
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp err actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'up --to a release beyond the checkpoint: exit 5 too' '
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" up --to 2.0 >out 2>actual &&
	test_must_be_empty out &&
	test_cmp err actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'up --to the checkpoint release itself: nothing to do, exit 0' '
	ferry -d "$DB_URL" up --to 1.0 >actual 2>err &&
	echo "nothing to do: every migration up to 1.0 is applied" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'up --json: the checkpoint in the document, exit 5' '
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>actual &&
	test_json out ".applied == []" ".checkpoint == \"1.0\"" ".version == \"2\"" &&
	cat >expect <<-\EOF &&
	ferry: error: stopped after release 1.0: it is a checkpoint, and it is not finished
	hint: roll release 1.0 out to every node, run '"'"'ferry finish --to 1.0'"'"', then '"'"'ferry up'"'"' again (or '"'"'ferry migrate'"'"' to do it all with downtime)
	EOF
	test_cmp expect actual
'

test_expect_success 'once release 1.0 is finished, up goes on to the next checkpoint' '
	ferry -d "$DB_URL" finish --to 1.0 >out &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     3_orders ... ok (N ms)
	up     4_total ... ok (N ms)
	applied 2 migrations; database at 4 (release 2.0)
	EOF
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	ferry: error: stopped after release 2.0: it is a checkpoint, and it is not finished
	hint: roll release 2.0 out to every node, run '"'"'ferry finish --to 2.0'"'"', then '"'"'ferry up'"'"' again (or '"'"'ferry migrate'"'"' to do it all with downtime)
	EOF
	test_cmp expect err
'

test_expect_success 'after release 2.0 is finished, up applies the rest, unreleased ones too' '
	ferry -d "$DB_URL" finish --to 2.0 >out &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     5_items ... ok (N ms)
	up     6_extra ... ok (N ms)
	applied 2 migrations; database at 6
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state, release FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete|1.0
	2|complete|1.0
	3|complete|2.0
	4|complete|2.0
	5|complete|3.0
	6|complete|
	EOF
	test_cmp expect actual
'

test_expect_success 'a new migration after a finished checkpoint goes up freely' '
	printf "CREATE TABLE a_more (id integer PRIMARY KEY);\n" >migrations/7_more.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 7" >actual &&
	echo complete >expect &&
	test_cmp expect actual
'

test_expect_success 'several releases behind: the database is at 1.0, up but not finished' '
	make_set old b &&
	rm old/3_* old/4_* old/5_* old/6_* &&
	printf "1.0 2 checkpoint\n" >old/releases &&
	ferry -d "$DB_URL" --table b_migrations --dir old up >out 2>err &&
	test_must_be_empty err &&
	make_set new b &&
	db_sql "SELECT version, state FROM b_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'migrate gives it every skipped release, checkpoint by checkpoint' '
	ferry -d "$DB_URL" --table b_migrations --dir new migrate >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 2_email ... ok (N ms)
	up     3_orders ... ok (N ms)
	up     4_total ... ok (N ms)
	finish 4_total ... ok (N ms)
	up     5_items ... ok (N ms)
	up     6_extra ... ok (N ms)
	applied 4 up and 2 finish sections; database at 6
	EOF
	test_cmp expect actual &&
	db_sql "SELECT action, version, success FROM b_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1|1
	up|2|1
	finish|2|1
	up|3|1
	up|4|1
	finish|4|1
	up|5|1
	up|6|1
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM b_migrations WHERE state = '"'"'complete'"'"'" >actual &&
	echo 6 >expect &&
	test_cmp expect actual &&
	test_must_fail db_sql "SELECT legacy FROM b_users" 2>/dev/null &&
	test_must_fail db_sql "SELECT note FROM b_orders" 2>/dev/null
'

test_expect_success 'migrate again: nothing to do' '
	db_snapshot before &&
	ferry -d "$DB_URL" --table b_migrations --dir new migrate >actual 2>err &&
	echo "nothing to do: the database is at its target" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'migrate --to a release: that release finished, later ones left pending' '
	make_set cset c &&
	ferry -d "$DB_URL" --table c_migrations --dir cset migrate --to 2.0 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_users ... ok (N ms)
	up     2_email ... ok (N ms)
	finish 2_email ... ok (N ms)
	up     3_orders ... ok (N ms)
	up     4_total ... ok (N ms)
	finish 4_total ... ok (N ms)
	applied 4 up and 2 finish sections; database at 4 (release 2.0)
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM c_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|complete
	3|complete
	4|complete
	EOF
	test_cmp expect actual
'

test_expect_success 'migrate --to a later release, not a checkpoint: its migration only' '
	ferry -d "$DB_URL" --table c_migrations --dir cset migrate --to 3.0 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	head -n 1 actual >first &&
	echo "up     5_items ... ok (N ms)" >expect &&
	test_cmp expect first &&
	test_line_count = 2 actual &&
	db_sql "SELECT version, state FROM c_migrations WHERE version > 4" >actual &&
	echo "5|complete" >expect &&
	test_cmp expect actual
'

# "applied 1 up and 0 finish section": the plural follows the sum, not the
# last count.
test_expect_success 'migrate says "0 finish sections" after one up' '
	normalize <out >actual &&
	sed -n 2p actual >last &&
	echo "applied 1 up and 0 finish sections; database at 5 (release 3.0)" >expect &&
	test_cmp expect last
'

test_expect_success 'up --to a release before any unfinished checkpoint: exit 0' '
	make_set dset d &&
	ferry -d "$DB_URL" --table d_migrations --dir dset up --to 1.0 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_users ... ok (N ms)
	up     2_email ... ok (N ms)
	applied 2 migrations; database at 2 (release 1.0)
	EOF
	test_cmp expect actual
'

test_expect_success 'a checkpoint whose migrations have no finish section does not stop up' '
	mkdir eset &&
	printf "CREATE TABLE e_one (id integer PRIMARY KEY);\n" >eset/1_one.sql &&
	printf "CREATE TABLE e_two (id integer PRIMARY KEY);\n" >eset/2_two.sql &&
	printf "CREATE TABLE e_three (id integer PRIMARY KEY);\n" >eset/3_three.sql &&
	printf "1.0 1 checkpoint\n2.0 2 checkpoint\n" >eset/releases &&
	ferry -d "$DB_URL" --table e_migrations --dir eset up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_one ... ok (N ms)
	up     2_two ... ok (N ms)
	up     3_three ... ok (N ms)
	applied 3 migrations; database at 3
	EOF
	test_cmp expect actual
'

test_expect_success 'migrate --single-transaction passes checkpoints too, all or none' '
	make_set fset f &&
	printf "CREATE TABLE f_items (id integer PRIMARY KEY);\nINSERT INTO f_no_such_table VALUES (1);\n" >fset/5_items.sql &&
	test_expect_code 1 ferry -d "$DB_URL" --table f_migrations --dir fset migrate --single-transaction >out 2>err &&
	tail -n 1 err >actual &&
	echo "hint: the whole run was rolled back, nothing of it was applied; fix it and run again" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM f_migrations" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	printf "CREATE TABLE f_items (id integer PRIMARY KEY);\n" >fset/5_items.sql &&
	ferry -d "$DB_URL" --table f_migrations --dir fset migrate --single-transaction >out 2>err &&
	test_must_be_empty err &&
	tail -n 1 out >actual &&
	echo "applied 6 up and 2 finish sections; database at 6" >expect &&
	test_cmp expect actual
'

test_expect_success 'migrate refuses a migration merged late (exit 5); --allow-out-of-order applies it' '
	mkdir gset &&
	printf "CREATE TABLE g_one (id integer PRIMARY KEY);\n" >gset/10_one.sql &&
	printf "CREATE TABLE g_three (id integer PRIMARY KEY);\n" >gset/30_three.sql &&
	ferry -d "$DB_URL" --table g_migrations --dir gset migrate >out &&
	printf -- "-- ferry:up\nCREATE TABLE g_two (id integer PRIMARY KEY);\n-- ferry:finish\n" >gset/20_two.sql &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" --table g_migrations --dir gset migrate >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	echo "ferry: error: migration '"'"'20_two'"'"' is older than the newest applied one, 30" >expect &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after &&
	cp err migrate-ooo.err &&
	ferry -d "$DB_URL" --table g_migrations --dir gset migrate --allow-out-of-order >out 2>err2 &&
	test_must_be_empty err2 &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     20_two ... ok (N ms)
	finish 20_two ... ok (N ms)
	applied 1 up and 1 finish sections; database at 30
	EOF
	test_cmp expect actual
'

# The refusal of migrate says to run "ferry up --allow-out-of-order", which
# would leave the finish section undone; it should name migrate.
test_expect_success 'the hint of migrate names migrate' '
	sed -n 2p migrate-ooo.err >actual &&
	grep "ferry migrate --allow-out-of-order" actual
'

test_done
