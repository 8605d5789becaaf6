/* trace: the narration as events (see trace.h). */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

int trace_fd = -1;

/* Taken, signals blocked, from the clock to the write: the lines of one
 * process reach the file in the order of their times (the format wants
 * time never to go back within a pid), whichever thread or handler writes
 * them. */
static volatile char busy;

/* The tool's name, given on each process's first event (a child's too):
 * show-timeline names the lanes with it. */
static char source_name[32];
static long named_pid;

/* ---------------------------------------------------------- one line */

struct jline {
	char buf[1024];
	size_t len;
};

static void put(struct jline *j, const char *s, size_t n)
{
	if (n > sizeof j->buf - 2 - j->len) /* room for "}\n" */
		n = sizeof j->buf - 2 - j->len;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void puts_(struct jline *j, const char *s)
{
	put(j, s, strlen(s));
}

static void put_num(struct jline *j, long v)
{
	char d[24];
	size_t n = sizeof d;
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

	do {
		d[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		d[--n] = '-';
	put(j, d + n, sizeof d - n);
}

/* A JSON string of n bytes: " and \ escaped, a control byte or a byte
 * that is not ASCII written '?' (what is quoted here is a name, an
 * address or a command line). */
static void put_str(struct jline *j, const char *s, size_t n)
{
	size_t i;

	puts_(j, "\"");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			put(j, "\\", 1);
		if (c < 0x20 || c > 0x7e)
			c = '?';
		put(j, (const char *)&c, 1);
	}
	puts_(j, "\"");
}

static void put_key_num(struct jline *j, const char *key, long v)
{
	puts_(j, ",\"");
	puts_(j, key);
	puts_(j, "\":");
	put_num(j, v);
}

static void put_key_str(struct jline *j, const char *key, const char *s,
                        size_t n)
{
	puts_(j, ",\"");
	puts_(j, key);
	puts_(j, "\":");
	put_str(j, s, n);
}

/* ,"pid":P,"ppid":Q[,"tid":N],"ev":"EV": the time goes in front when the
 * line is written (emit()). */
static void begin(struct jline *j, const char *ev)
{
	long pid = (long)getpid();

	j->len = 0;
	put_key_num(j, "pid", pid);
	put_key_num(j, "ppid", (long)getppid());
#ifdef SYS_gettid
	{
		long tid = (long)syscall(SYS_gettid);

		if (tid != pid)
			put_key_num(j, "tid", tid);
	}
#endif
	put_key_str(j, "ev", ev, strlen(ev));
	if (named_pid != pid) {
		named_pid = pid;
		put_key_str(j, "name", source_name, strlen(source_name));
	}
}

/* {"t":SECONDS.NANOSECONDS, then the line: one write(), the line whole. */
static void emit(struct jline *j)
{
	struct timespec ts;
	sigset_t all, old;
	char out[sizeof j->buf + 40];
	size_t i, n = 0, d;
	long v;
	int saved = errno;

	puts_(j, "}\n");
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (__atomic_test_and_set(&busy, __ATOMIC_ACQUIRE))
		; /* another thread is writing its line: a few microseconds */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	memcpy(out, "{\"t\":", 6); /* and its NUL, overwritten */
	n = 5;
	d = 1;
	for (v = (long)ts.tv_sec; v >= 10; v /= 10)
		d++;
	for (i = 0, v = (long)ts.tv_sec; i < d; i++, v /= 10)
		out[n + d - 1 - i] = (char)('0' + v % 10);
	n += d;
	out[n++] = '.';
	for (i = 0, v = ts.tv_nsec; i < 9; i++, v /= 10)
		out[n + 8 - i] = (char)('0' + v % 10);
	n += 9;
	memcpy(out + n, j->buf, j->len); /* ,"pid":... */
	n += j->len;
	if (trace_fd >= 0) /* trace_exit() may have closed it */
		(void)!write(trace_fd, out, n);
	__atomic_clear(&busy, __ATOMIC_RELEASE);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
}

/* ------------------------------------------------------ the header */

int trace_open(const char *path, const char *source, int argc,
               char *const argv[], char *err, size_t errlen)
{
	struct jline j;
	char cmd[512];
	size_t n = 0;
	int fd, high, i;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
	          0644);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Out of the way of the descriptors the lesson counts (the
	 * listener is 3 with or without a trace). */
	high = fcntl(fd, F_DUPFD_CLOEXEC, 64);
	if (high != -1) {
		close(fd);
		fd = high;
	}
	for (i = 0; i < argc && n < sizeof cmd - 1; i++) {
		int w = snprintf(cmd + n, sizeof cmd - n, "%s%s", i ? " " : "",
		                 argv[i]);

		if (w < 0)
			break;
		n += (size_t)w < sizeof cmd - n ? (size_t)w
		                                : sizeof cmd - n - 1;
	}
	j.len = 0;
	puts_(&j, "{\"socklab_trace\":1,\"clock\":\"monotonic\"");
	put_key_str(&j, "source", source, strlen(source));
	put_key_str(&j, "cmd", cmd, n);
	puts_(&j, "}\n");
	if (write(fd, j.buf, j.len) != (ssize_t)j.len) {
		snprintf(err, errlen, "%s: %s", path,
		         errno ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	snprintf(source_name, sizeof source_name, "%s", source);
	trace_fd = fd;
	return 0;
}

/* ------------------------------------------- reading the narration */

/* The number at *p (a sign allowed), *p moved past it; 0 if none. */
static int number(const char **p, const char *end, long *v)
{
	const char *s = *p;
	int neg = 0;
	long n = 0;

	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	if (s >= end || *s < '0' || *s > '9')
		return 0;
	while (s < end && *s >= '0' && *s <= '9' && n < 1000000000000L)
		n = n * 10 + (*s++ - '0');
	*v = neg ? -n : n;
	*p = s;
	return 1;
}

static int starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

/* Where word is in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, word, n) == 0)
			return p;
	return NULL;
}

/* "socket pair {LOCAL, PEER}" in [p, end): the two keys. */
static void put_pair(struct jline *j, const char *p, const char *end)
{
	const char *a = find(p, end, "socket pair {"), *comma, *close_;

	if (a == NULL)
		return;
	a += strlen("socket pair {");
	comma = find(a, end, ", ");
	close_ = comma != NULL ? find(comma, end, "}") : NULL;
	if (close_ == NULL)
		return;
	put_key_str(j, "local", a, (size_t)(comma - a));
	put_key_str(j, "peer", comma + 2, (size_t)(close_ - comma - 2));
}

/* "pid N (exit C)..." or "pid N (killed by signal S)...": a reap. */
static int reap(struct jline *j, const char *name, size_t len, const char *r,
                const char *end)
{
	long child, v;

	if (!starts(r, end, "pid "))
		return 0;
	r += 4;
	if (!number(&r, end, &child))
		return 0;
	begin(j, "reap");
	put_key_num(j, "child", child);
	put_key_str(j, "call", name, len);
	if (starts(r, end, " (exit ")) {
		r += 7;
		if (number(&r, end, &v))
			put_key_num(j, "code", v);
	}
	return 1;
}

void trace_said(const char *line, size_t n)
{
	const char *p = line, *end = line + n, *name, *r;
	struct jline j;
	size_t len;
	long v, fd = -1;

	if (trace_fd < 0)
		return;
	if (p < end && *p == '[') { /* the tag: "[child 4242] " */
		p = find(p, end, "] ");
		if (p == NULL)
			return;
		p += 2;
	}
	for (name = p; p < end && ((*p >= 'a' && *p <= 'z') ||
	                           (*p >= '0' && *p <= '9') || *p == '_');
	     p++)
		;
	len = (size_t)(p - name);
	if (len == 0 || len > 32 || p >= end || *p != '(')
		return; /* a note, not a call */
	p++;
	if (*p != '-' && number(&p, end, &v) && p < end &&
	    (*p == ')' || *p == ','))
		fd = v;
	r = find(p, end, " -> ");
	if (r == NULL)
		return;
	r += 4;

	if (len == 4 && memcmp(name, "fork", 4) == 0) {
		if (!starts(r, end, "child pid "))
			return;
		r += strlen("child pid ");
		if (!number(&r, end, &v))
			return;
		begin(&j, "fork");
		put_key_num(&j, "child", v);
		put_key_str(&j, "call", name, len);
		emit(&j);
		return;
	}
	if (len >= 4 && memcmp(name, "wait", 4) == 0 &&
	    reap(&j, name, len, r, end)) {
		emit(&j);
		return;
	}
	begin(&j, "call");
	put_key_str(&j, "call", name, len);
	if (fd >= 0)
		put_key_num(&j, "fd", fd);
	if (starts(r, end, "fd ")) { /* a new descriptor: accept, socket */
		r += 3;
		if (!number(&r, end, &v))
			return;
		put_key_num(&j, "ret", v);
		put_pair(&j, r, end);
	} else if (starts(r, end, "ok")) {
		put_key_num(&j, "ret", 0);
		put_pair(&j, r, end);     /* connect's */
	} else if (number(&r, end, &v)) { /* "13 bytes", a pid, "0: ..." */
		put_key_num(&j, "ret", v);
	} else if (r + 1 < end && r[0] == 'E' && r[1] >= 'A' && r[1] <= 'Z') {
		const char *e = r;

		while (e < end && ((*e >= 'A' && *e <= 'Z') ||
		                   (*e >= '0' && *e <= '9') || *e == '_'))
			e++;
		put_key_num(&j, "ret", -1);
		put_key_str(&j, "err", r, (size_t)(e - r));
	} else {
		return; /* a result this module does not read */
	}
	emit(&j);
}

/* ------------------------------------------------ signals, the end */

static const struct {
	int sig;
	const char *name;
} sigs[] = {
	{ SIGCHLD, "SIGCHLD" }, { SIGINT, "SIGINT" },   { SIGTERM, "SIGTERM" },
	{ SIGHUP, "SIGHUP" },   { SIGQUIT, "SIGQUIT" }, { SIGUSR1, "SIGUSR1" },
	{ SIGUSR2, "SIGUSR2" }, { SIGALRM, "SIGALRM" }, { SIGPIPE, "SIGPIPE" },
};

void trace_signal(int sig)
{
	struct jline j;
	size_t i;

	if (trace_fd < 0)
		return;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigs[i].sig == sig)
			break;
	if (i == sizeof sigs / sizeof sigs[0])
		return; /* not one the tools catch */
	begin(&j, "signal");
	put_key_str(&j, "sig", sigs[i].name, strlen(sigs[i].name));
	emit(&j);
}

void trace_exit(int code)
{
	struct jline j;
	sigset_t all, old;
	int fd;

	if (trace_fd < 0)
		return;
	begin(&j, "exit");
	put_key_num(&j, "code", code & 0xff);
	emit(&j);
	/* Closed as emit() writes: between two lines of another thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (__atomic_test_and_set(&busy, __ATOMIC_ACQUIRE))
		;
	fd = trace_fd;
	trace_fd = -1;
	__atomic_clear(&busy, __ATOMIC_RELEASE);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(fd);
}
