/*
 * start: starting a server for one check, and stopping it so that
 * nothing of it is left (see check.h).
 *
 *   fork()                  a child that becomes the server
 *   setpgid(0, 0)           in a process group of its own (both sides do
 *                           it, so that it is done before either goes on):
 *                           kill(-pgid, sig) then reaches every process it
 *                           forks, and Ctrl-C in the terminal reaches
 *                           check-server alone
 *   execvp()                the command; if it fails, the child writes errno
 *                           into a pipe marked close-on-exec and exits: a
 *                           successful exec() closes the pipe, so the parent
 *                           reads EOF, or the errno (issue: "command not
 *                           found" must say so, not "exited with 127")
 *   waitid(WNOWAIT)         has it exited? without reaping it: while the
 *                           leader is an unreaped zombie, its pid (= the
 *                           group's id) cannot be given to a new process,
 *                           so kill(-pgid) can never hit a stranger
 *   kill(-pgid, SIGTERM)    at the end, and kill(pid) to every descendant
 *                           that left the group; SIGKILL after
 *                           CHK_KILL_GRACE, until none runs; then every
 *                           child reaped (check-server is a "subreaper":
 *                           the server's orphans come to it)
 *
 * The server's stdout and stderr are unlinked files of ours, not pipes: a
 * server that narrates every request never blocks on a full pipe, however
 * long check-server takes to read.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "check.h"
#include "clock.h"
#include "limit.h"
#include "sig.h"

/* Output beyond this is thrown away (the file is emptied). */
#define OUT_MAX (64L * 1024 * 1024)

/* An unlinked file for the server's output: gone when the last descriptor
 * on it closes; O_APPEND, so that emptying it is safe. */
static int out_file(char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/check-server.XXXXXX",
	         dir != NULL && *dir != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd == -1) {
		snprintf(err, errlen, "mkstemp %s: %s", path, strerror(errno));
		return -1;
	}
	unlink(path);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, O_APPEND) == -1) {
		snprintf(err, errlen, "fcntl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The argv to run: {port} replaced by port in every argument. */
static char **with_port(char **cmd, unsigned short port)
{
	size_t n = 0, i;
	char **argv, digits[8];

	snprintf(digits, sizeof digits, "%u", port);
	while (cmd[n] != NULL)
		n++;
	argv = calloc(n + 1, sizeof *argv);
	for (i = 0; argv != NULL && i < n; i++) {
		const char *p, *hit;
		size_t at = 0;

		/* "{port}" is 6 bytes, a port 5 digits at most: no longer. */
		argv[i] = malloc(strlen(cmd[i]) + 1);
		if (argv[i] == NULL)
			break;
		for (p = cmd[i]; (hit = strstr(p, "{port}")) != NULL;
		     p = hit + 6) {
			memcpy(argv[i] + at, p, (size_t)(hit - p));
			at += (size_t)(hit - p);
			memcpy(argv[i] + at, digits, strlen(digits));
			at += strlen(digits);
		}
		strcpy(argv[i] + at, p);
	}
	if (argv != NULL && i < n) { /* out of memory */
		while (i > 0)
			free(argv[--i]);
		free(argv);
		return NULL;
	}
	return argv;
}

static void free_argv(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* In the child, before exec(): descriptors 0 (/dev/null), 1 and 2 (our
 * files), nothing else; the signal settings a program expects. */
static void child_setup(const struct chk_server *s, int keep, pid_t parent)
{
	sigset_t none;
	int fd, maxfd = (int)sysconf(_SC_OPEN_MAX);

	setpgid(0, 0);
#ifdef __linux__
	/* Should check-server die (kill -9), the server gets SIGKILL; if it
	 * died before the prctl(), getppid() has changed already. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
#else
	(void)parent;
#endif
	fd = open("/dev/null", O_RDONLY);
	if (fd != -1 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(s->out, 1);
	dup2(s->err, 2);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 3; fd < maxfd; fd++)
		if (fd != keep)
			close(fd);
	signal(SIGPIPE, SIG_DFL); /* ignored here; exec() would keep that */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Python buffers stdout in a file: its ready line would not come. */
	setenv("PYTHONUNBUFFERED", "1", 0);
}

/* fork, setpgid, execvp; the errno of a failed exec() through the pipe. */
static int spawn(struct chk_ctx *c, struct chk_server *s, char **argv)
{
	int pfd[2], e = 0;
	pid_t parent = getpid();
	ssize_t n;

	if (pipe(pfd) == -1)
		return chk_fail(c, "pipe: %s", strerror(errno));
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC); /* closed by a successful exec */
	fflush(stdout);
	s->pid = fork();
	if (s->pid == -1) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return chk_fail(c, "fork: %s", strerror(e));
	}
	if (s->pid == 0) {
		close(pfd[0]);
		child_setup(s, pfd[1], parent);
		execvp(argv[0], argv);
		e = errno;
		(void)!write(pfd[1], &e, sizeof e);
		_exit(127);
	}
	setpgid(s->pid, s->pid); /* EACCES once it has exec'd: it did it */
	close(pfd[1]);
	if (clock_wait_fd(pfd[0], POLLIN, clock_now() + c->o->limit[LIM_READY],
	                  &c->waitmask) == -1 &&
	    chk_stop) {
		close(pfd[0]);
		return -1;
	}
	do
		n = read(pfd[0], &e, sizeof e);
	while (n == -1 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof e) {
		chk_fail(c, "cannot run '%s': %s", argv[0], strerror(e));
		if (e == ENOENT && strchr(argv[0], '/') == NULL)
			cli_hint("check-server",
			         "'%s' is not in PATH: give its path, e.g. ./%s",
			         argv[0], argv[0]);
		return -1;
	}
	chk_trace_fork(s->pid);
	say(&c->say, "fork() + execvp()", "pid %ld, process group %ld",
	    (long)s->pid, (long)s->pid);
	return 0;
}

/* Has the started process exited? Learnt with WNOWAIT: it stays a zombie,
 * unreaped, until chk_stop_server(). Also empties an output file that grew
 * too large. */
int chk_ended(struct chk_server *s)
{
	siginfo_t si;
	struct stat st;

	if (fstat(s->out, &st) == 0 && st.st_size > OUT_MAX) {
		ftruncate(s->out, 0);
		s->out_seen = 0;
	}
	if (fstat(s->err, &st) == 0 && st.st_size > OUT_MAX)
		ftruncate(s->err, 0);
	if (s->ended || s->pid <= 0)
		return s->ended;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
	            0 &&
	    si.si_pid == s->pid) {
		s->ended = 1;
		s->code = si.si_code;
		s->status = si.si_status;
	}
	return s->ended;
}

