/*
 * srv-iter - the article's iterative web server (webserver3a), in C.
 *
 * What it demonstrates
 *   An iterative server serves one client at a time: socket, setsockopt,
 *   bind, listen once; then accept, recv, send, close, for each client in
 *   turn. Every call is printed with its result as it happens.
 *
 * Usage
 *   srv-iter [-p PORT] [-H ADDR] [-b N] [-l] [-t S] [-m N] [-q]
 *            [--no-reuseaddr] [--sigpipe]
 *   (--port, --host, --backlog, --content-length, --timeout, --max-request,
 *   --quiet; lesson 7's mistakes: no SO_REUSEADDR, SIGPIPE not ignored)
 *
 * Try it
 *   ./bin/srv-iter                                # terminal 1
 *   curl -v http://localhost:8888/hello           # terminal 2
 *   ./bin/cli-connect localhost:8888              # the article's client
 *
 * Things to notice
 *   - The listening socket is fd 3 (0, 1, 2 are taken) and each accepted
 *     connection is a new descriptor: the listener keeps listening.
 *   - accept() prints the socket pair {server ip:port, client ip:port}; the
 *     client's port is an ephemeral one the kernel chose for it.
 *   - curl prints "Hello, World!" but exits only when close() is called: the
 *     reply has no Content-Length, so the close marks its end. Try
 *     --content-length and see curl finish without waiting for the close.
 *
 * This file is also where every socklab server gets the article's calls:
 * server_listen() and server_serve(), after main(), are compiled a second
 * time with -DSERVER_CALLS_ONLY (no main()) and linked into the other
 * servers.
 *
 * See also
 *   docs/01-iterative-server.md, docs/07-how-a-connection-ends.md;
 *   tools/server/server.h (what the servers
 *   share);
 *   socket(2), setsockopt(2), bind(2), listen(2), accept(2), recv(2),
 *   send(2), close(2), srv-sleep(1), cli-connect(1).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "clock.h"
#include "http.h"
#include "net.h"
#include "say.h"
#include "server/server.h"

#ifndef SERVER_CALLS_ONLY
static const char *const PROG = "srv-iter";

static int parse_args(struct server *s, int argc, char **argv);

int main(int argc, char **argv)
{
	struct server s;
	unsigned long served = 0;
	int rc, lfd, status = 0;

	if (cli_start() != 0)
		return 1;
	server_init(&s, PROG);
	rc = parse_args(&s, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	/* The stop signals (Ctrl-C...) end the loop, and none is lost. */
	if (server_stops_unblocked(&s) != 0)
		return 1;

	/* getpid, socket, setsockopt, bind, listen: server_listen() below. */
	lfd = server_listen(&s);
	if (lfd == -1 || server_nonblocking(&s, lfd) != 0)
		return cli_finish(PROG, 1);

	/* The iterative loop: one client at a time. While we serve this one,
	 * the next ones wait in the kernel's listen queue. */
	while (!server_stop) {
		struct client c = { .addrlen = sizeof c.addr };

		/* accept: the first connection of the queue, as a new
		 * descriptor, and the client's address. */
		c.fd = accept(lfd, (struct sockaddr *)&c.addr, &c.addrlen);
		if (c.fd == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* None yet: wait for one (server_wait(): why the
			 * waiting is not accept()'s, tools/server/server.h). */
			server_wait(&s, lfd, POLLIN, 0);
			continue; /* a client, or a signal: server_stop */
		}
		if (c.fd == -1) {
			if (server_accept_failed(&s, errno, NULL) == 0)
				continue;
			/* EMFILE...: said why; retrying would only spin. */
			status = 1;
			break;
		}
		server_accepted(&s, lfd, &c);

		if (server_serve(&s, &c) == 0)
			served++;

		/* close: FIN; now curl knows that the reply is complete. */
		if (close(c.fd) == -1) {
			cli_error(PROG, "close: %s", strerror(errno));
			continue;
		}
		say_fd(&s.say, "close", c.fd, NULL, "ok, connection closed");
	}

	close(lfd);
	server_stopped(served);
	return cli_finish(PROG, status);
}
#endif

