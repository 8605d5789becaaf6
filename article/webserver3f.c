/* webserver3f.c: the article's webserver3f.py in C; its step from 3e: it
 * calls accept() again when a signal interrupts it; the handler still waits
 * once per SIGCHLD. Try: ./bin/article/webserver3f [PORT], then client3
 * --max-clients 64. Notice: zombies (Z): signals are not queued. */
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

	(void)signum;
	wait(&status); /* C: status by pointer */
	errno = saved;
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
	check(listen(lfd, 1024), "listen"); /* REQUEST_QUEUE_SIZE */
	check(getsockname(lfd, (struct sockaddr *)&addr, &len), "getsockname");
	dprintf(1, "Serving HTTP on port %d ...\n", ntohs(addr.sin_port));
	check(sigaction(SIGCHLD, &sa, NULL), "sigaction");
	for (;;) {
		if ((conn = accept(lfd, NULL, NULL)) == -1 && errno == EINTR)
			continue; /* restart accept() */
		check(conn, "accept");
		if (check(fork(), "fork") == 0) {
			close(lfd); /* the child closes its copy */
			handle_request(conn);
			close(conn);
			_exit(0); /* child exits here */
		}
		close(conn); /* the parent closes its copy and loops over */
	}
}
