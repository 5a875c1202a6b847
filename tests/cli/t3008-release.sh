#!/bin/sh
test_description='ferry release R [--checkpoint]: tag the current head in <dir>/releases'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 1: `ferry release 2.1.0 [--checkpoint]` appends a line
# `<release> <last-version> [checkpoint]` for the current head. README: a
# release name is not all digits, so that --to can tell it from a version.
# Its help: does not open the database.

# refused CODE CMD...: exit CODE, nothing on stdout, ./expect on stderr,
# migrations/releases as it was (or still missing).
refused() {
	code=$1 &&
	shift &&
	if test -f migrations/releases; then
		cp migrations/releases releases.before
	else
		echo missing >releases.before
	fi &&
	test_expect_code "$code" "$@" >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	if test -f migrations/releases; then
		test_cmp releases.before migrations/releases
	else
		echo missing >releases.after &&
		test_cmp releases.before releases.after
	fi
}

test_expect_success 'no migration at all: nothing to tag (exit 2)' '
	mkdir migrations &&
	cat >expect <<-\EOF &&
	ferry: error: no migrations in '"'"'migrations'"'"'
	hint: write the first one with '"'"'ferry new NAME'"'"'
	EOF
	refused 2 ferry release 1.0 &&
	test_path_is_missing migrations/releases
'

test_expect_success 'the first release creates the file with one line' '
	echo "CREATE TABLE a (id integer);" >migrations/10_a.sql &&
	echo "CREATE TABLE b (id integer);" >migrations/20_b.sql &&
	ferry release 1.0 >actual 2>err &&
	echo "release 1.0 ends at 20_b; written to migrations/releases" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	echo "1.0 20" >expect &&
	test_cmp expect migrations/releases
'

test_expect_success 'the same name again: refused (exit 2)' '
	echo "CREATE TABLE c (id integer);" >migrations/30_c.sql &&
	cat >expect <<-\EOF &&
	ferry: error: release '"'"'1.0'"'"' already exists
	hint: it ends at version 20; pick a new name
	EOF
	refused 2 ferry release 1.0
'

test_expect_success '--checkpoint appends the word' '
	ferry release 1.1 --checkpoint >actual 2>err &&
	echo "release 1.1 ends at 30_c (checkpoint); written to migrations/releases" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	printf "1.0 20\n1.1 30 checkpoint\n" >expect &&
	test_cmp expect migrations/releases
'

test_expect_success 'no migration since the last release: a patch release, ending where it does' '
	ferry release 1.1.1 >actual 2>err &&
	echo "release 1.1.1 ends at 30_c, as 1.1 does: no new migration; written to migrations/releases" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	printf "1.0 20\n1.1 30 checkpoint\n1.1.1 30\n" >expect &&
	test_cmp expect migrations/releases &&
	ferry release 1.1.2 --json >out &&
	test_json out ".new_migrations == false" &&
	printf "1.0 20\n1.1 30 checkpoint\n" >migrations/releases
'

test_expect_success 'invalid names: digits alone, a space, a slash, empty (exit 2)' '
	echo "CREATE TABLE d (id integer);" >migrations/40_d.sql &&
	for name in 12 "a b" a/b "" "#1" 2.0: ; do
		cat >expect <<-EOF &&
		ferry: error: invalid release name '"'"'$name'"'"'
		hint: use letters, digits, '"'"'.'"'"', '"'"'_'"'"', '"'"'-'"'"' and '"'"'+'"'"', not digits alone (those are versions)
		EOF
		refused 2 ferry release "$name" || return 1
	done
'

test_expect_success 'a name of every allowed kind of character' '
	ferry release v2.0.0-rc_1+b7 >actual 2>err &&
	echo "release v2.0.0-rc_1+b7 ends at 40_d; written to migrations/releases" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	tail -n 1 migrations/releases >actual &&
	echo "v2.0.0-rc_1+b7 40" >expect &&
	test_cmp expect actual
'

