/* webserver3c.c: the article's webserver3c.py in C; its step from 3b: a
 * child per client (fork); both close their copy; the child sleeps 60 s
 * (or SECONDS) and exits, and nobody waits for it.
 * Try: ./bin/article/webserver3c [PORT [SECONDS]]; curl; ps --ppid PID.
 * Notice: clients are served at once; each child ends a zombie (Z). */
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

static void handle_request(int conn, unsigned seconds)
{
	char request[1024];
	int n = check((int)recv(conn, request, sizeof request, 0), "recv");

	dprintf(1, "Child PID: %d. Parent PID %d\n", (int)getpid(),
	        (int)getppid());
	dprintf(1, "%.*s\n", n, request); /* C: printf() to fd 1, unbuffered */
	check((int)send(conn, REPLY, sizeof REPLY - 1, 0), "send");
	sleep(seconds); /* sleep and block the process */
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof addr;
	unsigned port = 8888, seconds = 60;
	int one = 1, lfd, conn;
	char rest;

	if ((argc > 1 &&
	     (sscanf(argv[1], "%5u%c", &port, &rest) != 1 || port > 65535)) ||
	    (argc > 2 && (sscanf(argv[2], "%5u%c", &seconds, &rest) != 1 ||
	                  seconds > 99999))) {
		fprintf(stderr, "usage: %s [PORT [SECONDS]]\n", argv[0]);
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
	dprintf(1, "Parent PID (PPID): %d\n\n", (int)getpid());
	for (;;) {
		conn = check(accept(lfd, NULL, NULL), "accept");
		if (check(fork(), "fork") == 0) {
			close(lfd); /* the child closes its copy */
			handle_request(conn, seconds);
			close(conn);
			_exit(0); /* child exits here */
		}
		close(conn); /* the parent closes its copy and loops over */
	}
}
