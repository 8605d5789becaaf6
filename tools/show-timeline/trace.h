/*
 * trace: the events of a run, one JSON object per line. The contract is
 * the TRACE FORMAT section of man/show-timeline.1; this module reads it
 * (every line checked: a bad trace is refused, never drawn) and writes it
 * (show-timeline -- COMMAND writes what it made of strace's log).
 *
 *   {"socklab_trace":1,"clock":"monotonic","source":"srv-fork"}
 *   {"t":12.000100,"pid":4242,"ev":"call","call":"accept","fd":3,"ret":4,
 *    "local":"127.0.0.1:8888","peer":"127.0.0.1:51234"}
 *   {"t":12.000300,"pid":4242,"ev":"fork","child":4243}
 *
 * The events are kept in one array of small fixed-size records; the
 * strings they hold (call names, errno and signal names, addresses) are
 * kept once each in a table of strings and named by a number.
 *
 * Functions return 0, or -1 with the reason in err ("line 12: ...").
 * They never print and never exit.
 */
#ifndef SHOW_TIMELINE_TRACE_H
#define SHOW_TIMELINE_TRACE_H

#include <stddef.h>
#include <stdio.h>

#define TL_TRACE_VERSION 1    /* the version this reader reads */
#define TL_LINE_MAX      4096 /* bytes in a line, its newline excluded */
#define TL_EVENTS_MAX    1000000
#define TL_STR_MAX       256 /* bytes in a string value */
/* The largest time a trace may hold: far beyond any uptime, small enough
 * that a difference of two times keeps its microseconds. */
#define TL_T_MAX 1e10

enum tl_kind {
	TL_CALL,   /* a system call returned */
	TL_FORK,   /* a process was born: child */
	TL_EXIT,   /* the process ended */
	TL_SIGNAL, /* a signal was delivered */
	TL_REAP,   /* a wait call collected child */
	TL_OTHER,  /* an "ev" this version does not know: kept, not drawn */
};

#define TL_F_CLOEXEC 0x01 /* call: the new descriptor closes on exec */
#define TL_F_CORE    0x02 /* exit, reap: a core was dumped */
#define TL_F_CODE    0x04 /* exit, reap: code holds the exit status */

/* One event. The strings are ids into the trace's table (0: none). */
struct tl_event {
	double t;      /* seconds, on the trace's clock */
	unsigned line; /* where it was read (1 is the header), 0 if made */
	unsigned seq;  /* the order it was added in (set by tl_trace_add) */
	int pid;
	int ppid;           /* 0: not given */
	int tid;            /* 0: not given */
	int fd;             /* -1: not given */
	int ret;            /* call: what it returned */
	int child;          /* fork, reap: the child; signal: the sender (0) */
	unsigned char code; /* exit, reap: the exit status (TL_F_CODE) */
	unsigned char kind;
	unsigned char flags;
	unsigned call; /* call: its name; fork, reap: the call (or 0) */
	unsigned err;  /* call: errno's name when it failed */
	unsigned sig;  /* signal: its name; exit, reap: the killing signal */
	unsigned why;  /* signal: si_code ("CLD_EXITED"); other: its "ev" */
	unsigned local, peer; /* the socket pair */
	unsigned name;        /* the process's name from now on */
};

/* The strings, each kept once. */
struct tl_strings {
	char *buf; /* "\0" then each string and its NUL */
	size_t len, cap;
	unsigned *slot; /* hash table of ids */
	size_t nslots, count;
};

struct tl_trace {
	int version;
	unsigned clock, source, cmd; /* from the header line */
	struct tl_event *ev;
	size_t n, cap;
	int unsorted; /* an event came before the one added before it */
	struct tl_strings str;
};

void tl_trace_init(struct tl_trace *tr);
void tl_trace_free(struct tl_trace *tr);

/* The string id names ("" for 0). */
const char *tl_str(const struct tl_trace *tr, unsigned id);

/* The id of the C string s if the trace holds it, else 0. */
unsigned tl_find(const struct tl_trace *tr, const char *s);

/* The id of the n bytes at s (no NUL among them), added if new; 0 when
 * out of memory. */
unsigned tl_intern(struct tl_trace *tr, const char *s, size_t n);

/* Appends an event (its strings already interned). -1: out of memory, or
 * more than TL_EVENTS_MAX events. */
int tl_trace_add(struct tl_trace *tr, const struct tl_event *e);

/*
 * Reading, a line at a time: what the tool does with a file, and the
 * fuzzer with its input. tl_reader_line() takes one line without its
 * newline; tl_reader_end() says whether the input ended cleanly (the last
 * line ended with a newline), checks that there were events, and sorts
 * them by time (file order for equal times).
 */
struct tl_reader {
	struct tl_trace *tr;
	unsigned line;
	int header_seen;
	void *last; /* per process: the time of its last event */
};

int tl_reader_start(struct tl_reader *r, struct tl_trace *tr);
int tl_reader_line(struct tl_reader *r, const char *line, size_t len, char *err,
                   size_t errlen);
int tl_reader_end(struct tl_reader *r, int ended_with_newline, char *err,
                  size_t errlen);
void tl_reader_free(struct tl_reader *r);

/* The whole of f, with the reader above. */
int tl_trace_read(FILE *f, struct tl_trace *tr, char *err, size_t errlen);

/* Gives each time the value it has once written and read back (9
 * decimals), so that a picture drawn from events in memory is the one
 * drawn from their trace file. */
void tl_trace_canonical(struct tl_trace *tr);

/*
 * The lines of f, each handed to fn without its newline. A line longer
 * than max is refused ("line N: longer than MAX bytes", -1) or, with
 * skip_long, handed as (NULL, 0) and skipped; it is never kept whole.
 * *ended_nl says whether the input ended with a newline (or was empty).
 * fn returns 0 to go on, -1 (its reason in err) to stop. Returns 0, or -1
 * with the reason in err.
 */
int tl_read_lines(FILE *f, size_t max, int skip_long,
                  int (*fn)(void *ctx, const char *line, size_t len, char *err,
                            size_t errlen),
                  void *ctx, int *ended_nl, char *err, size_t errlen);

/* Sorts the events by time; the order they were added in (file order)
 * for equal times. */
void tl_trace_sort(struct tl_trace *tr);

/* Writes the header and every event. Returns 0, or -1 (errno) when f
 * could not be written. */
int tl_trace_write(FILE *f, const struct tl_trace *tr);

/* An event's kind as the format names it ("call"...). */
const char *tl_kind_name(int kind);

#endif
