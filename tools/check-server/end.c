/*
 * end: lesson 7's checks, how a server's connections and the server
 * itself end (see check.h). They run when named (--only restart,sigpipe,
 * cloexec, or --only all), not by default.
 *
 *   restart   the server's ends of its connections sit in TIME_WAIT; it
 *             is stopped and started again on the same port: without
 *             SO_REUSEADDR, bind() fails ("Address already in use")
 *   sigpipe   every process of the server stopped (SIGSTOP), a client
 *             sends its request and resets: the reset reaches the server
 *             before it can write a byte; continued (SIGCONT), the process
 *             that holds the connection writes to a reset connection, and
 *             must not die of SIGPIPE
 *   cloexec   a program that the server runs (fork, then exec) must not
 *             hold its listening socket: it would keep the port after the
 *             server dies
 *
 * The evidence is read where ss and ps look: the kernel's TCP table (the
 * TIME_WAITs, the connection gone after the reset), /proc/PID/stat (a
 * stopped process, a zombie's exit status: field 52, exit_code),
 * /proc/PID/exe (a process that ran another program), /proc/PID/fd.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "diag.h"
#include "fds.h"
#include "tcpinfo.h"
#include "tcptab.h"

/* How many GETs leave connections in TIME_WAIT before the restart. */
#define RESTART_GETS 3

/* How many processes holding one connection are followed. */
#define HOLDERS_MAX 8

/* --------------------------------------------------------- restart */

struct tw_count {
	unsigned short port;
	long n;
};

static int count_tw(const struct tcptab_entry *t, void *arg)
{
	struct tw_count *w = arg;

	if (t->state == TCPINFO_TIME_WAIT &&
	    addr_port((const struct sockaddr *)&t->local) == w->port)
		w->n++;
	return 0;
}

/* Connections in TIME_WAIT whose local port is port (the server's
 * ends), -1 when the table cannot be read. */
static long time_waits(unsigned short port)
{
	struct tw_count w = { port, 0 };
	char err[128];

	if (diag_tcp_scan(DIAG_TCP_STATE(TCPINFO_TIME_WAIT), count_tw, &w, err,
	                  sizeof err) == 0)
		return w.n;
	w.n = 0;
	return tcptab_scan_proc(0, count_tw, &w, err, sizeof err) == 0 ? w.n
	                                                               : -1;
}

struct port_listen {
	unsigned short port;
	int found;
};

static int find_listen(const struct tcptab_entry *t, void *arg)
{
	struct port_listen *p = arg;

	if (t->state == TCPINFO_LISTEN &&
	    addr_port((const struct sockaddr *)&t->local) == p->port)
		p->found = 1;
	return 0;
}

/* The restarted server: 1 listening (chk_ready() done), 0 it exited or
 * is not listening by the deadline (r set), -1 stopped. */
static int restarted(struct chk_ctx *c, struct chk_server *s, long tw,
                     struct chk_result *r)
{
	double t0 = clock_now(), deadline = t0 + c->o->limit[LIM_READY];
	char how[64], tail[256], err[128];

	for (;;) {
		struct port_listen p = { s->port, 0 };

		if (chk_ended(s)) {
			chk_how_ended(s, how, sizeof how);
			chk_last_line(s, 2, tail, sizeof tail);
			chk_verdict(r, CHK_FAIL,
			            "stopped with %ld connection%s of port %u in "
			            "TIME_WAIT, started again on port %u: it "
			            "exited (%s) after %.3f s, its stderr ends "
			            "with %s (no SO_REUSEADDR before bind()?)",
			            tw, tw == 1 ? "" : "s", s->port, s->port,
			            how, clock_now() - t0, tail);
			return 0;
		}
		if (chk_tcp_listeners(find_listen, &p, err, sizeof err) == 0 &&
		    p.found)
			return chk_ready(c, s) == -1 ? -1 : 1;
		if (clock_now() >= deadline) {
			chk_last_line(s, 2, tail, sizeof tail);
			chk_verdict(r, CHK_FAIL,
			            "stopped with %ld connection%s of port %u in "
			            "TIME_WAIT, started again on port %u: not "
			            "listening %g s later, its stderr ends with "
			            "%s",
			            tw, tw == 1 ? "" : "s", s->port, s->port,
			            c->o->limit[LIM_READY], tail);
			return 0;
		}
		if (chk_pause(c, 0.01) == -1)
			return -1;
	}
}

