/*
 * check: what the files of check-server share.
 *
 *   check-server.c      the tool: options, the list of checks, main()
 *   check-server/, each file calling only those above it:
 *     report.c          the verdicts, the report card and --json
 *     trace.c           --trace DIR: each check's events (lib/trace)
 *     signals.c         the stop signals: chk_stop, chk_pause(), chk_setup()
 *     proc.c            what /proc says (lib/proc, lib/fds): the server's
 *                       processes, their states and descriptors; and what
 *                       the kernel's TCP table says (lib/tcptab, over
 *                       sock_diag or from /proc/net/tcp): the listeners,
 *                       the server's end of one connection
 *     start.c           starting a server in its own process group,
 *                       stopping it and reaping everything
 *     client.c          the client: connect, GET, read the reply with its
 *                       timings, a reset
 *     ready.c           when the started server is ready: the port, the
 *                       ready line, where the clients connect; when it has
 *                       settled (chk_start(): started and ready)
 *     burst.c           a burst of clients at once
 *     conn.c            the checks of one connection: reply, fin,
 *                       concurrent, silent, reset
 *     load.c            the checks of many: zombies, survives, sigterm
 *     fds.c             the fds check: every process's descriptors, each
 *                       compared with itself
 *     end.c             lesson 7's checks, run when named: restart,
 *                       sigpipe, cloexec
 *
 * Every function that waits takes a deadline and waits with ctx->waitmask,
 * the only moment the stop signals (SIGINT, SIGTERM, SIGHUP...) are let in:
 * when one arrives, chk_stop is set and every wait returns -1, so that
 * check-server stops the server it started and exits.
 */
#ifndef SOCKLAB_CHECK_H
#define SOCKLAB_CHECK_H

#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "addr.h"
#include "cli.h"
#include "say.h"
#include "tcptab.h"

/* The thresholds of --limit NAME=S, in this order. */
enum chk_limit {
	LIM_READY,      /* the server listens within S (10) */
	LIM_FIN,        /* the connection ends within S of the reply (1) */
	LIM_CONCURRENT, /* the fast client's reply starts within S (1) */
	LIM_SILENT,     /* a silent client blocks others S at most (8) */
	LIM_ZOMBIES,    /* the server reaps its children within S (1) */
	LIM_SIGTERM,    /* the server stops within S of SIGTERM (5) */
	CHK_LIMITS
};

/* How many clients of a burst wait for their reply at a time: the
 * article's smallest listen() backlog is 5, and Linux queues backlog + 1
 * connections, so a burst never overflows it. More at once would only
 * add SYN retransmissions (1 s, 3 s, 7 s...) to a small backlog (lesson 2);
 * the children's exits still come close enough together to merge their
 * SIGCHLDs (webserver3f's zombies). */
#define CHK_BURST_WINDOW 6

/* How long a server's processes must stay as they are before a check
 * calls them settled (no zombie, back to the number before the burst). */
#define CHK_STEADY 0.05

/* How long a killed group gets between SIGTERM and SIGKILL. */
#define CHK_KILL_GRACE 1.0

struct chk_opts {
	char **cmd; /* the server command, {port} as typed */
	int json, verbose;
	unsigned only;            /* a bit per check run; all by default */
	long clients;             /* -n: the burst (128) */
	long repeat;              /* --repeat: runs of each check (1) */
	long requests;            /* -N: the fds check (1000) */
	double timeout;           /* -t: a wait with no limit of its own */
	const char *path;         /* -g: the path of every GET */
	const char *trace;        /* --trace DIR, or NULL */
	double limit[CHK_LIMITS]; /* -L NAME=S */
};

/* What every check and every wait gets. */
struct chk_ctx {
	const struct chk_opts *o;
	struct say say;    /* the narration: quiet unless --verbose */
	sigset_t waitmask; /* the signal mask of every wait */
	char error[1024];  /* why the server could not be run (exit 3) */
	long escaped;      /* processes killed outside the server's group */
};

/* The stop signal that arrived (SIGINT...), 0 while none has. */
extern volatile sig_atomic_t chk_stop;

