/*
 * server: what the servers share that is not the lesson (see server.h):
 * options, the stop signals and the waits, accept()'s errors, the 503
 * refusal, the last line. The article's calls are in tools/srv-iter.c.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "net.h"
#include "num.h"
#include "sig.h"
#include "tcpinfo.h"
#include "trace.h"

volatile sig_atomic_t server_stop = 0;

static int server_trace_open(const struct server *s, int argc, char **argv);

void server_init(struct server *s, const char *prog)
{
	memset(s, 0, sizeof *s);
	s->prog = prog;
	snprintf(s->host, sizeof s->host, "%s", SERVER_HOST);
	s->port = SERVER_PORT;
	s->backlog = SERVER_BACKLOG;
	s->timeout = SERVER_TIMEOUT;
	s->max_request = HTTP_MAX_REQUEST;
	say_init(&s->say, 0);
	sigemptyset(&s->wait_mask);
	sigemptyset(&s->run_mask);
}

int server_option(struct server *s, int opt, const char *arg)
{
	char err[256];
	long n;

	switch (opt) {
	case 'p':
		if (num_parse_port(arg, &s->port, err, sizeof err) == -1)
			return cli_usage_error(s->prog, "%s", err);
		return 0;
	case 'H':
		/* A name or an address; "[::1]" as a user writes IPv6 next to a
		 * port (net_resolve() takes the brackets off). */
		if (arg[0] == '\0' || strlen(arg) >= sizeof s->host)
			return cli_usage_error(s->prog, "invalid host '%s': %s",
			                       arg,
			                       arg[0] ? "too long" : "empty");
		snprintf(s->host, sizeof s->host, "%s", arg);
		return 0;
	case 'b':
		if (num_parse_long(arg, 0, 65535, "backlog", &n, err,
		                   sizeof err) == -1)
			return cli_usage_error(s->prog, "%s", err);
		s->backlog = (int)n;
		return 0;
	case 'q':
		s->say.quiet = 1;
		return 0;
	case 'l':
		s->content_length = 1;
		return 0;
	case 't':
		if (num_parse_seconds(arg, 86400, "timeout", &s->timeout, err,
		                      sizeof err) == -1)
			return cli_usage_error(s->prog, "%s", err);
		return 0;
	case 'm':
		if (num_parse_long(arg, 16, 1048576, "max-request", &n, err,
		                   sizeof err) == -1)
			return cli_usage_error(s->prog, "%s", err);
		s->max_request = n;
		return 0;
	/* How a connection ends (lesson 7): SERVER_END_LONG_OPTS. */
	case SERVER_OPT_NO_REUSEADDR:
		s->no_reuseaddr = 1;
		return 0;
	case SERVER_OPT_SIGPIPE:
		s->sigpipe = 1;
		return 0;
	case SERVER_OPT_TRACE: /* opened once the options are read */
		s->trace = arg;
		return 0;
	default:
		return 1;
	}
}

