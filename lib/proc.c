/*
 * proc: reading /proc (see proc.h). Every line that comes from /proc is
 * parsed by hand, with bounds checked: a process chooses its own command
 * name, so "x) R 1 (y" is a valid one and must not fool the parser.
 */
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

/* "no such process", "permission denied" or strerror(), after "what: ". */
static void describe(char *err, size_t errlen, const char *what, int e)
{
	const char *why = strerror(e);

	if (e == ENOENT || e == ESRCH)
		why = "no such process";
	else if (e == EACCES || e == EPERM)
		why = "permission denied";
	snprintf(err, errlen, "%s: %s", what, why);
}

/* Reads a small file whole (at most buflen - 1 bytes), NUL-terminated. */
static int read_small(const char *path, char *buf, size_t buflen)
{
	size_t len = 0;
	int fd, saved;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
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

/* A decimal number at *p, advancing p; -1 if there is none. */
static int parse_dec(const char **p, long *out)
{
	const char *s = *p;
	long v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

int proc_parse_stat(const char *line, struct proc_stat *out, char *err,
                    size_t errlen)
{
	const char *open_paren = strchr(line, '(');
	const char *close_paren = strrchr(line, ')');
	const char *p = line;
	size_t n;

	if (open_paren == NULL || close_paren == NULL ||
	    close_paren < open_paren)
		goto bad;
	if (parse_dec(&p, &out->pid) == -1 || p != open_paren - 1 || *p != ' ')
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
	if (parse_dec(&p, &out->ppid) == -1 ||
	    (*p != ' ' && *p != '\0' && *p != '\n'))
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "malformed stat line");
	errno = EINVAL;
	return -1;
}

int proc_read_stat(long pid, struct proc_stat *out, char *err, size_t errlen)
{
	char path[64], what[64], buf[4096], perr[64];

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	snprintf(what, sizeof what, "pid %ld", pid);
	if (read_small(path, buf, sizeof buf) == -1) {
		int e = errno;

		describe(err, errlen, what, e);
		errno = e;
		return -1;
	}
	if (proc_parse_stat(buf, out, perr, sizeof perr) == -1) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	return 0;
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

int proc_children(long pid, struct proc_stat *kids, size_t max, size_t *count,
                  char *err, size_t errlen)
{
	struct proc_stat st;
	struct dirent *d;
	char perr[128];
	DIR *dir;
	size_t n = 0;

	/* The parent must exist: otherwise "no children" would be a lie. */
	if (proc_read_stat(pid, &st, err, errlen) == -1)
		return -1;
	dir = opendir("/proc");
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
		long child;

		if (parse_dec(&p, &child) == -1 || *p != '\0')
			continue;
		/* A process that exits meanwhile is simply not listed. */
		if (proc_read_stat(child, &st, perr, sizeof perr) == -1 ||
		    st.ppid != pid)
			continue;
		if (n < max)
			kids[n] = st;
		n++;
	}
	closedir(dir);
	qsort(kids, n < max ? n : max, sizeof *kids, cmp_stat_pid);
	*count = n;
	return 0;
}

unsigned long proc_target_inode(const char *target, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *p;
	long v;

	if (strncmp(target, prefix, plen) != 0 ||
	    strncmp(target + plen, ":[", 2) != 0)
		return 0;
	p = target + plen + 2;
	if (parse_dec(&p, &v) == -1 || strcmp(p, "]") != 0)
		return 0;
	return (unsigned long)v;
}

const char *proc_fd_kind(const struct stat *st, const char *target)
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

int proc_fd_open(struct proc_fd_iter *it, long pid, char *err, size_t errlen)
{
	char path[64];
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%ld/fd", pid);
	dir = opendir(path);
	if (dir == NULL) {
		int e = errno;

		/* /proc itself missing is not "no such process". */
		if (e == ENOENT && access("/proc/self/fd", F_OK) == -1) {
			snprintf(err, errlen, "%s: no /proc on this system",
			         path);
		} else {
			char what[96];

			snprintf(what, sizeof what,
			         "cannot read the descriptors of pid %ld", pid);
			describe(err, errlen, what, e);
		}
		errno = e;
		return -1;
	}
	it->dir = dir;
	it->pid = pid;
	it->skip_fd = pid == (long)getpid() ? dirfd(dir) : -1;
	return 0;
}

int proc_fd_next(struct proc_fd_iter *it, struct proc_fd *out)
{
	DIR *dir = it->dir;
	struct dirent *d;

	for (;;) {
		char path[96];
		const char *p;
		long fd;
		ssize_t n;

		errno = 0;
		/* cppcheck-suppress readdirCalled */
		d = readdir(dir);
		if (d == NULL)
			return errno == 0 ? 0 : -1;
		p = d->d_name;
		if (parse_dec(&p, &fd) == -1 || *p != '\0' || fd > INT_MAX ||
		    fd == it->skip_fd)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/fd/%ld", it->pid, fd);
		n = readlink(path, out->target, sizeof out->target - 1);
		if (n == -1) {
			if (errno == ENOENT)
				continue; /* closed while we looked */
			return -1;
		}
		out->target[n] = '\0';
		out->fd = (int)fd;
		/* stat() follows the link to the object itself: its type. */
		out->has_stat = stat(path, &out->st) == 0;
		if (!out->has_stat)
			memset(&out->st, 0, sizeof out->st);
		out->kind = proc_fd_kind(out->has_stat ? &out->st : NULL,
		                         out->target);
		out->inode = proc_target_inode(out->target, "socket");
		if (out->inode == 0)
			out->inode = proc_target_inode(out->target, "pipe");
		return 1;
	}
}

void proc_fd_close(struct proc_fd_iter *it)
{
	if (it->dir != NULL)
		closedir(it->dir);
	it->dir = NULL;
}

/* n hex digits at s into *out (at most 8: one 32-bit word). */
static int parse_hex(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v * 16 + (unsigned long)d;
	}
	*out = v;
	return 0;
}

