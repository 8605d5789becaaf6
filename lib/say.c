/* say: the narration column (see say.h). */
#include "say.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"
#include "trace.h"

void say_init(struct say *s, int quiet)
{
	s->quiet = quiet;
	s->who[0] = '\0';
}

void say_tag(struct say *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(s->who, sizeof s->who, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------- a stop never waits on stdout */

static const char *stops_prog; /* NULL: say_stops() not called */
static const volatile sig_atomic_t *stops_flag; /* set by the stop handler */
static sigset_t stops_set;                      /* the signals that ask it */
static volatile sig_atomic_t stdout_dropped;

void say_stops(const char *prog, const volatile sig_atomic_t *stop,
               const sigset_t *stops)
{
	stops_prog = prog;
	stops_flag = stop;
	stops_set = *stops;
}

/* A stop was asked: the flag is set, or a stop signal waits, blocked. */
static int stop_asked(void)
{
	sigset_t pending;
	int sig;

	if (*stops_flag)
		return 1;
	if (sigpending(&pending) == -1)
		return 0;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&stops_set, sig) == 1 &&
		    sigismember(&pending, sig) == 1)
			return 1;
	return 0;
}

int say_room(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
	int e = errno, fd;

	if (stops_prog == NULL || stdout_dropped)
		return 1;
	/* Room now: the usual case, one poll() that does not wait. Else
	 * wait for it, looking every 50 ms for a stop asked meanwhile: the
	 * stop signals stay blocked, so the server's own wait still takes
	 * them. */
	while (poll(&p, 1, 0) == 0 || (p.revents & POLLOUT) == 0) {
		if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
			break; /* the write will say what is wrong */
		if (stop_asked()) {
			/* Given up: what stdout would still get goes to
			 * /dev/null, so that no later line can block. */
			fd = open("/dev/null", O_WRONLY);
			if (fd != -1) {
				(void)dup2(fd, STDOUT_FILENO);
				(void)close(fd);
			}
			stdout_dropped = 1;
			fprintf(stderr,
			        "%s: standard output is full and nobody reads "
			        "it: the rest of the narration is dropped, to "
			        "stop\n",
			        stops_prog);
			errno = e;
			return 0;
		}
		(void)poll(&p, 1, 50);
	}
	errno = e;
	return 1;
}

/* The call column: the tag takes its width from the call's. */
static int call_width(const struct say *s)
{
	int w = SAY_WIDTH - (int)strlen(s->who);

	return w > 0 ? w : 0;
}

/* Prints head, then the formatted text, as one line with one call to
 * stdio: lines of threads and processes that share the output are never
 * mixed within a line. */
static void print_line(const char *head, const char *fmt, va_list ap)
        CLI_PRINTF(2, 0);

static void print_line(const char *head, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;
	int w;

	/* The head, cut if it must be, leaves room for some text. */
	w = snprintf(line, sizeof line / 2, "%s", head);
	n = w < 0                         ? 0
	    : (size_t)w < sizeof line / 2 ? (size_t)w
	                                  : sizeof line / 2 - 1;
	w = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	if (w > 0)
		n += (size_t)w < sizeof line - n - 1 ? (size_t)w
		                                     : sizeof line - n - 2;
	line[n++] = '\n';
	flockfile(stdout); /* the wait for room and the line: one piece */
	(void)say_room();
	fwrite(line, 1, n, stdout);
	if (trace_fd >= 0) /* --trace: the line as an event (lib/trace.h) */
		trace_said(line, n);
	funlockfile(stdout);
}

void say(const struct say *s, const char *call, const char *fmt, ...)
{
	static const char cut[] = "... -> ";
	char head[512];
	va_list ap;
	int n;

	if (s->quiet)
		return;
	n = snprintf(head, sizeof head, "%s%-*s -> ", s->who, call_width(s),
	             call);
	/* A call too long for the line is cut: the arrow always shows. */
	if (n < 0 || (size_t)n >= sizeof head)
		memcpy(head + sizeof head - sizeof cut, cut, sizeof cut);
	va_start(ap, fmt);
	print_line(head, fmt, ap);
	va_end(ap);
}

