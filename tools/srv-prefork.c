/*
 * srv-prefork - a preforked server (UNP, chapter 30): N children forked
 * once, at the start, each calling accept() on the listener they share.
 *
 * What it demonstrates
 *   srv-fork pays a fork() per client. A preforked server pays N of them
 *   once: the parent listens (srv-iter's calls), forks N children, and each
 *   child loops as srv-iter does, accept(), serve, close, on the listening
 *   socket they all inherited. The kernel gives each connection to one of
 *   them. The parent only watches: a child that dies is reaped and another
 *   is forked in its place. At the stop the parent shuts the listener down,
 *   which wakes every child blocked in accept(), reaps them all, and prints
 *   UNP's meter: the connections each child served, and how many times each
 *   woke up for nothing (the thundering herd).
 *
 * Usage
 *   srv-prefork [-n N] [--wait accept|poll] [--reuseport] [-p PORT]
 *               [-H ADDR] [-b N] [-l] [-t S] [-m N] [-q]
 *   (--children, and srv-iter's options)
 *
 * Try it
 *   ./bin/srv-prefork                             # terminal 1
 *   ./bin/cli-connect --clients 20 localhost:8888 # terminal 2, then Ctrl-C
 *   ./bin/srv-prefork --wait poll                 # the herd, in the meter
 *   ./bin/srv-prefork --reuseport                 # a listener per child
 *
 * Things to notice
 *   - The children's PIDs stay the same from one client to the next: no
 *     fork() per client. kill -9 one of them: the parent forks another.
 *   - The meter: how the kernel spread the connections among the children.
 *   - Blocked in accept(), one child wakes per connection: the kernel wakes
 *     one waiter (an exclusive wait). Waiting in poll() first (--wait poll),
 *     every idle child wakes: one accept() gets the connection, the others
 *     get EAGAIN or sleep again, "for nothing" in the meter.
 *   - --reuseport: each child has its own listening socket (SO_REUSEPORT),
 *     and the kernel picks the socket by a hash of the client's address.
 *
 * The meter, the count of wakeups and the listeners of --reuseport after
 * the first are in tools/srv-prefork/prefork.c; the table of children and
 * the stop sequence are srv-fork's, in tools/server/children.c. (This file
 * is some 90 lines over socklab's 400: its --help explains each way of
 * waiting.)
 *
 * See also
 *   docs/06-beyond-fork.md; tools/srv-iter.c (socket..listen, recv, send);
 *   tools/srv-fork.c; fork(2), accept(2), poll(2), shutdown(2),
 *   sigsuspend(2), waitpid(2), getrusage(2), socket(7) (SO_REUSEPORT),
 *   srv-fork(1), srv-thread(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/children.h"
#include "addr.h"
#include "cli.h"
#include "diag.h"
#include "num.h"
#include "srv-prefork/prefork.h"
#include "say.h"
#include "server/server.h"
#include "sig.h"

static const char *const PROG = "srv-prefork";

#define CHILDREN_DEFAULT 4
#define CHILDREN_MAX     1024

enum wait_mode { WAIT_ACCEPT, WAIT_POLL };

struct opts {
	struct server s;
	long children;
	enum wait_mode wait;
	int reuseport;
	pid_t parent; /* getpid() of the parent */
};

enum { OPT_WAIT = 256, OPT_REUSEPORT };

static struct children *kids; /* srv-fork's table: for the stop sequence */
static struct prefork *meter;
static const struct say *parent_say;
/* The listening sockets: one, or with --reuseport one per child. */
static int *lfds;
static long nl;

static int start(struct opts *o);
static void on_sigchld(int sig);
static int set_reuseport(const struct server *s, int fd);
static void say_shared_port(const struct opts *o);
static void child(const struct opts *o, long i);
static int own_listener(long i);
static int poll_listener(struct server *s, struct prefork_slot *me, int lfd,
                         long before);
static int woken(const struct server *s, struct prefork_slot *me, int lfd,
                 int fd, int e, long before);
