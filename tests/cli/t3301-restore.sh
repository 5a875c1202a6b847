#!/bin/sh
test_description='ferry restore: the whole database back from a backup, all or nothing, only when confirmed'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3 and issue 5 part 7: restore FILE asks first unless --yes
# and refuses (exit 5) without --yes off a terminal; clear errors for a
# missing file, a file that is not a backup, a backup of the other engine;
# the ledger travels in the backup, so status on a restored database is
# right; PostgreSQL through pg_restore, the password never on a command
# line; a restore that fails leaves the database as it was.

case $ENGINE in
sqlite) EXT=sqlite ENGINE_NAME=SQLite OTHER_NAME=PostgreSQL ;;
pg) EXT=pgdump ENGINE_NAME=PostgreSQL OTHER_NAME=SQLite ;;
esac

REAL_BIN=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_restore" ] && REAL_BIN=$d; done

# unchanged CODE CMD...: exits CODE, nothing on stdout, ./expect on
# stderr, the database byte for byte as it was.
unchanged() {
	code=$1 &&
	shift &&
	db_snapshot db.before &&
	test_expect_code "$code" "$@" >out 2>actual &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

status_line() {
	ferry -d "$DB_URL" status | grep "^$1 "
}

test_expect_success 'setup: release 1.0 applied and backed up; then 2 applied and data changed' '
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
	ferry -d "$DB_URL" up --to 1 >out &&
	ferry -q -d "$DB_URL" backup -o v1.$EXT &&
	ferry -d "$DB_URL" up >out &&
	db_sql "INSERT INTO users VALUES (2, '"'"'bob'"'"')" &&
	echo "version     at 2; newest file 2" >expect &&
	status_line version >actual &&
	test_cmp expect actual
'

test_expect_success 'without --yes, stdin not a terminal: refused (exit 5), nothing changed' '
	cat >expect <<-EOF &&
	ferry: error: replace everything in $DB_SHOWN with backup '"'"'v1.$EXT'"'"': refused without --yes
	hint: standard input is not a terminal, so nobody can answer; add --yes if you mean it
	EOF
	unchanged 5 ferry -d "$DB_URL" restore v1.$EXT </dev/null
'

test_expect_success 'on a terminal it asks; no answer is no' '
	db_snapshot db.before &&
	test_expect_code 5 test_tty tty.out ferry -d "$DB_URL" restore v1.$EXT &&
	echo "replace everything in $DB_SHOWN with backup '"'"'v1.$EXT'"'"'? [y/N] ferry: error: replace everything in $DB_SHOWN with backup '"'"'v1.$EXT'"'"': not confirmed, nothing changed" >expect &&
	test_cmp expect tty.out &&
	db_snapshot db.after &&
	test_cmp db.before db.after
'

test_expect_success 'a missing file: exit 2 before any question' '
	cat >expect <<-\EOF &&
	ferry: error: cannot read backup file '"'"'gone.bak'"'"'
	No such file or directory
	hint: check the path; '"'"'ferry backup'"'"' prints the name of each file it writes
	EOF
	unchanged 2 ferry -d "$DB_URL" restore gone.bak </dev/null
'

test_expect_success 'a file that is not a backup: exit 2' '
	echo "CREATE TABLE x (a int);" >dump.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'dump.sql'"'"' is not a ferry backup
	it is neither a SQLite database nor a pg_dump custom-format archive
	hint: restore a file that '"'"'ferry backup'"'"' wrote; a plain SQL dump goes through psql or sqlite3
	EOF
	unchanged 2 ferry -d "$DB_URL" restore dump.sql --yes &&
	: >empty.bak &&
	sed "s/dump.sql/empty.bak/" expect >expect.2 && mv expect.2 expect &&
	unchanged 2 ferry -d "$DB_URL" restore empty.bak --yes
'

test_expect_success 'a directory: exit 2' '
	mkdir adir &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'adir'"'"' is a directory, not a backup file
	hint: name the backup file itself
	EOF
	unchanged 2 ferry -d "$DB_URL" restore adir --yes
'

test_expect_success 'a backup of the other engine: exit 2' '
	case $ENGINE in
	sqlite) printf "PGDMP\001\016\000\004\010\001\001" >other.bak ;;
	pg) sqlite3 other.bak "CREATE TABLE t (a)" ;;
	esac &&
	cat >expect <<-EOF &&
	ferry: error: '"'"'other.bak'"'"' is a backup of a $OTHER_NAME database, not of $ENGINE_NAME
	hint: restore it into a database of its own engine; ferry does not convert between engines
	EOF
	unchanged 2 ferry -d "$DB_URL" restore other.bak --yes
