/*
 * client.c - what cli-connect's modes share and what is not their lesson:
 * which options go with which mode, the request of --http, and the stop
 * signals of the modes that sum up before they exit (see client.h).
 */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"
#include "sig.h"

static const char *const PROG = "cli-connect";

/* The request of --http. The article's client3 sends no User-Agent and no
 * Connection header; the single client says both. */
static int build_request(struct client_opts *o, char **request,
                         const char *path)
{
	const char *extra = o->clients > 0 ? ""
	                                   : "User-Agent: cli-connect\r\n"
	                                     "Connection: close\r\n";
	int n = http_get(NULL, 0, path, o->host, o->port, extra);

	if (n < 0)
		return cli_usage_error(PROG,
		                       "invalid path '%s': must start with '/', "
		                       "without spaces or control characters",
		                       path);
	*request = malloc((size_t)n + 1);
	if (*request == NULL)
		return cli_error(PROG, "--http: out of memory");
	http_get(*request, (size_t)n + 1, path, o->host, o->port, extra);
	o->payload = *request;
	return CLI_OK;
}

int client_check_modes(struct client_opts *o, int given, const char *path,
                       char **request)
{
	const char *only_clients = (given & CLIENT_GIVEN_CONNS) ? "--conns"
	                           : o->read_replies            ? "--read"
	                                                        : NULL;
	const char *only_one = (given & CLIENT_GIVEN_SEND)   ? "--send"
	                       : (given & CLIENT_GIVEN_HTTP) ? "--http"
	                                                     : NULL;

	if ((o->idle > 0) + (o->clients > 0) + (o->shortn > 0) > 1)
		return cli_usage_error(PROG, "--idle, --clients and --short do "
		                             "not go together");
	if ((o->idle > 0 || o->clients > 0 || o->shortn > 0) &&
	    (given & CLIENT_GIVEN_END))
		return cli_usage_error(PROG,
		                       "--half-close, --unread and --reset work "
		                       "only with a single client");
	if (o->shortn > 0 && (only_one != NULL || o->bind_host[0] != '\0'))
		return cli_usage_error(PROG,
		                       "--short connects and closes: it sends "
		                       "nothing and binds nothing");
	if (o->clients == 0 && only_clients != NULL)
		return cli_usage_error(PROG, "%s works only with --clients N",
		                       only_clients);
	if (o->clients == 0 && o->idle == 0 && o->json)
		return cli_usage_error(
		        PROG, "--json works only with --clients N or --idle N");
	if (o->idle == 0 && (given & CLIENT_GIVEN_HOLD))
		return cli_usage_error(PROG, "--hold works only with --idle N");
	if ((o->clients > 0 || o->idle > 0) && o->bind_host[0] != '\0')
		return cli_usage_error(PROG,
		                       "--bind works only with a single client");
	if (o->idle > 0 && only_one != NULL)
		return cli_usage_error(PROG,
		                       "%s works only with a single client or "
		                       "--clients",
		                       only_one);
	if (o->idle > 0 || o->shortn > 0)
		return CLI_OK; /* idle and short connections send nothing */
	if (o->clients > 0 && path == NULL && !(given & CLIENT_GIVEN_SEND))
		path = "/hello"; /* client3 sends GET /hello */
	if (path != NULL)
		return build_request(o, request, path);
	return CLI_OK;
}

/* ------------------------------------------------------ stop signals */

volatile sig_atomic_t client_stop;

static void on_stop(int sig)
{
	client_stop = sig;
}

int client_catch_stops(sigset_t *unblocked, char *err, size_t errlen)
{
	sigset_t stops;

	sig_stop_set(&stops);
	if (sig_catch_stops(on_stop, 0, err, errlen) == -1)
		return -1;
	if (sigprocmask(SIG_BLOCK, &stops, unblocked) == -1) {
		snprintf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void client_let_stops_in(const sigset_t *unblocked)
{
	sigset_t blocked;

	/* Unblocking delivers a pending signal before sigprocmask() returns. */
	if (sigprocmask(SIG_SETMASK, unblocked, &blocked) == 0)
		sigprocmask(SIG_SETMASK, &blocked, NULL);
}
