#!/bin/sh
test_description='automatic backups: backup_dir or --backup make up, finish and migrate back up first'
. "$(dirname "$0")/test-lib.sh"

# Issue 5 part 8: with backup_dir in ferry.conf or --backup, up, finish and
# migrate take a backup before they change anything (not when there is
# nothing to do) and say where it is; old ones are kept up to a count
# (backup_keep, default 5).

case $ENGINE in
sqlite) EXT=sqlite DBNAME=test ;;
pg) EXT=pgdump DBNAME=$pg_db_name ;;
esac

REAL_BIN=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_restore" ] && REAL_BIN=$d; done

# The versions in a backup's ledger, one line.
backup_versions() {
	case $ENGINE in
	sqlite) sqlite3 -batch "$1" "SELECT version || ':' || state FROM ferry_migrations ORDER BY version" 2>/dev/null | tr "\n" " " ;;
	pg) "$REAL_BIN/pg_restore" -f - -a -t ferry_migrations "$1" |
		sed -n '/^COPY /,/^\\\./p' | sed '1d;$d' | cut -f1,3 | tr "\t" ":" | sort -n | tr "\n" " " ;;
	esac
	echo
}

count_backups() {
	ls "${1:-backups}" | grep -c "\.$EXT\$"
}

# The one line ferry says about the backup, normalized.
backup_note() {
	grep "backup before the run" "$1" |
	sed -E -e "s/$DBNAME-[0-9]{8}T[0-9]{6}Z-v/DB-TIME-v/" -e "s/\([0-9.]+ (bytes|KiB|MiB)\)/(SIZE)/"
}

test_expect_success 'setup: three migrations, the third with a finish section; backup_dir set' '
	mkdir migrations &&
	cat >migrations/1_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, name text);
	EOF
	cat >migrations/2_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY);
	EOF
	cat >migrations/3_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN name;
	EOF
	printf "database = %s\nbackup_dir = backups\n" "$DB_URL" >ferry.conf
'

test_expect_success 'SQLite: a database not created yet has nothing to back up: none taken' '
	test $ENGINE = pg ||
	{
		ferry up --to 1 >out 2>err &&
		test_must_be_empty err &&
		test_path_is_missing backups
	}
'

test_expect_success 'up with work to do: a backup of the state before, in backup_dir (made 0700)' '
	if test $ENGINE = pg; then ferry -q up --to 1; fi &&
	rm -rf backups &&
	ferry up --to 2 >out 2>err &&
	echo "ferry: backup before the run: backups/DB-TIME-v1.$EXT (SIZE)" >expect &&
	backup_note err >actual &&
	test_cmp expect actual &&
	echo 700 >expect &&
	stat -c %a backups >actual &&
	test_cmp expect actual &&
	ls backups >backups.list &&
	test_line_count = 1 backups.list &&
	echo "1:complete " >expect &&
	backup_versions backups/$(cat backups.list) >actual &&
	test_cmp expect actual &&
	echo 600 >expect &&
	stat -c %a backups/$(cat backups.list) >actual &&
	test_cmp expect actual &&
	grep "^up     2_orders" out
'

test_expect_success 'nothing to do: no backup' '
	ferry up --to 2 >out 2>err &&
	test_must_be_empty err &&
	echo 1 >expect &&
	count_backups >actual &&
	test_cmp expect actual
'

test_expect_success 'up --dry-run and up --check with work to do: they change nothing, no backup' '
	ferry up --dry-run >out 2>err &&
	grep "^dry run: would run 1 up section" out &&
	ferry up --check >out 2>err &&
	grep "^check passed" out &&
	! grep "backup before" err &&
	echo 1 >expect &&
	count_backups >actual &&
	test_cmp expect actual
'

test_expect_success 'a run that is refused: no backup, the refusal as usual' '
	test_expect_code 2 ferry up --to nope >out 2>err &&
	! grep "backup before" err &&
	grep "no migration or release" err &&
	echo 1 >expect &&
	count_backups >actual &&
	test_cmp expect actual
'

test_expect_success 'finish takes one too, holding the state before it' '
	ferry -q up &&
	ferry finish >out 2>err &&
	grep -E "backup before the run: backups/$DBNAME-.*-v3(-[0-9]+)?\.$EXT" err &&
	f=$(ls -t backups | head -n 1) &&
	echo "1:complete 2:complete 3:up " >expect &&
	backup_versions backups/$f >actual &&
	test_cmp expect actual
