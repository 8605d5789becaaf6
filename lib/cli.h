/*
 * cli: the command-line conventions every socklab tool follows.
 *
 *   cli_start()            first thing in main(): standard descriptors,
 *                          line-buffered stdout, inherited signal settings
 *   --help, --version      on stdout, exit 0
 *   usage errors           "tool: what is wrong" + "Try 'tool --help' ..."
 *                          on stderr, exit 2
 *   runtime failures       "tool: what failed: why" on stderr, exit 1,
 *                          optionally followed by one hint line
 *
 * Messages are printed escaped (text.h): a value from the command line or
 * the network cannot send escape sequences to the terminal, nor start a
 * line of its own. These functions print (that is their job) but never
 * exit: they return the exit code, so that main() can close what it opened
 * and `return` it.
 */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#include <getopt.h>

#define SOCKLAB_VERSION "0.2.0"

#define EXIT_USAGE 2

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/*
 * What every tool does before anything else:
 *  - makes sure descriptors 0, 1 and 2 are open, on /dev/null where one is
 *    closed. Otherwise the first socket the tool opens would get number 1
 *    (the lowest free one), and every printf() would go into the
 *    connection;
 *  - makes stdout line-buffered, so that lines come out as they happen,
 *    even in a pipe;
 *  - puts SIGCHLD back to its default and unblocks every signal (see
 *    sig_reset()).
 * Returns 0, or 1 when it cannot (the tool then exits 1: it has nowhere to
 * say why).
 */
int cli_start(void);

/* Prints "prog: message" and the "Try" line; returns 2. */
int cli_usage_error(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "prog: message"; returns 1. */
int cli_error(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "prog: hint: message" (after cli_error, where it helps). */
void cli_hint(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "prog (socklab) VERSION"; returns 0. */
int cli_version(const char *prog);

/* Flushes stdout and reports a write error (a full disk, a closed pipe):
 * returns status, or 1 if stdout could not be written. Call it last: under
 * --trace it writes the process's exit event (lib/trace.h). */
int cli_finish(const char *prog, int status);

/* The message for a getopt_long() error. Tools set opterr = 0 and start
 * their option string with ':', so getopt_long() returns ':' for a missing
 * value and '?' for an unknown, ambiguous ("--re" for --read and --reap:
 * the candidates are listed) or misused ("--quiet=1") option; pass it with
 * the tool's longopts, optopt and argv[optind - 1]. Returns 2. */
int cli_bad_option(const char *prog, const struct option *longopts, int opt,
                   int letter, const char *arg);

/* The shape of every tool's parse_args(): it returns CLI_OK to go on,
 * CLI_DONE after --help or --version (exit 0), or the exit code of a usage
 * error (2). main() then does:
 *     rc = parse_args(&o, argc, argv);
 *     if (rc != CLI_OK)
 *             return cli_finish(PROG, rc == CLI_DONE ? 0 : rc);
 */
#define CLI_OK   0
#define CLI_DONE (-1)

#endif
