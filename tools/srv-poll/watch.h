/*
 * watch: how srv-poll waits for many descriptors at once, three ways side
 * by side. This is the second half of srv-poll's lesson (tools/srv-poll.c
 * is the loop): each call is here with its check and a one-line why.
 *
 *   select  two bitmaps (fd_set: descriptors 0 to FD_SETSIZE - 1, 1024),
 *           for reading and for writing, given whole at every call, which
 *           overwrites them with the ready bits: the program keeps its own
 *           copy, and both the kernel and the program look at every bit up
 *           to the highest descriptor. A descriptor numbered FD_SETSIZE or
 *           more has no bit: FD_SET() would write past the end.
 *   poll    an array of {descriptor, events}, given whole at every call;
 *           any descriptor number, but every entry is looked at, by the
 *           kernel and then by the program.
 *   epoll   the set lives in the kernel, behind a descriptor of its own:
 *           epoll_ctl() adds, changes or removes one descriptor (close()
 *           removes it too), and epoll_wait() returns the ready ones only:
 *           a wait costs the same with 10 or 10,000 idle connections.
 *           Level-triggered by default: a descriptor comes back at every
 *           wait while it is ready. EPOLLET (edge-triggered, --edge): it
 *           comes back once when something new arrives (a connection,
 *           bytes), and not again for what is left: the loop must take
 *           everything, until EAGAIN, or wait for the next arrival.
 *
 * Each waits with the stop signals let in, and only there: epoll_pwait(),
 * ppoll(), pselect() set the signal mask and wait in one step, as
 * srv-iter's server_wait() does for one descriptor.
 */
#ifndef SOCKLAB_WATCH_H
#define SOCKLAB_WATCH_H

#include <poll.h>
#include <signal.h>
#include <sys/select.h>

#include "say.h"

enum watch_api { WATCH_SELECT, WATCH_POLL, WATCH_EPOLL };

/* Descriptors handled per wakeup; the others are ready at the next one. */
#define WATCH_READY_MAX 256

struct watch {
	enum watch_api api;
	const char *prog;      /* for messages */
	const struct say *say; /* for the narration */
	int epfd;              /* epoll: the set's descriptor */
	int edge;              /* epoll: EPOLLET on each (srv-poll --edge) */
	struct pollfd *pfd;    /* poll: the array given to each call */
	int *at;               /* poll: where each descriptor is in it */
	int npfd;
	fd_set rd, wr; /* select: the sets, copied into each call */
	int maxfd;
	int ready[WATCH_READY_MAX], nready; /* after a wait */
	int watched;                        /* descriptors watched */
};

/* Ready to watch descriptors below limit; with epoll, epoll_create1()
 * (narrated). Returns 0, or -1 after saying why. */
int watch_open(struct watch *w, enum watch_api api, long limit,
               const char *prog, const struct say *sy);

/* Closes the epoll descriptor, frees the arrays. */
void watch_close(struct watch *w);

/* From now on, fd is watched for events: POLLIN or POLLOUT, 0 for no
 * more; with w->edge, edge-triggered (EPOLLET: an event when something
 * new comes, not while something is there). *was: what it was watched for (updated). closing: fd is about to
 * be closed (epoll then needs no call). Returns 0, or -1 after saying
 * why. */
int watch_set(struct watch *w, int fd, short *was, short events, int closing);

/* Waits until a watched descriptor is ready, until deadline (clock_now()
 * value; 0: none), or until a signal handler runs, with mask as the
 * signal mask meanwhile; the ready descriptors go into w->ready. Returns
 * what the call returned: how many are ready, 0 (the deadline), -1 with
 * errno (EINTR: a handler ran). */
int watch_wait(struct watch *w, double deadline, const sigset_t *mask);

/* The line of a wakeup: "epoll_pwait(4, ...) -> 2 ready of 7 watched"
 * (what the call was given, what came back); n and e: what watch_wait()
 * returned, and errno. Unless quiet. */
void watch_say(const struct watch *w, int n, int e);

#endif