'

test_expect_success 'migrate with nothing left to do: no backup; with work: one' '
	n=$(count_backups) &&
	ferry migrate >out 2>err &&
	test_must_be_empty err &&
	test "$(count_backups)" = "$n" &&
	cat >migrations/4_items.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE items (id integer PRIMARY KEY);
	EOF
	ferry migrate >out 2>err &&
	grep -E "backup before the run: backups/$DBNAME-.*-v3(-[0-9]+)?\.$EXT" err &&
	test "$(count_backups)" = "$((n + 1))"
'

test_expect_success 'backup_keep: only the newest automatic backups stay; other files are left alone' '
	rm -rf backups && mkdir backups &&
	for t in 20200101T000000Z 20210101T000000Z 20220101T000000Z; do
		echo old >backups/$DBNAME-$t-v1.$EXT || return 1
	done &&
	echo mine >backups/notes.txt &&
	echo other >backups/otherdb-20190101T000000Z-v1.$EXT &&
	echo manual >backups/$DBNAME-before-upgrade.$EXT &&
	printf "database = %s\nbackup_dir = backups\nbackup_keep = 2\n" "$DB_URL" >ferry.conf &&
	cat >migrations/5_tags.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE tags (id integer PRIMARY KEY);
	EOF
	ferry -q up &&
	ls backups | sed -E "s/^$DBNAME-[0-9]{8}T[0-9]{6}Z-v4\./DB-NOW-v4./" >actual &&
	cat >expect <<-EOF &&
	DB-NOW-v4.$EXT
	$DBNAME-20220101T000000Z-v1.$EXT
	$DBNAME-before-upgrade.$EXT
	notes.txt
	otherdb-20190101T000000Z-v1.$EXT
	EOF
	sort expect >expect.sorted &&
	sort actual >actual.sorted &&
	test_cmp expect.sorted actual.sorted
'

test_expect_success 'backup_keep = 0 keeps them all' '
	printf "database = %s\nbackup_dir = backups\nbackup_keep = 0\n" "$DB_URL" >ferry.conf &&
	n=$(count_backups) &&
	cat >migrations/6_notes.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE notes (id integer PRIMARY KEY);
	EOF
	ferry -q up &&
	test "$(count_backups)" = "$((n + 1))"
'

test_expect_success 'an invalid backup_keep: exit 2, naming the line' '
	printf "database = %s\nbackup_dir = backups\nbackup_keep = many\n" "$DB_URL" >ferry.conf &&
	cat >expect <<-\EOF &&
	ferry: error: ferry.conf:3: invalid backup_keep '"'"'many'"'"'; give how many automatic backups to keep, e.g. 5, or 0 to keep them all
	EOF
	test_expect_code 2 ferry up >out 2>actual &&
	test_cmp expect actual
'

test_expect_success '--backup without backup_dir: the backup goes here' '
	printf "database = %s\n" "$DB_URL" >ferry.conf &&
	cat >migrations/7_more.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE more (id integer PRIMARY KEY);
	EOF
	ferry up --backup >out 2>err &&
	grep -E "backup before the run: $DBNAME-.*-v6(-[0-9]+)?\.$EXT" err &&
	count_backups . >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'without backup_dir or --backup: no backup' '
	cat >migrations/8_last.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE last (id integer PRIMARY KEY);
	EOF
	ferry up >out 2>err &&
	test_must_be_empty err &&
	count_backups . >actual &&
	test_cmp expect actual
'

test_expect_success 'a backup that fails stops the run: nothing migrated, exit 1' '
	echo "not a directory" >afile &&
	printf "database = %s\nbackup_dir = afile/sub\n" "$DB_URL" >ferry.conf &&
	cat >migrations/9_never.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE never (id integer PRIMARY KEY);
	EOF
	db_snapshot db.before &&
	test_expect_code 1 ferry up >out 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: cannot create backup directory '"'"'afile/sub'"'"': Not a directory
	hint: create it, or change backup_dir in ferry.conf
	EOF
	test_cmp expect err
'

test_expect_success 'with --json, the note goes to stderr and stdout is the run'"'"'s document' '
	printf "database = %s\nbackup_dir = backups\n" "$DB_URL" >ferry.conf &&
	ferry up --json >out 2>err &&
	test_json out ".applied[0].version == \"9\"" &&
	grep "backup before the run" err
'

test_done
