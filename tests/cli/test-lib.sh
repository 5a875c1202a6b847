# SPDX-License-Identifier: MIT
#
# test-lib.sh - the CLI test harness, in the manner of git's t/test-lib.sh.
#
# A test script sets test_description, sources this file, runs
# test_expect_success blocks and ends with test_done. Each script runs in a
# fresh trash directory, on the engine named by FERRY_TEST_ENGINE (sqlite or
# pg), and prints TAP. Options: -v (show output), -i (stop at the first
# failure), -x (trace the test bodies).
#
# What a test gets:
#   $FERRY          the binary under test; `ferry` runs it
#   ferry_testing   the same CLI on the library's test build (its hooks)
#   $DB_URL         a fresh, empty database of the engine for this script
#   $DB_SHOWN       $DB_URL as ferry prints it (password masked)
#   $ENGINE         sqlite or pg
#   $TEST_DIR       tests/cli, for fixtures: $TEST_DIR/../fixtures/<set>
#   db_sql SQL      run SQL on $DB_URL, print rows as a|b|c
#   db_snapshot F   write the database's whole content to F (for "unchanged")
#   use_fixture N   copy tests/fixtures/N to ./migrations
#   normalize       a filter: timestamps -> TIME, durations -> N ms, hosts,
#                   no "sessions    none besides this one" (PostgreSQL)
#   as_nobody CMD   run CMD as an unprivileged user when we are root
#   normalize_table normalize, and two spaces between table columns
#   normalize_engine "(sqlite 3.40.1)" in status -> "(ENGINE VERSION)", and
#                   no "sessions    none besides this one" (PostgreSQL)
#   test_env V=X CMD  run CMD (or ferry) with V set, in a subshell
#   test_json F Q..   F is one JSON document and each jq filter Q holds
#   test_tty F CMD  run CMD on a pseudo-terminal, its output into F
#   test_must_be_empty F

set -u

TEST_DIR=$(cd "$(dirname "$0")" && pwd)
FIXTURES=$(cd "$TEST_DIR/../fixtures" && pwd)
TEST_NAME=$(basename "$0" .sh)
ENGINE=${FERRY_TEST_ENGINE:-sqlite}

verbose=
immediate=
trace=
while [ $# -gt 0 ]; do
	case $1 in
	-v|--verbose) verbose=t ;;
	-i|--immediate) immediate=t ;;
	-x) trace=t ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

: "${FERRY:?FERRY must name the ferry binary}"
case $FERRY in
/*) ;;
*) FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY") ;;
esac

# A clean, predictable environment: nothing of the caller's leaks in.
unset DATABASE_URL FERRY_DIR FERRY_FORMAT FERRY_TABLE FERRY_SCHEMA FERRY_LOCK_TIMEOUT FERRY_ENV \
	PGPASSWORD PGSERVICE PGHOST PGPORT PGUSER PGDATABASE
NO_COLOR=1
TZ=UTC
LC_ALL=C
export NO_COLOR TZ LC_ALL

# Only scripts about ferry run on both engines; a script may say otherwise.
if [ -n "${test_engines:-}" ]; then
	case " $test_engines " in
	*" $ENGINE "*) ;;
	*) echo "1..0 # SKIP $TEST_NAME is for $test_engines only"; exit 0 ;;
	esac
fi

TRASH_ROOT=${FERRY_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$TRASH_ROOT"
TRASH=$(mktemp -d "$TRASH_ROOT/ferry-$TEST_NAME-$ENGINE.XXXXXX")
chmod 755 "$TRASH"
cd "$TRASH" || exit 1
HOME=$TRASH
export HOME
# The set cache goes to $HOME/.cache/ferry, on, unless a test says otherwise.
unset XDG_CACHE_HOME FERRY_CACHE

ferry() {
	"$FERRY" "$@"
}

# ferry_testing ARGS...: the CLI on the library's test build, for the hooks
# only it has (FERRY_TEST_NO_LOCK=1: run without the runner lock;
# FERRY_TEST_LIBPQ=FILE: load FILE in place of libpq.so.5). `make
# test` and `make test-cli` build it and set FERRY_TESTING_BIN; a test that
# needs it fails loudly without it.
ferry_testing() {
	"${FERRY_TESTING_BIN:?FERRY_TESTING_BIN must name build/ferry-testing: run the tests with make test-cli}" "$@"
}

# --- the database of this script -------------------------------------------

PSQL=
for p in /usr/lib/postgresql/*/bin/psql; do [ -x "$p" ] && PSQL=$p; done
[ -n "$PSQL" ] || PSQL=psql

pg_db_name="ferry_t_$(echo "$TEST_NAME" | tr -c 'a-z0-9\n' '_')_$$"

case $ENGINE in
sqlite)
	DB_FILE=$TRASH/test.db
	DB_URL=sqlite:test.db
	DB_SHOWN=$DB_URL
	;;
