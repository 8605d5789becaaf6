/*
 * proc_test: the readers of /proc. lib/proc's stat parser on lines written
 * by hand, including command names a process may choose to fool a naive
 * parser, and its children scan; lib/tcptab's /proc/net/tcp parser;
 * lib/diag's reading of sock_diag replies built by hand; both ways of
 * finding a listening socket of ours (netlink, /proc/net/tcp) agreeing,
 * tcptab_join() finding sockets by inode, and tcptab_find() finding the
 * two ends of real loopback connections (state, inode, unread bytes),
 * both ways alike; lib/fds's listing of our own
 * descriptors, of a zombie and of no process at all. Run by
 * tests/proc.bats (make build/unit/proc_test). Prints one line per failed
 * check and exits 1 if any failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#endif

#include "addr.h"
#include "diag.h"
#include "fds.h"
#include "proc.h"
#include "tcpinfo.h"
#include "tcptab.h"

static int failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed++;                                              \
		}                                                              \
	} while (0)

static void stat_ok(const char *line, long pid, const char *comm, char state,
                    long ppid)
{
	struct proc_stat s;

	memset(&s, 0, sizeof s);
	CHECK(proc_parse_stat(line, &s) == 0);
	CHECK(s.pid == pid);
	CHECK(strcmp(s.comm, comm) == 0);
	CHECK(s.state == state);
	CHECK(s.ppid == ppid);
}

static void stat_bad(const char *line)
{
	struct proc_stat s;

	errno = 0;
	CHECK(proc_parse_stat(line, &s) == -1);
	CHECK(errno == EINVAL);
}

static void tcp_ok(const char *line, int v6, const char *local,
                   const char *remote, int state, unsigned long inode)
{
	struct tcptab_entry t;
	char l[ADDR_STRLEN], r[ADDR_STRLEN];

	CHECK(tcptab_parse_line(line, v6, &t) == 0);
	CHECK(addr_format((struct sockaddr *)&t.local, t.len, l, sizeof l) ==
	      0);
	CHECK(addr_format((struct sockaddr *)&t.remote, t.len, r, sizeof r) ==
	      0);
	if (strcmp(l, local) != 0 || strcmp(r, remote) != 0)
		printf("  got {%s, %s}, want {%s, %s}\n", l, r, local, remote);
	CHECK(strcmp(l, local) == 0);
	CHECK(strcmp(r, remote) == 0);
	CHECK(t.state == state);
	CHECK(t.inode == inode);
}

/* The queues of a /proc/net/tcp line: "tx:rx", the fifth field. ok: it
 * parses, to tx and rx; else it is refused (EINVAL). */
static void queues(const char *field, int ok, unsigned long tx,
                   unsigned long rx)
{
	struct tcptab_entry t;
	char line[256];
	int rc;

	snprintf(line, sizeof line,
	         "   1: 0100007F:22B8 0100007F:C000 01 %s 00:00000000 "
	         "00000000  1000        0 42 1 0000000000000000 20 4 30 10 -1",
	         field);
	memset(&t, 0x55, sizeof t);
	errno = 0;
	rc = tcptab_parse_line(line, 0, &t);
	if (!ok) {
		CHECK(rc == -1 && errno == EINVAL);
		return;
	}
	CHECK(rc == 0);
	if (t.tx_queue != tx || t.rx_queue != rx)
		printf("  %s: got tx %lu rx %lu\n", field, t.tx_queue,
		       t.rx_queue);
	CHECK(t.tx_queue == tx && t.rx_queue == rx);
}

#ifdef __linux__
/* What the callback saw, formatted: "state local remote inode;" each, and
 * the queues of the first four. */
struct seen {
	char text[512];
	int stop_after;     /* 0: never stop */
	unsigned long only; /* 0: every socket; else this inode alone */
	int count;
	unsigned long rx[4], tx[4];
};

static int see(const struct tcptab_entry *t, void *arg)
{
	struct seen *s = arg;
	char l[ADDR_STRLEN], r[ADDR_STRLEN];
	size_t used = strlen(s->text);

	if (s->only != 0 && t->inode != s->only)
		return 0;
	if (addr_format((const struct sockaddr *)&t->local, t->len, l,
	                sizeof l) == -1 ||
	    addr_format((const struct sockaddr *)&t->remote, t->len, r,
	                sizeof r) == -1)
		snprintf(l, sizeof l, "?");
	snprintf(s->text + used, sizeof s->text - used, "%d %s %s %lu;",
	         t->state, l, r, t->inode);
	if (s->count < 4) {
		s->rx[s->count] = t->rx_queue;
		s->tx[s->count] = t->tx_queue;
	}
	s->count++;
	return s->stop_after != 0 && s->count >= s->stop_after;
}

