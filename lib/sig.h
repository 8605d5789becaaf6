/*
 * sig: installing signal handlers, one way for every tool.
 *
 * sigaction(), never signal(): what signal() does differs between systems
 * and even between compiler flags (glibc's signal() restarts interrupted
 * calls with -std=gnu11 and does not with -std=c11). Here every handler
 * says its flags: without SA_RESTART a blocking call that the handler
 * interrupts fails with EINTR, which is what the tools want (to notice a
 * stop request, or to show the article's EINTR).
 *
 * The stop signals are those whose default action ends a process and that
 * a user or the system sends to ask it to stop: SIGHUP (the terminal went
 * away), SIGINT (Ctrl-C), SIGQUIT (Ctrl-\), SIGTERM (kill), SIGUSR1,
 * SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGXCPU and the
 * real-time signals. A tool that has something to undo before it exits
 * (children to reap, a summary to print) catches all of them, so that none
 * of them kills it halfway. SIGKILL and SIGSTOP cannot be caught; the
 * signals of a program error (SIGSEGV, SIGABRT...) are left alone.
 *
 * Functions return 0, or -1 with "what failed: why" in err and errno set.
 */
#ifndef SOCKLAB_SIG_H
#define SOCKLAB_SIG_H

#include <signal.h>
#include <stddef.h>

/* sigaction(sig) with fn, flags (0, or SA_RESTART, SA_NOCLDSTOP...) and
 * an empty sa_mask. fn may be SIG_IGN or SIG_DFL. */
int sig_catch(int sig, void (*fn)(int), int flags, char *err, size_t errlen);

/* The stop signals (above). */
void sig_stop_set(sigset_t *set);

/* fn for every stop signal, with flags (0: no SA_RESTART, so that a
 * blocked call returns EINTR); SIGPIPE ignored (a peer that hung up turns
 * send() into an EPIPE error, not a silent death). */
int sig_catch_stops(void (*fn)(int), int flags, char *err, size_t errlen);

/* The name of a signal, "SIGINT", for messages; "a real-time signal" or
 * "an unknown signal" for the others. Async-signal-safe: a constant
 * string. */
const char *sig_name(int sig);

/* What a program must not inherit from whoever started it: SIGCHLD back
 * to its default (a parent that set SIG_IGN would make the kernel reap our
 * children for us: no zombie, and waitpid() fails with ECHILD), and no
 * signal blocked. */
int sig_reset(char *err, size_t errlen);

#endif
