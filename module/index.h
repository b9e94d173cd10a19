/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The index (index.c): key -> entry, an rhashtable with its own locks,
 * and optionally a lookup table userspace maps (index_map.c).  Below the
 * policies and the cache, above entries only: it knows the table and the
 * struct vmc_store its entries are dropped to, not the cache.
 */
#ifndef _VMC_INDEX_H
#define _VMC_INDEX_H

#include <linux/rhashtable-types.h>
#include <linux/types.h>

#include "entry.h"

struct vm_area_struct;
struct vmemcache_map_info;
struct vmc_index_map;

/**
 * struct vmc_index - the key index of a cache
 * @ht: key -> entry
 * @map: the lookup table userspace maps (index_map.c), or NULL
 */
struct vmc_index {
	struct rhashtable ht;
	struct vmc_index_map *map;
};

int vmc_index_init(struct vmc_index *index);
struct vmc_entry *vmc_index_lookup_get(struct vmc_index *index,
				       struct vmc_store *s,
				       const struct vmc_key *key);

/**
 * struct vmc_insert_cond - when an insertion may take its key's place
 * @replace: over a live entry too (else only over none or an expired one)
 * @present: only over a live entry
 * @match_cas: only over a live entry whose version is @cas
 * @cas: see @match_cas
 *
 * An expired entry counts as none, by vmc_entry_expired_now().
 */
struct vmc_insert_cond {
	bool replace;
	bool present;
	bool match_cas;
	u64 cas;
};

int vmc_index_may_replace(const struct vmc_entry *cur,
			  const struct vmc_insert_cond *cond);
int vmc_index_may_insert(struct vmc_index *index, struct vmc_store *s,
			 const struct vmc_key *key,
			 const struct vmc_insert_cond *cond);
int vmc_index_insert_if(struct vmc_index *index, struct vmc_store *s,
			struct vmc_entry *e, const struct vmc_insert_cond *cond,
			struct vmc_entry **old);
bool vmc_index_remove(struct vmc_index *index, struct vmc_entry *e);
bool vmc_index_finds(struct vmc_index *index, struct vmc_entry *e);
int vmc_index_walk(struct vmc_index *index, struct vmc_store *s,
		   bool (*fn)(struct vmc_entry *e, void *arg), void *arg);
void vmc_index_destroy(struct vmc_index *index);

/* index_map.c: the table; unlink and replace are index.c's own. */
u32 vmc_index_map_slots(u64 capacity, u32 extent_size);
int vmc_index_map(struct vmc_index *ix, u32 nr_slots, gfp_t gfp);
void vmc_index_unmap_all(struct vmc_index_map *m);
void vmc_index_map_unlink(struct vmc_index_map *m, struct vmc_entry *e);
void vmc_index_map_replace(struct vmc_index_map *m, struct vmc_entry *old,
			   struct vmc_entry *n);
void vmc_index_map_hit(struct vmc_index *ix, struct vmc_entry *e);
bool vmc_index_map_accessed(struct vmc_index *ix, struct vmc_entry *e);
void vmc_index_map_drop(struct vmc_index *ix, struct vmc_entry *e);
u64 vmc_index_map_hits(struct vmc_index *ix);
int vmc_index_map_info(struct vmc_index *ix, struct vmemcache_map_info *info);
int vmc_index_map_mmap(struct vmc_index *ix, struct vm_area_struct *vma,
		       bool state);

#endif /* _VMC_INDEX_H */
