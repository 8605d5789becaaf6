/*
 * limit: resource limits (setrlimit), as the shell's `ulimit -S` sets them.
 * A process may lower or raise its soft limit up to the hard limit; only a
 * privileged process may raise the hard one.
 *
 * Functions return 0, or -1 with "what failed: why" in err and errno set.
 */
#ifndef SOCKLAB_LIMIT_H
#define SOCKLAB_LIMIT_H

#include <stddef.h>

/* Sets the soft limit of resource (RLIMIT_NOFILE...) to value; name is
 * the resource's name for messages ("RLIMIT_NOFILE"). A value above the
 * hard limit is refused with EPERM and a message that gives the limit. */
int limit_set(int resource, const char *name, long value, char *err,
              size_t errlen);

/* Raises the soft RLIMIT_NOFILE to want descriptors, or to the hard limit
 * when that is lower; *got is the soft limit after. */
int limit_raise_nofile(long want, long *got, char *err, size_t errlen);

#endif