int chk_restart(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	unsigned short port = s->port;
	double deadline;
	struct chk_reply rep;
	char err[256];
	long tw = 0, answered = 0, i;
	pid_t first = s->pid;
	int rc;

	if (!s->given) {
		chk_verdict(r, CHK_NOTSHOWN,
		            "the command has no {port}: check-server cannot "
		            "start it again on the same port (put {port} where "
		            "the port goes)");
		return 0;
	}
	for (i = 0; i < RESTART_GETS; i++) {
		memset(&rep, 0, sizeof rep);
		if (chk_get(c, s, &rep, c->o->limit[LIM_FIN], err,
		            sizeof err) == -1)
			return -1;
		answered += rep.total > 0;
	}
	/* The server's end enters TIME_WAIT when our FIN answers its own. */
	deadline = clock_now() + c->o->limit[LIM_FIN];
	while ((tw = time_waits(port)) == 0 && clock_now() < deadline)
		if (chk_pause(c, 0.01) == -1)
			return -1;
	say(&c->say, "TCP table: TIME_WAIT", "%ld on port %u", tw, port);
	if (tw <= 0) {
		chk_verdict(r, CHK_NOTSHOWN,
		            "%ld of %d GETs answered, and no connection of "
		            "port %u in TIME_WAIT %g s later (%s): nothing "
		            "holds the port for a restart to meet",
		            answered, RESTART_GETS, port, c->o->limit[LIM_FIN],
		            tw < 0 ? "the TCP table could not be read"
		                   : "the clients closed first, so the "
		                     "TIME_WAITs are theirs");
		return 0;
	}
	chk_stop_server(c, s);
	tw = time_waits(port);
	if (chk_spawn_on(c, s, port) == -1)
		return -1;
	rc = restarted(c, s, tw, r);
	if (rc != 1)
		return rc;
	chk_verdict(r, CHK_PASS,
	            "stopped (pid %ld) with %ld connection%s of port %u in "
	            "TIME_WAIT, the server's ends; started again on port %u: "
	            "pid %ld listens (bind() took the port)",
	            (long)first, tw, tw == 1 ? "" : "s", port, port,
	            (long)s->pid);
	return 0;
}

/* --------------------------------------------------------- sigpipe */

/* Sends sig to every live process of the server but the n in skip: how
 * many got it. */
static long signal_procs(const struct chk_server *s, int sig, const pid_t *skip,
                         size_t n)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	long sent = 0;
	size_t i, k;

	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return 0;
	for (i = 0; i < l.n; i++) {
		if (l.p[i].state == 'Z' || l.p[i].state == 'X')
			continue;
		for (k = 0; k < n && skip[k] != l.p[i].pid; k++)
			;
		if (k == n && kill(l.p[i].pid, sig) == 0)
			sent++;
	}
	chk_procs_free(&l);
	return sent;
}

/* Every live process of the server stopped (state T): 1, 0 not yet. */
static int all_stopped(const struct chk_server *s, long *n)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	int all = 1;
	size_t i;

	*n = 0;
	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return 0;
	for (i = 0; i < l.n; i++) {
		if (l.p[i].state == 'Z' || l.p[i].state == 'X')
			continue;
		(*n)++;
		all &= l.p[i].state == 'T' || l.p[i].state == 't';
	}
	chk_procs_free(&l);
	return all;
}

struct holders {
	pid_t pid[HOLDERS_MAX], ppid[HOLDERS_MAX];
	int fd[HOLDERS_MAX];
	size_t n;
};

/* The live processes of the server that hold socket inode. */
static void holders_of(const struct chk_server *s, unsigned long inode,
                       struct holders *h)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	size_t i, j;

	h->n = 0;
	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return;
	for (i = 0; i < l.n && h->n < HOLDERS_MAX; i++) {
		struct fds_list fl;

		if (l.p[i].state == 'Z' ||
		    fds_list((long)l.p[i].fdpid, &fl, err, sizeof err) == -1)
			continue;
		for (j = 0; j < fl.n; j++)
			if (fl.v[j].inode == inode &&
			    strcmp(fl.v[j].kind, "socket") == 0) {
				h->pid[h->n] = l.p[i].pid;
				h->ppid[h->n] = l.p[i].ppid;
				h->fd[h->n++] = fl.v[j].fd;
				break;
			}
		fds_free(&fl);
	}
	chk_procs_free(&l);
}