/* Appends a netlink message (header, then len bytes of body, padded to 4)
 * to buf at *off. */
static void put_msg(unsigned char *buf, size_t *off, unsigned short type,
                    unsigned seq, const void *body, size_t len)
{
	struct nlmsghdr h;

	memset(&h, 0, sizeof h);
	h.nlmsg_len = (unsigned)(sizeof h + len);
	h.nlmsg_type = type;
	h.nlmsg_flags = NLM_F_MULTI;
	h.nlmsg_seq = seq;
	memcpy(buf + *off, &h, sizeof h);
	memcpy(buf + *off + sizeof h, body, len);
	*off += (sizeof h + len + 3) & ~(size_t)3;
}

static void diag_replies(void)
{
	unsigned char buf[1024];
	unsigned char lo6[16] = { 0 };
	struct inet_diag_msg m4, m6;
	struct nlmsgerr e;
	struct seen seen;
	unsigned char body[sizeof m4 + 8];
	size_t off = 0;

	lo6[15] = 1;
	memset(&m4, 0, sizeof m4);
	m4.idiag_family = AF_INET;
	m4.idiag_state = 1;
	m4.id.idiag_sport = htons(8888);
	m4.id.idiag_dport = htons(49152);
	m4.id.idiag_src[0] = htonl(0x7f000001);
	m4.id.idiag_dst[0] = htonl(0x7f000001);
	m4.idiag_inode = 42;
	m4.idiag_rqueue = 7; /* unread */
	m4.idiag_wqueue = 3; /* unacknowledged */
	memset(&m6, 0, sizeof m6);
	m6.idiag_family = AF_INET6;
	m6.idiag_state = 10;
	m6.id.idiag_sport = htons(8080);
	memcpy(m6.id.idiag_src, lo6, 16);
	m6.idiag_inode = 5555;
	m6.idiag_rqueue = 2;   /* a listener: its accept queue */
	m6.idiag_wqueue = 128; /* a listener: its backlog, not a queue */

	/* Two sockets (the second with an attribute after it, as the kernel
	 * sends), one answer to another request, then the end. */
	put_msg(buf, &off, SOCK_DIAG_BY_FAMILY, 7, &m4, sizeof m4);
	memset(body, 0, sizeof body);
	memcpy(body, &m6, sizeof m6);
	body[sizeof m6] = 5; /* an nlattr of 5 bytes, padded to 8 */
	put_msg(buf, &off, SOCK_DIAG_BY_FAMILY, 7, body, sizeof m6 + 5);
	put_msg(buf, &off, SOCK_DIAG_BY_FAMILY, 8, &m4, sizeof m4);
	memset(&seen, 0, sizeof seen);
	CHECK(diag_parse_reply(buf, off, 7, see, &seen) == 0);
	CHECK(strcmp(seen.text, "1 127.0.0.1:8888 127.0.0.1:49152 42;"
	                        "10 [::1]:8080 [::]:0 5555;") == 0);
	/* The queues as /proc shows them: a listener's tx_queue is 0. */
	CHECK(seen.rx[0] == 7 && seen.tx[0] == 3);
	CHECK(seen.rx[1] == 2 && seen.tx[1] == 0);
	put_msg(buf, &off, NLMSG_DONE, 7, "\0\0\0", 4);
	memset(&seen, 0, sizeof seen);
	CHECK(diag_parse_reply(buf, off, 7, see, &seen) == 1);
	CHECK(seen.count == 2);
	/* The callback stops it. */
	memset(&seen, 0, sizeof seen);
	seen.stop_after = 1;
	CHECK(diag_parse_reply(buf, off, 7, see, &seen) == 1);
	CHECK(seen.count == 1);
	/* A record longer than the datagram, or shorter than its header. */
	memset(&seen, 0, sizeof seen);
	errno = 0;
	CHECK(diag_parse_reply(buf, off - 1, 7, see, &seen) == -1);
	CHECK(errno == EBADMSG);
	CHECK(diag_parse_reply(buf, 20, 7, see, &seen) == -1);
	/* Nothing at all, or less than a header: nothing to read. */
	CHECK(diag_parse_reply(buf, 0, 7, see, &seen) == 0);
	CHECK(diag_parse_reply(buf, 3, 7, see, &seen) == 0);
	/* A record that is not part of a dump (no NLM_F_MULTI) is the whole
	 * answer of an exact lookup: nothing follows it, not even a DONE. */
	off = 0;
	put_msg(buf, &off, SOCK_DIAG_BY_FAMILY, 3, &m4, sizeof m4);
	{
		struct nlmsghdr h;

		memcpy(&h, buf, sizeof h);
		h.nlmsg_flags = 0;
		memcpy(buf, &h, sizeof h);
	}
	memset(&seen, 0, sizeof seen);
	CHECK(diag_parse_reply(buf, off, 3, see, &seen) == 1);
	CHECK(seen.count == 1 && seen.rx[0] == 7);
	/* The kernel's refusal: errno is its error. */
	off = 0;
	memset(&e, 0, sizeof e);
	e.error = -EPERM;
	put_msg(buf, &off, NLMSG_ERROR, 9, &e, sizeof e);
	errno = 0;
	CHECK(diag_parse_reply(buf, off, 9, see, &seen) == -1);
	CHECK(errno == EPERM);
	/* ... and when it is no errno (found by fuzz_proc: -INT_MIN). */
	off = 0;
	e.error = INT_MIN;
	put_msg(buf, &off, NLMSG_ERROR, 9, &e, sizeof e);
	errno = 0;
	CHECK(diag_parse_reply(buf, off, 9, see, &seen) == -1);
	CHECK(errno == EBADMSG);
}

