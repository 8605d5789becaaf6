/*
 * proc: what check-server reads in /proc, as ps, lsof and ss do,
 * without starting them (see check.h).
 *
 *   /proc/PID/stat     "pid (comm) state ppid pgrp ...", read by lib/proc
 *                      (proc_list(), proc_children()): the server's
 *                      processes (its process group, and its children) and
 *                      which of them are zombies (state Z)
 *   /proc/PID/fd/N     links to what each descriptor is: "socket:[INODE]";
 *                      who holds the listening socket or a connection, how
 *                      many descriptors the server has
 *   /proc/PID/task     the threads: a process whose first thread has exited
 *                      is read through another (live_thread())
 *
 * and in the kernel's TCP table (lib/tcptab), asked the way ss(8) asks it,
 * over netlink sock_diag, or read from /proc/net/tcp and tcp6 where
 * netlink is refused (a sandbox, another system). check-server looks often
 * (every few milliseconds while it waits), and always for little:
 *
 *   the listening sockets    a dump of the LISTEN state only: the kernel
 *                            walks its small table of listeners
 *   one connection           an exact lookup by its four addresses: the
 *                            server's end of a connection we made, with its
 *                            state, its inode (0 until accept() gives it a
 *                            descriptor) and its unread bytes (rx_queue)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"
#include "fds.h"
#include "proc.h"
#include "tcptab.h"

/* A process as lib/proc reads it: what check-server keeps of it. */
static void from_stat(const struct proc_stat *st, struct chk_proc *out)
{
	out->pid = (pid_t)st->pid;
	out->ppid = (pid_t)st->ppid;
	out->pgrp = (pid_t)st->pgrp;
	out->state = st->state;
	out->exiting = (st->flags & PROC_EXITING) != 0;
	out->fdpid = out->pid;
}

static int add(struct chk_procs *l, const struct chk_proc *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct chk_proc *grown = realloc(l->p, cap * sizeof *grown);

		if (grown == NULL)
			return -1;
		l->p = grown;
		l->cap = cap;
	}
	l->p[l->n++] = *p;
	return 0;
}

/* A process whose state is Z may still run: when its first thread (the
 * one whose id is the pid) has exited, pthread_exit() in main(), the
 * process goes on in its other threads, but /proc/PID/stat says Z and
 * /proc/PID/fd is empty. Its live threads are in /proc/PID/task: the first
 * one found gives the process its state and the directory whose fd/ holds
 * the process's descriptors (/proc/TID/fd: they are all the threads'). A
 * true zombie has one task, itself, in state Z. The same holds a moment
 * earlier, while the first thread is on its way out (exiting). */
