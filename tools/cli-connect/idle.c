/*
 * idle.c - cli-connect --idle N: N idle connections held by one process.
 *
 * What it demonstrates
 *   What an idle connection costs, and who pays. The client pays one
 *   descriptor per connection: a process may have RLIMIT_NOFILE of them
 *   open (the soft limit, often 1024), and may raise that itself up to the
 *   hard limit with setrlimit(): this mode does, and says so. The server
 *   pays what its model costs: a place in the listen queue for srv-iter
 *   (it serves one client at a time; beyond backlog + 1 waiting clients
 *   the kernel drops their SYNs, and they time out), a whole process per
 *   connection for srv-fork, a few hundred bytes in an event loop.
 *   The connections are not made one after the other: every socket is
 *   non-blocking, so connect() returns at once (EINPROGRESS), and one
 *   poll() waits for all the handshakes, within --timeout.
 *   Idle means: established, and nothing sent. That is a keep-alive
 *   connection between two requests, which a server must keep waiting
 *   for. (Our servers answer one request and close: a request would end
 *   the connection. Half a request would make the server keep it in a
 *   buffer: that is the slowloris client, not an idle one.)
 *   (A little over 400 lines: the summary, and why fewer connections were
 *   made than asked, are said here, next to what they count.)
 *
 * Usage
 *   cli-connect --idle N [--hold S] [--json] [--timeout S] [--quiet]
 *               [HOST[:PORT]]
 *
 * Try it
 *   ./bin/srv-fork --timeout 60 &
 *   ./bin/cli-connect --idle 100 --hold 10 localhost:8888
 *   ./bin/srv-iter --timeout 60 &                  # backlog 5
 *   ./bin/cli-connect --idle 20 --timeout 2 --hold 0 localhost:8888
 *
 * Things to notice
 *   - Against srv-iter at most backlog + 2 connections are established
 *     (one accepted, backlog + 1 in the queue); the others time out in
 *     SYN-SENT (ss -tn state syn-sent shows them meanwhile).
 *   - A server gives up on an idle client after its own --timeout (5 s by
 *     default for ours) and closes it, without a reply since nothing was
 *     asked: counted as closed by the server.
 *   - The first connection tries each address in turn (localhost may be
 *     ::1 first); the others go where it went.
 *
 * See also
 *   docs/performance.md; getrlimit(2), setrlimit(2), connect(2)
 *   (EINPROGRESS), poll(2), ss(8), show-backlog(1); tools/cli-connect.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "client.h"
#include "clock.h"
#include "limit.h"
#include "net.h"
#include "say.h"
#include "sig.h"
#include "text.h"

static const char *const PROG = "cli-connect";

/* Descriptors beyond the connections: 0, 1, 2 and a few to spare. */
#define SPARE_FDS 8

enum {
	C_EST,      /* established */
	C_REFUSED,  /* could not be made, by reason */
	C_TIMEDOUT, /* still connecting at the deadline */
	C_NOFD,     /* socket() said EMFILE or ENFILE */
	C_OTHER,
	C_ABANDONED, /* still connecting when a stop signal came */
	C_CLOSED,    /* closed by the server */
	C_REPLIED,   /* ...after a reply (srv-fork: 503, beyond its children) */
	C_COUNT
};

struct idle {
	const struct client_opts *o;
	struct pollfd *p; /* one per connection; fd -1 once closed */
	long n;           /* entries of p in use */
	long count[C_COUNT];
	long connecting, open; /* entries waiting for POLLOUT, POLLIN */
	long nofile;           /* the soft RLIMIT_NOFILE */
	int other_errno;       /* the first "other" failure */
	char first_reply[64];  /* this round's first reply line, escaped */
	char reply[64];        /* the first reply line of all */
	sigset_t unblocked;    /* the mask to wait with (client.h) */
};

static void count_failure(struct idle *st, int e)
{
	if (e == ECONNREFUSED)
		st->count[C_REFUSED]++;
	else if (e == ETIMEDOUT)
		st->count[C_TIMEDOUT]++;
	else if (e == EMFILE || e == ENFILE)
		st->count[C_NOFD]++;
	else if (st->count[C_OTHER]++ == 0)
		st->other_errno = e;
}

