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

/* Reads n numbers (1 or 2) from a /proc/sys file; -1 with "path: why". */
static int read_setting(const char *path, long *v, int n, char *err,
                        size_t errlen)
{
	FILE *f = fopen(path, "re");
	int got, e;

	if (f == NULL) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	got = n == 1 ? fscanf(f, "%ld", &v[0])
	             : fscanf(f, "%ld %ld", &v[0], &v[1]);
	e = errno;
	fclose(f);
	if (got != n) {
		snprintf(err, errlen, "%s: unexpected contents", path);
		errno = got == EOF ? e : EINVAL;
		return -1;
	}
	return 0;
}

int tcpinfo_somaxconn(long *out, char *err, size_t errlen)
{
	return read_setting("/proc/sys/net/core/somaxconn", out, 1, err,
	                    errlen);
}

int tcpinfo_port_range(unsigned *low, unsigned *high, char *err, size_t errlen)
{
	static const char path[] = "/proc/sys/net/ipv4/ip_local_port_range";
	long v[2];

	if (read_setting(path, v, 2, err, errlen) == -1)
		return -1;
	if (v[0] < 1 || v[0] > v[1] || v[1] > 65535) {
		snprintf(err, errlen, "%s: unexpected contents", path);
		errno = EINVAL;
		return -1;
	}
	*low = (unsigned)v[0];
	*high = (unsigned)v[1];
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