void say_fd(const struct say *s, const char *name, int fd, const char *detail,
            const char *fmt, ...)
{
	char head[SAY_WIDTH + 160 + sizeof s->who], call[128];
	va_list ap;

	if (s->quiet)
		return;
	if (detail != NULL)
		snprintf(call, sizeof call, "%s(%d, %s)", name, fd, detail);
	else
		snprintf(call, sizeof call, "%s(%d)", name, fd);
	snprintf(head, sizeof head, "%s%-*s -> ", s->who, call_width(s), call);
	va_start(ap, fmt);
	print_line(head, fmt, ap);
	va_end(ap);
}

void say_note(const struct say *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	print_line(s->who, fmt, ap);
	va_end(ap);
}

/* One line of peer data (without its line ending), escaped and marked. */
static void data_line(const char *who, const char *mark, const char *line,
                      size_t n, char *shown, size_t shownlen)
{
	const char *bar;

	text_escape(line, n, shown, shownlen);
	(void)say_room();
	bar = strchr(mark, '|');
	if (shown[0] == '\0' && bar != NULL) /* "  |", not "  | " */
		printf("%s%.*s\n", who, (int)(bar - mark + 1), mark);
	else
		printf("%s%s%s\n", who, mark, shown);
}

static void data_lines(const char *who, const char *mark, const char *buf,
                       size_t n)
{
	size_t start = 0, i, longest = 0, from = 0;
	char *shown;

	if (n == 0)
		return;
	/* One buffer, big enough for the longest line escaped. */
	for (i = 0; i <= n; i++) {
		if (i == n || buf[i] == '\n') {
			if (i - from > longest)
				longest = i - from;
			from = i + 1;
		}
	}
	shown = malloc(TEXT_ESCAPED_MAX(longest));
	flockfile(stdout);
	if (shown == NULL) {
		(void)say_room();
		printf("%s%s(%zu bytes: out of memory to show them)\n", who,
		       mark, n);
		funlockfile(stdout);
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		/* CRLF ends a line as LF does: the CR is not shown. */
		data_line(who, mark, buf + start,
		          i - start - (i > start && buf[i - 1] == '\r'), shown,
		          TEXT_ESCAPED_MAX(longest));
		start = i + 1;
	}
	if (start < n) /* the last line had no newline: end it for it */
		data_line(who, mark, buf + start, n - start, shown,
		          TEXT_ESCAPED_MAX(longest));
	funlockfile(stdout);
	free(shown);
}

void say_data(const struct say *s, const char *buf, size_t n)
{
	if (!s->quiet)
		data_lines(s->who, SAY_DATA_MARK, buf, n);
}

void say_data_plain(const char *buf, size_t n)
{
	data_lines("", "", buf, n);
}

/* ------------------------------------------------ async-signal-safe */

void say_signal(int sig)
{
	if (trace_fd >= 0)
		trace_signal(sig);
}

void say_line_str(struct say_line *l, const char *str)
{
	while (*str != '\0' && l->len + 1 < sizeof l->buf)
		l->buf[l->len++] = *str++;
}

void say_line_num(struct say_line *l, long v)
{
	char digits[24];
	size_t n = 0;
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

	if (v < 0)
		say_line_str(l, "-");
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	while (n > 0 && l->len + 1 < sizeof l->buf)
		l->buf[l->len++] = digits[--n];
}

void say_line_call(struct say_line *l, const struct say *s, const char *call)
{
	size_t end;

	l->len = 0;
	say_line_str(l, s->who);
	end = l->len + (size_t)call_width(s);
	say_line_str(l, call);
	while (l->len < end && l->len + 1 < sizeof l->buf)
		l->buf[l->len++] = ' ';
	say_line_str(l, " -> ");
}

void say_line_end(struct say_line *l, const struct say *s)
{
	ssize_t n;
	size_t off = 0;

	if (s->quiet)
		return;
	l->buf[l->len++] = '\n'; /* the adders keep one byte for it */
	if (trace_fd >= 0) /* --trace: the line as an event (lib/trace.h) */
		trace_said(l->buf, l->len);
	while (off < l->len) {
		n = write(STDOUT_FILENO, l->buf + off, l->len - off);
		if (n <= 0)
			break; /* nothing to be done from a handler */
		off += (size_t)n;
	}
}
