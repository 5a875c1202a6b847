#!/bin/sh
test_description='ferry up --to: a version or a release'
. "$(dirname "$0")/test-lib.sh"

applied() {
	db_sql "SELECT version FROM ferry_migrations ORDER BY version" >actual &&
	printf "%s\n" "$@" >expect &&
	test_cmp expect actual
}

test_expect_success 'setup' '
	use_fixture releases
'

test_expect_success 'up --to VERSION stops after that version' '
	ferry -d "$DB_URL" up --to 1 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0001_create_users ... ok (N ms)
	applied 1 migration; database at 1 (release 1.0)
	EOF
	test_cmp expect actual &&
	applied 1
'

test_expect_success 'up --to RELEASE applies the rest of that release' '
	ferry -d "$DB_URL" up --to 1.1 >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0002_create_orders ... ok (N ms)
	up     0003_create_products ... ok (N ms)
	up     0004_add_order_product ... ok (N ms)
	applied 3 migrations; database at 4 (release 1.1)
	EOF
	test_cmp expect actual &&
	applied 1 2 3 4
'

test_expect_success 'up --to a version already applied has nothing to do' '
	ferry -d "$DB_URL" up --to 2 >actual &&
	echo "nothing to do: every migration up to 2 is applied" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" up --to=1.0 >actual &&
	echo "nothing to do: every migration up to 1.0 is applied" >expect &&
	test_cmp expect actual &&
	applied 1 2 3 4
'

test_expect_success 'up --to an unknown version or release' '
	db_snapshot before &&
	for t in 6 1.2 latest; do
		cat >expect <<-EOF &&
		ferry: error: no migration or release '"'"'$t'"'"'
		hint: '"'"'ferry list'"'"' shows the versions and releases of this set
		EOF
		test_expect_code 2 ferry -d "$DB_URL" up --to $t >out 2>actual &&
		test_must_be_empty out &&
		test_cmp expect actual || return 1
	done &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'up --to a version with leading zeros' '
	echo "CREATE TABLE wishlists (id integer);" >migrations/0006_create_wishlists.sql &&
	ferry -d "$DB_URL" up --to 0005 >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0005_create_reviews ... ok (N ms)
	applied 1 migration; database at 5
	EOF
	test_cmp expect actual &&
	applied 1 2 3 4 5
'

test_expect_success 'up without --to goes all the way' '
	ferry -d "$DB_URL" -q up &&
	applied 1 2 3 4 5 6
'

test_done
