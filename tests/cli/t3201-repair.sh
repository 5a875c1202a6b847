#!/bin/sh
test_description='ferry repair: accept changed checksums, clear failed sections'
. "$(dirname "$0")/test-lib.sh"

# Issue 5 part 4: repair takes the files' checksums for drifted sections
# and clears 'failed' (counted as run, or with --not-run as not run);
# lists what it will change and asks first unless --yes (refuses, exit 5,
# without a terminal); takes the runner lock; one 'repair' history row per
# change; nothing to repair: exit 0; refuses a database ahead (exit 5).

nothing_to_repair() {
	db_snapshot db.before &&
	ferry -d "$DB_URL" repair "$@" </dev/null >actual 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty err &&
	echo "nothing to repair: the ledger agrees with the files" >expect &&
	test_cmp expect actual
}

# repairs: 'repair --yes' prints ./expect, says nothing on stderr, and
# validate is clean afterwards.
repairs() {
	ferry -d "$DB_URL" repair --yes "$@" </dev/null >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" -q validate
}

last_history() {
	db_sql "SELECT action, version, name, success, error FROM ferry_history ORDER BY id DESC LIMIT $1"
}

trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'setup: two migrations, 2 has a finish section' '
	use_fixture expand &&
	cp -R migrations pristine
'

test_expect_success 'no ledger: nothing to repair, nothing created' '
	nothing_to_repair &&
	if test "$ENGINE" = sqlite; then
		test_path_is_missing test.db
	else
		db_tables >actual &&
		test_must_be_empty actual
	fi
'

test_expect_success 'all applied and unchanged: nothing to repair, exit 0, no question' '
	ferry -d "$DB_URL" -q migrate &&
	nothing_to_repair
'

test_expect_success 'drift without --yes and no terminal: the changes listed, refused (exit 5)' '
	sed "s/legacy text/legacy text, note text/" pristine/1_users.sql >migrations/1_users.sql &&
	sed "s/DROP COLUMN legacy/DROP COLUMN IF EXISTS legacy/" pristine/2_email.sql >migrations/2_email.sql &&
	cat >expect <<-\EOF &&
	repair 1_users: accepted the changed up section
	repair 2_email: accepted the changed finish section
	ferry: error: repair 2 migrations (1_users and 1 more): refused without --yes
	hint: standard input is not a terminal, so nobody can answer; add --yes if you mean it
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" repair </dev/null
'

test_expect_success 'on a terminal it asks; no answer is no' '
	db_snapshot db.before &&
	test_expect_code 5 test_tty tty.out ferry -d "$DB_URL" repair &&
	cat >expect <<-\EOF &&
	repair 1_users: accepted the changed up section
	repair 2_email: accepted the changed finish section
	repair 2 migrations (1_users and 1 more)? [y/N] ferry: error: repair 2 migrations (1_users and 1 more): not confirmed, nothing changed
	EOF
	test_cmp expect tty.out &&
	db_snapshot db.after &&
	test_cmp db.before db.after
'

test_expect_success 'repair --dry-run lists the changes, asks nothing, changes nothing' '
	db_snapshot db.before &&
	ferry -d "$DB_URL" repair --dry-run </dev/null >actual 2>err &&
	db_snapshot db.after &&
	test_cmp db.before db.after &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	repair 1_users: accepted the changed up section
	repair 2_email: accepted the changed finish section
	would repair 2 migrations; nothing changed
	EOF
	test_cmp expect actual
'

test_expect_success 'repair --yes takes the files'"'"' checksums; up no longer refuses' '
	test_expect_code 5 ferry -d "$DB_URL" up 2>/dev/null &&
	cat >expect <<-\EOF &&
	repair 1_users: accepted the changed up section
	repair 2_email: accepted the changed finish section
	repaired 2 migrations
	EOF
	repairs &&
	ferry -d "$DB_URL" up >actual &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state, has_finish, failed_section FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete|0|\n2|complete|1|\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'each change is a repair row in the history, saying what changed' '
	last_history 2 >actual &&
	cat >expect <<-\EOF &&
	repair|2|email|1|accepted the changed finish section
	repair|1|users|1|accepted the changed up section
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" history --limit 2 >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	TIME  repair  2  email  USER@HOST  -  ok: accepted the changed finish section
	TIME  repair  1  users  USER@HOST  -  ok: accepted the changed up section
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" history --json --limit 3 >out &&
	test_json out \
		"map(.action) == [\"repair\", \"repair\", \"finish\"]" \
		".[0].note == \"accepted the changed finish section\"" \
		".[0].error == null and .[0].success == true" \
		".[2].note == null"
'

