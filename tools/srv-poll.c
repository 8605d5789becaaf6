/*
 * srv-poll - one process, non-blocking sockets and an event loop: every
 * client served at once, without a process or a thread per client.
 *
 * What it demonstrates
 *   srv-iter waits for one thing at a time: a client in accept(), then
 *   that client's request in recv(). An event loop waits for everything at
 *   once: one call (select, poll or epoll: tools/srv-poll/watch.c) is
 *   given every descriptor the server has, the listener and each
 *   connection, and returns those that are ready. The loop then makes, for
 *   each, the one call that will not block (accept, recv, send), and waits
 *   again. No call blocks anywhere else: the listener and the connections
 *   are non-blocking. What srv-iter keeps on its stack between two calls (the
 *   request read so far, the reply left to send, the deadline) is kept
 *   per connection, in a table (tools/srv-poll/conns.c): a slow client
 *   costs a slot, not the server's time.
 *
 * Usage
 *   srv-poll [--api select|poll|epoll] [--defer-accept]
 *            [--edge [--no-drain]] [-p PORT] [-H ADDR] [-b N] [-l] [-t S]
 *            [-m N] [-q]
 *
 * Try it
 *   ./bin/srv-poll --backlog 128                  # terminal 1
 *   curl http://localhost:8888/hello              # terminal 2
 *   ./bin/cli-connect --idle 100 --hold 3 localhost:8888
 *   ./bin/srv-poll --api select --timeout 0 --backlog 2048
 *   ./bin/cli-connect --idle 1030 --hold 3 localhost:8888
 *   ./bin/srv-poll --edge [--no-drain] --timeout 0 --backlog 128
 *   ./bin/cli-connect --idle 100 --hold 3 --quiet localhost:8888
 *
 * Things to notice
 *   - Each wakeup is one line: "epoll_pwait(4, ...) -> 2 ready of 7
 *     watched"; then the calls it made possible, as srv-iter's.
 *   - "recv(5) -> EAGAIN" right after accept4(): the client is connected
 *     but its request has not come yet. srv-iter would wait for it; the
 *     loop goes back to waiting for everything, this connection included.
 *   - select() cannot watch a descriptor numbered FD_SETSIZE (1024) or
 *     more: that client gets a 503 and the server says why, rather than
 *     write past the end of its fd_set.
 *   - A client that trickles its request, sends nothing or never reads
 *     delays nobody: its bytes wait in its slot until the rest comes or
 *     --timeout passes.
 *   - --edge (EPOLLET): one wakeup announces every client that came
 *     since the last; accept4() until "EAGAIN: the queue is empty: N
 *     accepted in one wakeup". With --no-drain, one accept4() a wakeup:
 *     "no new event: N still in the accept queue", and epoll_pwait()
 *     sleeps while they wait (on_listener()).
 *
 * (Some 180 lines over socklab's 400: the non-blocking versions of
 * srv-iter's accept, recv and send, each with what it does when it cannot
 * go on, and the drain until EAGAIN that --edge needs, are the lesson; the
 * three ways to wait are in tools/srv-poll/watch.c.)
 *
 * See also
 *   docs/06-beyond-fork.md; tools/srv-poll/watch.h (select, poll, epoll);
 *   tools/srv-iter.c (socket..listen); tools/srv-poll/conns.h (the table);
 *   accept4(2), fcntl(2), recv(2), send(2), epoll(7) (EPOLLET),
 *   tcp(7) (TCP_DEFER_ACCEPT),
 *   srv-iter(1), cli-connect(1).
 */
#define _GNU_SOURCE /* accept4() on glibc */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "clock.h"
#include "srv-poll/conns.h"
#include "say.h"
#include "server/server.h"
#include "srv-poll/watch.h"

static const char *const PROG = "srv-poll";

struct opts {
	struct server s;
	enum watch_api api;
	int defer_accept; /* TCP_DEFER_ACCEPT, 1 s; 0 = off */
	int edge, drain;  /* --edge: EPOLLET; --no-drain: drain 0 */
};

