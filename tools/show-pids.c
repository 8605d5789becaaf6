/*
 * show-pids - processes, PIDs and parent PIDs, as the article shows them.
 *
 * What it demonstrates
 *   Every program runs as a process with a number, its PID (getpid()), and
 *   a parent, the process that started it (getppid()). Your server's parent
 *   is the shell you typed its name into; the shell's parent is a terminal
 *   or a login, and so on up to PID 1. fork() makes a new process, the
 *   child, whose parent is the process that called fork().
 *
 * Usage
 *   show-pids [-P PID] [-C] [-F] [-j]
 *   (--pid PID, --children, --fork, --json)
 *
 * Try it
 *   ./bin/show-pids                        # me, my shell, ..., PID 1
 *   ./bin/show-pids --fork                 # the child's PPID is my PID
 *   ./bin/show-pids --pid $$ --children    # what this shell runs now
 *
 * Things to notice
 *   - show-pids's parent is the shell: compare its PPID with `echo $$`.
 *   - fork() returns twice: the child's PID in the parent, 0 in the child.
 *   - A child that has exited but that its parent has not waited for yet is
 *     a zombie: state Z. waitpid() makes it disappear.
 *   - The command name is whatever the process says it is (up to 15
 *     bytes): names may hold spaces, parentheses, even newlines; they are
 *     printed escaped.
 *
 * See also
 *   docs/03-processes-and-descriptors.md; getpid(2), getppid(2), fork(2),
 *   waitid(2), waitpid(2), proc(5) (/proc/PID/stat), ps(1), pstree(1),
 *   show-fds(1).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "num.h"
#include "proc.h"
#include "say.h"
#include "text.h"

static const char *const PROG = "show-pids";

/* Enough ancestors for any real tree; a longer chain means a loop. */
#define MAX_CHAIN 4096

struct opts {
	long pid; /* 0: this process */
	int children;
	int fork;
	int json;
};

static int show_fork(const struct opts *o);
static void child(const struct opts *o, int out);
static int show_chain(const struct opts *o);
static size_t read_chain(const struct opts *o, struct proc_stat *chain,
                         int *cut);
static void json_list(const char *key, const struct proc_stat *v, size_t n);
static void print_table(const struct proc_stat *v, size_t n);
static void print_row(const struct proc_stat *s);
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
	rc = o.fork ? show_fork(&o) : show_chain(&o);
	return cli_finish(PROG, rc);
}

