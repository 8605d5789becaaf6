/* limit: setrlimit of the soft limits (see limit.h). */
#include "limit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int limit_set(int resource, const char *name, long value, char *err,
              size_t errlen)
{
	struct rlimit rl;
	int e;

	if (getrlimit(resource, &rl) == -1)
		goto failed;
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)value > rl.rlim_max) {
		snprintf(err, errlen,
		         "setrlimit %s %ld: above the hard limit %llu", name,
		         value, (unsigned long long)rl.rlim_max);
		errno = EPERM;
		return -1;
	}
	rl.rlim_cur = (rlim_t)value;
	if (setrlimit(resource, &rl) == 0)
		return 0;
failed:
	e = errno;
	snprintf(err, errlen, "setrlimit %s %ld: %s", name, value, strerror(e));
	errno = e;
	return -1;
}

int limit_raise_nofile(long want, long *got, char *err, size_t errlen)
{
	struct rlimit rl;
	rlim_t target = (rlim_t)want;
	int e;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		goto failed;
	if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
		target = rl.rlim_max;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= target) {
		*got = rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
		return 0;
	}
	rl.rlim_cur = target;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		goto failed;
	*got = (long)target;
	return 0;
failed:
	e = errno;
	snprintf(err, errlen, "RLIMIT_NOFILE: %s", strerror(e));
	errno = e;
	return -1;
}
