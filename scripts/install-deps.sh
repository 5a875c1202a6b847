#!/bin/sh
# SPDX-License-Identifier: MIT
#
# install-deps.sh [build|test] - install the Debian packages ferry needs
# that are missing, and nothing when all are there.
#
#   build  compiler, pkg-config and the libraries (default); pandoc and
#          groff for the manual pages and `ferry help`
#   deb    also the tools that build Debian packages (make deb)
#   test   also the sqlite3 and PostgreSQL servers and tools the tests use
#          (pgbouncer too, for the tests behind a transaction pooler; man,
#          bash-completion and zsh for those of the pages and completion;
#          doxygen, to check the API reference of ferry.h), OpenSSL's
#          libcrypto, a second SHA-256 for the fuzz tests, and what deb
#          needs: CI builds the packages and tries them
set -eu

what=${1:-build}
case $what in
build | deb | test) ;;
*) echo "usage: install-deps.sh [build|deb|test]" >&2; exit 2 ;;
esac
pkgs="gcc make pkg-config libsqlite3-dev libpq-dev nettle-dev zlib1g-dev libjansson-dev pandoc groff-base"
if [ "$what" = deb ] || [ "$what" = test ]; then
	pkgs="$pkgs git dpkg-dev debhelper lintian doxygen"
fi
if [ "$what" = test ]; then
	pkgs="$pkgs libssl-dev python3 sqlite3 postgresql-15 postgresql-client-15 clang libclang-rt-14-dev valgrind util-linux procps jq strace clang-format clang-tidy cppcheck pgbouncer man-db bash-completion zsh doxygen"
fi

missing=
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages:$missing (and no apt-get to install them)" >&2
	exit 1
fi
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root to install:$missing" >&2; exit 1; }
	sudo=sudo
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
