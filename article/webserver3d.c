/* webserver3d.c: the article's webserver3d.py in C; its step from 3c: the
 * parent keeps its copy of each connection (no close) and counts them.
 * Try: ./bin/article/webserver3d [PORT]; curl; ls /proc/PID/fd.
 * Notice: curl never ends (no FIN), and each client costs the parent a
 * descriptor: ./bin/article/client3 --max-clients 2000 runs it out. */
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

	check((int)recv(conn, request, sizeof request, 0), "recv");
	check((int)send(conn, REPLY, sizeof REPLY - 1, 0), "send");
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof addr;
	unsigned port = 8888, clients = 0;
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
		if (check(fork(), "fork") == 0) {
			close(lfd); /* the child closes its copy */
			handle_request(conn);
			close(conn);
			_exit(0); /* child exits here */
		}
		/* the parent: no close(conn). C needs no list of them (the
		 * article's clients): no garbage collector closes conn. */
		dprintf(1, "%u\n", ++clients);
	}
}
