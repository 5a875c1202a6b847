#!/bin/sh
test_description='ferry import: an export loaded back, parents first, checked, all or nothing per table'
. "$(dirname "$0")/test-lib.sh"

# Issue 17 part 2: `ferry import FILE|DIR|-` loads what `ferry export`
# wrote into a database migrated to the same version. The source is
# $DB_URL; each target is a fresh database of the same engine migrated
# by the same set (new_db). docs/ferry-import.md is the contract.

q="'"

# --- more databases than test-lib's one ---------------------------------

# new_db NAME [TEMPLATE]: a fresh database, empty or a copy of the
# database TEMPLATE made by new_db; prints its URL.
new_db() {
	case $ENGINE in
	sqlite)
		rm -f "$TRASH/$1.db" &&
		if [ -n "${2:-}" ]; then cp "$TRASH/$2.db" "$TRASH/$1.db"; fi &&
		echo "sqlite:$1.db" ;;
	pg)
		"$PSQL" -X -q -d "$PG_ADMIN_URL" \
			-c "SET client_min_messages = warning" \
			-c "DROP DATABASE IF EXISTS ${pg_db_name}_$1 WITH (FORCE)" \
			-c "CREATE DATABASE ${pg_db_name}_$1${2:+ TEMPLATE ${pg_db_name}_$2}" \
			>/dev/null &&
		echo "${pg_base%/*}/${pg_db_name}_$1$pg_query" ;;
	esac
}

# migrated NAME [ARGS...]: a new database brought up by ./migrations (a
# copy of the one setup made so), or by `ferry ARGS`; prints its URL.
migrated() {
	_name=$1 &&
	shift &&
	if [ $# -eq 0 ]; then
		new_db "$_name" tmpl
	else
		_url=$(new_db "$_name") &&
		ferry -d "$_url" "$@" >/dev/null 2>&1 &&
		echo "$_url"
	fi
}

# sql_on URL SQL: run SQL on another database, rows as a|b|c.
sql_on() {
	case $ENGINE in
	sqlite) sqlite3 -batch -bail "$TRASH/${1#sqlite:}" "$2" ;;
	pg) "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" ;;
	esac
}

# snap URL FILE: the whole content of a database, to compare.
snap() {
	case $ENGINE in
	sqlite) sqlite3 "$TRASH/${1#sqlite:}" .dump >"$2" ;;
	pg) pg_dump --no-owner -d "$1" 2>&1 |
		grep -v '^\\\(un\)\{0,1\}restrict ' >"$2" ;;
	esac
}

# rows_of URL: each table of the shop and its row count.
rows_of() {
	sql_on "$1" "SELECT 'a_orders', count(*) FROM a_orders UNION ALL
		SELECT 'staff', count(*) FROM staff UNION ALL
		SELECT 'z_customers', count(*) FROM z_customers ORDER BY 1"
}

# same_rows A B: two exports hold the same rows (the header but for
# exported_at the same too).
same_rows() {
	head -n 1 "$1" | jq -c "del(.exported_at)" >"$1.h" &&
	head -n 1 "$2" | jq -c "del(.exported_at)" >"$2.h" &&
	test_cmp "$1.h" "$2.h" &&
	sed 1d "$1" >"$1.r" &&
	sed 1d "$2" >"$2.r" &&
	test_cmp "$1.r" "$2.r"
}

# import's text output with the checksums as CHECKSUM.
no_sums() {
	sed -E "s/checksum [0-9a-f]{16}$/checksum CHECKSUM/" "$@"
}

# The extra databases go with the script's own.
cleanup_database() {
	if [ "$ENGINE" = pg ]; then
		for _n in $("$PSQL" -X -q -At -d "$PG_ADMIN_URL" -c "SELECT datname FROM pg_database WHERE datname = '$pg_db_name' OR datname LIKE '${pg_db_name}\\_%'"); do
			"$PSQL" -X -q -d "$PG_ADMIN_URL" \
				-c "DROP DATABASE IF EXISTS $_n WITH (FORCE)" >/dev/null 2>&1
		done
	fi
}

# --- the set: a shop whose parent sorts after its child, a table that
# refers to itself, every kind of value -----------------------------------

