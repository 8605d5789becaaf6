/*
 * check-server - grade any server, in any language, on the article's lessons.
 *
 * What it demonstrates
 *   What the lessons teach, measured from outside. check-server starts a
 *   server command as a black box, in a process group of its own, and runs
 *   nine checks, each on a fresh instance: it answers a GET (reply), the
 *   reply ends with a FIN (fin), a slow client does not delay a fast one
 *   (concurrent), children that exit together leave no zombie (zombies),
 *   nor kill it, nor leave a client unanswered (survives), its descriptors do not grow
 *   (fds), a silent client does not block it for long (silent), a reset
 *   does not kill it (reset), SIGTERM stops it and all its processes
 *   (sigterm). Lesson 7's three run when named (--only, or --only all):
 *   it starts again on its port over TIME_WAITs (restart), a reset does
 *   not kill it with SIGPIPE (sigpipe), a program it runs does not inherit
 *   its listener (cloexec). The evidence comes from where ps, lsof and ss look:
 *   /proc/PID/stat, /proc/PID/fd, and the kernel's TCP table.
 *
 * Usage
 *   check-server [-j] [-v] [-o CHECK,...] [-L NAME=S,...] [-n N] [-N N]
 *                [-t S] [-g PATH] [--] COMMAND [ARG]...
 *
 * Try it
 *   ./bin/check-server -- ./bin/srv-fork --port 0       # every check passes
 *   ./bin/check-server -- ./bin/srv-iter --port 0       # concurrent fails
 *   ./bin/check-server -o zombies -- ./bin/srv-fork --port 0 --reap none
 *   ./bin/check-server -- python3 server.py {port}      # {port}: a free port
 *
 * Things to notice
 *   - Every check starts the server anew and ends by killing its process
 *     group and every process that left it (SIGTERM, then SIGKILL) and
 *     reaping everything: a server that dies in one check does not fail
 *     the others, which say SKIP when the death is another check's
 *     business. The server's processes are check-server's descendants: it
 *     is a subreaper, orphans and setsid()'d children stay its own.
 *   - No verdict without evidence: a check that never saw what it looks
 *     at (no child exited, no client answered, no reply's end) says NOT
 *     SHOWN, neither a pass nor a fail.
 *   - Readiness is read in the kernel's TCP table (a LISTEN socket held by
 *     a process of the group), never by connecting: an iterative server
 *     would have to accept that connection, and be busy with it.
 *   - A zombie is state Z in /proc/PID/stat: the evidence names each one
 *     and its parent.
 *   - zombies and survives first hold N clients that send nothing (a child
 *     each, waiting in its first read), stop the server (SIGSTOP), let the
 *     children answer and exit, and continue it (SIGCONT): their SIGCHLDs
 *     arrive as one, every run (TLPI's multi_SIGCHLD, from outside). Then
 *     a burst checks the same under load; the evidence says which way
 *     ("the stop: ", "the burst: ") showed it.
 *   - Any design is graded: processes or threads (a process whose main
 *     thread has exited says Z too, and is read through a live thread),
 *     one listening socket or one per worker (SO_REUSEPORT), descriptors
 *     counted in every process of the server.
 *   - Exit status: 0 every check passed, 1 a check failed, was skipped or
 *     not shown, or processes had to be killed outside the server's group,
 *     2 usage, 3 the server could not be run, 128+N stopped by signal N.
 *
 * See also
 *   docs/check-server.md; tools/check-server/check.h (which file does
 *   what: starting and stopping in start.c, /proc in proc.c); fork(2),
 *   setpgid(2), execvp(3), kill(2), waitid(2), proc(5), srv-fork(1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-server/check.h"
#include "cli.h"
#include "clock.h"
#include "http.h"
#include "num.h"

static const char *const PROG = "check-server";

/* The long options without a letter. */
enum { OPT_REPEAT = 0x100, OPT_TRACE };

