/*
 * pidmap: a table from a process or thread id to a number (an index into
 * the caller's array), for the readers and the model of show-timeline.
 * Open addressing, grown at half full: a lookup costs the same for 10 or
 * 100,000 processes.
 */
#ifndef SHOW_TIMELINE_PIDMAP_H
#define SHOW_TIMELINE_PIDMAP_H

#include <stddef.h>

struct tl_pidmap {
	int *key; /* 0: a free slot (no process has id 0) */
	size_t *value;
	size_t cap; /* a power of two, or 0 */
	size_t count;
};

void tl_pidmap_init(struct tl_pidmap *m);
void tl_pidmap_free(struct tl_pidmap *m);

/* The value of id (> 0) in *value: 1, or 0 when id is not there. */
int tl_pidmap_get(const struct tl_pidmap *m, int id, size_t *value);

/* Sets id's value (id > 0). Returns 0, or -1 when out of memory. */
int tl_pidmap_put(struct tl_pidmap *m, int id, size_t value);

/* Removes id, if it is there. */
void tl_pidmap_del(struct tl_pidmap *m, int id);

#endif
