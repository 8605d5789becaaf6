/*
 * strace: what strace's log says, as trace events. show-timeline -- COMMAND
 * runs the command under
 *
 *   strace -f -ttt -T -yy -o LOG -e trace=TL_STRACE_CALLS COMMAND...
 *
 * and reads LOG with this module; `show-timeline --strace LOG` reads a log
 * made the same way by hand. Each line is "PID SECONDS.MICROS CALL(ARGS)
 * = RESULT <DURATION>", or a call cut in two by another process's line
 * ("<unfinished ...>", then "<... CALL resumed>"), a signal ("--- SIGCHLD
 * {...} ---") or an end ("+++ exited with 0 +++", "+++ killed by SIGTERM
 * +++"). What it makes of them:
 *
 *   accept, accept4, connect   a call event, with the socket pair that -yy
 *                              prints (or the peer's address argument)
 *   close, dup, dup2, dup3     a call event (a close of a file is skipped)
 *   fork, vfork, clone, clone3 a fork event (a thread, CLONE_THREAD, is not:
 *                              its events go to its process, with "tid")
 *   wait4, waitid              a reap event when a child was collected,
 *                              else a call event
 *   execve                     a call event naming the process
 *   --- SIG... ---, +++ ... +++  signal and exit events
 *
 * A call that ends "= ? ERESTARTSYS" (or another ERESTART*) was cut by a
 * signal. The program saw EINTR only if a handler ran and returned EINTR
 * (strace shows "rt_sigreturn(...) = -1 EINTR" next); otherwise the kernel
 * restarted the call unseen. Only the first becomes an EINTR call event.
 *
 * Times are strace's (-ttt: the wall clock) plus offset: the recorder
 * passes the difference between the monotonic clock and the wall clock,
 * so that the trace's times are on the monotonic clock; for a log made by
 * hand, the times count from its first line.
 *
 * A line it does not understand is skipped and counted, never fatal: a
 * log that gives no event at all is the error.
 */
#ifndef SHOW_TIMELINE_STRACE_H
#define SHOW_TIMELINE_STRACE_H

#include <stdio.h>

#include "trace.h"

/* What -e trace= asks strace for ('?': the call may not exist on this
 * machine's architecture, e.g. fork on arm64). */
#define TL_STRACE_CALLS                                                \
	"trace=?accept,accept4,?connect,close,?dup,?dup2,?dup3,?fork," \
	"?vfork,clone,?clone3,wait4,?waitid,execve,exit,exit_group,"   \
	"rt_sigreturn"

/* A strace line longer than this is skipped. */
#define TL_STRACE_LINE_MAX 65536

struct tl_strace_stats {
	size_t lines;   /* lines read */
	size_t skipped; /* lines not understood */
};

/* Reads f (strace's log) into tr, whose header it fills in (clock
 * "monotonic" when relative is 0, "relative" otherwise; source "strace";
 * cmd as given, may be NULL). offset: seconds added to strace's times
 * (ignored when relative). The events come out sorted. Returns 0, or -1
 * with the reason in err: a read error, out of memory, too many events,
 * or no event at all. */
int tl_strace_read(FILE *f, struct tl_trace *tr, double offset, int relative,
                   const char *cmd, struct tl_strace_stats *stats, char *err,
                   size_t errlen);

/* The same, one line at a time (for the fuzzer): start, lines (without
 * their newline), end. */
struct tl_strace;
struct tl_strace *tl_strace_start(struct tl_trace *tr, double offset,
                                  int relative);
int tl_strace_line(struct tl_strace *s, const char *line, size_t len);
int tl_strace_end(struct tl_strace *s, struct tl_strace_stats *stats, char *err,
                  size_t errlen);
void tl_strace_free(struct tl_strace *s);

#endif
