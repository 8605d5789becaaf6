/* strace: strace's log as trace events (see strace.h). */
#include "strace.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pidmap.h"

/* What the reader keeps per thread (a process is its first thread). */
struct task {
	int tid;
	int tgid;        /* its process */
	int has_pending; /* a call "<unfinished ...>" */
	char pend_name[32];
	char *pend_args;
	size_t pend_len;
	double pend_t; /* when it was entered */
	int has_held;  /* a call cut by a signal: EINTR or restarted? */
	struct tl_event held;
};

struct tl_strace {
	struct tl_trace *tr;
	double offset;
	int relative, have_offset;
	struct tl_pidmap map; /* tid -> task */
	struct task *task;
	size_t ntasks, cap;
	struct tl_pidmap parent; /* process -> its parent (from a fork) */
	struct tl_strace_stats st;
	int oom;
};

/* ------------------------------------------------------- small scanners */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

/* A decimal number at *p (an optional '-'), advancing *p; 0 if none. */
static int scan_long(const char **p, const char *end, long *out)
{
	const char *s = *p;
	long v = 0;
	int neg = 0;

	if (s < end && *s == '-') {
		neg = 1;
		s++;
	}
	if (s >= end || !is_digit(*s))
		return 0;
	while (s < end && is_digit(*s)) {
		if (v > (LONG_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*s++ - '0');
	}
	*out = neg ? -v : v;
	*p = s;
	return 1;
}

/* "SECONDS.FRACTION" at *p. */
static int scan_time(const char **p, const char *end, double *out)
{
	const char *s = *p;
	double v = 0, scale = 0.1;

	if (s >= end || !is_digit(*s))
		return 0;
	while (s < end && is_digit(*s))
		v = v * 10 + (*s++ - '0');
	if (s < end && *s == '.') {
		s++;
		while (s < end && is_digit(*s)) {
			v += (*s++ - '0') * scale;
			scale /= 10;
		}
	}
	if (!isfinite(v))
		return 0;
	*out = v;
	*p = s;
	return 1;
}

/* Where the text key occurs in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *key)
{
	size_t n = strlen(key);

	for (; p != NULL && (size_t)(end - p) >= n; p++) {
		p = memchr(p, key[0], (size_t)(end - p));
		if (p == NULL || (size_t)(end - p) < n)
			return NULL;
		if (memcmp(p, key, n) == 0)
			return p;
	}
	return NULL;
}

/* The number after key ("si_pid=") in [p, end). */
static int number_after(const char *p, const char *end, const char *key,
                        long *out)
{
	const char *k = find(p, end, key);

	if (k == NULL)
		return 0;
	k += strlen(key);
	return scan_long(&k, end, out);
}

/* The word after key ("si_code=") in [p, end) into buf. */
static int word_after(const char *p, const char *end, const char *key,
                      char *buf, size_t len)
{
	const char *k = find(p, end, key);
	size_t n = 0;

	if (k == NULL || len == 0)
		return 0;
	k += strlen(key);
	while (k < end && n + 1 < len &&
	       ((*k >= 'A' && *k <= 'Z') || is_digit(*k) || *k == '_' ||
	        *k == '+' || *k == '-'))
		buf[n++] = *k++;
	buf[n] = '\0';
	return n > 0;
}

/* -yy's description of a descriptor, "<...>", at *p (which points at
 * '<'): a socket's, "TCP:[1.2.3.4:80->5.6.7.8:9]", ends at "]>" (it
 * holds "->"); anything else at the first '>'. Returns the end (after
 * '>'), or NULL. */
static const char *deco_end(const char *p, const char *end)
{
	const char *q = p + 1, *e;

	while (q < end &&
	       ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
	        is_digit(*q) || *q == '-' || *q == '_'))
		q++;
	if (q + 1 < end && q[0] == ':' && q[1] == '[') {
		e = find(q, end, "]>");
		return e == NULL ? NULL : e + 2;
	}
	e = memchr(p, '>', (size_t)(end - p));
	return e == NULL ? NULL : e + 1;
}

/* Where the call's arguments end: the ')' at depth 0 that is followed by
 * " = " (strace pads with spaces). Strings, -yy's descriptions and nested
 * brackets are skipped. Returns the ')', or NULL. */
