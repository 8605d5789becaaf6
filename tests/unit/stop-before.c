/*
 * stop-before: an LD_PRELOAD shim for tests/signals.bats (Linux).
 *
 * It stops the process (SIGSTOP to itself) at its first call of accept(),
 * ppoll(), pselect() or epoll_pwait(), before the call is made: right where a server's
 * loop has tested its stop flag and is about to wait for a client. The
 * test then sends a stop signal (SIGTERM...) and SIGCONT.
 *
 * A server that handles its stop signals at any moment (the article's
 * loop) runs the handler as it resumes, after the test of its flag: the
 * flag is set, and accept() then blocks until some client comes: the
 * signal is lost. A server that keeps them blocked and lets them in only
 * inside its wait (ppoll() with a mask: tools/server.c) gets the signal
 * inside the wait, which returns at once: it stops.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

static int stopped;

static void stop_once(void)
{
	if (!stopped) {
		stopped = 1;
		raise(SIGSTOP);
	}
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	int (*real)(int, struct sockaddr *, socklen_t *);

	*(void **)&real = dlsym(RTLD_NEXT, "accept");
	stop_once();
	return real(fd, addr, len);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
          const sigset_t *mask)
{
	int (*real)(struct pollfd *, nfds_t, const struct timespec *,
	            const sigset_t *);

	*(void **)&real = dlsym(RTLD_NEXT, "ppoll");
	stop_once();
	return real(fds, n, ts, mask);
}

int pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex,
            const struct timespec *ts, const sigset_t *mask)
{
	int (*real)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
	            const sigset_t *);

	*(void **)&real = dlsym(RTLD_NEXT, "pselect");
	stop_once();
	return real(n, rd, wr, ex, ts, mask);
}

#ifdef __linux__
int epoll_pwait(int ep, struct epoll_event *ev, int max, int ms,
                const sigset_t *mask)
{
	int (*real)(int, struct epoll_event *, int, int, const sigset_t *);

	*(void **)&real = dlsym(RTLD_NEXT, "epoll_pwait");
	stop_once();
	return real(ep, ev, max, ms, mask);
}
#endif
