/*
 * fuzz_serve: how the servers read a request (lib/http.c: http_framing(),
 * http_reply()), on arbitrary bytes arriving in arbitrary pieces.
 *
 * The servers (tools/srv-iter.c: server_serve()) recv() into a buffer of
 * --max-request bytes and ask http_framing() after each piece whether the
 * request is complete. This target does the same without a socket: the
 * input after its first two bytes is the request; it is appended to a
 * buffer of cap bytes in pieces, and http_framing() is asked after each.
 *
 *   byte 0   cap: 16 + 4 * (byte & 0x3f) bytes (0: the default, 8192);
 *            0x40: the pieces are cut by byte 1 (else the whole request
 *            comes as one piece, as curl's does); 0x80: the replies are
 *            checked with Content-Length
 *   byte 1   with 0x40: four 2-bit piece sizes (1 + each), used in turn
 *
 * Invariants (beyond no sanitizer report: the bytes are given to
 * http_framing() in a buffer of exactly the length read so far):
 *   - MORE only below cap; TOO_LARGE exactly when cap bytes came and they
 *     are not complete;
 *   - the verdict does not depend on the pieces: COMPLETE exactly when a
 *     reference reading of the same bytes says so (an empty line ends the
 *     headers; something that does not start like "GET " is complete at
 *     once), and once COMPLETE, more bytes never undo it;
 *   - every reply http_reply() makes starts "HTTP/1.1 NNN ", its status
 *     reads back with http_status(), and its Content-Length, when asked
 *     for, is the length of its body.
 */
#include "fuzz.h"

#include "http.h"

/* The reference reading: what the article's servers take for a request. */
static int ref_complete(const uint8_t *p, size_t n)
{
	size_t i;

	/* Not HTTP: something other than capitals before the first space
	 * (or a space first), within the first 16 bytes. */
	for (i = 0; i < n && i < 16; i++) {
		if (p[i] == ' ') {
			if (i == 0)
				return 1;
			break;
		}
		if (p[i] < 'A' || p[i] > 'Z')
			return 1;
	}
	/* HTTP: complete at its empty line, LF LF or CRLF CRLF. */
	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '\n' && p[i + 1] == '\n')
			return 1;
		if (i + 3 < n && memcmp(p + i, "\r\n\r\n", 4) == 0)
			return 1;
	}
	return 0;
}

static void check_replies(int content_length)
{
	static const int statuses[] = { 200, 408, 431, 503 };
	size_t i, len;

	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		const char *r = http_reply(statuses[i], content_length, &len);
		const char *cl, *body;

		FUZZ_CHECK(r != NULL && len > 13);
		FUZZ_CHECK(strlen(r) == len);
		FUZZ_CHECK(strncmp(r, "HTTP/1.1 ", 9) == 0 && r[12] == ' ');
		FUZZ_CHECK(http_status(r, len) == statuses[i]);
		body = strstr(r, "\r\n\r\n");
		FUZZ_CHECK(body != NULL);
		body += 4;
		cl = strstr(r, "Content-Length: ");
		FUZZ_CHECK((cl != NULL && cl < body) == (content_length != 0));
		if (cl != NULL)
			FUZZ_CHECK(strtoul(cl + 16, NULL, 10) ==
			           len - (size_t)(body - r));
	}
	FUZZ_CHECK(http_reply(404, content_length, &len) == NULL && len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, len = 0, piece = 0, skip = 1;
	const uint8_t *req;
	int done = 0;

	if (size < 1 || size > 65536)
		return 0;
	cap = (data[0] & 0x3f) ? 16 + 4 * (size_t)(data[0] & 0x3f)
	                       : HTTP_MAX_REQUEST;
	if ((data[0] & 0x40) && size >= 2)
		skip = 2;
	req = data + skip;
	size -= skip;
	check_replies(data[0] & 0x80);

	while (len < size && len < cap) {
		size_t n = skip == 2
		                   ? 1 + ((data[1] >> (2 * (piece++ % 4))) & 3)
		                   : size;
		enum http_framing f;
		char *copy;

		if (n > size - len)
			n = size - len;
		if (n > cap - len)
			n = cap - len; /* recv() gets at most what fits */
		len += n;
		/* What recv() has put in the buffer so far, in a block of
		 * exactly that size: ASan sees any read past it. */
		copy = malloc(len);
		if (copy == NULL)
			abort();
		memcpy(copy, req, len);
		f = http_framing(copy, len, cap);
		free(copy);

		FUZZ_CHECK(f == HTTP_MORE || f == HTTP_COMPLETE ||
		           f == HTTP_TOO_LARGE);
		FUZZ_CHECK((f == HTTP_COMPLETE) == ref_complete(req, len));
		FUZZ_CHECK(f != HTTP_MORE || len < cap);
		FUZZ_CHECK((f == HTTP_TOO_LARGE) ==
		           (len >= cap && !ref_complete(req, len)));
		FUZZ_CHECK(!done || f == HTTP_COMPLETE); /* never undone */
		done = f == HTTP_COMPLETE;
	}
	FUZZ_CHECK(http_framing("", 0, cap) == HTTP_MORE);
	return 0;
}
