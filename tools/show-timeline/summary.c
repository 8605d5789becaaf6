/* summary: the counts, --json, the axis (see summary.h). */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void tl_summary_counts(const struct tl_model *m, char *buf, size_t len)
{
	snprintf(buf, len,
	         "%zu %s (%zu forked), %zu %s (%zu never reaped), %zu %s (%zu "
	         "open at the end), %.3f s",
	         m->nlanes, plural(m->nlanes, "process", "processes"),
	         m->forked, m->zombies, plural(m->zombies, "zombie", "zombies"),
	         m->zombies_unreaped, m->nconns,
	         plural(m->nconns, "connection", "connections"), m->conns_open,
	         m->t1 - m->t0);
}

void tl_summary_marks(const struct tl_model *m, char *buf, size_t len)
{
	const size_t *k = m->marks;

	snprintf(buf, len,
	         "marks: %zu %s, %zu SIGCHLD, %zu other %s, %zu %s, %zu %s, "
	         "%zu EINTR",
	         k[TL_M_FORK], plural(k[TL_M_FORK], "fork", "forks"),
	         k[TL_M_SIGCHLD], k[TL_M_SIGNAL],
	         plural(k[TL_M_SIGNAL], "signal", "signals"), k[TL_M_WAIT],
	         plural(k[TL_M_WAIT], "wait", "waits"), k[TL_M_REAP],
	         plural(k[TL_M_REAP], "reap", "reaps"), k[TL_M_EINTR]);
}

void tl_summary_title(const struct tl_model *m, char *buf, size_t len)
{
	const char *source = tl_str(m->tr, m->tr->source);
	const char *cmd = tl_str(m->tr, m->tr->cmd);

	snprintf(buf, len, "%s%s%s", *source != '\0' ? source : "a trace",
	         *cmd != '\0' ? ": " : "", cmd);
}

void tl_ascii(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return;
	for (; *s != '\0' && n + 1 < len; s++) {
		char c = *s;

		if (c < 0x20 || c > 0x7e)
			c = '?';
		buf[n++] = c;
	}
	buf[n] = '\0';
}

static double pow10i(int d)
{
	double v = 1;

	while (d-- > 0)
		v *= 10;
	return v;
}

double tl_axis_step(double span, int ticks, int *decimals)
{
	static const double nice[] = { 1, 2, 5 };
	double raw, p = 1, step;
	int i, d = 0;

	if (!(span > 0))
		span = 1;
	raw = span / (ticks < 1 ? 1 : ticks);
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw && p > 1e-9)
		p /= 10;
	step = p * 10;
	for (i = 0; i < 3; i++) {
		if (nice[i] * p >= raw) {
			step = nice[i] * p;
			break;
		}
	}
	while (d < 9 && step * pow10i(d) < 1 - 1e-9)
		d++;
	*decimals = d;
	return step;
}

/* ------------------------------------------------------------- --json */

static void num_or_null(FILE *f, int have, double v)
{
	if (have)
		fprintf(f, "%.6f", v);
	else
		fputs("null", f);
}

static const char *zombie_state(const struct tl_lane *l)
{
	if (!l->exited || l->parent < 0)
		return "none";
	if (!l->reaped)
		return "unreaped";
	return l->zombie_end > l->exit_t ? "reaped" : "none";
}

static void json_lane(FILE *f, const struct tl_model *m, size_t i)
{
	const struct tl_lane *l = &m->lane[i];

	fprintf(f, "{\"pid\":%d,\"parent\":", l->pid);
	if (l->parent >= 0)
		fprintf(f, "%d", m->lane[l->parent].pid);
	else
		fputs("null", f);
	fprintf(f, ",\"depth\":%d,\"name\":", l->depth);
	json_string(f, tl_str(m->tr, l->name));
	fprintf(f, ",\"forked\":%s,\"born\":%.6f,\"exit\":",
	        l->forked ? "true" : "false", l->born - m->t0);
	num_or_null(f, l->exited, l->exit_t - m->t0);
	fputs(",\"code\":", f);
	if (l->exited && l->exit_code >= 0)
		fprintf(f, "%d", l->exit_code);
	else
		fputs("null", f);
	fputs(",\"sig\":", f);
	if (l->exit_sig != 0)
		json_string(f, tl_str(m->tr, l->exit_sig));
	else
		fputs("null", f);
	fputs(",\"reaped\":", f);
	num_or_null(f, l->reaped, l->reap_t - m->t0);
	fprintf(f, ",\"zombie\":\"%s\",\"zombie_end\":", zombie_state(l));
	num_or_null(f, l->exited && l->parent >= 0, l->zombie_end - m->t0);
	fprintf(f, ",\"holds\":%zu}", l->nholds);
}

