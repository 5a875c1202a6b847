#!/bin/sh
test_description='ferry backup: a consistent copy to a new file, mode 0600, named or named for us'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3 and issue 5 part 7: backup [-o FILE] writes a consistent
# copy of the whole database (SQLite: the online backup API; PostgreSQL:
# pg_dump -Fc, started without a shell, the password in the environment,
# never on the command line), files mode 0600, never over an existing
# file; a clear error when pg_dump is missing or older than the server. A
# backup holds the ledger, and says which version and release it holds.

case $ENGINE in
sqlite) EXT=sqlite DBNAME=test ;;
pg) EXT=pgdump DBNAME=$pg_db_name ;;
esac

# The real pg_dump, for wrappers to hand over to.
REAL_BIN=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_dump" ] && REAL_BIN=$d; done

# What the backup file holds: its ledger's versions, one line.
backup_versions() {
	case $ENGINE in
	sqlite) sqlite3 -batch "$1" "SELECT version FROM ferry_migrations ORDER BY version" | tr "\n" " " ;;
	pg) "$REAL_BIN/pg_restore" -f - -a -t ferry_migrations "$1" |
		sed -n '/^COPY /,/^\\\./p' | sed '1d;$d' | cut -f1 | sort -n | tr "\n" " " ;;
	esac
	echo
}

no_partial_files() {
	ls -A "${1:-.}" >all &&
	! grep "partial" all
}

test_expect_success 'setup: two migrations, the first of release 1.0, applied' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, name text);
	INSERT INTO users VALUES (1, '"'"'ada'"'"');
	EOF
	cat >migrations/2_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY);
	EOF
	echo "1.0 1" >migrations/releases &&
	ferry -d "$DB_URL" up --to 1 >out
'

test_expect_success 'without -o: a new name here, printed on stdout; the version on stderr' '
	ferry -d "$DB_URL" backup >out 2>err &&
	f=$(cat out) &&
	echo "$f" | grep -E "^$DBNAME-[0-9]{8}T[0-9]{6}Z-v1\.$EXT\$" &&
	test_path_is_file "$f" &&
	echo "ferry: backed up $DB_SHOWN at version 1 (release 1.0): SIZE in N ms" >expect &&
	normalize <err | sed -E "s/[0-9.]+ (bytes|KiB|MiB)/SIZE/" >actual &&
	test_cmp expect actual &&
	echo "1 " >expect &&
	backup_versions "$f" >actual &&
	test_cmp expect actual &&
	no_partial_files
'

test_expect_success 'the file is mode 0600, whatever the umask' '
	rm -f *.$EXT &&
	(umask 000 && ferry -d "$DB_URL" backup -o wide.$EXT >out 2>err) &&
	echo wide.$EXT >expect &&
	test_cmp expect out &&
	echo 600 >expect &&
	stat -c %a wide.$EXT >actual &&
	test_cmp expect actual
'

test_expect_success 'two backups in one second get two names' '
	rm -f *.$EXT &&
	ferry -q -d "$DB_URL" backup >one &&
	ferry -q -d "$DB_URL" backup >two &&
	! test_cmp one two &&
	test_path_is_file "$(cat one)" &&
	test_path_is_file "$(cat two)"
'

test_expect_success '-o names an existing file: exit 2, the file untouched' '
	echo precious >taken.$EXT &&
	cat >expect <<-EOF &&
	ferry: error: '"'"'taken.$EXT'"'"' already exists
	hint: ferry never overwrites a file with a backup; choose another name, or remove it first
	EOF
	test_expect_code 2 ferry -d "$DB_URL" backup -o taken.$EXT >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	echo precious >expect &&
	test_cmp expect taken.$EXT &&
	no_partial_files
'

test_expect_success '-o names a symbolic link: refused, its target neither made nor written' '
	ln -s target.$EXT link.$EXT &&
	test_expect_code 2 ferry -d "$DB_URL" backup -o link.$EXT >out 2>err &&
	test_path_is_missing target.$EXT &&
	grep "already exists" err &&
	echo precious >target.$EXT &&
	test_expect_code 2 ferry -d "$DB_URL" backup -o link.$EXT >out 2>err &&
	echo precious >expect &&
	test_cmp expect target.$EXT
'

test_expect_success '-o in a directory that does not exist: exit 1, saying so' '
	cat >expect <<-\EOF &&
	ferry: error: cannot create a file in '"'"'nodir'"'"'
	No such file or directory
	hint: create the directory first, or choose another with -o
	EOF
	test_expect_code 1 ferry -d "$DB_URL" backup -o nodir/b.$EXT >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'backup takes no arguments; -o needs a name' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'backup'"'"' takes no arguments; to name the file, use -o x
	hint: try '"'"'ferry backup --help'"'"'
	EOF
	test_expect_code 2 ferry -d "$DB_URL" backup x >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_expect_code 2 ferry -d "$DB_URL" backup -o "" >out 2>actual &&
	grep "needs a file name" actual
