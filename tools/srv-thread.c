/*
 * srv-thread - a thread per connection (UNP chapter 30), or a pool of
 * threads created at the start (--pool), with the classic mistakes one
 * switch away.
 *
 * What it demonstrates
 *   A thread is a second flow of control in the same process: it shares
 *   the memory and the descriptors, and has its own stack. Creating one is
 *   cheaper than fork(): nothing is copied. By default the main thread
 *   accepts, as srv-iter does, and hands each connection to a new thread
 *   (pthread_create) that serves it, closes it and returns; the thread
 *   detaches itself (pthread_detach), so that its stack is freed when it
 *   returns. With --pool N, N threads are created at the start, and each
 *   calls accept() itself, under a mutex (UNP's serv07/serv08).
 *
 * Usage
 *   srv-thread [-n N] [--no-mutex] [--by-pointer] [--no-detach] [-p PORT]
 *              [-H ADDR] [-b N] [-l] [-t S] [-m N] [-q]
 *   (--pool, and srv-iter's options)
 *
 * Try it
 *   ./bin/srv-thread                              # terminal 1
 *   ./bin/cli-connect --clients 3 localhost:8888  # terminal 2
 *   ls /proc/$(pgrep -o srv-thread)/task          # the threads, as tasks
 *   ./bin/srv-thread --by-pointer --timeout 1     # two clients at once:
 *   ./bin/cli-connect --clients 2 --timeout 3 localhost:8888  # one hangs
 *
 * Things to notice
 *   - Every line says which thread printed it: "[main] " or "[thread N] ".
 *     The descriptors are the process's: thread 1's connection is fd 4 in
 *     /proc/PID/fd, next to the listener.
 *   - --by-pointer: the thread is given the address of main's variable,
 *     which the next accept() overwrites: two threads serve one
 *     descriptor, and the other connection is never served nor closed.
 *   - --no-detach: finished threads nobody joins keep their stacks: VmSize
 *     grows by a stack (8 MiB by default) per connection.
 *   - The stop signals stay blocked in every thread; only main lets them
 *     in (server_wait(), sigsuspend()), so that a stop lands where it is
 *     handled.
 *
 * The counts, the list of connections a stop ends, the memory read from
 * /proc and the stop sequence are in tools/srv-thread/pool.c. (This file is
 * some 50 lines over socklab's 400: it holds two servers, the thread per
 * connection and the pool, and each mistake where it changes the flow.)
 *
 * See also
 *   docs/06-beyond-fork.md; tools/srv-iter.c (socket..listen, recv, send);
 *   pthread_create(3), pthread_detach(3), pthread_join(3),
 *   pthread_mutex_lock(3), pthread_sigmask(3), accept(2), shutdown(2),
 *   srv-fork(1), srv-prefork(1).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "num.h"
#include "srv-thread/pool.h"
#include "say.h"
#include "server/server.h"

static const char *const PROG = "srv-thread";

#define POOL_MAX         1024
#define BY_POINTER_DELAY 0.1 /* s: the thread starts late (--by-pointer) */

struct opts {
	struct server s;
	long pool; /* 0: a thread per connection */
	int no_mutex, by_pointer, no_detach;
};

/* What a thread is given: its own copy of the server (its tag, its signal
 * mask), the client (or, --by-pointer, where main keeps the descriptor). */
struct job {
	struct server s;
	struct client c;
	const int *fdp; /* --by-pointer: &main's variable */
	int passed;     /* --by-pointer: what it held then, to say so */
	int detach;
	int lfd, lock; /* --pool: the listener, accept() under the mutex */
	struct pool *pool;
};

/* --pool: one thread at a time in accept() (UNP's serv08). */
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
/* --pool: held by main from the threads' creation until it listens. */
static pthread_mutex_t start_gate = PTHREAD_MUTEX_INITIALIZER;
/* --pool: the threads, and what they are given (make_pool()). */
static struct {
	const struct opts *o;
	struct pool *p;
	struct job *jobs;
	pthread_t *t;
	long n; /* made */
	int failed;
} made;