/* Waits until the connection's server end is held, by the same processes
 * for CHK_STEADY s (a fork server's parent has closed its copy): 1, 0
 * never held by the deadline, -1 stopped. */
static int held(struct chk_ctx *c, const struct chk_server *s, int fd,
                struct tcptab_entry *end, struct holders *h)
{
	double deadline = clock_now() + c->o->timeout, since = 0;
	struct holders last;

	last.n = 0;
	for (;;) {
		if (chk_tcp_conn(fd, end) && end->inode != 0) {
			holders_of(s, end->inode, h);
			if (h->n > 0 && h->n == last.n &&
			    memcmp(h->pid, last.pid, h->n * sizeof *h->pid) ==
			            0) {
				if (clock_now() - since >= CHK_STEADY)
					return 1;
			} else {
				since = clock_now();
				last = *h;
			}
		}
		if (clock_now() >= deadline)
			return 0;
		if (chk_pause(c, 0.01) == -1)
			return -1;
	}
}

/* The exit status of zombie pid, as waitpid() gives it (/proc/PID/stat,
 * field 52, Linux 3.5 and later): 1, 0 not a zombie or not readable. */
static int zombie_status(pid_t pid, int *status)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] != 'Z')
		return 0;
	p += 2; /* field 3, the state */
	for (field = 3; field < 52 && p != NULL; field++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL || *p < '0' || *p > '9')
		return 0;
	*status = (int)strtol(p, NULL, 10);
	return 1;
}

/* How the process that held the connection ended, after it was let go:
 * 1 it exited (*status set, as waitpid() gives it), 0 it runs on and no
 * longer holds the connection, 2 still holds it at the deadline, -1
 * stopped. */
static int follow(struct chk_ctx *c, struct chk_server *s, pid_t pid,
                  unsigned long inode, int *status)
{
	double deadline = clock_now() + c->o->timeout;

	for (;;) {
		struct holders h;
		size_t i;

		if (pid == s->pid && chk_ended(s)) {
			*status = s->code == CLD_EXITED
			                  ? W_EXITCODE(s->status, 0)
			                  : s->status;
			return 1;
		}
		if (pid != s->pid && zombie_status(pid, status))
			return 1;
		holders_of(s, inode, &h);
		for (i = 0; i < h.n && h.pid[i] != pid; i++)
			;
		if (i == h.n && kill(pid, 0) == 0 &&
		    !zombie_status(pid, status))
			return 0;
		if (clock_now() >= deadline)
			return 2;
		if (chk_pause(c, 0.01) == -1)
			return -1;
	}
}

/* Sends the request, the FIN and the reset while every process of the
 * server is stopped; the reset seen: its server end left the TCP table.
 * 1 seen, 0 not (why in r), -1 stopped. */
static int reset_while_stopped(struct chk_ctx *c, struct chk_server *s, int fd,
                               const struct tcptab_entry *end, long *nstopped,
                               struct chk_result *r)
{
	double deadline = clock_now() + c->o->limit[LIM_FIN];
	struct tcptab_entry now;
	char err[256];

	signal_procs(s, SIGSTOP, NULL, 0);
	while (!all_stopped(s, nstopped))
		if (clock_now() >= deadline || chk_pause(c, 0.01) == -1) {
			close(fd);
			if (chk_stop)
				return -1;
			chk_verdict(r, CHK_NOTSHOWN,
			            "the server's processes were not all stopped "
			            "%g s after SIGSTOP",
			            c->o->limit[LIM_FIN]);
			return 0;
		}
	say(&c->say, "kill(pid, SIGSTOP)", "%ld process%s stopped (state T)",
	    *nstopped, *nstopped == 1 ? "" : "es");
	if (chk_send_get(c, s, fd, 1, err, sizeof err) == -1) {
		close(fd);
		chk_verdict(r, CHK_NOTSHOWN, "the request was not sent: %s",
		            err);
		return 0;
	}
	shutdown(fd, SHUT_WR);
	chk_reset(c, fd);
	deadline = clock_now() + c->o->limit[LIM_FIN];
	while (tcptab_find((const struct sockaddr *)&end->local,
	                   (const struct sockaddr *)&end->remote, &now, 0, err,
	                   sizeof err) == 1)
		if (clock_now() >= deadline || chk_pause(c, 0.01) == -1) {
			if (chk_stop)
				return -1;
			chk_verdict(r, CHK_NOTSHOWN,
			            "the server's end of the connection was still "
			            "in the TCP table %g s after the reset",
			            c->o->limit[LIM_FIN]);
			return 0;
		}
	say(&c->say, "TCP table: the server's end",
	    "gone: the reset reached it while stopped");
	return 1;
}

