/* http: request framing, the replies, GET requests (see http.h). */
#include "http.h"

#include <stdio.h>
#include <string.h>

/* Capitals then a space, as in "GET " or "POST ": an HTTP method. Only
 * capitals so far (a request cut after "GE") may still become one. */
static int looks_like_http(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 16; i++) {
		if (buf[i] == ' ')
			return i > 0;
		if (buf[i] < 'A' || buf[i] > 'Z')
			return 0;
	}
	return 1;
}

/* An empty line ends the headers: CRLF CRLF, or LF LF from a client that
 * sends bare LFs (nc, a hand-typed request). */
static int headers_complete(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n')
			return 1;
		if (i + 3 < len && memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return 1;
	}
	return 0;
}

enum http_framing http_framing(const char *buf, size_t len, size_t cap)
{
	if (len == 0)
		return HTTP_MORE;
	if (!looks_like_http(buf, len) || headers_complete(buf, len))
		return HTTP_COMPLETE;
	return len >= cap ? HTTP_TOO_LARGE : HTTP_MORE;
}

/* Every reply is written out once, here, rather than formatted for each
 * request: the same bytes for every client. */
#define HEAD(status) "HTTP/1.1 " status "\r\nContent-Type: text/plain\r\n"
#define CLOSE        "Connection: close\r\n\r\n"
#define BODY_408     "Request timed out.\n"
#define BODY_431     "Request too large.\n"
#define BODY_503     "Too many clients at once: try again later.\n"

struct reply {
	int status;
	const char *plain, *framed; /* without, with Content-Length */
	size_t plain_len, framed_len;
};

#define REPLY(code, status, length, body)                             \
	{                                                             \
		code, HEAD(status) CLOSE body,                        \
		        HEAD(status) "Content-Length: " length        \
		                     "\r\n" CLOSE body,               \
		        sizeof(HEAD(status) CLOSE body) - 1,          \
		        sizeof(HEAD(status) "Content-Length: " length \
		                            "\r\n" CLOSE body) -      \
		                1                                     \
	}

static const struct reply replies[] = {
	REPLY(200, "200 OK", "14", HTTP_HELLO),
	REPLY(408, "408 Request Timeout", "19", BODY_408),
	REPLY(431, "431 Request Header Fields Too Large", "19", BODY_431),
	REPLY(503, "503 Service Unavailable", "43", BODY_503),
};
_Static_assert(sizeof HTTP_HELLO - 1 == 14, "Content-Length of 200");
_Static_assert(sizeof BODY_408 - 1 == 19, "Content-Length of 408");
_Static_assert(sizeof BODY_431 - 1 == 19, "Content-Length of 431");
_Static_assert(sizeof BODY_503 - 1 == 43, "Content-Length of 503");

const char *http_reply(int status, int content_length, size_t *len)
{
	size_t i;

	for (i = 0; i < sizeof replies / sizeof replies[0]; i++) {
		if (replies[i].status != status)
			continue;
		*len = content_length ? replies[i].framed_len
		                      : replies[i].plain_len;
		return content_length ? replies[i].framed : replies[i].plain;
	}
	*len = 0;
	return NULL;
}

int http_get(char *buf, size_t cap, const char *path, const char *host,
             unsigned short port, const char *extra)
{
	const char *p;
	int v6 = strchr(host, ':') != NULL && host[0] != '[';

	if (path[0] != '/')
		return -1;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return -1;
	return snprintf(buf, cap,
	                "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\n%s\r\n", path,
	                v6 ? "[" : "", host, v6 ? "]" : "", port, extra);
}

int http_status(const char *buf, size_t len)
{
	int code = 0;
	size_t i;

	/* "HTTP/1.x NNN" */
	if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -1;
	for (i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		code = code * 10 + (buf[i] - '0');
	}
	return code;
}
