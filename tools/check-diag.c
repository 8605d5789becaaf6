/*
 * check-diag: the kernel's TCP table, asked the way ss(8) asks it, over
 * netlink sock_diag (see check.h, and lib/diag.h for the protocol).
 *
 * /proc/net/tcp lists every TCP socket of the machine, TIME-WAIT leftovers
 * included: after a few load tests, tens of thousands of lines, printed by
 * the kernel and parsed back at every look. check-server looks often (every
 * few milliseconds while it waits), and always for little:
 *
 *   the listening sockets    a dump of the LISTEN state only: the kernel
 *                            walks its small table of listeners
 *   one connection           an exact lookup by its four addresses: the
 *                            server's end of a connection we made, with its
 *                            state, its inode (0 until accept() gives it a
 *                            descriptor) and its unread bytes (rx queue)
 *
 * Where netlink is refused (a sandbox, another system), the same answers
 * come from /proc/net/tcp (check-proc.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"

#ifdef __linux__
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

/* The address bytes and port of a socket address, for an inet_diag id. */
static void to_id(const struct sockaddr_storage *a, __be16 *port, __be32 *ip)
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)a;

		*port = v4->sin_port;
		memcpy(ip, &v4->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *v6 = (const void *)a;

		*port = v6->sin6_port;
		memcpy(ip, &v6->sin6_addr, 16);
	}
}

/* 1 found (*out), 0 no such socket, -1 no answer from sock_diag. */
static int exact(const struct sockaddr_storage *local,
                 const struct sockaddr_storage *remote, struct chk_tcp *out)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	union {
		struct nlmsghdr h;
		unsigned char bytes[8192];
	} buf;
	struct inet_diag_msg m;
	ssize_t n;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	                NETLINK_SOCK_DIAG);

	if (fd == -1)
		return -1;
	memset(&msg, 0, sizeof msg);
	msg.nlh.nlmsg_len = (unsigned)sizeof msg;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST; /* one socket, not a dump */
	msg.req.sdiag_family = (unsigned char)local->ss_family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0u;
	to_id(local, &msg.req.id.idiag_sport, msg.req.id.idiag_src);
	to_id(remote, &msg.req.id.idiag_dport, msg.req.id.idiag_dst);
	msg.req.id.idiag_cookie[0] = msg.req.id.idiag_cookie[1] =
	        INET_DIAG_NOCOOKIE;
	if (send(fd, &msg, sizeof msg, 0) != (ssize_t)sizeof msg) {
		close(fd);
		return -1;
	}
	do
		n = recv(fd, &buf, sizeof buf, 0);
	while (n == -1 && errno == EINTR);
	close(fd);
	if (n < (ssize_t)sizeof buf.h || buf.h.nlmsg_len > (size_t)n)
		return -1;
	if (buf.h.nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;

		memcpy(&e, buf.bytes + NLMSG_HDRLEN, sizeof e);
		return e.error == -ENOENT ? 0 : -1;
	}
	if (buf.h.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    buf.h.nlmsg_len < NLMSG_HDRLEN + sizeof m)
		return -1;
	memcpy(&m, buf.bytes + NLMSG_HDRLEN, sizeof m);
	memset(out, 0, sizeof *out);
	out->state = m.idiag_state;
	out->lport = ntohs(m.id.idiag_sport);
	out->rport = ntohs(m.id.idiag_dport);
	out->inode = m.idiag_inode;
	out->rx = m.idiag_rqueue;
	out->local = *local;
	/* Not found, the kernel may answer with the listener that would take
	 * a new connection: not our connection. */
	return out->state != 10 && out->rport == ntohs(msg.req.id.idiag_dport);
}
#else
static int exact(const struct sockaddr_storage *local,
                 const struct sockaddr_storage *remote, struct chk_tcp *out)
{
	(void)local;
	(void)remote;
	(void)out;
	return -1;
}
#endif

/* The server's end of our connection fd: 1 (*out), 0 not in the table. */
int chk_tcp_conn(int fd, struct chk_tcp *out)
{
	struct sockaddr_storage mine, theirs;
	socklen_t len = sizeof mine, tlen = sizeof theirs;
	int rc;

	if (getsockname(fd, (struct sockaddr *)&mine, &len) == -1 ||
	    getpeername(fd, (struct sockaddr *)&theirs, &tlen) == -1)
		return 0;
	rc = exact(&theirs, &mine, out);
	if (rc != -1)
		return rc;
	return chk_tcp_scan_conn(addr_port((struct sockaddr *)&theirs),
	                         addr_port((struct sockaddr *)&mine), out);
}

struct relay {
	int (*fn)(const struct chk_tcp *, void *);
	void *arg;
};

static int relay(const struct tcptab_entry *t, void *arg)
{
	struct relay *r = arg;
	struct chk_tcp c;

	memset(&c, 0, sizeof c);
	c.state = t->state;
	c.lport = addr_port((const struct sockaddr *)&t->local);
	c.inode = t->inode;
	c.local = t->local;
	c.len = t->len;
	return r->fn(&c, r->arg);
}

/* fn for every listening socket: 0, or -1 (err). */
int chk_tcp_listeners(int (*fn)(const struct chk_tcp *, void *), void *arg,
                      char *err, size_t errlen)
{
	struct relay r = { fn, arg };

	if (diag_tcp_scan(DIAG_TCP_LISTEN, relay, &r, err, errlen) == 0)
		return 0;
	return chk_tcp_each(fn, arg, err, errlen) == -1 ? -1 : 0;
}
