/*
 * proc: what Linux's /proc says about processes, their descriptors and their
 * TCP sockets.
 *
 *   /proc/PID/stat          "pid (comm) state ppid ...": proc_parse_stat()
 *   /proc/PID/fd/N          symbolic links to what each descriptor refers to:
 *                           "/dev/pts/0", "pipe:[1234]", "socket:[5678]"
 *   /proc/PID/net/tcp, tcp6 one line per TCP socket of the process's network
 *                           namespace, with its inode: proc_parse_tcp_line()
 *   /proc/PID/ns/net        its network namespace: proc_same_netns()
 *   /proc/sys/net/ipv4/ip_local_port_range  the ephemeral port range
 *
 * The parsers take a line, not a path, so that tests and fuzzers can feed
 * them anything. The readers return 0 on success, -1 on failure with a
 * message in err and errno set: ENOENT means "no such process" (or no
 * /proc), EACCES/EPERM "permission denied". They never print and never
 * exit, and close what they opened.
 */
#ifndef SOCKLAB_PROC_H
#define SOCKLAB_PROC_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A command name: 16 bytes for a process (TASK_COMM_LEN), up to 64 for
 * some kernel threads. Longer ones are truncated. */
#define PROC_COMM_MAX 128
/* A descriptor's target as readlink() gives it. Longer ones are truncated. */
#define PROC_TARGET_MAX 4096

struct proc_stat {
	long pid;
	char comm[PROC_COMM_MAX]; /* between the first '(' and the last ')' */
	char state;               /* R, S, D, Z, T, t, X, I ... */
	long ppid;                /* 0 for PID 1 and for kernel threads */
};

/* Parses one /proc/PID/stat line. The command name may hold spaces and
 * parentheses ("a) (b"): it is what lies between the first '(' and the
 * last ')'. Returns -1 (errno EINVAL) on a malformed line. */
int proc_parse_stat(const char *line, struct proc_stat *out, char *err,
                    size_t errlen);

/* Reads /proc/PID/stat. */
int proc_read_stat(long pid, struct proc_stat *out, char *err, size_t errlen);

/* What a state letter means, in a few words ("sleeping", "zombie: ..."). */
const char *proc_state_name(char state);

/* The children of pid (the processes whose ppid is pid), found by scanning
 * /proc/[0-9]*\/stat. Stores at most max of them in kids, in increasing pid
 * order, and sets *count to how many there are (possibly more than max). */
int proc_children(long pid, struct proc_stat *kids, size_t max, size_t *count,
                  char *err, size_t errlen);

/* One descriptor of a process. */
struct proc_fd {
	int fd;
	char target[PROC_TARGET_MAX]; /* the link: "/dev/null", "socket:[N]" */
	struct stat st;               /* stat() of the target */
	int has_stat;                 /* 0 if stat() failed (st is zeroed) */
	const char *kind;             /* proc_fd_kind() */
	unsigned long inode; /* of "socket:[N]" or "pipe:[N]", else 0 */
};

/* Walks /proc/PID/fd in increasing descriptor order. Between open and
 * close, proc_fd_next() returns 1 with the next descriptor, 0 at the end,
 * -1 on an error (errno set). When pid is this process, the directory's
 * own descriptor is left out. */
struct proc_fd_iter {
	void *dir; /* a DIR *; opaque so that this header needs no dirent.h */
	long pid;
	int skip_fd;
};
int proc_fd_open(struct proc_fd_iter *it, long pid, char *err, size_t errlen);
int proc_fd_next(struct proc_fd_iter *it, struct proc_fd *out);
void proc_fd_close(struct proc_fd_iter *it);

/* A descriptor's kind from the stat() of what it refers to and, where
 * known, its /proc target (NULL otherwise): "socket", "pipe", "file",
 * "directory", "terminal", "null" (/dev/null), "device", "anon inode"
 * (epoll, eventfd...), "other". */
const char *proc_fd_kind(const struct stat *st, const char *target);

/* The N of "socket:[N]" (when prefix is "socket") or "pipe:[N]"; 0 if the
 * target is not one. */
unsigned long proc_target_inode(const char *target, const char *prefix);

/* One line of /proc/net/tcp (v6 = 0) or /proc/net/tcp6 (v6 = 1). */
struct proc_tcp {
	struct sockaddr_storage local, remote; /* AF_INET or AF_INET6 */
	socklen_t len;                         /* of each address */
	int state;                             /* 1 ESTABLISHED .. 12 */
	unsigned long inode;
};

/* Parses one line; -1 (errno EINVAL) for the header or a malformed line. */
int proc_parse_tcp_line(const char *line, int v6, struct proc_tcp *out);

/* The state as ss(8) names it: "ESTABLISHED", "LISTEN", "TIME-WAIT"...
 * ("UNKNOWN" for a number this code does not know). */
const char *proc_tcp_state_name(int state);

/* Calls fn(entry, arg) for every socket in /proc/PID/net/tcp and tcp6 (the
 * network namespace of pid; 0 means this process). fn returns 0 to go on,
 * 1 to stop. A missing tcp6 (IPv6 disabled) is not an error. */
int proc_tcp_scan(long pid, int (*fn)(const struct proc_tcp *, void *),
                  void *arg, char *err, size_t errlen);

/* Whether pid lives in this process's network namespace (pid 0: this
 * process): 1 yes, 0 no, -1 when it cannot be told (no /proc/PID/ns/net:
 * an old kernel or another system; or permission denied), errno set. Two
 * processes share a namespace when their /proc/PID/ns/net links lead to the
 * same inode (ls -l shows "net:[4026531840]"). A netlink socket answers for
 * our namespace; /proc/PID/net/tcp is pid's. */
int proc_same_netns(long pid, char *err, size_t errlen);

/* /proc/sys/net/ipv4/ip_local_port_range: the ports connect() picks from
 * (it applies to IPv6 as well). */
int proc_port_range(unsigned *low, unsigned *high, char *err, size_t errlen);

#endif
