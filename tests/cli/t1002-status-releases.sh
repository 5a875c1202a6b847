#!/bin/sh
test_description='ferry status and list with a releases file'
. "$(dirname "$0")/test-lib.sh"

release_line() {
	ferry -d "$DB_URL" status >out &&
	grep "^release " out >actual &&
	echo "release     $1" >expect &&
	test_cmp expect actual
}

test_expect_success 'setup' '
	use_fixture releases
'

test_expect_success 'every migration shows its release; the newest has none yet' '
	ferry -d "$DB_URL" status >out &&
	sed -n "/^STATE/,\$p" out >actual &&
	cat >expect <<-\EOF &&
	STATE    VERSION  NAME               RELEASE
	pending  1        create_users       1.0
	pending  2        create_orders      1.0
	pending  3        create_products    1.1
	pending  4        add_order_product  1.1
	pending  5        create_reviews     -
	EOF
	test_cmp expect actual &&
	release_line "none finished"
'

test_expect_success 'a release partly applied is in flight' '
	ferry -d "$DB_URL" -q up --to 1 &&
	release_line "none finished; 1.0 in flight"
'

test_expect_success 'a release wholly applied is finished' '
	ferry -d "$DB_URL" -q up --to 2 &&
	release_line "1.0 finished"
'

test_expect_success 'finished, and the next one in flight' '
	ferry -d "$DB_URL" -q up --to 3 &&
	release_line "1.0 finished; 1.1 in flight"
'

test_expect_success 'the last release finished' '
	ferry -d "$DB_URL" -q up --to 4 &&
	release_line "1.1 finished"
'

test_expect_success 'an unreleased migration applied: <last release>+1' '
	ferry -d "$DB_URL" -q up &&
	release_line "1.1 finished; 1.1+1 in flight"
'

test_expect_success 'two unreleased migrations applied: +2' '
	echo "CREATE TABLE wishlists (id integer);" >migrations/0006_create_wishlists.sql &&
	ferry -d "$DB_URL" -q up &&
	release_line "1.1 finished; 1.1+2 in flight"
'

test_expect_success 'once released, the release is finished' '
	echo "1.2 6" >>migrations/releases &&
	release_line "1.2 finished"
'

test_expect_success 'list shows the release of each migration' '
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK
	1  create_users  1.0  complete  TIME  N ms
	2  create_orders  1.0  complete  TIME  N ms
	3  create_products  1.1  complete  TIME  N ms
	4  add_order_product  1.1  complete  TIME  N ms
	5  create_reviews  1.2  complete  TIME  N ms
	6  create_wishlists  1.2  complete  TIME  N ms
	EOF
	test_cmp expect actual
'

test_expect_success 'a release with a migration in state up is in flight, not finished' '
	cat >migrations/0007_rename_title.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE products ADD COLUMN name text;
	-- ferry:finish
	ALTER TABLE products DROP COLUMN title;
	EOF
	echo "1.3 7" >>migrations/releases &&
	ferry -d "$DB_URL" -q up &&
	release_line "1.2 finished; 1.3 in flight"
'

test_expect_success 'a bad releases file is an error with file:line' '
	cp migrations/releases saved &&
	echo "2.0 99" >>migrations/releases &&
	cat >expect <<-\EOF &&
	ferry: error: migrations/releases:6: release '"'"'2.0'"'"' ends at version 99, but no migration has that version
	hint: a release ends at the version of its newest migration file
	EOF
	test_expect_code 2 ferry -d "$DB_URL" status >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	cp saved migrations/releases
'

test_done
