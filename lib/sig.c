/* sig: signal handlers (see sig.h). */
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sig_catch(int sig, void (*fn)(int), int flags, char *err, size_t errlen)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	if (sigaction(sig, &sa, NULL) == -1) {
		snprintf(err, errlen, "sigaction %d: %s", sig, strerror(errno));
		return -1;
	}
	return 0;
}

static const int stop_signals[] = {
	SIGHUP,  SIGINT,  SIGQUIT,   SIGTERM, SIGUSR1,
	SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU,
#ifdef SIGIO
	SIGIO,
#endif
#ifdef SIGPWR
	SIGPWR,
#endif
};

void sig_stop_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
		sigaddset(set, stop_signals[i]);
#ifdef SIGRTMIN
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
#endif
}

int sig_catch_stops(void (*fn)(int), int flags, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
		if (sig_catch(stop_signals[i], fn, flags, err, errlen) == -1)
			return -1;
#ifdef SIGRTMIN
	/* A debugger or valgrind may keep one for itself: not an error. */
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		(void)sig_catch(s, fn, flags, err, errlen);
#endif
	return sig_catch(SIGPIPE, SIG_IGN, 0, err, errlen);
}

const char *sig_name(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {
		{ SIGHUP, "SIGHUP" },   { SIGINT, "SIGINT" },
		{ SIGQUIT, "SIGQUIT" }, { SIGTERM, "SIGTERM" },
		{ SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
		{ SIGALRM, "SIGALRM" }, { SIGVTALRM, "SIGVTALRM" },
		{ SIGPROF, "SIGPROF" }, { SIGXCPU, "SIGXCPU" },
		{ SIGPIPE, "SIGPIPE" }, { SIGCHLD, "SIGCHLD" },
		{ SIGKILL, "SIGKILL" }, { SIGSEGV, "SIGSEGV" },
#ifdef SIGIO
		{ SIGIO, "SIGIO" },
#endif
#ifdef SIGPWR
		{ SIGPWR, "SIGPWR" },
#endif
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].sig == sig)
			return names[i].name;
#ifdef SIGRTMIN
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		return "a real-time signal";
#endif
	return "an unknown signal";
}

int sig_reset(char *err, size_t errlen)
{
	sigset_t none;

	if (sig_catch(SIGCHLD, SIG_DFL, 0, err, errlen) == -1)
		return -1;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1) {
		snprintf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	return 0;
}
