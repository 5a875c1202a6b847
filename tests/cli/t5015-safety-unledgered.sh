#!/bin/sh
test_description='a database with objects but no ferry ledger is refused; --baseline adopts it'
. "$(dirname "$0")/test-lib.sh"

# A database another tool migrated (dbmate's schema_migrations beside its
# tables), or the wrong database: up, finish and migrate would apply every
# migration from the first onto it. They refuse with exit 5, counting the
# objects and naming another tool's ledger; 'ferry stamp V' or
# '--baseline V' records what is already there.

q="'"

setup_foreign() {
	db_sql "CREATE TABLE users (id int PRIMARY KEY, email text)" &&
	db_sql "INSERT INTO users VALUES (1, ${q}ada@example.com${q})" &&
	db_sql "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)" &&
	db_sql "INSERT INTO schema_migrations VALUES (${q}20240101000000${q})"
}

test_expect_success 'setup: a set whose first migration the database already has' '
	mkdir migrations &&
	echo "CREATE TABLE users (id int PRIMARY KEY, email text);" >migrations/1_users.sql &&
	echo "CREATE TABLE orders (id int PRIMARY KEY, user_id int);" >migrations/2_orders.sql &&
	cat >migrations/3_drop_users.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN name text;
	-- ferry:finish
	DELETE FROM users;
	EOF
	setup_foreign
'

test_expect_success 'up refuses with exit 5, and nothing changes' '
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	case $ENGINE in
	sqlite) cat >expect <<-EOF ;;
	ferry: error: database ${q}$DB_SHOWN${q} holds 2 objects but no ferry ledger
	schema_migrations, users; ${q}schema_migrations${q} (dbmate, golang-migrate or Rails) looks like another tool${q}s ledger
	hint: ${q}ferry adopt${q} records what that tool ran; else, if migrations up to V made them, ${q}ferry stamp V${q}
	EOF
	pg) cat >expect <<-EOF ;;
	ferry: error: database ${q}$DB_SHOWN${q} holds 2 objects but no ferry ledger
	public.schema_migrations, public.users; ${q}public.schema_migrations${q} (dbmate, golang-migrate or Rails) looks like another tool${q}s ledger
	hint: ${q}ferry adopt${q} records what that tool ran; else, if migrations up to V made them, ${q}ferry stamp V${q}
	EOF
	esac &&
	test_cmp expect err &&
	test_must_be_empty out &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'migrate, finish and their trial runs refuse too' '
	test_expect_code 5 ferry -d "$DB_URL" migrate >out 2>err &&
	grep "holds 2 objects but no ferry ledger" err &&
	test_expect_code 5 ferry -d "$DB_URL" finish >out 2>err &&
	grep "holds 2 objects but no ferry ledger" err &&
	test_expect_code 5 ferry -d "$DB_URL" up --dry-run >out 2>err &&
	grep "holds 2 objects but no ferry ledger" err &&
	test_expect_code 5 ferry -d "$DB_URL" up --check >out 2>err &&
	grep "holds 2 objects but no ferry ledger" err &&
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>err &&
	test_json out ".error.code == \"refused\""
'

test_expect_success 'status shows what it can, as before' '
	ferry -d "$DB_URL" status >out &&
	grep "^version     nothing applied yet; newest file 3$" out
'

test_expect_success '--baseline cannot be tried' '
	test_expect_code 2 ferry -d "$DB_URL" up --baseline 1 --dry-run >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: --baseline cannot be tried with --dry-run
	hint: try ${q}ferry stamp V --dry-run${q}, then the run without --baseline
	EOF
	test_cmp expect err
'

test_expect_success 'up --baseline 1 records 1 and applies the rest' '
	ferry -d "$DB_URL" up --baseline 1 >out 2>err &&
	cat >expect <<-\EOF &&
	ferry: --baseline: recorded 1 migration as complete without running it
	EOF
	test_cmp expect err &&
	grep "^up     2_orders \.\.\. ok" out &&
	grep "^applied 2 migrations; database at 3" out &&
	test "$(db_sql "SELECT count(*) FROM users")" = 1 &&
	test "$(db_sql "SELECT action || $q $q || version FROM ferry_history ORDER BY id")" = "stamp 1
up 2
up 3"
'

test_expect_success 'a later --baseline is ignored: the ledger has rows' '
	ferry -d "$DB_URL" up --baseline 1 >out 2>err &&
	test_must_be_empty err &&
	grep "^nothing to do" out
'

# (On PostgreSQL every other script starts on a new, empty database.)
test_expect_success 'a new SQLite file is not refused' '
	if test $ENGINE = sqlite; then
		ferry -d sqlite:fresh.db up >out 2>err &&
		grep "^applied 3 migrations" out
	fi
'

test_expect_success 'bootstrap keeps its own refusal' '
	db_sql "CREATE TABLE extra (id int)" &&
	test_expect_code 5 ferry -d "$DB_URL" bootstrap >out 2>err &&
	grep "^ferry: error: database is not empty" err
'

test_done
