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
	int rc, top = -1;
	nfds_t i;

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
		if (p[i].fd > top)
			top = p[i].fd;
	}
	rc = pselect(top + 1, &rd, &wr, NULL, left_until(deadline, &ts), mask);
	if (rc <= 0)
		return rc;
	rc = 0;
	for (i = 0; i < n; i++) {
		if (p[i].fd < 0)
			continue;
		p[i].revents = (short)((FD_ISSET(p[i].fd, &rd) ? POLLIN : 0) |
		                       (FD_ISSET(p[i].fd, &wr) ? POLLOUT : 0));
		rc += p[i].revents != 0;
	}
	return rc;
}
#endif

int clock_deliver_pending(const sigset_t *mask)
{
	sigset_t pending, old;
	int sig;

	if (mask == NULL || sigpending(&pending) == -1)
		return 0;
	for (sig = 1; sig < NSIG; sig++) {
		if (sigismember(&pending, sig) != 1 ||
		    sigismember(mask, sig) != 0)
			continue;
		/* The handlers of every such signal run inside this pair. */
		if (sigprocmask(SIG_SETMASK, mask, &old) == -1)
			return 0;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return 1;
	}
	return 0;
}

/* After a wait that found something ready: a signal that the wait's mask
 * lets in may still be pending (Linux delivers it only when the wait
 * sleeps). It is delivered now, and the wait says EINTR, as if it had come
 * during the wait: under a steady load, a server would otherwise never see
 * its SIGCHLD or its SIGTERM. */
static int ready_or_eintr(int rc, const sigset_t *mask)
{
	if (rc > 0 && clock_deliver_pending(mask)) {
		errno = EINTR;
		return -1;
	}
	return rc;
}

int clock_wait_fd(int fd, short events, double deadline, const sigset_t *mask)
{
	struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
	int rc;

	if (deadline > 0 && clock_now() >= deadline)
		return 0;
	rc = ready_or_eintr(wait_fds(&p, 1, deadline, mask), mask);
	return rc > 0 ? 1 : rc;
}

int clock_poll_fd(int fd, short events, double deadline, const sigset_t *mask)
{
	struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
	int rc;

	if (deadline > 0 && clock_now() >= deadline)
		return 0;
	rc = wait_fds(&p, 1, deadline, mask);
	return rc > 0 ? 1 : rc;
}

int clock_wait_fds(struct pollfd *fds, nfds_t n, double deadline,
                   const sigset_t *mask)
{
	if (deadline > 0 && clock_now() >= deadline)
		return 0;
	return ready_or_eintr(wait_fds(fds, n, deadline, mask), mask);
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