/* Where the running processes of a server are: how many, how many
 * outside its process group (setsid(), setpgid()), how many orphans that
 * came back to check-server (their parent died). */
struct spread {
	long live, outside, orphans;
};

/* Sends sig to every running process of the server: the group at once,
 * and one by one those that left it. Says where they are. */
static struct spread signal_all(struct chk_ctx *c, const struct chk_server *s,
                                int sig)
{
	struct chk_procs l = { NULL, 0, 0 };
	struct spread w = { 0, 0, 0 };
	char err[128];
	pid_t me = getpid();
	size_t i;

	if (chk_procs_read(&l, s->pid, err, sizeof err) == -1)
		return w;
	w.live = chk_procs_live(&l);
	for (i = 0; i < l.n; i++) {
		if (l.p[i].state == 'Z' || l.p[i].state == 'X')
			continue;
		w.outside += l.p[i].pgrp != s->pid;
		w.orphans += l.p[i].ppid == me && l.p[i].pid != s->pid;
	}
	if (w.live > 0 && sig != 0) {
		kill(-s->pid, sig);
		for (i = 0; i < l.n; i++)
			if (l.p[i].pgrp != s->pid && l.p[i].state != 'Z')
				kill(l.p[i].pid, sig);
		say(&c->say,
		    sig == SIGTERM ? "kill(-pgid, SIGTERM)"
		                   : "kill(-pgid, SIGKILL)",
		    "group %ld: %ld running", (long)s->pid, w.live);
	}
	chk_procs_free(&l);
	return w;
}

/* Kills what is left of the server and reaps every process that came to
 * us: SIGTERM to the group and to every descendant that left it, SIGKILL
 * after CHK_KILL_GRACE, again and again until none runs (a process that
 * forks while it is killed leaves a child: the next round finds it). What
 * had to be killed outside the group is said, and counted in
 * ctx->escaped: check-server then never exits 0. Every wait has a
 * deadline; a second stop signal does not cut the cleaning short. */
