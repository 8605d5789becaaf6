/* text: escaping for the terminal (see text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>

size_t text_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c;
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

size_t text_printable_len(const unsigned char *p, size_t n)
{
	size_t len = text_utf8_len(p, n);

	if (len == 1)
		return p[0] >= 0x20 && p[0] < 0x7f ? 1 : 0;
	if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0; /* C1 controls, U+0080-U+009F: terminals obey some */
	if (len == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9))
		return 0; /* U+2028, U+2029: line ends to a line-splitting
		           * reader (Python's splitlines()), as U+0085 is */
	return len;
}

/* Copies the escape s, its NUL included, into piece; returns its length. */
static size_t set(char *piece, const char *s)
{
	size_t n = strlen(s);

	memcpy(piece, s, n + 1);
	return n;
}

/* The escape for the byte at p, or the character it starts: its length in
 * piece (at most 4 bytes), the number of input bytes it stands for in *used. */
static size_t piece_for(const unsigned char *p, size_t n, char piece[5],
                        size_t *used)
{
	size_t len = text_printable_len(p, n);

	*used = 1;
	if (len > 0 && p[0] != '\\') {
		memcpy(piece, p, len);
		piece[len] = '\0';
		*used = len;
		return len;
	}
	switch (p[0]) {
	case '\\':
		return set(piece, "\\\\");
	case '\n':
		return set(piece, "\\n");
	case '\t':
		return set(piece, "\\t");
	case '\r':
		return set(piece, "\\r");
	default:
		snprintf(piece, 5, "\\x%02x", p[0]);
		return 4;
	}
}

size_t text_escape(const char *in, size_t n, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, len = 0, cut_at = 0;
	int cut = 0;

	if (outlen == 0)
		return 0;
	while (i < n) {
		char piece[5];
		size_t used, plen = piece_for(p + i, n - i, piece, &used);

		/* Where "..." would still fit, should the rest not. */
		if (len + 3 < outlen)
			cut_at = len;
		if (len + plen >= outlen) {
			cut = 1;
			break;
		}
		memcpy(out + len, piece, plen);
		len += plen;
		i += used;
	}
	if (cut && outlen >= 4) {
		memcpy(out + cut_at, "...", 3);
		len = cut_at + 3;
	}
	out[len] = '\0';
	return len;
}
