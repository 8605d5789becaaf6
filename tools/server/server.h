/*
 * server: what socklab's servers share.
 *
 * Two files, two roles:
 *
 *   tools/srv-iter.c   the article's calls, the lesson: server_listen()
 *                      (getpid, socket, setsockopt, bind, listen,
 *                      getsockname, the ready line) and server_serve()
 *                      (recv until the request is complete, print it,
 *                      send the reply). The Makefile compiles srv-iter.c a
 *                      second time with -DSERVER_CALLS_ONLY, which leaves
 *                      out its main(), and links that object into the
 *                      other servers: they use these calls, they do not
 *                      copy them.
 *   tools/server/server.c     what is not the lesson: the options every server
 *                      takes, the stop signals and the waits, what to do
 *                      when accept() fails, the 503 refusal, the last line.
 *
 * What differs between the servers (around accept()) stays in each tool.
 */
#ifndef SOCKLAB_SERVER_H
#define SOCKLAB_SERVER_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>

#include "cli.h"
#include "http.h"
#include "say.h"

#define SERVER_PORT    8888 /* the article's */
#define SERVER_BACKLOG 5    /* the article's REQUEST_QUEUE_SIZE */
#define SERVER_HOST    "127.0.0.1"
#define SERVER_TIMEOUT 5.0 /* seconds a client has for its whole request */

/* A server: its options, and who narrates (struct say: --quiet, and the
 * tag of srv-fork's processes, "[parent] " or "[child 4242] "). */
struct server {
	const char *prog;
	char host[256];
	unsigned short port;
	int backlog;
	int content_length; /* frame the reply with Content-Length */
	double timeout;     /* deadline for a whole request, s; 0 = none */
	long max_request;   /* bytes of request read at most */
	struct say say;
	sigset_t wait_mask; /* the signal mask inside server_wait/sleep() */
	sigset_t run_mask;  /* ...and outside: the stop signals blocked */
	/* server_stops_unblocked() (srv-iter): the stop signals are blocked
	 * only from server_wait()'s test of server_stop to its wait; this is
	 * the mask then. */
	int stops_unblocked;
	sigset_t test_mask;
	/* A tool's own socket option, set by server_listen() between
	 * SO_REUSEADDR and bind() (srv-prefork --reuseport: SO_REUSEPORT);
	 * NULL for none. Returns 0, or -1 after saying why. */
	int (*before_bind)(const struct server *s, int fd);
	/* How a connection ends (lesson 7): SERVER_END_OPTS's mistakes. */
	int no_reuseaddr; /* --no-reuseaddr: no SO_REUSEADDR before bind() */
	int sigpipe;      /* --sigpipe: SIGPIPE at its default, no
	                     MSG_NOSIGNAL: a write to a gone client kills */
	/* --trace FILE: the narration as events for show-timeline
	 * (lib/trace.h); NULL for none. Opened by server_parse_args(). */
	const char *trace;
};

/* A client, as accept() gives it: the connection and the peer's address
 * (the article's `client_connection, client_address = accept()`). */