static const struct chk_check checks[] = {
	{ "reply",
	  "a GET gets a complete HTTP reply: status line, headers, body (lesson 1, webserver3a)",
	  chk_reply },
	{ "fin",
	  "the connection ends (FIN) soon after the reply: nobody keeps a copy (lesson 5, webserver3d)",
	  chk_fin },
	{ "concurrent",
	  "a slow client does not delay a fast one (lessons 2 and 5: the iterative server's limit)",
	  chk_concurrent },
	{ "zombies",
	  "children that exit together leave no zombie: the stop, then a burst (lesson 5, webserver3c, 3e, 3f)",
	  chk_zombies },
	{ "survives",
	  "alive and answering after its children's SIGCHLDs: the stop, then a burst (lesson 5, webserver3e's EINTR)",
	  chk_survives },
	{ "fds",
	  "no descriptor growth after many requests (lesson 5, webserver3d's leak)",
	  chk_fds },
	{ "silent",
	  "a client that sends nothing does not block the others for long (lesson 1, --timeout)",
	  chk_silent },
	{ "reset",
	  "a client that resets mid-request does not kill the server (lesson 1: the loop goes on)",
	  chk_reset_check },
	{ "sigterm",
	  "SIGTERM stops it, leaving no process or zombie of its group (lessons 1 and 5)",
	  chk_sigterm },
	/* Lesson 7's, run when named (--only): not in the default set. */
	{ "restart",
	  "stopped with connections in TIME_WAIT, it starts again on its port (lesson 7: SO_REUSEADDR)",
	  chk_restart },
	{ "sigpipe",
	  "a client that resets before the reply does not kill it with SIGPIPE (lesson 7)",
	  chk_sigpipe },
	{ "cloexec",
	  "a program it runs does not inherit its listening socket (lesson 7: close-on-exec)",
	  chk_cloexec },
};
#define NCHECKS (sizeof checks / sizeof checks[0])
/* The default set: the checks before lesson 7's. */
#define NDEFAULT 9

static const char *const limits[CHK_LIMITS] = {
	"ready", "fin", "concurrent", "silent", "zombies", "sigterm",
};
static const double limit_defaults[CHK_LIMITS] = { 10, 1, 1, 8, 1, 5 };

static void on_stop(int sig);
static int run_checks(struct chk_ctx *c, struct chk_result *res, int *ran);
static int parse_args(struct chk_opts *o, int argc, char **argv);
static void usage(void);
static int parse_option(struct chk_opts *o, int opt, const char *arg);
static int parse_only(struct chk_opts *o, const char *arg);
static int parse_limits(struct chk_opts *o, const char *arg);
static int parse_trace(struct chk_opts *o, const char *arg);

int main(int argc, char **argv)
{
	struct chk_opts o;
	struct chk_ctx c;
	struct chk_result res[NCHECKS];
	int ran[NCHECKS] = { 0 };
	int rc, status;

	if (cli_start() != 0)
		return 1;
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_OK)
		return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
	memset(&c, 0, sizeof c);
	c.o = &o;
	say_init(&c.say, !o.verbose);
	status = chk_setup(&c, on_stop) == -1 ? 3 : 0;
	if (status == 0) {
		chk_report_head(&c, limits);
		status = run_checks(&c, res, ran);
	}
	if (status > 128) {
		snprintf(c.error, sizeof c.error,
		         "stopped by signal %d: the server's group was killed",
		         status - 128);
		cli_error(PROG, "%s", c.error);
	}
	if (status <= 1)
		chk_report_sum(&c, res, ran, NCHECKS);
	chk_report_json(&c, limits, checks, NCHECKS, res, ran, status);
	return cli_finish(PROG, status);
}

static void on_stop(int sig)
{
	chk_stop = sig;
}

/* Which verdict of a check's runs is its own: any FAIL fails (a server
 * that fails one run in N is wrong, by a race), then NOT SHOWN, SKIP,
 * and PASS only when every run passed. */
