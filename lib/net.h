/*
 * net: the socket plumbing that is not the lesson: name resolution, a
 * connect() with a deadline, timeouts, and ready-made listen/connect for the
 * tools whose lesson is elsewhere.
 *
 * Functions return a descriptor or 0 on success and -1 on failure. Those that
 * take err/errlen write "what failed: why" there; errno stays that of the
 * failed call (0 for resolver errors). They never print and never exit, and
 * they close whatever they opened before returning -1.
 */
#ifndef SOCKLAB_NET_H
#define SOCKLAB_NET_H

#include <stddef.h>
#include <sys/socket.h>

struct addrinfo;

/* Linux's send() flag that turns SIGPIPE into EPIPE; elsewhere (macOS) the
 * tools ignore SIGPIPE instead. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* getaddrinfo() for a TCP host and port; passive for bind(). Free the list
 * with freeaddrinfo(). Resolver errors go through gai_strerror(). */
int net_resolve(const char *host, unsigned short port, int passive,
                struct addrinfo **res, char *err, size_t errlen);

/* connect() that gives up after timeout_s seconds (0: wait as long as the
 * kernel does). On timeout it fails with errno ETIMEDOUT. fd stays blocking. */
int net_connect_within(int fd, const struct sockaddr *sa, socklen_t salen,
                       double timeout_s);

/* SO_RCVTIMEO and SO_SNDTIMEO on fd; 0 disables them. */
int net_set_timeouts(int fd, double timeout_s);

/* socket + SO_REUSEADDR + bind + listen on the first address that works. */
int net_listen(const char *host, unsigned short port, int backlog, char *err,
               size_t errlen);

/* socket + connect (within timeout_s) to the first address that answers. */
int net_connect(const char *host, unsigned short port, double timeout_s,
                char *err, size_t errlen);

#endif
