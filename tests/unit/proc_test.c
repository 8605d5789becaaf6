/*
 * proc_test: the /proc parsers of lib/proc.c on lines written by hand,
 * including command names a process may choose to fool a naive parser.
 * Run by tests/proc-unit.bats (make build/unit/proc_test). Prints one line
 * per failed check and exits 1 if any failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "json.h"
#include "proc.h"

static int failed;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed++;                                          \
		}                                                          \
	} while (0)

static void stat_ok(const char *line, long pid, const char *comm, char state,
                    long ppid)
{
	struct proc_stat s;
	char err[128];

	memset(&s, 0, sizeof s);
	CHECK(proc_parse_stat(line, &s, err, sizeof err) == 0);
	CHECK(s.pid == pid);
	CHECK(strcmp(s.comm, comm) == 0);
	CHECK(s.state == state);
	CHECK(s.ppid == ppid);
}

static void stat_bad(const char *line)
{
	struct proc_stat s;
	char err[128];

	errno = 0;
	CHECK(proc_parse_stat(line, &s, err, sizeof err) == -1);
	CHECK(errno == EINVAL);
}

static void tcp_ok(const char *line, int v6, const char *local,
                   const char *remote, int state, unsigned long inode)
{
	struct proc_tcp t;
	char l[ADDR_STRLEN], r[ADDR_STRLEN];

	CHECK(proc_parse_tcp_line(line, v6, &t) == 0);
	CHECK(addr_format((struct sockaddr *)&t.local, t.len, l, sizeof l) == 0);
	CHECK(addr_format((struct sockaddr *)&t.remote, t.len, r, sizeof r) == 0);
	if (strcmp(l, local) != 0 || strcmp(r, remote) != 0)
		printf("  got {%s, %s}, want {%s, %s}\n", l, r, local, remote);
	CHECK(strcmp(l, local) == 0);
	CHECK(strcmp(r, remote) == 0);
	CHECK(t.state == state);
	CHECK(t.inode == inode);
}

int main(void)
{
	struct proc_tcp t;
	struct stat st;
	char buf[64];
	/* 127.0.0.1 as the kernel prints it on this machine: the bytes of the
	 * network-order word, read as a host-order number. */
	unsigned char lo4[4] = { 127, 0, 0, 1 };
	unsigned int word;
	char line[256];

	/* stat lines: ordinary, and command names with spaces and ')' */
	stat_ok("1234 (srv-iter) S 1200 1234 1200 34816 0", 1234, "srv-iter", 'S', 1200);
	stat_ok("1 (systemd) S 0 1 1 0 -1", 1, "systemd", 'S', 0);
	stat_ok("77 (x y) R 5 77", 77, "x y", 'R', 5);
	stat_ok("78 (a) (b) Z 6 78", 78, "a) (b", 'Z', 6);
	stat_ok("79 ((sd-pam)) S 7 79\n", 79, "(sd-pam)", 'S', 7);
	stat_ok("80 (x) R 1 (y) S 9 80", 80, "x) R 1 (y", 'S', 9);
	stat_ok("81 () S 2 0", 81, "", 'S', 2);
	stat_ok("82 (tab\there) D 3", 82, "tab\there", 'D', 3);
	stat_bad("");
	stat_bad("garbage");
	stat_bad("12 srv-iter S 1");
	stat_bad("12 (srv-iter S 1");
	stat_bad("12 (srv-iter)");
	stat_bad("12 (srv-iter) S");
	stat_bad("12 (srv-iter) S x");
	stat_bad("12 (srv-iter)S 1");
	stat_bad("x (a) S 1");
	stat_bad("(a) S 1");
	stat_bad(") 1 (");
	stat_bad("99999999999999999999999 (a) S 1");
	{
		/* A name longer than the buffer is truncated, not overflowed. */
		char longline[600];
		struct proc_stat s;
		char err[64];

		memset(longline, 0, sizeof longline);
		strcpy(longline, "5 (");
		memset(longline + 3, 'n', 400);
		strcat(longline, ") S 1");
		CHECK(proc_parse_stat(longline, &s, err, sizeof err) == 0);
		CHECK(strlen(s.comm) == PROC_COMM_MAX - 1);
		CHECK(s.ppid == 1);
	}

	/* /proc/net/tcp lines */
	memcpy(&word, lo4, 4);
	snprintf(line, sizeof line,
	         "   1: %08X:22B8 00000000:0000 0A 00000000:00000000 00:00000000 "
	         "00000000     0        0 811164 1 0000000000000000 100 0 0 10 0",
	         word);
	tcp_ok(line, 0, "127.0.0.1:8888", "0.0.0.0:0", 10, 811164);
	snprintf(line, sizeof line,
	         "  12: %08X:22B8 %08X:C000 01 00000000:00000000 00:00000000 "
	         "00000000  1000        0 42 1 0000000000000000 20 4 30 10 -1",
	         word, word);
	tcp_ok(line, 0, "127.0.0.1:8888", "127.0.0.1:49152", 1, 42);
	/* ::1 is three zero words and a fourth whose last byte is 1. */
	{
		unsigned char one[4] = { 0, 0, 0, 1 };
		unsigned int w1;

		memcpy(&w1, one, 4);
		snprintf(line, sizeof line,
		         "   0: 000000000000000000000000%08X:1F90 "
		         "00000000000000000000000000000000:0000 0A 00000000:00000000 "
		         "00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0",
		         w1);
		tcp_ok(line, 1, "[::1]:8080", "[::]:0", 10, 5555);
	}
	CHECK(proc_parse_tcp_line("  sl  local_address rem_address   st tx_queue "
	                          "rx_queue tr tm->when retrnsmt   uid  timeout inode",
	                          0, &t) == -1);
	CHECK(proc_parse_tcp_line("", 0, &t) == -1);
	CHECK(proc_parse_tcp_line("0: 0100007F:22B8", 0, &t) == -1);
	CHECK(proc_parse_tcp_line("   1: 0100007G:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1", 0, &t) == -1);
	CHECK(proc_parse_tcp_line("   1: 0100007F:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1x", 0, &t) == -1);
	/* a v4 line is not a v6 line */
	CHECK(proc_parse_tcp_line("   1: 0100007F:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1", 1, &t) == -1);
	CHECK(proc_parse_tcp_line("   1: 0100007F:22B8 00000000:0000 0A 0:0 0:0 0 0 0 1", 0, &t) == 0);

	CHECK(strcmp(proc_tcp_state_name(1), "ESTABLISHED") == 0);
	CHECK(strcmp(proc_tcp_state_name(10), "LISTEN") == 0);
	CHECK(strcmp(proc_tcp_state_name(0), "UNKNOWN") == 0);
	CHECK(strcmp(proc_tcp_state_name(99), "UNKNOWN") == 0);
	CHECK(strcmp(proc_state_name('Z'), "zombie: exited, not yet waited for") == 0);

	CHECK(proc_target_inode("socket:[123]", "socket") == 123);
	CHECK(proc_target_inode("pipe:[7]", "pipe") == 7);
	CHECK(proc_target_inode("pipe:[7]", "socket") == 0);
	CHECK(proc_target_inode("socket:[12", "socket") == 0);
	CHECK(proc_target_inode("socket:[]", "socket") == 0);
	CHECK(proc_target_inode("/tmp/socket:[1]", "socket") == 0);

	memset(&st, 0, sizeof st);
	st.st_mode = S_IFSOCK;
	CHECK(strcmp(proc_fd_kind(&st, "socket:[1]"), "socket") == 0);
	st.st_mode = S_IFIFO;
	CHECK(strcmp(proc_fd_kind(&st, "pipe:[1]"), "pipe") == 0);
	st.st_mode = S_IFREG;
	CHECK(strcmp(proc_fd_kind(&st, "/etc/hosts"), "file") == 0);
	st.st_mode = S_IFCHR;
	CHECK(strcmp(proc_fd_kind(&st, "/dev/null"), "null") == 0);
	CHECK(strcmp(proc_fd_kind(&st, "/dev/pts/3"), "terminal") == 0);
	CHECK(strcmp(proc_fd_kind(NULL, "anon_inode:[eventfd]"), "anon inode") == 0);

	json_escape("a\"b\\c\n\x01\xff", buf, sizeof buf);
	CHECK(strcmp(buf, "a\\\"b\\\\c\\u000a\\u0001\\u00ff") == 0);
	CHECK(json_escape("abcdef", buf, 4) == 3);

	if (failed) {
		printf("%d checks failed\n", failed);
		return 1;
	}
	printf("proc_test: all checks passed\n");
	return 0;
}
