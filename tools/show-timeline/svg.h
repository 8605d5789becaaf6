/*
 * svg: the picture as one SVG file: self-contained (no script, no link,
 * no font but the reader's own sans-serif and monospace), with a time
 * axis, a legend and the counts; every shape has a <title> that a browser
 * shows on hover ("pid 4243: zombie from 1.002 s to 1.263 s, never
 * reaped"). A connection has one colour in every lane that holds it. The
 * same model always gives the same bytes.
 */
#ifndef SHOW_TIMELINE_SVG_H
#define SHOW_TIMELINE_SVG_H

#include <stdio.h>

#include "model.h"

/* Writes the picture; returns 0, or -1 when out of memory (nothing
 * written). */
int tl_svg_write(FILE *f, const struct tl_model *m);

#endif