static void live_thread(struct chk_proc *p)
{
	char path[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%ld/task", (long)p->pid);
	d = opendir(path);
	while (d != NULL && (e = readdir(d)) != NULL) {
		struct proc_stat t;
		char err[128];

		/* /proc/TID/stat: the thread's own line. */
		if (!isdigit((unsigned char)e->d_name[0]) ||
		    atol(e->d_name) == (long)p->pid ||
		    proc_read_stat(atol(e->d_name), &t, err, sizeof err) == -1)
			continue;
		if (t.state != 'Z' && t.state != 'X' &&
		    !(t.flags & PROC_EXITING)) {
			p->state = t.state;
			p->fdpid = (pid_t)t.pid;
			break;
		}
	}
	if (d != NULL)
		closedir(d);
}

static int by_pid(const void *a, const void *b)
{
	const struct chk_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Whether all[i] descends from top (sorted by pid; mark[] memoizes: 0 not
 * known, 1 yes, 2 no). A chain longer than 256 or a loop says no. */
static int descends(const struct chk_proc *all, size_t n, size_t i, pid_t top,
                    unsigned char *mark)
{
	size_t path[256], depth = 0, k;
	int yes = 0;

	while (depth < sizeof path / sizeof path[0]) {
		struct chk_proc key, *up;

		if (mark[i] != 0) {
			yes = mark[i] == 1;
			break;
		}
		path[depth++] = i;
		if (all[i].ppid == top) {
			yes = 1;
			break;
		}
		key.pid = all[i].ppid;
		up = key.pid <= 1 ? NULL
		                  : bsearch(&key, all, n, sizeof *all, by_pid);
		if (up == NULL)
			break;
		i = (size_t)(up - all);
	}
	for (k = 0; k < depth; k++)
		mark[path[k]] = yes ? 1 : 2;
	return yes;
}

/* The server's processes: every descendant of check-server, wherever it
 * went. check-server is a subreaper (chk_setup()): a process whose parent
 * dies comes back to it, not to init, and setsid() or setpgid() do not
 * change a parent; check-server runs one server at a time, and starts no
 * other child. The leader (group, the started process) comes first when
 * it is still there. A process's threads are not processes: they are not
 * listed, but one whose first thread has exited is listed with a live
 * thread's state (above). What cannot be found so: a process that made
 * itself a subreaper's child elsewhere (started through another service),
 * or one orphaned by check-server's own death. */
int chk_procs_read(struct chk_procs *l, pid_t group, char *err, size_t errlen)
{
	struct proc_stat *st;
	struct chk_proc *all;
	unsigned char *mark;
	pid_t me = getpid();
	size_t n, i;

	l->n = 0;
	if (proc_list(&st, &n, err, errlen) == -1)
		return -1;
	all = malloc((n > 0 ? n : 1) * sizeof *all);
	mark = calloc(n > 0 ? n : 1, 1);
	for (i = 0; all != NULL && i < n; i++)
		from_stat(&st[i], &all[i]);
	free(st);
	if (all == NULL || mark == NULL) {
		free(all);
		free(mark);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	qsort(all, n, sizeof *all, by_pid);
	for (i = 0; i < n; i++) {
		int in = all[i].pid != me && (all[i].pgrp == group ||
		                              descends(all, n, i, me, mark));

		if (in && (all[i].state == 'Z' || all[i].exiting))
			live_thread(&all[i]);
		if (in && add(l, &all[i]) == -1) {
			free(all);
			free(mark);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (in && all[i].pid == group && l->n > 1) {
			struct chk_proc t = l->p[0];

			l->p[0] = l->p[l->n - 1];
			l->p[l->n - 1] = t;
		}
	}
	free(all);
	free(mark);
	return 0;
}

void chk_procs_free(struct chk_procs *l)
{
	free(l->p);
	l->p = NULL;
	l->n = l->cap = 0;
}

/* Calls fn(pid, arg) for every child of ours, as
 * /proc/self/task/TID/children lists them (Linux 3.5,
 * CONFIG_PROC_CHILDREN; check-server has one thread): one small read,
 * where a scan of /proc reads every process. A chain of processes that
 * fork and exit, each child orphaned and given back to us (a subreaper),
 * moves on while a slow scan reads (and pids that wrap around let a scan
 * pass a new one by); it cannot outrun this. How many fn said yes to, -1
 * without the file. */
static long own_children(int (*fn)(pid_t, void *), void *arg)
{
	char path[64], buf[4096];
	long pid = 0, yes = 0;
	int fd, digits = 0;
	ssize_t got, i;

	snprintf(path, sizeof path, "/proc/self/task/%ld/children",
	         (long)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	while ((got = read(fd, buf, sizeof buf)) > 0 ||
	       (got == -1 && errno == EINTR)) {
		for (i = 0; i < got; i++) {
			if (isdigit((unsigned char)buf[i])) {
				pid = pid * 10 + (buf[i] - '0');
				digits = 1;
				continue;
			}
			if (digits)
				yes += fn((pid_t)pid, arg);
			pid = 0;
			digits = 0;
		}
	}
	if (digits)
		yes += fn((pid_t)pid, arg);
	close(fd);
	return yes;
}

static int kill_one(pid_t pid, void *sig)
{
	return kill(pid, *(int *)sig) == 0;
}

/* Sends sig to every child of ours (zombies too): how many, -1 without
 * the file. */
static long kill_own_children(int sig)
{
	return own_children(kill_one, &sig);
}

struct orphans {
	pid_t leader; /* not an orphan: the server, kept a zombie */
	pid_t first;  /* the first still running */
};

/* An orphan that has exited is reaped (as init would); one still running
 * says yes. */
static int running_orphan(pid_t pid, void *arg)
{
	struct orphans *o = arg;
	pid_t got;

	if (pid == o->leader)
		return 0;
	while ((got = waitpid(pid, NULL, WNOHANG)) == -1 && errno == EINTR)
		;
	if (got != 0)
		return 0; /* reaped, or not ours any more */
	if (o->first == 0)
		o->first = pid;
	return 1;
}

/* How many children of ours, the server's first process aside, are still
 * running: orphans of the server's, come back to us. Those that have
 * exited are reaped. *first: one of them. 0 without the file. */
long chk_own_orphans(pid_t leader, pid_t *first)
{
	struct orphans o = { leader, 0 };
	long n = own_children(running_orphan, &o);

	*first = o.first;
	return n > 0 ? n : 0;
}

/* Sends sig to every running process whose parent is parent: ours at
 * once (above), then any a scan of /proc finds. */
long chk_kill_children(pid_t parent, int sig)
{
	struct proc_stat *kids;
	char err[128];
	size_t n, i;
	long killed = 0;

	if (parent == getpid())
		kill_own_children(sig);
	if (proc_children((long)parent, &kids, &n, err, sizeof err) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		struct chk_proc p;

		from_stat(&kids[i], &p);
		if (p.state == 'Z')
			live_thread(&p);
		if (p.state != 'Z' && kill(p.pid, sig) == 0)
			killed++;
	}
	free(kids);
	return killed;
}

/* How many are running (not zombies). */
long chk_procs_live(const struct chk_procs *l)
{
	long live = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		live += l->p[i].state != 'Z' && l->p[i].state != 'X';
	return live;
}

/* Which process of the list has a descriptor on socket inode: 1 and its
 * pid and fd, 0 none. The leader is looked at first. */
int chk_holder(const struct chk_procs *l, unsigned long inode, pid_t *pid,
               int *fd)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct fds_list fl;
		char err[128];
		size_t j;
		int found = 0;

		if (l->p[i].state == 'Z' ||
		    fds_list((long)l->p[i].fdpid, &fl, err, sizeof err) == -1)
			continue;
		for (j = 0; j < fl.n && !found; j++) {
			if (fl.v[j].inode == inode &&
			    strcmp(fl.v[j].kind, "socket") == 0) {
				*pid = l->p[i].pid;
				*fd = fl.v[j].fd;
				found = 1;
			}
		}
		fds_free(&fl);
		if (found)
			return 1;
	}
	return 0;
}

/* How many processes of the list hold socket inode; the first max of
 * them in pids[] and fds[]. */
static size_t holders(const struct chk_procs *l, unsigned long inode,
                      pid_t *pids, int *fds, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		struct fds_list fl;
		char err[128];
		size_t j;

		if (l->p[i].state == 'Z' ||
		    fds_list((long)l->p[i].fdpid, &fl, err, sizeof err) == -1)
			continue;
		for (j = 0; j < fl.n; j++) {
			if (fl.v[j].inode != inode ||
			    strcmp(fl.v[j].kind, "socket") != 0)
				continue;
			if (n < max) {
				pids[n] = l->p[i].pid;
				fds[n] = fl.v[j].fd;
			}
			n++;
			break;
		}
		fds_free(&fl);
	}
	return n;
}

/* "pid 42 (fd 5), the process that listens" or "pid 43 (fd 4), a child
 * of 42" into buf at its end. */
static void name_holder(const struct chk_procs *l, const struct chk_server *s,
                        pid_t pid, int fd, char *buf, size_t len)
{
	size_t i, at = strlen(buf);

	snprintf(buf + at, len - at, "pid %ld (fd %d)", (long)pid, fd);
	for (i = 0; i < l->n; i++) {
		if (l->p[i].pid != pid)
			continue;
		at = strlen(buf);
		if (pid == s->holder)
			snprintf(buf + at, len - at,
			         ", the process that listens");
		else
			snprintf(buf + at, len - at, ", a child of %ld",
			         (long)l->p[i].ppid);
	}
}

/* Who holds socket inode, for the evidence: "pid 42 (fd 5), the process
 * that listens", "pid 43 (fd 4), a child of 42", or that nobody does.
 * Between a fork() and the parent's close(), both hold it: asked again
 * until one alone does (0.2 s at most), so that a forking server's
 * connection is named its child's, not the parent's that is closing its
 * copy; both are named if both still hold it then. And asked again when
 * nobody does: the descriptor passes from one process to the other.
 * Between accept() and fork(), the listening process alone holds it, as
 * an iterative server's does: not waited for here (the checks that time
 * a reply must not wait); a caller that can, asks again later. */
enum chk_holder_kind chk_describe_holder(struct chk_ctx *c,
                                         const struct chk_server *s,
                                         unsigned long inode, char *buf,
                                         size_t len)
{
	struct chk_procs l = { NULL, 0, 0 };
	char err[128];
	pid_t pids[2];
	int fds[2], tries;
	size_t n = 0;

	for (tries = 0; tries < 20; tries++) {
		if (chk_procs_read(&l, s->pid, err, sizeof err) == 0 &&
		    (n = holders(&l, inode, pids, fds, 2)) == 1)
			break;
		if (chk_pause(c, 0.01) == -1)
			break;
	}
	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "no process of the server (inode %lu)",
		         inode);
	} else {
		name_holder(&l, s, pids[0], fds[0], buf, len);
		if (n > 1) {
			size_t at = strlen(buf);

			snprintf(buf + at, len - at, ", and %s",
			         n > 2 ? "others, " : "");
			name_holder(&l, s, pids[1], fds[1], buf, len);
		}
	}
	chk_procs_free(&l);
	if (n == 0)
		return CHK_HELD_NONE;
	return n == 1 && pids[0] == s->holder ? CHK_HELD_LISTENER
	                                      : CHK_HELD_OTHER;
}

