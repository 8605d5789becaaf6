/* webserver3e.c: the article's webserver3e.py in C; its step from 3d: the
 * parent closes its copy again; a SIGCHLD handler waits once per signal.
 * Try: ./bin/article/webserver3e [PORT]; curl. Notice: the child exits 3 s
 * later, accept() fails with EINTR and the server dies (Python 3: PEP 475). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char REPLY[] = "HTTP/1.1 200 OK\n\nHello, World!\n";

static int check(int rc, const char *call) /* -1: "call: why", exit 1 */
{
	if (rc != -1)
		return rc;
	perror(call);
	exit(1);
}

static void grim_reaper(int signum) /* C: the signal's number, no frame */
{
	int saved = errno, status; /* C: main() reads errno after accept() */
	pid_t pid = wait(&status); /* C: status by pointer */

	(void)signum;
	/* C: dprintf() is not async-signal-safe: main() calls none now */
	dprintf(1, "Child %d terminated with status %d\n\n", (int)pid, status);
	errno = saved;
}

static void handle_request(int conn)
{
	char request[1024];
	int n = check((int)recv(conn, request, sizeof request, 0), "recv");

	dprintf(1, "%.*s\n", n, request); /* C: printf() to fd 1, unbuffered */
	check((int)send(conn, REPLY, sizeof REPLY - 1, 0), "send");
	sleep(3); /* so that the parent is back in accept() when we exit */
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct sigaction sa = { .sa_handler = grim_reaper }; /* no SA_RESTART */
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
	check(sigaction(SIGCHLD, &sa, NULL), "sigaction");
	for (;;) {
		conn = check(accept(lfd, NULL, NULL), "accept");
		if (check(fork(), "fork") == 0) {
			close(lfd); /* the child closes its copy */
			handle_request(conn);
			close(conn);
			_exit(0); /* child exits here */
		}
		close(conn); /* the parent closes its copy and loops over */
	}
}