enum { OPT_NO_MUTEX = 256, OPT_BY_POINTER, OPT_NO_DETACH };

static int prethreaded(struct opts *o, struct pool *p, int *lfdp);
static int make_pool(const struct server *s, int fd);
static void job_init(struct job *j, const struct opts *o, long n,
                     struct pool *p);
static void *pool_thread(void *arg);
static void serve(struct job *j);
static int per_connection(const struct opts *o, struct pool *p, int lfd);
static int start_thread(const struct opts *o, struct pool *p, struct client *c);
static void *one_client(void *arg);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);
static int thread_option(void *ctx, int opt, const char *arg);

int main(int argc, char **argv)
{
	struct opts o;
	struct pool p;
	int rc, lfd, status;

	if (cli_start() != 0)
		return 1;
	server_init(&o.s, PROG);
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	say_tag(&o.s.say, "[main] ");
	if (pool_init(&p) == -1)
		return cli_finish(PROG,
		                  cli_error(PROG, "pthread_mutex_init: %s",
		                            strerror(errno)));
	/* Blocked here, before any thread exists: every thread inherits
	 * the mask (server_signals()). */
	if (server_signals(&o.s) != 0 || pool_wake_signal(&o.s) != 0) {
		pool_destroy(&p);
		return cli_finish(PROG, 1);
	}
	/* --pool: the threads are created first, so that a server that
	 * cannot have them (EAGAIN: ulimit -u) says so before its ready line;
	 * prethreaded() listens. */
	if (o.pool > 0) {
		status = prethreaded(&o, &p, &lfd);
	} else {
		lfd = server_listen(&o.s);
		status = lfd == -1 ? 1 : per_connection(&o, &p, lfd);
	}
	if (lfd == -1) {
		pool_destroy(&p);
		return cli_finish(PROG, 1);
	}
	close(lfd);
	say_fd(&o.s.say, "close", lfd, NULL, "ok, no more clients");
	if (o.pool == 0)
		pool_stop(&p, &o.s); /* every thread has finished */
	pool_summary(&p);
	server_stopped((unsigned long)pool_replies(&p));
	pool_destroy(&p);
	return cli_finish(PROG, status);
}

/* --pool: the threads, made by make_pool() inside server_listen() (before
 * its bind(), so that a server that cannot have them says so before its
 * ready line), then the listener (*lfdp: -1 when the server could not
 * start); the threads accept, main waits for a stop signal. */
static int prethreaded(struct opts *o, struct pool *p, int *lfdp)
{
	long i, n;
	int lfd;

	made.o = o;
	made.p = p;
	made.jobs = calloc((size_t)o->pool, sizeof *made.jobs);
	made.t = calloc((size_t)o->pool, sizeof *made.t);
	o->s.before_bind = make_pool;
	/* The threads wait at the gate until main has the listener. */
	pthread_mutex_lock(&start_gate);
	lfd = server_listen(&o->s);
	n = made.n;
	for (i = 0; i < n; i++) /* -1: the thread returns */
		made.jobs[i].lfd = lfd;
	pthread_mutex_unlock(&start_gate);
	*lfdp = lfd;
	if (lfd == -1) { /* not started: said why */
		for (i = 0; i < n; i++)
			pthread_join(made.t[i], NULL);
		free(made.jobs);
		free(made.t);
		return 1;
	}

	/* main has nothing to do but wait for a stop signal: sigsuspend()
	 * lets them in and waits, in one step. */
	while (!server_stop)
		sigsuspend(&o->s.wait_mask);

	/* shutdown(): the listener stops listening; the thread in accept()
	 * gets EINVAL, and so does each one after it. */
	if (shutdown(lfd, SHUT_RD) == 0)
		say_fd(&o->s.say, "shutdown", lfd, "SHUT_RD",
		       "ok, accept() returns in every thread");
	/* Where shutdown() does not end a blocked accept() (not Linux), the
	 * pool's threads are not joined: the process ends with them. */
	if (pool_stop(p, &o->s) > 0)
		n = 0;
	for (i = 0; i < n; i++)
		pthread_join(made.t[i], NULL);
	if (n > 0)
		say(&o->s.say, "pthread_join() of each", "%ld joined", n);
	free(made.jobs);
	free(made.t);
	return p->failed;
}

