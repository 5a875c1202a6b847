#!/bin/sh
# SPDX-License-Identifier: MIT
#
# pg-cluster.sh - a throwaway PostgreSQL server for the tests.
#
#   pg-cluster.sh start DIR   initdb + start in DIR; print the server's URL
#   pg-cluster.sh stop DIR    stop it and remove DIR
#
# The server listens on 127.0.0.1 at a free port (PG_CLUSTER_PORT=N: that
# one, for a test that starts ferry before the server) and on a Unix socket in
# DIR, with fsync off (the data is thrown away; PG_CLUSTER_FSYNC=on for
# benchmarks). As root it runs as the
# `postgres` system user, since PostgreSQL refuses to run as root. Role
# `postgres` needs no password; role `ferry_pw`, password `s3cret-pw`, must
# give one over TCP, for the tests of passwords and their masking.
# Replication connections are allowed, so a test can make a standby.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bindir=
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/pg_ctl" ] && bindir=$d
done
[ -n "$bindir" ] || { echo "pg-cluster: no PostgreSQL server found (apt-get install postgresql-15)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# Tests throw the data away: no fsync. A benchmark wants real commits.
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${PG_CLUSTER_FSYNC:-off}" = on ] && durability=

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
		--locale=C -N >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	cat >"$dir/data/pg_hba.conf" <<'HBA'
local all all trust
local replication all trust
host all ferry_pw 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
	for try in 1 2 3 4 5 6 7 8; do
		port=${PG_CLUSTER_PORT:-$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))}
		if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir $durability -c max_connections=200" \
			start >/dev/null 2>&1; then
			url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			"$bindir/psql" -X -q -d "$url" \
				-c "CREATE ROLE ferry_pw LOGIN SUPERUSER PASSWORD 's3cret-pw'" >/dev/null
			echo "$url"
			exit 0
		fi
		[ -z "${PG_CLUSTER_PORT:-}" ] || break
		tail -n 3 "$dir/server.log" 2>/dev/null | grep -qi 'address already in use' || break
	done
	tail -n 20 "$dir/server.log" >&2 || true
	echo "pg-cluster: the server did not start" >&2
	exit 1
	;;
stop)
	[ -d "$dir" ] || exit 0
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
