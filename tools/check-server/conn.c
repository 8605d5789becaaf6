/*
 * conn: the checks that watch one or two connections (see check.h).
 *
 *   reply       a GET gets a complete HTTP reply (lesson 1)
 *   fin         the reply ends with a FIN, soon: no process kept a copy of
 *               the connection (lesson 5, webserver3d)
 *   concurrent  a slow client does not delay a fast one (lessons 2, 5)
 *   silent      a client that sends nothing does not block the others for
 *               long: the server has a timeout (lesson 1)
 *   reset       a client that resets mid-request does not kill the server
 *
 * A slow client is one that has connected and not sent its request yet:
 * not even half of it, because a server that answers whatever its first
 * recv() returns (the article's webserver3a) would answer half a request
 * at once, and look concurrent when it is not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "tcpinfo.h"
#include "text.h"

/* How long the reset check waits for a reply to its half request (a
 * server like webserver3a answers at once) before it resets. */
#define RESET_WAIT 0.5

static void unseen_end(const struct chk_ctx *c, const struct chk_reply *rep,
                       const char *line, struct chk_result *r);
static void held_again(struct chk_ctx *c, const struct chk_server *s, int fd,
                       const char *first, char *held, size_t len);

/* The first line of what came back (or of the body), escaped, cut. */
static void quote(const char *p, size_t n, char *buf, size_t len)
{
	char shown[TEXT_ESCAPED_MAX(48)];
	int more = n > 48;

	text_escape(p, more ? 48 : n, shown, sizeof shown);
	snprintf(buf, len, "'%s%s'", shown, more ? "..." : "");
}

static void first_line(const struct chk_reply *r, char *buf, size_t len)
{
	size_t n = strcspn(r->head, "\r\n");

	quote(r->head, n < r->headlen ? n : r->headlen, buf, len);
}

int chk_reply(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	struct chk_reply rep;
	char err[256], line[300], body[300], how[64];
	int rc, complete;

	if (chk_get(c, s, &rep, c->o->limit[LIM_FIN], err, sizeof err) == -1)
		return -1;
	if (rep.t_sent == 0) {
		chk_verdict(r, CHK_FAIL, "no connection: %s", err);
		return 0;
	}
	if (rep.total == 0) {
		rc = chk_down(c, s);
		if (rc == -1)
			return -1;
		if (rc == 1) {
			chk_how_ended(s, how, sizeof how);
			chk_last_line(s, 2, line, sizeof line);
			chk_verdict(r, CHK_FAIL,
			            "no reply: the server exited (%s); its "
			            "stderr ends with %s",
			            how, line);
		} else if (rep.eof || rep.err != 0) {
			chk_verdict(r, CHK_FAIL,
			            "no reply: the connection ended (%s) "
			            "after %.3f s without a byte",
			            rep.eof ? "FIN" : strerror(rep.err),
			            rep.t_end - rep.t_sent);
		} else {
			chk_verdict(r, CHK_FAIL, "no reply within %g s",
			            c->o->timeout);
		}
		return 0;
	}
	first_line(&rep, line, sizeof line);
	/* Where the reply ends, as HTTP says: its Content-Length reached, or
	 * else the close (a FIN). A reset is not a close: bytes may have been
	 * lost with it, and the end was never seen. */
	complete = rep.has_end && rep.clen >= 0 && (long)rep.body >= rep.clen;
	if (rep.status < 0) {
		chk_verdict(r, CHK_FAIL,
		            "not an HTTP reply: it starts with %s, not "
		            "'HTTP/1.x NNN'",
		            line);
	} else if (!complete && !rep.eof) {
		unseen_end(c, &rep, line, r);
	} else if (!rep.has_end) {
		chk_verdict(r, CHK_FAIL,
		            "status line %s, but the headers never end: no "
		            "empty line in %zu bytes",
		            line, rep.total);
	} else if (rep.body == 0) {
		chk_verdict(r, CHK_FAIL, "status line %s and headers, no body",
		            line);
	} else if (rep.clen >= 0 && (long)rep.body < rep.clen) {
		chk_verdict(r, CHK_FAIL,
		            "status line %s, but a body of %zu bytes where its "
		            "Content-Length says %ld",
		            line, rep.body, rep.clen);
	} else if (rep.status < 200 || rep.status > 299) {
		chk_verdict(r, CHK_FAIL,
		            "status %d (%s): GET %s should be answered 2xx "
		            "(--http PATH asks another path)",
		            rep.status, line, c->o->path);
	} else {
		quote(rep.head + rep.body_at, rep.headlen - rep.body_at, body,
		      sizeof body);
		chk_verdict(r, CHK_PASS,
		            "status line %s, %d header line%s, a %zu-byte body "
		            "%s, in %.3f s; then %s",
		            line, rep.headers, rep.headers == 1 ? "" : "s",
		            rep.body, body, rep.t_last - rep.t_sent,
		            rep.eof        ? "the close (FIN)"
		            : rep.err != 0 ? "a reset, after its Content-Length"
		                           : "no close: see 'fin'");
	}
	return 0;
}

