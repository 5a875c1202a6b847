#!/bin/sh
test_description='ferry bootstrap: a new, empty database straight to head, finished'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: bootstrap takes a fresh, empty database straight to head,
# finished, passing checkpoints as migrate does; it refuses (exit 5) a
# database that holds objects, naming a few, or whose ledger has rows.

# The names bootstrap gives to the user's tables: qualified on PostgreSQL.
qualified() {
	if test "$ENGINE" = pg; then
		echo "public.$1"
	else
		echo "$1"
	fi
}

# refuses: ferry bootstrap exits 5, prints nothing on stdout (with --json,
# the error document) and exactly ./expect on stderr, and leaves the
# database byte for byte as it was.
refuses() {
	db_snapshot db.before &&
	test_expect_code 5 ferry -d "$DB_URL" bootstrap "$@" >out 2>actual &&
	db_snapshot db.after &&
	case " $* " in
	*" --json "*) test_json out ".error.exit == 5" ;;
	*) test_must_be_empty out ;;
	esac &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

test_expect_success 'setup: two releases, a checkpoint, finish sections' '
	use_fixture expand &&
	cat >migrations/3_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, note text);
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	-- ferry:down
	DROP TABLE orders;
	EOF
	printf "1.0 2 checkpoint\n2.0 3\n" >migrations/releases
'

test_expect_success 'bootstrap a new database: every up and finish section, in order' '
	ferry -d "$DB_URL" bootstrap >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_users ... ok (N ms)
	up     2_email ... ok (N ms)
	finish 2_email ... ok (N ms)
	up     3_orders ... ok (N ms)
	finish 3_orders ... ok (N ms)
	applied 3 up and 2 finish sections; database at 3 (release 2.0)
	EOF
	test_cmp expect actual
'

test_expect_success 'the database is at head, every migration complete' '
	db_sql "SELECT version, state, release FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete|1.0
	2|complete|1.0
	3|complete|2.0
	EOF
	test_cmp expect actual &&
	db_sql "SELECT action, version FROM ferry_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1
	up|2
	finish|2
	up|3
	finish|3
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id, email FROM users" >actual &&
	test_must_be_empty actual &&
	test_must_fail db_sql "SELECT legacy FROM users" 2>/dev/null &&
	test_must_fail db_sql "SELECT note FROM orders" 2>/dev/null
'

test_expect_success 'status: release 2.0 finished, nothing waits' '
	ferry -d "$DB_URL" status --exit-code >out 2>err &&
	test_must_be_empty err &&
	sed -n "2,4p" out >actual &&
	cat >expect <<-\EOF &&
	release     2.0 finished
	version     at 3; newest file 3
	migrations  3 complete, 0 pending
	EOF
	test_cmp expect actual
'

test_expect_success 'bootstrap again: refused, the ledger has rows' '
	cat >expect <<-\EOF &&
	ferry: error: database is not empty: ferry'"'"'s ledger holds 3 migrations
	hint: bootstrap is for a new database; upgrade this one with '"'"'ferry migrate'"'"'
	EOF
	refuses
'

test_expect_success 'a ledger with one row: refused, in the singular' '
	ferry -d "$DB_URL" down --to 1 --yes --force >out &&
	db_sql "SELECT version FROM ferry_migrations" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	ferry: error: database is not empty: ferry'"'"'s ledger holds 1 migration
	hint: bootstrap is for a new database; upgrade this one with '"'"'ferry migrate'"'"'
	EOF
	refuses
'

test_expect_success 'an emptied ledger is no obstacle: bootstrap runs again' '
	ferry -d "$DB_URL" down --to 0 --yes >out &&
	db_tables >actual &&
	printf "ferry_history\nferry_migrations\n" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" bootstrap >out 2>err &&
	test_must_be_empty err &&
	tail -n 1 out >actual &&
	echo "applied 3 up and 2 finish sections; database at 3 (release 2.0)" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" down --to 0 --yes --force >out
'

test_expect_success 'a database holding one table of the user: refused, naming it' '
	db_sql "CREATE TABLE legacy_app (id integer)" &&
	cat >expect <<-EOF &&
	ferry: error: database is not empty: it holds 1 object
	$(qualified legacy_app)
	hint: bootstrap is for a new, empty database; upgrade this one with '"'"'ferry migrate'"'"'
	EOF
	refuses
'

test_expect_success 'tables and a view: refused, naming three and counting all' '
	db_sql "CREATE TABLE accounts (id integer)" &&
	db_sql "CREATE TABLE zeta (id integer)" &&
	db_sql "CREATE VIEW active AS SELECT id FROM accounts" &&
	cat >expect <<-EOF &&
	ferry: error: database is not empty: it holds 4 objects
	$(qualified accounts), $(qualified active), $(qualified legacy_app), ...
	hint: bootstrap is for a new, empty database; upgrade this one with '"'"'ferry migrate'"'"'
	EOF
	refuses
'

test_expect_success 'refused with --json and --single-transaction too' '
	refuses --json &&
	refuses --single-transaction
'

test_expect_success 'a view alone is an object too' '
	db_sql "DROP VIEW active" &&
	db_sql "DROP TABLE accounts" &&
	db_sql "DROP TABLE zeta" &&
	db_sql "DROP TABLE legacy_app" &&
	db_sql "CREATE VIEW just_a_view AS SELECT 1 AS one" &&
	cat >expect <<-EOF &&
	ferry: error: database is not empty: it holds 1 object
	$(qualified just_a_view)
	hint: bootstrap is for a new, empty database; upgrade this one with '"'"'ferry migrate'"'"'
	EOF
	refuses &&
	db_sql "DROP VIEW just_a_view"
'

test_expect_success 'bootstrap --json on an empty database: one document, progress on stderr' '
	ferry -d "$DB_URL" bootstrap --json >out 2>err &&
	test_json out \
		"[.applied[] | .action + \" \" + .version] == [\"up 1\", \"up 2\", \"finish 2\", \"up 3\", \"finish 3\"]" \
		".version == \"3\"" \
		".checkpoint == null" &&
	normalize <err >actual &&
	cat >expect <<-\EOF &&
	up     1_users ... ok (N ms)
	up     2_email ... ok (N ms)
	finish 2_email ... ok (N ms)
	up     3_orders ... ok (N ms)
	finish 3_orders ... ok (N ms)
	EOF
	test_cmp expect actual
'

test_expect_success 'bootstrap takes no arguments (exit 2)' '
	test_expect_code 2 ferry -d "$DB_URL" bootstrap 3 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'bootstrap'"'"' takes no arguments
	hint: try '"'"'ferry bootstrap --help'"'"'
	EOF
	test_cmp expect actual
'

# SPEC section 3 says bootstrap "refuses a database that has objects"; on
# PostgreSQL a sequence or a type is an object as much as a table is.
if test "$ENGINE" = pg; then
	test_expect_success 'PostgreSQL: a database holding a sequence and a type is refused' '
		ferry -d "$DB_URL" down --to 0 --yes --force >out &&
		db_sql "DROP TABLE ferry_migrations" &&
		db_sql "DROP TABLE ferry_history" &&
		db_sql "CREATE SEQUENCE invoice_numbers" &&
		db_sql "CREATE TYPE mood AS ENUM ('"'"'ok'"'"')" &&
		db_snapshot db.before &&
		test_expect_code 5 ferry -d "$DB_URL" bootstrap >out 2>err &&
		db_snapshot db.after &&
		test_cmp db.before db.after &&
		head -n 1 err >actual &&
		grep "^ferry: error: database is not empty" actual
	'
fi

test_done