mkdir migrations
cat >migrations/1_shop.sql <<\EOF
-- ferry:up
CREATE TABLE z_customers (id integer PRIMARY KEY, name text);
CREATE TABLE a_orders (id integer PRIMARY KEY,
	customer integer NOT NULL REFERENCES z_customers (id), total numeric(12, 2));
CREATE TABLE staff (id integer PRIMARY KEY, boss integer REFERENCES staff (id));
EOF
case $ENGINE in
sqlite)
	cat >migrations/2_values.sql <<\EOF
-- ferry:up
CREATE TABLE vals (id INTEGER PRIMARY KEY, big INTEGER, f REAL, num NUMERIC,
	ok BOOLEAN, s TEXT, b BLOB, at TEXT);
EOF
	cat >values.sql <<\EOF
INSERT INTO vals VALUES
 (1, 9007199254740993, 0.1, 19.90, 1,
  'it''s "q" \ ' || char(9) || 'tab' || char(10) || 'nl é 😀', x'00ff41', '2026-12-06T10:00:00Z'),
 (2, -9223372036854775808, 1e100, 20, 0, '', x'', '2026-12-06 10:00:00.5'),
 (3, 9007199254740992, -2.5e-300, NULL, NULL, NULL, NULL, NULL);
EOF
	;;
pg)
	cat >migrations/2_values.sql <<\EOF
-- ferry:up
CREATE TABLE vals (id integer PRIMARY KEY, big bigint, f float8,
	num numeric(40, 5), ok boolean, s text, b bytea, at timestamptz);
CREATE TABLE serials (id bigserial PRIMARY KEY, name text);
CREATE TABLE idents (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
EOF
	cat >values.sql <<\EOF
INSERT INTO vals VALUES
 (1, 9007199254740993, 0.1, 19.90, true,
  E'it''s "q" \\ \ttab\nnl é 😀', '\x00ff41', '2026-12-06 11:00:00+01'),
 (2, -9223372036854775808, 1e100, 1234567890123456789012345.12345, false, '', '', '2026-12-06 10:00:00.5+00'),
 (3, 9007199254740992, 'NaN', 'NaN', NULL, NULL, NULL, NULL);
INSERT INTO serials (name) VALUES ('a'), ('b');
INSERT INTO serials (id, name) VALUES (10, 'ten');
INSERT INTO idents (name) VALUES ('a'), ('b'), ('c');
EOF
	;;
esac
cat >>values.sql <<\EOF
INSERT INTO z_customers VALUES (1, 'ann'), (2, 'bo'), (3, 'cy');
INSERT INTO a_orders VALUES (10, 1, 19.90), (11, 2, 5), (12, 1, 0.10);
INSERT INTO staff VALUES (1, 3), (2, 3), (3, NULL);
EOF

# The tables, in the order import loads them: parents first, else by name.
case $ENGINE in
sqlite) tables="staff vals z_customers a_orders" rows=12 ;;
pg) tables="idents serials staff vals z_customers a_orders" rows=18 ;;
esac

test_expect_success 'setup: the source, and its export' '
	ferry -d "$DB_URL" up >out 2>err &&
	db_sql "$(cat values.sql)" &&
	ferry -d "$DB_URL" export -o src.jsonl 2>err &&
	ferry -d "$DB_URL" export -o dump/ 2>err &&
	ferry -d "$DB_URL" export --table staff --table z_customers -o two.jsonl 2>err &&
	test_line_count = 7 two.jsonl &&
	T=$(new_db tmpl) &&
	ferry -d "$T" up >out 2>err
'

test_expect_success 'round trip: the rows come back as they were, each table named with its count' '
	T=$(migrated rt) &&
	echo "$T" >rt.url &&
	ferry -d "$T" import src.jsonl >out 2>err &&
	test_must_be_empty err &&
	for t in $tables; do
		case $t in
		*) n=3 ;;
		esac &&
		printf "%-24s %12s rows  checksum CHECKSUM\n" $t $n || return 1
	done >expect &&
	echo "imported $(echo $tables | wc -w) tables, $rows rows from src.jsonl" >>expect &&
	no_sums out >actual &&
	test_cmp expect actual &&
	ferry -d "$T" export -o back.jsonl 2>err &&
	same_rows src.jsonl back.jsonl
'

