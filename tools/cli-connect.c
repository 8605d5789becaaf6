/*
 * cli-connect - the article's client, in C.
 *
 * What it demonstrates
 *   A client needs only socket() and connect(): no bind(), no listen(), no
 *   accept(). The kernel gives its socket an ephemeral local port during
 *   connect(). The client then sends its bytes and reads the reply until the
 *   server closes the connection.
 *   With --clients N it is the article's client3: it forks N clients that
 *   each connect, send GET /hello and (unless --read) exit without reading,
 *   then it reaps them all and sums up what happened.
 *
 * Usage
 *   cli-connect [--port PORT] [--bind ADDR[:PORT]] [--send TEXT | --http PATH]
 *               [--timeout S] [--quiet] [HOST[:PORT] | [IPV6]:PORT]
 *   cli-connect --clients N [--conns M] [--read] [--json] [--send TEXT |
 *               --http PATH] [--timeout S] [HOST[:PORT]]
 *
 * Try it
 *   ./bin/srv-iter &                          # the server, port 8888
 *   ./bin/cli-connect                         # sends "test", like the article
 *   ./bin/cli-connect --http /hello localhost:8888
 *   ./bin/srv-iter --host 127.12.12.3 --port 8888 &
 *   ./bin/cli-connect --bind 127.10.10.2 127.12.12.3:8888   # the figure
 *   ./bin/cli-connect --clients 128 localhost:8888          # client3
 *
 * Things to notice
 *   - The socket pair the client prints, {local, remote}, is the server's
 *     pair mirrored: {remote, local}.
 *   - The local port was not chosen by us: connect() picked it.
 *   - The reply arrives at once, but the client only finishes when the
 *     server closes (recv() returns 0): that is the end of this reply.
 *   - --clients: each client is a child process; the parent waits for every
 *     one of them (waitpid), so none is left a zombie, and collects their
 *     results through a pipe.
 *
 * See also
 *   docs/01-iterative-server.md; socket(2), connect(2), getsockname(2),
 *   send(2), recv(2), fork(2), waitpid(2), pipe(2), srv-iter(1),
 *   srv-fork(1), show-ephemeral-port(1); docs/05-fork-and-zombies.md.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "net.h"
#include "num.h"
#include "say.h"
#include "text.h"

static const char *const PROG = "cli-connect";

struct client_opts {
	char host[256];
	unsigned short port;
	char bind_host[256]; /* "" = let the kernel choose */
	unsigned short bind_port;
	const char *payload; /* the article's client sends "test" */
	char request[1100];  /* --http PATH builds a GET request here */
	double timeout;
	int quiet;
	long clients;     /* --clients: 0 = the single narrated client */
	long conns;       /* connections per client */
	int read_replies; /* --read */
	int json;
	int payload_given; /* --send or --http */
	struct say say;    /* the narration (quiet with --quiet) */
};

static void usage(void)
{
	printf("Usage: %s [OPTION]... [HOST[:PORT] | [IPV6]:PORT]\n"
	       "The article's client: connect to a server (default localhost:8888),\n"
	       "send 'test', print the reply until the server closes, narrating\n"
	       "each system call.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --port PORT       server port (default 8888, or the one in\n"
	       "                        HOST:PORT)\n"
	       "  -B, --bind ADDR[:PORT]\n"
	       "                        bind the client's socket to ADDR first (any\n"
	       "                        of 127.0.0.0/8 is this machine on Linux);\n"
	       "                        port 0 or none: the kernel chooses\n"
	       "  -s, --send TEXT       send TEXT instead of 'test'\n"
	       "  -g, --http PATH       send 'GET PATH HTTP/1.1' with a Host header\n"
	       "  -t, --timeout S       give up on connect or a silent server after\n"
	       "                        S seconds (default 10; 0 waits forever)\n"
	       "  -q, --quiet           print only the reply\n"
	       "\n"
	       "Many clients at once (the article's client3):\n"
	       "  -n, --clients N       fork N clients (1 to 10000); each connects,\n"
	       "                        sends 'GET /hello HTTP/1.1' (or --send,\n"
	       "                        --http) and exits without reading the reply;\n"
	       "                        then print a summary: connections, replies,\n"
	       "                        failures by reason, elapsed time\n"
	       "  -m, --conns M         connections per client, kept open until the\n"
	       "                        client exits (default 1; 1 to 1000)\n"
	       "  -r, --read            each client reads every reply to the end\n"
	       "  -j, --json            the summary as one JSON object\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 the whole reply was read, 1 runtime failure (refused,\n"
	       "unreachable, timed out, unresolvable, reset), 2 usage. With\n"
	       "--clients: 0 when every connection was made (and, with --read, every\n"
	       "reply read), 1 otherwise.\n"
	       "Example: %s --http /hello localhost:8888\n",
	       PROG, PROG);
}

