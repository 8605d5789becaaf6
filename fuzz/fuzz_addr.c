/*
 * fuzz_addr: lib/addr.c's host:port parser on arbitrary strings, and its
 * formatter on arbitrary socket addresses.
 *
 * The first byte picks the host and error buffer sizes (to hit "too long"
 * and truncation); the rest is the string, and also the bytes of a
 * sockaddr_in / sockaddr_in6 for addr_format(). Invariants: a parsed host is
 * non-empty, NUL-terminated, shorter than its buffer and a piece of the
 * input; a formatted address fits its buffer.
 */
#include "fuzz.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"

static void fuzz_format(const uint8_t *data, size_t size, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char *buf = malloc(buflen);

	if (buf == NULL)
		abort();
	memset(&ss, 0, sizeof ss);
	memcpy(&ss, data, size < sizeof ss ? size : sizeof ss);
	/* Half the inputs as IPv4, half as IPv6, whatever else they say. */
	if (size > 0 && (data[0] & 1)) {
		ss.ss_family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	} else {
		ss.ss_family = AF_INET;
		len = sizeof(struct sockaddr_in);
	}
	if (addr_format((struct sockaddr *)&ss, len, buf, buflen) == 0) {
		FUZZ_CHECK(strnlen(buf, buflen) < buflen);
		FUZZ_CHECK(strchr(buf, ':') != NULL);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t hostlen, errlen;
	char *s, *host, *err;
	int has_port = -1;
	unsigned short port = 0;

	if (size < 1)
		return 0;
	hostlen = (data[0] & 0x80) ? (size_t)(data[0] & 15) + 1 : 256;
	errlen = (size_t)((data[0] >> 4) & 7) * 16 + 1;
	s = fuzz_cstring(data + 1, size - 1);
	host = malloc(hostlen);
	err = malloc(errlen);
	if (host == NULL || err == NULL)
		abort();
	memset(err, 'x', errlen);

	if (addr_parse(s, host, hostlen, &has_port, &port, err, errlen) == 0) {
		FUZZ_CHECK(strnlen(host, hostlen) < hostlen);
		FUZZ_CHECK(host[0] != '\0');
		FUZZ_CHECK(strstr(s, host) != NULL);
		FUZZ_CHECK(has_port == 0 || has_port == 1);
		FUZZ_CHECK(!has_port || strchr(s, ':') != NULL);
	} else {
		FUZZ_CHECK(fuzz_terminated(err, errlen));
	}

	fuzz_format(data + 1, size - 1, hostlen + errlen);
	free(err);
	free(host);
	free(s);
	return 0;
}