/* A reply whose end never came: no Content-Length reached, and a reset
 * or nothing at all instead of the close. NOT SHOWN: what came may be
 * right, or cut; nobody can tell. */
static void unseen_end(const struct chk_ctx *c, const struct chk_reply *rep,
                       const char *line, struct chk_result *r)
{
	char what[128], then[160];

	if (!rep->has_end)
		snprintf(what, sizeof what,
		         "%zu bytes and no end of the headers", rep->total);
	else if (rep->clen >= 0)
		snprintf(what, sizeof what,
		         "a body of %zu bytes of the %ld its Content-Length says",
		         rep->body, rep->clen);
	else
		snprintf(what, sizeof what,
		         "a body of %zu bytes and no Content-Length",
		         rep->body);
	if (rep->err != 0)
		snprintf(then, sizeof then,
		         "a reset (%s) %.3f s after the request, which is not "
		         "a close",
		         strerror(rep->err), rep->t_end - rep->t_sent);
	else if (rep->t_last - rep->t_sent + c->o->limit[LIM_FIN] <
	         c->o->timeout)
		snprintf(then, sizeof then,
		         "nothing for %g s after its last byte (%.3f s after the "
		         "request), and no close",
		         c->o->limit[LIM_FIN], rep->t_last - rep->t_sent);
	else
		snprintf(then, sizeof then,
		         "bytes still coming %g s after the request, and no "
		         "close",
		         c->o->timeout);
	chk_verdict(r, CHK_NOTSHOWN,
	            "status line %s, %s, then %s: the reply's end was not seen",
	            line, what, then);
}

