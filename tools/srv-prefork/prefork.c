/* prefork: srv-prefork's meter and its count of wakeups (see prefork.h). */
#include "prefork.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "addr.h"
#include "clock.h"

static size_t meter_size(long n)
{
	return sizeof(struct prefork) + (size_t)n * sizeof(struct prefork_slot);
}

struct prefork *prefork_new(long n)
{
	struct prefork *m = server_shared(meter_size(n));

	if (m != NULL)
		m->n = n; /* the rest is zero */
	return m;
}

void prefork_free(struct prefork *m)
{
	server_shared_free(m, meter_size(m->n));
}

long prefork_slot_of(const struct prefork *m, pid_t pid)
{
	long i;

	for (i = 0; i < m->n; i++)
		if (m->slot[i].pid == pid)
			return i;
	return -1;
}

void prefork_born(struct prefork *m, long i, pid_t pid)
{
	struct prefork_slot *s = &m->slot[i];

	if (s->pid != 0) /* counted here: a stop may come before the fork */
		m->replaced++;
	s->pid = pid;
	s->born = clock_now();
	s->conns = s->replies = s->woke = s->futile = 0;
}

void prefork_follow_parent(pid_t parent)
{
#ifdef __linux__
	/* The parent may have died before prctl(): then nobody would send
	 * the signal. SIGTERM is blocked until the child waits: it stops
	 * there, as on any stop signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == 0 && getppid() != parent)
		raise(SIGTERM);
#else
	(void)parent;
#endif
}

long prefork_sleeps(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return ru.ru_nvcsw;
}

void prefork_woke(struct prefork_slot *me, long slept, int useful)
{
	if (slept <= 0)
		return; /* it did not sleep: a connection was there already */
	me->woke += slept;
	me->futile += useful ? slept - 1 : slept;
}

/* Did the child end by itself (an exit, a crash)? A signal sent from
 * outside says nothing of how the next child will do. */
static int died_by_itself(int st)
{
	if (WIFEXITED(st))
		return 1;
	switch (WIFSIGNALED(st) ? WTERMSIG(st) : 0) {
	case SIGSEGV:
	case SIGABRT:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
		return 1;
	default:
		return 0;
	}
}

int prefork_retire(struct prefork *m, long i, int st)
{
	struct prefork_slot *s = &m->slot[i];

	m->old_conns += s->conns;
	m->old_replies += s->replies;
	m->old_woke += s->woke;
	m->old_futile += s->futile;
	s->conns = s->replies = s->woke = s->futile = 0;
	if (!died_by_itself(st))
		return 0; /* killed: the run of fast deaths is left as it is */
	m->fast_deaths = clock_now() - s->born < 1.0 ? m->fast_deaths + 1 : 0;
	return m->fast_deaths >= 3 * m->n;
}

double prefork_backoff(const struct prefork *m)
{
	double d = 0.1;
	long k;

	for (k = 3 * m->n; k < m->fast_deaths && d < PREFORK_BACKOFF_MAX; k++)
		d *= 2;
	return d < PREFORK_BACKOFF_MAX ? d : PREFORK_BACKOFF_MAX;
}

int prefork_listener(const struct server *s, int first,
                     int (*opt)(const struct server *s, int fd))
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof a;
	char where[ADDR_STRLEN], call[64];
	int fd, one = 1;

	if (getsockname(first, (struct sockaddr *)&a, &alen) == -1) {
		cli_error(s->prog, "getsockname: %s", strerror(errno));
		return -1;
	}
	if (addr_format((struct sockaddr *)&a, alen, where, sizeof where) != 0)
		snprintf(where, sizeof where, "port %u", s->port);
	fd = socket(a.ss_family, SOCK_STREAM, 0);
	if (fd == -1) {
		cli_error(s->prog, "socket: %s", strerror(errno));
		return -1;
	}
	snprintf(call, sizeof call, "socket(%s, SOCK_STREAM, 0)",
	         a.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET");
	say(&s->say, call, "fd %d", fd);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		goto fail;
	say_fd(&s->say, "setsockopt", fd, "SO_REUSEADDR, 1", "ok");
	if (opt(s, fd) == -1) {
		close(fd); /* said why */
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, alen) == -1)
		goto fail;
	say_fd(&s->say, "bind", fd, where, "ok, the same address and port");
	if (listen(fd, s->backlog) == -1)
		goto fail;
	snprintf(call, sizeof call, "listen(%d, %d)", fd, s->backlog);
	say(&s->say, call, "ok");
	return fd;
fail:
	cli_error(s->prog, "another listener on %s: %s", where,
	          strerror(errno));
	close(fd);
	return -1;
}

void prefork_meter(const struct prefork *m)
{
	long i, woke = m->old_woke, futile = m->old_futile;

	for (i = 0; i < m->n; i++) {
		const struct prefork_slot *s = &m->slot[i];

		(void)say_room(); /* a full stdout never holds up the stop */
		printf("meter: child %ld: %ld connection%s; woke %ld %s, %ld "
		       "for nothing\n",
		       (long)s->pid, s->conns, s->conns == 1 ? "" : "s",
		       s->woke, s->woke == 1 ? "time" : "times", s->futile);
		woke += s->woke;
		futile += s->futile;
	}
	printf("meter: %ld child%s", m->n, m->n == 1 ? "" : "ren");
	if (m->replaced > 0)
		printf(" (and %ld replaced)", m->replaced);
	printf(": %ld connections; woke %ld %s, %ld for nothing\n",
	       prefork_conns(m), woke, woke == 1 ? "time" : "times", futile);
}

long prefork_conns(const struct prefork *m)
{
	long i, n = m->old_conns;

	for (i = 0; i < m->n; i++)
		n += m->slot[i].conns;
	return n;
}

long prefork_replies(const struct prefork *m)
{
	long i, n = m->old_replies;

	for (i = 0; i < m->n; i++)
		n += m->slot[i].replies;
	return n;
}