test_expect_success 'round trip: the values in the database, not only in the file' '
	T=$(cat rt.url) &&
	case $ENGINE in
	sqlite)
		cat >expect <<-\EOF &&
		1|integer|9007199254740993|real|0.1|real|19.9|integer|1|blob|00FF41|2026-12-06T10:00:00Z
		2|integer|-9223372036854775808|real|1.0e+100|integer|20|integer|0|blob||2026-12-06 10:00:00.5
		3|integer|9007199254740992|real|-2.5e-300|null||null||null||
		EOF
		sql_on "$T" "SELECT id, typeof(big), big, typeof(f), f, typeof(num), num, typeof(ok), ok, typeof(b), hex(b), at FROM vals ORDER BY id" >actual &&
		test_cmp expect actual &&
		sql_on "$T" "SELECT s = '"'"'it'"'"''"'"'s \"q\" \\ '"'"' || char(9) || '"'"'tab'"'"' || char(10) || '"'"'nl é 😀'"'"' FROM vals WHERE id = 1" >actual &&
		echo 1 >expect &&
		test_cmp expect actual
		;;
	pg)
		cat >expect <<-\EOF &&
		1|9007199254740993|0.1|19.90000|t|\x00ff41|2026-12-06 10:00:00+00|f
		2|-9223372036854775808|1e+100|1234567890123456789012345.12345|f|\x|2026-12-06 10:00:00.5+00|t
		3|9007199254740992|NaN|NaN||||
		EOF
		sql_on "$T" "SET TimeZone = UTC; SELECT id, big, f, num, ok, b, at, s = '"'"''"'"' FROM vals ORDER BY id" >actual &&
		test_cmp expect actual &&
		sql_on "$T" "SELECT s = E'"'"'it'"'"''"'"'s \"q\" \\\\ \\ttab\\nnl é 😀'"'"' FROM vals WHERE id = 1" >actual &&
		echo t >expect &&
		test_cmp expect actual
		;;
	esac
'

test_expect_success 'checksums: the same data, the same sums, whatever the order of rows' '
	T=$(migrated rt2) &&
	ferry -d "$T" import back.jsonl --json >first.json 2>err &&
	head -n 1 src.jsonl >shuffled.jsonl &&
	sed 1d src.jsonl | awk "{ l[NR] = \$0 } END { for (i = NR; i > 0; i--) print l[i] }" >rev &&
	for t in $(sed 1d src.jsonl | jq -r .table | uniq); do
		grep "^{\"table\": \"$t\"" rev >>shuffled.jsonl || return 1
	done &&
	! test_cmp src.jsonl shuffled.jsonl >/dev/null &&
	T=$(migrated rt3) &&
	ferry -d "$T" import shuffled.jsonl --json >second.json 2>err &&
	jq -c "[.tables[] | [.name, .checksum]] | sort" first.json >expect &&
	jq -c "[.tables[] | [.name, .checksum]] | sort" second.json >actual &&
	test_cmp expect actual &&
	jq -r ".tables[] | .checksum" first.json | sort -u >sums &&
	test_line_count = $(echo $tables | wc -w) sums
'

test_expect_success 'checksums: other data, other sums' '
	sed "s/\"ann\"/\"Ann\"/" src.jsonl >changed.jsonl &&
	ferry -d "$T" import --truncate changed.jsonl --json >changed.json 2>err &&
	jq -r ".tables[] | select(.name == \"z_customers\") | .checksum" first.json >a &&
	jq -r ".tables[] | select(.name == \"z_customers\") | .checksum" changed.json >b &&
	! test_cmp a b >/dev/null &&
	jq -r ".tables[] | select(.name == \"staff\") | .checksum" first.json >a &&
	jq -r ".tables[] | select(.name == \"staff\") | .checksum" changed.json >b &&
	test_cmp a b
'

test_expect_success 'foreign keys: a parent named after its child loads first; a row may refer to a later one' '
	T=$(migrated fk) &&
	ferry -d "$T" import src.jsonl >out 2>err &&
	awk "{ print \$1 }" out | grep -n "^a_orders$\|^z_customers$" >actual &&
	n=$(echo $tables | wc -w) &&
	printf "%s\n" "$((n - 1)):z_customers" "$n:a_orders" >expect &&
	test_cmp expect actual &&
	rows_of "$T" >actual &&
	printf "%s\n" "a_orders|3" "staff|3" "z_customers|3" >expect &&
	test_cmp expect actual &&
	sql_on "$T" "SELECT id, boss FROM staff ORDER BY id" >actual &&
	printf "%s\n" "1|3" "2|3" "3|" >expect &&
	test_cmp expect actual