/* Both ways to ask find a listening socket of ours, alike. */
static void diag_live(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	struct seen by_diag, by_proc;
	struct stat st;
	char err[256], want[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CHECK(tcptab_same_netns(0, err, sizeof err) == 1);
	CHECK(tcptab_same_netns((long)getpid(), err, sizeof err) == 1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 1) == -1 || fstat(fd, &st) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		printf("FAIL: no listening socket: %s\n", strerror(errno));
		failed++;
		if (fd != -1)
			close(fd);
		return;
	}
	snprintf(want, sizeof want, "10 127.0.0.1:%u 0.0.0.0:0 %lu;",
	         (unsigned)ntohs(sin.sin_port), (unsigned long)st.st_ino);
	memset(&by_diag, 0, sizeof by_diag);
	memset(&by_proc, 0, sizeof by_proc);
	by_diag.only = by_proc.only = (unsigned long)st.st_ino;
	CHECK(tcptab_scan_proc(0, see, &by_proc, err, sizeof err) == 0);
	CHECK(strcmp(by_proc.text, want) == 0);
	if (diag_tcp_scan(DIAG_TCP_LISTEN, see, &by_diag, err, sizeof err) ==
	    -1) {
		printf("proc_test: note: no sock_diag here (%s)\n", err);
	} else {
		if (strcmp(by_diag.text, want) != 0)
			printf("  netlink: %s\n  want:    %s\n", by_diag.text,
			       want);
		CHECK(strcmp(by_diag.text, want) == 0);
	}
	/* Not among the connections: a LISTEN-only question. */
	memset(&by_diag, 0, sizeof by_diag);
	by_diag.only = (unsigned long)st.st_ino;
	if (diag_tcp_scan(DIAG_TCP_OWNED & ~DIAG_TCP_LISTEN, see, &by_diag, err,
	                  sizeof err) == 0)
		CHECK(by_diag.count == 0);
	close(fd);
}

/* A listening socket of ours on 127.0.0.1 (its inode in *ino), or -1. */
static int listener(unsigned long *ino)
{
	struct sockaddr_in sin;
	struct stat st;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 1) == -1 || fstat(fd, &st) == -1) {
		printf("FAIL: no listening socket: %s\n", strerror(errno));
		failed++;
		if (fd != -1)
			close(fd);
		return -1;
	}
	*ino = (unsigned long)st.st_ino;
	return fd;
}

/* tcptab_join: by inode, both ways; a Unix socket and an unknown inode
 * are not found; a duplicate is found twice. */
static void join_live(void)
{
	struct tcptab_entry found[4];
	unsigned long want[4], ino;
	unsigned char have[4];
	struct stat st;
	char err[256];
	int sv[2], no_netlink;
	int fd = listener(&ino);

	if (fd == -1)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    fstat(sv[0], &st) == -1) {
		printf("FAIL: socketpair: %s\n", strerror(errno));
		failed++;
		close(fd);
		return;
	}
	want[0] = (unsigned long)st.st_ino; /* not TCP */
	want[1] = ino;
	want[2] = 1;   /* no socket has inode 1 */
	want[3] = ino; /* the same again */
	for (no_netlink = 0; no_netlink <= 1; no_netlink++) {
		memset(have, 7, sizeof have);
		CHECK(tcptab_join((long)getpid(), want, 4, found, have,
		                  no_netlink, err, sizeof err) == 0);
		CHECK(!have[0] && have[1] && !have[2] && have[3]);
		CHECK(found[1].state == TCPINFO_LISTEN);
		CHECK(found[1].inode == ino && found[3].inode == ino);
	}
	/* Nothing asked: nothing looked up. */
	CHECK(tcptab_join(0, want, 0, found, have, 0, err, sizeof err) == 0);
	close(sv[0]);
	close(sv[1]);
	close(fd);
}