/* ------------------------------------------- the article's calls, shared */

/* getpid, socket, setsockopt, bind, listen, getsockname, the ready line. */
int server_listen(const struct server *s)
{
	struct addrinfo *res, *ai;
	struct sockaddr_storage bound;
	socklen_t boundlen = sizeof bound;
	char err[512], where[ADDR_STRLEN], call[128];
	int fd = -1, one = 1;

	/* Who we are: the PID that ps, kill and show-fds --pid want. */
	say(&s->say, "getpid()", "%ld", (long)getpid());

	/* "127.0.0.1" or "localhost" into socket addresses: getaddrinfo()
	 * (lib/net.c); not the lesson. We take the first that works. */
	if (net_resolve(s->host, s->port, 1, &res, err, sizeof err) == -1) {
		cli_error(s->prog, "%s", err);
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		if (addr_format(ai->ai_addr, ai->ai_addrlen, where,
		                sizeof where) != 0)
			snprintf(where, sizeof where, "%.64s:%u", s->host,
			         s->port);

		/* 1. socket: an endpoint for communication, and a descriptor
		 *    for it (the lowest free number). */
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			cli_error(s->prog, "socket: %s", strerror(errno));
			continue;
		}
		snprintf(call, sizeof call, "socket(%s, SOCK_STREAM, 0)",
		         ai->ai_family == AF_INET6 ? "AF_INET6" : "AF_INET");
		say(&s->say, call, "fd %d", fd);

		/* 2. SO_REUSEADDR: restart at once even while old connections
		 *    of this port sit in TIME_WAIT (--no-reuseaddr: the
		 *    mistake, bind() then fails with EADDRINUSE). */
		if (!s->no_reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR,
		                                   &one, sizeof one) == -1) {
			cli_error(s->prog, "setsockopt SO_REUSEADDR: %s",
			          strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		if (!s->no_reuseaddr)
			say_fd(&s->say, "setsockopt", fd, "SO_REUSEADDR, 1",
			       "ok");
		if (s->before_bind != NULL && s->before_bind(s, fd) == -1) {
			close(fd); /* a server's own option (srv-prefork) */
			fd = -1;
			continue;
		}

		/* 3. bind: give the socket its address, the server's ip:port. */
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			server_bind_failed(s, where, errno);
			close(fd);
			fd = -1;
			continue;
		}
		say_fd(&s->say, "bind", fd, where, "ok");

		/* 4. listen: a passive socket; the kernel now completes
		 *    handshakes and queues up to backlog connections for
		 *    accept(). */
		if (listen(fd, s->backlog) == -1) {
			cli_error(s->prog, "listen: %s", strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		snprintf(call, sizeof call, "listen(%d, %d)", fd, s->backlog);
		say(&s->say, call, "ok");
		server_say_backlog(s, fd);
	}
	freeaddrinfo(res);
	if (fd == -1)
		return -1;

	/* With --port 0 the kernel chose the port: getsockname() tells which. */
	if (getsockname(fd, (struct sockaddr *)&bound, &boundlen) == -1) {
		cli_error(s->prog, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	server_say_everywhere(s, (struct sockaddr *)&bound);
	printf("Serving HTTP on port %u ...\n",
	       addr_port((struct sockaddr *)&bound));
	return fd;
}

/* recv until the request is complete, print it, send the reply. */
int server_serve(const struct server *s, const struct client *c)
{
	/* The request goes into a buffer on the stack, up to the default
	 * --max-request; into one from malloc() beyond (docs/performance.md). */
	char stackbuf[HTTP_MAX_REQUEST], who[ADDR_STRLEN];
	size_t len = 0, cap = (size_t)s->max_request, rlen, sent;
	char *buf = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
	enum http_framing framing = HTTP_MORE;
	const char *reply;
	ssize_t n;
	double deadline = 0;
	int rc = -1;

	if (buf == NULL) {
		cli_error(s->prog, "serving %s: out of memory",
		          server_client_name(c, who, sizeof who));
		return -1;
	}

	/* The article calls recv() once. But TCP delivers bytes, not
	 * messages: a request may come in pieces, so we recv() until
	 * http_framing() (lib/http.c) says it is complete. */
	while (framing == HTTP_MORE) {
		/* recv: what the client has sent so far. MSG_DONTWAIT: return
		 * at once when nothing has come yet, rather than block with
		 * the stop signals shut out. */
		n = recv(c->fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Nothing yet: wait for it, within --timeout for the
			 * whole request (a client that trickles a byte a second
			 * must not hold us for hours), stop signals let in. */
			int ready;

			if (deadline == 0 && s->timeout > 0)
				deadline = clock_now() + s->timeout;
			ready = server_wait(s, c->fd, POLLIN, deadline);
			if (ready == 1 ||
			    (ready == -1 && errno == EINTR && !server_stop))
				continue; /* bytes came (or a signal not to stop) */
			server_no_request(s, c, ready == 0 ? ETIMEDOUT : errno,
			                  len);
			goto out;
		}
		if (n == -1) { /* ECONNRESET: the client reset the connection */
			server_no_request(s, c, errno, len);
			goto out;
		}
		if (n == 0) {
			say_fd(&s->say, "recv", c->fd, NULL,
			       "0 (the client closed its side)");
			if (len == 0) {
				server_no_request(s, c, 0, 0);
				goto out;
			}
			break; /* answer what we have: the client may still read */
		}
		len += (size_t)n;
		say_fd(&s->say, "recv", c->fd, NULL, "%zd bytes", n);
		framing = http_framing(buf, len, cap);
	}
	if (framing == HTTP_TOO_LARGE) {
		server_no_request(s, c, EMSGSIZE, len);
		goto out;
	}

	/* The request, as the article prints it; escaped, and each line
	 * marked "  | ", so that no line of it can pass for ours. */
	say_data(&s->say, buf, len);

	/* send: the article's reply, a status line, headers, an empty line
	 * and Hello, World!. send() may take fewer bytes than it is given (a
	 * full socket buffer): we call it again for the rest, as the article's
	 * sendall() does. MSG_NOSIGNAL: a client gone turns it into an EPIPE
	 * error, not a SIGPIPE (--sigpipe: the mistake, without it). */
	reply = http_reply(200, s->content_length, &rlen);
	for (sent = 0; sent < rlen; sent += (size_t)n) {
		n = send(c->fd, reply + sent, rlen - sent,
		         s->sigpipe ? 0 : MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR) {
			n = 0; /* a signal handler ran: send the rest */
		} else if (n == -1) {
			cli_error(s->prog, "send to %s: %s",
			          server_client_name(c, who, sizeof who),
			          strerror(errno));
			goto out;
		}
	}
	say_fd(&s->say, "send", c->fd, "\"HTTP/1.1 200 OK...\"", "%zu bytes",
	       rlen);
	rc = 0;
out:
	if (buf != stackbuf)
		free(buf);
	return rc;
}

/* ------------------------------------------------------ options, --help */
#ifndef SERVER_CALLS_ONLY

static void usage(void);

static int parse_args(struct server *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		SERVER_LONG_OPTS,
		SERVER_END_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};

	return server_parse_args(s, argc, argv, SERVER_SHORT_OPTS, longopts,
	                         usage, NULL, NULL);
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "The article's iterative web server: it serves one client at a\n"
	       "time and narrates each system call it makes.\n"
	       "\n"
	       "Options:\n" SERVER_OPTIONS_HELP SERVER_END_HELP "\n"
	       "It says its PID (getpid), then, once listening, 'Serving HTTP on\n"
	       "port N ...' with the real port.\n" SERVER_SIGNALS_HELP "\n"
	       "Exit status: 0 ok, 1 runtime failure (e.g. port in use), 2 usage.\n"
	       "Example: %s --port 0   (then: curl http://localhost:PORT/hello)\n",
	       PROG, PROG);
}

#endif
