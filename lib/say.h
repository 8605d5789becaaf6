/*
 * say: the narration. Every socklab tool prints each system call it makes
 * and what the call returned, one line per call, the result in a column:
 *
 *   accept(3)                                    -> fd 4, socket pair {...}
 *
 * The call is written as in C on the left, padded to SAY_WIDTH characters;
 * " -> " and the result follow. A process that narrates next to others (the
 * children of srv-fork, the clients of cli-connect --clients) puts a tag in
 * front of each of its lines, "[parent] " or "[child 4242] ", and the call
 * is padded less, so that the arrows stay in one column.
 *
 * Bytes that came from the network (a request, a reply) are printed by
 * say_data(): escaped (text.h) and each line marked with "  | ", so that no
 * line a peer sends can pass for a line of narration.
 *
 * say() and say_data() use stdio; a signal handler, where stdio is
 * forbidden, builds its line with struct say_line and write(2).
 */
#ifndef SOCKLAB_SAY_H
#define SOCKLAB_SAY_H

#include <signal.h>
#include <stddef.h>

#include "cli.h" /* CLI_PRINTF */

/* Where the arrow goes: the call is padded to this many characters. */
#define SAY_WIDTH 44
/* How a line of peer data starts. */
#define SAY_DATA_MARK "  | "

/* Who narrates: one per process (or thread) that prints. */
struct say {
	int quiet;    /* 1: say nothing */
	char who[32]; /* tag in front of every line, "" for none */
};

/* quiet as given, no tag. */
void say_init(struct say *s, int quiet);

/* Sets the tag: say_tag(s, "[child %ld] ", (long)getpid()). The tag ends
 * with a space; a tag longer than the buffer is cut. */
void say_tag(struct say *s, const char *fmt, ...) CLI_PRINTF(2, 3);

/* "call -> result": one line on stdout, unless quiet. */
void say(const struct say *s, const char *call, const char *fmt, ...)
        CLI_PRINTF(3, 4);

/* say() for the most common call, one on a descriptor: the call is
 * "name(fd)", or "name(fd, detail)" when detail is not NULL, and is built
 * only when the line is printed: when quiet, nothing at all is formatted
 * (a forked child under --quiet then runs no stdio code: see
 * docs/performance.md). */
void say_fd(const struct say *s, const char *name, int fd, const char *detail,
            const char *fmt, ...) CLI_PRINTF(5, 6);

/* A line that is not a call (a note, the article's own strings): the tag,
 * then the text. Unless quiet. */
void say_note(const struct say *s, const char *fmt, ...) CLI_PRINTF(2, 3);

/* n bytes a peer sent, printed line by line, each line escaped and marked
 * with SAY_DATA_MARK (after the tag). A CRLF ends a line as LF does. The
 * last line is ended even when the bytes do not end with a newline, so the
 * next narration never sticks to it; an empty line is "  |", without a
 * trailing blank. Unless quiet. */
void say_data(const struct say *s, const char *buf, size_t n);

/* The same lines without tag or mark, printed even when quiet: for a tool
 * whose --quiet output is the peer's data alone. */
void say_data_plain(const char *buf, size_t n);

/* A signal handler ran for sig: nothing is printed (the handler's own
 * lines say what it does), but --trace records it (lib/trace.h).
 * Async-signal-safe. */
void say_signal(int sig);

/*
 * A stop never waits for a reader. A server whose stdout is a pipe that
 * nobody reads any more would sleep in write() with its stop signals
 * blocked, for ever. After say_stops(), every line of narration first
 * makes sure stdout has room (say_room(): one poll() that does not wait);
 * when it has none, it waits for room, and if a stop is asked meanwhile
 * (*stop set, or one of stops pending) it gives stdout up: one note on
 * stderr ("PROG: standard output is full and nobody reads it..."), and
 * what stdout would still get goes to /dev/null. Until then the output is
 * byte for byte what it was. stop and stops: the server's (tools/server).
 */
void say_stops(const char *prog, const volatile sig_atomic_t *stop,
               const sigset_t *stops);

/* Before a line printed without say() (a summary): waits for room on
 * stdout as above. Returns 1, or 0 when stdout was given up. errno is
 * kept. Without say_stops(), returns 1 at once. */
int say_room(void);

/*
 * Async-signal-safe narration, for signal handlers: the line is built in
 * the struct (on the handler's stack) and written with one write(2).
 *
 *   struct say_line l;
 *   say_line_call(&l, s, "waitpid(-1, &st, WNOHANG)");
 *   say_line_str(&l, "pid ");
 *   say_line_num(&l, (long)pid);
 *   say_line_end(&l, s);
 *
 * A line longer than the buffer is cut. Nothing is written when quiet.
 */
struct say_line {
	char buf[256];
	size_t len;
};
void say_line_call(struct say_line *l, const struct say *s, const char *call);
void say_line_str(struct say_line *l, const char *str);
void say_line_num(struct say_line *l, long v);
void say_line_end(struct say_line *l, const struct say *s);

#endif
