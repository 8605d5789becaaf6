/*
 * show-timeline - a server's processes and connections over time, drawn
 * from a run: what the article draws by hand.
 *
 * What it demonstrates
 *   The article's story is a story in time: the parent accepts, forks and
 *   closes its copy of the connection; the child serves, closes and
 *   exits; the child is a zombie until a wait reaps it; a SIGCHLD cuts
 *   the parent's accept() short (EINTR). show-timeline draws that story
 *   from a run: one lane per process (parent on top, its children under
 *   it in the order they were born), alive from fork to exit, a shaded
 *   zombie from exit to the wait that reaps it; each connection from
 *   accept to close on every lane that holds it (both lanes while parent
 *   and child both have it open: the reference count); SIGCHLD, waitpid
 *   and EINTR as marks. As SVG for a browser, or as text lanes in the
 *   terminal.
 *   The run is a trace: one JSON object per event (the TRACE FORMAT
 *   section of show-timeline(1)). To record a server that socklab did not
 *   write, in any language, show-timeline runs it under strace -f: the
 *   kernel's ptrace() stops the server at each system call and lets
 *   strace read what it asked and got, with no root needed for one's own
 *   child. Below, record() is that part: fork, exec strace, wait, and on
 *   Ctrl-C stop everything and reap everything.
 *
 * Usage
 *   show-timeline [--svg FILE] [-j] [--width N] TRACE
 *   show-timeline [...] [--trace FILE] --strace LOG
 *   show-timeline [...] [--trace FILE] [--duration S] -- COMMAND [ARG]...
 *
 * Try it
 *   ./bin/show-timeline tests/data/timeline/webserver3c.trace
 *   ./bin/show-timeline --svg 3c.svg -- python3 tests/servers/webserver3c.py 8888 5
 *     then, in another terminal: python3 tests/servers/client3.py \
 *     --max-clients 3 8888; wait 5 s and press Ctrl-C in the first one
 *   ./bin/show-timeline --svg 3g.svg -- python3 tests/servers/webserver3g.py
 *
 * Things to notice
 *   - webserver3c's children stay zombies (shaded, red-edged) until the
 *     end: nobody waits for them. webserver3g's are zombies for a moment
 *     only: the SIGCHLD handler reaps them (a mark R on the parent's lane
 *     right after the S of the SIGCHLD).
 *   - After accept() and fork(), both lanes hold the connection; it ends
 *     (the client sees the end of the reply) only when the last holder
 *     closes it. webserver3d's parent never closes its copy: its
 *     connections outlive their children.
 *   - Under strace, a SIGCHLD with no handler cuts accept() short too,
 *     but the kernel restarts the call unseen: only a handler makes the
 *     program see EINTR, and only that is drawn.
 *   - Times come from strace's clock, a few microseconds a call late:
 *     strace slows the server down, so compare orders, not durations.
 *
 * See also
 *   docs/05-fork-and-zombies.md, docs/06-beyond-fork.md; strace(1),
 *   ptrace(2), fork(2), wait4(2), accept(2), prctl(2)
 *   (PR_SET_CHILD_SUBREAPER); srv-fork(1), check-server(1).
 *
 * The drawing is in tools/show-timeline/: trace.c (the format), strace.c
 * (strace's log), model.c (lanes, holds, marks), term.c, svg.c and
 * summary.c (the outputs), tree.c (the processes under this one). This
 * file is longer than a tool's 400 lines (about 670) because recording is
 * its lesson and stays whole here: fork, exec strace, wait, the stop
 * sequence, the reaping, then the trace written and read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "clock.h"
#include "num.h"
#include "show-timeline/model.h"
#include "show-timeline/strace.h"
#include "show-timeline/summary.h"
#include "show-timeline/svg.h"
#include "show-timeline/term.h"
#include "show-timeline/trace.h"
#include "show-timeline/tree.h"
#include "sig.h"

static const char *const PROG = "show-timeline";

struct opts {
	const char *file;   /* TRACE */
	const char *strace; /* --strace LOG */
	char **cmd;         /* -- COMMAND [ARG]... */
	const char *trace;  /* --trace FILE */
	const char *svg;    /* --svg FILE ("-": stdout) */
	double duration;    /* --duration S (0: until stopped) */
	long width;         /* --width N (0: the terminal's) */
	int json;
	int quiet;
	char default_trace[64];
};