/* server_listen()'s hook before bind(): the pool's N threads, which wait
 * at the gate. Returns 0, or -1 after saying why (pthread_create: EAGAIN
 * under ulimit -u). Once made, not again (a second address). */
static int make_pool(const struct server *s, int fd)
{
	const struct opts *o = made.o;
	int e = 0;

	(void)fd;
	if (made.failed)
		return -1;
	for (; made.jobs != NULL && made.t != NULL && made.n < o->pool;
	     made.n++) {
		struct job *j = &made.jobs[made.n];

		job_init(j, o, made.n + 1, made.p);
		j->lfd = -1;
		j->lock = !o->no_mutex;
		e = pthread_create(&made.t[made.n], NULL, pool_thread, j);
		if (e != 0)
			break;
		pool_created(made.p);
		say(&s->say, "pthread_create(&t, 0, pool_thread, j)",
		    "thread %ld of %ld", made.n + 1, o->pool);
	}
	made.failed = made.jobs == NULL || made.t == NULL || e != 0;
	if (made.jobs == NULL || made.t == NULL) {
		cli_error(PROG, "out of memory");
	} else if (e != 0) {
		cli_error(PROG,
		          "pthread_create: %s%s: thread %ld of %ld: the pool "
		          "cannot start",
		          strerror(e), e == EAGAIN ? " (EAGAIN)" : "",
		          made.n + 1, o->pool);
		cli_hint(PROG, "each thread counts against ulimit -u and "
		               "kernel.threads-max, and needs a stack (ulimit "
		               "-s); try a smaller --pool");
	}
	return made.failed ? -1 : 0;
}

/* A copy of the server for a thread: its tag, and its signal mask. The
 * stop signals stay blocked in it, even in its waits: the kernel gives a
 * signal sent to the process to a thread that does not block it, and only
 * main must be that thread (a stop taken by another would leave main
 * waiting for its next client). Its waits let in the signal that a stop
 * sends it alone (tools/srv-thread/pool.h). */
static void job_init(struct job *j, const struct opts *o, long n,
                     struct pool *p)
{
	memset(j, 0, sizeof *j);
	j->s = o->s;
	pool_thread_mask(&j->s);
	say_tag(&j->s.say, "[thread %ld] ", n);
	j->pool = p;
	j->detach = !o->no_detach;
}

/* --pool: accept(), serve, close, until the listener is shut down. */
static void *pool_thread(void *arg)
{
	struct job *j = arg;

	pthread_mutex_lock(&start_gate); /* main has the listener now */
	pthread_mutex_unlock(&start_gate);
	while (j->lfd != -1) {
		long closes = pool_closes(j->pool);
		int e;

		j->c.addrlen = sizeof j->c.addr;
		/* The mutex: one thread at a time in accept(). Systems whose
		 * accept() was not safe in several threads at once needed
		 * it; Linux's is, and wakes one of them per connection
		 * (--no-mutex). */
		if (j->lock) {
			pthread_mutex_lock(&accept_lock);
			say(&j->s.say, "pthread_mutex_lock(&accept_lock)",
			    "ok, this thread's turn to accept()");
		}
		j->c.fd = accept(j->lfd, (struct sockaddr *)&j->c.addr,
		                 &j->c.addrlen);
		e = errno;
		if (j->lock)
			pthread_mutex_unlock(&accept_lock);
		if (j->c.fd == -1 && e == EINVAL) {
			say_fd(&j->s.say, "accept", j->lfd, NULL,
			       "EINVAL (the listener is shut down): the thread "
			       "returns");
			break;
		}
		if (j->c.fd == -1) {
			/* EMFILE while others serve: wait for a close. */
			if (pool_may_wait(j->pool, &j->s, e,
			                  pool_serving_now(j->pool))) {
				pool_thread_wait_close(j->pool, &j->s, closes);
				continue;
			}
			if (server_accept_failed(&j->s, e, NULL) == 0)
				continue;
			pool_fail(j->pool); /* EMFILE...: the server stops */
			break;
		}
		server_accepted(&j->s, j->lfd, &j->c);
		serve(j);
	}
	pool_finished(j->pool);
	return NULL;
}

