/*
 * tcpinfo: what the kernel says about a TCP socket (getsockopt TCP_INFO):
 * its state and, for a listening socket, its accept queue (the connections
 * that finished their handshake and wait for accept()); and the kernel's
 * settings around them: the cap on that queue, net.core.somaxconn, and the
 * ports connect() picks from, net.ipv4.ip_local_port_range.
 *
 * On Linux, TCP_INFO on a listening socket reports the queue:
 * tcpi_unacked = connections waiting now, tcpi_sacked = the effective
 * backlog (what listen() asked for, capped at net.core.somaxconn); ss -ltn
 * shows the same two numbers as Recv-Q and Send-Q. Other systems do not
 * report them there (macOS: netstat -Lan): the functions then fail with
 * errno ENOTSUP.
 *
 * TCP states have one spelling in socklab, this module's: the kernel's
 * names (include/net/tcp_states.h, TCP_ dropped, '_' written '-'). They are
 * the names ss(8) prints, except where ss abbreviates two of them: ss shows
 * ESTAB for ESTABLISHED and UNCONN for CLOSE.
 *
 * Functions that ask the kernel return 0, or -1 with "what failed: why" in
 * err and errno set. They never print and never exit.
 */
#ifndef SOCKLAB_TCPINFO_H
#define SOCKLAB_TCPINFO_H

#include <stddef.h>
#include <sys/socket.h>

/* The kernel's numbers for the states (tcp_states.h): /proc/net/tcp and
 * sock_diag use them too. */
enum {
	TCPINFO_ESTABLISHED = 1,
	TCPINFO_SYN_SENT,
	TCPINFO_SYN_RECV,
	TCPINFO_FIN_WAIT1,
	TCPINFO_FIN_WAIT2,
	TCPINFO_TIME_WAIT,
	TCPINFO_CLOSE,
	TCPINFO_CLOSE_WAIT,
	TCPINFO_LAST_ACK,
	TCPINFO_LISTEN,
	TCPINFO_CLOSING,
	TCPINFO_NEW_SYN_RECV, /* a handshake in flight, before its socket */
};

/* "ESTABLISHED", "SYN-SENT"... ("UNKNOWN" for a number not above). */
const char *tcpinfo_state_name(int state);

/* The accept queue of the listening socket fd: connections waiting for
 * accept() now, and the effective backlog. EINVAL: fd is not listening. */
int tcpinfo_queue(int fd, unsigned *waiting, unsigned *backlog, char *err,
                  size_t errlen);

/* net.core.somaxconn, the kernel's cap on listen()'s backlog (read from
 * /proc/sys/net/core/somaxconn). */
int tcpinfo_somaxconn(long *out, char *err, size_t errlen);

/* net.ipv4.ip_local_port_range, the ephemeral ports connect() picks a
 * client's port from (read from /proc/sys/net/ipv4/ip_local_port_range; it
 * applies to IPv6 as well): *low and *high, both included. */
int tcpinfo_port_range(unsigned *low, unsigned *high, char *err, size_t errlen);

/* One TCP socket as the kernel's table describes it: a line of
 * /proc/net/tcp (lib/tcptab), or a sock_diag record (lib/diag); both give
 * the same facts. */
struct tcptab_entry {
	struct sockaddr_storage local, remote; /* AF_INET or AF_INET6 */
	socklen_t len;                         /* of each address */
	int state;                             /* TCPINFO_ESTABLISHED .. */
	unsigned long inode; /* 0: no descriptor (not accept()ed yet, a
	                      * handshake, TIME-WAIT) */
	/* Bytes received that the process has not read yet (a LISTEN
	 * socket: connections that wait for accept()), and bytes sent that
	 * the peer has not acknowledged yet (a LISTEN socket: 0). The
	 * kernel counts both in 32 bits. */
	unsigned long rx_queue, tx_queue;
};

#endif
