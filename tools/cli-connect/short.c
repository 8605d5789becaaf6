/*
 * short.c - cli-connect --short N: N connections, each opened and closed
 * at once.
 *
 * What it demonstrates
 *   The side that closes a TCP connection first keeps its end in TIME_WAIT
 *   for a while (60 s on Linux), so that a late segment of the old
 *   connection cannot be taken for one of a new connection with the same
 *   four numbers. Here the client closes first: each connection leaves one
 *   of the client's ephemeral ports in TIME_WAIT, and the client cannot
 *   connect from that port to the same server again until it is over. A
 *   client that opens and closes connections fast enough runs out of ports:
 *   connect() then fails with EADDRNOTAVAIL ("Cannot assign requested
 *   address"), long before any descriptor limit.
 *
 * Usage
 *   cli-connect --short N [--timeout S] [--quiet] [HOST[:PORT]]
 *
 * Try it
 *   ./bin/srv-iter --quiet &
 *   ./bin/cli-connect --short 100 localhost:8888
 *   ss -tan state time-wait 'dport = :8888' | wc -l
 *
 * Things to notice
 *   - The first connection is narrated, the others are counted.
 *   - The TIME_WAIT sockets are the client's (their local port is the
 *     ephemeral one): the side that called close() first.
 *
 * See also
 *   docs/07-how-a-connection-ends.md; tcp(7) (tcp_fin_timeout, the local
 *   port range), ss(8); tools/cli-connect.c.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "client.h"
#include "clock.h"
#include "net.h"
#include "say.h"

static const char *const PROG = "cli-connect";

static int open_one(const struct client_opts *o, const struct addrinfo *ai,
                    int narrate, char *err, size_t errlen);

int short_run(const struct client_opts *o, const struct addrinfo *res)
{
	const struct addrinfo *ai;
	char err[512];
	double t0 = clock_now();
	long done = 0;
	int fd = -1, e = 0;

	/* The first connection finds the address that answers ("localhost"
	 * may be ::1 first, the server on 127.0.0.1); the others go there. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = open_one(o, ai, 1, err, sizeof err);
		if (fd != -1)
			break;
		e = errno;
	}
	if (fd == -1) {
		errno = e;
		return cli_error(PROG, "%s", err);
	}
	for (done = 1; done < o->shortn; done++) {
		fd = open_one(o, ai, 0, err, sizeof err);
		if (fd == -1)
			break;
	}
	if (done < o->shortn) {
		e = errno;
		cli_error(PROG, "%s (connection %ld of %ld)", err, done + 1,
		          o->shortn);
		if (e == EADDRNOTAVAIL)
			cli_hint(PROG,
			         "every local port for this server is taken: "
			         "see them with ss -tan state time-wait "
			         "'dport = :%u'",
			         o->port);
	}
	say_note(&o->say,
	         "%ld connection%s opened and closed in %.2f s; we closed "
	         "first: each leaves our end in TIME_WAIT",
	         done, done == 1 ? "" : "s", clock_now() - t0);
	if (o->quiet)
		printf("%ld connections opened and closed\n", done);
	return done == o->shortn ? 0 : 1;
}

/* socket, connect, close: one short connection. Returns 0, or -1 (err,
 * errno). narrate: say each call. */
static int open_one(const struct client_opts *o, const struct addrinfo *ai,
                    int narrate, char *err, size_t errlen)
{
	char pair[ADDR_PAIRLEN], call[160], where[ADDR_STRLEN];
	int fd, rc, e;

	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (narrate)
		say(&o->say,
		    ai->ai_family == AF_INET6
		            ? "socket(AF_INET6, SOCK_STREAM, 0)"
		            : "socket(AF_INET, SOCK_STREAM, 0)",
		    "fd %d", fd);
	rc = net_connect_prepare(fd, o->timeout, err, errlen);
	if (rc == 0) {
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		rc = net_connect_finish(fd, ai->ai_addr, ai->ai_addrlen, rc,
		                        o->timeout, err, errlen);
	}
	if (rc != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (narrate) {
		if (addr_format(ai->ai_addr, ai->ai_addrlen, where,
		                sizeof where) != 0)
			snprintf(where, sizeof where, "%.64s:%u", o->host,
			         o->port);
		if (addr_pair(fd, pair, sizeof pair, err, errlen) == -1)
			snprintf(pair, sizeof pair, "(unknown)");
		snprintf(call, sizeof call, "connect(%d, %s)", fd, where);
		say(&o->say, call, "ok, socket pair %s", pair);
	}
	/* close() at once, before the server: our FIN goes first. */
	close(fd);
	if (narrate) {
		snprintf(call, sizeof call, "close(%d)", fd);
		say(&o->say, call, "ok, we close first: TIME_WAIT is ours");
	}
	return 0;
}
