/* trace: reading and writing the trace format (see trace.h and the TRACE
 * FORMAT section of man/show-timeline.1). */
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h" /* CLI_PRINTF */
#include "json.h"
#include "pidmap.h"

#define T_MAX TL_T_MAX

/* How deep a value of a key this version does not know may nest. */
#define NEST_MAX 32

/* --------------------------------------------------------- the strings */

static unsigned hash(const char *s, size_t n)
{
	unsigned h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int strings_grow_table(struct tl_strings *st)
{
	size_t cap = st->nslots == 0 ? 256 : st->nslots * 2, i;
	unsigned *slot = calloc(cap, sizeof *slot);

	if (slot == NULL)
		return -1;
	for (i = 0; i < st->nslots; i++) {
		unsigned id = st->slot[i];
		size_t j;

		if (id == 0)
			continue;
		j = hash(st->buf + id, strlen(st->buf + id)) & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = id;
	}
	free(st->slot);
	st->slot = slot;
	st->nslots = cap;
	return 0;
}

unsigned tl_intern(struct tl_trace *tr, const char *s, size_t n)
{
	struct tl_strings *st = &tr->str;
	size_t j;
	unsigned id;

	if (memchr(s, '\0', n) != NULL)
		return 0;
	if ((st->count + 1) * 2 > st->nslots && strings_grow_table(st) == -1)
		return 0;
	j = hash(s, n) & (st->nslots - 1);
	while ((id = st->slot[j]) != 0) {
		if (strncmp(st->buf + id, s, n) == 0 && st->buf[id + n] == '\0')
			return id;
		j = (j + 1) & (st->nslots - 1);
	}
	if (st->len + n + 2 > st->cap) {
		size_t cap = st->cap == 0 ? 4096 : st->cap;
		char *buf;

		while (st->len + n + 2 > cap)
			cap *= 2;
		if (cap > UINT_MAX)
			return 0;
		buf = realloc(st->buf, cap);
		if (buf == NULL)
			return 0;
		st->buf = buf;
		st->cap = cap;
	}
	if (st->len == 0)
		st->buf[st->len++] = '\0'; /* id 0 is "" */
	id = (unsigned)st->len;
	memcpy(st->buf + st->len, s, n);
	st->buf[st->len + n] = '\0';
	st->len += n + 1;
	st->slot[j] = id;
	st->count++;
	return id;
}

unsigned tl_find(const struct tl_trace *tr, const char *s)
{
	const struct tl_strings *st = &tr->str;
	size_t n = strlen(s), j;
	unsigned id;

	if (st->nslots == 0)
		return 0;
	j = hash(s, n) & (st->nslots - 1);
	while ((id = st->slot[j]) != 0) {
		if (strcmp(st->buf + id, s) == 0)
			return id;
		j = (j + 1) & (st->nslots - 1);
	}
	return 0;
}

const char *tl_str(const struct tl_trace *tr, unsigned id)
{
	return id == 0 || tr->str.buf == NULL ? "" : tr->str.buf + id;
}

/* ----------------------------------------------------------- the trace */

void tl_trace_init(struct tl_trace *tr)
{
	memset(tr, 0, sizeof *tr);
}

void tl_trace_free(struct tl_trace *tr)
{
	free(tr->ev);
	free(tr->str.buf);
	free(tr->str.slot);
	tl_trace_init(tr);
}

int tl_trace_add(struct tl_trace *tr, const struct tl_event *e)
{
	if (tr->n >= TL_EVENTS_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (tr->n == tr->cap) {
		size_t cap = tr->cap == 0 ? 1024 : tr->cap * 2;
		struct tl_event *ev = realloc(tr->ev, cap * sizeof *ev);

		if (ev == NULL)
			return -1;
		tr->ev = ev;
		tr->cap = cap;
	}
	if (tr->n > 0 && e->t < tr->ev[tr->n - 1].t)
		tr->unsorted = 1;
	tr->ev[tr->n] = *e;
	tr->ev[tr->n].seq = (unsigned)tr->n;
	tr->n++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tl_trace_sort(struct tl_trace *tr)
{
	size_t i;

	if (tr->n > 1 && tr->unsorted)
		qsort(tr->ev, tr->n, sizeof *tr->ev, by_time);
	tr->unsorted = 0;
	for (i = 0; i < tr->n; i++) /* their order from now on */
		tr->ev[i].seq = (unsigned)i;
}

void tl_trace_canonical(struct tl_trace *tr)
{
	size_t i;

	for (i = 0; i < tr->n; i++) {
		char b[64];

		snprintf(b, sizeof b, "%.9f", tr->ev[i].t);
		tr->ev[i].t = strtod(b, NULL);
		if (i > 0 && tr->ev[i].t < tr->ev[i - 1].t)
			tr->unsorted = 1;
	}
}

static const char *const KIND_NAMES[] = {
	[TL_CALL] = "call",     [TL_FORK] = "fork", [TL_EXIT] = "exit",
	[TL_SIGNAL] = "signal", [TL_REAP] = "reap", [TL_OTHER] = "",
};

const char *tl_kind_name(int kind)
{
	return kind >= TL_CALL && kind <= TL_OTHER ? KIND_NAMES[kind] : "";
}

/* ------------------------------------------------- one line of JSON
 *
 * A line is one flat JSON object. The values the format defines are
 * strings, numbers and true/false; a key this version does not know may
 * hold anything JSON allows (a later version may add objects), which is
 * checked and skipped.
 */

enum jtype { J_STR, J_NUM, J_BOOL, J_NULL, J_NESTED };

struct jval {
	enum jtype type;
	int truth;       /* J_BOOL */
	const char *num; /* J_NUM: the number's text */
	size_t numlen;
	char str[TL_STR_MAX + 1]; /* J_STR, decoded */
	size_t len;
	int too_long; /* the string did not fit in str */
};

struct parser {
	const char *p, *end;
	char *err;
	size_t errlen;
	unsigned line;
};

static void parser_init(struct parser *ps, const char *line, size_t len,
                        char *err, size_t errlen, unsigned lineno)
{
	ps->p = line;
	ps->end = line == NULL ? NULL : line + len;
	ps->err = err;
	ps->errlen = errlen;
	ps->line = lineno;
}

static int fail(struct parser *ps, const char *fmt, ...) CLI_PRINTF(2, 3);

static int fail(struct parser *ps, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (ps->errlen == 0)
		return -1;
	n = (size_t)snprintf(ps->err, ps->errlen, "line %u: ", ps->line);
	if (n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
		ps->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (ps->end - ps->p < 4)
		return fail(ps, "a \\u escape cut short");
	for (i = 0; i < 4; i++) {
		int h = hexval(ps->p[i]);

		if (h < 0)
			return fail(ps, "a \\u escape that is not hexadecimal");
		v = v * 16 + (unsigned)h;
	}
	ps->p += 4;
	*out = v;
	return 0;
}

/* Appends bytes to the decoded string, or notes that it is too long. */
static void put(struct jval *v, const char *b, size_t n)
{
	if (v->len + n > TL_STR_MAX) {
		v->too_long = 1;
		return;
	}
	memcpy(v->str + v->len, b, n);
	v->len += n;
	v->str[v->len] = '\0';
}

static void put_code_point(struct jval *v, unsigned cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		put(v, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		put(v, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		put(v, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		put(v, b, 4);
	}
}

/* A \u escape (after the "\u"): a character, a surrogate pair, or
 * \udc80-\udcff, a byte that was not UTF-8 (lib/json.h's convention). */
static int read_u_escape(struct parser *ps, struct jval *v)
{
	unsigned cp = 0, lo = 0;

	if (read_hex4(ps, &cp) == -1)
		return -1;
	if (cp == 0)
		return fail(ps, "a string holds \\u0000");
	if (cp >= 0xdc80 && cp <= 0xdcff) {
		char b = (char)(cp & 0xff);

		put(v, &b, 1);
		return 0;
	}
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(ps, "a lone low surrogate in a \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return fail(ps, "a high surrogate without its pair");
		ps->p += 2;
		if (read_hex4(ps, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, "a high surrogate without its pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_code_point(v, cp);
	return 0;
}

/* A string (at its opening quote), decoded into v. */
static int read_string(struct parser *ps, struct jval *v)
{
	v->type = J_STR;
	v->len = 0;
	v->str[0] = '\0';
	v->too_long = 0;
	ps->p++; /* the quote */
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20)
			return fail(ps, "a control character in a string");
		if (c != '\\') {
			const char *run = ps->p;

			while (ps->p < ps->end && *ps->p != '"' &&
			       *ps->p != '\\' && (unsigned char)*ps->p >= 0x20)
				ps->p++;
			put(v, run, (size_t)(ps->p - run));
			continue;
		}
		if (ps->end - ps->p < 2)
			return fail(ps, "a string cut short");
		c = (unsigned char)ps->p[1];
		ps->p += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			put(v, (const char *)&c, 1);
			break;
		case 'b':
			put(v, "\b", 1);
			break;
		case 'f':
			put(v, "\f", 1);
			break;
		case 'n':
			put(v, "\n", 1);
			break;
		case 'r':
			put(v, "\r", 1);
			break;
		case 't':
			put(v, "\t", 1);
			break;
		case 'u':
			if (read_u_escape(ps, v) == -1)
				return -1;
			break;
		default:
			return fail(ps, "an unknown escape in a string");
		}
	}
	if (ps->p >= ps->end)
		return fail(ps, "a string without its closing quote");
	ps->p++;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number, checked against JSON's grammar. */
static int read_number(struct parser *ps, struct jval *v)
{
	const char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || !is_digit(*ps->p))
		return fail(ps, "not a JSON value");
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return fail(ps, "a number with nothing after its '.'");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return fail(ps, "a number with an empty exponent");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	v->type = J_NUM;
	v->num = s;
	v->numlen = (size_t)(ps->p - s);
	return 0;
}

static int read_literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "not a JSON value");
	ps->p += n;
	return 0;
}

/* A value that holds no other: a string, a number, a literal. */
static int read_scalar(struct parser *ps, struct jval *v)
{
	if (ps->p >= ps->end)
		return fail(ps, "a value is missing");
	if (*ps->p == '"')
		return read_string(ps, v);
	if (*ps->p == 't' || *ps->p == 'f') {
		v->type = J_BOOL;
		v->truth = *ps->p == 't';
		return read_literal(ps, v->truth ? "true" : "false");
	}
	if (*ps->p == 'n') {
		v->type = J_NULL;
		return read_literal(ps, "null");
	}
	return read_number(ps, v);
}

/* In an object: a key and its ':' (the key is not kept). */
static int read_key(struct parser *ps, struct jval *v)
{
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "a key must be a string");
	if (read_string(ps, v) == -1)
		return -1;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, "a ':' is missing after a key");
	ps->p++;
	return 0;
}

/* Any value. An object or an array (only a key this version does not
 * know may hold one) is checked and skipped, without recursion: a stack
 * of the brackets still open, NEST_MAX deep at most. */
static int read_value(struct parser *ps, struct jval *v)
{
	char open[NEST_MAX]; /* what closes each: '}' or ']' */
	int depth = 0, nested = 0;

	for (;;) {
		skip_ws(ps); /* at a value */
		if (ps->p < ps->end && (*ps->p == '{' || *ps->p == '[')) {
			if (depth == NEST_MAX)
				return fail(ps,
				            "values nested more than %d "
				            "deep",
				            NEST_MAX);
			nested = 1;
			open[depth++] = *ps->p == '{' ? '}' : ']';
			ps->p++;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == open[depth - 1]) {
				ps->p++; /* {} or [] */
				depth--;
			} else {
				if (open[depth - 1] == '}' &&
				    read_key(ps, v) == -1)
					return -1;
				continue; /* its first value */
			}
		} else if (read_scalar(ps, v) == -1) {
			return -1;
		}
		for (;;) { /* after a value */
			if (depth == 0) {
				if (nested)
					v->type = J_NESTED;
				return 0;
			}
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				if (open[depth - 1] == '}' &&
				    read_key(ps, v) == -1)
					return -1;
				break; /* the next value */
			}
			if (ps->p >= ps->end || *ps->p != open[depth - 1])
				return fail(ps, "a ',' or '%c' is missing",
				            open[depth - 1]);
			ps->p++;
			depth--;
		}
	}
}