static int spawn(const struct opts *o, long i);
static int replace_the_dead(const struct opts *o);
static int back_off(const struct opts *o, double secs);
static int stop(int status);
static void reaped(const char *call, pid_t pid, int st);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);
static int prefork_option(void *ctx, int opt, const char *arg);

int main(int argc, char **argv)
{
	struct opts o;
	int rc, status = 0;
	long i;

	if (cli_start() != 0)
		return 1;
	server_init(&o.s, PROG);
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	/* The meter, SIGCHLD, then srv-iter's socket..listen. */
	if (start(&o) != 0)
		return cli_finish(PROG, stop(1));

	/* The children, forked once and for all. */
	for (i = 0; i < o.children && status == 0; i++)
		status = spawn(&o, i);

	/* The parent has nothing to do but wait for a signal: sigsuspend()
	 * lets the stop signals and SIGCHLD in and waits, in one step (the
	 * lost-signal race of tools/server/server.h again: a pause() after
	 * unblocking them could wait forever for one that came in between). */
	while (!server_stop && status == 0) {
		sigsuspend(&o.s.wait_mask);
		if (!server_stop)
			status = replace_the_dead(&o);
	}

	/* shutdown(): the listener stops listening, for every process that
	 * holds it: each child blocked in accept() (or poll()) wakes up and
	 * gets EINVAL. A signal would not do: a child could be between its
	 * test of the stop flag and accept(). */
	for (i = 0; i < nl; i++) {
		if (shutdown(lfds[i], SHUT_RD) == 0)
			say_fd(&o.s.say, "shutdown", lfds[i], "SHUT_RD",
			       "ok, every child's accept() returns");
		close(lfds[i]);
		lfds[i] = -1;
	}
	children_stop(kids, &o.s, reaped); /* every child reaped */
	prefork_meter(meter);
	children_summary(kids);
	server_stopped((unsigned long)prefork_replies(meter));
	return cli_finish(PROG, stop(status));
}

/* The meter, SIGCHLD, the stop signals, then srv-iter's socket..listen
 * (and, with --reuseport, a listener per child: lfds, nl). Returns 0, or
 * 1 (said why). */
static int start(struct opts *o)
{
	char err[128];
	long i;

	say_tag(&o->s.say, "[parent] ");
	parent_say = &o->s.say;
	o->parent = getpid();
	meter = prefork_new(o->children);
	kids = children_new(o->children);
	nl = o->reuseport ? o->children : 1;
	lfds = malloc((size_t)nl * sizeof *lfds);
	for (i = 0; lfds != NULL && i < nl; i++)
		lfds[i] = -1;
	if (meter == NULL || kids == NULL || lfds == NULL)
		return cli_error(PROG, "out of memory");
	if (sig_catch(SIGCHLD, on_sigchld, SA_NOCLDSTOP, err, sizeof err) == -1)
		return cli_error(PROG, "%s", err);
	if (server_signals(&o->s) != 0 || server_block(&o->s, SIGCHLD) != 0)
		return 1;
	if (o->reuseport)
		o->s.before_bind = set_reuseport;
	lfds[0] = server_listen(&o->s);
	for (i = 1; i < nl && lfds[i - 1] != -1; i++)
		lfds[i] = prefork_listener(&o->s, lfds[0], set_reuseport);
	if (lfds[nl - 1] == -1)
		return 1;
	if (o->reuseport)
		say_shared_port(o);
	for (i = 0; i < nl && o->wait == WAIT_POLL; i++) {
		/* O_NONBLOCK: accept() returns EAGAIN rather than blocking
		 * when another child took the connection. On the socket, so
		 * for every child at once: they share it. */
		int fl = fcntl(lfds[i], F_GETFL);

		if (fl == -1 ||
		    fcntl(lfds[i], F_SETFL, fl | O_NONBLOCK) == -1) {
			return cli_error(PROG, "fcntl O_NONBLOCK: %s",
			                 strerror(errno));
		}
		say_fd(&o->s.say, "fcntl", lfds[i], "F_SETFL, O_NONBLOCK",
		       "ok");
	}
	return 0;
}

