/*
 * fuzz_text: lib/text.c's escaper on arbitrary bytes, the guard between a
 * client's bytes and the learner's terminal.
 *
 * Invariants: the output is NUL-terminated at the returned length, inside
 * its buffer; it has no byte below 0x20 but '\n' and '\t', and none at or
 * above 0x7f; with room for the worst case, unescaping it gives back the
 * input less the '\r' of each CRLF; with less room, the output is a prefix
 * of the full one, cut between escapes.
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
		} else if (i + 1 < len && s[i + 1] == '\\') {
			out[n++] = '\\';
			i++;
		} else if (i + 3 < len && s[i + 1] == 'x' &&
		           hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			out[n++] = (char)(hexval(s[i + 2]) * 16 +
			                  hexval(s[i + 3]));
			i += 3;
		} else {
			return -1;
		}
	}
	return (long)n;
}

static void check_printable(const char *out, size_t len, size_t outlen)
{
	size_t i;

	FUZZ_CHECK(len < outlen);
	FUZZ_CHECK(out[len] == '\0');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		FUZZ_CHECK(c != '\0');
		FUZZ_CHECK(c >= 0x20 || c == '\n' || c == '\t');
		FUZZ_CHECK(c < 0x7f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t full = TEXT_ESCAPED_MAX(size), i, n = 0, len, cut, cutlen;
	char *out = malloc(full), *back = malloc(size + 1),
	     *expect = malloc(size + 1), *small;
	long blen;

	if (out == NULL || back == NULL || expect == NULL)
		abort();

	/* The whole input, with room for the worst case. */
	len = text_escape(in, size, out, full);
	check_printable(out, len, full);
	for (i = 0; i < size; i++) {
		if (in[i] == '\r' && i + 1 < size && in[i + 1] == '\n')
			continue;
		expect[n++] = in[i];
	}
	blen = unescape(out, len, back);
	FUZZ_CHECK(blen == (long)n);
	FUZZ_CHECK(memcmp(back, expect, n) == 0);

	/* A buffer too small: a prefix of the full output, whole escapes. */
	cut = size > 0 ? (size_t)data[0] % full + 1 : 1;
	small = malloc(cut);
	if (small == NULL)
		abort();
	cutlen = text_escape(in, size, small, cut);
	check_printable(small, cutlen, cut);
	FUZZ_CHECK(cutlen <= len);
	FUZZ_CHECK(memcmp(small, out, cutlen) == 0);
	FUZZ_CHECK(unescape(small, cutlen, back) >= 0);

	/* outlen 0 writes nothing and returns 0. */
	FUZZ_CHECK(text_escape(in, size, small, 0) == 0);

	free(small);
	free(expect);
	free(back);
	free(out);
	return 0;
}
