#!/bin/sh
test_description='ferry validate: the files against the ledger, and the ledger itself'
. "$(dirname "$0")/test-lib.sh"

# Issue 5 part 3: checksum drift (per section), applied versions no file
# has, pending migrations older than the newest applied, failed sections
# with the statement they stopped at, and ledger rows ferry never writes;
# exit 0 when clean, 5 with every finding listed; --json {ok, findings};
# reads only: no lock, no ledger created.

# validates CODE: run 'ferry validate', exit CODE, stdout in ./out,
# stderr in ./err, the database byte for byte as it was.
validates() {
	db_snapshot db.before &&
	test_expect_code "$1" ferry -d "$DB_URL" validate >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after
}

clean() {
	validates 0 &&
	echo "ok: the files and the ledger agree ($1 migrations)" >expect &&
	test_cmp expect out &&
	test_must_be_empty err
}

# finds N: exit 5, ./expect on stdout, the count on stderr.
finds() {
	validates 5 &&
	test_cmp expect out &&
	if test "$1" = 1; then s=; else s=s; fi &&
	echo "ferry: error: validation found $1 problem$s" >expect.err &&
	test_cmp expect.err err
}

test_expect_success 'setup: four migrations, 20 has a finish section, 40 is no-transaction' '
	mkdir migrations &&
	cat >migrations/10_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >migrations/20_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	-- ferry:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	cat >migrations/30_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY);
	EOF
	cat >migrations/40_tags.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE tags (id integer PRIMARY KEY);
	INSERT INTO tags (id) VALUES (1);
	INSERT INTO tags (id) VALUES (2);
	EOF
	cp -R migrations pristine
'

test_expect_success 'no ledger: every file is pending, exit 0, nothing created' '
	clean 4 &&
	if test "$ENGINE" = sqlite; then
		test_path_is_missing test.db
	else
		db_tables >actual &&
		test_must_be_empty actual
	fi
'

test_expect_success 'validate --json with no ledger: ok, no findings' '
	ferry -d "$DB_URL" validate --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ".ok == true" ".findings == []"
'

test_expect_success 'a migration up with its finish pending is fine' '
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	10|complete
	20|up
	30|complete
	40|complete
	EOF
	test_cmp expect actual &&
	clean 4
'

test_expect_success 'validate -q: nothing printed when clean' '
	ferry -d "$DB_URL" -q validate >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'drift: each section on its own line, with what to do' '
	ferry -d "$DB_URL" -q finish &&
	sed "s/legacy text/legacy text, note text/" pristine/10_users.sql >migrations/10_users.sql &&
	sed "s/DROP COLUMN legacy/DROP COLUMN IF EXISTS legacy/" pristine/20_email.sql >migrations/20_email.sql &&
	printf -- "-- ferry:finish\nSELECT 1;\n" >>migrations/30_orders.sql &&
	cat >expect <<-\EOF &&
	10 users: drift: up section changed after it was applied; restore the file as it was applied (a change belongs in a new migration), or accept it with '"'"'ferry repair'"'"'
	20 email: drift: finish section changed after it ran; restore the file as it was applied (a change belongs in a new migration), or accept it with '"'"'ferry repair'"'"'
	30 orders: drift: finish section added after the migration was complete; move it to a new migration, or accept it with '"'"'ferry repair'"'"' (the migration goes back to '"'"'up'"'"' and '"'"'ferry finish'"'"' runs it)
	EOF
	finds 3
'

