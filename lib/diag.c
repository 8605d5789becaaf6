/*
 * diag: the TCP sockets of this network namespace over NETLINK_SOCK_DIAG
 * (see diag.h). One request per address family, a dump in reply:
 *
 *   us:     socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG)
 *           sendto(kernel) [nlmsghdr: SOCK_DIAG_BY_FAMILY, NLM_F_DUMP]
 *                          [inet_diag_req_v2: AF_INET, TCP, states]
 *   kernel: [nlmsghdr][inet_diag_msg] [nlmsghdr][inet_diag_msg] ...
 *           ... as many datagrams as it takes, then [nlmsghdr: NLMSG_DONE]
 *
 * or, for one socket, the same request without NLM_F_DUMP and with the
 * socket's four addresses in the inet_diag_req_v2's id: the answer is one
 * [nlmsghdr][inet_diag_msg], or an error (ENOENT: no such socket).
 *
 * Every record is copied out of the receive buffer with memcpy(): the
 * buffer is bytes, and a struct read in place would have to be aligned.
 */
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"

/* Netlink messages start on 4-byte boundaries (NLMSG_ALIGN, in size_t). */
static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

#define HDRLEN align4(sizeof(struct nlmsghdr))

/* The kernel sends dumps in datagrams of at most about 32 kB. */
#define DIAG_BUF 32768

/* One inet_diag_msg as /proc/net/tcp would have shown it. Ports and
 * addresses are in network order in both: they are copied as they are. */
static int to_entry(const struct inet_diag_msg *m, struct tcptab_entry *t)
{
	memset(t, 0, sizeof *t);
	if (m->idiag_family == AF_INET) {
		struct sockaddr_in *l = (struct sockaddr_in *)(void *)&t->local;
		struct sockaddr_in *r =
		        (struct sockaddr_in *)(void *)&t->remote;

		l->sin_family = r->sin_family = AF_INET;
		l->sin_port = m->id.idiag_sport;
		r->sin_port = m->id.idiag_dport;
		memcpy(&l->sin_addr, m->id.idiag_src, 4);
		memcpy(&r->sin_addr, m->id.idiag_dst, 4);
		t->len = (socklen_t)sizeof *l;
	} else if (m->idiag_family == AF_INET6) {
		struct sockaddr_in6 *l =
		        (struct sockaddr_in6 *)(void *)&t->local;
		struct sockaddr_in6 *r =
		        (struct sockaddr_in6 *)(void *)&t->remote;

		l->sin6_family = r->sin6_family = AF_INET6;
		l->sin6_port = m->id.idiag_sport;
		r->sin6_port = m->id.idiag_dport;
		memcpy(&l->sin6_addr, m->id.idiag_src, 16);
		memcpy(&r->sin6_addr, m->id.idiag_dst, 16);
		t->len = (socklen_t)sizeof *l;
	} else {
		return -1;
	}
	t->state = m->idiag_state;
	t->inode = m->idiag_inode;
	t->rx_queue = m->idiag_rqueue;
	/* A listener's idiag_wqueue is its backlog; /proc says 0. */
	t->tx_queue = m->idiag_state == TCPINFO_LISTEN ? 0 : m->idiag_wqueue;
	return 0;
}

