/*
 * load: the checks that need many clients, or the server's end
 * (see check.h; the fds check is fds.c).
 *
 *   zombies   a burst of clients leaves no zombie child once they are done
 *             (lesson 5: webserver3c, and 3e/3f whose SIGCHLDs merge)
 *   survives  the server is alive and answers after the burst (lesson 5:
 *             webserver3e, whose accept() fails with EINTR)
 *   sigterm   it stops on SIGTERM and leaves nothing behind
 *
 * A zombie is a process of the server's group (or a child of one of them)
 * in state Z whose parent is still the server's: once a parent dies, its
 * zombies are no longer its fault (check-server, their new parent, reaps
 * them).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"

/* "3 zombies: pids 10, 11, 12, state Z, parent 9" into buf; how many. */
static size_t zombies(const struct chk_procs *l, const struct chk_server *s,
                      char *buf, size_t len)
{
	pid_t me = getpid(), parent = 0;
	size_t i, n = 0, at;
	int mixed = 0;

	at = (size_t)snprintf(buf, len, "pids");
	for (i = 0; i < l->n; i++) {
		const struct chk_proc *p = &l->p[i];

		if (p->state != 'Z' || p->pid == s->pid || p->ppid == me)
			continue;
		if (n < 8 && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s %ld",
			                       n ? "," : "", (long)p->pid);
		else if (n == 8 && at < len)
			at += (size_t)snprintf(buf + at, len - at, ", ...");
		mixed |= parent != 0 && parent != p->ppid;
		parent = p->ppid;
		n++;
	}
	if (n > 0 && at < len)
		snprintf(buf + at, len - at, ", state Z, parent %ld%s",
		         (long)parent, mixed ? " and others" : "");
	return n;
}

/* Zombies are there: a true FAIL, unless the server is one that dies when
 * any child exits and only survived the burst by luck (webserver3e: its
 * accept() was not the call the signal interrupted). One more GET tells. */
static int confirm(struct chk_ctx *c, struct chk_server *s,
                   struct chk_result *r, size_t z, const char *what,
                   const char *list)
{
	struct chk_reply rep;
	char how[64];
	long base = chk_live(s);

	if (chk_probe(c, s, &rep) == -1 ||
	    chk_settle(c, s, base, clock_now() + c->o->limit[LIM_ZOMBIES]) ==
	            -1)
		return -1;
	if (s->ended || s->closed) {
		chk_how_ended(s, how, sizeof how);
		chk_verdict(r, CHK_SKIP,
		            "%zu zombies after %s, but the server exits when "
		            "a child exits (one more GET: %s): see 'survives'",
		            z, what, how);
	} else {
		chk_verdict(r, CHK_FAIL, "%zu zombie%s %g s after %s: %s", z,
		            z == 1 ? "" : "s", c->o->limit[LIM_ZOMBIES], what,
		            list);
	}
	return 0;
}

/* Whether pid is a zombie of the server in l. */
static int is_zombie(const struct chk_procs *l, pid_t pid)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->p[i].pid == pid)
			return l->p[i].state == 'Z';
	return 0;
}

/* The first zombie of the server in l, 0 if none. */
static pid_t first_zombie(const struct chk_procs *l, const struct chk_server *s)
{
	pid_t me = getpid();
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->p[i].state == 'Z' && l->p[i].pid != s->pid &&
		    l->p[i].ppid != me)
			return l->p[i].pid;
	return 0;
}

/* No client of the burst was answered: no child can have served one and
 * exited. NOT SHOWN, or SKIP when the server died. 0, or -1 stopped. */
static int none_answered(struct chk_ctx *c, struct chk_server *s,
                         struct chk_result *r, const struct chk_burst *b)
{
	char how[64];
	int rc = chk_down(c, s);

	if (rc == -1)
		return -1;
	if (rc == 1) {
		chk_how_ended(s, how, sizeof how);
		chk_verdict(r, CHK_SKIP,
		            "the server exited during the burst (%s; 0 of %ld "
		            "clients answered): see 'survives'",
		            how, b->n);
		return 0;
	}
	chk_verdict(r, CHK_NOTSHOWN,
	            "none of %ld clients was answered in %.3f s; the server "
	            "is %s, the first client's connection %s: no child "
	            "served a client, so none could be seen exiting",
	            b->n, b->secs, chk_alive(s),
	            b->lost[0] != '\0' ? b->lost : "not known");
	return 0;
}

