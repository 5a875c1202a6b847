#!/bin/sh
# SPDX-License-Identifier: MIT
#
# pgbouncer.sh - a throwaway PgBouncer in transaction mode, for the tests.
#
#   pgbouncer.sh start DIR PG_URL   start it in DIR in front of PG_URL's
#                                   server; print its URL
#   pgbouncer.sh stop DIR           stop it and remove DIR
#
# What production often puts between ferry and PostgreSQL: pool_mode =
# transaction, 4 server connections per database and user, so that each
# transaction of a client may run on another server connection. Every
# database of the server is reached through it (a `*` entry), as the test
# scripts make one database each. Clients are trusted, as pg-cluster.sh's
# server trusts them; the userlist only names who may log in. As root it
# runs as the `postgres` system user (PgBouncer refuses root).
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PG_URL | stop DIR" >&2; exit 2; }

bin=
for b in /usr/sbin/pgbouncer /usr/bin/pgbouncer "$(command -v pgbouncer 2>/dev/null || true)"; do
	[ -n "$b" ] && [ -x "$b" ] && { bin=$b; break; }
done

case $cmd in
start)
	url=${3:-}
	[ -n "$url" ] || { echo "usage: $0 start DIR PG_URL" >&2; exit 2; }
	[ -n "$bin" ] || { echo "pgbouncer.sh: no pgbouncer found (apt-get install pgbouncer)" >&2; exit 1; }
	# postgres://user@host:port/db?...: the server's host and port
	hostport=${url#*://}
	hostport=${hostport#*@}
	hostport=${hostport%%/*}
	pghost=${hostport%:*}
	pgport=${hostport##*:}
	[ "$pgport" != "$hostport" ] || pgport=5432
	mkdir -p "$dir"
	cat >"$dir/userlist.txt" <<-'USERS'
	"postgres" ""
	"ferry_pw" "s3cret-pw"
	USERS
	if [ "$(id -u)" = 0 ]; then
		chown -R postgres: "$dir"
		user_opt="-u postgres"
	else
		user_opt=
	fi
	for try in 1 2 3 4 5 6 7 8; do
		port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
		cat >"$dir/pgbouncer.ini" <<-INI
		[databases]
		* = host=$pghost port=$pgport
		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir =
		auth_type = trust
		auth_file = $dir/userlist.txt
		admin_users = postgres
		pool_mode = transaction
		default_pool_size = 4
		max_client_conn = 500
		logfile = $dir/pgbouncer.log
		pidfile = $dir/pgbouncer.pid
		ignore_startup_parameters = extra_float_digits
		INI
		[ "$(id -u)" = 0 ] && chown postgres: "$dir/pgbouncer.ini"
		# shellcheck disable=SC2086
		if (cd / && "$bin" -d $user_opt "$dir/pgbouncer.ini") >"$dir/start.log" 2>&1; then
			i=0
			while [ $i -lt 50 ]; do
				if [ -s "$dir/pgbouncer.pid" ] &&
					grep -q "listening on 127.0.0.1:$port" "$dir/pgbouncer.log" 2>/dev/null; then
					echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
					exit 0
				fi
				sleep 0.1
				i=$((i + 1))
			done
		fi
		grep -qi 'address already in use' "$dir/pgbouncer.log" "$dir/start.log" 2>/dev/null || break
		[ -s "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
	done
	tail -n 20 "$dir/pgbouncer.log" "$dir/start.log" >&2 2>/dev/null || true
	echo "pgbouncer.sh: pgbouncer did not start" >&2
	exit 1
	;;
stop)
	[ -d "$dir" ] || exit 0
	if [ -s "$dir/pgbouncer.pid" ]; then
		pid=$(cat "$dir/pgbouncer.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start DIR PG_URL | stop DIR" >&2
	exit 2
	;;
esac
