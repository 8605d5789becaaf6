/*
 * show-fds - file descriptors: 0, 1, 2, and a socket is one too.
 *
 * What it demonstrates
 *   A process refers to everything it has open - the terminal, a file, a
 *   pipe, a socket - by a small number, a file descriptor. 0 is standard
 *   input, 1 standard output, 2 standard error. open() and socket() return
 *   the lowest number that is free; write(1, "hello\n", 6) writes to
 *   whatever 1 refers to. With --pid it lists another process's
 *   descriptors, e.g. a running server's listening and connected sockets.
 *
 * Usage
 *   show-fds [--file PATH] [--no-proc] [--json]
 *   show-fds --pid P [--no-netlink] [--json]
 *
 * Try it
 *   ./bin/show-fds                        # 0, 1, 2, then a file and a socket
 *   ./bin/show-fds </dev/null | cat       # 0 is /dev/null, 1 a pipe
 *   ./bin/show-fds --pid "$(pgrep -n srv-iter)"   # a server's sockets
 *   ./bin/show-fds --pid "$(pgrep -n srv-iter)" --no-netlink   # the same
 *
 * Things to notice
 *   - The file gets 3 and the socket 4 when only 0, 1 and 2 were open:
 *     the kernel hands out the lowest free number.
 *   - A socket is a descriptor like a file: the same write(), read(),
 *     close(). /proc shows it as socket:[INODE]; the inode finds its
 *     addresses and state: the kernel's answer over netlink (sock_diag,
 *     as ss does) or, with --no-netlink, a line of /proc/PID/net/tcp (as
 *     lsof does). Same answer; the text table is slower to read when it
 *     holds thousands of TIME-WAIT sockets.
 *   - A server's listening socket is LISTEN on its port; each connection it
 *     serves is one more descriptor, ESTABLISHED, whose socket pair is the
 *     client's mirrored.
 *
 * See also
 *   docs/03-processes-and-descriptors.md; open(2), socket(2), write(2),
 *   close(2), fcntl(2), fstat(2), proc(5) (/proc/PID/fd, /proc/net/tcp),
 *   sock_diag(7), ss(8), lsof(8), show-pids(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "diag.h"
#include "json.h"
#include "num.h"
#include "proc.h"
#include "text.h"

static const char *const PROG = "show-fds";

/* How far the fcntl() scan looks when there is no /proc. */
#define SCAN_MAX 65536

struct opts {
	long pid; /* 0: the learner's view of this process */
	const char *file;
	int no_proc;
	int no_netlink; /* read /proc/PID/net/tcp, not sock_diag */
	int json;
};

/* One descriptor, ready to print. */
struct row {
	int fd;
	const char *kind;
	char target[PROC_TARGET_MAX];
	int tcp; /* local/remote/state below are known */
	char local[ADDR_STRLEN], remote[ADDR_STRLEN];
	const char *state;
};