test_expect_success 'a finish section added to a complete migration: back to up, finish runs it' '
	cat >migrations/1_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, legacy text, note text);
	-- ferry:finish
	CREATE TABLE users_done (id integer PRIMARY KEY);
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >expect <<-\EOF &&
	repair 1_users: accepted the added finish section: state now '"'"'up'"'"', '"'"'ferry finish'"'"' runs it
	repaired 1 migration
	EOF
	repairs &&
	db_sql "SELECT state, has_finish FROM ferry_migrations WHERE version = 1" >actual &&
	echo "up|1" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" -q finish &&
	db_sql "SELECT count(*) FROM users_done" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a finish section removed after it ran, as --json' '
	cat >migrations/2_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:down
	ALTER TABLE users DROP COLUMN email;
	EOF
	ferry -d "$DB_URL" repair --yes --json </dev/null >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		".changes == [{\"action\": \"repair\", \"version\": \"2\", \"name\": \"email\", \"release\": null, \"what\": \"accepted the removal of the finish section, which had run\"}]" \
		".dry_run == false" ".waited == false" &&
	db_sql "SELECT state, has_finish, finish_checksum FROM ferry_migrations WHERE version = 2" >actual &&
	echo "complete|0|" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" -q validate &&
	nothing_to_repair
'

test_expect_success 'a failed no-transaction up section, completed by hand: counted as run' '
	cat >migrations/3_tags.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE tags (id integer PRIMARY KEY);
	INSERT INTO tags (id) VALUES (1);
	INSERT INTO tags (id) VALUES (1);
	-- ferry:down
	DROP TABLE tags;
	EOF
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>/dev/null &&
	db_sql "SELECT state, failed_section, failed_statement FROM ferry_migrations WHERE version = 3" >actual &&
	echo "failed|up|3" >expect &&
	test_cmp expect actual &&
	db_sql "INSERT INTO tags (id) VALUES (2)" &&
	cat >expect <<-\EOF &&
	repair 3_tags: cleared the failed up section (stopped at statement 3): counted as run; state now '"'"'complete'"'"'
	repaired 1 migration
	EOF
	repairs &&
	db_sql "SELECT state, failed_section, failed_statement, progress, error FROM ferry_migrations WHERE version = 3" >actual &&
	echo "complete||||" >expect &&
	test_cmp expect actual &&
	last_history 1 >actual &&
	echo "repair|3|tags|1|cleared the failed up section (stopped at statement 3): counted as run; state now '"'"'complete'"'"'" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" up >actual &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual
'

test_expect_success 'a failed up section undone by hand: --not-run leaves it pending, up runs it whole' '
	cat >migrations/4_notes.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE notes (id integer PRIMARY KEY);
	INSERT INTO no_such_table (id) VALUES (1);
	EOF
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>/dev/null &&
	db_sql "DROP TABLE notes" &&
	cat >expect <<-\EOF &&
	repair 4_notes: cleared the failed up section (stopped at statement 2): counted as not run; the migration is pending
	repaired 1 migration
	EOF
	ferry -d "$DB_URL" repair --not-run --yes </dev/null >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 4" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	last_history 1 >actual &&
	echo "repair|4|notes|1|cleared the failed up section (stopped at statement 2): counted as not run; the migration is pending" >expect &&
	test_cmp expect actual &&
	printf -- "-- ferry:up no-transaction\nCREATE TABLE notes (id integer PRIMARY KEY);\n" >migrations/4_notes.sql &&
	ferry -d "$DB_URL" up >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     4_notes ... ok (N ms)
	applied 1 migration; database at 4
	EOF
	test_cmp expect actual
'

test_expect_success 'a failed no-transaction finish section: counted as run, complete' '
	cat >migrations/5_archive.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE archive (id integer PRIMARY KEY);
	-- ferry:finish no-transaction
	INSERT INTO archive (id) VALUES (1);
	INSERT INTO archive (id) VALUES (1);
	-- ferry:down
	DROP TABLE archive;
	EOF
	ferry -d "$DB_URL" -q up &&
	test_expect_code 1 ferry -d "$DB_URL" -q finish 2>/dev/null &&
	db_sql "SELECT state, failed_section, failed_statement FROM ferry_migrations WHERE version = 5" >actual &&
	echo "failed|finish|2" >expect &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	repair 5_archive: cleared the failed finish section (stopped at statement 2): counted as run; state now '"'"'complete'"'"'
	repaired 1 migration
	EOF
	repairs &&
	db_sql "SELECT state, CASE WHEN finish_at IS NULL THEN 0 ELSE 1 END, length(finish_checksum), failed_section FROM ferry_migrations WHERE version = 5" >actual &&
	echo "complete|1|64|" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" finish >actual &&
	grep "^nothing to do" actual
'

