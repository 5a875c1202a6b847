#!/bin/sh
test_description='options: unknown, missing values, stray arguments, global options anywhere'
. "$(dirname "$0")/test-lib.sh"

# Usage errors exit 2, print nothing on stdout and touch no database.
expect_usage() {
	db_snapshot before.db &&
	test_expect_code 2 ferry "$@" >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after.db &&
	test_cmp before.db after.db
}

test_expect_success 'setup' '
	use_fixture basic
'

test_expect_success 'an unknown option of a command suggests the nearest one' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--exit-cod'"'"'
	hint: did you mean '"'"'--exit-code'"'"'? see '"'"'ferry status --help'"'"'
	EOF
	expect_usage -d "$DB_URL" status --exit-cod
'

test_expect_success 'a misspelt global option after the command is suggested too' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--josn'"'"'
	hint: did you mean '"'"'--json'"'"'? see '"'"'ferry list --help'"'"'
	EOF
	expect_usage -d "$DB_URL" list --josn
'

test_expect_success 'a misspelt global option before the command' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--jsn'"'"'
	hint: did you mean '"'"'--json'"'"'? see '"'"'ferry --help'"'"'
	EOF
	expect_usage --jsn -d "$DB_URL" status
'

test_expect_success 'an unknown option with nothing near it' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--xyzzy'"'"'
	hint: try '"'"'ferry up --help'"'"'
	EOF
	expect_usage -d "$DB_URL" up --xyzzy
'

test_expect_success 'an unknown option before any command' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--bogus'"'"'
	hint: try '"'"'ferry --help'"'"'
	EOF
	expect_usage --bogus status
'

test_expect_success 'an unknown short option' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'-x'"'"'
	hint: try '"'"'ferry up --help'"'"'
	EOF
	expect_usage -d "$DB_URL" up -x
'

test_expect_success 'an option of another command is unknown here' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--checkpoint'"'"'
	hint: try '"'"'ferry up --help'"'"'
	EOF
	expect_usage -d "$DB_URL" up --checkpoint
'

test_expect_success 'an option missing its value' '
	cat >expect <<-\EOF &&
	ferry: error: option '"'"'--to'"'"' needs a value (TARGET)
	hint: try '"'"'ferry up --help'"'"'
	EOF
	expect_usage -d "$DB_URL" up --to
'

test_expect_success 'a global option missing its value, before and after the command' '
	cat >expect <<-\EOF &&
	ferry: error: option '"'"'-d'"'"' needs a value (URL)
	hint: try '"'"'ferry --help'"'"'
	EOF
	expect_usage -d &&
	cat >expect <<-\EOF &&
	ferry: error: option '"'"'--dir'"'"' needs a value (DIR)
	hint: try '"'"'ferry status --help'"'"'
	EOF
	expect_usage -d "$DB_URL" status --dir
'

test_expect_success 'a flag given a value' '
	cat >expect <<-\EOF &&
	ferry: error: option '"'"'--json'"'"' takes no value
	hint: try '"'"'ferry status --help'"'"'
	EOF
	expect_usage -d "$DB_URL" status --json=yes
'

test_expect_success 'an unexpected argument' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'status'"'"' takes no arguments
	hint: try '"'"'ferry status --help'"'"'
	EOF
	expect_usage -d "$DB_URL" status now &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'list'"'"' takes no arguments
	hint: try '"'"'ferry list --help'"'"'
	EOF
	expect_usage -d "$DB_URL" list all &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'history'"'"' takes no arguments
	hint: try '"'"'ferry history --help'"'"'
	EOF
	expect_usage -d "$DB_URL" history 10 &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'version'"'"' takes no arguments
	hint: try '"'"'ferry version --help'"'"'
	EOF
	expect_usage version 2
'

test_expect_success 'up with a version as an argument points at --to' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'up'"'"' takes no arguments; to stop at a version, use --to 2
	hint: try '"'"'ferry up --help'"'"'
	EOF
	expect_usage -d "$DB_URL" up 2
'

test_expect_success 'history --limit needs a positive number' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'--limit'"'"' needs a positive number, not '"'"'0'"'"'
	hint: try '"'"'ferry history --help'"'"'
	EOF
	expect_usage -d "$DB_URL" history --limit 0 &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'--limit'"'"' needs a positive number, not '"'"'ten'"'"'
	hint: try '"'"'ferry history --help'"'"'
	EOF
	expect_usage -d "$DB_URL" history -n ten
'

test_expect_success 'an invalid lock timeout' '
	cat >expect <<-\EOF &&
	ferry: error: invalid lock timeout '"'"'soon'"'"'; give seconds, e.g. 30, 30s, 500ms or 2m
	hint: try '"'"'ferry status --help'"'"'
	EOF
	expect_usage -d "$DB_URL" status --lock-timeout soon
'

test_expect_success 'global options before the command' '
	ferry -d "$DB_URL" --dir migrations -q up >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	db_tables >actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	orders
	users
	EOF
	test_cmp expect actual
'

test_expect_success 'global options after the command, and --name=value' '
	ferry list --database="$DB_URL" --dir=migrations >expect &&
	ferry -d "$DB_URL" --dir migrations list >actual &&
	test_cmp expect actual &&
	ferry list -d "$DB_URL" --dir migrations >actual &&
	test_cmp expect actual &&
	grep "^3  *seed_users  *-  *complete " actual
'

test_expect_success 'short options: -dURL and bundled flags' '
	ferry "-d$DB_URL" -qy up >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	ferry "-d$DB_URL" list >actual &&
	ferry -d "$DB_URL" list >expect &&
	test_cmp expect actual
'

test_expect_success '-- ends the options' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'status'"'"' takes no arguments
	hint: try '"'"'ferry status --help'"'"'
	EOF
	expect_usage -d "$DB_URL" status -- --json
'

test_expect_success 'no database given' '
	cat >expect <<-\EOF &&
	ferry: error: no database given
	hint: pass -d URL, set DATABASE_URL, or write '"'"'database = URL'"'"' in ferry.conf
	EOF
	expect_usage status
'

test_done