/* The TCP sockets wanted (by inode) and what the kernel says of them. */
struct sockets {
	unsigned long *inodes; /* sorted, each once */
	struct proc_tcp *found;
	unsigned char *have;
	size_t n, cap;
	size_t nfound; /* how many have[] are set: at n, stop looking */
};

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "Show file descriptors: 0, 1 and 2 of this process and what they refer\n"
	       "to; then open a file and a socket (they get the lowest free numbers)\n"
	       "and write(1, \"hello\\n\", 6). With --pid, list another process's\n"
	       "descriptors, with the addresses and state of its TCP sockets.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid P           list the descriptors of process P (from\n"
	       "                        /proc/P/fd, like lsof -p P)\n"
	       "  -N, --no-netlink      find the TCP sockets' addresses and states\n"
	       "                        in /proc/P/net/tcp and tcp6 (as lsof does),\n"
	       "                        not by asking the kernel over netlink\n"
	       "                        (sock_diag, as ss does)\n"
	       "  -f, --file PATH       the file to open (default /etc/hosts)\n"
	       "  -n, --no-proc         do not read /proc: find our own descriptors\n"
	       "                        with fcntl(F_GETFD) and fstat(), as on macOS\n"
	       "  -j, --json            print one JSON object instead (without the\n"
	       "                        write of hello)\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Types: terminal, pipe, file, directory, null (/dev/null), device,\n"
	       "socket, anon inode (epoll, eventfd...), other.\n"
	       "Exit status: 0 ok, 1 runtime failure (no such process, permission\n"
	       "denied, no /proc), 2 usage.\n"
	       "Example: %s --pid \"$(pgrep -n srv-iter)\"\n",
	       PROG, PROG);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "no-proc", no_argument, NULL, 'n' },
		{ "no-netlink", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt;

	memset(o, 0, sizeof *o);
	o->file = "/etc/hosts";
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":p:f:nNjhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'p':
			if (num_parse_long(optarg, 1, INT_MAX, "pid", &o->pid,
			                   err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'n':
			o->no_proc = 1;
			break;
		case 'N':
			o->no_netlink = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			usage();
			return -1;
		case 'V':
			cli_version(PROG);
			return -1;
		default:
			return cli_bad_option(PROG, longopts, opt, optopt,
			                      argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);
	if (o->pid != 0 && o->no_proc)
		return cli_usage_error(PROG,
		                       "--no-proc sees only this process's own "
		                       "descriptors: it takes no --pid");
	return 0;
}

/* ------------------------------------------------------------ printing */

static void print_header(void)
{
	printf("%4s  %-10s %s\n", "FD", "TYPE", "WHAT IT REFERS TO");
}

static void print_row(const struct row *r, const char *name)
{
	char shown[TEXT_ESCAPED_MAX(256)];

	/* A file name is anyone's choice: escape it (and keep it short). */
	text_escape(r->target, strnlen(r->target, 256), shown, sizeof shown);
	printf("%4d  %-10s %s", r->fd, r->kind, shown);
	if (name != NULL)
		printf(" (%s)", name);
	if (r->tcp && strcmp(r->state, "LISTEN") == 0)
		printf(" TCP %s LISTEN", r->local);
	else if (r->tcp && r->remote[0] != '\0')
		printf(" TCP {%s, %s} %s", r->local, r->remote, r->state);
	else if (r->tcp)
		printf(" TCP %s %s", r->local[0] ? r->local : "", r->state);
	putchar('\n');
}

static void json_row(const struct row *r, int first)
{
	char t[JSON_ESCAPED_MAX(PROC_TARGET_MAX)];

	json_escape(r->target, t, sizeof t);
	printf("%s{\"fd\": %d, \"type\": \"%s\", \"target\": \"%s\"",
	       first ? "" : ", ", r->fd, r->kind, t);
	if (r->tcp)
		printf(", \"proto\": \"tcp\", \"local\": \"%s\", \"remote\": \"%s\", "
		       "\"state\": \"%s\"",
		       r->local, r->remote, r->state);
	putchar('}');
}

/* ------------------------------------------------ sockets, by inode */

static int sockets_add(struct sockets *s, unsigned long inode)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		unsigned long *p = realloc(s->inodes, cap * sizeof *p);

		if (p == NULL)
			return -1;
		s->inodes = p;
		s->cap = cap;
	}
	s->inodes[s->n++] = inode;
	return 0;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
	              y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

static long sockets_find(const struct sockets *s, unsigned long inode)
{
	const unsigned long *p;

	if (s->n == 0)
		return -1;
	p = bsearch(&inode, s->inodes, s->n, sizeof *s->inodes, cmp_ulong);
	return p == NULL ? -1 : (long)(p - s->inodes);
}

static int sockets_collect(const struct proc_tcp *t, void *arg)
{
	struct sockets *s = arg;
	long i = sockets_find(s, t->inode);

	if (i >= 0 && !s->have[i]) {
		s->found[i] = *t;
		s->have[i] = 1;
		s->nfound++;
	}
	return s->nfound == s->n; /* 1: every one found, stop looking */
}

/*
 * Looks the sockets up among the kernel's TCP sockets, and stops once
 * every one is found. Two ways to ask:
 *
 *   sock_diag  what ss(8) does: a netlink socket (NETLINK_SOCK_DIAG) to
 *              which the kernel answers in binary records, one per TCP
 *              socket, filtered by state in the kernel. The TIME-WAIT
 *              sockets a load test leaves by the thousand (no process owns
 *              them) are skipped there, never formatted, sent or parsed.
 *   /proc      what lsof does: /proc/PID/net/tcp and tcp6, a text table of
 *              every TCP socket, TIME-WAIT included, that the kernel prints
 *              line by line for us to parse back.
 *
 * A netlink socket answers for our network namespace, /proc/PID/net/tcp
 * for pid's: netlink only when proc_same_netns() says they are the same;
 * /proc otherwise, when netlink is missing (not Linux, a sandbox), and with
 * --no-netlink.
 */
static int sockets_lookup(struct sockets *s, long pid, int no_netlink,
                          char *err, size_t errlen)
{
	size_t i, n = 0;

	if (s->n == 0)
		return 0; /* no socket: nothing to ask */
	qsort(s->inodes, s->n, sizeof *s->inodes, cmp_ulong);
	for (i = 0; i < s->n; i++) /* a dup()ed socket is wanted once */
		if (n == 0 || s->inodes[i] != s->inodes[n - 1])
			s->inodes[n++] = s->inodes[i];
	s->n = n;
	s->found = calloc(s->n, sizeof *s->found);
	s->have = calloc(s->n, 1);
	if (s->found == NULL || s->have == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!no_netlink && proc_same_netns(pid, err, errlen) == 1) {
		/* The listening sockets first: they have a small table of
		 * their own. The big one (every connection, every TIME-WAIT)
		 * is walked only if some socket is still missing. */
		if (diag_tcp_scan(DIAG_TCP_LISTEN, sockets_collect, s, err,
		                  errlen) == 0 &&
		    (s->nfound == s->n ||
		     diag_tcp_scan(DIAG_TCP_OWNED & ~DIAG_TCP_LISTEN,
		                   sockets_collect, s, err, errlen) == 0))
			return 0;
	}
	/* The fallback starts afresh (netlink may have failed halfway). */
	memset(s->have, 0, s->n);
	s->nfound = 0;
	return proc_tcp_scan(pid, sockets_collect, s, err, errlen);
}

static void sockets_free(struct sockets *s)
{
	free(s->inodes);
	free(s->found);
	free(s->have);
	memset(s, 0, sizeof *s);
}

static void fill_tcp(struct row *r, const struct sockets *s,
                     unsigned long inode)
{
	long i = sockets_find(s, inode);
	const struct proc_tcp *t;

	if (i < 0 || s->have == NULL || !s->have[i])
		return; /* not TCP (a Unix or UDP socket), or gone */
	t = &s->found[i];
	r->tcp = 1;
	r->state = proc_tcp_state_name(t->state);
	if (addr_format((const struct sockaddr *)&t->local, t->len, r->local,
	                sizeof r->local) != 0)
		r->local[0] = '\0';
	r->remote[0] = '\0';
	if (t->state != 10 && /* LISTEN has no remote end */
	    addr_format((const struct sockaddr *)&t->remote, t->len, r->remote,
	                sizeof r->remote) != 0)
		r->remote[0] = '\0';
}

/* -------------------------------------------- listing through /proc */

static void from_proc_fd(struct row *r, const struct proc_fd *f,
                         const struct sockets *s)
{
	memset(r, 0, sizeof *r);
	r->fd = f->fd;
	r->kind = f->kind;
	memcpy(r->target, f->target, sizeof r->target);
	if (strcmp(f->kind, "socket") == 0)
		fill_tcp(r, s, f->inode);
}

/* Every descriptor of pid: a first pass collects the socket inodes, one
 * scan of /proc/PID/net/tcp{,6} finds them, a second pass prints. */
static int list_proc(const struct opts *o, long pid, int json_first)
{
	struct proc_fd_iter it;
	struct proc_fd *f = malloc(sizeof *f);
	struct row *r = malloc(sizeof *r);
	struct sockets socks;
	char err[512];
	int rc, first = json_first, status = 0;

	memset(&socks, 0, sizeof socks);
	if (f == NULL || r == NULL) {
		free(f);
		free(r);
		return cli_error(PROG, "out of memory");
	}
	if (proc_fd_open(&it, pid, err, sizeof err) == -1) {
		int e = errno;

		cli_error(PROG, "%s", err);
		if (e == EACCES || e == EPERM)
			cli_hint(PROG,
			         "only the process's owner (or root) may look at its "
			         "descriptors");
		free(f);
		free(r);
		return 1;
	}
	while ((rc = proc_fd_next(&it, f)) == 1) {
		if (f->inode != 0 && strcmp(f->kind, "socket") == 0 &&
		    sockets_add(&socks, f->inode) == -1) {
			rc = -1;
			break;
		}
	}
	proc_fd_close(&it);
	if (rc == -1) {
		status = cli_error(PROG, "/proc/%ld/fd: %s", pid,
		                   strerror(errno));
		goto out;
	}
	if (sockets_lookup(&socks, pid, o->no_netlink, err, sizeof err) == -1) {
		status = cli_error(PROG, "%s", err);
		goto out;
	}
	if (proc_fd_open(&it, pid, err, sizeof err) == -1) {
		status = cli_error(PROG, "%s", err);
		goto out;
	}
	if (!o->json)
		print_header();
	while ((rc = proc_fd_next(&it, f)) == 1) {
		from_proc_fd(r, f, &socks);
		if (o->json)
			json_row(r, first);
		else
			print_row(r, NULL);
		first = 0;
	}
	proc_fd_close(&it);
	if (rc == -1)
		status = cli_error(PROG, "/proc/%ld/fd: %s", pid,
		                   strerror(errno));
out:
	sockets_free(&socks);
	free(f);
	free(r);
	return status;
}

/* ------------------------------------ our own descriptors, no /proc */

/* What fd refers to, from fstat() and the calls each type answers: the
 * way to look where there is no /proc (macOS). */
static void describe_own(int fd, struct row *r)
{
	struct stat st, null_st;
	socklen_t len;
	char err[128];

	memset(r, 0, sizeof *r);
	r->fd = fd;
	if (fstat(fd, &st) == -1) {
		r->kind = "other";
		snprintf(r->target, sizeof r->target, "(fstat: %s)",
		         strerror(errno));
		return;
	}
	r->kind = proc_fd_kind(&st, NULL);
	if (isatty(fd)) {
		r->kind = "terminal";
		if (ttyname_r(fd, r->target, sizeof r->target) != 0)
			r->target[0] = '\0';
	} else if (S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 &&
	           st.st_rdev == null_st.st_rdev) {
		r->kind = "null";
		snprintf(r->target, sizeof r->target, "/dev/null");
	} else if (S_ISSOCK(st.st_mode)) {
		struct sockaddr_storage ss;
		int type = 0, listening = 0;

		len = sizeof type;
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
		len = sizeof ss;
		memset(&ss, 0, sizeof ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
		    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
		    type == SOCK_STREAM) {
			r->tcp = 1;
			if (addr_local(fd, r->local, sizeof r->local, err,
			               sizeof err) == -1)
				r->local[0] = '\0';
			len = sizeof listening;
			if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
			               &listening, &len) == 0 &&
			    listening)
				r->state = "LISTEN";
			else if (addr_remote(fd, r->remote, sizeof r->remote,
			                     err, sizeof err) == 0)
				r->state = "ESTABLISHED";
			else
				r->state = "(not connected)";
		}
		snprintf(r->target, sizeof r->target, "socket (inode %lu)",
		         (unsigned long)st.st_ino);
	} else if (S_ISFIFO(st.st_mode)) {
		snprintf(r->target, sizeof r->target, "pipe (inode %lu)",
		         (unsigned long)st.st_ino);
	} else {
#ifdef F_GETPATH
		char path[PATH_MAX];

		if (fcntl(fd, F_GETPATH, path) != -1) {
			snprintf(r->target, sizeof r->target, "%s", path);
			return;
		}
#endif
		snprintf(r->target, sizeof r->target, "(inode %lu, %lld bytes)",
		         (unsigned long)st.st_ino, (long long)st.st_size);
	}
}

