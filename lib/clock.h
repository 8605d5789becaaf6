/*
 * clock: time that only goes forward, and waiting that a signal can end.
 *
 * Deadlines use CLOCK_MONOTONIC, which a change of the wall clock (NTP, a
 * user setting the date) does not move. A deadline is a clock_now() value;
 * 0 means "none".
 *
 * The waits take the signal mask to use while they wait. A program that
 * keeps its stop signals (SIGINT, SIGTERM...) blocked, and lets them in
 * only here, cannot lose one: a signal that arrives while the program runs
 * stays pending, and the wait starts by delivering it (ppoll() and
 * pselect() change the mask and wait in one step). With a plain poll(), a
 * signal that arrives between the program's test of its stop flag and the
 * poll() is handled at once, and the poll() then waits as if nothing had
 * happened.
 *
 * Functions return -1 with errno set (EINTR: a signal handler ran). They
 * never print and never exit.
 */
#ifndef SOCKLAB_CLOCK_H
#define SOCKLAB_CLOCK_H

#include <poll.h>
#include <signal.h>

/* Seconds on the monotonic clock (from an arbitrary start). */
double clock_now(void);

/* Waits until fd is ready for events (POLLIN, POLLOUT; ready includes an
 * error or a hangup), until deadline, or until a signal handler runs;
 * mask is the signal mask during the wait (NULL: leave it as it is).
 * Returns 1 ready, 0 deadline passed, -1 with errno (EINTR: a handler ran). */
int clock_wait_fd(int fd, short events, double deadline, const sigset_t *mask);

/* The same, without the check that follows a wait that found fd ready
 * (clock_deliver_pending() below): for a caller that lets its signals in
 * itself once the wait is over (tools/server: server_stops_unblocked()). */
int clock_poll_fd(int fd, short events, double deadline, const sigset_t *mask);

/* The same for n descriptors at once (poll()'s array; fd < 0 is skipped,
 * revents filled in): returns how many are ready, 0 when the deadline
 * passed, -1 with errno (EINTR: a handler ran). Where there is no ppoll()
 * (macOS: pselect()), a descriptor numbered FD_SETSIZE or more fails with
 * EINVAL. */
int clock_wait_fds(struct pollfd *fds, nfds_t n, double deadline,
                   const sigset_t *mask);

/* A wait that finds a descriptor ready at once returns without delivering
 * a signal that was already pending (Linux delivers one only when the
 * wait sleeps): under a steady load, a program would never see it. So the
 * waits above, when they find something ready, deliver such a signal
 * themselves and return -1 with errno EINTR, as if it had come during the
 * wait. clock_deliver_pending() does it for a program that waits with
 * another call (epoll_pwait()): if a signal that mask lets in is pending,
 * it lets it in (its handler runs) and returns 1; else 0. */
int clock_deliver_pending(const sigset_t *mask);

/* Sleeps secs seconds, with mask as the signal mask (NULL: as it is). A
 * handler that runs meanwhile ends the sleep early if it has set *stop
 * (stop may be NULL: then every handler ends it). Returns 0 when the whole
 * time passed, -1 (errno EINTR) when it ended early. */
int clock_sleep(double secs, const volatile sig_atomic_t *stop,
                const sigset_t *mask);

#endif
