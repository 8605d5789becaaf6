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
 *   show-ephemeral-port [-n N] [-k S] [-t S] [-j] [HOST:PORT | [IPV6]:PORT]
 *   (--count N, --hold S, --timeout S, --json)
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
 *   - With --count, the ports are not consecutive (lesson 4 says why).
 *   - Like every client, it tries each address of HOST in turn:
 *     "localhost" may be ::1 first, and the server on 127.0.0.1 only.
 *
 * See also
 *   docs/04-ephemeral-ports.md; socket(2), connect(2), getsockname(2),
 *   getservbyport(3), services(5), ip(7) (ip_local_port_range),
 *   cli-connect(1), ss(8).
 *
 * A little longer than most files (about 490 lines): besides its three
 * calls, it classifies the ports and reports them in words and in JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "clock.h"
#include "json.h"
#include "net.h"
#include "num.h"
#include "say.h"
#include "tcpinfo.h"

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

/* What the connections got. */
struct ports {
	char where[ADDR_STRLEN]; /* the server's address, numeric */
	char local[ADDR_STRLEN]; /* the first connection's local address */
	unsigned *port;          /* each connection's local port */
	int *fd, *accepted;      /* ours; the listener's end (own only) */
	long n;                  /* connections made */
	long inside, even;       /* of their ports: in the range, even */
	int have_range;          /* lo and hi are known */
	unsigned lo, hi;         /* the ephemeral range */
	char range_err[256];     /* why they are not */
};

static int ports_alloc(struct ports *p, long count);
static void ports_free(struct ports *p);
static int own_listener(struct opts *o, const struct say *s);
static int make_connections(const struct opts *o, const struct say *s, int lfd,
                            struct addrinfo *res, struct ports *p);
static int connect_any(const struct opts *o, const struct say *s,
                       const struct addrinfo *ai, int just_ai, struct ports *p,
                       const struct addrinfo **used);
static void report_json(const struct opts *o, const struct ports *p);
static const char *service_name(unsigned port);
static const char *classify(unsigned port, const struct ports *p);
static void report_text(const struct opts *o, const struct ports *p);
static const char *class_text(const char *cls);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);

int main(int argc, char **argv)
{
	struct opts o;
	struct ports p;
	struct addrinfo *res = NULL;
	char err[256];
	int lfd = -1, rc, status = 1;
	struct say s;

	if (cli_start() != 0)
		return 1;
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	say_init(&s, o.json);
	if (ports_alloc(&p, o.count) == -1) {
		ports_free(&p);
		return cli_finish(PROG, cli_error(PROG, "out of memory"));
	}
	if (o.own && (lfd = own_listener(&o, &s)) == -1)
		goto out;
	/* The name to addresses: not the lesson (lib/net, getaddrinfo). */
	if (net_resolve(o.host, o.port, 0, &res, err, sizeof err) == -1) {
		cli_error(PROG, "%s", err);
		goto out;
	}
	if (make_connections(&o, &s, lfd, res, &p) == -1)
		goto out;
	if (o.json)
		report_json(&o, &p);
	else
		report_text(&o, &p);
	if (o.hold > 0) {
		say_note(&s,
		         "holding %ld connection%s open for %g s (see: ss -tn)",
		         p.n, p.n == 1 ? "" : "s", o.hold);
		clock_sleep(o.hold, NULL, NULL);
	}
	status = 0;
out:
	ports_free(&p);
	if (lfd != -1)
		close(lfd);
	if (res != NULL)
		freeaddrinfo(res);
	return cli_finish(PROG, status);
}

/* Room for count connections; the ephemeral range. */
static int ports_alloc(struct ports *p, long count)
{
	memset(p, 0, sizeof *p);
	p->have_range = tcpinfo_port_range(&p->lo, &p->hi, p->range_err,
	                                   sizeof p->range_err) == 0;
	p->port = calloc((size_t)count, sizeof *p->port);
	p->fd = calloc((size_t)count, sizeof *p->fd);
	p->accepted = calloc((size_t)count, sizeof *p->accepted);
	return p->port && p->fd && p->accepted ? 0 : -1;
}

/* Closes the connections made (both ends of those to our listener). */
static void ports_free(struct ports *p)
{
	long i;

	for (i = 0; p->fd != NULL && p->accepted != NULL && i < p->n; i++) {
		close(p->fd[i]);
		if (p->accepted[i] != -1)
			close(p->accepted[i]);
	}
	free(p->port);
	free(p->fd);
	free(p->accepted);
}

/* A throwaway server, so that the tool works alone (lib/net: socket, bind
 * to port 0, listen; its lesson is elsewhere). Sets o->port. */
