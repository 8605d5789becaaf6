/* text: printable escaping of untrusted bytes (see text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>

size_t text_escape(const char *in, size_t n, char *out, size_t outlen)
{
	size_t i, len = 0;

	if (outlen == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		char piece[5];
		size_t plen;

		if (c == '\r' && i + 1 < n && in[i + 1] == '\n')
			continue; /* CRLF: show it as one line break */
		if (c == '\n' || c == '\t' ||
		    (c >= 0x20 && c < 0x7f && c != '\\')) {
			piece[0] = (char)c;
			plen = 1;
		} else if (c == '\\') {
			piece[0] = '\\';
			piece[1] = '\\';
			plen = 2;
		} else {
			snprintf(piece, sizeof piece, "\\x%02x", c);
			plen = 4;
		}
		if (len + plen >= outlen)
			break;
		memcpy(out + len, piece, plen);
		len += plen;
	}
	out[len] = '\0';
	return len;
}
