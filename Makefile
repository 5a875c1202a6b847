# SPDX-License-Identifier: MIT
#
# ferry - one Makefile for the library, the CLI and the tests.
#
#   make                 build/libferry.a, build/libferry.so, build/ferry
#   make demo            the example migration set into shop.db, then status
#   make test            unit tests, then CLI tests on SQLite and PostgreSQL
#   make test-cli T=t2001  one CLI test script (both engines)
#   make asan            everything built with ASan+UBSan, and tested
#   make tsan            threads on their own handles, under ThreadSanitizer
#   make check           test + asan + tsan: what CI runs
#   make valgrind        the CLI tests with ferry under valgrind (slow; T=...)
#   make install PREFIX=/usr/local DESTDIR=
#   make dist            build/ferry-VERSION.tar.gz of the commit checked out
#   make distcheck       ... then build and install that tarball
#   make deb             Debian packages into build/deb (debian/)
#   make apidocs         the API reference (doxygen) into build/api/html
#   make install-apidocs  it, into $(PREFIX)/share/doc/libferry-dev/api
#   make lint            clang-format, cppcheck and clang-tidy over src/
#   make format          clang-format in place
#   make fuzz            short libFuzzer runs (clang)
#   make bench           the benchmark in bench/ (not part of the tests)
#
# Flags from the caller are used as GNU make's own rules use them: CPPFLAGS
# and CFLAGS in every compile, LDFLAGS and LDLIBS in every link, after
# ferry's own (so `make CFLAGS=-O0` or a distribution's hardening flags
# apply). Every object records the headers it read (-MMD) and is rebuilt
# when one changes.
#
# Warnings are errors (-Werror) by default, so that development and CI (make,
# make check, .ci/run) stop at the first one. A release or distribution
# build, whose compiler may be newer than any ferry was tested with, turns
# that off with WERROR=0: `make WERROR=0`, `make install WERROR=0`.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
APIDOCDIR ?= $(PREFIX)/share/doc/libferry-dev/api
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
BUILD ?= build
LINT_JOBS ?= 2
# Compilers at once where check, distcheck and deb build (make -j).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WERROR ?= 1

