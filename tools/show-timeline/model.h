/*
 * model: what the picture shows, worked out from the events once, so that
 * the SVG and the text say the same thing.
 *
 *   lane        a process: born at its fork (or at its first event when
 *               the trace does not show its fork), alive until its exit,
 *               then a zombie until the wait that reaps it. A zombie that
 *               nobody reaps stays one until its parent ends (then the
 *               kernel gives it to init, which reaps it) or until the end
 *               of the picture.
 *   connection  what accept() (or connect()) returned: a socket pair.
 *   hold        a lane's hold on a connection: from the accept (or the
 *               fork that copied the descriptor) until its last descriptor
 *               for it in that process is closed (close, an exec that
 *               closes it, a dup2 over it, the exit). Two lanes hold one
 *               connection while parent and child both have it open: the
 *               kernel's reference count; the connection ends (the peer
 *               sees the FIN) when the last hold ends.
 *   mark        a moment on a lane: a fork, a SIGCHLD (or another signal)
 *               delivered, a wait call, a wait that reaped a child, a call
 *               that failed with EINTR.
 *
 * Lanes are in the order they are drawn: each process, then its children
 * in the order they were born (their children under each), the processes
 * whose birth the trace does not show in the order they appear.
 */
#ifndef SHOW_TIMELINE_MODEL_H
#define SHOW_TIMELINE_MODEL_H

#include <stddef.h>

#include "trace.h"

/* Holds at most: a fork copies every connection its parent holds, so a
 * parent that never closes its copies makes as many holds as the square
 * of its clients. */
#define TL_HOLDS_MAX 1000000

enum tl_mark_kind {
	TL_M_FORK,    /* other: the child's lane */
	TL_M_SIGCHLD, /* other: the sender's lane, or -1 */
	TL_M_SIGNAL,  /* any other signal */
	TL_M_WAIT,    /* a wait call that reaped nothing */
	TL_M_REAP,    /* other: the reaped child's lane, or -1 */
	TL_M_EINTR,   /* what: the call */
	TL_M_KINDS,
};

struct tl_mark {
	double t;
	size_t lane;
	long other; /* a lane, or -1 */
	int kind;
	unsigned what; /* the call or the signal's name */
};

struct tl_lane {
	int pid;
	long parent; /* the parent's lane, or -1 */
	int depth;   /* 0 for a lane without a parent */
	int forked;  /* its fork is in the trace */
	double born;
	int exited; /* the trace shows its end */
	double exit_t;
	int exit_code;     /* -1: killed by a signal, or unknown */
	unsigned exit_sig; /* the signal that killed it */
	int reaped;        /* a wait of the trace collected it */
	double reap_t;
	double zombie_end; /* when its zombie span ends (exited only) */
	unsigned name;     /* the last name it had */
	size_t nholds;     /* holds on its lane */
	int tracks;        /* rows its holds need when none overlaps */
	size_t first_child, next_sibling; /* the tree (SIZE_MAX: none) */
};

struct tl_hold {
	double from, to;
	size_t lane, conn;
	int open;  /* still held at the end of the picture */
	int track; /* its row in the lane (0 first) */
};

struct tl_conn {
	double opened, closed; /* closed: when its last hold ended */
	unsigned local, peer;
	size_t lane;  /* who accepted (or connected) it */
	int open;     /* a hold is still open at the end */
	int accepted; /* 1 accept, 0 connect */
};

struct tl_model {
	const struct tl_trace *tr;
	struct tl_lane *lane;
	size_t nlanes;
	size_t *order; /* lanes in drawing order */
	struct tl_hold *hold;
	size_t nholds;
	struct tl_conn *conn;
	size_t nconns;
	struct tl_mark *mark;
	size_t nmarks;
	/* Each lane's holds and marks: lane l's are hold[hold_of[i]] for
	 * hold_at[l] <= i < hold_at[l + 1] (in time order), and the same
	 * for marks. */
	size_t *hold_of, *hold_at, *mark_of, *mark_at;
	double t0, t1; /* the first and the last event */
	/* The counts of the summary. */
	size_t forked;           /* lanes whose fork the trace shows */
	size_t zombies;          /* children that exited before being reaped */
	size_t zombies_unreaped; /* ... whom no wait of the trace reaped */
	size_t conns_open;       /* connections still open at the end */
	size_t marks[TL_M_KINDS];
	int max_depth;
};

/* Builds m from tr's events (sorted by time). Returns 0, or -1 with the
 * reason in err: an event of a process after its end, a process forked
 * while it is alive, out of memory. */
int tl_model_build(const struct tl_trace *tr, struct tl_model *m, char *err,
                   size_t errlen);
void tl_model_free(struct tl_model *m);

/* A lane's label: "4242 python3" (the name as the trace gave it). */
void tl_lane_label(const struct tl_model *m, size_t lane, char *buf,
                   size_t len);

#endif