'

test_expect_success 'a directory from export -o DIR/: every table, the same sums as the file' '
	T=$(migrated dir) &&
	ferry -d "$T" import dump --json >dir.json 2>err &&
	test_must_be_empty err &&
	test_json dir.json ".path == \"dump\"" ".rows == $rows" &&
	jq -c "[.tables[] | [.name, .checksum]] | sort" dir.json >actual &&
	jq -c "[.tables[] | [.name, .checksum]] | sort" first.json >expect &&
	test_cmp expect actual &&
	ferry -d "$T" export -o back-dir.jsonl 2>err &&
	same_rows src.jsonl back-dir.jsonl &&
	ferry -d "$T" import dump/ --truncate >out 2>err &&
	tail -n 1 out >actual &&
	echo "imported $(echo $tables | wc -w) tables, $rows rows from dump/" >expect &&
	test_cmp expect actual
'

test_expect_success 'a directory with no *.jsonl: exit 2, named' '
	mkdir nothing &&
	echo x >nothing/readme.txt &&
	T=$DB_URL &&
	echo "ferry: error: directory '"'"'nothing'"'"' holds no export (*.jsonl)" >expect &&
	test_expect_code 2 ferry -d "$T" import nothing >out 2>err &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_expect_success 'stdin from a file: loaded parents first, as a file is' '
	T=$(migrated stdin) &&
	ferry -d "$T" import - <src.jsonl >out 2>err &&
	tail -n 1 out >actual &&
	echo "imported $(echo $tables | wc -w) tables, $rows rows from -" >expect &&
	test_cmp expect actual &&
	ferry -d "$T" export -o back-stdin.jsonl 2>err &&
	same_rows src.jsonl back-stdin.jsonl
'

test_expect_success 'a pipe whose order is not the foreign keys'"'"': exit 2, the hint, nothing loaded' '
	T=$(migrated pipe) &&
	snap "$T" before &&
	cat >expect <<-\EOF &&
	hint: import from a file rather than a pipe, or with --single-transaction where the foreign keys can wait for the commit (SQLite, or DEFERRABLE keys)
	EOF
	cat src.jsonl | test_expect_code 2 ferry -d "$T" import - >out 2>err &&
	test_must_be_empty out &&
	sed 1d err >actual &&
	test_cmp expect actual &&
	grep "^ferry: error: table .* must be loaded before .*, which comes first in the stream$" err &&
	snap "$T" after &&
	test_cmp before after
'

test_expect_success 'the pipe refusal names the parent as the one to load first' '
	cat src.jsonl | test_expect_code 2 ferry -d "$T" import - >out 2>err &&
	head -n 1 err >actual &&
	echo "ferry: error: table '"'"'z_customers'"'"' must be loaded before '"'"'a_orders'"'"', which comes first in the stream" >expect &&
	test_cmp expect actual
'

# On a pipe, the line that ends a table's rows is the next table's first:
# it must not be lost.
test_expect_success 'a pipe in the right order loads every row' '
	T=$(migrated pipe3) &&
	cat two.jsonl | ferry -d "$T" import - >out 2>err &&
	rows_of "$T" >actual &&
	printf "%s\n" "a_orders|0" "staff|3" "z_customers|3" >expect &&
	test_cmp expect actual
'

test_expect_success 'a pipe in the wrong order with --single-transaction: loaded, or refused by the keys' '
	T=$(migrated pipe4) &&
	cat src.jsonl | ferry -d "$T" import --single-transaction - >out 2>err
	rc=$? &&
	case $ENGINE in
	sqlite)
		# SQLite checks no foreign keys unless the connection asks;
		# how many rows: the next test
		test $rc = 0 &&
		grep "^imported $(echo $tables | wc -w) tables, " out
		;;
	pg)
		# a_orders comes first and its key is not DEFERRABLE: the
		# COPY fails at the end of the table, nothing is left
		test $rc = 1 &&
		grep "^ferry: error: insert or update on table \"a_orders\" violates foreign key constraint \"a_orders_customer_fkey\"$" err &&
		rows_of "$T" >actual &&
		printf "%s\n" "a_orders|0" "staff|0" "z_customers|0" >expect &&
		test_cmp expect actual
		;;
	esac