# The version is written once, as three numbers in include/ferry.h. The
# shared library's soname carries the ABI's number (README: "Versions and
# ABI"), its file name the whole version.
version_part = $(shell sed -n 's/^\#define FERRY_VERSION_$(1) \([0-9]*\)\( .*\)\{0,1\}$$/\1/p' include/ferry.h)
VERSION := $(call version_part,MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SOVERSION := 0

LIB_PKGS := sqlite3 nettle zlib jansson
CLI_PKGS := jansson
HAVE_PG := $(if $(wildcard src/lib/db_pg.c),$(shell $(PKG_CONFIG) --exists libpq && echo yes))
ifeq ($(HAVE_PG),yes)
LIB_PKGS += libpq
PG_CFLAGS := -DFERRY_HAVE_PG
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
else ifneq ($(WERROR),0)
$(error WERROR must be 1 (warnings are errors, the default) or 0)
endif
OPT ?= -O2 -g
ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
endif
ifeq ($(SANITIZE),thread)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
SAN_LDFLAGS := -fsanitize=thread
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Iinclude -Isrc/lib \
	$(PG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
# Each object's .d names the headers it read; -MP keeps a deleted header
# from stopping the build. Objects depend on this Makefile too, whose
# flags they were built with.
DEPFLAGS = -MMD -MP
LIB_CFLAGS := $(BASE_CFLAGS) -fPIC -fvisibility=hidden \
	$(shell $(PKG_CONFIG) --cflags $(LIB_PKGS))
# libpq is loaded at run time, when a PostgreSQL URL is first opened
# (db_pg.c): only its header is needed to build. Linked, it would load
# OpenSSL, Kerberos and LDAP into every run, SQLite ones too. ferry.pc
# and the README say that PostgreSQL needs it.
LINK_PKGS := $(filter-out libpq,$(LIB_PKGS))
PC_LIBPQ := $(if $(PG_CFLAGS),$(shell sed -n \
	's/^\#define LIBPQ_SONAME "\(.*\)"/\1/p' src/lib/db_pg.c))
# Behind a transaction pooler the PostgreSQL lock row has a heartbeat
# thread (db_pg_pooler.c).
LIB_LIBS := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) $(if $(PG_CFLAGS),-pthread)
CLI_CFLAGS := $(BASE_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(CLI_PKGS))
# The CLI's elapsed-time line runs on a thread of its own (ticker.c).
CLI_LIBS := $(shell $(PKG_CONFIG) --libs $(CLI_PKGS)) -pthread

LIB_SRC := $(sort $(wildcard src/lib/*.c))
ifneq ($(HAVE_PG),yes)
LIB_SRC := $(filter-out src/lib/db_pg.c src/lib/db_pg_pooler.c,$(LIB_SRC))
endif
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
TLIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/tobj/%.o)
CLI_OBJ := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
# `ferry help CMD`: the manual pages' text, generated (see "Manual pages").
CLI_OBJ += $(BUILD)/obj/gen/help_pages.o
UNIT_OBJ := $(UNIT_SRC:tests/%.c=$(BUILD)/tobj/%.o)

FERRY := $(BUILD)/ferry
LIBA := $(BUILD)/libferry.a
LIBSO := $(BUILD)/libferry.so.$(VERSION)
LIBMAP := src/lib/libferry.map

.PHONY: all demo test test-prereqs test-unit test-cli asan tsan check install uninstall \
	clean lint format fuzz bench deps valgrind dist distcheck deb apidocs \
	install-apidocs
.SUFFIXES:

all: $(LIBA) $(LIBSO) $(FERRY)

$(BUILD)/obj/lib/%.o: src/lib/%.c Makefile
	@mkdir -p $(@D)
	@echo '  CC      $<'
	$(Q)$(CC) $(LIB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tobj/lib/%.o: src/lib/%.c Makefile
	@mkdir -p $(@D)
	@echo '  CC      $< (test)'
	$(Q)$(CC) $(LIB_CFLAGS) -DFERRY_TESTING $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/cli/%.o: src/cli/%.c Makefile
	@mkdir -p $(@D)
	@echo '  CC      $<'
	$(Q)$(CC) $(CLI_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tobj/unit/%.o: tests/unit/%.c Makefile
	@mkdir -p $(@D)
	@echo '  CC      $<'
	$(Q)$(CC) $(LIB_CFLAGS) -DFERRY_TESTING -Wno-missing-prototypes -Itests/unit -I$(BUILD)/tobj/unit $(DEPFLAGS) -c $< -o $@

$(BUILD)/tobj/unit/tests.inc: $(UNIT_SRC) tests/unit/generate.sh
	@mkdir -p $(@D)
	$(Q)sh tests/unit/generate.sh $(filter-out tests/unit/main.c,$(UNIT_SRC)) >$@

$(BUILD)/tobj/unit/main.o: $(BUILD)/tobj/unit/tests.inc

-include $(patsubst %.o,%.d,$(LIB_OBJ) $(TLIB_OBJ) $(CLI_OBJ) $(UNIT_OBJ))

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	@echo '  AR      $@'
	$(Q)ar rcs $@ $^

$(LIBSO): $(LIB_OBJ) $(LIBMAP)
	@echo '  LD      $@'
	$(Q)$(CC) -shared -Wl,-soname,libferry.so.$(SOVERSION) \
		-Wl,--version-script,$(LIBMAP) $(SAN_LDFLAGS) \
		$(LDFLAGS) -o $@ $(LIB_OBJ) $(LIB_LIBS) $(LDLIBS)
	$(Q)ln -sf libferry.so.$(VERSION) $(BUILD)/libferry.so.$(SOVERSION)
	$(Q)ln -sf libferry.so.$(SOVERSION) $(BUILD)/libferry.so

$(FERRY): $(CLI_OBJ) $(LIBA)
	@echo '  LD      $@'
	$(Q)$(CC) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LIB_LIBS) \
		$(CLI_LIBS) $(LDLIBS)

# The CLI on the test build of the library, whose hooks some CLI tests use
# (FERRY_TEST_NO_LOCK: run without the runner lock; FERRY_TEST_LIBPQ: load
# another file in place of libpq, to run as if it were missing).
$(BUILD)/ferry-testing: $(CLI_OBJ) $(TLIB_OBJ)
	@echo '  LD      $@'
	$(Q)$(CC) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(TLIB_OBJ) \
		$(LIB_LIBS) $(CLI_LIBS) $(LDLIBS)

# examples/startup: an application that migrates at start, with a
# migration written in C; built against the library as installed users do.
$(BUILD)/examples/startup: examples/startup/main.c include/ferry.h $(LIBA)
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) \
		$(LIB_LIBS) $(LDLIBS)

# examples/embed: migrations compiled in (`ferry embed`, at build time,
# never committed), run on the application's own sqlite3 or PGconn.
EMBED_MIGRATIONS := $(wildcard examples/embed/migrations/* \
	examples/embed/migrations/repeatable/*)
$(BUILD)/gen/embed/migrations.c: $(FERRY) $(EMBED_MIGRATIONS)
	@mkdir -p $(@D)
	@echo '  EMBED   $@'
	$(Q)$(FERRY) embed --name embed_migrations examples/embed/migrations \
		>$@.tmp && mv $@.tmp $@

$(BUILD)/examples/embed: examples/embed/main.c $(BUILD)/gen/embed/migrations.c \
		include/ferry.h $(LIBA)
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(BASE_CFLAGS) $(if $(PG_CFLAGS),-DEMBED_HAVE_PG \
		$(shell $(PKG_CONFIG) --cflags libpq)) $(SAN_LDFLAGS) $(LDFLAGS) \
		-o $@ examples/embed/main.c $(BUILD)/gen/embed/migrations.c \
		$(LIBA) $(LIB_LIBS) $(if $(PG_CFLAGS),$(shell $(PKG_CONFIG) \
		--libs libpq)) $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(TLIB_OBJ)
	@echo '  LD      $@'
	$(Q)$(CC) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(LDLIBS)

# Install missing system packages (Debian); a no-op when all are there.
deps:
	@sh scripts/install-deps.sh

demo: deps all
	@rm -f shop.db
	$(FERRY) --dir examples/shop/migrations -d sqlite:shop.db up
	$(FERRY) --dir examples/shop/migrations -d sqlite:shop.db status

# Under the sanitizers the fault-injection scripts run fewer trials (check
# runs the full count on the normal build), and the tests' time limits
# double: every ferry process is slower.
TEST_PREREQS := all $(BUILD)/unit-tests $(BUILD)/ferry-testing \
	$(BUILD)/examples/startup $(BUILD)/examples/embed

# What the suite runs, built; check builds it with -j$(JOBS) first, so
# that the suite itself runs outside make's job server.
test-prereqs: $(TEST_PREREQS)

test: $(TEST_PREREQS)
	$(BUILD)/unit-tests
	FERRY=$(CURDIR)/$(FERRY) FERRY_TESTING_BIN=$(CURDIR)/$(BUILD)/ferry-testing \
		$(if $(SANITIZE),FERRY_FAULT_TRIALS=20 FERRY_TEST_TIME_SCALE=2) \
		sh tests/cli/run.sh

test-unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

test-cli: all $(BUILD)/ferry-testing $(BUILD)/examples/startup \
		$(BUILD)/examples/embed
	FERRY=$(CURDIR)/$(FERRY) FERRY_TESTING_BIN=$(CURDIR)/$(BUILD)/ferry-testing \
		sh tests/cli/run.sh $(T)

asan:
	$(MAKE) BUILD=build/asan SANITIZE=1 test

# ferry.h's threading rule: eight threads on their own handles at once, then
# on one shared database. Any race ThreadSanitizer sees fails the run.
$(BUILD)/tsan-threads: tests/tsan/threads.c include/ferry.h $(LIBA)
	@echo '  LD      $@'
	$(Q)$(CC) $(BASE_CFLAGS) -pthread $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIBA) $(LIB_LIBS) $(LDLIBS)

tsan:
	$(MAKE) BUILD=build/tsan SANITIZE=thread build/tsan/tsan-threads
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $${TSAN_OPTIONS:-}" \
		build/tsan/tsan-threads tests/fixtures

# Not part of check: valgrind makes every ferry process 20-50 times slower.
valgrind: all
	FERRY_VALGRIND_BIN=$(CURDIR)/$(FERRY) sh tests/cli/valgrind-run.sh $(T)

# What CI runs (.ci/run). The CLI suite runs once, on the ASan+UBSan build,
# which checks all that the normal build's run would and memory besides;
# the normal build, the one shipped, runs the unit tests, the scripts
# named in CHECK_NORMAL (how the shipped binary links, the Python binding,
# which a sanitizer build cannot load, and the kill -9 trials at their full
# count) and, in .ci/run,
# the packages' smoke test. `make test` runs the whole suite on it.
CHECK_NORMAL := t0011 t0021 t6001 t6002
check: deps
	$(MAKE) -j$(JOBS) test-prereqs
	$(BUILD)/unit-tests
	$(MAKE) test-cli T="$(CHECK_NORMAL)"
	$(MAKE) -j$(JOBS) BUILD=build/asan SANITIZE=1 test-prereqs
	$(MAKE) asan
	$(MAKE) -j$(JOBS) BUILD=build/tsan SANITIZE=thread build/tsan/tsan-threads
	$(MAKE) tsan
	FUZZ_SECONDS=$${FUZZ_SECONDS:-10} FUZZ_SEED=$${FUZZ_SEED:-1} \
		sh tests/fuzz/run.sh
	$(MAKE) lint

# Manual pages. docs/ferry-CMD.md is the one source of a command's page:
# pandoc makes build/man/ferry-CMD.1 of it (scripts/man.lua: its "#
# ferry-up(1)" line names the page, links become their text), and the same
# page, rendered as man shows it, is compiled in as `ferry help CMD`
# (scripts/help-pages.sh). A page whose first line says (7), a concept
# rather than a command, becomes ferry-NAME.7. The main page is written in
# roff as it is: docs/ferry.1.
PANDOC ?= pandoc
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
MAN_MD := $(sort $(wildcard docs/ferry-*.md))
MAN7_MD := $(if $(MAN_MD),$(shell grep -l '^\# ferry-[a-z-]*(7)$$' $(MAN_MD)))
MAN_PAGES := $(patsubst docs/%.md,$(BUILD)/man/%.1,$(filter-out $(MAN7_MD),$(MAN_MD))) \
	$(patsubst docs/%.md,$(BUILD)/man/%.7,$(MAN7_MD))
MAN_DATE := $(shell sed -n 's/^\.TH FERRY 1 \([^ ]*\) .*/\1/p' docs/ferry.1)
# The version and date the pages show: rewritten, and the pages made
# again, only when one of them changes.
MAN_STAMP := $(BUILD)/man/.version
PANDOC_MAN = $(PANDOC) -f markdown-smart -t man -s --lua-filter scripts/man.lua \
	-V adjusting=l -V hyphenate= -M date='$(MAN_DATE)' \
	-M footer='ferry $(VERSION)'

.PHONY: man install-man uninstall-man man-stamp

all: man
man: $(MAN_PAGES)

man-stamp:
$(MAN_STAMP): man-stamp
	@mkdir -p $(@D)
	@echo '$(VERSION) $(MAN_DATE)' | cmp -s - $@ || \
		echo '$(VERSION) $(MAN_DATE)' >$@

$(BUILD)/man/%.1: docs/%.md scripts/man.lua $(MAN_STAMP)
	@echo '  PANDOC  $<'
	$(Q)$(PANDOC_MAN) -o $@ $<

$(BUILD)/man/%.7: docs/%.md scripts/man.lua $(MAN_STAMP)
	@echo '  PANDOC  $<'
	$(Q)$(PANDOC_MAN) -o $@ $<

$(BUILD)/gen/help_pages.c: $(MAN_PAGES) scripts/help-pages.sh
	@mkdir -p $(@D)
	@echo '  GEN     $@'
	$(Q)sh scripts/help-pages.sh $(MAN_PAGES) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c Makefile
	@mkdir -p $(@D)
	@echo '  CC      $<'
	$(Q)$(CC) $(CLI_CFLAGS) -Isrc/cli $(DEPFLAGS) -c $< -o $@

# The pages, and bash and zsh completion (completion/), where man, bash's
# bash-completion and zsh look for them. A package sets BASHCOMPDIR and
# ZSHCOMPDIR where its distribution wants them.
install: install-man
install-man: man
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	$(if $(filter %.7,$(MAN_PAGES)),install -d $(DESTDIR)$(MANDIR)/man7 && \
		install -m 644 $(filter %.7,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man7/)
	install -m 644 completion/ferry.bash $(DESTDIR)$(BASHCOMPDIR)/ferry
	install -m 644 completion/ferry.zsh $(DESTDIR)$(ZSHCOMPDIR)/_ferry

uninstall: uninstall-man
uninstall-man:
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(filter %.1,$(MAN_PAGES)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(filter %.7,$(MAN_PAGES)))) \
		$(DESTDIR)$(BASHCOMPDIR)/ferry $(DESTDIR)$(ZSHCOMPDIR)/_ferry

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(FERRY) $(DESTDIR)$(BINDIR)/ferry
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libferry.a
	install -m 644 $(LIBSO) $(DESTDIR)$(LIBDIR)/libferry.so.$(VERSION)
	ln -sf libferry.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libferry.so.$(SOVERSION)
	ln -sf libferry.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libferry.so
	install -m 644 include/ferry.h $(DESTDIR)$(INCLUDEDIR)/ferry.h
	install -m 644 docs/ferry.1 $(DESTDIR)$(MANDIR)/man1/ferry.1
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES@|$(LINK_PKGS)|' \
		-e 's|@LIBPQ_SONAME@|$(PC_LIBPQ)|' \
		-e 's|@LIBS_PRIVATE@|$(if $(PG_CFLAGS),-pthread)|' ferry.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/ferry.pc

# The API reference, from ferry.h's comments (Doxyfile): any doxygen
# warning (a public name undocumented, a broken comment) fails it.
apidocs: $(BUILD)/api/html/index.html

$(BUILD)/api/html/index.html: Doxyfile include/ferry.h
	@rm -rf $(BUILD)/api
	@mkdir -p $(BUILD)/api
	@echo '  DOXYGEN $(BUILD)/api/html'
	$(Q)FERRY_VERSION=$(VERSION) FERRY_API_OUT=$(BUILD)/api doxygen Doxyfile

# For the -dev package: DESTDIR=debian/libferry-dev PREFIX=/usr.
install-apidocs: apidocs
	install -d $(DESTDIR)$(APIDOCDIR)
	cp -R $(BUILD)/api/html $(DESTDIR)$(APIDOCDIR)/
	chmod -R u=rwX,go=rX $(DESTDIR)$(APIDOCDIR)/html

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ferry $(DESTDIR)$(LIBDIR)/libferry.a \
		$(DESTDIR)$(LIBDIR)/libferry.so $(DESTDIR)$(LIBDIR)/libferry.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libferry.so.$(VERSION) \
		$(DESTDIR)$(INCLUDEDIR)/ferry.h $(DESTDIR)$(LIBDIR)/pkgconfig/ferry.pc \
		$(DESTDIR)$(MANDIR)/man1/ferry.1

# A source tarball of the commit checked out (what is committed, nothing
# built): build/ferry-VERSION.tar.gz. distcheck builds and runs it.
DIST := $(BUILD)/ferry-$(VERSION).tar.gz

dist:
	@mkdir -p $(BUILD)
	@git diff --quiet HEAD 2>/dev/null || \
		echo 'dist: uncommitted changes are not in the tarball' >&2
	git archive --format=tar.gz --prefix=ferry-$(VERSION)/ -o $(DIST) HEAD
	@echo '  DIST    $(DIST)'

distcheck: dist
	rm -rf $(BUILD)/distcheck && mkdir -p $(BUILD)/distcheck
	tar -xzf $(DIST) -C $(BUILD)/distcheck
	$(MAKE) -C $(BUILD)/distcheck/ferry-$(VERSION) -j$(JOBS) all
	$(MAKE) -C $(BUILD)/distcheck/ferry-$(VERSION) install \
		DESTDIR=$(CURDIR)/$(BUILD)/distcheck/root PREFIX=/usr
	$(BUILD)/distcheck/root/usr/bin/ferry --version | grep -qx 'ferry $(VERSION)'
	@echo 'distcheck: ferry-$(VERSION).tar.gz builds and installs'

# Debian packages (ferry, libferry0, libferry-dev) built from the dist
# tarball, so that only committed files go in: into build/deb, with
# lintian's verdict. tests/package/smoke.sh installs and tries them.
deb: dist
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb
	tar -xzf $(DIST) -C $(BUILD)/deb
	cd $(BUILD)/deb/ferry-$(VERSION) && dpkg-buildpackage -b -us -uc -J$(JOBS)
	lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs \
		$(BUILD)/deb/*.changes
	@ls $(BUILD)/deb/*.deb

FORMAT_SRC := $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) src/lib/ferry_int.h src/cli/cli.h \
	include/ferry.h tests/unit/clar.h tests/tsan/threads.c

lint:
	clang-format --dry-run --Werror $(FORMAT_SRC)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem -Iinclude -Isrc/lib \
		-D_GNU_SOURCE src/
	printf '%s\n' $(LIB_SRC) $(CLI_SRC) | xargs -P $(LINT_JOBS) -n 4 \
		sh -c 'clang-tidy --quiet "$$@" -- -std=c11 -D_GNU_SOURCE \
		-Iinclude -Isrc/lib $(PG_CFLAGS) \
		$(shell $(PKG_CONFIG) --cflags $(LIB_PKGS) $(CLI_PKGS))' clang-tidy

format:
	clang-format -i $(FORMAT_SRC)

fuzz:
	sh tests/fuzz/run.sh

bench: all
	sh bench/run.sh

clean:
	rm -rf build
