/*
 * srv-sleep - the article's busy iterative server (webserver3b), in C.
 *
 * What it demonstrates
 *   srv-iter with one change: after sending the reply it sleeps (60 s, the
 *   article's time.sleep(60)) with the connection still open, and only then
 *   closes it and calls accept() again. While it sleeps nobody calls
 *   accept(), yet new clients still connect: the kernel completes their
 *   handshakes and keeps them in the listening socket's queue, up to the
 *   listen() backlog. The server watches that queue fill as it sleeps.
 *
 * Usage
 *   srv-sleep [-s S] [-p PORT] [-H ADDR] [-b N] [-l] [-t S] [-m N] [-q]
 *   (--sleep, and srv-iter's --port, --host, --backlog, --content-length,
 *   --timeout, --max-request, --quiet)
 *
 * Try it
 *   ./bin/srv-sleep --sleep 10                    # terminal 1
 *   curl http://localhost:8888/hello              # terminal 2
 *   curl http://localhost:8888/hello              # terminal 3, at once
 *
 * Things to notice
 *   - The first curl prints Hello, World! at once but only exits when the
 *     sleep is over: the reply ends with the close (no Content-Length).
 *     With --content-length it exits at once, and the sleep goes unseen.
 *   - The second curl prints nothing, and the server says nothing about it,
 *     until the first connection is closed; yet its connection is already
 *     ESTABLISHED: "queue: 1 waiting (backlog 5)", Recv-Q 1 in ss -ltn.
 *   - The backlog only bounds how many may wait: a bigger one does not
 *     serve anybody sooner. Linux caps it at net.core.somaxconn.
 *   - A client that fails (vanishes, resets, never sends its request) is
 *     closed at once, without the sleep: it would only delay the next.
 *
 * See also
 *   docs/02-busy-server-and-backlog.md; tools/srv-iter.c (the calls it
 *   shares: socket..listen, recv, send); srv-iter(1), show-backlog(1),
 *   listen(2), accept(2), tcp(7) (TCP_INFO), ss(8).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "clock.h"
#include "num.h"
#include "say.h"
#include "server/server.h"
#include "tcpinfo.h"

static const char *const PROG = "srv-sleep";

#define SLEEP_DEFAULT 60.0 /* the article's time.sleep(60) */
#define WATCH_S       0.02 /* how often we look at the queue while asleep */

struct opts {
	struct server s;
	double sleep; /* --sleep */
};

static void sleep_watching(const struct server *s, int lfd, int conn,
                           unsigned short port, double secs, int *told);
static int say_queue(const struct server *s, int lfd, unsigned short port,
                     int first, unsigned *shown, int *told);
static void say_where_to_look(const struct server *s, unsigned short port,
                              int have_tcp_info);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);
static int sleep_option(void *ctx, int opt, const char *arg);

int main(int argc, char **argv)
{
	struct opts o;
	struct sockaddr_storage bound;
	socklen_t boundlen = sizeof bound;
	unsigned long served = 0;
	unsigned short port;
	int rc, lfd, told = 0, status = 0;

	if (cli_start() != 0)
		return 1;
	server_init(&o.s, PROG);
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	if (server_signals(&o.s) != 0)
		return 1;

	/* getpid, socket, setsockopt, bind, listen: tools/srv-iter.c. */
	lfd = server_listen(&o.s);
	if (lfd == -1)
		return cli_finish(PROG, 1);
	if (getsockname(lfd, (struct sockaddr *)&bound, &boundlen) == -1) {
		cli_error(PROG, "getsockname: %s", strerror(errno));
		close(lfd);
		return cli_finish(PROG, 1);
	}
	port = addr_port((struct sockaddr *)&bound);

	/* srv-iter's loop (see there why we wait before accept()), with the
	 * article's sleep before the close. */
	while (!server_stop) {
		struct client c = { .addrlen = sizeof c.addr };

		if (server_wait(&o.s, lfd, POLLIN, 0) != 1)
			continue; /* a signal: the loop tests server_stop */
		c.fd = accept(lfd, (struct sockaddr *)&c.addr, &c.addrlen);
		if (c.fd == -1) {
			if (server_accept_failed(&o.s, errno, NULL) == 0)
				continue;
			status = 1;
			break;
		}
		server_accepted(&o.s, lfd, &c);

		/* The reply is sent, but without a close curl cannot know it
		 * is complete (unless --content-length framed it). The sleep
		 * comes only after a reply: a client that failed is closed at
		 * once, so that it delays nobody. */
		if (server_serve(&o.s, &c) == 0) {
			served++;
			if (o.sleep > 0 && !server_stop)
				sleep_watching(&o.s, lfd, c.fd, port, o.sleep,
				               &told);
		}

		/* close: FIN; now curl knows that the reply is complete. */
		if (close(c.fd) == -1) {
			cli_error(PROG, "close: %s", strerror(errno));
			continue;
		}
		say_fd(&o.s.say, "close", c.fd, NULL, "ok, connection closed");
	}

	close(lfd);
	server_stopped(served);
	return cli_finish(PROG, status);
}

