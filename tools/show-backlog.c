/*
 * show-backlog - the listen backlog made visible: a listener that never
 * calls accept(), and more clients than its queue can hold.
 *
 * What it demonstrates
 *   listen(fd, B) lets the kernel complete handshakes on its own and queue
 *   the connections until accept() takes them. We listen with backlog B,
 *   never accept, and connect K clients (default B + 3) without blocking.
 *   After a short wait, each client's own socket says how far it got: B + 1
 *   of them are ESTABLISHED (connected, waiting in the queue), the others
 *   are still in SYN-SENT: the kernel dropped their SYN because the queue
 *   was full. Nobody is refused; the stuck clients just wait and resend.
 *
 * Usage
 *   show-backlog [--port PORT] [--backlog B] [--clients K] [--wait S]
 *                [--accept-after S] [--deadline S] [--hold S] [--json]
 *
 * Try it
 *   ./bin/show-backlog                          # B = 5: 6 of 8 get in
 *   ./bin/show-backlog --backlog 0 --clients 3  # listen(fd, 0) still admits 1
 *   ./bin/show-backlog --accept-after 0.5       # the queue drains, they finish
 *
 * Things to notice
 *   - B + 1, not B: Linux calls the queue full only when it holds more than
 *     B connections (macOS admits about B).
 *   - A full queue does not refuse: no RST, no "connection refused". The
 *     client's connect() just waits and its SYN is resent after about 1 s,
 *     then 2, 4, ... seconds, until there is room (or it gives up).
 *   - getsockopt(TCP_INFO) on the listener gives the numbers ss -ltn shows
 *     as Recv-Q (waiting now) and Send-Q (the backlog, capped at
 *     net.core.somaxconn).
 *
 * See also
 *   docs/02-busy-server-and-backlog.md; srv-sleep(1), listen(2), connect(2),
 *   accept(2), poll(2), tcp(7) (TCP_INFO), ss(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "num.h"
#include "tcpinfo.h"

static const char *const PROG = "show-backlog";

#define MAX_CLIENTS 10000

struct opts {
	unsigned short port; /* 0: the kernel chooses */
	long backlog;        /* what we ask listen() for */
	long clients;        /* 0 = effective backlog + 3 */
	double wait;         /* seconds the handshakes get before the report */
	double accept_after; /* < 0: never accept */
	double deadline; /* how long the accept phase waits for stragglers */
	double hold;     /* seconds to keep everything open at the end */
	int json;
};

struct client {
	int fd;
	unsigned short port; /* its local (ephemeral) port */
	double started;      /* when connect() was called */
	const char *state;   /* at the report: "ESTABLISHED", "SYN-SENT", ... */
	int connected;       /* the handshake is complete (client side) */
	double late;         /* seconds after connect() it completed, if late */
	int conn;            /* the server's fd from accept(), or -1 */
	int sent;            /* its request was sent (1), failed (-1) */
};

