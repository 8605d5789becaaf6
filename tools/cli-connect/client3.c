/*
 * client3.c - cli-connect --clients N: the article's client3.
 *
 * What it demonstrates
 *   Many clients at once, made as the article's client3.py makes them: a
 *   process per client, forked by one parent. Three things to learn here:
 *   - fork per client: each child connects (--conns times), sends its
 *     request and, unlike the article's client, with --read reads the
 *     reply to the end; then it exits with _exit().
 *   - the pipe of reports: before forking, the parent makes a pipe; each
 *     child writes one report into it, in one write() of fewer than
 *     PIPE_BUF bytes, which arrives whole, never mixed with another's. The
 *     parent reads until read() returns 0: every child has closed its end.
 *   - waitpid for every child: the parent waits for each one, so that none
 *     is left a zombie, and sums up.
 *   A stop signal (Ctrl-C, SIGTERM, SIGHUP...) leaves no orphan: the parent
 *   tells every child to stop (SIGTERM), each child reports what it had
 *   done and exits, and the parent reaps them all and prints the summary.
 *
 * Usage
 *   cli-connect --clients N [--conns M] [--read] [--json] [--send TEXT |
 *               --http PATH] [--timeout S] [--quiet] [HOST[:PORT]]
 *
 * Try it
 *   ./bin/srv-fork &
 *   ./bin/cli-connect --clients 20 localhost:8888
 *   ./bin/cli-connect --clients 128 --read --json localhost:8888
 *
 * Things to notice
 *   - "our clients reaped" counts cli-connect's own children. The server's
 *     children (srv-fork's) are the server's to reap: ps shows the
 *     server's zombies whatever this summary says.
 *   - Without --read the clients close without reading, as the article's
 *     do; the server does not notice (its reply is already sent).
 *   - The parent keeps the stop signals blocked and lets them in only
 *     while it waits for a report (ppoll, in clock_wait_fd()): a signal
 *     that comes at any other moment waits there, and is never lost.
 *
 * See also
 *   docs/05-fork-and-zombies.md; fork(2), pipe(2), write(2) (PIPE_BUF),
 *   waitpid(2), kill(2), _exit(2); tools/cli-connect.c (the options and
 *   the single client), tools/cli-connect/client.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "clock.h"
#include "http.h"
#include "net.h"
#include "say.h"
#include "sig.h"

static const char *const PROG = "cli-connect";

/* A report: what one client did, one int per counter. */
enum {
	REP_MADE,     /* connections established */
	REP_REPLIES,  /* replies read to the end (--read), at least one byte */
	REP_OK,       /* ...whose status was 2xx */
	REP_NO_REPLY, /* the server closed without sending a byte */
	REP_REFUSED,  /* failures, by reason */
	REP_RESET,
	REP_TIMEDOUT,
	REP_OTHER,
	REP_STOPPED, /* 1: a signal stopped it before it was done */
	REP_COUNT
};

/* ---------------------------------------------------------- the child */

/* What the child has done so far, for its stop handler. */
static volatile sig_atomic_t mine[REP_COUNT];
static int *held;                   /* its connections, -1 for none */
static volatile sig_atomic_t nheld; /* entries of held in use */
static int report_fd = -1;          /* its end of the pipe */
static sigset_t stops;              /* the stop signals (sig.h) */

/* One report, one write(): fewer than PIPE_BUF bytes arrive whole. */
static void report(int stopped)
{
	int r[REP_COUNT], i;

	for (i = 0; i < REP_COUNT; i++)
		r[i] = mine[i];
	r[REP_STOPPED] = stopped;
	(void)!write(report_fd, r, sizeof r);
}

/* A stop signal in the child: report what was done, close, _exit.
 * Async-signal-safe calls only (sigprocmask, write, close, _exit). */
static void child_stop(int sig)
{
	sig_atomic_t i;

	(void)sig;
	sigprocmask(SIG_BLOCK, &stops, NULL); /* no second report */
	report(1);
	for (i = 0; i < nheld; i++)
		if (held[i] != -1)
			close(held[i]);
	close(report_fd);
	_exit(1);
}

static void count_failure(int e)
{
	if (e == ECONNREFUSED)
		mine[REP_REFUSED]++;
	else if (e == ECONNRESET || e == EPIPE)
		mine[REP_RESET]++;
	else if (e == ETIMEDOUT || e == EAGAIN || e == EWOULDBLOCK)
		mine[REP_TIMEDOUT]++;
	else
		mine[REP_OTHER]++;
}

/* One connection: connect, send, maybe read. The descriptor goes into
 * *slot (left open, like the article's client), or the failure is
 * counted. */
