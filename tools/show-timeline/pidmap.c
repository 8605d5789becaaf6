/* pidmap: ids to numbers (see pidmap.h). */
#include "pidmap.h"

#include <stdlib.h>

void tl_pidmap_init(struct tl_pidmap *m)
{
	m->key = NULL;
	m->value = NULL;
	m->cap = 0;
	m->count = 0;
}

void tl_pidmap_free(struct tl_pidmap *m)
{
	free(m->key);
	free(m->value);
	tl_pidmap_init(m);
}

/* Where id is, or the free slot where it would go. */
static size_t slot(const int *key, size_t cap, int id)
{
	size_t i = ((size_t)(unsigned)id * 2654435761u) & (cap - 1);

	while (key[i] != 0 && key[i] != id)
		i = (i + 1) & (cap - 1);
	return i;
}

int tl_pidmap_get(const struct tl_pidmap *m, int id, size_t *value)
{
	size_t i;

	if (m->cap == 0 || id <= 0)
		return 0;
	i = slot(m->key, m->cap, id);
	if (m->key[i] != id)
		return 0;
	*value = m->value[i];
	return 1;
}

static int grow(struct tl_pidmap *m)
{
	size_t cap = m->cap == 0 ? 64 : m->cap * 2, i;
	int *key = calloc(cap, sizeof *key);
	size_t *value = calloc(cap, sizeof *value);

	if (key == NULL || value == NULL) {
		free(key);
		free(value);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->key[i] != 0) {
			size_t j = slot(key, cap, m->key[i]);

			key[j] = m->key[i];
			value[j] = m->value[i];
		}
	}
	free(m->key);
	free(m->value);
	m->key = key;
	m->value = value;
	m->cap = cap;
	return 0;
}

/* Linear probing's deletion: the entries after the hole that would no
 * longer be found from their home slot move back into it. */
void tl_pidmap_del(struct tl_pidmap *m, int id)
{
	size_t mask = m->cap - 1, i, j;

	if (m->cap == 0 || id <= 0)
		return;
	i = slot(m->key, m->cap, id);
	if (m->key[i] != id)
		return;
	m->key[i] = 0;
	m->count--;
	for (j = (i + 1) & mask; m->key[j] != 0; j = (j + 1) & mask) {
		size_t home =
		        ((size_t)(unsigned)m->key[j] * 2654435761u) & mask;

		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->key[i] = m->key[j];
		m->value[i] = m->value[j];
		m->key[j] = 0;
		i = j;
	}
}

int tl_pidmap_put(struct tl_pidmap *m, int id, size_t value)
{
	size_t i;

	if (id <= 0)
		return -1;
	if ((m->count + 1) * 2 > m->cap && grow(m) == -1)
		return -1;
	i = slot(m->key, m->cap, id);
	if (m->key[i] != id) {
		m->key[i] = id;
		m->count++;
	}
	m->value[i] = value;
	return 0;
}
