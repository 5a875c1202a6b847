#!/bin/sh
test_description='marker lines: misspelt, foreign or hidden in a comment or quote, refused before anything runs'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 1; issue 12 ("nothing run that the user did not write"). A
# marker that ferry does not read as one hides a section: its SQL runs in
# the phase before (a DROP COLUMN in the expand phase, another tool's down
# half during up). Each of these files is refused with exit 2, where it
# goes wrong and a hint, and the database is left byte for byte as it was.
# The set is read before the engine is known, so both engines refuse the
# same files with the same words.

# The migration under test; the setup applies 0001 before every case.
M=migrations/0002_email.sql

# write FILE: the lines of the migration under test, from stdin.
write() {
	fresh &&
	cat >"$M"
}

# refused: 'ferry up' exits 2 with ./expect on stderr and changes nothing,
# and 'ferry status' refuses the set the same way.
refused() {
	test_refused_unchanged 2 ferry -d "$DB_URL" up &&
	test_refused_unchanged 2 ferry -d "$DB_URL" status
}

# The rows 0001 wrote are all there, and no table but ferry's own is new.
users_intact() {
	cat >users.expect <<\EOF
1|ada|ada@old
2|bob|bob@old
EOF
	db_sql "SELECT id, name, legacy_mail FROM users ORDER BY id" >users.actual &&
	test_cmp users.expect users.actual &&
	db_tables | grep -v "^ferry_" >tables.actual &&
	echo users >tables.expect &&
	test_cmp tables.expect tables.actual
}

# fresh: the database as the setup left it, and no 0002. Each case starts
# there whatever the one before did, so that each fails on its own with a
# ferry that ran what it should have refused.
fresh() {
	rm -f "$M" &&
	case $ENGINE in
	sqlite) rm -f test.db ;;
	pg) db_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >fresh.out 2>&1 ;;
	esac &&
	ferry -d "$DB_URL" up >fresh.out &&
	users_intact
}

# --- misspelt markers -------------------------------------------------------

# misspelt LINE COLUMN SECTION: the issue's file with LINE for its finish
# marker; refused at 3:COLUMN with "write '-- ferry:SECTION'".
misspelt() {
	fresh &&
	printf -- '-- ferry:up\nALTER TABLE users ADD COLUMN email text;\n%s\nALTER TABLE users DROP COLUMN legacy_mail;\n' "$1" >"$M" &&
	printf "ferry: error: %s:3:%s: misspelt marker '%s'\nhint: write '-- ferry:%s'\n" \
		"$M" "$2" "$1" "$3" >expect
}

test_expect_success 'setup: users with their rows' '
	mkdir migrations &&
	cat >migrations/0001_users.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, name text, legacy_mail text);
	INSERT INTO users VALUES (1, '"'"'ada'"'"', '"'"'ada@old'"'"'), (2, '"'"'bob'"'"', '"'"'bob@old'"'"');
	EOF
	ferry -d "$DB_URL" up >out &&
	users_intact
'

test_expect_success 'the issue: "-- ferry finish" does not run its DROP COLUMN during up' '
	misspelt "-- ferry finish" 9 finish &&
	cat "$M" >file &&
	cat >expect.file <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry finish
	ALTER TABLE users DROP COLUMN legacy_mail;
	EOF
	test_cmp expect.file file &&
	refused &&
	users_intact
'

test_expect_success 'each misspelling of a marker is refused where it goes wrong' '
	for m in "-- ferry :finish" "-- ferry-finish" "-- ferry.finish" \
		"-- ferry;finish" "-- FERRY Finish"
	do
		misspelt "$m" 9 finish &&
		refused || return 1
	done &&
	misspelt "-- ferry :down" 9 down &&
	refused &&
	misspelt "--ferry down no-transaction" 8 "down no-transaction" &&
	refused
'

test_expect_success 'a fullwidth colon is no colon; the column counts characters' '
	misspelt "-- ferry$(printf "\357\274\232")finish" 9 finish &&
	refused &&
	users_intact
'

test_expect_success 'extra dashes, and a marker in a /* comment, are misspellings too' '
	misspelt "--- ferry:finish" 3 finish &&
	refused &&
	fresh &&
	printf -- "-- ferry:up\nSELECT 1;\n/* ferry:finish */\nDROP TABLE users;\n" >"$M" &&
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: misspelt marker '"'"'/* ferry:finish */'"'"'
	hint: markers are '"'"'--'"'"' comments: write '"'"'-- ferry:finish'"'"'
	EOF
	refused &&
	users_intact
