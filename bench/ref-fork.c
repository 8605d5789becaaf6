/*
 * ref-fork - the reference for srv-fork in `make bench`: the smallest
 * fork-per-connection loop that answers what srv-fork answers.
 *
 * What it demonstrates
 *   What a forking server costs when it does nothing but the system calls:
 *   accept, fork; the child closes the listener, recv, send, close, _exit;
 *   the parent closes the connection; a SIGCHLD handler reaps with
 *   waitpid(-1, NULL, WNOHANG) in a loop (the article's final answer).
 *   bench/run compares srv-fork --quiet against it with the same flags.
 *
 * Usage
 *   ref-fork [--port PORT] [--backlog N] [--quiet]
 *   (--quiet is accepted and ignored: it never narrates.)
 *
 * Things to notice
 *   - The children are reaped with wait, so their CPU time shows up in the
 *     parent's cutime/cstime (/proc/PID/stat): bench/run reads it.
 *   - SA_RESTART: accept() is restarted after SIGCHLD, no EINTR loop needed.
 *
 * See also
 *   bench/ref-iter.c, bench/run, docs/performance.md, tools/srv-fork.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The bytes srv-iter sends (lib/http.c: http_reply(200, 0, &len)). */
static const char REPLY[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            "Connection: close\r\n\r\nHello, World!\n";

static void reap(int sig)
{
	int saved = errno;
	pid_t pid;

	(void)sig;
	do
		pid = waitpid(-1, NULL, WNOHANG);
	while (pid > 0);
	errno = saved;
}

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
	struct sigaction sa;
	socklen_t alen = sizeof addr;
	long port = 8888, backlog = 5;
	int i, lfd, one = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = arg_number("ref-fork", "port", argv[++i], 65535);
		else if (strcmp(argv[i], "--backlog") == 0 && i + 1 < argc)
			backlog = arg_number("ref-fork", "backlog", argv[++i], 65535);
		else if (strcmp(argv[i], "--quiet") != 0) {
			fprintf(stderr, "Usage: ref-fork [--port PORT] [--backlog N] [--quiet]\n");
			return 2;
		}
	}

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = reap;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGCHLD, &sa, NULL) == -1) {
		perror("ref-fork: sigaction");
		return 1;
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
		perror("ref-fork");
		return 1;
	}
	printf("Serving HTTP on port %u ...\n", ntohs(addr.sin_port));
	fflush(stdout);

	for (;;) {
		int conn = accept(lfd, NULL, NULL);
		pid_t pid;

		if (conn == -1)
			continue;
		pid = fork();
		if (pid == 0) {
			char buf[8192];

			close(lfd);
			if (recv(conn, buf, sizeof buf, 0) > 0)
				send(conn, REPLY, sizeof REPLY - 1, MSG_NOSIGNAL);
			close(conn);
			_exit(0);
		}
		close(conn); /* the parent's copy: the child's close sends FIN */
	}
}