static const char *args_end(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		char c = *p;

		if (c == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
			continue;
		}
		if (c == '<') {
			const char *e = deco_end(p, end);

			p = e == NULL ? p + 1 : e;
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		} else if (c == ')') {
			if (depth == 0) {
				const char *q = p + 1;

				while (q < end && *q == ' ')
					q++;
				if (q + 1 < end && q[0] == '=' && q[1] == ' ')
					return p;
			} else {
				depth--;
			}
		}
		p++;
	}
	return NULL;
}

/* --------------------------------------------------- a call's result */

struct result {
	int known; /* ret is a number ("?" is not) */
	long ret;
	char err[32];     /* "EINTR", "ERESTARTSYS" */
	const char *deco; /* -yy's "<...>" after the number, or NULL */
	const char *deco_e;
	double dur; /* -T's "<0.000123>", or -1 */
};

static void read_result(const char *p, const char *end, struct result *r)
{
	const char *q;
	size_t n = 0;

	memset(r, 0, sizeof *r);
	r->dur = -1;
	/* -T: " <0.000123>" at the end. */
	if (end > p && end[-1] == '>') {
		q = end - 1;
		while (q > p && (is_digit(q[-1]) || q[-1] == '.'))
			q--;
		if (q > p + 1 && q[-1] == '<' && q[-2] == ' ') {
			const char *t = q;
			double d;

			if (scan_time(&t, end, &d) && t == end - 1) {
				r->dur = d;
				end = q - 2;
			}
		}
	}
	if (p < end && *p == '?') {
		p++;
	} else if (!starts(p, end, "0x") && scan_long(&p, end, &r->ret)) {
		r->known = 1;
		if (p < end && *p == '<') {
			r->deco = p;
			r->deco_e = deco_end(p, end);
			if (r->deco_e == NULL)
				r->deco = NULL;
			else
				p = r->deco_e;
		}
	} else {
		return; /* an address (0x...): not a result read here */
	}
	while (p < end && *p == ' ')
		p++;
	while (p < end && n + 1 < sizeof r->err &&
	       ((*p >= 'A' && *p <= 'Z') || is_digit(*p) || *p == '_'))
		r->err[n++] = *p++;
	r->err[n] = '\0';
	if (n > 0 && r->err[0] != 'E')
		r->err[0] = '\0';
}

static int restarted(const char *err)
{
	return strncmp(err, "ERESTART", 8) == 0;
}

/* ---------------------------------------------------- socket addresses */

/* "TCP:[1.2.3.4:80->5.6.7.8:9]" (or "TCPv6:[[::1]:80->[::1]:9]", or a
 * listener's "TCP:[1.2.3.4:80]") between d and e: the addresses. */
static void deco_pair(const char *d, const char *e, char *local, char *peer,
                      size_t len)
{
	const char *o, *c, *arrow;

	local[0] = peer[0] = '\0';
	if (d == NULL || e == NULL)
		return;
	o = find(d, e, ":[");
	if (o == NULL || !(starts(d + 1, e, "TCP") || starts(d + 1, e, "UDP")))
		return;
	o += 2;
	c = e - 2; /* the "]>" */
	if (c <= o)
		return;
	arrow = find(o, c, "->");
	if (arrow == NULL) {
		if ((size_t)(c - o) < len) {
			memcpy(local, o, (size_t)(c - o));
			local[c - o] = '\0';
		}
		return;
	}
	if ((size_t)(arrow - o) < len && (size_t)(c - arrow - 2) < len) {
		memcpy(local, o, (size_t)(arrow - o));
		local[arrow - o] = '\0';
		memcpy(peer, arrow + 2, (size_t)(c - arrow - 2));
		peer[c - arrow - 2] = '\0';
	}
}

/* The address in a sockaddr argument: sin_port=htons(N),
 * sin_addr=inet_addr("A") or inet_pton(AF_INET6, "A", ...). */
static void sockaddr_text(const char *p, const char *end, char *out, size_t len)
{
	const char *a;
	long port;
	size_t n = 0;
	int v6 = 0;

	out[0] = '\0';
	if (!number_after(p, end, "sin_port=htons(", &port) &&
	    !number_after(p, end, "sin6_port=htons(", &port))
		return;
	a = find(p, end, "inet_addr(\"");
	if (a != NULL) {
		a += strlen("inet_addr(\"");
	} else if ((a = find(p, end, "inet_pton(AF_INET6, \"")) != NULL) {
		a += strlen("inet_pton(AF_INET6, \"");
		v6 = 1;
	} else {
		return;
	}
	if (v6)
		out[n++] = '[';
	while (a < end && *a != '"' && n + 10 < len)
		out[n++] = *a++;
	if (a >= end || *a != '"') {
		out[0] = '\0';
		return;
	}
	snprintf(out + n, len - n, "%s:%ld", v6 ? "]" : "", port);
}