/* How many processes the server runs before a burst, once that number
 * has held 0.2 s (2 s at most): a server that forks its workers after it
 * listens (the ready moment) must not have them taken for the burst's
 * children. -1 when stopped. */
static long steady_live(struct chk_ctx *c, struct chk_server *s)
{
	double deadline = clock_now() + 2, since = clock_now();
	long was = chk_live(s), now;

	while (clock_now() < deadline && clock_now() - since < 0.2) {
		if (chk_pause(c, 0.01) == -1)
			return -1;
		now = chk_live(s);
		if (now != was) {
			was = now;
			since = clock_now();
		}
	}
	return was;
}

/* Watches the server after the children of its clients have exited (or
 * are exiting): every one must be reaped. A zombie that stays LIM_ZOMBIES
 * seconds fails; children still running after --timeout show nothing (NOT
 * SHOWN: webserver3c's children sleep 60 s before they exit). what says
 * what came before ("32 clients were done"). 0, or -1 when stopped. */
static int watch(struct chk_ctx *c, struct chk_server *s, struct chk_result *r,
                 long base, const char *what)
{
	double t0 = clock_now(), now, steady = 0, since = 0;
	double lim = c->o->limit[LIM_ZOMBIES], wait = c->o->timeout;
	struct chk_procs l = { NULL, 0, 0 };
	char err[128], list[256], how[64];
	pid_t oldest = 0;
	long live;
	size_t z;
	int rc = 0;

	for (;;) {
		if ((rc = chk_down(c, s)) != 0) {
			chk_how_ended(s, how, sizeof how);
			chk_verdict(r, CHK_SKIP,
			            "the server exited (%s) after %s: see "
			            "'survives'",
			            how, what);
			break;
		}
		if (chk_procs_read(&l, s->pid, err, sizeof err) == -1) {
			chk_verdict(r, CHK_SKIP, "cannot read %s", err);
			break;
		}
		now = clock_now();
		z = zombies(&l, s, list, sizeof list);
		live = chk_procs_live(&l);
		/* The zombie watched: the same one, since it was first seen. */
		if (oldest == 0 || !is_zombie(&l, oldest)) {
			oldest = first_zombie(&l, s);
			since = now;
		}
		if (z > 0 || live > base)
			steady = 0;
		else if (steady == 0)
			steady = now;
		if (steady > 0 && now - steady >= CHK_STEADY) {
			chk_verdict(r, CHK_PASS,
			            "%s, then no zombie in the server's group "
			            "%.3f s later",
			            what, steady - t0);
			break;
		}
		if (oldest != 0 && now - since >= lim) {
			rc = confirm(c, s, r, z, what, list);
			break;
		}
		if (oldest == 0 && live > base && now - t0 >= wait) {
			chk_verdict(r, CHK_NOTSHOWN,
			            "%s, but %ld of the server's processes were "
			            "still running %g s later, none a zombie: no "
			            "child had exited to be reaped (--timeout "
			            "waits longer)",
			            what, live - base, wait);
			break;
		}
		if ((rc = chk_pause(c, 0.01)) == -1)
			break;
	}
	chk_procs_free(&l);
	return rc;
}

/* The server's end of fd has been accepted (it has a socket inode). */
static int accepted(int fd)
{
	struct tcptab_entry end;

	memset(&end, 0, sizeof end);
	return chk_tcp_conn(fd, &end) == 1 && end.inode != 0;
}

/* Waits until the started process is stopped (state T): 1, 0 not by the
 * deadline, -1 stopped itself. */
static int wait_state(struct chk_ctx *c, struct chk_server *s, char st,
                      double deadline)
{
	while (chk_state(s) != st) {
		if (chk_ended(s) || clock_now() >= deadline)
			return 0;
		if (chk_pause(c, 0.005) == -1)
			return -1;
	}
	return 1;
}

