# socklab - a flat Makefile (sbase style): explicit lists, overridable flags.
#
#   make              build every tool into bin/
#   make test         run the bats suite (tests/) against bin/
#   make check        the same suite against an ASan + UBSan build
#   make lint         static analysis and style checks
#   make valgrind     servers and clients under valgrind memcheck
#   make fuzz         libFuzzer targets (fuzz/), FUZZ_SECONDS each
#   make soak         20,000 requests and hostile clients against srv-iter, bursts
#                     against the concurrent servers, 64 gradings by check-server
#   make install      tools and man pages under $(DESTDIR)$(PREFIX)
#   make uninstall    remove exactly what install put there
#   make clean

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=

CC       ?= cc
CSTD     ?= -std=c11
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion \
           -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
           -Wold-style-definition -Wcast-qual -Wpointer-arith -Wwrite-strings \
           -Wvla -Wundef -Wnull-dereference
ifeq ($(CI),true)
WARN    += -Werror
endif
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_DEFAULT_SOURCE -Ilib -Itools
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS)
LDLIBS   += -lm

# Where the build goes; `make check` points these elsewhere.
O        ?= build
BIN      ?= bin

# ------------------------------------------------------------------ build
#
# A tool is tools/NAME.c (its main(), the lesson), linked with lib/ and,
# when it has them, its own modules in tools/NAME/ and what the servers
# share in tools/server/. The list below is the one place that says which
# files make each tool: adding a tool is a name in TOOLS and, if it has
# modules, its line in the list.

TOOLS    = srv-iter srv-sleep srv-fork srv-prefork srv-thread srv-poll \
           cli-connect show-backlog show-ephemeral-port show-fds show-pids \
           check-server show-timeline
LIBSRC   = lib/addr.c lib/cli.c lib/clock.c lib/diag.c lib/fds.c lib/http.c \
           lib/json.c lib/limit.c lib/net.c lib/num.c lib/proc.c lib/say.c \
           lib/sig.c lib/tcpinfo.c lib/tcptab.c lib/text.c lib/trace.c
LIBOBJ   = $(LIBSRC:lib/%.c=$(O)/lib/%.o)
BINS     = $(TOOLS:%=$(BIN)/%)

.PHONY: all test check lint install uninstall clean list-tools

all: $(BINS)

# What the servers share: tools/server/server.c (options, stop signals,
# accept()'s errors), and srv-iter's calls (server_listen(), server_serve():
# tools/srv-iter.c compiled again without its main(), -DSERVER_CALLS_ONLY).
SERVER   = $(O)/tools/server/server.o
CALLS    = $(O)/tools/server-calls.o
CHILDREN = $(O)/tools/server/children.o

# Which files make each tool, besides tools/NAME.c and lib/.
$(BIN)/srv-iter:     $(SERVER)
$(BIN)/srv-sleep:    $(SERVER) $(CALLS)
$(BIN)/srv-fork:     $(SERVER) $(CALLS) $(CHILDREN)
$(BIN)/srv-prefork:  $(SERVER) $(CALLS) $(CHILDREN) \
                     $(O)/tools/srv-prefork/prefork.o
$(BIN)/srv-thread:   $(SERVER) $(CALLS) $(O)/tools/srv-thread/pool.o
$(BIN)/srv-poll:     $(SERVER) $(CALLS) $(O)/tools/srv-poll/watch.o \
                     $(O)/tools/srv-poll/conns.o
$(BIN)/cli-connect:  $(O)/tools/cli-connect/client.o \
                     $(O)/tools/cli-connect/client3.o \
                     $(O)/tools/cli-connect/idle.o \
                     $(O)/tools/cli-connect/short.o
$(BIN)/show-backlog: $(O)/tools/show-backlog/backlog.o
$(BIN)/check-server: $(patsubst %,$(O)/tools/check-server/%.o, \
                     report signals proc start client ready burst conn \
                     load fds end trace)
$(BIN)/show-timeline: $(patsubst %,$(O)/tools/show-timeline/%.o, \
                     trace strace pidmap model tree term svg summary)