/* The same, with the name /proc/self/fd gives and TCP state from /proc. */
static void describe_own_proc(const struct opts *o, int fd, struct row *r)
{
	char path[64], target[PROC_TARGET_MAX];
	struct sockets socks;
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof target - 1);
	if (n == -1 || fstat(fd, &st) == -1) {
		describe_own(fd, r);
		return;
	}
	target[n] = '\0';
	memset(r, 0, sizeof *r);
	r->fd = fd;
	memcpy(r->target, target, (size_t)n + 1);
	r->kind = proc_fd_kind(&st, target);
	if (strcmp(r->kind, "socket") == 0) {
		char err[256];

		memset(&socks, 0, sizeof socks);
		if (sockets_add(&socks, proc_target_inode(target, "socket")) ==
		            0 &&
		    sockets_lookup(&socks, 0, o->no_netlink, err, sizeof err) ==
		            0)
			fill_tcp(r, &socks,
			         proc_target_inode(target, "socket"));
		sockets_free(&socks);
		if (!r->tcp) {
			/* Not in /proc/net/tcp: a TCP socket that is neither bound
			 * nor connected yet, or not TCP. Ask the socket itself. */
			struct row *own = malloc(sizeof *own);

			if (own != NULL) {
				describe_own(fd, own);
				r->tcp = own->tcp;
				memcpy(r->local, own->local, sizeof r->local);
				memcpy(r->remote, own->remote,
				       sizeof r->remote);
				r->state = own->state;
				free(own);
			}
		}
	}
}

