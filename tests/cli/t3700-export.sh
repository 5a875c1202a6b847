#!/bin/sh
test_description='ferry export: rows as JSON Lines, values exact, to stdout, a file or a directory'
. "$(dirname "$0")/test-lib.sh"

# Issue 17 part 1: export writes a header line (engine, ferry version,
# migration version and release, each table's columns) and one line per
# row, in primary key order, from one snapshot; values keep their exact
# form; ferry's own tables stay out unless --include-ledger; a failed
# export leaves no file behind. docs/ferry-export.md is the format.

# The row lines of table items, in order.
items_rows() {
	grep "^{\"table\": \"items\"" out
}

test_expect_success 'setup: two releases, every kind of value' '
	mkdir migrations &&
	case $ENGINE in
	sqlite)
		cat >migrations/1_items.sql <<-\EOF
		-- ferry:up
		CREATE TABLE items (id INTEGER PRIMARY KEY, big INTEGER, f REAL, b BLOB, s TEXT, at TEXT);
		INSERT INTO items VALUES (3, 9007199254740993, 1e308 * 10, NULL, NULL, NULL);
		INSERT INTO items VALUES (1, 9007199254740992, 0.1, x'"'"'00ff41'"'"', '"'"''"'"', '"'"'2026-12-06T20:13:46Z'"'"');
		INSERT INTO items VALUES (2, -9223372036854775808, 1.0 / 3, x'"'"''"'"', '"'"'é "q" \ '"'"' || char(1, 10, 9, 127) || '"'"' 😀'"'"', NULL);
		EOF
		;;
	pg)
		cat >migrations/1_items.sql <<-\EOF
		-- ferry:up
		CREATE TABLE items (id integer PRIMARY KEY, big bigint, f float8, b bytea, s text, at timestamptz, num numeric(40, 5), ok boolean, j jsonb);
		INSERT INTO items VALUES (3, 9007199254740993, '"'"'NaN'"'"', NULL, NULL, NULL, '"'"'NaN'"'"', NULL, NULL);
		INSERT INTO items VALUES (1, 9007199254740992, 0.1, '"'"'\x00ff41'"'"', '"'"''"'"', '"'"'2026-12-06 21:13:46+01'"'"', 1234567890123456789012345.12345, true, '"'"'{"a": [1, 2]}'"'"');
		INSERT INTO items VALUES (2, -9223372036854775808, 1.0 / 3, '"'"''"'"', E'"'"'é "q" \\ \u0001\n\t\u007f 😀'"'"', NULL, -0.5, false, '"'"'null'"'"');
		EOF
		;;
	esac &&
	cat >migrations/2_notes.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE notes (item integer, body text);
	INSERT INTO notes VALUES (2, '"'"'second'"'"'), (1, '"'"'first'"'"');
	CREATE TABLE tags (name text PRIMARY KEY);
	INSERT INTO tags VALUES ('"'"'b'"'"'), ('"'"'a'"'"');
	EOF
	printf "1.0 1\n2.0 2\n" >migrations/releases &&
	ferry -d "$DB_URL" up >out 2>err
'

test_expect_success 'without -o: JSON Lines on stdout, a summary on stderr' '
	ferry -d "$DB_URL" export >out 2>err &&
	echo "ferry: exported 3 tables, 7 rows to stdout" >expect &&
	test_cmp expect err &&
	test_line_count = 8 out &&
	jq -c . out >parsed &&
	test_line_count = 8 parsed
'

test_expect_success 'the header: format, engine, version, release, time, tables and columns' '
	head -n 1 out >header &&
	case $ENGINE in sqlite) e=sqlite ;; pg) e=postgres ;; esac &&
	test_json header \
		".ferry_export == 1" \
		".engine == \"$e\"" \
		".ferry_version == \"$(ferry --version | sed "s/^ferry //")\"" \
		".version == \"2\"" \
		".release == \"2.0\"" \
		".exported_at | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$\")" \
		"[.tables[].name] == [\"items\", \"notes\", \"tags\"]" \
		".tables[0].columns[0] == {\"name\": \"id\", \"type\": \"$(
			[ $ENGINE = sqlite ] && echo INTEGER || echo integer)\"}" \
		".tables[0].columns[3].name == \"b\"" \
		".tables[0].primary_key == [\"id\"]" \
		".tables[1].primary_key == []" \
		"[.tables[1].columns[] | .type |= ascii_downcase] == [{\"name\": \"item\", \"type\": \"integer\"}, {\"name\": \"body\", \"type\": \"text\"}]"
