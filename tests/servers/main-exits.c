/*
 * A correct threaded server whose main thread exits, for check-server,
 * which must grade any design (tests/check-server.bats): main listens,
 * prints the ready line, starts 4 threads that each accept(), serve and
 * close, and calls pthread_exit(). The process lives on in its threads,
 * but its first thread, the one whose id is the pid, is gone: /proc/PID/stat
 * says Z (ps says "Zl"), and /proc/PID/fd is empty; the descriptors are
 * seen from a live thread, /proc/PID/task/TID/fd.
 *
 *   build/servers/main-exits PORT      (0: the kernel chooses)
 *
 * Built by the Makefile (build/servers/%). SIGTERM kills it (its default).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define THREADS 4

static const char REPLY[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            "\r\nHello, World!\n";

/* Reads until the request's empty line (5 s at most), replies. */
static void serve(int fd)
{
	struct timeval tv = { 5, 0 };
	char req[4096];
	size_t got = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (got < sizeof req - 1) {
		ssize_t n = recv(fd, req + got, sizeof req - 1 - got, 0);

		if (n <= 0)
			return;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL ||
		    strstr(req, "\n\n") != NULL) {
			(void)!send(fd, REPLY, sizeof REPLY - 1, MSG_NOSIGNAL);
			return;
		}
	}
}

static void *acceptor(void *arg)
{
	int lfd = *(const int *)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd == -1)
			continue;
		serve(fd);
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static int lfd;
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	pthread_t t;
	int one = 1, i;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 8888));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof a) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&a, &len) == -1) {
		perror("main-exits: listen");
		return 1;
	}
	for (i = 0; i < THREADS; i++) {
		if (pthread_create(&t, NULL, acceptor, &lfd) != 0) {
			fprintf(stderr, "main-exits: pthread_create failed\n");
			return 1;
		}
		pthread_detach(t);
	}
	printf("Serving HTTP on port %u ...\n", ntohs(a.sin_port));
	fflush(stdout);
	pthread_exit(NULL); /* the process goes on in its threads */
}
