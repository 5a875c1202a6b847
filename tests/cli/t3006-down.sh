#!/bin/sh
test_description='ferry down: revert migrations newest first, --to or --steps, --force, --yes'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: down --to V | --steps N reverts migrations newest first;
# one whose finish already ran needs --force, since finish drops data;
# destructive commands never run without --yes when standard input is not
# a terminal. Its help: --to keeps this version or release and older, 0
# reverts all; anything that cannot be reverted is refused (exit 5) before
# anything runs.

# refuses CMD...: exit 5, nothing on stdout, exactly ./expect on stderr,
# the database byte for byte as it was.
refuses() {
	db_snapshot db.before &&
	test_expect_code 5 "$@" >out 2>actual &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

# usage MESSAGE CMD...: exit 2, nothing on stdout, the message and the hint.
# (The tests of usage errors compare the database once, after them all.)
usage() {
	printf "ferry: error: %s\nhint: try 'ferry down --help'\n" "$1" >expect &&
	shift &&
	test_expect_code 2 "$@" >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
}

refuses_with() {
	code=$1 &&
	shift &&
	db_snapshot db.before &&
	test_expect_code "$code" "$@" >out 2>actual &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

applied() {
	db_sql "SELECT version FROM ferry_migrations ORDER BY version" | tr "\n" " " &&
	echo
}

test_expect_success 'setup: five migrations, 2 has a finish section; all finished' '
	use_fixture expand &&
	cat >migrations/3_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY);
	-- ferry:down
	DROP TABLE orders;
	EOF
	cat >migrations/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:down
	ALTER TABLE orders DROP COLUMN total;
	EOF
	cat >migrations/5_items.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE items (id integer PRIMARY KEY);
	-- ferry:down
	DROP TABLE items;
	EOF
	printf "1.0 2\n2.0 4\n" >migrations/releases &&
	ferry -d "$DB_URL" migrate >out &&
	echo "1 2 3 4 5 " >expect &&
	applied >actual &&
	test_cmp expect actual
'

# no_yes QUESTION CMD...: refused for want of --yes (exit 5): nothing on
# stdout, the question and the hint on stderr, the database unchanged.
no_yes() {
	printf "ferry: error: %s: refused without --yes\n%s\n" "$1" \
		"hint: standard input is not a terminal, so nobody can answer; add --yes if you mean it" >expect &&
	shift &&
	refuses "$@"
}

test_expect_success 'without --yes, stdin not a terminal: refused (exit 5), naming what would go' '
	no_yes "revert 1 migration (5_items)" ferry -d "$DB_URL" down --steps 1 </dev/null &&
	no_yes "revert 2 migrations (5_items and older)" ferry -d "$DB_URL" down --steps 2 </dev/null &&
	no_yes "revert 3 migrations (5_items and older)" ferry -d "$DB_URL" down --to 1.0 </dev/null
'

test_expect_success 'without --yes, --force does not help' '
	no_yes "revert 5 migrations (5_items and older)" ferry -d "$DB_URL" down --to 0 --force </dev/null
'

test_expect_success 'a refusal comes before the question: a finished migration without --force' '
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'2_email'"'"' is finished: its finish section ran and may have dropped data
	hint: its down section cannot bring that back; revert it anyway with --force, after a backup
	EOF
	refuses ferry -d "$DB_URL" down --steps 4 </dev/null
'

test_expect_success 'nothing in range: nothing to ask, exit 0' '
	db_snapshot before &&
	ferry -d "$DB_URL" down --to 5 </dev/null >actual 2>err &&
	echo "nothing to do: no applied migration is in range" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'an unknown target, without --yes: exit 2, not a question' '
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'1.5'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	refuses_with 2 ferry -d "$DB_URL" down --to 1.5 </dev/null
'

test_expect_success 'on a terminal it asks; no answer is no' '
	db_snapshot db.before &&
	test_expect_code 5 test_tty tty.out ferry -d "$DB_URL" down --steps 1 &&
	echo "revert 1 migration (5_items)? [y/N] ferry: error: revert 1 migration (5_items): not confirmed, nothing changed" >expect &&
	test_cmp expect tty.out &&
	db_snapshot db.after &&
	test_cmp db.before db.after
'

test_expect_success 'down --steps 1 --yes reverts the newest' '
	ferry -d "$DB_URL" down --steps 1 --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   5_items ... ok (N ms)
	reverted 1 migration; database at 4 (release 2.0)
	EOF
	test_cmp expect actual &&
	echo "1 2 3 4 " >expect &&
	applied >actual &&
	test_cmp expect actual &&
	db_tables >actual &&
	! grep "^items\$" actual
'

test_expect_success 'down --to a release at the database: nothing to do' '
	db_snapshot before &&
	ferry -d "$DB_URL" down --to 2.0 --yes </dev/null >actual 2>err &&
	echo "nothing to do: no applied migration is in range" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'down --to a version keeps it and those older' '
	ferry -d "$DB_URL" down --to 3 --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   4_total ... ok (N ms)
	reverted 1 migration; database at 3 (release 2.0)
	EOF
	test_cmp expect actual &&
	test_must_fail db_sql "SELECT total FROM orders" 2>/dev/null
'

test_expect_success 'down --to a release: every migration of the later releases' '
	ferry -d "$DB_URL" up >out &&
	ferry -d "$DB_URL" -y down --to 1.0 </dev/null >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   5_items ... ok (N ms)
	down   4_total ... ok (N ms)
	down   3_orders ... ok (N ms)
	reverted 3 migrations; database at 2 (release 1.0)
	EOF
	test_cmp expect actual &&
	echo "1 2 " >expect &&
	applied >actual &&
	test_cmp expect actual
'

test_expect_success 'the history has each down, newest first' '
	db_sql "SELECT action, version, success FROM ferry_history WHERE action = '"'"'down'"'"' ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	down|5|1
	down|4|1
	down|5|1
	down|4|1
	down|3|1
	EOF
	test_cmp expect actual
'

test_expect_success 'a finished migration needs --force: refused (exit 5), nothing reverted' '
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'2_email'"'"' is finished: its finish section ran and may have dropped data
	hint: its down section cannot bring that back; revert it anyway with --force, after a backup
	EOF
	refuses ferry -d "$DB_URL" down --steps 1 --yes </dev/null &&
	refuses ferry -d "$DB_URL" down --to 0 --yes </dev/null
'

test_expect_success 'down --to 0 --force --yes reverts everything' '
	ferry -d "$DB_URL" down --to 0 --force --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   2_email ... ok (N ms)
	down   1_users ... ok (N ms)
	reverted 2 migrations; no migration is applied
	EOF
	test_cmp expect actual &&
	db_tables >actual &&
	printf "ferry_history\nferry_migrations\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'with nothing applied: nothing to do' '
	ferry -d "$DB_URL" down --steps 3 --yes </dev/null >actual 2>err &&
	echo "nothing to do: no applied migration is in range" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'a migration up but not finished reverts without --force' '
	ferry -d "$DB_URL" up --to 2 >out &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 2" >actual &&
	echo up >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" down --steps 1 --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   2_email ... ok (N ms)
	reverted 1 migration; database at 1 (release 1.0)
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id, legacy FROM users" >actual &&
	test_must_be_empty actual &&
	test_must_fail db_sql "SELECT email FROM users" 2>/dev/null
'

test_expect_success '--steps beyond what is applied reverts what there is' '
	ferry -d "$DB_URL" up --to 4 >out &&
	ferry -d "$DB_URL" down --steps 10 --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	tail -n 1 out >actual &&
	echo "reverted 4 migrations; no migration is applied" >expect &&
	test_cmp expect actual
'

test_expect_success 'a migration without a down section in range: refused before anything runs' '
	ferry -d "$DB_URL" up >out &&
	cp migrations/3_orders.sql orders.sql &&
	cat >migrations/3_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: cannot revert migration '"'"'3_orders'"'"': it has no down section
	hint: add a '"'"'-- ferry:down'"'"' section that undoes its up section; nothing was reverted
	EOF
	refuses ferry -d "$DB_URL" down --to 2 --yes </dev/null &&
	echo "1 2 3 4 5 " >expect &&
	applied >actual &&
	test_cmp expect actual &&
	cp orders.sql migrations/3_orders.sql
'

test_expect_success 'down --json: one document, progress on stderr' '
	ferry -d "$DB_URL" down --steps 2 --yes --json </dev/null >out 2>err &&
	test_json out \
		"[.applied[] | .action + \" \" + .version] == [\"down 5\", \"down 4\"]" \
		".version == \"3\"" &&
	normalize <err >actual &&
	cat >expect <<-\EOF &&
	down   5_items ... ok (N ms)
	down   4_total ... ok (N ms)
	EOF
	test_cmp expect actual
'

test_expect_success 'usage: neither --to nor --steps (exit 2)' '
	db_snapshot db.usage &&
	usage "'"'"'down'"'"' needs either --to or --steps" ferry -d "$DB_URL" down --yes
'

test_expect_success 'usage: both --to and --steps (exit 2)' '
	usage "'"'"'down'"'"' needs either --to or --steps" ferry -d "$DB_URL" down --to 1 --steps 1 --yes
'

test_expect_success 'usage: --steps 0, abc, -1, 2x (exit 2)' '
	for n in 0 abc -1 2x; do
		usage "--steps needs a whole number of migrations, 1 or more, not '"'"'$n'"'"'" \
			ferry -d "$DB_URL" down --steps $n --yes || return 1
	done
'

test_expect_success 'usage: an argument, a missing value (exit 2)' '
	usage "'"'"'down'"'"' takes no arguments; use --to 2 or --steps N" ferry -d "$DB_URL" down 2 --yes &&
	usage "option '"'"'--steps'"'"' needs a value (N)" ferry -d "$DB_URL" down --steps &&
	db_snapshot db.after &&
	test_cmp db.usage db.after
'

test_expect_success 'an unknown target, with --yes: exit 2, nothing reverted' '
	cat >expect <<-\EOF &&
	ferry: error: no migration or release '"'"'1.5'"'"'
	hint: '"'"'ferry list'"'"' shows the versions and releases of this set
	EOF
	refuses_with 2 ferry -d "$DB_URL" down --to 1.5 --yes </dev/null
'

test_done