'

test_expect_success 'rows: table by table, in primary key order, else as stored' '
	sed 1d out | jq -c "[.table, .row[0]]" >actual &&
	cat >expect <<-\EOF &&
	["items",1]
	["items",2]
	["items",3]
	["notes",2]
	["notes",1]
	["tags","a"]
	["tags","b"]
	EOF
	test_cmp expect actual
'

test_expect_success 'values: integers exact, past 2^53 as strings' '
	items_rows | jq -c ".row[1]" >actual &&
	printf "%s\n" 9007199254740992 "\"-9223372036854775808\"" "\"9007199254740993\"" >expect &&
	test_cmp expect actual
'

test_expect_success 'values: floats that read back the same; what is not a number as a string' '
	items_rows | jq -c ".row[2]" >actual &&
	case $ENGINE in
	sqlite) printf "%s\n" 0.1 0.3333333333333333 "\"Infinity\"" ;;
	pg) printf "%s\n" 0.1 0.3333333333333333 "\"NaN\"" ;;
	esac >expect &&
	test_cmp expect actual &&
	grep -F "0.3333333333333333," out
'

test_expect_success 'values: blobs in base64 (a NUL byte kept), NULL apart from the empty string' '
	items_rows | jq -c "[.row[3], .row[4]]" >actual &&
	test_line_count = 3 actual &&
	sed -n 1p actual >row && test_json row ". == [{\"base64\": \"AP9B\"}, \"\"]" &&
	sed -n 2p actual >row && test_json row ".[0] == {\"base64\": \"\"}" &&
	sed -n 3p actual >row && test_json row ". == [null, null]"
'

test_expect_success 'values: control characters escaped, text as UTF-8' '
	items_rows | sed -n 2p | jq ".row[4]" >row &&
	test_json row ". == \"é \\\"q\\\" \\\\ \\u0001\\n\\t\\u007f 😀\"" &&
	items_rows | sed -n 2p | grep -F "\\u0001\\n\\t" &&
	! grep -q "$(printf "\001")" out
'

test_expect_success 'values: a time with its zone' '
	items_rows | head -n 1 | jq -c ".row[5]" >actual &&
	case $ENGINE in
	sqlite) echo "\"2026-12-06T20:13:46Z\"" ;;
	pg) echo "\"2026-12-06 20:13:46+00\"" ;;
	esac >expect &&
	test_cmp expect actual
'

test_expect_success 'values (PostgreSQL): numeric as strings, booleans, jsonb as its text' '
	if [ $ENGINE = pg ]; then
		items_rows | jq -c "[.row[6], .row[7], .row[8]]" >actual &&
		cat >expect <<-\EOF &&
		["1234567890123456789012345.12345",true,"{\"a\": [1, 2]}"]
		["-0.50000",false,"null"]
		["NaN",null,null]
		EOF
		test_cmp expect actual &&
		test_json header \
			".tables[0].columns[6].type == \"numeric(40,5)\"" \
			".tables[0].columns[5].type == \"timestamp with time zone\""
	fi
'

test_expect_success '--table picks tables, in the database order' '
	ferry -d "$DB_URL" export --table tags --table notes >out 2>err &&
	echo "ferry: exported 2 tables, 4 rows to stdout" >expect &&
	test_cmp expect err &&
	head -n 1 out >header &&
	test_json header "[.tables[].name] == [\"notes\", \"tags\"]" &&
	sed 1d out | jq -r .table | uniq >actual &&
	printf "notes\ntags\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--where picks rows, and the header says so' '
	ferry -d "$DB_URL" export --table items --where "items:id >= 2 AND s IS NOT NULL" >out 2>err &&
	test_line_count = 2 out &&
	sed 1d out | jq -c ".row[0]" >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	head -n 1 out >header &&
	test_json header ".tables[0].where == \"id >= 2 AND s IS NOT NULL\""
'