static volatile sig_atomic_t stop = 0;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "The listen backlog, made visible: listen with backlog B on\n"
	       "127.0.0.1, never accept(), connect K\n"
	       "clients without blocking, then report how far each one got: B + 1\n"
	       "are ESTABLISHED (waiting in the queue), the others are stuck in\n"
	       "SYN-SENT (their SYN was dropped). Nobody is refused.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --port PORT       port of the listener (default 0: the kernel\n"
	       "                        chooses; it is printed)\n"
	       "  -b, --backlog B       listen() backlog (default 5, the article's;\n"
	       "                        Linux caps it at net.core.somaxconn)\n"
	       "  -n, --clients K       clients to connect (default B + 3, B being\n"
	       "                        the backlog after the cap; 1 to 10000)\n"
	       "  -w, --wait S          seconds the handshakes get before the report\n"
	       "                        (default 0.5; fractions allowed)\n"
	       "  -a, --accept-after S  after the report, wait S seconds, then\n"
	       "                        accept() everything and show the stuck\n"
	       "                        clients get in as the queue drains\n"
	       "  -d, --deadline S      how long --accept-after waits for the stuck\n"
	       "                        clients (default 10; each resend of a SYN\n"
	       "                        comes later: about 1, 3, 7 s)\n"
	       "  -k, --hold S          before exiting, keep every socket open for S\n"
	       "                        seconds (Ctrl-C ends it), to look with ss\n"
	       "  -j, --json            print only one JSON object with the numbers\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "With --hold it prints 'holding for S s ... sport = :PORT' (or, with\n"
	       "--json, the JSON object) once everything is in place.\n"
	       "\n"
	       "Exit status: 0 ok (also when stopped by SIGINT or SIGTERM), 1 runtime\n"
	       "failure (e.g. too many open files), 2 usage.\n"
	       "Example: %s --backlog 2 --clients 5 --accept-after 0.5\n",
	       PROG, PROG);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "backlog", required_argument, NULL, 'b' },
		{ "clients", required_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "accept-after", required_argument, NULL, 'a' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "hold", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt, rc = 0;

	o->port = 0;
	o->backlog = 5;
	o->clients = 0;
	o->wait = 0.5;
	o->accept_after = -1;
	o->deadline = 10;
	o->hold = 0;
	o->json = 0;
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":p:b:n:w:a:d:k:jhV", longopts,
	                          NULL)) != -1) {
		switch (opt) {
		case 'p':
			rc = num_parse_port(optarg, &o->port, err, sizeof err);
			break;
		case 'b':
			rc = num_parse_long(optarg, 0, 65535, "backlog",
			                    &o->backlog, err, sizeof err);
			break;
		case 'n':
			rc = num_parse_long(optarg, 1, MAX_CLIENTS, "clients",
			                    &o->clients, err, sizeof err);
			break;
		case 'w':
			rc = num_parse_seconds(optarg, 60, "wait", &o->wait,
			                       err, sizeof err);
			break;
		case 'a':
			rc = num_parse_seconds(optarg, 3600, "accept-after",
			                       &o->accept_after, err,
			                       sizeof err);
			break;
		case 'd':
			rc = num_parse_seconds(optarg, 3600, "deadline",
			                       &o->deadline, err, sizeof err);
			break;
		case 'k':
			rc = num_parse_seconds(optarg, 86400, "hold", &o->hold,
			                       err, sizeof err);
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			usage();
			return -1;
		case 'V':
			cli_version(PROG);
			return -1;
		default:
			return cli_bad_option(PROG, longopts, opt, optopt,
			                      argv[optind - 1]);
		}
		if (rc == -1)
			return cli_usage_error(PROG, "%s", err);
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps s seconds; a signal (SIGINT, SIGTERM) ends it early. */
static void pause_for(double s)
{
	double end = now_s() + s, left;

	while (!stop && (left = end - now_s()) > 0)
		poll(NULL, 0, left > 0.1 ? 100 : (int)(left * 1000) + 1);
}

/* Narration: "call  -> result", silent with --json. */
static void say(const struct opts *o, const char *call, const char *fmt, ...)
        CLI_PRINTF(3, 4);

static void say(const struct opts *o, const char *call, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	printf("%-44s -> ", call);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void note(const struct opts *o, const char *fmt, ...) CLI_PRINTF(2, 3);

static void note(const struct opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The listener: socket, SO_REUSEADDR, bind 127.0.0.1:PORT, listen(B), as
 * in srv-iter. Returns the fd and sets *port, or -1 (reported). */
static int open_listener(const struct opts *o, unsigned short *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char call[64];
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1) {
		cli_error(PROG, "socket: %s", strerror(errno));
		return -1;
	}
	say(o, "socket(AF_INET, SOCK_STREAM, 0)", "fd %d", fd);
	snprintf(call, sizeof call, "setsockopt(%d, SO_REUSEADDR, 1)", fd);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1) {
		cli_error(PROG, "setsockopt SO_REUSEADDR: %s", strerror(errno));
		close(fd);
		return -1;
	}
	say(o, call, "ok");

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(o->port); /* 0: the kernel chooses */
	snprintf(call, sizeof call, "bind(%d, 127.0.0.1:%u)", fd, o->port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		int e = errno;

		cli_error(PROG, "bind 127.0.0.1:%u: %s", o->port, strerror(e));
		if (e == EADDRINUSE)
			cli_hint(PROG,
			         "is a server still running on port %u? stop it, "
			         "or try --port 0",
			         o->port);
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	say(o, call, "ok, port %u", *port);

	snprintf(call, sizeof call, "listen(%d, %ld)", fd, o->backlog);
	if (listen(fd, (int)o->backlog) == -1) {
		cli_error(PROG, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	say(o, call, "ok; and we never call accept() (until --accept-after)");
	return fd;
}

/* One client: socket, O_NONBLOCK, connect. A non-blocking connect()
 * returns at once with EINPROGRESS: the kernel sends the SYN and goes on
 * with the handshake without us. Returns 0, or -1 (reported). */
static int open_client(const struct opts *o, struct client *c, int n,
                       unsigned short port)
{
	struct sockaddr_in sin;
	char call[64], local[ADDR_STRLEN];
	int flags;

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd == -1) {
		int e = errno;

		cli_error(PROG, "socket for client %d: %s", n, strerror(e));
		if (e == EMFILE || e == ENFILE)
			cli_hint(PROG, "each client is a descriptor: try fewer "
			               "--clients, or raise 'ulimit -n'");
		return -1;
	}
	flags = fcntl(c->fd, F_GETFL);
	if (flags == -1 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		cli_error(PROG, "fcntl O_NONBLOCK: %s", strerror(errno));
		return -1;
	}

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	snprintf(call, sizeof call, "connect(%d, 127.0.0.1:%u)", c->fd, port);
	c->started = now_s();
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) == -1 &&
	    errno != EINPROGRESS) {
		cli_error(PROG, "connect client %d: %s", n, strerror(errno));
		return -1;
	}
	if (addr_local(c->fd, local, sizeof local, call, sizeof call) == 0) {
		struct sockaddr_in me;
		socklen_t len = sizeof me;

		if (getsockname(c->fd, (struct sockaddr *)&me, &len) == 0)
			c->port = ntohs(me.sin_port);
	} else {
		snprintf(local, sizeof local, "?");
	}
	say(o, call, "EINPROGRESS (client %d, from %s)", n, local);
	return 0;
}

/* How far a client got: its own socket's TCP state (Linux, TCP_INFO). Where
 * TCP_INFO has no state, poll() tells connected from still connecting. */
static const char *client_state(struct client *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT, .revents = 0 };
	int soerr = 0, state;
	socklen_t len = sizeof soerr;
	char err[128];

	if (tcpinfo_state(c->fd, &state, err, sizeof err) == 0)
		return tcpinfo_state_name(state);
	if (poll(&p, 1, 0) == 1 &&
	    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0)
		return soerr == 0 ? "connected" : "failed";
	return "connecting";
}

