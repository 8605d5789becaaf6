/* json: JSON strings (see json.h). */
#include "json.h"

#include <string.h>

#include "text.h"

/* Copies the escape s, its NUL included, into piece; returns its length. */
static size_t set(char *piece, const char *s)
{
	size_t n = strlen(s);

	memcpy(piece, s, n + 1);
	return n;
}

/* The escape of the byte or character at p: its text in piece (at most 6
 * bytes), the number of input bytes it stands for in *used. */
static size_t piece_for(const unsigned char *p, char piece[7], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = text_utf8_len(p, strnlen((const char *)p, 4));
	unsigned char c = p[0];

	*used = 1;
	if (c == '"' || c == '\\') {
		return set(piece, c == '"' ? "\\\"" : "\\\\");
	}
	if (c >= 0x20 && c != 0x7f && len > 0) {
		memcpy(piece, p, len); /* ASCII or a whole UTF-8 character */
		piece[len] = '\0';
		*used = len;
		return len;
	}
	if (c == 0x7f) { /* DEL is valid in a JSON string, but invisible */
		return set(piece, "\\u007f");
	}
	switch (c) {
	case '\n':
		return set(piece, "\\n");
	case '\r':
		return set(piece, "\\r");
	case '\t':
		return set(piece, "\\t");
	case '\b':
		return set(piece, "\\b");
	case '\f':
		return set(piece, "\\f");
	default:
		/* A control byte (< 0x20): \u00XX. A byte that is not valid
		 * UTF-8 (>= 0x80): \udcXX, Python's surrogateescape. */
		set(piece, c < 0x80 ? "\\u00" : "\\udc");
		piece[4] = hex[c >> 4];
		piece[5] = hex[c & 0x0f];
		piece[6] = '\0';
		return 6;
	}
}

size_t json_escape(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t len = 0;

	if (outlen == 0)
		return 0;
	while (*p != '\0') {
		char piece[7];
		size_t used, plen = piece_for(p, piece, &used);

		if (len + plen >= outlen)
			break;
		memcpy(out + len, piece, plen);
		len += plen;
		p += used;
	}
	out[len] = '\0';
	return len;
}

void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p != '\0') {
		char piece[7];
		size_t used, plen = piece_for(p, piece, &used);

		fwrite(piece, 1, plen, f);
		p += used;
	}
	fputc('"', f);
}