/* The loop: how it waits, the listener, the connections, the counters. */
struct loop {
	const struct server *s;
	struct watch w;
	int lfd;
	short lfd_watched;
	long limit; /* the first descriptor refused (FD_SETSIZE...) */
	char *buf;  /* --max-request bytes: where recv() puts a request */
	struct conns t;
	unsigned long served, refused;
	int failed;                   /* accept() failed for good (EMFILE...) */
	int paused;                   /* EMFILE: the listener unwatched until
	                                 a close */
	int fd_said;                  /* ...said once (server_accept_full()) */
	int edge, drain;              /* --edge, and not --no-drain */
	unsigned long woke, accepted; /* the listener's wakeups, clients */
};

static int enough_descriptors(const struct opts *o);
static int start(struct loop *lp, const struct opts *o);
static void dispatch(struct loop *lp);
static void on_listener(struct loop *lp);
static int on_accept(struct loop *lp, int nth);
static double deadline_from_now(const struct loop *lp);
static void on_readable(struct loop *lp, struct conn *k, int first);
static int recv_some(struct loop *lp, struct conn *k, int first);
static void drop(struct loop *lp, struct conn *k);
static void send_rest(struct loop *lp, struct conn *k);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);
static int poll_option(void *ctx, int opt, const char *arg);

int main(int argc, char **argv)
{
	struct opts o;
	struct loop lp;
	long open;
	int rc, n, e, status = 0, started = 0;

	if (cli_start() != 0)
		return 1;
	server_init(&o.s, PROG);
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	memset(&lp, 0, sizeof lp);
	lp.s = &o.s;
	lp.lfd = lp.w.epfd = -1;
	conns_init(&lp.t);
	if (server_signals(&o.s) != 0 || start(&lp, &o) != 0)
		status = 1;
	else
		started = 1;

	/* The loop: wait for whatever is ready, handle it, again. The wait
	 * lets the stop signals in, and only the wait (tools/srv-poll/watch.h):
	 * one that comes while the loop is busy is delivered there, at once. */
	while (status == 0 && !server_stop && !lp.failed) {
		struct conn *first = conns_first(&lp.t);

		n = watch_wait(&lp.w, first ? first->deadline : 0,
		               &o.s.wait_mask);
		e = errno; /* the wait's: the narration may change errno */
		watch_say(&lp.w, n, e);
		if (n == -1 && e != EINTR) {
			cli_error(PROG, "wait: %s", strerror(e));
			status = 1;
		}
		/* With something ready, the wait let no signal in: one that
		 * came meanwhile is let in now, not at the next quiet moment. */
		if (n > 0)
			server_let_pending_in(&o.s);
		if (!server_stop)
			dispatch(&lp);
	}
	status = lp.failed ? 1 : status;

	/* The stop: every connection still open closed, and counted. */
	open = conns_close_all(&lp.t, &o.s);
	if (started && lp.edge) /* wakeups, clients, the queue left */
		conns_edge_said(lp.lfd, lp.woke, lp.accepted);
	if (lp.lfd != -1) {
		close(lp.lfd);
		say_fd(&o.s.say, "close", lp.lfd, NULL, "ok, no more clients");
	}
	watch_close(&lp.w);
	conns_free(&lp.t);
	free(lp.buf);
	if (started)
		conns_stopped(lp.served, open, lp.refused);
	return cli_finish(PROG, status);
}

/* socket..listen (srv-iter's), the descriptor limit, the listener
 * non-blocking, the API's set. Returns 0, or -1 after saying why. */
