/*
 * fuzz_trace: show-timeline's readers of untrusted files, and everything
 * drawn from what they accept (tools/show-timeline/).
 *
 *   byte 0   bit 0: the rest is strace's log (strace.c) instead of a
 *            trace (trace.c); bits 1-7: the text's width, 40 + 2 * them
 *   the rest lines, each handed to the reader without its newline; the
 *            input's last byte says whether it ended with a newline
 *
 * Invariants (beyond no sanitizer report):
 *   - a refused trace says why ("line N: ..." or a whole-file reason);
 *   - an accepted one gives a model whose counts agree: never-reaped
 *     zombies <= zombies <= processes, forked <= processes, open
 *     connections <= connections; the drawing order lists every lane
 *     once, parents before their children; every hold and zombie span
 *     lies within the picture, its start before its end;
 *   - the text is valid UTF-8, no line wider than the width asked for;
 *     the SVG is one <svg> element, every '<' of text escaped (as many
 *     '<' as '>');
 *   - written as a trace and read back, it gives the same trace file
 *     again, byte for byte, and the same counts.
 */
#include "fuzz.h"

#include "show-timeline/model.h"
#include "show-timeline/strace.h"
#include "show-timeline/summary.h"
#include "show-timeline/svg.h"
#include "show-timeline/term.h"
#include "show-timeline/trace.h"
#include "text.h"

/* Hands data's lines to the trace reader or strace's; 0 when accepted. */
static int read_input(const uint8_t *data, size_t size, int strace,
                      struct tl_trace *tr)
{
	const char *p = (const char *)data, *end = p + size;
	char err[256];
	int rc = 0, nl = size == 0 || data[size - 1] == '\n';
	struct tl_strace *s = NULL;
	struct tl_reader r;

	memset(err, 'x', sizeof err);
	if (strace) {
		s = tl_strace_start(tr, 0, 1);
		if (s == NULL)
			abort();
	} else if (tl_reader_start(&r, tr) == -1) {
		abort();
	}
	while (p < end && rc == 0) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((q != NULL ? q : end) - p);

		if (q == NULL && !strace)
			break; /* the line cut short: tl_reader_end says so */
		if (strace)
			rc = tl_strace_line(s, p, len);
		else
			rc = tl_reader_line(&r, p, len, err, sizeof err);
		p += len + (q != NULL);
	}
	if (strace) {
		if (rc == 0)
			rc = tl_strace_end(s, NULL, err, sizeof err);
		tl_strace_free(s);
	} else {
		if (rc == 0) {
			if (!nl)
				r.line++;
			rc = tl_reader_end(&r, nl, err, sizeof err);
		}
		tl_reader_free(&r);
	}
	if (rc != 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
		FUZZ_CHECK(err[0] != '\0');
	}
	return rc;
}

static void check_model(const struct tl_model *m)
{
	char *seen = calloc(m->nlanes + 1, 1);
	size_t i;

	if (seen == NULL)
		abort();
	FUZZ_CHECK(m->t0 <= m->t1);
	FUZZ_CHECK(m->zombies_unreaped <= m->zombies);
	FUZZ_CHECK(m->zombies <= m->nlanes);
	FUZZ_CHECK(m->forked <= m->nlanes);
	FUZZ_CHECK(m->conns_open <= m->nconns);
	for (i = 0; i < m->nlanes; i++) {
		size_t l = m->order[i];
		const struct tl_lane *lane;

		FUZZ_CHECK(l < m->nlanes && !seen[l]);
		seen[l] = 1;
		lane = &m->lane[l];
		FUZZ_CHECK(lane->parent < 0 || seen[lane->parent]);
		FUZZ_CHECK(lane->born >= m->t0 && lane->born <= m->t1);
		if (lane->exited)
			FUZZ_CHECK(lane->exit_t >= lane->born &&
			           lane->exit_t <= m->t1);
		if (lane->exited && lane->parent >= 0)
			FUZZ_CHECK(lane->zombie_end >= lane->exit_t &&
			           lane->zombie_end <= m->t1);
	}
	for (i = 0; i < m->nholds; i++) {
		const struct tl_hold *h = &m->hold[i];

		FUZZ_CHECK(h->lane < m->nlanes && h->conn < m->nconns);
		FUZZ_CHECK(h->from <= h->to && h->from >= m->t0 &&
		           h->to <= m->t1);
	}
	for (i = 0; i < m->nmarks; i++)
		FUZZ_CHECK(m->mark[i].lane < m->nlanes);
	free(seen);
}

