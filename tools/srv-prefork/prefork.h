/*
 * prefork: srv-prefork's machinery that is not the lesson: UNP's meter (a
 * slot of counters per child, in memory that the parent and its children
 * share), the count of a child's wakeups, and the guard against children
 * that die as soon as they are forked. The children's table and the stop
 * sequence are srv-fork's (tools/server/children.h).
 *
 * How a wakeup is counted: the kernel counts, for each process, the times
 * it gave up the CPU to sleep (getrusage(2): ru_nvcsw, the voluntary
 * context switches). A child reads that count before it waits for a
 * connection and again when accept() returns: the difference is how many
 * times it slept, and so was woken, on the way. When accept() returns a
 * connection, the last wakeup brought it and the others were for nothing
 * (it woke, found no connection, and slept again: in poll() or accept(),
 * inside the kernel, unseen by the program); when accept() fails with
 * EAGAIN (--wait poll: another child took the connection), every one of
 * them was for nothing.
 */
#ifndef SOCKLAB_PREFORK_H
#define SOCKLAB_PREFORK_H

#include <sys/types.h>

#include "server/server.h"

/* One child's counters: written by that child, read by the parent. */
struct prefork_slot {
	volatile pid_t pid;    /* the child in this slot (the last one) */
	double born;           /* clock_now() at its fork (the parent's) */
	volatile long conns;   /* connections it accepted */
	volatile long replies; /* ...that got the 200 reply */
	volatile long woke;    /* times it woke while waiting for one */
	volatile long futile;  /* ...that brought no connection */
};

struct prefork {
	long n;           /* children, slots */
	long replaced;    /* children that died and were replaced */
	long fast_deaths; /* in a row, each less than a second old */
	/* What the replaced children had counted (their slots were reused). */
	long old_conns, old_replies, old_woke, old_futile;
	struct prefork_slot slot[];
};

/* The meter for n children, in a shared anonymous mapping (MAP_SHARED:
 * what a child writes there, the parent reads); NULL when out of memory. */
struct prefork *prefork_new(long n);
void prefork_free(struct prefork *m);

/* The slot of the child pid, or -1. */
long prefork_slot_of(const struct prefork *m, pid_t pid);

/* Child i was forked: its pid, its birth, counters at zero. */
void prefork_born(struct prefork *m, long i, pid_t pid);

/* In a child: when its parent dies (kill -9), it gets SIGTERM rather than
 * live on, an orphan holding the port (Linux's prctl(PR_SET_PDEATHSIG));
 * elsewhere, nothing. parent: the pid of the parent that forked it. */
void prefork_follow_parent(pid_t parent);

/* The child's voluntary context switches so far (getrusage(RUSAGE_SELF)). */
long prefork_sleeps(void);

/* A child's wait ended after it slept `slept` times: counted. useful: 1
 * when what ended the last sleep was what it waited for (a connection, or
 * the stop), 0 when nothing was there (EAGAIN). */
void prefork_woke(struct prefork_slot *me, long slept, int useful);

/* Child i died while the server runs, with wait status st: its counts go
 * to the totals (its slot will be reused). Returns 1 when children die too
 * fast to fork the next at once (prefork_backoff()): 3 * n in a row, each less than a second after its fork,
 * that exited or crashed (SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE). A
 * child killed from outside (kill -9, SIGTERM: any other signal) did not
 * die at its start: it neither counts nor ends the run. Else 0. */
int prefork_retire(struct prefork *m, long i, int st);

/* After prefork_retire() returned 1: how long to wait before the next
 * fork(), doubled from 0.1 s with each fast death beyond 3 * n, at most
 * PREFORK_BACKOFF_MAX. */
#define PREFORK_BACKOFF_MAX 5.0
double prefork_backoff(const struct prefork *m);

/* --reuseport: one more listening socket on the address and port of first,
 * as srv-iter's server_listen() makes one (socket, setsockopt SO_REUSEADDR,
 * then opt(): SO_REUSEPORT, bind, listen), narrated. Returns it, or -1
 * after saying why. */
int prefork_listener(const struct server *s, int first,
                     int (*opt)(const struct server *s, int fd));

/* UNP's meter, printed even when quiet: a line per child, then the
 * totals. */
void prefork_meter(const struct prefork *m);

/* All connections, all 200 replies, replaced children included. */
long prefork_conns(const struct prefork *m);
long prefork_replies(const struct prefork *m);

#endif
