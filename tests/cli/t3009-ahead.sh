#!/bin/sh
test_description='a database ahead of the files: status explains, every command that writes refuses (exit 5)'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: a database that has applied migrations the files do not
# know is ahead of this release: up, finish, migrate and down refuse (exit
# 5) and say so, since an older release must never act on a newer schema.
# rollback and plan (help: "refuses what the run would refuse") too. Each
# refusal leaves the database byte for byte as it was.

# refuses CMD...: exit 5, nothing on stdout (with --json, the error
# document), exactly ./expect on stderr,
# the database byte for byte as ./db.base, the snapshot taken before the
# refusals.
refuses() {
	test_expect_code 5 "$@" >out 2>actual &&
	db_snapshot db.after &&
	case " $* " in
	*" --json "*) test_json out ".error.exit == 5" ;;
	*) test_must_be_empty out ;;
	esac &&
	test_cmp expect actual &&
	test_cmp db.base db.after
}

test_expect_success 'setup: release 2.0 rolled out; release 1.0 files beside it' '
	mkdir new old &&
	cat >new/1_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >new/2_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	-- ferry:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	cat >new/3_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, note text);
	-- ferry:down
	DROP TABLE orders;
	EOF
	cat >new/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	-- ferry:down
	ALTER TABLE orders DROP COLUMN total;
	EOF
	printf "1.0 2\n2.0 4\n" >new/releases &&
	cp new/1_users.sql new/2_email.sql old/ &&
	printf "1.0 2\n" >old/releases &&
	ferry -d "$DB_URL" --dir new up >out &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|up
	3|complete
	4|up
	EOF
	test_cmp expect actual
'

test_expect_success 'status with the old files explains it' '
	ferry -d "$DB_URL" --dir old status >out 2>err &&
	test_must_be_empty err &&
	sed 1d out | normalize_engine | normalize >actual &&
	cat >expect <<-\EOF &&
	release     none finished; 2.0 in flight
	version     at 4; newest file 2
	migrations  1 complete, 1 up (finish pending), 0 pending, 2 not in the files
	ahead       2 migrations up to 4 (release 2.0) are not in these files: a newer release migrated this database; do not run up, finish or down with these files
	drift       none
	lock        free
	last action up 4 by USER@HOST at TIME

	STATE     VERSION  NAME    RELEASE  NOTE
	up        2        email   1.0      finish pending
	complete  3        orders  2.0      applied, but no file has it
	up        4        total   2.0      applied, but no file has it
	EOF
	test_cmp expect actual
'

test_expect_success 'status --exit-code says 5; --json counts them unknown' '
	test_expect_code 5 ferry -d "$DB_URL" --dir old status --exit-code >out 2>err &&
	test_must_be_empty err &&
	ferry -d "$DB_URL" --dir old status --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ".counts.unknown == 2" ".head == \"2\"" ".current == \"4\""
'

test_expect_success 'the refusal, and the database before it' '
	db_snapshot db.base &&
	cat >expect <<-\EOF
	ferry: error: database is ahead of these migration files
	hint: 2 applied versions, up to 4 (release 2.0), have no file; run the newer release
	EOF
'

test_expect_success 'up refuses' '
	refuses ferry -d "$DB_URL" --dir old up &&
	refuses ferry -d "$DB_URL" --dir old up --to 1.0 &&
	refuses ferry -d "$DB_URL" --dir old up --allow-out-of-order &&
	refuses ferry -d "$DB_URL" --dir old up --json
'

test_expect_success 'finish refuses, though 2 waits for its finish in these files' '
	refuses ferry -d "$DB_URL" --dir old finish &&
	refuses ferry -d "$DB_URL" --dir old finish --to 1.0 &&
	refuses ferry -d "$DB_URL" --dir old finish --single-transaction
'

test_expect_success 'migrate refuses' '
	refuses ferry -d "$DB_URL" --dir old migrate &&
	refuses ferry -d "$DB_URL" --dir old migrate --to 2 --single-transaction
'

test_expect_success 'rollback refuses, though 2 is up and has a down section' '
	refuses ferry -d "$DB_URL" --dir old rollback &&
	refuses ferry -d "$DB_URL" --dir old rollback --json
'

test_expect_success 'down refuses, even with --force' '
	refuses ferry -d "$DB_URL" --dir old down --steps 1 --yes &&
	refuses ferry -d "$DB_URL" --dir old down --to 1 --yes &&
	refuses ferry -d "$DB_URL" --dir old down --to 0 --yes --force
'

test_expect_success 'plan refuses' '
	refuses ferry -d "$DB_URL" --dir old plan &&
	refuses ferry -d "$DB_URL" --dir old plan --json
'

test_expect_success 'nothing of it reached the history' '
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1|1
	up|2|1
	up|3|1
	up|4|1
	EOF
	test_cmp expect actual
'

test_expect_success 'ahead by one version: the hint names it and its release' '
	rm -rf mid &&
	cp -R new mid &&
	rm mid/4_total.sql &&
	printf "1.0 2\n" >mid/releases &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: version 4 (release 2.0) is applied but no file has it; run the newer release
	EOF
	refuses ferry -d "$DB_URL" --dir mid up &&
	refuses ferry -d "$DB_URL" --dir mid finish &&
	refuses ferry -d "$DB_URL" --dir mid rollback &&
	ferry -d "$DB_URL" --dir mid status >out &&
	grep "^ahead       1 migration up to 4 (release 2.0) is not in these files: " out
'

test_expect_success 'ahead with no release recorded: the hint says only the version' '
	db_sql "UPDATE ferry_migrations SET release = NULL WHERE version = 4" &&
	db_snapshot db.base &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: version 4 is applied but no file has it; run the newer release
	EOF
	refuses ferry -d "$DB_URL" --dir mid up &&
	db_sql "UPDATE ferry_migrations SET release = '"'"'2.0'"'"' WHERE version = 4"
'

test_expect_success 'with the newer files everything works again' '
	test_expect_code 3 ferry -d "$DB_URL" --dir new status --exit-code >out 2>err &&
	test_must_be_empty err &&
	! grep "^ahead" out &&
	ferry -d "$DB_URL" --dir new finish >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	finish 2_email ... ok (N ms)
	finish 4_total ... ok (N ms)
	finished 2 migrations; database at 4 (release 2.0)
	EOF
	test_cmp expect actual
'

test_done
