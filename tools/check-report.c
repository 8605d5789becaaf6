/*
 * check-report: check-server's report card, for people (one check at a
 * time, as each one ends) or for graders (--json: one object at the end).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "text.h"

static const char *const verdicts[] = { "PASS", "FAIL", "SKIP" };
static const char *const verdicts_json[] = { "pass", "fail", "skip" };

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
	int count[3] = { 0, 0, 0 }, total = 0;
	size_t i;

	if (c->o->json)
		return;
	for (i = 0; i < n; i++) {
		if (!ran[i])
			continue;
		count[res[i].verdict]++;
		total++;
	}
	printf("\n%d check%s: %d passed, %d failed, %d skipped\n", total,
	       total == 1 ? "" : "s", count[CHK_PASS], count[CHK_FAIL],
	       count[CHK_SKIP]);
}

void chk_report_json(const struct chk_ctx *c, const char *const *limits,
                     const struct chk_check *checks, size_t n,
                     const struct chk_result *res, const int *ran, int status)
{
	const struct chk_opts *o = c->o;
	int count[3] = { 0, 0, 0 }, first = 1, i;
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
		printf(", \"pid\": %ld, \"port\": %u, \"seconds\": %.3f}",
		       (long)res[k].pid, res[k].port, res[k].secs);
		first = 0;
	}
	printf("], \"passed\": %d, \"failed\": %d, \"skipped\": %d, "
	       "\"status\": %d, \"error\": ",
	       count[CHK_PASS], count[CHK_FAIL], count[CHK_SKIP], status);
	if (c->error[0] != '\0')
		json_string(stdout, c->error);
	else
		printf("null");
	printf("}\n");
}
