/*
 * lib_test: the pure functions of lib/ on inputs written by hand: the
 * terminal escaper (text), JSON strings (json), the request framing and
 * replies (http), the narration column (say), the wildcard address (addr),
 * number parsing (num), the option messages (cli), the waits (clock),
 * signal names (sig) and, on loopback, connecting to a list of addresses
 * (net). Run by tests/lib.bats (make build/unit/lib_test).
 * Prints one line per failed check and exits 1 if any failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "http.h"
#include "json.h"
#include "net.h"
#include "num.h"
#include "say.h"
#include "sig.h"
#include "tcpinfo.h"
#include "text.h"

static int failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed++;                                              \
		}                                                              \
	} while (0)

static int escaped_is(const char *in, size_t n, size_t outlen, const char *want)
{
	char out[256];
	size_t len = text_escape(in, n, out, outlen);

	if (strcmp(out, want) != 0 || len != strlen(want)) {
		printf("  text_escape gave '%s' (%zu), wanted '%s'\n", out, len,
		       want);
		return 0;
	}
	return 1;
}

static void text(void)
{
	/* One line, always: newline, tab, CR and controls are escaped. */
	CHECK(escaped_is("a\nb\tc\rd", 7, 256, "a\\nb\\tc\\rd"));
	CHECK(escaped_is("\033]0;x\007", 6, 256, "\\x1b]0;x\\x07"));
	CHECK(escaped_is("back\\slash", 10, 256, "back\\\\slash"));
	CHECK(escaped_is("nul\0!", 5, 256, "nul\\x00!"));
	/* Valid UTF-8 is kept: a learner's file names stay readable. */
	CHECK(escaped_is("h\xc3\xa9llo \xe4\xb8\xad", 10, 256,
	                 "h\xc3\xa9llo \xe4\xb8\xad"));
	/* Invalid UTF-8, overlong forms, surrogates, C1 controls: escaped. */
	CHECK(escaped_is("\xff\xc3", 2, 256, "\\xff\\xc3"));
	CHECK(escaped_is("\xc0\xaf", 2, 256, "\\xc0\\xaf"));
	CHECK(escaped_is("\xed\xa0\x80", 3, 256, "\\xed\\xa0\\x80"));
	CHECK(escaped_is("\xc2\x9b", 2, 256, "\\xc2\\x9b"));
	/* NEL, LINE and PARAGRAPH SEPARATOR: a line-splitting reader (Python's
	 * splitlines()) ends a line at each, so a peer's bytes would read as
	 * the tool's own lines: escaped. The characters next to them stay. */
	CHECK(escaped_is("a\xc2\x85"
	                 "b",
	                 4, 256, "a\\xc2\\x85b"));
	CHECK(escaped_is("a\xe2\x80\xa8"
	                 "b",
	                 5, 256, "a\\xe2\\x80\\xa8b"));
	CHECK(escaped_is("a\xe2\x80\xa9"
	                 "b",
	                 5, 256, "a\\xe2\\x80\\xa9b"));
	CHECK(escaped_is("\xe2\x80\xa7\xe2\x80\xaa", 6, 256,
	                 "\xe2\x80\xa7\xe2\x80\xaa"));
	CHECK(escaped_is("\x7f", 1, 256, "\\x7f"));
	/* Too small: cut between escapes, with "...". */
	CHECK(escaped_is("abcdefgh", 8, 8, "abcd..."));
	CHECK(escaped_is("\n\n\n\n", 4, 8, "\\n\\n..."));
	CHECK(escaped_is("abc", 3, 4, "abc"));
	CHECK(escaped_is("", 0, 1, ""));
}

static int json_is(const char *in, const char *want)
{
	char out[256];

	json_escape(in, out, sizeof out);
	if (strcmp(out, want) != 0) {
		printf("  json_escape gave '%s', wanted '%s'\n", out, want);
		return 0;
	}
	return 1;
}

static void json(void)
{
	CHECK(json_is("a\"b\\c", "a\\\"b\\\\c"));
	CHECK(json_is("\n\r\t\b\f\x01\x1f", "\\n\\r\\t\\b\\f\\u0001\\u001f"));
	/* Valid UTF-8 passes unchanged (not as Latin-1 code points). */
	CHECK(json_is("h\xc3\xa9llo", "h\xc3\xa9llo"));
	CHECK(json_is("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"));
	/* Invalid bytes: Python's surrogateescape, lossless. */
	CHECK(json_is("a\xffz", "a\\udcffz"));
	CHECK(json_is("\xc3(", "\\udcc3("));
	CHECK(json_is("\x7f", "\\u007f"));
	{
		char out[4];

		/* Whole escapes only when the buffer is short. */
		CHECK(json_escape("ab\"", out, sizeof out) == 2);
		CHECK(strcmp(out, "ab") == 0);
	}
}

