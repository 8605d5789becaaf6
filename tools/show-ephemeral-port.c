/*
 * show-ephemeral-port - the port a client gets without asking for one.
 *
 * What it demonstrates
 *   A client calls socket() and connect(), never bind(): during connect()
 *   the kernel gives its socket a local address and a port from the
 *   ephemeral range (/proc/sys/net/ipv4/ip_local_port_range on Linux,
 *   32768-60999 by default). getsockname() after connect() shows which, as
 *   the article's sock.getsockname() does. Servers instead listen on
 *   well-known ports (< 1024: 80 http, 22 ssh) or registered ones (8888).
 *
 * Usage
 *   show-ephemeral-port [--count N] [--hold S] [--timeout S] [--json]
 *                       [HOST:PORT | [IPV6]:PORT]
 *
 * Try it
 *   ./bin/show-ephemeral-port                   # against a listener of its own
 *   ./bin/show-ephemeral-port localhost:8888    # against srv-iter
 *   ./bin/show-ephemeral-port --count 8         # eight ports: not consecutive
 *
 * Things to notice
 *   - The local port changes from run to run and lies inside the range.
 *   - The server's port is fixed and known in advance; the client's is not,
 *     and need not be: the server learns it from accept().
 *   - With --count, Linux picks ports of one parity for connect() (and the
 *     other for bind(0)), with random gaps between them.
 *
 * See also
 *   docs/04-ephemeral-ports.md; socket(2), connect(2), getsockname(2),
 *   getservbyport(3), services(5), ip(7) (ip_local_port_range),
 *   cli-connect(1), ss(8).
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "net.h"
#include "num.h"
#include "proc.h"

static const char *const PROG = "show-ephemeral-port";

#define MAX_COUNT 1000

struct opts {
	char host[256];
	unsigned short port;
	int own; /* no target: connect to a listener of our own */
	long count;
	double hold;
	double timeout;
	int json;
};

