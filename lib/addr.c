/*
 * addr: address parsing and formatting. getnameinfo() with NI_NUMERICHOST
 * formats both families without a static buffer (inet_ntoa has one).
 */
#include "addr.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

static int copy_host(const char *s, size_t n, char *host, size_t hostlen,
                     const char *whole, char *err, size_t errlen)
{
	if (n == 0) {
		snprintf(err, errlen, "invalid address '%s': missing host",
		         whole);
		return -1;
	}
	if (n >= hostlen) {
		snprintf(err, errlen, "invalid address '%s': host too long",
		         whole);
		return -1;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	return 0;
}

int addr_parse(const char *s, char *host, size_t hostlen, int *has_port,
               unsigned short *port, char *err, size_t errlen)
{
	const char *colon;

	*has_port = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL) {
			snprintf(err, errlen,
			         "invalid address '%s': missing ']'", s);
			return -1;
		}
		if (copy_host(s + 1, (size_t)(close - s - 1), host, hostlen, s,
		              err, errlen) == -1)
			return -1;
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':') {
			snprintf(err, errlen,
			         "invalid address '%s': expected ':' after ']'",
			         s);
			return -1;
		}
		if (num_parse_port(close + 2, port, err, errlen) == -1)
			return -1;
		*has_port = 1;
		return 0;
	}

	colon = strchr(s, ':');
	if (colon == NULL || strchr(colon + 1, ':') != NULL) {
		/* A name, an IPv4 address, or a bare IPv6 address: no port. */
		return copy_host(s, strlen(s), host, hostlen, s, err, errlen);
	}
	if (copy_host(s, (size_t)(colon - s), host, hostlen, s, err, errlen) ==
	    -1)
		return -1;
	if (num_parse_port(colon + 1, port, err, errlen) == -1)
		return -1;
	*has_port = 1;
	return 0;
}

int addr_format(const struct sockaddr *sa, socklen_t salen, char *buf,
                size_t buflen)
{
	char host[NI_MAXHOST];
	int rc;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return EAI_FAMILY;
	rc = getnameinfo(sa, salen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
	if (rc != 0)
		return rc;
	if (sa->sa_family == AF_INET6)
		rc = snprintf(buf, buflen, "[%s]:%u", host, addr_port(sa));
	else
		rc = snprintf(buf, buflen, "%s:%u", host, addr_port(sa));
	if (rc < 0 || (size_t)rc >= buflen)
		return EAI_OVERFLOW;
	return 0;
}

unsigned short addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)
		                     ->sin6_port);
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)
		                     ->sin_port);
	return 0;
}

int addr_is_any(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		        &((const struct sockaddr_in6 *)(const void *)sa)
		                 ->sin6_addr);
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)sa)
		               ->sin_addr.s_addr == htonl(INADDR_ANY);
	return 0;
}

/* getsockname() or getpeername(), formatted. */
static int name_of(int fd, int peer, char *buf, size_t buflen, char *err,
                   size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const char *call = peer ? "getpeername" : "getsockname";
	int rc;

	rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
	          : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (rc == -1) {
		int e = errno;

		snprintf(err, errlen, "%s(%d): %s", call, fd, strerror(e));
		errno = e;
		return -1;
	}
	rc = addr_format((struct sockaddr *)&ss, len, buf, buflen);
	if (rc != 0) {
		snprintf(err, errlen, "%s(%d): %s", call, fd, gai_strerror(rc));
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int addr_pair(int fd, char *buf, size_t buflen, char *err, size_t errlen)
{
	char local[ADDR_STRLEN], remote[ADDR_STRLEN];
	int rc;

	if (name_of(fd, 0, local, sizeof local, err, errlen) == -1 ||
	    name_of(fd, 1, remote, sizeof remote, err, errlen) == -1)
		return -1;
	rc = snprintf(buf, buflen, "{%s, %s}", local, remote);
	if (rc < 0 || (size_t)rc >= buflen) {
		snprintf(err, errlen, "socket pair of fd %d: buffer too small",
		         fd);
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* An address and port in the IPv6 form (IPv4 as ::ffff:a.b.c.d): -1 for
 * another family. */
static int v6_form(const struct sockaddr *sa, unsigned char addr[16],
                   unsigned short *port)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0,    0,
		                                  0, 0, 0, 0, 0xff, 0xff };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)sa;

		memcpy(addr, mapped, 12);
		memcpy(addr + 12, &v4->sin_addr, 4);
		*port = v4->sin_port;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const void *)sa;

		memcpy(addr, &v6->sin6_addr, 16);
		*port = v6->sin6_port;
		return 0;
	}
	return -1;
}

int addr_same(const struct sockaddr *a, const struct sockaddr *b)
{
	unsigned char x[16], y[16];
	unsigned short xp, yp;

	return v6_form(a, x, &xp) == 0 && v6_form(b, y, &yp) == 0 && xp == yp &&
	       memcmp(x, y, 16) == 0;
}