/* One server started for one check. */
struct chk_server {
	pid_t pid;      /* the started process: the leader of its group */
	int out, err;   /* its stdout and stderr: our unlinked files */
	off_t out_seen; /* how much of stdout the ready-line scan has read */
	struct stat out_st;
	unsigned short port;
	struct sockaddr_storage addr; /* where the clients connect */
	socklen_t addrlen;
	char where[ADDR_STRLEN];
	unsigned long inode; /* of the listening socket */
	pid_t holder;        /* the process that holds it */
	int closed;          /* its listening socket is gone */
	int ended;           /* the started process has exited... */
	int code, status;    /* ...how (CLD_EXITED, CLD_KILLED), with what */
	char **argv;         /* the command run, {port} replaced */
	int given;           /* the command holds {port} */
};

/* PASS and FAIL need evidence; SKIP: the server died of what another
 * check grades; NOT SHOWN: the server ran, but never showed what the
 * check looks at (no child exited, no client answered, no reply's end):
 * neither a pass nor a fail, counted apart. */
enum chk_verdict { CHK_PASS, CHK_FAIL, CHK_SKIP, CHK_NOTSHOWN, CHK_VERDICTS };

struct chk_result {
	enum chk_verdict verdict;
	int runs[CHK_VERDICTS]; /* with --repeat: how often each verdict came */
	char evidence[1024];
	pid_t pid;
	unsigned short port;
	double secs;
};

/* A check: sets r, returns 0; -1 when it was stopped by a signal or could
 * not start a server (ctx->error says why). */
typedef int chk_fn(struct chk_ctx *c, struct chk_server *s,
                   struct chk_result *r);

struct chk_check {
	const char *name;
	const char *reason; /* one line: what, the lesson, the article's script */
	chk_fn *run;
};

/* report.c: the verdict and its evidence. */
void chk_verdict(struct chk_result *r, enum chk_verdict v, const char *fmt, ...)
        CLI_PRINTF(3, 4);
/* The reason the server could not be run (exit 3); returns -1. */
int chk_fail(struct chk_ctx *c, const char *fmt, ...) CLI_PRINTF(2, 3);
void chk_how_ended(const struct chk_server *s, char *buf, size_t len);
void chk_last_line(const struct chk_server *s, int fd, char *buf, size_t len);

/* trace.c: DIR/NAME.jsonl opened (and the narration, traced, sent to
 * /dev/null without --verbose): 0, or -1 (said); closed by _end(). The
 * server's start and reap as events. */
int chk_trace_begin(struct chk_ctx *c, const char *name);
void chk_trace_end(struct chk_ctx *c);
void chk_trace_fork(pid_t pid);
void chk_trace_reap(pid_t pid, int status);

/* signals.c */
int chk_setup(struct chk_ctx *c, void (*on_stop)(int));
int chk_pause(struct chk_ctx *c, double secs);

/* start.c */
int chk_spawn(struct chk_ctx *c, struct chk_server *s);
/* chk_spawn(), {port} replaced by port (0: a free one). */
int chk_spawn_on(struct chk_ctx *c, struct chk_server *s, unsigned short port);
void chk_stop_server(struct chk_ctx *c, struct chk_server *s);
int chk_ended(struct chk_server *s);
int chk_free_port(unsigned short *port, char *err, size_t errlen);

/* ready.c */
int chk_start(struct chk_ctx *c, struct chk_server *s);
int chk_ready(struct chk_ctx *c, struct chk_server *s);
long chk_live(struct chk_server *s);
char chk_state(struct chk_server *s);
const char *chk_alive(struct chk_server *s);
int chk_dead(struct chk_ctx *c, struct chk_server *s);
int chk_down(struct chk_ctx *c, struct chk_server *s);
int chk_settle(struct chk_ctx *c, struct chk_server *s, long base,
               double deadline);

/* proc.c */
struct chk_proc {
	pid_t pid, ppid, pgrp;
	char state;  /* R, S, D, Z... (a live thread's: see fdpid) */
	int exiting; /* it has begun to exit (its files may be gone) */
	pid_t fdpid; /* whose /proc/N/fd lists its descriptors: pid, or a
	              * live thread's id once its first thread has exited */
};
struct chk_procs {
	struct chk_proc *p;
	size_t n, cap;
};
int chk_procs_read(struct chk_procs *l, pid_t group, char *err, size_t errlen);
void chk_procs_free(struct chk_procs *l);
long chk_procs_live(const struct chk_procs *l);
long chk_kill_children(pid_t parent, int sig);
long chk_own_orphans(pid_t leader, pid_t *first);
int chk_holder(const struct chk_procs *l, unsigned long inode, pid_t *pid,
               int *fd);