/* ------------------------------------------------------------ the tasks */

static struct task *task_of(struct tl_strace *s, int tid)
{
	size_t i;

	if (tl_pidmap_get(&s->map, tid, &i))
		return &s->task[i];
	if (s->ntasks == s->cap) {
		size_t cap = s->cap == 0 ? 64 : s->cap * 2;
		struct task *t = realloc(s->task, cap * sizeof *t);

		if (t == NULL)
			return NULL;
		s->task = t;
		s->cap = cap;
	}
	if (tl_pidmap_put(&s->map, tid, s->ntasks) == -1)
		return NULL;
	memset(&s->task[s->ntasks], 0, sizeof s->task[0]);
	s->task[s->ntasks].tid = tid;
	s->task[s->ntasks].tgid = tid;
	return &s->task[s->ntasks++];
}

static void drop_pending(struct task *t)
{
	free(t->pend_args);
	t->pend_args = NULL;
	t->pend_len = 0;
	t->has_pending = 0;
}

/* An event of task t at strace time st, with the common fields. */
static void event_init(struct tl_strace *s, struct tl_event *e,
                       const struct task *t, double st, int kind)
{
	size_t parent;

	memset(e, 0, sizeof *e);
	if (!s->have_offset) {
		s->offset = -st;
		s->have_offset = 1;
	}
	e->t = st + s->offset;
	if (e->t < 0 || !isfinite(e->t))
		e->t = 0;
	e->line = (unsigned)s->st.lines;
	e->pid = t->tgid;
	if (t->tid != t->tgid)
		e->tid = t->tid;
	if (tl_pidmap_get(&s->parent, t->tgid, &parent))
		e->ppid = (int)parent;
	e->fd = -1;
	e->kind = (unsigned char)kind;
}

static void add(struct tl_strace *s, const struct tl_event *e)
{
	if (e->t > TL_T_MAX) { /* a time no trace can hold: a bad line */
		s->st.skipped++;
		return;
	}
	if (tl_trace_add(s->tr, e) == -1)
		s->oom = errno == EFBIG ? 2 : 1;
}

static unsigned intern(struct tl_strace *s, const char *str)
{
	unsigned id;

	if (str == NULL || *str == '\0')
		return 0;
	id = tl_intern(s->tr, str, strlen(str));
	if (id == 0)
		s->oom = 1;
	return id;
}

/* A call cut by a signal: the program saw EINTR if its handler returns
 * EINTR (rt_sigreturn, next), else the call was restarted. */
static void resolve_held(struct tl_strace *s, struct task *t, int eintr)
{
	if (t->has_held && eintr)
		add(s, &t->held);
	t->has_held = 0;
}

/* --------------------------------------------------------- one call */

/* The first argument's descriptor number and its -yy description. */
static int first_fd(const char *a, const char *end, const char **deco,
                    const char **deco_e)
{
	long fd;

	*deco = *deco_e = NULL;
	if (!scan_long(&a, end, &fd) || fd < 0 || fd > INT_MAX)
		return -1;
	if (a < end && *a == '<') {
		*deco = a;
		*deco_e = deco_end(a, end);
	}
	return (int)fd;
}

/* A descriptor that is a file, a pipe or the like: its close is not the
 * picture's business. */
static int not_a_socket(const char *deco, const char *deco_e)
{
	if (deco == NULL || deco_e == NULL)
		return 0; /* without -yy, every close is kept */
	return deco[1] == '/' || starts(deco + 1, deco_e, "pipe:") ||
	       starts(deco + 1, deco_e, "anon_inode:") ||
	       starts(deco + 1, deco_e, "char ") ||
	       starts(deco + 1, deco_e, "block ");
}

/* How a wait's child ended, from wait4's "[{WIFEXITED(s) &&
 * WEXITSTATUS(s) == 0}]" or waitid's "si_status=". */
static int wait_status(struct tl_strace *s, const char *a, const char *end,
                       struct tl_event *e)
{
	char sig[32];
	long code;

