/*
 * net: resolution and deadlines. A blocking connect() to a host that never
 * answers can wait minutes; net_connect_prepare() makes the socket
 * non-blocking, the caller calls connect(), then net_connect_finish()
 * poll()s for the handshake to finish.
 */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"

int net_resolve(const char *host, unsigned short port, int passive,
                struct addrinfo **res, char *err, size_t errlen)
{
	struct addrinfo hints;
	char service[8], bare[256];
	size_t n = strlen(host);
	int rc;

	/* "[::1]" is how a user writes an IPv6 address next to a port. */
	if (n > 2 && n < sizeof bare + 2 && host[0] == '[' &&
	    host[n - 1] == ']') {
		memcpy(bare, host + 1, n - 2);
		bare[n - 2] = '\0';
		host = bare;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(service, sizeof service, "%u", port);

	rc = getaddrinfo(host, service, &hints, res);
	if (rc != 0) {
		if (rc == EAI_SYSTEM) {
			snprintf(err, errlen, "cannot resolve '%s': %s", host,
			         strerror(errno));
		} else {
			snprintf(err, errlen, "cannot resolve '%s': %s", host,
			         gai_strerror(rc));
			errno = 0;
		}
		return -1;
	}
	return 0;
}

static int wait_connected(int fd, double timeout_s)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT, .revents = 0 };
	int timeout_ms = timeout_s > 0 ? (int)(timeout_s * 1000.0 + 0.5) : -1;
	int soerr = 0;
	socklen_t len = sizeof soerr;
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc == -1 && errno == EINTR);
	if (rc == -1)
		return -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	/* The handshake finished: SO_ERROR says whether it succeeded. */
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* "connect to ADDR: why", ADDR numeric. */
static void connect_error(const struct sockaddr *sa, socklen_t salen,
                          double timeout_s, int e, char *err, size_t errlen)
{
	char where[ADDR_STRLEN];

	if (addr_format(sa, salen, where, sizeof where) != 0)
		snprintf(where, sizeof where, "(an address)");
	if (e == ETIMEDOUT && timeout_s > 0)
		snprintf(err, errlen, "connect to %s: timed out after %g s",
		         where, timeout_s);
	else
		snprintf(err, errlen, "connect to %s: %s", where, strerror(e));
	errno = e;
}

int net_connect_prepare(int fd, double timeout_s, char *err, size_t errlen)
{
	int flags;

	if (timeout_s <= 0)
		return 0;
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		int saved = errno;

		snprintf(err, errlen, "fcntl O_NONBLOCK: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

int net_connect_finish(int fd, const struct sockaddr *sa, socklen_t salen,
                       int rc, double timeout_s, char *err, size_t errlen)
{
	int flags, saved = rc == -1 ? errno : 0;

	/* EINPROGRESS: the handshake goes on (a non-blocking socket); EINTR:
	 * a signal handler interrupted a blocking connect(), and the
	 * handshake goes on too. Either way, poll() says when it ends. */
	if (rc == -1 && (saved == EINPROGRESS || saved == EINTR)) {
		rc = wait_connected(fd, timeout_s);
		saved = rc == -1 ? errno : 0;
	}
	if (timeout_s > 0) { /* back to blocking */
		flags = fcntl(fd, F_GETFL);
		if ((flags == -1 ||
		     fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) &&
		    rc == 0) {
			saved = errno;
			snprintf(err, errlen, "fcntl: %s", strerror(saved));
			errno = saved;
			return -1;
		}
	}
	if (rc == -1)
		connect_error(sa, salen, timeout_s, saved, err, errlen);
	return rc;
}

int net_connect_within(int fd, const struct sockaddr *sa, socklen_t salen,
                       double timeout_s, char *err, size_t errlen)
{
	int rc = net_connect_prepare(fd, timeout_s, err, errlen);

	if (rc == -1)
		return -1;
	rc = connect(fd, sa, salen);
	return net_connect_finish(fd, sa, salen, rc, timeout_s, err, errlen);
}

int net_send_all(int fd, const void *buf, size_t len, char *err, size_t errlen)
{
	const char *p = buf;
	size_t sent = 0;

	while (sent < len) {
		ssize_t n = send(fd, p + sent, len - sent, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;

			snprintf(err, errlen, "send: %s", strerror(e));
			errno = e;
			return -1;
		}
		sent += (size_t)n;
	}
	return 0;
}

static struct timeval to_timeval(double s)
{
	struct timeval tv;

	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	if (tv.tv_sec == 0 && tv.tv_usec == 0 && s > 0)
		tv.tv_usec = 1;
	return tv;
}

int net_set_timeouts(int fd, double timeout_s, char *err, size_t errlen)
{
	struct timeval tv = to_timeval(timeout_s);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1) {
		int e = errno;

		snprintf(err, errlen, "setsockopt(%d, SO_RCVTIMEO): %s", fd,
		         strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

int net_listen(const char *host, unsigned short port, int backlog, char *err,
               size_t errlen)
{
	struct addrinfo *res, *ai;
	char where[ADDR_STRLEN];
	int fd = -1, one = 1, saved = 0;
	const char *what = "socket";

	if (net_resolve(host, port, 1, &res, err, errlen) == -1)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			what = "socket";
		} else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		                      sizeof one) == -1) {
			what = "setsockopt SO_REUSEADDR";
		} else if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			what = "bind";
		} else if (listen(fd, backlog) == -1) {
			what = "listen";
		} else {
			break;
		}
		saved = errno;
		if (addr_format(ai->ai_addr, ai->ai_addrlen, where,
		                sizeof where) != 0)
			snprintf(where, sizeof where, "%.64s:%u", host, port);
		snprintf(err, errlen, "%s %s: %s", what, where,
		         strerror(saved));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		errno = saved;
	return fd;
}

int net_connect_list(const struct addrinfo *res, double timeout_s, char *err,
                     size_t errlen)
{
	const struct addrinfo *ai;
	int saved = EDESTADDRREQ;

	snprintf(err, errlen, "connect: no address to connect to");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int fd =
		        socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);

		if (fd == -1) {
			saved = errno;
			snprintf(err, errlen, "socket: %s", strerror(saved));
			continue;
		}
		if (net_connect_within(fd, ai->ai_addr, ai->ai_addrlen,
		                       timeout_s, err, errlen) == 0)
			return fd;
		saved = errno;
		close(fd);
	}
	errno = saved;
	return -1;
}
