#!/bin/sh
test_description='PostgreSQL: a failing statement names file:line:column, SQLSTATE and the server'"'"'s words'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 3, part 3: errors name file:line:column of the failing statement
# (its offset plus PG_DIAG_STATEMENT_POSITION), with SQLSTATE, message,
# detail, hint and context from the server; the transaction is rolled
# back with its ledger row, and the failure is in ferry_history.

q="'"

# Nothing of a failed migration 2 is left: the tables, migration 1's row
# and its data are as they were, and the ledger has only version 1.
no_trace() {
	db_tables >actual &&
	printf "%s\n" ferry_history ferry_migrations first >expect &&
	test_cmp expect actual &&
	db_sql "SELECT id, note FROM first ORDER BY id" >actual &&
	echo "1|one" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	echo "1|complete" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM pg_proc WHERE proname IN ('boom', 'inner_f', 'outer_f')" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
}

# last_failure TEXT: the newest history row is a failed up of 2 saying TEXT.
last_failure() {
	db_sql "SELECT action, version, success, error FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	echo "up|2|0|$1" >expect &&
	test_cmp expect actual
}

# fails_with LOCATION MESSAGE [HINT]: 'ferry up' exits 1, stdout the
# started line of 2_second, stderr exactly these three lines.
fails_with() {
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	echo "up     2_second ... " >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}2_second${q} failed
	migrations/2_second.sql:$1: $2
	hint: ${3:-nothing of it was applied; fix it and run again}
	EOF
	test_cmp expect actual
}

write_syntax() {
	cat >migrations/2_second.sql <<\EOF
-- ferry:up
CREATE TABLE second (id int PRIMARY KEY);
INSERT INTO first VALUES (2, 'two'); INSERT INTO second
    VALUES (1) RETURNIN id;
CREATE TABLE third (id int);
EOF
}

write_syntax_first_line() {
	cat >migrations/2_second.sql <<\EOF
CREATE TABLE second (id int PRIMARY KEY);
INSERT INTO first VALUES (2, 'two');  SELEC 1;
EOF
}

# The server counts characters, not bytes: multibyte characters earlier
# in the statement must not shift the error off its token.
write_utf8() {
	cat >migrations/2_second.sql <<\EOF
CREATE TABLE second (id int PRIMARY KEY);
INSERT INTO first VALUES (2, 'ça — “va”'), (3, 'naïve'),
    (4, 'plain') RETURNIN id;
EOF
}

write_unique() {
	cat >migrations/2_second.sql <<\EOF
-- ferry:up
CREATE TABLE second (id int PRIMARY KEY);
INSERT INTO first VALUES (2, 'two');
INSERT INTO second VALUES (1);
  INSERT INTO second VALUES (2), (1);
EOF
}

write_hint() {
	cat >migrations/2_second.sql <<\EOF
CREATE TABLE second (id int PRIMARY KEY);
INSERT INTO second
SELECT no_such_function(1, 'x');
EOF
}

