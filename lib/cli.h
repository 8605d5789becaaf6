/*
 * cli: the command-line conventions every socklab tool follows.
 *
 *   --help, --version      on stdout, exit 0
 *   usage errors           "tool: what is wrong" + "Try 'tool --help' ..."
 *                          on stderr, exit 2
 *   runtime failures       "tool: what failed: why" on stderr, exit 1,
 *                          optionally followed by one hint line
 *
 * These functions print (that is their job) but never exit: they return the
 * exit code, so that main() can close what it opened and `return` it.
 */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#define SOCKLAB_VERSION "0.1.0"

#define EXIT_USAGE 2

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* Prints "prog: message" and the "Try" line; returns 2. */
int cli_usage_error(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "prog: message"; returns 1. */
int cli_error(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "prog: hint: message" (after cli_error, where it helps). */
void cli_hint(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "prog (socklab) VERSION"; returns 0. */
int cli_version(const char *prog);

/* Flushes stdout and reports a write error (a full disk, a closed pipe):
 * returns status, or 1 if stdout could not be written. Call it last. */
int cli_finish(const char *prog, int status);

/* The message for a getopt_long() error. Tools set opterr = 0 and start
 * their option string with ':', so getopt_long() returns ':' for a missing
 * value and '?' for an unknown option; pass it with optopt and
 * argv[optind - 1]. Returns 2. */
int cli_bad_option(const char *prog, int opt, int optopt, const char *arg);

#endif
