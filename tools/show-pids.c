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
 *   show-pids [--pid P] [--children] [--fork] [--json]
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
 *     bytes): names may hold spaces and parentheses.
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
#include "text.h"

static const char *const PROG = "show-pids";

/* Enough ancestors for any real tree; a longer chain means a loop. */
#define MAX_CHAIN    4096
#define MAX_CHILDREN 4096

struct opts {
	long pid; /* 0: this process */
	int children;
	int fork;
	int json;
};

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "Show a process's PID, its parent's PID (PPID) and the chain of\n"
	       "parents up to PID 1, with each one's state and command name.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid P           show process P instead of this one\n"
	       "  -c, --children        also list the process's children and their\n"
	       "                        states (a zombie shows as Z)\n"
	       "  -f, --fork            fork(): the child prints its PID and PPID, the\n"
	       "                        parent waits for it (the zombie, then none)\n"
	       "  -j, --json            print one JSON object instead\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "States: R running, S sleeping, D disk wait, T stopped, Z zombie.\n"
	       "Exit status: 0 ok, 1 runtime failure (no such process, no /proc),\n"
	       "2 usage.\n"
	       "Example: %s --pid $$ --children\n",
	       PROG, PROG);
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "children", no_argument, NULL, 'c' },
		{ "fork", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt;

	memset(o, 0, sizeof *o);
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":p:cfjhV", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'p':
			if (num_parse_long(optarg, 1, INT_MAX, "pid", &o->pid,
			                   err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'c':
			o->children = 1;
			break;
		case 'f':
			o->fork = 1;
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
	if (o->fork && (o->pid != 0 || o->children))
		return cli_usage_error(PROG,
		                       "--fork shows this process and its child: "
		                       "it takes no --pid or --children");
	return 0;
}

/* A command name is chosen by its process: print it escaped. */
static void print_comm(const char *comm)
{
	char shown[TEXT_ESCAPED_MAX(PROC_COMM_MAX)];

	text_escape(comm, strlen(comm), shown, sizeof shown);
	fputs(shown, stdout);
}

static void json_comm(const char *comm)
{
	char shown[JSON_ESCAPED_MAX(PROC_COMM_MAX)];

	json_escape(comm, shown, sizeof shown);
	printf("\"%s\"", shown);
}

static void print_row(const struct proc_stat *s)
{
	printf("%7ld %7ld  %c     ", s->pid, s->ppid, s->state);
	print_comm(s->comm);
	printf("  (%s)\n", proc_state_name(s->state));
}

static void json_proc(const struct proc_stat *s)
{
	printf("{\"pid\": %ld, \"ppid\": %ld, \"state\": \"%c\", \"comm\": ",
	       s->pid, s->ppid, s->state);
	json_comm(s->comm);
	putchar('}');
}

/* --------------------------------------------------------- the chain */

/* The process and its parents up to the top: PID 1, or a process whose
 * parent we cannot see (PPID 0: PID 1 itself, a kernel thread, or a parent
 * outside our PID namespace). */
static int show_chain(const struct opts *o)
{
	long pid = o->pid != 0 ? o->pid : (long)getpid();
	struct proc_stat *chain = malloc(MAX_CHAIN * sizeof *chain);
	struct proc_stat *kids = NULL;
	size_t n = 0, nkids = 0, i;
	char err[256];
	const char *gone = NULL;

	if (chain == NULL)
		return cli_error(PROG, "out of memory");
	if (proc_read_stat(pid, &chain[0], err, sizeof err) == -1) {
		int e = errno;

		free(chain);
		cli_error(PROG, "%s", err);
		if (e == ENOENT && o->pid != 0)
			cli_hint(PROG,
			         "list the processes with: ps -e -o pid,ppid,stat,comm");
		return 1;
	}
	n = 1;
	while (n < MAX_CHAIN && chain[n - 1].ppid > 0 &&
	       chain[n - 1].pid != 1) {
		/* A parent can exit while we look: the chain just ends there. */
		if (proc_read_stat(chain[n - 1].ppid, &chain[n], err,
		                   sizeof err) == -1) {
			gone = "(the parent has just exited)";
			break;
		}
		n++;
	}
	if (o->children) {
		kids = malloc(MAX_CHILDREN * sizeof *kids);
		if (kids == NULL) {
			free(chain);
			return cli_error(PROG, "out of memory");
		}
		if (proc_children(chain[0].pid, kids, MAX_CHILDREN, &nkids, err,
		                  sizeof err) == -1) {
			free(chain);
			free(kids);
			return cli_error(PROG, "%s", err);
		}
		if (nkids > MAX_CHILDREN)
			nkids = MAX_CHILDREN;
	}

	if (o->json) {
		printf("{\"pid\": %ld, \"ppid\": %ld, \"chain\": [",
		       chain[0].pid, chain[0].ppid);
		for (i = 0; i < n; i++) {
			printf(i ? ", " : "");
			json_proc(&chain[i]);
		}
		printf("]");
		if (o->children) {
			printf(", \"children\": [");
			for (i = 0; i < nkids; i++) {
				printf(i ? ", " : "");
				json_proc(&kids[i]);
			}
			printf("]");
		}
		printf("}\n");
	} else {
		if (o->pid == 0) {
			/* Our own numbers, from the calls the article makes. */
			printf("%-44s -> %ld\n", "getpid()", (long)getpid());
			printf("%-44s -> %ld\n", "getppid()", (long)getppid());
		}
		printf("\nProcess %ld and its parents, up to PID 1 (from /proc/PID/stat):\n",
		       chain[0].pid);
		printf("%7s %7s  %-5s %s\n", "PID", "PPID", "STATE", "COMMAND");
		for (i = 0; i < n; i++)
			print_row(&chain[i]);
		if (gone != NULL)
			printf("%s\n", gone);
		if (o->children) {
			printf("\nChildren of %ld: %zu\n", chain[0].pid, nkids);
			if (nkids > 0)
				printf("%7s %7s  %-5s %s\n", "PID", "PPID",
				       "STATE", "COMMAND");
			for (i = 0; i < nkids; i++)
				print_row(&kids[i]);
		}
	}
	free(chain);
	free(kids);
	return 0;
}

/* ------------------------------------------------------------- --fork */

static int show_fork(const struct opts *o)
{
	struct proc_stat zst;
	long ids[2] = { 0, 0 }; /* what the child saw: getpid(), getppid() */
	char err[256], call[64];
	int pfd[2], status, zombie_seen = 0, gone_after = 0;
	long parent = (long)getpid();
	pid_t child;
	siginfo_t info;
	ssize_t n;

	/* The child tells the parent what it saw through a pipe too, so that
	 * --json can report both sides in one object. */
	if (pipe(pfd) == -1)
		return cli_error(PROG, "pipe: %s", strerror(errno));
	fflush(stdout); /* or the child would print our buffered lines again */

	child = fork();
	if (child == -1) {
		int e = errno;

		close(pfd[0]);
		close(pfd[1]);
		return cli_error(PROG, "fork: %s", strerror(e));
	}
	if (child == 0) {
		/* The child: fork() returned 0 here. */
		long mine[2];

		mine[0] = (long)getpid();
		mine[1] = (long)getppid();
		close(pfd[0]);
		if (!o->json) {
			printf("[child]  %-35s -> 0: I am the child\n",
			       "fork()");
			printf("[child]  %-35s -> %ld\n", "getpid()", mine[0]);
			printf("[child]  %-35s -> %ld (my parent)\n",
			       "getppid()", mine[1]);
			printf("[child]  _exit(0)\n");
			fflush(stdout);
		}
		if (write(pfd[1], mine, sizeof mine) != (ssize_t)sizeof mine)
			_exit(1);
		_exit(0);
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
	while (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) == -1) {
		if (errno != EINTR)
			return cli_error(PROG, "waitid: %s", strerror(errno));
	}
	if (proc_read_stat((long)child, &zst, err, sizeof err) == 0)
		zombie_seen = zst.state == 'Z';
	while (waitpid(child, &status, 0) == -1) {
		if (errno != EINTR)
			return cli_error(PROG, "waitpid: %s", strerror(errno));
	}
	gone_after = proc_read_stat((long)child, &zst, err, sizeof err) == -1 &&
	             errno == ENOENT;

	if (o->json) {
		printf("{\"parent\": {\"pid\": %ld, \"ppid\": %ld}, "
		       "\"child\": {\"pid\": %ld, \"ppid\": %ld, \"fork_returned\": %ld}, "
		       "\"zombie_before_wait\": %s, \"gone_after_wait\": %s, "
		       "\"exit_status\": %d}\n",
		       parent, (long)getppid(), ids[0], ids[1], (long)child,
		       zombie_seen ? "true" : "false",
		       gone_after ? "true" : "false",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 0;
	}
	printf("[parent] %-35s -> %ld: the child's PID\n", "fork()",
	       (long)child);
	printf("[parent] %-35s -> %ld%s\n", "getpid()", parent,
	       ids[1] == parent ? ": the child's PPID is my PID" : "");
	printf("[parent] %-35s -> %ld (my own parent: the shell?)\n",
	       "getppid()", (long)getppid());
	printf("[parent] %-35s -> %s\n", "waitid(WEXITED | WNOWAIT)",
	       "the child has exited; not reaped yet");
	snprintf(call, sizeof call, "/proc/%ld/stat", (long)child);
	printf("[parent] %-35s -> %s\n", call,
	       zombie_seen ? "state Z: a zombie, until we wait for it"
	                   : "(could not see the zombie: no /proc?)");
	snprintf(call, sizeof call, "waitpid(%ld, &status, 0)", (long)child);
	printf("[parent] %-35s -> %ld, exit status %d\n", call, (long)child,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	snprintf(call, sizeof call, "/proc/%ld/stat", (long)child);
	printf("[parent] %-35s -> %s\n", call,
	       gone_after ? "gone: no zombie left" : "still there?");
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

	if (o.fork)
		rc = show_fork(&o);
	else
		rc = show_chain(&o);
	return cli_finish(PROG, rc);
}