int server_parse_args(struct server *s, int argc, char **argv,
                      const char *shortopts, const struct option *longopts,
                      void (*usage)(void),
                      int (*own)(void *ctx, int opt, const char *arg),
                      void *ctx)
{
	int opt, rc;

	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		if (opt == 'h') {
			usage();
			return CLI_DONE;
		}
		if (opt == 'V') {
			cli_version(s->prog);
			return CLI_DONE;
		}
		rc = own != NULL ? own(ctx, opt, optarg) : 1;
		if (rc == 1)
			rc = server_option(s, opt, optarg);
		if (rc == 1)
			return cli_bad_option(s->prog, longopts, opt, optopt,
			                      argv[optind - 1]);
		if (rc != 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error(s->prog, "unexpected argument '%s'",
		                       argv[optind]);
	return server_trace_open(s, argc, argv);
}

/* --trace FILE: what the narration says, as events (lib/trace.h). The
 * events are read from the narrated lines, so there are none to write
 * under --quiet. Returns CLI_OK, 2 (usage) or 1 (the file). */
static int server_trace_open(const struct server *s, int argc, char **argv)
{
	char err[512];

	if (s->trace == NULL)
		return CLI_OK;
	if (s->say.quiet)
		return cli_usage_error(s->prog,
		                       "--trace records the narration: not with "
		                       "--quiet");
	if (trace_open(s->trace, s->prog, argc, argv, err, sizeof err) == -1)
		return cli_error(s->prog, "--trace %s", err);
	return CLI_OK;
}

/* ------------------------------------------------------- stop signals */

static void on_stop(int sig)
{
	say_signal(sig); /* --trace */
	server_stop = 1;
}

/* sig_catch_stops() ignores SIGPIPE; --sigpipe, the mistake, puts back
 * its default action: the process dies of it (lesson 7). */
static int sigpipe_default(const struct server *s, char *err, size_t errlen)
{
	return s->sigpipe ? sig_catch(SIGPIPE, SIG_DFL, 0, err, errlen) : 0;
}

/* Blocked outside the waits: server.h, server_wait(), says why. */
int server_signals(struct server *s)
{
	sigset_t stops;
	char err[128];

	if (sig_catch_stops(on_stop, 0, err, sizeof err) == -1 ||
	    sigpipe_default(s, err, sizeof err) == -1)
		return cli_error(s->prog, "%s", err);
	sig_stop_set(&stops);
	say_stops(s->prog, &server_stop, &stops); /* no stop waits on stdout */
	if (sigprocmask(SIG_BLOCK, &stops, &s->wait_mask) == -1 ||
	    sigprocmask(SIG_BLOCK, NULL, &s->run_mask) == -1)
		return cli_error(s->prog, "sigprocmask: %s", strerror(errno));
	return 0;
}

int server_stops_unblocked(struct server *s)
{
	sigset_t stops;
	char err[128];

	/* SA_RESTART: a write() to a slow terminal or pipe that the handler
	 * interrupts goes on; the waits (ppoll) return EINTR all the same. */
	if (sig_catch_stops(on_stop, SA_RESTART, err, sizeof err) == -1 ||
	    sigpipe_default(s, err, sizeof err) == -1)
		return cli_error(s->prog, "%s", err);
	/* test_mask: the mask of now with the stop signals blocked. */
	sig_stop_set(&stops);
	say_stops(s->prog, &server_stop, &stops); /* no stop waits on stdout */
	if (sigprocmask(SIG_BLOCK, &stops, &s->wait_mask) == -1 ||
	    sigprocmask(SIG_SETMASK, &s->wait_mask, &s->test_mask) == -1)
		return cli_error(s->prog, "sigprocmask: %s", strerror(errno));
	s->run_mask = s->wait_mask;
	s->stops_unblocked = 1;
	return 0;
}

int server_nonblocking(const struct server *s, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return cli_error(s->prog, "fcntl O_NONBLOCK: %s",
		                 strerror(errno));
	return 0;
}

int server_block(struct server *s, int sig)
{
	sigset_t one;

	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sigprocmask(SIG_BLOCK, &one, &s->run_mask) == -1)
		return cli_error(s->prog, "sigprocmask: %s", strerror(errno));
	sigaddset(&s->run_mask, sig);
	return 0;
}

int server_wait(const struct server *s, int fd, short events, double deadline)
{
	int rc, e;

	if (!s->stops_unblocked)
		return clock_wait_fd(fd, events, deadline, &s->wait_mask);
	/* server_stops_unblocked(): blocked from the test to the wait. When
	 * they are let in again, one that came meanwhile runs its handler:
	 * the wait then says EINTR, as if it had come during the wait. */
	(void)sigprocmask(SIG_SETMASK, &s->test_mask, NULL);
	if (server_stop) {
		rc = -1;
		e = EINTR;
	} else {
		rc = clock_poll_fd(fd, events, deadline, &s->wait_mask);
		e = errno;
	}
	(void)sigprocmask(SIG_SETMASK, &s->run_mask, NULL);
	if (rc >= 0 && server_stop) {
		rc = -1;
		e = EINTR;
	}
	errno = e;
	return rc;
}

int server_sleep(const struct server *s, double secs)
{
	return clock_sleep(secs, &server_stop, &s->wait_mask);
}

void server_signals_in(const struct server *s, int on)
{
	(void)sigprocmask(SIG_SETMASK, on ? &s->wait_mask : &s->run_mask, NULL);
}

void server_let_pending_in(const struct server *s)
{
	(void)clock_deliver_pending(&s->wait_mask);
}

/* ------------------------------------------------------------ listening */

