/* pool: srv-thread's bookkeeping and its stop sequence (see pool.h). */
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "sig.h"

int pool_init(struct pool *p)
{
	int e;

	memset(p, 0, sizeof *p);
	p->main = pthread_self();
	e = pthread_mutex_init(&p->lock, NULL);
	if (e == 0) {
		e = pthread_cond_init(&p->freed, NULL);
		if (e != 0)
			pthread_mutex_destroy(&p->lock);
	}
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

static long live(struct pool *p)
{
	long n;

	pthread_mutex_lock(&p->lock);
	n = p->created - p->finished;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void pool_destroy(struct pool *p)
{
	if (live(p) > 0)
		return; /* a thread left running may still use them */
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p->conns);
	free(p->unjoined);
}

static void on_wake(int sig)
{
	(void)sig; /* its only job: to end a wait with EINTR */
}

int pool_wake_signal(struct server *s)
{
	char err[128];

	if (sig_catch(POOL_WAKE, on_wake, 0, err, sizeof err) == -1)
		return cli_error(s->prog, "%s", err);
	return server_block(s, POOL_WAKE);
}

void pool_thread_mask(struct server *copy)
{
	copy->wait_mask = copy->run_mask;
	sigdelset(&copy->wait_mask, POOL_WAKE);
}

void pool_created(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->created++;
	pthread_mutex_unlock(&p->lock);
}

void pool_serving(struct pool *p, int fd)
{
	struct pool_conn c = { fd, pthread_self() };

	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_kill(c.thread, POOL_WAKE); /* the stop came first */
	} else if (p->nconns < p->capconns) {
		p->conns[p->nconns++] = c;
	} else {
		long cap = p->capconns ? 2 * p->capconns : 64;
		struct pool_conn *grown =
		        realloc(p->conns, (size_t)cap * sizeof *grown);

		/* Out of memory: this one will not be ended by a stop, but its
		 * --timeout ends it. */
		if (grown != NULL) {
			p->conns = grown;
			p->capconns = cap;
			p->conns[p->nconns++] = c;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

void pool_served(struct pool *p, int fd, int replied)
{
	long i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nconns; i++) {
		if (p->conns[i].fd == fd &&
		    pthread_equal(p->conns[i].thread, pthread_self())) {
			p->conns[i] = p->conns[--p->nconns];
			break;
		}
	}
	if (replied)
		p->replies++;
	pthread_mutex_unlock(&p->lock);
}

void pool_closed(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->closes++;
	if (p->main_waits) /* blocked but in its waits: it cannot be lost */
		pthread_kill(p->main, POOL_WAKE);
	pthread_cond_broadcast(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

long pool_closes(struct pool *p)
{
	long n;

	pthread_mutex_lock(&p->lock);
	n = p->closes;
	pthread_mutex_unlock(&p->lock);
	return n;
}

int pool_may_wait(struct pool *p, const struct server *s, int e, long held)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = server_accept_full(s, e, held, &p->fd_said);
	p->fd_waits += rc;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void pool_main_wait_close(struct pool *p, const struct server *s, long since)
{
	int closed;

	pthread_mutex_lock(&p->lock);
	closed = p->closes != since;
	p->main_waits = !closed;
	pthread_mutex_unlock(&p->lock);
	say(&s->say, "accept()",
	    "no descriptor free; waiting for a thread "
	    "to close its connection");
	/* A close from now on sends main POOL_WAKE, blocked outside its
	 * waits: pending, it ends this one at once. */
	if (!closed)
		(void)clock_wait_fds(NULL, 0, 0, &s->wait_mask);
	pthread_mutex_lock(&p->lock);
	p->main_waits = 0;
	pthread_mutex_unlock(&p->lock);
}

void pool_thread_wait_close(struct pool *p, const struct server *s, long since)
{
	say(&s->say, "accept()",
	    "no descriptor free; waiting for a thread "
	    "to close its connection");
	pthread_mutex_lock(&p->lock);
	while (p->closes == since && !p->ending)
		pthread_cond_wait(&p->freed, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

long pool_serving_now(struct pool *p)
{
	long n;

	pthread_mutex_lock(&p->lock);
	n = p->nconns;
	pthread_mutex_unlock(&p->lock);
	return n;
}

long pool_live(struct pool *p)
{
	return live(p);
}

void pool_finished(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->finished++;
	pthread_mutex_unlock(&p->lock);
}

int pool_keep_unjoined(struct pool *p, const struct server *s, pthread_t t)
{
	long vmsize, vmrss, kept, done;

	pthread_mutex_lock(&p->lock);
	if (p->nunjoined == p->capunjoined) {
		long cap = p->capunjoined ? 2 * p->capunjoined : 64;
		pthread_t *grown =
		        realloc(p->unjoined, (size_t)cap * sizeof *grown);

		if (grown == NULL) {
			pthread_mutex_unlock(&p->lock);
			cli_error(s->prog, "out of memory: joining the thread "
			                   "after all");
			pthread_join(t, NULL);
			return -1;
		}
		p->unjoined = grown;
		p->capunjoined = cap;
	}
	p->unjoined[p->nunjoined++] = t;
	kept = p->nunjoined;
	done = p->finished;
	pthread_mutex_unlock(&p->lock);
	if (s->say.quiet)
		return 0;
	if (pool_memory(&vmsize, &vmrss) == 0)
		say(&s->say, "(no pthread_join)",
		    "%ld not joined, %ld finished: VmSize %ld kB, VmRSS %ld kB",
		    kept, done, vmsize, vmrss);
	else
		say(&s->say, "(no pthread_join)",
		    "%ld not joined, %ld finished", kept, done);
	return 0;
}

void pool_fail(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->failed = 1;
	pthread_mutex_unlock(&p->lock);
	/* To the process: the stop signals are blocked in every thread but
	 * main's waits, so main takes it there, and stops the server. */
	kill(getpid(), SIGTERM);
}

long pool_stop(struct pool *p, const struct server *s)
{
	struct say loud = s->say; /* said even with --quiet */
	double deadline = clock_now() + POOL_GRACE;
	long i, n, vmsize, vmrss;

	loud.quiet = 0;
	pthread_mutex_lock(&p->lock);
	p->ending = 1; /* the threads waiting for a descriptor return */
	pthread_cond_broadcast(&p->freed);
	n = p->nconns;
	pthread_mutex_unlock(&p->lock);
	if (n > 0)
		say_note(&loud,
		         "Stopping: waiting up to %g s for %ld thread%s serving "
		         "a client",
		         POOL_GRACE, n, n == 1 ? "" : "s");
	while (live(p) > 0 && clock_now() < deadline)
		clock_sleep(0.02, NULL, NULL);

	/* The threads still serving: woken (pool.h). A thread in the list
	 * has not returned yet: it takes itself out first. */
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	if (p->nconns > 0)
		say_note(&loud,
		         "Stopping: %ld thread%s still serving after %g s: "
		         "sending %s %s",
		         p->nconns, p->nconns == 1 ? "" : "s", POOL_GRACE,
		         p->nconns == 1 ? "it" : "them", POOL_WAKE_NAME);
	for (i = 0; i < p->nconns; i++)
		pthread_kill(p->conns[i].thread, POOL_WAKE);
	pthread_mutex_unlock(&p->lock);
	deadline = clock_now() + POOL_GRACE;
	while ((n = live(p)) > 0 && clock_now() < deadline)
		clock_sleep(0.02, NULL, NULL);
	if (n > 0) /* blocked where no wakeup reaches them */
		say_note(&loud,
		         "Stopping: %ld thread%s still running after %g s more: "
		         "the process ends with %s",
		         n, n == 1 ? "" : "s", POOL_GRACE,
		         n == 1 ? "it" : "them");

	/* --no-detach: the finished threads' stacks are freed only now. */
	if (n == 0 && p->nunjoined > 0) {
		for (i = 0; i < p->nunjoined; i++)
			pthread_join(p->unjoined[i], NULL);
		if (pool_memory(&vmsize, &vmrss) == 0)
			say(&s->say, "pthread_join(), late",
			    "%ld threads joined: VmSize %ld kB, VmRSS %ld kB",
			    p->nunjoined, vmsize, vmrss);
		p->nunjoined = 0;
	}
	return n;
}

int pool_memory(long *vmsize_kb, long *vmrss_kb)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int found = 0;

	*vmsize_kb = *vmrss_kb = 0;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmSize: %ld kB", vmsize_kb) == 1 ||
		    sscanf(line, "VmRSS: %ld kB", vmrss_kb) == 1)
			found++;
	}
	fclose(f);
	return found == 2 ? 0 : -1;
}

void pool_summary(struct pool *p)
{
	long vmsize, vmrss, waits;

	(void)say_room(); /* a full stdout never holds up the stop */
	pthread_mutex_lock(&p->lock);
	printf("threads: %ld created, %ld finished, %ld left", p->created,
	       p->finished, p->created - p->finished);
	waits = p->fd_waits;
	pthread_mutex_unlock(&p->lock);
	if (pool_memory(&vmsize, &vmrss) == 0)
		printf("; VmSize %ld kB, VmRSS %ld kB", vmsize, vmrss);
	printf("\n");
	if (waits > 0)
		printf("descriptors: accept() found none free %ld time%s, and "
		       "waited for a connection to close\n",
		       waits, waits == 1 ? "" : "s");
}

long pool_replies(struct pool *p)
{
	long n;

	pthread_mutex_lock(&p->lock);
	n = p->replies;
	pthread_mutex_unlock(&p->lock);
	return n;
}