static void usage(void)
{
	printf("Usage: %s [OPTION]... [HOST:PORT | [IPV6]:PORT]\n"
	       "Connect to HOST:PORT (or, without one, to a throwaway listener of our\n"
	       "own on 127.0.0.1) and show the local port the kernel chose: its\n"
	       "ephemeral range, whether the port lies in it, and what kind of port\n"
	       "the server's is (well-known, registered, ephemeral).\n"
	       "\n"
	       "Options:\n"
	       "  -c, --count N         connect N times (1-%d), keeping each\n"
	       "                        connection open, and list the N ports\n"
	       "  -H, --hold S          keep the connections open S more seconds\n"
	       "                        after printing (to see them with ss -tn)\n"
	       "  -t, --timeout S       give up on a connect() after S seconds\n"
	       "                        (default 5; 0 waits as long as the kernel)\n"
	       "  -j, --json            print one JSON object instead\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (refused, unreachable, timed\n"
	       "out), 2 usage.\n"
	       "Example: %s --count 5 localhost:8888\n",
	       PROG, MAX_COUNT, PROG);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "hold", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt, has_port;

	memset(o, 0, sizeof *o);
	o->count = 1;
	o->timeout = 5;
	o->own = 1;
	snprintf(o->host, sizeof o->host, "127.0.0.1");
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":c:H:t:jhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'c':
			if (num_parse_long(optarg, 1, MAX_COUNT, "count",
			                   &o->count, err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'H':
			if (num_parse_seconds(optarg, 3600, "hold", &o->hold,
			                      err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 't':
			if (num_parse_seconds(optarg, 86400, "timeout",
			                      &o->timeout, err,
			                      sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
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
	}
	if (optind < argc) {
		if (addr_parse(argv[optind], o->host, sizeof o->host, &has_port,
		               &o->port, err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		if (!has_port)
			return cli_usage_error(PROG,
			                       "'%s': which port? give HOST:PORT",
			                       argv[optind]);
		if (o->port == 0)
			return cli_usage_error(PROG,
			                       "'%s': port 0 cannot be connected to",
			                       argv[optind]);
		o->own = 0;
		optind++;
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);
	return 0;
}

/* What kind of port this is. IANA: 0-1023 well-known (system) ports,
 * 1024-49151 registered, 49152-65535 dynamic; the kernel's ephemeral
 * range is what connect() actually picks from. */
static const char *classify(unsigned port, unsigned lo, unsigned hi)
{
	if (port < 1024)
		return "well-known";
	if (lo != 0 && port >= lo && port <= hi)
		return "ephemeral";
	if (port <= 49151)
		return "registered";
	return "dynamic";
}

static const char *class_text(const char *cls)
{
	if (strcmp(cls, "well-known") == 0)
		return "well-known (0-1023: standard services, binding needs root)";
	if (strcmp(cls, "ephemeral") == 0)
		return "ephemeral (inside the range the kernel picks client ports from)";
	if (strcmp(cls, "registered") == 0)
		return "registered (1024-49151: IANA registers services there)";
	return "dynamic (49152-65535, outside this kernel's ephemeral range)";
}

/* The name /etc/services gives the port, or NULL. */
static const char *service_name(unsigned port)
{
	int nport = (int)htons((unsigned short)port);
	/* getservbyport_r() is a GNU extension; we have one thread. */
	/* cppcheck-suppress getservbyportCalled */
	struct servent *se = getservbyport(nport, "tcp");

	return se != NULL ? se->s_name : NULL;
}

static void hold_open(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct addrinfo *res = NULL, *ai;
	char err[512], where[ADDR_STRLEN], local[ADDR_STRLEN], call[160];
	char first[ADDR_STRLEN] = "";
	unsigned lo = 0, hi = 0;
	unsigned *ports = NULL;
	int *fds = NULL, *accepted = NULL;
	int lfd = -1, rc, status = 1, have_range;
	long i, n = 0, inside = 0, even = 0;
	const char *svc, *cls;

	rc = parse_args(&o, argc, argv);
	if (rc != 0)
		return cli_finish(PROG, rc == -1 ? 0 : rc);
	setvbuf(stdout, NULL, _IOLBF, 0);

	have_range = proc_port_range(&lo, &hi, err, sizeof err) == 0;
	ports = calloc((size_t)o.count, sizeof *ports);
	fds = malloc((size_t)o.count * sizeof *fds);
	accepted = malloc((size_t)o.count * sizeof *accepted);
	if (ports == NULL || fds == NULL || accepted == NULL) {
		cli_error(PROG, "out of memory");
		goto out;
	}

	if (o.own) {
		/* A throwaway server, so that the tool works alone (lib/net.c:
		 * socket, bind to port 0, listen; its lesson is elsewhere). */
		lfd = net_listen("127.0.0.1", 0,
		                 o.count > 4096 ? 4096 : (int)o.count, err,
		                 sizeof err);
		if (lfd == -1) {
			cli_error(PROG, "%s", err);
			goto out;
		}
		if (addr_local(lfd, where, sizeof where, err, sizeof err) !=
		    0) {
			cli_error(PROG, "%s", err);
			goto out;
		}
		o.port = (unsigned short)atoi(strrchr(where, ':') + 1);
		if (!o.json)
			printf("(a listener of our own on %s: bind() with port 0 let the "
			       "kernel choose its port too)\n",
			       where);
	}
	if (net_resolve(o.host, o.port, 0, &res, err, sizeof err) == -1) {
		cli_error(PROG, "%s", err);
		goto out;
	}
	ai = res;
	if (addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof where) != 0)
		snprintf(where, sizeof where, "%.64s:%u", o.host, o.port);

	for (n = 0; n < o.count; n++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd;

		/* 1. socket(): no bind() follows, as in every client. */
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			cli_error(PROG, "socket: %s", strerror(errno));
			goto out;
		}
		fds[n] = fd;
		accepted[n] = -1;
		if (!o.json && n == 0)
			printf("%-44s -> fd %d\n",
			       ai->ai_family == AF_INET6
			               ? "socket(AF_INET6, SOCK_STREAM, 0)"
			               : "socket(AF_INET, SOCK_STREAM, 0)",
			       fd);

		/* 2. connect(): the kernel picks our local address and port now. */
		if (net_connect_within(fd, ai->ai_addr, ai->ai_addrlen,
		                       o.timeout, err, sizeof err) == -1) {
			int e = errno;

			close(fd);
			if (e == ETIMEDOUT)
				cli_error(PROG,
				          "connect to %s: timed out after %g s",
				          where, o.timeout);
			else
				cli_error(PROG, "connect to %s: %s", where,
				          strerror(e));
			if (e == ECONNREFUSED)
				cli_hint(PROG,
				         "is a server listening there? without HOST:PORT "
				         "we use a listener of our own");
			goto out;
		}
		if (o.own) {
			/* Take the connection off our listener's queue. */
			accepted[n] = accept(lfd, NULL, NULL);
		}

		/* 3. getsockname(): which address and port did we get? */
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
		    addr_format((struct sockaddr *)&ss, len, local,
		                sizeof local) != 0) {
			cli_error(PROG, "getsockname: %s", strerror(errno));
			n++;
			goto out;
		}
		ports[n] = addr_port((struct sockaddr *)&ss);
		if (n == 0)
			memcpy(first, local, sizeof first);
		if (have_range && ports[n] >= lo && ports[n] <= hi)
			inside++;
		if (ports[n] % 2 == 0)
			even++;
		if (o.json)
			continue;
		if (n == 0) {
			snprintf(call, sizeof call, "connect(%d, %s)", fd,
			         where);
			printf("%-44s -> ok\n", call);
			snprintf(call, sizeof call, "getsockname(%d)", fd);
			printf("%-44s -> %s: port %u, chosen by the kernel\n",
			       call, local, ports[n]);
		} else {
			snprintf(call, sizeof call,
			         "connection %ld: getsockname(%d)", n + 1, fd);
			printf("%-44s -> local port %u\n", call, ports[n]);
		}
	}

	svc = service_name(o.port);
	cls = classify(o.port, have_range ? lo : 0, hi);
	if (o.json) {
		printf("{\"remote\": \"%s\", \"remote_port\": %u, \"remote_class\": \"%s\", "
		       "\"remote_service\": ",
		       where, o.port, cls);
		if (svc != NULL)
			printf("\"%s\"", svc);
		else
			printf("null");
		printf(", \"local\": \"%s\", \"local_port\": %u, ", first,
		       ports[0]);
		if (have_range)
			printf("\"range\": [%u, %u], \"in_range\": %s, ", lo,
			       hi,
			       ports[0] >= lo && ports[0] <= hi ? "true"
			                                        : "false");
		else
			printf("\"range\": null, \"in_range\": null, ");
		printf("\"ports\": [");
		for (i = 0; i < n; i++)
			printf("%s%u", i ? ", " : "", ports[i]);
		printf("], \"all_in_range\": %s, \"even\": %ld}\n",
		       have_range && inside == n ? "true" : "false", even);
	} else {
		printf("\n");
		if (have_range)
			printf("ephemeral range: %u-%u (/proc/sys/net/ipv4/ip_local_port_range)\n",
			       lo, hi);
		else
			printf("ephemeral range: unknown here (%s)\n", err);
		printf("local port %u: %s\n", ports[0],
		       !have_range ? "the kernel's choice"
		       : ports[0] >= lo && ports[0] <= hi
		               ? "inside the range: an ephemeral port"
		               : "OUTSIDE the range (bound explicitly?)");
		printf("remote port %u: %s%s%s%s\n", o.port, class_text(cls),
		       svc != NULL ? ", service '" : "", svc != NULL ? svc : "",
		       svc != NULL ? "' in /etc/services" : "");
		if (n > 1) {
			printf("\nports of the %ld connections, in order:", n);
			for (i = 0; i < n; i++)
				printf(" %u", ports[i]);
			printf("\ndifferences:");
			for (i = 1; i < n; i++)
				printf(" %+ld",
				       (long)ports[i] - (long)ports[i - 1]);
			printf("\n%ld of %ld inside the range; %ld even, %ld odd.\n",
			       inside, n, even, n - even);
			printf("Not consecutive: since Linux 4.6, connect() tries ports of one\n"
			       "parity first (bind() with port 0 the other), and recent kernels\n"
			       "add a small random step between successive choices, so that\n"
			       "the next port cannot be guessed.\n");
		}
	}
	if (o.hold > 0) {
		if (!o.json)
			printf("holding %ld connection%s open for %g s (see: ss -tn)\n",
			       n, n == 1 ? "" : "s", o.hold);
		fflush(stdout);
		hold_open(o.hold);
	}
	status = 0;
out:
	for (i = 0; i < n; i++) {
		close(fds[i]);
		if (accepted[i] != -1)
			close(accepted[i]);
	}
	if (lfd != -1)
		close(lfd);
	if (res != NULL)
		freeaddrinfo(res);
	free(ports);
	free(fds);
	free(accepted);
	return cli_finish(PROG, status);
}
