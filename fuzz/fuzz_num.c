/*
 * fuzz_num: lib/num.c's strict parsers on arbitrary strings.
 *
 * The first byte picks the error buffer size (1..64, to hit truncation);
 * the rest is the string. Invariants: a success returns a value in range,
 * and only for a string of digits (with at most one '-', or one '.' for
 * seconds); a failure leaves a NUL-terminated, non-empty message.
 */
#include "fuzz.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>

#include "num.h"

static int only_digits(const char *s, int minus, int dot)
{
	int digits = 0, dots = 0;

	if (minus && *s == '-')
		s++;
	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (dot && *s == '.' && dots++ == 0)
			continue;
		else
			return 0;
	}
	return digits > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long ranges[][2] = {
		{ 0, 65535 },
		{ 16, 1048576 },
		{ -10, 10 },
		{ LONG_MIN, LONG_MAX },
	};
	size_t errlen, r;
	char *s, *err;
	long lv;
	unsigned short port;
	double dv;

	if (size < 1)
		return 0;
	errlen = (size_t)(data[0] & 63) + 1;
	r = (size_t)(data[0] >> 6);
	s = fuzz_cstring(data + 1, size - 1);
	err = malloc(errlen);
	if (err == NULL)
		abort();

	memset(err, 'x', errlen);
	if (num_parse_long(s, ranges[r][0], ranges[r][1], "value", &lv, err,
	                   errlen) == 0) {
		FUZZ_CHECK(lv >= ranges[r][0] && lv <= ranges[r][1]);
		FUZZ_CHECK(only_digits(s, ranges[r][0] < 0, 0));
		FUZZ_CHECK(lv == strtol(s, NULL, 10));
	} else {
		FUZZ_CHECK(fuzz_terminated(err, errlen));
		FUZZ_CHECK(errlen == 1 || err[0] != '\0');
		/* A negative number out of range is "too small", however far
		 * (fuzz/regress/num/negative-overflow). */
		if (errlen == 64 && s[0] == '-' && ranges[r][0] < 0 &&
		    only_digits(s, 1, 0) && strlen(s) < 30)
			FUZZ_CHECK(strstr(err, "too small") != NULL);
	}

	memset(err, 'x', errlen);
	if (num_parse_port(s, &port, err, errlen) == 0) {
		FUZZ_CHECK(only_digits(s, 0, 0));
		FUZZ_CHECK((long)port == strtol(s, NULL, 10));
	} else {
		FUZZ_CHECK(fuzz_terminated(err, errlen));
	}

	memset(err, 'x', errlen);
	if (num_parse_seconds(s, 86400, "timeout", &dv, err, errlen) == 0) {
		FUZZ_CHECK(isfinite(dv) && dv >= 0 && dv <= 86400);
		FUZZ_CHECK(only_digits(s, 0, 1));
	} else {
		FUZZ_CHECK(fuzz_terminated(err, errlen));
	}

	free(err);
	free(s);
	return 0;
}
