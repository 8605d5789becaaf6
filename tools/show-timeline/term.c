/* term: text lanes for a terminal (see term.h). */
#include "term.h"

#include <stdlib.h>
#include <string.h>

#include "summary.h"

/* What a cell shows, in order of precedence for the marks. */
enum cell {
	C_NONE,
	C_ALIVE,
	C_ZOMBIE,
	C_FORK, /* the marks, from the least to the most important */
	C_WAIT,
	C_SIGNAL,
	C_SIGCHLD,
	C_REAP,
	C_EINTR,
};

static const char *const GLYPH[] = {
	[C_NONE] = " ",    [C_ALIVE] = "\u2588", [C_ZOMBIE] = "\u2591",
	[C_FORK] = "f",    [C_WAIT] = "w",       [C_SIGNAL] = "K",
	[C_SIGCHLD] = "S", [C_REAP] = "R",       [C_EINTR] = "E",
};

#define HELD "\u2501" /* one connection held */

static const int MARK_CELL[TL_M_KINDS] = {
	[TL_M_FORK] = C_FORK,     [TL_M_SIGCHLD] = C_SIGCHLD,
	[TL_M_SIGNAL] = C_SIGNAL, [TL_M_WAIT] = C_WAIT,
	[TL_M_REAP] = C_REAP,     [TL_M_EINTR] = C_EINTR,
};

struct layout {
	const struct tl_model *m;
	int label; /* columns of the label, its space included */
	int cols;  /* columns of time */
	double span;
};

/* The column of time t. */
static int col(const struct layout *lo, double t)
{
	double x = (t - lo->m->t0) / lo->span * lo->cols;
	int c = x < 0 ? 0 : x >= lo->cols ? lo->cols - 1 : (int)x;

	return c;
}

static void fill(unsigned char *cells, int from, int to, int what)
{
	int c;

	for (c = from; c <= to; c++)
		cells[c] = (unsigned char)what;
}

/* The label of a lane: its pid and name, one space per generation. */
static void label(const struct layout *lo, size_t lane, char *buf, size_t len)
{
	char raw[96], safe[96];
	int depth = lo->m->lane[lane].depth, indent = depth > 8 ? 8 : depth;

	tl_lane_label(lo->m, lane, raw, sizeof raw);
	tl_ascii(raw, safe, sizeof safe);
	snprintf(buf, len, "%*s%s", indent, "", safe);
}

static void put_row_start(FILE *f, const struct layout *lo, const char *text)
{
	int n = (int)strlen(text);

	if (n > lo->label - 1)
		n = lo->label - 1;
	fprintf(f, "%.*s%*s", n, text, lo->label - n, "");
}

static void process_row(FILE *f, const struct layout *lo, size_t lane,
                        unsigned char *cells)
{
	const struct tl_model *m = lo->m;
	const struct tl_lane *l = &m->lane[lane];
	char lab[128];
	size_t i;
	int c;

	memset(cells, C_NONE, (size_t)lo->cols);
	fill(cells, col(lo, l->born), col(lo, l->exited ? l->exit_t : m->t1),
	     C_ALIVE);
	if (l->exited && l->parent >= 0 && l->zombie_end > l->exit_t)
		fill(cells, col(lo, l->exit_t) + 1, col(lo, l->zombie_end),
		     C_ZOMBIE);
	for (i = m->mark_at[lane]; i < m->mark_at[lane + 1]; i++) {
		const struct tl_mark *k = &m->mark[m->mark_of[i]];
		int at = col(lo, k->t), what = MARK_CELL[k->kind];

		if (cells[at] < what)
			cells[at] = (unsigned char)what;
	}
	label(lo, lane, lab, sizeof lab);
	put_row_start(f, lo, lab);
	for (c = 0; c < lo->cols; c++)
		fputs(GLYPH[cells[c]], f);
	fputc('\n', f);
}

/* An end of a hold, for the sweep below. */
struct edge {
	double t;
	int delta; /* +1 a hold starts, -1 it ends */
};

static int by_edge(const void *x, const void *y)
{
	const struct edge *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return b->delta - a->delta; /* a start before an end at one time */
}

/* How many connections the lane holds at once, at most, in each column:
 * a sweep over the starts and ends of its holds. */
static int holds_row(FILE *f, const struct layout *lo, size_t lane,
                     unsigned *count)
{
	const struct tl_model *m = lo->m;
	size_t n = m->hold_at[lane + 1] - m->hold_at[lane], i;
	struct edge *e = malloc(2 * n * sizeof *e);
	unsigned cur = 0;
	int c, last = 0;

	if (e == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const struct tl_hold *h =
		        &m->hold[m->hold_of[m->hold_at[lane] + i]];

		e[2 * i].t = h->from;
		e[2 * i].delta = 1;
		e[2 * i + 1].t = h->to;
		e[2 * i + 1].delta = -1;
	}
	qsort(e, 2 * n, sizeof *e, by_edge);
	memset(count, 0, (size_t)lo->cols * sizeof *count);
	for (i = 0; i < 2 * n; i++) {
		int at = col(lo, e[i].t);

		for (c = last; c <= at; c++) /* held all along */
			if (count[c] < cur)
				count[c] = cur;
		last = at;
		if (e[i].delta > 0 && ++cur > count[at])
			count[at] = cur;
		else if (e[i].delta < 0)
			cur--;
	}
	free(e);
	put_row_start(f, lo, "");
	for (c = 0; c < lo->cols; c++) {
		if (count[c] == 0)
			fputc(' ', f);
		else if (count[c] == 1)
			fputs(HELD, f);
		else if (count[c] <= 9)
			fputc('0' + (int)count[c], f);
		else
			fputc('+', f);
	}
	fputc('\n', f);
	return 0;
}