/* Waits up to 2 s until fd is readable (a listener: a connection waits
 * for accept()): 1, or 0. */
static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 2000) == 1;
}

/* Waits up to 2 s until fd has n unread bytes: 1, or 0. */
static int unread(int fd, int n)
{
	int i, have = -1;

	for (i = 0; i < 200 && have != n; i++) {
		if (ioctl(fd, FIONREAD, &have) == -1)
			return 0;
		if (have != n)
			poll(NULL, 0, 10);
	}
	return have == n;
}

/* fd's own port; 0 if none. */
static unsigned short port_of(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;

	if (getsockname(fd, (struct sockaddr *)&a, &len) == -1)
		return 0;
	return addr_port((struct sockaddr *)&a);
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* The listener whose inode is ino, asked both ways: its entry in *t. */
static int listener_entry(unsigned long ino, int no_netlink,
                          struct tcptab_entry *t)
{
	struct seen s;
	char err[256];
	int rc;

	memset(&s, 0, sizeof s);
	s.only = ino;
	if (no_netlink)
		rc = tcptab_scan_proc(0, see, &s, err, sizeof err);
	else
		rc = diag_tcp_scan(DIAG_TCP_LISTEN, see, &s, err, sizeof err);
	if (rc == -1 || s.count != 1)
		return 0;
	t->rx_queue = s.rx[0];
	t->tx_queue = s.tx[0];
	return 1;
}

/* The far end of a connection fd holds, found both ways. */
static int far_end(int fd, int no_netlink, struct tcptab_entry *t)
{
	struct sockaddr_storage mine, theirs;
	socklen_t len = sizeof mine, tlen = sizeof theirs;
	char err[256];
	int rc;

	if (getsockname(fd, (struct sockaddr *)&mine, &len) == -1 ||
	    getpeername(fd, (struct sockaddr *)&theirs, &tlen) == -1)
		return -1;
	memset(t, 0, sizeof *t);
	rc = tcptab_find((struct sockaddr *)&theirs, (struct sockaddr *)&mine,
	                 t, no_netlink, err, sizeof err);
	if (rc == -1)
		printf("  tcptab_find: %s\n", err);
	return rc;
}

/* A client connected to the listener fd: its descriptor, or -1. */
static int dial(int lfd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	int fd;

	if (getsockname(lfd, (struct sockaddr *)&a, &len) == -1)
		return -1;
	if (a.ss_family == AF_INET6) { /* [::]: connect to 127.0.0.1 */
		struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
		unsigned short port = ((struct sockaddr_in6 *)&a)->sin6_port;

		memset(&a, 0, sizeof a);
		v4->sin_family = AF_INET;
		v4->sin_port = port;
		v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *v4;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd != -1 && connect(fd, (struct sockaddr *)&a, len) == -1) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The client closes first, then the server: the client's end stays in
 * TIME-WAIT, with no descriptor; both ways find it there. */
static void time_wait(int cfd, int afd)
{
	struct sockaddr_storage mine, theirs;
	socklen_t len = sizeof mine, tlen = sizeof theirs;
	struct tcptab_entry t;
	char err[256];
	int no_netlink, i;

	CHECK(getsockname(cfd, (struct sockaddr *)&mine, &len) == 0);
	CHECK(getpeername(cfd, (struct sockaddr *)&theirs, &tlen) == 0);
	/* Read first: a close with bytes unread sends a reset, not a FIN. */
	CHECK(recv(afd, err, sizeof err, 0) == 5);
	close(cfd);
	close(afd);
	for (no_netlink = 0; no_netlink <= 1; no_netlink++) {
		int rc = 0;

		memset(&t, 0, sizeof t);
		for (i = 0; i < 200; i++) {
			rc = tcptab_find((struct sockaddr *)&mine,
			                 (struct sockaddr *)&theirs, &t,
			                 no_netlink, err, sizeof err);
			if (rc != 1 || t.state == TCPINFO_TIME_WAIT)
				break;
			poll(NULL, 0, 10);
		}
		CHECK(rc == 1 && t.state == TCPINFO_TIME_WAIT);
		CHECK(t.inode == 0);
	}
}

/* tcptab_find() on a real loopback connection, over netlink and in /proc:
 * the server's end waits for accept() (no inode), is accepted (the
 * accepted descriptor's inode), holds unread bytes (rx_queue); the
 * client's end is found too, and later in TIME-WAIT; a connection that
 * does not exist is not (netlink answers with the listener: not it). */
static void find_live(void)
{
	struct tcptab_entry t, lt;
	struct sockaddr_storage none;
	socklen_t len = sizeof none;
	unsigned long ino;
	char err[256];
	int lfd = listener(&ino), cfd = -1, afd = -1, no_netlink;

	if (lfd == -1)
		return;
	cfd = dial(lfd);
	CHECK(cfd != -1);
	CHECK(readable(lfd));
	for (no_netlink = 0; cfd != -1 && no_netlink <= 1; no_netlink++) {
		CHECK(far_end(cfd, no_netlink, &t) == 1);
		CHECK(t.state == TCPINFO_ESTABLISHED && t.inode == 0);
		CHECK(t.rx_queue == 0);
		/* The listener holds it in its accept queue. */
		CHECK(listener_entry(ino, no_netlink, &lt) == 1);
		CHECK(lt.rx_queue == 1 && lt.tx_queue == 0);
	}
	afd = cfd == -1 ? -1 : accept(lfd, NULL, NULL);
	CHECK(afd != -1);
	if (afd != -1) {
		CHECK(send(cfd, "hello", 5, 0) == 5);
		CHECK(unread(afd, 5));
	}
	for (no_netlink = 0; afd != -1 && no_netlink <= 1; no_netlink++) {
		CHECK(far_end(cfd, no_netlink, &t) == 1);
		CHECK(t.state == TCPINFO_ESTABLISHED);
		CHECK(t.inode == inode_of(afd) && t.inode != 0);
		CHECK(t.rx_queue == 5);
		CHECK(addr_port((struct sockaddr *)&t.local) == port_of(lfd));
		CHECK(addr_port((struct sockaddr *)&t.remote) == port_of(cfd));
		/* ... and the client's end, from the server's side. */
		CHECK(far_end(afd, no_netlink, &t) == 1);
		CHECK(t.inode == inode_of(cfd) && t.rx_queue == 0);
		CHECK(listener_entry(ino, no_netlink, &lt) == 1);
		CHECK(lt.rx_queue == 0);
	}
	/* A peer port no connection has: not found, not the listener. */
	if (cfd != -1 &&
	    getsockname(cfd, (struct sockaddr *)&none, &len) == 0) {
		struct sockaddr_storage srv;
		socklen_t slen = sizeof srv;

		((struct sockaddr_in *)&none)->sin_port = htons(1);
		CHECK(getsockname(lfd, (struct sockaddr *)&srv, &slen) == 0);
		for (no_netlink = 0; no_netlink <= 1; no_netlink++)
			CHECK(tcptab_find((struct sockaddr *)&srv,
			                  (struct sockaddr *)&none, &t,
			                  no_netlink, err, sizeof err) == 0);
		CHECK(diag_tcp_find((struct sockaddr *)&srv,
		                    (struct sockaddr *)&none, &t, err,
		                    sizeof err) == 0);
	}
	/* Two families: no such pair. */
	{
		struct sockaddr_in6 v6;

		memset(&v6, 0, sizeof v6);
		v6.sin6_family = AF_INET6;
		errno = 0;
		CHECK(diag_tcp_find((struct sockaddr *)&none,
		                    (struct sockaddr *)&v6, &t, err,
		                    sizeof err) == -1);
		CHECK(errno == EAFNOSUPPORT && err[0] != '\0');
	}
	if (afd != -1 && cfd != -1)
		time_wait(cfd, afd);
	else if (afd != -1)
		close(afd);
	else if (cfd != -1)
		close(cfd);
	close(lfd);
}

/* A listener on [::] takes IPv4 clients as IPv6 sockets (::ffff:127.0.0.1):
 * their IPv4 addresses find them, both ways. */
static void find_mapped(void)
{
	struct sockaddr_in6 any;
	struct tcptab_entry t;
	int off = 0, no_netlink, cfd = -1, afd = -1;
	int lfd = socket(AF_INET6, SOCK_STREAM, 0);

	memset(&any, 0, sizeof any);
	any.sin6_family = AF_INET6;
	if (lfd == -1 ||
	    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) ==
	            -1 ||
	    bind(lfd, (struct sockaddr *)&any, sizeof any) == -1 ||
	    listen(lfd, 1) == -1) {
		printf("proc_test: note: no dual-stack listener here (%s)\n",
		       strerror(errno));
		if (lfd != -1)
			close(lfd);
		return;
	}
	cfd = dial(lfd);
	CHECK(cfd != -1);
	afd = cfd == -1 ? -1 : accept(lfd, NULL, NULL);
	CHECK(afd != -1);
	for (no_netlink = 0; afd != -1 && no_netlink <= 1; no_netlink++) {
		CHECK(far_end(cfd, no_netlink, &t) == 1);
		CHECK(t.local.ss_family == AF_INET6);
		CHECK(t.inode == inode_of(afd) && t.inode != 0);
	}
	if (afd != -1)
		close(afd);
	if (cfd != -1)
		close(cfd);
	close(lfd);
}

static const struct fds_entry *entry(const struct fds_list *l, int fd)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].fd == fd)
			return &l->v[i];
	return NULL;
}

