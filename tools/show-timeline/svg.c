/* svg: the picture as SVG (see svg.h). */
#include "svg.h"

#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "text.h"

/* The geometry, in pixels. */
#define WIDTH      1000
#define LABEL      180 /* the labels' column */
#define RIGHT      24
#define PLOT       (WIDTH - LABEL - RIGHT)
#define TOP        84 /* the first lane */
#define BAR_Y      6  /* the process's bar within its lane */
#define BAR_H      12
#define TRACK_H    6 /* one row of holds */
#define MAX_TRACKS 6 /* rows drawn; more holds share the last */
#define LANE_PAD   6

static const char *const PALETTE[] = {
	"#1f77b4", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
};
#define NCOLOURS (sizeof PALETTE / sizeof PALETTE[0])

struct svg {
	FILE *f;
	const struct tl_model *m;
	double span;
	double *lane_y; /* each lane's top */
};

static double x_of(const struct svg *s, double t)
{
	return LABEL + (t - s->m->t0) / s->span * PLOT;
}

static int tracks_drawn(const struct tl_lane *l)
{
	return l->tracks > MAX_TRACKS ? MAX_TRACKS : l->tracks;
}

static double lane_height(const struct tl_lane *l)
{
	return BAR_Y + BAR_H + tracks_drawn(l) * TRACK_H + LANE_PAD;
}

/* Text from the trace, as XML character data: valid UTF-8 kept (a name
 * may be Chinese), markup characters as entities, anything else '?'. */
static void xml_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	while (left > 0) {
		size_t n = text_printable_len(p, left);

		if (n == 0) {
			fputc('?', f);
			n = 1;
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
		left -= n;
	}
}

/* The time t as a label: seconds from the first event. */
static void secs(char *buf, size_t len, double t)
{
	snprintf(buf, len, "%.3f s", t);
}

static void head(const struct svg *s, double height)
{
	char text[512];

	fprintf(s->f,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	        "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
	        "font-family=\"sans-serif\" font-size=\"12\">\n",
	        WIDTH, height, WIDTH, height);
	tl_summary_title(s->m, text, sizeof text);
	fputs("<title>show-timeline: ", s->f);
	xml_text(s->f, text);
	fputs("</title>\n", s->f);
	fputs("<defs><pattern id=\"zombie\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#f2f2f2\"/>"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#777\" "
	      "stroke-width=\"3\"/></pattern></defs>\n",
	      s->f);
	fprintf(s->f, "<rect width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
	        WIDTH, height);
	fputs("<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
	      "show-timeline: ",
	      s->f);
	xml_text(s->f, text);
	fputs("</text>\n", s->f);
	tl_summary_counts(s->m, text, sizeof text);
	fputs("<text x=\"12\" y=\"42\">", s->f);
	xml_text(s->f, text);
	fputs("</text>\n", s->f);
	tl_summary_marks(s->m, text, sizeof text);
	fputs("<text x=\"12\" y=\"58\" fill=\"#444\">", s->f);
	xml_text(s->f, text);
	fputs("</text>\n", s->f);
}

static void axis(const struct svg *s, double bottom)
{
	int decimals, k;
	double step = tl_axis_step(s->span, 8, &decimals);

	fprintf(s->f, "<g stroke=\"#ddd\">\n");
	for (k = 0; k * step <= s->span * (1 + 1e-9) && k < 100; k++) {
		double x = x_of(s, s->m->t0 + k * step);

		fprintf(s->f,
		        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		        x, TOP - 8, x, bottom);
	}
	fputs("</g>\n<g fill=\"#444\" text-anchor=\"middle\">\n", s->f);
	for (k = 0; k * step <= s->span * (1 + 1e-9) && k < 100; k++)
		fprintf(s->f, "<text x=\"%.1f\" y=\"%d\">%.*f s</text>\n",
		        x_of(s, s->m->t0 + k * step), TOP - 12, decimals,
		        k * step);
	fputs("</g>\n", s->f);
}