static void one_connection(const struct client_opts *o,
                           const struct addrinfo *res, int *slot)
{
	char buf[4096], head[16], err[256];
	size_t got = 0;
	long total = 0;
	int fd;

	fd = net_connect_list(res, o->timeout, err, sizeof err);
	if (fd == -1) {
		count_failure(errno);
		return;
	}
	*slot = fd; /* from here on, a stop handler closes it */
	mine[REP_MADE]++;
	if (net_set_timeouts(fd, o->timeout, err, sizeof err) == -1 ||
	    net_send_all(fd, o->payload, strlen(o->payload), err, sizeof err) ==
	            -1)
		goto failed;
	if (!o->read_replies)
		return;
	for (;;) { /* until the server closes: the end of the reply */
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto failed;
		if (n == 0)
			break;
		if (got < sizeof head) {
			size_t k = (size_t)n < sizeof head - got
			                   ? (size_t)n
			                   : sizeof head - got;
			memcpy(head + got, buf, k);
			got += k;
		}
		total += n;
	}
	if (total == 0) {
		mine[REP_NO_REPLY]++;
		return;
	}
	mine[REP_REPLIES]++;
	if (http_status(head, got) / 100 == 2)
		mine[REP_OK]++;
	return;
failed:
	count_failure(errno);
	*slot = -1;
	close(fd);
}

/* The child: its connections, then one report, then _exit. */
static void client_child(const struct client_opts *o,
                         const struct addrinfo *res, int out, pid_t *pids,
                         const sigset_t *unblocked)
{
	char err[128];
	long i;

	free(pids); /* the parent's list of its children: not ours */
	report_fd = out;
	held = malloc((size_t)o->conns * sizeof *held);
	if (held == NULL) {
		mine[REP_OTHER] = (sig_atomic_t)o->conns;
		report(0);
		_exit(1);
	}
	for (i = 0; i < o->conns; i++)
		held[i] = -1;
	nheld = (sig_atomic_t)o->conns;
	sig_stop_set(&stops);
	/* Our own handler for the stop signals, then let them in: one that
	 * came since fork() (the parent keeps them blocked) arrives now. */
	if (sig_catch_stops(child_stop, 0, err, sizeof err) == 0)
		sigprocmask(SIG_SETMASK, unblocked, NULL);

	for (i = 0; i < o->conns; i++)
		one_connection(o, res, &held[i]);

	sigprocmask(SIG_BLOCK, &stops, NULL); /* done: no stop handler now */
	report(0);
	close(out);
	for (i = 0; i < o->conns; i++)
		if (held[i] != -1)
			close(held[i]); /* closed unread: the article's client */
	free(held);
	/* _exit, like the article's os._exit(0): the child must not run the
	 * parent's atexit handlers nor flush a copy of its stdio buffers. */
	_exit(0);
}

/* --------------------------------------------------------- the parent */

static void tell_children(const struct client_opts *o, const pid_t *pids,
                          long n, int sig, const char *why)
{
	char call[64];
	long i;

	for (i = 0; i < n; i++)
		kill(pids[i], sig); /* an exited child is a zombie: harmless */
	snprintf(call, sizeof call, "kill(pid, %s) x %ld", sig_name(sig), n);
	say(&o->say, call, "%s", why);
}

/* Reads the reports into sum until every child has closed its end of the
 * pipe. The stop signals come in only during the wait: then every child
 * is told to stop, and killed if it has not within 2 s. */
static long read_reports(const struct client_opts *o, int fd, const pid_t *pids,
                         long started, long sum[REP_COUNT],
                         const sigset_t *unblocked)
{
	int r[REP_COUNT], told = 0, i;
	size_t have = 0;
	long reports = 0;
	double deadline = 0;

	for (;;) {
		ssize_t n;
		int rc;

		if (client_stop != 0 && !told) {
			tell_children(o, pids, started, SIGTERM,
			              "every client told to stop");
			told = 1;
			deadline = clock_now() + 2;
		}
		rc = clock_wait_fd(fd, POLLIN, deadline, unblocked);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1)
			cli_error(PROG, "poll: %s", strerror(errno));
		if (rc <= 0) { /* the 2 s passed, or the wait failed */
			tell_children(o, pids, started, SIGKILL,
			              "the clients still there are killed");
			deadline = 0;
			if (rc == -1)
				break;
			continue;
		}
		n = read(fd, (char *)r + have, sizeof r - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* 0: every child has closed its end */
		have += (size_t)n;
		if (have < sizeof r)
			continue;
		for (i = 0; i < REP_COUNT; i++)
			sum[i] += r[i];
		reports++;
		have = 0;
	}
	client_let_stops_in(unblocked);
	return reports;
}

/* waitpid() for every child: none is left a zombie. */
static long reap_all(void)
{
	long reaped = 0;
	int st;

	for (;;) {
		if (waitpid(-1, &st, 0) > 0)
			reaped++;
		else if (errno != EINTR)
			break; /* ECHILD: no child left */
	}
	return reaped;
}

