/*
 * queue: the accept queue and TCP states, from getsockopt(TCP_INFO). Linux
 * only; elsewhere every function fails with ENOTSUP.
 */
#include "queue.h"

#include <errno.h>
#include <stdio.h>

#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

static int tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof *ti;

	memset(ti, 0, sizeof *ti);
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len);
}

int queue_read(int fd, unsigned *waiting, unsigned *backlog)
{
	struct tcp_info ti;

	if (tcp_info(fd, &ti) == -1)
		return -1;
	if (ti.tcpi_state != TCP_LISTEN) {
		errno = EINVAL; /* not a listening socket: no queue */
		return -1;
	}
	/* For a listener, Linux reuses these two fields for the queue. */
	*waiting = ti.tcpi_unacked;
	*backlog = ti.tcpi_sacked;
	return 0;
}

int queue_somaxconn(long *out)
{
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
	long v;
	int n, saved;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%ld", &v);
	saved = errno;
	fclose(f);
	if (n != 1) {
		errno = n == EOF ? saved : EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int queue_tcp_state(int fd, const char **name)
{
	/* In the kernel's order (include/net/tcp_states.h), as ss spells them. */
	static const char *const names[] = {
		"UNKNOWN",    "ESTABLISHED", "SYN-SENT",  "SYN-RECV",
		"FIN-WAIT-1", "FIN-WAIT-2",  "TIME-WAIT", "CLOSED",
		"CLOSE-WAIT", "LAST-ACK",    "LISTEN",    "CLOSING"
	};
	struct tcp_info ti;

	if (tcp_info(fd, &ti) == -1)
		return -1;
	*name = ti.tcpi_state < sizeof names / sizeof names[0]
	                ? names[ti.tcpi_state]
	                : "UNKNOWN";
	return 0;
}

#else /* not Linux */

int queue_read(int fd, unsigned *waiting, unsigned *backlog)
{
	(void)fd;
	(void)waiting;
	(void)backlog;
	errno = ENOTSUP;
	return -1;
}

int queue_somaxconn(long *out)
{
	(void)out;
	errno = ENOTSUP;
	return -1;
}

int queue_tcp_state(int fd, const char **name)
{
	(void)fd;
	(void)name;
	errno = ENOTSUP;
	return -1;
}

#endif
