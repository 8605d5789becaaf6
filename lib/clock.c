/* clock: the monotonic clock and interruptible waits (see clock.h). */
#define _GNU_SOURCE /* ppoll() on glibc */
#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/select.h>
#include <time.h>

double clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What is left until deadline, as a timespec; NULL when there is none. */
static const struct timespec *left_until(double deadline, struct timespec *ts)
{
	double left;

	if (deadline <= 0)
		return NULL;
	left = deadline - clock_now();
	if (left < 0)
		left = 0;
	ts->tv_sec = (time_t)left;
	ts->tv_nsec = (long)((left - (double)ts->tv_sec) * 1e9);
	return ts;
}

#if defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__)
/* ppoll(): poll() with the signal mask set for the wait alone. */
static int wait_fds(struct pollfd *p, nfds_t n, double deadline,
                    const sigset_t *mask)
{
	struct timespec ts;

	return ppoll(p, n, left_until(deadline, &ts), mask);
}
#else
/* pselect() is POSIX (macOS has no ppoll()); it cannot watch a descriptor
 * numbered FD_SETSIZE or more. */
static int wait_fds(struct pollfd *p, nfds_t n, double deadline,
                    const sigset_t *mask)
{
	struct timespec ts;
	fd_set rd, wr;
	nfds_t i;
	int rc, maxfd = -1;

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	for (i = 0; i < n; i++) {
		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		if (p[i].fd >= FD_SETSIZE) {
			errno = EINVAL;
			return -1;
		}
		if (p[i].events & POLLIN)
			FD_SET(p[i].fd, &rd);
		if (p[i].events & POLLOUT)
			FD_SET(p[i].fd, &wr);
		if (p[i].fd > maxfd)
			maxfd = p[i].fd;
	}
	rc = pselect(maxfd + 1, &rd, &wr, NULL, left_until(deadline, &ts),
	             mask);
	for (i = 0; rc > 0 && i < n; i++)
		if (p[i].fd >= 0)
			p[i].revents =
			        (short)((FD_ISSET(p[i].fd, &rd) ? POLLIN : 0) |
			                (FD_ISSET(p[i].fd, &wr) ? POLLOUT : 0));
	return rc;
}
#endif

int clock_wait_fd(int fd, short events, double deadline, const sigset_t *mask)
{
	struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
	int rc;

	if (deadline > 0 && clock_now() >= deadline)
		return 0;
	rc = wait_fds(&p, 1, deadline, mask);
	return rc > 0 ? 1 : rc;
}

int clock_poll(struct pollfd *p, nfds_t n, double deadline,
               const sigset_t *mask)
{
	if (deadline > 0 && clock_now() >= deadline)
		return 0;
	return wait_fds(p, n, deadline, mask);
}

int clock_sleep(double secs, const volatile sig_atomic_t *stop,
                const sigset_t *mask)
{
	double deadline = clock_now() + secs;

	if (secs <= 0)
		return 0;
	for (;;) {
		if (wait_fds(NULL, 0, deadline, mask) == 0)
			return 0; /* the whole time passed */
		if (errno != EINTR)
			return -1;
		if (stop == NULL || *stop)
			return -1; /* errno is EINTR */
		if (clock_now() >= deadline)
			return 0;
	}
}
