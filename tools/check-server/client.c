/*
 * client: check-server's side of each connection (see check.h).
 *
 * Sockets are non-blocking and every wait is a poll with a deadline and
 * check-server's signal mask: a server that never answers, never closes,
 * or trickles bytes forever costs a check its limit, never a hang.
 *
 * Every request is "GET PATH HTTP/1.1" with "Connection: close": an
 * HTTP/1.1 server may otherwise keep the connection open for a next
 * request, which is right, and the fin check would call it a mistake.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "check.h"
#include "clock.h"
#include "http.h"
#include "net.h"

/* socket() and a non-blocking connect(): 0 connected, 1 in progress,
 * -1 failed (errno). */
int chk_dial_start(const struct chk_server *s, int *fd)
{
	int e;

	*fd = socket(s->addr.ss_family, SOCK_STREAM, 0);
	if (*fd == -1)
		return -1;
	if (fcntl(*fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(*fd, F_SETFL, O_NONBLOCK) == -1)
		goto fail;
	if (connect(*fd, (const struct sockaddr *)&s->addr, s->addrlen) == 0)
		return 0;
	if (errno == EINPROGRESS)
		return 1;
fail:
	e = errno;
	close(*fd);
	*fd = -1;
	errno = e;
	return -1;
}

/* A non-blocking TCP socket connected to the server within deadline: 0,
 * or -1 with errno and err ("connect to ADDR: why"; EINTR when a stop
 * signal came). */
int chk_dial(struct chk_ctx *c, const struct chk_server *s, double deadline,
             int *fd, char *err, size_t errlen)
{
	int e = 0, rc = chk_dial_start(s, fd);
	socklen_t len = sizeof e;

	if (rc == 0)
		return 0;
	if (rc == -1) {
		e = errno;
	} else {
		rc = clock_wait_fd(*fd, POLLOUT, deadline, &c->waitmask);
		if (rc == 1 &&
		    getsockopt(*fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
			rc = -1;
		if (rc == 0)
			e = ETIMEDOUT;
		else if (rc == -1)
			e = errno;
		if (e == 0)
			return 0;
		close(*fd);
		*fd = -1;
	}
	snprintf(err, errlen, "connect to %s: %s", s->where, strerror(e));
	errno = e;
	return -1;
}

/* The GET; whole = 0 sends all of it but the empty line that ends it: a
 * request the server must wait for the rest of. */
int chk_send_get(struct chk_ctx *c, const struct chk_server *s, int fd,
                 int whole, char *err, size_t errlen)
{
	char req[1024], host[64];
	const void *ip =
	        s->addr.ss_family == AF_INET
	                ? (const void *)&((const struct sockaddr_in *)&s->addr)
	                          ->sin_addr
	                : (const void *)&((const struct sockaddr_in6 *)&s->addr)
	                          ->sin6_addr;
	int n;

	if (inet_ntop(s->addr.ss_family, ip, host, sizeof host) == NULL)
		snprintf(host, sizeof host, "localhost");
	n = http_get(req, sizeof req, c->o->path, host, s->port,
	             "Connection: close\r\n");
	if (n < 0 || (size_t)n >= sizeof req) {
		snprintf(err, errlen, "the GET request does not fit");
		return -1;
	}
	if (!whole)
		n -= 2; /* the last CRLF: the empty line */
	return net_send_all(fd, req, (size_t)n, err, errlen);
}

/* Reads the reply into r until the server closes (eof), an error
 * (r->err), quiet seconds after the last byte (0: no such end), the first
 * byte (first_only), or deadline. 0, or -1 when a stop signal came. */
int chk_read(struct chk_ctx *c, int fd, struct chk_reply *r, double deadline,
             double quiet, int first_only)
{
	char buf[16384];

	for (;;) {
		double until = deadline, now;
		ssize_t n;
		int rc;

		if (first_only && r->t_first > 0)
			return 0;
		if (r->t_last > 0 && quiet > 0 && r->t_last + quiet < until)
			until = r->t_last + quiet;
		rc = clock_wait_fd(fd, POLLIN, until, &c->waitmask);
		if (chk_stop)
			return -1;
		if (rc == 0)
			return 0;
		n = rc == 1 ? recv(fd, buf, sizeof buf, 0) : -1;
		now = clock_now();
		if (n > 0) {
			size_t keep = sizeof r->head - 1 - r->headlen;

			if (r->t_first == 0)
				r->t_first = now;
			r->t_last = now;
			if (keep > (size_t)n)
				keep = (size_t)n;
			memcpy(r->head + r->headlen, buf, keep);
			r->headlen += keep;
			r->head[r->headlen] = '\0';
			r->total += (size_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		r->eof = n == 0;
		r->err = n == 0 ? 0 : errno;
		r->t_end = now;
		return 0;
	}
}

/* The status, the header lines and the body size of what r holds. */
void chk_parse(struct chk_reply *r)
{
	const char *end = NULL, *p;
	size_t i;

	r->status = http_status(r->head, r->headlen);
	r->has_end = 0;
	r->headers = 0;
	r->body = 0;
	r->clen = -1;
	for (i = 0; i + 1 < r->headlen && end == NULL; i++) {
		if (r->head[i] != '\n')
			continue;
		if (r->head[i + 1] == '\n')
			end = r->head + i + 2;
		else if (r->head[i + 1] == '\r' && i + 2 < r->headlen &&
		         r->head[i + 2] == '\n')
			end = r->head + i + 3;
	}
	if (end == NULL)
		return;
	r->has_end = 1;
	for (p = r->head; p < end; p++)
		r->headers += *p == '\n';
	r->headers -= 2; /* the status line's end, the empty line */
	r->body_at = (size_t)(end - r->head);
	r->body = r->total - r->body_at;
	for (p = r->head; p != NULL && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (strncasecmp(p, "content-length:", 15) == 0) {
			r->clen = strtol(p + 15, NULL, 10);
			break;
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
}

/* One GET on a new connection; r says what came back (r->err when the
 * connection failed). 0, or -1 when a stop signal came. */
int chk_get(struct chk_ctx *c, const struct chk_server *s, struct chk_reply *r,
            double quiet, char *err, size_t errlen)
{
	double deadline = clock_now() + c->o->timeout;
	int fd, rc;

	memset(r, 0, sizeof *r);
	r->status = -1;
	snprintf(err, errlen, "no error");
	if (chk_dial(c, s, deadline, &fd, err, errlen) == -1) {
		r->err = errno;
		return chk_stop ? -1 : 0;
	}
	if (chk_send_get(c, s, fd, 1, err, errlen) == -1) {
		r->err = errno;
		close(fd);
		return 0;
	}
	r->t_sent = clock_now();
	rc = chk_read(c, fd, r, r->t_sent + c->o->timeout, quiet, 0);
	close(fd);
	chk_parse(r);
	say(&c->say, "connect() + GET + recv()", "%zu bytes in %.3f s%s",
	    r->total, (r->t_last > 0 ? r->t_last : clock_now()) - r->t_sent,
	    r->eof ? ", then EOF" : "");
	return rc;
}

/* A GET whose request is sent only once the server has accepted the
 * connection and had CHK_STEADY seconds to go back to accept(): a child
 * that serves it then exits while its parent waits in accept(), as in the
 * article (where SIGCHLD interrupts accept()). 0, or -1 when stopped. */
int chk_probe(struct chk_ctx *c, const struct chk_server *s,
              struct chk_reply *r)
{
	double deadline = clock_now() + c->o->timeout;
	struct tcptab_entry end;
	char err[256];
	int fd, rc;

	memset(r, 0, sizeof *r);
	r->status = -1;
	if (chk_dial(c, s, deadline, &fd, err, sizeof err) == -1) {
		r->err = errno;
		return chk_stop ? -1 : 0;
	}
	rc = chk_wait_end(c, s, fd, 0, clock_now() + 2, &end);
	if (rc != -1)
		rc = chk_pause(c, CHK_STEADY);
	if (rc != -1 && chk_send_get(c, s, fd, 1, err, sizeof err) == 0) {
		r->t_sent = clock_now();
		rc = chk_read(c, fd, r, r->t_sent + c->o->timeout,
		              c->o->limit[LIM_FIN], 0);
	}
	close(fd);
	chk_parse(r);
	say(&c->say, "connect(), accepted, then GET", "%zu bytes in %.3f s",
	    r->total, r->t_last > 0 ? r->t_last - r->t_sent : 0.0);
	return rc == -1 ? -1 : 0;
}

/* Closes fd with SO_LINGER 0: the kernel sends RST, not FIN. */
void chk_reset(struct chk_ctx *c, int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
	say(&c->say, "close() with SO_LINGER {1, 0}", "RST sent");
}

int chk_local_port(int fd, unsigned short *port)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;

	if (getsockname(fd, (struct sockaddr *)&a, &len) == -1)
		return -1;
	*port = addr_port((struct sockaddr *)&a);
	return 0;
}

/* Waits until the server's end of our connection fd has a descriptor
 * (accept() returned it) and, with need_read, has no unread byte (recv()
 * read what we sent). 1 (*end set), 0 not by deadline, -1 stopped. */
int chk_wait_end(struct chk_ctx *c, const struct chk_server *s, int fd,
                 int need_read, double deadline, struct tcptab_entry *end)
{
	(void)s;
	for (;;) {
		if (chk_tcp_conn(fd, end) == 1 && end->inode != 0 &&
		    (!need_read || end->rx_queue == 0))
			return 1;
		if (clock_now() >= deadline)
			return 0;
		if (chk_pause(c, 0.005) == -1)
			return -1;
	}
}