/* ------------------------------------------------ the keys of a line */

enum key {
	K_VERSION,
	K_CLOCK,
	K_SOURCE,
	K_CMD, /* the header */
	K_T,
	K_PID,
	K_PPID,
	K_TID,
	K_EV,
	K_NAME,
	K_CALL,
	K_RET,
	K_ERR,
	K_FD,
	K_LOCAL,
	K_PEER,
	K_CLOEXEC,
	K_CHILD,
	K_CODE,
	K_SIG,
	K_CORE,
	K_FROM,
	K_SI_CODE,
	K_COUNT,
	K_UNKNOWN = K_COUNT,
};

static const char *const KEY_NAMES[K_COUNT] = {
	"socklab_trace", "clock", "source", "cmd",  "t",       "pid",
	"ppid",          "tid",   "ev",     "name", "call",    "ret",
	"err",           "fd",    "local",  "peer", "cloexec", "child",
	"code",          "sig",   "core",   "from", "si_code",
};

static enum key key_of(const char *s)
{
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (strcmp(s, KEY_NAMES[k]) == 0)
			return (enum key)k;
	return K_UNKNOWN;
}

/* What one line said, before it is checked as a whole. */
struct fields {
	unsigned seen; /* a bit per known key */
	double t;
	long long num[K_COUNT]; /* the integers */
	int truth[K_COUNT];     /* the booleans */
	unsigned str[K_COUNT];  /* the strings, interned */
};

