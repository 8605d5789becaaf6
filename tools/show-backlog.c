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
 *   show-backlog [-p PORT] [-b B] [-n K] [-w S] [-a S] [-d S] [-k S] [-j]
 *   (--port, --backlog, --clients, --wait, --accept-after, --deadline,
 *    --hold, --json)
 *
 * Try it
 *   ./bin/show-backlog                          # B = 5: 6 of 8 get in
 *   ./bin/show-backlog --backlog 0 --clients 3  # listen(fd, 0) still admits 1
 *   ./bin/show-backlog --accept-after 0.5       # the queue drains, they finish
 *
 * Things to notice
 *   - B + 1, not B, on Linux (macOS admits about B).
 *   - A full queue does not refuse: no RST, no "connection refused". The
 *     stuck clients stay in SYN-SENT and resend their SYN, later and later.
 *   - getsockopt(TCP_INFO) on the listener gives the numbers ss -ltn shows
 *     as Recv-Q (waiting now) and Send-Q (the backlog, capped at
 *     net.core.somaxconn).
 *   - The stop signals are blocked while it works and let in only while it
 *     waits (ppoll, lib/clock), so that Ctrl-C is never lost between a test
 *     of the flag and a wait.
 *
 * See also
 *   docs/02-busy-server-and-backlog.md; srv-sleep(1), listen(2), connect(2),
 *   accept(2), poll(2), tcp(7) (TCP_INFO), ss(8).
 *
 * This file is longer than most (about 600 lines): eight options, and
 * three phases (the queue fills, it drains, it holds), each with calls of
 * its own. What is not a call (the clients' table, the wait for the stuck
 * clients, the report in words and JSON) is in tools/show-backlog/backlog.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "show-backlog/backlog.h"
#include "cli.h"
#include "clock.h"
#include "num.h"
#include "say.h"
#include "sig.h"
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

static volatile sig_atomic_t stop = 0; /* the stop signal that came */
static sigset_t wait_mask;             /* the signal mask while we wait */

static int catch_stops(void);
static void on_stop(int sig);
static int open_listener(const struct opts *o, const struct say *s,
                         unsigned short *port);
static int plan(const struct opts *o, const struct say *s, int lfd,
                struct backlog_seen *r);
static int tcp_info(int fd, int *state, unsigned *waiting, unsigned *backlog);
static int stopped(void);
static int open_client(const struct say *s, struct backlog_client *c, long n,
                       unsigned short port);
static void report_states(const struct say *s, int lfd, struct backlog_seen *r);
static int client_state(const struct backlog_client *c);
static void accept_phase(const struct opts *o, const struct say *s, int lfd,
                         struct backlog_seen *r);
static int accept_all(const struct say *s, int lfd, struct backlog_seen *r);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);

int main(int argc, char **argv)
{
	struct opts o;
	struct backlog_seen r;
	struct say s;
	int lfd, rc;

	if (cli_start() != 0)
		return 1;
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	if (catch_stops() == -1)
		return cli_finish(PROG, 1);
	say_init(&s, o.json);
	memset(&r, 0, sizeof r);
	r.holding = o.hold > 0;

	/* 1. A listener with backlog B that nobody accept()s from. */
	lfd = open_listener(&o, &s, &r.port);
	if (lfd == -1)
		return cli_finish(PROG, 1);
	if (plan(&o, &s, lfd, &r) == -1) {
		rc = 1;
		goto out;
	}

	/* 2. K clients, each connect()ing without blocking. */
	say_note(&s,
	         "%ld clients connect without blocking (socket, fcntl "
	         "O_NONBLOCK, connect):",
	         r.k);
	for (; rc == 0 && r.opened < r.k && !stopped(); r.opened++)
		rc = open_client(&s, &r.cl[r.opened], r.opened + 1, r.port);
	if (rc != 0) {
		rc = 1; /* reported */
		goto out;
	}

	/* 3. Give the handshakes time, then ask each client how far it got. */
	if (!stop) {
		say_note(&s, "waiting %g s for the handshakes...", o.wait);
		clock_sleep(o.wait, &stop, &wait_mask);
	}
	if (stop)
		say_note(&s, "interrupted by %s: what was seen so far",
		         sig_name(stop));
	report_states(&s, lfd, &r);
	backlog_result(&s, &r);

	/* 4. --accept-after: the server gets to accept(); the queue drains. */
	if (o.accept_after >= 0 && !stopped())
		accept_phase(&o, &s, lfd, &r);
	r.interrupted = stop;
	if (o.json)
		backlog_json(&r);
	rc = r.accept_errno != 0 ? 1 : r.interrupted ? 128 + r.interrupted : 0;

	/* 5. --hold: everything stays as it is, for ss to look at, until the
	 *    time is up or a signal ends it (as it is meant to: exit 0). */
	if (o.hold > 0 && rc == 0) {
		say_note(&s,
		         "holding for %g s with every socket open (Ctrl-C ends it): "
		         "ss -ltn 'sport = :%u'",
		         o.hold, r.port);
		if (clock_sleep(o.hold, &stop, &wait_mask) != 0 && stop)
			say_note(&s,
			         "%s ended --hold early: every socket closed "
			         "(exit 0: a hold is meant to be ended)",
			         sig_name(stop));
	}
out:
	backlog_free(&r);
	close(lfd);
	return cli_finish(PROG, rc);
}

