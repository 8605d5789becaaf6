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
 *   show-fds [-f PATH] [--no-proc] [-j]
 *   show-fds -P PID [--no-netlink] [-j]
 *   (--file PATH, --pid PID, --json)
 *
 * Try it
 *   ./bin/show-fds                        # 0, 1, 2, then a file and a socket
 *   ./bin/show-fds </dev/null | cat       # 0 is /dev/null, 1 a pipe
 *   ./bin/show-fds --pid PID         # a server's sockets (its getpid() line)
 *   ./bin/show-fds --pid PID --no-netlink   # the same, from /proc/PID/net/tcp
 *
 * Things to notice
 *   - The file gets 3 and the socket 4 when only 0, 1 and 2 were open:
 *     the kernel hands out the lowest free number.
 *   - A socket is a descriptor like a file: the same write(), read(),
 *     close(). /proc shows it as socket:[INODE]; the inode finds its
 *     addresses and state in the kernel's TCP table (lib/tcptab: over
 *     netlink as ss does, or with --no-netlink in /proc/PID/net/tcp as
 *     lsof does; the same answer).
 *   - A server's listening socket is LISTEN on its port; each connection it
 *     serves is one more descriptor, ESTABLISHED, whose socket pair is the
 *     client's mirrored.
 *
 * See also
 *   docs/03-processes-and-descriptors.md; open(2), socket(2), write(2),
 *   close(2), fcntl(2), fstat(2), proc(5) (/proc/PID/fd, /proc/net/tcp),
 *   sock_diag(7), ss(8), lsof(8), show-pids(1). Reading /proc: lib/fds.c,
 *   lib/tcptab.c.
 *
 * A little longer than most files (about 480 lines): two views, this
 * process step by step and another process's table, and a descriptor
 * printed three ways (a row, a JSON object, the narration).
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
#include "fds.h"
#include "json.h"
#include "num.h"
#include "say.h"
#include "tcpinfo.h"
#include "text.h"

static const char *const PROG = "show-fds";

/* How far the fcntl() scan looks. */
#define SCAN_MAX 65536
/* A name longer than this (escaped) is cut, with "...": in a row of the
 * table, and in the call open("...") of the narration. */
#define SHOWN_MAX     1024
#define CALL_PATH_MAX 200

struct opts {
	long pid; /* 0: the learner's view of this process */
	const char *file;
	int no_proc;
	int no_netlink; /* look in /proc/PID/net/tcp, not over sock_diag */
	int json;
};

static int show_pid(const struct opts *o);
static int list_failed(const char *err, int e);
static void json_rows(const struct fds_list *l);
static void print_header(void);
static void print_row(const struct fds_entry *e, const char *name);
static void print_tcp(const struct tcptab_entry *t);
static int learner_view(const struct opts *o);
static int list_own(const struct opts *o, struct fds_list *l, char *err,
                    size_t errlen);
static int is_open(int fd);
static int lowest_free(void);
static void print_fd(const struct fds_list *l, int fd, const char *name);
static int open_file(const char *path);
static int not_a_file(const char *path, const struct stat *st);
static void json_view(const struct opts *o, const struct fds_list *l,
                      int file_fd, int lowest, int sock_fd, int lowest_after);
static int parse_args(struct opts *o, int argc, char **argv);
static void usage(void);

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	if (cli_start() != 0)
		return 1;
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	rc = o.pid != 0 ? show_pid(&o) : learner_view(&o);
	return cli_finish(PROG, rc);
}

static int show_pid(const struct opts *o)
{
	struct fds_list l;
	char err[512];
	size_t i;

	/* The whole list first: a table is printed whole or not at all. */
	if (fds_list(o->pid, &l, err, sizeof err) == -1)
		return list_failed(err, errno);
	if (fds_join_tcp(&l, o->pid, o->no_netlink, err, sizeof err) == -1) {
		int e = errno;

		fds_free(&l);
		return list_failed(err, e);
	}
	if (o->json) {
		printf("{\"pid\": %ld, \"source\": \"proc\", ", o->pid);
		json_rows(&l);
		printf("}\n");
	} else {
		printf("Descriptors of process %ld (/proc/%ld/fd):\n", o->pid,
		       o->pid);
		print_header();
		for (i = 0; i < l.n; i++)
			print_row(&l.v[i], NULL);
	}
	fds_free(&l);
	return 0;
}