/* What chk_describe_holder found: nobody, the listening process alone
 * (an iterative server's connection, or a forking one's not yet handed
 * to its child), or another process (a child, a thread's owner...). */
enum chk_holder_kind { CHK_HELD_NONE, CHK_HELD_LISTENER, CHK_HELD_OTHER };
enum chk_holder_kind chk_describe_holder(struct chk_ctx *c,
                                         const struct chk_server *s,
                                         unsigned long inode, char *buf,
                                         size_t len);
int chk_holds_file(pid_t pid, int fd, const struct stat *st);
int chk_who_holds(unsigned long inode, pid_t *pid, char *comm, size_t len);
int chk_fd_count(pid_t pid, long *count, long *sockets,
                 const unsigned long *listen, size_t n, long *listeners);

int chk_tcp_conn(int fd, struct tcptab_entry *out);
int chk_tcp_listeners(int (*fn)(const struct tcptab_entry *, void *), void *arg,
                      char *err, size_t errlen);

/* client.c, burst.c */
struct chk_reply {
	char head[2048]; /* the first bytes */
	size_t headlen, total;
	double t_sent, t_first, t_last, t_end; /* 0: not (yet) */
	int eof;                               /* ended by a FIN */
	int err;        /* errno that ended it (ECONNRESET...), 0 if none */
	int status;     /* HTTP status, -1 if not an HTTP reply */
	int has_end;    /* the empty line after the headers came */
	int headers;    /* header lines */
	size_t body;    /* bytes after the empty line */
	size_t body_at; /* where the body starts in head */
	long clen;      /* its Content-Length, -1 if none */
};
int chk_dial_start(const struct chk_server *s, int *fd);
int chk_dial(struct chk_ctx *c, const struct chk_server *s, double deadline,
             int *fd, char *err, size_t errlen);
int chk_send_get(struct chk_ctx *c, const struct chk_server *s, int fd,
                 int whole, char *err, size_t errlen);
int chk_read(struct chk_ctx *c, int fd, struct chk_reply *r, double deadline,
             double quiet, int first_only);
int chk_get(struct chk_ctx *c, const struct chk_server *s, struct chk_reply *r,
            double quiet, char *err, size_t errlen);
int chk_probe(struct chk_ctx *c, const struct chk_server *s,
              struct chk_reply *r);
void chk_parse(struct chk_reply *r);
void chk_reset(struct chk_ctx *c, int fd);
int chk_wait_end(struct chk_ctx *c, const struct chk_server *s, int fd,
                 int need_read, double deadline, struct tcptab_entry *end);
int chk_local_port(int fd, unsigned short *port);

struct chk_burst {
	long n, answered, failed, late;
	int first_err;
	double secs;
	char lost[256]; /* the first late client's connection: where it is */
};
/* load.c's stop (TLPI's multi_SIGCHLD from outside): clients held. */
struct chk_held {
	long n;        /* clients connected, nothing sent */
	long accepted; /* of them, accepted by the server */
	long children; /* processes the server made for them */
	long answered; /* replies come while it was stopped */
	long running;  /* children still running when it was continued */
	int stopped;   /* it was stopped and continued */
	double secs;
};

int chk_burst_run(struct chk_ctx *c, const struct chk_server *s, long n,
                  struct chk_burst *b);

/* conn.c and load.c */
chk_fn chk_reply, chk_fin, chk_concurrent, chk_silent, chk_reset_check;
chk_fn chk_zombies, chk_survives, chk_fds, chk_sigterm;
/* end.c */
chk_fn chk_restart, chk_sigpipe, chk_cloexec;

/* report.c */
void chk_report_head(const struct chk_ctx *c, const char *const *limits);
void chk_report_one(const struct chk_ctx *c, const struct chk_check *k,
                    const struct chk_result *r);
void chk_report_json(const struct chk_ctx *c, const char *const *limits,
                     const struct chk_check *checks, size_t n,
                     const struct chk_result *res, const int *ran, int status);
void chk_report_sum(const struct chk_ctx *c, const struct chk_result *res,
                    const int *ran, size_t n);

#endif