/* The stop signals are caught, then blocked: they get in only while we
 * wait (clock_sleep, clock_wait_fds with wait_mask) or when stopped()
 * looks, so that none is lost between a test of the flag and a wait. */
static int catch_stops(void)
{
	sigset_t stops;
	char err[128];

	sig_stop_set(&stops);
	if (sig_catch_stops(on_stop, 0, err, sizeof err) == 0 &&
	    sigprocmask(SIG_BLOCK, &stops, &wait_mask) == 0)
		return 0;
	cli_error(PROG, "signals: %s", err);
	return -1;
}

static void on_stop(int sig)
{
	stop = sig;
}

/* The listener: socket, SO_REUSEADDR, bind 127.0.0.1:PORT, listen(B), as
 * in srv-iter. Returns the fd and sets *port, or -1 (reported). */
static int open_listener(const struct opts *o, const struct say *s,
                         unsigned short *port)
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
	say(s, "socket(AF_INET, SOCK_STREAM, 0)", "fd %d", fd);
	snprintf(call, sizeof call, "setsockopt(%d, SO_REUSEADDR, 1)", fd);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1) {
		cli_error(PROG, "setsockopt SO_REUSEADDR: %s", strerror(errno));
		close(fd);
		return -1;
	}
	say(s, call, "ok");

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
	say(s, call, "ok, port %u", *port);

	snprintf(call, sizeof call, "listen(%d, %ld)", fd, o->backlog);
	if (listen(fd, (int)o->backlog) == -1) {
		cli_error(PROG, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	say(s, call, "ok; and we never call accept() (until --accept-after)");
	return fd;
}

/* The backlog the kernel uses: B, capped at net.core.somaxconn; the
 * listener's TCP_INFO says it (tcpi_sacked). Then room for the K clients
 * (default: that backlog + 3). Returns -1 when out of memory (reported). */
static int plan(const struct opts *o, const struct say *s, int lfd,
                struct backlog_seen *r)
{
	char err[128];
	long k;
	int st;

	r->asked = o->backlog;
	r->wait = o->wait;
	r->accept_after = o->accept_after;
	r->deadline = o->deadline;
	if (tcpinfo_somaxconn(&r->somaxconn, err, sizeof err) == -1)
		r->somaxconn = -1;
	if (tcp_info(lfd, &st, &r->waiting, &r->backlog) == 0)
		r->effective = (long)r->backlog;
	else
		r->effective = r->somaxconn >= 0 && o->backlog > r->somaxconn
		                       ? r->somaxconn
		                       : o->backlog;
	if (r->effective < o->backlog)
		say_note(s,
		         "note: backlog %ld capped to %ld by net.core.somaxconn "
		         "(/proc/sys/net/core/somaxconn)",
		         o->backlog, r->effective);
	k = o->clients > 0 ? o->clients : r->effective + 3;
	if (backlog_alloc(r, k < MAX_CLIENTS ? k : MAX_CLIENTS) == -1) {
		cli_error(PROG, "out of memory");
		return -1;
	}
	return 0;
}

/* The state of a TCP socket (tcpi_state) and, for a listener, its accept
 * queue: Linux reuses tcpi_unacked (connections waiting for accept() now)
 * and tcpi_sacked (the backlog, capped at somaxconn) for it. Elsewhere
 * TCP_INFO has no state or queue (macOS: netstat -Lan shows them). */
static int tcp_info(int fd, int *state, unsigned *waiting, unsigned *backlog)
{
#ifdef __linux__
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	*state = ti.tcpi_state;
	*waiting = ti.tcpi_unacked;
	*backlog = ti.tcpi_sacked;
	return 0;
#else
	(void)fd, (void)state, (void)waiting, (void)backlog;
	errno = ENOTSUP;
	return -1;
#endif
}

/* The stop signals are blocked except while we wait; this lets in one
 * that came meanwhile (sigprocmask delivers a pending signal it unblocks
 * before it returns). Returns 1 if one did. */
static int stopped(void)
{
	sigset_t blocked;

	sigprocmask(SIG_SETMASK, &wait_mask, &blocked);
	sigprocmask(SIG_SETMASK, &blocked, NULL);
	return stop != 0;
}

/* One client: socket, O_NONBLOCK, connect. A non-blocking connect()
 * returns at once with EINPROGRESS: the kernel sends the SYN and goes on
 * with the handshake without us. Returns 0, or -1 (reported). */
static int open_client(const struct say *s, struct backlog_client *c, long n,
                       unsigned short port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char call[64];
	int flags;

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd == -1) {
		int e = errno;

		cli_error(PROG, "socket for client %ld: %s", n, strerror(e));
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
	c->started = clock_now();
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) == -1 &&
	    errno != EINPROGRESS) {
		cli_error(PROG, "connect client %ld: %s", n, strerror(errno));
		return -1;
	}
	/* connect() bound the client to a port of the kernel's choice. */
	if (getsockname(c->fd, (struct sockaddr *)&sin, &len) == 0)
		c->port = ntohs(sin.sin_port);
	say(s, call, "EINPROGRESS (client %ld, from 127.0.0.1:%u)", n, c->port);
	return 0;
}

