// SPDX-License-Identifier: GPL-2.0
/*
 * The LRU replacement policy, plainly locked: one list, most recently used
 * first, and one spinlock taken by every insert, hit, removal and eviction.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "vmemcache.h"

/**
 * struct vmc_repl_lru - state of the locked LRU
 * @r: generic policy state
 * @lock: protects @list and the lru links of the entries on it
 * @list: linked entries, most recently used first
 */
struct vmc_repl_lru {
	struct vmc_repl r;
	spinlock_t lock;	/* protects list and the entries' lru links */
	struct list_head list;
};

static struct vmc_repl_lru *to_lru(struct vmc_repl *r)
{
	return container_of(r, struct vmc_repl_lru, r);
}

static struct vmc_repl *vmc_lru_create(void)
{
	struct vmc_repl_lru *l = kzalloc(sizeof(*l), GFP_KERNEL);

	if (!l)
		return NULL;
	l->r.ops = &vmc_repl_lru;
	spin_lock_init(&l->lock);
	INIT_LIST_HEAD(&l->list);
	return &l->r;
}

static void vmc_lru_destroy(struct vmc_repl *r)
{
	struct vmc_repl_lru *l = to_lru(r);

	WARN_ON_ONCE(!list_empty(&l->list));
	kfree(l);
}

static void vmc_lru_insert(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru *l = to_lru(r);

	spin_lock(&l->lock);
	/* Unlinked before we got here: vmc_lru_remove() has run already. */
	if (test_bit(VMC_ENTRY_LINKED, &e->flags))
		list_add(&e->lru, &l->list);
	spin_unlock(&l->lock);
}

static void vmc_lru_touch(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru *l = to_lru(r);

	spin_lock(&l->lock);
	if (!list_empty(&e->lru))
		list_move(&e->lru, &l->list);
	spin_unlock(&l->lock);
}

static void vmc_lru_remove(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru *l = to_lru(r);

	spin_lock(&l->lock);
	list_del_init(&e->lru);
	spin_unlock(&l->lock);
}

static struct vmc_entry *vmc_lru_victim(struct vmc_repl *r)
{
	struct vmc_repl_lru *l = to_lru(r);
	struct vmc_entry *e;

	spin_lock(&l->lock);
	list_for_each_entry_reverse(e, &l->list, lru) {
		/* Only the index's reference: nobody is reading it. */
		if (test_bit(VMC_ENTRY_LINKED, &e->flags) &&
		    refcount_read(&e->ref) == 1 &&
		    refcount_inc_not_zero(&e->ref)) {
			spin_unlock(&l->lock);
			return e;
		}
	}
	spin_unlock(&l->lock);
	return NULL;
}

const struct vmc_repl_ops vmc_repl_lru = {
	.name = "lru",
	.create = vmc_lru_create,
	.destroy = vmc_lru_destroy,
	.insert = vmc_lru_insert,
	.touch = vmc_lru_touch,
	.remove = vmc_lru_remove,
	.victim = vmc_lru_victim,
};