static void http(void)
{
	const char *r;
	char buf[128];
	size_t len;
	int n;

	CHECK(http_framing("", 0, 100) == HTTP_MORE);
	CHECK(http_framing("GE", 2, 100) == HTTP_MORE);
	CHECK(http_framing("GET / HTTP/1.1\r\n", 16, 100) == HTTP_MORE);
	CHECK(http_framing("GET / HTTP/1.1\r\n\r\n", 18, 100) == HTTP_COMPLETE);
	CHECK(http_framing("GET /\n\n", 7, 100) == HTTP_COMPLETE);
	CHECK(http_framing("test", 4, 100) == HTTP_COMPLETE); /* the article */
	CHECK(http_framing("GET / HTTP/1.1\r\nX: y", 20, 20) == HTTP_TOO_LARGE);

	r = http_reply(200, 0, &len);
	CHECK(r != NULL && len == strlen(r));
	CHECK(r != NULL && strstr(r, "Content-Length") == NULL);
	CHECK(r != NULL && strcmp(r + len - 14, HTTP_HELLO) == 0);
	r = http_reply(200, 1, &len);
	CHECK(r != NULL && strstr(r, "Content-Length: 14\r\n") != NULL);
	CHECK(http_status(r, len) == 200);
	CHECK(http_reply(503, 0, &len) != NULL && len > 0);
	CHECK(http_reply(404, 0, &len) == NULL && len == 0);
	CHECK(http_status("HTTP/1.0 503 x", 14) == 503);
	CHECK(http_status("HTTP/2 200", 10) == -1);
	CHECK(http_status("test", 4) == -1);

	n = http_get(buf, sizeof buf, "/hello", "::1", 8888, "");
	CHECK(n > 0 && strcmp(buf, "GET /hello HTTP/1.1\r\nHost: [::1]:8888"
	                           "\r\n\r\n") == 0);
	n = http_get(buf, sizeof buf, "/", "localhost", 80, "X: y\r\n");
	CHECK(n > 0 && strcmp(buf, "GET / HTTP/1.1\r\nHost: localhost:80\r\n"
	                           "X: y\r\n\r\n") == 0);
	CHECK(http_get(buf, 8, "/a", "h", 1, "") >= 8); /* did not fit */
	CHECK(http_get(buf, sizeof buf, "a", "h", 1, "") == -1);
	CHECK(http_get(buf, sizeof buf, "/a b", "h", 1, "") == -1);
	CHECK(http_get(buf, sizeof buf, "/a\r\nX: 1", "h", 1, "") == -1);
}

static void say_lines(void)
{
	struct say s;
	struct say_line l;

	say_init(&s, 0);
	say_line_call(&l, &s, "wait()");
	say_line_str(&l, "pid ");
	say_line_num(&l, -42);
	CHECK(l.len == SAY_WIDTH + 4 + 7);
	CHECK(memcmp(l.buf, "wait()   ", 9) == 0);
	CHECK(memcmp(l.buf + SAY_WIDTH, " -> pid -42", 11) == 0);
	/* A tag takes its width from the call's: the arrow stays put. */
	say_tag(&s, "[child %d] ", 7);
	say_line_call(&l, &s, "close(4)");
	CHECK(memcmp(l.buf, "[child 7] close(4) ", 19) == 0);
	CHECK(memcmp(l.buf + SAY_WIDTH, " -> ", 4) == 0);
	/* Nothing overflows. */
	for (int i = 0; i < 100; i++)
		say_line_num(&l, 1234567890);
	CHECK(l.len < sizeof l.buf);
	/* A call longer than the line is cut with "...": the arrow and the
	 * result always show. */
	{
		char call[700], got[2048];
		int p[2], saved;
		ssize_t n;

		memset(call, 'c', sizeof call - 1);
		call[sizeof call - 1] = '\0';
		say_init(&s, 0);
		fflush(stdout);
		saved = dup(1);
		CHECK(pipe(p) == 0 && dup2(p[1], 1) == 1);
		say(&s, call, "result %d", 42);
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		close(p[1]);
		n = read(p[0], got, sizeof got - 1);
		close(p[0]);
		got[n > 0 ? n : 0] = '\0';
		CHECK(strstr(got, "ccc... -> result 42\n") != NULL);
	}
}