/* The stop: TLPI's multi_SIGCHLD, from outside. n clients connect, each
 * accepted before the next one connects, and none sends anything yet: a
 * forking server has a child per client, each waiting in its first read
 * (a server that answers only a whole request is held too). The server's
 * main process is stopped (SIGSTOP); the requests are sent, and the
 * children answer and exit while it is stopped, each SIGCHLD pending on
 * the one before; then SIGCONT: they arrive as one. A reaper of one child
 * per signal then leaves children - 1 zombies, every time; an accept()
 * interrupted without SA_RESTART or a retry fails with EINTR, every time.
 * A server that makes no child per client is not stopped (a threaded one
 * would answer nobody while stopped): its clients hang up unserved, and
 * only the burst grades it. 0, or -1 when stopped (fds closed either way). */
static int held_run(struct chk_ctx *c, struct chk_server *s, long base,
                    struct chk_held *h)
{
	long n = c->o->clients, i, live;
	int *fd = calloc((size_t)n, sizeof *fd);
	double t0 = clock_now(), deadline = t0 + c->o->timeout;
	char err[256], buf[1];
	int rc = 0;

	memset(h, 0, sizeof *h);
	if (fd == NULL)
		return chk_fail(c, "out of memory for %ld clients", n);
	for (i = 0; i < n; i++)
		fd[i] = -1;
	/* A concurrent server accepts the next client within the concurrent
	 * limit; an iterative one never does while the first is held. */
	for (i = 0; i < n && rc == 0; i++) {
		double until;
		int in = 0;

		if (chk_dial(c, s, deadline, &fd[i], err, sizeof err) == -1) {
			rc = chk_stop ? -1 : 0;
			break;
		}
		h->n++;
		until = clock_now() + c->o->limit[LIM_CONCURRENT];
		while (!(in = accepted(fd[i])) && clock_now() < until)
			if (chk_pause(c, 0.005) == -1) {
				rc = -1;
				break;
			}
		if (!in)
			break;
		h->accepted++;
	}
	if (rc == 0 && (live = steady_live(c, s)) == -1)
		rc = -1;
	if (rc == 0)
		h->children = live > base ? live - base : 0;
	say(&c->say, "connect() each client, nothing sent",
	    "%ld connected, %ld accepted, %ld more processes", h->n,
	    h->accepted, h->children);
	if (rc == 0 && h->children > 0 && chk_down(c, s) == 0) {
		kill(s->pid, SIGSTOP);
		rc = wait_state(c, s, 'T', deadline);
		h->stopped = rc == 1;
		rc = rc == -1 ? -1 : 0;
		say(&c->say, "kill(pid, SIGSTOP)", "%s",
		    h->stopped ? "state T" : "not stopped");
	}
	for (i = 0; i < h->n && rc == 0 && h->stopped; i++)
		if (chk_send_get(c, s, fd[i], 1, err, sizeof err) == -1)
			break;
	/* The children answer and exit while the server is stopped. */
	while (rc == 0 && h->stopped && chk_live(s) > base &&
	       clock_now() < deadline)
		rc = chk_pause(c, 0.01);
	if (rc == 0 && h->stopped) {
		live = chk_live(s);
		h->running = live > base ? live - base : 0;
	}
	for (i = 0; i < h->n && rc == 0 && h->stopped; i++)
		if (recv(fd[i], buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT) > 0)
			h->answered++;
	if (h->stopped) {
		kill(s->pid, SIGCONT);
		say(&c->say, "kill(pid, SIGCONT)",
		    "%ld children exited while it was stopped, %ld running",
		    h->children - h->running, h->running);
	}
	for (i = 0; i < n; i++)
		if (fd[i] != -1)
			close(fd[i]);
	free(fd);
	h->secs = clock_now() - t0;
	return rc;
}

/* What the stop showed, for the evidence. */
static void held_what(const struct chk_held *h, char *buf, size_t len)
{
	long exited = h->children - h->running;

	if (exited > 0)
		snprintf(buf, len,
		         "SIGCONT (%ld of %ld children had exited while the "
		         "server was stopped by SIGSTOP, their SIGCHLDs "
		         "pending as one)",
		         exited, h->children);
	else
		snprintf(buf, len,
		         "SIGCONT (none of %ld children had exited while the "
		         "server was stopped by SIGSTOP)",
		         h->children);
}