/* "TIME" and a label at every step, where it fits. */
static void axis(FILE *f, const struct layout *lo)
{
	char *row = malloc((size_t)lo->cols + 1), text[32];
	int decimals, next = 0, k;
	double step = tl_axis_step(lo->span, lo->cols / 12, &decimals);

	if (row == NULL)
		return;
	memset(row, ' ', (size_t)lo->cols);
	row[lo->cols] = '\0';
	for (k = 0; k * step <= lo->span * (1 + 1e-9) && k < 1000; k++) {
		int c = col(lo, lo->m->t0 + k * step);
		int n = snprintf(text, sizeof text, "%.*fs", decimals,
		                 k * step);

		if (c < next || c + n > lo->cols)
			continue;
		memcpy(row + c, text, (size_t)n);
		next = c + n + 1;
	}
	put_row_start(f, lo, "TIME");
	fprintf(f, "%s\n", row);
	free(row);
}

/* The legend's items, as many to a line as fit. */
static void legend(FILE *f, int width)
{
	static const struct {
		const char *glyph, *text;
	} item[] = {
		{ "\u2588", "alive" },
		{ "\u2591", "zombie (exited, not yet reaped)" },
		{ HELD, "connections held (2-9, +: more)" },
		{ "f", "fork" },
		{ "S", "SIGCHLD" },
		{ "K", "another signal" },
		{ "w", "wait (reaped nothing)" },
		{ "R", "wait reaped a child" },
		{ "E", "EINTR (a call interrupted)" },
	};
	int used = 0;
	size_t i;

	for (i = 0; i < sizeof item / sizeof item[0]; i++) {
		int n = 2 + (int)strlen(item[i].text); /* a glyph: 1 column */

		if (used > 0 && used + 3 + n > width) {
			fputc('\n', f);
			used = 0;
		}
		fprintf(f, "%s%s %s", used > 0 ? "   " : "", item[i].glyph,
		        item[i].text);
		used += (used > 0 ? 3 : 0) + n;
	}
	fputc('\n', f);
}

/* s on lines of at most width columns, cut at spaces (a word longer
 * than a line is cut). */
static void wrap(FILE *f, const char *s, int width)
{
	char safe[512];
	const char *p = safe;

	tl_ascii(s, safe, sizeof safe);
	while ((int)strlen(p) > width) {
		int cut = width;

		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = width;
		fprintf(f, "%.*s\n", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
	fprintf(f, "%s\n", p);
}

int tl_term_write(FILE *f, const struct tl_model *m, int width)
{
	struct layout lo;
	unsigned char *cells;
	unsigned *count;
	char text[512];
	size_t i;
	int longest = 8;

	if (width < TL_TERM_MIN_WIDTH)
		width = TL_TERM_MIN_WIDTH;
	if (width > TL_TERM_MAX_WIDTH)
		width = TL_TERM_MAX_WIDTH;
	lo.m = m;
	for (i = 0; i < m->nlanes; i++) {
		label(&lo, i, text, sizeof text);
		if ((int)strlen(text) + 1 > longest)
			longest = (int)strlen(text) + 1;
	}
	lo.label = longest > width / 3 ? width / 3 : longest;
	lo.cols = width - lo.label;
	lo.span = m->t1 > m->t0 ? m->t1 - m->t0 : 1e-6;
	cells = malloc((size_t)lo.cols);
	count = malloc((size_t)lo.cols * sizeof *count);
	if (cells == NULL || count == NULL) {
		free(cells);
		free(count);
		return -1;
	}
	{
		char title[400];

		tl_summary_title(m, title, sizeof title);
		snprintf(text, sizeof text, "show-timeline: %s", title);
	}
	wrap(f, text, width);
	tl_summary_counts(m, text, sizeof text);
	wrap(f, text, width);
	fputc('\n', f);
	axis(f, &lo);
	for (i = 0; i < m->nlanes; i++) {
		size_t lane = m->order[i];

		process_row(f, &lo, lane, cells);
		if (m->lane[lane].nholds > 0 &&
		    holds_row(f, &lo, lane, count) == -1) {
			free(cells);
			free(count);
			return -1;
		}
	}
	fputc('\n', f);
	legend(f, width);
	tl_summary_marks(m, text, sizeof text);
	wrap(f, text, width);
	free(cells);
	free(count);
	return 0;
}