static int start(struct loop *lp, const struct opts *o)
{
	int flags;

	if (enough_descriptors(o) != 0)
		return -1; /* said why, before the ready line */
	lp->lfd = server_listen(lp->s);
	if (lp->lfd == -1)
		return -1;
	lp->limit = conns_limit(lp->s, o->api == WATCH_SELECT);
	if (lp->lfd >= lp->limit) {
		cli_error(PROG, "the listener is fd %d: %s", lp->lfd,
		          o->api == WATCH_SELECT ? "select() cannot watch it "
		                                   "(FD_SETSIZE)"
		                                 : "no descriptor left");
		return -1;
	}
#ifdef TCP_DEFER_ACCEPT
	/* --defer-accept: else the loop wakes for the connection, finds no
	 * request yet (EAGAIN), and wakes again when it comes. The kernel
	 * keeps the connection until its first bytes come (or 1 s). */
	if (o->defer_accept &&
	    setsockopt(lp->lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &o->defer_accept,
	               sizeof o->defer_accept) == -1) {
		cli_error(PROG, "setsockopt TCP_DEFER_ACCEPT: %s",
		          strerror(errno));
		return -1;
	}
	if (o->defer_accept)
		say_fd(&lp->s->say, "setsockopt", lp->lfd,
		       "TCP_DEFER_ACCEPT, 1", "ok");
#endif
	/* fcntl O_NONBLOCK: accept() on the listener never waits. */
	flags = fcntl(lp->lfd, F_GETFL);
	if (flags == -1 || fcntl(lp->lfd, F_SETFL, flags | O_NONBLOCK) == -1) {
		cli_error(PROG, "fcntl O_NONBLOCK: %s", strerror(errno));
		return -1;
	}
	say_fd(&lp->s->say, "fcntl", lp->lfd, "F_SETFL, O_NONBLOCK", "ok");
	lp->buf = malloc((size_t)lp->s->max_request);
	if (lp->buf == NULL) {
		cli_error(PROG, "out of memory");
		return -1;
	}
	if (watch_open(&lp->w, o->api, lp->limit, PROG, &lp->s->say) == -1)
		return -1;
	lp->w.edge = lp->edge = o->edge; /* --edge: EPOLLET on each */
	lp->drain = o->drain;
	return watch_set(&lp->w, lp->lfd, &lp->lfd_watched, POLLIN, 0);
}

/* Before the ready line: a server that could not serve one client says so
 * and does not start. It needs, above the descriptors open now, the
 * listener, epoll's own (--api epoll) and one for a client (at worst, to
 * answer it 503): under a hard RLIMIT_NOFILE too low for them, accept()
 * would fail with EMFILE at the first client. Silent when there are
 * enough: the narration stays the lesson's. Returns 0, or 1 (said why). */
static int enough_descriptors(const struct opts *o)
{
	struct rlimit rl;
	int next = fcntl(0, F_DUPFD, 0); /* the lowest free descriptor */
	long need;

	if (next == -1 && (errno == EMFILE || errno == ENFILE))
		return cli_error(PROG, "no descriptor free: cannot serve "
		                       "any client");
	if (next != -1)
		close(next);
	if (next == -1 || getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_max == RLIM_INFINITY)
		return 0; /* stdin closed, or no limit: nothing to check */
	need = (long)next + 2 + (o->api == WATCH_EPOLL);
	if ((long)rl.rlim_max >= need)
		return 0;
	cli_error(PROG,
	          "RLIMIT_NOFILE is %ld: too few descriptors to serve a client "
	          "(%d open, and it needs %s one for the client)",
	          (long)rl.rlim_max, next,
	          o->api == WATCH_EPOLL ? "the listener, epoll's and"
	                                : "the listener and");
	cli_hint(PROG, "raise the limit (ulimit -n %ld) and start it again",
	         need);
	return 1;
}

/* What each ready descriptor is for: the listener, a request to read, a
 * reply to send. Then the connections whose deadline has passed. */
static void dispatch(struct loop *lp)
{
	struct conn *k;
	int i;

	for (i = 0; i < lp->w.nready && !lp->failed; i++) {
		if (lp->w.ready[i] == lp->lfd) {
			on_listener(lp);
			continue;
		}
		k = conns_get(&lp->t, lp->w.ready[i]);
		if (k != NULL && k->state == CONN_READING)
			on_readable(lp, k, 0);
		else if (k != NULL)
			send_rest(lp, k);
	}
	while ((k = conns_first(&lp->t)) != NULL &&
	       k->deadline <= clock_now()) {
		conns_expired(lp->s, k);
		drop(lp, k);
	}
}

/* The listener is ready: one client waits in the queue, or more.
 * Level-triggered, one accept() a wakeup is enough: while others wait, the
 * next wait returns at once. Edge-triggered (--edge), the wait said it once
 * for all that came meanwhile: accept() until EAGAIN, or those left wait
 * with no event to come, until another client arrives (--no-drain). */
static void on_listener(struct loop *lp)
{
	int n = 0, rc;

	lp->woke++;
	while ((rc = on_accept(lp, n)) != 0) {
		n += rc == 1;
		if (rc == -1 || !lp->edge || !lp->drain)
			break;
	}
	if (lp->edge && !lp->drain && rc == 1)
		conns_left_waiting(lp->s, lp->lfd);
}

