#!/bin/sh
test_description='ferry.conf, the environment and flags, in that order of strength'
. "$(dirname "$0")/test-lib.sh"

q="'"

test_expect_success 'setup' '
	use_fixture basic &&
	mkdir -p sub/mig envdir flagdir confdir &&
	echo "CREATE TABLE from_sub (id integer);" >sub/mig/0001_from_sub.sql &&
	echo "CREATE TABLE from_env (id integer);" >envdir/0001_from_env.sql &&
	echo "CREATE TABLE from_flag (id integer);" >flagdir/0001_from_flag.sql &&
	echo "CREATE TABLE from_conf (id integer);" >confdir/0001_from_conf.sql &&
	mkdir tabledir &&
	echo "-- nothing to do" >tabledir/0001_nothing.sql
'

test_expect_success 'no ferry.conf is fine' '
	test_path_is_missing ferry.conf &&
	ferry -d "$DB_URL" list >out &&
	grep "^1  *create_users " out
'

test_expect_success 'the database and the directory from ferry.conf' '
	cat >ferry.conf <<-EOF &&
	# comments and blank lines are fine

	database = $DB_URL
	  dir=confdir
	EOF
	ferry up >actual &&
	cat >expect <<-\EOF &&
	applied 1 migration; database at 1
	EOF
	grep -v "^up " actual >summary &&
	test_cmp expect summary &&
	db_sql "SELECT name FROM ferry_migrations" >actual &&
	echo from_conf >expect &&
	test_cmp expect actual
'

test_expect_success 'quoted values' '
	cat >ferry.conf <<-EOF &&
	database = "$DB_URL"
	dir = '"'"'confdir'"'"'
	EOF
	ferry list >actual &&
	grep "^1  *from_conf  *-  *complete " actual
'

test_expect_success 'the table from ferry.conf' '
	cat >ferry.conf <<-EOF &&
	database = $DB_URL
	dir = tabledir
	table = app_migrations
	EOF
	ferry -q up &&
	db_sql "SELECT name FROM app_migrations" >actual &&
	echo nothing >expect &&
	test_cmp expect actual &&
	db_tables >actual &&
	grep "^app_history$" actual
'

test_expect_success '--config: relative paths are read from the file'"'"'s directory' '
	rm ferry.conf &&
	echo "dir = mig" >sub/ferry.conf &&
	ferry --config sub/ferry.conf -d "$DB_URL" --table sub_migrations -q up &&
	db_sql "SELECT name FROM sub_migrations" >actual &&
	echo from_sub >expect &&
	test_cmp expect actual
'

test_expect_success '--config: the default directory is beside the file' '
	mkdir -p other/migrations &&
	echo "CREATE TABLE beside (id integer);" >other/migrations/0001_beside.sql &&
	echo "# nothing set" >other/ferry.conf &&
	ferry --config other/ferry.conf -d "$DB_URL" --table beside_migrations list >actual &&
	grep "^1  *beside  *-  *pending " actual
'

test_expect_success '--config with an absolute directory' '
	echo "dir = $PWD/sub/mig" >abs.conf &&
	ferry --config abs.conf -d "$DB_URL" --table sub_migrations list >actual &&
	grep "^1  *from_sub  *-  *complete " actual
'

