/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replacement policies (repl.c, repl_lru.c, repl_lru_locked.c): the order
 * in which a cache evicts its entries.  A policy knows entries, not the
 * cache: it is created with a struct vmc_repl_owner, through which it
 * hands back the entry references it no longer needs.
 */
#ifndef _VMC_REPL_H
#define _VMC_REPL_H

#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "entry.h"
#include "lock_stat.h"

struct vmc_repl;

/**
 * struct vmc_repl_owner - what a policy gets from the cache that creates it
 * @release: drop a reference the policy holds on @e (the last one frees
 *	     it); may sleep
 * @arg: the owner's, passed to @release
 * @gfp: allocation flags of the policy's state
 *
 * A policy hands the references it no longer needs back through @release
 * instead of calling into the cache: it knows entries, not caches.
 */
struct vmc_repl_owner {
	void (*release)(struct vmc_entry *e, void *arg);
	void *arg;
	gfp_t gfp;
};

/**
 * struct vmc_repl_ops - a replacement policy
 * @name: name written to the policy attribute
 * @create: allocate the policy's state for a cache; @owner is copied
 * @destroy: free it; the cache is empty
 * @insert: a new entry was linked (no-op if it has been unlinked since)
 * @touch: a get hit the entry and is done with it: the policy takes over
 *	   the caller's reference, and drops it when it no longer needs it
 *	   (at once, but for that, if the entry is no longer linked)
 * @remove: the entry was unlinked; called before the index's reference is
 *	    dropped.  The policy may defer the work (holding a reference)
 *	    until @flush
 * @victim: pick the entry to evict: linked and not in use; return it with
 *	    a reference taken, or NULL
 * @flush: optional: apply buffered work and drop the references it holds,
 *	   so that the space of removed entries returns to the pool
 * @reclaim: optional: as @flush, but only if buffered work may hold the
 *	     last reference of a removed entry; return whether it flushed.
 *	     Without it, vmc_repl_reclaim() flushes and says so
 * @evicted: optional: the entry, a victim, was unlinked by the caller;
 *	     take it out of the policy's order now, keeping no reference, so
 *	     that the caller's last reference frees its space.  Without it,
 *	     vmc_repl_evicted() calls @remove and @flush
 * @walk: optional: apply buffered work, then call @fn on every entry the
 *	  policy keeps, in its order, with the policy's lock held (@fn must
 *	  not sleep; it returns false to stop the walk).  For the
 *	  consistency check, which holds cfg_sem for write.
 *
 * All but @create and @destroy run concurrently.  They may sleep only to
 * drop entry references they hold (vmc_repl_release()).
 */
struct vmc_repl_ops {
	const char *name;
	struct vmc_repl *(*create)(const struct vmc_repl_owner *owner);
	void (*destroy)(struct vmc_repl *r);
	void (*insert)(struct vmc_repl *r, struct vmc_entry *e);
	void (*touch)(struct vmc_repl *r, struct vmc_entry *e);
	void (*remove)(struct vmc_repl *r, struct vmc_entry *e);
	struct vmc_entry *(*victim)(struct vmc_repl *r);
	void (*flush)(struct vmc_repl *r);
	bool (*reclaim)(struct vmc_repl *r);
	void (*evicted)(struct vmc_repl *r, struct vmc_entry *e);
	void (*walk)(struct vmc_repl *r,
		     bool (*fn)(struct vmc_entry *e, void *arg), void *arg);
};

/**
 * struct vmc_repl - state of a policy, embedded in the policy's own struct
 * @ops: the policy
 * @owner: how to drop entry references, from the cache that created it
 * @lock_stat: how the policy's list lock was taken, a debug statistic
 */
struct vmc_repl {
	const struct vmc_repl_ops *ops;
	struct vmc_repl_owner owner;
	struct vmc_lock_stat lock_stat;
};

void vmc_repl_init(struct vmc_repl *r, const struct vmc_repl_ops *ops,
		   const struct vmc_repl_owner *owner);
void vmc_repl_lock(struct vmc_repl *r, spinlock_t *lock) __acquires(lock);
void vmc_repl_lock_stat(struct vmc_repl *r, u64 *acquired, u64 *contended);

/* Hand a reference the policy holds back to its owner. */
static inline void vmc_repl_release(struct vmc_repl *r, struct vmc_entry *e)
{
	r->owner.release(e, r->owner.arg);
}

extern const struct vmc_repl_ops vmc_repl_none;
extern const struct vmc_repl_ops vmc_repl_lru;
extern const struct vmc_repl_ops vmc_repl_lru_locked;
const struct vmc_repl_ops *vmc_repl_find(const char *name);

/**
 * vmc_lru_oldest_idle() - the LRU policies' victim scan
 * @list: entries linked by their lru field, most recently used first
 *
 * Called under the lock of @list.
 *
 * Return: the least recently used entry still in the index that nobody is
 * reading (only the index's reference), with a reference taken for the
 * caller, or NULL.
 */
static inline struct vmc_entry *vmc_lru_oldest_idle(struct list_head *list)
{
	struct vmc_entry *e;

	list_for_each_entry_reverse(e, list, lru)
		if (test_bit(VMC_ENTRY_LINKED, &e->flags) &&
		    refcount_read(&e->ref) == 1 &&
		    refcount_inc_not_zero(&e->ref))
			return e;
	return NULL;
}

/* Let the policy release what it holds (see vmc_repl_ops.flush). */
static inline void vmc_repl_flush(struct vmc_repl *r)
{
	if (r->ops->flush)
		r->ops->flush(r);
}

/**
 * vmc_repl_reclaim() - flush the policy if that may free pool space
 * @r: the policy
 *
 * Return: false when nothing was flushed, as nothing buffered held a
 * removed entry: the pool has no more free space than before.
 */
static inline bool vmc_repl_reclaim(struct vmc_repl *r)
{
	if (r->ops->reclaim)
		return r->ops->reclaim(r);
	vmc_repl_flush(r);
	return true;
}

/**
 * vmc_repl_evicted() - tell the policy a victim it picked was unlinked
 * @r: the policy
 * @e: the victim, unlinked by the caller, which holds a reference
 *
 * Called in place of @remove; afterwards the policy holds no reference
 * taken for @e's removal, so the caller's last one frees it.
 */
static inline void vmc_repl_evicted(struct vmc_repl *r, struct vmc_entry *e)
{
	if (r->ops->evicted) {
		r->ops->evicted(r, e);
		return;
	}
	r->ops->remove(r, e);
	vmc_repl_flush(r);
}

#endif /* _VMC_REPL_H */