int diag_parse_reply(const void *buf, size_t len, unsigned seq,
                     int (*fn)(const struct tcptab_entry *, void *), void *arg)
{
	const unsigned char *p = buf;
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		struct inet_diag_msg m;
		struct tcptab_entry t;

		memcpy(&h, p + off, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - off) {
			errno = EBADMSG; /* a record longer than the datagram */
			return -1;
		}
		if (h.nlmsg_seq != seq) {
			/* an answer to some other request: not ours */
		} else if (h.nlmsg_type == NLMSG_DONE) {
			return 1;
		} else if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;
			int code = EBADMSG;

			if (h.nlmsg_len >= HDRLEN + sizeof e) {
				memcpy(&e, p + off + HDRLEN, sizeof e);
				/* -errno; anything else is no errno (and
				 * -INT_MIN would overflow). */
				if (e.error < 0 && e.error > -4096)
					code = -e.error;
			}
			errno = code;
			return -1;
		} else if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		           h.nlmsg_len >= HDRLEN + sizeof m) {
			memcpy(&m, p + off + HDRLEN, sizeof m);
			if (to_entry(&m, &t) == 0 && fn(&t, arg) != 0)
				return 1;
			if (!(h.nlmsg_flags & NLM_F_MULTI))
				return 1; /* not a dump: the whole answer */
		}
		/* The last record of a datagram may lack its padding. */
		if (align4(h.nlmsg_len) >= len - off)
			break;
		off += align4(h.nlmsg_len);
	}
	return 0;
}

/* Sends request req: a dump (NLM_F_DUMP in flags) or one socket. */
static int ask(int fd, const struct inet_diag_req_v2 *req, unsigned short flags,
               unsigned seq)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl kernel;
	ssize_t n;

	memset(&kernel, 0, sizeof kernel);
	kernel.nl_family = AF_NETLINK; /* nl_pid 0: the kernel */
	memset(&msg, 0, sizeof msg);
	msg.nlh.nlmsg_len = (unsigned)sizeof msg;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	msg.nlh.nlmsg_seq = seq;
	msg.req = *req;
	do
		n = sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel,
		           sizeof kernel);
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)sizeof msg ? 0 : -1;
}

/* Reads the datagrams that answer request seq until NLMSG_DONE. */
static int read_answer(int fd, unsigned char *buf, unsigned seq,
                       int (*fn)(const struct tcptab_entry *, void *),
                       void *arg, char *err, size_t errlen)
{
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof from;
		ssize_t n;
		int rc;

		/* MSG_TRUNC: the datagram's real length, even if longer. */
		n = recvfrom(fd, buf, DIAG_BUF, MSG_TRUNC,
		             (struct sockaddr *)&from, &fromlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;

			snprintf(err, errlen, "sock_diag: recv: %s",
			         strerror(e));
			errno = e;
			return -1;
		}
		if (n > DIAG_BUF) {
			snprintf(err, errlen,
			         "sock_diag: a reply of %zd bytes is too long",
			         n);
			errno = EMSGSIZE;
			return -1;
		}
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		rc = diag_parse_reply(buf, (size_t)n, seq, fn, arg);
		if (rc == -1) {
			int e = errno;

			snprintf(err, errlen, "sock_diag: %s", strerror(e));
			errno = e;
			return -1;
		}
		if (rc == 1)
			return 0;
	}
}

/* fn, and whether it asked to stop: then the IPv6 question is not asked. */
struct stopper {
	int (*fn)(const struct tcptab_entry *, void *);
	void *arg;
	int stopped;
};

static int call_fn(const struct tcptab_entry *t, void *arg)
{
	struct stopper *s = arg;

	s->stopped = s->fn(t, s->arg) != 0;
	return s->stopped;
}

static int open_diag(char *err, size_t errlen)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	                NETLINK_SOCK_DIAG);

	if (fd == -1) {
		int e = errno;

		snprintf(err, errlen,
		         "socket(AF_NETLINK, NETLINK_SOCK_DIAG): %s",
		         strerror(e));
		errno = e;
	}
	return fd;
}

int diag_tcp_scan(unsigned states,
                  int (*fn)(const struct tcptab_entry *, void *), void *arg,
                  char *err, size_t errlen)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct stopper s = { fn, arg, 0 };
	unsigned char buf[DIAG_BUF];
	struct inet_diag_req_v2 req;
	unsigned i;
	int fd = open_diag(err, errlen);

	if (fd == -1)
		return -1;
	memset(&req, 0, sizeof req);
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_states = states; /* the filter, applied in the kernel */
	for (i = 0; i < sizeof families / sizeof families[0] && !s.stopped;
	     i++) {
		req.sdiag_family = (unsigned char)families[i];
		if (ask(fd, &req, NLM_F_DUMP, i + 1) == -1) {
			int e = errno;

			snprintf(err, errlen, "sock_diag: send: %s",
			         strerror(e));
			close(fd);
			errno = e;
			return -1;
		}
		if (read_answer(fd, buf, i + 1, call_fn, &s, err, errlen) ==
		    -1) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
	}
	/* Stopped early: the rest of the answer is dropped with the socket. */
	close(fd);
	return 0;
}

