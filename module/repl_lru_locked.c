// SPDX-License-Identifier: GPL-2.0
/*
 * The plainly locked LRU (policy "lru_locked"): one list, most recently
 * used first, and one spinlock taken by every insert, hit, removal and
 * eviction.  The same order as the buffered LRU (repl_lru.c) with the
 * simplest locking: a reference to compare it against and to fall back
 * to.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "repl.h"

/**
 * struct vmc_repl_lru_locked - state of the locked LRU
 * @r: generic policy state
 * @lock: protects @list and the lru links of the entries on it
 * @list: linked entries, most recently used first
 */
struct vmc_repl_lru_locked {
	struct vmc_repl r;
	spinlock_t lock;	/* protects list and the entries' lru links */
	struct list_head list;
};

static struct vmc_repl_lru_locked *to_lru_locked(struct vmc_repl *r)
{
	return container_of(r, struct vmc_repl_lru_locked, r);
}

static struct vmc_repl *
vmc_lru_locked_create(const struct vmc_repl_owner *owner)
{
	struct vmc_repl_lru_locked *l = kzalloc(sizeof(*l), owner->gfp);

	if (!l)
		return NULL;
	vmc_repl_init(&l->r, &vmc_repl_lru_locked, owner);
	spin_lock_init(&l->lock);
	INIT_LIST_HEAD(&l->list);
	return &l->r;
}

static void vmc_lru_locked_destroy(struct vmc_repl *r)
{
	struct vmc_repl_lru_locked *l = to_lru_locked(r);

	WARN_ON_ONCE(!list_empty(&l->list));
	kfree(l);
}

static void vmc_lru_locked_insert(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru_locked *l = to_lru_locked(r);

	vmc_repl_lock(&l->r, &l->lock);
	/* Unlinked before we got here: the removal has run already. */
	if (test_bit(VMC_ENTRY_LINKED, &e->flags))
		list_add(&e->lru, &l->list);
	spin_unlock(&l->lock);
}

static void vmc_lru_locked_touch(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru_locked *l = to_lru_locked(r);

	vmc_repl_lock(&l->r, &l->lock);
	if (!list_empty(&e->lru))
		list_move(&e->lru, &l->list);
	spin_unlock(&l->lock);
	vmc_repl_release(&l->r, e);
}

static void vmc_lru_locked_remove(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru_locked *l = to_lru_locked(r);

	vmc_repl_lock(&l->r, &l->lock);
	list_del_init(&e->lru);
	spin_unlock(&l->lock);
}

static struct vmc_entry *vmc_lru_locked_victim(struct vmc_repl *r)
{
	struct vmc_repl_lru_locked *l = to_lru_locked(r);
	struct vmc_entry *e;

	vmc_repl_lock(&l->r, &l->lock);
	e = vmc_lru_oldest_idle(&l->list);
	spin_unlock(&l->lock);
	return e;
}

static void vmc_lru_locked_walk(struct vmc_repl *r,
				bool (*fn)(struct vmc_entry *e, void *arg),
				void *arg)
{
	struct vmc_repl_lru_locked *l = to_lru_locked(r);
	struct vmc_entry *e;

	vmc_repl_lock(&l->r, &l->lock);
	list_for_each_entry(e, &l->list, lru)
		if (!fn(e, arg))
			break;
	spin_unlock(&l->lock);
}

const struct vmc_repl_ops vmc_repl_lru_locked = {
	.name = "lru_locked",
	.create = vmc_lru_locked_create,
	.destroy = vmc_lru_locked_destroy,
	.insert = vmc_lru_locked_insert,
	.touch = vmc_lru_locked_touch,
	.remove = vmc_lru_locked_remove,
	.victim = vmc_lru_locked_victim,
	.walk = vmc_lru_locked_walk,
};