/*
 * The article's time.sleep(60), with conn still open: curl has its reply
 * but not the close, and nobody calls accept(). We sleep in short steps to
 * watch the listening socket's queue; a stop signal ends the sleep at once.
 */
static void sleep_watching(const struct server *s, int lfd, int conn,
                           unsigned short port, double secs, int *told)
{
	double start = clock_now(), end = start + secs, left;
	unsigned shown = 0;
	int watching = !s->say.quiet, first = 1;
	char call[64];

	snprintf(call, sizeof call, "sleep(%g)", secs);
	say(&s->say, call,
	    "sleeping %g s with the connection still open (fd %d); "
	    "new clients wait in the listen queue",
	    secs, conn);
	while (!server_stop && (left = end - clock_now()) > 0) {
		if (watching)
			watching = say_queue(s, lfd, port, first, &shown,
			                     told) == 0;
		first = 0;
		server_sleep(s, left < WATCH_S ? left : WATCH_S);
	}
	if (server_stop)
		say(&s->say, call,
		    "interrupted after %.1f s by a signal: stopping",
		    clock_now() - start);
}

/* The queue of the listening socket, said on the first look of each sleep
 * (first) and when it changed. Returns 0, or -1 when it cannot be read
 * (said once: *told, as the ss command is). */
static int say_queue(const struct server *s, int lfd, unsigned short port,
                     int first, unsigned *shown, int *told)
{
	unsigned waiting, backlog;
	char err[128];

	if (tcpinfo_queue(lfd, &waiting, &backlog, err, sizeof err) == -1) {
		if (errno != ENOTSUP)
			cli_error(PROG, "%s", err);
		else if (!*told)
			say_where_to_look(s, port, 0);
		*told = 1;
		return -1;
	}
	if (!*told)
		say_where_to_look(s, port, 1);
	*told = 1;
	if (first || waiting != *shown)
		say_note(&s->say, "queue: %u waiting (backlog %u)", waiting,
		         backlog);
	*shown = waiting;
	return 0;
}

/* Where the lesson's numbers can be seen from outside, said once. */
static void say_where_to_look(const struct server *s, unsigned short port,
                              int have_tcp_info)
{
	if (have_tcp_info)
		say_note(&s->say,
		         "the same queue from outside: ss -ltn 'sport = :%u'  "
		         "(Recv-Q = waiting, Send-Q = backlog)",
		         port);
	else
		say_note(&s->say,
		         "queue: this system does not report the listen queue "
		         "through TCP_INFO; watch it with: netstat -Lan  (qlen, "
		         "maxqlen of port %u)",
		         port);
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sleep", required_argument, NULL, 's' },
		SERVER_LONG_OPTS,
		SERVER_END_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};

	o->sleep = SLEEP_DEFAULT;
	return server_parse_args(&o->s, argc, argv,
	                         SERVER_SHORT_OPTS "s:", longopts, usage,
	                         sleep_option, o);
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "The article's busy iterative web server (webserver3b): it answers\n"
	       "a client, then sleeps with the connection still open before it\n"
	       "closes it and accepts the next one. Meanwhile new clients wait in\n"
	       "the listen queue; it prints the queue each time it changes.\n"
	       "\n"
	       "Options:\n"
	       "  -s, --sleep S         seconds to sleep after each reply, with the\n"
	       "                        connection open (default 60, the article's;\n"
	       "                        fractions allowed; 0 = do not sleep)\n" SERVER_OPTIONS_HELP
	               SERVER_END_HELP "\n"
	       "While it sleeps it prints 'queue: N waiting (backlog B)' when the\n"
	       "number of connections waiting for accept() changes (Linux:\n"
	       "getsockopt TCP_INFO), and the ss command that shows the same queue.\n"
	       "It sleeps only after a reply: a client that vanished, reset its\n"
	       "connection or sent no request in time is closed at once.\n"
	       "A stop signal also ends the sleep.\n" SERVER_SIGNALS_HELP "\n"
	       "Exit status: 0 ok, 1 runtime failure (e.g. port in use), 2 usage.\n"
	       "Example: %s --sleep 10 --port 0   (then two curls at once)\n",
	       PROG, PROG);
}

static int sleep_option(void *ctx, int opt, const char *arg)
{
	struct opts *o = ctx;
	char err[256];

	if (opt != 's')
		return 1;
	if (num_parse_seconds(arg, 86400, "sleep", &o->sleep, err,
	                      sizeof err) == -1)
		return cli_usage_error(PROG, "%s", err);
	return 0;
}
