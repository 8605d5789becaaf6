/*
 * cli-connect - the article's client, in C.
 *
 * What it demonstrates
 *   A client needs only socket() and connect(): no bind(), no listen(), no
 *   accept(). The kernel gives its socket an ephemeral local port during
 *   connect(). The client then sends its bytes and reads the reply until the
 *   server closes the connection, and closes its own end. Those five calls
 *   are main() below, in that order.
 *   Two more modes share the command line and live in their own files:
 *   --clients N, the article's client3 (tools/cli-connect/client3.c: a
 *   child process per client, a pipe of reports, waitpid for every
 *   child), --idle N, many idle connections held by one process
 *   (tools/cli-connect/idle.c), and --short N, connections opened and
 *   closed at once (tools/cli-connect/short.c: TIME_WAIT).
 *   How the connection ends is lesson 7's: --half-close (shutdown), --unread
 *   (close() with bytes unread sends RST) and --reset (SO_LINGER {1, 0})
 *   change steps 4 and 5 in main(). (This file is some 200 lines over 400
 *   and main() some 50 over 120: the options and the help of all four
 *   modes are here, as one command line, and the ends of lesson 7 are
 *   main()'s last steps, where a learner looks for them.)
 *
 * Usage
 *   cli-connect [--port PORT] [--bind ADDR[:PORT]] [--send TEXT | --http PATH]
 *               [--timeout S] [--quiet] [HOST[:PORT] | [IPV6]:PORT]
 *   cli-connect --clients N [--conns M] [--read] [--json] [--send TEXT |
 *               --http PATH] [--timeout S] [--quiet] [HOST[:PORT]]
 *   cli-connect --idle N [--hold S] [--json] [--timeout S] [--quiet]
 *               [HOST[:PORT]]
 *   cli-connect [--half-close] [--unread] [--reset] [HOST[:PORT]]
 *   cli-connect --short N [--timeout S] [--quiet] [HOST[:PORT]]
 *
 * Try it
 *   ./bin/srv-iter &                          # the server, port 8888
 *   ./bin/cli-connect                         # sends "test", like the article
 *   ./bin/cli-connect --http /hello localhost:8888
 *   ./bin/srv-iter --host 127.12.12.3 --port 8888 &
 *   ./bin/cli-connect --bind 127.10.10.2 127.12.12.3:8888   # the figure
 *   ./bin/cli-connect --clients 128 localhost:8888          # client3
 *   ./bin/cli-connect --idle 1000 --hold 30 localhost:8888  # idle ones
 *   ./bin/cli-connect --unread                # RST: the reply never read
 *   ./bin/cli-connect --short 1000            # TIME_WAIT: ss -tan
 *
 * Things to notice
 *   - The socket pair the client prints, {local, remote}, is the server's
 *     pair mirrored: {remote, local}.
 *   - The local port was not chosen by us: connect() picked it.
 *   - The reply arrives at once, but the client only finishes when the
 *     server closes (recv() returns 0): that is the end of this reply. A
 *     server that closes before sending a byte gave no reply: a failure.
 *   - What the server sends is printed after "  | ", escaped: no line of
 *     it can pass for a line of narration.
 *
 * See also
 *   docs/01-iterative-server.md, docs/05-fork-and-zombies.md,
 *   docs/07-how-a-connection-ends.md; shutdown(2), socket(7) (SO_LINGER),
 *   socket(2),
 *   connect(2), getsockname(2), send(2), recv(2), close(2); srv-iter(1),
 *   srv-fork(1), show-ephemeral-port(1); tools/cli-connect/client3.c,
 *   tools/cli-connect/idle.c.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "cli-connect/client.h"
#include "net.h"
#include "num.h"
#include "say.h"
#include "text.h"
#include "trace.h"

static const char *const PROG = "cli-connect";

static int bind_local(const struct client_opts *o, int fd, int family);
static void connect_failed(const struct client_opts *o, const char *err, int e);
static void say_sent(const struct client_opts *o, int fd, size_t len);
static long read_reply(const struct client_opts *o, int fd);
static long leave_unread(const struct client_opts *o, int fd);
static int parse_args(struct client_opts *o, char **request, int argc,
                      char **argv);
static void usage(void);

int main(int argc, char **argv)
{
	struct client_opts o;
	struct addrinfo *res, *ai;
	char *request, err[512], where[ADDR_STRLEN], pair[ADDR_PAIRLEN];
	char call[160];
	int fd = -1, rc = 1, cr, e = 0;
	size_t len, sent;
	ssize_t n;
	long got;

	if (cli_start() != 0)
		return 1;
	rc = parse_args(&o, &request, argc, argv);
	if (rc != CLI_OK) {
		free(request);
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	}
	/* Name to addresses: not the lesson (lib/net.c, getaddrinfo). */
	if (net_resolve(o.host, o.port, 0, &res, err, sizeof err) == -1) {
		free(request);
		return cli_finish(PROG, cli_error(PROG, "%s", err));
	}
	if (o.clients > 0 || o.idle > 0 || o.shortn > 0) {
		rc = o.clients > 0 ? client3_run(&o, res)
		     : o.idle > 0  ? idle_run(&o, res)
		                   : short_run(&o, res);
		goto done;
	}

	/* Try each address until one answers, as every real client does. */
	rc = 1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (addr_format(ai->ai_addr, ai->ai_addrlen, where,
		                sizeof where) != 0)
			snprintf(where, sizeof where, "%.64s:%u", o.host,
			         o.port);

		/* 1. socket(): the same call the server makes. */
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			cli_error(PROG, "socket: %s", strerror(errno));
			continue;
		}
		say(&o.say,
		    ai->ai_family == AF_INET6
		            ? "socket(AF_INET6, SOCK_STREAM, 0)"
		            : "socket(AF_INET, SOCK_STREAM, 0)",
		    "fd %d", fd);
		if (o.bind_host[0] != '\0' &&
		    bind_local(&o, fd, ai->ai_family) != 0) {
			close(fd);
			goto done;
		}

		/* 2. connect(): the three-way handshake with the server. Without
		 *    bind(), the kernel picks our local address and port here.
		 *    (--timeout: net_connect_prepare() makes the socket
		 *    non-blocking, net_connect_finish() waits for the handshake
		 *    within the deadline: lib/net.c.) */
		snprintf(call, sizeof call, "connect(%d, %s)", fd, where);
		cr = net_connect_prepare(fd, o.timeout, err, sizeof err);
		if (cr == 0) {
			cr = connect(fd, ai->ai_addr, ai->ai_addrlen);
			cr = net_connect_finish(fd, ai->ai_addr, ai->ai_addrlen,
			                        cr, o.timeout, err, sizeof err);
		}
		if (cr == 0)
			break;
		e = errno;
		if (ai->ai_next != NULL)
			say(&o.say, call, "failed: %s; trying the next address",
			    strerror(e));
		else
			connect_failed(&o, err, e);
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		goto done;
	if (addr_pair(fd, pair, sizeof pair, err, sizeof err) == -1)
		snprintf(pair, sizeof pair, "(unknown: %.100s)", err);
	say(&o.say, call, "ok, socket pair %s", pair);
	if (net_set_timeouts(fd, o.timeout, err, sizeof err) == -1) {
		cli_error(PROG, "%s", err);
		close(fd);
		goto done;
	}

	/* 3. send() every byte: one send() may take fewer than it is given,
	 *    so we call it again for the rest (the article's sendall()).
	 *    MSG_NOSIGNAL: a server gone turns it into an EPIPE error. */
	len = strlen(o.payload);
	for (sent = 0; sent < len; sent += (size_t)n) {
		n = send(fd, o.payload + sent, len - sent, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR) {
			n = 0; /* a signal handler ran: send the rest */
		} else if (n == -1) {
			cli_error(PROG, "send: %s", strerror(errno));
			close(fd);
			goto done;
		}
	}
	say_sent(&o, fd, len);

	/* --half-close: shutdown(SHUT_WR) sends our FIN now, and only that:
	 * the server reads EOF (recv() returns 0) and can still answer; we
	 * can still read. close() would end both directions at once. */
	if (o.half_close) {
		if (shutdown(fd, SHUT_WR) == -1) {
			cli_error(PROG, "shutdown: %s", strerror(errno));
			close(fd);
			goto done;
		}
		say_fd(&o.say, "shutdown", fd, "SHUT_WR",
		       "ok, FIN sent: we send no more, we still read");
	}

	/* 4. recv() until the server closes (--unread: wait for the reply
	 *    and leave it in our receive buffer). */
	got = o.unread ? leave_unread(&o, fd) : read_reply(&o, fd);

	/* --reset: SO_LINGER {on, 0 s}: close() throws the connection away
	 * with a RST instead of the FIN, at once (no TIME_WAIT anywhere). */
	if (o.reset) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == -1)
			cli_error(PROG, "setsockopt SO_LINGER: %s",
			          strerror(errno));
		else
			say_fd(&o.say, "setsockopt", fd, "SO_LINGER, {1, 0}",
			       "ok: close() will send RST, not FIN");
	}

	/* 5. close() our end: FIN, or RST when bytes we never read are still
	 *    in the receive buffer (--unread) or SO_LINGER is {1, 0}. */
	close(fd);
	snprintf(call, sizeof call, "close(%d)", fd);
	if (o.unread && got > 0)
		say(&o.say, call, "ok, %ld bytes unread: RST sent, not FIN",
		    got);
	else if (o.reset)
		say(&o.say, call, "ok, RST sent");
	else
		say(&o.say, call, "ok");
	if (got == 0)
		cli_error(PROG, "the server closed the connection without a "
		                "reply");
	rc = got > 0 ? 0 : 1;
