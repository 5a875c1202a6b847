#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh - run the CLI test scripts on every engine, in parallel, and end
# with "N passed, N failed".
#
#   FERRY=build/ferry sh tests/cli/run.sh [t2001 ...]
#
# FERRY_TEST_ENGINES  engines to test (default "sqlite pg")
# FERRY_TEST_PG_URL   a PostgreSQL server to use; without it one is started
# FERRY_TEST_JOBS     scripts run at once (default 4)
#
# PostgreSQL is never skipped quietly: if its server is not installed, the
# run fails, unless FERRY_TEST_ENGINES leaves pg out.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${FERRY:?set FERRY to the ferry binary}"
engines=${FERRY_TEST_ENGINES:-sqlite pg}
jobs=${FERRY_TEST_JOBS:-4}

scripts=
if [ $# -eq 0 ]; then
	scripts=$(cd "$here" && ls t[0-9]*.sh)
else
	for want in "$@"; do
		found=$(cd "$here" && ls "$want"*.sh 2>/dev/null)
		# A name that matches nothing is a mistake, not a pass.
		[ -n "$found" ] || { echo "no test script matches: $want" >&2; exit 2; }
		scripts="$scripts $found"
	done
fi
[ -n "$(echo $scripts)" ] || { echo "no test scripts match: $*" >&2; exit 2; }

out=$(mktemp -d "${TMPDIR:-/tmp}/ferry-tests.XXXXXX")
chmod 755 "$out"
pgdir=
cleanup() {
	[ -n "$pgdir" ] && sh "$here/pg-cluster.sh" stop "$pgdir"
	rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case " $engines " in
*" pg "*)
	if [ -z "${FERRY_TEST_PG_URL:-}" ]; then
		pgdir=$out/pg
		FERRY_TEST_PG_URL=$(sh "$here/pg-cluster.sh" start "$pgdir") || {
			echo "ERROR: cannot start a PostgreSQL server for the tests." >&2
			echo "Install it (apt-get install postgresql-15), or run only SQLite with FERRY_TEST_ENGINES=sqlite." >&2
			exit 1
		}
		export FERRY_TEST_PG_URL
	fi
	;;
esac

export FERRY FERRY_TEST_TMP="$out/trash"
mkdir -p "$FERRY_TEST_TMP"
chmod 755 "$FERRY_TEST_TMP"

# The longest scripts start first, so that none of them is left running
# alone at the end: those named in $slow_first (measured under ASan), then
# PostgreSQL's, then SQLite's.
slow_first="pg:t5008 sqlite:t4005 pg:t5012 sqlite:t4006 pg:t3303 pg:t3100 pg:t6001 pg:t6002"
{
	for w in $slow_first; do
		for s in $scripts; do
			case " $engines " in *" ${w%%:*} "*) ;; *) continue ;; esac
			case $s in "${w#*:}"*) echo "${w%%:*} $s" ;; esac
		done
	done
	for e in pg sqlite; do
		case " $engines " in *" $e "*) ;; *) continue ;; esac
		for s in $scripts; do
			case " $slow_first " in *" $e:${s%%-*} "*) continue ;; esac
			echo "$e $s"
		done
	done
} | xargs -P "$jobs" -n 2 sh -c '
	e=$1 s=$2
	t0=$(date +%s)
	FERRY_TEST_ENGINE=$e sh "'"$here"'/$s" >"'"$out"'/$s.$e.log" 2>&1
	echo $? >"'"$out"'/$s.$e.rc"
	echo $(($(date +%s) - t0)) >"'"$out"'/$s.$e.secs"
' sh

passed=0
failed=0
for e in $engines; do
	for s in $scripts; do
		log=$out/$s.$e.log
		rc=$(cat "$out/$s.$e.rc" 2>/dev/null || echo 99)
		p=$(grep -c '^ok ' "$log")
		f=$(grep '^not ok ' "$log" | grep -vc '# TODO')
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$rc" != 0 ] || [ "$f" != 0 ]; then
			[ "$f" = 0 ] && failed=$((failed + 1))
			echo "--- FAIL $s ($e), exit $rc"
			cat "$log"
		else
			echo "ok   $s ($e): $p ($(cat "$out/$s.$e.secs" 2>/dev/null) s)"
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
