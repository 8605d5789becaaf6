/*
 * proc: what Linux's /proc says about processes.
 *
 *   /proc/PID/stat     "pid (comm) state ppid ...": proc_parse_stat()
 *   /proc/[0-9]*       every process: proc_children() scans them
 *
 * A process's descriptors are lib/fds's, the kernel's TCP table is
 * lib/tcptab's; both read /proc with the two helpers at the end of this
 * header.
 *
 * The parser takes a line, not a path, so that tests and fuzzers can feed
 * it anything; it fails with -1 and errno EINVAL. The readers return 0, or
 * -1 with "what failed: why" in err and errno set: ENOENT means "no such
 * process" (or no /proc), EACCES/EPERM "permission denied". They never
 * print and never exit, and close what they opened.
 */
#ifndef SOCKLAB_PROC_H
#define SOCKLAB_PROC_H

#include <stddef.h>

/* A command name: 16 bytes for a process (TASK_COMM_LEN), up to 64 for
 * some kernel threads. Longer ones are truncated. */
#define PROC_COMM_MAX 128

struct proc_stat {
	long pid;
	char comm[PROC_COMM_MAX]; /* between the first '(' and the last ')' */
	char state;               /* R, S, D, Z, T, t, X, I ... */
	long ppid;                /* 0 for PID 1 and for kernel threads */
	/* The next fields, 0 when the line stops before them (a line of
	 * /proc always has them): */
	long pgrp;           /* the process group */
	unsigned long flags; /* the kernel's PF_* flags (PROC_EXITING) */
};

/* A task that has begun to exit (PF_EXITING in linux/sched.h, set before
 * its files are let go): its state still says R or S, its fd/ may
 * already be empty. */
#define PROC_EXITING 0x4ul

/* Parses one /proc/PID/stat line: "pid (comm) state ppid pgrp session
 * tty_nr tpgid flags ...". The command name may hold spaces and
 * parentheses ("a) (b"): it is what lies between the first '(' and the
 * last ')'. Returns -1 (errno EINVAL) on a malformed line. */
int proc_parse_stat(const char *line, struct proc_stat *out);

/* Reads /proc/PID/stat. */
int proc_read_stat(long pid, struct proc_stat *out, char *err, size_t errlen);

/* Reads "stat" in dirfd, a /proc/PID directory opened earlier: the process
 * it was opened for, even if that process has exited and its pid has been
 * given to another one since (then it fails with ENOENT or ESRCH). */
int proc_read_stat_at(int dirfd, struct proc_stat *out, char *err,
                      size_t errlen);

/* What a state letter means, in a few words ("sleeping", "zombie: ..."). */
const char *proc_state_name(char state);

/* Every process, found by scanning /proc/[0-9]*\/stat, in increasing pid
 * order: *all is a malloc()ed array of *count of them (free() it). A
 * process that exits meanwhile is simply not listed. */
int proc_list(struct proc_stat **all, size_t *count, char *err, size_t errlen);

/* The children of pid (the processes whose ppid is pid), found by scanning
 * /proc/[0-9]*\/stat, in increasing pid order: *kids is a malloc()ed array
 * of *count of them (free() it; NULL when there are none). All of them:
 * there is no cap. */
int proc_children(long pid, struct proc_stat **kids, size_t *count, char *err,
                  size_t errlen);

/* ------------------------------------------ for the readers of /proc */

/* "what: no such process" (ENOENT, ESRCH), "what: permission denied"
 * (EACCES, EPERM) or "what: strerror(e)", into err. */
void proc_why(char *err, size_t errlen, const char *what, int e);

/* The decimal number at *p (digits only, no sign), advancing *p past it.
 * Returns -1 (errno EINVAL: no digit; ERANGE: above LONG_MAX) otherwise. */
int proc_scan_dec(const char **p, long *out);

#endif
