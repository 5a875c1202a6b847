#!/bin/sh
test_description='ferry init: migrations/ and a commented ferry.conf'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'init creates migrations/ and ferry.conf' '
	ferry init >actual 2>err &&
	cat >expect <<-\EOF &&
	created migrations/
	created ferry.conf
	next: ferry new create_first_table
	EOF
	test_cmp expect actual &&
	test_must_be_empty err &&
	test -d migrations &&
	test_path_is_file ferry.conf
'

test_expect_success 'ferry.conf is commented and names the directory' '
	grep -v "^#" ferry.conf | grep . >actual &&
	echo "dir = migrations" >expect &&
	test_cmp expect actual &&
	grep "^# database = " ferry.conf &&
	grep "^# table = ferry_migrations" ferry.conf &&
	grep "^# lock_timeout = 60" ferry.conf &&
	grep "^# \[env.production\]$" ferry.conf
'

test_expect_success 'init again changes nothing and says so' '
	echo "-- mine" >migrations/0001_mine.sql &&
	echo "# edited" >>ferry.conf &&
	cp ferry.conf conf.before &&
	ferry init >actual &&
	cat >expect <<-\EOF &&
	exists  migrations/
	exists  ferry.conf
	EOF
	test_cmp expect actual &&
	test_cmp conf.before ferry.conf &&
	echo "-- mine" >expect &&
	test_cmp expect migrations/0001_mine.sql
'

test_expect_success 'init creates what is missing only' '
	rm ferry.conf &&
	ferry init >actual &&
	cat >expect <<-\EOF &&
	exists  migrations/
	created ferry.conf
	EOF
	test_cmp expect actual &&
	test_path_is_file migrations/0001_mine.sql
'

test_expect_success 'init --dir names the directory in ferry.conf' '
	mkdir other &&
	(
		cd other &&
		ferry init --dir db >actual &&
		cat >expect <<-\EOF &&
		created db/
		created ferry.conf
		next: ferry new create_first_table
		EOF
		test_cmp expect actual &&
		test -d db &&
		test_path_is_missing migrations &&
		grep "^dir = db$" ferry.conf
	)
'

test_expect_success 'the directory init wrote is the one other commands use' '
	(
		cd other &&
		ferry new --seq first >actual &&
		echo "db/0001_first.sql" >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'init -d writes the database into ferry.conf' '
	mkdir withdb &&
	(
		cd withdb &&
		ferry init -d sqlite:app.db >/dev/null &&
		grep "^database = sqlite:app.db$" ferry.conf &&
		test_path_is_missing app.db
	)
'

test_expect_success 'init -d with a password leaves it out of ferry.conf' '
	mkdir secret &&
	(
		cd secret &&
		ferry init -d "postgres://app:s3cret@db.example/app" >actual &&
		cat >expect <<-\EOF &&
		created migrations/
		created ferry.conf
		next: ferry new create_first_table
		EOF
		test_cmp expect actual &&
		! grep s3cret ferry.conf &&
		! grep "^database" ferry.conf &&
		ferry init -d "host=db.example dbname=app password=s3cret" >/dev/null &&
		! grep s3cret ferry.conf
	) &&
	mkdir secret2 &&
	(
		cd secret2 &&
		ferry init -d "host=db.example dbname=app password=s3cret" >/dev/null &&
		! grep s3cret ferry.conf &&
		! grep "^database" ferry.conf
	)
'

test_expect_success 'init -d writes a URL without a password' '
	mkdir nopw &&
	(
		cd nopw &&
		ferry init -d "postgres://app@db.example/app" >/dev/null &&
		grep "^database = postgres://app@db.example/app$" ferry.conf
	)
'

test_expect_success 'init does not write DATABASE_URL into ferry.conf' '
	mkdir fromenv &&
	(
		cd fromenv &&
		test_env DATABASE_URL=sqlite:env.db ferry init >/dev/null &&
		! grep "^database" ferry.conf
	)
'

test_expect_success 'init --config puts ferry.conf there, and the directory beside it' '
	mkdir -p cfg/app &&
	(
		cd cfg &&
		ferry --config app/ferry.conf init >/dev/null &&
		test_path_is_file app/ferry.conf &&
		test -d app/migrations &&
		test_path_is_missing migrations &&
		ferry --config app/ferry.conf new --seq first >actual &&
		echo "app/migrations/0001_first.sql" >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'init -q prints nothing' '
	mkdir quiet &&
	(
		cd quiet &&
		ferry -q init >out 2>err &&
		test_must_be_empty out &&
		test_must_be_empty err &&
		test -d migrations
	)
'

test_expect_success 'init refuses a migrations path that is a file' '
	mkdir blocked &&
	(
		cd blocked &&
		echo "not a directory" >migrations &&
		cat >expect <<-\EOF &&
		ferry: error: '"'"'migrations'"'"' exists and is not a directory
		hint: move it away, or name another directory with --dir
		EOF
		test_expect_code 2 ferry init >out 2>actual &&
		test_must_be_empty out &&
		test_cmp expect actual &&
		test_path_is_missing ferry.conf
	)
'

test_expect_success 'init refuses a ferry.conf that is a directory' '
	mkdir -p confdir/ferry.conf &&
	(
		cd confdir &&
		cat >expect <<-\EOF &&
		ferry: error: '"'"'ferry.conf'"'"' is not a regular file (a directory)
		hint: replace it with a regular file of '"'"'key = value'"'"' lines, or move it away
		EOF
		test_expect_code 2 ferry init >out 2>actual &&
		test_must_be_empty out &&
		test_cmp expect actual
	)
'

test_expect_success 'init --config ./x/ferry.conf --dir x/db: dir is written relative to the file' '
	mkdir dotted &&
	(
		cd dotted &&
		ferry --config ./x/ferry.conf init --dir x/db >/dev/null &&
		grep "^dir = db$" x/ferry.conf &&
		ferry --config x/ferry.conf new --seq first >actual &&
		echo "x/db/0001_first.sql" >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'init --dir outside the config directory: dir is absolute' '
	mkdir -p apart/conf apart/sql &&
	(
		cd apart &&
		ferry --config conf/ferry.conf init --dir sql >/dev/null &&
		grep "^dir = $(pwd -P)/sql$" conf/ferry.conf
	)
'

test_done