static int is_established(const char *state)
{
	return strcmp(state, "ESTABLISHED") == 0 ||
	       strcmp(state, "connected") == 0;
}

static int is_syn_sent(const char *state)
{
	return strcmp(state, "SYN-SENT") == 0 ||
	       strcmp(state, "connecting") == 0;
}

/* A connected client sends its request at once, as curl does. That matters
 * here: when two resent SYNs arrive together, both get a SYN-ACK, but if the
 * queue is full again when the second one's last ACK arrives, the kernel
 * drops that ACK. The client thinks it is connected; the listener waits for
 * another ACK, which the data segment brings. */
static void send_request(struct client *c)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";

	if (c->sent)
		return;
	c->sent = 1;
	if (send(c->fd, req, sizeof req - 1, 0) == -1)
		c->sent = -1; /* reported with the result: never accepted */
}

/* The accept phase: accept() whatever is queued, and watch the stuck
 * clients: their next SYN finds room and their connect() completes.
 * Returns 0, or -1 if accept() failed (reported). */
static int drain(const struct opts *o, int lfd, struct client *cl, long k,
                 long *accepted)
{
	struct pollfd *p = calloc((size_t)k + 1, sizeof *p);
	double end = now_s() + o->deadline;
	unsigned waiting, backlog, shown = (unsigned)-1;
	char call[32], pair[ADDR_PAIRLEN], err[128];
	long i;
	int flags, rc = 0;

	if (p == NULL) {
		cli_error(PROG, "out of memory");
		return -1;
	}
	/* A non-blocking listener: accept() until the queue is empty. */
	flags = fcntl(lfd, F_GETFL);
	if (flags != -1)
		fcntl(lfd, F_SETFL, flags | O_NONBLOCK);
	snprintf(call, sizeof call, "accept(%d)", lfd);
	note(o, "the connected clients send their request, as curl would");
	for (i = 0; i < k; i++)
		if (cl[i].connected == 1)
			send_request(&cl[i]);
	while (!stop && *accepted < k) {
		double left = end - now_s();
		int n = 0;

		if (left <= 0)
			break;
		/* Take everything in the queue. */
		for (;;) {
			struct sockaddr_in peer;
			socklen_t len = sizeof peer;
			int conn = accept(lfd, (struct sockaddr *)&peer, &len);

			if (conn == -1)
				break;
			for (i = 0; i < k && cl[i].port != ntohs(peer.sin_port);
			     i++)
				;
			if (addr_pair(conn, pair, sizeof pair, err,
			              sizeof err) == -1)
				snprintf(pair, sizeof pair, "?");
			if (i < k) {
				cl[i].conn = conn;
				say(o, call,
				    "fd %d, socket pair %s (client %ld)", conn,
				    pair, i + 1);
			} else {
				say(o, call,
				    "fd %d, socket pair %s (not ours: closed)",
				    conn, pair);
				close(conn);
				continue;
			}
			(*accepted)++;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED) {
			int e = errno;

			cli_error(PROG, "accept: %s", strerror(e));
			if (e == EMFILE || e == ENFILE)
				cli_hint(PROG,
				         "every accepted connection is one more "
				         "descriptor: try fewer --clients, or raise 'ulimit -n'");
			rc = -1;
			break;
		}
		if (tcpinfo_queue(lfd, &waiting, &backlog, err, sizeof err) ==
		            0 &&
		    waiting != shown) {
			note(o, "queue: %u waiting (backlog %u)", waiting,
			     backlog);
			shown = waiting;
		}
		if (*accepted >= k)
			break;

		/* Wait for the listener or a stuck client to move. */
		p[n].fd = lfd;
		p[n].events = POLLIN;
		n++;
		for (i = 0; i < k; i++) {
			if (cl[i].connected)
				continue;
			p[n].fd = cl[i].fd;
			p[n].events = POLLOUT;
			n++;
		}
		if (poll(p, (nfds_t)n,
		         left > 0.1 ? 100 : (int)(left * 1000) + 1) <= 0)
			continue;
		for (i = 0; i < k; i++) {
			int soerr = 0, j;
			socklen_t len = sizeof soerr;

			if (cl[i].connected)
				continue;
			for (j = 1; j < n && p[j].fd != cl[i].fd; j++)
				;
			if (j == n ||
			    !(p[j].revents & (POLLOUT | POLLERR | POLLHUP)))
				continue;
			getsockopt(cl[i].fd, SOL_SOCKET, SO_ERROR, &soerr,
			           &len);
			cl[i].connected = soerr == 0 ? 1 : -1;
			cl[i].late = now_s() - cl[i].started;
			if (soerr == 0) {
				note(o,
				     "client %ld: SYN-SENT -> ESTABLISHED, %.1f s after "
				     "its connect(): a resent SYN found room",
				     i + 1, cl[i].late);
				send_request(&cl[i]);
			} else
				note(o, "client %ld: connect failed: %s", i + 1,
				     strerror(soerr));
		}
	}
	if (flags != -1)
		fcntl(lfd, F_SETFL, flags);
	free(p);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct client *cl = NULL;
	struct sigaction sa;
	unsigned short port = 0;
	unsigned waiting = 0, backlog = 0;
	long somaxconn = -1, effective, k, i, established = 0, syn_sent = 0;
	long accepted = 0, late = 0, stuck = 0;
	int lfd, rc = 0, have_queue;
	char call[64];

	rc = parse_args(&o, argc, argv);
	if (rc != 0)
		return cli_finish(PROG, rc == -1 ? 0 : rc);

	/* One line at a time, even in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns at once */
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		return cli_error(PROG, "sigaction: %s", strerror(errno));
	sa.sa_handler =
	        SIG_IGN; /* a send() to a reset client: EPIPE, not death */
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return cli_error(PROG, "sigaction: %s", strerror(errno));

	/* 1. A listener with backlog B that nobody accept()s from. */
	lfd = open_listener(&o, &port);
	if (lfd == -1)
		return 1;

	/* 2. The backlog the kernel really uses: B, capped at somaxconn. */
	if (tcpinfo_somaxconn(&somaxconn, call, sizeof call) == -1)
		somaxconn = -1;
	have_queue =
	        tcpinfo_queue(lfd, &waiting, &backlog, call, sizeof call) == 0;
	if (have_queue)
		effective = (long)backlog;
	else
		effective = somaxconn >= 0 && o.backlog > somaxconn ? somaxconn
		                                                    : o.backlog;
	if (effective < o.backlog)
		note(&o,
		     "note: backlog %ld capped to %ld by net.core.somaxconn "
		     "(/proc/sys/net/core/somaxconn)",
		     o.backlog, effective);
	k = o.clients > 0 ? o.clients : effective + 3;
	if (k > MAX_CLIENTS)
		k = MAX_CLIENTS;

	/* 3. K clients, each connect()ing without blocking. */
	cl = calloc((size_t)k, sizeof *cl);
	if (cl == NULL) {
		close(lfd);
		return cli_error(PROG, "out of memory for %ld clients", k);
	}
	for (i = 0; i < k; i++)
		cl[i].fd = cl[i].conn = -1;
	note(&o,
	     "%ld clients connect without blocking (socket, fcntl O_NONBLOCK, "
	     "connect):",
	     k);
	for (i = 0; i < k && !stop; i++)
		if (open_client(&o, &cl[i], (int)(i + 1), port) == -1) {
			rc = 1;
			goto out;
		}

	/* 4. Give the handshakes time, then ask each client how far it got. */
	note(&o, "waiting %g s for the handshakes...", o.wait);
	pause_for(o.wait);
	if (stop)
		goto out;
	note(&o,
	     "each client's state, from its own socket (getsockopt TCP_INFO):");
	for (i = 0; i < k; i++) {
		cl[i].state = client_state(&cl[i]);
		if (is_established(cl[i].state)) {
			established++;
			cl[i].connected = 1;
		} else if (is_syn_sent(cl[i].state)) {
			syn_sent++;
		}
		note(&o, "  client %-4ld fd %-4d 127.0.0.1:%-6u %-12s %s",
		     i + 1, cl[i].fd, cl[i].port, cl[i].state,
		     is_established(cl[i].state)
		             ? "handshake done: waiting in the accept queue"
		     : is_syn_sent(cl[i].state)
		             ? "no SYN-ACK: the full queue made the kernel drop its SYN"
		             : "");
	}

	/* 5. The queue as the listener sees it: the numbers of ss -ltn. */
	have_queue =
	        tcpinfo_queue(lfd, &waiting, &backlog, call, sizeof call) == 0;
	snprintf(call, sizeof call, "getsockopt(%d, TCP_INFO)", lfd);
	if (have_queue)
		say(&o, call,
		    "%u waiting in the queue (tcpi_unacked), backlog %u "
		    "(tcpi_sacked)",
		    waiting, backlog);
	else
		note(&o,
		     "this system does not report the queue through TCP_INFO; "
		     "look with: netstat -Lan  (qlen, maxqlen)");

	if (established == k && k <= effective + 1)
		note(&o,
		     "result: all %ld clients ESTABLISHED: the queue (room for "
		     "backlog %ld + 1) never filled",
		     k, effective);
	else
		note(&o,
		     "result: %ld of %ld clients ESTABLISHED %s backlog %ld + 1; "
		     "%ld stuck in SYN-SENT; none refused",
		     established, k,
		     established == effective + 1 ? "=" : "but expected",
		     effective, syn_sent);
	if (have_queue && (long)waiting != established)
		note(&o,
		     "note: %ld clients think they are connected but the queue "
		     "holds %u: the queue filled between their SYN and their last "
		     "ACK, which the kernel dropped (it will resend its SYN-ACK)",
		     established, waiting);
	note(&o,
	     "why B + 1: Linux calls the queue full only when it holds more "
	     "than B connections, so listen(fd, %ld) lets %ld wait.",
	     effective, effective + 1);
	note(&o,
	     "why they hang: a full queue makes the kernel drop the SYN without "
	     "a word (no RST, so no 'connection refused'); the client resends it "
	     "after about 1 s, then 2, 4... hoping for room.");
	note(&o,
	     "check it: ss -ltn 'sport = :%u'   (Recv-Q = waiting, Send-Q = "
	     "backlog)",
	     port);
	note(&o,
	     "          ss -tn state syn-sent 'dport = :%u'   (the stuck "
	     "clients)",
	     port);

	/* 6. --accept-after: the server gets to accept(); the queue drains
	 *    and the stuck clients' resent SYNs find room. */
	if (o.accept_after >= 0 && !stop) {
		note(&o,
		     "in %g s we accept() everything: watch the stuck clients "
		     "get in as the queue drains (at most %g s)",
		     o.accept_after, o.deadline);
		pause_for(o.accept_after);
		if (!stop && drain(&o, lfd, cl, k, &accepted) == -1)
			rc = 1;
		for (i = 0; i < k; i++) {
			if (cl[i].connected == 1 && cl[i].late > 0)
				late++;
			if (cl[i].connected != 1)
				stuck++;
		}
		if (accepted == k)
			note(&o,
			     "all %ld clients connected and accepted; %ld of them only "
			     "once the queue had room",
			     k, late);
		else
			note(&o,
			     "%ld of %ld clients accepted after %g s (--deadline); "
			     "%ld still not connected",
			     accepted, k, o.deadline, stuck);
	}

	if (o.json) {
		printf("{\"port\": %u, \"backlog_asked\": %ld, \"backlog\": %ld, ",
		       port, o.backlog, effective);
		if (somaxconn >= 0)
			printf("\"somaxconn\": %ld, ", somaxconn);
		else
			printf("\"somaxconn\": null, ");
		printf("\"clients\": %ld, \"wait\": %g, \"established\": %ld, "
		       "\"syn_sent\": %ld, \"other\": %ld, ",
		       k, o.wait, established, syn_sent,
		       k - established - syn_sent);
		if (have_queue)
			printf("\"queue_waiting\": %u, \"queue_backlog\": %u, ",
			       waiting, backlog);
		else
			printf("\"queue_waiting\": null, \"queue_backlog\": null, ");
		printf("\"states\": [");
		for (i = 0; i < k; i++)
			printf("%s\"%s\"", i ? ", " : "",
			       cl[i].state ? cl[i].state : "");
		printf("]");
		if (o.accept_after >= 0)
			printf(", \"accept_after\": %g, \"accepted\": %ld, "
			       "\"completed_late\": %ld, \"not_connected\": %ld",
			       o.accept_after, accepted, late, stuck);
		printf("}\n");
	}

	/* 7. --hold: everything stays as it is, for ss to look at. */
	if (o.hold > 0 && !stop) {
		note(&o,
		     "holding for %g s with every socket open (Ctrl-C ends it): "
		     "ss -ltn 'sport = :%u'",
		     o.hold, port);
		fflush(stdout);
		pause_for(o.hold);
	}

out:
	for (i = 0; i < k; i++) {
		if (cl[i].fd != -1)
			close(cl[i].fd);
		if (cl[i].conn != -1)
			close(cl[i].conn);
	}
	free(cl);
	close(lfd);
	return cli_finish(PROG, rc);
}
