/*
 * ready: when is a server that check-server started ready, and where
 * do its clients connect (see check.h)?
 *
 * Either the command holds {port}, replaced by a port that was free a
 * moment ago, and the server is ready when that port is listening; or the
 * server says its port in the article's ready line, "Serving HTTP on port
 * N ...", on its stdout. Either way the port must be listening in the
 * kernel's TCP table, on a socket that a process of the server's group
 * holds (its inode is one of their descriptors). check-server never
 * connects to find out: an iterative server would have to accept that
 * connection, and the first check would find it busy.
 *
 * And when a running server has settled: back to as many processes as
 * before a burst, or exited (chk_settle, chk_dead).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "num.h"
#include "tcpinfo.h"

/* The port of a ready line: "Serving HTTP on port N ..." (the article's),
 * or "Serving HTTP on ADDR port N ..." (python3 -m http.server's). */
static int ready_port(const char *line, unsigned short *port)
{
	const char *p = strstr(line, "Serving HTTP on ");
	char digits[8], err[128];
	size_t n;

	if (p == NULL || (p = strstr(p, "port ")) == NULL)
		return 0;
	p += 5;
	n = strspn(p, "0123456789");
	if (n == 0 || n >= sizeof digits)
		return 0;
	memcpy(digits, p, n);
	digits[n] = '\0';
	return num_parse_port(digits, port, err, sizeof err) == 0 && *port > 0;
}

/* Reads the lines the server has printed since the last call: 1 when one
 * was the ready line (s->port set), 0 otherwise. */
static int read_ready_line(struct chk_server *s)
{
	char buf[4096];

	for (;;) {
		ssize_t n = pread(s->out, buf, sizeof buf - 1, s->out_seen);
		char *p = buf, *nl;

		if (n <= 0)
			return 0;
		buf[n] = '\0';
		while ((nl = memchr(p, '\n', (size_t)(buf + n - p))) != NULL) {
			*nl = '\0';
			if (ready_port(p, &s->port)) {
				s->out_seen += nl + 1 - buf;
				return 1;
			}
			p = nl + 1;
		}
		if (p == buf && n < (ssize_t)sizeof buf - 1)
			return 0; /* half a line: wait for the rest */
		s->out_seen += p == buf ? n : p - buf; /* or a huge line */
	}
}

/* Whether a process of the server still has its stdout open: if none has,
 * the ready line can never come. */
static int stdout_open(struct chk_server *s)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	int open = 0;
	size_t i;

	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return 1;
	for (i = 0; i < l.n && !open; i++)
		open = l.p[i].state != 'Z' &&
		       chk_holds_file(l.p[i].fdpid, 1, &s->out_st);
	chk_procs_free(&l);
	return open;
}

/* The listening sockets, for listen_find(). */
struct listeners {
	struct tcptab_entry t[64];
	size_t n;
	unsigned short port; /* 0: every port */
};

static int add_listener(const struct tcptab_entry *t, void *arg)
{
	struct listeners *ls = arg;

	if (t->state == TCPINFO_LISTEN &&
	    (ls->port == 0 ||
	     addr_port((const struct sockaddr *)&t->local) == ls->port) &&
	    ls->n < sizeof ls->t / sizeof ls->t[0])
		ls->t[ls->n++] = *t;
	return 0;
}

/* A listening socket on port (any port if 0) that a process of the
 * server's group holds: 1 (*t, *pid, *fd set), 0 none, 2 the port listens
 * but in another process. */
static int listen_find(const struct chk_server *s, unsigned short port,
                       struct tcptab_entry *t, pid_t *pid, int *fd)
{
	struct listeners ls;
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	int rc = 0;
	size_t i;