static void summary(const struct client_opts *o, const long s[REP_COUNT],
                    long started, long reports, long reaped, double secs)
{
	const char *by = client_stop != 0 ? sig_name(client_stop) : NULL;

	if (o->json) {
		printf("{\"clients\": %ld, \"started\": %ld, \"conns_per_client\": %ld, "
		       "\"connections\": %ld, \"replies\": %ld, \"replies_ok\": %ld, "
		       "\"refused\": %ld, \"reset\": %ld, \"timed_out\": %ld, "
		       "\"other\": %ld, \"reports\": %ld, \"reaped\": %ld, "
		       "\"elapsed_s\": %.3f, \"no_reply\": %ld, \"stopped\": %ld, "
		       "\"stopped_by\": %s%s%s}\n",
		       o->clients, started, o->conns, s[REP_MADE],
		       s[REP_REPLIES], s[REP_OK], s[REP_REFUSED], s[REP_RESET],
		       s[REP_TIMEDOUT], s[REP_OTHER], reports, reaped, secs,
		       s[REP_NO_REPLY], s[REP_STOPPED], by ? "\"" : "",
		       by ? by : "null", by ? "\"" : "");
		return;
	}
	printf("clients:          %ld started of %ld, %ld connection%s each\n",
	       started, o->clients, o->conns, o->conns == 1 ? "" : "s");
	printf("connections made: %ld of %ld\n", s[REP_MADE],
	       started * o->conns);
	if (!o->read_replies)
		printf("replies read:     not read (like the article's "
		       "client3; --read reads them)\n");
	else if (s[REP_NO_REPLY] == 0)
		printf("replies read:     %ld (%ld of them 2xx)\n",
		       s[REP_REPLIES], s[REP_OK]);
	else
		printf("replies read:     %ld (%ld of them 2xx); %ld "
		       "connections closed without a reply\n",
		       s[REP_REPLIES], s[REP_OK], s[REP_NO_REPLY]);
	printf("failures:         %ld refused, %ld reset, %ld timed out, "
	       "%ld other\n",
	       s[REP_REFUSED], s[REP_RESET], s[REP_TIMEDOUT], s[REP_OTHER]);
	printf("our clients reaped: %ld of %ld (the server's children are the "
	       "server's to reap)\n",
	       reaped, started);
	if (by != NULL)
		printf("stopped:          by %s: %ld clients had not "
		       "finished\n",
		       by, s[REP_STOPPED]);
	printf("elapsed:          %.3f s\n", secs);
}

int client3_run(const struct client_opts *o, const struct addrinfo *res)
{
	long sum[REP_COUNT] = { 0 }, started = 0, reports, reaped, i;
	pid_t *pids = malloc((size_t)o->clients * sizeof *pids);
	char err[256], call[96];
	sigset_t unblocked;
	int pipefd[2], rc = 0;
	double t0;

	if (pids == NULL)
		return cli_error(PROG, "out of memory for %ld clients",
		                 o->clients);
	if (client_catch_stops(&unblocked, err, sizeof err) == -1) {
		free(pids);
		return cli_error(PROG, "%s", err);
	}

	/* 1. pipe(): the clients' reports come back through it. */
	if (pipe(pipefd) == -1) {
		free(pids);
		return cli_error(PROG, "pipe: %s", strerror(errno));
	}
	say(&o->say, "pipe()",
	    "fds %d and %d: each client writes its report into %d", pipefd[0],
	    pipefd[1], pipefd[1]);
	fflush(stdout); /* nothing of ours may be printed twice by a child */
	t0 = clock_now();

	/* 2. fork(): a child per client; client_child() never returns. */
	for (i = 0; i < o->clients; i++) {
		pid_t pid = fork();

		if (pid == -1) {
			rc = cli_error(PROG,
			               "fork: %s: %ld of %ld clients started",
			               strerror(errno), started, o->clients);
			break;
		}
		if (pid == 0) {
			close(pipefd[0]);
			client_child(o, res, pipefd[1], pids, &unblocked);
		}
		pids[started++] = pid;
	}
	/* Our copy of the write end: closed, so that read() returns 0 once
	 * every child has closed its own. */
	close(pipefd[1]);
	snprintf(call, sizeof call, "fork() x %ld", started);
	if (started > 0)
		say(&o->say, call, "%ld clients started, pids %ld to %ld",
		    started, (long)pids[0], (long)pids[started - 1]);

	/* 3. read() the reports; 4. waitpid() for every child. */
	reports = read_reports(o, pipefd[0], pids, started, sum, &unblocked);
	close(pipefd[0]);
	snprintf(call, sizeof call,
	         "read(%d) until every client closed the pipe", pipefd[0]);
	say(&o->say, call, "%ld reports", reports);
	reaped = reap_all();
	snprintf(call, sizeof call, "waitpid(-1, &st, 0) x %ld", reaped);
	say(&o->say, call, "%ld reaped: none of our clients is a zombie",
	    reaped);

	summary(o, sum, started, reports, reaped, clock_now() - t0);
	if (client_stop != 0)
		rc = cli_error(PROG,
		               "stopped by %s: %ld of %ld clients had not "
		               "finished; %ld reaped",
		               sig_name(client_stop), sum[REP_STOPPED], started,
		               reaped);
	if (reports < started)
		rc = cli_error(PROG, "%ld of %ld clients did not report",
		               started - reports, started);
	if (sum[REP_MADE] < started * o->conns ||
	    (o->read_replies && sum[REP_REPLIES] < sum[REP_MADE]))
		rc = 1;
	free(pids);
	return rc;
}