static const enum chk_verdict worst[] = { CHK_FAIL, CHK_NOTSHOWN, CHK_SKIP,
	                                  CHK_PASS };

/* Runs check i --repeat times, each on a fresh server: 0 (res set), or
 * -1 (stopped, or the server could not be run). */
static int run_one(struct chk_ctx *c, size_t i, struct chk_result *res,
                   int started)
{
	struct chk_result runs[CHK_VERDICTS] = { { 0 } };
	int count[CHK_VERDICTS] = { 0 };
	double t0 = clock_now();
	long k;
	size_t v;

	for (k = 0; k < c->o->repeat; k++) {
		struct chk_server s;
		struct chk_result r;
		int rc;

		memset(&r, 0, sizeof r);
		rc = chk_start(c, &s);
		r.pid = s.pid;
		r.port = s.port;
		if (rc == 0)
			rc = checks[i].run(c, &s, &r);
		chk_stop_server(c, &s);
		if (rc == -1 && !chk_stop && started + k > 0)
			cli_hint(PROG,
			         "it had started for the checks before: does it "
			         "start only sometimes?");
		if (rc == -1)
			return -1;
		if (count[r.verdict]++ == 0)
			runs[r.verdict] =
			        r; /* the first of each: its evidence */
	}
	for (v = 0; count[worst[v]] == 0; v++)
		;
	*res = runs[worst[v]];
	memcpy(res->runs, count, sizeof count);
	res->secs = clock_now() - t0;
	if (c->o->repeat > 1) {
		size_t at = strlen(res->evidence);

		snprintf(res->evidence + at, sizeof res->evidence - at,
		         " [%ld runs: %d pass, %d fail, %d skip, %d not shown]",
		         c->o->repeat, count[CHK_PASS], count[CHK_FAIL],
		         count[CHK_SKIP], count[CHK_NOTSHOWN]);
	}
	return 0;
}

/* Runs the checks; the exit status. */
static int run_checks(struct chk_ctx *c, struct chk_result *res, int *ran)
{
	int status = 0, started = 0, rc;
	size_t i;

	for (i = 0; i < NCHECKS; i++) {
		if (!(c->o->only & (1u << i)))
			continue;
		say_tag(&c->say, "[%s] ", checks[i].name);
		memset(&res[i], 0, sizeof res[i]);
		if (chk_trace_begin(c, checks[i].name) == -1)
			return 1;
		rc = run_one(c, i, &res[i], started);
		chk_trace_end(c);
		if (rc == -1)
			return chk_stop ? 128 + chk_stop : 3;
		ran[i] = 1;
		started++;
		chk_report_one(c, &checks[i], &res[i]);
		if (res[i].verdict != CHK_PASS)
			status = 1;
	}
	/* Never 0 while check-server had to hunt processes down. */
	return status == 0 && c->escaped > 0 ? 1 : status;
}

/* ------------------------------------------------------ options, --help */