test_expect_success 'the set reads the lines back: plan shows releases and checkpoints' '
	ferry -d "$DB_URL" plan --json >out &&
	jq -r ".[] | \"\(.version) \(.release) \(.checkpoint)\"" out >actual &&
	cat >expect <<-\EOF &&
	10 1.0 false
	20 1.0 false
	30 1.1 true
	40 v2.0.0-rc_1+b7 false
	EOF
	test_cmp expect actual
'

test_expect_success 'comments and blank lines stay; the line is appended' '
	printf "# our releases\n\n1.0 20   # first\n1.1 30 checkpoint\n" >migrations/releases &&
	echo "CREATE TABLE e (id integer);" >migrations/50_e.sql &&
	ferry release 2.0 >out &&
	printf "# our releases\n\n1.0 20   # first\n1.1 30 checkpoint\n2.0 50\n" >expect &&
	test_cmp expect migrations/releases
'

test_expect_success 'release --json' '
	echo "CREATE TABLE f (id integer);" >migrations/60_f.sql &&
	ferry release 3.0 --checkpoint --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ". == {\"release\": \"3.0\", \"last_version\": \"60\", \"checkpoint\": true, \"new_migrations\": true}" &&
	tail -n 1 migrations/releases >actual &&
	echo "3.0 60 checkpoint" >expect &&
	test_cmp expect actual
'

test_expect_success 'a file without a final newline: the new line goes on a line of its own' '
	printf "1.0 20\n1.1 30 checkpoint" >migrations/releases &&
	echo "CREATE TABLE g (id integer);" >migrations/70_g.sql &&
	ferry release 4.0 >out 2>err &&
	test_must_be_empty err &&
	printf "1.0 20\n1.1 30 checkpoint\n4.0 70\n" >expect &&
	test_cmp expect migrations/releases
'

test_expect_success 'release does not open the database' '
	printf "1.0 20\n" >migrations/releases &&
	ferry -d "postgres://nobody:pw@127.0.0.1:1/none?connect_timeout=1" release 4.0 >actual 2>err &&
	test_must_be_empty err &&
	echo "release 4.0 ends at 70_g; written to migrations/releases" >expect &&
	test_cmp expect actual &&
	printf "1.0 20\n4.0 70\n" >expect &&
	test_cmp expect migrations/releases
'

test_expect_success '--dir: the releases file of that directory' '
	mkdir -p app/db &&
	echo "CREATE TABLE h (id integer);" >app/db/5_h.sql &&
	ferry --dir app/db release 0.1 >actual 2>err &&
	test_must_be_empty err &&
	echo "release 0.1 ends at 5_h; written to app/db/releases" >expect &&
	test_cmp expect actual &&
	echo "0.1 5" >expect &&
	test_cmp expect app/db/releases
'

test_expect_success 'usage: no name, two names (exit 2)' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'release'"'"' takes one release name
	hint: try '"'"'ferry release --help'"'"'
	EOF
	refused 2 ferry release &&
	refused 2 ferry release 5.0 6.0
'

test_expect_success 'a patch release: status names it, check --release answers as for the one it follows' '
	mkdir patch &&
	echo "CREATE TABLE pa (id integer);" >patch/1_a.sql &&
	printf -- "-- ferry:up\nCREATE TABLE pb (id integer);\n" >patch/2_b.sql &&
	printf "1.0 2\n" >patch/releases &&
	ferry --dir patch release 1.0.1 >out &&
	printf -- "-- ferry:up\nCREATE TABLE pc (id integer);\n-- ferry:finish\nDROP TABLE pa;\n" >patch/3_c.sql &&
	ferry -d "$DB_URL" --dir patch -q up &&
	ferry -d "$DB_URL" --dir patch status >out &&
	grep "^release     1.0.1 finished; 1.0.1+1 in flight$" out &&
	ferry -d "$DB_URL" --dir patch check --release 1.0.1 &&
	ferry -d "$DB_URL" --dir patch -q finish &&
	test_expect_code 3 ferry -d "$DB_URL" --dir patch check --release 1.0 >out 2>err &&
	test_expect_code 3 ferry -d "$DB_URL" --dir patch check --release 1.0.1 >out 2>err.patch &&
	sed "s/1\.0\.1/1.0/g" err.patch >actual &&
	test_cmp err actual
'

test_done