'

if [ $ENGINE = sqlite ]; then
	test_expect_success 'a pipe in the wrong order with --single-transaction: every row (SQLite)' '
		T=$(migrated pipe5) &&
		cat src.jsonl | ferry -d "$T" import --single-transaction - >out 2>err &&
		ferry -d "$T" export -o back-pipe.jsonl 2>err &&
		same_rows src.jsonl back-pipe.jsonl
	'
fi

test_expect_success 'tables that hold rows: exit 5, named, nothing changed' '
	T=$(migrated full) &&
	ferry -d "$T" import two.jsonl >out 2>err &&
	sql_on "$T" "DELETE FROM staff WHERE id = 1; INSERT INTO z_customers VALUES (9, '"'"'zed'"'"')" &&
	snap "$T" before &&
	cat >expect <<-\EOF &&
	ferry: error: tables that already hold rows: staff, z_customers
	hint: an import adds to nothing: --truncate empties them first (their rows are lost), or import into another database
	EOF
	test_expect_code 5 ferry -d "$T" import src.jsonl >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err &&
	snap "$T" after &&
	test_cmp before after
'

test_expect_success '--truncate: their rows replaced by the export'"'"'s' '
	ferry -d "$T" import --truncate src.jsonl >out 2>err &&
	test_must_be_empty err &&
	ferry -d "$T" export -o back-trunc.jsonl 2>err &&
	same_rows src.jsonl back-trunc.jsonl
'

# PostgreSQL: --truncate is one TRUNCATE of the export's tables, which
# PostgreSQL refuses when a table outside the export refers to one of
# them (here a_orders -> z_customers), even an empty one: exit 1 with
# PostgreSQL's hint "use TRUNCATE ... CASCADE". SQLite deletes the rows.
truncate_some='
	T=$(migrated some) &&
	ferry -d "$T" import two.jsonl >out 2>err &&
	sql_on "$T" "DELETE FROM staff WHERE id = 2" &&
	ferry -d "$T" import --truncate two.jsonl >out 2>err &&
	rows_of "$T" >actual &&
	printf "%s\n" "a_orders|0" "staff|3" "z_customers|3" >expect &&
	test_cmp expect actual
'
if [ $ENGINE = pg ]; then
	test_expect_success '--truncate of some tables, one of them referred to by another' "$truncate_some"
else
	test_expect_success '--truncate of some tables, one of them referred to by another' "$truncate_some"
fi

test_expect_success 'a database at an older version: exit 5, ferry migrate --to, nothing changed' '
	T=$(migrated old migrate --to 1) &&
	snap "$T" before &&
	cat >expect <<-\EOF &&
	ferry: error: the export is at migration version 2, the database at 1: an import needs the same version
	hint: bring the database to the export'"'"'s version first: ferry migrate --to 2
	EOF
	test_expect_code 5 ferry -d "$T" import src.jsonl >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err &&
	snap "$T" after &&
	test_cmp before after
'

test_expect_success 'a database with no migrations: exit 5, ferry migrate --to; SQLite: no file made' '
	T=$(new_db none) &&
	cat >expect <<-\EOF &&
	ferry: error: the export is at migration version 2, the database at none: an import needs the same version
	hint: bring the database to the export'"'"'s version first: ferry migrate --to 2
	EOF
	test_expect_code 5 ferry -d "$T" import src.jsonl >out 2>err &&
	test_cmp expect err &&
	if [ $ENGINE = sqlite ]; then test_path_is_missing none.db; fi
'

