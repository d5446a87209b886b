/* A name index: finds a pointer by its name in constant time, so that
 * topologies of 100000 nodes are built and looked up in linear time.
 *
 * Used by value: topo_index_init() it (allocates nothing), add and remove
 * entries, topo_index_release() it.  The index borrows each name: the
 * string given to topo_index_add() must stay unchanged until its entry is
 * removed or the index released (it is the name held by the object the
 * entry points to). */
#ifndef TOPO_INDEX_H
#define TOPO_INDEX_H

#include <stddef.h>

struct topo_index_slot {
	const char *name;	/* borrowed; NULL: free */
	void *value;
};

struct topo_index {
	struct topo_index_slot *slots;
	size_t n_slots;		/* 0 or a power of two, > 2 * n */
	size_t n;		/* entries */
};

void topo_index_init(struct topo_index *idx);
/* Frees the slots (not the names or values); 'idx' is empty again. */
void topo_index_release(struct topo_index *idx);
/* Adds 'value' under 'name' (borrowed), replacing an entry of that name. */
void topo_index_add(struct topo_index *idx, const char *name, void *value);
/* The value under 'name', or NULL. */
void *topo_index_find(const struct topo_index *idx, const char *name);
/* Removes the entry of 'name', if any. */
void topo_index_remove(struct topo_index *idx, const char *name);

#endif
