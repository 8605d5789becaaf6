/*
 * fuzz_proc: the parsers of what /proc and the kernel say, on arbitrary
 * bytes: /proc/PID/stat lines (lib/proc: command names with spaces,
 * parentheses, newlines, nothing at all), /proc/net/tcp and tcp6 lines
 * (lib/tcptab), descriptor targets ("socket:[N]", lib/fds), decimal
 * numbers (proc_scan_dec), and the same bytes as a sock_diag reply
 * datagram (lib/diag).
 *
 * The first byte picks IPv6 for the tcp line (bit 0); the rest is the
 * line. Invariants: a parsed stat line has a NUL-terminated command name
 * that is a piece of the line, and a state letter that is no space; a
 * parsed tcp line has addresses of the family asked for, which format, and
 * a state with a name; an inode is found only in a target that starts
 * with its prefix; a scanned number is made of the digits it passed; a
 * sock_diag reply is read within its bounds, and every socket it yields has
 * an address that formats; every socket, from either, has 32-bit queues
 * and is the connection of its own two addresses (tcptab_is_conn), an
 * IPv4 address also in its ::ffff: form, and not with another port; a
 * listener from sock_diag has a tx_queue of 0, as in /proc; a failed parse
 * sets errno.
 */
#include "fuzz.h"

#include <errno.h>
#include <netinet/in.h>

#include "addr.h"
#include "diag.h"
#include "fds.h"
#include "proc.h"
#include "tcpinfo.h"
#include "tcptab.h"

static void fuzz_stat(const char *line)
{
	struct proc_stat st;

	memset(&st, 0, sizeof st);
	errno = 0;
	if (proc_parse_stat(line, &st) == 0) {
		FUZZ_CHECK(strnlen(st.comm, sizeof st.comm) < sizeof st.comm);
		FUZZ_CHECK(strstr(line, st.comm) != NULL);
		FUZZ_CHECK(st.state != ' ' && st.state != '\0');
		FUZZ_CHECK(proc_state_name(st.state) != NULL);
	} else {
		FUZZ_CHECK(errno == EINVAL);
	}
}

static void fuzz_dec(const char *line)
{
	const char *p = line;
	long v;

	errno = 0;
	if (proc_scan_dec(&p, &v) == 0) {
		FUZZ_CHECK(v >= 0 && p > line);
		FUZZ_CHECK(strspn(line, "0123456789") == (size_t)(p - line));
	} else {
		FUZZ_CHECK(p == line && (errno == EINVAL || errno == ERANGE));
	}
}

/* What every socket from /proc or sock_diag must be. */
static void fuzz_entry(const struct tcptab_entry *t)
{
	const struct sockaddr *l = (const struct sockaddr *)&t->local;
	const struct sockaddr *r = (const struct sockaddr *)&t->remote;
	struct sockaddr_in6 m;

	FUZZ_CHECK(t->rx_queue <= 0xFFFFFFFFul && t->tx_queue <= 0xFFFFFFFFul);
	FUZZ_CHECK(tcptab_is_conn(t, l, r) == 1);
	if (t->local.ss_family != AF_INET)
		return;
	memset(&m, 0, sizeof m);
	m.sin6_family = AF_INET6;
	m.sin6_port = ((const struct sockaddr_in *)(const void *)l)->sin_port;
	m.sin6_addr.s6_addr[10] = m.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m.sin6_addr.s6_addr[12],
	       &((const struct sockaddr_in *)(const void *)l)->sin_addr, 4);
	FUZZ_CHECK(tcptab_is_conn(t, (const struct sockaddr *)&m, r) == 1);
	m.sin6_port ^= 1;
	FUZZ_CHECK(tcptab_is_conn(t, (const struct sockaddr *)&m, r) == 0);
}

static void fuzz_tcp(const char *line, int v6)
{
	struct tcptab_entry t;
	char buf[ADDR_STRLEN];

	if (tcptab_parse_line(line, v6, &t) == 0) {
		FUZZ_CHECK(t.local.ss_family == (v6 ? AF_INET6 : AF_INET));
		FUZZ_CHECK(t.remote.ss_family == t.local.ss_family);
		FUZZ_CHECK(t.len == (v6 ? sizeof(struct sockaddr_in6)
		                        : sizeof(struct sockaddr_in)));
		FUZZ_CHECK(tcpinfo_state_name(t.state) != NULL);
		FUZZ_CHECK(addr_format((struct sockaddr *)&t.local, t.len, buf,
		                       sizeof buf) == 0);
		FUZZ_CHECK(addr_format((struct sockaddr *)&t.remote, t.len, buf,
		                       sizeof buf) == 0);
		fuzz_entry(&t);
	}
}

static int diag_entry(const struct tcptab_entry *t, void *arg)
{
	char buf[ADDR_STRLEN];

	(void)arg;
	FUZZ_CHECK(t->local.ss_family == AF_INET ||
	           t->local.ss_family == AF_INET6);
	FUZZ_CHECK(t->remote.ss_family == t->local.ss_family);
	FUZZ_CHECK(addr_format((const struct sockaddr *)&t->local, t->len, buf,
	                       sizeof buf) == 0);
	FUZZ_CHECK(addr_format((const struct sockaddr *)&t->remote, t->len, buf,
	                       sizeof buf) == 0);
	if (t->state == TCPINFO_LISTEN)
		FUZZ_CHECK(t->tx_queue == 0);
	fuzz_entry(t);
	return 0;
}

/* The bytes in a buffer of their own size, so that ASan sees any read
 * past the end of the datagram. */
static void fuzz_diag(const uint8_t *data, size_t size)
{
#ifdef __linux__
	unsigned char *copy = malloc(size ? size : 1);
	int rc;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	errno = 0;
	rc = diag_parse_reply(copy, size, 1, diag_entry, NULL);
	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
	if (rc == -1)
		FUZZ_CHECK(errno > 0);
	free(copy);
#else
	(void)data;
	(void)size;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;
	int v6;

	if (size < 1)
		return 0;
	v6 = data[0] & 1;
	line = fuzz_cstring(data + 1, size - 1);

	fuzz_stat(line);
	fuzz_tcp(line, v6);
	fuzz_dec(line);
	if (fds_target_inode(line, "socket") != 0)
		FUZZ_CHECK(strncmp(line, "socket:[", 8) == 0);
	if (fds_target_inode(line, "pipe") != 0)
		FUZZ_CHECK(strncmp(line, "pipe:[", 6) == 0);

	free(line);
	fuzz_diag(data + 1, size - 1);
	return 0;
}
