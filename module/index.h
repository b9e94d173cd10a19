/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The index (index.c): key -> entry, an rhashtable with its own locks.
 * Below the policies and the cache, above entries only: it knows the
 * table and the struct vmc_store its entries are dropped to, not the cache.
 */
#ifndef _VMC_INDEX_H
#define _VMC_INDEX_H

#include <linux/rhashtable-types.h>
#include <linux/types.h>

#include "entry.h"

int vmc_index_init(struct rhashtable *index);
struct vmc_entry *vmc_index_lookup_get(struct rhashtable *index,
				       struct vmc_store *s,
				       const struct vmc_key *key);
int vmc_index_insert(struct rhashtable *index, struct vmc_entry *e,
		     bool replace, struct vmc_entry **old);

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
int vmc_index_may_insert(struct rhashtable *index, const struct vmc_key *key,
			 const struct vmc_insert_cond *cond);
int vmc_index_insert_if(struct rhashtable *index, struct vmc_entry *e,
			const struct vmc_insert_cond *cond,
			struct vmc_entry **old);
bool vmc_index_remove(struct rhashtable *index, struct vmc_entry *e);
bool vmc_index_contains(struct rhashtable *index, const struct vmc_key *key);
bool vmc_index_finds(struct rhashtable *index, struct vmc_entry *e);
int vmc_index_walk(struct rhashtable *index, struct vmc_store *s,
		   bool (*fn)(struct vmc_entry *e, void *arg), void *arg);
void vmc_index_destroy(struct rhashtable *index);

#endif /* _VMC_INDEX_H */