static void describe(const struct opts *o, int fd, struct row *r)
{
	if (o->no_proc)
		describe_own(fd, r);
	else
		describe_own_proc(o, fd, r);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Every open descriptor of ours, found with fcntl(F_GETFD) alone. */
static void list_own_fcntl(const struct opts *o, int json_first)
{
	long max = sysconf(_SC_OPEN_MAX);
	struct row *r = malloc(sizeof *r);
	int fd, first = json_first;

	if (r == NULL)
		return;
	if (max <= 0 || max > SCAN_MAX)
		max = SCAN_MAX;
	if (!o->json)
		print_header();
	for (fd = 0; fd < (int)max; fd++) {
		if (!is_open(fd))
			continue;
		describe(o, fd, r);
		if (o->json)
			json_row(r, first);
		else
			print_row(r, NULL);
		first = 0;
	}
	free(r);
}

/* ------------------------------------------------ the learner's view */

static int learner_view(const struct opts *o)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct row *r = malloc(sizeof *r);
	char call[PATH_MAX + 64], shown[TEXT_ESCAPED_MAX(200)];
	int lowest, file_fd, sock_fd, lowest_after;
	ssize_t n;

	if (r == NULL)
		return cli_error(PROG, "out of memory");
	if (!o->no_proc && access("/proc/self/fd", F_OK) == -1) {
		free(r);
		return cli_error(PROG, "/proc/self/fd: %s (try --no-proc)",
		                 strerror(errno));
	}

	/* The lowest free number, found the portable way: fcntl(F_GETFD)
	 * fails with EBADF on a number that is not open. */
	for (lowest = 0; is_open(lowest); lowest++)
		;

	if (!o->json) {
		printf("Descriptors 0, 1 and 2 of this process (pid %ld), from %s:\n",
		       (long)getpid(),
		       o->no_proc ? "fcntl() and fstat()" : "/proc/self/fd");
		print_header();
		for (int fd = 0; fd <= 2; fd++) {
			if (!is_open(fd)) {
				printf("%4d  %-10s (closed)\n", fd, "-");
				continue;
			}
			describe(o, fd, r);
			print_row(r, names[fd]);
		}
		if (lowest > 3 || !is_open(0) || !is_open(1) || !is_open(2))
			printf("(more were open already, inherited from the parent: the "
			       "lowest free number is %d)\n",
			       lowest);
		printf("\n");
	}

	/* open() and socket() both return the lowest free number. */
	file_fd = open(o->file, O_RDONLY);
	if (file_fd == -1) {
		int e = errno;

		free(r);
		return cli_error(PROG, "open %s: %s", o->file, strerror(e));
	}
	for (lowest_after = 0; is_open(lowest_after) || lowest_after == file_fd;
	     lowest_after++)
		;
	sock_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (sock_fd == -1) {
		int e = errno;

		close(file_fd);
		free(r);
		return cli_error(PROG, "socket: %s", strerror(e));
	}

	if (o->json) {
		char path[JSON_ESCAPED_MAX(200)];

		json_escape(o->file, path, sizeof path);
		printf("{\"pid\": %ld, \"source\": \"%s\", "
		       "\"file\": {\"path\": \"%s\", \"fd\": %d, \"lowest_free\": %d}, "
		       "\"socket\": {\"fd\": %d, \"lowest_free\": %d}, \"fds\": [",
		       (long)getpid(), o->no_proc ? "fcntl" : "proc", path,
		       file_fd, lowest, sock_fd, lowest_after);
		if (o->no_proc)
			list_own_fcntl(o, 1);
		else
			list_proc(o, (long)getpid(), 1);
		printf("]}\n");
		close(sock_fd);
		close(file_fd);
		free(r);
		return 0;
	}

	text_escape(o->file, strnlen(o->file, 200), shown, sizeof shown);
	snprintf(call, sizeof call, "open(\"%s\", O_RDONLY)", shown);
	printf("%-44s -> fd %d%s\n", call, file_fd,
	       file_fd == lowest ? ": the lowest free number" : "");
	printf("%-44s -> fd %d%s\n", "socket(AF_INET, SOCK_STREAM, 0)", sock_fd,
	       sock_fd == lowest_after ? ": the next lowest free number" : "");
	describe(o, file_fd, r);
	print_row(r, NULL);
	describe(o, sock_fd, r);
	print_row(r, NULL);
	printf("\nAll our descriptors now (%s):\n",
	       o->no_proc ? "fcntl(F_GETFD) on each number, then fstat()"
	                  : "/proc/self/fd");
	if (o->no_proc)
		list_own_fcntl(o, 1);
	else
		list_proc(o, (long)getpid(), 1);

	/* The article's os.write(1, 'hello\n'): no stdio, straight to fd 1.
	 * Flush stdio first, or our earlier lines would come after it. */
	printf("\n");
	fflush(stdout);
	do
		n = write(1, "hello\n", 6);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		printf("%-44s -> failed: %s\n", "write(1, \"hello\\n\", 6)",
		       strerror(errno));
	else
		printf("%-44s -> %zd bytes, on fd 1 (stdout)\n",
		       "write(1, \"hello\\n\", 6)", n);

	snprintf(call, sizeof call, "close(%d), close(%d)", file_fd, sock_fd);
	close(sock_fd);
	close(file_fd);
	printf("%-44s -> ok\n", call);
	free(r);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	rc = parse_args(&o, argc, argv);
	if (rc != 0)
		return cli_finish(PROG, rc == -1 ? 0 : rc);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (o.pid == 0)
		return cli_finish(PROG, learner_view(&o));
	{
		/* Errors (no such process, permission denied) before any output. */
		struct proc_fd_iter it;
		char err[512];

		if (proc_fd_open(&it, o.pid, err, sizeof err) == -1) {
			int e = errno;

			cli_error(PROG, "%s", err);
			if (e == EACCES || e == EPERM)
				cli_hint(PROG,
				         "only the process's owner (or root) may look at "
				         "its descriptors");
			return cli_finish(PROG, 1);
		}
		proc_fd_close(&it);
	}
	if (o.json) {
		printf("{\"pid\": %ld, \"source\": \"proc\", \"fds\": [",
		       o.pid);
	} else {
		printf("Descriptors of process %ld (/proc/%ld/fd):\n", o.pid,
		       o.pid);
	}
	rc = list_proc(&o, o.pid, 1);
	if (o.json && rc == 0)
		printf("]}\n");
	return cli_finish(PROG, rc);
}