# srv-thread: POSIX threads.
$(BIN)/srv-thread: LDLIBS += -pthread
$(O)/tools/srv-thread.o $(O)/tools/srv-thread/pool.o: ALL_CFLAGS += -pthread

# One link rule for every tool: its objects, then lib.
$(BINS): $(BIN)/%: $(O)/tools/%.o $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) \
		$(filter %.a,$^) $(LDLIBS)

# Objects: each depends on the headers it includes, as the compiler lists
# them (-MMD, the .d files beside the objects), so that a change rebuilds
# what it touches and nothing else.
DEPFLAGS = -MMD -MP

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(CALLS): tools/srv-iter.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) -DSERVER_CALLS_ONLY $(ALL_CFLAGS) -c \
		-o $@ $<

$(O)/libsocklab.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

-include $(wildcard $(O)/lib/*.d $(O)/tools/*.d $(O)/tools/*/*.d)

# Programs outside tools/ (the article's, in article/) come with a fragment
# of their own, included here, that adds them to `all`.

list-tools:
	@echo $(TOOLS)

# C unit tests of lib/ (run by tests/proc.bats and tests/lib.bats).
$(O)/unit/%: tests/unit/%.c $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Servers in C that check-server grades (tests/check-server.bats).
$(O)/servers/%: tests/servers/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -pthread $(LDFLAGS) -o $@ $< -pthread

# LD_PRELOAD shims: tests/unit/stop-before.c (tests/signals.bats),
# short-send.c (tests/srv-poll.bats); -Wno-pedantic: glibc declares
# accept() with a GNU transparent union.
$(O)/unit/%.so: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-pedantic -shared -fPIC -o $@ $< -ldl

# ------------------------------------------------------------------ tests

# make test runs every tests/*.bats, TEST_JOBS files at a time (bats
# --jobs, with GNU parallel; without parallel, one at a time, and it says
# so). The tests of a file run one after the other: bats's own way of
# running a file's tests side by side cost 0.34 s of CPU a test more than
# one after the other (400 empty tests: 200 s of CPU against 64 s), and
# the suite is bound by CPU on 2 CPUs. The files whose tests wait most
# (check-server's gradings, the article's) run theirs side by side all the
# same: their setup_file says so (BATS_NO_PARALLELIZE_WITHIN_FILE=False).
# The longest files start first, the others follow in name order (new
# files included). TEST_JOBS=1: one at a time. docs/performance.md, "The
# suite", has the measurements.
BATS       ?= bats
BATS_FLAGS ?=
TEST_JOBS  ?= 4
TEST_FIRST  = tests/check-server.bats tests/docs.bats tests/article-graded.bats \
              tests/faults.bats tests/lesson-06.bats tests/show-timeline.bats \
              tests/check-server-end.bats tests/demo.bats tests/srv-fork.bats