void server_bind_failed(const struct server *s, const char *where, int e)
{
	cli_error(s->prog, "bind %s: %s", where, strerror(e));
	if (e == EADDRINUSE)
		cli_hint(s->prog,
		         "is another server on port %u? try --port 0 to let the "
		         "kernel choose",
		         s->port);
	else if (e == EADDRNOTAVAIL)
		cli_hint(s->prog,
		         "%s is not an address of this host; try --host "
		         "127.0.0.1",
		         s->host);
	else if (e == EACCES)
		cli_hint(s->prog,
		         "ports below 1024 are reserved for root; try a "
		         "port above 1024");
}

/* Linux silently caps listen()'s backlog at net.core.somaxconn: say so.
 * The effective backlog comes from TCP_INFO where the kernel reports it,
 * else from /proc/sys/net/core/somaxconn. */
void server_say_backlog(const struct server *s, int lfd)
{
	unsigned waiting, effective;
	long somaxconn;
	char err[128];

	if (s->say.quiet)
		return;
	if (tcpinfo_queue(lfd, &waiting, &effective, err, sizeof err) == -1) {
		if (tcpinfo_somaxconn(&somaxconn, err, sizeof err) == -1 ||
		    s->backlog <= somaxconn)
			return;
		effective = (unsigned)somaxconn;
	}
	if (effective < (unsigned)s->backlog)
		say_note(&s->say,
		         "note: backlog %d capped to %u by net.core.somaxconn "
		         "(/proc/sys/net/core/somaxconn)",
		         s->backlog, effective);
}

void server_say_everywhere(const struct server *s, const struct sockaddr *sa)
{
	(void)s;
	if (addr_is_any(sa))
		printf("Listening on every interface (%s): other machines can "
		       "connect too.\n",
		       sa->sa_family == AF_INET6 ? "::" : "0.0.0.0");
}

/* --------------------------------------------------------------- serving */

void server_no_request(const struct server *s, const struct client *c, int e,
                       size_t len)
{
	char who[ADDR_STRLEN];
	const char *reply = NULL;
	size_t rlen;

	server_client_name(c, who, sizeof who);
	if (e == ETIMEDOUT || e == EAGAIN) {
		cli_error(s->prog,
		          "recv from %s: no request within %g s "
		          "(--timeout)",
		          who, s->timeout);
		if (len > 0)
			reply = http_reply(408, s->content_length, &rlen);
	} else if (e == EINTR) {
		cli_error(s->prog, "recv from %s: interrupted: stopping", who);
	} else if (e == EMSGSIZE) {
		cli_error(s->prog,
		          "request from %s is larger than %zu bytes "
		          "(--max-request)",
		          who, len);
		reply = http_reply(431, s->content_length, &rlen);
	} else if (e == 0) {
		cli_error(s->prog,
		          "%s closed the connection without sending a request",
		          who);
	} else {
		cli_error(s->prog, "recv from %s: %s", who, strerror(e));
	}
	/* The client may be gone: a failed send() has nothing to add. */
	if (reply != NULL &&
	    send(c->fd, reply, rlen, MSG_DONTWAIT | MSG_NOSIGNAL) > 0 &&
	    !s->say.quiet) {
		char call[64];

		snprintf(call, sizeof call, "send(%d, \"%.*s...\")", c->fd,
		         (int)strcspn(reply, "\r\n"), reply);
		say(&s->say, call, "%zu bytes", rlen);
	}
}

/* ------------------------------------------------------------- accept */

/* Why accept() failed with e, one of EMFILE, ENFILE, ENOBUFS, ENOMEM:
 * the cause and a hint (hint, or the usual one when NULL). */
static void say_no_room(const struct server *s, int e, const char *hint)
{
	switch (e) {
	case EMFILE:
		cli_error(s->prog,
		          "accept: %s (EMFILE): this process has used up its "
		          "descriptors (RLIMIT_NOFILE)",
		          strerror(e));
		cli_hint(s->prog, "%s",
		         hint != NULL ? hint
		                      : "raise the limit before starting the "
		                        "server (ulimit -n)");
		return;
	case ENFILE:
		cli_error(s->prog,
		          "accept: %s (ENFILE): the system has used up its "
		          "descriptors",
		          strerror(e));
		cli_hint(s->prog, "%s",
		         hint != NULL
		                 ? hint
		                 : "close programs that hold many files, or "
		                   "raise fs.file-max (sysctl)");
		return;
	case ENOBUFS:
	case ENOMEM:
		cli_error(s->prog,
		          "accept: %s (%s): the kernel has no memory left for "
		          "this connection",
		          strerror(e), e == ENOBUFS ? "ENOBUFS" : "ENOMEM");
		cli_hint(s->prog, "%s",
		         hint != NULL ? hint
		                      : "free memory (or socket buffers: "
		                        "net.ipv4.tcp_mem), then start the "
		                        "server again");
		return;
	default:
		break;
	}
}