static volatile sig_atomic_t stop_requests, stop_signal, wake;

static int record(struct opts *o, struct tl_trace *tr);
static int read_strace(const struct opts *o, struct tl_trace *tr);
static int read_trace(const char *file, struct tl_trace *tr);
static int draw(const struct opts *o, const struct tl_trace *tr);
static int parse_args(struct opts *o, int argc, char **argv);

int main(int argc, char **argv)
{
	struct tl_trace tr;
	struct opts o;
	int rc;

	if (cli_start() != 0)
		return 1;
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	tl_trace_init(&tr);
	if (o.cmd != NULL)
		rc = record(&o, &tr); /* strace's log, as a trace file */
	else if (o.strace != NULL)
		rc = read_strace(&o, &tr);
	else if (o.file != NULL)
		rc = read_trace(o.file, &tr);
	if (rc == 0)
		rc = draw(&o, &tr);
	tl_trace_free(&tr);
	return cli_finish(PROG, rc);
}

/* ----------------------------------------------------------- recording */

static void on_stop(int sig)
{
	stop_signal = sig;
	stop_requests++;
	wake = 1;
}

static void on_child(int sig)
{
	(void)sig;
	wake = 1;
}

static void run_strace(const struct opts *o, char *log, int report,
                       const sigset_t *mask);
static int wait_strace(const struct opts *o, pid_t strace, const sigset_t *mask,
                       int *status);
static void reap_leftovers(pid_t strace);
static int convert_log(const struct opts *o, const char *log, double offset,
                       int strace_status, struct tl_trace *tr);

/* The command under strace -f; strace's log becomes the trace file, which
 * is then read back as any trace is. */
