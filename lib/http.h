/*
 * http: the little HTTP that the article's servers and clients speak, and
 * that is not the lesson: when a request that arrives in pieces is whole,
 * the replies as bytes, a GET request, a reply's status code.
 *
 * The article's server calls recv() once and answers. TCP delivers bytes,
 * not messages: a request may arrive in several pieces (curl's usually comes
 * whole, a slow client's does not), so the servers call recv() until
 * http_framing() says the request is complete. Something that does not
 * start like an HTTP request (the article's client sends just "test") is
 * complete at once: it is answered after the first recv(), as the article
 * does.
 *
 * Pure functions: no system call, nothing printed, no memory allocated.
 */
#ifndef SOCKLAB_HTTP_H
#define SOCKLAB_HTTP_H

#include <stddef.h>

/* Bytes of request a server reads at most, by default (--max-request). */
#define HTTP_MAX_REQUEST 8192

/* What the bytes of a request read so far amount to. */
enum http_framing {
	HTTP_MORE,      /* not complete: recv() again */
	HTTP_COMPLETE,  /* the headers ended (an empty line), or not HTTP */
	HTTP_TOO_LARGE, /* cap bytes and still not complete: 431 */
};

/* The framing of len bytes read into a buffer of cap bytes. */
enum http_framing http_framing(const char *buf, size_t len, size_t cap);

/* The replies, whole, as constant bytes: 200 (the article's reply, Hello,
 * World!), 408 (the request did not arrive in time), 431 (too large), 503
 * (no room for this client). Each says "Connection: close": the close marks
 * its end, as in the article; with content_length it also says
 * Content-Length, so that a client need not wait for the close. Sets *len;
 * NULL for another status. */
const char *http_reply(int status, int content_length, size_t *len);

/* The body of the 200 reply, for checking what a server answered. */
#define HTTP_HELLO "Hello, World!\n"

/* A GET request for path on host:port into buf: "GET PATH HTTP/1.1",
 * "Host: HOST:PORT" (an IPv6 address in brackets), the header lines of
 * extra (each ending in CRLF; "" for none), and the empty line. Returns the
 * length of the whole request, as snprintf() does: a result >= cap means
 * it did not fit (size buf for it and call again). -1 when path does not
 * start with '/' or holds a space, CR, LF or a control byte. */
int http_get(char *buf, size_t cap, const char *path, const char *host,
             unsigned short port, const char *extra);

/* The status code of a reply that starts "HTTP/1.x NNN", else -1. */
int http_status(const char *buf, size_t len);

#endif