static void lane_bars(const struct svg *s, size_t lane)
{
	const struct tl_model *m = s->m;
	const struct tl_lane *l = &m->lane[lane];
	double y = s->lane_y[lane] + BAR_Y, x0 = x_of(s, l->born);
	double x1 = x_of(s, l->exited ? l->exit_t : m->t1);
	char lab[128], a[32], b[32], alive[256];

	tl_lane_label(m, lane, lab, sizeof lab);
	fprintf(s->f, "<text x=\"%d\" y=\"%.1f\">",
	        8 + 10 * (l->depth > 10 ? 10 : l->depth), y + 10);
	xml_text(s->f, lab);
	fputs("</text>\n", s->f);

	secs(a, sizeof a, l->born - m->t0);
	secs(b, sizeof b, (l->exited ? l->exit_t : m->t1) - m->t0);
	snprintf(alive, sizeof alive, "pid %d: alive from %s%s to %s", l->pid,
	         a, l->forked ? " (fork)" : "", b);
	fprintf(s->f,
	        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
	        "fill=\"#5a9e57\">",
	        x0, y, x1 - x0 < 1 ? 1 : x1 - x0, BAR_H);
	fprintf(s->f, "<title>%s", alive);
	if (!l->exited) {
		fputs(", still running at the end", s->f);
	} else if (l->exit_code >= 0) {
		fprintf(s->f, ", exit status %d", l->exit_code);
	} else if (l->exit_sig != 0) {
		fputs(", killed by ", s->f);
		xml_text(s->f, tl_str(m->tr, l->exit_sig));
	}
	fputs("</title>", s->f);
	fputs("</rect>\n", s->f);

	if (l->exited && l->parent >= 0 &&
	    (l->zombie_end > l->exit_t || !l->reaped)) {
		double z1 = x_of(s, l->zombie_end);

		secs(a, sizeof a, l->exit_t - m->t0);
		secs(b, sizeof b, l->zombie_end - m->t0);
		fprintf(s->f,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		        "height=\"%d\" fill=\"url(#zombie)\" stroke=\"%s\">"
		        "<title>pid %d: a zombie from %s to %s, %s</title>"
		        "</rect>\n",
		        x1, y, z1 - x1 < 1 ? 1 : z1 - x1, BAR_H,
		        l->reaped ? "#777" : "#c00000", l->pid, a, b,
		        l->reaped ? "then reaped"
		                  : "never reaped by its parent");
	}
}

static void lane_holds(const struct svg *s, size_t lane)
{
	const struct tl_model *m = s->m;
	size_t i;

	for (i = m->hold_at[lane]; i < m->hold_at[lane + 1]; i++) {
		const struct tl_hold *h = &m->hold[m->hold_of[i]];
		const struct tl_conn *c = &m->conn[h->conn];
		int track = h->track >= MAX_TRACKS ? MAX_TRACKS - 1 : h->track;
		double x0 = x_of(s, h->from), x1 = x_of(s, h->to);
		char a[32], b[32];

		secs(a, sizeof a, h->from - m->t0);
		secs(b, sizeof b, h->to - m->t0);
		fprintf(s->f,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		        "height=\"%d\" fill=\"%s\"><title>connection %zu ",
		        x0,
		        s->lane_y[lane] + BAR_Y + BAR_H + 2 + track * TRACK_H,
		        x1 - x0 < 1 ? 1 : x1 - x0, TRACK_H - 2,
		        PALETTE[h->conn % NCOLOURS], h->conn + 1);
		xml_text(s->f, tl_str(m->tr, c->local));
		fputs(c->local != 0 || c->peer != 0 ? " &lt;-&gt; " : "", s->f);
		xml_text(s->f, tl_str(m->tr, c->peer));
		fprintf(s->f,
		        ": held by pid %d from %s to %s%s</title></rect>\n",
		        m->lane[lane].pid, a, b,
		        h->open ? ", still open at the end" : "");
	}
}

static void mark(const struct svg *s, const struct tl_mark *k)
{
	const struct tl_model *m = s->m;
	double x = x_of(s, k->t), y = s->lane_y[k->lane] + BAR_Y;
	const char *what = tl_str(m->tr, k->what);
	char at[32];

	secs(at, sizeof at, k->t - m->t0);
	switch (k->kind) {
	case TL_M_FORK:
	case TL_M_REAP:
		if (k->other >= 0) {
			double y2 = s->lane_y[k->other] + BAR_Y;

			fprintf(s->f,
			        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			        "y2=\"%.1f\" stroke=\"%s\"%s/>\n",
			        x, y + BAR_H, x, y2,
			        k->kind == TL_M_FORK ? "#5a9e57" : "#333",
			        k->kind == TL_M_FORK
			                ? ""
			                : " stroke-dasharray=\"3 2\"");
		}
		if (k->kind == TL_M_FORK) {
			fprintf(s->f,
			        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
			        "fill=\"#2d6a2b\"><title>%s at %s: pid %d",
			        x, y + BAR_H / 2.0, *what ? what : "fork", at,
			        k->other >= 0 ? m->lane[k->other].pid : 0);
			fputs(" is born</title></circle>\n", s->f);
		} else {
			fprintf(s->f,
			        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
			        "fill=\"#333\"><title>%s at %s: reaped pid "
			        "%d</title></circle>\n",
			        x, y + BAR_H / 2.0, *what ? what : "wait", at,
			        k->other >= 0 ? m->lane[k->other].pid : 0);
		}
		break;
	case TL_M_SIGCHLD:
	case TL_M_SIGNAL:
		fprintf(s->f,
		        "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
		        "fill=\"%s\"><title>",
		        x - 4, y - 6, x + 4, y - 6, x, y,
		        k->kind == TL_M_SIGCHLD ? "#e07b00" : "#7030a0");
		xml_text(s->f, what);
		fprintf(s->f, " delivered at %s", at);
		if (k->kind == TL_M_SIGCHLD && k->other >= 0)
			fprintf(s->f, " (pid %d ended)", m->lane[k->other].pid);
		fputs("</title></polygon>\n", s->f);
		break;
	case TL_M_WAIT:
		fprintf(s->f,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"%d\" "
		        "fill=\"#333\"><title>",
		        x - 1, y - 3, BAR_H + 6);
		xml_text(s->f, what);
		fprintf(s->f, " at %s: reaped nothing</title></rect>\n", at);
		break;
	case TL_M_EINTR:
		fprintf(s->f,
		        "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
		        "%.1f,%.1f\" fill=\"#e00000\" stroke=\"#fff\">"
		        "<title>",
		        x, y - 2, x + 6, y + BAR_H / 2.0, x, y + BAR_H + 2,
		        x - 6, y + BAR_H / 2.0);
		xml_text(s->f, what);
		fprintf(s->f,
		        " failed with EINTR at %s: a signal handler "
		        "interrupted it</title></polygon>\n",
		        at);
		break;
	default:
		break;
	}
}