pg)
	: "${FERRY_TEST_PG_URL:?FERRY_TEST_PG_URL must point at the test server (tests/cli/run.sh starts one)}"
	PG_ADMIN_URL=$FERRY_TEST_PG_URL
	"$PSQL" -X -q -d "$PG_ADMIN_URL" -c "CREATE DATABASE $pg_db_name" \
		>/dev/null || { echo "Bail out! cannot create database $pg_db_name"; exit 1; }
	# The admin URL with this script's database in place of its own.
	case $PG_ADMIN_URL in
	*\?*) pg_query="?${PG_ADMIN_URL#*\?}" pg_base=${PG_ADMIN_URL%%\?*} ;;
	*) pg_query= pg_base=$PG_ADMIN_URL ;;
	esac
	DB_URL="${pg_base%/*}/$pg_db_name$pg_query"
	DB_SHOWN=$DB_URL
	;;
*)
	echo "Bail out! unknown FERRY_TEST_ENGINE '$ENGINE'"; exit 1 ;;
esac
export DB_URL DB_SHOWN ENGINE

db_sql() {
	case $ENGINE in
	sqlite) sqlite3 -batch -bail "$DB_FILE" "$1" ;;
	pg) "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1" ;;
	esac
}

# The whole content of the database, to compare before and after.
db_snapshot() {
	case $ENGINE in
	sqlite)
		if [ -f "$DB_FILE" ]; then
			cat "$DB_FILE" >"$1"
		else
			echo "no database file" >"$1"
		fi
		;;
	pg)
		# \restrict and \unrestrict carry a random key on every dump.
		pg_dump --no-owner -d "$DB_URL" 2>&1 |
			grep -v '^\\\(un\)\{0,1\}restrict ' >"$1" ;;
	esac
}

# Tables in the database, one per line, sorted (ferry's ledger included).
db_tables() {
	case $ENGINE in
	sqlite) db_sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name" ;;
	pg) db_sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename" ;;
	esac
}

use_fixture() {
	rm -rf migrations &&
	mkdir migrations &&
	cp -R "$FIXTURES/$1/." migrations/
}

normalize() {
	sed -E \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
		-e 's/[0-9]+ min [0-9]+ s\b/N ms/g' \
		-e 's/[0-9]+(\.[0-9]+)? (ms|s|min)\b/N ms/g' \
		-e "s/$(id -un)@$(hostname)/USER@HOST/g" \
		-e 's/pid [0-9]+/pid PID/g' \
		-e '/^sessions    none besides this one$/d'
}

as_nobody() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

# test_env VAR=VALUE... CMD ARGS...: run CMD (a command, or a function such
# as ferry) with those variables exported, in a subshell so nothing leaks.
test_env() {
	(
		while [ $# -gt 0 ]; do
			case $1 in
			*=*) export "$1"; shift ;;
			*) break ;;
			esac
		done
		"$@"
	)
}

# normalize, then two spaces between table columns: for tables whose
# column widths depend on durations or on user@host (list, history).
normalize_table() {
	normalize | sed -E 's/ {2,}/  /g'
}

# The engine's name and version that 'ferry status' shows after the
# database, "(sqlite 3.40.1)", become "(ENGINE VERSION)"; the sessions line
# PostgreSQL adds when nobody else is connected goes (t9011 tests it).
normalize_engine() {
	sed -E -e 's/^(database +[^(]*) \(.*\)(, not created yet)?$/\1 (ENGINE VERSION)\2/' \
		-e '/^sessions    none besides this one$/d'
}

# test_json FILE [FILTER...]: FILE holds exactly one JSON document, and
# each jq FILTER is true of it.
test_json() {
	_f=$1
	shift
	if ! jq -e -s 'length == 1' "$_f" >/dev/null; then
		echo "test_json: '$_f' is not exactly one JSON document:" >&2
		cat "$_f" >&2
		return 1
	fi
	for _q in "$@"; do
		if ! jq -e "$_q" "$_f" >/dev/null; then
			echo "test_json: '$_f' fails: $_q" >&2
			cat "$_f" >&2
			return 1
		fi
	done
}

# test_tty OUT CMD...: run CMD with stdout and stderr on a pseudo-terminal
# (as an interactive user sees it), the output into OUT without the
# terminal's CRs. A CMD of `ferry` runs $FERRY. Returns CMD's exit code.
test_tty() {
	_out=$1
	shift
	_cmd=
	for _a in "$@"; do
		[ "$_a" = ferry ] && _a=$FERRY
		_cmd="$_cmd '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
	done
	SHELL=/bin/sh script -qec "$_cmd" /dev/null </dev/null >"$_out.raw"
	_rc=$?
	tr -d '\r' <"$_out.raw" >"$_out"
	rm -f "$_out.raw"
	return $_rc
}

