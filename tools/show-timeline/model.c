/* model: lanes, holds, connections and marks from the events (model.h). */
#include "model.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h" /* CLI_PRINTF */
#include "pidmap.h"

/* A descriptor of a lane that refers to a connection. */
struct fdent {
	int fd;
	int cloexec;
	size_t conn;
};

/* A connection a lane holds now: its hold, and how many of the lane's
 * descriptors refer to it. */
struct open_hold {
	size_t conn, hold;
	int refs;
};

/* What a lane is while the events are read. Its descriptors and open
 * holds are short lists, searched in order; past MAP_AT entries (a
 * server holding many connections at once) each list gets a hash table
 * too, so that no event costs more than a few steps. */
struct state {
	struct fdent *fd;
	size_t nfd, capfd;
	struct tl_pidmap fdmap; /* fd + 1 -> its index in fd */
	struct open_hold *oh;
	size_t noh, capoh;
	struct tl_pidmap ohmap; /* conn + 1 -> its index in oh */
	int ended;   /* exited or reaped: no event of it may follow */
	int implied; /* ended by a reap that came before its exit */
	unsigned end_line;
};

#define MAP_AT 8

/* The names the model looks for, as the trace's string ids (0: the trace
 * never says it). */
enum name {
	N_ACCEPT,
	N_ACCEPT4,
	N_CONNECT,
	N_CLOSE,
	N_DUP,
	N_DUP2,
	N_DUP3,
	N_EXECVE,
	N_EXECVEAT,
	N_WAIT,
	N_WAIT3,
	N_WAIT4,
	N_WAITPID,
	N_WAITID,
	N_EINTR,
	N_EINPROGRESS,
	N_EBADF,
	N_SIGCHLD,
	N_COUNT,
};

static const char *const NAMES[N_COUNT] = {
	"accept",  "accept4", "connect",  "close",       "dup",   "dup2",
	"dup3",    "execve",  "execveat", "wait",        "wait3", "wait4",
	"waitpid", "waitid",  "EINTR",    "EINPROGRESS", "EBADF", "SIGCHLD",
};

/* A list of event indices (the events of a process whose fork is yet to
 * come). */
struct list {
	size_t *v;
	size_t n, cap;
};

struct build {
	const struct tl_trace *tr;
	struct tl_model *m;
	struct state *st;
	size_t caplanes, capholds, capconns, capmarks;
	struct tl_pidmap cur;        /* pid -> its lane now */
	struct tl_pidmap forks_left; /* pid -> forks of it still to come */
	struct tl_pidmap pending_of; /* pid -> its list in pending */
	struct list *pending;
	size_t npending, cappending;
	struct list queue; /* events to replay now */
	size_t qhead;
	unsigned id[N_COUNT];
	char *err;
	size_t errlen;
};

static int fail(struct build *b, const char *fmt, ...) CLI_PRINTF(2, 3);

