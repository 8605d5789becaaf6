/*
 * trace: --trace DIR, each check's steps as events (see check.h), so that
 * a teacher can see why a grade came out as it did.
 *
 * DIR/CHECK.jsonl is a trace of lib/trace (show-timeline's format): what
 * --verbose narrates for that check (its runs with --repeat, one after the
 * other), each line read back as an event by lib/trace, the way socklab's
 * servers trace their narration; and, for each server started, a fork
 * event when check-server starts it and a reap event when it reaps it,
 * with how it ended. `show-timeline DIR/CHECK.jsonl` draws check-server's
 * lane, and under it one lane per server started, from its start to its
 * reap. What happens inside the server (its children, its accept()s) is
 * not seen from outside: a socklab server writes its own trace with
 * --trace FILE, {port} in the file's name giving each start its own.
 *
 * Without --verbose the narration still runs while a check does, into
 * /dev/null: stdout keeps only the report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "trace.h"

/* stdout while a check's narration goes to /dev/null, -1 otherwise. */
static int saved_stdout = -1;

int chk_trace_begin(struct chk_ctx *c, const char *name)
{
	char path[4096], err[4400];
	int argc = 0, null;

	if (c->o->trace == NULL)
		return 0;
	while (c->o->cmd[argc] != NULL)
		argc++;
	snprintf(path, sizeof path, "%s/%s.jsonl", c->o->trace, name);
	if (trace_open(path, "check-server", argc, c->o->cmd, err,
	               sizeof err) == -1) {
		cli_error("check-server", "--trace: %s", err);
		return -1;
	}
	if (c->o->verbose)
		return 0;
	fflush(stdout);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (null == -1 || saved_stdout == -1 ||
	    dup2(null, STDOUT_FILENO) == -1) {
		cli_error("check-server", "--trace: /dev/null: %s",
		          strerror(errno));
		if (null != -1)
			close(null);
		chk_trace_end(c);
		return -1;
	}
	close(null);
	c->say.quiet = 0; /* narrated into /dev/null, traced */
	return 0;
}

void chk_trace_end(struct chk_ctx *c)
{
	if (trace_fd >= 0) {
		close(trace_fd);
		trace_fd = -1;
	}
	if (saved_stdout == -1)
		return;
	fflush(stdout);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	saved_stdout = -1;
	c->say.quiet = !c->o->verbose;
}

/* A line of narration that only the trace gets, as lib/trace reads it. */
static void event(const char *fmt, ...) CLI_PRINTF(1, 2);

static void event(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof line)
		trace_said(line, (size_t)n);
}

void chk_trace_fork(pid_t pid)
{
	if (trace_fd >= 0)
		event("fork() -> child pid %ld\n", (long)pid);
}

void chk_trace_reap(pid_t pid, int status)
{
	if (trace_fd < 0)
		return;
	if (WIFEXITED(status))
		event("waitpid(%ld) -> pid %ld (exit %d)\n", (long)pid,
		      (long)pid, WEXITSTATUS(status));
	else
		event("waitpid(%ld) -> pid %ld (killed by signal %d)\n",
		      (long)pid, (long)pid, WTERMSIG(status));
}
