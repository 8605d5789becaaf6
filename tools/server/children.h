/*
 * children: srv-fork's bookkeeping of its children, what the article does
 * not teach and srv-fork needs: the table of live children (for
 * --max-children and for the stop), the counters behind the SIGCHLD
 * handler, the connections the parent keeps by mistake (--keep-conn), the
 * stop sequence, and the resource limits (--max-fds, --nproc).
 *
 * The table lives in memory shared between the parent and its children
 * (mmap MAP_SHARED): after fork(), every private page of the parent is
 * shared copy-on-write with the child, and the parent's first write to
 * such a page makes the kernel copy it. The parent writes here after each
 * fork(); a shared page is never copied (docs/performance.md).
 *
 * The SIGCHLD handler calls children_remove(), so the table is touched by
 * main() only while SIGCHLD is blocked: srv-fork keeps it blocked except
 * while it waits (tools/server/server.h: server_block()).
 */
#ifndef SOCKLAB_CHILDREN_H
#define SOCKLAB_CHILDREN_H

#include <signal.h>
#include <sys/types.h>

#include "server.h"

struct children {
	volatile sig_atomic_t live;   /* forked, not yet reaped */
	volatile sig_atomic_t reaped; /* waited for */
	volatile sig_atomic_t served; /* ...that exited with status 0 */
	long forked;
	int *kept; /* --keep-conn: the connections the parent holds */
	long nkept, capkept;
	long max;    /* --max-children: the size of pid[] */
	pid_t pid[]; /* live (unreaped) children; 0 = free */
};

/* A table for max children; NULL when out of memory. */
struct children *children_new(long max);
void children_free(struct children *k);

/* When max children are alive already: says so, answers conn 503 and
 * closes it (server_refuse()), returns 1; else 0. First, lets in SIGCHLD
 * and the stop signals if one is pending (server_let_pending_in(): the
 * loop that did not wait for this client has not let them in). */
int children_refuse_if_full(const struct children *k, const struct server *s,
                            int conn);

/* fork() failed with errno e: says why (EAGAIN: RLIMIT_NPROC, with a
 * hint), answers conn 503 and closes it. */
void children_no_fork(const struct server *s, int conn, int e);

/* accept() failed with errno e: server_accept_failed(), with the hint of
 * --keep-conn when the parent holds connections. 0: go on; 1: stop. */
int children_accept_failed(const struct children *k, const struct server *s,
                           int e);

/* A child was forked. */
void children_add(struct children *k, pid_t pid);

/* A child was waited for, with status st: its slot freed, counted.
 * Async-signal-safe (the SIGCHLD handler calls it). */
void children_remove(struct children *k, pid_t pid, int st);

/* --keep-conn: the parent holds fd (the mistake), and says so. Out of
 * memory for the list, it says so and closes fd after all. */
void children_keep(struct children *k, const struct server *s, int fd);

/* --max-fds and --nproc: the soft limits set, narrated ("setrlimit(...)
 * -> ok"); 0 = leave alone. Returns 0, or 1 after saying why. */
int children_limits(const struct server *s, long max_fds, long nproc);

/*
 * The stop sequence, after the listener is closed: the kept connections
 * closed (their FINs at last), then every child waited for: STOP_GRACE
 * seconds for them to finish, then SIGTERM, then SIGKILL, so that none is
 * left a zombie or an orphan (PPID 1). Each child reaped is passed to
 * reaped() with call, as the SIGCHLD handler does.
 */
#define STOP_GRACE 2.0
void children_stop(struct children *k, const struct server *s,
                   void (*reaped)(const char *call, pid_t pid, int st));

/* "children: N forked, N reaped, N left" (printed even when quiet). */
void children_summary(const struct children *k);

#endif