/* Serves j->c and closes it. */
static void serve(struct job *j)
{
	int replied;

	pool_serving(j->pool, j->c.fd);
	replied = server_serve(&j->s, &j->c) == 0;
	pool_served(j->pool, j->c.fd, replied);
	if (close(j->c.fd) == -1) /* --by-pointer: another thread closed it */
		say_fd(&j->s.say, "close", j->c.fd, NULL,
		       "%s: closed by another thread already", strerror(errno));
	else
		say_fd(&j->s.say, "close", j->c.fd, NULL, "ok");
	pool_closed(j->pool); /* a descriptor free: accept() may wait for it */
}

/* A thread per connection: srv-iter's loop, and pthread_create(). */
static int per_connection(const struct opts *o, struct pool *p, int lfd)
{
	/* Static: --by-pointer gives its address away, and a thread may read
	 * it after a stop has ended this function. */
	static struct client c;

	while (!server_stop) {
		long closes;

		/* Only main lets the stop signals in: here (server.h). */
		if (server_wait(&o->s, lfd, POLLIN, 0) != 1)
			continue;
		closes = pool_closes(p);
		c.addrlen = sizeof c.addr;
		c.fd = accept(lfd, (struct sockaddr *)&c.addr, &c.addrlen);
		if (c.fd == -1 &&
		    pool_may_wait(p, &o->s, errno, pool_live(p))) {
			/* EMFILE: each thread closes its client's descriptor
			 * when served, or at --timeout: wait for one. */
			pool_main_wait_close(p, &o->s, closes);
			continue;
		}
		if (c.fd == -1) {
			if (server_accept_failed(&o->s, errno, NULL) == 0)
				continue;
			return 1; /* EMFILE...: said why */
		}
		server_accepted(&o->s, lfd, &c);
		start_thread(o, p, &c);
	}
	return 0;
}

/* A thread for the client c (main's variable). 0, or -1 (c refused). */
static int start_thread(const struct opts *o, struct pool *p, struct client *c)
{
	struct job *j = malloc(sizeof *j);
	long n = p->created + 1; /* j is the thread's once it runs */
	pthread_t t;
	int e;

	if (j == NULL) {
		cli_error(PROG, "out of memory: no thread for this client");
		server_refuse(&o->s, c->fd);
		return -1;
	}
	job_init(j, o, n, p);
	j->c = *c; /* by value: the thread's own copy of the descriptor */
	if (o->by_pointer) {
		j->fdp = &c->fd; /* the mistake: main's variable itself */
		j->passed = c->fd;
	}
	e = pthread_create(&t, NULL, one_client, j);
	if (e != 0) {
		cli_error(PROG,
		          "pthread_create: %s%s: no thread for this client",
		          strerror(e), e == EAGAIN ? " (EAGAIN)" : "");
		cli_hint(PROG, "each thread needs a stack (ulimit -s) in the "
		               "address space (ulimit -v), and counts against "
		               "ulimit -u and kernel.threads-max");
		free(j);
		server_refuse(&o->s, c->fd); /* 503 */
		return -1;
	}
	pool_created(p);
	say(&o->s.say, "pthread_create(&t, 0, one_client, j)",
	    "thread %ld, for fd %d (%s)", n, c->fd,
	    o->by_pointer ? "arg = &fd: main's variable" : "arg: a copy");
	if (o->no_detach) /* the mistake: nobody will join t */
		pool_keep_unjoined(p, &o->s, t);
	return 0;
}