# --- waiting and slow statements ------------------------------------------

# wait_for SECONDS CMD...: run CMD every 20 ms until it succeeds; give up
# after SECONDS, or at once when CMD exits 125 (it knows it never will).
# FERRY_TEST_TIME_SCALE multiplies SECONDS for a slowed ferry (valgrind).
wait_for() {
	_deadline=$(($(date +%s) + $1 * ${FERRY_TEST_TIME_SCALE:-1}))
	shift
	while :; do
		"$@"
		case $? in
		0) return 0 ;;
		125) return 1 ;;
		esac
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			echo "wait_for: gave up on: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# slow_sql SECONDS: one statement that runs about that long (on SQLite, a
# recursive count sized for this machine), for holding the runner lock.
slow_sql() {
	case $ENGINE in
	sqlite) echo "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < $(($1 * 6000000))) SELECT count(*) FROM r;" ;;
	pg) echo "SELECT pg_sleep($1);" ;;
	esac
}

# --- assertions -------------------------------------------------------------

test_cmp() {
	diff -u "$1" "$2"
}

# test_expect_code N cmd args...: cmd must exit with N.
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" = "$want" ]; then
		return 0
	fi
	echo "test_expect_code: '$*' exited $got, expected $want" >&2
	return 1
}

# test_refused_file NAME TEXT EXPECT: a migration file NAME holding TEXT
# (printf %b) is refused when the set is read, exit 2 with EXPECT (printf
# %b) on stderr; then the file goes.
test_refused_file() {
	printf "%b" "$2" >"migrations/$1" &&
	test_expect_code 2 ferry -d "$DB_URL" status >out 2>err &&
	rm "migrations/$1" &&
	printf "%b" "$3" >expect &&
	test_cmp expect err
}

# test_must_fail cmd args...: cmd must fail, but not crash.
# test_refused_unchanged CODE CMD...: CMD exits CODE, prints nothing on
# stdout and ./expect (normalized) on stderr, and leaves the database byte
# for byte as it was.
test_refused_unchanged() {
	_code=$1 &&
	shift &&
	db_snapshot db.before &&
	test_expect_code "$_code" "$@" >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	normalize <err >actual &&
	test_cmp expect actual &&
	test_cmp db.before db.after
}

test_must_fail() {
	"$@"
	got=$?
	if [ "$got" = 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if [ "$got" -gt 128 ]; then
		echo "test_must_fail: '$*' died of signal $((got - 128))" >&2
		return 1
	fi
	return 0
}

test_path_is_file() {
	[ -f "$1" ] || { echo "'$1' is not a file" >&2; return 1; }
}

test_path_is_missing() {
	[ ! -e "$1" ] || { echo "'$1' exists" >&2; return 1; }
}

test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

test_line_count() {
	n=$(wc -l <"$3" | tr -d ' ')
	[ "$n" "$1" "$2" ] || { echo "'$3' has $n lines, expected $1 $2" >&2; cat "$3" >&2; return 1; }
}

# --- running tests ----------------------------------------------------------

test_count=0
test_failed=0
test_fixed=0

say_output() {
	if [ -n "$verbose" ] || [ "${1:-}" = always ]; then
		sed 's/^/# /' "$TRASH/.test-output"
	fi
}

run_body() {
	cd "$TRASH" || exit 1
	if [ -n "$trace" ]; then
		(set -x; eval "$1") >"$TRASH/.test-output" 2>&1
	else
		eval "$1" >"$TRASH/.test-output" 2>&1
	fi
	rc=$?
	cd "$TRASH" || exit 1
	return $rc
}

test_expect_success() {
	test_count=$((test_count + 1))
	if run_body "$2"; then
		echo "ok $test_count - $1"
		say_output
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		echo "$2" | sed 's/^/#	/'
		say_output always
		if [ -n "$immediate" ]; then
			test_done
		fi
	fi
}

# A known breakage: reported, not counted as a failure.
test_expect_failure() {
	test_count=$((test_count + 1))
	if run_body "$2"; then
		test_fixed=$((test_fixed + 1))
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
	fi
}

cleanup_database() {
	if [ "$ENGINE" = pg ]; then
		"$PSQL" -X -q -d "$PG_ADMIN_URL" \
			-c "DROP DATABASE IF EXISTS $pg_db_name WITH (FORCE)" >/dev/null 2>&1
	fi
}

test_done() {
	echo "1..$test_count"
	cd / || exit 1
	cleanup_database
	if [ "$test_failed" -gt 0 ]; then
		echo "# failed $test_failed among $test_count test(s) (trash kept in $TRASH)"
		exit 1
	fi
	[ -n "${FERRY_TEST_KEEP:-}" ] || rm -rf "$TRASH"
	exit 0
}
