/*
 * pool: srv-thread's bookkeeping, what its lesson (threads) needs and does
 * not teach: how many threads were created and how many have finished,
 * the requests they answered, the connections being served (so that a
 * stop can end them), the threads that --no-detach leaves unjoined, the
 * memory the process maps (VmSize, VmRSS from /proc/self/status), a pool
 * thread that must stop the server, and the stop sequence.
 *
 * How a stop ends a thread that waits for its client's request: main sends
 * it POOL_WAKE (pthread_kill), a signal whose handler does nothing and that
 * every thread keeps blocked but in its waits (pool_thread_mask()): the
 * wait returns EINTR, server_serve() sees server_stop and gives up on the
 * client ("interrupted: stopping"). Sent before the thread waits, the
 * signal stays pending and ends its first wait: it cannot be lost.
 *
 * Every thread of the server reads and writes it: each field is guarded by
 * p->lock.
 */
#ifndef SOCKLAB_POOL_H
#define SOCKLAB_POOL_H

#include <pthread.h>
#include <signal.h>

#include "server/server.h"

#define POOL_WAKE      SIGURG /* nobody else sends it (no F_SETOWN here) */
#define POOL_WAKE_NAME "SIGURG"

/* A connection being served, and the thread serving it. */
struct pool_conn {
	int fd;
	pthread_t thread;
};

struct pool {
	pthread_mutex_t lock;
	long created, finished;  /* threads */
	long replies;            /* 200 replies sent */
	int stopping;            /* the stop has ended the connections */
	int failed;              /* a thread had to stop the server */
	struct pool_conn *conns; /* the connections being served */
	long nconns, capconns;
	pthread_t *unjoined; /* --no-detach: never joined, until the stop */
	long nunjoined, capunjoined;
	pthread_t main; /* the thread that handles the stop signals */
	/* Short of descriptors (EMFILE): accept() waits for a close. */
	long closes;          /* connections closed so far */
	int main_waits;       /* main waits for a close: wake it */
	pthread_cond_t freed; /* ...and the pool threads waiting for one */
	int ending;           /* the stop has begun: no more waiting */
	long fd_waits;        /* times accept() waited for a descriptor */
	int fd_said;          /* the first time was said (server_accept_full) */
};

/* An empty pool. Returns 0, or -1 (errno). */
int pool_init(struct pool *p);
void pool_destroy(struct pool *p);

/* POOL_WAKE: a handler that does nothing, blocked outside the waits
 * (server_block()). Returns 0, or 1 after saying why. Before any thread is
 * created. */
int pool_wake_signal(struct server *s);

/* A thread's copy of the server: the stop signals stay blocked even in its
 * waits (only main lets them in), POOL_WAKE is let in there. */
void pool_thread_mask(struct server *copy);

/* main created a thread. */
void pool_created(struct pool *p);

/* The calling thread begins to serve fd: kept in the list of connections
 * that a stop ends. If the stop has come already, the thread sends itself
 * POOL_WAKE: its first wait ends at once. */
void pool_serving(struct pool *p, int fd);

/* ...and is done with fd, before it closes it (replied: it got the 200). */
void pool_served(struct pool *p, int fd, int replied);

/* ...and has closed it: wakes whoever waits for a free descriptor. */
void pool_closed(struct pool *p);

/* How many connections were closed so far: read before accept(), given to
 * the waits below, which return at once if one was closed since. */
long pool_closes(struct pool *p);

/* accept() failed with errno e, and `held` connections are being served:
 * 1 when the caller may wait for one of them to close (EMFILE, ENFILE;
 * said the first time only, server_accept_full()), else 0. */
int pool_may_wait(struct pool *p, const struct server *s, int e, long held);

/* The waits for a close since `since` (pool_closes()). main's lets the
 * stop signals in (it returns on them too); a pool thread's returns when
 * the stop begins (pool_stop()). Narrated. */
void pool_main_wait_close(struct pool *p, const struct server *s, long since);
void pool_thread_wait_close(struct pool *p, const struct server *s, long since);

/* Threads serving a client now (the connections a --pool holds), and
 * threads created and not finished (a thread per connection: each holds
 * its client's descriptor until it returns). */
long pool_serving_now(struct pool *p);
long pool_live(struct pool *p);

/* A thread is about to return. */
void pool_finished(struct pool *p);

/* --no-detach: main keeps t, to join it at the stop (and says how many
 * finished threads it holds, and the memory they keep mapped). Returns 0,
 * or -1 when out of memory (t is then joined at once). */
int pool_keep_unjoined(struct pool *p, const struct server *s, pthread_t t);

/* A thread cannot go on and the server must stop (accept() failed with
 * EMFILE...): marks the pool failed and sends the process SIGTERM, which
 * only main lets in. */
void pool_fail(struct pool *p);

/*
 * The stop, once no new connection comes: up to POOL_GRACE seconds for the
 * threads serving a client to finish; then each one still serving is sent
 * POOL_WAKE, and they finish (within POOL_GRACE more: a thread that has not
 * by then is said, and left to the process's exit). Then the --no-detach
 * threads are joined, late. Returns the threads still running (0).
 */
#define POOL_GRACE 2.0
long pool_stop(struct pool *p, const struct server *s);

/* VmSize and VmRSS of this process, in kB, from /proc/self/status.
 * Returns 0, or -1 (no /proc: macOS). */
int pool_memory(long *vmsize_kb, long *vmrss_kb);

/* "threads: N created, N finished, N left; VmSize N kB, VmRSS N kB"
 * (printed even when quiet), and how many times accept() waited for a
 * descriptor, if it did. */
void pool_summary(struct pool *p);

/* Replies sent. */
long pool_replies(struct pool *p);

#endif