	ls.n = 0;
	ls.port = port;
	if (chk_tcp_listeners(add_listener, &ls, err, sizeof err) == -1 ||
	    ls.n == 0 || chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return 0;
	for (i = 0; i < ls.n && rc != 1; i++) {
		rc = chk_holder(&l, ls.t[i].inode, pid, fd) ? 1 : 2;
		*t = ls.t[i];
	}
	chk_procs_free(&l);
	return rc;
}

/* How long a listener whose holder cannot be found is looked at again
 * before it is called another program's: a process of the server that is
 * exiting, or a thread that leads it, can hide its descriptors from /proc
 * for a moment, and a listener of a process that is dying leaves the
 * table. */
#define STRANGER_SECS 1.0

static int stranger(struct chk_ctx *c, const struct chk_server *s,
                    unsigned long inode, pid_t *pid, char *comm, size_t len);

/* Whether pid is one of the server's processes now (*pgrp: its process
 * group). */
static int server_pgrp(const struct chk_server *s, pid_t pid, pid_t *pgrp)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	int found = 0;
	size_t i;

	if (chk_procs_read(&l, s->pid, err, sizeof err) == 0)
		for (i = 0; i < l.n && !found; i++)
			if (l.p[i].pid == pid) {
				found = 1;
				*pgrp = l.p[i].pgrp;
			}
	chk_procs_free(&l);
	return found;
}

/* Another program listening on the server's port (SO_REUSEPORT on
 * another address, or on the same one): our clients could be answered by
 * it, and the server graded on its replies. -1 (ctx->error) when there is
 * one, 0 when every listener on the port is the server's. */
static int impostor(struct chk_ctx *c, const struct chk_server *s)
{
	struct listeners ls;
	char err[128], where[ADDR_STRLEN], comm[64];
	pid_t pid = 0;
	size_t i;
	int rc;

	ls.n = 0;
	ls.port = s->port;
	if (chk_tcp_listeners(add_listener, &ls, err, sizeof err) == -1)
		return 0;
	for (i = 0; i < ls.n; i++) {
		rc = stranger(c, s, ls.t[i].inode, &pid, comm, sizeof comm);
		if (rc == 0)
			continue;
		if (addr_format((const struct sockaddr *)&ls.t[i].local,
		                ls.t[i].len, where, sizeof where) != 0)
			snprintf(where, sizeof where, "port %u", s->port);
		if (rc == 1)
			return chk_fail(c,
			                "port %u is not the server's alone: %s "
			                "listens in pid %ld (%s), not a process "
			                "of the server (SO_REUSEPORT?): its "
			                "clients could be answered by it",
			                s->port, where, (long)pid, comm);
		return chk_fail(c,
		                "port %u is not the server's alone: %s listens "
		                "in a process that is not the server's (inode "
		                "%lu, its holder not found in %.1f s)",
		                s->port, where, ls.t[i].inode, STRANGER_SECS);
	}
	return 0;
}

/* Whose is the listener inode: 0 the server's (or it has gone), 1 another
 * process's (*pid, comm set), 2 still not found after STRANGER_SECS. */
static int stranger(struct chk_ctx *c, const struct chk_server *s,
                    unsigned long inode, pid_t *pid, char *comm, size_t len)
{
	double deadline = clock_now() + STRANGER_SECS;
	struct listeners ls;
	struct chk_procs l;
	char err[128];
	pid_t holder, pgrp;
	int fd, mine, there;
	size_t i;

	for (;;) {
		l.p = NULL; /* chk_procs_read() fills it */
		l.n = l.cap = 0;
		if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
			return 0; /* not seen: the checks will say */
		mine = chk_holder(&l, inode, &holder, &fd);
		chk_procs_free(&l);
		if (mine)
			return 0;
		/* The holder found is a stranger only if it is not one of
		 * the server's processes now: the listener may have passed to
		 * a process forked since the list was read (a helper forked
		 * after the ready line, its parent's copy closed). */
		if (chk_who_holds(inode, pid, comm, len))
			return server_pgrp(s, *pid, &pgrp) ? 0 : 1;
		ls.n = 0;
		ls.port = s->port;
		if (chk_tcp_listeners(add_listener, &ls, err, sizeof err) == -1)
			return 0;
		for (there = 0, i = 0; i < ls.n; i++)
			there |= ls.t[i].inode == inode;
		if (!there)
			return 0; /* a listener that was closing */
		if (clock_now() >= deadline)
			return 2;
		clock_sleep(0.05, NULL, &c->waitmask);
	}
}

