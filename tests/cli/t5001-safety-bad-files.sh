#!/bin/sh
test_description='invalid migration sets: one-line error, hint, exit 2, database untouched'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 1 and section 4 (exit 2: unreadable directory, invalid
# migration file). Every refusal here must leave the database exactly as
# it was: ferry reads and checks the whole set before it touches anything.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# A set whose first migration is applied, as in every test below.
reset_set() {
	rm -rf migrations &&
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF
	CREATE TABLE first (id integer PRIMARY KEY);
	EOF
}

# fails_cleanly CODE CMD...: CMD exits CODE, prints nothing on stdout and
# exactly ./expect on stderr, and leaves the database byte for byte as it
# was.
fails_cleanly() {
	_code=$1
	shift
	db_snapshot db.before &&
	test_expect_code "$_code" "$@" >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect err &&
	test_cmp db.before db.after
}

test_expect_success 'setup: one migration applied' '
	reset_set &&
	ferry -d "$DB_URL" up >out &&
	echo "1|complete" >expect &&
	db_sql "SELECT version, state FROM ferry_migrations" >actual &&
	test_cmp expect actual
'

test_expect_success 'missing migration directory' '
	rm -rf migrations &&
	cat >expect <<-\EOF &&
	ferry: error: migration directory '"'"'migrations'"'"' does not exist
	hint: create it with '"'"'ferry init'"'"', or name another one with --dir
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up &&
	fails_cleanly 2 ferry -d "$DB_URL" status &&
	test_path_is_missing migrations
'

test_expect_success 'missing directory given with --dir' '
	cat >expect <<-\EOF &&
	ferry: error: migration directory '"'"'db/migrate'"'"' does not exist
	hint: create it with '"'"'ferry init'"'"', or name another one with --dir
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" --dir db/migrate up
'

test_expect_success 'a file where the directory should be' '
	echo "not a directory" >migrations &&
	cat >expect <<-\EOF &&
	ferry: error: migration directory '"'"'migrations'"'"' is not a directory
	hint: name the directory of .sql files with --dir
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up &&
	rm migrations
'

test_expect_success 'empty migration directory' '
	mkdir migrations &&
	cat >expect <<-\EOF &&
	ferry: error: no migrations in '"'"'migrations'"'"'
	hint: write the first one with '"'"'ferry new NAME'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'a directory of other files only is empty too' '
	echo "read me" >migrations/README &&
	echo "draft" >migrations/notes.txt &&
	fails_cleanly 2 ferry -d "$DB_URL" up
'

# Which of the two files is named first is not fixed (directory order);
# the message is, either way round.
test_expect_success 'duplicate versions' '
	reset_set &&
	echo "CREATE TABLE second (id integer);" >migrations/2_second.sql &&
	echo "CREATE TABLE other (id integer);" >migrations/002_other.sql &&
	cat >expect <<-\EOF &&
	hint: give one of them a new version, e.g. with '"'"'ferry new'"'"'
	EOF
	db_snapshot db.before &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp db.before db.after &&
	sed 1d err >actual &&
	test_cmp expect actual &&
	head -n 1 err >first &&
	grep -E "^ferry: error: duplicate version 2: ('"'"'2_second.sql'"'"' and '"'"'002_other.sql'"'"'|'"'"'002_other.sql'"'"' and '"'"'2_second.sql'"'"')\$" first
'

test_expect_success 'duplicate of an applied version' '
	reset_set &&
	echo "CREATE TABLE again (id integer);" >migrations/0001_again.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: duplicate version 1: " err
'

test_expect_success 'a .sql file without a version' '
	reset_set &&
	echo "CREATE TABLE second (id integer);" >migrations/add_users.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'add_users.sql'"'"' is not a valid migration file name
	hint: name it <version>_<name>.sql, e.g. 0001_create_users.sql (letters, digits, '"'"'_'"'"' and '"'"'-'"'"'), or move it out of '"'"'migrations'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'a .sql file with a bad name after its version' '
	reset_set &&
	echo "CREATE TABLE second (id integer);" >"migrations/2_add users.sql" &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'2_add users.sql'"'"' is not a valid migration file name
	hint: name it <version>_<name>.sql, e.g. 0001_create_users.sql (letters, digits, '"'"'_'"'"' and '"'"'-'"'"'), or move it out of '"'"'migrations'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'a version of more than 18 digits' '
	reset_set &&
	echo "SELECT 1;" >migrations/1234567890123456789_long.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'1234567890123456789_long.sql'"'"' is not a valid migration file name
	hint: name it <version>_<name>.sql, e.g. 0001_create_users.sql (letters, digits, '"'"'_'"'"' and '"'"'-'"'"'), or move it out of '"'"'migrations'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'SQL before the first marker' '
	reset_set &&
	cat >migrations/2_second.sql <<-\EOF &&
	-- The second table.

	CREATE TABLE lost (id integer);
	-- ferry:up
	CREATE TABLE second (id integer);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: migrations/2_second.sql:3:1: SQL before the first '"'"'-- ferry:'"'"' marker
	hint: move it below '"'"'-- ferry:up'"'"', or start the file with that marker
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up &&
	fails_cleanly 2 ferry -d "$DB_URL" status
'

test_expect_success 'an unknown marker' '
	reset_set &&
	cat >migrations/2_second.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE second (id integer);
	-- ferry:rollback
	DROP TABLE second;
	EOF
	cat >expect <<-\EOF &&
	ferry: error: migrations/2_second.sql:3: unknown marker '"'"'ferry:rollback'"'"'
	hint: a section starts with '"'"'-- ferry:up'"'"', '"'"'-- ferry:finish'"'"' or '"'"'-- ferry:down'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'an unknown marker option' '
	reset_set &&
	cat >migrations/2_second.sql <<-\EOF &&
	-- ferry:up no-transactions
	CREATE TABLE second (id integer);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: migrations/2_second.sql:1: unknown option '"'"'no-transactions'"'"' on marker '"'"'ferry:up'"'"'
	hint: the marker options are '"'"'no-transaction'"'"' and '"'"'confirm'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'a section given twice' '
	reset_set &&
	cat >migrations/2_second.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE second (id integer);
	-- ferry:up
	CREATE TABLE third (id integer);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: migrations/2_second.sql:3: second '"'"'-- ferry:up'"'"' section
	hint: the first one starts at line 1; a file has at most one of each section
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'a NUL byte in a file' '
	reset_set &&
	printf "CREATE TABLE second (id integer);\nINSERT INTO second VALUES (1);\0\n" >migrations/2_second.sql &&
	cat >expect <<-\EOF &&
	ferry: error: migrations/2_second.sql:2:31: file contains a NUL byte
	hint: migration files are UTF-8 text; convert the file (UTF-16 is not supported)
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'a file in UTF-16 is refused for its NUL bytes' '
	reset_set &&
	printf "\377\376C\0R\0E\0A\0T\0E\0" >migrations/2_second.sql &&
	cat >expect <<-\EOF &&
	ferry: error: migrations/2_second.sql:1:4: file contains a NUL byte
	hint: migration files are UTF-8 text; convert the file (UTF-16 is not supported)
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up
'

test_expect_success 'an unreadable migration file' '
	reset_set &&
	echo "CREATE TABLE second (id integer);" >migrations/2_second.sql &&
	chmod 000 migrations/2_second.sql &&
	cat >expect <<-\EOF &&
	ferry: error: cannot read '"'"'migrations/2_second.sql'"'"'
	Permission denied
	hint: check the permissions of '"'"'migrations/2_second.sql'"'"'
	EOF
	fails_cleanly 2 as_nobody "$FERRY" -d "$DB_URL" up &&
	fails_cleanly 2 as_nobody "$FERRY" -d "$DB_URL" status &&
	chmod 644 migrations/2_second.sql
'

test_expect_success 'an unreadable migration directory' '
	reset_set &&
	chmod 000 migrations &&
	cat >expect <<-\EOF &&
	ferry: error: cannot read migration directory '"'"'migrations'"'"'
	Permission denied
	hint: check the permissions of '"'"'migrations'"'"'
	EOF
	fails_cleanly 2 as_nobody "$FERRY" -d "$DB_URL" up &&
	chmod 755 migrations
'

test_expect_success 'after all that, the set applies as it should' '
	reset_set &&
	echo "CREATE TABLE second (id integer);" >migrations/2_second.sql &&
	ferry -d "$DB_URL" up >out &&
	cat >expect <<-\EOF &&
	up     2_second ... ok (N ms)
	applied 1 migration; database at 2
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|complete
	EOF
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_done