'

test_expect_success 'a comment starting with the word ferry must say something else' '
	write <<-\EOF &&
	-- Ferry migration for the billing service.
	-- ferry:up
	SELECT 1;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:1:9: misspelt marker '"'"'-- Ferry migration for the billing service.'"'"'
	hint: a section starts with '"'"'-- ferry:up'"'"', '"'"'-- ferry:finish'"'"' or '"'"'-- ferry:down'"'"'; reword a comment that starts with the word '"'"'ferry'"'"'
	EOF
	refused
'

# --- other tools' markers ---------------------------------------------------

test_expect_success 'the issue: a dbmate file does not drop users during up' '
	write <<-\EOF &&
	-- migrate:up
	CREATE TABLE accounts (id integer);

	-- migrate:down
	DROP TABLE users;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:1:1: dbmate marker '"'"'-- migrate:up'"'"'
	hint: ferry reads a set of dbmate files with '"'"'--format dbmate'"'"'; in a ferry set, rewrite the markers as '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused &&
	users_intact
'

test_expect_success 'goose, without a space after --' '
	write <<-\EOF &&
	--+goose Up
	CREATE TABLE accounts (id integer);
	--+goose Down
	DROP TABLE users;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:1:1: goose marker '"'"'--+goose Up'"'"'
	hint: ferry reads a set of goose files with '"'"'--format goose'"'"'; in a ferry set, rewrite the markers as '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused &&
	users_intact
'

test_expect_success 'goose, after a ferry marker' '
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE accounts (id integer);
	-- +goose NO TRANSACTION
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: goose marker '"'"'-- +goose NO TRANSACTION'"'"'
	hint: ferry reads a set of goose files with '"'"'--format goose'"'"'; in a ferry set, rewrite the markers as '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused
'

test_expect_success 'sql-migrate' '
	write <<-\EOF &&
	-- +migrate Up
	CREATE TABLE accounts (id integer);
	-- +migrate Down
	DROP TABLE users;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:1:1: sql-migrate marker '"'"'-- +migrate Up'"'"'
	hint: ferry reads a set of sql-migrate files with '"'"'--format sql-migrate'"'"'; in a ferry set, rewrite the markers as '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused
'

test_expect_success 'Atlas' '
	write <<-\EOF &&
	-- atlas:txmode none

	CREATE TABLE accounts (id integer);
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:1:1: Atlas directive '"'"'-- atlas:txmode none'"'"'
	hint: ferry does not read Atlas files (yet); remove the directive and mark sections with '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused
'

test_expect_success 'Liquibase formatted SQL, in any case' '
	write <<-\EOF &&
	-- Liquibase Formatted SQL

	--changeset ada:1
	CREATE TABLE accounts (id integer);
	--rollback DROP TABLE users;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:1:1: Liquibase marker '"'"'-- Liquibase Formatted SQL'"'"'
	hint: ferry does not read Liquibase formatted SQL (yet); rewrite each changeset as a migration file with '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused &&
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE accounts (id integer);
	--rollback DROP TABLE users;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: Liquibase marker '"'"'--rollback DROP TABLE users;'"'"'
	hint: ferry does not read Liquibase formatted SQL (yet); rewrite each changeset as a migration file with '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	refused &&
	users_intact
'

# --- markers hidden in a comment or a quote ---------------------------------

test_expect_success 'a marker inside a /* comment' '
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE accounts (id integer);
	/* the old down section, kept for reference:
	-- ferry:down
	DROP TABLE users;
	*/
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:4:1: '"'"'-- ferry:down'"'"' inside a /* comment opened at line 3
	hint: close the comment with '"'"'*/'"'"' before the marker
	EOF
	refused &&
	users_intact
'

test_expect_success 'a marker inside a comment that only PostgreSQL nests' '
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE accounts (id integer); /* see /* below
	*/
	-- ferry:down
	DROP TABLE users;
	*/
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:4:1: '"'"'-- ferry:down'"'"' inside a nested /* comment opened at line 2
	hint: PostgreSQL nests /* */ comments, so each '"'"'/*'"'"' needs its own '"'"'*/'"'"'; close them before the marker
	EOF
	refused