	if (number_after(a, end, "WEXITSTATUS(s) == ", &code) && code >= 0 &&
	    code <= 255) {
		e->code = (unsigned char)code;
		e->flags |= TL_F_CODE;
		return 1;
	}
	if (word_after(a, end, "WTERMSIG(s) == ", sig, sizeof sig) &&
	    strncmp(sig, "SIG", 3) == 0) { /* a name, as the trace wants */
		e->sig = intern(s, sig);
		if (find(a, end, "WCOREDUMP") != NULL)
			e->flags |= TL_F_CORE;
		return 1;
	}
	return 0;
}

static void waitid_status(struct tl_strace *s, const char *a, const char *end,
                          struct tl_event *e)
{
	char code[32], sig[32];
	long n;

	if (!word_after(a, end, "si_code=", code, sizeof code))
		return;
	if (strcmp(code, "CLD_EXITED") == 0 &&
	    number_after(a, end, "si_status=", &n) && n >= 0 && n <= 255) {
		e->code = (unsigned char)n;
		e->flags |= TL_F_CODE;
	} else if (word_after(a, end, "si_status=", sig, sizeof sig) &&
	           strncmp(sig, "SIG", 3) == 0) {
		e->sig = intern(s, sig);
		if (strcmp(code, "CLD_DUMPED") == 0)
			e->flags |= TL_F_CORE;
	}
}

/* execve("/usr/bin/python3", ...): the program's file name. */
static void exec_name(struct tl_strace *s, const char *a, const char *end,
                      struct tl_event *e)
{
	const char *q, *base;
	char name[64];
	size_t n = 0;

	if (a >= end || *a != '"')
		return;
	a++;
	q = memchr(a, '"', (size_t)(end - a));
	if (q == NULL)
		return;
	base = a;
	for (; a < q; a++)
		if (*a == '/')
			base = a + 1;
	while (base < q && n + 1 < sizeof name)
		name[n++] = *base++;
	name[n] = '\0';
	e->name = intern(s, name);
}