done:
	freeaddrinfo(res);
	free(request);
	return cli_finish(PROG, rc);
}

/* bind() before connect(): only to choose our own address (--bind). */
static int bind_local(const struct client_opts *o, int fd, int family)
{
	struct addrinfo *res, *ai;
	char err[512], where[ADDR_STRLEN], call[128];

	if (net_resolve(o->bind_host, o->bind_port, 1, &res, err, sizeof err) ==
	    -1)
		return cli_error(PROG, "--bind: %s", err);
	for (ai = res; ai != NULL && ai->ai_family != family; ai = ai->ai_next)
		;
	if (ai == NULL) {
		freeaddrinfo(res);
		return cli_error(PROG,
		                 "--bind %s: not an %s address like the server's",
		                 o->bind_host,
		                 family == AF_INET6 ? "IPv6" : "IPv4");
	}
	if (addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof where) != 0)
		snprintf(where, sizeof where, "%.64s", o->bind_host);
	snprintf(call, sizeof call, "bind(%d, %s)", fd, where);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		int e = errno;

		freeaddrinfo(res);
		cli_error(PROG, "bind %s: %s", where, strerror(e));
		if (e == EADDRNOTAVAIL)
			cli_hint(PROG, "%s is not an address of this host",
			         o->bind_host);
		return 1;
	}
	freeaddrinfo(res);
	say(&o->say, call, "ok");
	return 0;
}