struct client {
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* The options every server takes; a tool adds its own in front. */
#define SERVER_SHORT_OPTS ":p:H:b:qlt:m:hV"
/* clang-format off */
#define SERVER_LONG_OPTS                                          \
	{ "port", required_argument, NULL, 'p' },                 \
	{ "host", required_argument, NULL, 'H' },                 \
	{ "backlog", required_argument, NULL, 'b' },              \
	{ "quiet", no_argument, NULL, 'q' },                      \
	{ "content-length", no_argument, NULL, 'l' },             \
	{ "timeout", required_argument, NULL, 't' },              \
	{ "max-request", required_argument, NULL, 'm' },          \
	{ "help", no_argument, NULL, 'h' },                       \
	{ "version", no_argument, NULL, 'V' },                    \
	{ "trace", required_argument, NULL, SERVER_OPT_TRACE }
/* clang-format on */
/* --trace has no letter: its getopt value. */
#define SERVER_OPT_TRACE 0x7400

#define SERVER_OPTIONS_HELP                                                           \
	"  -p, --port PORT       port to listen on (default 8888; 0 lets the\n"       \
	"                        kernel choose one, printed in the ready line)\n"     \
	"  -H, --host ADDR       address to bind (default 127.0.0.1: only this\n"     \
	"                        machine can connect; 0.0.0.0 or :: accepts\n"        \
	"                        clients from the network; [::1] for IPv6)\n"         \
	"  -b, --backlog N       listen() backlog: how many connections the\n"        \
	"                        kernel queues before accept() (default 5)\n"         \
	"  -l, --content-length  send Content-Length, so that clients need not\n"     \
	"                        wait for the close to know the reply is over\n"      \
	"  -t, --timeout S       give up on a client whose request is not complete\n" \
	"                        within S seconds (default 5; fractions allowed;\n"   \
	"                        0 = never)\n"                                        \
	"  -m, --max-request N   read at most N bytes of request (default 8192)\n"    \
	"  -q, --quiet           no narration: only the ready line and errors\n"      \
	"      --trace FILE      also write what is narrated into FILE as events,\n"  \
	"                        one JSON object a line, for show-timeline FILE\n"    \
	"                        (children append to it; not with --quiet)\n"         \
	"  -h, --help            show this help and exit\n"                           \
	"  -V, --version         show the version and exit\n"

/* What every server's --help says about signals and errors. */
#define SERVER_SIGNALS_HELP                                                         \
	"Any signal that asks a process to stop (SIGINT from Ctrl-C, SIGTERM,\n"    \
	"SIGHUP, SIGQUIT, SIGUSR1...) stops it cleanly, at any moment: it closes\n" \
	"the listening socket, says how many requests it served, and exits 0.\n"    \
	"When accept() fails for want of descriptors or memory (EMFILE, ENFILE,\n"  \
	"ENOBUFS, ENOMEM) it says why. Short of descriptors while it holds\n"       \
	"connections it will close, it waits for one to be closed (said once)\n"    \
	"and goes on; holding none, it exits 1 rather than retry in a loop.\n"

/* How a connection ends (lesson 7): two mistakes, in the servers that
 * teach them (srv-iter, srv-sleep, srv-fork). A tool puts
 * SERVER_END_LONG_OPTS in its options and SERVER_END_HELP in its help;
 * server_option() handles them. Long only. */
enum { SERVER_OPT_NO_REUSEADDR = 0x1001, SERVER_OPT_SIGPIPE };
/* clang-format off */
#define SERVER_END_LONG_OPTS                                                \
	{ "no-reuseaddr", no_argument, NULL, SERVER_OPT_NO_REUSEADDR },     \
	{ "sigpipe", no_argument, NULL, SERVER_OPT_SIGPIPE }
/* clang-format on */
#define SERVER_END_HELP                                                                \
	"      --no-reuseaddr    mistake: no SO_REUSEADDR before bind(): a restart\n"  \
	"                        fails with 'Address already in use' while\n"          \
	"                        connections of the port sit in TIME_WAIT\n"           \
	"      --sigpipe         mistake: SIGPIPE left at its default and send()\n"    \
	"                        without MSG_NOSIGNAL: a write to a client that has\n" \
	"                        gone kills the server (exit status 141)\n"

/* Set by the handler of the stop signals; the loops test it. */
extern volatile sig_atomic_t server_stop;

/* The defaults; quiet off, no tag. */
void server_init(struct server *s, const char *prog);

/* Handles one of the shared options (all but --help and --version). Returns
 * 0 if handled, 1 if opt is not one of them, 2 after a usage error. */
int server_option(struct server *s, int opt, const char *arg);

/* The getopt loop of every server's parse_args(): --help (usage() prints
 * it), --version, the shared options, and nothing left over. own(ctx, opt,
 * arg) handles the tool's own options first: it returns 0 handled, 1 not
 * its, 2 after a usage error (own NULL: none). Returns CLI_OK, CLI_DONE or
 * 2 (cli.h). */
int server_parse_args(struct server *s, int argc, char **argv,
                      const char *shortopts, const struct option *longopts,
                      void (*usage)(void),
                      int (*own)(void *ctx, int opt, const char *arg),
                      void *ctx);

/*
 * The stop signals (lib/sig.h: SIGINT, SIGTERM, SIGHUP, SIGQUIT...) set
 * server_stop, and are then BLOCKED: the kernel keeps one that arrives
 * pending, and delivers it only inside server_wait() and server_sleep(),
 * which wait with the mask of before (s->wait_mask). SIGPIPE is ignored:
 * a client that hangs up early turns send() into an EPIPE error. Returns
 * 0, or 1 (the exit status) after saying why.
 */
int server_signals(struct server *s);

/*
 * srv-iter's way, the same guarantee for fewer system calls: the stop
 * signals are caught (with SA_RESTART) and stay unblocked while the loop
 * works, so that their handler runs at once and sets server_stop; only
 * server_wait() blocks them, from its own test of server_stop until its
 * wait (ppoll()) lets them in again. A loop that tries its accept() and
 * recv() first, on non-blocking sockets (server_nonblocking()), and waits
 * only when they would block, then makes under load the four calls of the
 * minimal loop (accept, recv, send, close) and nothing else: server_wait()
 * costs three (sigprocmask, ppoll, sigprocmask), but only when there is
 * nothing to do (docs/performance.md). Returns 0, or 1 after saying why.
 */
int server_stops_unblocked(struct server *s);

/* O_NONBLOCK on fd, silently (not the lesson: the narration stays the
 * article's). Returns 0, or 1 after saying why. */
int server_nonblocking(const struct server *s, int fd);

/* Blocks sig too outside the waits (srv-fork: SIGCHLD, so that its
 * handler runs only while the parent waits). Returns 0, or 1 after saying
 * why. */
int server_block(struct server *s, int sig);

/*
 * Waits until fd is ready for events (POLLIN...) or until deadline (a
 * clock_now() value, 0 = none), the stop signals let in. Returns 1 ready,
 * 0 deadline passed, -1 with errno EINTR when a handler ran.
 *
 * Why the stop signals are let in only here: the article's loop is
 *
 *     while not stopped: conn = accept(listener)
 *
 * and a signal that arrives after the test of `stopped` but before accept()
 * has blocked is handled at once: the handler sets the flag, and accept()
 * then waits for the next client as if nothing had happened. Blocked, the
 * signal stays pending until the wait lets it in: ppoll() (pselect() on
 * macOS) changes the mask and starts waiting in one step, so a signal that
 * came in between is delivered inside the wait, which returns EINTR.
 */
int server_wait(const struct server *s, int fd, short events, double deadline);

/* Sleeps secs seconds, the stop signals let in: a stop ends it early
 * (returns -1, errno EINTR); 0 when the whole time passed. */
int server_sleep(const struct server *s, double secs);

/* Lets the stop signals in (on = 1) or keeps them out again (on = 0), for
 * a tool that blocks in a call other than the waits above. */
void server_signals_in(const struct server *s, int on);

/* For a server that waits with its own call (srv-poll's epoll_pwait()):
 * after a wait that returned because a descriptor was ready, Linux has not
 * delivered a signal that was pending (it does only when the wait sleeps),
 * so under a steady load a stop signal or SIGCHLD would wait for a quiet
 * moment. Lets in what is pending among the signals the waits let in
 * (clock_deliver_pending(); server_wait() does it itself). */
void server_let_pending_in(const struct server *s);

/* accept() failed with errno e: says so. Returns 0 when the server may go
 * on (EINTR; ECONNABORTED and the like: that one client is gone), 1 when
 * it must stop, after saying why with a hint (hint, or the usual one when
 * NULL): EMFILE, ENFILE, ENOBUFS, ENOMEM, where no retry can succeed until
 * something else frees a descriptor or memory, and any error that says the
 * listener itself is broken. Retrying those would spin. */
int server_accept_failed(const struct server *s, int e, const char *hint);

/* accept() failed with errno e while the server holds `held` connections
 * that it will close by itself (when served, or at --timeout). Short of
 * descriptors (EMFILE, ENFILE) with held > 0, it need not stop: returns 1,
 * the caller waits until one of them is closed and accepts again; the
 * first time (*said 0) it says why and sets *said, never again (a wait
 * per accept() would flood the log). Else returns 0: the caller goes on
 * to server_accept_failed(). */
int server_accept_full(const struct server *s, int e, long held, int *said);

/* bind() failed with errno e: says so, with a hint (a port in use, an
 * address not of this host, a port below 1024). */
void server_bind_failed(const struct server *s, const char *where, int e);

/* After listen(): says when the kernel capped the backlog (somaxconn). */
void server_say_backlog(const struct server *s, int lfd);

/* Before the ready line: says, even with --quiet, when the server is bound
 * to every interface (--host 0.0.0.0, ::, 0): other machines can connect. */
void server_say_everywhere(const struct server *s, const struct sockaddr *sa);

/* The request of c did not arrive: says why, and answers what HTTP has an
 * answer for. e: ETIMEDOUT (--timeout passed: 408 if part of it came),
 * EINTR (a stop signal), EMSGSIZE (more than --max-request: 431), 0 (the
 * client closed without sending a byte), or recv()'s errno. len: the bytes
 * that did come. */
void server_no_request(const struct server *s, const struct client *c, int e,
                       size_t len);

/* Narrates what accept() returned: the new fd and the socket pair. */
void server_accepted(const struct server *s, int lfd, const struct client *c);

/* The client's address ("127.0.0.1:40998"), for messages. */
const char *server_client_name(const struct client *c, char *buf, size_t len);

/* No child for this client: reads what it sent, answers 503, closes. */
void server_refuse(const struct server *s, int conn);

/* The last line: "Stopped: served N requests." (printed even when quiet). */
void server_stopped(unsigned long served);

/* size bytes of memory shared with the children forked after it (mmap
 * MAP_SHARED | MAP_ANONYMOUS), zeroed: what a child writes there, the
 * parent reads, and no page of it is ever copied on a write after fork()
 * (srv-fork's table of children, srv-prefork's meter). NULL when out of
 * memory. server_shared_free() with the same size. */
void *server_shared(size_t size);
void server_shared_free(void *p, size_t size);

/* ---------------------------------------------- tools/srv-iter.c's calls */

/* getpid, then socket -> setsockopt(SO_REUSEADDR) -> bind -> listen, each
 * narrated; getsockname; the ready line. Returns the listening descriptor,
 * or -1 after saying why (exit 1). */
int server_listen(const struct server *s);

/* recv() until the request on c is complete, within --timeout; print it;
 * send the reply. Does not close c->fd. Returns 0 when the client got the
 * 200 reply, -1 when not (said why on stderr). */
int server_serve(const struct server *s, const struct client *c);

#endif
