// SPDX-License-Identifier: GPL-2.0
/*
 * Replacement policies: lookup by name, what every policy shares (its lock
 * statistics), and the NONE policy: no order is kept, a full cache refuses
 * new values and there is never a victim.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "repl.h"

/**
 * vmc_repl_init() - initialise the generic part of a policy's state
 * @r: the state, zeroed
 * @ops: the policy
 * @owner: how to release entry references, copied
 */
void vmc_repl_init(struct vmc_repl *r, const struct vmc_repl_ops *ops,
		   const struct vmc_repl_owner *owner)
{
	r->ops = ops;
	r->owner = *owner;
}

/**
 * vmc_repl_lock() - take a policy's list lock, counting contention
 * @r: the policy
 * @lock: its list lock
 */
void vmc_repl_lock(struct vmc_repl *r, spinlock_t *lock) __acquires(lock)
{
	vmc_lock_counted(lock, &r->lock_stat);
}

/**
 * vmc_repl_lock_stat() - read a policy's lock statistics
 * @r: the policy
 * @acquired: out: lock acquisitions
 * @contended: out: acquisitions that had to wait
 */
void vmc_repl_lock_stat(struct vmc_repl *r, u64 *acquired, u64 *contended)
{
	vmc_lock_stat_read(&r->lock_stat, acquired, contended);
}

static struct vmc_repl *vmc_none_create(const struct vmc_repl_owner *owner)
{
	struct vmc_repl *r = kzalloc(sizeof(*r), owner->gfp);

	if (r)
		vmc_repl_init(r, &vmc_repl_none, owner);
	return r;
}

static void vmc_none_destroy(struct vmc_repl *r)
{
	kfree(r);
}

static void vmc_none_entry(struct vmc_repl *r, struct vmc_entry *e)
{
}

static void vmc_none_touch(struct vmc_repl *r, struct vmc_entry *e)
{
	vmc_repl_release(r, e);
}

static struct vmc_entry *vmc_none_victim(struct vmc_repl *r)
{
	return NULL;
}

const struct vmc_repl_ops vmc_repl_none = {
	.name = "none",
	.create = vmc_none_create,
	.destroy = vmc_none_destroy,
	.insert = vmc_none_entry,
	.touch = vmc_none_touch,
	.remove = vmc_none_entry,
	.victim = vmc_none_victim,
};

static const struct vmc_repl_ops *const vmc_policies[] = {
	&vmc_repl_lru,
#ifdef VMEMCACHE_DEBUG
	&vmc_repl_lru_locked,
#endif
	&vmc_repl_none,
};

/**
 * vmc_repl_find() - look a replacement policy up by name
 * @name: name as written to sysfs (a trailing newline is ignored)
 *
 * Return: the policy or NULL.
 */
const struct vmc_repl_ops *vmc_repl_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmc_policies); i++)
		if (sysfs_streq(name, vmc_policies[i]->name))
			return vmc_policies[i];
	return NULL;
}
