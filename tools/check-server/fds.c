/*
 * fds: the fds check (see check.h): no descriptor growth after many
 * requests, one after the other (lesson 5: webserver3d, whose parent keeps
 * each connection, and runs out of descriptors).
 *
 * Whose descriptors? Every process of the server's, each counted on its
 * own (/proc/PID/fd), and compared with itself: a process that is there
 * at both counts and has more descriptors at the second has leaked them.
 * Not only the process that holds the listening socket: in a preforked
 * server the parent holds it and never serves, and a child that forgets
 * its close() grows while the parent does not; with SO_REUSEPORT each
 * worker holds one. A process that came or went between the counts (a
 * fork per connection, a worker replaced) is not compared: its
 * descriptors are not a leak of the process that was there. Nor are
 * listening sockets: a worker that opens its SO_REUSEPORT listener after
 * the first count (workers started 0.2 s apart) has one more descriptor,
 * and no connection leaked; each count leaves them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "tcpinfo.h"

/* The descriptors of each running process of the server, at one moment. */
struct fdcount {
	pid_t pid, ppid;
	long fds, sockets; /* listening sockets left out */
};
struct snap {
	struct fdcount *p;
	size_t n;
};

/* How the processes of now compare with those of was. */
struct growth {
	size_t common;            /* there at both counts */
	size_t grew;              /* of them, how many have more descriptors */
	const struct fdcount *at; /* the one that grew most (NULL: none)... */
	const struct fdcount *was_at; /* ...and its count in was */
	long was_all, now_all;        /* the sums over the common ones */
};

/* One request whose client closes once the reply has started. 1 answered,
 * 0 not, -1 stopped. */
static int quick_request(struct chk_ctx *c, struct chk_server *s)
{
	struct chk_reply rep;
	char err[256];
	int fd, rc;

	memset(&rep, 0, sizeof rep);
	if (chk_dial(c, s, clock_now() + c->o->timeout, &fd, err, sizeof err) ==
	    -1)
		return chk_stop ? -1 : 0;
	rc = chk_send_get(c, s, fd, 1, err, sizeof err);
	if (rc == 0)
		rc = chk_read(c, fd, &rep, clock_now() + c->o->timeout, 0, 1);
	close(fd);
	return rc == -1 && chk_stop ? -1 : rep.t_first > 0;
}

/* The inodes of the listening sockets, for snap_read(). */
struct inodes {
	unsigned long v[256];
	size_t n;
};

static int add_inode(const struct tcptab_entry *t, void *arg)
{
	struct inodes *in = arg;

	if (t->state == TCPINFO_LISTEN &&
	    in->n < sizeof in->v / sizeof in->v[0])
		in->v[in->n++] = t->inode;
	return 0;
}

/* Counts the descriptors of every running process of the server, but its
 * listening sockets. 0, or -1 (out of memory, /proc unreadable: sn is then
 * empty). */
