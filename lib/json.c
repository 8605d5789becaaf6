/* json: escaping for JSON strings (see json.h). */
#include "json.h"

#include <stdio.h>
#include <string.h>

size_t json_escape(const char *in, char *out, size_t outlen)
{
	size_t len = 0;

	if (outlen == 0)
		return 0;
	for (; *in != '\0'; in++) {
		unsigned char c = (unsigned char)*in;
		char piece[8];
		size_t plen;

		if (c == '"' || c == '\\') {
			piece[0] = '\\';
			piece[1] = (char)c;
			plen = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			piece[0] = (char)c;
			plen = 1;
		} else {
			/* Bytes, not characters: a byte >= 0x80 is shown as the
			 * code point of the same value (Latin-1). */
			snprintf(piece, sizeof piece, "\\u%04x", c);
			plen = 6;
		}
		if (len + plen >= outlen)
			break;
		memcpy(out + len, piece, plen);
		len += plen;
	}
	out[len] = '\0';
	return len;
}
