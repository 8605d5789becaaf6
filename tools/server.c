/*
 * server: the article's server, shared by srv-iter, srv-sleep and srv-fork.
 * See server.h for the pieces; this file narrates every call it makes.
 */
#include "server.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "net.h"
#include "num.h"
#include "tcpinfo.h"
#include "say.h"
#include "text.h"

volatile sig_atomic_t server_stop = 0;

void server_opts_init(struct server_opts *o, const char *prog)
{
	memset(o, 0, sizeof *o);
	o->prog = prog;
	snprintf(o->host, sizeof o->host, "%s", SERVER_HOST);
	o->port = SERVER_PORT;
	o->backlog = SERVER_BACKLOG;
	o->timeout = SERVER_TIMEOUT;
	o->max_request = SERVER_MAX_REQUEST;
}

int server_option(struct server_opts *o, int opt, const char *arg)
{
	char err[256];
	long n;

	switch (opt) {
	case 'p':
		if (num_parse_port(arg, &o->port, err, sizeof err) == -1)
			return cli_usage_error(o->prog, "%s", err);
		return 0;
	case 'H':
		if (arg[0] == '\0' || strlen(arg) >= sizeof o->host)
			return cli_usage_error(o->prog, "invalid host '%s': %s",
			                       arg,
			                       arg[0] ? "too long" : "empty");
		snprintf(o->host, sizeof o->host, "%s", arg);
		return 0;
	case 'b':
		if (num_parse_long(arg, 0, 65535, "backlog", &n, err,
		                   sizeof err) == -1)
			return cli_usage_error(o->prog, "%s", err);
		o->backlog = (int)n;
		return 0;
	case 'q':
		o->quiet = 1;
		return 0;
	case 'c':
		o->content_length = 1;
		return 0;
	case 't':
		if (num_parse_seconds(arg, 86400, "timeout", &o->timeout, err,
		                      sizeof err) == -1)
			return cli_usage_error(o->prog, "%s", err);
		return 0;
	case 'm':
		if (num_parse_long(arg, 16, 1048576, "max-request", &n, err,
		                   sizeof err) == -1)
			return cli_usage_error(o->prog, "%s", err);
		o->max_request = n;
		return 0;
	default:
		return 1;
	}
}

static void on_stop(int sig)
{
	(void)sig;
	server_stop = 1;
}

int server_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sa.sa_flags = 0; /* no SA_RESTART: interrupt accept() and recv() */
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

void server_say(const struct server_opts *o, const char *call, const char *fmt,
                ...)
{
	va_list ap;

	if (o->quiet)
		return;
	printf("%-44s -> ", call);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "AF_INET6" : "AF_INET";
}

/* Linux silently caps listen()'s backlog at net.core.somaxconn: say so.
 * The effective backlog comes from TCP_INFO where the kernel reports it,
 * else from /proc/sys/net/core/somaxconn. */
static void say_if_capped(const struct server_opts *o, int fd)
{
	unsigned waiting, effective;
	long somaxconn;
	char err[128];

	if (o->quiet)
		return;
	if (tcpinfo_queue(fd, &waiting, &effective, err, sizeof err) == -1) {
		if (tcpinfo_somaxconn(&somaxconn, err, sizeof err) == -1 ||
		    o->backlog <= somaxconn)
			return;
		effective = (unsigned)somaxconn;
	}
	if (effective < (unsigned)o->backlog)
		printf("note: backlog %d capped to %u by net.core.somaxconn "
		       "(/proc/sys/net/core/somaxconn)\n",
		       o->backlog, effective);
}

