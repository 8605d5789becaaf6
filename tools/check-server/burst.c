/*
 * burst: many clients at once, like the article's client3, for the
 * zombies and survives checks (see check.h). One process, non-blocking
 * sockets and one poll() for all of them, rather than a process per
 * client: check-server's own children would mix with the server's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "tcpinfo.h"

struct client {
	int fd;
	int state; /* 0 connecting, 1 reading, 2 done */
	int late;  /* no reply by the deadline */
	double t_last;
};

/* One client's step when poll() says its socket is ready. */
static void step(struct chk_ctx *c, const struct chk_server *s,
                 struct client *k, struct chk_burst *b)
{
	char buf[4096], err[128];
	ssize_t n;
	int e = 0;
	socklen_t len = sizeof e;

	if (k->state == 0) {
		if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
			e = errno;
		if (e == 0 &&
		    chk_send_get(c, s, k->fd, 1, err, sizeof err) == 0) {
			k->state = 1;
			return;
		}
		if (e == 0)
			e = errno;
	} else {
		while ((n = recv(k->fd, buf, sizeof buf, 0)) > 0) {
			if (k->t_last == 0)
				b->answered++;
			k->t_last = clock_now();
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		e = n == 0 ? 0 : errno;
	}
	if (k->t_last == 0) {
		b->failed++;
		if (b->first_err == 0)
			b->first_err = e != 0 ? e : ECONNRESET;
	}
	k->state = 2;
}

/* Starts client k: socket() and connect(). */
static void start_one(const struct chk_server *s, struct client *k,
                      struct chk_burst *b)
{
	k->state = 0;
	if (chk_dial_start(s, &k->fd) >= 0)
		return;
	k->fd = -1;
	k->state = 2;
	b->failed++;
	if (b->first_err == 0)
		b->first_err = errno;
}

/* Where a client that got no reply is: its connection as the server's
 * end of it is in the kernel's table, and who holds that end (a server
 * that accepted it, and neither answered nor closed it). */
static void lost(struct chk_ctx *c, const struct chk_server *s, int fd,
                 char *buf, size_t len)
{
	struct tcptab_entry end;
	char who[160];

	memset(&end, 0, sizeof end);
	if (chk_tcp_conn(fd, &end) != 1) {
		snprintf(buf, len, "not in the TCP table");
	} else if (end.inode == 0) {
		snprintf(buf, len, "%s, never accepted",
		         tcpinfo_state_name(end.state));
	} else {
		chk_describe_holder(c, s, end.inode, who, sizeof who);
		snprintf(buf, len, "%s, open in %s",
		         tcpinfo_state_name(end.state), who);
	}
}

/* n clients, like the article's client3: each connects, sends a GET and
 * reads until the server closes (or LIM_FIN seconds after the last byte:
 * the fin check's business). At most CHK_BURST_WINDOW of them wait for
 * their reply at a time. 0, or -1 when stopped. */
int chk_burst_run(struct chk_ctx *c, const struct chk_server *s, long n,
                  struct chk_burst *b)
{
	struct client *k = calloc((size_t)n, sizeof *k);
	struct pollfd *p = calloc((size_t)n, sizeof *p);
	double t0 = clock_now(), deadline = t0 + c->o->timeout;
	double fin = c->o->limit[LIM_FIN];
	long i, left = n, next = 0, waiting = 0, window = CHK_BURST_WINDOW;
	int rc = 0;

	memset(b, 0, sizeof *b);
	b->n = n;
	if (k == NULL || p == NULL) {
		free(k);
		free(p);
		return chk_fail(c, "out of memory for %ld clients", n);
	}
	for (i = 0; i < n; i++) {
		k[i].state = -1; /* not started */
		k[i].fd = -1;
	}
	while (left > 0 && rc == 0) {
		double until = deadline, now;
		nfds_t m = 0;

		while (next < n && waiting < window) {
			start_one(s, &k[next], b);
			if (k[next++].state == 2)
				left--;
			else
				waiting++;
		}
		for (i = 0; i < next; i++) {
			if (k[i].state == 2)
				continue;
			p[m].fd = k[i].fd;
			p[m].events = k[i].state == 0 ? POLLOUT : POLLIN;
			p[m].revents = 0;
			m++;
			if (k[i].t_last > 0 && k[i].t_last + fin < until)
				until = k[i].t_last + fin;
		}
		if (clock_wait_fds(p, m, until, &c->waitmask) == -1 && chk_stop)
			rc = -1;
		now = clock_now();
		for (i = 0, m = 0; i < next && rc == 0; i++) {
			int was_waiting;

			if (k[i].state == 2)
				continue;
			was_waiting = k[i].t_last == 0;
			if (p[m++].revents != 0)
				step(c, s, &k[i], b);
			if (k[i].state != 2 &&
			    ((k[i].t_last > 0 && now >= k[i].t_last + fin) ||
			     now >= deadline)) {
				if (k[i].t_last == 0) {
					b->failed++;
					b->late++;
					k[i].late = 1;
				}
				k[i].state = 2;
			}
			if (was_waiting && (k[i].t_last > 0 || k[i].state == 2))
				waiting--;
			left -= k[i].state == 2;
		}
	}
	for (i = 0; i < n; i++) {
		if (k[i].late && b->lost[0] == '\0')
			lost(c, s, k[i].fd, b->lost, sizeof b->lost);
		if (k[i].fd != -1)
			close(k[i].fd);
	}
	b->secs = clock_now() - t0;
	free(k);
	free(p);
	say(&c->say, "burst: connect() + GET, each client",
	    "%ld of %ld answered, %ld failed, in %.2f s", b->answered, n,
	    b->failed, b->secs);
	return rc;
}
