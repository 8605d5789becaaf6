/*
 * load - the load generator of the models table's "100 clients, 10 slow"
 * column (bench/models.py): fast clients and slow ones at once, for a
 * fixed time.
 *
 * What it demonstrates
 *   What slow clients do to the others. Each fast client connects, sends a
 *   GET, reads the reply to the close, and starts again; each slow client
 *   connects and trickles a request that never ends, one byte every
 *   --every seconds, and connects again when the server closes it (after
 *   its --timeout, with a 408). After --seconds, it prints how many fast
 *   requests got "HTTP/1.x 200" in that time, as one JSON line. A server
 *   that serves one client at a time (or has fewer workers than slow
 *   clients) answers few; one that a slow client cannot hold, many.
 *   (ab's -t time limit waits for requests in flight after the time is up,
 *   and leaves some runs hanging: this one stops at the time.)
 *
 * Usage
 *   load --port PORT [--clients N] [--slow S] [--seconds T] [--every E]
 *
 * Things to notice
 *   - One process, one epoll loop: the clients are sockets, not threads.
 *   - Requests still in flight at the end are not counted.
 *
 * See also
 *   bench/models.py, bench/run, docs/performance.md.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char REQUEST[] = "GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
static const char SLOW[] = "GET /slow HTTP/1.1\r\nX-Slow: "; /* then 'a's */

enum { FAST, SLOW_ONE };

struct client {
	int kind, fd;
	size_t sent;   /* bytes of the request sent */
	char head[16]; /* the reply's first bytes */
	size_t got;
};

static struct sockaddr_in server;
static long ok, failed, reconnects;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double arg(const char *name, const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "load: invalid %s '%s'\n", name, s);
		exit(2);
	}
	return v;
}

/* A new connection for c, non-blocking, in the epoll set. */
static void connect_one(int ep, struct client *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	c->sent = c->got = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd == -1) {
		perror("load: socket");
		exit(1);
	}
	if (connect(c->fd, (struct sockaddr *)&server, sizeof server) == -1 &&
	    errno != EINPROGRESS)
		ev.events = EPOLLIN; /* refused: the read below says so */
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		perror("load: epoll_ctl");
		exit(1);
	}
}

static void again(int ep, struct client *c)
{
	close(c->fd);
	connect_one(ep, c);
}

/* c's socket is ready: send (fast: the request at once), read, judge. */
static void ready(int ep, struct client *c, unsigned events)
{
	char buf[4096];
	ssize_t n;

	if (events & EPOLLOUT) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		int e = 0;
		socklen_t len = sizeof e;

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
		if (e != 0) {
			if (c->kind == FAST)
				failed++;
			again(ep, c);
			return;
		}
		if (c->kind == FAST &&
		    send(c->fd, REQUEST, sizeof REQUEST - 1, MSG_NOSIGNAL) !=
		            (ssize_t)(sizeof REQUEST - 1)) {
			failed++;
			again(ep, c);
			return;
		}
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	n = recv(c->fd, buf, sizeof buf, 0);
	if (n > 0 && c->got < sizeof c->head) {
		size_t k = (size_t)n < sizeof c->head - c->got
		                   ? (size_t)n
		                   : sizeof c->head - c->got;

		memcpy(c->head + c->got, buf, k);
		c->got += k;
	}
	if (n > 0 || (n == -1 && errno == EAGAIN))
		return;
	/* The close (or an error): the reply is whole, or there is none. */
	if (c->kind == FAST) {
		if (c->got >= 12 && memcmp(c->head, "HTTP/1.", 7) == 0 &&
		    memcmp(c->head + 8, " 200", 4) == 0)
			ok++;
		else
			failed++;
	} else {
		reconnects++;
	}
	again(ep, c);
}

/* Each slow client sends its next byte. */
static void trickle(struct client *slow, long s)
{
	long i;

	for (i = 0; i < s; i++) {
		struct client *c = &slow[i];
		char byte = c->sent < sizeof SLOW - 1 ? SLOW[c->sent] : 'a';

		if (send(c->fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
			c->sent++;
	}
}

int main(int argc, char **argv)
{
	long nfast = 90, nslow = 10, i;
	double secs = 5, every = 0.5, end, tick;
	struct client *cl;
	int ep;

	memset(&server, 0, sizeof server);
	server.sin_family = AF_INET;
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port") == 0)
			server.sin_port =
			        htons((unsigned short)arg("port", argv[i + 1], 1,
			                                  65535));
		else if (strcmp(argv[i], "--clients") == 0)
			nfast = (long)arg("clients", argv[i + 1], 1, 10000);
		else if (strcmp(argv[i], "--slow") == 0)
			nslow = (long)arg("slow", argv[i + 1], 0, 10000);
		else if (strcmp(argv[i], "--seconds") == 0)
			secs = arg("seconds", argv[i + 1], 0.1, 3600);
		else if (strcmp(argv[i], "--every") == 0)
			every = arg("every", argv[i + 1], 0.01, 60);
		else
			break;
	}
	if (i != argc || server.sin_port == 0) {
		fprintf(stderr, "Usage: load --port PORT [--clients N] [--slow S] "
		                "[--seconds T] [--every E]\n");
		return 2;
	}
	cl = calloc((size_t)(nfast + nslow), sizeof *cl);
	ep = epoll_create1(0);
	if (cl == NULL || ep == -1) {
		perror("load");
		return 1;
	}
	/* The slow ones first: they are in when the fast ones come. */
	for (i = 0; i < nslow; i++) {
		cl[nfast + i].kind = SLOW_ONE;
		connect_one(ep, &cl[nfast + i]);
	}
	end = now() + secs;
	tick = now();
	for (i = 0; i < nfast; i++)
		connect_one(ep, &cl[i]);
	while (now() < end) {
		struct epoll_event ev[256];
		double wait = (tick < end ? tick : end) - now();
		int n, k;

		if (now() >= tick) {
			trickle(cl + nfast, nslow);
			tick += every;
			continue;
		}
		n = epoll_wait(ep, ev, 256, wait > 0 ? (int)(wait * 1000) + 1 : 0);
		for (k = 0; k < n; k++)
			ready(ep, ev[k].data.ptr, ev[k].events);
	}
	printf("{\"ok\": %ld, \"failed\": %ld, \"seconds\": %.3f, \"clients\": %ld, "
	       "\"slow\": %ld, \"slow_reconnects\": %ld}\n",
	       ok, failed, secs, nfast, nslow, reconnects);
	return 0;
}