static int own_listener(struct opts *o, const struct say *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char err[256], where[ADDR_STRLEN];
	int lfd = net_listen("127.0.0.1", 0,
	                     o->count > 4096 ? 4096 : (int)o->count, err,
	                     sizeof err);

	if (lfd == -1) {
		cli_error(PROG, "%s", err);
		return -1;
	}
	if (getsockname(lfd, (struct sockaddr *)&ss, &len) == -1 ||
	    addr_format((struct sockaddr *)&ss, len, where, sizeof where) !=
	            0) {
		cli_error(PROG, "getsockname: %s", strerror(errno));
		close(lfd);
		return -1;
	}
	o->port = addr_port((struct sockaddr *)&ss);
	say_note(s,
	         "(a listener of our own on %s: bind() with port 0 let the "
	         "kernel choose its port too)",
	         where);
	return lfd;
}

/* count connections, the first to whichever address answers, the others
 * to the same one; getsockname() tells which local port the kernel gave
 * each. Returns 0, or -1 (reported). */
static int make_connections(const struct opts *o, const struct say *s, int lfd,
                            struct addrinfo *res, struct ports *p)
{
	const struct addrinfo *ai = res;
	struct sockaddr_storage ss;
	struct say quiet;
	socklen_t len;
	char call[64];
	int fd;

	say_init(&quiet, 1);
	for (p->n = 0; p->n < o->count; p->n++) {
		fd = connect_any(o, p->n == 0 ? s : &quiet, ai, p->n > 0, p,
		                 &ai);
		if (fd == -1)
			return -1;
		p->fd[p->n] = fd;
		/* Our own listener: take the connection off its queue. */
		p->accepted[p->n] = lfd == -1 ? -1 : accept(lfd, NULL, NULL);

		/* 3. getsockname(): which address and port did we get? */
		len = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
			cli_error(PROG, "getsockname: %s", strerror(errno));
			p->n++; /* closed with the others */
			return -1;
		}
		p->port[p->n] = addr_port((struct sockaddr *)&ss);
		p->inside += p->have_range && p->port[p->n] >= p->lo &&
		             p->port[p->n] <= p->hi;
		p->even += p->port[p->n] % 2 == 0;
		snprintf(call, sizeof call, "getsockname(%d)", fd);
		if (p->n == 0) {
			if (addr_format((struct sockaddr *)&ss, len, p->local,
			                sizeof p->local) != 0)
				snprintf(p->local, sizeof p->local, "?");
			say(s, call, "%s: port %u, chosen by the kernel",
			    p->local, p->port[0]);
		} else {
			snprintf(call, sizeof call,
			         "connection %ld: getsockname(%d)", p->n + 1,
			         fd);
			say(s, call, "local port %u", p->port[p->n]);
		}
	}
	return 0;
}

/* socket() and connect() to each address in turn, from ai on (only ai
 * when just_ai), until one answers, as every client does. Returns the fd,
 * and the address that answered in *used; -1 (reported). */
static int connect_any(const struct opts *o, const struct say *s,
                       const struct addrinfo *ai, int just_ai, struct ports *p,
                       const struct addrinfo **used)
{
	char call[160], err[256];
	int fd, e = 0;

	for (; ai != NULL; ai = just_ai ? NULL : ai->ai_next) {
		if (addr_format(ai->ai_addr, ai->ai_addrlen, p->where,
		                sizeof p->where) != 0)
			snprintf(p->where, sizeof p->where, "%.64s:%u", o->host,
			         o->port);
		/* 1. socket(): no bind() follows, as in every client. */
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			cli_error(PROG, "socket: %s", strerror(e));
			continue;
		}
		say(s,
		    ai->ai_family == AF_INET6
		            ? "socket(AF_INET6, SOCK_STREAM, 0)"
		            : "socket(AF_INET, SOCK_STREAM, 0)",
		    "fd %d", fd);
		/* 2. connect(): the kernel picks our local address and port. */
		snprintf(call, sizeof call, "connect(%d, %s)", fd, p->where);
		if (net_connect_within(fd, ai->ai_addr, ai->ai_addrlen,
		                       o->timeout, err, sizeof err) == 0) {
			say(s, call, "ok");
			*used = ai;
			return fd;
		}
		e = errno;
		close(fd);
		if (!just_ai && ai->ai_next != NULL)
			say(s, call, "failed: %s; trying the next address",
			    strerror(e));
		else if (e == ETIMEDOUT)
			cli_error(PROG, "connect to %s: timed out after %g s",
			          p->where, o->timeout);
		else
			cli_error(PROG, "connect to %s: %s", p->where,
			          strerror(e));
	}
	if (e == ECONNREFUSED)
		cli_hint(PROG, "is a server listening there? without HOST:PORT "
		               "we use a listener of our own");
	return -1;
}