/* fds_list of ourselves: a file, a listener, an unbound TCP socket, a
 * pipe; none of the listing's own descriptors. */
static void fds_live(void)
{
	struct fds_list l;
	const struct fds_entry *e;
	unsigned long ino;
	char err[256];
	int file = open("/etc/hosts", O_RDONLY);
	int lfd = listener(&ino);
	int fresh = socket(AF_INET, SOCK_STREAM, 0);
	int p[2] = { -1, -1 };
	size_t i;

	CHECK(file != -1 && fresh != -1 && pipe(p) == 0);
	CHECK(fds_list((long)getpid(), &l, err, sizeof err) == 0);
	CHECK(fds_join_tcp(&l, (long)getpid(), 0, err, sizeof err) == 0);
	for (i = 1; i < l.n; i++)
		CHECK(l.v[i - 1].fd < l.v[i].fd);
	for (i = 0; i < l.n; i++) /* "/proc/PID/fd" itself is not listed */
		CHECK(strncmp(l.v[i].target, "/proc/", 6) != 0);
	e = entry(&l, file);
	CHECK(e != NULL && strcmp(e->kind, "file") == 0 &&
	      strcmp(e->target, "/etc/hosts") == 0 && !e->tcp);
	e = entry(&l, lfd);
	CHECK(e != NULL && strcmp(e->kind, "socket") == 0 && e->inode == ino &&
	      e->tcp && e->t.state == TCPINFO_LISTEN);
	e = entry(&l, fresh);
	CHECK(e != NULL && e->tcp && e->t.state == 0); /* not connected */
	e = entry(&l, p[0]);
	CHECK(e != NULL && strcmp(e->kind, "pipe") == 0 && e->inode != 0);
	fds_free(&l);
	CHECK(l.v == NULL && l.n == 0);
	/* The same without /proc. */
	{
		struct fds_entry d;

		CHECK(fds_describe(p[0], &d, err, sizeof err) == 0);
		CHECK(strcmp(d.kind, "pipe") == 0 &&
		      strncmp(d.target, "pipe (inode ", 12) == 0);
		free(d.target);
		CHECK(fds_describe(lfd, &d, err, sizeof err) == 0);
		CHECK(strcmp(d.kind, "socket") == 0 && d.tcp &&
		      d.t.state == TCPINFO_LISTEN);
		free(d.target);
	}
	close(file);
	close(lfd);
	close(fresh);
	close(p[0]);
	close(p[1]);
}

