/*
 * summary: what the picture counts, said once for the text, the SVG and
 * --json; and the helpers both pictures share (the time axis, the safe
 * printing of names that came from the trace).
 */
#ifndef SHOW_TIMELINE_SUMMARY_H
#define SHOW_TIMELINE_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* "4 processes (3 forked), 3 zombies (3 never reaped), 3 connections
 * (0 open at the end), 1.262 s" */
void tl_summary_counts(const struct tl_model *m, char *buf, size_t len);

/* "marks: 3 forks, 3 SIGCHLD, 1 other signal, 0 waits, 0 reaps, 0 EINTR" */
void tl_summary_marks(const struct tl_model *m, char *buf, size_t len);

/* "strace: python3 webserver3c.py 0 1" (the trace's source and command) */
void tl_summary_title(const struct tl_model *m, char *buf, size_t len);

/* --json: one object (see show-timeline(1), JSON). Returns 0, or -1 when
 * out of memory (nothing written). */
int tl_summary_json(FILE *f, const struct tl_model *m);

/* The time axis: a step of 1, 2 or 5 times a power of ten, so that about
 * span / step <= ticks, and the decimals its labels need. */
double tl_axis_step(double span, int ticks, int *decimals);

/* s, for a terminal or an SVG label: printable ASCII kept, anything else
 * (a control byte, a byte above 0x7e) as '?'; cut to len - 1 bytes. */
void tl_ascii(const char *s, char *buf, size_t len);

#endif