static void report_json(const struct opts *o, const struct ports *p)
{
	const char *svc = service_name(o->port);
	long i;

	printf("{\"remote\": ");
	json_string(stdout, p->where);
	printf(", \"remote_port\": %u, \"remote_class\": \"%s\", "
	       "\"remote_service\": ",
	       o->port, classify(o->port, p));
	if (svc != NULL)
		json_string(stdout, svc);
	else
		printf("null");
	printf(", \"local\": ");
	json_string(stdout, p->local);
	printf(", \"local_port\": %u, ", p->port[0]);
	if (p->have_range)
		printf("\"range\": [%u, %u], \"in_range\": %s, ", p->lo, p->hi,
		       p->port[0] >= p->lo && p->port[0] <= p->hi ? "true"
		                                                  : "false");
	else
		printf("\"range\": null, \"in_range\": null, ");
	printf("\"ports\": [");
	for (i = 0; i < p->n; i++)
		printf("%s%u", i ? ", " : "", p->port[i]);
	printf("], \"all_in_range\": %s, \"even\": %ld}\n",
	       p->have_range && p->inside == p->n ? "true" : "false", p->even);
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

/* What kind of port this is. IANA: 0-1023 well-known (system) ports,
 * 1024-49151 registered, 49152-65535 dynamic; the kernel's ephemeral
 * range is what connect() actually picks from. */
static const char *classify(unsigned port, const struct ports *p)
{
	if (port < 1024)
		return "well-known";
	if (p->have_range && port >= p->lo && port <= p->hi)
		return "ephemeral";
	if (port <= 49151)
		return "registered";
	return "dynamic";
}

static void report_text(const struct opts *o, const struct ports *p)
{
	const char *svc = service_name(o->port);
	long i;

	printf("\n");
	if (p->have_range)
		printf("ephemeral range: %u-%u (/proc/sys/net/ipv4/ip_local_port_range)\n",
		       p->lo, p->hi);
	else
		printf("ephemeral range: unknown here (%s)\n", p->range_err);
	printf("local port %u: %s\n", p->port[0],
	       !p->have_range ? "the kernel's choice"
	       : p->port[0] >= p->lo && p->port[0] <= p->hi
	               ? "inside the range: an ephemeral port"
	               : "OUTSIDE the range (bound explicitly?)");
	printf("remote port %u: %s%s%s%s\n", o->port,
	       class_text(classify(o->port, p)),
	       svc != NULL ? ", service '" : "", svc != NULL ? svc : "",
	       svc != NULL ? "' in /etc/services" : "");
	if (p->n < 2)
		return;
	printf("\nports of the %ld connections, in order:", p->n);
	for (i = 0; i < p->n; i++)
		printf(" %u", p->port[i]);
	printf("\ndifferences:");
	for (i = 1; i < p->n; i++)
		printf(" %+ld", (long)p->port[i] - (long)p->port[i - 1]);
	printf("\n%ld of %ld inside the range; %ld even, %ld odd.\n", p->inside,
	       p->n, p->even, p->n - p->even);
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

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "hold", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt, has_port, rc = 0;

	memset(o, 0, sizeof *o);
	o->count = 1;
	o->timeout = 5;
	o->own = 1;
	snprintf(o->host, sizeof o->host, "127.0.0.1");
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":n:k:t:jhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'n':
			rc = num_parse_long(optarg, 1, MAX_COUNT, "count",
			                    &o->count, err, sizeof err);
			break;
		case 'k':
			rc = num_parse_seconds(optarg, 3600, "hold", &o->hold,
			                       err, sizeof err);
			break;
		case 't':
			rc = num_parse_seconds(optarg, 86400, "timeout",
			                       &o->timeout, err, sizeof err);
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
	return CLI_OK;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]... [HOST:PORT | [IPV6]:PORT]\n"
	       "Connect to HOST:PORT (or, without one, to a throwaway listener of our\n"
	       "own on 127.0.0.1) and show the local port the kernel chose: its\n"
	       "ephemeral range, whether the port lies in it, and what kind of port\n"
	       "the server's is (well-known, registered, ephemeral). Each address\n"
	       "of HOST is tried in turn until one answers.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --count N         connect N times (1-%d), keeping each\n"
	       "                        connection open, and list the N ports\n"
	       "  -k, --hold S          keep the connections open S more seconds\n"
	       "                        after printing (to see them with ss -tn)\n"
	       "  -t, --timeout S       give up on a connect() after S seconds\n"
	       "                        (default 5; 0 waits as long as the kernel)\n"
	       "  -j, --json            print one JSON object instead\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Port 0 cannot be connected to: HOST:0 is a usage error.\n"
	       "Exit status: 0 ok, 1 runtime failure (refused, unreachable, timed\n"
	       "out), 2 usage.\n"
	       "Example: %s --count 5 localhost:8888\n",
	       PROG, MAX_COUNT, PROG);
}