'

test_expect_success 'restore needs exactly one file' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'restore'"'"' needs the backup file to restore
	hint: try '"'"'ferry restore --help'"'"'
	EOF
	unchanged 2 ferry -d "$DB_URL" restore --yes &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'restore'"'"' takes one backup file
	hint: try '"'"'ferry restore --help'"'"'
	EOF
	unchanged 2 ferry -d "$DB_URL" restore a b --yes
'

test_expect_success 'restore --yes: the data, the schema and the ledger of the backup are back' '
	ferry -d "$DB_URL" restore v1.$EXT --yes >out 2>err &&
	test_must_be_empty err &&
	echo "restored v1.$EXT; database at 1 (release 1.0)" >expect &&
	test_cmp expect out &&
	echo "1|ada" >expect &&
	db_sql "SELECT id, name FROM users ORDER BY id" >actual &&
	test_cmp expect actual &&
	echo "ferry_history ferry_migrations users " >expect &&
	db_tables | tr "\n" " " >actual &&
	echo >>actual &&
	test_cmp expect actual &&
	echo "version     at 1; newest file 2" >expect &&
	status_line version >actual &&
	test_cmp expect actual &&
	echo "migrations  1 complete, 1 pending" >expect &&
	status_line migrations >actual &&
	test_cmp expect actual
'

test_expect_success 'after a restore, up goes forward again' '
	ferry -d "$DB_URL" up >out 2>err &&
	echo "version     at 2; newest file 2" >expect &&
	status_line version >actual &&
	test_cmp expect actual
'

test_expect_success '--json: the file and the state restored' '
	ferry -d "$DB_URL" restore v1.$EXT --yes --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ".path == \"v1.$EXT\"" ".version == \"1\"" \
		".release == \"1.0\"" ".applied == 1" ".database == \"$DB_SHOWN\""
'

test_expect_success 'restoring a backup of an empty database: nothing applied' '
	ferry --table other_migrations -q -d "$DB_URL" backup -o plain.$EXT &&
	ferry --table other_migrations -d "$DB_URL" restore plain.$EXT --yes >out &&
	echo "restored plain.$EXT; no migration is applied" >expect &&
	test_cmp expect out &&
	ferry -q -d "$DB_URL" restore v1.$EXT --yes
'

if [ "$ENGINE" = sqlite ]; then

test_expect_success 'sqlite: a damaged backup is refused before anything changes' '
	head -c 5000 v1.sqlite >cut.sqlite &&
	dd if=/dev/urandom of=cut.sqlite bs=1 seek=4096 count=900 conv=notrunc 2>/dev/null &&
	db_snapshot db.before &&
	test_expect_code 2 ferry -d "$DB_URL" restore cut.sqlite --yes >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	head -n 1 err >actual &&
	echo "ferry: error: backup file '"'"'cut.sqlite'"'"' is damaged" >expect &&
	test_cmp expect actual &&
	grep "^hint: nothing was changed; restore another backup" err
'

test_expect_success 'sqlite: into a database file that does not exist yet' '
	ferry -d sqlite:fresh.db restore v1.sqlite --yes >out &&
	echo "restored v1.sqlite; database at 1 (release 1.0)" >expect &&
	test_cmp expect out &&
	echo ada >expect &&
	sqlite3 fresh.db "SELECT name FROM users" >actual &&
	test_cmp expect actual
'

test_expect_success 'sqlite: an application that holds the database open sees the restored one' '
	sqlite3 test.db "INSERT INTO users VALUES (3, '"'"'cy'"'"')" &&
	{
		echo "SELECT count(*) FROM users;" &&
		while ! test -f restored; do sleep 0.1; done &&
		echo "SELECT count(*) FROM users;"
	} | sqlite3 test.db >app.out &
	sleep 0.5 &&
	ferry -q -d "$DB_URL" restore v1.sqlite --yes &&
	touch restored &&
	wait &&
	printf "2\n1\n" >expect &&
	test_cmp expect app.out
'

fi

if [ "$ENGINE" = pg ]; then

PW_URL=$(echo "$DB_URL" | sed "s|//postgres@|//ferry_pw:s3cret-pw@|")

