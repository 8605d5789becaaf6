/* cli: messages in the conventional form (see cli.h). */
#include "cli.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sig.h"
#include "text.h"
#include "trace.h"

int cli_start(void)
{
	char err[128];
	int fd;

	/* fcntl(F_GETFD) fails with EBADF on a number that is not open. */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		/* open() returns the lowest free number: this one. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sig_reset(err, sizeof err) == -1) {
		fprintf(stderr, "socklab: %s\n", err);
		return 1;
	}
	return 0;
}

/* Formats the message and prints it escaped, after prefix. Long messages
 * are cut with "..." (a value of thousands of bytes is not worth showing). */
static void print_escaped(const char *prefix, const char *fmt, va_list ap)
        CLI_PRINTF(2, 0);

static void print_escaped(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024], shown[TEXT_ESCAPED_MAX(sizeof msg)];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	size_t len = n < 0 ? 0 : (size_t)n;

	if (len >= sizeof msg) {
		len = sizeof msg - 1;
		strcpy(msg + len - 3, "...");
	}
	text_escape(msg, len, shown, sizeof shown);
	fprintf(stderr, "%s%s\n", prefix, shown);
}

/* cli_error() with a va_list: what both error messages print. */
static int verror(const char *prog, const char *fmt, va_list ap)
        CLI_PRINTF(2, 0);

static int verror(const char *prog, const char *fmt, va_list ap)
{
	char prefix[128];

	fflush(stdout);
	snprintf(prefix, sizeof prefix, "%s: ", prog);
	print_escaped(prefix, fmt, ap);
	return 1;
}

int cli_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(prog, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(prog, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return EXIT_USAGE;
}

void cli_hint(const char *prog, const char *fmt, ...)
{
	char prefix[128];
	va_list ap;

	snprintf(prefix, sizeof prefix, "%s: hint: ", prog);
	va_start(ap, fmt);
	print_escaped(prefix, fmt, ap);
	va_end(ap);
}

int cli_version(const char *prog)
{
	printf("%s (socklab) %s\n", prog, SOCKLAB_VERSION);
	return 0;
}

int cli_finish(const char *prog, int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: write error on standard output\n", prog);
		status = status == 0 ? 1 : status;
	}
	trace_exit(status); /* --trace: the process's last event */
	return status;
}

/* A long option's name as typed, "--re" of "--re=x", and what it matches:
 * the number of long options it abbreviates, the list of them in list. */
static int candidates(const struct option *longopts, const char *name, size_t n,
                      char *list, size_t listlen, const struct option **found)
{
	int count = 0;
	size_t used = 0;

	list[0] = '\0';
	*found = NULL;
	for (; longopts != NULL && longopts->name != NULL; longopts++) {
		if (strncmp(longopts->name, name, n) != 0)
			continue;
		if (strlen(longopts->name) == n) { /* exact: the only one */
			*found = longopts;
			snprintf(list, listlen, "'--%s'", longopts->name);
			return 1;
		}
		count++;
		*found = longopts;
		if (used < listlen) {
			int w = snprintf(list + used, listlen - used,
			                 "%s'--%s'", count > 1 ? ", " : "",
			                 longopts->name);

			used += w > 0 ? (size_t)w : 0;
		}
	}
	return count;
}

int cli_bad_option(const char *prog, const struct option *longopts, int opt,
                   int letter, const char *arg)
{
	const struct option *match;
	char list[512];
	size_t n;
	int count;

	if (arg == NULL || strncmp(arg, "--", 2) != 0) {
		/* A short option, named by its letter (getopt's optopt). */
		if (opt == ':')
			return cli_usage_error(prog,
			                       "option '-%c' needs a value",
			                       letter);
		if (letter > 0x20 && letter < 0x7f)
			return cli_usage_error(prog, "unknown option '-%c'",
			                       letter);
		return cli_usage_error(prog, "unknown option '%s'",
		                       arg != NULL ? arg : "?");
	}
	n = strcspn(arg + 2, "=");
	count = candidates(longopts, arg + 2, n, list, sizeof list, &match);
	if (opt == ':')
		return cli_usage_error(prog, "option '--%s' needs a value",
		                       match != NULL ? match->name : arg + 2);
	if (count > 1)
		return cli_usage_error(prog,
		                       "option '%.*s' is ambiguous: it could be %s",
		                       (int)(n + 2), arg, list);
	if (count == 1 && arg[2 + n] == '=' && match->has_arg == no_argument)
		return cli_usage_error(prog, "option '--%s' takes no value",
		                       match->name);
	return cli_usage_error(prog, "unknown option '%.*s'", (int)(n + 2),
	                       arg);
}