/* Prefixes the evidence of r with how and sep ("the stop", ": "). */
static void way(struct chk_result *r, const char *how, const char *sep)
{
	char ev[sizeof r->evidence];

	/* Cut at the buffer's end, as chk_verdict() cuts. */
	if (snprintf(ev, sizeof ev, "%s%s%s", how, sep, r->evidence) < 0)
		return;
	memcpy(r->evidence, ev, sizeof ev);
}

/* zombies: first the stop (deterministic: its verdict is the same every
 * run), then, when it passed, a burst of clients (the same under load:
 * webserver3f's SIGCHLDs merge when its children exit close together). */
int chk_zombies(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	long base, n = c->o->clients;
	struct chk_held h;
	struct chk_burst b;
	char what[256], first[sizeof r->evidence];

	first[0] = '\0';
	if ((base = steady_live(c, s)) == -1 || held_run(c, s, base, &h) == -1)
		return -1;
	if (h.stopped) {
		held_what(&h, what, sizeof what);
		if (watch(c, s, r, base, what) == -1)
			return -1;
		way(r, "the stop", ": ");
		if (r->verdict != CHK_PASS)
			return 0;
		snprintf(first, sizeof first, "%s", r->evidence);
	}
	if ((base = steady_live(c, s)) == -1 ||
	    chk_burst_run(c, s, n, &b) == -1)
		return -1;
	if (b.answered == 0) {
		if (none_answered(c, s, r, &b) == -1)
			return -1;
		way(r, "the burst", ": ");
		return 0;
	}
	snprintf(what, sizeof what, "%ld clients (%ld answered in %.3f s)", n,
	         b.answered, b.secs);
	if (watch(c, s, r, base, what) == -1)
		return -1;
	way(r, "the burst", ": ");
	if (r->verdict == CHK_PASS && first[0] != '\0')
		way(r, first, "; ");
	return 0;
}

static int burst_survives(struct chk_ctx *c, struct chk_server *s,
                          struct chk_result *r)
{
	long base = chk_live(s), n = c->o->clients;
	double lim = c->o->limit[LIM_ZOMBIES];
	struct chk_reply rep;
	struct chk_burst b;
	char how[64], tail[256];
	int during;

	memset(&rep, 0, sizeof rep);
	if (chk_burst_run(c, s, n, &b) == -1 ||
	    chk_settle(c, s, base, clock_now() + lim) == -1)
		return -1;
	during = s->ended || s->closed;
	if (!during && b.answered == 0) {
		/* Nothing came back: no child exited, no signal interrupted
		 * anything; the burst showed nothing to survive. */
		chk_verdict(r, CHK_NOTSHOWN,
		            "none of %ld clients was answered in %.3f s; the "
		            "server is %s, the first client's connection %s: "
		            "the burst showed nothing to survive",
		            n, b.secs, chk_alive(s),
		            b.lost[0] != '\0' ? b.lost : "not known");
		return 0;
	}
	if (!during && (chk_probe(c, s, &rep) == -1 ||
	                chk_settle(c, s, base, clock_now() + lim) == -1 ||
	                (rep.total == 0 && chk_down(c, s) == -1)))
		return -1;
	if (s->ended || s->closed) {
		chk_how_ended(s, how, sizeof how);
		chk_last_line(s, 2, tail, sizeof tail);
		if (during)
			chk_verdict(
			        r, CHK_FAIL,
			        "the server exited (%s) during a burst of %ld "
			        "clients (%ld answered); its stderr ends with %s",
			        how, n, b.answered, tail);
		else
			chk_verdict(r, CHK_FAIL,
			            "alive after %ld clients, but it exited (%s) "
			            "once one more GET was served; its stderr ends "
			            "with %s",
			            n, how, tail);
	} else if (rep.total == 0) {
		chk_verdict(r, CHK_FAIL,
		            "%s after %ld clients, but no reply to a GET: %s",
		            chk_alive(s), n,
		            rep.err ? strerror(rep.err) : "nothing came");
	} else if (b.late > 0) {
		/* Alive, but it lost clients: a thread given a pointer to a
		 * descriptor that the next accept() overwrote, and no thread
		 * for the connection accepted before. */
		chk_verdict(r, CHK_FAIL,
		            "alive after %ld clients, but %ld of them got no "
		            "reply within %g s (the first one's connection: "
		            "%s); it answered a GET after them in %.3f s",
		            n, b.late, c->o->timeout, b.lost,
		            rep.t_first - rep.t_sent);
	} else if (b.failed > 0) {
		chk_verdict(r, CHK_FAIL,
		            "alive after %ld clients, but %ld of them got no "
		            "reply (the first: %s); it answered a GET after "
		            "them in %.3f s",
		            n, b.failed, strerror(b.first_err),
		            rep.t_first - rep.t_sent);
	} else {
		chk_verdict(r, CHK_PASS,
		            "alive after %ld clients (%ld answered in %.3f s), "
		            "and answered a GET in %.3f s",
		            n, b.answered, b.secs, rep.t_first - rep.t_sent);
	}
	return 0;
}

