#!/bin/sh
test_description='ferry check --release R: can release R run on this database now? (exit 0 or 3)'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: release R can run when every migration of the releases up
# to R is at least up, and no migration of a later release that has a
# finish section has been finished. Exit 0 if so, 3 with the reason if
# not (section 4); --json per section 5. Its help: it works when the
# database is newer than the files, and reads only.

# can_run R: exit 0, the sentence on stdout, nothing on stderr.
can_run() {
	ferry -d "$DB_URL" check --release "$@" >actual 2>err &&
	echo "release $1 can run on this database" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
}

# cannot_run R [OPTIONS]: exit 3, nothing on stdout, ./expect on stderr,
# the database unchanged.
cannot_run() {
	db_snapshot db.before &&
	test_expect_code 3 ferry -d "$DB_URL" check --release "$@" >out 2>actual &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

# not_yet R ID: exit 3 because migration ID of release R or older is
# pending: the reason in the first line, a hint naming R in the second (its
# words are not pinned here), the database unchanged.
not_yet() {
	db_snapshot db.before &&
	test_expect_code 3 ferry -d "$DB_URL" check --release "$1" >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_line_count = 2 err &&
	head -n 1 err >actual &&
	echo "ferry: error: release $1 cannot run yet: migration '$2' is pending" >expect &&
	test_cmp expect actual &&
	sed -n 2p err >actual &&
	grep "^hint: .*$1" actual &&
	test_cmp db.before db.after
}

test_expect_success 'setup: releases 1.0, 2.0 and 3.0, with finish sections in 1.0 and 2.0' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	EOF
	cat >migrations/2_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	EOF
	cat >migrations/3_orders.sql <<-\EOF &&
	CREATE TABLE orders (id integer PRIMARY KEY, note text);
	EOF
	cat >migrations/4_total.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE orders ADD COLUMN total integer;
	-- ferry:finish
	ALTER TABLE orders DROP COLUMN note;
	EOF
	cat >migrations/5_items.sql <<-\EOF &&
	CREATE TABLE items (id integer PRIMARY KEY);
	EOF
	printf "1.0 2\n2.0 4\n3.0 5\n" >migrations/releases &&
	mkdir old &&
	cp migrations/1_users.sql migrations/2_email.sql old/ &&
	printf "1.0 2\n" >old/releases
'

test_expect_success 'pending: 1.0 cannot run yet (exit 3), and check creates nothing' '
	not_yet 1.0 1_users &&
	if test "$ENGINE" = sqlite; then
		test_path_is_missing test.db
	else
		db_tables >actual &&
		test_must_be_empty actual
	fi
'

test_expect_success 'release 1.0 up: 1.0 can run, 2.0 cannot yet' '
	ferry -d "$DB_URL" up --to 1.0 >out &&
	can_run 1.0 &&
	not_yet 2.0 3_orders
'

test_expect_success 'release 1.0 finished: 1.0 still runs' '
	ferry -d "$DB_URL" finish >out &&
	can_run 1.0
'

test_expect_success 'release 2.0 up, not finished: both 1.0 and 2.0 can run (blue-green)' '
	ferry -d "$DB_URL" up --to 2.0 >out &&
	can_run 1.0 &&
	can_run 2.0 &&
	not_yet 3.0 5_items
'

test_expect_success 'the old release files ask about the newer database: still fine' '
	ferry -d "$DB_URL" --dir old check --release 1.0 >actual 2>err &&
	echo "release 1.0 can run on this database" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'release 2.0 finished: 1.0 can no longer run (exit 3), 2.0 can' '
	ferry -d "$DB_URL" finish --to 2.0 >out &&
	cat >expect <<-\EOF &&
	ferry: error: release 1.0 can no longer run: migration '"'"'4_total'"'"' (release 2.0) was finished
	its finish section may have dropped what release 1.0 uses
	hint: run release 2.0 or later
	EOF
	cannot_run 1.0 &&
	can_run 2.0
'

test_expect_success 'the old release files say the same, from the ledger alone' '
	cat >expect <<-\EOF &&
	ferry: error: release 1.0 can no longer run: migration '"'"'4_total'"'"' (release 2.0) was finished
	its finish section may have dropped what release 1.0 uses
	hint: run release 2.0 or later
	EOF
	cannot_run 1.0 --dir old
'

test_expect_success 'the old files can ask about release 2.0, which only the ledger knows' '
	ferry -d "$DB_URL" --dir old check --release 2.0 >actual 2>err &&
	echo "release 2.0 can run on this database" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'a newer migration without a finish section does not stop an older release' '
	ferry -d "$DB_URL" up >out &&
	can_run 2.0 &&
	can_run 3.0
'

test_expect_success 'check --json, yes: exit 0, one document' '
	ferry -d "$DB_URL" check --release 2.0 --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		". == {\"release\": \"2.0\", \"ok\": true, \"reason\": null}"
'

test_expect_success 'check --json, no: exit 3, the reason in the document' '
	test_expect_code 3 ferry -d "$DB_URL" check --release 1.0 --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		".release == \"1.0\"" \
		".ok == false" \
		".reason == \"release 1.0 can no longer run: migration '"'"'4_total'"'"' (release 2.0) was finished\""
'

test_expect_success 'an unknown release: exit 2' '
	test_expect_code 2 ferry -d "$DB_URL" check --release 9.9 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: no release '"'"'9.9'"'"' in the releases file or the ledger
	hint: '"'"'ferry list'"'"' shows the releases this set knows
	EOF
	test_cmp expect actual &&
	test_expect_code 2 ferry -d "$DB_URL" check --release 9.9 --json >out 2>actual &&
	test_json out ".error.exit == 2" &&
	test_cmp expect actual
'

test_expect_success 'usage: no --release, or an argument (exit 2)' '
	test_expect_code 2 ferry -d "$DB_URL" check >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'check'"'"' needs --release R
	hint: try '"'"'ferry check --help'"'"'
	EOF
	test_cmp expect actual &&
	test_expect_code 2 ferry -d "$DB_URL" check 2.0 >out 2>actual &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'check'"'"' takes no arguments; name the release with --release 2.0
	hint: try '"'"'ferry check --help'"'"'
	EOF
	test_cmp expect actual
'

test_expect_success 'check changed nothing: no history row of its own' '
	db_sql "SELECT action, version FROM ferry_history ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	up|1
	up|2
	finish|2
	up|3
	up|4
	finish|4
	up|5
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: an unreleased migration whose finish ran' '
	cat >migrations/6_tags.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE tags (id integer PRIMARY KEY);
	-- ferry:finish
	ALTER TABLE items ADD COLUMN tagged integer;
	EOF
	ferry -d "$DB_URL" migrate >out &&
	test_expect_code 3 ferry -d "$DB_URL" check --release 3.0 >out 2>err &&
	head -n 2 err >actual &&
	cat >expect <<-\EOF &&
	ferry: error: release 3.0 can no longer run: migration '"'"'6_tags'"'"' was finished
	its finish section may have dropped what release 3.0 uses
	EOF
	test_cmp expect actual
'

# The hint of a finished unreleased migration reads "run release the newer
# or later".
test_expect_success 'its hint is plain English' '
	sed -n 3p err >actual &&
	grep "^hint: " actual &&
	! grep "release the newer" actual
'

test_done
