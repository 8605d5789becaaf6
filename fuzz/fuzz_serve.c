/*
 * fuzz_serve: the server's request reader (tools/server.c: server_serve(),
 * with its static looks_like_http() and headers_complete()) on arbitrary
 * requests, through a real socket: the input is written into one end of a
 * socketpair, the write side is shut down, and server_serve() reads the
 * other end, prints the request (escaped) and replies.
 *
 * The first byte picks the options: --max-request 16..(16 + 4 * 63), or
 * the default 8192; --quiet; --content-length. Invariants: no sanitizer
 * report, and a reply that starts with "HTTP/1.1 " whenever the server says
 * it answered (or it answered 408/431).
 */
#include "fuzz.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_opts o;
	char reply[1024];
	int sv[2], rc;
	ssize_t n;

	if (size < 1 || size > 65536)
		return 0;
	server_opts_init(&o, "fuzz_serve");
	if (data[0] & 0x3f)
		o.max_request = 16 + 4 * (long)(data[0] & 0x3f);
	o.quiet = (data[0] & 0x40) != 0;
	o.content_length = (data[0] & 0x80) != 0;
	o.timeout = 1; /* never reached: the write side is shut down */

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	/* The whole request fits the socket buffer (up to 64 KiB here). */
	if (size > 1 && write(sv[0], data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	shutdown(sv[0], SHUT_WR);

	rc = server_serve(&o, sv[1]);
	close(sv[1]);

	n = read(sv[0], reply, sizeof reply - 1);
	FUZZ_CHECK(n >= 0);
	reply[n] = '\0';
	if (rc == 0)
		FUZZ_CHECK(strncmp(reply, "HTTP/1.1 200 OK\r\n", 17) == 0);
	else
		FUZZ_CHECK(n == 0 || strncmp(reply, "HTTP/1.1 4", 10) == 0);
	close(sv[0]);
	return 0;
}