static int parse_args(struct chk_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'L' },
		{ "clients", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "requests", required_argument, NULL, 'N' },
		{ "timeout", required_argument, NULL, 't' },
		{ "http", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, i;

	memset(o, 0, sizeof *o);
	o->only = (1u << NDEFAULT) - 1;
	o->clients = 128;
	o->repeat = 1;
	o->requests = 1000;
	o->timeout = 10;
	o->path = "/hello";
	for (i = 0; i < CHK_LIMITS; i++)
		o->limit[i] = limit_defaults[i];
	opterr = 0;
	/* '+': the options end at COMMAND, whose own options are its own. */
	while ((opt = getopt_long(argc, argv, "+:o:L:n:N:t:g:jvhV", longopts,
	                          NULL)) != -1) {
		int rc;

		if (opt == 'h') {
			usage();
			return CLI_DONE;
		}
		if (opt == 'V') {
			cli_version(PROG);
			return CLI_DONE;
		}
		rc = parse_option(o, opt, optarg);
		if (rc == 1)
			return cli_bad_option(PROG, longopts, opt, optopt,
			                      argv[optind - 1]);
		if (rc != 0)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error(PROG,
		                       "no server to check: %s [OPTION]... "
		                       "-- COMMAND [ARG]...",
		                       PROG);
	if (o->json && o->verbose)
		return cli_usage_error(PROG,
		                       "--json and --verbose both write on "
		                       "stdout: choose one");
	o->cmd = argv + optind;
	return CLI_OK;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]... [--] COMMAND [ARG]...\n"
	       "Start the server COMMAND and grade it on the lessons of \"Let's Build\n"
	       "A Web Server\", Part 3. Each check runs on a fresh instance, started in\n"
	       "a process group of its own and killed (SIGTERM, then SIGKILL) once done.\n"
	       "\n"
	       "The port: an argument that holds {port} gets a free port in its place,\n"
	       "and the server is ready when that port listens; otherwise the server\n"
	       "must print 'Serving HTTP on port N ...' (start it on port 0).\n"
	       "\n"
	       "Options:\n"
	       "  -o, --only CHECK,...    run these checks only (default: all but\n"
	       "                          lesson 7's): reply, fin, concurrent,\n"
	       "                          zombies, survives, fds, silent, reset,\n"
	       "                          sigterm; lesson 7's checks, run when\n"
	       "                          named: restart, sigpipe, cloexec; 'all':\n"
	       "                          every one\n"
	       "  -L, --limit NAME=S,...  the time limits, in seconds (defaults):\n"
	       "                            ready       the server listens (%g)\n"
	       "                            fin         the FIN after a reply (%g)\n"
	       "                            concurrent  a fast client's reply starts\n"
	       "                                        while a slow one is held (%g)\n"
	       "                            silent      others wait for a silent\n"
	       "                                        client at most (%g)\n"
	       "                            zombies     the server reaps its children\n"
	       "                                        after the burst (%g)\n"
	       "                            sigterm     it stops after SIGTERM (%g)\n"
	       "  -n, --clients N         clients held by the stop, then in the burst\n"
	       "                          (zombies, survives; 128)\n"
	       "  -N, --requests N        requests of the fds check (1000)\n"
	       "      --repeat N          run each check N times, each on a fresh\n"
	       "                          server, and say how often each verdict\n"
	       "                          came; any FAIL fails (1)\n"
	       "  -t, --timeout S         how long to wait for the server (connect, a\n"
	       "                          reply) where no limit says otherwise (10)\n"
	       "  -g, --http PATH         the path of every GET (default /hello)\n"
	       "  -j, --json              the report as one JSON object on stdout\n"
	       "  -v, --verbose           narrate each step of each check\n"
	       "      --trace DIR         write each check's steps as events into\n"
	       "                          DIR/CHECK.jsonl (show-timeline draws them)\n"
	       "  -h, --help              show this help and exit\n"
	       "  -V, --version           show the version and exit\n"
	       "\n"
	       "Exit status: 0 every check passed; 1 a check failed, was skipped or\n"
	       "not shown, or processes of the server had to be killed outside its\n"
	       "group; 2 usage; 3 the server could not be run (not found, exited at\n"
	       "once, never ready, listening elsewhere, stdout closed, detached);\n"
	       "128+N stopped by signal N (the server's processes killed first).\n"
	       "Example: %s -- python3 server.py {port}\n",
	       PROG, limit_defaults[0], limit_defaults[1], limit_defaults[2],
	       limit_defaults[3], limit_defaults[4], limit_defaults[5], PROG);
}