/* A thread per connection: it serves its client and returns. */
static void *one_client(void *arg)
{
	struct job *j = arg;

	if (j->fdp != NULL) {
		/* The mistake: the descriptor is read from main's variable,
		 * now, not when main created the thread. A thread may start
		 * late; we make it late, so that the race shows every time. */
		clock_sleep(BY_POINTER_DELAY, NULL, NULL);
		j->c.fd = *j->fdp;
		if (j->c.fd != j->passed)
			say(&j->s.say, "*arg",
			    "fd %d, not %d: main's variable changed since "
			    "(--by-pointer)",
			    j->c.fd, j->passed);
		else
			say(&j->s.say, "*arg", "fd %d", j->c.fd);
	}
	if (j->detach) {
		/* Detached: when it returns, its stack and its record are
		 * freed at once; nobody has to join it. */
		pthread_detach(pthread_self());
		say(&j->s.say, "pthread_detach(pthread_self())", "ok");
	}
	serve(j);
	pool_finished(j->pool);
	free(j);
	return NULL;
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pool", required_argument, NULL, 'n' },
		{ "no-mutex", no_argument, NULL, OPT_NO_MUTEX },
		{ "by-pointer", no_argument, NULL, OPT_BY_POINTER },
		{ "no-detach", no_argument, NULL, OPT_NO_DETACH },
		SERVER_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int rc;

	o->pool = 0;
	o->no_mutex = o->by_pointer = o->no_detach = 0;
	rc = server_parse_args(&o->s, argc, argv,
	                       SERVER_SHORT_OPTS "n:", longopts, usage,
	                       thread_option, o);
	if (rc == CLI_OK && o->no_mutex && o->pool == 0)
		return cli_usage_error(PROG,
		                       "--no-mutex goes with --pool "
		                       "(without it, main alone accepts)");
	if (rc == CLI_OK && o->pool > 0 && (o->by_pointer || o->no_detach))
		return cli_usage_error(PROG,
		                       "--%s is a mistake of the thread per "
		                       "connection: not with --pool",
		                       o->by_pointer ? "by-pointer"
		                                     : "no-detach");
	return rc;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "A threaded web server: the main thread accepts each connection and\n"
	       "creates a thread that serves it (pthread_create); with --pool N,\n"
	       "N threads created at the start each call accept() themselves.\n"
	       "The classic mistakes are options (marked 'mistake').\n"
	       "\n"
	       "Options:\n"
	       "  -n, --pool N          N threads created at the start, each calling\n"
	       "                        accept() under a mutex (at most %d)\n"
	       "      --no-mutex        with --pool: every thread in accept() at once\n"
	       "                        (Linux wakes one of them per connection)\n"
	       "      --by-pointer      mistake: give each thread a pointer to main's\n"
	       "                        descriptor variable, which the next accept()\n"
	       "                        overwrites (the thread reads it %g s late):\n"
	       "                        two threads serve one connection, another is\n"
	       "                        never served nor closed\n"
	       "      --no-detach       mistake: threads are neither detached nor\n"
	       "                        joined: each keeps its stack after it returns,\n"
	       "                        and VmSize grows (joined at the stop)\n" SERVER_OPTIONS_HELP
	       "\n"
	       "Each line starts with the thread that prints it, [main] or\n"
	       "[thread N].\n" SERVER_SIGNALS_HELP
	       "On a stop it waits up to %g s for the threads serving clients, then\n"
	       "shuts their connections down; no thread is left.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (port in use, accept() failed\n"
	       "with EMFILE), 2 usage.\n",
	       PROG, POOL_MAX, BY_POINTER_DELAY, POOL_GRACE);
}

static int thread_option(void *ctx, int opt, const char *arg)
{
	struct opts *o = ctx;
	char err[256];

	if (opt == 'n' && num_parse_long(arg, 1, POOL_MAX, "pool", &o->pool,
	                                 err, sizeof err) == -1)
		return cli_usage_error(PROG, "%s", err);
	else if (opt == OPT_NO_MUTEX)
		o->no_mutex = 1;
	else if (opt == OPT_BY_POINTER)
		o->by_pointer = 1;
	else if (opt == OPT_NO_DETACH)
		o->no_detach = 1;
	else if (opt != 'n')
		return 1;
	return 0;
}