test_expect_success 'a failed finish section, --not-run: back to up, finish runs it again' '
	ferry -d "$DB_URL" -q down --steps 1 --force --yes </dev/null &&
	ferry -d "$DB_URL" -q up &&
	test_expect_code 1 ferry -d "$DB_URL" -q finish 2>/dev/null &&
	db_sql "DELETE FROM archive" &&
	cat >expect <<-\EOF &&
	repair 5_archive: cleared the failed finish section (stopped at statement 2): counted as not run; state now '"'"'up'"'"'
	repaired 1 migration
	EOF
	repairs --not-run &&
	printf -- "-- ferry:up\nCREATE TABLE archive (id integer PRIMARY KEY);\n-- ferry:finish no-transaction\nINSERT INTO archive (id) VALUES (1);\n" >migrations/5_archive.sql &&
	ferry -d "$DB_URL" -q finish &&
	db_sql "SELECT id FROM archive" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'a failed no-transaction down section, reverted by hand: counted as run, pending' '
	cat >migrations/6_labels.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE labels (id integer PRIMARY KEY);
	-- ferry:down no-transaction
	DELETE FROM labels;
	DELETE FROM no_such_table;
	DROP TABLE labels;
	EOF
	ferry -d "$DB_URL" -q up &&
	test_expect_code 1 ferry -d "$DB_URL" -q down --steps 1 --yes </dev/null 2>/dev/null &&
	db_sql "SELECT state, failed_section, failed_statement FROM ferry_migrations WHERE version = 6" >actual &&
	echo "failed|down|2" >expect &&
	test_cmp expect actual &&
	db_sql "DROP TABLE labels" &&
	cat >expect <<-\EOF &&
	repair 6_labels: cleared the failed down section (stopped at statement 2): counted as run; the migration is pending
	repaired 1 migration
	EOF
	repairs &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 6" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a failed down section, --not-run: as it was before the down' '
	ferry -d "$DB_URL" -q up &&
	test_expect_code 1 ferry -d "$DB_URL" -q down --steps 1 --yes </dev/null 2>/dev/null &&
	cat >expect <<-\EOF &&
	repair 6_labels: cleared the failed down section (stopped at statement 2): counted as not run; state now '"'"'complete'"'"'
	repaired 1 migration
	EOF
	repairs --not-run &&
	db_sql "SELECT state, failed_section, failed_statement, error FROM ferry_migrations WHERE version = 6" >actual &&
	echo "complete|||" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM labels" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a database ahead of the files: refused (exit 5), nothing changed' '
	mv migrations/5_archive.sql archive.sql &&
	echo "-- changed" >>migrations/4_notes.sql &&
	cat >expect <<-\EOF &&
	ferry: error: database is ahead of these migration files
	hint: version 5 is applied but no file has it; run the newer release
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" repair --yes &&
	test_refused_unchanged 5 ferry -d "$DB_URL" repair --dry-run &&
	mv archive.sql migrations/5_archive.sql
'

test_expect_success 'setup: a runner holds the lock for a few seconds' '
	mkdir slow slow2 &&
	echo "CREATE TABLE s_first (id integer PRIMARY KEY);" >slow/1_first.sql &&
	ferry -d "$DB_URL" --dir slow --table s_migrations -q up &&
	{
		echo "CREATE TABLE s_second (id integer PRIMARY KEY);" &&
		slow_sql 20
	} >slow/2_slow.sql &&
	cp slow/2_slow.sql slow2/ &&
	echo "CREATE TABLE s_first (id integer PRIMARY KEY, x text);" >slow2/1_first.sql &&
	"$FERRY" -d "$DB_URL" --dir slow --table s_migrations up >holder.out 2>holder.err &
	echo $! >holder.pid &&
	i=0 &&
	while ! grep -q "^up  " holder.out && test $i -lt 600; do
		sleep 0.05; i=$((i + 1))
	done &&
	grep -q "^up  " holder.out
'

test_expect_success 'repair waits for the lock, then gives up (exit 4); nothing changed' '
	test_expect_code 4 ferry -d "$DB_URL" --dir slow2 --table s_migrations repair --yes --lock-timeout 0 >out 2>err &&
	test_must_be_empty out &&
	normalize <err >actual &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid PID, USER@HOST, since TIME
	ferry: error: another ferry is working on database '"'"'$DB_SHOWN'"'"'
	the lock is held by pid PID, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	test_cmp expect actual &&
	kill -9 "$(cat holder.pid)" &&
	rm holder.pid &&
	db_sql "SELECT count(*) FROM s_history WHERE action = '"'"'repair'"'"'" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'usage: repair takes no arguments (exit 2)' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'repair'"'"' takes no arguments
	hint: try '"'"'ferry repair --help'"'"'
	EOF
	test_refused_unchanged 2 ferry -d "$DB_URL" repair 3 --yes
'

test_expect_success 'repair --help' '
	ferry repair --help >out 2>err &&
	test_must_be_empty err &&
	grep "^usage: ferry repair \\[--not-run\\] \\[--dry-run\\] \\[--yes\\] \\[--json\\]" out
'

test_done