/* Lets the holder go (and every process but its parent, which stays
 * stopped so that a child's exit status stays readable), follows it,
 * then lets everything go. The holder followed: a child of another
 * holder when there is one (a fork server's parent that has not closed
 * its copy yet is not the one that writes), else the first. */
static int sigpipe_verdict(struct chk_ctx *c, struct chk_server *s,
                           const struct holders *h, unsigned long inode,
                           long nstopped, struct chk_result *r)
{
	size_t f = 0, i, k, np;
	pid_t who;
	int rc, status = 0, hfd;

	for (i = 0; i < h->n; i++)
		for (k = 0; k < h->n; k++)
			if (h->pid[k] == h->ppid[i])
				f = i;
	who = h->pid[f];
	hfd = h->fd[f];
	np = h->ppid[f] != getpid();
	signal_procs(s, SIGCONT, &h->ppid[f], np);
	rc = follow(c, s, who, inode, &status);
	signal_procs(s, SIGCONT, NULL, 0);
	say(&c->say, "kill(pid, SIGCONT)", "every process continued");
	if (rc == -1)
		return -1;
	if (rc == 1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		chk_verdict(r, CHK_FAIL,
		            "pid %ld, which held the connection (fd %d), was "
		            "killed by SIGPIPE (signal %d): the reset had reached "
		            "its connection while every process of the server "
		            "(%ld) was stopped, before it could write",
		            (long)who, hfd, SIGPIPE, nstopped);
	else if (rc == 1 && who == s->pid)
		chk_verdict(r, CHK_SKIP,
		            "the server (pid %ld) ended after the reset, %s%d, "
		            "not by SIGPIPE: the reset check grades that",
		            (long)s->pid,
		            WIFSIGNALED(status) ? "by signal " : "exit status ",
		            WIFSIGNALED(status) ? WTERMSIG(status)
		                                : WEXITSTATUS(status));
	else if (rc == 2)
		chk_verdict(r, CHK_NOTSHOWN,
		            "pid %ld still held the reset connection (fd %d) "
		            "%g s after it was continued: not shown whether it "
		            "writes to it",
		            (long)who, hfd, c->o->timeout);
	else {
		char how[64] = "closed it and runs on";

		if (rc == 1 && WIFSIGNALED(status))
			snprintf(how, sizeof how, "was killed by signal %d",
			         WTERMSIG(status));
		else if (rc == 1)
			snprintf(how, sizeof how, "exited with status %d",
			         WEXITSTATUS(status));
		chk_verdict(r, CHK_PASS,
		            "the reset reached the connection while every process "
		            "of the server (%ld) was stopped, before it could "
		            "write; continued, pid %ld (fd %d) %s, not killed by "
		            "SIGPIPE",
		            nstopped, (long)who, hfd, how);
	}
	return 0;
}

int chk_sigpipe(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	struct tcptab_entry end;
	struct holders h;
	char err[256];
	long nstopped = 0;
	int fd, rc;

	if (chk_dial(c, s, clock_now() + c->o->timeout, &fd, err, sizeof err) ==
	    -1) {
		if (chk_stop)
			return -1;
		chk_verdict(r, CHK_FAIL, "no connection: %s", err);
		return 0;
	}
	rc = held(c, s, fd, &end, &h);
	if (rc != 1) {
		close(fd);
		if (rc == 0)
			chk_verdict(r, CHK_NOTSHOWN,
			            "no process of the server took the connection "
			            "within %g s",
			            c->o->timeout);
		return rc;
	}
	say(&c->say, "TCP table: the server's end", "held by pid %ld fd %d",
	    (long)h.pid[0], h.fd[0]);
	rc = reset_while_stopped(c, s, fd, &end, &nstopped, r);
	if (rc != 1) {
		signal_procs(s, SIGCONT, NULL, 0);
		return rc;
	}
	return sigpipe_verdict(c, s, &h, end.inode, nstopped, r);
}

/* --------------------------------------------------------- cloexec */

/* /proc/PID/exe: 0, or -1 (a zombie, a process not ours to see). */
static int exe_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
	n = readlink(path, buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

struct exec_seen {
	long n;              /* processes that run another program */
	pid_t pid;           /* the first of them that holds the listener */
	int fd;              /* its descriptor on it */
	char exe[PATH_MAX];  /* the program it runs */
	char some[PATH_MAX]; /* a program seen (the first) */
};

/* Looks at every live process of the server that runs another program
 * than exe: how many, and whether one holds the listener. */
static void look_exec(const struct chk_server *s, const char *exe,
                      struct exec_seen *x)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128], mine[PATH_MAX];
	size_t i, j;

	x->n = 0;
	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return;
	for (i = 0; i < l.n && x->pid == 0; i++) {
		struct fds_list fl;

		if (l.p[i].state == 'Z' ||
		    exe_of(l.p[i].pid, mine, sizeof mine) == -1 ||
		    strcmp(mine, exe) == 0)
			continue;
		if (x->n++ == 0 && x->some[0] == '\0')
			snprintf(x->some, sizeof x->some, "%s", mine);
		if (fds_list((long)l.p[i].fdpid, &fl, err, sizeof err) == -1)
			continue;
		for (j = 0; j < fl.n && x->pid == 0; j++)
			if (fl.v[j].inode == s->inode &&
			    strcmp(fl.v[j].kind, "socket") == 0) {
				x->pid = l.p[i].pid;
				x->fd = fl.v[j].fd;
				snprintf(x->exe, sizeof x->exe, "%s", mine);
			}
		fds_free(&fl);
	}
	chk_procs_free(&l);
}

