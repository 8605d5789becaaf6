/*
 * net: the socket plumbing that is not the lesson: name resolution, a
 * connect() with a deadline, sending a whole buffer, timeouts, and
 * ready-made listen/connect for the tools whose lesson is elsewhere.
 *
 * Functions return a descriptor or 0 on success and -1 on failure, with
 * "what failed: why" in err and errno that of the failed call (0 for
 * resolver errors). They never print and never exit, and they close
 * whatever they opened before returning -1.
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
 * with freeaddrinfo(). Resolver errors go through gai_strerror(). A host
 * in brackets, "[::1]", is taken without them. */
int net_resolve(const char *host, unsigned short port, int passive,
                struct addrinfo **res, char *err, size_t errlen);

/* A connect() that gives up after timeout_s seconds (0: wait as long as
 * the kernel does), in two steps around the caller's own connect() (the
 * lesson of a client):
 *
 *     if (net_connect_prepare(fd, timeout_s, err, errlen) == 0 &&
 *         net_connect_finish(fd, sa, salen, connect(fd, sa, salen),
 *                            timeout_s, err, errlen) == 0)
 *             ... connected
 *
 * prepare makes fd non-blocking when there is a timeout; finish takes
 * connect()'s return value (and its errno), waits for the handshake
 * within the timeout (errno ETIMEDOUT when it passes), and makes fd
 * blocking again. err: "connect to ADDR: why". */
int net_connect_prepare(int fd, double timeout_s, char *err, size_t errlen);
int net_connect_finish(int fd, const struct sockaddr *sa, socklen_t salen,
                       int rc, double timeout_s, char *err, size_t errlen);

/* The two steps and connect() in one call, for the tools whose lesson is
 * elsewhere. fd stays blocking. */
int net_connect_within(int fd, const struct sockaddr *sa, socklen_t salen,
                       double timeout_s, char *err, size_t errlen);

/* send() until all len bytes are sent (a send() may take fewer), with
 * MSG_NOSIGNAL; an interrupted send() is called again. */
int net_send_all(int fd, const void *buf, size_t len, char *err, size_t errlen);

/* SO_RCVTIMEO and SO_SNDTIMEO on fd; 0 disables them. */
int net_set_timeouts(int fd, double timeout_s, char *err, size_t errlen);

/* socket + SO_REUSEADDR + bind + listen on the first address that works. */
int net_listen(const char *host, unsigned short port, int backlog, char *err,
               size_t errlen);

/* socket + connect (within timeout_s) to each address of res in turn,
 * until one answers, as every real client does ("localhost" may be ::1
 * first, and the server on 127.0.0.1 only): for a client that connects
 * many times to one host (net_resolve() once). err names the last
 * failure; errno is its. */
int net_connect_list(const struct addrinfo *res, double timeout_s, char *err,
                     size_t errlen);

#endif