/* What f() printed on stdout, into buf. */
static const char *printed(void (*f)(void), char *buf, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	size_t n;

	buf[0] = '\0';
	if (tmp == NULL || saved == -1)
		return buf;
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	f();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void say_fds(void)
{
	struct say s;

	say_init(&s, 0);
	say_fd(&s, "recv", 4, NULL, "%d bytes", 79);
	say_tag(&s, "[child %d] ", 42);
	say_fd(&s, "send", 4, "\"HTTP/1.1 200 OK...\"", "%d bytes", 78);
	s.quiet = 1;
	say_fd(&s, "close", 4, NULL, "ok");
}

static void say_calls(void)
{
	char out[512];

	CHECK(strcmp(printed(say_fds, out, sizeof out),
	             "recv(4)                                      -> 79 bytes\n"
	             "[child 42] send(4, \"HTTP/1.1 200 OK...\")     -> 78 "
	             "bytes\n") == 0);
}

static void addrs(void)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	memset(&in4, 0, sizeof in4);
	in4.sin_family = AF_INET;
	CHECK(addr_is_any((struct sockaddr *)&in4));
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(!addr_is_any((struct sockaddr *)&in4));
	memset(&in6, 0, sizeof in6);
	in6.sin6_family = AF_INET6;
	CHECK(addr_is_any((struct sockaddr *)&in6));
	in6.sin6_addr = in6addr_loopback;
	CHECK(!addr_is_any((struct sockaddr *)&in6));
}

static void num(void)
{
	char err[256], big[300];
	long v;

	CHECK(num_parse_long("--json", 1, 100, "pid", &v, err, sizeof err) ==
	      -1);
	CHECK(strstr(err, "not a number") != NULL);
	CHECK(num_parse_long("-", 1, 100, "port", &v, err, sizeof err) == -1);
	CHECK(strstr(err, "not a number") != NULL);
	CHECK(num_parse_long("-5", 1, 100, "port", &v, err, sizeof err) == -1);
	CHECK(strstr(err, "must not be negative") != NULL);
	/* A huge value is quoted short, so that the reason still fits. */
	memset(big, '9', sizeof big - 1);
	big[0] = '-';
	big[sizeof big - 1] = '\0';
	CHECK(num_parse_long(big, -5, 100, "n", &v, err, sizeof err) == -1);
	CHECK(strstr(err, "...': too small") != NULL);
}

static void states(void)
{
	CHECK(strcmp(tcpinfo_state_name(1), "ESTABLISHED") == 0);
	CHECK(strcmp(tcpinfo_state_name(7), "CLOSE") == 0);
	CHECK(strcmp(tcpinfo_state_name(10), "LISTEN") == 0);
	CHECK(strcmp(tcpinfo_state_name(12), "NEW-SYN-RECV") == 0);
	CHECK(strcmp(tcpinfo_state_name(0), "UNKNOWN") == 0);
	CHECK(strcmp(tcpinfo_state_name(13), "UNKNOWN") == 0);
}

static volatile sig_atomic_t stopped;
static void on_alarm(int sig)
{
	(void)sig;
	stopped = 1;
}

