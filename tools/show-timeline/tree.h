/*
 * tree: the processes under this one, for stopping a recorded command.
 * show-timeline makes itself a "child subreaper" (prctl), so a process
 * whose parent ends is handed to it rather than to init: everything the
 * command started stays under show-timeline, found by following PPIDs in
 * /proc from its own pid down.
 */
#ifndef SHOW_TIMELINE_TREE_H
#define SHOW_TIMELINE_TREE_H

#include <sys/types.h>

/* Sends sig to every process under top (its children, theirs...) but
 * except itself (its own children do get it). Returns how many were
 * still alive (not zombies), or -1 when /proc cannot be read. */
int tl_tree_signal(pid_t top, pid_t except, int sig);

#endif
