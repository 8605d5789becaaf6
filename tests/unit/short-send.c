/*
 * short-send: an LD_PRELOAD shim for tests/srv-poll.bats (Linux).
 *
 * A reply of 78 bytes always fits in a loopback socket's buffer, so a
 * server never meets the two things an event loop must handle when it
 * writes: a send() that takes part of the bytes, and one that takes none
 * (EAGAIN: the client does not read, its window is full). This shim makes
 * send() do both, as a full socket does:
 *
 *   SOCKLAB_SEND_MAX=N   N > 0: each send() takes at most N bytes, and
 *                        every other call fails with EAGAIN;
 *                        N = 0: every send() fails with EAGAIN (a client
 *                        that never reads).
 *
 * Unset, send() is the real one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static int calls;
	ssize_t (*real)(int, const void *, size_t, int);
	const char *max = getenv("SOCKLAB_SEND_MAX");
	long n = max != NULL ? strtol(max, NULL, 10) : -1;

	*(void **)&real = dlsym(RTLD_NEXT, "send");
	if (n < 0)
		return real(fd, buf, len, flags);
	if (n == 0 || calls++ % 2 == 1) {
		errno = EAGAIN;
		return -1;
	}
	return real(fd, buf, len < (size_t)n ? len : (size_t)n, flags);
}
