/*
 * report: check-server's report card, for people (one check at a
 * time, as each one ends) or for graders (--json: one object at the end);
 * the verdicts and their evidence; how a server ended, the last line it
 * wrote.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "json.h"
#include "text.h"

static const char *const verdicts[] = { "PASS", "FAIL", "SKIP", "NOT SHOWN" };
static const char *const verdicts_json[] = { "pass", "fail", "skip",
	                                     "not_shown" };

/* The command as typed, each argument escaped, quoted when it has a
 * space. */
static void print_cmd(char **cmd)
{
	size_t i;

	for (i = 0; cmd[i] != NULL; i++) {
		char shown[TEXT_ESCAPED_MAX(256)];
		int q = strpbrk(cmd[i], " \t'\"") != NULL || cmd[i][0] == '\0';

		text_escape(cmd[i], strlen(cmd[i]), shown, sizeof shown);
		printf("%s%s%s%s", i ? " " : "", q ? "'" : "", shown,
		       q ? "'" : "");
	}
}

void chk_report_head(const struct chk_ctx *c, const char *const *limits)
{
	const struct chk_opts *o = c->o;
	int i;

	if (o->json)
		return;
	printf("check-server: ");
	print_cmd(o->cmd);
	printf("\nlimits:");
	for (i = 0; i < CHK_LIMITS; i++)
		printf(" %s %g s,", limits[i], o->limit[i]);
	printf(" timeout %g s; %ld clients, %ld requests, GET %s\n\n",
	       o->timeout, o->clients, o->requests, o->path);
}

void chk_report_one(const struct chk_ctx *c, const struct chk_check *k,
                    const struct chk_result *r)
{
	if (c->o->json)
		return;
	printf("%s %-10s %s\n", verdicts[r->verdict], k->name, k->reason);
	if (r->pid > 0)
		printf("%16s pid %ld, port %u: %s\n", "", (long)r->pid, r->port,
		       r->evidence);
	else
		printf("%16s %s\n", "", r->evidence);
}

void chk_report_sum(const struct chk_ctx *c, const struct chk_result *res,
                    const int *ran, size_t n)
{
	int count[CHK_VERDICTS] = { 0 }, total = 0;
	size_t i;

	if (c->o->json)
		return;
	for (i = 0; i < n; i++) {
		if (!ran[i])
			continue;
		count[res[i].verdict]++;
		total++;
	}
	printf("\n%d check%s: %d passed, %d failed, %d skipped", total,
	       total == 1 ? "" : "s", count[CHK_PASS], count[CHK_FAIL],
	       count[CHK_SKIP]);
	if (count[CHK_NOTSHOWN] > 0)
		printf(", %d not shown", count[CHK_NOTSHOWN]);
	printf("\n");
}

void chk_report_json(const struct chk_ctx *c, const char *const *limits,
                     const struct chk_check *checks, size_t n,
                     const struct chk_result *res, const int *ran, int status)
{
	const struct chk_opts *o = c->o;
	int count[CHK_VERDICTS] = { 0 }, first = 1, i;
	size_t k;

	if (!o->json)
		return;
	printf("{\"command\": [");
	for (i = 0; o->cmd[i] != NULL; i++) {
		printf(i ? ", " : "");
		json_string(stdout, o->cmd[i]);
	}
	printf("], \"limits\": {");
	for (i = 0; i < CHK_LIMITS; i++)
		printf("\"%s\": %g, ", limits[i], o->limit[i]);
	printf("\"timeout\": %g}, \"clients\": %ld, \"requests\": %ld, "
	       "\"path\": ",
	       o->timeout, o->clients, o->requests);
	json_string(stdout, o->path);
	printf(", \"checks\": [");
	for (k = 0; k < n; k++) {
		if (!ran[k])
			continue;
		count[res[k].verdict]++;
		printf("%s{\"name\": \"%s\", \"result\": \"%s\", \"reason\": ",
		       first ? "" : ", ", checks[k].name,
		       verdicts_json[res[k].verdict]);
		json_string(stdout, checks[k].reason);
		printf(", \"evidence\": ");
		json_string(stdout, res[k].evidence);
		printf(", \"pid\": %ld, \"port\": %u, \"seconds\": %.3f, "
		       "\"runs\": {\"pass\": %d, \"fail\": %d, \"skip\": %d, "
		       "\"not_shown\": %d}}",
		       (long)res[k].pid, res[k].port, res[k].secs,
		       res[k].runs[CHK_PASS], res[k].runs[CHK_FAIL],
		       res[k].runs[CHK_SKIP], res[k].runs[CHK_NOTSHOWN]);
		first = 0;
	}
	printf("], \"passed\": %d, \"failed\": %d, \"skipped\": %d, "
	       "\"not_shown\": %d, \"status\": %d, \"error\": ",
	       count[CHK_PASS], count[CHK_FAIL], count[CHK_SKIP],
	       count[CHK_NOTSHOWN], status);
	if (c->error[0] != '\0')
		json_string(stdout, c->error);
	else
		printf("null");
	printf("}\n");
}

void chk_verdict(struct chk_result *r, enum chk_verdict v, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->evidence, sizeof r->evidence, fmt, ap);
	va_end(ap);
}

int chk_fail(struct chk_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	cli_error("check-server", "%s", c->error);
	return -1;
}

void chk_how_ended(const struct chk_server *s, char *buf, size_t len)
{
	if (!s->ended)
		snprintf(buf, len,
		         "listening socket closed, process not yet gone");
	else if (s->code == CLD_EXITED)
		snprintf(buf, len, "exit status %d", s->status);
	else
		snprintf(buf, len, "killed by signal %d (%s)", s->status,
		         strsignal(s->status));
}

/* The last line of the server's stdout (fd 1) or stderr (2) that is not
 * empty, escaped, in quotes; "nothing" when there is none. */
void chk_last_line(const struct chk_server *s, int which, char *buf, size_t len)
{
	char tail[1024];
	int fd = which == 1 ? s->out : s->err;
	off_t size = lseek(fd, 0, SEEK_END), from;
	ssize_t n;
	char *end, *start;

	from = size > (off_t)sizeof tail - 1 ? size - (off_t)sizeof tail + 1
	                                     : 0;
	n = fd >= 0 ? pread(fd, tail, sizeof tail - 1, from) : -1;
	if (n < 0)
		n = 0;
	tail[n] = '\0';
	end = tail + n;
	while (end > tail &&
	       (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	if (end == tail) {
		snprintf(buf, len, "nothing");
		return;
	}
	start = end;
	while (start > tail && start[-1] != '\n')
		start--;
	{
		char shown[TEXT_ESCAPED_MAX(sizeof tail)];

		text_escape(start, (size_t)(end - start), shown, 200);
		snprintf(buf, len, "'%s'", shown);
	}
}