/* Which process, of all, holds socket inode (the first found): 1 and its
 * pid and name (/proc/PID/comm), 0 none found (gone, or not ours to see). */
int chk_who_holds(unsigned long inode, pid_t *pid, char *comm, size_t len)
{
	char want[48];
	struct dirent *e;
	DIR *d = opendir("/proc");
	int found = 0;

	snprintf(want, sizeof want, "socket:[%lu]", inode);
	while (d != NULL && !found && (e = readdir(d)) != NULL) {
		char path[300], target[64];
		struct dirent *f;
		DIR *fd;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", e->d_name);
		fd = opendir(path);
		while (fd != NULL && !found && (f = readdir(fd)) != NULL) {
			char link[600];
			ssize_t n;

			snprintf(link, sizeof link, "%s/%s", path, f->d_name);
			n = readlink(link, target, sizeof target - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			found = strcmp(target, want) == 0;
		}
		if (fd != NULL)
			closedir(fd);
		if (found) {
			FILE *fp;

			*pid = (pid_t)atol(e->d_name);
			snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
			fp = fopen(path, "r");
			if (fp == NULL || fgets(comm, (int)len, fp) == NULL)
				snprintf(comm, len, "?");
			comm[strcspn(comm, "\n")] = '\0';
			if (fp != NULL)
				fclose(fp);
		}
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* Whether descriptor fd of pid is the file st (our stdout file). */
int chk_holds_file(pid_t pid, int fd, const struct stat *st)
{
	char path[64];
	struct stat got;

	snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
	return stat(path, &got) == 0 && got.st_dev == st->st_dev &&
	       got.st_ino == st->st_ino;
}

/* How many descriptors pid has, how many are sockets, and how many of
 * those are listening sockets (their inodes in listen[], n of them). */
int chk_fd_count(pid_t pid, long *count, long *sockets,
                 const unsigned long *listen, size_t n, long *listeners)
{
	char path[64], target[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	*count = *sockets = *listeners = 0;
	while ((e = readdir(d)) != NULL) {
		char link[320];
		ssize_t len;
		size_t i;

		if (!isdigit((unsigned char)e->d_name[0]) ||
		    atoi(e->d_name) == dirfd(d))
			continue;
		(*count)++;
		snprintf(link, sizeof link, "%s/%s", path, e->d_name);
		len = readlink(link, target, sizeof target - 1);
		if (len <= 0 || strncmp(target, "socket:[", 8) != 0)
			continue;
		target[len] = '\0';
		(*sockets)++;
		for (i = 0; i < n; i++)
			if (strtoul(target + 8, NULL, 10) == listen[i]) {
				(*listeners)++;
				break;
			}
	}
	closedir(d);
	return 0;
}

/* ------------------------------------------------------------ TCP table */

/* The server's end of our connection fd: 1 (*out), 0 not in the table.
 * Its own address is our peer, its peer is us. */
int chk_tcp_conn(int fd, struct tcptab_entry *out)
{
	struct sockaddr_storage mine, theirs;
	socklen_t len = sizeof mine, tlen = sizeof theirs;
	char err[128];

	if (getsockname(fd, (struct sockaddr *)&mine, &len) == -1 ||
	    getpeername(fd, (struct sockaddr *)&theirs, &tlen) == -1)
		return 0;
	return tcptab_find((struct sockaddr *)&theirs, (struct sockaddr *)&mine,
	                   out, 0, err, sizeof err) == 1;
}

/* fn for every listening socket (from /proc, for every socket: fn looks
 * at the state): 0, or -1 (err). */
int chk_tcp_listeners(int (*fn)(const struct tcptab_entry *, void *), void *arg,
                      char *err, size_t errlen)
{
	if (diag_tcp_scan(DIAG_TCP_LISTEN, fn, arg, err, errlen) == 0)
		return 0;
	return tcptab_scan_proc(0, fn, arg, err, errlen);
}
