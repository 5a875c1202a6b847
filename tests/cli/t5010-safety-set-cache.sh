#!/bin/sh
test_description='the set cache: unchanged files are not read again, and no edit hides behind it'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# Files are recorded only two seconds after their last change: wait once.
# Beside the fixture, a set in p/ whose second migration has an up and a
# finish section, with its first applied, for the planted caches below.
test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up &&
	cp -R migrations pristine &&
	ferry -d "$DB_URL" status >expect-clean &&
	mkdir -p p/migrations &&
	cat >p/migrations/0001_accounts.sql <<-\EOF &&
	CREATE TABLE accounts (id integer PRIMARY KEY);
	INSERT INTO accounts VALUES (1);
	EOF
	cat >p/migrations/0002_more.sql <<-\EOF &&
	-- ferry:up
	INSERT INTO accounts VALUES (2);
	-- ferry:finish
	DELETE FROM accounts;
	EOF
	ferry -d sqlite:p.db --dir p/migrations -q up --to 1 &&
	cp p.db p.db.orig &&
	sleep 2.2
'

test_expect_success 'a run records settled files in ~/.cache/ferry, privately' '
	ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual &&
	ls .cache/ferry | grep "^set-" >files &&
	test_line_count = 1 files &&
	grep "^set-[0-9a-f]*-[0-9a-f]*$" files &&
	stat -c %a .cache/ferry ".cache/ferry/$(cat files)" >modes &&
	printf "700\n600\n" >expect &&
	test_cmp expect modes &&
	head -n 1 ".cache/ferry/$(cat files)" >magic &&
	echo "ferry-set-cache 3 $(ferry --version | sed "s/^ferry //; s/ .*//")" >expect &&
	test_cmp expect magic &&
	grep -c "^000[123]_" ".cache/ferry/$(cat files)" >count &&
	echo 3 >expect &&
	test_cmp expect count
'

test_expect_success 'a corrupt cache is read around and rewritten' '
	cache=".cache/ferry/$(cat files)" &&
	echo "garbage" >"$cache" &&
	ferry -d "$DB_URL" status >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect-clean actual &&
	grep -c "^000[123]_" "$cache" >count &&
	test_cmp expect count
'

test_expect_success 'an edit of the same size is still drift' '
	sed "s/NOT NULL/not null/" pristine/0001_create_users.sql \
		>migrations/0001_create_users.sql &&
	test_cmp_size() { test $(wc -c <"$1") = $(wc -c <"$2"); } &&
	test_cmp_size pristine/0001_create_users.sql migrations/0001_create_users.sql &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       1 (changed after applied)$" out &&
	test_expect_code 5 ferry -d "$DB_URL" up 2>err &&
	grep "0001_create_users" err
'

test_expect_success 'copying the file back ends the drift' '
	cp pristine/0001_create_users.sql migrations/ &&
	ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual
'

test_expect_success 'a listed directory: a file added or removed is seen at once' '
	ferry -d "$DB_URL" status >/dev/null &&
	grep "^dir [0-9]" ".cache/ferry/$(cat files)" &&
	printf "SELECT 1;\n" >migrations/0004_more.sql &&
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  3 complete, 1 pending$" out &&
	rm migrations/0004_more.sql &&
	ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual
'

test_expect_success 'XDG_CACHE_HOME moves the cache' '
	XDG_CACHE_HOME="$PWD/xdg" ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual &&
	ls xdg/ferry | grep "^set-" >files &&
	test_line_count = 1 files
'

test_expect_success 'FERRY_CACHE=off neither reads nor writes a cache' '
	mkdir home-off &&
	HOME="$PWD/home-off" FERRY_CACHE=off ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual &&
	test ! -e home-off/.cache
'

test_expect_success 'validate and repair read every file, whatever the cache says' '
	mkdir home-fresh &&
	HOME="$PWD/home-fresh" ferry -d "$DB_URL" validate >out &&
	HOME="$PWD/home-fresh" ferry -d "$DB_URL" repair >out &&
	test ! -e home-fresh/.cache
'

test_expect_success 'a cache that cannot be written changes nothing' '
	mkdir home-ro &&
	echo "not a directory" >home-ro/.cache &&
	HOME="$PWD/home-ro" ferry -d "$DB_URL" status >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect-clean actual
'

# --- a planted cache never changes what runs --------------------------------
#
# The cache records each section's offset, length, first line and
# checksum. What runs is cut from the file as read for running it; a cache
# that lies about where a section is, or is out of range, changes nothing,
# and one that lies about how it runs is refused before anything runs.

q="'"

# pferry ARGS: ferry on the set in p/ and its database.
pferry() {
	ferry -d sqlite:p.db --dir p/migrations "$@"
}

