/*
 * addr: parsing "host", "host:port", "[v6addr]:port", and formatting socket
 * addresses ("127.0.0.1:8888", "[::1]:8888") into buffers the caller owns.
 *
 * addr_parse() parses what a user typed: it returns -1 with a message for
 * the user in err. addr_format() is a pure formatter: it returns 0 or
 * getnameinfo()'s own error code (EAI_*, for gai_strerror()). The functions
 * that ask the kernel (getsockname, getpeername) return -1 with "what
 * failed: why" in err and errno set. They never print and never exit.
 */
#ifndef SOCKLAB_ADDR_H
#define SOCKLAB_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Enough for "[ffff:...:255.255.255.255%interface]:65535". */
#define ADDR_STRLEN 96
/* Enough for "{local, remote}". */
#define ADDR_PAIRLEN (2 * ADDR_STRLEN + 8)

/*
 * Splits s into a host and an optional port. Accepts "host", "host:port",
 * "[v6]", "[v6]:port" and a bare IPv6 address ("::1"; it has no port).
 * *has_port is set to 1 when a port was given, and *port to its value.
 */
int addr_parse(const char *s, char *host, size_t hostlen, int *has_port,
               unsigned short *port, char *err, size_t errlen);

/* Formats an IPv4 or IPv6 address with its port, numerically. Returns 0,
 * or an EAI_* code: EAI_FAMILY (not IPv4 or IPv6), EAI_OVERFLOW (buf too
 * small), or what getnameinfo() said. */
int addr_format(const struct sockaddr *sa, socklen_t salen, char *buf,
                size_t buflen);

/* The port of an IPv4 or IPv6 socket address (host byte order). */
unsigned short addr_port(const struct sockaddr *sa);

/* 1 when sa is the wildcard address, 0.0.0.0 or :: (bound to it, a socket
 * listens on every interface of the machine), else 0. */
int addr_is_any(const struct sockaddr *sa);

/* 1 when a and b are the same address and port, an IPv4 address being the
 * same as its IPv6 form ::ffff:a.b.c.d (a listener on "::" sees its IPv4
 * clients so); 0 otherwise, and for a family other than IPv4 and IPv6. */
int addr_same(const struct sockaddr *a, const struct sockaddr *b);

/* The socket pair of a connected fd as the article writes it:
 * "{local ip:port, remote ip:port}" (getsockname(), getpeername()). */
int addr_pair(int fd, char *buf, size_t buflen, char *err, size_t errlen);

#endif
