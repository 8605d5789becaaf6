/*
 * term: the picture as text lanes for a terminal, width columns wide
 * (UTF-8 blocks). Each process is a row: its label (the pid and name,
 * indented under its parent), then one character per slice of time:
 *
 *   █ alive   ░ a zombie (exited, not yet reaped)   a letter: a mark
 *   (f fork, S SIGCHLD, K another signal, w a wait that reaped nothing,
 *   R a wait that reaped a child, E EINTR; the first of E R S K w f when
 *   several fall in one slice)
 *
 * and, under a process that ever held a connection, a row of how many it
 * holds (━ one, 2-9 that many, + more). A time axis above, a legend and
 * the counts below. The same model always gives the same bytes.
 */
#ifndef SHOW_TIMELINE_TERM_H
#define SHOW_TIMELINE_TERM_H

#include <stdio.h>

#include "model.h"

#define TL_TERM_MIN_WIDTH 40
#define TL_TERM_MAX_WIDTH 1000

/* Writes the picture; returns 0, or -1 when out of memory. */
int tl_term_write(FILE *f, const struct tl_model *m, int width);

#endif
