/*
 * signals: check-server's stop signals (see check.h). They are caught and
 * kept blocked but in its waits, which let them in: chk_stop says which one
 * came, and every wait then returns -1, so that check-server stops the
 * server it started and exits. Also what the start of a run sets up: the
 * server's orphans ours to reap, descriptors for the burst.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "check.h"
#include "clock.h"
#include "limit.h"
#include "sig.h"

volatile sig_atomic_t chk_stop;

/* Stop signals caught and kept blocked but in waits; the server's
 * orphans ours to reap; descriptors for the burst. */
int chk_setup(struct chk_ctx *c, void (*on_stop)(int))
{
	char err[256];
	sigset_t stops;
	long got;

	if (access("/proc/self/stat", R_OK) == -1 ||
	    access("/proc/net/tcp", R_OK) == -1)
		return chk_fail(c,
		                "/proc: %s: check-server reads Linux's /proc",
		                strerror(errno));
	sig_stop_set(&stops);
	if (sig_catch_stops(on_stop, 0, err, sizeof err) == -1 ||
	    sigprocmask(SIG_BLOCK, &stops, &c->waitmask) == -1)
		return chk_fail(c, "signals: %s", err);
#ifdef PR_SET_CHILD_SUBREAPER
	/* The server's orphans come to us, not to init: we reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	if (limit_raise_nofile(c->o->clients + 64, &got, err, sizeof err) ==
	            0 &&
	    got < c->o->clients + 16)
		return chk_fail(c,
		                "%ld clients need %ld descriptors; the limit "
		                "is %ld (ulimit -n)",
		                c->o->clients, c->o->clients + 16, got);
	return 0;
}

/* Sleeps secs unless a stop signal comes: 0, or -1 when stopped. */
int chk_pause(struct chk_ctx *c, double secs)
{
	if (chk_stop)
		return -1;
	clock_sleep(secs, &chk_stop, &c->waitmask);
	return chk_stop ? -1 : 0;
}
