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
 *   loop, because standard signals are not queued.
 *
 * Usage
 *   srv-fork [-s S] [-M N] [-r loop|once|none|ignore|nocldwait]
 *            [--retry-accept] [-K] [--max-fds N] [--nproc N]
 *            [--exec CMD [--no-cloexec]] [-p PORT] [-H ADDR] [-b N] [-l]
 *            [-t S] [-m N] [-q] [--no-reuseaddr] [--sigpipe]
 *   (--child-sleep, --max-children, --reap, --keep-conn, and srv-iter's
 *   options)
 *
 * Try it
 *   ./bin/srv-fork --child-sleep 60               # terminal 1
 *   curl http://localhost:8888/hello              # terminals 2 and 3: both
 *   curl http://localhost:8888/hello              # answered at once
 *   ./bin/srv-fork --reap none                    # zombies: ps -o pid,ppid,stat,comm
 *
 * Things to notice
 *   - Every line says which process printed it: "[parent] " or
 *     "[child PID] ". "Child PID: X. Parent PID Y": Y is the server; each
 *     client has its own child, so a sleeping child delays nobody else.
 *   - The parent's descriptors stay 0, 1, 2, 3: it closes each connection
 *     right after fork(). With --keep-conn it does not: curl never finishes
 *     (no FIN), and with --max-fds accept() soon fails with EMFILE.
 *   - --reap none leaves a zombie (state Z) per client; kill -9 cannot
 *     remove it, only a wait by its parent (or the parent's death) can.
 *   - --reap once is the article's first handler: accept() fails with EINTR
 *     and the server dies; with --retry-accept it lives, but a burst of
 *     clients leaves zombies again: several SIGCHLDs became one.
 *   - --reap ignore (SIGCHLD set to SIG_IGN) or nocldwait (SA_NOCLDWAIT):
 *     the kernel reaps every child, no zombie, but no exit status either:
 *     waitpid() can only say ECHILD (lesson 7).
 *   - --exec CMD: each child becomes CMD (dup2, execl), as a CGI server
 *     runs a script; the listener is close-on-exec (fcntl FD_CLOEXEC).
 *     --no-cloexec: CMD inherits it and keeps the port after a kill -9.
 *
 * The table of children, the 503 when it is full, the stop sequence and
 * the resource limits are not the article's: they are in
 * tools/server/children.c.
 * (This file is some 230 lines over socklab's 400: its --help documents
 * each of the article's mistakes and lesson 7's, and it has nine options
 * of its own.)
 *
 * See also
 *   docs/05-fork-and-zombies.md; tools/srv-iter.c (socket..listen, recv,
 *   send); fork(2), close(2), accept(2), waitpid(2), sigaction(2),
 *   signal(7), getrlimit(2), srv-iter(1), srv-sleep(1), cli-connect(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "num.h"
#include "say.h"
#include "sig.h"
#include "server/children.h"
#include "server/server.h"

static const char *const PROG = "srv-fork";

#define MAX_CHILDREN_DEFAULT 1024 /* live children; more get 503 */

enum reap_mode { REAP_LOOP, REAP_ONCE, REAP_NONE, REAP_IGNORE, REAP_NOCLDWAIT };

/* srv-fork's own options (parse_args()), and what its stop needs. */
static struct opts {
	double child_sleep;
	long max_children;
	enum reap_mode reap;
	int retry_accept;
	int keep_conn;
	long max_fds;     /* 0 = leave RLIMIT_NOFILE alone */
	long nproc;       /* 0 = leave RLIMIT_NPROC alone */
	int crashed;      /* --reap once: accept() failed with EINTR */
	const char *exec; /* --exec CMD: the child runs it; NULL = serve */
	int no_cloexec;   /* --no-cloexec: the listener is inherited by CMD */
} o;

/* What the SIGCHLD handler needs, set by start() before it installs it. */
static struct children *kids;
static const struct say *parent_say; /* "[parent] ", --quiet */

static int parse_args(struct server *s, int argc, char **argv);
static int start(struct server *s);
static void on_sigchld_loop(int sig);
static void on_sigchld_once(int sig);
static void reaped(const char *call, pid_t pid, int st);
static int accept_once(struct server *s, int lfd, struct client *c);
static int eintr_crash(int e);
static void child(struct server *s, int lfd, const struct client *c);
static void exec_cmd(struct server *s, const struct client *c);
static int stop(struct server *s, int lfd, int status);
static void kernel_reaped(const struct server *s);

int main(int argc, char **argv)
{
	struct server s;
	int rc, lfd, status = 0;

	if (cli_start() != 0)
		return 1;
	server_init(&s, PROG);
	rc = parse_args(&s, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	/* SIGCHLD's handler (sigaction), then srv-iter's socket..listen. */
	lfd = start(&s);
	if (lfd == -1)
		return cli_finish(PROG, stop(&s, lfd, 1));

	/* srv-iter's loop, and a child for each client. */
	while (!server_stop) {
		struct client c = { .addrlen = sizeof c.addr };
		pid_t pid;

		/* accept: the first connection of the queue, as a new
		 * descriptor, and the client's address. */
		if (o.reap == REAP_ONCE) /* the mistake: accept_once() */
			c.fd = accept_once(&s, lfd, &c);
		else
			c.fd = accept(lfd, (struct sockaddr *)&c.addr,
			              &c.addrlen);
		if (c.fd == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* None yet: wait for one (server_wait(): why the
			 * waiting is not accept()'s, tools/server/server.h). */
			server_wait(&s, lfd, POLLIN, 0);
			continue; /* a client, or a signal: server_stop */
		}
		if (c.fd == -1) {
			if (!o.crashed &&
			    children_accept_failed(kids, &s, errno) == 0)
				continue;
			/* EMFILE...: said why; retrying would only spin. */
			status = 1;
			break;
		}
		server_accepted(&s, lfd, &c);
		if (children_refuse_if_full(kids, &s, c.fd))
			continue; /* 503 */

		/* fork: a copy of this process, which serves the client. */
		pid = fork();
		if (pid == -1) {
			children_no_fork(&s, c.fd, errno); /* 503 */
			continue;
		}
		if (pid == 0)
			child(&s, lfd, &c); /* never returns */
		if (o.reap == REAP_IGNORE || o.reap == REAP_NOCLDWAIT)
			kids->forked++; /* the kernel reaps it: not ours to wait */
		else
			children_add(kids, pid);
		say(&s.say, "fork()", "child pid %ld", (long)pid);
		if (o.keep_conn) { /* the mistake (webserver3d): no close */
			children_keep(kids, &s, c.fd);
			continue;
		}

		/* close: the parent's copy (no FIN: the child has its own). */
		if (close(c.fd) == -1) {
			cli_error(PROG, "close: %s", strerror(errno));
			continue;
		}
		say_fd(&s.say, "close", c.fd, NULL,
		       "ok, the parent's copy (the child has its own)");
	}
	return cli_finish(PROG, stop(&s, lfd, status));
}

/* The table of children, SIGCHLD's handler, the stop signals, the limits,
 * then srv-iter's socket..listen. Returns the listener, or -1 (said why). */
static int start(struct server *s)
{
	struct sigaction sa;
	int lfd;

	say_tag(&s->say, "[parent] ");
	parent_say = &s->say;
	kids = children_new(o.max_children);
	if (kids == NULL) {
		cli_error(PROG, "out of memory");
		return -1;
	}

	/* sigaction: SIGCHLD, sent when a child exits, runs the handler that
	 * waits for it. No SA_RESTART, as in the article's Python, so that
	 * the handler interrupts a blocked accept() (EINTR). SA_NOCLDSTOP:
	 * no SIGCHLD for a child that is merely stopped (kill -STOP). --reap
	 * none, the mistake: no handler, nobody waits. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = o.reap == REAP_LOOP ? on_sigchld_loop : on_sigchld_once;
	sa.sa_flags = SA_NOCLDSTOP;
	/* --reap ignore: SIGCHLD's action SIG_IGN; --reap nocldwait: its
	 * default action, and SA_NOCLDWAIT. Either way (POSIX, Linux) the
	 * kernel reaps each child as it exits: no zombie, and no exit status
	 * for the parent (waitpid() fails with ECHILD once none is left). */
	if (o.reap == REAP_IGNORE)
		sa.sa_handler = SIG_IGN;
	if (o.reap == REAP_NOCLDWAIT) {
		sa.sa_handler = SIG_DFL;
		sa.sa_flags |= SA_NOCLDWAIT;
	}
	if (o.reap != REAP_NONE && sigaction(SIGCHLD, &sa, NULL) == -1) {
		cli_error(PROG, "sigaction %d: %s", SIGCHLD, strerror(errno));
		return -1;
	}
	if (o.reap == REAP_IGNORE || o.reap == REAP_NOCLDWAIT)
		say(&s->say,
		    o.reap == REAP_IGNORE
		            ? "sigaction(SIGCHLD, SIG_IGN)"
		            : "sigaction(SIGCHLD, SIG_DFL, SA_NOCLDWAIT)",
		    "ok: the kernel reaps every child; no exit status");
	/* SIGCHLD blocked outside the waits, as the stop signals are
	 * (server_block()): its handler runs only while the parent waits for
	 * a client, or when children_refuse_if_full() lets it in, never in
	 * the middle of the table. */
	if (server_signals(s) != 0 || server_block(s, SIGCHLD) != 0 ||
	    children_limits(s, o.max_fds, o.nproc) != 0)
		return -1;
	lfd = server_listen(s);
	/* --exec: a program the children exec must not get the listener:
	 * FD_CLOEXEC closes it at execve(). (--no-cloexec: the mistake.) */
	if (lfd != -1 && o.exec != NULL && !o.no_cloexec) {
		if (fcntl(lfd, F_SETFD, FD_CLOEXEC) == -1) {
			cli_error(PROG, "fcntl FD_CLOEXEC: %s",
			          strerror(errno));
			close(lfd);
			return -1;
		}
		say_fd(&s->say, "fcntl", lfd, "F_SETFD, FD_CLOEXEC",
		       "ok: closed in whatever a child execs");
	}
	/* Non-blocking, as srv-iter's: accept() is tried first, the wait
	 * comes only when no client is there. Not with --reap once, whose
	 * accept() blocks, as the article's does. */
	if (lfd != -1 && o.reap != REAP_ONCE &&
	    server_nonblocking(s, lfd) != 0) {
		close(lfd);
		return -1;
	}
	return lfd;
}

/* The handler of --reap loop (webserver3g). The kernel sends SIGCHLD when a
 * child exits, but a standard signal is not queued: while one is pending,
 * more exits add nothing. So one signal may stand for many exited children,
 * and only a loop until waitpid() finds none left reaps them all. WNOHANG:
 * return 0, do not block, when the children left are still running. */
static void on_sigchld_loop(int sig)
{
	int saved_errno = errno; /* waitpid() may change it under main's feet */
	int st;
	pid_t pid;

	say_signal(sig); /* --trace */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		reaped("waitpid(-1, &st, WNOHANG)", pid, st);
	errno = saved_errno;
}

/* The mistake of --reap once (webserver3e's os.wait()): one child reaped
 * per signal, whatever the signal stands for. WNOHANG all the same: a
 * SIGCHLD that no exit caused (kill -CHLD) must not block the server in
 * its handler until some child exits. */
static void on_sigchld_once(int sig)
{
	int saved_errno = errno, st = 0;

	say_signal(sig); /* --trace */
	reaped("waitpid(-1, &st, WNOHANG)", waitpid(-1, &st, WNOHANG), st);
	errno = saved_errno;
}

/* A child was waited for (pid 0: none had exited): the table, and the line
 * that says so, built in a struct say_line and written with write(2):
 * printf() may not be called from a signal handler. */
static void reaped(const char *call, pid_t pid, int st)
{
	struct say_line l;

	if (pid > 0)
		children_remove(kids, pid, st);
	say_line_call(&l, parent_say, call);
	if (pid <= 0) {
		say_line_str(&l, "0: no child has exited");
	} else {
		say_line_str(&l, "pid ");
		say_line_num(&l, (long)pid);
		say_line_str(&l,
		             WIFEXITED(st) ? " (exit " : " (killed by signal ");
		say_line_num(&l,
		             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		say_line_str(&l, "): reaped");
	}
	say_line_end(&l, parent_say);
}

/* --reap once: the article's plain blocking accept(), every signal let in
 * while it blocks: that is how SIGCHLD interrupts it (EINTR), the mistake
 * this mode shows (the lost-signal window of the article's loop comes
 * back with it: tools/server/server.h). webserver3e dies of that EINTR;
 * webserver3f (--retry-accept) calls accept() again. Returns the
 * connection, or -1 with errno (o.crashed set when it dies). */
static int accept_once(struct server *s, int lfd, struct client *c)
{
	int fd, e;

	server_signals_in(s, 1);
	fd = accept(lfd, (struct sockaddr *)&c->addr, &c->addrlen);
	e = errno;
	server_signals_in(s, 0);
	if (fd == -1 && e == EINTR && !server_stop) {
		if (!o.retry_accept) /* webserver3e */
			o.crashed = eintr_crash(e);
		else /* the fix (webserver3f) */
			say_fd(&s->say, "accept", lfd, NULL,
			       "EINTR (a signal handler ran): calling accept() "
			       "again");
	}
	errno = e;
	return fd;
}

/* The article's webserver3e dies of the EINTR of its accept(). */
static int eintr_crash(int e)
{
	cli_error(PROG,
	          "accept: %s (EINTR): the SIGCHLD handler ran while accept() "
	          "was blocked, and accept() is not called again: stopping",
	          strerror(e));
	cli_hint(PROG, "retry accept() on EINTR (--retry-accept), or install "
	               "the handler with SA_RESTART");
	return 1;
}

/* The child: fork() returned 0. It serves its client and exits. */
static void child(struct server *s, int lfd, const struct client *c)
{
	char call[32];
	int rc;

	if (o.exec != NULL)
		exec_cmd(s, c); /* never returns: the listener is left to
		                   close-on-exec (--no-cloexec: CMD gets it) */

	/* It has a copy of every descriptor, so the listening socket is open
	 * twice now: the child closes its copy, the parent keeps listening.
	 * (It has a copy of the signal mask too: nothing to undo here, it
	 * has no children and execs nothing.) */
	close(lfd);
	if (!s->say.quiet) { /* getpid(), getppid(): for the narration */
		say_tag(&s->say, "[child %ld] ", (long)getpid());
		say_fd(&s->say, "close", lfd, NULL,
		       "ok, the child's copy of the listening socket");
		say_note(&s->say, "Child PID: %ld. Parent PID %ld",
		         (long)getpid(), (long)getppid());
	}
	rc = server_serve(s, c) == 0 ? 0 : 1;
	if (rc == 0 && o.child_sleep > 0) {
		snprintf(call, sizeof call, "sleep(%g)", o.child_sleep);
		say(&s->say, call, "sleeps with the connection open (fd %d)",
		    c->fd);
		server_sleep(s, o.child_sleep);
	}
	close(c->fd);
	say_fd(&s->say, "close", c->fd, NULL, "ok, the child exits%s",
	       o.keep_conn ? " (the parent still holds its copy: no FIN)" : "");
	/* _exit(), not exit(): exit() would run the parent's atexit()
	 * handlers and flush stdio buffers the child got as copies (what
	 * they hold is the parent's to print). What the child printed, we
	 * flush (cli_finish); the kernel closes the rest. */
	_exit(s->say.quiet ? rc : cli_finish(PROG, rc));
}

/* --exec CMD: the connection becomes CMD's stdin and stdout (dup2), and
 * the child becomes CMD (execl of /bin/sh -c CMD), as a CGI server runs a
 * script. Every descriptor goes along but those marked close-on-exec. */
static void exec_cmd(struct server *s, const struct client *c)
{
	sigset_t none;
	char err[128];

	say_tag(&s->say, "[child %ld] ", (long)getpid());
	say(&s->say, "execl(\"/bin/sh\", \"sh\", \"-c\", CMD)",
	    "the connection (fd %d) as its stdin and stdout", c->fd);
	fflush(stdout);
	/* What the command must not inherit from us: our blocked signals,
	 * SIGPIPE ignored (the handlers go by themselves at exec). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)sig_catch(SIGPIPE, SIG_DFL, 0, err, sizeof err);
	if (dup2(c->fd, 0) == -1 || dup2(c->fd, 1) == -1) {
		cli_error(PROG, "dup2: %s", strerror(errno));
		_exit(1);
	}
	close(c->fd);
	execl("/bin/sh", "sh", "-c", o.exec, (char *)NULL);
	cli_error(PROG, "execl /bin/sh: %s", strerror(errno));
	_exit(127);
}

/* The end: the listener closed, every child waited for (the stop
 * sequence of tools/server/children.c), the last lines. The article's
 * server, crashed, leaves its children to init instead. Returns status. */
static int stop(struct server *s, int lfd, int status)
{
	if (lfd != -1) {
		close(lfd);
		say_fd(&s->say, "close", lfd, NULL, "ok, no more clients");
	}
	if (lfd != -1 && !o.crashed &&
	    (o.reap == REAP_IGNORE || o.reap == REAP_NOCLDWAIT))
		kernel_reaped(s);
	if (lfd != -1 && !o.crashed) {
		children_stop(kids, s, reaped);
		children_summary(kids);
		server_stopped((unsigned long)kids->served);
	}
	if (kids != NULL)
		children_free(kids);
	return status;
}

/* --reap ignore, nocldwait: the kernel reaped the children; waitpid()
 * returns 0 while one still runs, and fails with ECHILD once none is
 * left: all it can tell. Waits for that up to STOP_GRACE. */
static void kernel_reaped(const struct server *s)
{
	struct say loud = s->say; /* said even with --quiet */
	double deadline = clock_now() + STOP_GRACE;
	pid_t pid;

	loud.quiet = 0;
	while ((pid = waitpid(-1, NULL, WNOHANG)) == 0 &&
	       clock_now() < deadline)
		clock_sleep(0.02, NULL, NULL);
	if (pid == -1 && errno == ECHILD)
		say(&loud, "waitpid(-1, NULL, WNOHANG)",
		    "ECHILD: no child left, each reaped by the kernel; no "
		    "exit status, none counted as served");
	else
		say_note(&loud,
		         "children still running after %g s: not waited for "
		         "(the kernel will reap them)",
		         STOP_GRACE);
}

/* ------------------------------------------------------ options, --help */

static void usage(void);
static int fork_option(void *ctx, int opt, const char *arg);

enum {
	OPT_RETRY_ACCEPT = 256,
	OPT_MAX_FDS,
	OPT_NPROC,
	OPT_EXEC,
	OPT_NO_CLOEXEC
};

static int parse_args(struct server *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "child-sleep", required_argument, NULL, 's' },
		{ "max-children", required_argument, NULL, 'M' },
		{ "reap", required_argument, NULL, 'r' },
		{ "retry-accept", no_argument, NULL, OPT_RETRY_ACCEPT },
		{ "keep-conn", no_argument, NULL, 'K' },
		{ "max-fds", required_argument, NULL, OPT_MAX_FDS },
		{ "nproc", required_argument, NULL, OPT_NPROC },
		{ "exec", required_argument, NULL, OPT_EXEC },
		{ "no-cloexec", no_argument, NULL, OPT_NO_CLOEXEC },
		SERVER_LONG_OPTS,
		SERVER_END_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int rc;

	o.child_sleep = 0;
	o.max_children = MAX_CHILDREN_DEFAULT;
	o.reap = REAP_LOOP;
	o.retry_accept = o.keep_conn = 0;
	o.max_fds = o.nproc = 0;
	o.crashed = 0;
	o.exec = NULL;
	o.no_cloexec = 0;
	rc = server_parse_args(s, argc, argv, SERVER_SHORT_OPTS "s:M:r:K",
	                       longopts, usage, fork_option, NULL);
	if (rc == CLI_OK && o.retry_accept && o.reap != REAP_ONCE)
		return cli_usage_error(PROG,
		                       "--retry-accept goes with --reap once "
		                       "(--reap loop always retries; none has no "
		                       "handler)");
	if (rc == CLI_OK && o.no_cloexec && o.exec == NULL)
		return cli_usage_error(PROG,
		                       "--no-cloexec goes with --exec CMD");
	return rc;
}

static int fork_option(void *ctx, int opt, const char *arg)
{
	char err[256];
	int rc = 0;

	(void)ctx; /* the options are o's */
	if (opt == 's')
		rc = num_parse_seconds(arg, 86400, "child-sleep",
		                       &o.child_sleep, err, sizeof err);
	else if (opt == 'M')
		rc = num_parse_long(arg, 1, 100000, "max-children",
		                    &o.max_children, err, sizeof err);
	else if (opt == OPT_MAX_FDS)
		rc = num_parse_long(arg, 4, 1048576, "max-fds", &o.max_fds, err,
		                    sizeof err);
	else if (opt == OPT_NPROC)
		rc = num_parse_long(arg, 1, 4194304, "nproc", &o.nproc, err,
		                    sizeof err);
	else if (opt == OPT_RETRY_ACCEPT)
		o.retry_accept = 1;
	else if (opt == 'K')
		o.keep_conn = 1;
	else if (opt == 'r' && strcmp(arg, "loop") == 0)
		o.reap = REAP_LOOP;
	else if (opt == 'r' && strcmp(arg, "once") == 0)
		o.reap = REAP_ONCE;
	else if (opt == 'r' && strcmp(arg, "none") == 0)
		o.reap = REAP_NONE;
	else if (opt == 'r' && strcmp(arg, "ignore") == 0)
		o.reap = REAP_IGNORE;
	else if (opt == 'r' && strcmp(arg, "nocldwait") == 0)
		o.reap = REAP_NOCLDWAIT;
	else if (opt == 'r')
		return cli_usage_error(PROG,
		                       "invalid reap mode '%s': expected loop, "
		                       "once, none, ignore or nocldwait",
		                       arg);
	else if (opt == OPT_EXEC && arg[0] == '\0')
		return cli_usage_error(PROG, "--exec: an empty command");
	else if (opt == OPT_EXEC)
		o.exec = arg;
	else if (opt == OPT_NO_CLOEXEC)
		o.no_cloexec = 1;
	else
		return 1;
	return rc == 0 ? 0 : cli_usage_error(PROG, "%s", err);
}

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
	       "                        connection open (default 0; the article: 60)\n"
	       "  -M, --max-children N  at most N live children (default %d); a\n"
	       "                        client beyond that gets 503 and is closed\n"
	       "  -r, --reap MODE       how exited children are waited for:\n"
	       "                          loop  waitpid(-1, &st, WNOHANG) until none\n"
	       "                                is left (the default, webserver3g)\n"
	       "                          once  mistake: one wait() per SIGCHLD\n"
	       "                                (webserver3e; here with WNOHANG):\n"
	       "                                accept() fails with EINTR and the\n"
	       "                                server exits; with --retry-accept it\n"
	       "                                goes on, but bursts leave zombies\n"
	       "                          none  mistake: no SIGCHLD handler: every\n"
	       "                                child stays a zombie (webserver3c)\n"
	       "                          ignore  SIGCHLD set to SIG_IGN: the kernel\n"
	       "                                reaps each child, no zombie, and no\n"
	       "                                exit status for anyone to read\n"
	       "                          nocldwait  SA_NOCLDWAIT: the same, with\n"
	       "                                SIGCHLD's action left at its default\n"
	       "      --retry-accept    with --reap once: call accept() again after\n"
	       "                        EINTR (webserver3f)\n"
	       "  -K, --keep-conn       mistake: the parent does not close its copy\n"
	       "                        of each connection (webserver3d): no FIN, the\n"
	       "                        client never finishes, descriptors pile up\n"
	       "      --max-fds N       limit this process to N descriptors (setrlimit\n"
	       "                        RLIMIT_NOFILE, ulimit -n): accept() then fails\n"
	       "                        with EMFILE; the server says so, exits 1\n"
	       "      --nproc N         limit this user to N processes (setrlimit\n"
	       "                        RLIMIT_NPROC, ulimit -u): fork() fails\n"
	       "                        with EAGAIN, the client gets 503. Not\n"
	       "                        enforced for root\n",
	       PROG, MAX_CHILDREN_DEFAULT);
	printf("      --exec CMD        each child runs CMD (/bin/sh -c) in place of\n"
	       "                        the reply, the connection its stdin and stdout\n"
	       "                        (as a CGI server does); the listener is marked\n"
	       "                        close-on-exec, so CMD does not inherit it\n"
	       "      --no-cloexec      mistake, with --exec: the listener is not\n"
	       "                        close-on-exec: CMD inherits it, and keeps the\n"
	       "                        port taken after the server is gone\n" SERVER_OPTIONS_HELP
	               SERVER_END_HELP "\n"
	       "Each line starts with the process that prints it, [parent] or\n"
	       "[child PID]; each child prints the article's 'Child PID: X. Parent\n"
	       "PID Y'.\n" SERVER_SIGNALS_HELP
	       "On a stop it waits up to %g s for its children, then sends them\n"
	       "SIGTERM (then SIGKILL): every one is reaped, none left an orphan.\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure (port in use; accept() failed\n"
	       "with EINTR under --reap once, or with EMFILE), 2 usage.\n",
	       STOP_GRACE);
}
