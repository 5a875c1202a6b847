#!/bin/sh
test_description='the ledger cache: a database file nobody wrote since is not read again, and no write hides behind it'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

ledger_cache() {
	ls .cache/ferry | grep "^ledger-"
}

# Mark every "applied at" of the cached ledger: a list that shows 1999
# took the ledger from the cache, not from the database.
plant() {
	f=.cache/ferry/$(ledger_cache) &&
	sed "s/20:20[0-9][0-9]-/20:1999-/g" "$f" >planted &&
	cat planted >"$f" &&
	grep -q "20:1999-" "$f"
}

test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up &&
	cp -R migrations pristine &&
	ferry -d "$DB_URL" list >expect-list &&
	cp "$DB_FILE" pristine.db
'

test_expect_success 'a read records the ledger of the file, privately' '
	ledger_cache >files &&
	test_line_count = 1 files &&
	grep "^ledger-[0-9a-f]*-[0-9a-f]*$" files &&
	stat -c %a ".cache/ferry/$(cat files)" >mode &&
	echo 600 >expect &&
	test_cmp expect mode &&
	head -n 1 ".cache/ferry/$(cat files)" >magic &&
	echo "ferry-ledger-cache 1 $(ferry version | sed "s/^ferry //; s/ .*//")" >expect &&
	test_cmp expect magic
'

test_expect_success 'the ledger of an unchanged file comes from the cache' '
	plant &&
	ferry -d "$DB_URL" list >actual &&
	grep -c "1999-" actual >count &&
	echo 3 >expect &&
	test_cmp expect count
'

test_expect_success 'a no-op up on a cached ledger neither reads nor writes the file' '
	db_snapshot before &&
	ferry -d "$DB_URL" up >out &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect out &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'a write through SQLite, even to other tables, is seen' '
	plant &&
	db_sql "CREATE TABLE app_log (line text)" &&
	ferry -d "$DB_URL" list >actual &&
	test_cmp expect-list actual &&
	plant &&
	db_sql "INSERT INTO app_log VALUES (1)" &&
	ferry -d "$DB_URL" list >actual &&
	test_cmp expect-list actual
'

test_expect_success 'a change to the ledger is seen at once' '
	ferry -d "$DB_URL" list >/dev/null &&
	db_sql "UPDATE ferry_migrations SET up_at = '\''2000-01-01T00:00:00Z'\'' WHERE version = 1" &&
	ferry -d "$DB_URL" list >actual &&
	grep "^1 .*2000-01-01T00:00:00Z" actual
'

test_expect_success 'another database copied over the file is seen' '
	ferry -d sqlite:other.db -q up --to 1 &&
	ferry -d "$DB_URL" list >/dev/null &&
	cat other.db >"$DB_FILE" &&
	ferry -d "$DB_URL" list >actual &&
	grep -c "pending" actual >count &&
	echo 2 >expect &&
	test_cmp expect count &&
	cat pristine.db >"$DB_FILE" &&
	ferry -d "$DB_URL" list >actual &&
	test_cmp expect-list actual
'

test_expect_success 'a new migration runs on a cached ledger' '
	ferry -d "$DB_URL" list >/dev/null &&
	plant &&
	printf "CREATE TABLE notes (id integer);\n" >migrations/0004_notes.sql &&
	ferry -d "$DB_URL" up >out &&
	grep "^applied 1 migration" out &&
	db_sql "SELECT count(*) FROM notes" >count &&
	echo 0 >expect &&
	test_cmp expect count &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE up_at LIKE '\''1999%'\''" >count &&
	test_cmp expect count
'

test_expect_success 'drift and a database ahead are still refused' '
	ferry -d "$DB_URL" list >/dev/null &&
	sed "s/NOT NULL/not null/" pristine/0001_create_users.sql \
		>migrations/0001_create_users.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up 2>err &&
	grep "0001_create_users" err &&
	cp pristine/0001_create_users.sql migrations/ &&
	rm migrations/0004_notes.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up 2>err &&
	grep "version 4 is applied but no file has it" err
'

test_expect_success 'a corrupt ledger cache is read around and rewritten' '
	printf "CREATE TABLE notes (id integer);\n" >migrations/0004_notes.sql &&
	ferry -d "$DB_URL" list >expect-list &&
	echo garbage >".cache/ferry/$(ledger_cache)" &&
	ferry -d "$DB_URL" list >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect-list actual &&
	head -n 1 ".cache/ferry/$(ledger_cache)" >magic &&
	grep "^ferry-ledger-cache 1 " magic
'

test_expect_success 'a database in WAL mode is never cached' '
	ferry -d sqlite:wal.db -q up &&
	sqlite3 wal.db "PRAGMA journal_mode = WAL" >/dev/null &&
	ls .cache/ferry >before &&
	ferry -d sqlite:wal.db list >out &&
	ferry -d sqlite:wal.db up >out &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect out &&
	ls .cache/ferry >after &&
	test_cmp before after
'

test_expect_success 'FERRY_CACHE=off writes no ledger cache' '
	mkdir home-off &&
	HOME="$PWD/home-off" FERRY_CACHE=off ferry -d "$DB_URL" list >actual &&
	test_cmp expect-list actual &&
	test ! -e home-off/.cache
'

test_done