/* The usual message for a listing that failed, with a hint where one helps. */
static int list_failed(const char *err, int e)
{
	cli_error(PROG, "%s", err);
	if (e == EACCES || e == EPERM)
		cli_hint(PROG,
		         "only the process's owner (or root) may look at its "
		         "descriptors; a process that is not dumpable (a setuid "
		         "program) needs CAP_SYS_PTRACE");
	return 1;
}

static void json_rows(const struct fds_list *l)
{
	char local[ADDR_STRLEN], remote[ADDR_STRLEN];
	size_t i;

	printf("\"fds\": [");
	for (i = 0; i < l->n; i++) {
		const struct fds_entry *e = &l->v[i];
		const struct tcptab_entry *t = &e->t;

		printf("%s{\"fd\": %d, \"type\": \"%s\", \"target\": ",
		       i ? ", " : "", e->fd, e->kind);
		json_string(stdout, e->target);
		if (e->tcp) {
			if (addr_format((const struct sockaddr *)&t->local,
			                t->len, local, sizeof local) != 0)
				local[0] = '\0';
			if (t->state == 0 || t->state == TCPINFO_LISTEN ||
			    addr_format((const struct sockaddr *)&t->remote,
			                t->len, remote, sizeof remote) != 0)
				remote[0] = '\0';
			printf(", \"proto\": \"tcp\", \"local\": \"%s\", "
			       "\"remote\": \"%s\", \"state\": \"%s\"",
			       local, remote,
			       t->state == 0 ? "(not connected)"
			                     : tcpinfo_state_name(t->state));
		}
		putchar('}');
	}
	putchar(']');
}

static void print_header(void)
{
	printf("%4s  %-10s %s\n", "FD", "TYPE", "WHAT IT REFERS TO");
}

static void print_row(const struct fds_entry *e, const char *name)
{
	char shown[SHOWN_MAX];

	/* A file name is anyone's choice: escaped, on one line. */
	text_escape(e->target, strlen(e->target), shown, sizeof shown);
	printf("%4d  %-10s %s", e->fd, e->kind, shown);
	if (name != NULL)
		printf(" (%s)", name);
	if (e->tcp)
		print_tcp(&e->t);
	putchar('\n');
}

/* "TCP 127.0.0.1:8888 LISTEN", "TCP {local, remote} ESTABLISHED". */
static void print_tcp(const struct tcptab_entry *t)
{
	char local[ADDR_STRLEN], remote[ADDR_STRLEN];

	if (addr_format((const struct sockaddr *)&t->local, t->len, local,
	                sizeof local) != 0)
		local[0] = '\0';
	if (t->state == 0)
		printf(" TCP %s (not connected)", local);
	else if (t->state != TCPINFO_LISTEN &&
	         addr_format((const struct sockaddr *)&t->remote, t->len,
	                     remote, sizeof remote) == 0)
		printf(" TCP {%s, %s} %s", local, remote,
		       tcpinfo_state_name(t->state));
	else
		printf(" TCP %s %s", local, tcpinfo_state_name(t->state));
}