/* Each client's state from its own socket, then the queue from the
 * listener's: the numbers ss -ltn shows. */
static void report_states(const struct say *s, int lfd, struct backlog_seen *r)
{
	char call[64];
	long i;
	int st;

	say_note(s, "each client's state, from its own socket (getsockopt "
	            "TCP_INFO):");
	for (i = 0; i < r->opened; i++) {
		struct backlog_client *c = &r->cl[i];

		c->state = client_state(c);
		if (c->state == TCPINFO_ESTABLISHED) {
			r->established++;
			c->connected = 1;
		} else if (c->state == TCPINFO_SYN_SENT) {
			r->syn_sent++;
		}
		say_note(s, "  client %-4ld fd %-4d 127.0.0.1:%-6u %-12s %s",
		         i + 1, c->fd, c->port, tcpinfo_state_name(c->state),
		         c->state == TCPINFO_ESTABLISHED
		                 ? "handshake done: waiting in the accept queue"
		         : c->state == TCPINFO_SYN_SENT
		                 ? "no SYN-ACK: the full queue made the kernel drop its SYN"
		                 : "");
	}
	r->have_queue = tcp_info(lfd, &st, &r->waiting, &r->backlog) == 0;
	snprintf(call, sizeof call, "getsockopt(%d, TCP_INFO)", lfd);
	if (r->have_queue)
		say(s, call,
		    "%u waiting in the queue (tcpi_unacked), backlog %u "
		    "(tcpi_sacked)",
		    r->waiting, r->backlog);
	else
		say_note(s,
		         "this system does not report the queue through "
		         "TCP_INFO; look with: netstat -Lan  (qlen, maxqlen)");
}

/* How far a client got (TCP_INFO's state). Without TCP_INFO, poll() and
 * SO_ERROR tell connected from failed from still connecting. */
static int client_state(const struct backlog_client *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT, .revents = 0 };
	unsigned w, b;
	int soerr = 0, state;
	socklen_t len = sizeof soerr;

	if (tcp_info(c->fd, &state, &w, &b) == 0)
		return state;
	if (poll(&p, 1, 0) == 1 &&
	    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0)
		return soerr == 0 ? TCPINFO_ESTABLISHED : TCPINFO_CLOSE;
	return TCPINFO_SYN_SENT;
}