static int snap_read(struct snap *sn, const struct chk_server *s)
{
	struct chk_procs l = { NULL, 0, 0 };
	struct inodes in;
	char err[128];
	size_t i;

	sn->n = 0;
	in.n = 0;
	if (chk_tcp_listeners(add_inode, &in, err, sizeof err) == -1 ||
	    chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return -1;
	free(sn->p);
	sn->p = calloc(l.n ? l.n : 1, sizeof *sn->p);
	for (i = 0; sn->p != NULL && i < l.n; i++) {
		struct fdcount *f = &sn->p[sn->n];
		long listening;

		if (l.p[i].state == 'Z' || l.p[i].state == 'X' ||
		    chk_fd_count(l.p[i].fdpid, &f->fds, &f->sockets, in.v, in.n,
		                 &listening) == -1)
			continue; /* gone since */
		f->fds -= listening;
		f->sockets -= listening;
		f->pid = l.p[i].pid;
		f->ppid = l.p[i].ppid;
		sn->n++;
	}
	chk_procs_free(&l);
	return sn->p == NULL ? -1 : 0;
}

static struct growth compare(const struct snap *was, const struct snap *now)
{
	struct growth g;
	size_t i, j;

	memset(&g, 0, sizeof g);
	for (i = 0; i < now->n; i++) {
		for (j = 0; j < was->n && was->p[j].pid != now->p[i].pid; j++)
			;
		if (j == was->n)
			continue;
		g.common++;
		g.was_all += was->p[j].fds;
		g.now_all += now->p[i].fds;
		if (now->p[i].fds <= was->p[j].fds)
			continue;
		g.grew++;
		if (g.at == NULL ||
		    now->p[i].fds - was->p[j].fds > g.at->fds - g.was_at->fds) {
			g.at = &now->p[i];
			g.was_at = &was->p[j];
		}
	}
	return g;
}

/* The descriptors once the server has had time to close what it closes:
 * counted again until no process has more than in want, or LIM_FIN
 * seconds. 0, or -1 when stopped. */
static int settled(struct chk_ctx *c, const struct chk_server *s,
                   const struct snap *want, struct snap *out)
{
	double deadline = clock_now() + c->o->limit[LIM_FIN];

	while (snap_read(out, s) == 0 && compare(want, out).grew > 0 &&
	       clock_now() < deadline)
		if (chk_pause(c, 0.01) == -1)
			return -1;
	return chk_stop ? -1 : 0;
}

/* "the server" (its leader) or "pid 12 (a child of 11)". */
static void name(const struct chk_server *s, const struct fdcount *f, char *buf,
                 size_t len)
{
	if (f->pid == s->pid)
		snprintf(buf, len, "the server");
	else
		snprintf(buf, len, "pid %ld (a child of %ld)", (long)f->pid,
		         (long)f->ppid);
}

/* The verdict, from the counts after warm requests (base) and after i
 * (now); died: the server exited (or closed its listener) after i. */
static void judge(const struct chk_ctx *c, struct chk_server *s,
                  struct chk_result *r, const struct snap *base,
                  const struct snap *now, long warm, long i, int died)
{
	struct growth g = compare(base, now);
	char how[64], tail[256], who[64], more[96];

	if (g.at != NULL)
		name(s, g.at, who, sizeof who);
	more[0] = '\0';
	if (g.grew > 1)
		snprintf(more, sizeof more,
		         " (and %zu more of its processes grew)", g.grew - 1);
	if (died && (i < warm || g.at == NULL)) { /* no growth seen */
		chk_how_ended(s, how, sizeof how);
		chk_verdict(r, CHK_SKIP,
		            "the server exited (%s) after %ld requests: see "
		            "'survives'",
		            how, i);
	} else if (died) {
		chk_how_ended(s, how, sizeof how);
		chk_last_line(s, 2, tail, sizeof tail);
		chk_verdict(r, CHK_FAIL,
		            "%s: %ld descriptors after %ld requests, %ld after "
		            "%ld%s, then it exited (%s); its stderr ends with %s",
		            who, g.was_at->fds, warm, g.at->fds, i, more, how,
		            tail);
	} else if (g.at != NULL) {
		chk_verdict(r, CHK_FAIL,
		            "%s: %ld descriptors after %ld requests, %ld after "
		            "%ld: +%ld, %ld of them sockets it never closed%s",
		            who, g.was_at->fds, warm, g.at->fds, c->o->requests,
		            g.at->fds - g.was_at->fds,
		            g.at->sockets - g.was_at->sockets, more);
	} else if (g.common == 0) {
		chk_verdict(r, CHK_SKIP,
		            "no process of the server was there at both counts, "
		            "after %ld requests and after %ld",
		            warm, c->o->requests);
	} else if (g.common == 1 && now->n > 0 && now->p[0].pid == s->pid) {
		chk_verdict(r, CHK_PASS,
		            "the server: %ld descriptors after %ld requests, %ld "
		            "after %ld",
		            g.was_all, warm, g.now_all, c->o->requests);
	} else {
		chk_verdict(r, CHK_PASS,
		            "the server's %zu processes: %ld descriptors in all "
		            "after %ld requests, %ld after %ld, none more in any",
		            g.common, g.was_all, warm, g.now_all,
		            c->o->requests);
	}
}

int chk_fds(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	long n = c->o->requests, warm = n / 10, i;
	struct snap start = { NULL, 0 }, base = { NULL, 0 }, now = { NULL, 0 };
	int rc = 0, died = 0;

	if (warm > 10)
		warm = 10; /* what a server opens on its first requests */
	if (warm < 1)
		warm = 1;
	snap_read(&start, s);
	for (i = 0; i < n && rc == 0; i++) {
		rc = quick_request(c, s);
		if (rc == -1 || (rc == 0 && chk_down(c, s) == -1)) {
			rc = -1;
			break;
		}
		if (rc == 0 && !s->ended && !s->closed) {
			chk_verdict(r, CHK_FAIL,
			            "request %ld of %ld got no reply", i + 1,
			            n);
			rc = 1;
			break;
		}
		rc = 0;
		died = chk_ended(s) || s->closed;
		if (died)
			break;     /* a dying process's count says nothing */
		if (i + 1 == warm) /* lazy opens done: the baseline */
			rc = settled(c, s, &start, &base);
		else if (i % 50 == 0 && i > warm)
			snap_read(&now, s);
	}
	if (rc == 0 && !died)
		rc = settled(c, s, &base, &now);
	if (rc == 0) {
		struct growth g = compare(&base, &now);

		say(&c->say, "ls /proc/PID/fd",
		    "%zu processes: %ld after %ld requests, %ld after %ld",
		    g.common, g.was_all, warm, g.now_all, i);
		judge(c, s, r, &base, &now, warm, i, died);
	}
	free(start.p);
	free(base.p);
	free(now.p);
	return rc == -1 ? -1 : 0;
}