static int record(struct opts *o, struct tl_trace *tr)
{
	char log[PATH_MAX], err[256];
	int report[2], status = 0, e = 0, rc;
	sigset_t block, old;
	struct timespec wall;
	double offset;
	pid_t pid;
	ssize_t n;

	if (o->trace == NULL) {
		snprintf(o->default_trace, sizeof o->default_trace,
		         "timeline-%ld.trace", (long)getpid());
		o->trace = o->default_trace;
	}
	if ((size_t)snprintf(log, sizeof log, "%s.strace", o->trace) >=
	    sizeof log)
		return cli_error(PROG, "%s: name too long", o->trace);

	/* The stop signals and SIGCHLD stay blocked but while we wait, so
	 * that none is lost between a test and the wait. */
	sig_stop_set(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (sig_catch_stops(on_stop, 0, err, sizeof err) == -1 ||
	    sig_catch(SIGCHLD, on_child, SA_NOCLDSTOP, err, sizeof err) == -1)
		return cli_error(PROG, "%s", err);
#ifdef PR_SET_CHILD_SUBREAPER
	/* A process of the command whose parent ends comes to us, not to
	 * init: we can stop it, and reap it. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return cli_error(PROG, "prctl(PR_SET_CHILD_SUBREAPER): %s",
		                 strerror(errno));
#endif
	/* strace -ttt reads the wall clock; traces use the monotonic one. */
	clock_gettime(CLOCK_REALTIME, &wall);
	offset = clock_now() -
	         ((double)wall.tv_sec + (double)wall.tv_nsec / 1e9);

	if (pipe(report) == -1)
		return cli_error(PROG, "pipe: %s", strerror(errno));
	fcntl(report[1], F_SETFD, FD_CLOEXEC); /* closed by a good exec */
	fprintf(stderr, "%s: recording %s under strace -f; Ctrl-C stops it\n",
	        PROG, o->cmd[0]);
	fflush(stdout);
	pid = fork();
	if (pid == -1) {
		e = errno;
		close(report[0]);
		close(report[1]);
		return cli_error(PROG, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(report[0]);
		run_strace(o, log, report[1], &old); /* does not return */
	}
	close(report[1]);
	do
		n = read(report[0], &e, sizeof e);
	while (n == -1 && errno == EINTR);
	close(report[0]);
	if (n == (ssize_t)sizeof e) { /* exec failed: e is its errno */
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		sigprocmask(SIG_SETMASK, &old, NULL);
		cli_error(PROG, "strace: %s", strerror(e));
		if (e == ENOENT)
			cli_hint(PROG, "recording a command needs strace "
			               "(apt-get install strace)");
		return 1;
	}

	rc = wait_strace(o, pid, &old, &status);
	reap_leftovers(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc == -1)
		return cli_error(PROG, "waitpid: %s", strerror(errno));
	return convert_log(o, log, offset, status, tr);
}

/* The child: strace, which runs the command and traces it and every
 * process it forks (-f), each call with its time (-ttt, seconds since
 * 1970 to the microsecond) and duration (-T), descriptors described (-yy:
 * a socket's addresses), into log (-o). */
static void run_strace(const struct opts *o, char *log, int report,
                       const sigset_t *mask)
{
	char s0[] = "strace", s1[] = "-f", s2[] = "-ttt", s3[] = "-T";
	char s4[] = "-yy", s5[] = "-q", s6[] = "-o", s8[] = "-e";
	char s9[] = TL_STRACE_CALLS, s10[] = "--";
	char *fixed[] = { s0, s1, s2, s3, s4, s5, s6, log, s8, s9, s10 };
	size_t nfixed = sizeof fixed / sizeof fixed[0], ncmd = 0, i;
	char **argv;
	int e;

	/* What the command inherits: default signal actions (SIGPIPE was
	 * ignored by sig_catch_stops()), no signal blocked. */
	sig_catch(SIGPIPE, SIG_DFL, 0, NULL, 0);
	sigprocmask(SIG_SETMASK, mask, NULL);
	while (o->cmd[ncmd] != NULL)
		ncmd++;
	argv = calloc(nfixed + ncmd + 1, sizeof *argv);
	if (argv != NULL) {
		for (i = 0; i < nfixed; i++)
			argv[i] = fixed[i];
		for (i = 0; i < ncmd; i++)
			argv[nfixed + i] = o->cmd[i];
		execvp("strace", argv);
	}
	e = errno;
	if (write(report, &e, sizeof e) == -1)
		_exit(127);
	_exit(127);
}

/* Waits for strace to end: it ends when the last process it traces ends.
 * A stop request (Ctrl-C, SIGTERM, --duration) stops the command:
 *   Ctrl-C: the terminal sent SIGINT to the command too; if it is still
 *     there a second later, on to the next step;
 *   SIGTERM to every process under us but strace; 3 s later SIGKILL;
 *   2 s later, SIGKILL to strace itself.
 * Another Ctrl-C skips to the next step. */
static int wait_strace(const struct opts *o, pid_t strace, const sigset_t *mask,
                       int *status)
{
	double start = clock_now(), next = 0;
	int step = 0, seen = 0;

	for (;;) {
		pid_t r = waitpid(strace, status, WNOHANG);
		double now = clock_now();

		if (r == strace)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (step == 0 && o->duration > 0 &&
		    now - start >= o->duration) {
			stop_signal = SIGTERM;
			stop_requests++;
		}
		if (stop_requests != seen || (step > 0 && now >= next)) {
			if (stop_requests != seen && step == 0 &&
			    stop_signal == SIGINT) {
				step = 1; /* the command has its SIGINT */
				next = now + 1;
			} else if (step <= 1) {
				step = 2;
				tl_tree_signal(getpid(), strace, SIGTERM);
				next = now + 3;
			} else if (step == 2) {
				step = 3;
				tl_tree_signal(getpid(), strace, SIGKILL);
				next = now + 2;
			} else {
				kill(strace, SIGKILL);
				next = now + 60;
			}
			seen = stop_requests;
		}
		wake = 0;
		clock_sleep(step > 0 ? next - now : 1, &wake, mask);
	}
}

/* Whatever the command left (processes handed to us when their parent
 * ended): SIGKILL, and reaped. */
static void reap_leftovers(pid_t strace)
{
	double deadline = clock_now() + 5;
	int status;

	while (clock_now() < deadline) {
		pid_t r = waitpid(-1, &status, WNOHANG);

		if (r > 0)
			continue;
		if (r == -1 && errno == ECHILD)
			return; /* nothing left */
		if (tl_tree_signal(getpid(), strace, SIGKILL) <= 0 && r == 0)
			clock_sleep(0.01, NULL, NULL);
	}
}

static void join_command(char **cmd, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *cmd != NULL && n < len; cmd++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		                      n > 0 ? " " : "", *cmd);
}

static int write_trace(const char *path, const struct tl_trace *tr);

/* strace's log into tr; the trace file written, and read back. */
static int convert_log(const struct opts *o, const char *log, double offset,
                       int strace_status, struct tl_trace *tr)
{
	struct tl_strace_stats st;
	char err[256], cmd[1024];
	FILE *f = fopen(log, "r");
	int rc = -1;

	if (f == NULL && errno != ENOENT)
		return cli_error(PROG, "%s: %s (strace's log)", log,
		                 strerror(errno));
	join_command(o->cmd, cmd, sizeof cmd);
	if (f != NULL) {
		rc = tl_strace_read(f, tr, offset, 0, cmd, &st, err,
		                    sizeof err);
		fclose(f);
	}
	if (rc == -1 && tr->n == 0) { /* no log, or nothing in it */
		cli_error(PROG,
		          "strace did not trace %s (strace's exit status %d): "
		          "see its message above",
		          o->cmd[0],
		          WIFEXITED(strace_status)
		                  ? WEXITSTATUS(strace_status)
		                  : 128 + WTERMSIG(strace_status));
		cli_hint(PROG, "was the command found? is ptrace allowed "
		               "here (a container's seccomp, "
		               "/proc/sys/kernel/yama/ptrace_scope)?");
		unlink(log); /* it holds no event */
		return 1;
	}
	if (rc == -1)
		return cli_error(PROG, "%s: %s", log, err);
	if (write_trace(o->trace, tr) != 0)
		return 1;
	fprintf(stderr,
	        "%s: %zu events from %zu lines of strace's log (%s) "
	        "written to %s\n",
	        PROG, tr->n, st.lines, log, o->trace);
	tl_trace_free(tr);
	return read_trace(o->trace, tr);
}

static int write_trace(const char *path, const struct tl_trace *tr)
{
	FILE *f = fopen(path, "w");
	int e;

	if (f == NULL)
		return cli_error(PROG, "%s: %s", path, strerror(errno));
	if (tl_trace_write(f, tr) == -1) {
		e = errno;
		fclose(f);
		return cli_error(PROG, "%s: %s", path, strerror(e));
	}
	if (fclose(f) == EOF)
		return cli_error(PROG, "%s: %s", path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ reading */

/* --strace LOG: a log made by hand with strace -f -ttt [-T -yy]. */
static int read_strace(const struct opts *o, struct tl_trace *tr)
{
	FILE *f = fopen(o->strace, "r");
	char err[256];
	int rc;

	if (f == NULL)
		return cli_error(PROG, "%s: %s", o->strace, strerror(errno));
	rc = tl_strace_read(f, tr, 0, 1, NULL, NULL, err, sizeof err);
	fclose(f);
	if (rc == -1)
		return cli_error(PROG, "%s: %s", o->strace, err);
	if (o->trace != NULL && write_trace(o->trace, tr) != 0)
		return 1;
	return 0;
}

static int read_trace(const char *file, struct tl_trace *tr)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char err[256];
	int rc;

	if (f == NULL)
		return cli_error(PROG, "%s: %s", file, strerror(errno));
	rc = tl_trace_read(f, tr, err, sizeof err);
	if (f != stdin)
		fclose(f);
	if (rc == -1)
		return cli_error(PROG, "%s: %s", file, err);
	return 0;
}

/* ------------------------------------------------------------ drawing */

static int terminal_width(const struct opts *o);
static int write_svg(const char *path, const struct tl_model *m);

static int draw(const struct opts *o, const struct tl_trace *tr)
{
	struct tl_model m;
	char err[256];
	int rc = 0;

	if (tl_model_build(tr, &m, err, sizeof err) == -1)
		return cli_error(PROG, "%s: %s",
		                 o->cmd != NULL      ? o->trace
		                 : o->strace != NULL ? o->strace
		                                     : o->file,
		                 err);
	if (o->svg != NULL)
		rc = write_svg(o->svg, &m);
	if (rc == 0 && o->json)
		rc = tl_summary_json(stdout, &m);
	else if (rc == 0 && !o->quiet &&
	         (o->svg == NULL || strcmp(o->svg, "-") != 0))
		rc = tl_term_write(stdout, &m, terminal_width(o));
	if (rc == -1)
		rc = cli_error(PROG, "out of memory");
	tl_model_free(&m);
	return rc;
}

/* --width, else $COLUMNS, else the terminal's, else 80. */
static int terminal_width(const struct opts *o)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char err[128];
	long n;

	if (o->width > 0)
		return (int)o->width;
	if (env != NULL &&
	    num_parse_long(env, TL_TERM_MIN_WIDTH, TL_TERM_MAX_WIDTH, "COLUMNS",
	                   &n, err, sizeof err) == 0)
		return (int)n;
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* The SVG into path ("-": stdout); a file that could not be written
 * whole is removed, never left half drawn. */
static int write_svg(const char *path, const struct tl_model *m)
{
	int to_stdout = strcmp(path, "-") == 0, e = 0;
	FILE *f = to_stdout ? stdout : fopen(path, "w");

	if (f == NULL)
		return cli_error(PROG, "%s: %s", path, strerror(errno));
	if (tl_svg_write(f, m) == -1)
		e = ENOMEM;
	if (fflush(f) == EOF || ferror(f))
		e = errno;
	if (!to_stdout && fclose(f) == EOF && e == 0)
		e = errno;
	if (e != 0) {
		if (!to_stdout)
			unlink(path);
		return cli_error(PROG, "%s: %s", path, strerror(e));
	}
	return 0;
}

/* ------------------------------------------------------------ options */

static void usage(void);

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "svg", required_argument, NULL, 'G' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "width", required_argument, NULL, 'W' },
		{ "trace", required_argument, NULL, 'T' },
		{ "strace", required_argument, NULL, 'R' },
		{ "duration", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt, dashes;

	memset(o, 0, sizeof *o);
	opterr = 0; /* we print our own messages */
	while ((opt = getopt_long(argc, argv, ":jqhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'G':
			o->svg = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'W':
			if (num_parse_long(optarg, TL_TERM_MIN_WIDTH,
			                   TL_TERM_MAX_WIDTH, "width",
			                   &o->width, err, sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			break;
		case 'T':
			o->trace = optarg;
			break;
		case 'R':
			o->strace = optarg;
			break;
		case 'D':
			if (num_parse_seconds(optarg, 86400, "duration",
			                      &o->duration, err,
			                      sizeof err) == -1)
				return cli_usage_error(PROG, "%s", err);
			if (o->duration <= 0)
				return cli_usage_error(PROG,
				                       "invalid duration "
				                       "'%s': must be more "
				                       "than 0",
				                       optarg);
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
	dashes = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (dashes) {
		if (optind >= argc)
			return cli_usage_error(PROG, "no command after '--'");
		o->cmd = argv + optind;
	} else if (optind < argc) {
		o->file = argv[optind];
		if (optind + 1 < argc)
			return cli_usage_error(PROG,
			                       "unexpected argument '%s' (one "
			                       "trace file at a time)",
			                       argv[optind + 1]);
	}
	if ((o->file != NULL) + (o->cmd != NULL) + (o->strace != NULL) != 1)
		return cli_usage_error(PROG,
		                       o->file == NULL && o->cmd == NULL &&
		                                       o->strace == NULL
		                               ? "what to draw? a trace file, "
		                                 "--strace LOG or -- COMMAND"
		                               : "a trace file, --strace LOG or "
		                                 "-- COMMAND: one of them");
	if (o->trace != NULL && o->file != NULL)
		return cli_usage_error(PROG, "--trace names the trace that "
		                             "-- COMMAND or --strace writes");
	if (o->duration > 0 && o->cmd == NULL)
		return cli_usage_error(PROG, "--duration limits -- COMMAND");
	if (o->json && o->svg != NULL && strcmp(o->svg, "-") == 0)
		return cli_usage_error(PROG, "--json and --svg -: both on "
		                             "stdout");
	if (o->svg != NULL && *o->svg == '\0')
		return cli_usage_error(PROG, "--svg needs a file name");
	return CLI_OK;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]... TRACE\n"
	       "  or:  %s [OPTION]... --strace LOG\n"
	       "  or:  %s [OPTION]... -- COMMAND [ARG]...\n"
	       "Draw a run of a server: one lane per process (parent on top,\n"
	       "children under it in fork order), alive from fork to exit, a\n"
	       "zombie from exit to the wait that reaps it, each connection on\n"
	       "every lane that holds it, SIGCHLD, wait and EINTR as marks.\n"
	       "TRACE is a trace file (one JSON object per line; '-' reads\n"
	       "stdin); -- COMMAND runs COMMAND under strace -f and records\n"
	       "it until it ends or Ctrl-C; --strace LOG reads a log of\n"
	       "strace -f -ttt -T -yy. Text lanes go to stdout.\n"
	       "\n"
	       "Options:\n"
	       "      --svg FILE        also draw it as SVG into FILE ('-':\n"
	       "                        stdout, instead of the text)\n"
	       "  -j, --json            print counts as one JSON object instead\n"
	       "                        of the text (lanes, zombies, connections,\n"
	       "                        marks)\n"
	       "  -q, --quiet           no text on stdout (with --svg FILE)\n"
	       "      --width N         text N columns wide (default: $COLUMNS,\n"
	       "                        the terminal's width, or 80)\n"
	       "      --trace FILE      where -- COMMAND or --strace writes the\n"
	       "                        trace (default for a command:\n"
	       "                        timeline-PID.trace; strace's own log is\n"
	       "                        kept beside it, FILE.strace)\n"
	       "      --strace LOG      read strace's log instead of a trace\n"
	       "      --duration S      stop COMMAND after S seconds (SIGTERM)\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "\n"
	       "Ctrl-C reaches COMMAND as it would without %s; whatever\n"
	       "is left a second later gets SIGTERM, then SIGKILL; everything is\n"
	       "reaped. Recording needs strace (no root).\n"
	       "Exit status: 0 drawn, 1 runtime failure (a bad trace, no\n"
	       "strace), 2 usage.\n"
	       "Example: %s --svg run.svg -- python3 webserver3c.py\n",
	       PROG, PROG, PROG, PROG, PROG);
}
