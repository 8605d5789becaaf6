/*
 * proc: reading /proc/PID/stat (see proc.h). Every line that comes from
 * /proc is parsed by hand, with bounds checked: a process chooses its own
 * command name, so "x) R 1 (y" is a valid one and must not fool the parser.
 */
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void proc_why(char *err, size_t errlen, const char *what, int e)
{
	const char *why = strerror(e);

	if (e == ENOENT || e == ESRCH)
		why = "no such process";
	else if (e == EACCES || e == EPERM)
		why = "permission denied";
	snprintf(err, errlen, "%s: %s", what, why);
}

int proc_scan_dec(const char **p, long *out)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (LONG_MAX - (*s - '0')) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + (*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

/* Reads a small file whole (at most buflen - 1 bytes), NUL-terminated;
 * path is relative to dirfd (AT_FDCWD: absolute). */
static int read_small_at(int dirfd, const char *path, char *buf, size_t buflen)
{
	size_t len = 0;
	int fd, saved;

	do
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return -1;
	while (len + 1 < buflen) {
		ssize_t n = read(fd, buf + len, buflen - 1 - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return 0;
}

int proc_parse_stat(const char *line, struct proc_stat *out)
{
	const char *open_paren = strchr(line, '(');
	const char *close_paren = strrchr(line, ')');
	const char *p = line;
	long flags;
	size_t n;
	int i;

	if (open_paren == NULL || close_paren == NULL ||
	    close_paren < open_paren)
		goto bad;
	if (proc_scan_dec(&p, &out->pid) == -1 || p != open_paren - 1 ||
	    *p != ' ')
		goto bad;
	n = (size_t)(close_paren - open_paren - 1);
	if (n >= sizeof out->comm)
		n = sizeof out->comm - 1;
	memcpy(out->comm, open_paren + 1, n);
	out->comm[n] = '\0';
	p = close_paren + 1;
	if (p[0] != ' ' || p[1] == '\0' || isspace((unsigned char)p[1]) ||
	    p[2] != ' ')
		goto bad;
	out->state = p[1];
	p += 3;
	if (proc_scan_dec(&p, &out->ppid) == -1 ||
	    (*p != ' ' && *p != '\0' && *p != '\n'))
		goto bad;
	out->pgrp = 0;
	out->flags = 0;
	if (*p != ' ' || p[1] == '\0' || p[1] == '\n')
		return 0; /* the line stops after ppid */
	p++;
	if (proc_scan_dec(&p, &out->pgrp) == -1 ||
	    (*p != ' ' && *p != '\0' && *p != '\n'))
		goto bad;
	/* session, tty_nr, tpgid (-1 when none): skipped */
	for (i = 0; i < 3; i++) {
		p += strspn(p, " ");
		p += strcspn(p, " \n");
	}
	if (*p != ' ')
		return 0; /* the line stops before flags */
	p++;
	if (proc_scan_dec(&p, &flags) == -1)
		goto bad;
	out->flags = (unsigned long)flags;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* stat read from dirfd/path; what names the process in messages. */
static int read_stat(int dirfd, const char *path, const char *what,
                     struct proc_stat *out, char *err, size_t errlen)
{
	char buf[4096];

	if (read_small_at(dirfd, path, buf, sizeof buf) == -1) {
		int e = errno;

		proc_why(err, errlen, what, e);
		errno = e;
		return -1;
	}
	if (proc_parse_stat(buf, out) == -1) {
		snprintf(err, errlen, "%s: malformed stat line", what);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int proc_read_stat(long pid, struct proc_stat *out, char *err, size_t errlen)
{
	char path[64], what[64];

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	snprintf(what, sizeof what, "pid %ld", pid);
	return read_stat(AT_FDCWD, path, what, out, err, errlen);
}

int proc_read_stat_at(int dirfd, struct proc_stat *out, char *err,
                      size_t errlen)
{
	return read_stat(dirfd, "stat", "the process", out, err, errlen);
}

const char *proc_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "waiting for the disk (uninterruptible)";
	case 'Z':
		return "zombie: exited, not yet waited for";
	case 'T':
		return "stopped";
	case 't':
		return "stopped by a debugger";
	case 'X':
		return "dead";
	case 'I':
		return "idle kernel thread";
	case 'P':
		return "parked";
	case 'W':
		return "paging";
	default:
		return "unknown";
	}
}

static int cmp_stat_pid(const void *a, const void *b)
{
	long x = ((const struct proc_stat *)a)->pid;
	long y = ((const struct proc_stat *)b)->pid;

	return (x > y) - (x < y);
}

/* Appends st to the growing array *kids (*n of *cap used). */
static int push(struct proc_stat **kids, size_t *n, size_t *cap,
                const struct proc_stat *st)
{
	if (*n == *cap) {
		size_t more = *cap ? 2 * *cap : 64;
		struct proc_stat *p = realloc(*kids, more * sizeof *p);

		if (p == NULL)
			return -1;
		*kids = p;
		*cap = more;
	}
	(*kids)[(*n)++] = *st;
	return 0;
}

int proc_list(struct proc_stat **all, size_t *count, char *err, size_t errlen)
{
	struct proc_stat st, *v = NULL;
	struct dirent *d;
	char perr[128];
	size_t n = 0, cap = 0;
	DIR *dir = opendir("/proc");

	if (dir == NULL) {
		int e = errno;

		snprintf(err, errlen, "/proc: %s", strerror(e));
		errno = e;
		return -1;
	}
	/* readdir() is safe on a stream of our own (readdir_r is deprecated). */
	/* cppcheck-suppress readdirCalled */
	while ((d = readdir(dir)) != NULL) {
		const char *p = d->d_name;
		long pid;

		if (proc_scan_dec(&p, &pid) == -1 || *p != '\0')
			continue;
		/* A process that exits meanwhile is simply not listed. */
		if (proc_read_stat(pid, &st, perr, sizeof perr) == -1)
			continue;
		if (push(&v, &n, &cap, &st) == -1) {
			closedir(dir);
			free(v);
			snprintf(err, errlen, "/proc: %s", strerror(ENOMEM));
			errno = ENOMEM;
			return -1;
		}
	}
	closedir(dir);
	if (n > 0)
		qsort(v, n, sizeof *v, cmp_stat_pid);
	*all = v;
	*count = n;
	return 0;
}

int proc_children(long pid, struct proc_stat **kids, size_t *count, char *err,
                  size_t errlen)
{
	struct proc_stat st, *v;
	size_t n, i, k = 0;

	/* The parent must exist: otherwise "no children" would be a lie. */
	if (proc_read_stat(pid, &st, err, errlen) == -1)
		return -1;
	if (proc_list(&v, &n, err, errlen) == -1) {
		if (errno == ENOMEM)
			snprintf(err, errlen, "children of pid %ld: %s", pid,
			         strerror(ENOMEM));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (v[i].ppid == pid)
			v[k++] = v[i];
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*kids = v;
	*count = k;
	return 0;
}
