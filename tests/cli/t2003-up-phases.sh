#!/bin/sh
test_description='ferry up runs up sections only: a migration with a finish section stays up'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	use_fixture phases
'

test_expect_success 'up applies the up section and leaves the finish section' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0001_create_users ... ok (N ms)
	up     0002_add_email ... ok (N ms)
	up     0003_create_orders ... ok (N ms)
	applied 3 migrations; database at 3
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id, name, legacy_mail, email FROM users" >actual &&
	echo "1|ada|ada@old.example|ada@old.example" >expect &&
	test_cmp expect actual
'

test_expect_success 'the ledger: state up, with the finish checksum and no finish time' '
	fin=$(printf "ALTER TABLE users DROP COLUMN legacy_mail;\n" | sha256sum | cut -d " " -f 1) &&
	db_sql "SELECT version, state, finish_checksum, finish_at, finish_ms FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-EOF &&
	1|complete|||
	2|up|$fin||
	3|complete|||
	EOF
	test_cmp expect actual
'

test_expect_success 'status counts it as up, waiting for finish' '
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out &&
	sed -n "4p; /^STATE/,\$p" out >actual &&
	cat >expect <<-\EOF &&
	migrations  2 complete, 1 up (finish pending), 0 pending
	STATE  VERSION  NAME       RELEASE  NOTE
	up     2        add_email  -        finish pending
	EOF
	test_cmp expect actual
'

test_expect_success 'list notes the finish pending' '
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	grep "^2  add_email  -  up  TIME  N ms  finish pending$" actual
'

test_expect_success 'up again does not run the finish section' '
	ferry -d "$DB_URL" up >actual &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT legacy_mail FROM users" >actual &&
	echo "ada@old.example" >expect &&
	test_cmp expect actual
'

test_expect_success 'editing the waiting finish section is not drift' '
	sed "s/DROP COLUMN legacy_mail;/DROP COLUMN legacy_mail; -- at last/" \
		"$FIXTURES/phases/0002_add_email.sql" >migrations/0002_add_email.sql &&
	ferry -d "$DB_URL" status >out &&
	grep "^drift       none$" out &&
	cp "$FIXTURES/phases/0002_add_email.sql" migrations/
'

test_expect_success 'editing the applied up section is drift' '
	sed "s/UPDATE users SET email = legacy_mail;/UPDATE users SET email = lower(legacy_mail);/" \
		"$FIXTURES/phases/0002_add_email.sql" >migrations/0002_add_email.sql &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       2 (changed after applied)$" out &&
	cp "$FIXTURES/phases/0002_add_email.sql" migrations/
'

test_done
