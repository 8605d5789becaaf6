# socklab - a flat Makefile (sbase style): explicit lists, overridable flags.
#
#   make              build every tool into bin/
#   make test         run the bats suite (tests/) against bin/
#   make check        the same suite against an ASan + UBSan build
#   make lint         static analysis and style checks
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

TOOLS    = srv-iter cli-connect
LIBSRC   = lib/addr.c lib/cli.c lib/net.c lib/num.c lib/text.c
# Shared by the servers (part of the lesson, so it lives in tools/).
SERVERS  = srv-iter
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

$(SERVERS:%=$(BIN)/%): $(BIN)/%: $(O)/tools/%.o $(O)/tools/server.o $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/%: $(O)/tools/%.o $(O)/libsocklab.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

list-tools:
	@echo $(TOOLS)

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
