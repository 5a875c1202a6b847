#!/bin/sh
# SPDX-License-Identifier: MIT
#
# valgrind.sh - run ferry under valgrind, for `make valgrind`: the CLI
# suite points FERRY here, and this runs the real binary
# ($FERRY_VALGRIND_BIN) with every memory error and definite or indirect
# leak counted as a failure (exit 99).
#
# Valgrind's words go to one log per process in $FERRY_VALGRIND_LOGS, not
# to stderr, where the tests compare ferry's own words exactly; `make
# valgrind` prints the logs that are not empty at the end.
: "${FERRY_VALGRIND_BIN:?set FERRY_VALGRIND_BIN to the ferry binary}"
: "${FERRY_VALGRIND_LOGS:?set FERRY_VALGRIND_LOGS to a directory for the logs}"
# No external command but valgrind itself, found where valgrind-run.sh
# saw it: some tests run ferry with a PATH that holds only a few tools.
here=$(cd "${0%/*}" && pwd)
exec "${FERRY_VALGRIND:-valgrind}" -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect \
	--suppressions="$here/valgrind.supp" \
	--log-file="$FERRY_VALGRIND_LOGS/ferry.%p.log" \
	"$FERRY_VALGRIND_BIN" "$@"