# The rows of the accounts table in p.db, on one line.
accounts() {
	sqlite3 p.db "SELECT id FROM accounts ORDER BY id" | tr "\n" " " &&
	echo
}

test_expect_success 'setup: the set in p/ is recorded' '
	pferry status >/dev/null &&
	pcache=$(grep -l "^0002_more " .cache/ferry/set-*) &&
	echo "$pcache" >pcache.name &&
	cp -p "$pcache" pcache.orig &&
	FERRY_CACHE=off ferry -d sqlite:p.db --dir p/migrations up --dry-run >expect-dry &&
	FERRY_CACHE=off ferry -d sqlite:p.db --dir p/migrations plan >expect-plan &&
	FERRY_CACHE=off ferry -d sqlite:p.db --dir p/migrations status >expect-pstatus
'

# section K: the recorded section K (7 up, 8 finish, 9 down) of 0002_more.
section() {
	awk -v k="$1" "\$1 == \"0002_more\" { print \$k }" pcache.orig
}

# put_pcache FILE: FILE's text in the p set's cache file, which keeps its
# mode and its date (the cache trusts only files older than its date).
put_pcache() {
	cat "$1" >"$(cat pcache.name)" &&
	touch -r pcache.orig "$(cat pcache.name)"
}

# plant K VALUE: the database as before, and the cache as recorded but
# with section K of 0002_more replaced.
plant() {
	cp p.db.orig p.db &&
	awk -v k="$1" -v v="$2" "\$1 == \"0002_more\" { \$k = v } { print }" \
		pcache.orig >pcache.new &&
	put_pcache pcache.new
}

test_expect_success 'an up section recorded where the finish is: up runs the up' '
	up=$(section 7) &&
	fin=$(section 8) &&
	plant 7 "$(echo "$fin" | cut -d, -f1-4),$(echo "$up" | cut -d, -f5)" &&
	pferry up >out &&
	echo "1 2 " >expect &&
	accounts >actual &&
	test_cmp expect actual
'

test_expect_success 'an up section recorded one byte off: the right statement runs' '
	up=$(section 7) &&
	off=$(echo "$up" | cut -d, -f2) &&
	len=$(echo "$up" | cut -d, -f3) &&
	bad="0,$((off + 1)),$((len - 1)),$(echo "$up" | cut -d, -f4-)" &&
	plant 7 "$bad" &&
	pferry up --dry-run >actual &&
	test_cmp expect-dry actual &&
	plant 7 "$bad" &&
	pferry up >out &&
	echo "1 2 " >expect &&
	accounts >actual &&
	test_cmp expect actual
'

test_expect_success 'offsets, lengths and lines out of range: no crash, the same answers' '
	sha=$(section 7 | cut -d, -f5) &&
	for bad in "0,99999999,33,2" "0,12,99999999999,2" \
		"0,18446744073709551615,33,2" "0,12,18446744073709551615,2" \
		"0,12,33,0" "0,12,33,2147483647"
	do
		plant 7 "$bad,$sha" &&
		pferry status >actual &&
		test_cmp expect-pstatus actual &&
		plant 7 "$bad,$sha" &&
		pferry plan >actual &&
		test_cmp expect-plan actual &&
		plant 7 "$bad,$sha" &&
		pferry up --dry-run >actual &&
		test_cmp expect-dry actual &&
		plant 7 "$bad,$sha" &&
		pferry up >out &&
		echo "1 2 " >expect &&
		accounts >actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'a no-transaction flag that lies: refused before anything runs, and the cache goes' '
	up=$(section 7) &&
	plant 7 "1,$(echo "$up" | cut -d, -f2-)" &&
	cat >expect <<-EOF &&
	ferry: error: ${q}p/migrations/0002_more.sql${q} changed while ferry was running
	hint: run the command again
	EOF
	test_expect_code 2 pferry up --dry-run 2>err >out &&
	test_cmp expect err &&
	cmp p.db p.db.orig &&
	test_path_is_missing "$(cat pcache.name)" &&
	plant 7 "1,$(echo "$up" | cut -d, -f2-)" &&
	chmod 600 "$(cat pcache.name)" &&
	test_expect_code 2 pferry up 2>err >out &&
	test_cmp expect err &&
	cmp p.db p.db.orig &&
	test_path_is_missing "$(cat pcache.name)" &&
	pferry up >out &&
	echo "1 2 " >expect &&
	accounts >actual &&
	test_cmp expect actual
'

