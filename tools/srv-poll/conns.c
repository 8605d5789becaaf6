/* conns: srv-poll's table of connections, and what its loop says that
 * is not a call (see conns.h). */
#include "conns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "addr.h"
#include "limit.h"
#include "say.h"
#include "tcpinfo.h"

void conns_init(struct conns *t)
{
	memset(t, 0, sizeof *t);
	t->first = t->last = -1;
}

void conns_free(struct conns *t)
{
	int fd;

	for (fd = 0; fd < t->size; fd++)
		free(t->by_fd[fd].buf);
	free(t->by_fd);
	conns_init(t);
}

struct conn *conns_get(const struct conns *t, int fd)
{
	if (fd < 0 || fd >= t->size || t->by_fd[fd].state == CONN_FREE)
		return NULL;
	return &t->by_fd[fd];
}

/* Room for descriptor fd: the array doubled until it fits. */
static int grow(struct conns *t, int fd)
{
	int size = t->size > 0 ? t->size : 64;
	struct conn *p;

	while (size <= fd)
		size *= 2;
	p = realloc(t->by_fd, (size_t)size * sizeof *p);
	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memset(p + t->size, 0, (size_t)(size - t->size) * sizeof *p);
	t->by_fd = p;
	t->size = size;
	return 0;
}

static void unlink_conn(struct conns *t, struct conn *k)
{
	if (k->prev != -1)
		t->by_fd[k->prev].next = k->next;
	else if (t->first == k->c.fd)
		t->first = k->next;
	if (k->next != -1)
		t->by_fd[k->next].prev = k->prev;
	else if (t->last == k->c.fd)
		t->last = k->prev;
	k->prev = k->next = -1;
}

static void append(struct conns *t, struct conn *k)
{
	k->prev = t->last;
	k->next = -1;
	if (t->last != -1)
		t->by_fd[t->last].next = k->c.fd;
	else
		t->first = k->c.fd;
	t->last = k->c.fd;
}

struct conn *conns_add(struct conns *t, const struct client *c, double deadline)
{
	struct conn *k;

	if (c->fd >= t->size && grow(t, c->fd) == -1)
		return NULL;
	k = &t->by_fd[c->fd];
	memset(k, 0, sizeof *k);
	k->c = *c;
	k->state = CONN_READING;
	k->prev = k->next = -1;
	k->deadline = deadline;
	if (deadline > 0)
		append(t, k);
	t->open++;
	return k;
}

void conns_rearm(struct conns *t, struct conn *k, double deadline)
{
	if (k->deadline > 0)
		unlink_conn(t, k);
	k->deadline = deadline;
	if (deadline > 0)
		append(t, k);
}

struct conn *conns_first(const struct conns *t)
{
	return t->first == -1 ? NULL : &t->by_fd[t->first];
}

int conns_keep(struct conn *k, const char *data, size_t n)
{
	if (k->len + n > k->cap) {
		size_t cap = k->cap > 0 ? k->cap : 64;
		char *p;

		while (cap < k->len + n)
			cap *= 2;
		p = realloc(k->buf, cap);
		if (p == NULL)
			return -1;
		k->buf = p;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, data, n);
	k->len += n;
	return 0;
}

void conns_keep_none(struct conn *k)
{
	free(k->buf);
	k->buf = NULL;
	k->len = k->cap = 0;
}

void conns_remove(struct conns *t, struct conn *k)
{
	if (k->deadline > 0)
		unlink_conn(t, k);
	free(k->buf);
	memset(k, 0, sizeof *k);
	k->c.fd = -1;
	t->open--;
}

/* ------------------------------------------------- what the loop says */

