#!/bin/sh
test_description='relative SQLite paths: from ferry.conf'"'"'s directory, else from here'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	mkdir -p app/migrations &&
	echo "CREATE TABLE t (id integer);" >app/migrations/0001_t.sql
'

test_expect_success 'a relative database in --config is beside the file' '
	echo "database = sqlite:app.db" >app/ferry.conf &&
	ferry --config app/ferry.conf -q up &&
	test_path_is_file app/app.db &&
	test_path_is_missing app.db &&
	sqlite3 app/app.db "SELECT version, name, state FROM ferry_migrations" >actual &&
	echo "1|t|complete" >expect &&
	test_cmp expect actual
'

test_expect_success 'status shows the database as written in the file' '
	ferry --config app/ferry.conf status >out &&
	head -n 1 out | normalize_engine >actual &&
	echo "database    sqlite:app.db (ENGINE VERSION)" >expect &&
	test_cmp expect actual
'

test_expect_success 'a bare path ending in .sqlite3 is a SQLite database too' '
	echo "database = data/shop.sqlite3" >app/ferry.conf &&
	mkdir app/data &&
	ferry --config app/ferry.conf -q up &&
	test_path_is_file app/data/shop.sqlite3
'

test_expect_success 'DATABASE_URL and -d are read from the working directory' '
	echo "dir = migrations" >app/ferry.conf &&
	test_env DATABASE_URL=sqlite:env.db ferry --config app/ferry.conf -q up &&
	test_path_is_file env.db &&
	test_path_is_missing app/env.db &&
	ferry --config app/ferry.conf -d flag.db -q up &&
	test_path_is_file flag.db &&
	test_path_is_missing app/flag.db
'

test_expect_success 'the same from inside the directory' '
	(
		cd app &&
		echo "database = sqlite:app.db" >ferry.conf &&
		ferry list >actual &&
		grep "^1  *t  *-  *complete " actual
	)
'

test_done