static int one_of(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* A finished call: name, its arguments and result in [a, end), entered
 * at strace time entry (or -1), printed at strace time at. */
static void call(struct tl_strace *s, struct task *t, const char *name,
                 const char *a, const char *end, double entry, double at)
{
	static const char *const forks[] = { "fork", "vfork", "clone", "clone3",
		                             NULL };
	static const char *const waits[] = { "wait4", "waitid", NULL };
	static const char *const fdcalls[] = { "accept", "accept4", "connect",
		                               "close",  "dup",     "dup2",
		                               "dup3",   NULL };
	const char *close_paren = args_end(a, end), *deco, *deco_e;
	char local[96], peer[96];
	struct result r;
	struct tl_event e;
	double when;

	if (close_paren == NULL) {
		s->st.skipped++;
		return;
	}
	{
		const char *q = close_paren + 1;

		while (q < end && *q == ' ')
			q++;
		read_result(q + 2, end, &r);
	}
	when = entry >= 0 && r.dur >= 0 ? entry + r.dur : at;
	if (strcmp(name, "rt_sigreturn") == 0) {
		resolve_held(s, t,
		             r.known && r.ret == -1 &&
		                     strcmp(r.err, "EINTR") == 0);
		return;
	}
	resolve_held(s, t, 0);
	if (!one_of(name, forks) && !one_of(name, waits) &&
	    !one_of(name, fdcalls) && strcmp(name, "execve") != 0 &&
	    strcmp(name, "execveat") != 0)
		return; /* exit, exit_group: the "+++" line is the end */
	if (!r.known && !restarted(r.err))
		return; /* "= ?": the process ended inside the call */

	event_init(s, &e, t, when, TL_CALL);
	e.call = intern(s, name);
	e.ret = r.known && r.ret >= INT_MIN && r.ret <= INT_MAX ? (int)r.ret
	                                                        : -1;
	if (r.err[0] != '\0') {
		e.ret = -1;
		e.err = intern(s, restarted(r.err) ? "EINTR" : r.err);
	}
	if (restarted(r.err)) {
		/* Held until the next line of this thread says which. */
		if (one_of(name, fdcalls))
			e.fd = first_fd(a, close_paren, &deco, &deco_e);
		t->held = e;
		t->has_held = 1;
		return;
	}

	if (one_of(name, forks)) {
		if (find(a, close_paren, "CLONE_THREAD") != NULL) {
			struct task *th;

			if (e.ret <= 0)
				return;
			th = task_of(s, e.ret); /* a thread of t's process */
			if (th == NULL) {
				s->oom = 1;
				return;
			}
			th->tgid = t->tgid;
			return;
		}
		if (e.ret > 0) {
			e.kind = TL_FORK;
			e.child = e.ret;
			e.ret = 0;
			if (tl_pidmap_put(&s->parent, e.child,
			                  (size_t)t->tgid) == -1)
				s->oom = 1;
		}
		add(s, &e);
		return;
	}
	if (one_of(name, waits)) {
		long child = e.ret;

		if (strcmp(name, "waitid") == 0) {
			if (e.ret != 0 || find(a, close_paren, "WNOWAIT") ||
			    !number_after(a, close_paren, "si_pid=", &child) ||
			    child <= 0 || child > INT_MAX)
				child = 0;
		}
		if (child > 0 && child != t->tgid) {
			e.kind = TL_REAP;
			e.child = (int)child;
			if (strcmp(name, "waitid") == 0)
				waitid_status(s, a, close_paren, &e);
			else if (!wait_status(s, a, close_paren, &e) &&
			         find(a, close_paren, "WIFSTOPPED") != NULL)
				e.kind = TL_CALL; /* stopped, not ended */
			if (e.kind == TL_REAP)
				e.ret = 0;
		}
		add(s, &e);
		return;
	}
	if (strncmp(name, "execve", 6) == 0) {
		if (e.ret != 0)
			return; /* a failed exec (a PATH search) changes nothing */
		if (strcmp(name, "execve") == 0)
			exec_name(s, a, close_paren, &e);
		add(s, &e);
		return;
	}

	/* The calls on a descriptor. */
	e.fd = first_fd(a, close_paren, &deco, &deco_e);
	if (strcmp(name, "close") == 0 && not_a_socket(deco, deco_e))
		return;
	if (strcmp(name, "accept") == 0 || strcmp(name, "accept4") == 0) {
		char listener[96], unused[96];

		deco_pair(r.deco, r.deco_e, local, peer, sizeof local);
		if (peer[0] == '\0' && e.ret >= 0) {
			sockaddr_text(a, close_paren, peer, sizeof peer);
			deco_pair(deco, deco_e, listener, unused,
			          sizeof listener);
			if (local[0] == '\0')
				memcpy(local, listener, sizeof local);
		}
		if (e.ret >= 0) {
			e.local = intern(s, local);
			e.peer = intern(s, peer);
		}
		if (find(a, close_paren, "SOCK_CLOEXEC") != NULL)
			e.flags |= TL_F_CLOEXEC;
	} else if (strcmp(name, "connect") == 0) {
		sockaddr_text(a, close_paren, peer, sizeof peer);
		e.peer = intern(s, peer);
	} else if (strcmp(name, "dup3") == 0) {
		if (find(a, close_paren, "O_CLOEXEC") != NULL)
			e.flags |= TL_F_CLOEXEC;
	}
	add(s, &e);
}

/* ------------------------------------------------------------ one line */

#define UNFINISHED     " <unfinished ...>"
#define UNFINISHED_LEN (sizeof UNFINISHED - 1)

/* "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, ...} ---" */
static void signal_line(struct tl_strace *s, struct task *t, const char *p,
                        const char *end, double at)
{
	char sig[32], code[32];
	struct tl_event e;
	size_t n = 0;
	long from;

	while (p < end && n + 1 < sizeof sig &&
	       ((*p >= 'A' && *p <= 'Z') || is_digit(*p) || *p == '_' ||
	        *p == '+' || *p == '-'))
		sig[n++] = *p++;
	sig[n] = '\0';
	if (strncmp(sig, "SIG", 3) != 0 || n == 3 || p >= end || *p != ' ') {
		s->st.skipped++; /* "--- stopped by SIGSTOP ---" and the like */
		return;
	}
	event_init(s, &e, t, at, TL_SIGNAL);
	e.sig = intern(s, sig);
	if (number_after(p, end, "si_pid=", &from) && from > 0 &&
	    from <= INT_MAX)
		e.child = (int)from;
	if (word_after(p, end, "si_code=", code, sizeof code))
		e.why = intern(s, code);
	add(s, &e);
}

/* "+++ exited with 0 +++", "+++ killed by SIGKILL (core dumped) +++" */
static void end_line(struct tl_strace *s, struct task *t, const char *p,
                     const char *end, double at)
{
	struct tl_event e;
	char sig[32];
	long code;

	resolve_held(s, t, 0);
	drop_pending(t);
	if (t->tid != t->tgid)
		return; /* a thread ended, not its process */
	event_init(s, &e, t, at, TL_EXIT);
	if (starts(p, end, "exited with ")) {
		p += strlen("exited with ");
		if (!scan_long(&p, end, &code) || code < 0 || code > 255) {
			s->st.skipped++;
			return;
		}
		e.code = (unsigned char)code;
		e.flags |= TL_F_CODE;
	} else if (word_after(p, end, "killed by ", sig, sizeof sig) &&
	           strncmp(sig, "SIG", 3) == 0) {
		e.sig = intern(s, sig);
		if (find(p, end, "(core dumped)") != NULL)
			e.flags |= TL_F_CORE;
	} else {
		s->st.skipped++; /* "+++ superseded by execve ..." */
		return;
	}
	add(s, &e);
}

/* "NAME(ARGS <unfinished ...>": kept until "<... NAME resumed>". */
static void unfinished(struct tl_strace *s, struct task *t, const char *name,
                       const char *a, const char *end, double at)
{
	size_t n = (size_t)(end - a);

	drop_pending(t);
	t->pend_args = malloc(n + 1);
	if (t->pend_args == NULL) {
		s->oom = 1;
		return;
	}
	memcpy(t->pend_args, a, n);
	t->pend_args[n] = '\0';
	t->pend_len = n;
	snprintf(t->pend_name, sizeof t->pend_name, "%s", name);
	t->pend_t = at;
	t->has_pending = 1;
}

/* "<... NAME resumed>REST": the call, its two halves joined. */
static void resumed(struct tl_strace *s, struct task *t, const char *name,
                    const char *rest, const char *end, double at)
{
	size_t n = (size_t)(end - rest);
	char *whole;

	if (!t->has_pending || strcmp(t->pend_name, name) != 0) {
		drop_pending(t);
		call(s, t, name, rest, end, -1, at);
		return;
	}
	whole = malloc(t->pend_len + n + 1);
	if (whole == NULL) {
		s->oom = 1;
		drop_pending(t);
		return;
	}
	memcpy(whole, t->pend_args, t->pend_len);
	memcpy(whole + t->pend_len, rest, n);
	whole[t->pend_len + n] = '\0';
	call(s, t, name, whole, whole + t->pend_len + n, t->pend_t, at);
	free(whole);
	drop_pending(t);
}

int tl_strace_line(struct tl_strace *s, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *name;
	char nm[32];
	struct task *t;
	double at;
	long tid;
	size_t n;

	s->st.lines++;
	if (len > 0 && end[-1] == '\r')
		end--;
	/* "PID  SECONDS.MICROS " or "[pid PID] SECONDS.MICROS ". */
	if (starts(p, end, "[pid")) {
		p += 4;
		while (p < end && *p == ' ')
			p++;
	}
	if (len > TL_STRACE_LINE_MAX || !scan_long(&p, end, &tid) || tid <= 0 ||
	    tid > INT_MAX) {
		s->st.skipped++;
		return 0;
	}
	if (p < end && *p == ']')
		p++;
	while (p < end && *p == ' ')
		p++;
	if (!scan_time(&p, end, &at) || p >= end || *p != ' ') {
		s->st.skipped++;
		return 0;
	}
	p++;
	t = task_of(s, (int)tid);
	if (t == NULL) {
		s->oom = 1;
		return -1;
	}
	if (starts(p, end, "--- ")) {
		signal_line(s, t, p + 4, end, at);
	} else if (starts(p, end, "+++ ")) {
		end_line(s, t, p + 4, end, at);
	} else if (starts(p, end, "<... ")) {
		name = p + 5;
		for (p = name, n = 0; p < end && *p != ' ' && n + 1 < sizeof nm;
		     p++)
			nm[n++] = *p;
		nm[n] = '\0';
		if (!starts(p, end, " resumed>")) {
			s->st.skipped++;
			return s->oom ? -1 : 0;
		}
		resumed(s, t, nm, p + strlen(" resumed>"), end, at);
	} else {
		for (n = 0;
		     p < end && n + 1 < sizeof nm &&
		     ((*p >= 'a' && *p <= 'z') || is_digit(*p) || *p == '_');
		     p++)
			nm[n++] = *p;
		nm[n] = '\0';
		if (n == 0 || p >= end || *p != '(') {
			s->st.skipped++;
			return s->oom ? -1 : 0;
		}
		p++;
		if ((size_t)(end - p) >= UNFINISHED_LEN &&
		    memcmp(end - UNFINISHED_LEN, UNFINISHED, UNFINISHED_LEN) ==
		            0) {
			if (strcmp(nm, "rt_sigreturn") != 0)
				resolve_held(s, t, 0);
			unfinished(s, t, nm, p, end - UNFINISHED_LEN, at);
		} else {
			call(s, t, nm, p, end, at, at);
		}
	}
	return s->oom ? -1 : 0;
}

struct tl_strace *tl_strace_start(struct tl_trace *tr, double offset,
                                  int relative)
{
	struct tl_strace *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->tr = tr;
	s->offset = offset;
	s->relative = relative;
	s->have_offset = !relative;
	tl_pidmap_init(&s->map);
	tl_pidmap_init(&s->parent);
	return s;
}

void tl_strace_free(struct tl_strace *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ntasks; i++)
		free(s->task[i].pend_args);
	free(s->task);
	tl_pidmap_free(&s->map);
	tl_pidmap_free(&s->parent);
	free(s);
}

