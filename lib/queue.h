/*
 * queue: what the kernel says about a listening socket's accept queue (the
 * connections that finished their handshake and wait for accept()) and about
 * a socket's TCP state.
 *
 * On Linux, getsockopt(TCP_INFO) on a listening socket reports the queue:
 * tcpi_unacked = connections waiting now, tcpi_sacked = the effective
 * backlog (what listen() asked for, capped at net.core.somaxconn); ss -ltn
 * shows the same two numbers as Recv-Q and Send-Q. Other systems do not
 * report them there (macOS: netstat -Lan): the functions then fail with
 * errno ENOTSUP.
 *
 * Functions return 0 on success, -1 on failure with errno set. They never
 * print and never exit.
 */
#ifndef SOCKLAB_QUEUE_H
#define SOCKLAB_QUEUE_H

/* The accept queue of the listening socket fd: connections waiting for
 * accept() now, and the effective backlog. */
int queue_read(int fd, unsigned *waiting, unsigned *backlog);

/* net.core.somaxconn, the kernel's cap on listen()'s backlog (read from
 * /proc/sys/net/core/somaxconn). */
int queue_somaxconn(long *out);

/* The TCP state of fd as ss names it, e.g. "ESTABLISHED", "SYN-SENT"
 * ("UNKNOWN" for a state this code does not know). */
int queue_tcp_state(int fd, const char **name);

#endif
