/*
 * client.h: what the three modes of cli-connect share.
 *
 *   tools/cli-connect.c  the options, and the lesson-1 client itself:
 *                        socket, connect, send, recv, close
 *   tools/cli-connect/client3.c      --clients N: the article's client3, many clients
 *                        at once (fork, a pipe of reports, waitpid)
 *   tools/cli-connect/idle.c         --idle N: many idle connections held by one
 *                        process (RLIMIT_NOFILE, non-blocking connect, poll)
 *   tools/cli-connect/short.c        --short N: N connections opened and closed
 *                        at once (TIME_WAIT, the ephemeral ports)
 *
 *   tools/cli-connect/client.c       what the modes share and is not their lesson:
 *                        the options' rules, --http's request, the stop
 *                        signals
 *
 * One binary, one command line: cli-connect.c parses it and calls the mode.
 */
#ifndef SOCKLAB_CLIENT_H
#define SOCKLAB_CLIENT_H

#include <signal.h>
#include <stddef.h>

#include "say.h"

struct addrinfo;

struct client_opts {
	char host[256]; /* as typed, brackets of an IPv6 address removed */
	unsigned short port;
	char bind_host[256]; /* --bind; "" = let the kernel choose */
	unsigned short bind_port;
	const char *payload; /* what each connection sends: "test", --send,
	                        or the GET request of --http */
	double timeout;      /* for connect() and each recv(); 0 = no limit */
	int quiet;           /* --quiet */
	int json;            /* --json */
	int read_replies;    /* --read */
	long clients;        /* --clients N: 0 = not this mode */
	long conns;          /* --conns: connections per client */
	long idle;           /* --idle N: 0 = not this mode */
	double hold;         /* --hold S; -1 = until a stop signal */
	/* How the single client ends its connection (lesson 7). */
	int half_close; /* --half-close: shutdown(SHUT_WR) after sending */
	int unread;     /* --unread: close with the reply unread (RST) */
	int reset;      /* --reset: SO_LINGER {1, 0}, close() sends RST */
	long shortn;    /* --short N: N connections opened and closed */
	struct say say; /* the narration (quiet with --quiet or --json) */
};

/* Options given that only some modes take (client_check_modes). */
enum {
	CLIENT_GIVEN_CONNS = 1,
	CLIENT_GIVEN_SEND = 2,
	CLIENT_GIVEN_HTTP = 4,
	CLIENT_GIVEN_HOLD = 8,
	CLIENT_GIVEN_END = 16, /* --half-close, --unread or --reset */
};

/* After parsing: refuses (usage error, 2) an option that does not go with
 * the mode; sets the payload: --http PATH's GET request (allocated in
 * *request: free it; the article's client3 sends no User-Agent and no
 * Connection header, the single client both), client3's GET /hello, or
 * what is already there. Returns CLI_OK, or the exit code. */
int client_check_modes(struct client_opts *o, int given, const char *path,
                       char **request);

/* The modes: each returns the exit status (0, or 1 with its message
 * printed). res: the server's addresses, from net_resolve(). */
int client3_run(const struct client_opts *o, const struct addrinfo *res);
int idle_run(const struct client_opts *o, const struct addrinfo *res);
int short_run(const struct client_opts *o, const struct addrinfo *res);

/* The stop signals (sig.h) of the modes that must sum up before they exit:
 * caught (the handler sets client_stop to the signal's number) and kept
 * blocked; *unblocked is the mask to wait with (clock_wait_fd's mask), so
 * that a stop signal is let in only while the mode waits: none is lost
 * between a test of client_stop and the wait. Returns 0 or -1 (err). */
extern volatile sig_atomic_t client_stop;
int client_catch_stops(sigset_t *unblocked, char *err, size_t errlen);

/* A wait returns at once while a descriptor is ready, without letting a
 * pending signal in: this lets in those that came meanwhile (the handler
 * runs), at the end of a phase. */
void client_let_stops_in(const sigset_t *unblocked);

#endif
