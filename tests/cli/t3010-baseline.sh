#!/bin/sh
test_description='baselines and squashed sets: retired rows, behind, a minimum release'
. "$(dirname "$0")/test-lib.sh"

# Issue 15 part 4. A `releases` line may say `baseline`: "this set starts
# at release 1.2; its file holds the schema 1.2 leaves". An empty database
# runs it like any migration; a ledger that finished 1.2 under the older
# files counts it as applied (a `baseline` history row), its older rows
# neither ahead nor drift; a ledger short of 1.2 is refused (exit 5). With
# or without the flag, versions older than the oldest file are behind,
# never ahead.

# Each database below starts without the sets' tables.
drop_tables() {
	for t in t1 t2 t3 t4 t5 t6 t6_done t7; do
		db_sql "DROP TABLE IF EXISTS $t" || return 1
	done
}

test_expect_success 'setup: the old set, 1 to 6 in releases 1.0 to 1.2, 6 with a finish section' '
	mkdir old &&
	for i in 1 2 3 4 5; do
		echo "CREATE TABLE t$i (id int);" >old/${i}_t$i.sql
	done &&
	printf -- "-- ferry:up\nCREATE TABLE t6 (id int);\n-- ferry:finish\nCREATE TABLE t6_done (id int);\n" >old/6_t6.sql &&
	printf "1.0 2\n1.1 4\n1.2 6\n" >old/releases &&
	mkdir new &&
	for i in 1 2 3 4 5 6; do
		echo "CREATE TABLE t$i (id int);"
	done >new/6_baseline.sql &&
	echo "CREATE TABLE t6_done (id int);" >>new/6_baseline.sql &&
	echo "CREATE TABLE t7 (id int);" >new/7_t7.sql &&
	printf "1.2 6 checkpoint baseline\n2.0 7\n" >new/releases
'

test_expect_success 'an empty database runs the baseline like any migration' '
	ferry -d "$DB_URL" --dir new --table e_migrations up >out 2>err &&
	grep "^applied 2 migrations; database at 7 (release 2.0)\$" out &&
	ferry -d "$DB_URL" --dir new --table e_migrations status --exit-code >out &&
	grep "^migrations  2 complete, 0 pending\$" out
'

test_expect_success 'a database the old files took through 1.2: the baseline counts as applied' '
	drop_tables &&
	ferry -d "$DB_URL" --dir old --table a_migrations -q up &&
	ferry -d "$DB_URL" --dir old --table a_migrations -q finish &&
	ferry -d "$DB_URL" --dir new --table a_migrations status >out &&
	grep "^migrations  1 complete, 1 pending, 5 retired (older than every file)\$" out &&
	grep "^drift       none\$" out &&
	! grep "^ahead" out &&
	! grep "^behind" out &&
	ferry -d "$DB_URL" --dir new --table a_migrations --json status >out &&
	test_json out ".counts.retired == 5 and .counts.unknown == 0 and .behind == null and .drift == []" &&
	ferry -d "$DB_URL" --dir new --table a_migrations validate >out &&
	grep "^ok: the files and the ledger agree" out
'

test_expect_success 'up records the baseline once, then applies the rest' '
	ferry -d "$DB_URL" --dir new --table a_migrations up >out 2>err &&
	grep "^applied 1 migration; database at 7 (release 2.0)\$" out &&
	db_sql "SELECT action, version, error FROM a_history WHERE action = '"'"'baseline'"'"'" >actual &&
	echo "baseline|6|counted as applied: the older files finished this release; this file never ran here" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" --dir new --table a_migrations up >out 2>err &&
	grep "^nothing to do" out &&
	db_sql "SELECT count(*) FROM a_history WHERE action = '"'"'baseline'"'"'" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'an edit to the baseline is drift where it ran, not where it never did' '
	cp new/6_baseline.sql baseline.saved &&
	echo "-- edited" >>new/6_baseline.sql &&
	test_expect_code 5 ferry -d "$DB_URL" --dir new --table e_migrations status --exit-code >out &&
	grep "^drift       6 (changed after applied)\$" out &&
	ferry -d "$DB_URL" --dir new --table a_migrations status --exit-code >out &&
	grep "^drift       none\$" out &&
	cp baseline.saved new/6_baseline.sql
'

