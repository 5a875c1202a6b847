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

# A file written less than 50 ms before a read is not recorded: within one
# tick of the file system's clock, a later write could keep its times.
settle() {
	sleep 0.1
}

test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up &&
	cp -R migrations pristine &&
	cp "$DB_FILE" pristine.db &&
	settle &&
	ferry -d "$DB_URL" list >expect-list
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

# The application holds a write lock: reading the database would wait for
# it, and give up after --lock-timeout.
test_expect_success 'a no-op up on a cached ledger does not read the file' '
	db_snapshot before &&
	{ echo "BEGIN EXCLUSIVE;"; sleep 3; echo "COMMIT;"; } |
		sqlite3 "$DB_FILE" &
	holder=$! &&
	sleep 0.5 &&
	ferry -d "$DB_URL" --lock-timeout 1 up >out &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect out &&
	(
		FERRY_CACHE=off && export FERRY_CACHE &&
		test_expect_code 4 ferry -d "$DB_URL" --lock-timeout 1 up \
			>out 2>err
	) &&
	grep "locked" err &&
	wait $holder &&
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
	settle &&
	ferry -d "$DB_URL" list >/dev/null &&
	db_sql "UPDATE ferry_migrations SET up_at = '\''2000-01-01T00:00:00Z'\'' WHERE version = 1" &&
	ferry -d "$DB_URL" list >actual &&
	grep "^1 .*2000-01-01T00:00:00Z" actual
'

# Two copies of one database, each changed by one transaction: the same
# size and the same change counter, different ledgers. Copied over the
# file in place, only the times tell them apart.
test_expect_success 'another database copied over the file is seen' '
	cp pristine.db a.db &&
	cp pristine.db b.db &&
	sqlite3 a.db "UPDATE ferry_migrations SET up_at = '\''2001-01-01T00:00:00Z'\''" &&
	sqlite3 b.db "UPDATE ferry_migrations SET up_at = '\''2002-02-02T00:00:00Z'\''" &&
	test $(wc -c <a.db) = $(wc -c <b.db) &&
	cmp -n 100 a.db b.db &&
	cat a.db >"$DB_FILE" &&
	settle &&
	ferry -d "$DB_URL" list >actual &&
	grep -c "2001-01-01" actual >count &&
	echo 3 >expect &&
	test_cmp expect count &&
	cat b.db >"$DB_FILE" &&
	ferry -d "$DB_URL" list >actual &&
	grep -c "2002-02-02" actual >count &&
	test_cmp expect count &&
	cat pristine.db >"$DB_FILE" &&
	ferry -d "$DB_URL" list >actual &&
	test_cmp expect-list actual
'

# A writer killed mid-transaction leaves a journal, which SQLite rolls back
# when it next opens the file: until then, the cache is not trusted, even
# when (as here) the file itself was not written yet.
test_expect_success 'a journal left by a killed writer is not trusted' '
	settle &&
	ferry -d "$DB_URL" list >/dev/null &&
	plant &&
	cat >writer.sql <<-\EOF &&
	BEGIN;
	UPDATE ferry_migrations SET name = name || '\''x'\'';
	.shell sleep 5
	EOF
	cp "$DB_FILE" before-writer &&
	sqlite3 "$DB_FILE" <writer.sql >/dev/null 2>&1 &
	writer=$! &&
	sleep 1 &&
	kill -9 $writer &&
	test -s "$DB_FILE-journal" &&
	cmp "$DB_FILE" before-writer &&
	ferry -d "$DB_URL" list >actual &&
	test_cmp expect-list actual &&
	rm -f "$DB_FILE-journal"
'

test_expect_success 'a new migration runs on a cached ledger' '
	settle &&
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
	settle &&
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
	settle &&
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
