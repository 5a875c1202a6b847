#!/bin/sh
# SPDX-License-Identifier: MIT
#
# smoke.sh [DEBDIR] - install the Debian packages `make deb` built (default
# build/deb) on this machine and try the installed files alone: the command
# from /usr/bin, its man page and examples, the library through pkg-config.
# As root (apt-get install), on a throwaway machine such as CI's.
#
#   1. ferry -V names the version the packages carry
#   2. the example set on SQLite, as the README's demo runs it
#   3. status (and migrate) on a PostgreSQL server started here
#   4. a program built with `pkg-config --cflags --libs ferry` runs on the
#      installed shared library
#   5. the Python module migrates a database on it
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
debdir=$(cd "${1:-$top/build/deb}" && pwd)
work=$(mktemp -d /tmp/ferry-smoke.XXXXXX)
chmod 755 "$work"
pgdir=

fail() {
	echo "smoke: FAIL: $*" >&2
	exit 1
}

cleanup() {
	[ -z "$pgdir" ] || sh "$top/tests/cli/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1 || :
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

set -- "$debdir"/ferry_*.deb "$debdir"/libferry0_*.deb "$debdir"/libferry-dev_*.deb \
	"$debdir"/python3-ferry_*.deb
for deb; do
	[ -f "$deb" ] || fail "no package $deb: run make deb first"
done
version=$(dpkg-deb -f "$1" Version)
echo "smoke: installing $(for d; do basename "$d"; done | tr '\n' ' ')"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall \
	--no-install-recommends "$@" >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log" >&2; fail "apt-get install"; }

# Only what the packages installed: no build tree on the PATH.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
cd "$work"

[ "$(command -v ferry)" = /usr/bin/ferry ] || fail "ferry is not /usr/bin/ferry"
dpkg -S /usr/bin/ferry | grep -q "^ferry: " || fail "/usr/bin/ferry is not the package's"

echo "smoke: 1. ferry -V"
ferry -V >out || fail "ferry -V exited $?"
[ "$(cat out)" = "ferry $version" ] || fail "ferry -V printed '$(cat out)', not 'ferry $version'"
for page in man1/ferry.1 man1/ferry-up.1 man1/ferry-status.1 man7/ferry-trial-runs.7; do
	[ -f "/usr/share/man/$page.gz" ] || fail "no man page $page"
done
[ -f /usr/share/bash-completion/completions/ferry ] || fail "no bash completion"
[ -f /usr/share/zsh/vendor-completions/_ferry ] || fail "no zsh completion"

echo "smoke: 2. the example set on SQLite"
examples=/usr/share/doc/ferry/examples/shop
[ -d "$examples/migrations" ] || fail "no examples in $examples"
cp -r "$examples/migrations" migrations
find migrations -name '*.gz' -exec gunzip {} +
ferry -d sqlite:shop.db up >up.out 2>&1 || { cat up.out >&2; fail "up on SQLite"; }
ferry -d sqlite:shop.db status >status.out 2>&1 || { cat status.out >&2; fail "status on SQLite"; }
grep -q "^migrations  .*, 0 pending$" status.out ||
	{ cat status.out >&2; fail "status on SQLite: migrations pending after up"; }
ferry -q -d sqlite:shop.db migrate || fail "migrate on SQLite"
ferry -d sqlite:shop.db status --exit-code >/dev/null || fail "status on SQLite after migrate"

echo "smoke: 3. status on PostgreSQL"
mkdir pg
pgdir=$work/pg/cluster
url=$(sh "$top/tests/cli/pg-cluster.sh" start "$pgdir") || fail "no PostgreSQL server"
ferry -d "$url" status >pgstatus.out 2>&1 || { cat pgstatus.out >&2; fail "status on PostgreSQL"; }
grep -q "^migrations  0 complete, [1-9][0-9]* pending$" pgstatus.out ||
	{ cat pgstatus.out >&2; fail "status on PostgreSQL: not all pending"; }
ferry -q -d "$url" migrate || fail "migrate on PostgreSQL"
ferry -d "$url" status --exit-code >/dev/null || fail "status on PostgreSQL after migrate"

echo "smoke: 4. a program built with pkg-config --cflags --libs ferry"
cat >embed.c <<'PROG'
#include <ferry.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	ferry_db *db;
	ferry_error err;

	if (strcmp(ferry_version(), FERRY_VERSION) != 0) {
		fprintf(stderr, "header %s, library %s\n", FERRY_VERSION,
			ferry_version());
		return 1;
	}
	ferry_error_init(&err);
	if (ferry_db_open(&db, argv[argc - 1], NULL, &err) != 0) {
		fprintf(stderr, "open: %s\n", err.message);
		return 1;
	}
	ferry_db_close(db);
	printf("libferry %s\n", ferry_version());
	return 0;
}
PROG
# shellcheck disable=SC2046
cc -Wall -Werror -o embed embed.c $(pkg-config --cflags --libs ferry) ||
	fail "cannot build against the installed libferry-dev"
loaded=$(ldd embed | sed -n 's/^.*libferry\.so\.0 => \([^ ]*\) .*$/\1/p')
installed=$(dpkg -L libferry0 | grep '/libferry\.so\.0$')
[ -n "$loaded" ] && [ "$(readlink -f "$loaded")" = "$(readlink -f "$installed")" ] ||
	{ ldd embed >&2; fail "the program does not load the installed $installed"; }
./embed sqlite:shop.db >embed.out || fail "the program failed"
[ "$(cat embed.out)" = "libferry $version" ] || fail "the program printed '$(cat embed.out)'"

[ -f /usr/share/doc/libferry-dev/api/html/index.html ] ||
	fail "libferry-dev has no API reference in /usr/share/doc/libferry-dev/api"

echo "smoke: 5. the Python module"
/usr/bin/python3 - sqlite:py.db >py.out <<'PY' || fail "the Python module failed"
import sys
import ferry

with ferry.open(sys.argv[1], "migrations") as db:
    report = db.migrate()
    print(ferry.version(), len(report.steps), db.status().pending)
    print(ferry.__file__)
PY
head -n 1 py.out | grep -q "^$version [1-9][0-9]* 0$" || { cat py.out >&2; fail "the Python module printed that"; }
grep -q "^/usr/lib/python3/dist-packages/ferry/__init__.py$" py.out ||
	{ cat py.out >&2; fail "the Python module is not the package's"; }

echo "smoke: ok, ferry $version installed and working"
