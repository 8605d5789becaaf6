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

TOOLS    = srv-iter cli-connect srv-sleep show-backlog srv-fork show-pids show-fds show-ephemeral-port \
           check-server
TOOLS   += srv-prefork srv-thread srv-poll
TOOLS   += show-timeline
LIBSRC   = lib/addr.c lib/cli.c lib/clock.c lib/diag.c lib/fds.c lib/http.c \
           lib/json.c lib/limit.c lib/net.c lib/num.c lib/proc.c lib/say.c \
           lib/sig.c lib/tcpinfo.c lib/tcptab.c lib/text.c
# The servers: each links tools/server.o (what they share that is not the
# lesson); the others also link srv-iter's calls (server_listen(),
# server_serve()): tools/srv-iter.c compiled again without its main().
SERVERS  = srv-iter srv-sleep srv-fork
SERVERS += srv-prefork srv-thread srv-poll
MAN1     = $(TOOLS:%=man/%.1)

LIBOBJ   = $(LIBSRC:lib/%.c=$(O)/lib/%.o)
BINS     = $(TOOLS:%=$(BIN)/%)

.PHONY: all test check lint install uninstall clean list-tools

all: $(BINS)

$(O)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tools/%.o: tools/%.c lib/*.h tools/*.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libsocklab.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

$(O)/tools/server-calls.o: tools/srv-iter.c lib/*.h tools/*.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DSERVER_CALLS_ONLY $(ALL_CFLAGS) -c -o $@ $<

$(BIN)/srv-sleep: $(O)/tools/server-calls.o
$(BIN)/srv-fork: $(O)/tools/server-calls.o $(O)/tools/children.o
# srv-prefork: srv-fork's table and stop sequence, and its meter
# (tools/prefork.c); srv-thread: POSIX threads (-pthread) and its
# bookkeeping (tools/pool.c).
$(BIN)/srv-prefork: $(O)/tools/server-calls.o $(O)/tools/children.o \
		$(O)/tools/prefork.o
$(BIN)/srv-thread: $(O)/tools/server-calls.o $(O)/tools/pool.o
$(BIN)/srv-thread: LDLIBS += -pthread
$(O)/tools/srv-thread.o $(O)/tools/pool.o: ALL_CFLAGS += -pthread
# srv-poll: the loop; select, poll and epoll (tools/watch.c, the lesson's
# second half); the table of connections (tools/conns.c).
$(BIN)/srv-poll: $(O)/tools/server-calls.o $(O)/tools/watch.o \
                 $(O)/tools/conns.o
$(SERVERS:%=$(BIN)/%): $(BIN)/%: $(O)/tools/%.o $(O)/tools/server.o \
		$(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) \
		$(filter %.a,$^) $(LDLIBS)

# cli-connect's modes live in their own files (tools/client.h).
CLIENT_MODES = $(O)/tools/client.o $(O)/tools/client3.o $(O)/tools/idle.o
$(BIN)/cli-connect: $(O)/tools/cli-connect.o $(CLIENT_MODES) $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# check-server: the tool and its modules (tools/check.h).
CHECK_OBJ = $(patsubst %,$(O)/tools/check-%.o,start ready proc client burst conn load fds report)
$(BIN)/check-server: $(O)/tools/check-server.o $(CHECK_OBJ) $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# show-timeline: the tool and its modules (tools/show-timeline/).
TIMELINE_SRC = $(wildcard tools/show-timeline/*.c)
TIMELINE_OBJ = $(TIMELINE_SRC:tools/%.c=$(O)/tools/%.o)
$(O)/tools/show-timeline.o $(TIMELINE_OBJ): tools/show-timeline/*.h
$(BIN)/show-timeline: $(O)/tools/show-timeline.o $(TIMELINE_OBJ) $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/%: $(O)/tools/%.o $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# show-backlog's clients table and report are a module (tools/backlog.c).
$(BIN)/show-backlog: $(O)/tools/show-backlog.o $(O)/tools/backlog.o \
                     $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

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

BATS       ?= bats
BATS_FLAGS ?=

test: all
	SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_FLAGS) tests

# The same suite against a build with AddressSanitizer (leaks included) and
# UBSan. Reports go to log files, so that a report from a server running in
# the background is not lost; any report fails the run.
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer \
            -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_DIR   = build/asan
check:
	$(MAKE) O=$(SAN_DIR) BIN=$(SAN_DIR)/bin CFLAGS="$(SAN_FLAGS)" \
	        LDFLAGS="-fsanitize=address,undefined" all
	rm -rf $(SAN_DIR)/logs && mkdir -p $(SAN_DIR)/logs
	ASAN_OPTIONS=detect_leaks=1:log_path=$(CURDIR)/$(SAN_DIR)/logs/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/$(SAN_DIR)/logs/ubsan \
	SOCKLAB_BIN=$(CURDIR)/$(SAN_DIR)/bin $(BATS) $(BATS_FLAGS) tests
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
LINT_H   = $(wildcard lib/*.h tools/*.h tools/*/*.h fuzz/*.h)
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
valgrind: all
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
$(FUZZ_DIR)/fuzz_trace: LIBSRC += $(TIMELINE_SRC)
$(FUZZ_DIR)/fuzz_trace: $(TIMELINE_SRC) tools/show-timeline/*.h

fuzz: fuzz-build
	@scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

soak: all
	SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_FLAGS) tests/gates/soak.bats

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

.PHONY: prereqs pace

prereqs:
	@scripts/prereqs.sh $(PREREQS_FLAGS)

pace: all
	SOCKLAB_PACE=$(PACE) SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_FLAGS) $(PACE_TESTS)

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
# left alone) and of the reference loops bench/ref-iter.c and ref-fork.c
# (the same compiler and flags), and of bench/load.c (fast and slow clients
# at once, for the models table), then bench/run prints a Markdown table
# (docs/performance.md). ab (apt-get install apache2-utils) is the load
# generator when installed. BENCH_FLAGS: --quick, --runs N, --json FILE,
# --vs 'python3 bench/webserver3a.py --port 0' (bench/run --help).

BENCH_DIR    = build/bench
BENCH_CFLAGS = -O2 -g
BENCH_FLAGS ?=
BENCH_REFS   = $(BENCH_DIR)/bin/ref-iter $(BENCH_DIR)/bin/ref-fork \
               $(BENCH_DIR)/bin/load
PYTHON      ?= python3

.PHONY: bench

bench:
	$(MAKE) --no-print-directory O=$(BENCH_DIR) BIN=$(BENCH_DIR)/bin \
		CFLAGS="$(BENCH_CFLAGS)" all $(BENCH_REFS)
	$(PYTHON) bench/run --bin $(BENCH_DIR)/bin $(BENCH_FLAGS)

$(BENCH_REFS): $(BENCH_DIR)/bin/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

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