/* The accept phase: after --accept-after, accept() whatever is queued
 * while the stuck clients' resent SYNs find room, until all are in, the
 * deadline, an accept() error or a stop signal. */
static void accept_phase(const struct opts *o, const struct say *s, int lfd,
                         struct backlog_seen *r)
{
	double start, end;
	unsigned w, b, shown = (unsigned)-1;
	int st;

	say_note(s,
	         "in %g s we accept() everything: watch the stuck clients get "
	         "in as the queue drains (at most %g s)",
	         o->accept_after, o->deadline);
	if (clock_sleep(o->accept_after, &stop, &wait_mask) == 0) {
		start = clock_now();
		end = start + o->deadline;
		fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
		say_note(s, "the connected clients send their request, as curl "
		            "would");
		backlog_send_requests(r);
		while (r->accepted < r->opened) {
			if (accept_all(s, lfd, r) == -1) {
				r->accept_errno = errno;
				break;
			}
			if (tcp_info(lfd, &st, &w, &b) == 0 && w != shown) {
				say_note(s, "queue: %u waiting (backlog %u)", w,
				         b);
				shown = w;
			}
			if (r->accepted == r->opened ||
			    backlog_watch(s, r, lfd, end, &wait_mask) <= 0)
				break; /* all in, the deadline, or a signal */
		}
		r->accept_for = clock_now() - start;
	}
	r->interrupted = stop;
	if (r->accept_errno != 0) {
		cli_error(PROG, "accept: %s", strerror(r->accept_errno));
		if (r->accept_errno == EMFILE || r->accept_errno == ENFILE)
			cli_hint(PROG,
			         "every accepted connection is one more "
			         "descriptor: try fewer --clients, or raise "
			         "'ulimit -n'");
	}
	backlog_drained(s, r);
}

/* Takes every connection in the queue (the listener is non-blocking).
 * Returns 0 when the queue is empty, -1 when accept() failed (errno). */
static int accept_all(const struct say *s, int lfd, struct backlog_seen *r)
{
	char call[32], pair[ADDR_PAIRLEN], err[128];
	long i;

	snprintf(call, sizeof call, "accept(%d)", lfd);
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		int conn = accept(lfd, (struct sockaddr *)&peer, &len);

		if (conn == -1 && errno == ECONNABORTED)
			continue; /* reset while it waited: the next one */
		if (conn == -1)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (addr_pair(conn, pair, sizeof pair, err, sizeof err) == -1)
			snprintf(pair, sizeof pair, "?");
		/* Which client is it? The one whose port the peer has. */
		for (i = 0;
		     i < r->opened && r->cl[i].port != ntohs(peer.sin_port);
		     i++)
			;
		if (i == r->opened) {
			say(s, call, "fd %d, socket pair %s (not ours: closed)",
			    conn, pair);
			close(conn);
			continue;
		}
		r->cl[i].conn = conn;
		r->accepted++;
		say(s, call, "fd %d, socket pair %s (client %ld)", conn, pair,
		    i + 1);
	}
}

/* ------------------------------------------------------ options, --help */

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

	memset(o, 0, sizeof *o);
	o->backlog = 5;
	o->wait = 0.5;
	o->accept_after = -1;
	o->deadline = 10;
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
			return CLI_DONE;
		case 'V':
			cli_version(PROG);
			return CLI_DONE;
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
	return CLI_OK;
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
	       "A stop signal (SIGINT, SIGTERM, SIGHUP...) during --wait or the\n"
	       "accept phase ends the experiment early: the report (or the JSON,\n"
	       "with \"interrupted\": \"SIGINT\") says what was seen so far.\n"
	       "\n"
	       "Exit status: 0 ok (also when a signal ends --hold), 1 runtime\n"
	       "failure (e.g. too many open files), 2 usage, 128 + N when signal N\n"
	       "interrupted the experiment before its report was complete (130 for\n"
	       "SIGINT, 143 for SIGTERM).\n"
	       "Example: %s --backlog 2 --clients 5 --accept-after 0.5\n",
	       PROG, PROG);
}