long conns_limit(const struct server *s, int select_api)
{
	struct rlimit rl;
	char err[128], call[64];
	long got, limit;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		rl.rlim_cur = 1024;
	if (limit_raise_nofile(1L << 20, &got, err, sizeof err) == -1)
		got = (long)rl.rlim_cur;
	if (got > (long)rl.rlim_cur) {
		snprintf(call, sizeof call, "setrlimit(RLIMIT_NOFILE, %ld)",
		         got);
		say(&s->say, call, "ok, the soft limit was %ld",
		    (long)rl.rlim_cur);
	} else {
		say(&s->say, "getrlimit(RLIMIT_NOFILE)",
		    "%ld descriptors at most", got);
	}
	limit = got - 1;
	if (select_api && limit > FD_SETSIZE) {
		limit = FD_SETSIZE;
		say_note(&s->say,
		         "select() watches descriptors 0 to %d only "
		         "(FD_SETSIZE %d)",
		         FD_SETSIZE - 1, FD_SETSIZE);
	}
	return limit;
}

void conns_refuse(const struct server *s, int fd, long limit, int select_api,
                  unsigned long *refused)
{
	if (*refused == 0 && select_api && fd >= FD_SETSIZE) {
		cli_error(s->prog,
		          "accept: fd %d: select() cannot watch a descriptor "
		          "numbered FD_SETSIZE (%d) or more: this client and "
		          "the next ones get 503",
		          fd, FD_SETSIZE);
		cli_hint(s->prog,
		         "--api poll and --api epoll have no such limit");
	} else if (*refused == 0) {
		cli_error(s->prog,
		          "accept: fd %d is the last descriptor of this process "
		          "(RLIMIT_NOFILE %ld): this client and the next ones "
		          "get 503",
		          fd, limit + 1);
		cli_hint(s->prog, "raise the limit before starting the server "
		                  "(ulimit -n)");
	}
	(*refused)++;
	server_refuse(s, fd);
}

void conns_expired(const struct server *s, const struct conn *k)
{
	char who[ADDR_STRLEN];

	if (k->state == CONN_READING)
		server_no_request(s, &k->c, ETIMEDOUT, k->len);
	else
		cli_error(s->prog,
		          "send to %s: the reply was not taken within %g s "
		          "(--timeout)",
		          server_client_name(&k->c, who, sizeof who),
		          s->timeout);
}

long conns_close_all(struct conns *t, const struct server *s)
{
	char call[64];
	long open = t->open;
	int fd;

	for (fd = 0; fd < t->size; fd++)
		if (t->by_fd[fd].state != CONN_FREE)
			close(fd);
	if (open > 0 && !s->say.quiet) {
		snprintf(call, sizeof call, "close() x %ld", open);
		say(&s->say, call, "ok, every connection still open");
	}
	return open;
}

void conns_stopped(unsigned long served, long open, unsigned long refused)
{
	(void)say_room(); /* a full stdout never holds up the stop */
	printf("Stopped: served %lu request%s", served, served == 1 ? "" : "s");
	if (open > 0)
		printf(", closed %ld connection%s still open", open,
		       open == 1 ? "" : "s");
	if (refused > 0)
		printf(", refused %lu (503)", refused);
	printf(".\n");
}

void conns_left_waiting(const struct server *s, int lfd)
{
	unsigned waiting, backlog;
	char err[128];

	if (s->say.quiet ||
	    tcpinfo_queue(lfd, &waiting, &backlog, err, sizeof err) == -1 ||
	    waiting == 0)
		return;
	say_note(&s->say,
	         "no new event: %u still in the accept queue (--no-drain: "
	         "one accept() per wakeup)",
	         waiting);
}

void conns_edge_said(int lfd, unsigned long woke, unsigned long accepted)
{
	unsigned waiting = 0, backlog;
	char err[128];

	(void)say_room();
	printf("wakeups of the listener: %lu (EPOLLET); clients accepted: %lu",
	       woke, accepted);
	if (lfd != -1 &&
	    tcpinfo_queue(lfd, &waiting, &backlog, err, sizeof err) == 0)
		printf("; left in the accept queue: %u", waiting);
	printf(".\n");
}
