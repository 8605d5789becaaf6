/*
 * tcptab: the kernel's TCP table, from /proc/PID/net/tcp or over sock_diag
 * (see tcptab.h).
 */
#include "tcptab.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "diag.h"
#include "proc.h"

/* n hex digits at s into *out (at most 8: one 32-bit word). */
static int parse_hex(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v * 16 + (unsigned long)d;
	}
	*out = v;
	return 0;
}

/*
 * "0100007F:1F90": the kernel prints each 32-bit word of the address as the
 * number it is in memory (%08X of the network-order word), so on this same
 * machine copying the number's bytes back gives the address; the port is
 * printed in host order.
 */
static int parse_addr(const char *tok, size_t len, int v6,
                      struct sockaddr_storage *ss)
{
	size_t hexlen = v6 ? 32 : 8, i;
	unsigned long w, port;
	uint32_t words[4];

	if (len != hexlen + 5 || tok[hexlen] != ':' ||
	    parse_hex(tok + hexlen + 1, 4, &port) == -1)
		return -1;
	for (i = 0; i < hexlen / 8; i++) {
		if (parse_hex(tok + 8 * i, 8, &w) == -1)
			return -1;
		words[i] = (uint32_t)w;
	}
	memset(ss, 0, sizeof *ss);
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, words, 16);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, words, 4);
	}
	return 0;
}

/* "tx:rx": the two queues, each 1 to 8 hex digits (the kernel prints %08X
 * of a 32-bit count). */
static int parse_queues(const char *tok, size_t len, unsigned long *tx,
                        unsigned long *rx)
{
	const char *colon = memchr(tok, ':', len);
	size_t txlen, rxlen;

	if (colon == NULL)
		return -1;
	txlen = (size_t)(colon - tok);
	rxlen = len - txlen - 1;
	if (txlen < 1 || txlen > 8 || rxlen < 1 || rxlen > 8 ||
	    parse_hex(tok, txlen, tx) == -1 ||
	    parse_hex(colon + 1, rxlen, rx) == -1)
		return -1;
	return 0;
}