static int learner_view(const struct opts *o)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct fds_list l;
	char err[512], call[CALL_PATH_MAX + 32], shown[CALL_PATH_MAX];
	int fd, lowest, file_fd, sock_fd, lowest_after;
	struct say s;
	size_t i;
	ssize_t n;

	say_init(&s, o->json);
	if (list_own(o, &l, err, sizeof err) == -1) {
		fds_free(&l);
		cli_error(PROG, "%s", err);
		if (!o->no_proc)
			cli_hint(PROG, "without /proc, try --no-proc");
		return 1;
	}
	lowest = lowest_free();
	if (!o->json) {
		printf("Descriptors 0, 1 and 2 of this process (pid %ld), from %s:\n",
		       (long)getpid(),
		       o->no_proc ? "fcntl() and fstat()" : "/proc/self/fd");
		print_header();
		for (fd = 0; fd <= 2; fd++)
			print_fd(&l, fd, names[fd]);
		if (lowest > 3)
			printf("(more were open already, inherited from the parent: the "
			       "lowest free number is %d)\n",
			       lowest);
		printf("\n");
	}
	fds_free(&l);

	/* open() and socket() both return the lowest free number. */
	file_fd = open_file(o->file);
	if (file_fd == -1)
		return 1;
	text_escape(o->file, strlen(o->file), shown, sizeof shown);
	snprintf(call, sizeof call, "open(\"%s\", O_RDONLY)", shown);
	say(&s, call, "fd %d%s", file_fd,
	    file_fd == lowest ? ": the lowest free number" : "");
	lowest_after = lowest_free();
	sock_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (sock_fd == -1) {
		cli_error(PROG, "socket: %s", strerror(errno));
		close(file_fd);
		return 1;
	}
	say(&s, "socket(AF_INET, SOCK_STREAM, 0)", "fd %d%s", sock_fd,
	    sock_fd == lowest_after ? ": the next lowest free number" : "");

	if (list_own(o, &l, err, sizeof err) == -1) {
		fds_free(&l);
		close(sock_fd);
		close(file_fd);
		return cli_error(PROG, "%s", err);
	}
	if (o->json) {
		json_view(o, &l, file_fd, lowest, sock_fd, lowest_after);
	} else {
		print_fd(&l, file_fd, NULL);
		print_fd(&l, sock_fd, NULL);
		printf("\nAll our descriptors now (%s):\n",
		       o->no_proc
		               ? "fcntl(F_GETFD) on each number, then fstat()"
		               : "/proc/self/fd");
		print_header();
		for (i = 0; i < l.n; i++)
			print_row(&l.v[i], NULL);
		printf("\n");
	}
	fds_free(&l);

	/* The article's os.write(1, 'hello\n'): no stdio, straight to fd 1.
	 * Flush stdio first, or our earlier lines would come after it. */
	if (!o->json) {
		fflush(stdout);
		do
			n = write(1, "hello\n", 6);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			say(&s, "write(1, \"hello\\n\", 6)", "failed: %s",
			    strerror(errno));
		else
			say(&s, "write(1, \"hello\\n\", 6)",
			    "%zd bytes, on fd 1 (stdout)", n);
	}
	snprintf(call, sizeof call, "close(%d), close(%d)", file_fd, sock_fd);
	close(sock_fd);
	close(file_fd);
	say(&s, call, "ok");
	return 0;
}

/* Our own descriptors: /proc/self/fd, or each number tried with fcntl()
 * and described with fstat() (lib/fds). */
static int list_own(const struct opts *o, struct fds_list *l, char *err,
                    size_t errlen)
{
	long max = sysconf(_SC_OPEN_MAX);
	struct fds_entry e;
	int fd;

	if (!o->no_proc)
		return fds_list((long)getpid(), l, err, errlen) == 0
		               ? fds_join_tcp(l, (long)getpid(), o->no_netlink,
		                              err, errlen)
		               : -1;
	memset(l, 0, sizeof *l);
	if (max <= 0 || max > SCAN_MAX)
		max = SCAN_MAX;
	for (fd = 0; fd < (int)max; fd++)
		if (is_open(fd) && (fds_describe(fd, &e, err, errlen) == -1 ||
		                    fds_add(l, &e) == -1))
			return -1;
	return 0;
}

/* fcntl(fd, F_GETFD) fails (EBADF) on a number that is not open: the
 * portable way to find our descriptors, where there is no /proc. */
static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static int lowest_free(void)
{
	int fd = 0;

	while (is_open(fd))
		fd++;
	return fd;
}

static void print_fd(const struct fds_list *l, int fd, const char *name)
{
	size_t i;

	for (i = 0; i < l->n && l->v[i].fd != fd; i++)
		;
	if (i < l->n)
		print_row(&l->v[i], name);
	else
		printf("%4d  %-10s (closed)\n", fd, "-");
}