void chk_stop_server(struct chk_ctx *c, struct chk_server *s)
{
	double t0 = clock_now(), t;
	int step = 0; /* 0: SIGTERM to send, 1: SIGKILL to send, 2: sent */
	struct spread first = { 0, 0, 0 }, w;
	pid_t pid;
	int st, rounds = 0;

	while (s->pid > 0) {
		int sig = step == 0 ? SIGTERM : 0;

		t = clock_now() - t0;
		if (step >= 1 && t >= CHK_KILL_GRACE)
			sig = SIGKILL;
		/* Our children first, at once (the orphans that came
		 * back to us): a chain that forks and exits is stopped
		 * there, whatever a slower scan of /proc would miss. */
		if (sig == SIGKILL)
			chk_kill_children(getpid(), SIGKILL);
		w = signal_all(c, s, sig);
		if (rounds++ == 0)
			first = w;
		/* Those that left the group since the first round. */
		if (w.outside > first.outside)
			first.outside = w.outside;
		if (w.orphans > first.orphans)
			first.orphans = w.orphans;
		if (w.live == 0)
			break;
		if (sig != 0)
			step++;
		if (t >= 3 * CHK_KILL_GRACE) {
			cli_error("check-server",
			          "%ld process%s of the server still running "
			          "after SIGKILL (uninterruptible sleep?)",
			          w.live, w.live == 1 ? "" : "es");
			c->escaped += w.live;
			break;
		}
		clock_sleep(0.01, NULL, &c->waitmask);
	}
	/* Orphans alone are what a server that died leaves (its children
	 * come back to us): said only with those that left the group. */
	if (first.outside > 0) {
		cli_error("check-server",
		          "the server left its process group or its parent: "
		          "%ld process%s killed at the end (%ld outside its "
		          "process group, %ld orphan%s that came back to "
		          "check-server)",
		          first.live, first.live == 1 ? "" : "es",
		          first.outside, first.orphans,
		          first.orphans == 1 ? "" : "s");
		c->escaped += first.outside;
	}
	/* Reap our children: the leader, and the orphans the kernel gave us
	 * (a subreaper). */
	t0 = clock_now();
	while (clock_now() - t0 < 2 * CHK_KILL_GRACE) {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			if (pid == s->pid) {
				chk_trace_reap(pid, st);
				say(&c->say, "waitpid(-1, &st, WNOHANG)",
				    "%ld reaped, and every orphan", (long)pid);
			}
		if (pid == -1)
			break; /* ECHILD: nobody left */
		chk_kill_children(getpid(), SIGKILL);
		clock_sleep(0.01, NULL, &c->waitmask);
	}
	if (s->out >= 0)
		close(s->out);
	if (s->err >= 0)
		close(s->err);
	s->out = s->err = -1;
	s->pid = 0;
	free_argv(s->argv);
	s->argv = NULL;
}

/* A port that is free now: bind 127.0.0.1:0, getsockname(), close. */
int chk_free_port(unsigned short *port, char *err, size_t errlen)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&a, sizeof a) == -1 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) == -1) {
		snprintf(err, errlen, "bind 127.0.0.1:0: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	*port = ntohs(a.sin_port);
	return 0;
}

/* The server, started: its output files, {port} replaced, fork, exec.
 * 0, or -1 (ctx->error). chk_ready() then waits until it listens. */
int chk_spawn(struct chk_ctx *c, struct chk_server *s)
{
	return chk_spawn_on(c, s, 0);
}

int chk_spawn_on(struct chk_ctx *c, struct chk_server *s, unsigned short want)
{
	unsigned short port = want;
	char err[640], **argv;
	int given = 0;
	size_t i;

	memset(s, 0, sizeof *s);
	s->out = s->err = -1;
	for (i = 0; c->o->cmd[i] != NULL; i++)
		given |= strstr(c->o->cmd[i], "{port}") != NULL;
	if (given && port == 0 && chk_free_port(&port, err, sizeof err) == -1)
		return chk_fail(c, "a free port for {port}: %s", err);
	if ((s->out = out_file(err, sizeof err)) == -1 ||
	    (s->err = out_file(err, sizeof err)) == -1)
		return chk_fail(c, "a file for the server's output: %s", err);
	fstat(s->out, &s->out_st);
	argv = with_port(c->o->cmd, port);
	if (argv == NULL || argv[0] == NULL) {
		free_argv(argv);
		return chk_fail(c, "out of memory, or no command");
	}
	s->port = port;
	s->argv = argv; /* freed by chk_stop_server() */
	s->given = given;
	return spawn(c, s, argv);
}