/* SIGCHLD only has to end the parent's sigsuspend(): main() reaps. */
static void on_sigchld(int sig)
{
	(void)sig;
}

/* --reuseport: another process's listeners on our address would take a
 * share of the clients without a word. Counts the listening sockets of
 * that address (sock_diag, lib/diag); says so when some are not ours. */
struct port_count {
	struct sockaddr_storage addr;
	long n;
};

static int count_listener(const struct tcptab_entry *t, void *arg)
{
	struct port_count *pc = arg;

	pc->n += addr_same((const struct sockaddr *)&t->local,
	                   (const struct sockaddr *)&pc->addr);
	return 0;
}

static void say_shared_port(const struct opts *o)
{
	struct port_count pc = { .n = 0 };
	socklen_t len = sizeof pc.addr;
	char err[128];

	if (getsockname(lfds[0], (struct sockaddr *)&pc.addr, &len) == -1 ||
	    diag_tcp_scan(DIAG_TCP_LISTEN, count_listener, &pc, err,
	                  sizeof err) == -1 ||
	    pc.n <= nl)
		return;
	say_note(&o->s.say,
	         "note: %ld other listening socket%s on port %u (another "
	         "process with SO_REUSEPORT): the kernel splits the clients "
	         "between it and us",
	         pc.n - nl, pc.n - nl == 1 ? "" : "s",
	         addr_port((struct sockaddr *)&pc.addr));
}