/* survives: first the stop (the SIGCHLDs of every child as one, at
 * SIGCONT: an accept() without SA_RESTART or a retry fails with EINTR
 * every time), then, when the server lived through it, the burst. */
int chk_survives(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	double lim = c->o->limit[LIM_ZOMBIES];
	struct chk_held h;
	struct chk_reply rep;
	char how[64], tail[256], first[sizeof r->evidence];
	long base;

	first[0] = '\0';
	memset(&rep, 0, sizeof rep);
	if ((base = steady_live(c, s)) == -1 || held_run(c, s, base, &h) == -1)
		return -1;
	if (h.stopped) {
		if (chk_settle(c, s, base, clock_now() + lim) == -1 ||
		    (!s->ended && !s->closed &&
		     (chk_probe(c, s, &rep) == -1 ||
		      (rep.total == 0 && chk_down(c, s) == -1))))
			return -1;
		if (s->ended || s->closed) {
			chk_how_ended(s, how, sizeof how);
			chk_last_line(s, 2, tail, sizeof tail);
			chk_verdict(r, CHK_FAIL,
			            "the stop: the server exited (%s) once "
			            "continued (SIGCONT), %ld of %ld children "
			            "having exited while it was stopped by "
			            "SIGSTOP, their SIGCHLDs pending as one; its "
			            "stderr ends with %s",
			            how, h.children - h.running, h.children,
			            tail);
			return 0;
		}
		if (rep.total == 0) {
			chk_verdict(r, CHK_FAIL,
			            "the stop: %s after SIGCONT (%ld of %ld "
			            "children had exited while it was stopped), "
			            "but no reply to a GET: %s",
			            chk_alive(s), h.children - h.running,
			            h.children,
			            rep.err ? strerror(rep.err)
			                    : "nothing came");
			return 0;
		}
		snprintf(first, sizeof first,
		         "the stop: alive after SIGCONT (%ld of %ld children "
		         "had exited while it was stopped by SIGSTOP, their "
		         "SIGCHLDs pending as one), and answered a GET in "
		         "%.3f s",
		         h.children - h.running, h.children,
		         rep.t_first - rep.t_sent);
		if (chk_settle(c, s, base, clock_now() + lim) == -1)
			return -1;
	}
	if (burst_survives(c, s, r) == -1)
		return -1;
	way(r, "the burst", ": ");
	if (r->verdict == CHK_PASS && first[0] != '\0')
		way(r, first, "; ");
	return 0;
}

/* What is left of the group but its leader: "pid 12 (state S), ...";
 * orphans that have exited (zombies of ours) are reaped, not counted. */