test_expect_success 'ferry'"'"'s own tables stay out, unless --include-ledger' '
	ferry -d "$DB_URL" export >out 2>/dev/null &&
	! grep -q ferry_migrations out &&
	ferry -d "$DB_URL" export --include-ledger >out 2>/dev/null &&
	head -n 1 out >header &&
	test_json header "[.tables[].name] | index(\"ferry_migrations\") != null" \
		"[.tables[].name] | index(\"ferry_history\") != null" &&
	grep "^{\"table\": \"ferry_migrations\"" out >ledger &&
	test_line_count = 2 ledger &&
	ferry -d "$DB_URL" export --table ferry_migrations >out 2>/dev/null &&
	test_line_count = 3 out
'

test_expect_success '-o FILE: nothing on stdout, the file whole, --json a summary' '
	ferry -d "$DB_URL" export -o shop.jsonl >out 2>err &&
	test_must_be_empty out &&
	echo "ferry: exported 3 tables, 7 rows to shop.jsonl" >expect &&
	test_cmp expect err &&
	test_line_count = 8 shop.jsonl &&
	ls -A >all &&
	! grep partial all &&
	ferry -d "$DB_URL" export -o shop.jsonl --json >out 2>err &&
	test_json out ".path == \"shop.jsonl\"" ".rows == 7" \
		"[.tables[] | [.name, .rows, .path]] == [[\"items\", 3, \"shop.jsonl\"], [\"notes\", 2, \"shop.jsonl\"], [\"tags\", 2, \"shop.jsonl\"]]"
'

test_expect_success '--json without -o is a usage error: stdout is the export' '
	cat >expect <<-\EOF &&
	ferry: error: --json needs -o: without it, stdout is the export
	hint: try '"'"'ferry export --help'"'"'
	EOF
	test_expect_code 2 ferry -d "$DB_URL" export --json >out 2>err &&
	sed "/^{/d" err >actual &&
	test_cmp expect actual
'

test_expect_success '-o DIR/: one file per table, each with its own header' '
	ferry -d "$DB_URL" export -o dump/ --json >out 2>err &&
	echo "ferry: exported 3 tables, 7 rows to dump/" >expect &&
	test_cmp expect err &&
	test_json out "[.tables[].path] == [\"dump/items.jsonl\", \"dump/notes.jsonl\", \"dump/tags.jsonl\"]" &&
	ls -A dump >actual &&
	printf "items.jsonl\nnotes.jsonl\ntags.jsonl\n" >expect &&
	test_cmp expect actual &&
	head -n 1 dump/notes.jsonl >header &&
	test_json header "[.tables[].name] == [\"notes\"]" ".version == \"2\"" &&
	test_line_count = 3 dump/notes.jsonl &&
	mkdir dump2 &&
	ferry -d "$DB_URL" export -o dump2 --table tags 2>err &&
	test_line_count = 3 dump2/tags.jsonl
'

test_expect_success 'a table that does not exist: exit 2, named' '
	case $ENGINE in
	sqlite) echo "ferry: error: table '"'"'nope'"'"' does not exist" ;;
	pg) printf "%s\n" "ferry: error: table '"'"'nope'"'"' does not exist" "looked in schema '"'"'public'"'"'" ;;
	esac >expect &&
	test_expect_code 2 ferry -d "$DB_URL" export --table nope >out 2>err &&
	test_cmp expect err &&
	test_must_be_empty out &&
	test_expect_code 2 ferry -d "$DB_URL" export --where "nope:1 = 1" >out 2>err &&
	test_cmp expect err
'

test_expect_success 'a bad --where: exit 2, the engine'"'"'s words, no file left, none replaced' '
	echo keep >kept.jsonl &&
	test_expect_code 2 ferry -d "$DB_URL" export -o kept.jsonl --where "tags:name = = 1" >out 2>err &&
	head -n 1 err >actual &&
	echo "ferry: error: bad condition for table '"'"'tags'"'"'" >expect &&
	test_cmp expect actual &&
	grep -i "syntax error" err &&
	echo keep >expect &&
	test_cmp expect kept.jsonl &&
	ls -A >all &&
	! grep partial all &&
	test_expect_code 2 ferry -d "$DB_URL" export -o new/ --where "tags:no_such_column = 1" >out 2>err &&
	test_path_is_missing new/tags.jsonl &&
	test_path_is_missing new/items.jsonl &&
	ls -A new >all &&
	test_must_be_empty all
