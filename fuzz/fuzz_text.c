/*
 * fuzz_text: lib/text.c's escaper on arbitrary bytes, the guard between a
 * peer's bytes (or a process's name) and the learner's terminal.
 *
 * Invariants: the output is NUL-terminated at the returned length, inside
 * its buffer; it is one line (no byte below 0x20, no DEL, and none of the
 * characters a line-splitting reader ends a line at: U+0085, U+2028,
 * U+2029) and every byte at or above 0x80 belongs to a printable UTF-8
 * character; with room for the
 * worst case, unescaping it gives back the input exactly; with less room,
 * the output is a prefix of the full one, or such a prefix cut between two
 * escapes and followed by "...".
 */
#include "fuzz.h"

#include "text.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes text_escape(); returns the length, or -1 on a malformed escape. */
static long unescape(const char *s, size_t len, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			out[n++] = s[i];
			continue;
		}
		if (i + 1 >= len)
			return -1;
		switch (s[i + 1]) {
		case '\\':
			out[n++] = '\\';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 'x':
			if (i + 3 >= len || hexval(s[i + 2]) < 0 ||
			    hexval(s[i + 3]) < 0)
				return -1;
			out[n++] = (char)(hexval(s[i + 2]) * 16 +
			                  hexval(s[i + 3]));
			i += 2;
			break;
		default:
			return -1;
		}
		i++;
	}
	return (long)n;
}

static void check_printable(const char *out, size_t len, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)out;
	size_t i = 0;

	FUZZ_CHECK(len < outlen);
	FUZZ_CHECK(out[len] == '\0');
	while (i < len) {
		size_t n = text_printable_len(p + i, len - i);

		FUZZ_CHECK(n >
		           0); /* printable ASCII or a printable character */
		/* Python's splitlines() ends a line at NEL, LS and PS. */
		FUZZ_CHECK(!(n == 2 && p[i] == 0xc2 && p[i + 1] == 0x85));
		FUZZ_CHECK(!(n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		             (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)));
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t full = TEXT_ESCAPED_MAX(size), len, cut, cutlen;
	char *out = malloc(full), *back = malloc(size + 1), *small;
	long blen;

	if (out == NULL || back == NULL)
		abort();

	/* The whole input, with room for the worst case: nothing is lost. */
	len = text_escape(in, size, out, full);
	check_printable(out, len, full);
	blen = unescape(out, len, back);
	FUZZ_CHECK(blen == (long)size);
	FUZZ_CHECK(memcmp(back, in, size) == 0);

	/* A buffer too small: a prefix, or a prefix and "...". */
	cut = size > 0 ? (size_t)data[0] % full + 1 : 1;
	small = malloc(cut);
	if (small == NULL)
		abort();
	cutlen = text_escape(in, size, small, cut);
	check_printable(small, cutlen, cut);
	FUZZ_CHECK(cutlen <= len || cut >= 4);
	if (memcmp(small, out, cutlen) != 0) {
		FUZZ_CHECK(cutlen >= 3);
		FUZZ_CHECK(memcmp(small + cutlen - 3, "...", 3) == 0);
		FUZZ_CHECK(memcmp(small, out, cutlen - 3) == 0);
		FUZZ_CHECK(unescape(small, cutlen - 3, back) >= 0);
	}

	/* outlen 0 writes nothing and returns 0. */
	FUZZ_CHECK(text_escape(in, size, small, 0) == 0);

	free(small);
	free(back);
	free(out);
	return 0;
}