/*
 * "0100007F:1F90": the kernel prints each 32-bit word of the address as the
 * number it is in memory (%08X of the network-order word), so on this same
 * machine copying the number's bytes back gives the address; the port is
 * printed in host order.
 */
static int parse_tcp_addr(const char *tok, size_t len, int v6,
                          struct sockaddr_storage *ss)
{
	size_t hexlen = v6 ? 32 : 8, i;
	unsigned long w, port;
	uint32_t words[4];

	if (len != hexlen + 5 || tok[hexlen] != ':' ||
	    parse_hex(tok + hexlen + 1, 4, &port) == -1)
		return -1;
	for (i = 0; i < hexlen / 8; i++) {
		if (parse_hex(tok + 8 * i, 8, &w) == -1)
			return -1;
		words[i] = (uint32_t)w;
	}
	memset(ss, 0, sizeof *ss);
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, words, 16);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, words, 4);
	}
	return 0;
}

int proc_parse_tcp_line(const char *line, int v6, struct proc_tcp *out)
{
	/* sl local rem st tx:rx tr:tm retrnsmt uid timeout inode */
	const char *tok[10];
	size_t len[10], n = 0;
	const char *p = line;
	unsigned long st;
	long inode;

	while (n < 10) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		tok[n] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	if (n < 10 || tok[0][len[0] - 1] != ':' || len[3] != 2)
		goto bad;
	if (parse_tcp_addr(tok[1], len[1], v6, &out->local) == -1 ||
	    parse_tcp_addr(tok[2], len[2], v6, &out->remote) == -1 ||
	    parse_hex(tok[3], 2, &st) == -1)
		goto bad;
	p = tok[9];
	if (parse_dec(&p, &inode) == -1 || (size_t)(p - tok[9]) != len[9])
		goto bad;
	out->len = v6 ? (socklen_t)sizeof(struct sockaddr_in6)
	              : (socklen_t)sizeof(struct sockaddr_in);
	out->state = (int)st;
	out->inode = (unsigned long)inode;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

const char *proc_tcp_state_name(int state)
{
	static const char *const names[] = {
		"UNKNOWN",      "ESTABLISHED", "SYN-SENT",  "SYN-RECV",
		"FIN-WAIT-1",   "FIN-WAIT-2",  "TIME-WAIT", "CLOSE",
		"CLOSE-WAIT",   "LAST-ACK",    "LISTEN",    "CLOSING",
		"NEW-SYN-RECV",
	};

	if (state < 1 || state >= (int)(sizeof names / sizeof names[0]))
		return "UNKNOWN";
	return names[state];
}

int proc_tcp_scan(long pid, int (*fn)(const struct proc_tcp *, void *),
                  void *arg, char *err, size_t errlen)
{
	int v6;

	for (v6 = 0; v6 <= 1; v6++) {
		char path[64], line[512];
		struct proc_tcp t;
		FILE *f;

		if (pid == 0)
			snprintf(path, sizeof path, "/proc/self/net/tcp%s",
			         v6 ? "6" : "");
		else
			snprintf(path, sizeof path, "/proc/%ld/net/tcp%s", pid,
			         v6 ? "6" : "");
		f = fopen(path, "re");
		if (f == NULL) {
			int e = errno;

			if (v6 && e == ENOENT)
				return 0; /* no IPv6 in this kernel */
			describe(err, errlen, path, e);
			errno = e;
			return -1;
		}
		/* stdio would read /proc in 1 kB pieces (its st_blksize):
		 * thousands of read() calls for a big table. */
		setvbuf(f, NULL, _IOFBF, (size_t)64 * 1024);
		while (fgets(line, sizeof line, f) != NULL) {
			if (proc_parse_tcp_line(line, v6, &t) == -1)
				continue; /* the header */
			if (fn(&t, arg) != 0) {
				fclose(f);
				return 0;
			}
		}
		fclose(f);
	}
	return 0;
}

int proc_same_netns(long pid, char *err, size_t errlen)
{
	char path[64];
	struct stat ours, theirs;

	if (stat("/proc/self/ns/net", &ours) == -1) {
		int e = errno;

		describe(err, errlen, "/proc/self/ns/net", e);
		errno = e;
		return -1;
	}
	if (pid == 0)
		return 1;
	snprintf(path, sizeof path, "/proc/%ld/ns/net", pid);
	if (stat(path, &theirs) == -1) {
		int e = errno;

		describe(err, errlen, path, e);
		errno = e;
		return -1;
	}
	return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

int proc_port_range(unsigned *low, unsigned *high, char *err, size_t errlen)
{
	static const char path[] = "/proc/sys/net/ipv4/ip_local_port_range";
	char buf[64];
	const char *p = buf;
	long lo, hi;

	if (read_small(path, buf, sizeof buf) == -1) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (parse_dec(&p, &lo) == -1)
		goto bad;
	while (*p == ' ' || *p == '\t')
		p++;
	if (parse_dec(&p, &hi) == -1 || lo > hi || hi > 65535)
		goto bad;
	*low = (unsigned)lo;
	*high = (unsigned)hi;
	return 0;
bad:
	snprintf(err, errlen, "%s: unexpected contents", path);
	errno = EINVAL;
	return -1;
}
