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

.PHONY: all test check lint install uninstall clean

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

BATS     ?= bats
BATS_FLAGS ?=

test: all
	SOCKLAB_BIN=$(CURDIR)/$(BIN) $(BATS) $(BATS_FLAGS) tests

clean:
	rm -rf build bin