/* --reuseport: SO_REUSEPORT on a listener, before its bind(). */
static int set_reuseport(const struct server *s, int fd)
{
	int one = 1;

	/* Several sockets may then bind the same address and port, if each
	 * sets it (and has the same owner); the kernel spreads the
	 * connections among them by a hash of the client's address. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == -1) {
		cli_error(s->prog, "setsockopt SO_REUSEPORT: %s",
		          strerror(errno));
		return -1;
	}
	say_fd(&s->say, "setsockopt", fd, "SO_REUSEPORT, 1", "ok");
	return 0;
}

/* The child: srv-iter's loop on the shared listener, until the parent shuts
 * it down. Its counters go into its slot of the meter. */
static void child(const struct opts *o, long i)
{
	struct server s = o->s;
	struct prefork_slot *me = &meter->slot[i];
	int lfd, status = 0;

	prefork_follow_parent(o->parent);
	say_tag(&s.say, "[child %ld] ", (long)getpid());
	lfd = own_listener(i);
	say_note(&s.say, "Child PID: %ld. Parent PID %ld. Listener: fd %d",
	         (long)getpid(), (long)getppid(), lfd);

	while (!server_stop) {
		struct client c = { .addrlen = sizeof c.addr };
		long before = prefork_sleeps(); /* the meter */
		int e, got;

		if (o->wait == WAIT_POLL &&
		    poll_listener(&s, me, lfd, before) != 1)
			continue; /* a stop signal */
		/* accept: --wait accept blocks here until a connection comes,
		 * and the kernel wakes one of the children blocked in it per
		 * connection. The stop signals are let in while it blocks;
		 * one that came just before it blocked would be missed
		 * (tools/server/server.h), but the parent's shutdown() of the
		 * listener ends every accept() all the same. */
		if (o->wait == WAIT_ACCEPT)
			server_signals_in(&s, 1);
		c.fd = accept(lfd, (struct sockaddr *)&c.addr, &c.addrlen);
		e = errno;
		if (o->wait == WAIT_ACCEPT)
			server_signals_in(&s, 0);
		got = woken(&s, me, lfd, c.fd, e, before);
		if (got == 0)
			continue; /* EAGAIN: woke for nothing */
		if (got == -1)
			break; /* the listener is shut down, or a stop */
		if (c.fd == -1) {
			if (server_accept_failed(&s, e, NULL) == 0)
				continue;
			status = 1; /* EMFILE...: the parent replaces us */
			break;
		}
		me->conns++;
		server_accepted(&s, lfd, &c);
		if (server_serve(&s, &c) == 0)
			me->replies++;
		close(c.fd);
		say_fd(&s.say, "close", c.fd, NULL, "ok, back to accept()");
	}
	close(lfd);
	_exit(s.say.quiet ? status : cli_finish(PROG, status));
}

/* Child i's listener: the shared one, or with --reuseport its own; it
 * closes the others, which are the other children's. */
static int own_listener(long i)
{
	int lfd = lfds[nl > 1 ? i : 0];
	long j;

	for (j = 0; j < nl; j++)
		if (lfds[j] != lfd)
			close(lfds[j]);
	return lfd;
}

/* --wait poll: poll() sleeps until the listener has a connection. Every
 * child sleeping in poll() on it is woken by the next connection; the
 * kernel cannot know that only one of them will get it. The listener is
 * non-blocking (start()): accept() then fails with EAGAIN when another
 * child was first. 1 ready, else a stop signal (the last wakeup, not
 * counted). */
static int poll_listener(struct server *s, struct prefork_slot *me, int lfd,
                         long before)
{
	if (server_wait(s, lfd, POLLIN, 0) != 1) {
		prefork_woke(me, prefork_sleeps() - before - 1, 0);
		return 0;
	}
	say_fd(&s->say, "poll", lfd, "POLLIN", "ready");
	return 1;
}

/* The meter, once accept() has returned fd (errno e): the wakeups since
 * before, and what they brought. 1: a connection (or an error to handle);
 * 0: nothing, another child took it (EAGAIN); -1: the stop (the listener
 * shut down, or a stop signal). */
static int woken(const struct server *s, struct prefork_slot *me, int lfd,
                 int fd, int e, long before)
{
	if (fd == -1 && (e == EAGAIN || e == EWOULDBLOCK)) {
		prefork_woke(me, prefork_sleeps() - before, 0);
		say_fd(&s->say, "accept", lfd, NULL,
		       "EAGAIN: woke for nothing, another child took it");
		return 0;
	}
	if (fd == -1 && (e == EINVAL || server_stop)) {
		/* The last wakeup was the stop: not counted. */
		prefork_woke(me, prefork_sleeps() - before - 1, 0);
		say_fd(&s->say, "accept", lfd, NULL, "%s: the server stops",
		       e == EINVAL ? "EINVAL (the listener is shut down)"
		                   : "EINTR (a stop signal)");
		return -1;
	}
	prefork_woke(me, prefork_sleeps() - before, 1);
	return 1;
}

/* Child i: fork(), and the child runs child(). */
static int spawn(const struct opts *o, long i)
{
	pid_t old = meter->slot[i].pid, pid = fork();

	if (pid == -1)
		return cli_error(PROG, "fork: %s: cannot keep %ld children",
		                 strerror(errno), o->children);
	if (pid == 0)
		child(o, i); /* never returns */
	prefork_born(meter, i, pid);
	children_add(kids, pid);
	if (old == 0)
		say(&o->s.say, "fork()", "child pid %ld (%ld of %ld)",
		    (long)pid, i + 1, o->children);
	else
		say(&o->s.say, "fork()", "child pid %ld, in place of %ld",
		    (long)pid, (long)old);
	return 0;
}

/* Every child that has died: reaped, and replaced. 0, or 1 (said why). */
static int replace_the_dead(const struct opts *o)
{
	int st;
	pid_t pid;

	/* WNOHANG: the children still alive are not waited for. */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		long i = prefork_slot_of(meter, pid);

		reaped("waitpid(-1, &st, WNOHANG)", pid, st);
		if (i < 0)
			continue;
		/* Children that die as soon as they are forked: a pause
		 * before each next fork(), longer each time, rather than a
		 * loop of forks (or a stop: the cause may pass). */
		if (prefork_retire(meter, i, st) &&
		    back_off(o, prefork_backoff(meter)) != 0)
			return 0; /* a stop signal came */
		if (spawn(o, i) != 0)
			return 1;
	}
	return 0;
}

/* Waits secs before the next fork(), the stop signals let in; said on
 * stderr the first time, narrated each time. 0, or -1 on a stop. */