int chk_fin(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	double fin = c->o->limit[LIM_FIN];
	struct chk_reply rep;
	struct tcptab_entry end;
	char err[256], who[160];
	int fd, rc;

	memset(&rep, 0, sizeof rep);
	if (chk_dial(c, s, clock_now() + c->o->timeout, &fd, err, sizeof err) ==
	    -1) {
		if (chk_stop)
			return -1;
		chk_verdict(r, CHK_FAIL, "no connection: %s", err);
		return 0;
	}
	if (chk_send_get(c, s, fd, 1, err, sizeof err) == 0) {
		rep.t_sent = clock_now();
		rc = chk_read(c, fd, &rep, rep.t_sent + c->o->timeout, fin, 0);
		if (rc == -1) {
			close(fd);
			return -1;
		}
	}
	say(&c->say, "recv() until the close", "%zu bytes, then %s", rep.total,
	    rep.eof   ? "EOF"
	    : rep.err ? "an error"
	              : "nothing");
	chk_parse(&rep);
	if (rep.total == 0) {
		chk_verdict(r, CHK_SKIP, "no reply to time: see 'reply'");
	} else if (rep.err != 0 && !(rep.has_end && rep.clen >= 0 &&
	                             (long)rep.body >= rep.clen)) {
		chk_verdict(r, CHK_NOTSHOWN,
		            "a reset (RST), not a FIN, %.3f s after the last of "
		            "%zu bytes, and no Content-Length reached: where the "
		            "reply ended was not seen (see 'reply')",
		            rep.t_end - rep.t_last, rep.total);
	} else if (!rep.eof && rep.err == 0 &&
	           rep.t_last + fin >= rep.t_sent + c->o->timeout) {
		chk_verdict(r, CHK_NOTSHOWN,
		            "%zu bytes, still coming %g s after the request: "
		            "the reply never ended (see 'reply')",
		            rep.total, c->o->timeout);
	} else if (rep.eof || rep.err != 0) {
		double d = rep.t_end - rep.t_last;

		chk_verdict(r, d <= fin ? CHK_PASS : CHK_FAIL,
		            "%s %.3f s after the reply's last byte (limit %g s)",
		            rep.eof ? "FIN" : "reset (RST)", d, fin);
	} else {
		snprintf(who, sizeof who, "not in the TCP table");
		memset(&end, 0, sizeof end); /* not found: state UNKNOWN */
		if (chk_tcp_conn(fd, &end) == 1)
			chk_describe_holder(c, s, end.inode, who, sizeof who);
		chk_verdict(r, CHK_FAIL,
		            "no FIN %g s after the reply's last byte: the "
		            "server's end is %s, open in %s",
		            fin, tcpinfo_state_name(end.state), who);
	}
	close(fd);
	return 0;
}

/* concurrent and silent: a first client connects and sends nothing; once
 * the server has accepted it, a second sends a GET: does its reply start
 * within the limit? */
static int one_waits(struct chk_ctx *c, struct chk_server *s,
                     struct chk_result *r, int silent)
{
	double limit = c->o->limit[silent ? LIM_SILENT : LIM_CONCURRENT];
	const char *first = silent ? "silent" : "slow";
	double t_wait = c->o->timeout < 2 ? c->o->timeout : 2;
	struct chk_reply rep;
	struct tcptab_entry end;
	char err[256], held[200], how[64];
	int slow = -1, fast = -1, rc = 0, by_listener = 0;

	memset(&rep, 0, sizeof rep);
	if (chk_dial(c, s, clock_now() + c->o->timeout, &slow, err,
	             sizeof err) == -1) {
		if (chk_stop)
			return -1;
		chk_verdict(r, CHK_FAIL, "the %s client: %s", first, err);
		return 0;
	}
	rc = chk_wait_end(c, s, slow, 0, clock_now() + t_wait, &end);
	if (rc == 1) {
		char who[180];

		by_listener =
		        chk_describe_holder(c, s, end.inode, who, sizeof who) ==
		        CHK_HELD_LISTENER;
		snprintf(held, sizeof held, "held by %s", who);
	} else {
		snprintf(held, sizeof held,
		         "still in the accept queue after %g s, never accepted",
		         t_wait);
	}
	say(&c->say,
	    silent ? "the silent client: connect()"
	           : "the slow client: connect()",
	    "%s%s", rc == 1 ? "accepted, " : "", held);
	if (rc != -1 &&
	    chk_dial(c, s, clock_now() + limit, &fast, err, sizeof err) == 0 &&
	    chk_send_get(c, s, fast, 1, err, sizeof err) == 0) {
		rep.t_sent = clock_now();
		rc = chk_read(c, fast, &rep, rep.t_sent + limit, 0, 1);
	}
	if (by_listener && rc != -1 && !chk_stop)
		held_again(c, s, slow, first, held, sizeof held);
	if (rc == -1 || chk_stop) {
		rc = -1;
	} else if (rep.t_first > 0) {
		char buf[1];
		ssize_t n = recv(slow, buf, sizeof buf, MSG_DONTWAIT);

		chk_verdict(r, CHK_PASS,
		            "the other client's reply started %.3f s after its "
		            "request (limit %g s), while the %s client was "
		            "%s%s",
		            rep.t_first - rep.t_sent, limit, first, held,
		            n >= 0 ? "; by then the server had closed or "
		                     "answered the first one (a timeout)"
		                   : "");
	} else if ((rc = chk_down(c, s)) != 0) {
		chk_how_ended(s, how, sizeof how);
		chk_verdict(r, CHK_SKIP,
		            "the server exited (%s) during the check: see "
		            "'survives'",
		            how);
	} else {
		chk_verdict(r, CHK_FAIL,
		            "no reply %g s after the other client's request, "
		            "while the %s client was %s",
		            limit, first, held);
		if (!silent && fast != -1 &&
		    chk_send_get(c, s, slow, 1, err, sizeof err) == 0) {
			/* The slow client's request now: when does the fast
			 * one get its reply? */
			double t = clock_now();

			rc = chk_read(c, fast, &rep, t + c->o->timeout, 0, 1);
			if (rep.t_first > 0) {
				size_t at = strlen(r->evidence);

				snprintf(r->evidence + at,
				         sizeof r->evidence - at,
				         "; answered %.3f s after the slow client "
				         "sent its request: one client at a time",
				         rep.t_first - t);
			}
		}
	}
	if (fast != -1)
		close(fast);
	close(slow);
	return rc == -1 ? -1 : 0;
}