test_expect_success 'a database at a newer version: exit 5, nothing changed' '
	mkdir newer &&
	cp migrations/*.sql newer/ &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE later (id integer);" >newer/3_later.sql &&
	T=$(migrated new --dir newer up) &&
	snap "$T" before &&
	cat >expect <<-\EOF &&
	ferry: error: the export is at migration version 2, the database at 3: an import needs the same version
	hint: bring the export to the database'"'"'s version with the set'"'"'s migrations: ferry import --via-migrations
	EOF
	test_expect_code 5 ferry -d "$T" import src.jsonl >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err &&
	snap "$T" after &&
	test_cmp before after
'

test_expect_success 'a table or a column the database does not have: exit 2, named' '
	T=$(migrated schema) &&
	snap "$T" before &&
	sed "1s/\"name\": \"staff\"/\"name\": \"staffs\"/; s/^{\"table\": \"staff\"/{\"table\": \"staffs\"/" two.jsonl >notab.jsonl &&
	cat >expect <<-\EOF &&
	ferry: error: notab.jsonl:1:1: table '"'"'staffs'"'"' of the export is not in the database
	hint: the database was made by other migrations than the exported one: check --dir, or --schema
	EOF
	test_expect_code 2 ferry -d "$T" import notab.jsonl >out 2>err &&
	test_cmp expect err &&
	sed "1s/\"name\": \"boss\"/\"name\": \"manager\"/" two.jsonl >nocol.jsonl &&
	cat >expect <<-\EOF &&
	ferry: error: nocol.jsonl:1:1: table '"'"'staff'"'"' has no column '"'"'manager'"'"' in the database
	hint: the database was made by other migrations than the exported one
	EOF
	test_expect_code 2 ferry -d "$T" import nocol.jsonl >out 2>err &&
	test_cmp expect err &&
	test_must_be_empty out &&
	snap "$T" after &&
	test_cmp before after
'

# --- bad input: exit code, FILE:LINE:COL, and the database as it was ------
# two.jsonl: line 1 the header, 2-4 staff (loaded first), 5-7 z_customers.

# refused CODE FILE: import FILE into the database "bad", exit CODE,
# nothing on stdout, ./expect on stderr, the database as it was (each
# test leaves it so for the next).
refused() {
	if ! [ -f bad.before ]; then
		T=$(migrated bad | tee bad.url) &&
		snap "$T" bad.before
	fi &&
	T=$(cat bad.url) &&
	test_expect_code "$1" ferry -d "$T" import "$2" >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err &&
	snap "$T" after &&
	test_cmp bad.before after
}

test_expect_success 'an empty file: exit 2' '
	: >empty.jsonl &&
	echo "ferry: error: empty.jsonl:1:1: empty.jsonl is empty, not a ferry export" >expect &&
	refused 2 empty.jsonl
'

test_expect_success 'a first line that is not JSON: exit 2, line 1' '
	{ echo "hello"; sed 1d two.jsonl; } >hello.jsonl &&
	test_expect_code 2 ferry -d "$DB_URL" import hello.jsonl >out 2>err &&
	head -n 1 err | sed "s/: not JSON: .*/: not JSON: .../" >actual &&
	echo "ferry: error: hello.jsonl:1:5: not JSON: ..." >expect &&
	test_cmp expect actual &&
	sed -n 2p err >actual &&
	echo "hint: the file is damaged or was cut short: export the database again" >expect &&
	test_cmp expect actual
'

test_expect_success 'JSON but no export header: exit 2, and the way to import --from' '
	{ echo "{\"version\": 1}"; sed 1d two.jsonl; } >other.jsonl &&
	cat >expect <<-\EOF &&
	ferry: error: other.jsonl:1:1: other.jsonl is not a ferry export: its first line is no export header
	hint: '"'"'ferry export'"'"' writes one; to convert another tool'"'"'s migration files, use '"'"'ferry import --from FORMAT'"'"'
	EOF
	refused 2 other.jsonl
'

test_expect_success 'a newer format (ferry_export 2): exit 2, refused' '
	sed "1s/\"ferry_export\": 1/\"ferry_export\": 2/" two.jsonl >f2.jsonl &&
	cat >expect <<-\EOF &&
	ferry: error: f2.jsonl:1:1: the export is in format 2, which this ferry does not read (it reads format 1)
	hint: a newer ferry wrote it: import it with that ferry, or export again with this one
	EOF
	refused 2 f2.jsonl
'

test_expect_success 'a file cut short (the last line without its end): exit 2, nothing loaded' '
	head -c -9 two.jsonl >cut.jsonl &&
	len=$(tail -n 1 cut.jsonl | wc -c) &&
	cat >expect <<-EOF &&
	ferry: error: cut.jsonl:7:$((len + 1)): the file ends in the middle of a line
	hint: the file is damaged or was cut short: export the database again
	EOF
	refused 2 cut.jsonl
