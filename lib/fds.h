/*
 * fds: a process's file descriptors and what each one refers to.
 *
 *   /proc/PID/fd/N   a symbolic link to what descriptor N refers to:
 *                    "/dev/pts/0", "pipe:[1234]", "socket:[5678]"
 *
 * fds_list() reads them all, fds_join_tcp() adds the addresses and state
 * of the TCP sockets among them (lib/tcptab: the socket's inode looked up
 * in the kernel's TCP table). Where there is no /proc (macOS), a process
 * can still describe its own descriptors: fds_describe() asks fstat() and
 * the socket calls.
 *
 * Functions return 0, or -1 with "what failed: why" in err and errno set;
 * fds_kind() and fds_target_inode() are pure. They never print and never
 * exit, and close what they opened.
 */
#ifndef SOCKLAB_FDS_H
#define SOCKLAB_FDS_H

#include <stddef.h>
#include <sys/stat.h>

#include "tcptab.h"

/* The longest target read; a longer one is cut (links are PATH_MAX). */
#define FDS_TARGET_MAX 4096

/* One descriptor. */
struct fds_entry {
	int fd;
	const char *kind;      /* fds_kind(): "socket", "pipe", "file"... */
	char *target;          /* malloc()ed: the link in /proc/PID/fd or, from
	                      * fds_describe(), what fstat() tells */
	unsigned long inode;   /* of "socket:[N]" or "pipe:[N]", else 0 */
	int tcp;               /* 1: a TCP socket, t is known */
	struct tcptab_entry t; /* its addresses and state; state 0: a socket
	                        * of ours neither listening nor connected */
};

/* The descriptors of a process, in increasing order. */
struct fds_list {
	struct fds_entry *v;
	size_t n, cap;
};

/*
 * Every descriptor of pid, from one pass over /proc/PID/fd. Either the
 * whole list or an error, never a list cut short:
 *   ENOENT  no such process (or no /proc);
 *   EACCES  permission denied, at the directory (another user's process)
 *           or at a link (a process that is not dumpable, for anyone
 *           without CAP_SYS_PTRACE);
 *   ESRCH   the process has exited (a zombie has no descriptors left), or
 *           exited while we read them: checked after the last one.
 * When pid is this process, the descriptors the listing itself uses are
 * left out. Free the list with fds_free().
 */
int fds_list(long pid, struct fds_list *out, char *err, size_t errlen);

/* Adds the addresses and TCP state of the list's TCP sockets (tcp, t),
 * looked up by inode with tcptab_join() in pid's network namespace; when
 * pid is this process, a socket the table lacks (neither bound nor
 * connected) is asked directly. */
int fds_join_tcp(struct fds_list *l, long pid, int no_netlink, char *err,
                 size_t errlen);

/* Appends e to the list, which takes its target (freed here on failure:
 * -1, ENOMEM). For a list built by the caller, as a scan with fcntl()
 * does. */
int fds_add(struct fds_list *l, struct fds_entry *e);

void fds_free(struct fds_list *l);

/* Describes our own descriptor fd without /proc, from fstat(), isatty(),
 * ttyname_r() and, for a socket, getsockname(), getpeername() and
 * SO_ACCEPTCONN: the target is the terminal's name, "/dev/null",
 * "socket (inode N)", "pipe (inode N)" or "(inode N, S bytes)". Free
 * e->target. Fails only when out of memory. */
int fds_describe(int fd, struct fds_entry *e, char *err, size_t errlen);

/* A descriptor's kind from the stat() of what it refers to and, where
 * known, its /proc target (NULL otherwise): "socket", "pipe", "file",
 * "directory", "terminal", "null" (/dev/null), "device", "anon inode"
 * (epoll, eventfd...), "other". */
const char *fds_kind(const struct stat *st, const char *target);

/* The N of "socket:[N]" (when prefix is "socket") or "pipe:[N]"; 0 if the
 * target is not one. */
unsigned long fds_target_inode(const char *target, const char *prefix);

#endif