/* An integer value: no fraction, no exponent, within [min, max]. */
static int integer(struct parser *ps, const struct jval *v, const char *key,
                   long long min, long long max, long long *out)
{
	long long n = 0;
	size_t i = 0;
	int neg = 0;

	if (v->type != J_NUM)
		return fail(ps, "\"%s\" must be a number", key);
	if (v->num[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < v->numlen; i++) {
		if (!is_digit(v->num[i]))
			return fail(ps, "\"%s\" must be a whole number", key);
		if (n > (LLONG_MAX - 9) / 10)
			return fail(ps, "\"%s\" is out of range", key);
		n = n * 10 + (v->num[i] - '0');
	}
	if (neg)
		n = -n;
	if (n < min || n > max)
		return fail(ps, "\"%s\" is out of range (%lld)", key, n);
	*out = n;
	return 0;
}

/* A time: a number of seconds, 0 <= t <= T_MAX. */
static int seconds(struct parser *ps, const struct jval *v, double *out)
{
	char buf[64];
	char *end;
	double t;

	if (v->type != J_NUM)
		return fail(ps, "\"t\" must be a number");
	if (v->numlen >= sizeof buf)
		return fail(ps, "\"t\" has too many digits");
	memcpy(buf, v->num, v->numlen);
	buf[v->numlen] = '\0';
	t = strtod(buf, &end);
	if (*end != '\0' || !isfinite(t) || t < 0 || t > T_MAX)
		return fail(ps, "\"t\" is out of range (0 to %.0f seconds)",
		            T_MAX);
	/* The value it has once written with 9 decimals (T_MAX has no
	 * fraction to round up): a trace written again reads back the
	 * same. */
	snprintf(buf, sizeof buf, "%.9f", t);
	t = strtod(buf, NULL);
	*out = t;
	return 0;
}

/* Names of calls ([a-z0-9_]), of errno values, signals and si_codes
 * ([A-Z0-9_+-]), at most 32 bytes; the other strings are free text. */
static int word_ok(const char *s, int upper)
{
	const char *p;

	if (*s == '\0' || strlen(s) > 32)
		return 0;
	for (p = s; *p != '\0'; p++) {
		char c = *p;

		if (!(is_digit(c) || c == '_' ||
		      (upper ? (c >= 'A' && c <= 'Z') || c == '+' || c == '-'
		             : (c >= 'a' && c <= 'z'))))
			return 0;
	}
	return 1;
}

static int one_field(struct parser *ps, struct tl_trace *tr, struct fields *f,
                     enum key k, const struct jval *v)
{
	const char *name = KEY_NAMES[k];

	switch (k) {
	case K_T:
		return seconds(ps, v, &f->t);
	case K_VERSION:
	case K_PID:
	case K_CHILD:
		return integer(ps, v, name, 1, INT_MAX, &f->num[k]);
	case K_PPID:
	case K_TID:
	case K_FROM:
	case K_FD:
		return integer(ps, v, name, 0, INT_MAX, &f->num[k]);
	case K_RET:
		return integer(ps, v, name, INT_MIN, INT_MAX, &f->num[k]);
	case K_CODE:
		return integer(ps, v, name, 0, 255, &f->num[k]);
	case K_CLOEXEC:
	case K_CORE:
		if (v->type != J_BOOL)
			return fail(ps, "\"%s\" must be true or false", name);
		f->truth[k] = v->truth;
		return 0;
	default:
		break;
	}
	/* The strings. */
	if (v->type != J_STR)
		return fail(ps, "\"%s\" must be a string", name);
	if (v->too_long)
		return fail(ps, "\"%s\" is longer than %d bytes", name,
		            TL_STR_MAX);
	if (((k == K_CALL || k == K_EV) && !word_ok(v->str, 0)) ||
	    ((k == K_ERR || k == K_SI_CODE) && !word_ok(v->str, 1)) ||
	    (k == K_SIG &&
	     (!word_ok(v->str, 1) || strncmp(v->str, "SIG", 3) != 0)))
		return fail(ps, "\"%s\" is not a name", name);
	f->str[k] = tl_intern(tr, v->str, v->len);
	if (f->str[k] == 0 && v->len > 0)
		return fail(ps, "out of memory");
	return 0;
}

/* The object on the line, into f. */
static int read_object(struct parser *ps, struct tl_trace *tr, struct fields *f)
{
	struct jval *v = malloc(sizeof *v);
	char key[TL_STR_MAX + 1];
	int rc = -1, first = 1;

	if (v == NULL)
		return fail(ps, "out of memory");
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '{') {
		fail(ps, "not a JSON object");
		goto out;
	}
	ps->p++;
	for (;;) {
		enum key k;

		skip_ws(ps);
		if (first && ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		if (ps->p >= ps->end || *ps->p != '"') {
			fail(ps, ps->p >= ps->end ? "the object is cut short"
			                          : "a key must be a string");
			goto out;
		}
		if (read_string(ps, v) == -1)
			goto out;
		k = v->too_long ? K_UNKNOWN : key_of(v->str);
		memcpy(key, v->str, v->len + 1);
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			fail(ps, "a ':' is missing after a key");
			goto out;
		}
		ps->p++;
		if (read_value(ps, v) == -1)
			goto out;
		if (k != K_UNKNOWN) {
			if (f->seen & (1u << k)) {
				fail(ps, "\"%s\" given twice", key);
				goto out;
			}
			f->seen |= 1u << k;
			if (one_field(ps, tr, f, k, v) == -1)
				goto out;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			first = 0;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		fail(ps, ps->p >= ps->end ? "the object is cut short"
		                          : "a ',' or '}' is missing");
		goto out;
	}
	skip_ws(ps);
	if (ps->p != ps->end) {
		fail(ps, "text after the object");
		goto out;
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* --------------------------------------------------------- the reader */

/* What the reader remembers of each process: its last time and line. */
struct last {
	struct tl_pidmap map;
	double *t;
	unsigned *line;
	size_t n, cap;
};

int tl_reader_start(struct tl_reader *r, struct tl_trace *tr)
{
	struct last *l = calloc(1, sizeof *l);

	if (l == NULL)
		return -1;
	tl_pidmap_init(&l->map);
	r->tr = tr;
	r->line = 0;
	r->header_seen = 0;
	r->last = l;
	return 0;
}

void tl_reader_free(struct tl_reader *r)
{
	struct last *l = r->last;

	if (l != NULL) {
		tl_pidmap_free(&l->map);
		free(l->t);
		free(l->line);
		free(l);
	}
	r->last = NULL;
}

/* Within one process, time never goes back. */
static int in_order(struct parser *ps, struct last *l, int pid, double t)
{
	size_t i;

	if (tl_pidmap_get(&l->map, pid, &i)) {
		if (t < l->t[i])
			return fail(ps,
			            "time goes back for pid %d (%.9g after "
			            "%.9g on line %u)",
			            pid, t, l->t[i], l->line[i]);
		l->t[i] = t;
		l->line[i] = ps->line;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 64 : l->cap * 2;
		double *nt = realloc(l->t, cap * sizeof *nt);
		unsigned *nl;

		if (nt == NULL)
			return fail(ps, "out of memory");
		l->t = nt;
		nl = realloc(l->line, cap * sizeof *nl);
		if (nl == NULL)
			return fail(ps, "out of memory");
		l->line = nl;
		l->cap = cap;
	}
	if (tl_pidmap_put(&l->map, pid, l->n) == -1)
		return fail(ps, "out of memory");
	l->t[l->n] = t;
	l->line[l->n] = ps->line;
	l->n++;
	return 0;
}

static int header(struct parser *ps, struct tl_trace *tr,
                  const struct fields *f)
{
	if (!(f->seen & (1u << K_VERSION)))
		return fail(ps, "not a socklab trace (the first line has no "
		                "\"socklab_trace\" key)");
	if (f->num[K_VERSION] > TL_TRACE_VERSION)
		return fail(ps,
		            "trace format version %lld: this show-timeline "
		            "reads version %d",
		            f->num[K_VERSION], TL_TRACE_VERSION);
	tr->version = (int)f->num[K_VERSION];
	tr->clock = f->str[K_CLOCK];
	tr->source = f->str[K_SOURCE];
	tr->cmd = f->str[K_CMD];
	return 0;
}

static const struct {
	const char *name;
	int kind;
	enum key required; /* besides t, pid and ev; K_COUNT: none */
} EVENTS[] = {
	{ "call", TL_CALL, K_CALL },  { "fork", TL_FORK, K_CHILD },
	{ "exit", TL_EXIT, K_COUNT }, { "signal", TL_SIGNAL, K_SIG },
	{ "reap", TL_REAP, K_CHILD },
};

static int event(struct parser *ps, struct tl_reader *r, const struct fields *f)
{
	struct tl_trace *tr = r->tr;
	const char *ev = tl_str(tr, f->str[K_EV]);
	struct tl_event e;
	size_t i;

	if (f->seen & (1u << K_VERSION))
		return fail(ps, "a second header (two traces in one file?)");
	if (!(f->seen & (1u << K_T)) || !(f->seen & (1u << K_PID)) ||
	    !(f->seen & (1u << K_EV)))
		return fail(ps, "an event needs \"t\", \"pid\" and \"ev\"");
	memset(&e, 0, sizeof e);
	e.kind = TL_OTHER;
	e.why = f->str[K_EV];
	for (i = 0; i < sizeof EVENTS / sizeof EVENTS[0]; i++) {
		if (strcmp(ev, EVENTS[i].name) != 0)
			continue;
		e.kind = (unsigned char)EVENTS[i].kind;
		e.why = 0;
		if (EVENTS[i].required != K_COUNT &&
		    !(f->seen & (1u << EVENTS[i].required)))
			return fail(ps, "a \"%s\" event needs \"%s\"", ev,
			            KEY_NAMES[EVENTS[i].required]);
	}
	if (e.kind == TL_CALL && !(f->seen & (1u << K_RET)))
		return fail(ps, "a \"call\" event needs \"ret\"");
	if ((e.kind == TL_FORK || e.kind == TL_REAP) &&
	    f->num[K_CHILD] == f->num[K_PID])
		return fail(ps, "pid %lld cannot be its own child",
		            f->num[K_PID]);
	e.t = f->t;
	e.line = ps->line;
	e.pid = (int)f->num[K_PID];
	e.ppid = (f->seen & (1u << K_PPID)) ? (int)f->num[K_PPID] : 0;
	e.tid = (f->seen & (1u << K_TID)) ? (int)f->num[K_TID] : 0;
	e.fd = (f->seen & (1u << K_FD)) ? (int)f->num[K_FD] : -1;
	e.ret = (int)f->num[K_RET];
	e.child = (int)(e.kind == TL_SIGNAL ? f->num[K_FROM] : f->num[K_CHILD]);
	if (f->seen & (1u << K_CODE)) {
		e.code = (unsigned char)f->num[K_CODE];
		e.flags |= TL_F_CODE;
	}
	if (f->truth[K_CLOEXEC])
		e.flags |= TL_F_CLOEXEC;
	if (f->truth[K_CORE])
		e.flags |= TL_F_CORE;
	e.call = f->str[K_CALL];
	e.err = f->str[K_ERR];
	e.sig = f->str[K_SIG];
	if (e.kind == TL_SIGNAL)
		e.why = f->str[K_SI_CODE];
	e.local = f->str[K_LOCAL];
	e.peer = f->str[K_PEER];
	e.name = f->str[K_NAME];
	if (in_order(ps, r->last, e.pid, e.t) == -1)
		return -1;
	if (tl_trace_add(tr, &e) == -1)
		return fail(ps,
		            errno == EFBIG ? "more than %d events: too "
		                             "many to draw"
		                           : "out of memory (%d events)",
		            TL_EVENTS_MAX);
	return 0;
}

int tl_reader_line(struct tl_reader *r, const char *line, size_t len, char *err,
                   size_t errlen)
{
	struct parser ps;
	struct fields *f;
	int rc;

	parser_init(&ps, line, len, err, errlen, ++r->line);
	if (len > TL_LINE_MAX)
		return fail(&ps, "longer than %d bytes", TL_LINE_MAX);
	if (len == 0 || (len == 1 && line[0] == '\r'))
		return fail(&ps, "an empty line");
	f = calloc(1, sizeof *f);
	if (f == NULL)
		return fail(&ps, "out of memory");
	rc = read_object(&ps, r->tr, f);
	if (rc == 0 && !r->header_seen) {
		rc = header(&ps, r->tr, f);
		r->header_seen = rc == 0;
	} else if (rc == 0) {
		rc = event(&ps, r, f);
	}
	free(f);
	return rc;
}

int tl_reader_end(struct tl_reader *r, int ended_with_newline, char *err,
                  size_t errlen)
{
	struct parser ps;

	parser_init(&ps, NULL, 0, err, errlen, r->line);
	if (r->line == 0) {
		snprintf(err, errlen, "empty: not a trace");
		return -1;
	}
	if (!ended_with_newline)
		return fail(&ps, "cut short: the last line has no newline "
		                 "(was the trace still being written?)");
	if (r->tr->n == 0) {
		snprintf(err, errlen,
		         "no events after the header: nothing "
		         "to draw");
		return -1;
	}
	tl_trace_sort(r->tr);
	return 0;
}

int tl_read_lines(FILE *f, size_t max, int skip_long,
                  int (*fn)(void *ctx, const char *line, size_t len, char *err,
                            size_t errlen),
                  void *ctx, int *ended_nl, char *err, size_t errlen)
{
	size_t cap = max + 65536, have = 0, lines = 0;
	char *buf = malloc(cap);
	int skipping = 0, rc = -1;

	*ended_nl = 1;
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		size_t got = fread(buf + have, 1, cap - have, f), done = 0;
		char *nl;

		if (got == 0 && ferror(f)) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto out;
		}
		have += got;
		while ((nl = memchr(buf + done, '\n', have - done)) != NULL) {
			size_t len = (size_t)(nl - (buf + done));

			lines++;
			if (skipping) {
				skipping = 0;
			} else if (len > max && !skip_long) {
				snprintf(err, errlen,
				         "line %zu: longer than %zu bytes",
				         lines, max);
				goto out;
			} else if (fn(ctx, len > max ? NULL : buf + done,
			              len > max ? 0 : len, err, errlen) == -1) {
				goto out;
			}
			done += len + 1;
		}
		have -= done;
		memmove(buf, buf + done, have);
		if (have > max) { /* a line longer than max, still going */
			if (!skip_long) {
				snprintf(err, errlen,
				         "line %zu: longer than %zu bytes",
				         lines + 1, max);
				goto out;
			}
			if (!skipping && fn(ctx, NULL, 0, err, errlen) == -1)
				goto out;
			skipping = 1;
			have = 0;
		}
		if (got == 0)
			break;
	}
	*ended_nl = have == 0 && !skipping;
	rc = 0;
out:
	free(buf);
	return rc;
}

static int trace_line(void *ctx, const char *line, size_t len, char *err,
                      size_t errlen)
{
	return tl_reader_line(ctx, line, len, err, errlen);
}

int tl_trace_read(FILE *f, struct tl_trace *tr, char *err, size_t errlen)
{
	struct tl_reader r;
	int rc = -1, nl;

	if (tl_reader_start(&r, tr) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (tl_read_lines(f, TL_LINE_MAX, 0, trace_line, &r, &nl, err,
	                  errlen) == 0) {
		if (!nl)
			r.line++; /* the line cut short */
		rc = tl_reader_end(&r, nl, err, errlen);
	}
	tl_reader_free(&r);
	return rc;
}

/* --------------------------------------------------------- the writer */

/* A time with up to 9 decimals, without trailing zeros: "12.0001". */
static void put_time(FILE *f, double t)
{
	char b[64];
	size_t n = (size_t)snprintf(b, sizeof b, "%.9f", t);

	while (n > 2 && b[n - 1] == '0' && b[n - 2] != '.')
		n--;
	b[n] = '\0';
	fputs(b, f);
}

static void put_str(FILE *f, const struct tl_trace *tr, const char *key,
                    unsigned id)
{
	if (id == 0)
		return;
	fprintf(f, ",\"%s\":", key);
	json_string(f, tl_str(tr, id));
}

static void put_status(FILE *f, const struct tl_trace *tr,
                       const struct tl_event *e)
{
	if (e->flags & TL_F_CODE)
		fprintf(f, ",\"code\":%d", e->code);
	put_str(f, tr, "sig", e->sig);
	if (e->flags & TL_F_CORE)
		fputs(",\"core\":true", f);
}

static void write_event(FILE *f, const struct tl_trace *tr,
                        const struct tl_event *e)
{
	fputs("{\"t\":", f);
	put_time(f, e->t);
	fprintf(f, ",\"pid\":%d", e->pid);
	if (e->ppid > 0)
		fprintf(f, ",\"ppid\":%d", e->ppid);
	if (e->tid > 0)
		fprintf(f, ",\"tid\":%d", e->tid);
	fputs(",\"ev\":", f);
	json_string(f, e->kind == TL_OTHER ? tl_str(tr, e->why)
	                                   : tl_kind_name(e->kind));
	switch (e->kind) {
	case TL_CALL:
		put_str(f, tr, "call", e->call);
		if (e->fd >= 0)
			fprintf(f, ",\"fd\":%d", e->fd);
		fprintf(f, ",\"ret\":%d", e->ret);
		put_str(f, tr, "err", e->err);
		put_str(f, tr, "local", e->local);
		put_str(f, tr, "peer", e->peer);
		if (e->flags & TL_F_CLOEXEC)
			fputs(",\"cloexec\":true", f);
		break;
	case TL_FORK:
		fprintf(f, ",\"child\":%d", e->child);
		put_str(f, tr, "call", e->call);
		break;
	case TL_REAP:
		fprintf(f, ",\"child\":%d", e->child);
		put_str(f, tr, "call", e->call);
		put_status(f, tr, e);
		break;
	case TL_EXIT:
		put_status(f, tr, e);
		break;
	case TL_SIGNAL:
		put_str(f, tr, "sig", e->sig);
		if (e->child > 0)
			fprintf(f, ",\"from\":%d", e->child);
		put_str(f, tr, "si_code", e->why);
		break;
	default:
		break;
	}
	put_str(f, tr, "name", e->name);
	fputs("}\n", f);
}

int tl_trace_write(FILE *f, const struct tl_trace *tr)
{
	size_t i;

	fprintf(f, "{\"socklab_trace\":%d", TL_TRACE_VERSION);
	put_str(f, tr, "clock", tr->clock);
	put_str(f, tr, "source", tr->source);
	put_str(f, tr, "cmd", tr->cmd);
	fputs("}\n", f);
	for (i = 0; i < tr->n; i++)
		write_event(f, tr, &tr->ev[i]);
	if (fflush(f) == EOF || ferror(f))
		return -1;
	return 0;
}
