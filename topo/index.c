#include "topo/index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define TOPO_INDEX_MIN_SLOTS 16

void topo_index_init(struct topo_index *idx)
{
	memset(idx, 0, sizeof(*idx));
}

void topo_index_release(struct topo_index *idx)
{
	free(idx->slots);
	topo_index_init(idx);
}

/* FNV-1a. */
static size_t topo_index_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The slot holding 'name', or the free one where it would go (linear
 * probing; the table is never more than half full). */
static size_t topo_index_slot(const struct topo_index *idx, const char *name)
{
	size_t mask = idx->n_slots - 1, i = topo_index_hash(name) & mask;

	while (idx->slots[i].name && strcmp(idx->slots[i].name, name))
		i = (i + 1) & mask;
	return i;
}

static void topo_index_grow(struct topo_index *idx)
{
	struct topo_index_slot *old = idx->slots;
	size_t n_old = idx->n_slots;

	if (2 * (idx->n + 1) < idx->n_slots)
		return;
	idx->n_slots = n_old ? 2 * n_old : TOPO_INDEX_MIN_SLOTS;
	idx->slots = xcalloc(idx->n_slots, sizeof(*idx->slots));
	for (size_t i = 0; i < n_old; i++)
		if (old[i].name)
			idx->slots[topo_index_slot(idx, old[i].name)] = old[i];
	free(old);
}

void topo_index_add(struct topo_index *idx, const char *name, void *value)
{
	size_t i;

	topo_index_grow(idx);
	i = topo_index_slot(idx, name);
	if (!idx->slots[i].name)
		idx->n++;
	idx->slots[i].name = name;
	idx->slots[i].value = value;
}

void *topo_index_find(const struct topo_index *idx, const char *name)
{
	const struct topo_index_slot *slot;

	if (!idx->n)
		return NULL;
	slot = &idx->slots[topo_index_slot(idx, name)];
	return slot->name ? slot->value : NULL;
}

void topo_index_remove(struct topo_index *idx, const char *name)
{
	size_t mask, i, j;

	if (!idx->n)
		return;
	mask = idx->n_slots - 1;
	i = topo_index_slot(idx, name);
	if (!idx->slots[i].name)
		return;
	idx->slots[i] = (struct topo_index_slot){ NULL, NULL };
	idx->n--;
	/* Backward shift: move up each following entry whose probe would
	 * otherwise cross the hole. */
	for (j = (i + 1) & mask; idx->slots[j].name; j = (j + 1) & mask) {
		size_t home = topo_index_hash(idx->slots[j].name) & mask;

		/* Stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		idx->slots[i] = idx->slots[j];
		idx->slots[j] = (struct topo_index_slot){ NULL, NULL };
		i = j;
	}
}