'

test_expect_success 'backup_dir in ferry.conf, relative to the file: the backups go there' '
	mkdir -p conf/backups &&
	printf "database = %s\nbackup_dir = backups\n" "$DB_URL" >conf/ferry.conf &&
	case $ENGINE in sqlite) cp test.db conf/ ;; esac &&
	ferry --config conf/ferry.conf -q backup >out &&
	f=$(cat out) &&
	case $f in conf/backups/*) ;; *) false ;; esac &&
	test_path_is_file "$f"
'

test_expect_success '--json: one document with the file, version, release and size' '
	ferry -d "$DB_URL" backup -o j.$EXT --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ".path == \"j.$EXT\"" ".version == \"1\"" \
		".release == \"1.0\"" ".applied == 1" ".bytes > 0" \
		".engine == \"$(test $ENGINE = pg && echo postgres || echo sqlite)\"" \
		".database == \"$DB_SHOWN\""
'

test_expect_success 'no migration applied (another ledger): version 0 in the name, and said so' '
	ferry --table other_migrations -d "$DB_URL" backup >out 2>err &&
	grep -E -- "-v0\.$EXT\$" out &&
	grep "backed up $DB_SHOWN, no migration applied" err
'

test_expect_success 'the backup is the database: everything in it, data too' '
	ferry -q -d "$DB_URL" backup -o data.$EXT &&
	case $ENGINE in
	sqlite) sqlite3 data.$EXT "SELECT name FROM users" >actual ;;
	pg) "$REAL_BIN/pg_restore" -f - -a -t users data.$EXT | grep ada | cut -f2 >actual ;;
	esac &&
	echo ada >expect &&
	test_cmp expect actual
'

test_expect_success 'a SQLite database that does not exist: nothing to back up (exit 2)' '
	test $ENGINE = pg ||
	{
		cat >expect <<-\EOF &&
		ferry: error: database '"'"'sqlite:missing.db'"'"' does not exist: nothing to back up
		hint: check the database path
		EOF
		test_expect_code 2 ferry -d sqlite:missing.db backup >out 2>actual &&
		test_must_be_empty out &&
		test_cmp expect actual &&
		test_path_is_missing missing.db
	}
'

test_expect_success 'SQLite in WAL mode: the copy is a plain database file' '
	test $ENGINE = pg ||
	{
		sqlite3 test.db "PRAGMA journal_mode = WAL" >/dev/null &&
		ferry -q -d "$DB_URL" backup -o wal.sqlite &&
		echo delete >expect &&
		sqlite3 -readonly wal.sqlite "PRAGMA journal_mode" >actual &&
		test_cmp expect actual &&
		test_path_is_missing wal.sqlite-wal &&
		sqlite3 test.db "PRAGMA journal_mode = DELETE" >/dev/null
	}
'

test_expect_success 'SQLite: consistent while the application writes, and it finishes' '
	test $ENGINE = pg ||
	{
		sqlite3 test.db "CREATE TABLE pad (v blob); CREATE TABLE a (n integer); CREATE TABLE b (n integer);
			WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 12000)
			INSERT INTO pad SELECT randomblob(1000) FROM g" &&
		# Each transaction adds one row to a and one to b: a copy of
		# one moment has as many rows in each.
		awk "BEGIN { print \".timeout 5000\"; for (i = 0; i < 3000; i++) printf \"BEGIN; INSERT INTO a VALUES (%d); INSERT INTO b VALUES (%d); COMMIT;\\n\", i, i }" >writes.sql &&
		{ sqlite3 test.db <writes.sql & } &&
		writer=$! &&
		sleep 0.2 &&
		ferry -q -d "$DB_URL" backup -o busy.sqlite &&
		wait $writer &&
		test "$(sqlite3 busy.sqlite "PRAGMA quick_check")" = ok &&
		sqlite3 busy.sqlite "SELECT (SELECT count(*) FROM a) = (SELECT count(*) FROM b), (SELECT count(*) FROM a) > 0" >actual &&
		echo "1|1" >expect &&
		test_cmp expect actual &&
		sqlite3 test.db "DROP TABLE pad; DROP TABLE a; DROP TABLE b; VACUUM"
	}
'

if [ "$ENGINE" = pg ]; then

PW_URL=$(echo "$DB_URL" | sed "s|//postgres@|//ferry_pw:s3cret-pw@|")
PW_SHOWN=$(echo "$DB_URL" | sed "s|//postgres@|//ferry_pw:****@|")

test_expect_success 'pg: pg_dump gets the password through the environment, never its argv' '
	mkdir spy &&
	cat >spy/pg_dump <<-EOF &&
	#!/bin/sh
	for a in "\$@"; do printf "%s\n" "\$a"; done >"$PWD/pg_dump.argv"
	if [ "\$1" != --version ]; then
		echo "PGPASSWORD=\${PGPASSWORD-unset}" >"$PWD/pg_dump.env"
	fi
	exec "$REAL_BIN/pg_dump" "\$@"
	EOF
	chmod +x spy/pg_dump &&
	test_env PATH="$PWD/spy:$PATH" ferry -d "$PW_URL" backup -o pw.pgdump >out 2>err &&
	echo pw.pgdump >expect &&
	test_cmp expect out &&
	! grep s3cret pg_dump.argv &&
	! grep -r s3cret out err &&
	grep "^--format=custom\$" pg_dump.argv &&
	grep "user=.ferry_pw." pg_dump.argv &&
	echo "PGPASSWORD=s3cret-pw" >expect &&
	test_cmp expect pg_dump.env &&
	grep -F "backed up $PW_SHOWN at version 1" err &&
	echo "1 " >expect &&
	backup_versions pw.pgdump >actual &&
	test_cmp expect actual
'

test_expect_success 'pg: no password in the URL: none set, the caller'"'"'s PGPASSWORD passes through' '
	rm -f pg_dump.env &&
	test_env PATH="$PWD/spy:$PATH" ferry -q -d "$DB_URL" backup -o nopw.pgdump &&
	echo "PGPASSWORD=unset" >expect &&
	test_cmp expect pg_dump.env &&
	test_env PGPASSWORD=from-env PATH="$PWD/spy:$PATH" ferry -q -d "$DB_URL" backup -o env.pgdump &&
	echo "PGPASSWORD=from-env" >expect &&
	test_cmp expect pg_dump.env
'

test_expect_success 'pg: pg_dump older than the server: exit 2, nothing written' '
	mkdir old &&
	cat >old/pg_dump <<-\EOF &&
	#!/bin/sh
	echo "pg_dump (PostgreSQL) 11.22"
	EOF
	chmod +x old/pg_dump &&
	major=$(db_sql "SHOW server_version_num") && major=$((major / 10000)) &&
	version=$(db_sql "SELECT current_setting('"'"'server_version_num'"'"')::int / 10000 || '"'"'.'"'"' || current_setting('"'"'server_version_num'"'"')::int % 10000") &&
	cat >expect <<-EOF &&
	ferry: error: pg_dump 11 is older than the server (PostgreSQL $version)
	'"'"'$PWD/old/pg_dump'"'"' cannot dump a newer server
	hint: install pg_dump $major or newer (apt-get install postgresql-client-$major) and put it first on PATH
	EOF
	test_env PATH="$PWD/old:$PATH" test_expect_code 2 ferry -d "$DB_URL" backup -o old.pgdump >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_path_is_missing old.pgdump &&
	no_partial_files
'

test_expect_success 'pg: no pg_dump where FERRY_PG_BINDIR says: exit 2 with the package to install' '
	mkdir empty &&
	major=$(db_sql "SHOW server_version_num") && major=$((major / 10000)) &&
	cat >expect <<-EOF &&
	ferry: error: pg_dump not found
	it is not in '"'"'$PWD/empty'"'"'
	hint: install PostgreSQL'"'"'s client tools (apt-get install postgresql-client-$major)
	EOF
	test_env FERRY_PG_BINDIR="$PWD/empty" test_expect_code 2 ferry -d "$DB_URL" backup -o none.pgdump >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_path_is_missing none.pgdump
'

test_expect_success 'pg: not on PATH, pg_dump is found in /usr/lib/postgresql/<N>/bin' '
	mkdir bin &&
	for t in sh cat; do ln -s "$(command -v $t)" bin/$t; done &&
	PATH="$PWD/bin" "$FERRY" -q -d "$DB_URL" backup -o fallback.pgdump >out 2>err &&
	test_must_be_empty err &&
	test_path_is_file fallback.pgdump
'

test_expect_success 'pg: pg_dump fails: exit 1 with its words, no file left' '
	mkdir broken &&
	cat >broken/pg_dump <<-EOF &&
	#!/bin/sh
	[ "\$1" = --version ] && exec "$REAL_BIN/pg_dump" --version
	echo "partial"
	echo "pg_dump: error: query failed: ERROR:  permission denied for table secrets" >&2
	exit 1
	EOF
	chmod +x broken/pg_dump &&
	cat >expect <<-\EOF &&
	ferry: error: pg_dump failed (exit 1): no backup was written
	query failed: ERROR:  permission denied for table secrets
	EOF
	test_env PATH="$PWD/broken:$PATH" test_expect_code 1 ferry -d "$DB_URL" backup -o broken.pgdump >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_path_is_missing broken.pgdump &&
	no_partial_files
'

fi

test_done