test_expect_success 'a database at release 1.1 is behind: status says so, up refuses, nothing changes' '
	drop_tables &&
	ferry -d "$DB_URL" --dir old --table b_migrations -q up --to 1.1 &&
	test_expect_code 5 ferry -d "$DB_URL" --dir new --table b_migrations status --exit-code >out &&
	grep "^behind      at release 1.1, older than these files support: upgrade to release 1.2 first with an older release\$" out &&
	! grep "^ahead" out &&
	grep "^complete  *4  *t4  *1.1  *older than every file: the set starts at release 1.2\$" out &&
	ferry -d "$DB_URL" --dir new --table b_migrations --json status >out &&
	test_json out ".behind.at == \"release 1.1\" and .behind.oldest == \"release 1.2\" and .behind.unfinished == false and .counts.unknown == 0" &&
	cat >expect <<-\EOF &&
	ferry: error: database is at release 1.1, older than this set supports
	hint: upgrade to 1.2 first with an older release, then run this one
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" --dir new --table b_migrations up &&
	test_refused_unchanged 5 ferry -d "$DB_URL" --dir new --table b_migrations migrate &&
	test_refused_unchanged 5 ferry -d "$DB_URL" --dir new --table b_migrations stamp 7 &&
	test_expect_code 5 ferry -d "$DB_URL" --dir new --table b_migrations validate >out 2>err &&
	grep "^4 t4: behind: the database is at release 1.1, older than these files support: their oldest is release 1.2" out
'

test_expect_success 'a database that went up to 1.2 but did not finish it is refused' '
	drop_tables &&
	ferry -d "$DB_URL" --dir old --table c_migrations -q up &&
	ferry -d "$DB_URL" --dir new --table c_migrations status >out &&
	grep "^behind      at release 1.2, not finished: these files start from it finished; finish it with an older release first\$" out &&
	cat >expect <<-\EOF &&
	ferry: error: database is at release 1.2 but has not finished it; this set starts from it finished
	hint: finish it first with an older release ('"'"'ferry finish'"'"'), then run this one
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" --dir new --table c_migrations up
'

test_expect_success 'without the flag: a squashed set whose oldest file the database applied' '
	mkdir squashed &&
	cp old/4_t4.sql old/5_t5.sql old/6_t6.sql new/7_t7.sql squashed/ &&
	printf "1.1 4\n1.2 6\n2.0 7\n" >squashed/releases &&
	drop_tables &&
	ferry -d "$DB_URL" --dir old --table d_migrations -q up &&
	ferry -d "$DB_URL" --dir squashed --table d_migrations status >out &&
	grep "^migrations  2 complete, 1 up (finish pending), 1 pending, 3 retired (older than every file)\$" out &&
	ferry -d "$DB_URL" --dir squashed --table d_migrations -q migrate &&
	db_sql "SELECT version, state FROM d_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n3|complete\n4|complete\n5|complete\n6|complete\n7|complete\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'without the flag: a database short of the oldest file is behind, not ahead' '
	drop_tables &&
	ferry -d "$DB_URL" --dir old --table f_migrations -q up --to 2 &&
	cat >expect <<-\EOF &&
	ferry: error: database is at release 1.0, older than this set supports
	hint: upgrade to 1.1 first with an older release, then run this one
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" --dir squashed --table f_migrations up
'

test_expect_success 'the baseline word: once per line, one line, the oldest file' '
	mkdir bad &&
	cp new/6_baseline.sql new/7_t7.sql bad/ &&
	printf "1.2 6 baseline baseline\n" >bad/releases &&
	test_expect_code 2 ferry -d "$DB_URL" --dir bad status 2>err &&
	grep "^ferry: error: bad/releases:1: '"'"'baseline'"'"' is given twice\$" err &&
	printf "1.2 6 baseline\n2.0 7 baseline\n" >bad/releases &&
	test_expect_code 2 ferry -d "$DB_URL" --dir bad status 2>err &&
	grep "^ferry: error: bad/releases:2: release '"'"'2.0'"'"' is a second baseline\$" err &&
	printf "1.2 6 checkpoint baseline\n2.0 7\n" >bad/releases &&
	cp old/5_t5.sql bad/ &&
	test_expect_code 2 ferry -d "$DB_URL" --dir bad status 2>err &&
	grep "^ferry: error: bad/releases:1: migration '"'"'5_t5'"'"' is older than the baseline of release '"'"'1.2'"'"' (version 6)\$" err &&
	grep "^hint: the baseline migration holds the schema release '"'"'1.2'"'"' leaves and replaces every migration before it: remove the older files\$" err
'

test_done