static void connect_failed(const struct client_opts *o, const char *err, int e)
{
	if (e == ETIMEDOUT)
		cli_error(PROG,
		          "%s (no answer to our SYN: a full listen queue, or a "
		          "firewall)",
		          err);
	else
		cli_error(PROG, "%s", err);
	if (e == ECONNREFUSED)
		cli_hint(PROG,
		         "is a server listening there? start one with: "
		         "./bin/srv-iter --port %u",
		         o->port);
}

/* "send(3, "GET /hello HTTP/1.1...")": the payload's first line, at most
 * 24 bytes of it, and "..." when more was sent than is shown. */
static void say_sent(const struct client_opts *o, int fd, size_t len)
{
	char shown[TEXT_ESCAPED_MAX(24)], call[160];
	size_t n = strcspn(o->payload, "\r\n");

	if (n > 24)
		n = 24;
	text_escape(o->payload, n, shown, sizeof shown);
	snprintf(call, sizeof call, "send(%d, \"%s%s\")", fd, shown,
	         n < len ? "..." : "");
	say(&o->say, call, "%zu bytes", len);
}

/* recv() until the server closes; prints what arrives, marked and escaped
 * (say_data): no line a server sends can pass for one of ours. Returns the
 * number of bytes, or -1 (said why). */
static long read_reply(const struct client_opts *o, int fd)
{
	char buf[4096], call[32];
	long total = 0;

	snprintf(call, sizeof call, "recv(%d)", fd);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			cli_error(PROG,
			          "recv: timed out after %g s: the server sent "
			          "nothing more and did not close",
			          o->timeout);
			return -1;
		}
		if (n == -1) {
			cli_error(PROG, "recv: %s", strerror(errno));
			return -1;
		}
		if (n == 0) /* the server closed: the end of the reply */
			break;
		total += n;
		say(&o->say, call, "%zd bytes:", n);
		if (o->quiet)
			say_data_plain(buf, (size_t)n);
		else
			say_data(&o->say, buf, (size_t)n);
	}
	say(&o->say, call,
	    "0: the server closed the connection (%ld bytes in all)", total);
	return total;
}

/* --unread: waits until the reply is in our receive buffer and reads none
 * of it. Returns the bytes waiting there (FIONREAD), 0 when the server
 * closed without a reply, -1 (said why). */