static size_t left_behind(const struct chk_server *s, char *buf, size_t len)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	size_t i, n = 0, at = 0;

	buf[0] = '\0';
	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return 0;
	for (i = 0; i < l.n; i++) {
		if (l.p[i].pid == s->pid)
			continue;
		/* A child that exited after the server did: an orphan, ours
		 * (a subreaper), as it would be init's, who reaps it at once.
		 * Reaped, not left behind. */
		if (l.p[i].state == 'Z' && l.p[i].ppid == getpid() &&
		    waitpid(l.p[i].pid, NULL, WNOHANG) == l.p[i].pid)
			continue;
		if (n < 6 && at < len)
			at += (size_t)snprintf(buf + at, len - at,
			                       "%spid %ld (state %c)",
			                       n ? ", " : "", (long)l.p[i].pid,
			                       l.p[i].state);
		n++;
	}
	if (n > 6 && at < len)
		snprintf(buf + at, len - at, ", ...");
	chk_procs_free(&l);
	if (n == 0) {
		/* The scan may pass by a process that forks and exits; our
		 * own children, read at once, cannot. */
		pid_t first;

		n = (size_t)chk_own_orphans(s->pid, &first);
		if (n > 0)
			snprintf(buf, len, "pid %ld (running, an orphan)%s",
			         (long)first, n > 1 ? ", ..." : "");
	}
	return n;
}

int chk_sigterm(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	double lim = c->o->limit[LIM_SIGTERM], t0, took;
	struct chk_reply rep;
	struct tcptab_entry end;
	char err[256], how[64], left[512], held[160];
	size_t n = 0;
	long base = chk_live(s);
	int fd = -1;

	/* A client served (its child, if any, has come and gone), and one in
	 * progress: connected, accepted, nothing sent. */
	if (chk_probe(c, s, &rep) == -1 ||
	    chk_settle(c, s, base, clock_now() + c->o->limit[LIM_ZOMBIES]) ==
	            -1)
		return -1;
	snprintf(held, sizeof held, "no client in progress");
	if (chk_dial(c, s, clock_now() + c->o->timeout, &fd, err, sizeof err) ==
	            0 &&
	    chk_wait_end(c, s, fd, 0, clock_now() + 2, &end) == 1) {
		char who[128];

		/* The listening process alone: a forking server may not have
		 * forked yet (nothing here is timed: looked at again for up
		 * to 0.5 s, a child's if it is one). */
		double until = clock_now() + 0.5;

		while (chk_describe_holder(c, s, end.inode, who, sizeof who) ==
		               CHK_HELD_LISTENER &&
		       clock_now() < until && chk_pause(c, 0.05) == 0)
			;
		snprintf(held, sizeof held, "a client in progress held by %s",
		         who);
	}
	if (chk_stop) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (s->ended || s->closed) {
		chk_how_ended(s, how, sizeof how);
		chk_verdict(r, CHK_SKIP,
		            "the server exited (%s) before SIGTERM, after one "
		            "GET: see 'survives'",
		            how);
		if (fd != -1)
			close(fd);
		return 0;
	}
	t0 = clock_now();
	kill(s->pid, SIGTERM);
	say(&c->say, "kill(pid, SIGTERM)", "pid %ld", (long)s->pid);
	for (;;) {
		if (chk_ended(s) &&
		    (n = left_behind(s, left, sizeof left)) == 0)
			break;
		if (clock_now() - t0 >= lim || chk_pause(c, 0.01) == -1)
			break;
	}
	took = clock_now() - t0;
	if (fd != -1)
		close(fd);
	if (chk_stop)
		return -1;
	chk_how_ended(s, how, sizeof how);
	if (!s->ended && chk_state(s) == 'T')
		chk_verdict(r, CHK_FAIL,
		            "still there %g s after SIGTERM, stopped (state T, "
		            "as after SIGSTOP): a stopped process acts on SIGTERM "
		            "only once continued (with %s)",
		            lim, held);
	else if (!s->ended)
		chk_verdict(r, CHK_FAIL,
		            "still running %g s after SIGTERM (with %s)", lim,
		            held);
	else if (n > 0)
		chk_verdict(r, CHK_FAIL,
		            "stopped (%s), but left %zu of its processes "
		            "behind %g s after SIGTERM: %s",
		            how, n, lim, left);
	else
		chk_verdict(r, CHK_PASS,
		            "stopped %.3f s after SIGTERM (%s), with %s, leaving "
		            "no process behind",
		            took, how, held);
	return 0;
}