/* accept4: one client of the queue. nth: how many this wakeup took
 * before. Returns 1 (one taken), 2 (that one had gone: try the next), 0
 * (EAGAIN: the queue is empty), -1 (accept() failed for good, or no
 * descriptor is free and the listener waits for a close: lp->paused). */
static int on_accept(struct loop *lp, int nth)
{
	struct client c = { .addrlen = sizeof c.addr };
	char pair[ADDR_PAIRLEN], err[128];
	struct conn *k;

	/* accept4: the connection, non-blocking from the start. The
	 * listener is non-blocking too: a client that reset its connection
	 * after the wakeup leaves the queue empty, and accept() would wait;
	 * now it returns EAGAIN. */
#ifdef SOCK_NONBLOCK
	c.fd = accept4(lp->lfd, (struct sockaddr *)&c.addr, &c.addrlen,
	               SOCK_NONBLOCK);
#else
	c.fd = accept(lp->lfd, (struct sockaddr *)&c.addr, &c.addrlen);
	if (c.fd != -1 && fcntl(c.fd, F_SETFL, O_NONBLOCK) == -1) {
		close(c.fd);
		c.fd = -1;
	}
#endif
	if (c.fd == -1) {
		int e = errno;

		if ((e == EAGAIN || e == EWOULDBLOCK) && nth == 0) {
			say_fd(&lp->s->say, "accept4", lp->lfd, "SOCK_NONBLOCK",
			       "EAGAIN: the client has gone");
			return 0;
		}
		if (e == EAGAIN || e == EWOULDBLOCK) {
			say_fd(&lp->s->say, "accept4", lp->lfd, "SOCK_NONBLOCK",
			       "EAGAIN: the queue is empty: %d accepted in "
			       "one wakeup",
			       nth);
			return 0;
		}
		if (server_accept_full(lp->s, e, lp->t.open, &lp->fd_said)) {
			/* EMFILE with connections open: the listener is not
			 * watched until one of them closes (drop()). */
			say_fd(&lp->s->say, "accept4", lp->lfd, "SOCK_NONBLOCK",
			       "%s: no descriptor free; the listener is not "
			       "watched until a connection closes",
			       e == EMFILE ? "EMFILE" : "ENFILE");
			lp->paused = watch_set(&lp->w, lp->lfd,
			                       &lp->lfd_watched, 0, 0) == 0;
			lp->failed = !lp->paused;
			return -1; /* no more accept() in this wakeup */
		}
		if (server_accept_failed(lp->s, e, NULL) == 0)
			return 2; /* ECONNABORTED...: that client is gone */
		lp->failed = 1;   /* EMFILE...: said why */
		return -1;
	}
	lp->accepted++;
	if (!lp->s->say.quiet) {
		if (addr_pair(c.fd, pair, sizeof pair, err, sizeof err) == -1)
			snprintf(pair, sizeof pair, "(unknown: %s)", err);
		say_fd(&lp->s->say, "accept4", lp->lfd, "SOCK_NONBLOCK",
		       "fd %d, socket pair %s", c.fd, pair);
	}
	if (c.fd >= lp->limit) { /* FD_SETSIZE, RLIMIT_NOFILE: a 503 */
		conns_refuse(lp->s, c.fd, lp->limit, lp->w.api == WATCH_SELECT,
		             &lp->refused);
		return 1;
	}
	k = conns_add(&lp->t, &c, deadline_from_now(lp));
	if (k == NULL) {
		cli_error(PROG, "out of memory for a connection");
		server_refuse(lp->s, c.fd);
		return 1;
	}
	on_readable(lp, k, 1); /* the request may be there already */
	return 1;
}

/* The deadline of a connection: --timeout from now (0: none). */
static double deadline_from_now(const struct loop *lp)
{
	return lp->s->timeout > 0 ? clock_now() + lp->s->timeout : 0;
}

/* recv: what the client has sent since; the request, once complete, is
 * printed and answered. first: just accepted (nothing waited for yet).
 * With --edge, recv() again until EAGAIN: bytes left in the socket bring
 * no new event. */
