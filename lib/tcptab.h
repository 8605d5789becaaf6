/*
 * tcptab: the kernel's table of TCP sockets, and finding sockets in it by
 * inode or by addresses.
 *
 *   /proc/PID/net/tcp, tcp6  one line per TCP socket of PID's network
 *                            namespace, with its inode and its queues:
 *                            tcptab_parse_line(), tcptab_scan_proc()
 *   /proc/PID/ns/net         its network namespace: tcptab_same_netns()
 *   sock_diag (lib/diag)     the same table, asked over netlink as ss(8)
 *                            does
 *
 * A descriptor of a process that is a socket reads "socket:[INODE]" in
 * /proc/PID/fd (lib/fds); tcptab_join() finds those inodes in the table:
 * their addresses and TCP state. States are numbered as the kernel numbers
 * them (lib/tcpinfo's TCPINFO_ESTABLISHED...), and named with
 * tcpinfo_state_name(). tcptab_find() finds one connection by its two
 * addresses: the far end of a connection we hold.
 *
 * The parser is pure (-1, errno EINVAL), and so is tcptab_is_conn() (1 or
 * 0). The readers return 0 (tcptab_find(): 1 or 0), or -1 with "what
 * failed: why" in err and errno set; they never print, never exit, and
 * close what they opened.
 */
#ifndef SOCKLAB_TCPTAB_H
#define SOCKLAB_TCPTAB_H

#include <stddef.h>
#include <sys/socket.h>

#include "tcpinfo.h" /* struct tcptab_entry, the state numbers */

/* Parses one line of /proc/net/tcp (v6 = 0) or tcp6 (v6 = 1); -1 (errno
 * EINVAL) for the header or a malformed line. */
int tcptab_parse_line(const char *line, int v6, struct tcptab_entry *out);

/* Whether t is the socket whose own address is local and whose peer is
 * remote (1) or not (0): same ports, same addresses, an IPv4 address
 * being the same as its IPv6 form ::ffff:a.b.c.d (the connections of a
 * listener on "::" that IPv4 clients made are IPv6 sockets). */
int tcptab_is_conn(const struct tcptab_entry *t, const struct sockaddr *local,
                   const struct sockaddr *remote);

/* Calls fn(entry, arg) for every socket in /proc/PID/net/tcp, then tcp6
 * (the network namespace of pid; 0 means this process). fn returns 0 to go
 * on, 1 to stop. A missing tcp6 (IPv6 disabled) is not an error. */
int tcptab_scan_proc(long pid, int (*fn)(const struct tcptab_entry *, void *),
                     void *arg, char *err, size_t errlen);

/* Whether pid lives in this process's network namespace (pid 0: this
 * process): 1 yes, 0 no, -1 when it cannot be told (no /proc/PID/ns/net:
 * an old kernel or another system; or permission denied). Two processes
 * share a namespace when their /proc/PID/ns/net links lead to the same
 * inode (ls -l shows "net:[4026531840]"). */
int tcptab_same_netns(long pid, char *err, size_t errlen);

/*
 * Finds the TCP sockets whose inodes are given among the sockets of pid's
 * network namespace (pid 0: ours), and stops once every one is found:
 *
 *   sock_diag  what ss(8) does: the kernel answers over netlink in binary
 *              records, filtered by state in the kernel, so the TIME-WAIT
 *              sockets a load test leaves by the thousand are skipped there;
 *              the listening sockets are asked for first (a small table),
 *              the connections only if some inode is still missing.
 *   /proc      what lsof does: the text tables /proc/PID/net/tcp and tcp6,
 *              every socket, TIME-WAIT included, printed for us to parse.
 *
 * A netlink socket answers for our namespace, /proc/PID/net/tcp for pid's:
 * netlink only when tcptab_same_netns() says they are one (and not with
 * no_netlink); /proc otherwise, and when netlink fails (not Linux, a
 * sandbox that forbids it).
 *
 * For each i, have[i] is set to 1 and found[i] filled when inodes[i] is a
 * TCP socket; 0 when it is not (a Unix or UDP socket, or one closed
 * meanwhile). inodes need not be sorted or distinct.
 */
int tcptab_join(long pid, const unsigned long *inodes, size_t n,
                struct tcptab_entry *found, unsigned char *have, int no_netlink,
                char *err, size_t errlen);

/*
 * The socket of this process's network namespace whose own address is
 * local and whose peer is remote: given a connection we hold, its
 * getpeername() and getsockname() find the other end (its state, whether
 * accept() gave it a descriptor yet, what it has not read). Asked over
 * sock_diag (diag_tcp_find(): one exact lookup), or, with no_netlink or
 * where netlink fails, found in /proc/self/net/tcp and tcp6. 1 found
 * (*out), 0 no such socket, -1 error (err).
 */
int tcptab_find(const struct sockaddr *local, const struct sockaddr *remote,
                struct tcptab_entry *out, int no_netlink, char *err,
                size_t errlen);

#endif