/* The legend: a sample of each shape and what it means. */
static void legend(const struct svg *s, double y)
{
	static const char *const text[] = {
		"alive",
		"zombie: exited, not yet reaped (red edge: never reaped)",
		"a connection held (one colour per connection)",
		"fork (a line to the child)",
		"wait that reaped a child (dashed line)",
		"wait that reaped nothing",
		"SIGCHLD delivered",
		"another signal",
		"EINTR: a call interrupted by a signal handler",
	};
	FILE *f = s->f;
	size_t i;

	fprintf(f, "<g font-size=\"11\">\n");
	for (i = 0; i < sizeof text / sizeof text[0]; i++) {
		size_t column = i % 3, row = i / 3;
		double x = 12 + (double)column * 330;
		double yy = y + (double)row * 20;

		switch (i) {
		case 0:
			fprintf(f,
			        "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" "
			        "height=\"10\" fill=\"#5a9e57\"/>\n",
			        x, yy - 9);
			break;
		case 1:
			fprintf(f,
			        "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" "
			        "height=\"10\" fill=\"url(#zombie)\" "
			        "stroke=\"#777\"/>\n",
			        x, yy - 9);
			break;
		case 2:
			fprintf(f,
			        "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" "
			        "height=\"4\" fill=\"%s\"/>\n",
			        x, yy - 6, PALETTE[0]);
			break;
		case 3:
			fprintf(f,
			        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
			        "fill=\"#2d6a2b\"/>\n",
			        x + 9, yy - 4);
			break;
		case 4:
			fprintf(f,
			        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
			        "fill=\"#333\"/>\n",
			        x + 9, yy - 4);
			break;
		case 5:
			fprintf(f,
			        "<rect x=\"%.1f\" y=\"%.1f\" width=\"2\" "
			        "height=\"14\" fill=\"#333\"/>\n",
			        x + 8, yy - 11);
			break;
		case 6:
		case 7:
			fprintf(f,
			        "<polygon points=\"%.1f,%.1f %.1f,%.1f "
			        "%.1f,%.1f\" fill=\"%s\"/>\n",
			        x + 5, yy - 10, x + 13, yy - 10, x + 9, yy - 2,
			        i == 6 ? "#e07b00" : "#7030a0");
			break;
		default:
			fprintf(f,
			        "<polygon points=\"%.1f,%.1f %.1f,%.1f "
			        "%.1f,%.1f %.1f,%.1f\" fill=\"#e00000\"/>\n",
			        x + 9, yy - 12, x + 15, yy - 5, x + 9, yy + 2,
			        x + 3, yy - 5);
			break;
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 24,
		        yy, text[i]);
	}
	fputs("</g>\n", f);
}

int tl_svg_write(FILE *f, const struct tl_model *m)
{
	struct svg s;
	double y = TOP, height;
	size_t i;

	s.f = f;
	s.m = m;
	s.span = m->t1 > m->t0 ? m->t1 - m->t0 : 1e-6;
	s.lane_y = calloc(m->nlanes + 1, sizeof *s.lane_y);
	if (s.lane_y == NULL)
		return -1;
	for (i = 0; i < m->nlanes; i++) {
		s.lane_y[m->order[i]] = y;
		y += lane_height(&m->lane[m->order[i]]);
	}
	height = y + 16 + 3 * 20 + 8;
	head(&s, height);
	axis(&s, y);
	fputs("<g>\n", f);
	for (i = 0; i < m->nlanes; i++) {
		size_t lane = m->order[i];

		if (i % 2 == 1)
			fprintf(f,
			        "<rect x=\"0\" y=\"%.1f\" width=\"%d\" "
			        "height=\"%.1f\" fill=\"#000\" "
			        "fill-opacity=\"0.03\"/>\n",
			        s.lane_y[lane], WIDTH,
			        lane_height(&m->lane[lane]));
		lane_bars(&s, lane);
		lane_holds(&s, lane);
	}
	for (i = 0; i < m->nmarks; i++)
		mark(&s, &m->mark[i]);
	fputs("</g>\n", f);
	legend(&s, y + 24);
	fputs("</svg>\n", f);
	free(s.lane_y);
	return 0;
}
