/* tree: the processes under this one (see tree.h). */
#include "tree.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>

#include "pidmap.h"
#include "proc.h"

struct proc_list {
	struct proc_stat *v;
	size_t n, cap;
};

/* Every process in /proc: pid, ppid, state. */
static int scan(struct proc_list *l)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char err[128];

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct proc_stat st;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 0 ||
		    proc_read_stat(pid, &st, err, sizeof err) == -1)
			continue; /* not a process, or gone meanwhile */
		if (l->n == l->cap) {
			size_t cap = l->cap == 0 ? 256 : l->cap * 2;
			struct proc_stat *v = realloc(l->v, cap * sizeof *v);

			if (v == NULL) {
				closedir(d);
				return -1;
			}
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = st;
	}
	closedir(d);
	return 0;
}

int tl_tree_signal(pid_t top, pid_t except, int sig)
{
	struct proc_list l = { NULL, 0, 0 };
	struct tl_pidmap under;
	size_t i, dummy;
	int alive = 0, grew = 1;

	tl_pidmap_init(&under);
	if (scan(&l) == -1 || tl_pidmap_put(&under, (int)top, 0) == -1) {
		free(l.v);
		tl_pidmap_free(&under);
		return -1;
	}
	/* Down the tree, a generation per pass. */
	while (grew) {
		grew = 0;
		for (i = 0; i < l.n; i++) {
			if (tl_pidmap_get(&under, (int)l.v[i].pid, &dummy) ||
			    !tl_pidmap_get(&under, (int)l.v[i].ppid, &dummy))
				continue;
			if (tl_pidmap_put(&under, (int)l.v[i].pid, 0) == -1)
				break;
			grew = 1;
			if (l.v[i].pid == (long)except)
				continue;
			if (l.v[i].state != 'Z') {
				alive++;
				kill((pid_t)l.v[i].pid, sig);
			}
		}
	}
	free(l.v);
	tl_pidmap_free(&under);
	return alive;
}