/* The first client's connection was held by the listening process when
 * it was accepted: a forking server's not yet handed to its child (fork()
 * is slow on a loaded machine), or an iterative server's own. Asked again
 * now that the other client's reply is in: a child that holds it now is
 * named (and said); the listening process, or nobody (an iterative
 * server's timeout closed it), leaves the first answer. */
static void held_again(struct chk_ctx *c, const struct chk_server *s, int fd,
                       const char *first, char *held, size_t len)
{
	struct tcptab_entry end;
	char who[180];

	memset(&end, 0, sizeof end);
	if (chk_tcp_conn(fd, &end) != 1 || end.inode == 0 ||
	    chk_describe_holder(c, s, end.inode, who, sizeof who) !=
	            CHK_HELD_OTHER)
		return;
	snprintf(held, len, "held by %s", who);
	say_note(&c->say, "the %s client: now held by %s", first, who);
}

int chk_concurrent(struct chk_ctx *c, struct chk_server *s,
                   struct chk_result *r)
{
	return one_waits(c, s, r, 0);
}

int chk_silent(struct chk_ctx *c, struct chk_server *s, struct chk_result *r)
{
	return one_waits(c, s, r, 1);
}

/* A control experiment: does a fresh server exit after one plain GET (as
 * one whose children's exit kills it does)? *dies, and how in how. */
static int survives_plain(struct chk_ctx *c, int *dies, char *how,
                          size_t howlen)
{
	struct chk_server s;
	struct chk_reply r;
	long base;
	int rc;

	*dies = 0;
	say_note(&c->say, "control: a fresh server and one plain GET");
	rc = chk_start(c, &s);
	base = rc == 0 ? chk_live(&s) : 0;
	if (rc == 0 && (rc = chk_probe(c, &s, &r)) == 0 &&
	    (rc = chk_settle(c, &s, base,
	                     clock_now() + c->o->limit[LIM_ZOMBIES])) >= 0) {
		rc = 0;
		*dies = s.ended || s.closed;
		if (*dies)
			chk_how_ended(&s, how, howlen);
	}
	chk_stop_server(c, &s);
	return rc < 0 ? -1 : 0;
}

/* The server died after the reset: was it the reset? A fresh server gets
 * one plain GET: if that kills it too, the reset is not the cause. */
static int died_after_reset(struct chk_ctx *c, struct chk_server *s,
                            struct chk_result *r)
{
	char how[64], how2[64], tail[256];
	int dies;

