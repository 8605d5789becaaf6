/*
 * fuzz.h: what the libFuzzer targets in fuzz/ share. Each target is one
 * file fuzz/fuzz_NAME.c with LLVMFuzzerTestOneInput(); `make fuzz` builds it
 * with clang -fsanitize=fuzzer,address,undefined and runs it on its seed
 * corpus (fuzz/corpus/NAME/) and the regression inputs (fuzz/regress/NAME/).
 *
 * A failed invariant calls FUZZ_CHECK's abort(): libFuzzer saves the input
 * as a crash file, which then goes into fuzz/regress/NAME/ (see
 * fuzz/README.md).
 */
#ifndef SOCKLAB_FUZZ_H
#define SOCKLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                 \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			        __FILE__, __LINE__, #cond);              \
			abort();                                         \
		}                                                        \
	} while (0)

/* The input as a C string (up to its first NUL byte), in a buffer of its
 * own size so that ASan sees any read past the end. Free it. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* An error buffer exactly errlen bytes long; its last byte must be NUL. */
static inline int fuzz_terminated(const char *buf, size_t len)
{
	return len == 0 || memchr(buf, '\0', len) != NULL;
}

#endif
