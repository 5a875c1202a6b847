#!/bin/sh
test_description='-q: only errors'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	use_fixture basic
'

test_expect_success 'up -q applies and prints nothing' '
	ferry -d "$DB_URL" up -q --to 2 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	db_sql "SELECT version FROM ferry_migrations ORDER BY version" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual
'

test_expect_success '-q before the command, and --quiet' '
	ferry -q -d "$DB_URL" up >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	ferry --quiet -d "$DB_URL" up >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'without -q, the same up says there is nothing to do' '
	ferry -d "$DB_URL" up >actual 2>err &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'errors still show under -q, and nothing else' '
	cat >migrations/0004_broken.sql <<-\EOF &&
	-- ferry:up
	INSERT INTO users (id, name) VALUES (1, '"'"'again'"'"');
	EOF
	test_expect_code 1 ferry -d "$DB_URL" -q up >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	echo "ferry: error: migration '"'"'0004_broken'"'"' failed" >expect &&
	test_cmp expect actual &&
	tail -n 1 err >actual &&
	echo "hint: nothing of it was applied; fix it and run again" >expect &&
	test_cmp expect actual
'

test_expect_success 'usage errors still show under -q' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--xyzzy'"'"'
	hint: try '"'"'ferry up --help'"'"'
	EOF
	test_expect_code 2 ferry -q up --xyzzy 2>actual &&
	test_cmp expect actual
'

test_done
