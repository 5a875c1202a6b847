#!/bin/sh
# SPDX-License-Identifier: MIT
#
# valgrind-run.sh - the CLI suite (or the scripts named) with every ferry
# process under valgrind (`make valgrind`). Slow: minutes per script, so
# not part of `make check`. Passes when every script passes and valgrind
# reported nothing; prints each report otherwise.
#
#   FERRY_VALGRIND_BIN=build/ferry sh tests/cli/valgrind-run.sh [t2001 ...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FERRY_VALGRIND_BIN:?set FERRY_VALGRIND_BIN to the ferry binary}"
command -v valgrind >/dev/null 2>&1 || {
	echo "valgrind is not installed (apt-get install valgrind)" >&2
	exit 2
}
case $FERRY_VALGRIND_BIN in
/*) ;;
*) FERRY_VALGRIND_BIN=$(pwd)/$FERRY_VALGRIND_BIN ;;
esac
logs=$(mktemp -d "${TMPDIR:-/tmp}/ferry-valgrind.XXXXXX")
chmod 777 "$logs" # tests run some commands as nobody
FERRY_VALGRIND=$(command -v valgrind)
export FERRY_VALGRIND FERRY_VALGRIND_BIN FERRY_VALGRIND_LOGS="$logs"
# Waits and kills take longer under valgrind: the fault tests run fewer
# trials, and wait_for (test-lib.sh) waits 20 times as long.
export FERRY_FAULT_TRIALS="${FERRY_FAULT_TRIALS:-5}"
export FERRY_TEST_TIME_SCALE="${FERRY_TEST_TIME_SCALE:-20}"
FERRY="$here/valgrind.sh" sh "$here/run.sh" "$@"
rc=$?
reports=0
for f in "$logs"/*.log; do
	[ -s "$f" ] || continue
	reports=$((reports + 1))
	echo "--- valgrind: $f"
	cat "$f"
done
echo "valgrind: $(ls "$logs" | wc -l) ferry processes, $reports with a report"
rm -rf "$logs"
[ "$rc" = 0 ] && [ "$reports" = 0 ]