static int fail(struct build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Makes room for one more element in *v (of *cap). */
static int room(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap == 0 ? 4 : *cap * 2;
	p = realloc(*v, c * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

#define ROOM(b, arr, n, cap)                                     \
	(room((void **)&(arr), &(cap), (n), sizeof *(arr)) == -1 \
	         ? fail((b), "out of memory")                    \
	         : 0)

static int list_add(struct build *b, struct list *l, size_t v)
{
	if (ROOM(b, l->v, l->n, l->cap) == -1)
		return -1;
	l->v[l->n++] = v;
	return 0;
}

/* Whether string id is the name n. */
static int is(const struct build *b, unsigned id, enum name n)
{
	return id != 0 && id == b->id[n];
}

static int is_wait(const struct build *b, unsigned call)
{
	return is(b, call, N_WAIT) || is(b, call, N_WAIT3) ||
	       is(b, call, N_WAIT4) || is(b, call, N_WAITPID) ||
	       is(b, call, N_WAITID);
}

/* ---------------------------------------------------------- the lanes */

static long new_lane(struct build *b, int pid, long parent, double born,
                     int forked)
{
	struct tl_model *m = b->m;
	struct tl_lane *l;
	size_t cap = b->caplanes;

	if (ROOM(b, m->lane, m->nlanes, b->caplanes) == -1)
		return -1;
	if (cap != b->caplanes) {
		struct state *st = realloc(b->st, b->caplanes * sizeof *st);

		if (st == NULL)
			return fail(b, "out of memory");
		b->st = st;
	}
	l = &m->lane[m->nlanes];
	memset(l, 0, sizeof *l);
	memset(&b->st[m->nlanes], 0, sizeof b->st[0]);
	l->pid = pid;
	l->parent = parent;
	l->born = born;
	l->forked = forked;
	l->exit_code = -1;
	l->first_child = l->next_sibling = SIZE_MAX;
	if (parent >= 0) {
		l->depth = m->lane[parent].depth + 1;
		l->name = m->lane[parent].name;
	}
	if (tl_pidmap_put(&b->cur, pid, m->nlanes) == -1)
		return fail(b, "out of memory");
	return (long)m->nlanes++;
}

static int add_mark(struct build *b, size_t lane, double t, int kind,
                    long other, unsigned what)
{
	struct tl_model *m = b->m;
	struct tl_mark *k;

	if (ROOM(b, m->mark, m->nmarks, b->capmarks) == -1)
		return -1;
	k = &m->mark[m->nmarks++];
	k->t = t;
	k->lane = lane;
	k->kind = kind;
	k->other = other;
	k->what = what;
	m->marks[kind]++;
	return 0;
}

/* ------------------------------------------- descriptors and holds */

/* Where fd is in the lane's list, or -1. */
static long fd_index(const struct state *s, int fd)
{
	size_t i;

	if (s->fdmap.cap > 0)
		return tl_pidmap_get(&s->fdmap, fd + 1, &i) ? (long)i : -1;
	for (i = 0; i < s->nfd; i++)
		if (s->fd[i].fd == fd)
			return (long)i;
	return -1;
}

static long oh_index(const struct state *s, size_t conn)
{
	size_t i;

	if (s->ohmap.cap > 0)
		return tl_pidmap_get(&s->ohmap, (int)conn + 1, &i) ? (long)i
		                                                   : -1;
	for (i = 0; i < s->noh; i++)
		if (s->oh[i].conn == conn)
			return (long)i;
	return -1;
}

/* The hash tables, once a list is long: every entry put in. */
static int map_fds(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nfd; i++)
		if (tl_pidmap_put(&s->fdmap, s->fd[i].fd + 1, i) == -1)
			return -1;
	return 0;
}

static int map_ohs(struct state *s)
{
	size_t i;

	for (i = 0; i < s->noh; i++)
		if (tl_pidmap_put(&s->ohmap, (int)s->oh[i].conn + 1, i) == -1)
			return -1;
	return 0;
}

/* The lane now refers to conn once more (from time t). */
static int hold_ref(struct build *b, size_t lane, size_t conn, double t)
{
	struct tl_model *m = b->m;
	struct state *s = &b->st[lane];
	long i = oh_index(s, conn);
	struct tl_hold *h;

	if (i >= 0) {
		s->oh[i].refs++;
		return 0;
	}
	if (m->nholds >= TL_HOLDS_MAX)
		return fail(b,
		            "more than %d holds of connections (a process "
		            "that holds a connection): too many to draw",
		            TL_HOLDS_MAX);
	if (ROOM(b, s->oh, s->noh, s->capoh) == -1 ||
	    ROOM(b, m->hold, m->nholds, b->capholds) == -1)
		return -1;
	h = &m->hold[m->nholds];
	memset(h, 0, sizeof *h);
	h->from = h->to = t;
	h->lane = lane;
	h->conn = conn;
	h->open = 1;
	s->oh[s->noh].conn = conn;
	s->oh[s->noh].hold = m->nholds++;
	s->oh[s->noh].refs = 1;
	s->noh++;
	m->lane[lane].nholds++;
	if ((s->ohmap.cap > 0 &&
	     tl_pidmap_put(&s->ohmap, (int)conn + 1, s->noh - 1) == -1) ||
	    (s->ohmap.cap == 0 && s->noh > MAP_AT && map_ohs(s) == -1))
		return fail(b, "out of memory");
	return 0;
}

/* One reference less; the hold ends with the last one. */
static void hold_unref(struct build *b, size_t lane, size_t conn, double t)
{
	struct state *s = &b->st[lane];
	long i = oh_index(s, conn);
	struct tl_hold *h;

	if (i < 0 || --s->oh[i].refs > 0)
		return;
	h = &b->m->hold[s->oh[i].hold];
	h->to = t;
	h->open = 0;
	tl_pidmap_del(&s->ohmap, (int)conn + 1);
	s->oh[i] = s->oh[--s->noh];
	if ((size_t)i < s->noh && s->ohmap.cap > 0)
		tl_pidmap_put(&s->ohmap, (int)s->oh[i].conn + 1, (size_t)i);
}

static int fd_add(struct build *b, size_t lane, int fd, size_t conn,
                  int cloexec, double t)
{
	struct state *s = &b->st[lane];

	if (fd < 0 || fd == INT_MAX)
		return 0; /* no descriptor: nothing held */
	if (ROOM(b, s->fd, s->nfd, s->capfd) == -1)
		return -1;
	s->fd[s->nfd].fd = fd;
	s->fd[s->nfd].conn = conn;
	s->fd[s->nfd].cloexec = cloexec;
	s->nfd++;
	if ((s->fdmap.cap > 0 &&
	     tl_pidmap_put(&s->fdmap, fd + 1, s->nfd - 1) == -1) ||
	    (s->fdmap.cap == 0 && s->nfd > MAP_AT && map_fds(s) == -1))
		return fail(b, "out of memory");
	return hold_ref(b, lane, conn, t);
}

static void fd_release(struct build *b, size_t lane, int fd, double t)
{
	struct state *s = &b->st[lane];
	long i = fd < 0 || fd == INT_MAX ? -1 : fd_index(s, fd);
	size_t conn;

	if (i < 0)
		return;
	conn = s->fd[i].conn;
	tl_pidmap_del(&s->fdmap, fd + 1);
	s->fd[i] = s->fd[--s->nfd];
	if ((size_t)i < s->nfd && s->fdmap.cap > 0)
		tl_pidmap_put(&s->fdmap, s->fd[i].fd + 1, (size_t)i);
	hold_unref(b, lane, conn, t);
}

/* The lane ends: every hold ends, and what tracked them is freed. */
static void release_all(struct build *b, size_t lane, double t)
{
	struct state *s = &b->st[lane];

	while (s->nfd > 0)
		fd_release(b, lane, s->fd[s->nfd - 1].fd, t);
	free(s->fd);
	free(s->oh);
	tl_pidmap_free(&s->fdmap);
	tl_pidmap_free(&s->ohmap);
	s->fd = NULL;
	s->oh = NULL;
	s->capfd = s->capoh = s->noh = 0;
}

static int new_conn(struct build *b, size_t lane, const struct tl_event *e,
                    int fd, int accepted)
{
	struct tl_model *m = b->m;
	struct tl_conn *c;

	if (ROOM(b, m->conn, m->nconns, b->capconns) == -1)
		return -1;
	c = &m->conn[m->nconns];
	memset(c, 0, sizeof *c);
	c->opened = c->closed = e->t;
	c->local = e->local;
	c->peer = e->peer;
	c->lane = lane;
	c->accepted = accepted;
	m->nconns++;
	fd_release(b, lane, fd, e->t); /* a descriptor whose close we missed */
	return fd_add(b, lane, fd, m->nconns - 1,
	              (e->flags & TL_F_CLOEXEC) != 0, e->t);
}

/* -------------------------------------------------------- the events */

static int on_call(struct build *b, size_t lane, const struct tl_event *e)
{
	struct state *s = &b->st[lane];
	unsigned c = e->call;
	long old;

	if (is(b, e->err, N_EINTR))
		return add_mark(b, lane, e->t, TL_M_EINTR, -1, c);
	if (is_wait(b, c))
		return add_mark(b, lane, e->t, TL_M_WAIT, -1, c);
	if ((is(b, c, N_ACCEPT) || is(b, c, N_ACCEPT4)) && e->ret >= 0)
		return new_conn(b, lane, e, e->ret, 1);
	if (is(b, c, N_CONNECT) && e->fd >= 0 &&
	    (e->ret == 0 || is(b, e->err, N_EINPROGRESS)) &&
	    fd_index(s, e->fd) < 0)
		return new_conn(b, lane, e, e->fd, 0);
	if (is(b, c, N_CLOSE) && !is(b, e->err, N_EBADF)) {
		fd_release(b, lane, e->fd, e->t);
		return 0;
	}
	if ((is(b, c, N_DUP) || is(b, c, N_DUP2) || is(b, c, N_DUP3)) &&
	    e->fd >= 0 && e->ret >= 0 && e->ret != e->fd) {
		fd_release(b, lane, e->ret, e->t);
		old = fd_index(s, e->fd);
		if (old >= 0)
			return fd_add(b, lane, e->ret, s->fd[old].conn,
			              (e->flags & TL_F_CLOEXEC) != 0, e->t);
		return 0;
	}
	if ((is(b, c, N_EXECVE) || is(b, c, N_EXECVEAT)) && e->ret == 0) {
		size_t i = 0;

		while (i < s->nfd) {
			if (s->fd[i].cloexec)
				fd_release(b, lane, s->fd[i].fd, e->t);
			else
				i++;
		}
	}
	return 0;
}

static int pending_list(struct build *b, int pid, struct list **out)
{
	size_t i;

	if (!tl_pidmap_get(&b->pending_of, pid, &i)) {
		if (ROOM(b, b->pending, b->npending, b->cappending) == -1)
			return -1;
		i = b->npending++;
		memset(&b->pending[i], 0, sizeof b->pending[i]);
		if (tl_pidmap_put(&b->pending_of, pid, i) == -1)
			return fail(b, "out of memory");
	}
	*out = &b->pending[i];
	return 0;
}

/* The events of pid that came before its fork: replayed now, in order. */
static int replay_pending(struct build *b, int pid)
{
	struct list *l = NULL;
	size_t i;

	if (pending_list(b, pid, &l) == -1 || l == NULL)
		return -1;
	for (i = 0; i < l->n; i++)
		if (list_add(b, &b->queue, l->v[i]) == -1)
			return -1;
	l->n = 0;
	return 0;
}

static int on_fork(struct build *b, size_t lane, const struct tl_event *e)
{
	struct tl_model *m = b->m;
	struct list *pend = NULL;
	size_t left = 0, cur, i;
	double born = e->t;
	long child;

	if (tl_pidmap_get(&b->forks_left, e->child, &left) && left > 0 &&
	    tl_pidmap_put(&b->forks_left, e->child, left - 1) == -1)
		return fail(b, "out of memory");
	if (tl_pidmap_get(&b->cur, e->child, &cur) && !b->st[cur].ended)
		return fail(b,
		            "line %u: pid %d is born, but pid %d is still "
		            "alive",
		            e->line, e->child, e->child);
	if (pending_list(b, e->child, &pend) == -1 || pend == NULL)
		return -1;
	if (pend->n > 0 && b->tr->ev[pend->v[0]].t < born)
		born = b->tr->ev[pend->v[0]].t; /* it ran before fork returned */
	child = new_lane(b, e->child, (long)lane, born, 1);
	if (child < 0)
		return -1;
	m->forked++;
	/* The child has a copy of each descriptor: one more hold each. */
	for (i = 0; i < b->st[lane].nfd; i++) {
		struct fdent d = b->st[lane].fd[i];

		if (fd_add(b, (size_t)child, d.fd, d.conn, d.cloexec, born) ==
		    -1)
			return -1;
	}
	if (add_mark(b, lane, e->t, TL_M_FORK, child, e->call) == -1)
		return -1;
	return replay_pending(b, e->child);
}

static int on_exit_(struct build *b, size_t lane, const struct tl_event *e)
{
	struct tl_lane *l = &b->m->lane[lane];

	l->exited = 1;
	l->exit_t = e->t;
	l->exit_code = (e->flags & TL_F_CODE) ? e->code : -1;
	l->exit_sig = e->sig;
	b->st[lane].ended = 1;
	b->st[lane].end_line = e->line;
	release_all(b, lane, e->t);
	return 0;
}

static int on_reap(struct build *b, size_t lane, const struct tl_event *e)
{
	struct tl_model *m = b->m;
	size_t c;

	if (!tl_pidmap_get(&b->cur, e->child, &c) || m->lane[c].reaped)
		return add_mark(b, lane, e->t, TL_M_REAP, -1, e->call);
	if (!m->lane[c].exited) {
		/* It could not say it ended (killed), or says so later (a
		 * clock read a little late): the wait says so. */
		on_exit_(b, c, e);
		b->st[c].implied = 1;
	}
	m->lane[c].reaped = 1;
	m->lane[c].reap_t = e->t < m->lane[c].exit_t ? m->lane[c].exit_t : e->t;
	b->st[c].ended = 1;
	return add_mark(b, lane, e->t, TL_M_REAP, (long)c, e->call);
}

static int apply(struct build *b, size_t lane, const struct tl_event *e)
{
	size_t from;

	if (e->name != 0)
		b->m->lane[lane].name = e->name;
	switch (e->kind) {
	case TL_CALL:
		return on_call(b, lane, e);
	case TL_FORK:
		return on_fork(b, lane, e);
	case TL_EXIT:
		return on_exit_(b, lane, e);
	case TL_SIGNAL:
		if (!is(b, e->sig, N_SIGCHLD))
			return add_mark(b, lane, e->t, TL_M_SIGNAL, -1, e->sig);
		return add_mark(b, lane, e->t, TL_M_SIGCHLD,
		                e->child > 0 && tl_pidmap_get(&b->cur, e->child,
		                                              &from)
		                        ? (long)from
		                        : -1,
		                e->sig);
	case TL_REAP:
		return on_reap(b, lane, e);
	default:
		return 0;
	}
}

/* One event: to its process's lane; or kept until its fork when that is
 * still to come (a child may run before fork() returns in its parent);
 * or a lane of its own for a process whose fork the trace does not show. */
static int one(struct build *b, size_t i, int flushing)
{
	const struct tl_event *e = &b->tr->ev[i];
	size_t lane = 0, left = 0, parent = 0;
	struct list *pend = NULL;
	int known = tl_pidmap_get(&b->cur, e->pid, &lane);
	long l;

	if (known && !b->st[lane].ended)
		return apply(b, lane, e);
	if (known && b->st[lane].implied && e->kind == TL_EXIT) {
		/* Its own word on how it ended, after the reap. */
		b->st[lane].implied = 0;
		if (e->flags & TL_F_CODE)
			b->m->lane[lane].exit_code = e->code;
		if (e->sig != 0)
			b->m->lane[lane].exit_sig = e->sig;
		return 0;
	}
	if (!flushing && tl_pidmap_get(&b->forks_left, e->pid, &left) &&
	    left > 0) {
		if (pending_list(b, e->pid, &pend) == -1 || pend == NULL)
			return -1;
		return list_add(b, pend, i);
	}
	if (known)
		return fail(b,
		            "line %u: pid %d has ended (line %u): no event "
		            "of it can follow",
		            e->line, e->pid, b->st[lane].end_line);
	l = new_lane(b, e->pid,
	             e->ppid > 0 && tl_pidmap_get(&b->cur, e->ppid, &parent) &&
	                             !b->st[parent].ended
	                     ? (long)parent
	                     : -1,
	             e->t, 0);
	if (l < 0)
		return -1;
	return apply(b, (size_t)l, e);
}

static int drain(struct build *b)
{
	while (b->qhead < b->queue.n)
		if (one(b, b->queue.v[b->qhead++], 0) == -1)
			return -1;
	b->queue.n = b->qhead = 0;
	return 0;
}

/* ------------------------------------------------------ after the events */

/* Groups n items by lane (a counting sort, stable): *of lists them lane
 * by lane, *at says where each lane's start. */
static int group(struct build *b, size_t n,
                 size_t (*lane_of)(const void *, size_t), const void *items,
                 size_t **of, size_t **at)
{
	size_t nl = b->m->nlanes, i;
	size_t *start = calloc(nl + 2, sizeof *start);
	size_t *idx = malloc((n + 1) * sizeof *idx);

	if (start == NULL || idx == NULL) {
		free(start);
		free(idx);
		return fail(b, "out of memory");
	}
	for (i = 0; i < n; i++)
		start[lane_of(items, i) + 2]++;
	for (i = 0; i < nl; i++)
		start[i + 2] += start[i + 1];
	for (i = 0; i < n; i++)
		idx[start[lane_of(items, i) + 1]++] = i;
	*of = idx;
	*at = start; /* lane l: start[l] to start[l + 1] */
	return 0;
}

static size_t hold_lane(const void *items, size_t i)
{
	return ((const struct tl_hold *)items)[i].lane;
}

static size_t mark_lane(const void *items, size_t i)
{
	return ((const struct tl_mark *)items)[i].lane;
}

/* A binary min-heap of (key, track): ties go to the lower track. */
struct heap {
	double *key;
	int *track;
	size_t n;
};

static int before(const struct heap *h, size_t a, double key, int track)
{
	return h->key[a] < key || (h->key[a] == key && h->track[a] < track);
}

static void heap_push(struct heap *h, double key, int track)
{
	size_t i = h->n++;

	while (i > 0 && !before(h, (i - 1) / 2, key, track)) {
		h->key[i] = h->key[(i - 1) / 2];
		h->track[i] = h->track[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->key[i] = key;
	h->track[i] = track;
}

static void heap_pop(struct heap *h)
{
	size_t i = 0, c;
	double key;
	int track;

	if (--h->n == 0)
		return;
	key = h->key[h->n];
	track = h->track[h->n];
	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && before(h, c + 1, h->key[c], h->track[c]))
			c++;
		if (!before(h, c, key, track))
			break;
		h->key[i] = h->key[c];
		h->track[i] = h->track[c];
		i = c;
	}
	h->key[i] = key;
	h->track[i] = track;
}

/* Rows for the holds of each lane: a hold goes to the first row free at
 * its start (the holds of a lane are made in the order they start). Two
 * heaps: the rows in use by when they become free, the free rows by
 * number. */
static int tracks(struct build *b)
{
	struct tl_model *m = b->m;
	size_t n = m->nholds + 1, l, i;
	struct heap busy, idle;
	int rc = 0;

	busy.key = malloc(n * sizeof *busy.key);
	busy.track = malloc(n * sizeof *busy.track);
	idle.key = malloc(n * sizeof *idle.key);
	idle.track = malloc(n * sizeof *idle.track);
	if (busy.key == NULL || busy.track == NULL || idle.key == NULL ||
	    idle.track == NULL) {
		rc = fail(b, "out of memory");
		goto out;
	}
	for (l = 0; l < m->nlanes; l++) {
		int rows = 0;

		busy.n = idle.n = 0;
		for (i = m->hold_at[l]; i < m->hold_at[l + 1]; i++) {
			struct tl_hold *h = &m->hold[m->hold_of[i]];

			while (busy.n > 0 && busy.key[0] <= h->from) {
				heap_push(&idle, busy.track[0], busy.track[0]);
				heap_pop(&busy);
			}
			if (idle.n > 0) {
				h->track = idle.track[0];
				heap_pop(&idle);
			} else {
				h->track = rows++;
			}
			heap_push(&busy, h->open ? m->t1 + 1 : h->to, h->track);
		}
		m->lane[l].tracks = rows;
	}
out:
	free(busy.key);
	free(busy.track);
	free(idle.key);
	free(idle.track);
	return rc;
}

/* Parents first, each followed by its children in the order they were
 * born; an explicit stack, so that a long chain of forks cannot exhaust
 * the C stack. */
static int order(struct build *b)
{
	struct tl_model *m = b->m;
	size_t *stack, n = 0, k = 0, i;
	size_t *last = malloc((m->nlanes + 1) * sizeof *last);

	m->order = malloc((m->nlanes + 1) * sizeof *m->order);
	stack = malloc((m->nlanes + 1) * sizeof *stack);
	if (m->order == NULL || stack == NULL || last == NULL) {
		free(stack);
		free(last);
		return fail(b, "out of memory");
	}
	for (i = 0; i < m->nlanes; i++)
		last[i] = SIZE_MAX;
	for (i = 0; i < m->nlanes; i++) {
		long p = m->lane[i].parent;

		if (p < 0)
			continue;
		if (last[p] == SIZE_MAX)
			m->lane[p].first_child = i;
		else
			m->lane[last[p]].next_sibling = i;
		last[p] = i;
	}
	for (i = m->nlanes; i-- > 0;)
		if (m->lane[i].parent < 0)
			stack[n++] = i;
	while (n > 0) {
		size_t l = stack[--n], c, lo = n, hi;

		m->order[k++] = l;
		if (m->lane[l].depth > m->max_depth)
			m->max_depth = m->lane[l].depth;
		for (c = m->lane[l].first_child; c != SIZE_MAX;
		     c = m->lane[c].next_sibling)
			stack[n++] = c;
		/* Reversed, so that the first-born comes off the stack
		 * first. */
		for (hi = n; lo + 1 < hi; lo++, hi--) {
			c = stack[lo];
			stack[lo] = stack[hi - 1];
			stack[hi - 1] = c;
		}
	}
	free(stack);
	free(last);
	return 0;
}

static void finish(struct tl_model *m)
{
	size_t i;

	for (i = 0; i < m->nholds; i++)
		if (m->hold[i].open)
			m->hold[i].to = m->t1;
	for (i = 0; i < m->nconns; i++)
		m->conn[i].closed = m->conn[i].opened;
	for (i = 0; i < m->nholds; i++) {
		struct tl_conn *c = &m->conn[m->hold[i].conn];

		if (m->hold[i].to > c->closed)
			c->closed = m->hold[i].to;
		if (m->hold[i].open)
			c->open = 1;
	}
	for (i = 0; i < m->nconns; i++)
		m->conns_open += (size_t)m->conn[i].open;
	for (i = 0; i < m->nlanes; i++) {
		struct tl_lane *l = &m->lane[i];
		const struct tl_lane *p;

		if (!l->exited || l->parent < 0)
			continue;
		p = &m->lane[l->parent];
		if (l->reaped) {
			l->zombie_end = l->reap_t;
		} else {
			/* Its parent's end hands it to init, which reaps
			 * it; else it is a zombie to the end. */
			l->zombie_end = p->exited && p->exit_t >= l->exit_t
			                        ? p->exit_t
			                        : m->t1;
			m->zombies_unreaped++;
		}
		if (l->zombie_end > l->exit_t || !l->reaped)
			m->zombies++;
	}
}

int tl_model_build(const struct tl_trace *tr, struct tl_model *m, char *err,
                   size_t errlen)
{
	struct build b;
	size_t i, v;
	int rc = -1;

	memset(m, 0, sizeof *m);
	memset(&b, 0, sizeof b);
	m->tr = tr;
	b.tr = tr;
	b.m = m;
	b.err = err;
	b.errlen = errlen;
	tl_pidmap_init(&b.cur);
	tl_pidmap_init(&b.forks_left);
	tl_pidmap_init(&b.pending_of);
	for (i = 0; i < N_COUNT; i++)
		b.id[i] = tl_find(tr, NAMES[i]);
	if (tr->n == 0) {
		fail(&b, "no events: nothing to draw");
		goto out;
	}
	m->t0 = tr->ev[0].t;
	m->t1 = tr->ev[tr->n - 1].t;
	for (i = 0; i < tr->n; i++) {
		const struct tl_event *e = &tr->ev[i];

		if (e->kind != TL_FORK)
			continue;
		v = 0;
		tl_pidmap_get(&b.forks_left, e->child, &v);
		if (tl_pidmap_put(&b.forks_left, e->child, v + 1) == -1) {
			fail(&b, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < tr->n; i++)
		if (one(&b, i, 0) == -1 || drain(&b) == -1)
			goto out;
	/* Events still waiting for a fork that never came (their forks were
	 * waiting for them): each process on a lane of its own. */
	for (i = 0; i < b.npending; i++) {
		size_t j;

		for (j = 0; j < b.pending[i].n; j++)
			if (one(&b, b.pending[i].v[j], 1) == -1 ||
			    drain(&b) == -1)
				goto out;
		b.pending[i].n = 0;
	}
	finish(m);
	if (group(&b, m->nholds, hold_lane, m->hold, &m->hold_of,
	          &m->hold_at) == -1 ||
	    group(&b, m->nmarks, mark_lane, m->mark, &m->mark_of,
	          &m->mark_at) == -1 ||
	    tracks(&b) == -1 || order(&b) == -1)
		goto out;
	rc = 0;
out:
	for (i = 0; i < m->nlanes && b.st != NULL; i++) {
		free(b.st[i].fd);
		free(b.st[i].oh);
		tl_pidmap_free(&b.st[i].fdmap);
		tl_pidmap_free(&b.st[i].ohmap);
	}
	free(b.st);
	for (i = 0; i < b.npending; i++)
		free(b.pending[i].v);
	free(b.pending);
	free(b.queue.v);
	tl_pidmap_free(&b.cur);
	tl_pidmap_free(&b.forks_left);
	tl_pidmap_free(&b.pending_of);
	if (rc == -1)
		tl_model_free(m);
	return rc;
}

void tl_model_free(struct tl_model *m)
{
	free(m->lane);
	free(m->order);
	free(m->hold);
	free(m->conn);
	free(m->mark);
	free(m->hold_of);
	free(m->hold_at);
	free(m->mark_of);
	free(m->mark_at);
	memset(m, 0, sizeof *m);
}

void tl_lane_label(const struct tl_model *m, size_t lane, char *buf, size_t len)
{
	const struct tl_lane *l = &m->lane[lane];
	const char *name = tl_str(m->tr, l->name);

	if (*name != '\0')
		snprintf(buf, len, "%d %s", l->pid, name);
	else
		snprintf(buf, len, "%d", l->pid);
}
