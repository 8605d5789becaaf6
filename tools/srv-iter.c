/*
 * srv-iter - the article's iterative web server (webserver3a), in C.
 *
 * What it demonstrates
 *   An iterative server serves one client at a time: socket, setsockopt,
 *   bind, listen once; then accept, recv, send, close, for each client in
 *   turn. Every call is printed with its result as it happens.
 *
 * Usage
 *   srv-iter [--port PORT] [--host ADDR] [--backlog N] [--content-length]
 *            [--timeout S] [--max-request N] [--quiet]
 *
 * Try it
 *   ./bin/srv-iter                                # terminal 1
 *   curl -v http://localhost:8888/hello           # terminal 2
 *   ./bin/cli-connect localhost:8888              # the article's client
 *
 * Things to notice
 *   - The listening socket is fd 3 (0, 1, 2 are taken) and each accepted
 *     connection is a new descriptor: the listener keeps listening.
 *   - accept() prints the socket pair {server ip:port, client ip:port}; the
 *     client's port is an ephemeral one the kernel chose for it.
 *   - curl prints "Hello, World!" but exits only when close() is called: the
 *     reply has no Content-Length, so the close marks its end. Try
 *     --content-length and see curl finish without waiting for the close.
 *
 * See also
 *   docs/01-iterative-server.md; tools/server.c (socket..listen, recv, send);
 *   socket(2), setsockopt(2), bind(2), listen(2), accept(2), recv(2),
 *   send(2), close(2), srv-sleep(1), cli-connect(1).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "server.h"

static const char *const PROG = "srv-iter";

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "The article's iterative web server: it serves one client at a\n"
	       "time and narrates each system call it makes.\n"
	       "\n"
	       "Options:\n" SERVER_OPTIONS_HELP "\n"
	       "Once listening it prints 'Serving HTTP on port N ...' with the real\n"
	       "port. SIGINT (Ctrl-C) or SIGTERM stops it: it closes the listening\n"
	       "socket, says how many requests it served, and exits 0.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (e.g. port in use), 2 usage.\n"
	       "Example: %s --port 0   (then: curl http://localhost:PORT/hello)\n",
	       PROG, PROG);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		SERVER_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct server_opts o;
	unsigned long served = 0;
	char call[32];
	int opt, lfd;

	server_opts_init(&o, PROG);
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, SERVER_SHORT_OPTS, longopts,
	                          NULL)) != -1) {
		int rc;

		if (opt == 'h') {
			usage();
			return cli_finish(PROG, 0);
		}
		if (opt == 'V')
			return cli_finish(PROG, cli_version(PROG));
		rc = server_option(&o, opt, optarg);
		if (rc == 1)
			return cli_bad_option(PROG, longopts, opt, optopt,
			                      argv[optind - 1]);
		if (rc != 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);

	/* One line at a time, even in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (server_signals() == -1)
		return cli_error(PROG, "sigaction: %s", strerror(errno));

	/* socket -> setsockopt -> bind -> listen, narrated (tools/server.c). */
	lfd = server_listen(&o);
	if (lfd == -1)
		return 1;

	/* The iterative loop: one client at a time. While we serve this one,
	 * the next ones wait in the kernel's listen queue. */
	while (!server_stop) {
		int conn = accept(lfd, NULL, NULL);

		if (conn == -1) {
			if (errno == EINTR)
				continue; /* a signal: the loop checks server_stop */
			cli_error(PROG, "accept: %s", strerror(errno));
			continue;
		}
		server_accepted(&o, lfd, conn);

		if (server_serve(&o, conn) == 0)
			served++;

		/* close() sends FIN: now curl knows the reply is complete. */
		if (close(conn) == -1) {
			cli_error(PROG, "close: %s", strerror(errno));
		} else if (!o.quiet) {
			snprintf(call, sizeof call, "close(%d)", conn);
			server_say(&o, call, "ok, connection closed");
		}
	}

	close(lfd);
	printf("Stopped: served %lu request%s.\n", served,
	       served == 1 ? "" : "s");
	return cli_finish(PROG, 0);
}
