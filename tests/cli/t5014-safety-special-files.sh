#!/bin/sh
test_description='special files: a FIFO, a device or a link that points nowhere is refused at once, never waited on'
. "$(dirname "$0")/test-lib.sh"

# Opening a FIFO for reading waits for a writer that never comes, and
# /dev/zero never ends: each of these once hung ferry. Every run below is
# under `timeout 10`, so a hang fails the test instead of blocking it, and
# must exit 2 with exactly ./expect on stderr, leaving the database as it
# was. A symbolic link to a regular file stays a migration like any other.

q="'"

# refused CMD ARGS...: ferry exits 2 within 10 s, prints nothing on
# stdout and exactly ./expect on stderr; the database is unchanged.
refused() {
	db_snapshot db.before &&
	test_expect_code 2 timeout 10 "$FERRY" "$@" >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	test_cmp expect err &&
	test_cmp db.before db.after
}

# What a test leaves behind when it fails, so that the next one starts
# clean (an older ferry hangs on these).
clean() {
	rm -rf migrations/0004_x.sql migrations/releases ferry.conf app.conf \
		backup.fifo
}

test_expect_success 'setup: two of three migrations applied' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up --to 2 &&
	ferry -d "$DB_URL" status >expect-status
'

test_expect_success 'a FIFO as a migration file' '
	clean &&
	mkfifo migrations/0004_x.sql &&
	cat >expect <<-EOF &&
	ferry: error: ${q}migrations/0004_x.sql${q} is not a regular file (a FIFO)
	hint: replace it with a regular file, or move it away
	EOF
	refused -d "$DB_URL" up &&
	refused -d "$DB_URL" up --dry-run &&
	refused -d "$DB_URL" status &&
	refused -d "$DB_URL" plan &&
	refused -d "$DB_URL" validate &&
	rm migrations/0004_x.sql
'

test_expect_success 'a character device as a migration file' '
	clean &&
	ln -s /dev/zero migrations/0004_x.sql &&
	cat >expect <<-EOF &&
	ferry: error: ${q}migrations/0004_x.sql${q} is not a regular file (a character device)
	hint: replace it with a regular file, or move it away
	EOF
	refused -d "$DB_URL" up &&
	refused -d "$DB_URL" status &&
	rm migrations/0004_x.sql
'

test_expect_success 'a directory named like a migration file' '
	clean &&
	mkdir migrations/0004_x.sql &&
	cat >expect <<-EOF &&
	ferry: error: ${q}migrations/0004_x.sql${q} is not a regular file (a directory)
	hint: replace it with a regular file, or move it away
	EOF
	refused -d "$DB_URL" up &&
	rmdir migrations/0004_x.sql
'

test_expect_success 'a symbolic link that points nowhere' '
	clean &&
	ln -s target migrations/0004_x.sql &&
	cat >expect <<-EOF &&
	ferry: error: ${q}migrations/0004_x.sql${q} is a symbolic link to ${q}target${q} that points nowhere
	hint: point the link at an existing file, or remove it
	EOF
	refused -d "$DB_URL" up &&
	refused -d "$DB_URL" status &&
	rm migrations/0004_x.sql &&
	ln -s ../shared/0004_x.sql migrations/0004_x.sql &&
	sed "s/target/..\/shared\/0004_x.sql/" expect >expect.2 &&
	mv expect.2 expect &&
	refused -d "$DB_URL" up &&
	rm migrations/0004_x.sql
'

test_expect_success 'a FIFO as the releases file' '
	clean &&
	mkfifo migrations/releases &&
	cat >expect <<-EOF &&
	ferry: error: ${q}migrations/releases${q} is not a regular file (a FIFO)
	hint: replace it with a regular file, or move it away
	EOF
	refused -d "$DB_URL" status &&
	refused -d "$DB_URL" up &&
	rm migrations/releases
'

test_expect_success 'a releases file that points nowhere is not a missing one' '
	clean &&
	ln -s ../releases migrations/releases &&
	cat >expect <<-EOF &&
	ferry: error: ${q}migrations/releases${q} is a symbolic link to ${q}../releases${q} that points nowhere
	hint: point the link at an existing file, or remove it
	EOF
	refused -d "$DB_URL" status &&
	rm migrations/releases
'

test_expect_success 'a FIFO as ferry.conf' '
	clean &&
	mkfifo ferry.conf &&
	cat >expect <<-EOF &&
	ferry: error: ${q}ferry.conf${q} is not a regular file (a FIFO)
	hint: replace it with a regular file of ${q}key = value${q} lines, or move it away
	EOF
	refused -d "$DB_URL" status &&
	refused -d "$DB_URL" up &&
	rm ferry.conf
'

test_expect_success 'a directory as ferry.conf' '
	clean &&
	mkdir ferry.conf &&
	cat >expect <<-EOF &&
	ferry: error: ${q}ferry.conf${q} is not a regular file (a directory)
	hint: replace it with a regular file of ${q}key = value${q} lines, or move it away
	EOF
	refused -d "$DB_URL" status &&
	rmdir ferry.conf
'

test_expect_success 'a FIFO or a device given with --config' '
	clean &&
	mkfifo app.conf &&
	cat >expect <<-EOF &&
	ferry: error: ${q}app.conf${q} is not a regular file (a FIFO)
	hint: check the path given with --config
	EOF
	refused --config app.conf -d "$DB_URL" status &&
	cat >expect <<-EOF &&
	ferry: error: ${q}/dev/zero${q} is not a regular file (a character device)
	hint: check the path given with --config
	EOF
	refused --config /dev/zero -d "$DB_URL" status &&
	rm app.conf
'

test_expect_success 'a FIFO as the backup to restore' '
	clean &&
	mkfifo backup.fifo &&
	cat >expect <<-EOF &&
	ferry: error: ${q}backup.fifo${q} is not a regular file (a FIFO)
	hint: restore a file that ${q}ferry backup${q} wrote
	EOF
	refused -d "$DB_URL" restore backup.fifo --yes &&
	refused -d "$DB_URL" restore backup.fifo </dev/null &&
	rm backup.fifo
'

test_expect_success 'a device as the backup to restore' '
	clean &&
	cat >expect <<-EOF &&
	ferry: error: ${q}/dev/zero${q} is not a regular file (a character device)
	hint: restore a file that ${q}ferry backup${q} wrote
	EOF
	refused -d "$DB_URL" restore /dev/zero --yes &&
	sed "s|/dev/zero|/dev/null|" expect >expect.2 &&
	mv expect.2 expect &&
	refused -d "$DB_URL" restore /dev/null --yes
'

test_expect_success 'a symbolic link to a regular file is a migration' '
	clean &&
	mkdir shared &&
	echo "CREATE TABLE linked (id integer);" >shared/0004_x.sql &&
	ln -s ../shared/0004_x.sql migrations/0004_x.sql &&
	ferry -d "$DB_URL" up >out &&
	cat >expect <<-\EOF &&
	up     0003_seed_users ... ok (N ms)
	up     0004_x ... ok (N ms)
	applied 2 migrations; database at 4
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	db_tables >tables &&
	grep "^linked$" tables
'

test_expect_success 'after all that, the set is as it was' '
	timeout 10 "$FERRY" -d "$DB_URL" status --exit-code >out &&
	grep "^migrations  4 complete, 0 pending$" out
'

test_done
