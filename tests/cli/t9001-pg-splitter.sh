#!/bin/sh
test_description='PostgreSQL: the statement splitter, case by case, on a real server'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 3, parts 2 and 8: every way PostgreSQL lets a ';' stand inside a
# statement, each in a migration of its own that 'ferry up' applies and
# the server then proves was sent whole; psql's meta-commands and COPY
# with inline data refused with their line and column, before anything
# runs. The migration files are written by the functions below, outside
# the single-quoted test bodies, so that their SQL reads as it is.

q="'"

# up_ok MIGRATION...: 'ferry up' applies exactly these migrations, quietly.
up_ok() {
	ferry -d "$DB_URL" up >out 2>err ||
	{ echo "ferry up exited $?:"; cat out err; return 1; }
	test_must_be_empty err &&
	for _m in "$@"; do
		echo "up     $_m ... ok (N ms)"
	done >expect &&
	eval "_last=\${$#}" &&
	echo "applied $# migration$(test $# = 1 || echo s); database at $(echo "${_last%%_*}" | sed 's/^0*//')" >>expect &&
	normalize <out >actual &&
	test_cmp expect actual
}

write_quotes() {
	cat >migrations/0001_quotes.sql <<\EOF
-- ferry:up
-- A PL/pgSQL function whose body holds semicolons in every kind of quote.
CREATE TABLE "quoted;ident" ("semi;colon" text);
CREATE FUNCTION quotes() RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    a text := 'it''s; a string';          -- a comment; it's not code
    b text := E'back\'slash; and \\ one';
    c text := $$dollars; don't stop$$;
    d text;
BEGIN
    /* a comment; /* nested; it's */ still; a comment */
    INSERT INTO "quoted;ident" ("semi;colon") VALUES ('row; one');
    SELECT "semi;colon" INTO d FROM "quoted;ident";
    RETURN concat_ws('|', a, b, c, d, 'C:\temp\');
END
$fn$;
-- it's a comment with a quote; and a $$ too
/* and this one: don't; $$ */
CREATE TABLE after_quotes ("a""b;c" int);
EOF
}

write_atomic() {
	cat >migrations/0002_atomic.sql <<\EOF
-- ferry:up
CREATE TABLE calls (n int, label text);
CREATE FUNCTION classify(n int) RETURNS text
LANGUAGE SQL
BEGIN ATOMIC
    INSERT INTO calls VALUES (n, 'called; once');
    INSERT INTO calls VALUES (n + 1, CASE WHEN n > 0 THEN 'pos; itive' ELSE 'neg' END);
    SELECT CASE WHEN n < 0 THEN 'negative' WHEN n = 0 THEN 'zero' ELSE 'positive' END;
END;
CREATE OR REPLACE PROCEDURE log_call(n int)
LANGUAGE SQL
BEGIN ATOMIC
    INSERT INTO calls VALUES (n, 'procedure; call');
END;
CREATE TABLE after_atomic (id int);
EOF
}

write_unicode() {
	cat >migrations/0003_unicode.sql <<\EOF
CREATE TABLE U&"t\0061b;le" (id int, s text);
INSERT INTO "tab;le" VALUES (1, U&'d\0061t\+000061');
INSERT INTO "tab;le" VALUES (2, U&'semi;colon !0041' UESCAPE '!');
INSERT INTO "tab;le" VALUES (3, u&'\0062\0063;');
EOF
}

write_do() {
	cat >migrations/0004_do.sql <<\EOF
DO $$
DECLARE
    i int;
BEGIN
    CREATE TABLE did (n int);
    FOR i IN 1..3 LOOP
        INSERT INTO did VALUES (i);
    END LOOP;
END
$$;
DO LANGUAGE plpgsql $body$ BEGIN INSERT INTO did VALUES (10); END $body$;
EOF
}

write_marker_text() {
	cat >migrations/0005_notes.sql <<\EOF
-- ferry:up
CREATE TABLE notes (id int, body text);
INSERT INTO notes VALUES (1, 'see -- ferry:down; it is text');
INSERT INTO notes VALUES (2, 'first line
and then -- ferry:down mid-line');
CREATE FUNCTION note_marker() RETURNS text LANGUAGE sql AS $$
    SELECT 'x -- ferry:down'::text || E'\n-- ferry:down'
$$;
-- ferry:down
DROP FUNCTION note_marker();
DROP TABLE notes;
EOF
}

# A marker is a line whose first text is '-- ferry:', wherever it stands:
# in a dollar-quoted body it still opens a section, and cuts the body.
write_marker_line() {
	cat >migrations/0006_usage.sql <<\EOF
-- ferry:up
CREATE TABLE usage_notes (id int);
CREATE FUNCTION usage() RETURNS text LANGUAGE sql AS $$
SELECT 'usage:
-- ferry:down
'::text
$$;
EOF
}

write_marker_line_indented() {
	cat >migrations/0006_usage.sql <<\EOF
-- ferry:up
CREATE TABLE usage_notes (id int);
CREATE FUNCTION usage() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    -- ferry:down
    RETURN 'usage';
END
$$;
EOF
}

write_marker_line_fixed() {
	cat >migrations/0006_usage.sql <<\EOF
-- ferry:up
CREATE TABLE usage_notes (id int);
CREATE FUNCTION usage() RETURNS text LANGUAGE sql AS $$
SELECT 'usage:' || E'\n-- ferry:down\n'
$$;
EOF
}

write_prepared() {
	cat >migrations/0007_prepared.sql <<\EOF
CREATE TABLE prepared (id int, label text);
PREPARE add_row(int, text) AS INSERT INTO prepared VALUES ($1, $2 || '; added');
EXECUTE add_row(1, 'one');
EXECUTE add_row(2, $$two$$);
DEALLOCATE add_row;
CREATE FUNCTION plus_one(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';
CREATE TABLE cost$ (v$1 int);
INSERT INTO cost$ VALUES (plus_one(41));
EOF
}

write_rule() {
	cat >migrations/0008_rule.sql <<\EOF
CREATE TABLE ruled (id int);
CREATE TABLE ruled_log (id int, note text);
CREATE RULE ruled_log AS ON INSERT TO ruled DO ALSO (
    INSERT INTO ruled_log VALUES (NEW.id, 'first; action');
    INSERT INTO ruled_log VALUES (NEW.id, 'second; action')
);
INSERT INTO ruled VALUES (7);
EOF
}

test_expect_success 'a PL/pgSQL body with semicolons in every kind of quote and comment' '
	mkdir migrations &&
	write_quotes &&
	up_ok 0001_quotes &&
	db_sql "SELECT quotes()" >actual &&
	cat >expect <<-\EOF &&
	it'"'"'s; a string|back'"'"'slash; and \ one|dollars; don'"'"'t stop|row; one|C:\temp\
	EOF
	test_cmp expect actual &&
	db_sql "SELECT attname FROM pg_attribute WHERE attrelid = '"'"'after_quotes'"'"'::regclass AND attnum > 0" >actual &&
	echo "a\"b;c" >expect &&
	test_cmp expect actual
'

test_expect_success 'a BEGIN ATOMIC function and procedure, with CASE ... END inside' '
	write_atomic &&
	up_ok 0002_atomic &&
	db_sql "SELECT classify(5), classify(0), classify(-1)" >actual &&
	echo "positive|zero|negative" >expect &&
	test_cmp expect actual &&
	db_sql "CALL log_call(9)" &&
	db_sql "SELECT n, label FROM calls ORDER BY n, label" >actual &&
	cat >expect <<-\EOF &&
	-1|called; once
	0|called; once
	0|neg
	1|neg
	5|called; once
	6|pos; itive
	9|procedure; call
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM after_atomic" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'U&'"'"''"'"' strings and U&"" identifiers, UESCAPE included' '
	write_unicode &&
	up_ok 0003_unicode &&
	db_sql "SELECT id, s FROM \"tab;le\" ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|data
	2|semi;colon A
	3|bc;
	EOF
	test_cmp expect actual
'

test_expect_success 'DO blocks with semicolons, with and without a tag' '
	write_do &&
	up_ok 0004_do &&
	db_sql "SELECT string_agg(n::text, '"'"','"'"' ORDER BY n) FROM did" >actual &&
	echo "1,2,3,10" >expect &&
	test_cmp expect actual
'

test_expect_success '"-- ferry:down" inside a line is text, and the real marker still opens down' '
	write_marker_text &&
	up_ok 0005_notes &&
	db_sql "SELECT id, body FROM notes ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|see -- ferry:down; it is text
	2|first line
	and then -- ferry:down mid-line
	EOF
	test_cmp expect actual &&
	db_sql "SELECT note_marker()" >actual &&
	printf "%s\n" "x -- ferry:down" "-- ferry:down" >expect &&
	test_cmp expect actual &&
	sed -n "2,8p" migrations/0005_notes.sql | sha256sum | cut -d" " -f1 >expect &&
	sed -n "10,11p" migrations/0005_notes.sql | sha256sum | cut -d" " -f1 >>expect &&
	db_sql "SELECT up_checksum FROM ferry_migrations WHERE version = 5" >actual &&
	db_sql "SELECT down_checksum FROM ferry_migrations WHERE version = 5" >>actual &&
	test_cmp expect actual
'

test_expect_success 'a dollar-quoted body must not start a line with "-- ferry:down": refused as a marker inside it' '
	write_marker_line &&
	db_snapshot before &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0006_usage.sql:5:1: ${q}-- ferry:down${q} inside a dollar-quoted string opened at line 3
	hint: close it with ${q}\$\$${q} before the marker
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'indented, it is refused all the same' '
	write_marker_line_indented &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0006_usage.sql:5:5: ${q}-- ferry:down${q} inside a dollar-quoted string opened at line 3
	hint: close it with ${q}\$\$${q} before the marker
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'written with an E'"'"''"'"' escape for the newline, the same text is no marker and goes up' '
	write_marker_line_fixed &&
	up_ok 0006_usage &&
	db_sql "SELECT usage()" >actual &&
	printf "%s\n" "usage:" "-- ferry:down" "" >expect &&
	test_cmp expect actual
'

test_expect_success '$1 in a prepared statement and a function body; $ inside identifiers' '
	write_prepared &&
	up_ok 0007_prepared &&
	db_sql "SELECT id, label FROM prepared ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|one; added
	2|two; added
	EOF
	test_cmp expect actual &&
	db_sql "SELECT v\$1 FROM cost\$" >actual &&
	echo 42 >expect &&
	test_cmp expect actual
'

test_expect_success 'a rule with several actions in parentheses is one statement' '
	write_rule &&
	up_ok 0008_rule &&
	db_sql "SELECT id, note FROM ruled_log ORDER BY note" >actual &&
	cat >expect <<-\EOF &&
	7|first; action
	7|second; action
	EOF
	test_cmp expect actual
'

# Each refusal comes before anything runs: the good migration before the
# bad one stays pending too.
test_expect_success 'setup: a good migration pending before each bad one' '
	echo "CREATE TABLE good (id int);" >migrations/0009_good.sql &&
	db_snapshot before
'

# refused FILE LINE:COL WHAT HINT: 'ferry up' exits 2 with that error, the
# database as it was.
refused() {
	cat >expect <<-EOF &&
	ferry: error: migrations/$1.sql:$2: $3 in migration $q$1$q
	hint: $4
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
}

meta_hint="ferry runs SQL, not psql scripts; write the SQL the command stands for"
copy_hint="ferry sends SQL statements, not inline data: load the rows with INSERT, or COPY from a file the server can read"
copy_out_hint="a migration${q}s rows go nowhere: COPY to a file the server can write, or leave the statement out"

test_expect_success 'psql meta-command i (include): exit 2, its line and column, nothing run' '
	printf "%s\n" "CREATE TABLE meta (id int);" "SELECT 1; \\i x.sql" >migrations/0010_meta.sql &&
	refused 0010_meta 2:11 "psql meta-command ${q}\\i${q}" "$meta_hint"
'

test_expect_success 'psql meta-command set: exit 2, its line and column, nothing run' '
	printf "%s\n" "-- ferry:up" "CREATE TABLE meta (id int);" "\\set x 1" "SELECT :x;" >migrations/0010_meta.sql &&
	refused 0010_meta 3:1 "psql meta-command ${q}\\set${q}" "$meta_hint"
'

test_expect_success 'psql meta-command connect: exit 2, its line and column, nothing run' '
	printf "%s\n" "-- ferry:up" "CREATE TABLE meta (id int);" "" "    \\connect otherdb" "CREATE TABLE meta2 (id int);" >migrations/0010_meta.sql &&
	refused 0010_meta 4:5 "psql meta-command ${q}\\connect${q}" "$meta_hint"
'

test_expect_success 'COPY ... FROM stdin with inline data, as pg_dump writes it: exit 2, the line, the hint' '
	printf "%s\n" "-- ferry:up" "CREATE TABLE copied (a int, b text);" "" \
		"COPY public.copied (a, b) FROM stdin;" "1	one" "2	it${q}s" "\\." \
		>migrations/0010_meta.sql &&
	refused 0010_meta 4:1 "COPY ... FROM stdin" "$copy_hint"
'

test_expect_success 'copy from STDIN in lower case, with options: refused the same way' '
	printf "%s\n" "CREATE TABLE copied (a int, b text);" "copy copied from STDIN with (format csv);" "1,one" "\\." \
		>migrations/0010_meta.sql &&
	refused 0010_meta 2:1 "COPY ... FROM stdin" "$copy_hint"
'

# A COPY TO STDOUT in a pipeline left ferry waiting forever for a client
# that would read its rows: refused before anything runs, in either kind
# of section; a COPY to a file and words named "to" or "stdout" are not.
test_expect_success 'COPY ... TO STDOUT: exit 2, the line, the hint; transactional or not' '
	printf "%s\n" "-- ferry:up" "CREATE TABLE copied (a int, b text);" \
		"copy (SELECT 1) to STDOUT with (format csv);" >migrations/0010_meta.sql &&
	refused 0010_meta 3:1 "COPY ... TO stdout" "$copy_out_hint" &&
	printf "%s\n" "-- ferry:up no-transaction" "CREATE TABLE copied (a int);" \
		"COPY copied TO stdout;" >migrations/0010_meta.sql &&
	refused 0010_meta 3:1 "COPY ... TO stdout" "$copy_out_hint" &&
	printf "%s\n" "-- ferry:up" "SELECT 1 AS to, 2 AS stdout;" \
		"SELECT stdout FROM (SELECT 1 AS stdout) s;" >migrations/0010_meta.sql &&
	ferry -d "$DB_URL" up --dry-run >out 2>err
'

# run.c: "check every pending section's statements, and only then apply,
# so a refusal or a bad file never leaves half a run": a no-transaction
# section is split as well before the first migration runs.
test_expect_success 'a meta-command in a no-transaction section is refused before anything runs' '
	printf "%s\n" "-- ferry:up no-transaction" "CREATE TABLE meta (id int);" "\\set x 1" >migrations/0010_meta.sql &&
	refused 0010_meta 3:1 "psql meta-command ${q}\\set${q}" "$meta_hint" &&
	db_sql "SELECT count(*) FROM ferry_history WHERE version >= 9" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'COPY FROM stdin in a no-transaction section is refused before anything runs' '
	db_sql "DROP TABLE IF EXISTS good; DELETE FROM ferry_migrations WHERE version >= 9; DELETE FROM ferry_history WHERE version >= 9" &&
	db_snapshot before &&
	printf "%s\n" "-- ferry:up no-transaction" "CREATE TABLE copied (a int);" "COPY copied FROM stdin;" "1" "\\." >migrations/0010_meta.sql &&
	refused 0010_meta 3:1 "COPY ... FROM stdin" "$copy_hint"
'

test_expect_success 'with the meta-command gone, both migrations go up' '
	db_sql "DROP TABLE IF EXISTS good, copied, meta; DELETE FROM ferry_migrations WHERE version >= 9; DELETE FROM ferry_history WHERE version >= 9" &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE meta (id int);" "SELECT 1 AS \"\\set x 1\";" >migrations/0010_meta.sql &&
	up_ok 0009_good 0010_meta
'

# Before the first marker only comments may stand (SPEC section 1); in
# PostgreSQL, a /* */ comment nests.
write_nested_header() {
	cat >migrations/0011_header.sql <<\EOF
/* What this migration is for. /* A nested remark; */ still the header. */
-- ferry:up
CREATE TABLE nested_header (id int);
EOF
}

test_expect_success 'a nested /* /* */ */ comment before the first marker is a comment' '
	write_nested_header &&
	up_ok 0011_header &&
	db_sql "SELECT count(*) FROM nested_header" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_done