int tcptab_parse_line(const char *line, int v6, struct tcptab_entry *out)
{
	/* sl local rem st tx:rx tr:tm retrnsmt uid timeout inode */
	const char *tok[10];
	size_t len[10], n = 0;
	const char *p = line;
	unsigned long st;
	long inode;

	while (n < 10) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		tok[n] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	if (n < 10 || tok[0][len[0] - 1] != ':' || len[3] != 2)
		goto bad;
	if (parse_addr(tok[1], len[1], v6, &out->local) == -1 ||
	    parse_addr(tok[2], len[2], v6, &out->remote) == -1 ||
	    parse_hex(tok[3], 2, &st) == -1 ||
	    parse_queues(tok[4], len[4], &out->tx_queue, &out->rx_queue) == -1)
		goto bad;
	p = tok[9];
	if (proc_scan_dec(&p, &inode) == -1 || (size_t)(p - tok[9]) != len[9])
		goto bad;
	out->len = v6 ? (socklen_t)sizeof(struct sockaddr_in6)
	              : (socklen_t)sizeof(struct sockaddr_in);
	out->state = (int)st;
	out->inode = (unsigned long)inode;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int tcptab_is_conn(const struct tcptab_entry *t, const struct sockaddr *local,
                   const struct sockaddr *remote)
{
	return addr_same((const struct sockaddr *)&t->local, local) &&
	       addr_same((const struct sockaddr *)&t->remote, remote);
}

int tcptab_scan_proc(long pid, int (*fn)(const struct tcptab_entry *, void *),
                     void *arg, char *err, size_t errlen)
{
	int v6;

	for (v6 = 0; v6 <= 1; v6++) {
		char path[64], line[512];
		struct tcptab_entry t;
		FILE *f;

		if (pid == 0)
			snprintf(path, sizeof path, "/proc/self/net/tcp%s",
			         v6 ? "6" : "");
		else
			snprintf(path, sizeof path, "/proc/%ld/net/tcp%s", pid,
			         v6 ? "6" : "");
		f = fopen(path, "re");
		if (f == NULL) {
			int e = errno;

			if (v6 && e == ENOENT)
				return 0; /* no IPv6 in this kernel */
			proc_why(err, errlen, path, e);
			errno = e;
			return -1;
		}
		/* stdio would read /proc in 1 kB pieces (its st_blksize):
		 * thousands of read() calls for a big table. */
		setvbuf(f, NULL, _IOFBF, (size_t)64 * 1024);
		while (fgets(line, sizeof line, f) != NULL) {
			if (tcptab_parse_line(line, v6, &t) == -1)
				continue; /* the header */
			if (fn(&t, arg) != 0) {
				fclose(f);
				return 0;
			}
		}
		fclose(f);
	}
	return 0;
}

int tcptab_same_netns(long pid, char *err, size_t errlen)
{
	char path[64];
	struct stat ours, theirs;

	if (stat("/proc/self/ns/net", &ours) == -1) {
		int e = errno;

		proc_why(err, errlen, "/proc/self/ns/net", e);
		errno = e;
		return -1;
	}
	if (pid == 0)
		return 1;
	snprintf(path, sizeof path, "/proc/%ld/ns/net", pid);
	if (stat(path, &theirs) == -1) {
		int e = errno;

		proc_why(err, errlen, path, e);
		errno = e;
		return -1;
	}
	return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

/* ------------------------------------------------------------ the join */

/* The inodes wanted (sorted, each once) and what the table says of them. */
struct wanted {
	unsigned long *inodes;
	struct tcptab_entry *found;
	unsigned char *have;
	size_t n;
	size_t nfound; /* how many have[] are set: at n, stop looking */
};

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
	              y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

static long wanted_index(const struct wanted *w, unsigned long inode)
{
	const unsigned long *p;

	if (w->n == 0)
		return -1;
	p = bsearch(&inode, w->inodes, w->n, sizeof *w->inodes, cmp_ulong);
	return p == NULL ? -1 : (long)(p - w->inodes);
}

static int collect(const struct tcptab_entry *t, void *arg)
{
	struct wanted *w = arg;
	long i = wanted_index(w, t->inode);

	if (i >= 0 && !w->have[i]) {
		w->found[i] = *t;
		w->have[i] = 1;
		w->nfound++;
	}
	return w->nfound == w->n; /* 1: every one found, stop looking */
}

static int lookup(struct wanted *w, long pid, int no_netlink, char *err,
                  size_t errlen)
{
	if (!no_netlink && tcptab_same_netns(pid, err, errlen) == 1) {
		/* The listening sockets first: they have a small table of
		 * their own. The big one (every connection, every TIME-WAIT)
		 * is walked only if some socket is still missing. */
		if (diag_tcp_scan(DIAG_TCP_LISTEN, collect, w, err, errlen) ==
		            0 &&
		    (w->nfound == w->n ||
		     diag_tcp_scan(DIAG_TCP_OWNED & ~DIAG_TCP_LISTEN, collect,
		                   w, err, errlen) == 0))
			return 0;
	}
	/* The fallback starts afresh (netlink may have failed halfway). */
	memset(w->have, 0, w->n);
	w->nfound = 0;
	return tcptab_scan_proc(pid, collect, w, err, errlen);
}

int tcptab_join(long pid, const unsigned long *inodes, size_t n,
                struct tcptab_entry *found, unsigned char *have, int no_netlink,
                char *err, size_t errlen)
{
	struct wanted w;
	size_t i, u = 0;
	int rc = -1;

	memset(have, 0, n);
	if (n == 0)
		return 0; /* no socket: nothing to ask */
	memset(&w, 0, sizeof w);
	w.inodes = malloc(n * sizeof *w.inodes);
	w.found = calloc(n, sizeof *w.found);
	w.have = calloc(n, 1);
	if (w.inodes == NULL || w.found == NULL || w.have == NULL) {
		snprintf(err, errlen, "looking up %zu sockets: %s", n,
		         strerror(ENOMEM));
		errno = ENOMEM;
		goto out;
	}
	memcpy(w.inodes, inodes, n * sizeof *inodes);
	qsort(w.inodes, n, sizeof *w.inodes, cmp_ulong);
	for (i = 0; i < n; i++) /* a dup()ed socket is wanted once */
		if (u == 0 || w.inodes[i] != w.inodes[u - 1])
			w.inodes[u++] = w.inodes[i];
	w.n = u;
	if (lookup(&w, pid, no_netlink, err, errlen) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		long j = wanted_index(&w, inodes[i]);

		if (j >= 0 && w.have[j]) {
			found[i] = w.found[j];
			have[i] = 1;
		}
	}
	rc = 0;
out:
	free(w.inodes);
	free(w.found);
	free(w.have);
	return rc;
}

/* ------------------------------------------------------------ one socket */

struct conn {
	const struct sockaddr *local, *remote;
	struct tcptab_entry *out;
	int found;
};

static int match(const struct tcptab_entry *t, void *arg)
{
	struct conn *c = arg;

	if (!tcptab_is_conn(t, c->local, c->remote))
		return 0;
	*c->out = *t;
	c->found = 1;
	return 1; /* four addresses name one socket: stop */
}

int tcptab_find(const struct sockaddr *local, const struct sockaddr *remote,
                struct tcptab_entry *out, int no_netlink, char *err,
                size_t errlen)
{
	struct conn c = { local, remote, out, 0 };

	if (!no_netlink) {
		int rc = diag_tcp_find(local, remote, out, err, errlen);

		if (rc != -1)
			return rc;
	}
	if (tcptab_scan_proc(0, match, &c, err, errlen) == -1)
		return -1;
	return c.found;
}