'

test_expect_success 'a broken row in the middle of the second table: the first committed, the second empty' '
	sed "6s/.*/{\"table\": \"z_customers\", \"row\": [2, nul/" two.jsonl >broken.jsonl &&
	T=$(migrated broken) &&
	test_expect_code 2 ferry -d "$T" import broken.jsonl >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err | sed "s/: not JSON: .*/: not JSON: .../" >actual &&
	echo "ferry: error: broken.jsonl:6:39: not JSON: ..." >expect &&
	test_cmp expect actual &&
	rows_of "$T" >actual &&
	printf "%s\n" "a_orders|0" "staff|3" "z_customers|0" >expect &&
	test_cmp expect actual
'

test_expect_success 'the same with --single-transaction: nothing at all' '
	T=$(migrated broken1) &&
	snap "$T" before &&
	test_expect_code 2 ferry -d "$T" import --single-transaction broken.jsonl >out 2>err &&
	grep "^ferry: error: broken.jsonl:6:39: not JSON: " err &&
	snap "$T" after &&
	test_cmp before after
'

test_expect_success 'a row with the wrong number of values: exit 2, its line' '
	sed "3s/.*/{\"table\": \"staff\", \"row\": [2]}/" two.jsonl >count.jsonl &&
	echo "ferry: error: count.jsonl:3:1: a row of table '"'"'staff'"'"' needs 2 values, one per column of the header" >expect &&
	refused 2 count.jsonl
'

test_expect_success 'a row of a table not in the header: exit 2, its line' '
	sed "6s/z_customers/a_orders/" two.jsonl >stray.jsonl &&
	echo "ferry: error: stray.jsonl:6:1: table '"'"'a_orders'"'"' is not in the export'"'"'s header" >expect &&
	refused 2 stray.jsonl
'

test_expect_success 'rows of a table not together: exit 2, where they start again' '
	{ sed -n "1,3p; 5p" two.jsonl; sed -n "4p; 6,7p" two.jsonl; } >apart.jsonl &&
	echo "ferry: error: apart.jsonl:5:1: the rows of table '"'"'staff'"'"' are not together: they start again here" >expect &&
	refused 2 apart.jsonl
'

test_expect_success 'bytes that are not base64: exit 2, the line and the column' '
	sed "3s/.*/{\"table\": \"staff\", \"row\": [2, {\"base64\": \"AP9\"}]}/" two.jsonl >b64.jsonl &&
	echo "ferry: error: b64.jsonl:3:1: column '"'"'boss'"'"': bytes that are not base64" >expect &&
	refused 2 b64.jsonl
'

test_expect_success 'a duplicate primary key in the file: exit 1, the table and the line' '
	sed "4s/\"row\": \[3,/\"row\": [1,/" two.jsonl >dup.jsonl &&
	T=$(migrated dup) &&
	snap "$T" before &&
	test_expect_code 1 ferry -d "$T" import dup.jsonl >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	case $ENGINE in
	sqlite)
		grep "^ferry: error: dup.jsonl:4:1: table ${q}staff${q}: UNIQUE constraint failed: staff.id" actual ;;
	pg)
		# the server detail names the key; the place goes before it
		grep "^ferry: error: table ${q}staff${q}: duplicate key value violates unique constraint" actual &&
		grep "^dup.jsonl:4:1: Key (id)=(1) already exists. (COPY staff, line 3)" err ;;
	esac &&
	grep "^hint: the table was left as it was; fix the row, or the target'"'"'s schema, and import again$" err &&
	snap "$T" after &&
	test_cmp before after
'

test_expect_success 'PostgreSQL: a value the column cannot take: exit 1, table, column, line' '
	if [ $ENGINE = pg ]; then
		sed "3s/.*/{\"table\": \"staff\", \"row\": [2, \"abc\"]}/" two.jsonl >abc.jsonl &&
		T=$(migrated abc) &&
		snap "$T" before &&
		test_expect_code 1 ferry -d "$T" import abc.jsonl >out 2>err &&
		head -n 1 err >actual &&
		grep "^ferry: error: table ${q}staff${q}, column ${q}boss${q}: invalid input syntax for type integer: \"abc\"$" actual &&
		grep "^abc.jsonl:3:1: COPY staff, line 2, column boss: \"abc\"" err &&
		snap "$T" after &&
		test_cmp before after
	fi
