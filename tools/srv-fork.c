/*
 * srv-fork - the article's concurrent web server (webserver3g), in C, with
 * each of the article's mistakes one switch away.
 *
 * What it demonstrates
 *   fork() makes a server concurrent: for each connection the parent forks
 *   a child, which closes its copy of the listening socket, serves the
 *   client and exits; the parent closes its copy of the connection and goes
 *   straight back to accept(). fork() returns twice: the child's pid in the
 *   parent, 0 in the child. Every descriptor is duplicated, and the kernel
 *   counts the references: a connection ends (FIN) only when its last
 *   descriptor is closed. An exited child stays a zombie until its parent
 *   waits for it: a SIGCHLD handler calls waitpid(-1, &st, WNOHANG) in a
 *   loop, because standard signals are not queued, and accept(), interrupted
 *   by that handler, fails with EINTR and is called again.
 *
 * Usage
 *   srv-fork [--child-sleep S] [--max-children N] [--reap loop|once|none]
 *            [--retry-accept] [--keep-conn] [--max-fds N] [--nproc N]
 *            [--port PORT] [--host ADDR] [--backlog N] [--content-length]
 *            [--timeout S] [--max-request N] [--quiet]
 *
 * Try it
 *   ./bin/srv-fork --child-sleep 60               # terminal 1
 *   curl http://localhost:8888/hello              # terminals 2 and 3: both
 *   curl http://localhost:8888/hello              # answered at once
 *   ./bin/srv-fork --reap none                    # zombies: ps -o pid,ppid,stat,comm
 *
 * Things to notice
 *   - "Child PID: X. Parent PID Y": Y is the server; each client has its own
 *     child, so a sleeping child delays nobody else.
 *   - The parent's descriptors stay 0, 1, 2, 3: it closes each connection
 *     right after fork(). With --keep-conn it does not: curl never finishes
 *     (no FIN), and with --max-fds accept() soon fails with EMFILE.
 *   - --reap none leaves a zombie (state Z) per client; kill -9 cannot
 *     remove it, only a wait by its parent (or the parent's death) can.
 *   - --reap once is the article's first handler: accept() fails with EINTR
 *     and the server dies; with --retry-accept it lives, but a burst of
 *     clients leaves zombies again: several SIGCHLDs became one.
 *
 * See also
 *   docs/05-fork-and-zombies.md; tools/server.c (socket..listen, recv, send);
 *   fork(2), close(2), accept(2), waitpid(2), sigaction(2), signal(7),
 *   getrlimit(2), srv-iter(1), srv-sleep(1), cli-connect(1).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "num.h"
#include "server.h"

static const char *const PROG = "srv-fork";

#define MAX_CHILDREN_DEFAULT 1024 /* live children; more get 503 */
#define STOP_GRACE           2.0  /* seconds children get to finish on stop */

enum reap_mode { REAP_LOOP, REAP_ONCE, REAP_NONE };

