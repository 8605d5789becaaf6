/* backlog: show-backlog's clients and report (see backlog.h). */
#include "backlog.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "sig.h"
#include "tcpinfo.h"

int backlog_alloc(struct backlog_seen *r, long k)
{
	long i;

	r->cl = calloc((size_t)k, sizeof *r->cl);
	if (r->cl == NULL)
		return -1;
	for (i = 0; i < k; i++)
		r->cl[i].fd = r->cl[i].conn = -1;
	r->k = k;
	return 0;
}

void backlog_free(struct backlog_seen *r)
{
	long i;

	for (i = 0; r->cl != NULL && i < r->k; i++) {
		if (r->cl[i].fd != -1)
			close(r->cl[i].fd);
		if (r->cl[i].conn != -1)
			close(r->cl[i].conn);
	}
	free(r->cl);
	r->cl = NULL;
}

/* A connected client sends its request at once, as curl does. That matters
 * here: when two resent SYNs arrive together, both get a SYN-ACK, but if the
 * queue is full again when the second one's last ACK arrives, the kernel
 * drops that ACK. The client thinks it is connected; the listener waits for
 * another ACK, which the data segment brings. */
static void send_request(struct backlog_client *c)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";

	/* SIGPIPE is ignored: a reset peer is an error, not our death. */
	if (!c->sent)
		c->sent = send(c->fd, req, sizeof req - 1, 0) > 0;
}

void backlog_send_requests(struct backlog_seen *r)
{
	long i;

	for (i = 0; i < r->opened; i++)
		if (r->cl[i].connected == 1)
			send_request(&r->cl[i]);
}

int backlog_watch(const struct say *s, struct backlog_seen *r, int lfd,
                  double deadline, const sigset_t *mask)
{
	struct pollfd *p = calloc((size_t)r->opened + 1, sizeof *p);
	long i;
	int n;

	if (p == NULL)
		return clock_wait_fds(NULL, 0, deadline, mask);
	p[0].fd = lfd;
	p[0].events = POLLIN;
	for (i = 0; i < r->opened; i++) {
		/* A negative fd is left out: the clients already in. */
		p[i + 1].fd = r->cl[i].connected ? -1 : r->cl[i].fd;
		p[i + 1].events = POLLOUT;
	}
	n = clock_wait_fds(p, (nfds_t)r->opened + 1, deadline, mask);
	for (i = 0; n > 0 && i < r->opened; i++) {
		struct backlog_client *c = &r->cl[i];
		int soerr = 0;
		socklen_t len = sizeof soerr;

		if (p[i + 1].fd < 0 || p[i + 1].revents == 0)
			continue;
		/* The handshake ended: SO_ERROR says how. */
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		c->connected = soerr == 0 ? 1 : -1;
		c->late = clock_now() - c->started;
		if (soerr != 0) {
			say_note(s, "client %ld: connect failed: %s", i + 1,
			         strerror(soerr));
			continue;
		}
		say_note(s,
		         "client %ld: SYN-SENT -> ESTABLISHED, %.1f s after its "
		         "connect(): a resent SYN found room",
		         i + 1, c->late);
		send_request(c);
	}
	free(p);
	return n;
}

void backlog_result(const struct say *s, const struct backlog_seen *r)
{
	if (r->established == r->opened && r->opened <= r->effective + 1)
		say_note(s,
		         "result: all %ld clients ESTABLISHED: the queue (room for "
		         "backlog %ld + 1) never filled",
		         r->opened, r->effective);
	else
		say_note(s,
		         "result: %ld of %ld clients ESTABLISHED %s backlog %ld + "
		         "1; %ld stuck in SYN-SENT; none refused",
		         r->established, r->opened,
		         r->established == r->effective + 1 ? "="
		                                            : "but expected",
		         r->effective, r->syn_sent);
	if (r->have_queue && (long)r->waiting != r->established)
		say_note(s,
		         "note: %ld clients are ESTABLISHED but the queue holds %u",
		         r->established, r->waiting);
	if (!r->holding) { /* after exit() ss would find nothing */
		say_note(s, "ss sees this only while it runs: add --hold S, "
		            "and look with ss -ltn meanwhile");
		return;
	}
	say_note(s,
	         "check it: ss -ltn 'sport = :%u'   (Recv-Q = waiting, Send-Q = "
	         "backlog)",
	         r->port);
	say_note(s,
	         "          ss -tn state syn-sent 'dport = :%u'   (the stuck "
	         "clients)",
	         r->port);
}

void backlog_drained(const struct say *s, struct backlog_seen *r)
{
	long i;

	for (i = 0; i < r->opened; i++) {
		if (r->cl[i].connected == 1 && r->cl[i].late > 0)
			r->late++;
		if (r->cl[i].connected != 1)
			r->stuck++;
	}
	if (r->accept_errno != 0)
		say_note(s,
		         "%ld of %ld clients accepted when accept() failed, %.1f s "
		         "in; %ld still not connected",
		         r->accepted, r->opened, r->accept_for, r->stuck);
	else if (r->interrupted)
		say_note(s,
		         "%ld of %ld clients accepted when %s stopped it, %.1f s "
		         "in; %ld still not connected",
		         r->accepted, r->opened, sig_name(r->interrupted),
		         r->accept_for, r->stuck);
	else if (r->accepted == r->opened)
		say_note(s,
		         "all %ld clients connected and accepted; %ld of them only "
		         "once the queue had room",
		         r->opened, r->late);
	else
		say_note(s,
		         "%ld of %ld clients accepted after %g s (--deadline); %ld "
		         "still not connected",
		         r->accepted, r->opened, r->deadline, r->stuck);
}

void backlog_json(const struct backlog_seen *r)
{
	long i;

	printf("{\"port\": %u, \"backlog_asked\": %ld, \"backlog\": %ld, "
	       "\"somaxconn\": ",
	       r->port, r->asked, r->effective);
	if (r->somaxconn >= 0)
		printf("%ld", r->somaxconn);
	else
		printf("null");
	printf(", \"clients\": %ld, \"wait\": %g, \"established\": %ld, "
	       "\"syn_sent\": %ld, \"other\": %ld, ",
	       r->k, r->wait, r->established, r->syn_sent,
	       r->opened - r->established - r->syn_sent);
	if (r->have_queue)
		printf("\"queue_waiting\": %u, \"queue_backlog\": %u, ",
		       r->waiting, r->backlog);
	else
		printf("\"queue_waiting\": null, \"queue_backlog\": null, ");
	printf("\"states\": [");
	for (i = 0; i < r->opened; i++)
		printf("%s\"%s\"", i ? ", " : "",
		       tcpinfo_state_name(r->cl[i].state));
	printf("]");
	if (r->accept_after >= 0)
		printf(", \"accept_after\": %g, \"accepted\": %ld, "
		       "\"completed_late\": %ld, \"not_connected\": %ld",
		       r->accept_after, r->accepted, r->late, r->stuck);
	if (r->interrupted)
		printf(", \"interrupted\": \"%s\"}\n",
		       sig_name(r->interrupted));
	else
		printf(", \"interrupted\": null}\n");
}
