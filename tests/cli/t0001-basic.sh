#!/bin/sh
test_description='ferry runs, helps and refuses unknown commands'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'version' '
	echo "ferry 0.1.0" >expect &&
	ferry version >out 2>err &&
	sed -n 1p out >actual &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	ferry --version >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	ferry -V >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	ferry -q -V >actual &&
	test_cmp expect actual
'

test_expect_success 'version needs no database, no migrations and no ferry.conf' '
	ferry version >expect &&
	echo "this is not a configuration" >ferry.conf &&
	ferry version >actual &&
	test_cmp expect actual &&
	test_path_is_missing migrations
'

test_expect_success 'an unknown command suggests the nearest one' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'stauts'"'"' is not a ferry command
	hint: did you mean '"'"'status'"'"'?
	EOF
	test_expect_code 2 ferry stauts >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out
'

test_expect_success 'an unknown command after global options suggests too' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'lsit'"'"' is not a ferry command
	hint: did you mean '"'"'list'"'"'?
	EOF
	test_expect_code 2 ferry -d "$DB_URL" --dir migrations lsit 2>actual &&
	test_cmp expect actual
'

test_expect_success 'an unknown command with nothing near it gets no suggestion' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'frobnicate'"'"' is not a ferry command
	hint: try '"'"'ferry --help'"'"' for the list of commands
	EOF
	test_expect_code 2 ferry frobnicate 2>actual &&
	test_cmp expect actual
'

test_expect_success 'ferry help with an unknown command suggests like ferry does' '
	test_expect_code 2 ferry stauts 2>expect &&
	test_expect_code 2 ferry help stauts >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out
'

test_expect_success 'no command at all: usage on stderr, exit 2' '
	test_expect_code 2 ferry >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	echo "usage: ferry [global options] <command> [options]" >expect &&
	test_cmp expect actual &&
	grep "^Commands:" err
'

test_expect_success 'an unknown command touches no database' '
	db_snapshot before &&
	test_expect_code 2 ferry -d "$DB_URL" stauts 2>/dev/null &&
	db_snapshot after &&
	test_cmp before after
'

test_done