/* A zombie has no descriptors left, and no process has none at all:
 * both are errors, never an empty list. proc_children finds the child. */
static void gone_live(void)
{
	struct fds_list l;
	struct proc_stat *kids = NULL, st;
	size_t nkids = 0, i;
	char err[256];
	int found = 0, dir;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	/* Wait for its exit without reaping it (WNOWAIT): a zombie. */
	{
		siginfo_t info;

		memset(&info, 0, sizeof info);
		CHECK(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0);
	}
	errno = 0;
	CHECK(fds_list((long)pid, &l, err, sizeof err) == -1);
	CHECK(errno == ESRCH && strstr(err, "has exited") != NULL);
	CHECK(proc_children((long)getpid(), &kids, &nkids, err, sizeof err) ==
	      0);
	for (i = 0; i < nkids; i++)
		found += kids[i].pid == (long)pid && kids[i].state == 'Z';
	CHECK(found == 1);
	free(kids);
	/* The directory of a process outlives it, and says so. */
	{
		char path[64];

		snprintf(path, sizeof path, "/proc/%ld", (long)pid);
		dir = open(path, O_RDONLY | O_DIRECTORY);
		CHECK(dir != -1);
		CHECK(proc_read_stat_at(dir, &st, err, sizeof err) == 0 &&
		      st.state == 'Z');
		waitpid(pid, NULL, 0);
		errno = 0;
		CHECK(proc_read_stat_at(dir, &st, err, sizeof err) == -1);
		CHECK(errno == ENOENT || errno == ESRCH);
		close(dir);
	}
	errno = 0;
	CHECK(fds_list((long)pid, &l, err, sizeof err) == -1);
	CHECK(errno == ENOENT && strstr(err, "no such process") != NULL);
}
#endif

