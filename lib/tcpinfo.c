/*
 * tcpinfo: TCP states and the accept queue, from getsockopt(TCP_INFO).
 * Linux only; elsewhere the functions fail with ENOTSUP.
 */
#include "tcpinfo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *tcpinfo_state_name(int state)
{
	/* Indexed by the kernel's numbers (include/net/tcp_states.h). */
	static const char *const names[] = {
		"UNKNOWN",      "ESTABLISHED", "SYN-SENT",  "SYN-RECV",
		"FIN-WAIT-1",   "FIN-WAIT-2",  "TIME-WAIT", "CLOSE",
		"CLOSE-WAIT",   "LAST-ACK",    "LISTEN",    "CLOSING",
		"NEW-SYN-RECV",
	};

	if (state < 1 || state >= (int)(sizeof names / sizeof names[0]))
		return "UNKNOWN";
	return names[state];
}

#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int tcp_info(int fd, struct tcp_info *ti, char *err, size_t errlen)
{
	socklen_t len = sizeof *ti;

	memset(ti, 0, sizeof *ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) == -1) {
		int e = errno;

		snprintf(err, errlen, "getsockopt(%d, TCP_INFO): %s", fd,
		         strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

int tcpinfo_state(int fd, int *state, char *err, size_t errlen)
{
	struct tcp_info ti;

	if (tcp_info(fd, &ti, err, errlen) == -1)
		return -1;
	*state = ti.tcpi_state;
	return 0;
}

int tcpinfo_queue(int fd, unsigned *waiting, unsigned *backlog, char *err,
                  size_t errlen)
{
	struct tcp_info ti;

	if (tcp_info(fd, &ti, err, errlen) == -1)
		return -1;
	if (ti.tcpi_state != TCPINFO_LISTEN) {
		snprintf(err, errlen, "fd %d is not listening: no accept queue",
		         fd);
		errno = EINVAL;
		return -1;
	}
	/* For a listener, Linux reuses these two fields for the queue. */
	*waiting = ti.tcpi_unacked;
	*backlog = ti.tcpi_sacked;
	return 0;
}

int tcpinfo_somaxconn(long *out, char *err, size_t errlen)
{
	static const char path[] = "/proc/sys/net/core/somaxconn";
	FILE *f = fopen(path, "re");
	long v;
	int n, e;

	if (f == NULL) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	n = fscanf(f, "%ld", &v);
	e = errno;
	fclose(f);
	if (n != 1) {
		snprintf(err, errlen, "%s: unexpected contents", path);
		errno = n == EOF ? e : EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int tcpinfo_port_range(unsigned *low, unsigned *high, char *err, size_t errlen)
{
	static const char path[] = "/proc/sys/net/ipv4/ip_local_port_range";
	FILE *f = fopen(path, "re");
	long lo, hi;
	int n, e;

	if (f == NULL) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	n = fscanf(f, "%ld %ld", &lo, &hi);
	e = errno;
	fclose(f);
	if (n != 2 || lo < 1 || lo > hi || hi > 65535) {
		snprintf(err, errlen, "%s: unexpected contents", path);
		errno = n == EOF ? e : EINVAL;
		return -1;
	}
	*low = (unsigned)lo;
	*high = (unsigned)hi;
	return 0;
}

#else /* not Linux */

static int unsupported(char *err, size_t errlen)
{
	snprintf(err, errlen,
	         "TCP_INFO: this system does not report it (Linux only)");
	errno = ENOTSUP;
	return -1;
}

int tcpinfo_state(int fd, int *state, char *err, size_t errlen)
{
	(void)fd;
	(void)state;
	return unsupported(err, errlen);
}

int tcpinfo_queue(int fd, unsigned *waiting, unsigned *backlog, char *err,
                  size_t errlen)
{
	(void)fd;
	(void)waiting;
	(void)backlog;
	return unsupported(err, errlen);
}

int tcpinfo_somaxconn(long *out, char *err, size_t errlen)
{
	(void)out;
	return unsupported(err, errlen);
}

int tcpinfo_port_range(unsigned *low, unsigned *high, char *err, size_t errlen)
{
	(void)low;
	(void)high;
	snprintf(err, errlen,
	         "ip_local_port_range: Linux only (macOS: sysctl "
	         "net.inet.ip.portrange.first, .last)");
	errno = ENOTSUP;
	return -1;
}

#endif