/* strace stamps "+++ exited" and "--- SIGCHLD" when it gets to them, a
 * little after the fact, and a call's end as its start plus its duration:
 * a wait can come out stamped before the exit it reaped. What caused
 * something is moved no later than it: in the log's order, a reap or a
 * SIGCHLD from a child is never before that child's exit. */
static void causal(struct tl_strace *s)
{
	struct tl_trace *tr = s->tr;
	struct tl_pidmap exit_of; /* pid -> its last exit so far */
	size_t i, x;

	tl_pidmap_init(&exit_of);
	for (i = 0; i < tr->n; i++) {
		struct tl_event *e = &tr->ev[i];

		if (e->kind == TL_EXIT) {
			if (tl_pidmap_put(&exit_of, e->pid, i) == -1)
				break; /* out of memory: times left as they are */
			continue;
		}
		if ((e->kind == TL_REAP || e->kind == TL_SIGNAL) &&
		    e->child > 0 && tl_pidmap_get(&exit_of, e->child, &x) &&
		    tr->ev[x].t > e->t)
			e->t = tr->ev[x].t;
	}
	tl_pidmap_free(&exit_of);
}

int tl_strace_end(struct tl_strace *s, struct tl_strace_stats *stats, char *err,
                  size_t errlen)
{
	struct tl_trace *tr = s->tr;

	if (stats != NULL)
		*stats = s->st;
	if (s->oom) {
		snprintf(err, errlen,
		         s->oom == 2 ? "more than %d events: too many to draw"
		                     : "out of memory (%d events at most)",
		         TL_EVENTS_MAX);
		return -1;
	}
	tr->version = TL_TRACE_VERSION;
	tr->clock = intern(s, s->relative ? "relative" : "monotonic");
	tr->source = intern(s, "strace");
	if (tr->n == 0) {
		snprintf(err, errlen,
		         "no event in strace's log (%zu lines): is it from "
		         "strace -f -ttt?",
		         s->st.lines);
		return -1;
	}
	causal(s);
	tl_trace_canonical(tr);
	tl_trace_sort(tr);
	return 0;
}

static int each_line(void *ctx, const char *line, size_t len, char *err,
                     size_t errlen)
{
	struct tl_strace *s = ctx;

	if (line == NULL) { /* longer than TL_STRACE_LINE_MAX: skipped */
		s->st.lines++;
		s->st.skipped++;
		return 0;
	}
	if (tl_strace_line(s, line, len) == -1) {
		snprintf(err, errlen, "out of memory, or too many events");
		return -1;
	}
	return 0;
}

int tl_strace_read(FILE *f, struct tl_trace *tr, double offset, int relative,
                   const char *cmd, struct tl_strace_stats *stats, char *err,
                   size_t errlen)
{
	struct tl_strace *s = tl_strace_start(tr, offset, relative);
	int rc = -1, nl;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (tl_read_lines(f, TL_STRACE_LINE_MAX, 1, each_line, s, &nl, err,
	                  errlen) == -1)
		goto out;
	if (cmd != NULL) {
		tr->cmd = tl_intern(tr, cmd, strlen(cmd));
		if (tr->cmd == 0 && *cmd != '\0')
			s->oom = 1;
	}
	rc = tl_strace_end(s, stats, err, errlen);
out:
	tl_strace_free(s);
	return rc;
}