int tl_summary_json(FILE *f, const struct tl_model *m)
{
	static const char *const kinds[TL_M_KINDS] = {
		[TL_M_FORK] = "fork",     [TL_M_SIGCHLD] = "sigchld",
		[TL_M_SIGNAL] = "signal", [TL_M_WAIT] = "wait",
		[TL_M_REAP] = "reap",     [TL_M_EINTR] = "eintr",
	};
	size_t i, j, *by_conn = malloc((m->nholds + 1) * sizeof *by_conn);
	size_t *start = calloc(m->nconns + 2, sizeof *start);
	int k;

	if (by_conn == NULL || start == NULL) {
		free(by_conn);
		free(start);
		return -1;
	}
	fprintf(f, "{\"trace_version\":%d,\"source\":", m->tr->version);
	json_string(f, tl_str(m->tr, m->tr->source));
	fputs(",\"cmd\":", f);
	json_string(f, tl_str(m->tr, m->tr->cmd));
	fprintf(f,
	        ",\"duration\":%.6f,\"counts\":{\"processes\":%zu,"
	        "\"forked\":%zu,\"zombies\":%zu,\"zombies_unreaped\":%zu,"
	        "\"connections\":%zu,\"connections_open\":%zu,\"holds\":%zu},"
	        "\"marks\":{",
	        m->t1 - m->t0, m->nlanes, m->forked, m->zombies,
	        m->zombies_unreaped, m->nconns, m->conns_open, m->nholds);
	for (k = 0; k < TL_M_KINDS; k++)
		fprintf(f, "%s\"%s\":%zu", k ? "," : "", kinds[k], m->marks[k]);
	fputs("},\"lanes\":[", f);
	for (i = 0; i < m->nlanes; i++) {
		fputs(i ? "," : "", f);
		json_lane(f, m, m->order[i]);
	}
	fputs("],\"connections\":[", f);
	/* Each connection's holders: the holds grouped by connection (a
	 * counting sort; afterwards connection i's are by_conn[start[i]] to
	 * by_conn[start[i + 1] - 1]). */
	for (i = 0; i < m->nholds; i++)
		start[m->hold[i].conn + 2]++;
	for (i = 0; i < m->nconns; i++)
		start[i + 2] += start[i + 1];
	for (i = 0; i < m->nholds; i++)
		by_conn[start[m->hold[i].conn + 1]++] = i;
	for (i = 0; i < m->nconns; i++) {
		const struct tl_conn *c = &m->conn[i];

		fputs(i ? ",{\"local\":" : "{\"local\":", f);
		json_string(f, tl_str(m->tr, c->local));
		fputs(",\"peer\":", f);
		json_string(f, tl_str(m->tr, c->peer));
		fprintf(f,
		        ",\"by\":%d,\"opened\":%.6f,\"closed\":%.6f,"
		        "\"open\":%s,\"holders\":[",
		        m->lane[c->lane].pid, c->opened - m->t0,
		        c->closed - m->t0, c->open ? "true" : "false");
		for (j = start[i]; j < start[i + 1]; j++) {
			const struct tl_hold *h = &m->hold[by_conn[j]];

			fprintf(f,
			        "%s{\"pid\":%d,\"from\":%.6f,\"to\":%.6f,"
			        "\"open\":%s}",
			        j > start[i] ? "," : "", m->lane[h->lane].pid,
			        h->from - m->t0, h->to - m->t0,
			        h->open ? "true" : "false");
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	free(by_conn);
	free(start);
	return 0;
}
