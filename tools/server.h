/*
 * server: the article's web server (webserver3a), in the pieces that srv-iter,
 * srv-sleep and srv-fork share. It lives in tools/, not lib/, because it is
 * part of the lesson: it narrates every system call it makes.
 *
 *   server_listen()  socket -> setsockopt(SO_REUSEADDR) -> bind -> listen,
 *                    then "Serving HTTP on port N ..."
 *   server_serve()   recv the request, print it, send the reply
 *
 * What differs between the servers - what happens around accept() - stays in
 * each tool's own file.
 */
#ifndef SOCKLAB_SERVER_H
#define SOCKLAB_SERVER_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>

#include "cli.h"

#define SERVER_PORT        8888 /* the article's */
#define SERVER_BACKLOG     5    /* the article's REQUEST_QUEUE_SIZE */
#define SERVER_HOST        "127.0.0.1"
#define SERVER_TIMEOUT     5.0  /* seconds a client may take to send */
#define SERVER_MAX_REQUEST 8192 /* bytes of request we read at most */

struct server_opts {
	const char *prog;
	char host[256];
	unsigned short port;
	int backlog;
	int quiet; /* no narration: only the readiness line and errors */
	int content_length; /* frame the reply with Content-Length */
	double timeout;     /* deadline for a whole request, s; 0 = none */
	long max_request;
};

/* The options every server takes. Tools add their own after these. */
#define SERVER_SHORT_OPTS ":p:H:b:qct:m:hV"
/* clang-format off */
#define SERVER_LONG_OPTS                                          \
	{ "port", required_argument, NULL, 'p' },                 \
	{ "host", required_argument, NULL, 'H' },                 \
	{ "backlog", required_argument, NULL, 'b' },              \
	{ "quiet", no_argument, NULL, 'q' },                      \
	{ "content-length", no_argument, NULL, 'c' },             \
	{ "timeout", required_argument, NULL, 't' },              \
	{ "max-request", required_argument, NULL, 'm' },          \
	{ "help", no_argument, NULL, 'h' },                       \
	{ "version", no_argument, NULL, 'V' }
/* clang-format on */

#define SERVER_OPTIONS_HELP                                                           \
	"  -p, --port PORT       port to listen on (default 8888; 0 lets the\n"       \
	"                        kernel choose one, printed in the ready line)\n"     \
	"  -H, --host ADDR       address to bind (default 127.0.0.1: only this\n"     \
	"                        machine can connect; 0.0.0.0 or :: accepts\n"        \
	"                        clients from the network)\n"                         \
	"  -b, --backlog N       listen() backlog: how many connections the\n"        \
	"                        kernel queues before accept() (default 5)\n"         \
	"  -c, --content-length  send Content-Length, so that clients need not\n"     \
	"                        wait for the close to know the reply is over\n"      \
	"  -t, --timeout S       give up on a client whose request is not complete\n" \
	"                        within S seconds (default 5; fractions allowed;\n"   \
	"                        0 = never)\n"                                        \
	"  -m, --max-request N   read at most N bytes of request (default 8192)\n"    \
	"  -q, --quiet           no narration: only the ready line and errors\n"      \
	"  -h, --help            show this help and exit\n"                           \
	"  -V, --version         show the version and exit\n"

/* Set by the SIGINT/SIGTERM handler; the accept loop checks it. */
extern volatile sig_atomic_t server_stop;

void server_opts_init(struct server_opts *o, const char *prog);

/* Handles one of the shared options (all but --help and --version, whose
 * text is the tool's own). Returns 0 if handled, 1 if opt is not a shared
 * option, or 2 after printing a usage error. */
int server_option(struct server_opts *o, int opt, const char *arg);

/* SIGINT/SIGTERM set server_stop (no SA_RESTART, so a blocked accept()
 * returns EINTR); SIGPIPE is ignored, so a client that hangs up early turns
 * send() into an EPIPE error instead of killing the server. */
int server_signals(void);

/* Narrates one step: "call  -> result". Silent with --quiet. */
void server_say(const struct server_opts *o, const char *call, const char *fmt,
                ...) CLI_PRINTF(3, 4);

/* Opens the listening socket, narrating each call (and saying when the
 * kernel capped the backlog at net.core.somaxconn), and prints the ready
 * line. Returns the descriptor, or -1 after printing why (exit 1). */
int server_listen(const struct server_opts *o);

/* Narrates accept()'s result: the new fd and the socket pair. */
void server_accepted(const struct server_opts *o, int lfd, int conn);

/* Reads the request on conn, prints it, sends the reply. Does not close
 * conn. Returns 0 if the client got a 200 reply, -1 otherwise (reported). */
int server_serve(const struct server_opts *o, int conn);

#endif