/* getrlimit, then setrlimit up to what the hard limit allows. */
static void raise_nofile(struct idle *st)
{
	struct rlimit rl;
	char err[256], call[64];
	long want = st->o->idle + SPARE_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		rl.rlim_cur = 0;
	snprintf(call, sizeof call, "setrlimit(RLIMIT_NOFILE, %ld)", want);
	if (limit_raise_nofile(want, &st->nofile, err, sizeof err) == -1) {
		st->nofile = (long)rl.rlim_cur;
		say(&st->o->say, call, "failed: %s", err);
	} else if (st->nofile > (long)rl.rlim_cur) {
		say(&st->o->say, call, "ok: the soft limit was %ld, now %ld%s",
		    (long)rl.rlim_cur, st->nofile,
		    st->nofile < want ? " (the hard limit)" : "");
	} else if (st->nofile >= want) {
		say(&st->o->say, call, "not needed: the soft limit is %ld",
		    st->nofile);
	} else {
		say(&st->o->say, call, "not possible: %ld is the hard limit",
		    st->nofile);
	}
	if (st->nofile < want)
		say_note(&st->o->say,
		         "room for about %ld connections, not %ld: the others "
		         "will fail with EMFILE",
		         st->nofile - SPARE_FDS, st->o->idle);
}

/* The first connection: each address in turn, as the single client does;
 * the others go to the address that answered (*peer). */
static int first_connection(struct idle *st, const struct addrinfo *res,
                            struct sockaddr_storage *peer, socklen_t *len)
{
	char err[512], where[ADDR_STRLEN], call[160];
	int fd = net_connect_list(res, st->o->timeout, err, sizeof err);