'

# PostgreSQL names the column in its CONTEXT ("COPY staff, line 2,
# column boss: ..."): the message says it.
if [ $ENGINE = pg ]; then
	test_expect_success 'PostgreSQL: that error names the column too' '
		test_expect_code 1 ferry -d "$T" import abc.jsonl >out 2>err &&
		grep "boss" err
	'
fi

# A float's NaN and infinities are JSON strings in an export: a column
# the header types as a float gets them as floats (SQLite has no NaN).
if [ $ENGINE = sqlite ]; then
	test_expect_success 'SQLite: NaN cannot be stored: exit 2' '
		sed "s/, 0.1, 19.9,/, \"NaN\", 19.9,/" src.jsonl >nan.jsonl &&
		grep -q "\"NaN\", 19.9" nan.jsonl &&
		T=$(migrated nan) &&
		test_expect_code 2 ferry -d "$T" import nan.jsonl >out 2>err &&
		grep "^ferry: error: nan.jsonl:[0-9]*:1: table ${q}vals${q}, column ${q}f${q}: value 3 (NaN) cannot be stored by SQLite$" err &&
		grep "^hint: SQLite has no NaN" err
	'
fi

# The same bug, silently: a REAL Infinity comes back as TEXT; the export
# of it reads the same, so only typeof() shows it.
if [ $ENGINE = sqlite ]; then
	test_expect_success 'SQLite: Infinity comes back as a REAL' '
		db_sql "UPDATE vals SET f = 1e308 * 10 WHERE id = 3" &&
		ferry -d "$DB_URL" export --table vals -o inf.jsonl 2>err &&
		grep -F "\"Infinity\"" inf.jsonl &&
		T=$(migrated inf) &&
		ferry -d "$T" import inf.jsonl >out 2>err &&
		sql_on "$T" "SELECT typeof(f) FROM vals WHERE id = 3" >actual &&
		echo real >expect &&
		test_cmp expect actual
	'
fi

test_expect_success 'PostgreSQL: serial and identity columns go on after the loaded values' '
	if [ $ENGINE = pg ]; then
		T=$(cat rt.url) &&
		sql_on "$T" "INSERT INTO serials (name) VALUES ('"'"'next'"'"') RETURNING id" >actual &&
		sql_on "$T" "INSERT INTO idents (name) VALUES ('"'"'next'"'"') RETURNING id" >>actual &&
		printf "%s\n" 11 4 >expect &&
		test_cmp expect actual
	fi
'

test_expect_success '--json: path, engine, rows, each table with a 64-hex checksum' '
	case $ENGINE in sqlite) e=sqlite ;; pg) e=postgres ;; esac &&
	T=$(migrated json) &&
	ferry -d "$T" import --json two.jsonl >out 2>err &&
	test_must_be_empty err &&
	test_json out ".path == \"two.jsonl\"" ".engine == \"$e\"" ".rows == 6" \
		"[.tables[] | [.name, .rows]] == [[\"staff\", 3], [\"z_customers\", 3]]" \
		"[.tables[] | .checksum | test(\"^[0-9a-f]{64}$\")] == [true, true]" \
		"keys == [\"engine\", \"path\", \"rows\", \"tables\"]" \
		"[.tables[] | keys] == [[\"checksum\", \"name\", \"rows\"], [\"checksum\", \"name\", \"rows\"]]" &&
	jq -r ".tables[] | .checksum[0:16]" out >expect &&
	T=$(migrated json2) &&
	ferry -d "$T" import two.jsonl >text 2>err &&
	sed -n "1,2s/.*checksum //p" text >actual &&
	test_cmp expect actual
'

test_expect_success '-q: nothing on success' '
	T=$(migrated quiet) &&
	ferry -d "$T" -q import two.jsonl >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	rows_of "$T" >actual &&
	printf "%s\n" "a_orders|0" "staff|3" "z_customers|3" >expect &&
	test_cmp expect actual
'

test_done