/* Each line of the text: valid UTF-8, at most width characters. */
static void check_text(const char *buf, size_t len, int width)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0;
	int col = 0;

	while (i < len) {
		size_t n = text_utf8_len(p + i, len - i);

		FUZZ_CHECK(n > 0);
		if (p[i] == '\n') {
			col = 0;
		} else {
			col++;
			FUZZ_CHECK(col <= width);
		}
		i += n;
	}
}

static void check_svg(const char *buf, size_t len)
{
	size_t i, lt = 0, gt = 0;

	FUZZ_CHECK(len > 6 && strncmp(buf, "<?xml", 5) == 0);
	FUZZ_CHECK(strcmp(buf + len - 7, "</svg>\n") == 0);
	for (i = 0; i < len; i++) {
		lt += buf[i] == '<';
		gt += buf[i] == '>';
	}
	FUZZ_CHECK(lt == gt);
}

/* Draws m every way; returns the trace as written (free it). */
static char *draw_all(const struct tl_trace *tr, const struct tl_model *m,
                      int width, size_t *tlen)
{
	char *buf = NULL, *trace = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL && tl_term_write(f, m, width) == 0);
	fclose(f);
	check_text(buf, len, width);
	free(buf);

	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL && tl_svg_write(f, m) == 0);
	fclose(f);
	check_svg(buf, len);
	free(buf);

	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL && tl_summary_json(f, m) == 0);
	fclose(f);
	FUZZ_CHECK(len > 0 && buf[0] == '{' && buf[len - 1] == '\n');
	free(buf);

	f = open_memstream(&trace, tlen);
	FUZZ_CHECK(f != NULL && tl_trace_write(f, tr) == 0);
	fclose(f);
	return trace;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_trace tr, again;
	struct tl_model m, m2;
	char err[256], *written, *rewritten;
	size_t wlen, rlen;
	int width;

	if (size < 1)
		return 0;
	width = 40 + 2 * (data[0] >> 1);
	tl_trace_init(&tr);
	if (read_input(data + 1, size - 1, data[0] & 1, &tr) != 0) {
		tl_trace_free(&tr);
		return 0;
	}
	if (tl_model_build(&tr, &m, err, sizeof err) == -1) {
		FUZZ_CHECK(err[0] != '\0');
		tl_trace_free(&tr);
		return 0;
	}
	check_model(&m);
	written = draw_all(&tr, &m, width, &wlen);

	/* Read back: the same trace, the same counts. */
	tl_trace_init(&again);
	FUZZ_CHECK(read_input((const uint8_t *)written, wlen, 0, &again) == 0);
	FUZZ_CHECK(again.n == tr.n);
	FUZZ_CHECK(tl_model_build(&again, &m2, err, sizeof err) == 0);
	FUZZ_CHECK(m2.nlanes == m.nlanes && m2.nconns == m.nconns &&
	           m2.zombies == m.zombies &&
	           m2.zombies_unreaped == m.zombies_unreaped);
	rewritten = draw_all(&again, &m2, width, &rlen);
	FUZZ_CHECK(rlen == wlen && memcmp(written, rewritten, wlen) == 0);

	free(written);
	free(rewritten);
	tl_model_free(&m);
	tl_model_free(&m2);
	tl_trace_free(&again);
	tl_trace_free(&tr);
	return 0;
}