	chk_how_ended(s, how, sizeof how);
	chk_last_line(s, 2, tail, sizeof tail);
	chk_stop_server(c, s); /* the control runs alone */
	if (survives_plain(c, &dies, how2, sizeof how2) == -1)
		return -1;
	if (dies)
		chk_verdict(r, CHK_SKIP,
		            "the server exited (%s) after the reset, but a "
		            "fresh one exits after a plain GET too (%s): see "
		            "'survives'",
		            how, how2);
	else
		chk_verdict(r, CHK_FAIL,
		            "the server exited (%s) after a client reset it "
		            "mid-request; its stderr ends with %s",
		            how, tail);
	return 0;
}

/* Waits until the server has read the half request (its end of the
 * connection has no unread byte), or has already answered or closed (as
 * webserver3a does at once: its end is then gone from the table). 1 read,
 * 0 not by the timeout, -1 stopped. */
static int read_or_answered(struct chk_ctx *c, const struct chk_server *s,
                            int fd)
{
	double deadline = clock_now() + c->o->timeout;
	struct tcptab_entry end;
	char peek[1];

	for (;;) {
		int rc = chk_wait_end(c, s, fd, 1, clock_now() + 0.02, &end);

		if (rc != 0)
			return rc;
		if (recv(fd, peek, 1, MSG_PEEK | MSG_DONTWAIT) >= 0 ||
		    (errno != EAGAIN && errno != EWOULDBLOCK))
			return 1;
		if (clock_now() >= deadline)
			return 0;
	}
}

int chk_reset_check(struct chk_ctx *c, struct chk_server *s,
                    struct chk_result *r)
{
	long base = chk_live(s);
	double settle = c->o->limit[LIM_ZOMBIES];
	struct chk_reply rep;
	char err[256];
	int fd, rc, read, answered;

	memset(&rep, 0, sizeof rep);
	if (chk_dial(c, s, clock_now() + c->o->timeout, &fd, err, sizeof err) ==
	    -1) {
		if (chk_stop)
			return -1;
		chk_verdict(r, CHK_FAIL, "no connection: %s", err);
		return 0;
	}
	rc = chk_send_get(c, s, fd, 0, err, sizeof err);
	read = rc == 0 ? read_or_answered(c, s, fd) : 0;
	say(&c->say, "send(half a request)", "%s",
	    read == 1 ? "the server has read it (rx_queue 0)"
	              : "not read by the server");
	if (read == -1 ||
	    chk_read(c, fd, &rep, clock_now() + RESET_WAIT, 0, 1) == -1) {
		close(fd);
		return -1;
	}
	answered = rep.t_first > 0;
	chk_reset(c, fd);
	/* The process that held the reset connection (a forking server's
	 * child) ends first, whenever it does (--timeout at most): its exit,
	 * and the SIGCHLD, are the reset's consequences too, and the verdict
	 * must not depend on whether the next GET came before them. */
	if (chk_settle(c, s, base, clock_now() + c->o->timeout) == -1)
		return -1;
	if (s->ended || s->closed)
		return died_after_reset(c, s, r);
	if (chk_get(c, s, &rep, c->o->limit[LIM_FIN], err, sizeof err) == -1 ||
	    chk_settle(c, s, base, clock_now() + settle) == -1)
		return -1;
	if (s->ended || s->closed)
		return died_after_reset(c, s, r);
	if (rep.total == 0)
		chk_verdict(r, CHK_FAIL,
		            "the server is alive but did not answer a GET after "
		            "the reset (%s)",
		            rep.err ? strerror(rep.err) : "no reply");
	else
		chk_verdict(r, CHK_PASS,
		            "the server %s half a request when the client reset "
		            "the connection, and answered the next GET in %.3f s",
		            read != 1  ? "had not read"
		            : answered ? "had read (and answered)"
		                       : "had read",
		            rep.t_first - rep.t_sent);
	return 0;
}
