/*
 * fds: a process's descriptors (see fds.h). The listing works inside the
 * directory /proc/PID opened once: readlinkat() and fstatat() on its "fd"
 * entries, then its "stat" to see whether the process is still there.
 * That directory stays the one of the process we started with, even if it
 * exits and its pid is given to another process meanwhile.
 */
#include "fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

#include "proc.h"
#include "tcpinfo.h"

unsigned long fds_target_inode(const char *target, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *p;
	long v;

	if (strncmp(target, prefix, plen) != 0 ||
	    strncmp(target + plen, ":[", 2) != 0)
		return 0;
	p = target + plen + 2;
	if (proc_scan_dec(&p, &v) == -1 || strcmp(p, "]") != 0)
		return 0;
	return (unsigned long)v;
}

const char *fds_kind(const struct stat *st, const char *target)
{
	if (target != NULL && strncmp(target, "anon_inode:", 11) == 0)
		return "anon inode";
	if (st == NULL)
		return "other";
	if (S_ISSOCK(st->st_mode))
		return "socket";
	if (S_ISFIFO(st->st_mode))
		return "pipe";
	if (S_ISREG(st->st_mode))
		return "file";
	if (S_ISDIR(st->st_mode))
		return "directory";
	if (S_ISCHR(st->st_mode)) {
		if (target != NULL && strcmp(target, "/dev/null") == 0)
			return "null";
#ifdef __linux__
		/* 1:3 /dev/null; 4 ttyN, 5:0 /dev/tty, 5:1 console, 136-143 pts. */
		if (major(st->st_rdev) == 1 && minor(st->st_rdev) == 3)
			return "null";
		if (major(st->st_rdev) == 4 ||
		    (major(st->st_rdev) == 5 && minor(st->st_rdev) <= 1) ||
		    (major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143))
			return "terminal";
#endif
		if (target != NULL && (strncmp(target, "/dev/pts/", 9) == 0 ||
		                       strncmp(target, "/dev/tty", 8) == 0))
			return "terminal";
		return "device";
	}
	if (S_ISBLK(st->st_mode))
		return "device";
	return "other";
}

int fds_add(struct fds_list *l, struct fds_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct fds_entry *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL) {
			free(e->target);
			e->target = NULL;
			errno = ENOMEM;
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

/* Appends an entry for fd (target copied, kind from st or NULL). */
static int push(struct fds_list *l, int fd, const char *target,
                const struct stat *st)
{
	struct fds_entry e;

	memset(&e, 0, sizeof e);
	e.target = strdup(target);
	if (e.target == NULL) {
		errno = ENOMEM;
		return -1;
	}
	e.fd = fd;
	e.kind = fds_kind(st, target);
	e.inode = fds_target_inode(target, "socket");
	if (e.inode == 0)
		e.inode = fds_target_inode(target, "pipe");
	return fds_add(l, &e);
}

static int cmp_fd(const void *a, const void *b)
{
	int x = ((const struct fds_entry *)a)->fd;
	int y = ((const struct fds_entry *)b)->fd;

	return (x > y) - (x < y);
}

/* Reads the entries of the open directory dir into l. skip1 and skip2
 * are descriptors to leave out (ours, when we list ourselves), or -1. */
static int read_entries(DIR *dir, int skip1, int skip2, struct fds_list *l)
{
	int fddir = dirfd(dir);
	struct dirent *d;

	for (;;) {
		char target[FDS_TARGET_MAX];
		const char *p;
		struct stat st;
		ssize_t n;
		long fd;

		errno = 0;
		/* cppcheck-suppress readdirCalled */
		d = readdir(dir);
		if (d == NULL)
			return errno == 0 ? 0 : -1;
		p = d->d_name;
		if (proc_scan_dec(&p, &fd) == -1 || *p != '\0' ||
		    fd > INT_MAX || fd == skip1 || fd == skip2)
			continue;
		n = readlinkat(fddir, d->d_name, target, sizeof target - 1);
		if (n == -1) {
			if (errno == ENOENT)
				continue; /* closed while we looked */
			return -1;
		}
		target[n] = '\0';
		/* fstatat() follows the link to the object itself: its type. */
		if (push(l, (int)fd, target,
		         fstatat(fddir, d->d_name, &st, 0) == 0 ? &st : NULL) ==
		    -1)
			return -1;
	}
}

/* The process is there, and not a zombie. Checked before the listing
 * (after = 0: a failure is said as any other), and after it, where a
 * failure means that the process exited meanwhile. */
static int still_there(int piddir, long pid, int after, const char *what,
                       char *err, size_t errlen)
{
	static const char exited[] = "exited while its descriptors were listed";
	struct proc_stat st;
	char perr[128];

	if (proc_read_stat_at(piddir, &st, perr, sizeof perr) == -1) {
		int e = errno;

		if (after)
			snprintf(err, errlen, "pid %ld %s", pid, exited);
		else
			proc_why(err, errlen, what, e);
		errno = after ? ESRCH : e;
		return -1;
	}
	if (st.state != 'Z' && st.state != 'X')
		return 0;
	if (after)
		snprintf(err, errlen, "pid %ld %s", pid, exited);
	else
		snprintf(err, errlen,
		         "pid %ld has exited (a zombie, not yet waited for): it "
		         "has no descriptors left",
		         pid);
	errno = ESRCH;
	return -1;
}

int fds_list(long pid, struct fds_list *out, char *err, size_t errlen)
{
	char path[64], what[96];
	int piddir, fddir = -1, self = pid == (long)getpid(), e;
	DIR *dir = NULL;

	memset(out, 0, sizeof *out);
	snprintf(what, sizeof what, "cannot read the descriptors of pid %ld",
	         pid);
	snprintf(path, sizeof path, "/proc/%ld", pid);
	piddir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir == -1) {
		e = errno;
		/* /proc itself missing is not "no such process". */
		if (e == ENOENT && access("/proc/self", F_OK) == -1)
			snprintf(err, errlen, "%s/fd: no /proc on this system",
			         path);
		else
			proc_why(err, errlen, what, e);
		errno = e;
		return -1;
	}
	if (still_there(piddir, pid, 0, what, err, errlen) == -1)
		goto failed;
	fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir == -1 || (dir = fdopendir(fddir)) == NULL) {
		e = errno;
		proc_why(err, errlen, what, e);
		errno = e;
		goto failed;
	}
	if (read_entries(dir, self ? piddir : -1, self ? fddir : -1, out) ==
	    -1) {
		e = errno;
		/* Gone meanwhile, or a link we may not read (EACCES). */
		if (still_there(piddir, pid, 1, what, err, errlen) == 0) {
			proc_why(err, errlen, what, e);
			errno = e;
		}
		goto failed;
	}
	/* Did it exit meanwhile? Its directory would then have emptied as we
	 * read it, and the list would be cut short. */
	if (still_there(piddir, pid, 1, what, err, errlen) == -1)
		goto failed;
	closedir(dir);
	close(piddir);
	qsort(out->v, out->n, sizeof *out->v, cmp_fd);
	return 0;
