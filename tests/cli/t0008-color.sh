#!/bin/sh
test_description='colour only on a terminal, never with --no-color or NO_COLOR'
. "$(dirname "$0")/test-lib.sh"

esc=$(printf '\033')

has_color() {
	grep -q "$esc" "$1" || { echo "no colour in '$1':" >&2; cat "$1" >&2; return 1; }
}

no_color() {
	! grep -q "$esc" "$1" || { echo "colour in '$1':" >&2; cat -v "$1" >&2; return 1; }
}

test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up --to 2
'

test_expect_success 'a terminal gets colour' '
	test_tty out env -u NO_COLOR TERM=xterm ferry -d "$DB_URL" list &&
	has_color out &&
	grep "${esc}\[32mcomplete${esc}\[0m" out &&
	sed "s/${esc}\[[0-9;]*m//g" out >actual &&
	ferry -d "$DB_URL" list >expect &&
	test_cmp expect actual
'

test_expect_success 'errors on a terminal are coloured too' '
	cp migrations/0003_seed_users.sql saved &&
	echo "INSERT INTO nowhere (id) VALUES (1);" >migrations/0003_seed_users.sql &&
	test_expect_code 1 test_tty out env -u NO_COLOR TERM=xterm ferry -d "$DB_URL" up &&
	grep "${esc}\[31m${esc}\[1mferry: error:${esc}\[0m migration" out &&
	cp saved migrations/0003_seed_users.sql
'

test_expect_success 'no colour on a terminal with --no-color' '
	test_tty out env -u NO_COLOR TERM=xterm ferry -d "$DB_URL" --no-color list &&
	no_color out &&
	grep "^1  *create_users  *-  *complete" out &&
	test_tty out env -u NO_COLOR TERM=xterm ferry -d "$DB_URL" status --no-color &&
	no_color out
'

test_expect_success 'no colour on a terminal with NO_COLOR' '
	test_tty out env NO_COLOR=1 TERM=xterm ferry -d "$DB_URL" list &&
	no_color out &&
	grep "^1  *create_users  *-  *complete" out &&
	test_tty out env NO_COLOR=1 TERM=xterm ferry -d "$DB_URL" history &&
	no_color out
'

test_expect_success 'an empty NO_COLOR does not count' '
	test_tty out env NO_COLOR= TERM=xterm ferry -d "$DB_URL" list &&
	has_color out
'

test_expect_success 'no colour on a dumb terminal' '
	test_tty out env -u NO_COLOR TERM=dumb ferry -d "$DB_URL" list &&
	no_color out
'

test_expect_success 'no colour when stdout and stderr are not a terminal' '
	for cmd in status list history; do
		env -u NO_COLOR TERM=xterm "$FERRY" -d "$DB_URL" $cmd >out 2>err &&
		no_color out &&
		test_must_be_empty err || return 1
	done &&
	echo "INSERT INTO nowhere (id) VALUES (1);" >migrations/0003_seed_users.sql &&
	test_expect_code 1 env -u NO_COLOR TERM=xterm "$FERRY" -d "$DB_URL" up >out 2>err &&
	no_color out &&
	no_color err &&
	grep "^ferry: error: migration" err
'

test_expect_success '--color=always colours a file, for CI logs' '
	env -u NO_COLOR "$FERRY" -d "$DB_URL" --color=always list >out &&
	has_color out &&
	env -u NO_COLOR "$FERRY" -d "$DB_URL" list --color always >out &&
	has_color out
'

test_expect_success '--color=never and --color=auto on a terminal' '
	test_tty out env -u NO_COLOR TERM=xterm ferry -d "$DB_URL" --color=never list &&
	no_color out &&
	test_tty out env -u NO_COLOR TERM=xterm ferry -d "$DB_URL" --color=auto list &&
	has_color out &&
	env -u NO_COLOR "$FERRY" -d "$DB_URL" --color=auto list >out &&
	no_color out
'

test_expect_success 'the last of --color and --no-color counts' '
	env -u NO_COLOR "$FERRY" -d "$DB_URL" --no-color list --color=always >out &&
	has_color out &&
	env -u NO_COLOR "$FERRY" -d "$DB_URL" --color=always list --no-color >out &&
	no_color out
'

test_expect_success 'CLICOLOR_FORCE and FORCE_COLOR colour a file' '
	env -u NO_COLOR CLICOLOR_FORCE=1 "$FERRY" -d "$DB_URL" list >out &&
	has_color out &&
	env -u NO_COLOR FORCE_COLOR=1 "$FERRY" -d "$DB_URL" list >out &&
	has_color out &&
	env -u NO_COLOR FORCE_COLOR=1 "$FERRY" -d "$DB_URL" stauts >out 2>err;
	test $? = 2 &&
	has_color err
'

test_expect_success 'FORCE_COLOR=0 or empty does not force' '
	env -u NO_COLOR FORCE_COLOR=0 CLICOLOR_FORCE= "$FERRY" -d "$DB_URL" list >out &&
	no_color out
'

test_expect_success 'NO_COLOR beats FORCE_COLOR; the option beats both' '
	env NO_COLOR=1 FORCE_COLOR=1 CLICOLOR_FORCE=1 "$FERRY" -d "$DB_URL" list >out &&
	no_color out &&
	env NO_COLOR=1 "$FERRY" -d "$DB_URL" --color=always list >out &&
	has_color out &&
	env -u NO_COLOR FORCE_COLOR=1 "$FERRY" -d "$DB_URL" --color=never list >out &&
	no_color out
'

test_expect_success 'an unknown --color is a usage error' '
	cat >expect <<-\EOF &&
	ferry: error: invalid --color '"'"'sometimes'"'"'; give auto, always or never
	hint: try '"'"'ferry --help'"'"'
	EOF
	test_expect_code 2 ferry -d "$DB_URL" --color=sometimes list >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out
'

test_done