static int parse_args(struct client_opts *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'B' },
		{ "send", required_argument, NULL, 's' },
		{ "http", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "clients", required_argument, NULL, 'n' },
		{ "conns", required_argument, NULL, 'm' },
		{ "read", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	char err[256];
	int opt, has_port, port_given = 0, conns_given = 0;
	unsigned short port;

	snprintf(c->host, sizeof c->host, "localhost");
	c->port = 8888;
	c->payload = "test";
	c->timeout = 10;
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":p:B:s:g:t:qn:m:rjhV", longopts,
	                          NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (num_parse_port(optarg, &c->port, err, sizeof err) ==
			    -1)
				return cli_usage_error(PROG, "%s", err);
			port_given = 1;
			break;
		case 'B':
			if (addr_parse(optarg, c->bind_host,
			               sizeof c->bind_host, &has_port, &port,
			               err, sizeof err) == -1)
				return cli_usage_error(PROG, "--bind: %s", err);
			c->bind_port = has_port ? port : 0;
			break;
		case 's':
			c->payload = optarg;
			c->payload_given = 1;
			break;
		case 'g':
			if (optarg[0] != '/' || strlen(optarg) > 1000 ||
			    strpbrk(optarg, " \r\n") != NULL)
				return cli_usage_error(PROG,
				                       "invalid path '%s': must start "
				                       "with '/', without spaces",
				                       optarg);
			path = optarg;
			c->payload_given = 1;
			break;
		case 't':
			if (num_parse_seconds(optarg, 86400, "timeout",
			                      &c->timeout, err,
			                      sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'n':
			if (num_parse_long(optarg, 1, 10000, "clients",
			                   &c->clients, err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'm':
			if (num_parse_long(optarg, 1, 1000, "conns", &c->conns,
			                   err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			conns_given = 1;
			break;
		case 'r':
			c->read_replies = 1;
			break;
		case 'j':
			c->json = 1;
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
	}
	if (optind < argc) {
		if (addr_parse(argv[optind], c->host, sizeof c->host, &has_port,
		               &port, err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		if (has_port && port_given && port != c->port)
			return cli_usage_error(PROG,
			                       "two ports given: %u and %u",
			                       port, c->port);
		if (has_port)
			c->port = port;
		optind++;
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);
	if (c->clients == 0 && (conns_given || c->read_replies || c->json))
		return cli_usage_error(PROG, "%s works only with --clients N",
		                       conns_given       ? "--conns"
		                       : c->read_replies ? "--read"
		                                         : "--json");
	if (c->clients > 0 && c->bind_host[0] != '\0')
		return cli_usage_error(PROG,
		                       "--bind works only with a single client");
	if (c->conns == 0)
		c->conns = 1;
	if (path == NULL && c->clients > 0 && !c->payload_given)
		path = "/hello"; /* client3 sends GET /hello */
	if (path != NULL && c->clients > 0) {
		/* The article's client3 request: no User-Agent, no Connection. */
		snprintf(c->request, sizeof c->request,
		         "GET %s HTTP/1.1\r\nHost: %s:%u\r\n\r\n", path,
		         c->host, c->port);
		c->payload = c->request;
		return 0;
	}
	if (path != NULL) {
		snprintf(c->request, sizeof c->request,
		         "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: cli-connect\r\n"
		         "Connection: close\r\n\r\n",
		         path, c->host, c->port);
		c->payload = c->request;
	}
	return 0;
}

/* bind() before connect(): only to choose our own address (--bind). */
static int bind_local(const struct client_opts *c, int fd, int family)
{
	struct addrinfo *res, *ai;
	char err[512], where[ADDR_STRLEN], call[128];

	if (net_resolve(c->bind_host, c->bind_port, 1, &res, err, sizeof err) ==
	    -1)
		return cli_error(PROG, "--bind: %s", err);
	for (ai = res; ai != NULL && ai->ai_family != family; ai = ai->ai_next)
		;
	if (ai == NULL) {
		freeaddrinfo(res);
		return cli_error(PROG,
		                 "--bind %s: not an %s address like the server's",
		                 c->bind_host,
		                 family == AF_INET6 ? "IPv6" : "IPv4");
	}
	if (addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof where) != 0)
		snprintf(where, sizeof where, "%.64s", c->bind_host);
	snprintf(call, sizeof call, "bind(%d, %s)", fd, where);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		int e = errno;

		freeaddrinfo(res);
		cli_error(PROG, "bind %s: %s", where, strerror(e));
		if (e == EADDRNOTAVAIL)
			cli_hint(PROG, "%s is not an address of this host",
			         c->bind_host);
		return 1;
	}
	freeaddrinfo(res);
	say(&c->say, call, "ok");
	return 0;
}

static void connect_failed(const struct client_opts *c, const char *where,
                           int e)
{
	if (e == ETIMEDOUT)
		cli_error(PROG,
		          "connect to %s: timed out after %g s (no answer to "
		          "our SYN: a full listen queue, or a firewall)",
		          where, c->timeout);
	else
		cli_error(PROG, "connect to %s: %s", where, strerror(e));
	if (e == ECONNREFUSED)
		cli_hint(PROG,
		         "is a server listening there? start one with: "
		         "srv-iter --port %u",
		         c->port);
}

/* Reads until the server closes; prints what arrives, made safe. */
static int read_reply(const struct client_opts *c, int fd)
{
	char buf[4096], call[32];
	size_t total = 0;
	snprintf(call, sizeof call, "recv(%d)", fd);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return cli_error(
				        PROG,
				        "recv: timed out after %g s: the "
				        "server sent nothing more and did not close",
				        c->timeout);
			return cli_error(PROG, "recv: %s", strerror(errno));
		}
		if (n == 0)
			break;
		total += (size_t)n;
		say(&c->say, call, "%zd bytes:", n);
		if (c->quiet)
			say_data_plain(buf, (size_t)n);
		else
			say_data(&c->say, buf, (size_t)n);
	}
	say(&c->say, call,
	    "0: the server closed the connection (%zu bytes in all)", total);
	return 0;
}

/* ------------------------------------------- many clients (client3) */

/* What one client reports to the parent, through the pipe. Smaller than
 * PIPE_BUF, so that each write() arrives whole, never mixed with another. */
struct tally {
	long made;    /* connections established */
	long replies; /* replies read to the end (--read) */
	long ok;      /* ...that were 2xx */
	long refused, reset, timedout, other;
};

static void count_failure(struct tally *t, int e)
{
	if (e == ECONNREFUSED)
		t->refused++;
	else if (e == ECONNRESET || e == EPIPE)
		t->reset++;
	else if (e == ETIMEDOUT || e == EAGAIN || e == EWOULDBLOCK)
		t->timedout++;
	else
		t->other++;
}

/* One connection of one client: connect, send, maybe read. Returns the
 * descriptor (left open, like the article's client), or -1 (counted). */
static int one_connection(const struct client_opts *c, struct addrinfo *res,
                          struct tally *t)
{
	struct addrinfo *ai;
	size_t len = strlen(c->payload), sent = 0;
	char buf[4096], head[16], err[256];
	size_t got = 0;
	int fd = -1, e = EHOSTUNREACH;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			continue;
		}
		if (net_connect_within(fd, ai->ai_addr, ai->ai_addrlen,
		                       c->timeout, err, sizeof err) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		count_failure(t, e);
		return -1;
	}
	t->made++;
	if (net_set_timeouts(fd, c->timeout, err, sizeof err) == -1)
		goto failed;
	while (sent < len) {
		ssize_t n =
		        send(fd, c->payload + sent, len - sent, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto failed;
		sent += (size_t)n;
	}
	if (!c->read_replies)
		return fd;
	for (;;) { /* until the server closes: the end of the reply */
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto failed;
		if (n == 0)
			break;
		if (got < sizeof head) {
			size_t k = (size_t)n < sizeof head - got
			                   ? (size_t)n
			                   : sizeof head - got;
			memcpy(head + got, buf, k);
			got += k;
		}
	}
	if (got > 0) {
		t->replies++;
		if (got >= 10 && memcmp(head, "HTTP/1.", 7) == 0 &&
		    head[9] == '2')
			t->ok++;
	} else {
		t->other++; /* closed without a byte of reply */
	}
	return fd;
failed:
	count_failure(t, errno);
	close(fd);
	return -1;
}

/* The child: its connections, then one report, then _exit. */
static void client_child(const struct client_opts *c, struct addrinfo *res,
                         int out)
{
	struct tally t;
	int *fds = malloc((size_t)c->conns * sizeof *fds);
	long i;

	memset(&t, 0, sizeof t);
	for (i = 0; i < c->conns; i++) {
		int fd = one_connection(c, res, &t);

		if (fds != NULL)
			fds[i] = fd;
		else if (fd != -1)
			close(fd);
	}
	(void)!write(out, &t, sizeof t); /* one atomic write (< PIPE_BUF) */
	close(out);
	if (fds != NULL)
		for (i = 0; i < c->conns; i++)
			if (fds[i] != -1)
				close(fds[i]); /* closed unread: the article's client */
	free(fds);
	freeaddrinfo(res);
	/* _exit, like the article's os._exit(0): the child must not run the
	 * parent's atexit handlers nor flush a copy of its stdio buffers. */
	_exit(0);
}

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Forks c->clients clients, collects their reports, reaps them all. */
static int many_clients(const struct client_opts *c, struct addrinfo *res)
{
	struct tally sum, t;
	struct timespec t0;
	long started = 0, reports = 0, reaped = 0, i;
	double secs;
	int pipefd[2], st, rc = 0;
	size_t have = 0;
	char *p = (char *)&t;

	memset(&sum, 0, sizeof sum);
	if (pipe(pipefd) == -1)
		return cli_error(PROG, "pipe: %s", strerror(errno));
	fflush(stdout); /* nothing of ours may be printed twice by a child */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < c->clients; i++) {
		pid_t pid = fork();

		if (pid == -1) {
			cli_error(PROG, "fork: %s: %ld of %ld clients started",
			          strerror(errno), started, c->clients);
			rc = 1;
			break;
		}
		if (pid == 0) {
			close(pipefd[0]);
			client_child(c, res, pipefd[1]);
		}
		started++;
	}
	close(pipefd[1]); /* now read() returns 0 once every child is gone */

	/* The reports, until every child has closed its end of the pipe. */
	for (;;) {
		ssize_t n = read(pipefd[0], p + have, sizeof t - have);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have < sizeof t)
			continue;
		sum.made += t.made;
		sum.replies += t.replies;
		sum.ok += t.ok;
		sum.refused += t.refused;
		sum.reset += t.reset;
		sum.timedout += t.timedout;
		sum.other += t.other;
		reports++;
		have = 0;
	}
	close(pipefd[0]);

	/* Reap every child: none is left a zombie. */
	for (;;) {
		if (waitpid(-1, &st, 0) > 0)
			reaped++;
		else if (errno != EINTR)
			break; /* ECHILD: no child left */
	}
	secs = elapsed_since(&t0);

	if (c->json) {
		printf("{\"clients\": %ld, \"started\": %ld, \"conns_per_client\": %ld, "
		       "\"connections\": %ld, \"replies\": %ld, \"replies_ok\": %ld, "
		       "\"refused\": %ld, \"reset\": %ld, \"timed_out\": %ld, "
		       "\"other\": %ld, \"reports\": %ld, \"reaped\": %ld, "
		       "\"elapsed_s\": %.3f}\n",
		       c->clients, started, c->conns, sum.made, sum.replies,
		       sum.ok, sum.refused, sum.reset, sum.timedout, sum.other,
		       reports, reaped, secs);
	} else {
		printf("clients:          %ld started of %ld, %ld connection%s each\n",
		       started, c->clients, c->conns, c->conns == 1 ? "" : "s");
		printf("connections made: %ld of %ld\n", sum.made,
		       started * c->conns);
		if (c->read_replies)
			printf("replies read:     %ld (%ld of them 2xx)\n",
			       sum.replies, sum.ok);
		else
			printf("replies read:     not read (like the article's client3; "
			       "--read reads them)\n");
		printf("failures:         %ld refused, %ld reset, %ld timed out, "
		       "%ld other\n",
		       sum.refused, sum.reset, sum.timedout, sum.other);
		printf("children reaped:  %ld of %ld (no zombie left)\n",
		       reaped, started);
		printf("elapsed:          %.3f s\n", secs);
	}
	if (reports < started)
		rc = cli_error(PROG, "%ld of %ld clients did not report",
		               started - reports, started);
	if (sum.made < started * c->conns ||
	    (c->read_replies && sum.replies < sum.made))
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	struct client_opts c;
	struct addrinfo *res, *ai;
	char err[512], where[ADDR_STRLEN], pair[ADDR_PAIRLEN], call[160];
	int fd = -1, rc, e = 0;
	size_t len, sent = 0;

	memset(&c, 0, sizeof c);
	rc = parse_args(&c, argc, argv);
	if (rc != 0)
		return cli_finish(PROG, rc == -1 ? 0 : rc);
	setvbuf(stdout, NULL, _IOLBF, 0);
	say_init(&c.say, c.quiet);

	/* Name to addresses: not the lesson (lib/net.c, getaddrinfo). */
	if (net_resolve(c.host, c.port, 0, &res, err, sizeof err) == -1)
		return cli_error(PROG, "%s", err);
	if (c.clients > 0) {
		rc = many_clients(&c, res);
		freeaddrinfo(res);
		return cli_finish(PROG, rc);
	}

	/* Try each address until one answers, as every real client does. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (addr_format(ai->ai_addr, ai->ai_addrlen, where,
		                sizeof where) != 0)
			snprintf(where, sizeof where, "%.64s:%u", c.host,
			         c.port);

		/* 1. socket(): the same call the server makes. */
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			cli_error(PROG, "socket: %s", strerror(e));
			continue;
		}
		say(&c.say,
		    ai->ai_family == AF_INET6
		            ? "socket(AF_INET6, SOCK_STREAM, 0)"
		            : "socket(AF_INET, SOCK_STREAM, 0)",
		    "fd %d", fd);

		if (c.bind_host[0] != '\0' &&
		    bind_local(&c, fd, ai->ai_family) != 0) {
			close(fd);
			freeaddrinfo(res);
			return 1;
		}

		/* 2. connect(): the three-way handshake with the server. Without
		 *    bind(), the kernel picks our local address and port here. */
		snprintf(call, sizeof call, "connect(%d, %s)", fd, where);
		if (net_connect_within(fd, ai->ai_addr, ai->ai_addrlen,
		                       c.timeout, err, sizeof err) == 0)
			break;
		e = errno;
		if (ai->ai_next != NULL)
			say(&c.say, call, "failed: %s; trying the next address",
			    strerror(e));
		else
			connect_failed(&c, where, e);
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return 1;

	if (addr_pair(fd, pair, sizeof pair, err, sizeof err) == -1)
		snprintf(pair, sizeof pair, "(unknown: %.100s)", err);
	say(&c.say, call, "ok, socket pair %s", pair);

	if (net_set_timeouts(fd, c.timeout, err, sizeof err) == -1) {
		cli_error(PROG, "%s", err);
		close(fd);
		return 1;
	}

	/* 3. send everything (the article's sendall). */
	len = strlen(c.payload);
	while (sent < len) {
		ssize_t n =
		        send(fd, c.payload + sent, len - sent, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cli_error(PROG, "send: %s", strerror(errno));
			close(fd);
			return 1;
		}
		sent += (size_t)n;
	}
	{
		char shown[40];
		size_t first = strcspn(c.payload, "\r\n");

		text_escape(c.payload, first < 24 ? first : 24, shown,
		            sizeof shown);
		snprintf(call, sizeof call, "send(%d, \"%s%s\")", fd, shown,
		         first < len ? "..." : "");
		say(&c.say, call, "%zu bytes", sent);
	}

	/* 4. recv() until the server closes, then close() our end. */
	rc = read_reply(&c, fd);
	close(fd);
	snprintf(call, sizeof call, "close(%d)", fd);
	say(&c.say, call, "ok");
	return cli_finish(PROG, rc);
}