int server_listen(const struct server_opts *o)
{
	struct addrinfo *res, *ai;
	struct sockaddr_storage bound;
	socklen_t boundlen = sizeof bound;
	char err[512], where[ADDR_STRLEN], call[128];
	int fd = -1, one = 1;

	/* Turning "127.0.0.1" or "localhost" into socket addresses is not the
	 * lesson: lib/net.c does it with getaddrinfo(). */
	if (net_resolve(o->host, o->port, 1, &res, err, sizeof err) == -1) {
		cli_error(o->prog, "%s", err);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (addr_format(ai->ai_addr, ai->ai_addrlen, where,
		                sizeof where) != 0)
			snprintf(where, sizeof where, "%.64s:%u", o->host,
			         o->port);

		/* 1. A socket: an endpoint of communication, and a descriptor. */
		snprintf(call, sizeof call, "socket(%s, SOCK_STREAM, 0)",
		         family_name(ai->ai_family));
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			cli_error(o->prog, "socket: %s", strerror(errno));
			continue;
		}
		server_say(o, call, "fd %d", fd);

		/* 2. SO_REUSEADDR: restart at once even while old connections
		 *    of this port sit in TIME_WAIT. */
		snprintf(call, sizeof call, "setsockopt(%d, SO_REUSEADDR, 1)",
		         fd);
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		               sizeof one) == -1) {
			cli_error(o->prog, "setsockopt SO_REUSEADDR: %s",
			          strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		server_say(o, call, "ok");

		/* 3. bind: give the socket its address, the server's ip:port. */
		snprintf(call, sizeof call, "bind(%d, %s)", fd, where);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			int e = errno;

			cli_error(o->prog, "bind %s: %s", where, strerror(e));
			if (e == EADDRINUSE)
				cli_hint(o->prog,
				         "is another server on port %u? "
				         "try --port 0 to let the kernel choose",
				         o->port);
			else if (e == EADDRNOTAVAIL)
				cli_hint(o->prog,
				         "%s is not an address of this host; "
				         "try --host 127.0.0.1",
				         o->host);
			else if (e == EACCES)
				cli_hint(o->prog,
				         "ports below 1024 are reserved for root; "
				         "try a port above 1024");
			close(fd);
			fd = -1;
			continue;
		}
		server_say(o, call, "ok");

		/* 4. listen: a passive socket; the kernel now completes handshakes
		 *    and queues up to backlog connections for accept(). */
		snprintf(call, sizeof call, "listen(%d, %d)", fd, o->backlog);
		if (listen(fd, o->backlog) == -1) {
			cli_error(o->prog, "listen: %s", strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		server_say(o, call, "ok");
		say_if_capped(o, fd);
		break;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return -1;

	/* With --port 0 the kernel chose the port: getsockname() tells which. */
	if (getsockname(fd, (struct sockaddr *)&bound, &boundlen) == -1) {
		cli_error(o->prog, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	printf("Serving HTTP on port %u ...\n",
	       addr_port((struct sockaddr *)&bound));
	fflush(stdout);
	return fd;
}

void server_accepted(const struct server_opts *o, int lfd, int conn)
{
	char call[64], pair[ADDR_PAIRLEN], err[128];

	if (o->quiet)
		return;
	snprintf(call, sizeof call, "accept(%d)", lfd);
	if (addr_pair(conn, pair, sizeof pair, err, sizeof err) == -1)
		snprintf(pair, sizeof pair, "(unknown: %s)", err);
	server_say(o, call, "fd %d, socket pair %s", conn, pair);
}

/* The article answers after one recv(); we read up to the end of the
 * headers so that a request split over several packets arrives whole.
 * Something that does not start like "GET " (the article's client sends
 * just "test") is answered after the first recv(), as the article does. */
static int looks_like_http(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 16; i++) {
		if (buf[i] == ' ')
			return i > 0;
		if (buf[i] < 'A' || buf[i] > 'Z')
			return 0;
	}
	return 1; /* only capitals so far: could still become "GET " */
}

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

static int send_all(const struct server_opts *o, int conn, const char *buf,
                    size_t len)
{
	size_t sent = 0;

	while (sent < len) {
		ssize_t n = send(conn, buf + sent, len - sent, 0);

		if (n == -1) {
			if (errno == EINTR && !server_stop)
				continue;
			return -1;
		}
		sent += (size_t)n;
	}
	if (!o->quiet) {
		/* Narrate the status line only: "send(4, "HTTP/1.1 200 OK...")". */
		char call[64];
		size_t first_line = strcspn(buf, "\r\n");

		snprintf(call, sizeof call, "send(%d, \"%.*s...\")", conn,
		         (int)(first_line < 32 ? first_line : 32), buf);
		server_say(o, call, "%zu bytes", sent);
	}
	return 0;
}

/* The article's reply: a status line, an empty line, Hello, World!. It is
 * the same bytes for every client, so it is written out here, once, rather
 * than formatted for each request; reply() formats the rare others (408,
 * 431). The reply has no Content-Length unless --content-length: close()
 * marks its end, as in the article. */
#define BODY "Hello, World!\n"
static const char OK_REPLY[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Connection: close\r\n\r\n" BODY;
static const char OK_REPLY_LENGTH[] = "HTTP/1.1 200 OK\r\n"
                                      "Content-Type: text/plain\r\n"
                                      "Content-Length: 14\r\n"
                                      "Connection: close\r\n\r\n" BODY;
_Static_assert(sizeof BODY - 1 == 14, "Content-Length: 14 is BODY's length");

static int reply_ok(const struct server_opts *o, int conn)
{
	if (o->content_length)
		return send_all(o, conn, OK_REPLY_LENGTH,
		                sizeof OK_REPLY_LENGTH - 1);
	return send_all(o, conn, OK_REPLY, sizeof OK_REPLY - 1);
}

static int reply(const struct server_opts *o, int conn, const char *status,
                 const char *body)
{
	char msg[512];
	int n;

	if (o->content_length)
		n = snprintf(msg, sizeof msg,
		             "HTTP/1.1 %s\r\nContent-Type: text/plain\r\n"
		             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		             status, strlen(body), body);
	else
		n = snprintf(msg, sizeof msg,
		             "HTTP/1.1 %s\r\nContent-Type: text/plain\r\n"
		             "Connection: close\r\n\r\n%s",
		             status, body);
	if (n < 0 || (size_t)n >= sizeof msg)
		return -1;
	return send_all(o, conn, msg, (size_t)n);
}

static double monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The client's address, for the error messages. getpeername() is called as
 * soon as the connection is ours (once the client has reset it, the call
 * fails), but the address is formatted only when a message needs it: most
 * requests need no message at all. */
struct peer {
	struct sockaddr_storage sa;
	socklen_t len; /* 0: getpeername() failed */
	char name[ADDR_STRLEN];
};

static void peer_get(struct peer *p, int conn)
{
	p->len = sizeof p->sa;
	if (getpeername(conn, (struct sockaddr *)&p->sa, &p->len) == -1)
		p->len = 0;
	p->name[0] = '\0';
}

static const char *peer_name(struct peer *p)
{
	int saved_errno = errno; /* the message may still need it */

	if (p->name[0] == '\0' &&
	    (p->len == 0 || addr_format((struct sockaddr *)&p->sa, p->len,
	                                p->name, sizeof p->name) != 0))
		snprintf(p->name, sizeof p->name, "the client");
	errno = saved_errno;
	return p->name;
}

int server_serve(const struct server_opts *o, int conn)
{
	/* The request is read into a buffer on the stack up to the default
	 * --max-request, into one from malloc() beyond: no heap work for the
	 * usual request (in srv-fork's children, malloc() would write to heap
	 * pages they share with the parent, and each write copies a page). */
	char stackbuf[SERVER_MAX_REQUEST], call[32] = "", err[128];
	size_t len = 0, cap = (size_t)o->max_request;
	char *buf = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
	struct peer peer;
	double deadline;
	int rc = -1;

	peer_get(&peer, conn);
	if (buf == NULL) {
		cli_error(o->prog, "serving %s: out of memory",
		          peer_name(&peer));
		return -1;
	}
	/* --timeout is a deadline for the whole request, not for each recv():
	 * otherwise a client that trickles one byte a second would hold this
	 * server (and every client queued behind it) for hours. SO_RCVTIMEO
	 * makes recv() give up; before each recv() it is set to what is left. */
	if (net_set_timeouts(conn, o->timeout, err, sizeof err) == -1)
		cli_error(o->prog, "%s", err);
	deadline = o->timeout > 0 ? monotonic_now() + o->timeout : 0;

	/* recv() until the request is complete. */
	if (!o->quiet)
		snprintf(call, sizeof call, "recv(%d)", conn);
	for (;;) {
		double left = deadline > 0 ? deadline - monotonic_now() : 1;
		ssize_t n = -1;

		if (left <= 0) {
			errno = EAGAIN; /* the deadline passed between two recv()s */
		} else {
			if (deadline > 0 && len > 0)
				(void)net_set_timeouts(conn, left, err,
				                       sizeof err);
			n = recv(conn, buf + len, cap - len, 0);
		}

		if (n == -1 && errno == EINTR && !server_stop)
			continue;
		if (n == -1) {
			int e = errno;

			if (e == EAGAIN || e == EWOULDBLOCK)
				cli_error(o->prog,
				          "recv from %s: no request within %g s "
				          "(--timeout)",
				          peer_name(&peer), o->timeout);
			else if (e == EINTR)
				cli_error(o->prog,
				          "recv from %s: interrupted: stopping",
				          peer_name(&peer));
			else
				cli_error(o->prog, "recv from %s: %s",
				          peer_name(&peer), strerror(e));
			if (len > 0 && e == EAGAIN)
				reply(o, conn, "408 Request Timeout",
				      "Request timed out.\n");
			goto out;
		}
		if (n == 0) {
			server_say(o, call, "0 (the client closed its side)");
			if (len == 0) {
				cli_error(o->prog,
				          "%s closed the connection without "
				          "sending a request",
				          peer_name(&peer));
				goto out;
			}
			break; /* answer what we have: the client may still read */
		}
		len += (size_t)n;
		server_say(o, call, "%zd bytes", n);
		if (!looks_like_http(buf, len) || headers_complete(buf, len))
			break;
		if (len == cap) {
			cli_error(o->prog,
			          "request from %s is larger than %zu bytes "
			          "(--max-request)",
			          peer_name(&peer), cap);
			reply(o, conn, "431 Request Header Fields Too Large",
			      "Request too large.\n");
			goto out;
		}
	}

	/* Print the request as the article does, made safe for the terminal:
	 * escaped, each line marked, so that no line of it passes for ours. */
	if (!o->quiet) {
		struct say s;

		say_init(&s, 0);
		say_data(&s, buf, len);
	}

	/* The article's reply: a status line, an empty line, Hello, World!. */
	if (reply_ok(o, conn) == -1) {
		int e = errno;

		cli_error(o->prog, "send to %s: %s", peer_name(&peer),
		          strerror(e));
		goto out;
	}
	rc = 0;
out:
	if (buf != stackbuf)
		free(buf);
	return rc;
}