static long leave_unread(const struct client_opts *o, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char call[32];
	int n, waiting = 0;

	do
		n = poll(&p, 1, o->timeout > 0 ? (int)(o->timeout * 1000) : -1);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		cli_error(PROG, "poll: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		cli_error(PROG, "poll: no reply within %g s", o->timeout);
		return -1;
	}
	if (ioctl(fd, FIONREAD, &waiting) == -1) {
		cli_error(PROG, "ioctl FIONREAD: %s", strerror(errno));
		return -1;
	}
	snprintf(call, sizeof call, "poll(%d, POLLIN)", fd);
	say(&o->say, call, "ready: %d bytes of reply waiting; we read none",
	    waiting);
	return waiting;
}

/* ------------------------------------------------------ options, --help */

/* Long options with no letter. */
enum { OPT_HALF_CLOSE = 256, OPT_UNREAD, OPT_RESET, OPT_SHORT, OPT_TRACE };

/* Parses the command line into o; --http's request is allocated in
 * *request (free it). */
static int parse_args(struct client_opts *o, char **request, int argc,
                      char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'B' },
		{ "send", required_argument, NULL, 'S' },
		{ "http", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "clients", required_argument, NULL, 'n' },
		{ "conns", required_argument, NULL, 'c' },
		{ "read", no_argument, NULL, 'R' }, /* long only */
		{ "json", no_argument, NULL, 'j' },
		{ "idle", required_argument, NULL, 'I' }, /* long only */
		{ "hold", required_argument, NULL, 'k' },
		/* how a connection ends (lesson 7): long only */
		{ "half-close", no_argument, NULL, OPT_HALF_CLOSE },
		{ "unread", no_argument, NULL, OPT_UNREAD },
		{ "reset", no_argument, NULL, OPT_RESET },
		{ "short", required_argument, NULL, OPT_SHORT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "trace", required_argument, NULL, OPT_TRACE }, /* long only */
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *trace = NULL;
	char err[256];
	int opt, has_port, port_given = 0, given = 0;
	unsigned short port;

	memset(o, 0, sizeof *o);
	*request = NULL;
	snprintf(o->host, sizeof o->host, "localhost");
	o->port = 8888;
	o->payload = "test"; /* the article's client sends "test" */
	o->timeout = 10;
	o->conns = 1;
	o->hold = -1;
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":p:B:S:g:t:qn:c:jk:hV", longopts,
	                          NULL)) != -1) {
		int rc = 0; /* -1: err holds the reason */

		switch (opt) {
		case 'p':
			rc = num_parse_port(optarg, &o->port, err, sizeof err);
			if (rc == 0 && o->port == 0)
				return cli_usage_error(PROG,
				                       "--port 0: port 0 cannot "
				                       "be connected to");
			port_given = 1;
			break;
		case 'B':
			rc = addr_parse(optarg, o->bind_host,
			                sizeof o->bind_host, &has_port,
			                &o->bind_port, err, sizeof err);
			if (rc == 0 && !has_port)
				o->bind_port = 0; /* the kernel chooses */
			break;
		case 'S':
			o->payload = optarg;
			given |= CLIENT_GIVEN_SEND;
			break;
		case 'g':
			path = optarg;
			given |= CLIENT_GIVEN_HTTP;
			break;
		case 't':
			rc = num_parse_seconds(optarg, 86400, "timeout",
			                       &o->timeout, err, sizeof err);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'n':
			rc = num_parse_long(optarg, 1, 10000, "clients",
			                    &o->clients, err, sizeof err);
			break;
		case 'c':
			rc = num_parse_long(optarg, 1, 1000, "conns", &o->conns,
			                    err, sizeof err);
			given |= CLIENT_GIVEN_CONNS;
			break;
		case 'R':
			o->read_replies = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'I':
			rc = num_parse_long(optarg, 1, 100000, "idle", &o->idle,
			                    err, sizeof err);
			break;
		case 'k':
			rc = num_parse_seconds(optarg, 86400 * 365, "hold",
			                       &o->hold, err, sizeof err);
			given |= CLIENT_GIVEN_HOLD;
			break;
		case OPT_HALF_CLOSE:
			o->half_close = 1;
			given |= CLIENT_GIVEN_END;
			break;
		case OPT_UNREAD:
			o->unread = 1;
			given |= CLIENT_GIVEN_END;
			break;
		case OPT_RESET:
			o->reset = 1;
			given |= CLIENT_GIVEN_END;
			break;
		case OPT_SHORT:
			rc = num_parse_long(optarg, 1, 1000000, "short",
			                    &o->shortn, err, sizeof err);
			break;
		case OPT_TRACE: /* opened once the options are read */
			trace = optarg;
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
			return cli_usage_error(PROG, "%s%s",
			                       opt == 'B' ? "--bind: " : "",
			                       err);
	}
	if (optind < argc) {
		if (addr_parse(argv[optind], o->host, sizeof o->host, &has_port,
		               &port, err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		if (has_port && port == 0)
			return cli_usage_error(PROG,
			                       "'%s': port 0 cannot be connected to",
			                       argv[optind]);
		if (has_port && port_given && port != o->port)
			return cli_usage_error(PROG,
			                       "two ports given: %u and %u",
			                       port, o->port);
		if (has_port)
			o->port = port;
		optind++;
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);
	say_init(&o->say, o->quiet || o->json);
	if (trace != NULL && o->say.quiet) /* events come from the narration */
		return cli_usage_error(PROG, "--trace records the narration: "
		                             "not with --quiet or --json");
	if (trace != NULL &&
	    trace_open(trace, PROG, argc, argv, err, sizeof err) == -1)
		return cli_error(PROG, "--trace %s", err);
	return client_check_modes(o, given, path, request);
}

static void usage(void)
{
	printf("Usage: %s [OPTION]... [HOST[:PORT] | [IPV6]:PORT]\n"
	       "The article's client: connect to a server (default localhost:8888),\n"
	       "send 'test', print the reply until the server closes, narrating\n"
	       "each system call.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --port PORT       server port (default 8888, or the one in\n"
	       "                        HOST:PORT; port 0 cannot be connected to)\n"
	       "  -B, --bind ADDR[:PORT]\n"
	       "                        bind the client's socket to ADDR first (any\n"
	       "                        of 127.0.0.0/8 is this machine on Linux);\n"
	       "                        port 0 or none: the kernel chooses\n"
	       "  -S, --send TEXT       send TEXT instead of 'test'\n"
	       "  -g, --http PATH       send 'GET PATH HTTP/1.1' with a Host header\n"
	       "  -t, --timeout S       give up on connect or a silent server after\n"
	       "                        S seconds (default 10; 0 waits forever)\n"
	       "  -q, --quiet           print only the reply (with --clients and\n"
	       "                        --idle: only the summary)\n"
	       "      --trace FILE      also write what is narrated into FILE as\n"
	       "                        events, one JSON object a line, for\n"
	       "                        show-timeline FILE (not with --quiet)\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Many clients at once (the article's client3):\n"
	       "  -n, --clients N       fork N clients (1 to 10000); each connects,\n"
	       "                        sends 'GET /hello HTTP/1.1' (or --send,\n"
	       "                        --http) and exits without reading the reply;\n"
	       "                        reap them all, print a summary\n"
	       "  -c, --conns M         connections per client, kept open until the\n"
	       "                        client exits (default 1; 1 to 1000)\n"
	       "      --read            each client reads every reply to the end\n"
	       "  -j, --json            the summary as one JSON object (also with\n"
	       "                        --idle)\n"
	       "\n"
	       "Idle connections from one process:\n"
	       "      --idle N          open N connections (1 to 100000) and send\n"
	       "                        nothing; the soft RLIMIT_NOFILE is raised\n"
	       "                        for them, up to the hard limit\n"
	       "  -k, --hold S          keep them open S seconds (default: until\n"
	       "                        Ctrl-C or another stop signal)\n"
	       "\n"
	       "How the connection ends (a single client):\n"
	       "      --half-close      shutdown(SHUT_WR) after the request: the\n"
	       "                        server reads EOF, we still read the reply\n"
	       "      --unread          wait for the reply, read none of it, close:\n"
	       "                        unread bytes make close() send RST, not FIN\n"
	       "      --reset           SO_LINGER {1, 0} before close(): RST, not\n"
	       "                        FIN, and no TIME_WAIT on either side\n"
	       "      --short N         open and close N connections (1 to 1000000),\n"
	       "                        sending nothing: we close first, so each\n"
	       "                        leaves one of our ports in TIME_WAIT\n"
	       "\n"
	       "A reply of 0 bytes (the server closed without answering) is a\n"
	       "failure in every mode. A stop signal (SIGINT, SIGTERM, SIGHUP...)\n"
	       "to --clients stops and reaps every client, then sums up.\n"
	       "\n"
	       "Exit status: 0 the whole reply was read, 1 runtime failure (refused,\n"
	       "unreachable, timed out, unresolvable, reset, no reply), 2 usage.\n"
	       "--clients: 0 when every connection was made (and, with --read, every\n"
	       "reply read), 1 otherwise or when stopped by a signal. --idle: 0 when\n"
	       "all N connections were made and held to the end.\n"
	       "Example: %s --http /hello localhost:8888\n",
	       PROG, PROG);
}
