#!/bin/sh
test_description='--help on ferry and on every command, and ferry help'
. "$(dirname "$0")/test-lib.sh"

commands="init new status list up history version help"
q="'"

test_expect_success 'ferry --help: usage, every command, the global options' '
	ferry --help >out 2>err &&
	test_must_be_empty err &&
	head -n 1 out >actual &&
	echo "usage: ferry [global options] <command> [options]" >expect &&
	test_cmp expect actual &&
	for c in $commands; do
		grep "^  $c  *[a-z]" out || return 1
	done &&
	for o in "-d, --database URL" "--dir DIR" "--config FILE" "--json" \
		"-q, --quiet" "--no-color" "-h, --help"; do
		grep -e "^  *$o  " out || return 1
	done &&
	grep "^Exit codes:" out
'

test_expect_success 'ferry -h and ferry help print the same as ferry --help' '
	ferry --help >expect &&
	ferry -h >actual &&
	test_cmp expect actual &&
	ferry help >actual &&
	test_cmp expect actual
'

test_expect_success '--help on every command: exit 0, its usage line, the global options' '
	for c in $commands; do
		ferry $c --help >out 2>err &&
		test_must_be_empty err &&
		head -n 1 out >actual &&
		grep "^usage: ferry $c\\( \\|\$\\)" actual &&
		grep "^Global options:" out &&
		grep "^  -h, --help  " out &&
		grep "^See ${q}ferry help $c${q} or ${q}man ferry-$c${q} for more\.\$" out || return 1
	done
'

test_expect_success 'each command lists its own options' '
	ferry up --help >out &&
	grep "^Options:" out &&
	grep "^      --to TARGET  " out &&
	grep "^      --allow-out-of-order  " out &&
	grep "^      --single-transaction  " out &&
	ferry status --help >out &&
	grep "^      --exit-code  " out &&
	ferry new --help >out &&
	grep "^      --seq  " out &&
	ferry history --help >out &&
	grep "^  -n, --limit N  " out
'

test_expect_success 'the usage lines' '
	cat >expect <<-\EOF &&
	usage: ferry init [--dir DIR] [--config FILE] [-d URL] [--json]
	usage: ferry new NAME [--seq] [--json]
	usage: ferry status [--exit-code] [--json]
	usage: ferry list [--json]
	usage: ferry up [--to TARGET] [--allow-out-of-order] [--single-transaction]
	usage: ferry history [--limit N] [--json]
	usage: ferry version [--json]
	usage: ferry help [COMMAND]
	EOF
	for c in $commands; do
		ferry $c --help | head -n 1 || return 1
	done >actual &&
	test_cmp expect actual
'

test_expect_success '-h is --help, wherever it stands' '
	ferry up --help >expect &&
	ferry up -h >actual &&
	test_cmp expect actual &&
	ferry up --to 5 --help >actual &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" up --help >actual &&
	test_cmp expect actual
'

test_expect_success 'ferry help COMMAND is its manual page, not COMMAND --help' '
	for c in $commands; do
		ferry $c --help >short &&
		ferry help $c >actual 2>err &&
		test_must_be_empty err &&
		! test_cmp short actual &&
		grep "^NAME\$" actual &&
		grep "^       ferry-$c - " actual || return 1
	done
'

test_expect_success '--help needs no database, no migrations and touches nothing' '
	db_snapshot before &&
	mkdir empty &&
	(
		cd empty &&
		for c in $commands; do
			ferry $c --help >/dev/null || exit 1
		done &&
		ls -A >../left
	) &&
	test_must_be_empty left &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success '--help wins over a broken ferry.conf and stray arguments' '
	echo "nonsense" >ferry.conf &&
	ferry status --help >actual &&
	ferry up extra --help >>actual &&
	grep "^usage: " actual >lines &&
	cat >expect <<-\EOF &&
	usage: ferry status [--exit-code] [--json]
	usage: ferry up [--to TARGET] [--allow-out-of-order] [--single-transaction]
	EOF
	test_cmp expect lines &&
	rm ferry.conf
'

test_expect_success 'ferry help takes one command' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'help'"'"' takes one command name
	hint: try '"'"'ferry help --help'"'"'
	EOF
	test_expect_code 2 ferry help up list >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out
'

# The global options a command lists are those that apply to it.
global_opts() {
	ferry "$1" --help | sed -n "/^Global options:/,/^\$/p" |
		sed -n "s/^  \(-., \)\{0,1\} *--\([a-z-]*\).*/\2/p"
}

test_expect_success 'each command lists only the global options that apply to it' '
	global_opts version >actual &&
	printf "%s\n" json quiet verbose color no-color help >expect &&
	test_cmp expect actual &&
	global_opts new >actual &&
	printf "%s\n" dir format config env json quiet verbose color \
		no-color help >expect &&
	test_cmp expect actual &&
	global_opts up >actual &&
	grep "^database$" actual && grep "^backup$" actual &&
	grep "^lock-timeout$" actual && grep "^yes$" actual &&
	global_opts status >actual &&
	grep "^database$" actual && ! grep "^backup$" actual &&
	! grep "^yes$" actual &&
	global_opts history >actual &&
	! grep "^dir$" actual && grep "^database$" actual &&
	global_opts lint >actual &&
	! grep "^database$" actual && grep "^dir$" actual &&
	global_opts init >actual &&
	grep "^database$" actual && ! grep "^lock-timeout$" actual
'

test_expect_success 'the overview lists every global option, and -V' '
	ferry --help >out &&
	grep "^  -d, --database URL  " out &&
	grep "^      --backup  " out &&
	grep "^  -V, --version  " out
'

test_expect_success 'a global option that does not apply is accepted and ignored' '
	ferry -d sqlite:nowhere.db --lock-timeout 5 version >out &&
	grep "^ferry " out &&
	test_path_is_missing nowhere.db &&
	ferry version --backup --table x >out &&
	grep "^ferry " out
'

test_done