int main(void)
{
	struct tcptab_entry t;
	struct stat st;
	/* 127.0.0.1 as the kernel prints it on this machine: the bytes of the
	 * network-order word, read as a host-order number. */
	unsigned char lo4[4] = { 127, 0, 0, 1 };
	unsigned int word;
	char line[256];

	/* stat lines: ordinary, and command names with spaces and ')' */
	stat_ok("1234 (srv-iter) S 1200 1234 1200 34816 0", 1234, "srv-iter",
	        'S', 1200);
	stat_ok("1 (systemd) S 0 1 1 0 -1", 1, "systemd", 'S', 0);
	stat_ok("77 (x y) R 5 77", 77, "x y", 'R', 5);
	stat_ok("78 (a) (b) Z 6 78", 78, "a) (b", 'Z', 6);
	stat_ok("79 ((sd-pam)) S 7 79\n", 79, "(sd-pam)", 'S', 7);
	stat_ok("80 (x) R 1 (y) S 9 80", 80, "x) R 1 (y", 'S', 9);
	stat_ok("81 () S 2 0", 81, "", 'S', 2);
	stat_ok("82 (tab\there) D 3", 82, "tab\there", 'D', 3);
	/* the process group and the flags (check-server reads them) */
	{
		struct proc_stat ps;

		CHECK(proc_parse_stat("42 (a b) S 1 40 40 0 -1 4194624 0 0",
		                      &ps) == 0 &&
		      ps.pgrp == 40 && ps.flags == 4194624 &&
		      !(ps.flags & PROC_EXITING));
		CHECK(proc_parse_stat("43 (x) R 1 43 43 0 -1 4 0", &ps) == 0 &&
		      (ps.flags & PROC_EXITING));
		CHECK(proc_parse_stat("44 (x) S 1 44\n", &ps) == 0 &&
		      ps.pgrp == 44 && ps.flags == 0);
		stat_bad("45 (x) S 1 x");
		stat_bad("46 (x) S 1 46 46 0 -1 x");
	}
	stat_bad("");
	stat_bad("garbage");
	stat_bad("12 srv-iter S 1");
	stat_bad("12 (srv-iter S 1");
	stat_bad("12 (srv-iter)");
	stat_bad("12 (srv-iter) S");
	stat_bad("12 (srv-iter) S x");
	stat_bad("12 (srv-iter)S 1");
	stat_bad("x (a) S 1");
	stat_bad("(a) S 1");
	stat_bad(") 1 (");
	stat_bad("99999999999999999999999 (a) S 1");
	{
		/* A name longer than the buffer is truncated, not overflowed. */
		char longline[600];
		struct proc_stat s;

		memset(longline, 0, sizeof longline);
		strcpy(longline, "5 (");
		memset(longline + 3, 'n', 400);
		strcat(longline, ") S 1");
		CHECK(proc_parse_stat(longline, &s) == 0);
		CHECK(strlen(s.comm) == PROC_COMM_MAX - 1);
		CHECK(s.ppid == 1);
	}

	/* /proc/net/tcp lines */
	memcpy(&word, lo4, 4);
	snprintf(line, sizeof line,
	         "   1: %08X:22B8 00000000:0000 0A 00000000:00000000 00:00000000 "
	         "00000000     0        0 811164 1 0000000000000000 100 0 0 10 0",
	         word);
	tcp_ok(line, 0, "127.0.0.1:8888", "0.0.0.0:0", 10, 811164);
	snprintf(line, sizeof line,
	         "  12: %08X:22B8 %08X:C000 01 00000000:00000000 00:00000000 "
	         "00000000  1000        0 42 1 0000000000000000 20 4 30 10 -1",
	         word, word);
	tcp_ok(line, 0, "127.0.0.1:8888", "127.0.0.1:49152", 1, 42);
	/* ::1 is three zero words and a fourth whose last byte is 1. */
	{
		unsigned char one[4] = { 0, 0, 0, 1 };
		unsigned int w1;

		memcpy(&w1, one, 4);
		snprintf(line, sizeof line,
		         "   0: 000000000000000000000000%08X:1F90 "
		         "00000000000000000000000000000000:0000 0A 00000000:00000000 "
		         "00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0",
		         w1);
		tcp_ok(line, 1, "[::1]:8080", "[::]:0", 10, 5555);
	}
	CHECK(tcptab_parse_line("  sl  local_address rem_address   st tx_queue "
	                        "rx_queue tr tm->when retrnsmt   uid  timeout inode",
	                        0, &t) == -1);
	CHECK(tcptab_parse_line("", 0, &t) == -1);
	CHECK(tcptab_parse_line("0: 0100007F:22B8", 0, &t) == -1);
	CHECK(tcptab_parse_line(
	              "   1: 0100007G:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1", 0,
	              &t) == -1);
	CHECK(tcptab_parse_line(
	              "   1: 0100007F:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1x",
	              0, &t) == -1);
	/* a v4 line is not a v6 line */
	CHECK(tcptab_parse_line(
	              "   1: 0100007F:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1", 1,
	              &t) == -1);
	CHECK(tcptab_parse_line(
	              "   1: 0100007F:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1", 0,
	              &t) == 0);
	CHECK(t.tx_queue == 0 && t.rx_queue == 0);
	/* tx_queue:rx_queue, hex words as the kernel prints them (%08X) */
	queues("00000000:00000000", 1, 0, 0);
	queues("00000010:0000002A", 1, 16, 42);
	queues("FFFFFFFF:0000ffff", 1, 0xFFFFFFFFul, 0xFFFFul);
	queues("1:2", 1, 1, 2);
	queues("00000000", 0, 0, 0);
	queues("00000000:", 0, 0, 0);
	queues(":00000000", 0, 0, 0);
	queues("000000000:0", 0, 0, 0);
	queues("0:100000000", 0, 0, 0);
	queues("0:0G", 0, 0, 0);
	queues("-1:0", 0, 0, 0);
	queues("0x1:0", 0, 0, 0);
	queues("0:0:0", 0, 0, 0);

	CHECK(strcmp(proc_state_name('Z'),
	             "zombie: exited, not yet waited for") == 0);

	CHECK(fds_target_inode("socket:[123]", "socket") == 123);
	CHECK(fds_target_inode("pipe:[7]", "pipe") == 7);
	CHECK(fds_target_inode("pipe:[7]", "socket") == 0);
	CHECK(fds_target_inode("socket:[12", "socket") == 0);
	CHECK(fds_target_inode("socket:[]", "socket") == 0);
	CHECK(fds_target_inode("/tmp/socket:[1]", "socket") == 0);

	memset(&st, 0, sizeof st);
	st.st_mode = S_IFSOCK;
	CHECK(strcmp(fds_kind(&st, "socket:[1]"), "socket") == 0);
	st.st_mode = S_IFIFO;
	CHECK(strcmp(fds_kind(&st, "pipe:[1]"), "pipe") == 0);
	st.st_mode = S_IFREG;
	CHECK(strcmp(fds_kind(&st, "/etc/hosts"), "file") == 0);
	st.st_mode = S_IFCHR;
	CHECK(strcmp(fds_kind(&st, "/dev/null"), "null") == 0);
	CHECK(strcmp(fds_kind(&st, "/dev/pts/3"), "terminal") == 0);
	CHECK(strcmp(fds_kind(NULL, "anon_inode:[eventfd]"), "anon inode") ==
	      0);

	/* decimal numbers in /proc */
	{
		const char *p = "123 x";
		long v = 0;

		CHECK(proc_scan_dec(&p, &v) == 0 && v == 123 && *p == ' ');
		p = "x";
		errno = 0;
		CHECK(proc_scan_dec(&p, &v) == -1 && errno == EINVAL);
		p = "99999999999999999999";
		errno = 0;
		CHECK(proc_scan_dec(&p, &v) == -1 && errno == ERANGE);
	}
	{
		unsigned lo = 0, hi = 0;
		char err[128];

		if (tcpinfo_port_range(&lo, &hi, err, sizeof err) == 0)
			CHECK(lo >= 1 && lo <= hi && hi <= 65535);
		else
			printf("proc_test: note: %s\n", err);
	}

#ifdef __linux__
	diag_replies();
	diag_live();
	join_live();
	find_live();
	find_mapped();
	fds_live();
	gone_live();
#endif

	if (failed) {
		printf("%d checks failed\n", failed);
		return 1;
	}
	printf("proc_test: all checks passed\n");
	return 0;
}