static void usage(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "The article's concurrent web server (webserver3g): it forks a child\n"
	       "per connection and reaps its children from a SIGCHLD handler with\n"
	       "waitpid(-1, &st, WNOHANG) in a loop. Each of the article's mistakes\n"
	       "is one option away (marked 'mistake').\n"
	       "\n"
	       "Options:\n"
	       "  -s, --child-sleep S   each child sleeps S seconds after its reply,\n"
	       "                        with the connection open (default 0; the\n"
	       "                        article's demo: 60)\n"
	       "  -n, --max-children N  at most N live children (default %d); a\n"
	       "                        client beyond that gets 503 and is closed\n"
	       "  -r, --reap MODE       how exited children are waited for:\n"
	       "                          loop  waitpid(-1, &st, WNOHANG) until none\n"
	       "                                is left, accept() retried on EINTR\n"
	       "                                (the default, webserver3g)\n"
	       "                          once  mistake: one wait() per SIGCHLD\n"
	       "                                (webserver3e): accept() fails with\n"
	       "                                EINTR and the server exits; with\n"
	       "                                --retry-accept it goes on, but a burst\n"
	       "                                of clients leaves zombies\n"
	       "                          none  mistake: no SIGCHLD handler: every\n"
	       "                                child stays a zombie (webserver3c)\n"
	       "  -R, --retry-accept    with --reap once: call accept() again after\n"
	       "                        EINTR (webserver3f; --reap loop always does)\n"
	       "  -k, --keep-conn       mistake: the parent does not close its copy\n"
	       "                        of each connection (webserver3d): no FIN, the\n"
	       "                        client never finishes, descriptors pile up\n"
	       "  -F, --max-fds N       limit this process to N descriptors\n"
	       "                        (setrlimit RLIMIT_NOFILE, like ulimit -n);\n"
	       "                        when accept() fails with EMFILE the server\n"
	       "                        says so and stops (exit 1)\n"
	       "  -N, --nproc N         limit this user to N processes (setrlimit\n"
	       "                        RLIMIT_NPROC, like ulimit -u): fork() fails\n"
	       "                        with EAGAIN, the client gets 503. Not\n"
	       "                        enforced for root\n" SERVER_OPTIONS_HELP
	       "\n"
	       "Each child prints the article's line 'Child PID: X. Parent PID Y'.\n"
	       "SIGINT (Ctrl-C) or SIGTERM stops the server: it closes the listening\n"
	       "socket, waits up to %g s for its children (then sends them SIGTERM),\n"
	       "reaps every one of them, says how many requests they served, and\n"
	       "exits 0.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (port in use; accept() failed\n"
	       "with EINTR under --reap once, or with EMFILE), 2 usage.\n"
	       "Example: %s --port 0 --child-sleep 10   (then several curls at once)\n",
	       PROG, MAX_CHILDREN_DEFAULT, STOP_GRACE, PROG);
}

/* ----------------------------------------------------------- the children
 *
 * What the SIGCHLD handler and main() share. main() touches the table only
 * with SIGCHLD blocked, so the handler never sees it half-updated.
 *
 * The counters and the table are one block of memory, so that they share a
 * page: after fork(), parent and child share every page copy-on-write, and
 * the parent's first write to each page makes the kernel copy it. The
 * parent writes here after every fork(): one page to copy, not two. */
struct children {
	volatile sig_atomic_t live;   /* how many entries of pid[] are used */
	volatile sig_atomic_t reaped; /* children waited for */
	volatile sig_atomic_t served; /* ...that exited with status 0 */
	long max;                     /* --max-children: the size of pid[] */
	pid_t pid[];                  /* live (unreaped) children; 0 = free */
};
static enum reap_mode reap = REAP_LOOP;
static int narrate = 1; /* !--quiet, for the handler */
static struct children *kids;
static sigset_t sigchld_set; /* just SIGCHLD, for sigprocmask() */

/* Async-signal-safe formatting for the handler: no printf there. */
static size_t put_str(char *buf, size_t at, size_t cap, const char *s)
{
	while (*s != '\0' && at + 1 < cap)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, size_t cap, long v)
{
	char digits[24];
	size_t n = 0;

	if (v < 0) {
		at = put_str(buf, at, cap, "-");
		v = -v;
	}
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < sizeof digits);
	while (n > 0 && at + 1 < cap)
		buf[at++] = digits[--n];
	return at;
}

/* A child was waited for: free its slot, count it, and narrate it with
 * write(2), which (unlike printf) may be called from a signal handler. */
