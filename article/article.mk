# article/article.mk: the article's programs in C (article/), included by the
# top Makefile. `make` builds them into $(BIN)/article/ (make check: into
# the sanitizer build's), with the project's warnings and flags but not its
# CPPFLAGS: no lib/, no -D_DEFAULT_SOURCE, each listing says
# _POSIX_C_SOURCE itself. They are listings: `make install` leaves them out.

ARTICLE      = webserver3a webserver3b webserver3c webserver3d webserver3e \
               webserver3f webserver3g client3
ARTICLE_BINS = $(ARTICLE:%=$(BIN)/article/%)

.PHONY: article
article: $(ARTICLE_BINS)
all: $(ARTICLE_BINS)

$(ARTICLE_BINS): $(BIN)/article/%: article/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# make lint: cppcheck, clang-tidy and clang-format read them too.
LINT_C += $(wildcard article/*.c)

# make listings: the listings and diffs the lessons show, made again from
# these files (scripts/listings.sh; tests/docs.bats checks them).
.PHONY: listings
listings:
	@scripts/listings.sh