	if (fd == -1) {
		cli_error(PROG, "%s", err);
		if (errno == ECONNREFUSED)
			cli_hint(PROG, "is a server listening there?");
		return -1;
	}
	*len = sizeof *peer;
	if (getpeername(fd, (struct sockaddr *)peer, len) == -1) {
		cli_error(PROG, "getpeername: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (addr_format((struct sockaddr *)peer, *len, where, sizeof where))
		snprintf(where, sizeof where, "(the server)");
	snprintf(call, sizeof call, "connect(%d, %s)", fd, where);
	say(&st->o->say, call, "ok, the first: the others go there too");
	st->p[0] = (struct pollfd){ .fd = fd, .events = POLLIN, .revents = 0 };
	st->n = 1;
	st->open = 1;
	st->count[C_EST] = 1;
	return 0;
}

/* socket() and a non-blocking connect() for each of the others: connect()
 * returns at once, EINPROGRESS, and the handshake goes on in the kernel. */
static void start_connects(struct idle *st, const struct sockaddr *peer,
                           socklen_t len)
{
	char call[64];
	long i, asked = st->o->idle - 1;

	for (i = 0; i < asked && client_stop == 0; i++) {
		int fd = socket(peer->sa_family, SOCK_STREAM, 0);
		int flags = fd == -1 ? -1 : fcntl(fd, F_GETFL);

		if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
			st->count[C_NOFD] += asked - i; /* the rest, too */
			break;
		}
		if (flags == -1 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
			count_failure(st, errno);
			if (fd != -1)
				close(fd);
			continue;
		}
		st->p[st->n] = (struct pollfd){ .fd = fd, .revents = 0 };
		if (connect(fd, peer, len) == 0) {
			st->p[st->n++].events = POLLIN;
			st->count[C_EST]++;
			st->open++;
		} else if (errno == EINPROGRESS) {
			st->p[st->n++].events = POLLOUT;
			st->connecting++;
		} else {
			count_failure(st, errno);
			close(fd);
		}
	}
	snprintf(call, sizeof call, "connect() x %ld, non-blocking", asked);
	say(&st->o->say, call, "%ld in progress, %ld established at once",
	    st->connecting, st->n - 1 - st->connecting);
}

static void drop(struct idle *st, long i)
{
	close(st->p[i].fd);
	st->p[i].fd = -1;
}

/* A connection that poll() says is ready: a handshake that finished
 * (POLLOUT: SO_ERROR says how), or an established one that the server
 * answered or closed (POLLIN). Returns 1 when the server closed it. */
static int ready(struct idle *st, long i)
{
	char buf[512];
	int soerr = 0;
	socklen_t len = sizeof soerr;
	ssize_t n;

	if (st->p[i].events == POLLOUT) {
		st->connecting--;
		if (getsockopt(st->p[i].fd, SOL_SOCKET, SO_ERROR, &soerr,
		               &len) == -1)
			soerr = errno;
		if (soerr != 0) {
			count_failure(st, soerr);
			drop(st, i);
			return 0;
		}
		st->p[i].events = POLLIN;
		st->count[C_EST]++;
		st->open++;
		return 0;
	}
	n = recv(st->p[i].fd, buf, sizeof buf, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0; /* nothing after all */
	if (n > 0) {
		size_t line = 0; /* its first line: "HTTP/1.1 408 ..." */

		while (line < (size_t)n && buf[line] != '\r' &&
		       buf[line] != '\n')
			line++;
		st->count[C_REPLIED]++;
		if (st->first_reply[0] == '\0')
			text_escape(buf, line, st->first_reply,
			            sizeof st->first_reply);
		if (st->reply[0] == '\0')
			text_escape(buf, line, st->reply, sizeof st->reply);
	}
	st->count[C_CLOSED]++;
	st->open--;
	drop(st, i);
	return 1;
}

/* One poll() of every connection, until deadline (0: none) or a stop
 * signal; then what was ready. connecting: the handshakes are waited for
 * (settle), else the held connections (hold). Returns 0 when the deadline
 * passed or the wait failed (the caller stops waiting), 1 otherwise. */
static int wait_round(struct idle *st, double deadline, int connecting)
{
	char call[64];
	long i, closed = 0, nfds = connecting ? st->connecting : st->open;
	int rc;

	st->first_reply[0] = '\0';
	rc = clock_wait_fds(st->p, (nfds_t)st->n, deadline, &st->unblocked);
	if (rc == -1 && errno == EINTR)
		return 1; /* a handler ran: the caller tests client_stop */
	if (rc == -1)
		cli_error(PROG, "poll: %s", strerror(errno));
	if (rc <= 0)
		return 0; /* the deadline passed, or the wait failed */
	for (i = 0; i < st->n; i++)
		if (st->p[i].fd != -1 && st->p[i].revents != 0)
			closed += ready(st, i);
	if (closed > 0 && !connecting) {
		snprintf(call, sizeof call, "poll(%ld fds, POLLIN)", nfds);
		say(&st->o->say, call, "%ld closed by the server (%s)", closed,
		    st->first_reply[0] ? st->first_reply : "without a reply");
	}
	return 1;
}

/* Waits for the handshakes, within --timeout. */
static void settle(struct idle *st)
{
	double t0 = clock_now(), limit = st->o->timeout;
	double deadline = limit > 0 ? t0 + limit : 0;
	char call[64];
	long i, waited = st->connecting, before = st->count[C_EST];

	while (st->connecting > 0 && client_stop == 0)
		if (wait_round(st, deadline, 1) == 0)
			break;
	client_let_stops_in(&st->unblocked);
	for (i = 0; i < st->n; i++) {
		if (st->p[i].fd == -1 || st->p[i].events != POLLOUT)
			continue;
		st->count[client_stop ? C_ABANDONED : C_TIMEDOUT]++;
		drop(st, i);
	}
	st->connecting = 0;
	if (limit > 0)
		snprintf(call, sizeof call,
		         "poll(%ld fds, POLLOUT), %g s at most", waited, limit);
	else
		snprintf(call, sizeof call, "poll(%ld fds, POLLOUT)", waited);
	say(&st->o->say, call,
	    "%ld established, %ld refused, %ld timed out, in %.3f s",
	    st->count[C_EST] - before, st->count[C_REFUSED],
	    st->count[C_TIMEDOUT], clock_now() - t0);
}

/* Holds what is open for --hold S, or until a stop signal. */
static double hold(struct idle *st)
{
	double t0 = clock_now(), s = st->o->hold;
	double deadline = s > 0 ? t0 + s : s == 0 ? t0 : 0;

	if (s >= 0)
		say_note(&st->o->say,
		         "holding %ld idle connections (nothing sent) for %g s",
		         st->open, s);
	else
		say_note(&st->o->say,
		         "holding %ld idle connections (nothing sent) until a "
		         "signal (Ctrl-C)",
		         st->open);
	while (st->open > 0 && client_stop == 0)
		if (wait_round(st, deadline, 0) == 0)
			break;
	client_let_stops_in(&st->unblocked);
	return clock_now() - t0;
}

static void summary(const struct idle *st, double connect_s, double held_s)
{
	const long *c = st->count;
	const char *by = client_stop != 0 ? sig_name(client_stop) : NULL;

	if (st->o->json) {
		printf("{\"idle\": %ld, \"established\": %ld, \"held\": %ld, "
		       "\"refused\": %ld, \"timed_out\": %ld, "
		       "\"no_descriptor\": %ld, \"other\": %ld, "
		       "\"abandoned\": %ld, \"closed_by_server\": %ld, "
		       "\"closed_with_reply\": %ld, \"nofile_limit\": %ld, "
		       "\"connect_s\": %.3f, \"held_s\": %.3f, "
		       "\"stopped_by\": %s%s%s}\n",
		       st->o->idle, c[C_EST], st->open, c[C_REFUSED],
		       c[C_TIMEDOUT], c[C_NOFD], c[C_OTHER], c[C_ABANDONED],
		       c[C_CLOSED], c[C_REPLIED], st->nofile, connect_s, held_s,
		       by ? "\"" : "", by ? by : "null", by ? "\"" : "");
		return;
	}
	printf("idle connections: %ld asked, %ld established, %ld held to "
	       "the end\n",
	       st->o->idle, c[C_EST], st->open);
	printf("failures:         %ld refused, %ld timed out, %ld no "
	       "descriptor left, %ld other\n",
	       c[C_REFUSED], c[C_TIMEDOUT], c[C_NOFD],
	       c[C_OTHER] + c[C_ABANDONED]);
	printf("closed by server: %ld (%ld of them with a reply)\n",
	       c[C_CLOSED], c[C_REPLIED]);
	if (by != NULL)
		printf("stopped:          by %s\n", by);
	printf("elapsed:          %.3f s to connect, %.3f s held\n", connect_s,
	       held_s);
}

/* Why fewer than asked were made or held, on stderr; the exit status. */
static int explain(const struct idle *st)
{
	static const struct {
		int c;
		const char *what;
	} reasons[] = {
		{ C_NOFD, "had no descriptor left (EMFILE)" },
		{ C_REFUSED, "refused" },
		{ C_TIMEDOUT, "timed out" },
		{ C_ABANDONED, "abandoned (a stop signal came)" },
		{ C_OTHER, "failed otherwise" },
	};
	const long *c = st->count;
	long failed = st->o->idle - c[C_EST];
	char why[512] = "";
	size_t i, w = 0;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (c[reasons[i].c] > 0 && w < sizeof why)
			w += (size_t)snprintf(why + w, sizeof why - w,
			                      ", %ld %s", c[reasons[i].c],
			                      reasons[i].what);
	if (failed > 0)
		cli_error(PROG, "%ld of %ld connections could not be made: %s",
		          failed, st->o->idle, why + 2);
	if (c[C_NOFD] > 0)
		cli_hint(PROG,
		         "this process may open %ld descriptors (RLIMIT_NOFILE, "
		         "raised up to its hard limit); ask for fewer, or raise "
		         "the hard limit (as root: ulimit -Hn, prlimit)",
		         st->nofile);
	if (c[C_TIMEDOUT] > 0)
		cli_hint(PROG,
		         "timed out after %g s: no answer to our SYN, the "
		         "server's listen queue is full (an iterative server "
		         "serves one client, backlog + 1 wait, the kernel drops "
		         "the other SYNs)",
		         st->o->timeout);
	if (c[C_OTHER] > 0)
		cli_hint(PROG, "the first other failure: %s",
		         strerror(st->other_errno));
	if (c[C_REPLIED] > 0)
		cli_error(PROG,
		          "the server closed %ld of the %ld connections, %ld "
		          "of them after a reply (the first: %s)",
		          c[C_CLOSED], c[C_EST], c[C_REPLIED], st->reply);
	else if (c[C_CLOSED] > 0)
		cli_error(PROG,
		          "the server closed %ld of the %ld connections, "
		          "without a reply (after its own --timeout for a "
		          "request, with ours)",
		          c[C_CLOSED], c[C_EST]);
	return failed > 0 || st->open < st->o->idle ? 1 : 0;
}

int idle_run(const struct client_opts *o, const struct addrinfo *res)
{
	struct idle st;
	struct sockaddr_storage peer;
	socklen_t len;
	char err[256], call[64];
	double t0, connect_s, held_s;
	long i;
	int rc = 1;

	memset(&st, 0, sizeof st);
	st.o = o;
	st.p = calloc((size_t)o->idle, sizeof *st.p);
	if (st.p == NULL)
		return cli_error(PROG, "out of memory for %ld connections",
		                 o->idle);
	if (client_catch_stops(&st.unblocked, err, sizeof err) == -1) {
		free(st.p);
		return cli_error(PROG, "%s", err);
	}
	raise_nofile(&st);
	t0 = clock_now();
	if (first_connection(&st, res, &peer, &len) == 0) {
		start_connects(&st, (struct sockaddr *)&peer, len);
		settle(&st);
		connect_s = clock_now() - t0;
		held_s = hold(&st);
		snprintf(call, sizeof call, "close() x %ld", st.open);
		if (st.open > 0)
			say(&o->say, call, "ok");
		summary(&st, connect_s, held_s);
		rc = explain(&st);
	}
	for (i = 0; i < st.n; i++)
		if (st.p[i].fd != -1)
			close(st.p[i].fd);
	free(st.p);
	return rc;
}
