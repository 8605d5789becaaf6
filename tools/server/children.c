/* children: srv-fork's table of children and its stop sequence (see
 * children.h). */
#include "children.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "limit.h"

static size_t table_size(long max)
{
	return sizeof(struct children) + (size_t)max * sizeof(pid_t);
}

struct children *children_new(long max)
{
	struct children *k = server_shared(table_size(max));

	if (k != NULL)
		k->max = max; /* the rest is zero */
	return k;
}

void children_free(struct children *k)
{
	free(k->kept);
	server_shared_free(k, table_size(k->max));
}

int children_refuse_if_full(const struct children *k, const struct server *s,
                            int conn)
{
	/* The loop waits only when no client is there: under a steady load,
	 * SIGCHLD (and a stop signal) would stay pending. Let in now, its
	 * handler reaps the children that have exited before they are
	 * counted. */
	server_let_pending_in(s);
	if (k->live < k->max)
		return 0;
	cli_error(s->prog,
	          "%ld children already (--max-children %ld): no fork for "
	          "this client",
	          k->max, k->max);
	server_refuse(s, conn);
	return 1;
}

void children_no_fork(const struct server *s, int conn, int e)
{
	cli_error(s->prog, "fork: %s%s: no child for this client", strerror(e),
	          e == EAGAIN ? " (EAGAIN)" : "");
	if (e == EAGAIN)
		cli_hint(s->prog,
		         "too many processes for this user "
		         "(RLIMIT_NPROC, ulimit -u); zombies count too");
	server_refuse(s, conn);
}

int children_accept_failed(const struct children *k, const struct server *s,
                           int e)
{
	char hint[160];

	snprintf(hint, sizeof hint,
	         "the parent holds %ld connections it never closed "
	         "(--keep-conn): after fork() the parent must close its copy",
	         k->nkept);
	return server_accept_failed(s, e, k->nkept > 0 ? hint : NULL);
}

void children_add(struct children *k, pid_t pid)
{
	long i;

	for (i = 0; i < k->max; i++) {
		if (k->pid[i] == 0) {
			k->pid[i] = pid;
			k->live++;
			break;
		}
	}
	k->forked++;
}

void children_remove(struct children *k, pid_t pid, int st)
{
	long i;

	for (i = 0; i < k->max; i++) {
		if (k->pid[i] == pid) {
			k->pid[i] = 0;
			k->live--;
			break;
		}
	}
	k->reaped++;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		k->served++;
}

void children_keep(struct children *k, const struct server *s, int fd)
{
	if (k->nkept == k->capkept) {
		long cap = k->capkept ? 2 * k->capkept : 64;
		int *grown = realloc(k->kept, (size_t)cap * sizeof *grown);

		if (grown == NULL) {
			cli_error(s->prog,
			          "out of memory: closing fd %d after all", fd);
			close(fd);
			return;
		}
		k->kept = grown;
		k->capkept = cap;
	}
	k->kept[k->nkept++] = fd;
	say(&s->say, "(no close)",
	    "the parent keeps fd %d (--keep-conn): %ld connection%s held open",
	    fd, k->nkept, k->nkept == 1 ? "" : "s");
}

/* setrlimit(): the soft limit only, as `ulimit -S` does; narrated. */
static int set_limit(const struct server *s, int resource, const char *name,
                     long value)
{
	char call[64], err[256];

	if (limit_set(resource, name, value, err, sizeof err) == -1)
		return cli_error(s->prog, "%s", err);
	snprintf(call, sizeof call, "setrlimit(%s, %ld)", name, value);
	say(&s->say, call, "ok");
	return 0;
}

int children_limits(const struct server *s, long max_fds, long nproc)
{
	if (max_fds > 0 &&
	    set_limit(s, RLIMIT_NOFILE, "RLIMIT_NOFILE", max_fds) != 0)
		return 1;
	if (nproc > 0 && set_limit(s, RLIMIT_NPROC, "RLIMIT_NPROC", nproc) != 0)
		return 1;
	if (nproc > 0 && geteuid() == 0)
		say_note(&s->say,
		         "note: RLIMIT_NPROC is not enforced for root: fork() will "
		         "not fail; run as an unprivileged user to see EAGAIN");
	return 0;
}

static void signal_all(const struct children *k, int sig)
{
	long i;

	for (i = 0; i < k->max; i++)
		if (k->pid[i] != 0)
			kill(k->pid[i], sig);
}

void children_stop(struct children *k, const struct server *s,
                   void (*reaped)(const char *call, pid_t pid, int st))
{
	struct say loud = s->say; /* said even with --quiet */
	double deadline = clock_now() + STOP_GRACE;
	int sig = 0, st;
	long i;

	loud.quiet = 0;
	for (i = 0; i < k->nkept; i++)
		close(k->kept[i]); /* --keep-conn: the FINs come only now */
	k->nkept = 0;
	if (k->live > 0)
		say_note(&loud, "Stopping: waiting up to %g s for %d child%s",
		         STOP_GRACE, (int)k->live, k->live == 1 ? "" : "ren");
	/* SIGCHLD stays blocked: from now on we reap here, not the handler. */
	while (k->live > 0) {
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			reaped("waitpid(-1, &st, WNOHANG)", pid, st);
			continue;
		}
		if (pid == -1) { /* ECHILD: nobody left (cannot be: live > 0) */
			cli_error(s->prog, "waitpid: %s", strerror(errno));
			return;
		}
		if (clock_now() > deadline) {
			if (sig == SIGKILL) {
				cli_error(s->prog,
				          "%d child%s still running after SIGKILL: "
				          "giving up",
				          (int)k->live,
				          k->live == 1 ? "" : "ren");
				return;
			}
			sig = sig == 0 ? SIGTERM : SIGKILL;
			say_note(&loud,
			         "Stopping: %d child%s still running after %g s: "
			         "sending %s",
			         (int)k->live, k->live == 1 ? "" : "ren",
			         sig == SIGTERM ? STOP_GRACE : 2 * STOP_GRACE,
			         sig == SIGTERM ? "SIGTERM" : "SIGKILL");
			signal_all(k, sig);
			deadline = clock_now() + STOP_GRACE;
		}
		clock_sleep(0.02, NULL, NULL); /* the stop signals stay out */
	}
}

void children_summary(const struct children *k)
{
	printf("children: %ld forked, %ld reaped, %d left\n", k->forked,
	       (long)k->reaped, (int)k->live);
}
