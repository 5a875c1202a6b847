#!/bin/sh
test_description='up refuses a database ahead of the files, drift and out-of-order (exit 5)'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: an older release must never act on a newer schema; a file
# edited after it was applied is drift; a migration older than the newest
# applied one is refused unless --allow-out-of-order. Each refusal is exit
# 5 and leaves the database as it was.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# refuses CMD...: CMD exits 5, prints nothing on stdout and exactly ./expect
# on stderr (normalized), and leaves the database byte for byte as it was.
refuses() {
	db_snapshot db.before &&
	test_expect_code 5 "$@" >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	normalize <err >actual &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

test_expect_success 'setup: three migrations applied' '
	mkdir migrations &&
	cat >migrations/10_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY);
	EOF
	cat >migrations/20_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);
	EOF
	cat >migrations/30_third.sql <<-\EOF &&
	CREATE TABLE third (id integer PRIMARY KEY);
	EOF
	ferry -d "$DB_URL" up >out &&
	cp -R migrations applied
'

test_expect_success 'a database ahead of the files: up refuses' '
	rm migrations/30_third.sql &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: version 30 is applied but no file has it; run the newer release
	EOF
	refuses ferry -d "$DB_URL" up
'

test_expect_success 'ahead, even with a new migration pending' '
	cat >migrations/40_fourth.sql <<-\EOF &&
	CREATE TABLE fourth (id integer PRIMARY KEY);
	EOF
	refuses ferry -d "$DB_URL" up &&
	refuses ferry -d "$DB_URL" up --allow-out-of-order &&
	rm migrations/40_fourth.sql
'

test_expect_success 'ahead by two versions' '
	rm migrations/20_second.sql &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: 2 applied versions, up to 30, have no file; run the newer release
	EOF
	refuses ferry -d "$DB_URL" up
'

test_expect_success 'status shows what the files do not know' '
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	sed 1d out | normalize >actual &&
	cat >expect <<-\EOF &&
	release     none finished
	version     at 30; newest file 10
	migrations  1 complete, 0 pending, 2 not in the files
	ahead       2 migrations up to 30 are not in these files: a newer release migrated this database; do not run up, finish or down with these files
	drift       none
	lock        free
	last action up 30 by USER@HOST at TIME

	STATE     VERSION  NAME    RELEASE  NOTE
	complete  20       second  -        applied, but no file has it
	complete  30       third   -        applied, but no file has it
	EOF
	test_cmp expect actual
'

test_expect_success 'drift: up refuses an applied file that changed' '
	rm -rf migrations &&
	cp -R applied migrations &&
	cat >migrations/20_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY, added text);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'20_second'"'"' was changed after it was applied
	applied by USER@HOST at TIME
	hint: restore '"'"'migrations/20_second.sql'"'"' as it was applied; changes belong in a new migration
	EOF
	refuses ferry -d "$DB_URL" up
'

test_expect_success 'drift: refused with pending work too, and with --allow-out-of-order' '
	cat >migrations/40_fourth.sql <<-\EOF &&
	CREATE TABLE fourth (id integer PRIMARY KEY);
	EOF
	refuses ferry -d "$DB_URL" up &&
	refuses ferry -d "$DB_URL" up --allow-out-of-order &&
	rm migrations/40_fourth.sql
'

test_expect_success 'drift: a comment added is a change too' '
	cp applied/20_second.sql migrations/ &&
	echo "-- reviewed" >>migrations/20_second.sql &&
	refuses ferry -d "$DB_URL" up
'

test_expect_success 'drift: status shows it' '
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	sed 1d out | normalize >actual &&
	cat >expect <<-\EOF &&
	release     none finished
	version     at 30; newest file 30
	migrations  3 complete, 0 pending
	drift       20 (changed after applied)
	lock        free
	last action up 30 by USER@HOST at TIME

	STATE     VERSION  NAME    RELEASE  NOTE
	complete  20       second  -        file changed after it was applied
	EOF
	test_cmp expect actual
'

test_expect_success 'drift: status --exit-code says 5' '
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out 2>err &&
	test_must_be_empty err
'

test_expect_success 'the same file with CRLF line ends is not drift' '
	sed "s/\$/\r/" applied/20_second.sql >migrations/20_second.sql &&
	! cmp -s applied/20_second.sql migrations/20_second.sql &&
	echo "nothing to do: every migration is applied" >expect &&
	ferry -d "$DB_URL" up >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	ferry -d "$DB_URL" status >out &&
	grep "^drift       none\$" out
'

test_expect_success 'out of order: an older migration merged late is refused' '
	rm -rf migrations &&
	cp -R applied migrations &&
	cat >migrations/25_late.sql <<-\EOF &&
	CREATE TABLE late (id integer PRIMARY KEY);
	EOF
	cat >migrations/40_fourth.sql <<-\EOF &&
	CREATE TABLE fourth (id integer PRIMARY KEY);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'25_late'"'"' is older than the newest applied one, 30
	hint: it was probably merged late; apply it anyway with '"'"'ferry up --allow-out-of-order'"'"'
	EOF
	refuses ferry -d "$DB_URL" up
'

test_expect_success 'out of order: --to the newer one is refused as well' '
	refuses ferry -d "$DB_URL" up --to 40
'

test_expect_success 'out of order: status shows both pending' '
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	grep "^migrations  3 complete, 2 pending\$" out
'

test_expect_success 'out of order: --allow-out-of-order applies it, then the rest' '
	ferry -d "$DB_URL" up --allow-out-of-order >out 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	up     25_late ... ok (N ms)
	up     40_fourth ... ok (N ms)
	applied 2 migrations; database at 40
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	10|complete
	20|complete
	25|complete
	30|complete
	40|complete
	EOF
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_expect_success 'out of order: once applied, it is at peace' '
	echo "nothing to do: every migration is applied" >expect &&
	ferry -d "$DB_URL" up >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_done