/* Where clients connect: the listener's address, or the loopback when it
 * listens on every address (0.0.0.0, ::). */
static void set_address(struct chk_server *s, const struct tcptab_entry *t)
{
	s->addr = t->local;
	s->addrlen = t->len;
	if (t->local.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&s->addr;

		if (a->sin_addr.s_addr == htonl(INADDR_ANY))
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->addr;

		if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr))
			a->sin6_addr = in6addr_loopback;
	}
	if (addr_format((struct sockaddr *)&s->addr, s->addrlen, s->where,
	                sizeof s->where) != 0)
		snprintf(s->where, sizeof s->where, "port %u", s->port);
}

/* The server is not ready by the deadline: say why, as precisely as the
 * kernel lets us. */
static int not_ready(struct chk_ctx *c, struct chk_server *s, int given,
                     int line_seen)
{
	double secs = c->o->limit[LIM_READY];
	char tail[256];
	struct tcptab_entry t;
	pid_t pid;
	int fd, rc;

	chk_last_line(s, 2, tail, sizeof tail);
	if (!given && !line_seen) {
		char out[256];

		chk_last_line(s, 1, out, sizeof out);
		chk_fail(c,
		         "no 'Serving HTTP on port N ...' line from the server "
		         "within %g s (its stdout ends with %s, its stderr "
		         "with %s)",
		         secs, out, tail);
		cli_hint("check-server",
		         "print that line once listening, or put {port} in the "
		         "command: it becomes a free port, watched until it "
		         "listens");
		return -1;
	}
	rc = listen_find(s, s->port, &t, &pid, &fd);
	if (rc == 2)
		return chk_fail(c,
		                "port %u listens, but no process of the "
		                "server's group holds it (another program?)",
		                s->port);
	if (listen_find(s, 0, &t, &pid, &fd) == 1) {
		chk_fail(c,
		         "the server listens on port %u, not on port %u (%s)",
		         addr_port((struct sockaddr *)&t.local), s->port,
		         given ? "{port}" : "its ready line says so");
		if (given)
			cli_hint("check-server",
			         "does the server take its port from the "
			         "command line where {port} stands?");
		return -1;
	}
	return chk_fail(c,
	                "port %u is not listening %g s after the start (the "
	                "server's stderr ends with %s)",
	                s->port, secs, tail);
}

/* Whether the ready line has come since the last call; says so when it
 * has. A line read is never read again: whoever reads it must note it. */
static int line_came(struct chk_ctx *c, struct chk_server *s, double t0)
{
	if (!read_ready_line(s))
		return 0;
	say(&c->say, "read(its stdout)",
	    "'Serving HTTP on port %u ...' after %.3f s", s->port,
	    clock_now() - t0);
	return 1;
}

/* The started process exited 0: how many processes it started still
 * run (a daemon's double fork), looked for 0.2 s (a descendant may be
 * between its parent's exit and its own listing). 0 none, -1 stopped. */
static long detached(struct chk_ctx *c, struct chk_server *s)
{
	double deadline = clock_now() + 0.2;
	long n;

	while ((n = chk_live(s)) == 0 && clock_now() < deadline)
		if (chk_pause(c, 0.01) == -1)
			return -1;
	return n;
}

/* How long a first process whose listener is outside its group is given
 * to exit (a daemon's double fork), before it is graded as it is. */
#define DETACH_SECS 1.0

/* Whether pid, a process of the server, is outside its process group
 * (setsid(), setpgid()). */
static int outside_group(const struct chk_server *s, pid_t pid)
{
	pid_t pgrp;

	return pid != s->pid && server_pgrp(s, pid, &pgrp) && pgrp != s->pid;
}

