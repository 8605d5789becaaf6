/* client3.c: the article's client3.py in C: forks --max-clients N clients
 * (1); each opens --max-conns M connections (1) to 127.0.0.1:PORT (8888),
 * sends a GET on each, keeps them open and exits. The article's os._exit()
 * sits inside its loop over the connections: each of its clients made one,
 * whatever --max-conns said (tests/servers/client3.py keeps that); here each
 * makes M. Not in the article: it waits for its clients (no zombie) and
 * exits 1 if one failed. Try: ./bin/article/client3 --max-clients 300
 * against webserver3e to 3g. Notice: N x M connections, as many children. */
#define _POSIX_C_SOURCE 200809L
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char REQUEST[] = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";

static int check(int rc, const char *call) /* -1: "call: why", exit 1 */
{
	if (rc != -1)
		return rc;
	perror(call);
	exit(1);
}

static unsigned number(const char *arg, unsigned max) /* or exit 2 */
{
	unsigned n;
	char rest;

	if (sscanf(arg, "%6u%c", &n, &rest) == 1 && n <= max)
		return n;
	fprintf(stderr, "usage: client3 [--max-clients N] [--max-conns M] "
	                "[PORT]\n");
	exit(2);
}

static void client(const struct sockaddr_in *addr, unsigned conns)
{
	for (unsigned i = 0; i < conns; i++) {
		int sock = check(socket(AF_INET, SOCK_STREAM, 0), "socket");

		check(connect(sock, (const struct sockaddr *)addr,
		              sizeof *addr),
		      "connect");
		check((int)send(sock, REQUEST, sizeof REQUEST - 1, 0), "send");
		dprintf(1, "%u\n", i); /* and sock stays open */
	}
	_exit(0); /* the article's: one level in, after the first connection */
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	unsigned clients = 1, conns = 1, port = 8888, i;
	int arg, status, failed = 0;

	for (arg = 1; arg < argc; arg++) {
		if (strcmp(argv[arg], "--max-clients") == 0 && arg + 1 < argc)
			clients = number(argv[++arg], 100000);
		else if (strcmp(argv[arg], "--max-conns") == 0 &&
		         arg + 1 < argc)
			conns = number(argv[++arg], 100000);
		else
			port = number(argv[arg], 65535);
	}
	addr.sin_port = htons((in_port_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < clients; i++)
		if (check(fork(), "fork") == 0)
			client(&addr, conns);
	for (i = 0; i < clients; i++) { /* not in the article: no zombie */
		check(wait(&status), "wait");
		failed |= status != 0;
	}
	return failed;
}