static int parse_option(struct chk_opts *o, int opt, const char *arg)
{
	char err[256], probe[512];

	switch (opt) {
	case 'o':
		return parse_only(o, arg);
	case 'L':
		return parse_limits(o, arg);
	case 'n':
	case 'N':
		if (num_parse_long(arg, 1, opt == 'n' ? 10000 : 1000000,
		                   opt == 'n' ? "clients" : "requests",
		                   opt == 'n' ? &o->clients : &o->requests, err,
		                   sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		return 0;
	case OPT_REPEAT:
		if (num_parse_long(arg, 1, 1000, "repeat", &o->repeat, err,
		                   sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		return 0;
	case 't':
		if (num_parse_seconds(arg, 3600, "timeout", &o->timeout, err,
		                      sizeof err) == -1 ||
		    o->timeout <= 0)
			return cli_usage_error(PROG, "%s",
			                       o->timeout <= 0
			                               ? "timeout: must be more than 0 s"
			                               : err);
		return 0;
	case 'g':
		if (http_get(probe, sizeof probe, arg, "localhost", 1, "") <
		            0 ||
		    strlen(arg) > 256)
			return cli_usage_error(PROG,
			                       "invalid path '%s': it must start "
			                       "with '/' and hold no space or "
			                       "control character",
			                       arg);
		o->path = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	case OPT_TRACE:
		return parse_trace(o, arg);
	case 'v':
		o->verbose = 1;
		return 0;
	default:
		return 1;
	}
}

/* --only reply,fin: a bit per check. */
static int parse_only(struct chk_opts *o, const char *arg)
{
	char list[256], *name, *save = NULL;
	size_t i;

	snprintf(list, sizeof list, "%s", arg);
	o->only = 0;
	if (strcmp(arg, "all") == 0) {
		o->only = (1u << NCHECKS) - 1;
		return 0;
	}
	for (name = strtok_r(list, ",", &save); name != NULL;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NCHECKS && strcmp(name, checks[i].name) != 0;
		     i++)
			;
		if (i == NCHECKS)
			return cli_usage_error(PROG,
			                       "unknown check '%s': the checks "
			                       "are reply, fin, concurrent, "
			                       "zombies, survives, fds, silent, "
			                       "reset, sigterm, and lesson 7's "
			                       "restart, sigpipe, cloexec (or all)",
			                       name);
		o->only |= 1u << i;
	}
	return o->only == 0 ? cli_usage_error(PROG, "--only: no check named")
	                    : 0;
}

/* --limit fin=0.5,silent=3 */
static int parse_limits(struct chk_opts *o, const char *arg)
{
	char list[256], *item, *save = NULL, err[256];
	int i;

	if (arg[strspn(arg, ",")] == '\0')
		return cli_usage_error(PROG, "--limit: no limit named");
	snprintf(list, sizeof list, "%s", arg);
	for (item = strtok_r(list, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		for (i = 0; eq != NULL && i < CHK_LIMITS; i++)
			if (strlen(limits[i]) == (size_t)(eq - item) &&
			    strncmp(item, limits[i], (size_t)(eq - item)) == 0)
				break;
		if (eq == NULL || i == CHK_LIMITS)
			return cli_usage_error(PROG,
			                       "invalid limit '%s': expected "
			                       "NAME=SECONDS, NAME one of ready, "
			                       "fin, concurrent, silent, zombies, "
			                       "sigterm",
			                       item);
		if (num_parse_seconds(eq + 1, 3600, limits[i], &o->limit[i],
		                      err, sizeof err) == -1)
			return cli_usage_error(PROG, "%s", err);
		if (o->limit[i] <= 0)
			return cli_usage_error(PROG,
			                       "limit %s: must be more than 0 s",
			                       limits[i]);
	}
	return 0;
}

/* --trace DIR: a directory check-server may write in. */
static int parse_trace(struct chk_opts *o, const char *arg)
{
	struct stat st;

	if (arg[0] == '\0')
		return cli_usage_error(PROG, "--trace: no directory given");
	if (stat(arg, &st) == -1)
		return cli_usage_error(PROG, "--trace: %s: %s", arg,
		                       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_usage_error(PROG, "--trace: %s: %s", arg,
		                       strerror(ENOTDIR));
	if (access(arg, W_OK | X_OK) == -1)
		return cli_usage_error(PROG, "--trace: %s: %s", arg,
		                       strerror(errno));
	o->trace = arg;
	return 0;
}
