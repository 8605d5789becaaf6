/*
 * fuzz_proc: lib/proc.c's parsers on arbitrary lines: /proc/PID/stat lines
 * (command names with spaces, parentheses, newlines, nothing at all),
 * /proc/net/tcp and tcp6 lines, and descriptor targets ("socket:[N]");
 * and the same bytes as a sock_diag reply datagram (lib/diag.c).
 *
 * The first byte picks IPv6 for the tcp line (bit 0) and the error buffer
 * size (bits 1-6: 1..64 bytes); the rest is the line. Invariants: a parsed
 * stat line has a NUL-terminated command name that is a piece of the line,
 * and a state letter that is no space; a parsed tcp line has addresses of
 * the family asked for, which format; an inode is found only in a target
 * that starts with its prefix; a sock_diag reply is read within its
 * bounds, and every socket it yields has an address that formats.
 */
#include "fuzz.h"

#include <netinet/in.h>

#include "addr.h"
#include "diag.h"
#include "proc.h"

static void fuzz_stat(const char *line, size_t errlen)
{
	struct proc_stat st;
	char *err = malloc(errlen);

	if (err == NULL)
		abort();
	memset(&st, 0, sizeof st);
	if (proc_parse_stat(line, &st, err, errlen) == 0) {
		FUZZ_CHECK(strnlen(st.comm, sizeof st.comm) < sizeof st.comm);
		FUZZ_CHECK(strstr(line, st.comm) != NULL);
		FUZZ_CHECK(st.state != ' ' && st.state != '\0');
		FUZZ_CHECK(proc_state_name(st.state) != NULL);
	} else {
		FUZZ_CHECK(fuzz_terminated(err, errlen));
	}
	free(err);
}

static void fuzz_tcp(const char *line, int v6)
{
	struct proc_tcp t;
	char buf[ADDR_STRLEN];

	if (proc_parse_tcp_line(line, v6, &t) == 0) {
		FUZZ_CHECK(t.local.ss_family == (v6 ? AF_INET6 : AF_INET));
		FUZZ_CHECK(t.remote.ss_family == t.local.ss_family);
		FUZZ_CHECK(t.len == (v6 ? sizeof(struct sockaddr_in6)
		                        : sizeof(struct sockaddr_in)));
		FUZZ_CHECK(proc_tcp_state_name(t.state) != NULL);
		FUZZ_CHECK(addr_format((struct sockaddr *)&t.local, t.len, buf,
		                       sizeof buf) == 0);
		FUZZ_CHECK(addr_format((struct sockaddr *)&t.remote, t.len, buf,
		                       sizeof buf) == 0);
	}
}

static int diag_entry(const struct proc_tcp *t, void *arg)
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
	return 0;
}

/* The bytes in a buffer of their own size, so that ASan sees any read
 * past the end of the datagram. */
static void fuzz_diag(const uint8_t *data, size_t size, size_t errlen)
{
#ifdef __linux__
	unsigned char *copy = malloc(size ? size : 1);
	char *err = malloc(errlen);
	int rc;

	if (copy == NULL || err == NULL)
		abort();
	memcpy(copy, data, size);
	rc = diag_parse_reply(copy, size, 1, diag_entry, NULL, err, errlen);
	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
	if (rc == -1)
		FUZZ_CHECK(fuzz_terminated(err, errlen));
	free(copy);
	free(err);
#else
	(void)data;
	(void)size;
	(void)errlen;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;
	int v6;
	size_t errlen;

	if (size < 1)
		return 0;
	v6 = data[0] & 1;
	errlen = (size_t)((data[0] >> 1) & 63) + 1;
	line = fuzz_cstring(data + 1, size - 1);

	fuzz_stat(line, errlen);
	fuzz_tcp(line, v6);
	if (proc_target_inode(line, "socket") != 0)
		FUZZ_CHECK(strncmp(line, "socket:[", 8) == 0);
	if (proc_target_inode(line, "pipe") != 0)
		FUZZ_CHECK(strncmp(line, "pipe:[", 6) == 0);

	free(line);
	fuzz_diag(data + 1, size - 1, errlen);
	return 0;
}
