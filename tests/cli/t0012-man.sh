#!/bin/sh
test_description='man pages from docs/ferry-*.md, ferry help CMD prints them, make install puts them in place'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# The binary itself, not the valgrind wrapper around it (make valgrind):
# the pages are built beside it, in $(BUILD)/man.
bin=${FERRY_VALGRIND_BIN:-$FERRY}
BUILD_DIR=$(dirname "$bin")
MAN_DIR=$BUILD_DIR/man
ROOT=$(cd "$TEST_DIR/../.." && pwd)
q="'"
VERSION=$(ferry --version | sed "s/^ferry //")
# man renders as it does on an 80-column UTF-8 terminal, as ferry help.
render() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$1"
}

test_expect_success 'setup: the commands of ferry --help' '
	ferry --help | sed -n "/^Commands:/,/^\$/s/^  \\([a-z][a-z-]*\\)  .*/\\1/p" >commands &&
	test_line_count -gt 20 commands &&
	grep -x up commands && grep -x help commands
'

test_expect_success 'every command has a page, which man renders without a warning' '
	while read c; do
		page=$MAN_DIR/ferry-$c.1 &&
		test_path_is_file "$page" &&
		render "$page" >out 2>err &&
		test_must_be_empty err &&
		grep "^NAME\$" out &&
		grep "^       ferry-$c - " out &&
		grep "^SYNOPSIS\$" out &&
		grep "^       ferry $c" out || { echo "page of $c"; return 1; }
	done <commands
'