test_expect_success 'pg: the password goes to pg_restore and psql through the environment only' '
	mkdir spy &&
	for t in pg_restore psql; do
		cat >spy/$t <<-EOF || return 1
		#!/bin/sh
		for a in "\$@"; do printf "%s\n" "\$a"; done >"$PWD/$t.argv"
		echo "PGPASSWORD=\${PGPASSWORD-unset}" >"$PWD/$t.env"
		exec "$REAL_BIN/$t" "\$@"
		EOF
		chmod +x spy/$t || return 1
	done &&
	db_sql "INSERT INTO users VALUES (2, '"'"'bob'"'"')" &&
	test_env FERRY_PG_BINDIR="$PWD/spy" ferry -d "$PW_URL" restore v1.pgdump --yes >out 2>err &&
	! grep -r s3cret pg_restore.argv psql.argv out err &&
	echo "PGPASSWORD=s3cret-pw" >expect &&
	test_cmp expect psql.env &&
	grep "user=.ferry_pw." psql.argv &&
	echo 1 >expect &&
	db_sql "SELECT count(*) FROM users" >actual &&
	test_cmp expect actual
'

test_expect_success 'pg: objects the backup does not have go, in every schema' '
	db_sql "CREATE SCHEMA extra; CREATE TABLE extra.t (a int); CREATE VIEW v AS SELECT 1 AS one; CREATE TYPE mood AS ENUM ('"'"'ok'"'"'); CREATE FUNCTION f() RETURNS int LANGUAGE sql AS '"'"'SELECT 1'"'"'; CREATE SEQUENCE s" &&
	ferry -q -d "$DB_URL" restore v1.pgdump --yes &&
	echo "0|0|0|0" >expect &&
	db_sql "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = '"'"'extra'"'"'), (SELECT count(*) FROM pg_class WHERE relname IN ('"'"'v'"'"', '"'"'s'"'"')), (SELECT count(*) FROM pg_type WHERE typname = '"'"'mood'"'"'), (SELECT count(*) FROM pg_proc WHERE proname = '"'"'f'"'"')" >actual &&
	test_cmp expect actual
'

test_expect_success 'pg: psql fails half way: exit 1, the database as it was' '
	mkdir badsql &&
	cat >badsql/pg_restore <<-\EOF &&
	#!/bin/sh
	echo "CREATE TABLE half (a int);"
	echo "CREATE TABLE broken (;"
	EOF
	ln -s "$REAL_BIN/psql" badsql/psql &&
	chmod +x badsql/pg_restore &&
	db_sql "INSERT INTO users VALUES (2, '"'"'bob'"'"')" &&
	db_snapshot db.before &&
	test_env FERRY_PG_BINDIR="$PWD/badsql" test_expect_code 1 ferry -d "$DB_URL" restore v1.pgdump --yes >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: restore of '"'"'v1.pgdump'"'"' failed (psql exit 3): nothing was changed
	syntax error at or near ";"
	hint: the restore runs in one transaction and was rolled back; fix the cause and run it again
	EOF
	sed "s/^psql:<stdin>:[0-9]*: //" err >actual &&
	test_cmp expect actual
'

test_expect_success 'pg: pg_restore dies half way: no COMMIT, the database as it was' '
	mkdir cut &&
	cat >cut/pg_restore <<-\EOF &&
	#!/bin/sh
	echo "CREATE TABLE half (a int);"
	echo "pg_restore: error: could not read input file: end of file" >&2
	exit 1
	EOF
	ln -s "$REAL_BIN/psql" cut/psql &&
	chmod +x cut/pg_restore &&
	db_snapshot db.before &&
	test_env FERRY_PG_BINDIR="$PWD/cut" test_expect_code 1 ferry -d "$DB_URL" restore v1.pgdump --yes >out 2>actual &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	cat >expect <<-\EOF &&
	ferry: error: restore of '"'"'v1.pgdump'"'"' failed (pg_restore exit 1): nothing was changed
	could not read input file: end of file
	hint: the restore runs in one transaction and was rolled back; fix the cause and run it again
	EOF
	test_cmp expect actual
'

test_expect_success 'pg: no pg_restore: exit 2 before any question' '
	mkdir empty &&
	major=$(db_sql "SHOW server_version_num") && major=$((major / 10000)) &&
	cat >expect <<-EOF &&
	ferry: error: pg_restore not found
	it is not in '"'"'$PWD/empty'"'"'
	hint: install PostgreSQL'"'"'s client tools (apt-get install postgresql-client-$major)
	EOF
	test_env FERRY_PG_BINDIR="$PWD/empty" unchanged 2 ferry -d "$DB_URL" restore v1.pgdump </dev/null
'

fi

test_done
