/*
 * ref-iter - the reference for srv-iter in `make bench`: the smallest
 * accept/recv/send/close loop that answers what srv-iter answers.
 *
 * What it demonstrates
 *   What an iterative server costs when it does nothing but the system
 *   calls: no narration, no timeouts, no request framing, no getpeername.
 *   bench/run compares srv-iter --quiet against it (same compiler, same
 *   flags): the difference is what socklab's lesson code adds per request.
 *
 * Usage
 *   ref-iter [--port PORT] [--backlog N] [--quiet]
 *   (--quiet is accepted and ignored: it never narrates.)
 *
 * Things to notice
 *   - One recv() is enough for ab's or curl's request on loopback; the
 *     reply is the same bytes as srv-iter's (lib/http.c: http_reply()).
 *   - The reply is close-delimited (no Content-Length): close() ends it.
 *
 * See also
 *   bench/ref-fork.c, bench/run, docs/performance.md, tools/srv-iter.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The bytes srv-iter sends (lib/http.c: http_reply(200, 0, &len)). */
static const char REPLY[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            "Connection: close\r\n\r\nHello, World!\n";

static long arg_number(const char *prog, const char *name, const char *s,
                       long max)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 0 || n > max) {
		fprintf(stderr, "%s: invalid %s '%s'\n", prog, name, s);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof addr;
	char buf[8192];
	long port = 8888, backlog = 5;
	int i, lfd, one = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = arg_number("ref-iter", "port", argv[++i], 65535);
		else if (strcmp(argv[i], "--backlog") == 0 && i + 1 < argc)
			backlog = arg_number("ref-iter", "backlog", argv[++i], 65535);
		else if (strcmp(argv[i], "--quiet") != 0) {
			fprintf(stderr, "Usage: ref-iter [--port PORT] [--backlog N] [--quiet]\n");
			return 2;
		}
	}

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof addr) == -1 ||
	    listen(lfd, (int)backlog) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen) == -1) {
		perror("ref-iter");
		return 1;
	}
	printf("Serving HTTP on port %u ...\n", ntohs(addr.sin_port));
	fflush(stdout);

	for (;;) {
		int conn = accept(lfd, NULL, NULL);

		if (conn == -1)
			continue;
		if (recv(conn, buf, sizeof buf, 0) > 0)
			send(conn, REPLY, sizeof REPLY - 1, MSG_NOSIGNAL);
		close(conn);
	}
}