static int show_fork(const struct opts *o)
{
	struct proc_stat zst;
	long ids[2] = { 0, 0 }; /* what the child saw: getpid(), getppid() */
	long parent = (long)getpid();
	char err[256], call[64];
	int pfd[2], status = 0, zombie_seen = 0, gone_after;
	siginfo_t info;
	struct say s;
	pid_t pid;
	ssize_t n;

	if (pipe(pfd) == -1)
		return cli_error(PROG, "pipe: %s", strerror(errno));
	fflush(stdout); /* or the child would print our buffered lines again */

	pid = fork();
	if (pid == -1) {
		int e = errno;

		close(pfd[0]);
		close(pfd[1]);
		return cli_error(PROG, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(pfd[0]);
		child(o, pfd[1]);
	}

	/* The parent: fork() returned the child's PID. */
	close(pfd[1]);
	do
		n = read(pfd[0], ids, sizeof ids);
	while (n == -1 && errno == EINTR);
	close(pfd[0]);

	/* Wait until the child has exited, but leave it unreaped (WNOWAIT):
	 * for this moment it is a zombie, state Z. */
	memset(&info, 0, sizeof info);
	while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			return cli_error(PROG, "waitid: %s", strerror(errno));
	if (proc_read_stat((long)pid, &zst, err, sizeof err) == 0)
		zombie_seen = zst.state == 'Z';
	/* waitpid() reaps it: the kernel forgets it. */
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return cli_error(PROG, "waitpid: %s", strerror(errno));
	gone_after = proc_read_stat((long)pid, &zst, err, sizeof err) == -1 &&
	             errno == ENOENT;

	if (o->json) {
		printf("{\"parent\": {\"pid\": %ld, \"ppid\": %ld}, "
		       "\"child\": {\"pid\": %ld, \"ppid\": %ld, \"fork_returned\": %ld}, "
		       "\"zombie_before_wait\": %s, \"gone_after_wait\": %s, "
		       "\"exit_status\": %d}\n",
		       parent, (long)getppid(), ids[0], ids[1], (long)pid,
		       zombie_seen ? "true" : "false",
		       gone_after ? "true" : "false",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 0;
	}
	say_init(&s, 0);
	say_tag(&s, "[parent] ");
	say(&s, "fork()", "%ld: the child's PID", (long)pid);
	say(&s, "getpid()", "%ld%s", parent,
	    ids[1] == parent ? ": the child's PPID is my PID" : "");
	say(&s, "getppid()", "%ld (my own parent: the shell?)",
	    (long)getppid());
	say(&s, "waitid(WEXITED | WNOWAIT)",
	    "the child has exited; not reaped yet");
	snprintf(call, sizeof call, "/proc/%ld/stat", (long)pid);
	say(&s, call, "%s",
	    zombie_seen ? "state Z: a zombie, until we wait for it"
	                : "(could not see the zombie: no /proc?)");
	snprintf(call, sizeof call, "waitpid(%ld, &status, 0)", (long)pid);
	say(&s, call, "%ld, exit status %d", (long)pid,
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	snprintf(call, sizeof call, "/proc/%ld/stat", (long)pid);
	say(&s, call, "%s",
	    gone_after ? "gone: no zombie left" : "still there?");
	return 0;
}

/* The child: fork() returned 0 here. It tells the parent what it saw
 * through the pipe too, so that --json can report both sides at once. */
static void child(const struct opts *o, int out)
{
	long mine[2];
	struct say s;

	mine[0] = (long)getpid();
	mine[1] = (long)getppid();
	say_init(&s, o->json);
	say_tag(&s, "[child]  ");
	say(&s, "fork()", "0: I am the child");
	say(&s, "getpid()", "%ld", mine[0]);
	say(&s, "getppid()", "%ld (my parent)", mine[1]);
	say_note(&s, "_exit(0)");
	fflush(stdout);
	if (write(out, mine, sizeof mine) != (ssize_t)sizeof mine)
		_exit(1);
	close(out);
	_exit(0); /* not exit(): the parent's stdio buffers are not ours */
}

static int show_chain(const struct opts *o)
{
	struct proc_stat *chain = malloc(MAX_CHAIN * sizeof *chain);
	struct proc_stat *kids = NULL;
	size_t n, nkids = 0;
	char err[256];
	int cut = 0, status = 1;
	struct say s;

	if (chain == NULL)
		return cli_error(PROG, "out of memory");
	n = read_chain(o, chain, &cut);
	if (n == 0)
		goto out;
	if (o->children &&
	    proc_children(chain[0].pid, &kids, &nkids, err, sizeof err) == -1) {
		cli_error(PROG, "%s", err);
		goto out;
	}
	status = 0;
	if (o->json) {
		printf("{\"pid\": %ld, \"ppid\": %ld", chain[0].pid,
		       chain[0].ppid);
		json_list("chain", chain, n);
		if (o->children)
			json_list("children", kids, nkids);
		printf("}\n");
		goto out;
	}
	say_init(&s, 0);
	if (o->pid == 0) {
		/* Our own numbers, from the calls the article makes. */
		say(&s, "getpid()", "%ld", (long)getpid());
		say(&s, "getppid()", "%ld", (long)getppid());
	}
	printf("\nProcess %ld and its parents, up to PID 1 (from /proc/PID/stat):\n",
	       chain[0].pid);
	print_table(chain, n);
	if (cut)
		printf("(the parent has just exited)\n");
	if (o->children) {
		printf("\nChildren of %ld: %zu\n", chain[0].pid, nkids);
		if (nkids > 0)
			print_table(kids, nkids);
	}
out:
	free(chain);
	free(kids);
	return status;
}

/* The process and its parents up to the top: PID 1, or a process whose
 * parent we cannot see (PPID 0: PID 1 itself, a kernel thread, or a parent
 * outside our PID namespace). Returns how many, 0 after an error (said). */
static size_t read_chain(const struct opts *o, struct proc_stat *chain,
                         int *cut)
{
	long pid = o->pid != 0 ? o->pid : (long)getpid();
	char err[256];
	size_t n = 1;

	if (proc_read_stat(pid, &chain[0], err, sizeof err) == -1) {
		int e = errno;

		cli_error(PROG, "%s", err);
		if (e == ENOENT && o->pid != 0)
			cli_hint(PROG,
			         "list the processes with: ps -e -o pid,ppid,stat,comm");
		return 0;
	}
	*cut = 0;
	while (n < MAX_CHAIN && chain[n - 1].ppid > 0 &&
	       chain[n - 1].pid != 1) {
		/* A parent can exit while we look: the chain just ends there. */
		if (proc_read_stat(chain[n - 1].ppid, &chain[n], err,
		                   sizeof err) == -1) {
			*cut = 1;
			break;
		}
		n++;
	}
	return n;
}

static void json_list(const char *key, const struct proc_stat *v, size_t n)
{
	size_t i;

	printf(", \"%s\": [", key);
	for (i = 0; i < n; i++) {
		printf("%s{\"pid\": %ld, \"ppid\": %ld, \"state\": \"%c\", "
		       "\"comm\": ",
		       i ? ", " : "", v[i].pid, v[i].ppid, v[i].state);
		json_string(stdout, v[i].comm);
		putchar('}');
	}
	putchar(']');
}

static void print_table(const struct proc_stat *v, size_t n)
{
	size_t i;

	printf("%7s %7s  %-5s %s\n", "PID", "PPID", "STATE", "COMMAND");
	for (i = 0; i < n; i++)
		print_row(&v[i]);
}

/* One row of the table. A command name is chosen by its process: it is
 * printed escaped (a newline in it cannot start a row of its own). */
static void print_row(const struct proc_stat *s)
{
	char comm[TEXT_ESCAPED_MAX(PROC_COMM_MAX)];

	text_escape(s->comm, strlen(s->comm), comm, sizeof comm);
	printf("%7ld %7ld  %c     %s  (%s)\n", s->pid, s->ppid, s->state, comm,
	       proc_state_name(s->state));
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'P' },
		{ "children", no_argument, NULL, 'C' },
		{ "fork", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt;

	memset(o, 0, sizeof *o);
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":P:CFjhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'P':
			if (num_parse_long(optarg, 1, INT_MAX, "pid", &o->pid,
			                   err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'C':
			o->children = 1;
			break;
		case 'F':
			o->fork = 1;
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
	if (o->fork && (o->pid != 0 || o->children))
		return cli_usage_error(PROG,
		                       "--fork shows this process and its child: "
		                       "it takes no --pid or --children");
	return CLI_OK;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "Show a process's PID, its parent's PID (PPID) and the chain of\n"
	       "parents up to PID 1, with each one's state and command name.\n"
	       "\n"
	       "Options:\n"
	       "  -P, --pid P           show process P instead of this one\n"
	       "  -C, --children        also list the process's children and their\n"
	       "                        states (a zombie shows as Z); all of them\n"
	       "  -F, --fork            fork(): the child prints its PID and PPID, the\n"
	       "                        parent waits for it (the zombie, then none)\n"
	       "  -j, --json            print one JSON object instead (command names\n"
	       "                        as UTF-8; a byte that is not UTF-8 as \\udcXX)\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "States: R running, S sleeping, D disk wait, T stopped, Z zombie.\n"
	       "Exit status: 0 ok, 1 runtime failure (no such process, no /proc),\n"
	       "2 usage.\n"
	       "Example: %s --pid $$ --children\n",
	       PROG, PROG);
}