test_expect_success '--config naming a missing file' '
	cat >expect <<-EOF &&
	ferry: error: cannot read configuration file ${q}nope.conf${q}: No such file or directory
	hint: check the path given with --config
	EOF
	test_expect_code 2 ferry --config nope.conf -d "$DB_URL" status >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'an unknown setting: file:line and a suggestion' '
	cat >ferry.conf <<-EOF &&
	# settings
	database = $DB_URL
	dri = confdir
	EOF
	cat >expect <<-EOF &&
	ferry: error: ferry.conf:3: unknown setting ${q}dri${q}
	hint: did you mean ${q}dir${q}?
	EOF
	db_snapshot before &&
	test_expect_code 2 ferry status >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'an unknown setting with nothing near it lists the settings' '
	printf "colour = always\n" >ferry.conf &&
	cat >expect <<-EOF &&
	ferry: error: ferry.conf:1: unknown setting ${q}colour${q}
	hint: the settings are database, dir, format, table, schema, lock_timeout, pooler, lock_wait, lock_retries, exclusive, backup_dir, backup_keep and param.NAME
	EOF
	test_expect_code 2 ferry -d "$DB_URL" status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'an unknown setting in the file given with --config names that file' '
	printf "dir = mig\n\ndatbase = x\n" >sub/bad.conf &&
	cat >expect <<-EOF &&
	ferry: error: sub/bad.conf:3: unknown setting ${q}datbase${q}
	hint: did you mean ${q}database${q}?
	EOF
	test_expect_code 2 ferry --config sub/bad.conf -d "$DB_URL" status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'a line without =' '
	printf "# ferry\njust words\ndir = confdir\n" >ferry.conf &&
	cat >expect <<-EOF &&
	ferry: error: ferry.conf:2: expected ${q}key = value${q}
	hint: comments start with ${q}#${q}
	EOF
	test_expect_code 2 ferry -d "$DB_URL" list >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'a bad value in ferry.conf names the file and line' '
	printf "# ferry\ndatabase = %s\nlock_timeout = soon\n" "$DB_URL" >ferry.conf &&
	test_expect_code 2 ferry status >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	echo "ferry: error: ferry.conf:3: invalid lock timeout ${q}soon${q}; give seconds, e.g. 30, 30s, 500ms or 2m" >expect &&
	test_cmp expect actual
'

test_expect_success 'commands that need no settings ignore a broken ferry.conf' '
	mv ferry.conf saved.conf &&
	ferry version >expect &&
	printf "[ferry]\n" >ferry.conf &&
	ferry version >actual &&
	test_cmp expect actual
'

test_expect_success 'database: the file when nothing else says' '
	printf "database = %s\ndir = confdir\n" "$DB_URL" >ferry.conf &&
	ferry list >actual &&
	grep "^1  *from_conf  *-  *complete" actual
'

test_expect_success 'database: DATABASE_URL beats the file' '
	printf "database = sqlite:nowhere/conf.db\ndir = confdir\n" >ferry.conf &&
	test_env "DATABASE_URL=$DB_URL" ferry list >actual &&
	grep "^1  *from_conf  *-  *complete" actual &&
	cat >expect <<-EOF &&
	ferry: error: the directory of database ${q}nowhere/env.db${q} does not exist
	hint: create the directory first, or check the database path
	EOF
	printf "database = %s\ndir = confdir\n" "$DB_URL" >ferry.conf &&
	test_expect_code 2 test_env DATABASE_URL=sqlite:nowhere/env.db ferry up 2>actual &&
	test_cmp expect actual
'

test_expect_success 'database: -d beats DATABASE_URL and the file' '
	printf "database = sqlite:nowhere/conf.db\ndir = confdir\n" >ferry.conf &&
	test_env DATABASE_URL=sqlite:nowhere/env.db ferry -d "$DB_URL" up >out &&
	test_env DATABASE_URL=sqlite:nowhere/env.db ferry list -d "$DB_URL" >actual &&
	grep "^1  *from_conf  *-  *complete" actual
'

test_expect_success 'an empty DATABASE_URL counts as unset' '
	printf "database = %s\ndir = confdir\n" "$DB_URL" >ferry.conf &&
	test_env DATABASE_URL= ferry list >actual &&
	grep "^1  *from_conf  *-  *complete" actual
'

test_expect_success 'dir: FERRY_DIR beats the file, --dir beats both' '
	printf "database = %s\ndir = confdir\n" "$DB_URL" >ferry.conf &&
	test_env FERRY_DIR=envdir ferry list >actual &&
	grep "^1  *from_env " actual &&
	! grep from_conf actual &&
	test_env FERRY_DIR=envdir ferry --dir flagdir list >actual &&
	grep "^1  *from_flag " actual &&
	test_env FERRY_DIR=envdir ferry list --dir flagdir >actual &&
	grep "^1  *from_flag " actual &&
	! grep from_env actual
'

test_expect_success 'table: FERRY_TABLE beats the file, --table beats both' '
	printf "database = %s\ndir = tabledir\ntable = conf_migrations\n" "$DB_URL" >ferry.conf &&
	test_env FERRY_TABLE=env_migrations ferry -q up &&
	test_env FERRY_TABLE=env_migrations ferry --table flag_migrations -q up &&
	db_tables >actual &&
	grep "^env_migrations$" actual &&
	grep "^flag_migrations$" actual &&
	! grep "^conf_migrations$" actual
'

test_done