failed:
	e = errno;
	if (dir != NULL)
		closedir(dir);
	else if (fddir != -1)
		close(fddir);
	close(piddir);
	fds_free(out);
	errno = e;
	return -1;
}

void fds_free(struct fds_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].target);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The TCP side of our own socket fd, asked of the socket itself. */
static void own_tcp(int fd, struct fds_entry *e)
{
	struct tcptab_entry *t = &e->t;
	int type = 0, listening = 0;
	socklen_t len = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM)
		return;
	memset(t, 0, sizeof *t);
	len = sizeof t->local;
	if (getsockname(fd, (struct sockaddr *)&t->local, &len) == -1 ||
	    (t->local.ss_family != AF_INET && t->local.ss_family != AF_INET6))
		return;
	t->len = len;
	e->tcp = 1;
	len = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 &&
	    listening) {
		t->state = TCPINFO_LISTEN;
		return;
	}
	len = sizeof t->remote;
	if (getpeername(fd, (struct sockaddr *)&t->remote, &len) == 0)
		t->state = TCPINFO_ESTABLISHED;
}

int fds_join_tcp(struct fds_list *l, long pid, int no_netlink, char *err,
                 size_t errlen)
{
	unsigned long *inodes = malloc((l->n ? l->n : 1) * sizeof *inodes);
	struct tcptab_entry *found = malloc((l->n ? l->n : 1) * sizeof *found);
	unsigned char *have = malloc(l->n ? l->n : 1);
	size_t i, n = 0;
	int rc = -1;

	if (inodes == NULL || found == NULL || have == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		goto out;
	}
	for (i = 0; i < l->n; i++)
		if (l->v[i].inode != 0 && strcmp(l->v[i].kind, "socket") == 0)
			inodes[n++] = l->v[i].inode;
	if (tcptab_join(pid, inodes, n, found, have, no_netlink, err, errlen) ==
	    -1)
		goto out;
	for (i = 0, n = 0; i < l->n; i++) {
		struct fds_entry *e = &l->v[i];

		if (e->inode == 0 || strcmp(e->kind, "socket") != 0)
			continue;
		if (have[n]) {
			e->tcp = 1;
			e->t = found[n];
		} else if (pid == (long)getpid()) {
			own_tcp(e->fd, e); /* not in the table: not bound */
		}
		n++;
	}
	rc = 0;
out:
	free(inodes);
	free(found);
	free(have);
	return rc;
}

int fds_describe(int fd, struct fds_entry *e, char *err, size_t errlen)
{
	struct stat st, null_st;
	char target[FDS_TARGET_MAX] = "";

	memset(e, 0, sizeof *e);
	e->fd = fd;
	if (fstat(fd, &st) == -1) {
		e->kind = "other";
		snprintf(target, sizeof target, "(fstat: %s)", strerror(errno));
	} else if (isatty(fd)) {
		e->kind = "terminal";
		if (ttyname_r(fd, target, sizeof target) != 0)
			target[0] = '\0';
	} else if (S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 &&
	           st.st_rdev == null_st.st_rdev) {
		e->kind = "null";
		snprintf(target, sizeof target, "/dev/null");
	} else {
		e->kind = fds_kind(&st, NULL);
		if (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode)) {
			e->inode = (unsigned long)st.st_ino;
			snprintf(target, sizeof target, "%s (inode %lu)",
			         S_ISSOCK(st.st_mode) ? "socket" : "pipe",
			         e->inode);
			if (S_ISSOCK(st.st_mode))
				own_tcp(fd, e);
#ifdef F_GETPATH
		} else if (fcntl(fd, F_GETPATH, target) != -1) {
			/* macOS: the path the file was opened by */
#endif
		} else {
			snprintf(target, sizeof target,
			         "(inode %lu, %lld bytes)",
			         (unsigned long)st.st_ino,
			         (long long)st.st_size);
		}
	}
	e->target = strdup(target);
	if (e->target == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