int server_accept_failed(const struct server *s, int e, const char *hint)
{
	switch (e) {
	case EINTR: /* a signal handler ran: the loop tests server_stop */
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return 0;
	/* The client, not the server: it reset its connection while it
	 * waited in the queue, or Linux passes on a network error of that
	 * connection. Say so, and take the next one. */
	case ECONNABORTED:
	case EPROTO:
	case EPERM: /* a firewall rule refused it */
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTDOWN:
	case EHOSTUNREACH:
	case ENOPROTOOPT:
	case EOPNOTSUPP:
	case ETIMEDOUT:
		cli_error(s->prog, "accept: %s: that client is gone; going on",
		          strerror(e));
		return 0;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		say_no_room(s, e, hint);
		break;
	default: /* the listener itself is broken: EBADF, EINVAL... */
		cli_error(s->prog, "accept: %s: stopping", strerror(e));
		return 1;
	}
	/* A client is waiting in the queue, so accept() would fail again at
	 * once: retrying would spin at 100% CPU and flood the log. */
	cli_error(s->prog, "%s: stopping",
	          e == EMFILE || e == ENFILE ? "no descriptor will be freed"
	                                     : "retrying would only spin");
	return 1;
}

int server_accept_full(const struct server *s, int e, long held, int *said)
{
	if ((e != EMFILE && e != ENFILE) || held <= 0)
		return 0;
	if (*said)
		return 1;
	*said = 1;
	say_no_room(s, e, NULL);
	cli_error(s->prog,
	          "%ld connection%s open: accept() waits until one is closed, "
	          "then goes on (said once)",
	          held, held == 1 ? " is" : "s are");
	return 1;
}

void server_accepted(const struct server *s, int lfd, const struct client *c)
{
	char pair[ADDR_PAIRLEN], err[128];

	if (s->say.quiet)
		return;
	if (addr_pair(c->fd, pair, sizeof pair, err, sizeof err) == -1)
		snprintf(pair, sizeof pair, "(unknown: %s)", err);
	say_fd(&s->say, "accept", lfd, NULL, "fd %d, socket pair %s", c->fd,
	       pair);
}

const char *server_client_name(const struct client *c, char *buf, size_t len)
{
	if (c->addrlen == 0 || addr_format((const struct sockaddr *)&c->addr,
	                                   c->addrlen, buf, len) != 0)
		snprintf(buf, len, "the client");
	return buf;
}

/* ------------------------------------------------------------ refusing */

/* No child for this client (the cap, or fork() failed): a 503, then close.
 * Closing a socket with unread data makes the kernel send RST instead of
 * FIN, and a client that gets RST reports "connection reset", not our 503.
 * So we read what the client has sent so far, and shutdown(SHUT_WR) sends
 * the FIN right after the 503: should more of the request arrive before (or
 * after) close(), the RST then comes after the end of the reply. */
void server_refuse(const struct server *s, int conn)
{
	char drain[4096];
	size_t len;
	const char *reply = http_reply(503, s->content_length, &len);

	while (recv(conn, drain, sizeof drain, MSG_DONTWAIT) > 0)
		;
	if (send(conn, reply, len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		cli_error(s->prog, "send 503: %s", strerror(errno));
	shutdown(conn, SHUT_WR);
	close(conn);
	say_fd(&s->say, "close", conn, NULL,
	       "ok, answered 503 Service Unavailable");
}

void server_stopped(unsigned long served)
{
	printf("Stopped: served %lu request%s.\n", served,
	       served == 1 ? "" : "s");
}

/* ------------------------------------------------------ shared memory */

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON /* older macOS */
#endif

void *server_shared(size_t size)
{
	/* fd -1: no file, as MAP_ANONYMOUS asks (cppcheck knows only files). */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	               /* cppcheck-suppress invalidFunctionArg */
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	return p; /* zeroed, as mmap() gives it */
}

void server_shared_free(void *p, size_t size)
{
	munmap(p, size);
}
