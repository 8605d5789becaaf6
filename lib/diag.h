/*
 * diag: asking the Linux kernel for its TCP sockets over netlink, the way
 * ss(8) does (NETLINK_SOCK_DIAG, the "inet_diag" interface; see sock_diag(7)).
 *
 * /proc/net/tcp is a text table that the kernel prints, one line per TCP
 * socket of the namespace, TIME-WAIT leftovers included, every time it is
 * read; the reader then parses all of it back. sock_diag answers the same
 * question in binary records (struct inet_diag_msg) and filters by state in
 * the kernel: the thousands of TIME-WAIT sockets a load test leaves behind
 * are skipped without being formatted, copied or parsed.
 *
 * A netlink socket sees the network namespace of the process that opened it
 * (ours), whereas /proc/PID/net/tcp is the namespace of PID: callers check
 * tcptab_same_netns() first (lib/tcptab does, in tcptab_join()).
 *
 * Two questions: a dump of every socket in some states (diag_tcp_scan()),
 * and an exact lookup of one socket by its four addresses
 * (diag_tcp_find()), which the kernel answers from its hash table of
 * connections without walking any list.
 *
 * Both return 0 (diag_tcp_find(): 1 or 0), or -1 with a message in err and
 * errno set: EAFNOSUPPORT, EPROTONOSUPPORT, EACCES... where there is no
 * sock_diag (not Linux, a kernel built without it, a sandbox that forbids
 * netlink). They never print, never exit, and close what they opened.
 */
#ifndef SOCKLAB_DIAG_H
#define SOCKLAB_DIAG_H

#include <stddef.h>

#include <sys/socket.h>

#include "tcpinfo.h" /* the state numbers, struct tcptab_entry */

/* A set of TCP states, numbered as in /proc/net/tcp (1 ESTABLISHED .. 11
 * CLOSING, tcpinfo.h): bit 1 << state. */
#define DIAG_TCP_STATE(s) (1u << (s))
/* LISTEN (10): asked for alone, the kernel reads only its small table of
 * listening sockets, not the big one of connections and TIME-WAIT. */
#define DIAG_TCP_LISTEN DIAG_TCP_STATE(TCPINFO_LISTEN)
/* Every state a socket with a descriptor (an inode) can be in: all but
 * TIME-WAIT, which the kernel keeps alone after the close. Asking for
 * SYN-RECV makes the kernel add its handshakes in flight (NEW-SYN-RECV,
 * inode 0); a Fast Open connection, accepted before its handshake ends, is
 * a SYN-RECV socket with an inode. */
#define DIAG_TCP_OWNED (0xFFEu & ~DIAG_TCP_STATE(TCPINFO_TIME_WAIT))

/* Calls fn(entry, arg) for every TCP socket of this process's network
 * namespace whose state is in states: IPv4 first, then IPv6 (as
 * tcptab_scan_proc() reads tcp, then tcp6). fn returns 0 to go on, 1 to stop. */
int diag_tcp_scan(unsigned states,
                  int (*fn)(const struct tcptab_entry *, void *), void *arg,
                  char *err, size_t errlen);

/* The socket whose own address is local and whose peer is remote (both
 * AF_INET, or both AF_INET6; see tcptab_find(), which falls back on
 * /proc): 1 found (*out), 0 no such socket, -1 error (err). Asked for a
 * connection that does not exist, the kernel answers with the listener
 * that would take it: that is no such socket too. */
int diag_tcp_find(const struct sockaddr *local, const struct sockaddr *remote,
                  struct tcptab_entry *out, char *err, size_t errlen);

/* The records of one netlink datagram (buf, len) that answer request seq:
 * fn is called for each socket. A pure parser: returns 1 when the answer is
 * complete (NLMSG_DONE, or a record that is not part of a dump: the answer
 * to an exact lookup) or fn asked to stop, 0 when more datagrams follow,
 * -1 on an error message or a malformed datagram (errno: the kernel's
 * error, or EBADMSG). Linux only (elsewhere -1, EAFNOSUPPORT); exposed for
 * the unit test and the fuzzer. */
int diag_parse_reply(const void *buf, size_t len, unsigned seq,
                     int (*fn)(const struct tcptab_entry *, void *), void *arg);

#endif