test_expect_success 'a FIFO in the place of a recorded file is refused, not read' '
	cp p.db.orig p.db &&
	put_pcache pcache.orig &&
	mv p/migrations/0002_more.sql p/0002_more.sql &&
	mkfifo p/migrations/0002_more.sql &&
	set -- $(stat -c "%d %i %s" p/migrations/0002_more.sql) &&
	awk -v d="$1" -v i="$2" -v s="$3" \
		"\$1 == \"0002_more\" { \$2 = d; \$3 = i; \$4 = s; \$7 = \"0,0,0,1,\" substr(\$7, length(\$7) - 63) } { print }" \
		pcache.orig >pcache.new &&
	put_pcache pcache.new &&
	cat >expect <<-EOF &&
	ferry: error: ${q}p/migrations/0002_more.sql${q} is not a regular file (a FIFO)
	hint: replace it with a regular file, or move it away
	EOF
	test_expect_code 2 timeout 10 "$FERRY" -d sqlite:p.db --dir p/migrations up 2>err >out &&
	test_cmp expect err &&
	rm p/migrations/0002_more.sql &&
	mv p/0002_more.sql p/migrations/
'

# --- trust: only the user's own private cache is read -----------------------
#
# A checksum planted in the cache of the fixture's set shows as drift
# when the cache is used; a cache that fails the trust rules is ignored
# (status is clean), and a directory that fails them is left as it was.

test_expect_success 'setup: a planted checksum shows when the cache is used' '
	# 0001 was copied back above: recorded only once it has settled.
	sleep 2.1 &&
	ferry -d "$DB_URL" status >/dev/null &&
	cache=$(grep -l "^0001_create_users " .cache/ferry/set-*) &&
	echo "$cache" >cache.name &&
	zeros=0000000000000000000000000000000000000000000000000000000000000000 &&
	awk -v z="$zeros" "\$1 == \"0001_create_users\" { \$7 = substr(\$7, 1, length(\$7) - 64) z } { print }" \
		"$cache" >cache.planted &&
	touch -r "$cache" cache.planted &&
	cat cache.planted >"$cache" &&
	touch -r cache.planted "$cache" &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       1 (changed after applied)$" out
'

# plant_main: the planted cache back in place, private, as ferry wrote it.
plant_main() {
	rm -rf "$(cat cache.name)" &&
	cp -p cache.planted "$(cat cache.name)" &&
	chmod 600 "$(cat cache.name)"
}

# ignored: status is clean, so the planted cache was not read.
ignored() {
	timeout 10 "$FERRY" -d "$DB_URL" status --exit-code >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect-clean actual
}

test_expect_success 'a cache file others may read or write is ignored' '
	for mode in 644 666 640 604
	do
		plant_main &&
		chmod $mode "$(cat cache.name)" &&
		ignored &&
		stat -c %a "$(cat cache.name)" >actual &&
		echo 600 >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'a cache file of another user is ignored' '
	if [ "$(id -u)" = 0 ]; then
		plant_main &&
		chown 65534:65534 "$(cat cache.name)" &&
		ignored
	fi
'

test_expect_success 'a cache file that is a symbolic link is ignored, not written through' '
	plant_main &&
	mv "$(cat cache.name)" elsewhere &&
	ln -s "$PWD/elsewhere" "$(cat cache.name)" &&
	ignored &&
	test_cmp cache.planted elsewhere &&
	test ! -h "$(cat cache.name)"
'

test_expect_success 'a FIFO in the cache file'"'"'s place is not waited on' '
	rm -f "$(cat cache.name)" &&
	mkfifo -m 600 "$(cat cache.name)" &&
	ignored &&
	test -f "$(cat cache.name)"
'

# left_alone: ignored, and nothing in the cache directory changed.
left_alone() {
	ls -la --time-style=full-iso .cache/ferry >dir.before &&
	ignored &&
	ls -la --time-style=full-iso .cache/ferry >dir.after &&
	test_cmp dir.before dir.after &&
	test_cmp cache.planted "$(cat cache.name)"
}

test_expect_success 'a cache directory others may write in is left alone' '
	plant_main &&
	for mode in 777 770 1777
	do
		chmod $mode .cache/ferry &&
		left_alone || return 1
	done &&
	chmod 700 .cache/ferry
'

test_expect_success 'a cache directory of another user is left alone' '
	if [ "$(id -u)" = 0 ]; then
		plant_main &&
		chown 65534:65534 .cache/ferry &&
		left_alone &&
		chown 0:0 .cache/ferry
	fi
'

test_expect_success 'a cache directory that is a symbolic link is left alone' '
	plant_main &&
	mv .cache/ferry .cache/real &&
	ln -s real .cache/ferry &&
	ls -la --time-style=full-iso .cache/real >dir.before &&
	ignored &&
	ls -la --time-style=full-iso .cache/real >dir.after &&
	test_cmp dir.before dir.after &&
	rm .cache/ferry &&
	mv .cache/real .cache/ferry
'

test_expect_success 'the same cache, private again, is used again' '
	plant_main &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       1 (changed after applied)$" out
'

test_done