write_raise() {
	cat >migrations/2_second.sql <<\EOF
-- ferry:up
CREATE TABLE second (id int PRIMARY KEY);
CREATE FUNCTION boom(n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    IF n > 1 THEN
        RAISE EXCEPTION 'n is too big: %', n
            USING DETAIL = 'n must be 1', HINT = 'call boom(1)';
    END IF;
    RETURN n;
END
$$;
INSERT INTO second VALUES (boom(1));
INSERT INTO second VALUES (boom(2));
EOF
}

write_nested() {
	cat >migrations/2_second.sql <<\EOF
-- ferry:up
CREATE TABLE second (id int PRIMARY KEY);
CREATE FUNCTION inner_f(n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    RETURN 10 / n;
END
$$;
CREATE FUNCTION outer_f(n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    RETURN inner_f(n) + 1;
END
$$;
INSERT INTO second VALUES (outer_f(0));
EOF
}

write_plpgsql_syntax() {
	cat >migrations/2_second.sql <<\EOF
-- ferry:up
CREATE TABLE second (id int PRIMARY KEY);
CREATE FUNCTION boom(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    x int;
BEGIN
    x := 10 / n
    RETURN x;
END
$$;
EOF
}

test_expect_success 'setup: migration 1 applied' '
	mkdir migrations &&
	printf "%s\n" "CREATE TABLE first (id int PRIMARY KEY, note text);" \
		"INSERT INTO first VALUES (1, ${q}one${q});" >migrations/1_first.sql &&
	ferry -d "$DB_URL" -q up
'

test_expect_success 'a syntax error in the 3rd statement: line and column of the token, SQLSTATE' '
	write_syntax &&
	fails_with 4:16 "syntax error at or near \"RETURNIN\" (SQLSTATE 42601)"
'

test_expect_success '... nothing of the migration is left, and the failure is in the history' '
	no_trace &&
	last_failure "migrations/2_second.sql:4:16: syntax error at or near \"RETURNIN\" (SQLSTATE 42601)"
'

test_expect_success 'on the first line of a statement that starts mid-line, the column counts from the line' '
	write_syntax_first_line &&
	fails_with 2:39 "syntax error at or near \"SELEC\" (SQLSTATE 42601)" &&
	no_trace &&
	last_failure "migrations/2_second.sql:2:39: syntax error at or near \"SELEC\" (SQLSTATE 42601)"
'

test_expect_success 'multibyte characters before the error do not shift its line and column' '
	write_utf8 &&
	fails_with 3:18 "syntax error at or near \"RETURNIN\" (SQLSTATE 42601)" &&
	no_trace
'

test_expect_success 'a unique violation names its statement and shows the server'"'"'s detail' '
	write_unique &&
	fails_with 5:3 "duplicate key value violates unique constraint \"second_pkey\": Key (id)=(1) already exists. (SQLSTATE 23505)" &&
	no_trace &&
	last_failure "migrations/2_second.sql:5:3: duplicate key value violates unique constraint \"second_pkey\": Key (id)=(1) already exists. (SQLSTATE 23505)"
'

test_expect_success 'the server'"'"'s hint is passed on' '
	write_hint &&
	fails_with 3:8 "function no_such_function(integer, unknown) does not exist (SQLSTATE 42883)" \
		"No function matches the given name and argument types. You might need to add explicit type casts." &&
	no_trace
'

test_expect_success 'a RAISE in a PL/pgSQL function: its message, detail, context and hint' '
	write_raise &&
	fails_with 13:1 "n is too big: 2: n must be 1 (PL/pgSQL function boom(integer) line 4 at RAISE) (SQLSTATE P0001)" \
		"call boom(1)" &&
	no_trace &&
	last_failure "migrations/2_second.sql:13:1: n is too big: 2: n must be 1 (PL/pgSQL function boom(integer) line 4 at RAISE) (SQLSTATE P0001)"
'

test_expect_success 'an error two functions deep shows the whole context, on one line' '
	write_nested &&
	fails_with 13:1 "division by zero: PL/pgSQL function inner_f(integer) line 3 at RETURN PL/pgSQL function outer_f(integer) line 3 at RETURN (SQLSTATE 22012)" &&
	no_trace &&
	last_failure "migrations/2_second.sql:13:1: division by zero: PL/pgSQL function inner_f(integer) line 3 at RETURN PL/pgSQL function outer_f(integer) line 3 at RETURN (SQLSTATE 22012)"
'

# The server places a PL/pgSQL syntax error inside the CREATE FUNCTION
# statement, so ferry can name its line in the file.
test_expect_success 'a syntax error inside a PL/pgSQL body names its line in the file' '
	write_plpgsql_syntax &&
	fails_with 8:12 "syntax error at or near \"x\" (SQLSTATE 42601)" &&
	no_trace
'

test_expect_success 'ferry history shows every failure, newest first' '
	ferry -d "$DB_URL" history >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:8:12: syntax error at or near "x" (SQLSTATE 42601)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:13:1: division by zero: PL/pgSQL function inner_f(integer) line 3 at RETURN PL/pgSQL function outer_f(integer) line 3 at RETURN (SQLSTATE 22012)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:13:1: n is too big: 2: n must be 1 (PL/pgSQL function boom(integer) line 4 at RAISE) (SQLSTATE P0001)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:3:8: function no_such_function(integer, unknown) does not exist (SQLSTATE 42883)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:5:3: duplicate key value violates unique constraint "second_pkey": Key (id)=(1) already exists. (SQLSTATE 23505)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:3:18: syntax error at or near "RETURNIN" (SQLSTATE 42601)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:2:39: syntax error at or near "SELEC" (SQLSTATE 42601)
	TIME  up  2  second  USER@HOST  N ms  failed: migrations/2_second.sql:4:16: syntax error at or near "RETURNIN" (SQLSTATE 42601)
	TIME  up  1  first  USER@HOST  N ms  ok
	EOF
	test_cmp expect actual
'

test_expect_success 'fixed, the migration goes up and the connection was left clean' '
	write_raise &&
	sed -i "s/boom(2)/boom(1) + 1/" migrations/2_second.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT id FROM second ORDER BY id" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n" >expect &&
	test_cmp expect actual
'

# SPEC section 6: the library never prints unless asked. libpq's default
# notice processor writes the server's NOTICEs and WARNINGs to stderr as
# they come, in libpq's words, in the middle of ferry's own output.
write_notices() {
	cat >migrations/3_third.sql <<\EOF
DROP TABLE IF EXISTS no_such_table;
DO $$ BEGIN RAISE NOTICE 'a notice from a DO block'; RAISE WARNING 'and a warning'; END $$;
CREATE TABLE third (id int);
EOF
	cat >migrations/4_fourth.sql <<\EOF
-- ferry:up no-transaction
DROP TABLE IF EXISTS no_such_table;
CREATE TABLE fourth (id int);
EOF
}

test_expect_success 'the server'"'"'s NOTICEs are not printed raw past ferry; its WARNINGs are ferry'"'"'s' '
	write_notices &&
	ferry -d "$DB_URL" up >out 2>err &&
	normalize <out >actual &&
	printf "%s\n" "up     3_third ... " "up     3_third ... ok (N ms)" \
		"up     4_fourth ... ok (N ms)" \
		"applied 2 migrations; database at 4" >expect &&
	test_cmp expect actual &&
	echo "ferry: warning: and a warning" >expect &&
	test_cmp expect err
'

test_done