/* Waits up to secs for the started process to exit: 0, -1 stopped. */
static int first_exits(struct chk_ctx *c, struct chk_server *s, double secs)
{
	double deadline = clock_now() + secs;

	while (!chk_ended(s) && clock_now() < deadline)
		if (chk_pause(c, 0.01) == -1)
			return -1;
	return 0;
}

/* Waits until the server is ready: 0, or -1 (ctx->error, or stopped). */
int chk_ready(struct chk_ctx *c, struct chk_server *s)
{
	int given = s->given;
	double t0 = clock_now(), deadline = t0 + c->o->limit[LIM_READY];
	int waiting_line = !given, closed, looked_twice = 0;
	long orphans;
	struct tcptab_entry t;
	char how[64], tail[256];
	int fd;

	for (;;) {
		/* First: a first process that exited 0, its descendants on
		 * (a daemon), is said so even when one of them listens
		 * already (a slow check-server sees both at once). */
		if (chk_ended(s) && s->code == CLD_EXITED && s->status == 0 &&
		    (orphans = detached(c, s)) > 0) {
			/* Its first process exited 0, and what it started
			 * runs on, orphaned: came back to us, a subreaper. */
			chk_fail(c,
			         "'%s' detached: its first process exited with "
			         "status 0 after %.2f s, and %ld process%s it "
			         "started run%s on without it (a daemon)",
			         s->argv[0], clock_now() - t0, orphans,
			         orphans == 1 ? "" : "es",
			         orphans == 1 ? "s" : "");
			cli_hint("check-server",
			         "run it in the foreground (a daemon's option "
			         "such as --foreground or --no-daemon): "
			         "check-server grades the process it starts");
			return -1;
		}
		if (waiting_line && line_came(c, s, t0))
			waiting_line = 0;
		if (!waiting_line &&
		    listen_find(s, s->port, &t, &s->holder, &fd) == 1) {
			if (looked_twice || !outside_group(s, s->holder))
				break;
			/* Its listener is outside its process group while
			 * its first process runs: a daemon whose first
			 * process exits a moment after its grandchild listens
			 * (on a busy machine)? Give that exit a moment, then
			 * look again, from the top. */
			looked_twice = 1;
			if (first_exits(c, s, DETACH_SECS) == -1)
				return -1;
			continue;
		}
		/* A process closes its files a moment before its exit shows:
		 * a closed stdout may be an exit on its way. And a first
		 * thread on its way out (pthread_exit) shows no files for a
		 * moment, while its threads still hold them. */
		closed = waiting_line && !stdout_open(s);
		if (closed && chk_dead(c, s) == -1)
			return -1;
		if (chk_ended(s)) {
			chk_how_ended(s, how, sizeof how);
			chk_last_line(s, 2, tail, sizeof tail);
			return chk_fail(c,
			                "'%s' exited before it was ready (%s, "
			                "after %.2f s); its stderr ends with %s",
			                s->argv[0], how, clock_now() - t0,
			                tail);
		}
		/* The line may have come since it was last looked for: the
		 * server prints it, then closes its stdout or its first thread
		 * exits. */
		if (closed && line_came(c, s, t0)) {
			waiting_line = 0;
			continue;
		}
		if (closed && !stdout_open(s)) {
			chk_fail(c,
			         "the server closed its stdout without printing "
			         "'Serving HTTP on port N ...'");
			cli_hint("check-server",
			         "put {port} in the command instead: it "
			         "becomes a free port, watched until it listens");
			return -1;
		}
		if (clock_now() >= deadline)
			return not_ready(c, s, given, !waiting_line);
		if (chk_pause(c, 0.01) == -1)
			return -1;
	}
	if (impostor(c, s) == -1)
		return -1;
	s->inode = t.inode;
	set_address(s, &t);
	say(&c->say, "TCP table: LISTEN", "%s, inode %lu, pid %ld fd %d",
	    s->where, s->inode, (long)s->holder, fd);
	return 0;
}