/* The address bytes and port of a socket address, as an inet_diag id
 * holds them (network order, as in the address). */
static void to_id(const struct sockaddr *a, __be16 *port, __be32 *ip)
{
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)a;

		*port = v4->sin_port;
		memcpy(ip, &v4->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *v6 = (const void *)a;

		*port = v6->sin6_port;
		memcpy(ip, &v6->sin6_addr, 16);
	}
}

static int keep(const struct tcptab_entry *t, void *arg)
{
	*(struct tcptab_entry *)arg = *t;
	return 1; /* one socket asked for, one answer */
}

int diag_tcp_find(const struct sockaddr *local, const struct sockaddr *remote,
                  struct tcptab_entry *out, char *err, size_t errlen)
{
	unsigned char buf[DIAG_BUF];
	struct inet_diag_req_v2 req;
	struct tcptab_entry t;
	int fd, rc, e;

	if (local->sa_family != remote->sa_family ||
	    (local->sa_family != AF_INET && local->sa_family != AF_INET6)) {
		snprintf(err, errlen,
		         "sock_diag: not two IPv4 or two IPv6 addresses");
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = open_diag(err, errlen);
	if (fd == -1)
		return -1;
	memset(&req, 0, sizeof req);
	req.sdiag_family = (unsigned char)local->sa_family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_states = ~0u;
	to_id(local, &req.id.idiag_sport, req.id.idiag_src);
	to_id(remote, &req.id.idiag_dport, req.id.idiag_dst);
	req.id.idiag_cookie[0] = req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (ask(fd, &req, 0, 1) == -1) {
		e = errno;
		snprintf(err, errlen, "sock_diag: send: %s", strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	memset(&t, 0, sizeof t);
	rc = read_answer(fd, buf, 1, keep, &t, err, errlen);
	e = errno;
	close(fd);
	if (rc == -1 && e == ENOENT)
		return 0; /* no such socket, and no listener on that port */
	if (rc == -1) {
		errno = e;
		return -1;
	}
	/* The kernel looks the connections up first, then the listeners:
	 * for no connection, the listener that would take one, whose peer
	 * (0.0.0.0:0) is not the one asked for. */
	if (t.len == 0 ||
	    !addr_same((const struct sockaddr *)&t.local, local) ||
	    !addr_same((const struct sockaddr *)&t.remote, remote))
		return 0;
	*out = t;
	return 1;
}

#else /* not Linux: no sock_diag */

int diag_parse_reply(const void *buf, size_t len, unsigned seq,
                     int (*fn)(const struct tcptab_entry *, void *), void *arg)
{
	(void)buf;
	(void)len;
	(void)seq;
	(void)fn;
	(void)arg;
	errno = EAFNOSUPPORT;
	return -1;
}

static int no_diag(char *err, size_t errlen)
{
	snprintf(err, errlen, "sock_diag: Linux only");
	errno = EAFNOSUPPORT;
	return -1;
}

int diag_tcp_scan(unsigned states,
                  int (*fn)(const struct tcptab_entry *, void *), void *arg,
                  char *err, size_t errlen)
{
	(void)states;
	(void)fn;
	(void)arg;
	return no_diag(err, errlen);
}

int diag_tcp_find(const struct sockaddr *local, const struct sockaddr *remote,
                  struct tcptab_entry *out, char *err, size_t errlen)
{
	(void)local;
	(void)remote;
	(void)out;
	return no_diag(err, errlen);
}

#endif
