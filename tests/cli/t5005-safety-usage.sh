#!/bin/sh
test_description='usage errors: unknown URL scheme, flag, command; exit 2, nothing touched'
. "$(dirname "$0")/test-lib.sh"

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# fails_cleanly CODE CMD...: CMD exits CODE, prints nothing on stdout and
# exactly ./expect on stderr, and leaves the database byte for byte as it
# was (and no file appears beside it).
fails_cleanly() {
	_code=$1
	shift
	db_snapshot db.before &&
	ls >files.before &&
	test_expect_code "$_code" "$@" >out 2>err &&
	ls >files.after &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect err &&
	test_cmp db.before db.after &&
	test_cmp files.before files.after
}

test_expect_success 'setup: one migration applied, one pending' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY);
	EOF
	ferry -d "$DB_URL" up >out &&
	cat >migrations/2_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);
	EOF
	: >out && : >err && : >files.before && : >files.after &&
	: >db.before && : >db.after && : >expect
'

test_expect_success 'an unknown URL scheme' '
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'mysql'"'"'
	hint: use '"'"'sqlite:PATH'"'"', a path ending in '"'"'.db'"'"', '"'"'postgres://user@host/dbname'"'"' or '"'"'host=... dbname=...'"'"'
	EOF
	fails_cleanly 2 ferry -d mysql://app@localhost/app up &&
	fails_cleanly 2 ferry -d mysql://app@localhost/app status
'

test_expect_success 'an unknown URL scheme from DATABASE_URL' '
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'mongodb'"'"'
	hint: use '"'"'sqlite:PATH'"'"', a path ending in '"'"'.db'"'"', '"'"'postgres://user@host/dbname'"'"' or '"'"'host=... dbname=...'"'"'
	EOF
	(
		DATABASE_URL=mongodb://localhost/app &&
		export DATABASE_URL &&
		fails_cleanly 2 ferry up
	)
'

test_expect_success 'a path that names no database kind' '
	cat >expect <<-\EOF &&
	ferry: error: cannot tell which database '"'"'app.data'"'"' is
	hint: use '"'"'sqlite:PATH'"'"', a path ending in '"'"'.db'"'"', '"'"'postgres://user@host/dbname'"'"' or '"'"'host=... dbname=...'"'"'
	EOF
	fails_cleanly 2 ferry -d app.data up &&
	test_path_is_missing app.data
'

test_expect_success 'an unknown flag' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--frobnicate'"'"'
	hint: try '"'"'ferry up --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up --frobnicate
'

test_expect_success 'a misspelt flag gets a suggestion' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--allow-out-of-ordr'"'"'
	hint: did you mean '"'"'--allow-out-of-order'"'"'? see '"'"'ferry up --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up --allow-out-of-ordr
'

test_expect_success 'an unknown short flag' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'-Z'"'"'
	hint: try '"'"'ferry up --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up -Z
'

test_expect_success 'an unknown flag before the command' '
	cat >expect <<-\EOF &&
	ferry: error: unknown option '"'"'--frobnicate'"'"'
	hint: try '"'"'ferry --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" --frobnicate up
'

test_expect_success 'a flag given a value it does not take' '
	cat >expect <<-\EOF &&
	ferry: error: option '"'"'--allow-out-of-order'"'"' takes no value
	hint: try '"'"'ferry up --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up --allow-out-of-order=yes
'

test_expect_success 'a bad lock timeout' '
	cat >expect <<-\EOF &&
	ferry: error: invalid lock timeout '"'"'soon'"'"'; give seconds, e.g. 30, 30s, 500ms or 2m
	hint: try '"'"'ferry up --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up --lock-timeout soon
'

test_expect_success 'a target that is neither a version nor a release' '
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'99'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up --to 99
'

test_expect_success 'an unknown command suggests status for stauts' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'stauts'"'"' is not a ferry command
	hint: did you mean '"'"'status'"'"'?
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" stauts
'

test_expect_success 'an unknown command suggests up for upp' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'upp'"'"' is not a ferry command
	hint: did you mean '"'"'up'"'"'?
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" upp
'

test_expect_success 'an unknown command like no other gets no suggestion' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'frobnicate'"'"' is not a ferry command
	hint: try '"'"'ferry --help'"'"' for the list of commands
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" frobnicate
'

test_expect_success 'up takes no arguments' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'up'"'"' takes no arguments; to stop at a version, use --to 2
	hint: try '"'"'ferry up --help'"'"'
	EOF
	fails_cleanly 2 ferry -d "$DB_URL" up 2
'

test_expect_success 'nothing was applied by any of it' '
	echo "1" >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	test_cmp expect actual
'

test_done