static void on_readable(struct loop *lp, struct conn *k, int first)
{
	while (recv_some(lp, k, first) == 1)
		first = 0;
}

/* One recv() of on_readable(). Returns 1 when --edge must call it again
 * (part of a request came), else 0. */
static int recv_some(struct loop *lp, struct conn *k, int first)
{
	const struct server *s = lp->s;
	size_t have = k->len, cap = (size_t)s->max_request;
	enum http_framing framing = HTTP_COMPLETE;
	ssize_t n;

	if (have > 0) /* the bytes that came before, then the new ones */
		memcpy(lp->buf, k->buf, have);
	/* Non-blocking: EAGAIN at once when nothing has come. */
	n = recv(k->c.fd, lp->buf + have, cap - have, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		if (first)
			say_fd(&s->say, "recv", k->c.fd, NULL,
			       "EAGAIN: nothing yet; wait for POLLIN");
		else if (lp->edge)
			say_fd(&s->say, "recv", k->c.fd, NULL,
			       "EAGAIN: all read; EPOLLET: wait for new bytes");
		if (watch_set(&lp->w, k->c.fd, &k->watched, POLLIN, 0) == -1)
			drop(lp, k);
		return 0;
	}
	if (n == -1) { /* ECONNRESET: the client reset the connection */
		server_no_request(s, &k->c, errno, have);
		drop(lp, k);
		return 0;
	}
	if (n == 0) {
		say_fd(&s->say, "recv", k->c.fd, NULL,
		       "0 (the client closed its side)");
		if (have == 0) {
			server_no_request(s, &k->c, 0, 0);
			drop(lp, k);
			return 0;
		} /* else answer what came: the client may still read */
	} else {
		say_fd(&s->say, "recv", k->c.fd, NULL, "%zd bytes", n);
		framing = http_framing(lp->buf, have + (size_t)n, cap);
		have += (size_t)n;
	}
	if (framing == HTTP_TOO_LARGE) {
		server_no_request(s, &k->c, EMSGSIZE, have);
		drop(lp, k);
	} else if (framing == HTTP_MORE) { /* kept until the rest comes */
		if (conns_keep(k, lp->buf + k->len, (size_t)n) == -1) {
			cli_error(PROG, "out of memory for a request");
			drop(lp, k);
		} else if (lp->edge && lp->drain) {
			return 1; /* --edge: recv() again, until EAGAIN */
		} else if (watch_set(&lp->w, k->c.fd, &k->watched, POLLIN, 0) ==
		           -1) {
			drop(lp, k);
		}
	} else { /* the request, as srv-iter prints it; then the reply */
		say_data(&s->say, lp->buf, have);
		conns_keep_none(k);
		k->state = CONN_WRITING;
		k->out = http_reply(200, s->content_length, &k->outlen);
		send_rest(lp, k);
	}
	return 0;
}

/* A connection is over: no longer watched, closed, its slot freed. */
static void drop(struct loop *lp, struct conn *k)
{
	int fd = k->c.fd;

	watch_set(&lp->w, fd, &k->watched, 0, 1);
	conns_remove(&lp->t, k);
	/* close: FIN; for the client, the end of the reply. */
	if (close(fd) == -1)
		cli_error(PROG, "close: %s", strerror(errno));
	else
		say_fd(&lp->s->say, "close", fd, NULL, "ok, connection closed");
	/* A descriptor is free: the listener is watched again. */
	if (lp->paused &&
	    watch_set(&lp->w, lp->lfd, &lp->lfd_watched, POLLIN, 0) == 0)
		lp->paused = 0;
}

/* send: as much of the reply as the socket takes now; what it does not
 * take waits in the slot, and the loop watches the socket for room. */
