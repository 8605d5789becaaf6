/* cli: messages in the conventional form (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return EXIT_USAGE;
}

int cli_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

void cli_hint(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: hint: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
		return status == 0 ? 1 : status;
	}
	return status;
}

int cli_bad_option(const char *prog, int opt, int optopt, const char *arg)
{
	char name[64];

	/* A long option is named by the argument itself ("--port=x" -> "--port");
	 * a short one by optopt. */
	if (arg != NULL && strncmp(arg, "--", 2) == 0)
		snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="),
		         arg);
	else
		snprintf(name, sizeof name, "-%c", optopt ? optopt : '?');
	if (opt == ':')
		return cli_usage_error(prog, "option '%s' needs a value", name);
	return cli_usage_error(prog, "unknown option '%s'", name);
}