'

test_expect_success 'a marker inside a quoted string' '
	write <<-\EOF &&
	-- ferry:up
	INSERT INTO users VALUES (3, '"'"'it'"'"''"'"'s
	-- ferry:down
	'"'"', NULL);
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: '"'"'-- ferry:down'"'"' inside a quoted string opened at line 2
	hint: close the string before the marker: a quote may be missing or not doubled
	EOF
	refused &&
	users_intact
'

test_expect_success 'a marker inside an E'"'"''"'"' string, where a backslash escapes' '
	write <<-\EOF &&
	-- ferry:up
	INSERT INTO users VALUES (3, E'"'"'it\'"'"'s
	  -- ferry:finish
	'"'"', NULL);
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:3: '"'"'-- ferry:finish'"'"' inside a quoted string opened at line 2
	hint: close the string before the marker: a quote may be missing or not doubled
	EOF
	refused
'

test_expect_success 'a marker inside a quoted identifier: "...", `...` and [...]' '
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE "odd
	-- ferry:down
	" (id integer);
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: '"'"'-- ferry:down'"'"' inside a quoted identifier opened at line 2
	hint: close the identifier before the marker: a quote may be missing
	EOF
	refused &&
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE `odd
	-- ferry:down
	` (id integer);
	EOF
	refused &&
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE [odd
	-- ferry:down
	] (id integer);
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: '"'"'-- ferry:down'"'"' inside a [bracketed] identifier opened at line 2
	hint: close it with '"'"']'"'"' before the marker; SQLite reads '"'"'['"'"' as the start of an identifier
	EOF
	refused
'

test_expect_success 'a marker inside a dollar quote, with and without a tag' '
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE accounts (id integer);

	SELECT $$
	-- ferry:down
	DROP TABLE users;
	$$;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:5:1: '"'"'-- ferry:down'"'"' inside a dollar-quoted string opened at line 4
	hint: close it with '"'"'\$\$'"'"' before the marker
	EOF
	refused &&
	write <<-\EOF &&
	-- ferry:up
	SELECT $body$
	    -- ferry:finish no-transaction
	$body$;
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:5: '"'"'-- ferry:finish no-transaction'"'"' inside a dollar-quoted string opened at line 2
	hint: close it with '"'"'\$body\$'"'"' before the marker
	EOF
	refused &&
	users_intact
'

test_expect_success 'an unterminated /* comment, which SQLite would skip without a word' '
	write <<-\EOF &&
	-- ferry:up
	CREATE TABLE accounts (id integer);
	/* TODO: backfill
	INSERT INTO accounts VALUES (1);
	EOF
	cat >expect <<-EOF &&
	ferry: error: $M:3:1: unterminated /* comment
	hint: close it with '"'"'*/'"'"'; SQLite would silently skip the rest of the section
	EOF
	refused &&
	users_intact
'

# --- what stays valid -------------------------------------------------------

test_expect_success 'prose that mentions ferry or other tools, and markers in strings, are fine' '
	write <<-\EOF &&
	-- The ferry rollout: expand now, contract after the deploy.
	-- ferry:up
	-- the ferry docs: '"'"'-- ferry:finish'"'"' starts the contract part
	ALTER TABLE users ADD COLUMN email text; -- ferry rocks
	INSERT INTO users (id, name) VALUES (3, '"'"'-- ferry finish
	/* ferry:down */ -- +goose Down'"'"');
	-- rollback is not possible; restore a backup instead
	-- migrate: the mail addresses move in a later release
	-- ferrying, ferry_boat and ferryman are other words
	-- ferry:down
	DELETE FROM users WHERE id = 3;
	ALTER TABLE users DROP COLUMN email;
	EOF
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	3|-- ferry finish
	/* ferry:down */ -- +goose Down
	EOF
	db_sql "SELECT id, name FROM users WHERE id = 3" >actual &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" down --steps 1 --yes >out 2>err &&
	users_intact
'

test_expect_success 'the issue file, spelt right, adds the column and keeps the old one until finish' '
	misspelt "-- ferry:finish" 0 finish &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT id, email, legacy_mail FROM users ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1||ada@old
	2||bob@old
	EOF
	test_cmp expect actual
'

test_done