int chk_cloexec(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	char exe[PATH_MAX], err[256];
	struct exec_seen x;
	struct chk_reply rep;
	double deadline, after = 0;
	long most = 0;
	int fd;

	memset(&x, 0, sizeof x);
	memset(&rep, 0, sizeof rep);
	if (exe_of(s->holder, exe, sizeof exe) == -1) {
		chk_verdict(r, CHK_NOTSHOWN,
		            "the program of pid %ld (/proc/%ld/exe) could not be "
		            "read",
		            (long)s->holder, (long)s->holder);
		return 0;
	}
	if (chk_dial(c, s, clock_now() + c->o->timeout, &fd, err, sizeof err) ==
	            -1 ||
	    chk_send_get(c, s, fd, 1, err, sizeof err) == -1) {
		if (chk_stop)
			return -1;
		chk_verdict(r, CHK_FAIL, "no GET sent: %s", err);
		return 0;
	}
	/* Until the reply has ended (or the timeout), and LIM_FIN after the
	 * first program seen or the reply's end: a program that the server
	 * runs for the client shows up meanwhile. */
	deadline = clock_now() + c->o->timeout;
	for (;;) {
		look_exec(s, exe, &x);
		if (x.n > most)
			most = x.n;
		if (x.pid != 0)
			break;
		if (after == 0 && (x.n > 0 || rep.t_end > 0 || rep.err != 0))
			after = clock_now() + c->o->limit[LIM_FIN];
		if (clock_now() >= deadline ||
		    (after > 0 && clock_now() >= after))
			break;
		if (rep.t_end == 0 && rep.err == 0) {
			if (chk_read(c, fd, &rep, clock_now() + 0.01, 0, 0) ==
			    -1)
				break;
		} else if (chk_pause(c, 0.01) == -1) {
			break;
		}
	}
	close(fd);
	if (chk_stop)
		return -1;
	say(&c->say, "/proc/PID/exe", "%ld process%s running another program",
	    most, most == 1 ? "" : "es");
	if (x.pid != 0)
		chk_verdict(r, CHK_FAIL,
		            "pid %ld runs %s, a program the server started "
		            "(exec), and holds its listening socket %s as fd "
		            "%d: it keeps port %u after the server dies (no "
		            "close-on-exec)",
		            (long)x.pid, x.exe, s->where, x.fd, s->port);
	else if (most == 0)
		chk_verdict(r, CHK_NOTSHOWN,
		            "no process of the server ran another program than "
		            "%s while a client was served: nothing to inherit "
		            "its listener",
		            exe);
	else
		chk_verdict(r, CHK_PASS,
		            "%ld process%s of the server ran another program "
		            "(%s...) while a client was served; none holds its "
		            "listening socket %s",
		            most, most == 1 ? "" : "es", x.some, s->where);
	return 0;
}