/* open() the file; but never a FIFO or a device, where open() could wait
 * for a writer (or a modem) forever: a regular file or a directory. stat()
 * first, so that a device is not even opened; then O_NONBLOCK and fstat()
 * of what was opened, in case the name was given a FIFO in between. */
static int open_file(const char *path)
{
	struct stat st;
	int fd, flags;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode))
		return not_a_file(path, &st);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd == -1) {
		cli_error(PROG, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode)) {
		close(fd);
		return not_a_file(path, &st);
	}
	/* A regular file's reads never wait: the flag goes, as it came. */
	flags = fcntl(fd, F_GETFL);
	if (flags != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

static int not_a_file(const char *path, const struct stat *st)
{
	cli_error(PROG,
	          "--file %s: a %s, not a regular file: open() could "
	          "wait forever",
	          path, S_ISFIFO(st->st_mode) ? "FIFO" : "device");
	return -1;
}

static void json_view(const struct opts *o, const struct fds_list *l,
                      int file_fd, int lowest, int sock_fd, int lowest_after)
{
	printf("{\"pid\": %ld, \"source\": \"%s\", \"file\": {\"path\": ",
	       (long)getpid(), o->no_proc ? "fcntl" : "proc");
	json_string(stdout, o->file);
	printf(", \"fd\": %d, \"lowest_free\": %d}, "
	       "\"socket\": {\"fd\": %d, \"lowest_free\": %d}, ",
	       file_fd, lowest, sock_fd, lowest_after);
	json_rows(l);
	printf("}\n");
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	enum { NO_PROC = 256, NO_NETLINK };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'P' },
		{ "file", required_argument, NULL, 'f' },
		{ "no-proc", no_argument, NULL, NO_PROC },
		{ "no-netlink", no_argument, NULL, NO_NETLINK },
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
	while ((opt = getopt_long(argc, argv, ":P:f:jhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'P':
			if (num_parse_long(optarg, 1, INT_MAX, "pid", &o->pid,
			                   err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'f':
			o->file = optarg;
			break;
		case NO_PROC:
			o->no_proc = 1;
			break;
		case NO_NETLINK:
			o->no_netlink = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			usage();
			return CLI_DONE;
		case 'V':
			cli_version(PROG);
			return CLI_DONE;
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
	return CLI_OK;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "Show file descriptors: 0, 1 and 2 of this process and what they refer\n"
	       "to; then open a file and a socket (they get the lowest free numbers)\n"
	       "and write(1, \"hello\\n\", 6). With --pid, list another process's\n"
	       "descriptors, with the addresses and state of its TCP sockets.\n"
	       "\n"
	       "Options:\n"
	       "  -P, --pid P           list the descriptors of process P (from\n"
	       "                        /proc/P/fd, like lsof -p P)\n"
	       "      --no-netlink      find the TCP sockets' addresses and states\n"
	       "                        in /proc/P/net/tcp and tcp6 (as lsof does),\n"
	       "                        not by asking the kernel over netlink\n"
	       "                        (sock_diag, as ss does)\n"
	       "  -f, --file PATH       the file to open (default /etc/hosts); a\n"
	       "                        regular file or a directory, never a FIFO\n"
	       "                        or a device, which could make open() wait\n"
	       "      --no-proc         do not read /proc: find our own descriptors\n"
	       "                        with fcntl(F_GETFD) and fstat(), as on macOS\n"
	       "  -j, --json            print one JSON object instead (without the\n"
	       "                        write of hello); names as UTF-8, a byte\n"
	       "                        that is not UTF-8 as \\udcXX\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Types: terminal, pipe, file, directory, null (/dev/null), device,\n"
	       "socket, anon inode (epoll, eventfd...), other.\n"
	       "With --pid the listing is whole or not at all: if the process exits\n"
	       "or a descriptor cannot be read, nothing is printed on stdout.\n"
	       "Exit status: 0 ok, 1 runtime failure (no such process, it exited\n"
	       "meanwhile, permission denied, no /proc), 2 usage.\n"
	       "Example: %s --pid PID   (PID: the server's getpid() line)\n",
	       PROG, PROG);
}