/* After a refused connection: has the server exited? Its sockets close a
 * moment before waitid() can see its exit: give that moment. 1 yes, 0 no,
 * -1 stopped. */
int chk_dead(struct chk_ctx *c, struct chk_server *s)
{
	double deadline = clock_now() + 0.2;

	while (!chk_ended(s) && clock_now() < deadline)
		if (chk_pause(c, 0.005) == -1)
			return -1;
	return s->ended;
}

/* Whether the server still listens: a process of its group holds a
 * listening socket on its port. Not necessarily the one found at the
 * start: with SO_REUSEPORT, each worker may have its own (nginx's
 * "reuseport"), and the kernel's table lists them in no fixed order. */
static int listens(const struct chk_server *s)
{
	struct tcptab_entry t;
	pid_t pid;
	int fd;

	return listen_find(s, s->port, &t, &pid, &fd) == 1;
}

/* Is the server down: exited, or its listening socket gone? A process
 * closes its files first, and may take long to exit after that (a
 * sanitizer's report at exit): when the listener is gone, wait up to
 * --timeout for the exit, to say how it ended. 1 down, 0 up, -1 stopped. */
int chk_down(struct chk_ctx *c, struct chk_server *s)
{
	double deadline = clock_now() + c->o->timeout;

	if (chk_ended(s))
		return 1;
	if (listens(s))
		return 0;
	s->closed = 1;
	while (!chk_ended(s) && clock_now() < deadline)
		if (chk_pause(c, 0.01) == -1)
			return -1;
	return 1;
}

/* How many processes of the server are running now. */
long chk_live(struct chk_server *s)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	long live = 0;

	if (chk_procs_read(&l, s->pid, err, sizeof err) == 0)
		live = chk_procs_live(&l);
	chk_procs_free(&l);
	return live;
}

/* The started process's state letter (R, S, T...), 0 when it is gone. */
char chk_state(struct chk_server *s)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128], st = 0;

	if (chk_procs_read(&l, s->pid, err, sizeof err) == 0 && l.n > 0 &&
	    l.p[0].pid == s->pid)
		st = l.p[0].state;
	chk_procs_free(&l);
	return st;
}

/* "alive", or "stopped (state T)" for a server that a signal stopped
 * (SIGSTOP, SIGTSTP) or a tracer holds: it runs no code. */
const char *chk_alive(struct chk_server *s)
{
	char st = chk_state(s);

	return st == 'T'   ? "stopped (state T, as after SIGSTOP)"
	       : st == 't' ? "stopped by a tracer (state t)"
	                   : "alive";
}

/* Waits until the server's group is back to base running processes (the
 * children of the clients are done) and stays so for CHK_STEADY seconds,
 * or the leader has exited, or deadline. 1 settled, 0 not by the deadline,
 * -1 stopped. The steady time lets a server that dies of its last child's
 * exit (webserver3e) be seen dead, not yet alive. */
int chk_settle(struct chk_ctx *c, struct chk_server *s, long base,
               double deadline)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	double since = 0;
	int rc = 0;

	while (rc == 0) {
		int down = chk_down(c, s);

		if (down != 0)
			rc = down;
		else if (chk_procs_read(&l, s->pid, err, sizeof err) == 0 &&
		         chk_procs_live(&l) <= base) {
			if (since == 0)
				since = clock_now();
			if (clock_now() - since >= CHK_STEADY)
				rc = 1;
		} else {
			since = 0;
		}
		if (rc == 0 && clock_now() >= deadline)
			break;
		if (rc == 0 && chk_pause(c, 0.01) == -1)
			rc = -1;
	}
	chk_procs_free(&l);
	return rc;
}

/* The server started (chk_spawn()), and ready: 0, or -1 (ctx->error, or
 * stopped). chk_stop_server() ends it either way. */
int chk_start(struct chk_ctx *c, struct chk_server *s)
{
	int rc = chk_spawn(c, s);

	return rc == 0 ? chk_ready(c, s) : rc;
}
