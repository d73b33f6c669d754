# brink: make (build), make run, make test [test-python], make check, make bench,
# make fuzz [FUZZ_SECONDS=60], make install PREFIX=... DESTDIR=...,
# make examples, make clean.

BUILD     ?= build
PREFIX    ?= /usr/local
CC        ?= cc
VERSION   := 0.1.0
SOVERSION := 0

# What the library itself links (brink.pc's Requires.private); the command
# adds its own.
LIB_PKGS  := lua5.4 jansson
PKGS      := $(LIB_PKGS) libedit libmicrohttpd libqrencode
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wwrite-strings -Wundef -Werror
# No fused multiply-add: the same draws and sums on every machine.
BASE      := -std=c11 -D_POSIX_C_SOURCE=200809L -ffp-contract=off $(WARN) -MMD -MP
OPT       ?= -O2 -g
PKGCFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
# What the library itself links: no line editing.
LIBLIBS    = $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) -lm
CFLAGS_ALL = $(BASE) $(OPT) $(SAN) $(PKGCFLAGS) -Iengine -Ibindings/lua -Isession -I$(BUILD)/gen $(CFLAGS)
LIBCFLAGS  = $(CFLAGS_ALL) -fPIC -fvisibility=hidden -DBRINK_BUILDING

ENGINE_SRC   := $(wildcard engine/*.c)
BINDINGS_SRC := $(wildcard bindings/lua/*.c)
SESSION_SRC  := $(wildcard session/*.c)
CLI_SRC      := $(wildcard cli/*.c)
TEST_SRC     := $(wildcard tests/*.c)
SCRIPT_LIB   := $(wildcard scripts/lib/*.lua)
WEB_FILES    := $(sort $(wildcard cli/web/*))

LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(ENGINE_SRC) $(BINDINGS_SRC) $(SESSION_SRC)) \
            $(BUILD)/gen/scriptlib.o $(BUILD)/gen/prelude.o
CLI_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRC)) $(BUILD)/gen/web.o
TEST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))

LIBA  := $(BUILD)/libbrink.a
LIBI  := $(BUILD)/libbrink-internal.a
LIBSO := $(BUILD)/libbrink.so.$(VERSION)
BIN   := $(BUILD)/brink
TESTS := $(BUILD)/brink-tests

.PHONY: all deps run test test-python test-serve test-cluster check bench fuzz fuzzers install examples clean lint
all: $(LIBA) $(LIBSO) $(BIN)

deps:
	@sh tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@$(BIN) run scripts/scenarios/korea-2019.lua

test: deps
	@$(MAKE) --no-print-directory all $(TESTS) examples
	@$(MAKE) --no-print-directory lint
	@sh tools/check-install.sh $(BUILD)
	BRINK=$(abspath $(BIN)) BRINK_BUILD=$(abspath $(BUILD)) $(TESTS) --jobs 2
	@$(MAKE) --no-print-directory test-python
	@$(MAKE) --no-print-directory test-serve

# The Python package (bindings/python) against this build's library.
test-python: $(LIBSO)
	PYTHONPATH=bindings/python BRINK_LIB=$(abspath $(BUILD))/libbrink.so \
	  python3 -m unittest discover -s tests/python -t .

# brink serve over loopback: its API and every rule of its security, then
# its pages in Debian's Chromium (screenshots in $(BUILD)/screenshots).
test-serve: $(BIN)
	BRINK=$(abspath $(BIN)) BRINK_SCREENSHOTS=$(abspath $(BUILD))/screenshots \
	  python3 -m unittest discover -s tests/serve -t .

# docs/batch.md's shard-and-merge recipes, read from the doc and run as
# written: GNU parallel on this machine, and a one-node Slurm cluster that
# the test starts (as root) in a temporary directory and stops again.
test-cluster: $(BIN)
	BRINK=$(abspath $(BIN)) python3 -m unittest discover -s tests/cluster -t .

lint:
	luacheck -q scripts examples bench bindings/lua

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
check: deps
	@$(MAKE) --no-print-directory BUILD=build-check OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDSAN="-fsanitize=address,undefined" all build-check/brink-tests examples
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 BRINK=$(abspath build-check/brink) \
	  BRINK_BUILD=$(abspath build-check) build-check/brink-tests --jobs 2
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	  BRINK=$(abspath build-check/brink) BRINK_SCREENSHOTS=$(abspath build-check)/screenshots \
	  python3 -m unittest discover -s tests/serve -t .

bench: all
	@sh tools/bench.sh $(BUILD)

# libFuzzer harnesses (clang) under ASan and UBSan: scenario text, saves,
# logs for replay, batch parts; each runs FUZZ_SECONDS on a copy of its
# seed corpus in tests/fuzz/corpus/ (docs/fuzzing.md).
FUZZ_SECONDS ?= 60
fuzz:
	@sh tools/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	  fuzzers
	@sh tools/fuzz.sh build-fuzz $(FUZZ_SECONDS)

examples: $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

$(BUILD)/examples/%: examples/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -pthread -o $@ $< $(LIBA) $(PKGLIBS) $(LDSAN)

# What hosts link defines brink_* and nothing else, so no name of ours can
# clash with one of theirs: one relocatable object whose hidden symbols
# are made local.  The command and the tests use the internal calls too
# and link all the objects as they are.
$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(LD) -r -o $(BUILD)/libbrink.o $^
	objcopy --localize-hidden $(BUILD)/libbrink.o
	ar rcs $@ $(BUILD)/libbrink.o

$(LIBI): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	$(CC) -shared -pthread -Wl,-soname,libbrink.so.$(SOVERSION) -o $@ $^ $(LIBLIBS) $(LDSAN)
	ln -sf libbrink.so.$(VERSION) $(BUILD)/libbrink.so.$(SOVERSION)
	ln -sf libbrink.so.$(SOVERSION) $(BUILD)/libbrink.so

$(BIN): $(CLI_OBJ) $(LIBI)
	$(CC) -pthread -o $@ $(CLI_OBJ) $(LIBI) $(PKGLIBS) $(LDSAN)

# A comma-decimal locale for the locale tests, made here because a machine
# may have none installed (glibc reads LOCPATH at setlocale time).  If it
# cannot be made the build stops: the tests must not pass by skipping.
TEST_LOCALE := $(BUILD)/locale/de_DE.UTF-8

$(TEST_LOCALE):
	@mkdir -p $(dir $@)
	localedef -i de_DE -f UTF-8 $@ || { rm -rf $@; \
	  echo "cannot make the de_DE.UTF-8 locale the tests need" >&2; exit 1; }

# The tests link the library alone (with its internal names, for the
# tests of one module): the command is tested by running it.
$(TESTS): $(TEST_OBJ) $(LIBI) | $(TEST_LOCALE)
	$(CC) -pthread -o $@ $(TEST_OBJ) $(LIBI) $(PKGLIBS) -lcriterion $(LDSAN)

# The harnesses of make fuzz, built by it with clang.  Those of saves and
# logs call the command's own functions: all of cli/ but main().
TEST_CLI_OBJ := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))

fuzzers: $(patsubst %,$(BUILD)/fuzz/%,scenario save replay merge)

$(BUILD)/fuzz/scenario: tests/fuzz/fuzz_scenario.c $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(LIBI) $(PKGLIBS)

$(BUILD)/fuzz/merge: tests/fuzz/fuzz_merge.c $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -pthread -o $@ $< $(LIBI) $(PKGLIBS)

$(BUILD)/fuzz/%: tests/fuzz/fuzz_cli.c $(TEST_CLI_OBJ) $(LIBI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Icli -DFUZZ_$(shell echo $* | tr a-z A-Z) \
	  -fsanitize=fuzzer -pthread -o $@ $< $(TEST_CLI_OBJ) $(LIBI) $(PKGLIBS)

$(BUILD)/engine/%.o: engine/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBCFLAGS) -c -o $@ $<

$(BUILD)/bindings/%.o: bindings/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBCFLAGS) -c -o $@ $<

$(BUILD)/session/%.o: session/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIBCFLAGS) -pthread -c -o $@ $<

$(BUILD)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -pthread -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The script library is compiled into the binary so scenarios run without
# the source tree.
$(BUILD)/gen/scriptlib.c: $(SCRIPT_LIB) tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh brink__scriptlib $(SCRIPT_LIB) > $@

# brink serve's pages, served from the binary as they are in cli/web/.
$(BUILD)/gen/web.c: $(WEB_FILES) tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh brink__web $(WEB_FILES) > $@

$(BUILD)/gen/prelude.c: bindings/lua/prelude.lua tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh brink__prelude bindings/lua/prelude.lua > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(LIBCFLAGS) -c -o $@ $<

$(BUILD)/brink.pc: tools/brink.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	  -e 's|@LIB_PKGS@|$(LIB_PKGS)|' $< > $@

# Debian's python3 reads $(PREFIX)/lib/python3/dist-packages; the package
# looks for the library three levels up from itself, in $(PREFIX)/lib.
PYDIR := lib/python3/dist-packages/brink

install: all $(BUILD)/brink.pc
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/$(PYDIR)
	install -m 644 engine/brink.h session/brink_session.h \
	  session/brink_batch.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libbrink.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libbrink.so.$(SOVERSION)
	ln -sf libbrink.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libbrink.so
	install -m 644 $(BUILD)/brink.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 bindings/python/brink/*.py $(DESTDIR)$(PREFIX)/$(PYDIR)/

clean:
	rm -rf build build-check build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