static void clocks(void)
{
	double t0 = clock_now();
	int p[2];

	CHECK(clock_sleep(0.05, NULL, NULL) == 0);
	CHECK(clock_now() - t0 >= 0.05);
	CHECK(pipe(p) == 0);
	/* Nothing to read: the deadline passes. */
	CHECK(clock_wait_fd(p[0], 0x001 /* POLLIN */, clock_now() + 0.02,
	                    NULL) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(clock_wait_fd(p[0], 0x001, clock_now() + 1, NULL) == 1);
	close(p[0]);
	close(p[1]);
	/* A signal that arrived while blocked is delivered by the wait. */
	{
		struct sigaction sa;
		sigset_t block, old;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		sigprocmask(SIG_BLOCK, &block, &old);
		raise(SIGUSR1); /* pending: the "race window" */
		CHECK(!stopped);
		t0 = clock_now();
		CHECK(clock_sleep(5, &stopped, &old) == -1 && errno == EINTR);
		CHECK(stopped && clock_now() - t0 < 1);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	/* A descriptor ready at once and a signal pending: Linux's ppoll()
	 * returns without delivering it; the wait delivers it and says EINTR. */
	{
		sigset_t block, old;

		stopped = 0;
		CHECK(pipe(p) == 0 && write(p[1], "x", 1) == 1);
		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		sigprocmask(SIG_BLOCK, &block, &old);
		CHECK(clock_deliver_pending(&old) == 0); /* nothing pending */
		raise(SIGUSR1);
		CHECK(!stopped);
		errno = 0;
		CHECK(clock_wait_fd(p[0], POLLIN, clock_now() + 1, &old) ==
		              -1 &&
		      errno == EINTR);
		CHECK(stopped);
		/* Delivered once: the next wait finds the byte. */
		CHECK(clock_wait_fd(p[0], POLLIN, clock_now() + 1, &old) == 1);
		stopped = 0;
		raise(SIGUSR1);
		CHECK(clock_deliver_pending(&old) == 1 && stopped);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(p[0]);
		close(p[1]);
	}
	/* clock_wait_fds: several descriptors, the ready one marked; a
	 * negative fd is left out. */
	{
		struct pollfd fds[3];
		int q[2];

		CHECK(pipe(p) == 0 && pipe(q) == 0);
		memset(fds, 0, sizeof fds);
		fds[0].fd = p[0];
		fds[0].events = POLLIN;
		fds[1].fd = -1;
		fds[1].events = POLLIN;
		fds[2].fd = q[0];
		fds[2].events = POLLIN;
		CHECK(clock_wait_fds(fds, 3, clock_now() + 0.02, NULL) == 0);
		CHECK(write(q[1], "x", 1) == 1);
		CHECK(clock_wait_fds(fds, 3, clock_now() + 1, NULL) == 1);
		CHECK(fds[0].revents == 0 && fds[1].revents == 0 &&
		      (fds[2].revents & POLLIN));
		/* a deadline already passed: 0 at once, ready or not */
		CHECK(clock_wait_fds(fds, 3, clock_now() - 1, NULL) == 0);
		close(p[0]);
		close(p[1]);
		close(q[0]);
		close(q[1]);
	}
}

static void signames(void)
{
	CHECK(strcmp(sig_name(SIGINT), "SIGINT") == 0);
	CHECK(strcmp(sig_name(SIGTERM), "SIGTERM") == 0);
	CHECK(strcmp(sig_name(SIGHUP), "SIGHUP") == 0);
#ifdef SIGRTMIN
	CHECK(strcmp(sig_name(SIGRTMIN + 1), "a real-time signal") == 0);
#endif
	CHECK(strcmp(sig_name(0), "an unknown signal") == 0);
}

static void many_fds(void)
{
	struct pollfd p[3];
	int a[2], b[2];

	CHECK(pipe(a) == 0 && pipe(b) == 0);
	p[0] = (struct pollfd){ .fd = a[0], .events = POLLIN, .revents = 0 };
	p[1] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 0 };
	p[2] = (struct pollfd){ .fd = b[0], .events = POLLIN, .revents = 0 };
	CHECK(clock_wait_fds(p, 3, clock_now() + 0.02, NULL) == 0);
	CHECK(write(b[1], "x", 1) == 1);
	CHECK(clock_wait_fds(p, 3, clock_now() + 1, NULL) == 1);
	CHECK(p[0].revents == 0 && (p[2].revents & POLLIN));
	CHECK(write(a[1], "x", 1) == 1);
	CHECK(clock_wait_fds(p, 3, 0, NULL) == 2);
	/* A deadline already passed: nothing is waited for. */
	CHECK(clock_wait_fds(p, 3, clock_now() - 1, NULL) == 0);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* net_connect_list() on loopback: the first address that answers. */
static void connect_list(void)
{
	struct addrinfo *res;
	char err[256];
	int lfd, fd;
	unsigned short port;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	lfd = net_listen("127.0.0.1", 0, 4, err, sizeof err);
	CHECK(lfd != -1);
	if (lfd == -1)
		return;
	CHECK(getsockname(lfd, (struct sockaddr *)&ss, &len) == 0);
	port = addr_port((struct sockaddr *)&ss);
	CHECK(net_resolve("127.0.0.1", port, 0, &res, err, sizeof err) == 0);
	fd = net_connect_list(res, 1, err, sizeof err);
	CHECK(fd > 2);
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	close(lfd);
	/* A port bound but not listening (nobody else can take it): the
	 * connection is refused, and errno and the message say so. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&ss, 0, sizeof ss);
	((struct sockaddr_in *)&ss)->sin_family = AF_INET;
	((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof(struct sockaddr_in);
	CHECK(bind(lfd, (struct sockaddr *)&ss, len) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&ss, &len) == 0);
	port = addr_port((struct sockaddr *)&ss);
	CHECK(net_resolve("127.0.0.1", port, 0, &res, err, sizeof err) == 0);
	CHECK(net_connect_list(res, 1, err, sizeof err) == -1 &&
	      errno == ECONNREFUSED);
	CHECK(strstr(err, "connect to 127.0.0.1:") != NULL);
	freeaddrinfo(res);
	close(lfd);
	CHECK(net_connect_list(NULL, 1, err, sizeof err) == -1);
	CHECK(strstr(err, "no address") != NULL);
}

int main(void)
{
	text();
	json();
	http();
	say_lines();
	say_calls();
	addrs();
	num();
	states();
	clocks();
	many_fds();
	signames();
	connect_list();
	if (failed > 0) {
		printf("%d checks failed\n", failed);
		return 1;
	}
	printf("lib_test: all checks passed\n");
	return 0;
}