static void note_reaped(const char *call, pid_t pid, int st)
{
	char line[160];
	size_t at = 0;
	long i;

	for (i = 0; i < kids->max; i++) {
		if (kids->pid[i] == pid) {
			kids->pid[i] = 0;
			kids->live--;
			break;
		}
	}
	kids->reaped++;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		kids->served++;
	if (!narrate)
		return;
	at = put_str(line, at, sizeof line, call);
	while (at < 44)
		line[at++] = ' ';
	at = put_str(line, at, sizeof line, " -> pid ");
	at = put_num(line, at, sizeof line, (long)pid);
	if (WIFEXITED(st)) {
		at = put_str(line, at, sizeof line, " (exit ");
		at = put_num(line, at, sizeof line, WEXITSTATUS(st));
	} else {
		at = put_str(line, at, sizeof line, " (killed by signal ");
		at = put_num(line, at, sizeof line,
		             WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
	at = put_str(line, at, sizeof line, "): reaped\n");
	(void)!write(STDOUT_FILENO, line, at);
}

/*
 * The SIGCHLD handler. The kernel sends SIGCHLD when a child exits, but a
 * standard signal is not queued: while one is pending, more exits add
 * nothing. So one signal may stand for many exited children, and only a
 * loop until waitpid() finds none left reaps them all. WNOHANG: do not
 * block when the children that are left are still running.
 */
static void on_sigchld(int sig)
{
	int saved_errno = errno; /* waitpid() may change it under main's feet */
	int st;
	pid_t pid;

	(void)sig;
	if (reap == REAP_ONCE) {
		/* The article's first handler (os.wait()): one child per signal. */
		pid = wait(&st);
		if (pid > 0)
			note_reaped("wait(&st)", pid, st);
	} else {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			note_reaped("waitpid(-1, &st, WNOHANG)", pid, st);
	}
	errno = saved_errno;
}

static int install_sigchld(void)
{
	struct sigaction sa;

	if (reap == REAP_NONE)
		return 0; /* the mistake: nobody waits, children stay zombies */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sigchld;
	/* No SA_RESTART, like the article's Python: a blocked accept() returns
	 * EINTR when the handler has run. SA_NOCLDSTOP: no SIGCHLD when a child
	 * is merely stopped (kill -STOP), which wait() would block on. */
	sa.sa_flags = SA_NOCLDSTOP;
	return sigaction(SIGCHLD, &sa, NULL);
}

/* Blocks or unblocks SIGCHLD around the code that updates the table. */
static void sigchld_block(int how)
{
	sigprocmask(how, &sigchld_set, NULL);
}

static void remember(pid_t pid)
{
	long i;

	for (i = 0; i < kids->max; i++) {
		if (kids->pid[i] == 0) {
			kids->pid[i] = pid;
			kids->live++;
			return;
		}
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps secs seconds; a signal that sets server_stop ends it early. */
static void sleep_unless_stopped(double secs)
{
	double end = now_s() + secs, left;

	while (!server_stop && (left = end - now_s()) > 0)
		poll(NULL, 0, left > 1 ? 1000 : (int)(left * 1000) + 1);
}

/* ------------------------------------------------------------- refusing */

/* No child for this client (the cap, or fork() failed): a 503, then close.
 * Closing a socket with unread data makes the kernel send RST instead of
 * FIN, and a client that gets RST reports "connection reset", not our 503.
 * So we read what the client has sent so far, and shutdown(SHUT_WR) sends
 * the FIN right after the 503: should more of the request arrive before (or
 * after) close(), the RST then comes after the end of the reply. */
static void refuse(const struct server_opts *o, int conn)
{
	static const char msg[] =
	        "HTTP/1.1 503 Service Unavailable\r\n"
	        "Content-Type: text/plain\r\n"
	        "Connection: close\r\n\r\n"
	        "Too many clients at once: try again later.\n";
	char drain[4096], call[64];

	while (recv(conn, drain, sizeof drain, MSG_DONTWAIT) > 0)
		;
	if (send(conn, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		cli_error(PROG, "send 503: %s", strerror(errno));
	shutdown(conn, SHUT_WR);
	snprintf(call, sizeof call, "close(%d)", conn);
	close(conn);
	server_say(o, call, "ok, answered 503 Service Unavailable");
}

/* ------------------------------------------------------------- stopping */

/* SIGINT/SIGTERM (or a fatal accept() error): every child is waited for,
 * so that none is left a zombie. Those still busy after STOP_GRACE seconds
 * (a long --child-sleep) get SIGTERM; they stop at once. */
static void wait_for_children(void)
{
	double deadline = now_s() + STOP_GRACE;
	int termed = 0, st;
	long i;

	/* From now on main() reaps, not the handler. */
	sigchld_block(SIG_BLOCK);
	if (kids->live > 0)
		printf("Stopping: waiting up to %g s for %d child%s\n",
		       STOP_GRACE, (int)kids->live,
		       kids->live == 1 ? "" : "ren");
	while (kids->live > 0) {
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			note_reaped("waitpid(-1, &st, WNOHANG)", pid, st);
			continue;
		}
		if (pid ==
		    -1) { /* ECHILD: nobody left (cannot happen: live > 0) */
			cli_error(PROG, "waitpid: %s", strerror(errno));
			break;
		}
		if (now_s() > deadline) {
			int sig = termed ? SIGKILL : SIGTERM;

			printf("Stopping: %d child%s still running after %g s: sending "
			       "%s\n",
			       (int)kids->live, kids->live == 1 ? "" : "ren",
			       termed ? 2 * STOP_GRACE : STOP_GRACE,
			       termed ? "SIGKILL" : "SIGTERM");
			for (i = 0; i < kids->max; i++)
				if (kids->pid[i] != 0)
					kill(kids->pid[i], sig);
			termed++;
			deadline = now_s() + STOP_GRACE;
		}
		poll(NULL, 0, 20);
	}
}

/* ------------------------------------------------------------- options */

struct fork_opts {
	double child_sleep;
	long max_children;
	int retry_accept;
	int keep_conn;
	long max_fds; /* 0 = leave RLIMIT_NOFILE alone */
	long nproc;   /* 0 = leave RLIMIT_NPROC alone */
};

static int fork_option(struct fork_opts *f, int opt, const char *arg)
{
	char err[256];

	switch (opt) {
	case 's':
		if (num_parse_seconds(arg, 86400, "child-sleep",
		                      &f->child_sleep, err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		return 0;
	case 'n':
		if (num_parse_long(arg, 1, 100000, "max-children",
		                   &f->max_children, err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		return 0;
	case 'r':
		if (strcmp(arg, "loop") == 0)
			reap = REAP_LOOP;
		else if (strcmp(arg, "once") == 0)
			reap = REAP_ONCE;
		else if (strcmp(arg, "none") == 0)
			reap = REAP_NONE;
		else
			return cli_usage_error(PROG,
			                       "invalid reap mode '%s': expected "
			                       "loop, once or none",
			                       arg);
		return 0;
	case 'R':
		f->retry_accept = 1;
		return 0;
	case 'k':
		f->keep_conn = 1;
		return 0;
	case 'F':
		if (num_parse_long(arg, 4, 1048576, "max-fds", &f->max_fds, err,
		                   sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		return 0;
	case 'N':
		if (num_parse_long(arg, 1, 4194304, "nproc", &f->nproc, err,
		                   sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		return 0;
	default:
		return 1;
	}
}

/* setrlimit(): the soft limit only, as `ulimit -S` does; narrated. */
static int set_limit(const struct server_opts *o, int resource,
                     const char *name, long value)
{
	struct rlimit rl;
	char call[64];

	if (getrlimit(resource, &rl) == -1)
		return cli_error(PROG, "getrlimit %s: %s", name,
		                 strerror(errno));
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)value > rl.rlim_max)
		return cli_error(PROG,
		                 "setrlimit %s %ld: above the hard limit %llu",
		                 name, value, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = (rlim_t)value;
	snprintf(call, sizeof call, "setrlimit(%s, %ld)", name, value);
	if (setrlimit(resource, &rl) == -1)
		return cli_error(PROG, "setrlimit %s %ld: %s", name, value,
		                 strerror(errno));
	server_say(o, call, "ok");
	return 0;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "child-sleep", required_argument, NULL, 's' },
		{ "max-children", required_argument, NULL, 'n' },
		{ "reap", required_argument, NULL, 'r' },
		{ "retry-accept", no_argument, NULL, 'R' },
		{ "keep-conn", no_argument, NULL, 'k' },
		{ "max-fds", required_argument, NULL, 'F' },
		{ "nproc", required_argument, NULL, 'N' },
		SERVER_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct server_opts o;
	struct fork_opts f = { 0, MAX_CHILDREN_DEFAULT, 0, 0, 0, 0 };
	int *kept = NULL; /* --keep-conn: the connections the parent holds */
	long nkept = 0, capkept = 0, forked = 0, i;
	char call[64];
	int opt, lfd, status = 0, told_nproc = 0;

	server_opts_init(&o, PROG);
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, SERVER_SHORT_OPTS "s:n:r:RkF:N:",
	                          longopts, NULL)) != -1) {
		int rc;

		if (opt == 'h') {
			usage();
			return cli_finish(PROG, 0);
		}
		if (opt == 'V')
			return cli_finish(PROG, cli_version(PROG));
		rc = fork_option(&f, opt, optarg);
		if (rc == 1)
			rc = server_option(&o, opt, optarg);
		if (rc == 1)
			return cli_bad_option(PROG, longopts, opt, optopt,
			                      argv[optind - 1]);
		if (rc != 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error(PROG, "unexpected argument '%s'",
		                       argv[optind]);
	if (f.retry_accept && reap != REAP_ONCE)
		return cli_usage_error(
		        PROG,
		        "--retry-accept goes with --reap once "
		        "(--reap loop always retries; none has no handler)");

	/* One line at a time, even in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	narrate = !o.quiet;
	sigemptyset(&sigchld_set);
	sigaddset(&sigchld_set, SIGCHLD);
	kids = calloc(1, sizeof *kids +
	                         (size_t)f.max_children * sizeof kids->pid[0]);
	if (kids == NULL)
		return cli_error(PROG, "out of memory");
	kids->max = f.max_children;
	if (server_signals() == -1 || install_sigchld() == -1) {
		free(kids);
		return cli_error(PROG, "sigaction: %s", strerror(errno));
	}
	if ((f.max_fds > 0 &&
	     set_limit(&o, RLIMIT_NOFILE, "RLIMIT_NOFILE", f.max_fds) != 0) ||
	    (f.nproc > 0 &&
	     set_limit(&o, RLIMIT_NPROC, "RLIMIT_NPROC", f.nproc) != 0)) {
		free(kids);
		return 1;
	}
	if (f.nproc > 0 && geteuid() == 0 && !o.quiet)
		printf("note: RLIMIT_NPROC is not enforced for root: fork() will not "
		       "fail; run as an unprivileged user to see EAGAIN\n");

	/* socket -> setsockopt -> bind -> listen, narrated (tools/server.c). */
	lfd = server_listen(&o);
	if (lfd == -1) {
		free(kids);
		return 1;
	}

	while (!server_stop) {
		int conn = accept(lfd, NULL, NULL);
		pid_t pid;

		if (conn == -1) {
			int e = errno;

			if (e == EINTR && server_stop)
				break; /* SIGINT or SIGTERM */
			if (e == EINTR && reap == REAP_ONCE &&
			    !f.retry_accept) {
				/* The article's crash: the SIGCHLD handler ran while
				 * accept() was blocked, and accept() gave up. */
				cli_error(PROG,
				          "accept: %s (EINTR): the SIGCHLD handler ran "
				          "while accept() was blocked, and accept() is not "
				          "called again: stopping",
				          strerror(e));
				cli_hint(PROG,
				         "retry accept() on EINTR (--retry-accept), or "
				         "install the handler with SA_RESTART");
				status = 1;
				break;
			}
			if (e == EINTR) {
				/* The fix: a signal interrupted accept(); call it again. */
				if (!o.quiet) {
					snprintf(call, sizeof call,
					         "accept(%d)", lfd);
					server_say(&o, call,
					           "EINTR (a signal handler ran): "
					           "calling accept() again");
				}
				continue;
			}
			if (e == EMFILE || e == ENFILE) {
				cli_error(PROG, "accept: %s (%s): %s",
				          strerror(e),
				          e == EMFILE ? "EMFILE" : "ENFILE",
				          e == EMFILE
				                  ? "this process has used up its "
				                    "descriptors (RLIMIT_NOFILE)"
				                  : "the system has used up its descriptors");
				if (f.keep_conn)
					cli_hint(PROG,
					         "the parent holds %ld connections it never "
					         "closed (--keep-conn): after fork() the parent "
					         "must close its copy",
					         nkept);
				cli_error(PROG,
				          "no descriptor will be freed: stopping");
				status = 1;
				break;
			}
			/* A connection that died in the queue, or a shortage that
			 * may pass: say so, take a breath, go on. */
			cli_error(PROG, "accept: %s", strerror(e));
			poll(NULL, 0, 100);
			continue;
		}
		server_accepted(&o, lfd, conn);

		sigchld_block(SIG_BLOCK); /* the table, and live, stay ours */
		if (kids->live >= kids->max) {
			sigchld_block(SIG_UNBLOCK);
			cli_error(PROG,
			          "%ld children already (--max-children %ld): "
			          "no fork for this client",
			          kids->max, kids->max);
			refuse(&o, conn);
			continue;
		}

		/* Anything still in stdout's buffer would be printed twice:
		 * once by the parent and once by the child, who gets a copy.
		 * (With --quiet the parent prints nothing: nothing to flush.) */
		if (!o.quiet)
			fflush(stdout);
		pid = fork();
		if (pid == -1) {
			int e = errno;

			sigchld_block(SIG_UNBLOCK);
			cli_error(PROG, "fork: %s%s: no child for this client",
			          strerror(e), e == EAGAIN ? " (EAGAIN)" : "");
			if (e == EAGAIN && !told_nproc++)
				cli_hint(PROG,
				         "too many processes for this user "
				         "(RLIMIT_NPROC, ulimit -u); zombies count too");
			refuse(&o, conn);
			continue;
		}

		if (pid == 0) {
			/* The child: fork() returned 0. It has a copy of every
			 * descriptor, so the listening socket is open twice now:
			 * the child closes its copy, the parent keeps listening.
			 * It has a copy of the signal mask too: SIGCHLD stays
			 * blocked here, which is harmless, as this child has no
			 * children of its own (one that went on to exec() a
			 * program would unblock it first: the mask survives
			 * exec()). */
			int rc;

			close(lfd);
			if (!o.quiet) {
				snprintf(call, sizeof call, "close(%d)", lfd);
				server_say(&o, call,
				           "ok, the child's copy of the listening "
				           "socket");
				printf("Child PID: %ld. Parent PID %ld\n",
				       (long)getpid(), (long)getppid());
			}
			rc = server_serve(&o, conn) == 0 ? 0 : 1;
			if (f.child_sleep > 0) {
				snprintf(call, sizeof call, "sleep(%g)",
				         f.child_sleep);
				server_say(&o, call,
				           "child %ld sleeps with the connection "
				           "open (fd %d)",
				           (long)getpid(), conn);
				sleep_unless_stopped(f.child_sleep);
			}
			close(conn);
			if (!o.quiet) {
				snprintf(call, sizeof call, "close(%d)", conn);
				server_say(&o, call, "ok, child %ld exits%s",
				           (long)getpid(),
				           f.keep_conn
				                   ? " (the parent still holds "
				                     "its copy: no FIN)"
				                   : "");
				rc = cli_finish(PROG, rc); /* flush, check */
			}
			/* _exit(), not exit(): exit() would run the parent's
			 * atexit() handlers, flush the stdio buffers the child got
			 * as copies at fork() (what they hold is the parent's to
			 * print), and tear the C library down: work, and pages
			 * copied, for nothing. What the child printed itself,
			 * cli_finish() has flushed; the kernel closes the
			 * descriptors and frees the memory. */
			_exit(rc);
		}

		/* The parent: fork() returned the child's pid. */
		remember(pid);
		forked++;
		sigchld_block(SIG_UNBLOCK);
		server_say(&o, "fork()", "child pid %ld", (long)pid);

		if (!f.keep_conn) {
			/* The parent's copy: the child's stays open, so no FIN yet. */
			close(conn);
			if (!o.quiet) {
				snprintf(call, sizeof call, "close(%d)", conn);
				server_say(&o, call,
				           "ok, the parent's copy (the child has "
				           "its own)");
			}
			continue;
		}
		/* The mistake: the connection now outlives the child. */
		if (nkept == capkept) {
			long cap = capkept ? 2 * capkept : 64;
			int *grown = realloc(kept, (size_t)cap * sizeof *kept);

			if (grown == NULL) {
				cli_error(PROG,
				          "out of memory: closing fd %d after all",
				          conn);
				close(conn);
				continue;
			}
			kept = grown;
			capkept = cap;
		}
		kept[nkept++] = conn;
		server_say(&o, "(no close)",
		           "the parent keeps fd %d (--keep-conn): "
		           "%ld connection%s held open",
		           conn, nkept, nkept == 1 ? "" : "s");
	}

	snprintf(call, sizeof call, "close(%d)", lfd);
	close(lfd);
	server_say(&o, call, "ok, no more clients");
	if (status != 0 && reap == REAP_ONCE) {
		/* The article's server died here, its children left to init. */
		free(kept);
		free(kids);
		return cli_finish(PROG, status);
	}
	for (i = 0; i < nkept; i++)
		close(kept[i]); /* --keep-conn: the FINs come only now */
	free(kept);
	wait_for_children();
	printf("children: %ld forked, %ld reaped, %d left\n", forked,
	       (long)kids->reaped, (int)kids->live);
	printf("Stopped: served %ld request%s.\n", (long)kids->served,
	       kids->served == 1 ? "" : "s");
	free(kids);
	return cli_finish(PROG, status);
}
