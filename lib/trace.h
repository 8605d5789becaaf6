/*
 * trace: the narration as events, for show-timeline (--trace FILE).
 *
 * A tool that traces opens the file once (trace_open()); from then on every
 * line the narration prints (lib/say.c) is also read back as an event and
 * appended to the file as one JSON object: the call, its result, the
 * descriptor, the socket pair, a fork's child, a wait's reaped child. The
 * tools say nothing twice: what they narrate is what is traced. The format
 * is show-timeline's trace format, version 1 (man/show-timeline.1, TRACE
 * FORMAT): the time of CLOCK_MONOTONIC, the pid and the parent's.
 *
 * A process has one trace, as it has one stdout: the descriptor is the one
 * piece of state of this module, and off (-1) it costs the narration one
 * test of it. The file is opened with O_APPEND and each event is one
 * write(2), so the children of a fork server, which inherit the
 * descriptor, append their lines beside the parent's without mixing them.
 * Every function but trace_open() is async-signal-safe (no stdio, no
 * malloc): signal handlers narrate too.
 */
#ifndef SOCKLAB_TRACE_H
#define SOCKLAB_TRACE_H

#include <stddef.h>

/* The trace's descriptor, -1 when off: the narration tests it. */
extern int trace_fd;

/* Creates (or empties) path and writes the header line: source is the
 * tool's name, argv its command line (the picture's title). The file's
 * descriptor is moved above those the tool will narrate (at 64 or more,
 * where it can) and is closed by an exec. Returns 0, or -1 with "what
 * failed: why" in err. */
int trace_open(const char *path, const char *source, int argc,
               char *const argv[], char *err, size_t errlen);

/* One line of narration, "[tag] call(args)   -> result", n bytes (a
 * newline at the end or not): the event it says, if it says one. A line
 * whose result this module does not read is left out of the trace. */
void trace_said(const char *line, size_t n);

/* A signal was delivered (called by its handler). */
void trace_signal(int sig);

/* The process ends with status code (called just before it exits): its
 * last event, and the file is closed (no descriptor left open at exit;
 * a thread that narrates after it writes nothing). */
void trace_exit(int code);

#endif