test_expect_success 'a changed down section is not drift: it has not run' '
	cp pristine/* migrations/ &&
	sed "s/DROP TABLE users/DROP TABLE IF EXISTS users/" pristine/10_users.sql >migrations/10_users.sql &&
	clean 4
'

test_expect_success 'drift: a finish section removed after it ran' '
	cp pristine/* migrations/ &&
	clean 4 &&
	cat >migrations/20_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	cat >expect <<-\EOF &&
	20 email: drift: finish section removed after it ran; restore the file as it was applied (a change belongs in a new migration), or accept it with '"'"'ferry repair'"'"'
	EOF
	finds 1
'

test_expect_success 'drift: the up section of a migration that is up' '
	cp pristine/* migrations/ &&
	db_sql "UPDATE ferry_migrations SET state = '"'"'up'"'"', finish_at = NULL, finish_ms = NULL WHERE version = 20" &&
	clean 4 &&
	sed "s/email text/email varchar(200)/" pristine/20_email.sql >migrations/20_email.sql &&
	cat >expect <<-\EOF &&
	20 email: drift: up section changed after it was applied; restore the file as it was applied (a change belongs in a new migration), or accept it with '"'"'ferry repair'"'"'
	EOF
	finds 1 &&
	cp pristine/* migrations/ &&
	db_sql "UPDATE ferry_migrations SET state = '"'"'complete'"'"', finish_at = up_at WHERE version = 20" &&
	clean 4
'

test_expect_success 'ahead: an applied version no file has' '
	rm migrations/30_orders.sql &&
	cat >expect <<-\EOF &&
	30 orders: ahead: applied, but no file has this version; a newer release applied it: run that release'"'"'s ferry, or restore the file
	EOF
	finds 1 &&
	printf "1.0 20\n2.0 40\n" >migrations/releases &&
	db_sql "UPDATE ferry_migrations SET release = '"'"'2.0'"'"' WHERE version = 30" &&
	cat >expect <<-\EOF &&
	30 orders: ahead: applied (release 2.0), but no file has this version; a newer release applied it: run that release'"'"'s ferry, or restore the file
	EOF
	finds 1 &&
	cp pristine/* migrations/ &&
	rm migrations/releases &&
	clean 4
'

test_expect_success 'out of order: a pending migration older than the newest applied' '
	echo "CREATE TABLE late (id integer);" >migrations/15_late.sql &&
	cat >expect <<-\EOF &&
	15 late: out_of_order: pending, but older than the newest applied migration, 40; it was probably merged late: apply it with '"'"'ferry up --allow-out-of-order'"'"'
	EOF
	finds 1 &&
	echo "CREATE TABLE later (id integer);" >migrations/50_later.sql &&
	finds 1 &&
	rm migrations/15_late.sql migrations/50_later.sql
'

test_expect_success 'failed: a no-transaction section that stopped, with its statement and error' '
	ferry -d "$DB_URL" down --steps 1 --yes >/dev/null 2>&1 ||
	db_sql "DELETE FROM ferry_migrations WHERE version = 40; DROP TABLE tags" &&
	sed "s/VALUES (2)/VALUES (1)/" pristine/40_tags.sql >migrations/40_tags.sql &&
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>up.err &&
	db_sql "SELECT state, failed_section, failed_statement FROM ferry_migrations WHERE version = 40" >actual &&
	echo "failed|up|3" >expect &&
	test_cmp expect actual &&
	validates 5 &&
	echo "ferry: error: validation found 1 problem" >expect &&
	test_cmp expect err &&
	grep "^40 tags: failed: up section stopped at statement 3: migrations/40_tags.sql:4:1: .*; fix the statement and run '"'"'ferry up'"'"' to resume there, or complete the section by hand and run '"'"'ferry repair'"'"'\$" out &&
	test_line_count = 1 out &&
	if test "$ENGINE" = sqlite; then
		cat >expect <<-\EOF &&
		40 tags: failed: up section stopped at statement 3: migrations/40_tags.sql:4:1: UNIQUE constraint failed: tags.id; fix the statement and run '"'"'ferry up'"'"' to resume there, or complete the section by hand and run '"'"'ferry repair'"'"'
		EOF
		test_cmp expect out
	fi
'

test_expect_success 'failed with no error recorded: the run was interrupted' '
	db_sql "UPDATE ferry_migrations SET error = NULL WHERE version = 40" &&
	cat >expect <<-\EOF &&
	40 tags: failed: up section stopped at statement 3, with no error recorded (the run was interrupted); fix the statement and run '"'"'ferry up'"'"' to resume there, or complete the section by hand and run '"'"'ferry repair'"'"'
	EOF
	finds 1
'

test_expect_success 'the ledger against itself: rows ferry never writes' '
	db_sql "UPDATE ferry_migrations SET up_at = NULL WHERE version = 10" &&
	db_sql "UPDATE ferry_migrations SET finish_checksum = up_checksum WHERE version = 30" &&
	db_sql "UPDATE ferry_migrations SET failed_section = NULL WHERE version = 40" &&
	if test "$ENGINE" = sqlite; then
		db_sql "PRAGMA ignore_check_constraints = ON; UPDATE ferry_migrations SET state = '"'"'half'"'"' WHERE version = 20"
	else
		db_sql "ALTER TABLE ferry_migrations DROP CONSTRAINT ferry_migrations_state_check" &&
		db_sql "UPDATE ferry_migrations SET state = '"'"'half'"'"' WHERE version = 20"
	fi &&
	h="the ledger was changed outside ferry: correct the row, or restore the ledger from a backup" &&
	cat >expect <<-EOF &&
	10 users: ledger: state is '"'"'complete'"'"' but no up time is recorded; $h
	20 email: ledger: state '"'"'half'"'"' is not one ferry knows; $h
	30 orders: ledger: a finish is recorded, but the migration has no finish section; $h
	40 tags: ledger: state is '"'"'failed'"'"' but the section that failed is not recorded; $h
	EOF
	finds 4
'

test_expect_success 'validate --json: every finding with kind, version, name, message, hint' '
	rm migrations/30_orders.sql &&
	echo "CREATE TABLE late (id integer);" >migrations/15_late.sql &&
	db_snapshot db.before &&
	test_expect_code 5 ferry -d "$DB_URL" validate --json >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty err &&
	test_json out \
		".ok == false" \
		"[.findings[] | .version + \" \" + .kind] == [\"10 ledger\", \"15 out_of_order\", \"20 ledger\", \"30 ahead\", \"30 ledger\", \"40 ledger\"]" \
		".findings[0].name == \"users\"" \
		".findings[0].message == \"state is '"'"'complete'"'"' but no up time is recorded\"" \
		".findings[3].name == \"orders\"" \
		"[.findings[].hint | type] | all(. == \"string\")" &&
	rm migrations/15_late.sql &&
	cp pristine/30_orders.sql migrations/
'

trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'validate takes no lock: it answers while another ferry works' '
	mkdir slow &&
	echo "CREATE TABLE s_first (id integer PRIMARY KEY);" >slow/1_first.sql &&
	ferry -d "$DB_URL" --dir slow --table s_migrations -q up &&
	{
		echo "CREATE TABLE s_second (id integer PRIMARY KEY);" &&
		slow_sql 20
	} >slow/2_slow.sql &&
	"$FERRY" -d "$DB_URL" --dir slow --table s_migrations up >holder.out 2>holder.err &
	echo $! >holder.pid &&
	i=0 &&
	while ! grep -q "^up  " holder.out && test $i -lt 600; do
		sleep 0.05; i=$((i + 1))
	done &&
	ferry -d "$DB_URL" --dir slow --table s_migrations validate --lock-timeout 0 >out 2>err &&
	kill -0 "$(cat holder.pid)" &&
	echo "ok: the files and the ledger agree (2 migrations)" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	kill -9 "$(cat holder.pid)" &&
	rm holder.pid
'

test_expect_success 'usage: validate takes no arguments (exit 2)' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'validate'"'"' takes no arguments
	hint: try '"'"'ferry validate --help'"'"'
	EOF
	test_expect_code 2 ferry -d "$DB_URL" validate 10 >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'validate --help' '
	ferry validate --help >out 2>err &&
	test_must_be_empty err &&
	grep "^usage: ferry validate \[--offline\] \[--json\]" out
'

test_done
