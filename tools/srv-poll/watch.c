/* watch: select, poll and epoll, side by side (see watch.h). */
#define _GNU_SOURCE /* ppoll() on glibc */
#include "watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#include "cli.h"
#include "clock.h"

int watch_open(struct watch *w, enum watch_api api, long limit,
               const char *prog, const struct say *sy)
{
	size_t n = limit < 64 ? 64 : (size_t)limit;

	memset(w, 0, sizeof *w);
	w->api = api;
	w->prog = prog;
	w->say = sy;
	w->epfd = w->maxfd = -1;
	FD_ZERO(&w->rd);
	FD_ZERO(&w->wr);
	if (api == WATCH_POLL) { /* room for every descriptor below limit */
		w->pfd = calloc(n, sizeof *w->pfd);
		w->at = calloc(n, sizeof *w->at);
		if (w->pfd == NULL || w->at == NULL) {
			cli_error(prog, "out of memory");
			return -1;
		}
	}
#ifdef __linux__
	if (api == WATCH_EPOLL) {
		/* epoll_create1: a descriptor for the set of watched ones,
		 * which lives in the kernel. CLOEXEC: not for children. */
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->epfd == -1) {
			cli_error(prog, "epoll_create1: %s", strerror(errno));
			return -1;
		}
		say(sy, "epoll_create1(EPOLL_CLOEXEC)", "fd %d", w->epfd);
	}
#endif
	return 0;
}

void watch_close(struct watch *w)
{
	if (w->epfd != -1)
		close(w->epfd);
	free(w->pfd);
	free(w->at);
	w->pfd = NULL;
	w->at = NULL;
	w->epfd = -1;
}

#ifdef __linux__
/* epoll_ctl: one change of the set in the kernel, for one descriptor. */
static int set_epoll(struct watch *w, int fd, short was, short events)
{
	struct epoll_event ev = { .events = 0, .data.fd = fd };
	int op = was == 0      ? EPOLL_CTL_ADD
	         : events == 0 ? EPOLL_CTL_DEL
	                       : EPOLL_CTL_MOD;
	char call[96];

	ev.events = events == POLLIN ? EPOLLIN : EPOLLOUT;
	if (w->edge) /* an event per arrival, none for what is left */
		ev.events |= EPOLLET;
	if (epoll_ctl(w->epfd, op, fd, &ev) == -1) {
		cli_error(w->prog, "epoll_ctl %d: %s", fd, strerror(errno));
		return -1;
	}
	if (!w->say->quiet) {
		snprintf(call, sizeof call, "epoll_ctl(%d, %s, %d, %s%s)",
		         w->epfd,
		         op == EPOLL_CTL_ADD   ? "EPOLL_CTL_ADD"
		         : op == EPOLL_CTL_MOD ? "EPOLL_CTL_MOD"
		                               : "EPOLL_CTL_DEL",
		         fd, events == POLLIN ? "EPOLLIN" : "EPOLLOUT",
		         w->edge ? "|EPOLLET" : "");
		say(w->say, call, "ok");
	}
	return 0;
}
#endif

int watch_set(struct watch *w, int fd, short *was, short events, int closing)
{
	int i;

	if (*was == events)
		return 0;
	switch (w->api) {
	case WATCH_EPOLL: /* the kernel's set; close() removes fd from it */
#ifdef __linux__
		if (!closing && set_epoll(w, fd, *was, events) == -1)
			return -1;
#endif
		break;
	case WATCH_POLL: /* our array: added at the end, the last moved in */
		if (*was == 0) {
			w->at[fd] = w->npfd++;
			w->pfd[w->at[fd]].fd = fd;
		}
		i = w->at[fd];
		w->pfd[i].events = events;
		w->pfd[i].revents = 0;
		if (events == 0) {
			w->pfd[i] = w->pfd[--w->npfd];
			w->at[w->pfd[i].fd] = i;
		}
		break;
	case WATCH_SELECT: /* our bits of fd; maxfd, pselect()'s nfds - 1 */
		FD_CLR(fd, &w->rd);
		FD_CLR(fd, &w->wr);
		if (events != 0)
			FD_SET(fd, events == POLLIN ? &w->rd : &w->wr);
		if (events != 0 && fd > w->maxfd)
			w->maxfd = fd;
		while (w->maxfd >= 0 && !FD_ISSET(w->maxfd, &w->rd) &&
		       !FD_ISSET(w->maxfd, &w->wr))
			w->maxfd--;
		break;
	}
	w->watched += (events != 0) - (*was != 0);
	*was = events;
	return 0;
}

int watch_wait(struct watch *w, double deadline, const sigset_t *mask)
{
	struct timespec ts, *tsp = NULL;
	double left = 0;
	int n = 0, i;

	w->nready = 0;
	if (deadline > 0) {
		left = deadline - clock_now();
		left = left > 0 ? left : 0;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		tsp = &ts;
	}
	switch (w->api) {
	case WATCH_EPOLL: {
#ifdef __linux__
		/* epoll_pwait: only the ready descriptors come back. Its
		 * timeout is in ms: rounded up, not to wake just before. */
		struct epoll_event ev[WATCH_READY_MAX];

		n = epoll_pwait(w->epfd, ev, WATCH_READY_MAX,
		                tsp ? (int)(left * 1000 + 0.999) : -1, mask);
		for (i = 0; i < n; i++)
			w->ready[w->nready++] = ev[i].data.fd;
#endif
		break;
	}
	case WATCH_POLL:
		/* ppoll: the whole array, at every call; the kernel checks
		 * each entry, then we look at each for its revents. */
#if defined(__linux__) || defined(__FreeBSD__)
		n = ppoll(w->pfd, (nfds_t)w->npfd, tsp, mask);
#else
		n = clock_wait_fds(w->pfd, (nfds_t)w->npfd, deadline, mask);
#endif
		for (i = 0; n > 0 && i < w->npfd && w->nready < WATCH_READY_MAX;
		     i++)
			if (w->pfd[i].revents != 0)
				w->ready[w->nready++] = w->pfd[i].fd;
		break;
	case WATCH_SELECT: {
		/* pselect: the bits of descriptors 0 to maxfd, in; the ready
		 * ones, out, in place: so a copy of ours goes in each time,
		 * and we look at every bit after it. */
		fd_set rd = w->rd, wr = w->wr;

		n = pselect(w->maxfd + 1, &rd, &wr, NULL, tsp, mask);
		for (i = 0;
		     n > 0 && i <= w->maxfd && w->nready < WATCH_READY_MAX; i++)
			if (FD_ISSET(i, &rd) || FD_ISSET(i, &wr))
				w->ready[w->nready++] = i;
		break;
	}
	}
	return n;
}

void watch_say(const struct watch *w, int n, int e)
{
	char call[64];

	if (w->say->quiet)
		return;
	if (w->api == WATCH_EPOLL)
		snprintf(call, sizeof call, "epoll_pwait(%d, ...)", w->epfd);
	else if (w->api == WATCH_POLL)
		snprintf(call, sizeof call, "ppoll(fds, %d, ...)", w->npfd);
	else
		snprintf(call, sizeof call, "pselect(%d, ...)", w->maxfd + 1);
	if (n > 0)
		say(w->say, call, "%d ready of %d watched", n, w->watched);
	else if (n == 0)
		say(w->say, call, "0 ready of %d watched: a deadline",
		    w->watched);
	else if (e == EINTR)
		say(w->say, call, "EINTR: a signal came");
	else
		say(w->say, call, "%s", strerror(e));
}