static void send_rest(struct loop *lp, struct conn *k)
{
	ssize_t n = send(k->c.fd, k->out, k->outlen, MSG_NOSIGNAL);
	char who[ADDR_STRLEN];

	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
		cli_error(PROG, "send to %s: %s",
		          server_client_name(&k->c, who, sizeof who),
		          strerror(errno));
		drop(lp, k);
		return;
	}
	if (n > 0) {
		k->out += n;
		k->outlen -= (size_t)n;
		say_fd(&lp->s->say, "send", k->c.fd, "\"HTTP/1.1 200 OK...\"",
		       "%zd bytes%s", n, k->outlen ? ", the rest later" : "");
	}
	if (k->outlen == 0) {
		lp->served++;
		drop(lp, k);
		return;
	}
	if (n == -1)
		say_fd(&lp->s->say, "send", k->c.fd, NULL,
		       "EAGAIN: the socket is full; wait for POLLOUT");
	if (k->watched != POLLOUT) /* a new deadline, for the reply */
		conns_rearm(&lp->t, k, deadline_from_now(lp));
	if (watch_set(&lp->w, k->c.fd, &k->watched, POLLOUT, 0) == -1)
		drop(lp, k);
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "api", required_argument, NULL, 'A' },
		{ "defer-accept", no_argument, NULL, 'D' },
		{ "edge", no_argument, NULL, 'E' },
		{ "no-drain", no_argument, NULL, 'N' },
		SERVER_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int rc;

#ifdef __linux__
	o->api = WATCH_EPOLL;
#else
	o->api = WATCH_POLL;
#endif
	o->defer_accept = o->edge = 0;
	o->drain = 1;
	rc = server_parse_args(&o->s, argc, argv, SERVER_SHORT_OPTS, longopts,
	                       usage, poll_option, o);
	if (rc == CLI_OK && o->edge && o->api != WATCH_EPOLL)
		return cli_usage_error(PROG,
		                       "--edge is epoll's (EPOLLET): "
		                       "select and poll are level-triggered "
		                       "only; use --api epoll");
	if (rc == CLI_OK && !o->drain && !o->edge)
		return cli_usage_error(PROG, "--no-drain goes with --edge");
	return rc;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "One process serves every client at once: non-blocking sockets and\n"
	       "an event loop (select, poll or epoll) that narrates each wakeup.\n"
	       "\n"
	       "Options:\n"
	       "      --api API         how to wait: select, poll or epoll (default\n"
	       "                        epoll on Linux, poll elsewhere)\n"
	       "      --defer-accept    the kernel hands over a connection once its\n"
	       "                        first bytes have come, or after a second\n"
	       "                        (TCP_DEFER_ACCEPT, Linux): one wakeup per\n"
	       "                        request instead of two\n"
	       "      --edge            epoll edge-triggered (EPOLLET): one event per\n"
	       "                        arrival, so accept() and recv() until EAGAIN\n"
	       "      --no-drain        with --edge, the mistake: one accept() and one\n"
	       "                        recv() per event; clients are left waiting\n" SERVER_OPTIONS_HELP
	       "\n"
	       "--timeout is each connection's own deadline, for its whole request,\n"
	       "then for its reply. Descriptors: the soft RLIMIT_NOFILE is raised to\n"
	       "the hard limit; the last descriptor is not used (with select, none\n"
	       "from FD_SETSIZE on): such a client gets 503. Should accept() find\n"
	       "none free all the same (EMFILE: the limit lowered from outside),\n"
	       "the listener is not watched until a connection closes.\n" SERVER_SIGNALS_HELP
	       "On a stop it closes every connection still open and counts them.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (port in use...), 2 usage.\n",
	       PROG);
}

/* --api, --defer-accept, --edge, --no-drain: long options only. */
static int poll_option(void *ctx, int opt, const char *arg)
{
	struct opts *o = ctx;

	if (opt == 'E' || opt == 'N') {
		*(opt == 'E' ? &o->edge : &o->drain) = opt == 'E';
		return 0;
	}
	if (opt == 'D') {
#ifdef TCP_DEFER_ACCEPT
		o->defer_accept = 1;
		return 0;
#else
		return cli_usage_error(PROG, "--defer-accept is Linux's");
#endif
	}
	if (opt != 'A')
		return 1;
	if (strcmp(arg, "select") == 0)
		o->api = WATCH_SELECT;
	else if (strcmp(arg, "poll") == 0)
		o->api = WATCH_POLL;
	else if (strcmp(arg, "epoll") != 0)
		return cli_usage_error(PROG,
		                       "invalid api '%s': expected select, poll "
		                       "or epoll",
		                       arg);
#ifdef __linux__
	else
		o->api = WATCH_EPOLL;
#else
	else
		return cli_usage_error(PROG, "epoll is Linux's: use poll or "
		                             "select here");
#endif
	return 0;
}
