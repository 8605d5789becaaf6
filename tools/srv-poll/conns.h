/*
 * conns: srv-poll's bookkeeping, what its event loop needs and does not
 * teach (tools/srv-poll.c does): the table of connections, what an event
 * loop must keep for each client between two wakeups and that the
 * article's servers keep on their stack or in a process of their own (the
 * bytes of a request read so far, the part of the reply not sent yet, the
 * deadline of --timeout); and what the loop says that is not a call: the
 * descriptor limit, the clients refused, the deadlines passed, the stop.
 *
 * The table is an array indexed by descriptor number (the kernel gives
 * the lowest free number, so the array stays dense), grown when a larger
 * number comes. A connection that has sent nothing costs its slot and
 * nothing else: the bytes of a request are kept on the heap only when a
 * request comes in pieces, and only as many as came.
 *
 * Every connection of a server has the same --timeout, so the deadlines
 * come in the order the connections were accepted (or moved to the end,
 * when a reply starts): a list in that order gives the nearest deadline
 * at once, and a connection leaves it from anywhere in constant time.
 */
#ifndef SOCKLAB_CONNS_H
#define SOCKLAB_CONNS_H

#include <stddef.h>

#include "server/server.h"

enum conn_state {
	CONN_FREE,    /* no connection on this descriptor */
	CONN_READING, /* waiting for the rest of the request */
	CONN_WRITING, /* the reply did not fit in the socket: the rest waits */
};

struct conn {
	struct client c; /* the descriptor, the peer's address (messages) */
	enum conn_state state;
	short watched;   /* what the loop watches it for: 0, POLLIN, POLLOUT */
	double deadline; /* clock_now() value; 0 = none */
	int prev, next;  /* the list in deadline order, by descriptor */
	char *buf;       /* the request so far (heap), len bytes of cap */
	size_t len, cap;
	const char *out; /* the reply left to send, outlen bytes */
	size_t outlen;
};

struct conns {
	struct conn *by_fd; /* slots 0 to size - 1 */
	int size;
	int first, last; /* the deadline list; -1 when empty */
	long open;       /* connections in the table */
};

/* An empty table. */
void conns_init(struct conns *t);

/* Every slot freed (the caller has closed the descriptors). */
void conns_free(struct conns *t);

/* The connection on fd, or NULL when there is none. */
struct conn *conns_get(const struct conns *t, int fd);

/* A new connection on c->fd, reading, deadline as given (0: none), at the
 * end of the list. Returns it, or NULL when out of memory (errno ENOMEM).
 * Pointers returned before may move: look a connection up again by fd. */
struct conn *conns_add(struct conns *t, const struct client *c,
                       double deadline);

/* A new deadline (0: none), the connection moved to the end of the list:
 * deadlines must not decrease from one call to the next. */
void conns_rearm(struct conns *t, struct conn *k, double deadline);

/* The connection whose deadline is the nearest, or NULL. */
struct conn *conns_first(const struct conns *t);

/* Keeps n more bytes of k's request (after the k->len kept). Returns 0,
 * or -1 when out of memory. */
int conns_keep(struct conn *k, const char *data, size_t n);

/* Frees the bytes of k's request (once it is answered). */
void conns_keep_none(struct conn *k);

/* Frees k's slot and its bytes (the caller closes the descriptor). */
void conns_remove(struct conns *t, struct conn *k);

/* ------------------------------------------------- what the loop says */

/* The soft RLIMIT_NOFILE raised to the hard limit (narrated), since an
 * event loop holds a descriptor per client; with select (select_api 1),
 * FD_SETSIZE is the limit, and said. Returns the first descriptor the
 * loop refuses: the last one is kept free, so that accept() never fails
 * with EMFILE. */
long conns_limit(const struct server *s, int select_api);

/* A client on descriptor fd, at or above limit: a 503 (server_refuse()).
 * The first time (*refused 0), says why: FD_SETSIZE or RLIMIT_NOFILE.
 * Counts it in *refused. */
void conns_refuse(const struct server *s, int fd, long limit, int select_api,
                  unsigned long *refused);

/* k's deadline passed: says so (and answers 408 when part of a request
 * came, server_no_request()). The caller closes it. */
void conns_expired(const struct server *s, const struct conn *k);

/* The stop: every descriptor of the table closed, narrated in one line;
 * returns how many. */
long conns_close_all(struct conns *t, const struct server *s);

/* The last line, srv-iter's with what only an event loop has:
 * "Stopped: served N requests, closed M connections still open, refused
 * R (503)." (printed even when quiet). */
void conns_stopped(unsigned long served, long open, unsigned long refused);

/* --edge --no-drain, after the one accept() of a wakeup: how many
 * clients are still in lfd's accept queue (TCP_INFO), which EPOLLET will
 * not announce again. Unless quiet, and only when some are. */
void conns_left_waiting(const struct server *s, int lfd);

/* --edge, at the stop: "wakeups of the listener: W (EPOLLET); clients
 * accepted: A; left in the accept queue: Q." (printed even when quiet). */
void conns_edge_said(int lfd, unsigned long woke, unsigned long accepted);

#endif
