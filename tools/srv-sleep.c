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
 *   srv-sleep [--sleep S] [--port PORT] [--host ADDR] [--backlog N]
 *             [--content-length] [--timeout S] [--max-request N] [--quiet]
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
 *
 * See also
 *   docs/02-busy-server-and-backlog.md; tools/server.c (socket..listen, recv,
 *   send); srv-iter(1), show-backlog(1), listen(2), accept(2), poll(2),
 *   tcp(7) (TCP_INFO), ss(8).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "num.h"
#include "tcpinfo.h"
#include "server.h"

static const char *const PROG = "srv-sleep";

#define SLEEP_DEFAULT 60.0 /* the article's time.sleep(60) */
#define WATCH_MS      20   /* how often we look at the queue while asleep */

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
	       "\n"
	       "While it sleeps it prints 'queue: N waiting (backlog B)' when the\n"
	       "number of connections waiting for accept() changes (Linux:\n"
	       "getsockopt TCP_INFO), and the ss command that shows the same queue.\n"
	       "SIGINT (Ctrl-C) or SIGTERM stops it, also during the sleep: it\n"
	       "closes its sockets, says how many requests it served, and exits 0.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (e.g. port in use), 2 usage.\n"
	       "Example: %s --sleep 10 --port 0   (then two curls at once)\n",
	       PROG, PROG);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where the lesson's numbers can be seen from outside, printed once. */
static void say_where_to_look(const struct server_opts *o, unsigned short port,
                              int have_tcp_info)
{
	if (o->quiet)
		return;
	if (have_tcp_info)
		printf("the same queue from outside: ss -ltn 'sport = :%u'  "
		       "(Recv-Q = waiting, Send-Q = backlog)\n",
		       port);
	else
		printf("queue: this system does not report the listen queue through "
		       "TCP_INFO; watch it with: netstat -Lan  (qlen, maxqlen of "
		       "port %u)\n",
		       port);
}

/*
 * The article's time.sleep(60), with conn still open: curl has its reply but
 * not the close, and nobody calls accept(). We sleep in short poll() steps
 * to watch the listening socket's queue, and to stop at once on SIGINT or
 * SIGTERM (server_stop). *told is set once where_to_look was printed.
 */
static void sleep_watching(const struct server_opts *o, int lfd, int conn,
                           unsigned short port, double secs, int *told)
{
	double start = now_s(), end = start + secs, left;
	unsigned waiting, backlog, shown = 0;
	int watching = 1, first = 1;
	char call[64], err[128];

	snprintf(call, sizeof call, "sleep(%g)", secs);
	server_say(o, call,
	           "sleeping %g s with the connection still open (fd %d); "
	           "new clients wait in the listen queue",
	           secs, conn);
	while (!server_stop && (left = end - now_s()) > 0) {
		if (watching && !o->quiet) {
			if (tcpinfo_queue(lfd, &waiting, &backlog, err,
			                  sizeof err) == 0) {
				if (!*told) {
					say_where_to_look(o, port, 1);
					*told = 1;
				}
				if (first || waiting != shown)
					printf("queue: %u waiting (backlog %u)\n",
					       waiting, backlog);
				shown = waiting;
				first = 0;
			} else {
				if (errno == ENOTSUP && !*told) {
					say_where_to_look(o, port, 0);
					*told = 1;
				} else if (errno != ENOTSUP) {
					cli_error(PROG,
					          "getsockopt TCP_INFO: %s",
					          strerror(errno));
				}
				watching = 0; /* say it once, then just sleep */
			}
		}
		/* poll() with no descriptors: a sleep that a signal interrupts. */
		poll(NULL, 0,
		     left * 1000 < WATCH_MS ? (int)(left * 1000) + 1
		                            : WATCH_MS);
	}
	if (server_stop)
		server_say(o, call,
		           "interrupted after %.1f s by a signal: stopping",
		           now_s() - start);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sleep", required_argument, NULL, 's' },
		SERVER_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct server_opts o;
	struct sockaddr_storage bound;
	socklen_t boundlen = sizeof bound;
	double secs = SLEEP_DEFAULT;
	unsigned long served = 0;
	unsigned short port;
	char call[32], err[256];
	int opt, lfd, told = 0;

	server_opts_init(&o, PROG);
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, SERVER_SHORT_OPTS "s:", longopts,
	                          NULL)) != -1) {
		int rc;

		if (opt == 'h') {
			usage();
			return cli_finish(PROG, 0);
		}
		if (opt == 'V')
			return cli_finish(PROG, cli_version(PROG));
		if (opt == 's') {
			if (num_parse_seconds(optarg, 86400, "sleep", &secs,
			                      err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			continue;
		}
		rc = server_option(&o, opt, optarg);
		if (rc == 1)
			return cli_bad_option(PROG, longopts, opt, optopt,
			                      argv[optind - 1]);
		if (rc != 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);

	/* One line at a time, even in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (server_signals() == -1)
		return cli_error(PROG, "sigaction: %s", strerror(errno));

	/* socket -> setsockopt -> bind -> listen, narrated (tools/server.c). */
	lfd = server_listen(&o);
	if (lfd == -1)
		return 1;
	if (getsockname(lfd, (struct sockaddr *)&bound, &boundlen) == -1) {
		cli_error(PROG, "getsockname: %s", strerror(errno));
		close(lfd);
		return 1;
	}
	port = addr_port((struct sockaddr *)&bound);

	/* The iterative loop, as in srv-iter, with the article's sleep before
	 * the close. While we sleep, the next clients wait in the queue. */
	while (!server_stop) {
		int conn = accept(lfd, NULL, NULL);

		if (conn == -1) {
			if (errno == EINTR)
				continue; /* a signal: the loop checks server_stop */
			cli_error(PROG, "accept: %s", strerror(errno));
			continue;
		}
		server_accepted(&o, lfd, conn);

		if (server_serve(&o, conn) == 0)
			served++;

		/* The reply is sent, but without a close curl cannot know it
		 * is complete (unless --content-length framed it). */
		if (secs > 0 && !server_stop)
			sleep_watching(&o, lfd, conn, port, secs, &told);

		/* close() sends FIN: now curl knows the reply is complete. */
		snprintf(call, sizeof call, "close(%d)", conn);
		if (close(conn) == -1)
			cli_error(PROG, "close: %s", strerror(errno));
		else
			server_say(&o, call, "ok, connection closed");
	}

	close(lfd);
	printf("Stopped: served %lu request%s.\n", served,
	       served == 1 ? "" : "s");
	return cli_finish(PROG, 0);
}
