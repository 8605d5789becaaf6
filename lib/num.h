/*
 * num: strict number parsing for command-line values.
 *
 * Every function returns 0 on success and -1 on failure. On failure it writes
 * a message that names the bad value and the reason into err (of size errlen),
 * e.g. "invalid port '80x': not a number". It never prints and never exits.
 */
#ifndef SOCKLAB_NUM_H
#define SOCKLAB_NUM_H

#include <stddef.h>

/* A decimal integer in [min, max]: no sign unless min < 0, no spaces,
 * no trailing characters. what names the value in messages ("port"). */
int num_parse_long(const char *s, long min, long max, const char *what,
                   long *out, char *err, size_t errlen);

/* A TCP port, 0..65535 (0 asks the kernel to choose). */
int num_parse_port(const char *s, unsigned short *out, char *err,
                   size_t errlen);

/* A duration in seconds, fractions allowed ("0.5"), in [0, max]. */
int num_parse_seconds(const char *s, double max, const char *what, double *out,
                      char *err, size_t errlen);

#endif