static int back_off(const struct opts *o, double secs)
{
	static int said;

	if (!said)
		cli_error(PROG,
		          "children die as soon as they are forked: "
		          "a pause before each next fork(), up to %g s "
		          "(said once)",
		          PREFORK_BACKOFF_MAX);
	said = 1;
	say(&o->s.say, "(no fork())", "%g s first: children die at once", secs);
	return server_sleep(&o->s, secs);
}

/* A child was reaped (by main(), or by children_stop()). */
static void reaped(const char *call, pid_t pid, int st)
{
	long i = prefork_slot_of(meter, pid);

	children_remove(kids, pid, st);
	say(parent_say, call, "pid %ld (%s %d): it served %ld connection%s",
	    (long)pid, WIFEXITED(st) ? "exit" : "killed by signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
	    i < 0 ? 0 : meter->slot[i].conns,
	    i >= 0 && meter->slot[i].conns == 1 ? "" : "s");
}

/* What start() made, freed (the listeners closed, if still open).
 * Returns status. */
static int stop(int status)
{
	long i;

	for (i = 0; lfds != NULL && i < nl; i++)
		if (lfds[i] != -1)
			close(lfds[i]);
	free(lfds);
	if (kids != NULL)
		children_free(kids);
	if (meter != NULL)
		prefork_free(meter);
	return status;
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "children", required_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "reuseport", no_argument, NULL, OPT_REUSEPORT },
		SERVER_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};

	o->children = CHILDREN_DEFAULT;
	o->wait = WAIT_ACCEPT;
	o->reuseport = 0;
	return server_parse_args(&o->s, argc, argv,
	                         SERVER_SHORT_OPTS "n:", longopts, usage,
	                         prefork_option, o);
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "A preforked web server (UNP chapter 30): it forks N children at the\n"
	       "start; each one calls accept() on the listening socket they share,\n"
	       "serves the client and calls accept() again. A child that dies is\n"
	       "replaced. At the stop it prints the meter: the connections each\n"
	       "child served, and the times each woke up for nothing.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --children N      how many children (default %d, at most %d)\n"
	       "      --wait MODE       how the children wait for a connection:\n"
	       "                          accept  block in accept(): the kernel\n"
	       "                                  wakes one child (the default)\n"
	       "                          poll    poll() the listener, then accept():\n"
	       "                                  every idle child wakes, one gets\n"
	       "                                  the connection (the thundering herd)\n"
	       "      --reuseport       a listening socket per child (SO_REUSEPORT):\n"
	       "                        the kernel chooses one by a hash of the\n"
	       "                        client's address and port\n" SERVER_OPTIONS_HELP
	       "\n"
	       "Each line starts with the process that prints it, [parent] or\n"
	       "[child PID].\n" SERVER_SIGNALS_HELP
	       "On a stop it shuts the listener down (every child's accept() returns),\n"
	       "waits up to %g s for the children, then sends them SIGTERM (then\n"
	       "SIGKILL), and prints the meter.\n"
	       "\n"
	       "Children that die as soon as they start are forked again after a\n"
	       "pause, longer each time (up to %g s); children killed from outside\n"
	       "(kill -9) are replaced at once.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (port in use, fork() failed),\n"
	       "2 usage.\n",
	       PROG, CHILDREN_DEFAULT, CHILDREN_MAX, STOP_GRACE,
	       PREFORK_BACKOFF_MAX);
}

static int prefork_option(void *ctx, int opt, const char *arg)
{
	struct opts *o = ctx;
	char err[256];

	if (opt == 'n') {
		if (num_parse_long(arg, 1, CHILDREN_MAX, "children",
		                   &o->children, err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
	} else if (opt == OPT_WAIT && strcmp(arg, "accept") == 0) {
		o->wait = WAIT_ACCEPT;
	} else if (opt == OPT_WAIT && strcmp(arg, "poll") == 0) {
		o->wait = WAIT_POLL;
	} else if (opt == OPT_WAIT) {
		return cli_usage_error(PROG,
		                       "invalid wait mode '%s': expected accept "
		                       "or poll",
		                       arg);
	} else if (opt == OPT_REUSEPORT) {
		o->reuseport = 1;
	} else {
		return 1;
	}
	return 0;
}