'

test_expect_success 'a malformed --where: exit 2' '
	echo "ferry: error: a condition is '"'"'TABLE:CONDITION'"'"', not '"'"'tags'"'"'" >expect &&
	test_expect_code 2 ferry -d "$DB_URL" export --where tags >out 2>err &&
	test_cmp expect err &&
	echo "ferry: error: a condition for table '"'"'tags'"'"', which is not exported" >expect &&
	test_expect_code 2 ferry -d "$DB_URL" export --table items --where "tags:1 = 1" >out 2>err &&
	test_cmp expect err
'

test_expect_success 'a path that cannot be written: exit 1 naming it, nothing left' '
	test_expect_code 1 ferry -d "$DB_URL" export -o missing/dir/x.jsonl >out 2>err &&
	head -n 1 err >actual &&
	grep "missing/dir" actual &&
	test_path_is_missing missing &&
	echo data >file &&
	test_expect_code 1 ferry -d "$DB_URL" export -o file/x/ >out 2>err &&
	grep "file/x" err &&
	echo data >expect &&
	test_cmp expect file
'

test_expect_success 'another ledger (the global --table before export) stays out as ferry'"'"'s own' '
	mkdir other &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE other (id integer PRIMARY KEY);" >other/1_other.sql &&
	ferry -d "$DB_URL" --dir other --table app_migrations up >out 2>err &&
	ferry -d "$DB_URL" --table app_migrations export --table other >out 2>err &&
	head -n 1 out >header &&
	test_json header "[.tables[].name] == [\"other\"]" ".version == \"1\"" ".release == null" &&
	ferry -d "$DB_URL" --table app_migrations export >out 2>err &&
	head -n 1 out >header &&
	test_json header "[.tables[].name | select(startswith(\"app_\"))] == []" \
		"[.tables[].name] | index(\"ferry_migrations\") != null" &&
	ferry -d "$DB_URL" export >out 2>err &&
	head -n 1 out >header &&
	test_json header "[.tables[].name] | index(\"app_migrations\") != null" \
		"[.tables[].name] | index(\"ferry_migrations\") == null"
'

test_expect_success 'PostgreSQL: a partitioned table through its parent, a domain by its base type, an interval in ISO 8601' '
	if [ $ENGINE = pg ]; then
		cat >other/2_parts.sql <<-\EOF &&
		-- ferry:up
		CREATE DOMAIN cents AS bigint;
		CREATE TABLE events (id int, at date, price cents, took interval, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
		CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('"'"'2025-01-01'"'"') TO ('"'"'2026-01-01'"'"');
		CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('"'"'2026-01-01'"'"') TO ('"'"'2027-01-01'"'"');
		INSERT INTO events VALUES (2, '"'"'2025-06-01'"'"', 9007199254740993, '"'"'1 day 2 hours'"'"'), (1, '"'"'2026-06-01'"'"', 250, NULL);
		EOF
		ferry -d "$DB_URL" --dir other --table app_migrations up >out 2>err &&
		ferry -d "$DB_URL" --table app_migrations export >out 2>err &&
		head -n 1 out >header &&
		test_json header "[.tables[].name | select(startswith(\"events\"))] == [\"events\"]" \
			".tables[] | select(.name == \"events\") | .primary_key == [\"id\", \"at\"]" \
			".tables[] | select(.name == \"events\") | .columns[2].type == \"cents\"" &&
		grep "^{\"table\": \"events\"" out >actual &&
		cat >expect <<-\EOF &&
		{"table": "events", "row": [1, "2026-06-01", 250, null]}
		{"table": "events", "row": [2, "2025-06-01", "9007199254740993", "P1DT2H"]}
		EOF
		test_cmp expect actual
	fi
'

test_expect_success 'SQLite: a database file that is not there is an error, not an empty export' '
	if [ $ENGINE = sqlite ]; then
		echo "ferry: error: database '"'"'sqlite:nothere.db'"'"' does not exist" >expect &&
		test_expect_code 2 ferry -d sqlite:nothere.db export >out 2>err &&
		test_cmp expect err &&
		test_must_be_empty out &&
		test_path_is_missing nothere.db
	fi
'

test_done
