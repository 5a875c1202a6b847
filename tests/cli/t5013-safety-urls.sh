#!/bin/sh
test_description='every spelling of a SQLite URL is one database; a mistyped scheme is an error, never a new file'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# Issue 12, items 1 and 8. SQLite reads a name that starts with "file:" as
# a URI (Debian builds it with SQLITE_USE_URI=1): ferry used to stat()
# the literal "file:app.db", find nothing, and apply every migration again
# to the real app.db. And "sqllite:app.db", a typo, counted as a bare path
# ending in .db: a new database of that name, migrated, exit 0.

# Every file here but the scratch files and the set cache, with its mode
# and content.
files_state() {
	for f in $(ls -A | grep -v -e '^out$' -e '^err$' -e '^expect$' \
		-e '^actual$' -e '^state\.' -e '^\.cache$' | sort)
	do
		if test -d "$f"
		then
			echo "$f/"
		else
			echo "$f $(stat -c %a "$f") $(cksum <"$f")"
		fi || return 1
	done
}

# fails_cleanly CODE CMD...: CMD exits CODE, prints nothing on stdout and
# exactly ./expect on stderr, and no file appears, vanishes or changes.
fails_cleanly() {
	_code=$1
	shift
	files_state >state.before &&
	test_expect_code "$_code" "$@" >out 2>err &&
	files_state >state.after &&
	test_must_be_empty out &&
	test_cmp expect err &&
	test_cmp state.before state.after
}

# n: the value the migration bumps.
n() {
	sqlite3 -batch app.db "SELECT n FROM t"
}

test_expect_success 'setup: app.db made, and one migration applied' '
	mkdir migrations &&
	echo "CREATE TABLE t (n integer); INSERT INTO t VALUES (1);" >migrations/0_app.sql &&
	cat >migrations/1_bump.sql <<-\EOF &&
	UPDATE t SET n = n + 50;
	EOF
	ferry -q -d app.db up &&
	mkdir other &&
	echo "CREATE TABLE x (id integer);" >other/1_make.sql &&
	echo 51 >expect &&
	n >actual &&
	test_cmp expect actual &&
	: >out && : >err && : >expect && : >actual && : >status
'

test_expect_success 'status through a file: URI sees the migration applied' '
	ferry -d app.db list >expect &&
	for u in sqlite:file:app.db file:app.db file:./app.db "file:$PWD/app.db" \
		"file://$PWD/app.db" "file://localhost$PWD/app.db" \
		sqlite://file:app.db file:%61pp.db
	do
		ferry -d "$u" list >actual &&
		test_cmp expect actual &&
		ferry -d "$u" status >status &&
		! grep "not created yet" status &&
		grep "^version  *at 1; newest file 1$" status ||
		{ echo "with -d $u:"; cat status; return 1; }
	done
'

test_expect_success 'up through a file: URI applies nothing twice' '
	for u in sqlite:file:app.db file:app.db "file://localhost$PWD/app.db"
	do
		ferry -d "$u" up >out &&
		echo "nothing to do: every migration is applied" >expect &&
		test_cmp expect out || return 1
	done &&
	echo 51 >expect &&
	n >actual &&
	test_cmp expect actual
'

test_expect_success 'a new migration goes up once, whichever spelling runs it' '
	cat >migrations/2_bump.sql <<-\EOF &&
	UPDATE t SET n = n + 50;
	EOF
	ferry -q -d file:app.db up &&
	ferry -q -d app.db up &&
	ferry -q -d sqlite:file:app.db up &&
	echo 101 >expect &&
	n >actual &&
	test_cmp expect actual
'

test_expect_success 'a file: URI with parameters is refused: exit 2, nothing touched' '
	cat >expect <<-\EOF &&
	ferry: error: database URL '"'"'file:app.db?mode=ro'"'"' has parameters, which ferry does not support
	hint: name the file alone, as in '"'"'sqlite:app.db'"'"'; a '"'"'?'"'"' in a file name is written %3F
	EOF
	fails_cleanly 2 ferry -d "file:app.db?mode=ro" up &&
	fails_cleanly 2 ferry -d "file:app.db?mode=ro" status &&
	cat >expect <<-\EOF &&
	ferry: error: database URL '"'"'sqlite:file:app.db?immutable=1'"'"' has parameters, which ferry does not support
	hint: name the file alone, as in '"'"'sqlite:app.db'"'"'; a '"'"'?'"'"' in a file name is written %3F
	EOF
	fails_cleanly 2 ferry -d "sqlite:file:app.db?immutable=1" up
'

test_expect_success 'a file: URI that names another host is refused' '
	cat >expect <<-\EOF &&
	ferry: error: database URL '"'"'file://db.example.com/app.db'"'"' names a file on another host
	hint: a file: URI names a local file, as in '"'"'file:///var/lib/app.db'"'"' or '"'"'file:app.db'"'"'
	EOF
	fails_cleanly 2 ferry -d file://db.example.com/app.db up
'

test_expect_success 'file::memory: is a database in memory' '
	ferry --dir other -d file::memory: up >out &&
	grep "^applied 1 migration; database at 1$" out &&
	test_path_is_missing file::memory: &&
	test_path_is_missing :memory:
'

test_expect_success 'a mistyped scheme: exit 2 with a hint, and no new file' '
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'sqllite'"'"'
	hint: did you mean '"'"'sqlite:'"'"'? a file whose name has a colon is written '"'"'./sqllite:app.db'"'"'
	EOF
	fails_cleanly 2 ferry -d sqllite:app.db up &&
	fails_cleanly 2 ferry -d sqllite:app.db status &&
	test_path_is_missing sqllite:app.db &&
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'postgress'"'"'
	hint: did you mean '"'"'postgres://'"'"'?
	EOF
	fails_cleanly 2 ferry -d postgress://app@localhost/app.db up &&
	cat >expect <<-\EOF &&
	ferry: error: invalid PostgreSQL URL '"'"'postgresql:/app@localhost/app.db'"'"'
	hint: did you mean '"'"'postgresql://'"'"'?
	EOF
	fails_cleanly 2 ferry -d postgresql:/app@localhost/app.db up &&
	cat >expect <<-\EOF &&
	ferry: error: invalid PostgreSQL URL '"'"'postgres:app@localhost'"'"'
	hint: did you mean '"'"'postgres://'"'"'?
	EOF
	fails_cleanly 2 ferry -d postgres:app@localhost up
'

test_expect_success 'a file whose name has a colon: ./ or sqlite: says it is a file' '
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'my'"'"'
	hint: a file whose name has a colon is written '"'"'./my:app.db'"'"' or '"'"'sqlite:my:app.db'"'"'
	EOF
	fails_cleanly 2 ferry -d my:app.db up &&
	test_path_is_missing my:app.db &&
	ferry --dir other -q -d ./my:app.db up &&
	test_path_is_file my:app.db &&
	ferry --dir other -d sqlite:my:app.db up >out &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect out
'

test_expect_success 'a keyword string that ends in .db is PostgreSQL, not a new file' '
	kw="host=127.0.0.1 port=1 connect_timeout=2 dbname=app.db" &&
	test_expect_code 1 ferry -d "$kw" up >out 2>err &&
	grep "^ferry: error: cannot connect to database '"'"'$kw'"'"'$" err &&
	test_path_is_missing "$kw"
'

test_done