test_expect_success 'every page: its title, section and date, ferry VERSION in the footer' '
	date=$(sed -n "s/^\\.TH FERRY 1 \\([^ ]*\\) .*/\\1/p" "$ROOT/docs/ferry.1") &&
	for page in "$MAN_DIR"/ferry-*.[17]; do
		name=$(basename "$page") &&
		sec=${name##*.} &&
		name=${name%.*} &&
		title=$(echo "$name" | tr a-z A-Z) &&
		grep -x ".TH \"$title\" \"$sec\" \"$date\" \"ferry $VERSION\" \".*\"" "$page" &&
		render "$page" >out 2>err &&
		test_must_be_empty err &&
		head -n 1 out | grep "^$title($sec)  *.*  *$title($sec)\$" &&
		tail -n 1 out | grep "^ferry $VERSION  *$date  *$title($sec)\$" || {
			echo "page $page"; return 1; }
	done
'

test_expect_success 'the H1 line is the title, not a section; no Markdown is left' '
	for page in "$MAN_DIR"/ferry-*.[17]; do
		render "$page" >out 2>/dev/null &&
		! grep -E "^ {0,7}(#|\`\`\`)|\\]\\(|\\]\\[|^ *\\| *---" out &&
		! grep "^FERRY-[A-Z-]*([17])\$" out || { echo "page $page"; return 1; }
	done
'

test_expect_success 'links are their text; tables and code blocks render' '
	render "$MAN_DIR/ferry-up.1" >out &&
	grep "(see ferry-finish(1))" out &&
	! grep "ferry-finish.md" out &&
	sed -n "/^EXIT STATUS\$/,/^[A-Z]/p" out >exit &&
	grep "^       code  *when *\$" exit &&
	grep "^       0  *the pending migrations were applied" exit &&
	grep "^       130, 143  *interrupted by SIGINT or SIGTERM" exit &&
	grep "^              ferry: error: stopped after release 2.0: it is a checkpoint" out &&
	grep -x "       ferry up [[]--to TARGET[]] [[]--allow-out-of-order[]] [[]--single-transaction[]]" out
'

test_expect_success 'no line of a page runs past 80 columns, but what the Markdown writes so' '
	for page in "$MAN_DIR"/ferry-*.[17]; do
		render "$page" 2>/dev/null | sed "s/─/-/g" |
			awk -v p="$page" "length > 80 && !/^              / { print p \": \" \$0 }" || return 1
	done >long &&
	test_must_be_empty long
'

test_expect_success 'a concept page is in section 7: ferry-trial-runs(7)' '
	test_path_is_file "$MAN_DIR/ferry-trial-runs.7" &&
	test_path_is_missing "$MAN_DIR/ferry-trial-runs.1" &&
	ferry help trial-runs >out &&
	head -n 1 out | grep "^FERRY-TRIAL-RUNS(7) "
'

test_expect_success 'ferry.1 names every page in SEE ALSO' '
	render "$ROOT/docs/ferry.1" >main 2>err &&
	test_must_be_empty err &&
	sed -n "/^SEE ALSO\$/,/^[A-Z]/p" main | tr -s " \\n" "  " >seealso &&
	for page in "$MAN_DIR"/ferry-*.[17]; do
		name=$(basename "$page") &&
		grep -qF "${name%.*}(${name##*.})" seealso || return 1
	done &&
	tr -s " \n" "  " <main | grep "ferry-command(1), that describes it in full; ferry help command prints the same page"
'

test_expect_success 'ferry help CMD is the page as man shows it, for every command' '
	while read c; do
		render "$MAN_DIR/ferry-$c.1" | cat -s >expect &&
		ferry help $c >actual 2>err &&
		test_must_be_empty err &&
		test_cmp expect actual || { echo "help $c"; return 1; }
	done <commands
'

test_expect_success 'ferry help up has the OPTIONS of the page; up --help stays short' '
	ferry help up >out &&
	sed -n "/^OPTIONS\$/,/^[A-Z]/p" out >options &&
	grep "^       --to TARGET\$" options &&
	grep "^       --single-transaction\$" options &&
	grep "^       --dry-run\$" options &&
	ferry up --help >short &&
	head -n 1 short | grep "^usage: ferry up " &&
	! grep "^OPTIONS\$" short &&
	ferry up -h >short2 &&
	test_cmp short short2 &&
	ferry help --help >hh &&
	head -n 1 hh | grep "^usage: ferry help \\[COMMAND\\]\$"
'

test_expect_success 'ferry help alone is ferry --help; an unknown name is an error' '
	ferry --help >expect &&
	ferry help >actual &&
	test_cmp expect actual &&
	test_expect_code 2 ferry help nosuch >out 2>err &&
	test_must_be_empty out &&
	grep "^ferry: error: ${q}nosuch${q} is not a ferry command" err &&
	test_expect_code 2 ferry help __complete >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'on a terminal the page goes through $PAGER; PAGER=cat prints it' '
	test_tty out env PAGER="sed s/^/paged:/" "$FERRY" help up &&
	head -n 1 out | grep "^paged:FERRY-UP(1) " &&
	! grep -v "^paged:" out &&
	test_tty out env PAGER=cat "$FERRY" help up &&
	head -n 1 out | grep "^FERRY-UP(1) " &&
	test_tty out env PAGER=no-such-pager-here "$FERRY" help up &&
	grep "^FERRY-UP(1) " out &&
	env PAGER="sed s/^/paged:/" "$FERRY" help up >out &&
	head -n 1 out | grep "^FERRY-UP(1) "
'

test_expect_success 'make install puts the pages and the completion in place; uninstall removes them' '
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" -o all \
		BUILD="$BUILD_DIR" PREFIX=/usr DESTDIR="$PWD/root" install >out 2>&1 &&
	for page in "$MAN_DIR"/ferry-*.1 "$ROOT/docs/ferry.1"; do
		test_cmp "$page" "root/usr/share/man/man1/$(basename "$page")" || return 1
	done &&
	test_cmp "$MAN_DIR/ferry-trial-runs.7" root/usr/share/man/man7/ferry-trial-runs.7 &&
	test_cmp "$ROOT/completion/ferry.bash" root/usr/share/bash-completion/completions/ferry &&
	test_cmp "$ROOT/completion/ferry.zsh" root/usr/share/zsh/vendor-completions/_ferry &&
	LC_ALL=C.UTF-8 MANWIDTH=80 man -M root/usr/share/man ferry-up >out 2>err &&
	test_must_be_empty err &&
	grep "^       ferry-up - apply the up sections" out &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" -o all \
		BUILD="$BUILD_DIR" PREFIX=/usr DESTDIR="$PWD/root" uninstall >out 2>&1 &&
	find root -type f >left &&
	test_must_be_empty left
'

test_expect_success 'a package sets BASHCOMPDIR and ZSHCOMPDIR' '
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" -o all \
		BUILD="$BUILD_DIR" PREFIX=/usr DESTDIR="$PWD/pkg" \
		BASHCOMPDIR=/etc/bash_completion.d ZSHCOMPDIR=/usr/share/zsh/site-functions \
		install-man >out 2>&1 &&
	test_path_is_file pkg/etc/bash_completion.d/ferry &&
	test_path_is_file pkg/usr/share/zsh/site-functions/_ferry &&
	test_path_is_missing pkg/usr/share/bash-completion
'

test_done
