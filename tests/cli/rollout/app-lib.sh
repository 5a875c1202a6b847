# SPDX-License-Identifier: MIT
#
# app-lib.sh - what the two stand-in applications of t3100 share.
#
#   sh app-<release>.sh WORK MIGRATIONS
#
# An application of release APP_RELEASE (set by app-<release>.sh, with
# app_iteration) starts the way a real one would: 'ferry check --release'
# against the migrations it ships in MIGRATIONS, and it refuses to start
# when ferry says no. Then, until the file WORK/stop appears, it runs
# app_iteration every APP_SLEEP seconds (default 0.05) and counts:
#
#   WORK/ok          iterations whose output was the expected one
#   WORK/err         the others; WORK/errors says what they printed
#   WORK/iterations  "start end" (ns since the epoch) of each good one
#   WORK/check.out   what 'ferry check' said at start-up
#
# Exit: 0 stopped, 10 'ferry check' said no (exit 3), 11 'ferry check'
# failed otherwise, 12 usage.
#
# Environment: FERRY, DB_URL, ENGINE (sqlite|pg), DB_FILE (sqlite: the
# file behind DB_URL), PSQL (default psql).

# Run the SQL on standard input against the database; print rows a|b|c.
app_sql() {
	case $ENGINE in
	sqlite)
		# Wait for ferry's write transaction rather than fail with
		# "database is locked": ferry holds the lock only while a
		# migration runs.
		sqlite3 -batch -bail -cmd ".timeout 30000" "$DB_FILE" ;;
	pg)
		"${PSQL:-psql}" -X -q -At -v ON_ERROR_STOP=1 -d "$DB_URL" ;;
	esac
}

# Write a counter so that a reader never sees a half-written file.
app_put() {
	echo "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"
}

app_main() {
	[ $# -eq 2 ] || { echo "usage: app-$APP_RELEASE.sh WORK MIGRATIONS" >&2; exit 12; }
	work=$1
	dir=$2
	mkdir -p "$work" || exit 12

	"$FERRY" -d "$DB_URL" --dir "$dir" check --release "$APP_RELEASE" \
		>"$work/check.out" 2>&1
	rc=$?
	case $rc in
	0) ;;
	3) echo "release $APP_RELEASE: ferry check says no; not starting" >&2
	   exit 10 ;;
	*) echo "release $APP_RELEASE: ferry check failed (exit $rc)" >&2
	   cat "$work/check.out" >&2
	   exit 11 ;;
	esac

	ok=0
	err=0
	i=0
	: >"$work/iterations"
	: >"$work/errors"
	app_put "$work/err" 0
	app_put "$work/ok" 0
	while [ ! -e "$work/stop" ]; do
		i=$((i + 1))
		# Unique among every run of every client of this database.
		n="r$APP_RELEASE-p$$-i$i"
		t0=$(date +%s%N)
		out=$(app_iteration "$n" 2>&1)
		t1=$(date +%s%N)
		if [ "$out" = "$(app_expect "$n")" ]; then
			ok=$((ok + 1))
			echo "$t0 $t1" >>"$work/iterations"
			app_put "$work/ok" $ok
		else
			err=$((err + 1))
			printf '%s iteration %d: %s\n' "$t0" "$i" "$out" >>"$work/errors"
			app_put "$work/err" $err
		fi
		sleep "${APP_SLEEP:-0.05}"
	done
	exit 0
}