TEST_FILES  = $(TEST_FIRST) \
              $(filter-out $(TEST_FIRST),$(sort $(wildcard tests/*.bats)))
BATS_JOBS   = $(if $(filter-out 1,$(TEST_JOBS)),$(if $(shell command -v parallel),--jobs $(TEST_JOBS) --no-parallelize-within-files))
# What the tests build for themselves (LD_PRELOAD shims, C unit tests, a
# test server): built before the tests start, so that tests running side
# by side never build one file at once (each test's own make then finds it
# up to date). The default build's (O=build), also for make check.
TEST_BUILDS = build/unit/stop-before.so build/unit/short-send.so \
              build/unit/proc_test build/unit/lib_test build/servers/main-exits

.PHONY: test-builds
test-builds:
	@$(MAKE) -s --no-print-directory O=build BIN=bin $(TEST_BUILDS)
	@command -v parallel >/dev/null || [ "$(TEST_JOBS)" = 1 ] || \
		echo "make: GNU parallel is not installed: the tests run one at a time (make prereqs)"

test: all test-builds
	SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_JOBS) $(BATS_FLAGS) $(TEST_FILES)

# The same suite against a build with AddressSanitizer (leaks included) and
# UBSan. Reports go to log files, so that a report from a server running in
# the background is not lost; any report fails the run.
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer \
            -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_DIR   = build/asan
check: test-builds
	$(MAKE) O=$(SAN_DIR) BIN=$(SAN_DIR)/bin CFLAGS="$(SAN_FLAGS)" \
	        LDFLAGS="-fsanitize=address,undefined" all
	rm -rf $(SAN_DIR)/logs && mkdir -p $(SAN_DIR)/logs
	ASAN_OPTIONS=detect_leaks=1:log_path=$(CURDIR)/$(SAN_DIR)/logs/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/$(SAN_DIR)/logs/ubsan \
	SOCKLAB_BIN=$(CURDIR)/$(SAN_DIR)/bin $(BATS) $(BATS_JOBS) $(BATS_FLAGS) $(TEST_FILES)
	@if [ -n "$$(ls $(SAN_DIR)/logs)" ]; then \
		echo "sanitizer reports:"; cat $(SAN_DIR)/logs/*; exit 1; \
	else echo "check: no sanitizer reports"; fi

# ---------------------------------------------------------- quality gates
#
# What each gate proves: README.md, "Quality gates". .ci/run runs them all.
#
#   make lint       cppcheck, clang-tidy (.clang-tidy), shellcheck
#                   (.shellcheckrc), groff -ww on the man pages, clang-format
#                   (.clang-format)
#   make valgrind   servers and clients under memcheck: no error, no definite
#                   leak, no descriptor left open (tests/gates/valgrind.bats)
#   make fuzz       libFuzzer targets in fuzz/: replay the checked-in inputs,
#                   then FUZZ_SECONDS of fuzzing each
#   make soak       20,000 requests and hostile clients (tests/gates/soak.bats)

.PHONY: lint lint-cppcheck lint-tidy lint-shell lint-man lint-format \
        valgrind fuzz fuzz-build soak

CPPCHECK     ?= cppcheck
CLANG_TIDY   ?= $(shell command -v clang-tidy-14 || echo clang-tidy)
CLANG_FORMAT ?= $(shell command -v clang-format-14 || echo clang-format)
SHELLCHECK   ?= shellcheck
GROFF        ?= groff

LINT_C   = $(wildcard lib/*.c tools/*.c tools/*/*.c fuzz/*.c)
LINT_H   = $(wildcard lib/*.h tools/*/*.h fuzz/*.h)
LINT_SH  = $(wildcard tests/*.bats tests/*.bash tests/gates/*.bats \
                      tests/gates/*.bash tests/gates/vg-run tests/gates/vg-check \
                      .ci/run *.sh scripts/*.sh)
LINT_PY  = $(wildcard tests/gates/*.py tests/servers/*.py bench/*.py bench/run)

# cppcheck: every check but the "information" ones. Suppressed, with why:
#   missingIncludeSystem  cppcheck is not given the libc headers (it knows
#                         libc and POSIX from --library=posix instead)
#   readdirCalled         asks for readdir_r(), which glibc deprecates:
#                         readdir() is safe on a stream of one's own
#   variableScope         our style declares a function's variables at its
#                         top (kernel style), where a learner reads them
CPPCHECK_FLAGS = --enable=warning,style,performance,portability \
                 --std=c11 --library=posix --inline-suppr --quiet \
                 --error-exitcode=1 -D_DEFAULT_SOURCE -Ilib -Itools -Ifuzz \
                 --suppress=missingIncludeSystem --suppress=readdirCalled \
                 --suppress=variableScope

# clang-format: enforced on every C file (FORMAT_ENFORCE=0 only reports).
FORMAT_ENFORCE ?= 1
FORMAT_ALWAYS   = $(wildcard fuzz/*.c fuzz/*.h)

lint:
	@failed=; \
	for g in lint-cppcheck lint-tidy lint-shell lint-man lint-format; do \
		$(MAKE) --no-print-directory $$g || failed="$$failed $$g"; \
	done; \
	if [ -n "$$failed" ]; then echo "lint: FAILED:$$failed"; exit 1; fi; \
	echo "lint: clean"

lint-cppcheck:
	$(CPPCHECK) $(CPPCHECK_FLAGS) $(LINT_C)

lint-tidy:
	@scripts/lint-c.sh tidy $(CLANG_TIDY) -- $(LINT_C) -- $(CSTD) $(CPPFLAGS) -Ifuzz

lint-shell:
	$(SHELLCHECK) -x $(LINT_SH)
	python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' $(LINT_PY)

# groff prints warnings but exits 0: any output fails.
lint-man:
	@for f in man/*.1; do \
		out="$$($(GROFF) -man -ww -z "$$f" 2>&1)"; \
		if [ -n "$$out" ]; then echo "$$f:"; echo "$$out"; exit 1; fi; \
	done; echo "lint-man: $(words $(wildcard man/*.1)) pages clean"

lint-format:
	$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_ALWAYS)
	@scripts/lint-c.sh format $(CLANG_FORMAT) $(FORMAT_ENFORCE) $(LINT_C) $(LINT_H)

# valgrind runs the normal build (-O2 -g): what users run.
valgrind: all test-builds
	@command -v valgrind >/dev/null || { echo "valgrind: not installed"; exit 1; }
	SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_FLAGS) tests/gates/valgrind.bats

# libFuzzer (clang's -fsanitize=fuzzer) with ASan and UBSan. One target per
# fuzz/fuzz_NAME.c; seeds in fuzz/corpus/NAME/, crashes found once in
# fuzz/regress/NAME/ (replayed before every run; see fuzz/README.md).
# A new parser gets its fuzz/fuzz_NAME.c, seeds in fuzz/corpus/NAME/ and
# its NAME here.
FUZZ_TARGETS = num addr text serve proc trace
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_DIR     = build/fuzz
FUZZ_CFLAGS  = -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(LIBSRC) lib/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_CFLAGS) $(CPPFLAGS) -Ifuzz -o $@ \
		$< $(LIBSRC) $(LDLIBS)

# fuzz_trace: show-timeline's readers, model and writers, linked in.
TIMELINE_SRC = $(wildcard tools/show-timeline/*.c)
$(FUZZ_DIR)/fuzz_trace: LIBSRC += $(TIMELINE_SRC)
$(FUZZ_DIR)/fuzz_trace: $(TIMELINE_SRC) tools/show-timeline/*.h

fuzz: fuzz-build
	@scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The tests of the tests, skipped by make test (selftest_only in
# tests/test_helper.bash): a check of the docs fails when it must (every
# line of every compared block load-bearing, a changed listing, a wrong
# Chinese word, a wrong lesson block failing make test). The files that
# hold them run whole, those tests included.
SELFTESTS = $(shell grep -l selftest_only tests/*.bats)
selftest: all test-builds
	SOCKLAB_SELFTEST=1 SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_JOBS) $(BATS_FLAGS) $(SELFTESTS)

# The soak, then the heavy scenarios moved out of make test
# (tests/gates/heavy.bats): one test at a time, each measuring alone.
soak: all test-builds
	SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_FLAGS) tests/gates/soak.bats tests/gates/heavy.bats

# ------------------------------------------------------------ the course
#
#   make prereqs   what the course needs, what is missing on this machine
#                  and how to install it (scripts/prereqs.sh;
#                  PREREQS_FLAGS=--tests adds what make test needs)
#   make pace      the lessons' tests at a person's pace: SOCKLAB_PACE (PACE,
#                  8 s) between the steps of every multi-terminal lesson, one
#                  edition (tests/test_helper.bash says why); about 7 minutes;
#                  .ci/run runs it

PACE          ?= 8
PREREQS_FLAGS ?=
PACE_TESTS     = $(wildcard tests/lesson-*.bats)

.PHONY: prereqs pace selftest

prereqs:
	@scripts/prereqs.sh $(PREREQS_FLAGS)

pace: all test-builds
	SOCKLAB_PACE=$(PACE) SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_JOBS) $(BATS_FLAGS) $(PACE_TESTS)

# ------------------------------------------------------------ classroom demos
#
# make demo-NAME opens a tmux session with the article's terminals side by
# side (server, first client, second client) and runs a lesson's experiment
# in them, one step per Enter (docs/README.md, "Classroom demos"). The
# commands are the lesson's own blocks. DEMO_PORT (8888, the article's),
# DEMO_FLAGS (e.g. --auto, --sleep 2). scripts/demo-NAME.sh --help.
#
#   make demo-iterative   lesson 1: the iterative server and its clients
#   make demo-busy        lesson 2: a sleeping server, the listen queue
#   make demo-fork        lesson 5: fork per client, zombies, the waitpid loop

DEMOS      = iterative busy fork
DEMO_PORT  ?= 8888
DEMO_FLAGS ?=

.PHONY: demo-list $(DEMOS:%=demo-%)

demo-list:
	@echo $(DEMOS:%=demo-%)

$(DEMOS:%=demo-%): demo-%: all
	@scripts/demo-$*.sh --port $(DEMO_PORT) $(DEMO_FLAGS)

# ------------------------------------------------------------------ bench
#
# make bench: optimised builds of the tools (build/bench/bin, so that bin/ is
# left alone) and of the floors, the article's listings (article/article.mk:
# build/bench/bin/article/, the same compiler and flags), and of
# bench/load.c (fast and slow clients at once, for the models table), then
# bench/run prints a Markdown table
# (docs/performance.md). ab (apt-get install apache2-utils) is the load
# generator when installed. BENCH_FLAGS: --quick, --runs N, --json FILE,
# --vs 'python3 bench/webserver3a.py --port 0' (bench/run --help).

BENCH_DIR    = build/bench
BENCH_CFLAGS = -O2 -g
BENCH_FLAGS ?=
BENCH_REFS   = $(BENCH_DIR)/bin/load
PYTHON      ?= python3

.PHONY: bench

bench:
	$(MAKE) --no-print-directory O=$(BENCH_DIR) BIN=$(BENCH_DIR)/bin \
		CFLAGS="$(BENCH_CFLAGS)" all $(BENCH_REFS)
	$(PYTHON) bench/run --bin $(BENCH_DIR)/bin $(BENCH_FLAGS)

$(BENCH_REFS): $(BENCH_DIR)/bin/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# ---------------------------------------------------------------- pictures
# The lessons' pictures (docs/img/NAME.svg), drawn by show-timeline from the
# traces of real runs recorded beside them (docs/img/NAME.trace, written by
# the servers' --trace; the header line of each holds the command run).
# tests/trace.bats draws them again into a directory of its own
# (IMG_OUT=DIR) and compares them byte for byte.

IMG_OUT  ?= docs/img
TIMELINE ?= $(BIN)/show-timeline

.PHONY: pictures

pictures: $(TIMELINE)
	@for t in docs/img/*.trace; do \
		n="$${t##*/}"; n="$${n%.trace}"; \
		echo "$(TIMELINE) --quiet --svg $(IMG_OUT)/$$n.svg $$t"; \
		$(TIMELINE) --quiet --svg "$(IMG_OUT)/$$n.svg" "$$t" || exit 1; \
	done

# ---------------------------------------------------------------- install

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for t in $(TOOLS); do \
		cp -f $(BIN)/$$t $(DESTDIR)$(BINDIR)/$$t && \
		chmod 755 $(DESTDIR)$(BINDIR)/$$t && \
		cp -f man/$$t.1 $(DESTDIR)$(MANDIR)/man1/$$t.1 && \
		chmod 644 $(DESTDIR)$(MANDIR)/man1/$$t.1 || exit 1; \
	done

uninstall:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/man1/$$t.1; \
	done

clean:
	rm -rf build bin

# The article's programs in C, one screen each (article/article.mk).
include article/article.mk
