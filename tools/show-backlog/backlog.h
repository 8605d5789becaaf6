/*
 * backlog: show-backlog's bookkeeping, which is not the lesson.
 *
 * show-backlog.c makes the calls the lesson is about (listen, the
 * non-blocking connects, getsockopt TCP_INFO, accept). This module keeps
 * the table of its clients, waits for the stuck ones to get in while the
 * queue drains, and turns what was seen into the result lines and the
 * --json object. It prints the observation only: why the queue holds
 * B + 1 and why a full queue drops SYNs silently is explained in the
 * lesson (docs/02-busy-server-and-backlog.md).
 */
#ifndef SOCKLAB_BACKLOG_H
#define SOCKLAB_BACKLOG_H

#include <signal.h>

#include "say.h"

/* One client of the experiment. */
struct backlog_client {
	int fd;
	unsigned short port; /* its local (ephemeral) port */
	double started;      /* when connect() was called */
	int state;           /* at the report: TCPINFO_ESTABLISHED... */
	int connected;       /* its handshake is done: 1; failed: -1 */
	double late;         /* seconds after connect() it got in, if late */
	int conn;            /* the server's fd from accept(), or -1 */
	int sent;            /* its request was sent */
};

/* What was asked, and what was seen. */
struct backlog_seen {
	long asked;          /* listen()'s backlog */
	double wait;         /* --wait */
	double accept_after; /* --accept-after; < 0: none */
	double deadline;     /* --deadline */
	unsigned short port; /* the listener's */
	long somaxconn;      /* -1: unknown */
	long effective;      /* the backlog the kernel uses */
	int have_queue;      /* waiting and backlog are known (TCP_INFO) */
	unsigned waiting;    /* in the accept queue (tcpi_unacked) */
	unsigned backlog;    /* its size (tcpi_sacked) */
	struct backlog_client *cl;
	long k, opened; /* clients asked for, made */
	long established, syn_sent;
	long accepted, late, stuck; /* the accept phase */
	int accept_errno;           /* accept() failed with it */
	double accept_for;          /* how long the accept phase lasted */
	int interrupted;            /* a stop signal ended it early, or 0 */
	int holding;                /* --hold comes: ss can look meanwhile */
};

/* The table of k clients (fd and conn -1); -1 when out of memory. */
int backlog_alloc(struct backlog_seen *r, long k);

/* Closes every client's socket and the server's end of it; frees. */
void backlog_free(struct backlog_seen *r);

/* The connected clients send their request, as curl would. */
void backlog_send_requests(struct backlog_seen *r);

/* Waits until the listener (lfd) has a connection to accept or a stuck
 * client's handshake completes (its connect() is done: it says so, and
 * sends its request), until deadline; mask is the signal mask while it
 * waits. Returns what clock_wait_fds() returns: 0 at the deadline, -1 with
 * EINTR after a signal. */
int backlog_watch(const struct say *s, struct backlog_seen *r, int lfd,
                  double deadline, const sigset_t *mask);

/* "result: 6 of 8 clients ESTABLISHED = backlog 5 + 1; ...", and the ss
 * commands that show the same numbers while --hold keeps them (without
 * --hold, how to get there: ss sees nothing once the tool has exited). */
void backlog_result(const struct say *s, const struct backlog_seen *r);

/* Counts the late and the stuck clients; the accept phase's last line. */
void backlog_drained(const struct say *s, struct backlog_seen *r);

/* The --json object, on stdout. */
void backlog_json(const struct backlog_seen *r);

#endif
