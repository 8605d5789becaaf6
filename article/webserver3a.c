/* webserver3a.c: the article's webserver3a.py in C, the iterative server.
 * Try: ./bin/article/webserver3a [PORT], then curl localhost:8888/hello.
 * Notice: it prints each request; while it serves one client, others wait. */
#define _POSIX_C_SOURCE 200809L
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char REPLY[] = "HTTP/1.1 200 OK\n\nHello, World!\n";

static int check(int rc, const char *call) /* -1: "call: why", exit 1 */
{
	if (rc != -1)
		return rc;
	perror(call);
	exit(1);
}

static void handle_request(int conn)
{
	char request[1024];
	int n = check((int)recv(conn, request, sizeof request, 0), "recv");

	dprintf(1, "%.*s\n", n, request); /* C: printf() to fd 1, unbuffered */
	check((int)send(conn, REPLY, sizeof REPLY - 1, 0), "send");
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof addr;
	unsigned port = 8888;
	int one = 1, lfd, conn;
	char rest;

	if (argc > 1 &&
	    (sscanf(argv[1], "%5u%c", &port, &rest) != 1 || port > 65535)) {
		fprintf(stderr, "usage: %s [PORT]\n", argv[0]);
		return 2;
	}
	addr.sin_port = htons((in_port_t)port); /* 0: the kernel chooses */
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* the article: '' */
	lfd = check(socket(AF_INET, SOCK_STREAM, 0), "socket");
	check(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one),
	      "setsockopt");
	check(bind(lfd, (struct sockaddr *)&addr, sizeof addr), "bind");
	check(listen(lfd, 5), "listen"); /* REQUEST_QUEUE_SIZE */
	check(getsockname(lfd, (struct sockaddr *)&addr, &len), "getsockname");
	dprintf(1, "Serving HTTP on port %d ...\n", ntohs(addr.sin_port));
	for (;;) {
		conn = check(accept(lfd, NULL, NULL), "accept");
		handle_request(conn);
		close(conn);
	}
}
