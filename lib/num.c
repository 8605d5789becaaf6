/*
 * num: strict number parsing. strtol() alone accepts " 80", "80x" (stopping at
 * the x) and "-1" for an unsigned value; we reject all three and say why.
 */
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value as a message quotes it: at most 40 bytes, so that the reason
 * that follows always fits (cli.c escapes what is not printable). */
#define SHOWN_MAX 40
static const char *shown(const char *s, char buf[SHOWN_MAX + 4])
{
	size_t n = strlen(s);

	if (n <= SHOWN_MAX)
		return s;
	memcpy(buf, s, SHOWN_MAX);
	memcpy(buf + SHOWN_MAX, "...", 4);
	return buf;
}

/* Checks the characters first, so that the message can say what is wrong. */
static int check_digits(const char *s, int allow_minus, int allow_dot,
                        const char *what, char *err, size_t errlen)
{
	char buf[SHOWN_MAX + 4];
	const char *p = s;
	int digits = 0, dots = 0;

	if (*s == '\0') {
		snprintf(err, errlen, "invalid %s '': empty", what);
		return -1;
	}
	/* "-" alone or "--json" (a value forgotten before the next option)
	 * is not a negative number. */
	if (*p == '-' && !isdigit((unsigned char)p[1])) {
		snprintf(err, errlen, "invalid %s '%s': not a number%s", what,
		         shown(s, buf),
		         p[1] == '-' ? " (a value is missing before it?)" : "");
		return -1;
	}
	if (*p == '-') {
		if (!allow_minus) {
			snprintf(err, errlen,
			         "invalid %s '%s': must not be negative", what,
			         shown(s, buf));
			return -1;
		}
		p++;
	}
	for (; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (*p == '.' && allow_dot && dots == 0)
			dots++;
		else
			break;
	}
	if (*p != '\0' || digits == 0) {
		if (digits == 0 && *p != '\0' && isspace((unsigned char)*p))
			snprintf(err, errlen,
			         "invalid %s '%s': spaces are not allowed",
			         what, shown(s, buf));
		else if (digits > 0)
			snprintf(err, errlen,
			         "invalid %s '%s': unexpected '%c' after the number",
			         what, shown(s, buf), *p);
		else
			snprintf(err, errlen, "invalid %s '%s': not a number",
			         what, shown(s, buf));
		return -1;
	}
	return 0;
}

int num_parse_long(const char *s, long min, long max, const char *what,
                   long *out, char *err, size_t errlen)
{
	char buf[SHOWN_MAX + 4], *end;
	long v;

	if (check_digits(s, min < 0, 0, what, err, errlen) == -1)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	/* strtol() says ERANGE with LONG_MIN for a number below it. */
	if ((errno == ERANGE && v == LONG_MIN) || v < min) {
		snprintf(err, errlen,
		         "invalid %s '%s': too small (at least %ld)", what,
		         shown(s, buf), min);
		return -1;
	}
	if (errno == ERANGE || v > max) {
		snprintf(err, errlen,
		         "invalid %s '%s': too large (at most %ld)", what,
		         shown(s, buf), max);
		return -1;
	}
	*out = v;
	return 0;
}

int num_parse_port(const char *s, unsigned short *out, char *err, size_t errlen)
{
	long v;

	if (num_parse_long(s, 0, 65535, "port", &v, err, errlen) == -1)
		return -1;
	*out = (unsigned short)v;
	return 0;
}

int num_parse_seconds(const char *s, double max, const char *what, double *out,
                      char *err, size_t errlen)
{
	char buf[SHOWN_MAX + 4], *end;
	double v;

	if (check_digits(s, 0, 1, what, err, errlen) == -1)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE || !isfinite(v) || v > max) {
		snprintf(err, errlen, "invalid %s '%s': too large (at most %g)",
		         what, shown(s, buf), max);
		return -1;
	}
	*out = v;
	return 0;
}
