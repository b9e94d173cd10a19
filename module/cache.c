// SPDX-License-Identifier: GPL-2.0
/*
 * The cache object: creation and configuration, and the put, get, exists
 * and evict operations that the device's ioctls call, with the making of
 * room for a put (evicting through the policy until the allocator has
 * space and DRAM is under its limit), media failures and statistics.
 * Listing keys is list.c's.  The cache orchestrates the layers below it:
 * it links and unlinks entries in the index and the policy together, and
 * is the only caller of the policy; it calls nothing above it, and reports
 * evictions through the struct vmc_evicted its caller gives.
 *
 * Locking, outermost first:
 *  - cfg_sem (percpu rwsem): read side around every operation, so the
 *    pool, allocator and policy cannot change under it; write side to
 *    reconfigure an empty cache, which waits for gets still copying out of
 *    the old pool, and to handle a media failure.  The read side is
 *    per-CPU and cheap.
 *  - the index's bucket locks, the policy's lock and the allocator's lock
 *    are leaves.
 * An entry being copied is pinned by its reference count, not by a lock.
 *
 * No lock may be held across a wait for user memory: a user page can take
 * forever to come in (a userfaultfd nobody serves, a FUSE mapping whose
 * daemon hangs), and cfg_sem's writers include memory_failure(), which
 * holds a machine-wide mutex.  So every copy to or from userspace made
 * under cfg_sem runs with page faults disabled.  One that comes up short
 * drops every lock, faults the user range in (which may wait, killably,
 * holding nothing) and goes on: a put frees its extents and starts over,
 * a listing redoes its walks, and a get keeps only its entry reference
 * (so it still returns the value it found) and copies again.  Such a
 * stalled get is counted (vmc_cache.stalled): a reconfiguration, which
 * would replace the pool its entry lives in, waits for the count to drop,
 * interruptibly and without cfg_sem; a media failure never waits, and
 * makes the stalled get look its key up again (vmc_cache.epoch).
 * Evictions cannot be redone: they are reported to the caller's
 * struct vmc_evicted under the locks, which may keep what it cannot
 * write yet, bounded, and is flushed once the locks are dropped.
 *
 * Media errors: a get whose copy out of the pool fails with -EIO drops its
 * entry and poisons the failed range in the allocator, so that it never
 * holds a value again.  memory_failure() on a DAX device the shared cache
 * claimed reaches vmc_cache_media_failure() through the backing, which
 * drops every entry in the range and poisons it.  A backing is destroyed
 * only after cfg_sem is released: its destroy waits for the notifications
 * in flight, which take cfg_sem.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/vmemcache.h>

#include "cache.h"
#include "compat.h"

static int vmc_check_config(u64 capacity, u32 extent_size)
{
	if (capacity < VMC_MIN_CAPACITY || capacity > U64_MAX - PAGE_SIZE)
		return -EINVAL;
	if (extent_size < VMC_MIN_EXTENT || extent_size > VMC_MAX_EXTENT ||
	    !IS_ALIGNED(extent_size, 8) || extent_size > capacity)
		return -EINVAL;
	return 0;
}

/* The policy is done with a reference it held (struct vmc_repl_owner). */
static void vmc_cache_release(struct vmc_entry *e, void *arg)
{
	vmc_entry_put(arg, e);
}

/*
 * Build a pool and policy for the cache.  @backing is the backing to use
 * (a new one, which stays the caller's on failure, or the cache's own);
 * NULL resizes the cache's own to @capacity.  On failure the cache is
 * intact.  *@drop is set to the backing the caller must destroy once it
 * has released cfg_sem (the old one, or a resized one that failed), or
 * NULL.
 */
static int vmc_cache_setup(struct vmc_cache *c, struct vmc_backing *backing,
			   u64 capacity, u32 extent_size,
			   const struct vmc_repl_ops *policy,
			   struct vmc_backing **drop)
{
	struct vmc_repl_owner owner = {
		.release = vmc_cache_release, .arg = &c->store,
		.gfp = c->store.gfp,
	};
	struct vmc_backing *resized = NULL;
	struct vmc_extent_alloc alloc;
	struct vmc_repl *repl;
	unsigned int i;
	int ret;

	*drop = NULL;
	capacity = PAGE_ALIGN(capacity);
	ret = vmc_check_config(capacity, extent_size);
	if (ret)
		return ret;
	if (!backing) {
		backing = c->store.backing->ops->resize(c->store.backing,
							  capacity);
		if (IS_ERR(backing))
			return PTR_ERR(backing);
		resized = backing;
	}
	ret = vmc_extent_alloc_init(&alloc, capacity, extent_size,
				    c->store.gfp);
	if (ret)
		goto err_resized;
	/* Failed media stays out of service across reconfigurations. */
	for (i = 0; !ret && i < backing->nr_bad; i++)
		ret = vmc_extent_poison(&alloc, backing->bad[i].off,
					backing->bad[i].len);
	if (!ret && backing == c->store.backing)
		ret = vmc_extent_poison_copy(&alloc, &c->store.alloc);
	if (ret)
		goto err_backing;
	repl = policy->create(&owner);
	if (!repl) {
		ret = -ENOMEM;
		goto err_backing;
	}

	if (c->repl)
		c->repl->ops->destroy(c->repl);
	if (c->store.backing) {
		vmc_extent_alloc_destroy(&c->store.alloc);
		if (c->store.backing != backing)
			*drop = c->store.backing;
	}
	c->repl = repl;
	c->store.alloc = alloc;
	c->store.backing = backing;
	c->capacity = capacity;
	c->store.extent_size = extent_size;
	return 0;

err_backing:
	vmc_extent_alloc_destroy(&alloc);
err_resized:
	if (resized && resized != c->store.backing)
		*drop = resized;
	return ret;
}

/**
 * vmc_cache_create_on() - create an empty cache on a given backing
 * @backing: the pool, which the cache takes over on success; on failure
 *	     it stays the caller's
 * @capacity: pool size in bytes, rounded up to a page; at most the
 *	      backing's size
 * @extent_size: allocation unit in bytes
 * @policy: replacement policy
 * @gfp: GFP_KERNEL, or GFP_KERNEL_ACCOUNT to charge the cache's memory
 *	 (and later its entries) to memory cgroups
 *
 * Return: the cache or an ERR_PTR: -EINVAL for a bad configuration,
 * -ENOMEM.
 */
struct vmc_cache *vmc_cache_create_on(struct vmc_backing *backing,
				      u64 capacity, u32 extent_size,
				      const struct vmc_repl_ops *policy,
				      gfp_t gfp)
{
	struct vmc_backing *drop;
	struct vmc_cache *c;
	int ret;

	if (PAGE_ALIGN(capacity) > backing->size)
		return ERR_PTR(-EINVAL);
	c = kzalloc(sizeof(*c), gfp);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->store.gfp = gfp;
	c->dram_capacity = capacity;
	c->nid = NUMA_NO_NODE;
	init_waitqueue_head(&c->stalled_wq);
	get_random_bytes(&c->list_key, sizeof(c->list_key));
	ret = -ENOMEM;
	c->stats = alloc_percpu_gfp(struct vmc_stats, gfp);
	if (!c->stats)
		goto err_free;
	ret = percpu_init_rwsem(&c->cfg_sem);
	if (ret)
		goto err_stats;
	ret = vmc_index_init(&c->index);
	if (ret)
		goto err_sem;
	/* A new cache has no old backing to drop. */
	ret = vmc_cache_setup(c, backing, capacity, extent_size, policy,
			      &drop);
	if (ret)
		goto err_index;
	return c;

err_index:
	vmc_index_destroy(&c->index);
err_sem:
	percpu_free_rwsem(&c->cfg_sem);
err_stats:
	free_percpu(c->stats);
err_free:
	kfree(c);
	return ERR_PTR(ret);
}

/**
 * vmc_cache_create() - create an empty cache on a DRAM pool
 * @capacity: pool size in bytes, rounded up to a page
 * @extent_size: allocation unit in bytes
 * @policy: replacement policy
 *
 * The pool is not charged to any memory cgroup: this is the shared cache.
 *
 * Return: the cache or an ERR_PTR: -EINVAL for a bad configuration,
 * -ENOMEM.
 */
struct vmc_cache *vmc_cache_create(u64 capacity, u32 extent_size,
				   const struct vmc_repl_ops *policy)
{
	struct vmc_backing *backing;
	struct vmc_cache *c;

	backing = vmc_backing_dram_create(PAGE_ALIGN(capacity), GFP_KERNEL,
					  NUMA_NO_NODE);
	if (IS_ERR(backing))
		return ERR_CAST(backing);
	c = vmc_cache_create_on(backing, capacity, extent_size, policy,
				GFP_KERNEL);
	if (IS_ERR(c))
		backing->ops->destroy(backing);
	return c;
}

/* The policy that orders @e: its tier's. */
static struct vmc_repl *vmc_cache_repl(struct vmc_cache *c,
				       const struct vmc_entry *e)
{
	return test_bit(VMC_ENTRY_SLOW, &e->flags) ? c->slow_repl : c->repl;
}

/* @e, unlinked, is no longer counted among the cache's entries. */
static void vmc_cache_uncount(struct vmc_cache *c, const struct vmc_entry *e)
{
	atomic_long_dec(&c->nr_entries);
	if (test_bit(VMC_ENTRY_SLOW, &e->flags))
		atomic_long_dec(&c->nr_slow);
}

/* Let both tiers' policies release what they hold. */
static void vmc_cache_flush(struct vmc_cache *c)
{
	vmc_repl_flush(c->repl);
	if (c->slow_repl)
		vmc_repl_flush(c->slow_repl);
}

/**
 * vmc_cache_unlink() - take a linked entry out of the index and the policy
 * @c: the entry's cache
 * @e: the entry; the caller holds a reference
 *
 * Return: true if this call unlinked it, false if it was not linked.
 */
static bool vmc_cache_unlink(struct vmc_cache *c, struct vmc_entry *e)
{
	/* Only one caller can take it out of the index; that one goes on. */
	if (!vmc_index_remove(&c->index, e))
		return false;

	vmc_cache_repl(c, e)->ops->remove(vmc_cache_repl(c, e), e);
	vmc_cache_uncount(c, e);
	vmc_entry_put(&c->store, e);
	return true;
}

static bool vmc_unlink_and_put(struct vmc_entry *e, void *arg)
{
	struct vmc_cache *c = arg;

	vmc_cache_unlink(c, e);
	vmc_entry_put(&c->store, e);
	return true;
}

/* Unlink every entry; those that concurrent puts link meanwhile may stay. */
static void vmc_cache_clear(struct vmc_cache *c)
{
	vmc_index_walk(&c->index, &c->store, vmc_unlink_and_put, c);
	vmc_cache_flush(c);
}

/**
 * vmc_cache_destroy() - free a cache and everything in it
 * @c: cache nobody else uses any more
 */
void vmc_cache_destroy(struct vmc_cache *c)
{
	/* First, so that no media failure reaches the cache any more. */
	c->store.backing->ops->destroy(c->store.backing);
	if (c->slow.backing)
		c->slow.backing->ops->destroy(c->slow.backing);
	vmc_cache_clear(c);
	/* Nobody else puts: one walk met every entry. */
	WARN_ON_ONCE(atomic_long_read(&c->nr_entries));
	vmc_index_destroy(&c->index);
	c->repl->ops->destroy(c->repl);
	vmc_extent_alloc_destroy(&c->store.alloc);
	if (c->slow_repl) {
		c->slow_repl->ops->destroy(c->slow_repl);
		vmc_extent_alloc_destroy(&c->slow.alloc);
	}
	percpu_free_rwsem(&c->cfg_sem);
	free_percpu(c->stats);
	kfree(c);
}

/**
 * vmc_cache_add_tier() - give a new cache a slow tier
 * @c: cache just created, not yet used, of one tier and an evicting policy
 * @backing: the slow tier's pool, which the cache takes over on success;
 *	     on failure it stays the caller's
 * @capacity: its size in bytes, rounded up to a page; at most the
 *	      backing's size, and at least the cache's extent size
 *
 * From then on the fast tier's victims move into the slow tier, whose own
 * policy (of the fast tier's kind) picks the entries that leave the cache.
 *
 * Return: 0, -EINVAL for a bad size or a cache that cannot have tiers
 * (policy none, a tier already), -ENOMEM.
 */
int vmc_cache_add_tier(struct vmc_cache *c, struct vmc_backing *backing,
		       u64 capacity)
{
	struct vmc_repl_owner owner = {
		.release = vmc_cache_release, .arg = &c->store,
		.gfp = c->store.gfp,
	};
	unsigned int i;
	int ret;

	capacity = PAGE_ALIGN(capacity);
	if (c->slow_repl || c->repl->ops == &vmc_repl_none || c->index.map ||
	    capacity > backing->size)
		return -EINVAL;
	ret = vmc_check_config(capacity, c->store.extent_size);
	if (ret)
		return ret;
	ret = vmc_extent_alloc_init(&c->slow.alloc, capacity,
				    c->store.extent_size, c->store.gfp);
	if (ret)
		return ret;
	for (i = 0; !ret && i < backing->nr_bad; i++)
		ret = vmc_extent_poison(&c->slow.alloc, backing->bad[i].off,
					backing->bad[i].len);
	if (ret)
		goto err_alloc;
	c->slow_repl = c->repl->ops->create(&owner);
	if (!c->slow_repl) {
		ret = -ENOMEM;
		goto err_alloc;
	}
	c->slow.backing = backing;
	c->slow.extent_size = c->store.extent_size;
	c->slow.gfp = c->store.gfp;
	c->store.slow = &c->slow;
	return 0;

err_alloc:
	vmc_extent_alloc_destroy(&c->slow.alloc);
	memset(&c->slow.alloc, 0, sizeof(c->slow.alloc));
	return ret;
}

#ifdef VMEMCACHE_DEBUG
/*
 * The tests' stand-in for a lookup that met the memory of a put's entry
 * under a victim's key, and holds it once the put's insertion failed
 * (vmc_index_insert_if()): when armed, take a reference on @e for
 * vmc_cache_debug_release() to tell whether the value outlived the put.
 */
static void vmc_cache_debug_hold(struct vmc_cache *c, struct vmc_entry *e)
{
	if (!READ_ONCE(c->debug_hold))
		return;
	refcount_inc(&e->ref);
	if (cmpxchg(&c->debug_held, NULL, e))
		vmc_entry_put(&c->store, e);
}

/**
 * vmc_cache_debug_release() - drop the entry the tests' stand-in holds
 * @c: cache, with cfg_sem held
 * @arm: whether the stand-in takes the next one
 *
 * Return: the bytes of value the held entry still had, 0 when none, or
 * -ENOENT when no entry was held.
 */
s64 vmc_cache_debug_release(struct vmc_cache *c, bool arm)
{
	struct vmc_entry *e;
	s64 ret = -ENOENT;

	WRITE_ONCE(c->debug_hold, arm);
	e = xchg(&c->debug_held, NULL);
	if (e) {
		ret = vmc_entry_size(e);
		vmc_entry_put(&c->store, e);
	}
	return ret;
}

/* Drop what the stand-in holds, armed or not, before its pool goes. */
static void vmc_cache_debug_drop(struct vmc_cache *c)
{
	vmc_cache_debug_release(c, READ_ONCE(c->debug_hold));
}
#else
static void vmc_cache_debug_hold(struct vmc_cache *c, struct vmc_entry *e)
{
}

static void vmc_cache_debug_drop(struct vmc_cache *c)
{
}
#endif

/*
 * Take cfg_sem for write on an empty cache that no stalled get holds an
 * entry of (see vmc_cache_get()).  A stalled get may take forever: wait
 * for it interruptibly, without the lock.
 * Return: 0 with cfg_sem held, -EBUSY when the cache holds entries,
 * -ERESTARTSYS.
 */
static int vmc_cache_lock_empty(struct vmc_cache *c)
{
	int ret;

	/* Userspace may map the pool: it stays what it is. */
	if (c->index.map)
		return -EBUSY;
	for (;;) {
		percpu_down_write(&c->cfg_sem);
		if (atomic_long_read(&c->nr_entries)) {
			percpu_up_write(&c->cfg_sem);
			return -EBUSY;
		}
		if (!atomic_read(&c->stalled)) {
			vmc_cache_debug_drop(c);	/* its pool goes */
			return 0;
		}
		percpu_up_write(&c->cfg_sem);
		ret = wait_event_interruptible(c->stalled_wq,
					       !atomic_read(&c->stalled));
		if (ret)
			return ret;
	}
}

/**
 * vmc_cache_lock_idle() - take cfg_sem for write with no get stalled
 * @c: cache
 *
 * For the consistency check, which must see every reference: waits
 * interruptibly until no get holds an entry while it waits for its
 * buffer (see vmc_cache_get()).
 *
 * Return: 0 with cfg_sem held for write, or -ERESTARTSYS.
 */
int vmc_cache_lock_idle(struct vmc_cache *c)
{
	int ret;

	for (;;) {
		ret = wait_event_interruptible(c->stalled_wq,
					       !atomic_read(&c->stalled));
		if (ret)
			return ret;
		percpu_down_write(&c->cfg_sem);
		if (!atomic_read(&c->stalled))
			return 0;
		percpu_up_write(&c->cfg_sem);
	}
}

/**
 * vmc_cache_reconfigure() - change the configuration of an empty cache
 * @c: cache
 * @capacity: new pool size in bytes, or 0 to keep it
 * @extent_size: new allocation unit, or 0 to keep it
 * @policy: new replacement policy, or NULL to keep it
 *
 * All or nothing: on any error the cache keeps its configuration.  Waits
 * for gets still reading the old pool; one that waits for its buffer to
 * come into memory is waited for interruptibly.
 *
 * Return: 0, -EBUSY when the cache holds entries or has a mapped table,
 * -EINVAL for a bad combination, -ENOMEM, -ERESTARTSYS.
 */
int vmc_cache_reconfigure(struct vmc_cache *c, u64 capacity, u32 extent_size,
			  const struct vmc_repl_ops *policy)
{
	struct vmc_backing *drop = NULL;
	int ret;

	ret = vmc_cache_lock_empty(c);
	if (ret)
		return ret;
	ret = vmc_cache_setup(c, NULL, capacity ?: c->capacity,
			      extent_size ?: c->store.extent_size,
			      policy ?: c->repl->ops, &drop);
	percpu_up_write(&c->cfg_sem);
	if (drop)
		drop->ops->destroy(drop);
	return ret;
}

/**
 * struct vmc_poison_walk - entries to drop for a poisoned range
 * @c: the cache
 * @start: first pool byte of the range, rounded down to an extent
 * @end: end of the range (extents are aligned, so no rounding is needed)
 * @dropped: entries dropped
 */
struct vmc_poison_walk {
	struct vmc_cache *c;
	u64 start;
	u64 end;
	unsigned long dropped;
};

static bool vmc_drop_poisoned(struct vmc_entry *e, void *arg)
{
	struct vmc_poison_walk *w = arg;
	struct vmc_extent *ext = vmc_entry_ext(e);
	u32 i;

	for (i = 0; i < e->nr_ext; i++) {
		if (ext[i].off < w->end && w->start < ext[i].off + ext[i].len) {
			w->dropped += vmc_cache_unlink(w->c, e);
			break;
		}
	}
	vmc_entry_put(&w->c->store, e);
	return true;
}

/*
 * vmc_media_failure_fn of the shared cache's DAX backing: memory_failure()
 * found poison in pool range [@off, +@len), or (the whole backing) the
 * device is going away.  The range leaves service: its free space is
 * poisoned and every entry with an extent in it is dropped.  cfg_sem is
 * taken for write, so that no get is copying out of the range and no put
 * is writing a value into it meanwhile.  @b may be a backing the cache
 * is leaving or has not taken yet: not ours, then.
 */
static int vmc_cache_media_failure(void *owner, struct vmc_backing *b,
				   u64 off, u64 len)
{
	struct vmc_cache *c = owner;
	struct vmc_poison_walk w = { .c = c };
	int ret;

	percpu_down_write(&c->cfg_sem);
	ret = -EOPNOTSUPP;	/* not ours: let memory_failure() handle it */
	if (b != c->store.backing)
		goto out;
	ret = vmc_extent_poison(&c->store.alloc, off, len);
	if (ret)
		goto out;
	/* Stalled gets must not read on from the range (or the device). */
	c->epoch++;
	w.start = rounddown(off, (u64)c->store.extent_size);
	w.end = len > U64_MAX - off ? U64_MAX : off + len;
	vmc_index_walk(&c->index, &c->store, vmc_drop_poisoned, &w);
	vmc_repl_flush(c->repl);
	pr_warn("%s: media failure at pool offset %llu, %llu bytes: %lu entries dropped\n",
		c->store.backing->name, off, len, w.dropped);
out:
	percpu_up_write(&c->cfg_sem);
	return ret;
}

/**
 * vmc_cache_set_backing() - move an empty cache to another backing store
 * @c: cache
 * @path: DAX block device to claim, or NULL for a DRAM pool of the
 *	  load-time capacity
 *
 * The capacity becomes the size of the new backing; it can be lowered
 * afterwards.  All or nothing, like vmc_cache_reconfigure().
 *
 * Return: 0, -EBUSY when the cache holds entries, -ERESTARTSYS, or the
 * errors of vmc_backing_dax_create() and vmc_backing_dram_create().
 */
int vmc_cache_set_backing(struct vmc_cache *c, const char *path)
{
	struct vmc_backing *backing, *drop = NULL;
	int ret;

	ret = vmc_cache_lock_empty(c);
	if (ret)
		return ret;
	/* Claiming the device the cache holds: nothing to do. */
	if (path && vmc_backing_is_dax(c->store.backing) &&
	    !strcmp(path, c->store.backing->name))
		goto out;
	if (path)
		backing = vmc_backing_dax_create(path, VMC_MIN_CAPACITY,
						 vmc_cache_media_failure, c);
	else
		backing = vmc_backing_dram_create(PAGE_ALIGN(c->dram_capacity),
						  c->store.gfp, c->nid);
	ret = PTR_ERR_OR_ZERO(backing);
	if (!ret) {
		ret = vmc_cache_setup(c, backing, backing->size,
				      min_t(u64, c->store.extent_size,
					    backing->size),
				      c->repl->ops, &drop);
		if (ret)
			drop = backing;
	}
out:
	percpu_up_write(&c->cfg_sem);
	if (drop)
		drop->ops->destroy(drop);
	return ret;
}

/**
 * vmc_cache_set_numa_node() - move an empty cache's DRAM pool to a node
 * @c: cache
 * @nid: NUMA node to take the pool's pages from, or NUMA_NO_NODE for any
 *
 * A pool of the same size is allocated on @nid before the old one is
 * freed: all or nothing, like vmc_cache_reconfigure().  A cache on a DAX
 * device keeps it and takes @nid for the DRAM pool it goes back to.
 *
 * Return: 0, -EBUSY when the cache holds entries, -ERESTARTSYS, or the
 * errors of vmc_backing_dram_check_node() and vmc_backing_dram_create()
 * (-ENOMEM when the node has no room).
 */
int vmc_cache_set_numa_node(struct vmc_cache *c, int nid)
{
	struct vmc_backing *backing, *drop = NULL;
	int ret;

	ret = vmc_backing_dram_check_node(nid);
	if (ret)
		return ret;
	ret = vmc_cache_lock_empty(c);
	if (ret)
		return ret;
	if (vmc_backing_is_dax(c->store.backing) || nid == c->nid)
		goto out_set;
	backing = vmc_backing_dram_create(c->store.backing->size,
					  c->store.gfp, nid);
	ret = PTR_ERR_OR_ZERO(backing);
	if (ret)
		goto out;
	ret = vmc_cache_setup(c, backing, c->capacity, c->store.extent_size,
			      c->repl->ops, &drop);
	if (ret) {
		drop = backing;
		goto out;
	}
out_set:
	c->nid = nid;
out:
	percpu_up_write(&c->cfg_sem);
	if (drop)
		drop->ops->destroy(drop);
	return ret;
}

/**
 * vmc_cache_node_pages() - where the pool's pages are
 * @c: cache
 * @pages: out: the pool's pages on each node, nr_node_ids elements,
 *	   zeroed by the caller; all zero for a pool that is not in DRAM
 */
void vmc_cache_node_pages(struct vmc_cache *c, u64 *pages)
{
	struct vmc_backing *b;

	percpu_down_read(&c->cfg_sem);
	b = c->store.backing;
	if (b->ops->node_pages)
		b->ops->node_pages(b, pages);
	percpu_up_read(&c->cfg_sem);
}

/**
 * vmc_cache_reset() - empty a cache and release its backing device
 * @c: cache
 *
 * Emptying runs alongside other operations: it does not wait for gets
 * that are copying out, whose entries are freed when they finish.  A
 * claimed DAX device is then released and the cache goes back to DRAM,
 * which waits for those gets, interruptibly.
 *
 * Return: 0, or the error of going back to DRAM (-EBUSY when a put linked
 * an entry meanwhile, -ENOMEM, -ERESTARTSYS when a signal came while
 * waiting): the cache is then still on the device, which stays claimed.
 */
int vmc_cache_reset(struct vmc_cache *c)
{
	bool dax;

	percpu_down_read(&c->cfg_sem);
	vmc_cache_clear(c);
	dax = vmc_backing_is_dax(c->store.backing);
	percpu_up_read(&c->cfg_sem);
	return dax ? vmc_cache_set_backing(c, NULL) : 0;
}

/* Report an entry that left (@how) to the caller, if it asked. */
static void vmc_evicted_record(struct vmc_evicted *ev, struct vmc_cache *c,
			       struct vmc_entry *e, enum vmc_evicted_how how)
{
	struct vmc_evicted_rec rec = {
		.key = e->key,
		.key_len = e->key_len,
		.value_size = vmc_entry_size(e),
		.how = how,
		.store = &c->store,
		.entry = e,
	};

	if (ev)
		ev->record(ev, &rec);
}

/* After a locked section: let the caller's report write out what it kept. */
static void vmc_evicted_flush(struct vmc_evicted *ev)
{
	if (ev)
		ev->flush(ev);
}

/*
 * Victims hit from a mapped table that an eviction passes over, as CLOCK
 * gives a second chance to a page whose accessed bit is set: bounded, so
 * that a table every reader hits does not make an eviction walk the LRU.
 */
#define VMC_MAP_CHANCES	16

/**
 * vmc_cache_evict_from() - evict the entry a replacement policy picks
 * @c: cache, with cfg_sem held for read
 * @r: the policy: the fast tier's or the slow tier's
 * @ev: where to report the evicted entry, or NULL
 * @keep: where to hand the caller the evicted entry with a reference,
 *	  instead of dropping it, or NULL
 *
 * The entry leaves the cache: an eviction, or the reclaim of an expired
 * entry.
 *
 * Return: 0, -ESRCH when the policy has nothing it can evict, or -EFAULT
 * when @ev cannot take another record before it is flushed (its full()).
 */
static int vmc_cache_evict_from(struct vmc_cache *c, struct vmc_repl *r,
				struct vmc_evicted *ev, struct vmc_entry **keep)
{
	unsigned int chances = VMC_MAP_CHANCES;
	struct vmc_entry *e;
	bool expired;

	if (ev && ev->full(ev))
		return -EFAULT;
	for (;;) {
		e = r->ops->victim(r);
		if (!e)
			return -ESRCH;
		/* Hit from the mapping since it was last picked: keep it. */
		if (chances && vmc_index_map_accessed(&c->index, e)) {
			chances--;
			r->ops->touch(r, e);	/* takes our reference */
			continue;
		}
		if (vmc_index_remove(&c->index, e))
			break;
		/* Unlinked meanwhile by someone else, who removes it. */
		vmc_entry_put(&c->store, e);
	}
	/* Out of the policy at once, so that our put frees its space. */
	vmc_repl_evicted(r, e);
	vmc_cache_uncount(c, e);
	vmc_entry_put(&c->store, e);	/* the index's */
	/* An expired victim is reclaimed, not evicted: nothing live went. */
	expired = vmc_entry_expired_now(e);
	if (!expired)
		vmc_evicted_record(ev, c, e, VMC_EVICTED);
	if (keep)
		*keep = e;
	else
		vmc_entry_put(&c->store, e);
	if (expired)
		this_cpu_inc(c->stats->expired);
	else
		this_cpu_inc(c->stats->evictions);
	return 0;
}

/*
 * Extents the first allocation attempt can take without allocating an
 * array, so that most values take the allocator's lock once.
 */
#define VMC_EXT_ONSTACK	8

/*
 * One allocation attempt of the extents of a value of @len bytes from @s
 * into *@extp (@stack, or a kvmalloc()ed array of *@maxp): an array that
 * is too small is replaced by one of the size the value needs, and the
 * attempt made again.
 *
 * Return: vmc_extent_get()'s 0 or error other than -EOVERFLOW (*@nrp the
 * extents taken), or -ENOMEM with *@extp back to @stack.
 */
static int vmc_store_get_extents(struct vmc_store *s, u64 len,
				 struct vmc_extent *stack,
				 struct vmc_extent **extp, unsigned int *maxp,
				 unsigned int *nrp)
{
	int ret;

	while ((ret = vmc_extent_get(&s->alloc, len, *extp, *maxp, nrp)) ==
	       -EOVERFLOW) {
		if (*extp != stack)
			kvfree(*extp);
		*extp = kvmalloc_array(*nrp, sizeof(**extp), s->gfp);
		if (!*extp) {
			*extp = stack;
			*maxp = VMC_EXT_ONSTACK;
			return -ENOMEM;
		}
		*maxp = *nrp;
	}
	return ret;
}

/**
 * vmc_cache_tier_alloc() - give an entry space in its tier's pool
 * @c: cache, with cfg_sem held for read
 * @e: unlinked entry without a value, VMC_ENTRY_SLOW telling its tier
 * @len: value length
 * @ev: where the slow tier's evictions are reported, or NULL
 * @may_evict: whether room in the slow tier may be made by evicting
 *
 * For moving a value between tiers.  Room in the slow tier is made by
 * evicting its victims (when @may_evict); room in the fast tier by
 * demoting the fast tier's victims, which evicts nothing.
 *
 * Return: 0, -ENOSPC, -EFAULT (as vmc_cache_evict_from()) or -ENOMEM.
 */
static int vmc_cache_tier_alloc(struct vmc_cache *c, struct vmc_entry *e,
				u64 len, struct vmc_evicted *ev,
				bool may_evict);

/**
 * vmc_cache_demote() - move the fast tier's victim into the slow tier
 * @c: cache with two tiers, with cfg_sem held for read
 * @ev: where the entries the slow tier evicts to make room are reported,
 *	or NULL
 * @may_evict: whether the slow tier may evict to make room; else the
 *	       victim is demoted only into free space
 *
 * The victim is replaced in the index by a copy in the slow tier with its
 * key, value, version, client flags and expiry, atomically and only if it
 * is still the key's entry; readers that hold it keep reading it, and its
 * fast extents return to the pool with the last reference.  An expired
 * victim is left for vmc_cache_evict_from() to reclaim.
 *
 * Return: 0 when the fast tier freed space (or its victim went meanwhile),
 * -ESRCH when the fast tier has no victim, -ENOSPC when the victim cannot
 * be demoted (expired, or no room in the slow tier), -EFAULT as
 * vmc_cache_evict_from(), -ENOMEM, -EIO.
 */
static int vmc_cache_demote(struct vmc_cache *c, struct vmc_evicted *ev,
			    bool may_evict)
{
	struct vmc_key key;
	struct vmc_entry *e, *n, *old;
	struct vmc_insert_cond cond = { .match_cas = true };
	struct vmc_extent bad;
	int ret;

	e = c->repl->ops->victim(c->repl);
	if (!e)
		return -ESRCH;
	ret = -ENOSPC;
	if (vmc_entry_expired_now(e))
		goto out_victim;
	key.data = e->key;
	key.len = e->key_len;
	n = vmc_entry_create(&c->store, &key);
	ret = PTR_ERR_OR_ZERO(n);
	if (ret)
		goto out_victim;
	set_bit(VMC_ENTRY_SLOW, &n->flags);
	ret = vmc_cache_tier_alloc(c, n, vmc_entry_size(e), ev, may_evict);
	if (ret)
		goto out_new;
	ret = vmc_entry_move(&c->store, n, e, &bad);
	if (ret)
		goto out_new;
	cond.cas = e->cas;
	refcount_inc(&n->ref);	/* the index's */
	atomic_long_inc(&c->nr_slow);
	ret = vmc_index_insert_if(&c->index, &c->store, n, &cond, &old);
	if (ret) {
		/* Replaced or removed meanwhile: its space is going anyway. */
		atomic_long_dec(&c->nr_slow);
		refcount_dec(&n->ref);
		ret = 0;
		goto out_new;
	}
	/* @old is @e, and its index reference is ours now. */
	vmc_repl_evicted(c->repl, old);
	vmc_entry_put(&c->store, old);
	c->slow_repl->ops->insert(c->slow_repl, n);
	this_cpu_inc(c->stats->demotions);
out_new:
	vmc_entry_put(&c->store, n);
out_victim:
	vmc_entry_put(&c->store, e);
	return ret;
}

static int vmc_cache_tier_alloc(struct vmc_cache *c, struct vmc_entry *e,
				u64 len, struct vmc_evicted *ev,
				bool may_evict)
{
	struct vmc_store *s = vmc_entry_store(&c->store, e);
	bool slow = test_bit(VMC_ENTRY_SLOW, &e->flags);
	struct vmc_repl *r = slow ? c->slow_repl : c->repl;
	struct vmc_extent stack[VMC_EXT_ONSTACK], *ext = stack;
	unsigned int max = VMC_EXT_ONSTACK, nr;
	bool flushed = false;
	int ret;

	/* Never empty a tier for a value it cannot hold anyway. */
	if (roundup(len, (u64)s->extent_size) >
	    s->alloc.size - READ_ONCE(s->alloc.poisoned))
		return -ENOSPC;
	for (;;) {
		ret = vmc_store_get_extents(s, len, stack, &ext, &max, &nr);
		if (!ret)
			break;
		if (ret == -ENOMEM)
			return ret;
		if (!flushed) {
			flushed = true;
			if (vmc_repl_reclaim(r))
				continue;
		}
		if (slow)
			ret = may_evict ? vmc_cache_evict_from(c, r, ev, NULL) :
			      -ENOSPC;
		else
			ret = vmc_cache_demote(c, NULL, false);
		if (ret)
			break;
		cond_resched();
	}
	if (ret) {
		if (ext != stack)
			kvfree(ext);
		return ret == -ESRCH ? -ENOSPC : ret;
	}
	return vmc_entry_set_value(&c->store, e, ext, nr, ext != stack, len);
}

/**
 * vmc_cache_evict_lru() - make room in the fast tier
 * @c: cache, with cfg_sem held for read
 * @ev: where to report the evicted entries, or NULL
 * @keep: as vmc_cache_evict_from()'s, for an entry evicted from a cache of
 *	  one tier; *@keep is left alone otherwise
 *
 * In a cache of two tiers the fast tier's victim is demoted, which may
 * evict from the slow tier; a victim that cannot be demoted is evicted.
 *
 * Return: as vmc_cache_evict_from().
 */
static int vmc_cache_evict_lru(struct vmc_cache *c, struct vmc_evicted *ev,
			       struct vmc_entry **keep)
{
	int ret;

	if (ev && ev->full(ev))
		return -EFAULT;
	if (c->slow_repl) {
		ret = vmc_cache_demote(c, ev, true);
		if (ret != -ENOSPC && ret != -ENOMEM && ret != -EIO &&
		    ret != -ENXIO)
			return ret;
		keep = NULL;
	}
	return vmc_cache_evict_from(c, c->repl, ev, keep);
}

/*
 * Make an entry leave the cache: the slow tier's victim first, as the
 * least recently used of the cache, else the fast tier's.
 */
static int vmc_cache_evict_any(struct vmc_cache *c, struct vmc_evicted *ev)
{
	int ret;

	if (c->slow_repl) {
		ret = vmc_cache_evict_from(c, c->slow_repl, ev, NULL);
		if (ret != -ESRCH)
			return ret;
	}
	return vmc_cache_evict_from(c, c->repl, ev, NULL);
}

/*
 * Pool bytes a put may count on: the pool less its failed media, the
 * entries that gets hold while they wait for their buffers (not evictable
 * for as long as that may take) and @keep, an entry the put must not
 * evict.  Entries in use only for a copy are not counted: that is short.
 */
static u64 vmc_cache_room(struct vmc_cache *c, struct vmc_entry *keep)
{
	u64 room = c->store.alloc.size - READ_ONCE(c->store.alloc.poisoned);
	u64 held = atomic64_read(&c->stalled_bytes);

	if (keep)
		held += vmc_entry_size(keep) + keep->tail;
	return room > held ? room - held : 0;
}

/*
 * A put that replaces a value must evict something: pin the entry it
 * replaces, so that the policy never picks it (victims are entries nobody
 * else holds) and a put that fails leaves it in place.
 */
static struct vmc_entry *vmc_cache_pin_old(struct vmc_cache *c,
					   const struct vmc_key *key)
{
	return vmc_index_lookup_get(&c->index, &c->store, key);
}

/*
 * The extents of @victim, just evicted from the fast tier, for a value of
 * @len bytes into @ext (room for @max) when they hold exactly the units it
 * needs and nobody else holds @victim: the put then takes the allocator's
 * lock neither to free them nor to allocate, and @victim's memory may
 * become *@ep, the put's entry for @key (vmc_entry_take_extents()).  Not
 * on a pool with failed media, whose extents go back through the
 * allocator to be withheld.  Drops the caller's reference to @victim
 * either way.
 *
 * Return: whether @ext has the value's *@nrp extents.
 */
static bool vmc_cache_reuse(struct vmc_cache *c, struct vmc_entry *victim,
			    u64 len, struct vmc_extent *ext, unsigned int max,
			    unsigned int *nrp, const struct vmc_key *key,
			    struct vmc_entry **ep)
{
	if (!READ_ONCE(c->store.alloc.nr_poison) &&
	    !test_bit(VMC_ENTRY_SLOW, &victim->flags) &&
	    vmc_entry_size(victim) + victim->tail ==
	    roundup(len, (u64)c->store.extent_size)) {
		*nrp = vmc_entry_take_extents(&c->store, victim, ext, max,
					      key, ep);
		if (*nrp)
			return true;
	}
	vmc_entry_put(&c->store, victim);
	return false;
}

/*
 * Allocate the extents of a value of @len bytes into *@extp (@stack, or
 * a kvmalloc()ed array when @stack is too small); *@nrp: how many.  Makes
 * room as vmc_cache_alloc_value() says, which may set or replace *@ep.
 */
static int vmc_cache_get_extents(struct vmc_cache *c, const struct vmc_key *key,
				 struct vmc_entry **ep,
				 const void __user *uval, u64 len,
				 bool replace, struct vmc_evicted *ev,
				 struct vmc_extent *stack,
				 struct vmc_extent **extp, unsigned int *nrp)
{
	struct vmc_extent *ext = stack;
	unsigned int max = VMC_EXT_ONSTACK, nr;
	struct vmc_entry *old = NULL, *victim;
	bool checked = false, flushed = false;
	int ret;

	for (;;) {
		ret = vmc_store_get_extents(&c->store, len, stack, &ext, &max,
					    &nr);
		if (!ret)
			break;
		if (ret == -ENOMEM)
			goto out_free;
		/* Space of removed entries the policy still holds comes first. */
		if (!flushed) {
			flushed = true;
			if (vmc_repl_reclaim(c->repl))
				continue;
		}
		if (!checked) {
			checked = true;
			if (replace)
				old = vmc_cache_pin_old(c, key);
			ret = -ENOSPC;
			if (roundup(len, (u64)c->store.extent_size) >
			    vmc_cache_room(c, old))
				goto out_free;
			/* Without faults: this only tells what is in. */
			pagefault_disable();
			ret = fault_in_readable(uval, len) ? -EFAULT : 0;
			pagefault_enable();
			if (ret)
				goto out_free;
		}
		victim = NULL;
		ret = vmc_cache_evict_lru(c, ev, &victim);
		if (ret) {
			ret = ret == -ESRCH ? -ENOSPC : ret;
			goto out_free;
		}
		if (victim &&
		    vmc_cache_reuse(c, victim, len, ext, max, &nr, key, ep))
			break;
		cond_resched();
	}
	if (old)
		vmc_entry_put(&c->store, old);
	*extp = ext;
	*nrp = nr;
	return 0;

out_free:
	if (ext != stack)
		kvfree(ext);
	if (old)
		vmc_entry_put(&c->store, old);
	return ret;
}

/**
 * vmc_cache_alloc_value() - give a put's entry pool space for a value
 * @c: the entry's cache
 * @key: the put's key
 * @ep: the put's entry, unlinked and without a value, or NULL for none
 *	yet: the memory of an entry evicted for it may take its place
 *	(vmc_cache_reuse()), else a new one is made
 * @uval: user pointer to the value that will be written
 * @len: value length, 1..pool size
 * @replace: the put replaces the key's value, which must survive a failure
 * @ev: where to report the entries evicted, or NULL
 *
 * Evicts entries through the replacement policy while the pool is full,
 * but first lets the policy release the space it holds, and evicts
 * nothing for a put bound to fail: one larger than the pool's usable bytes
 * (less the value it replaces, which is never evicted for it), or whose
 * value is not all in memory.  Runs with page faults disabled (cfg_sem is
 * held): -EFAULT asks the caller to fault the value in without locks and
 * try again.
 *
 * Return: 0, -ENOSPC when nothing more can be evicted, -EFAULT or -ENOMEM;
 * *@ep is the entry, with its value's extents on success.
 */
static int vmc_cache_alloc_value(struct vmc_cache *c, const struct vmc_key *key,
				 struct vmc_entry **ep,
				 const void __user *uval, u64 len,
				 bool replace, struct vmc_evicted *ev)
{
	struct vmc_extent stack[VMC_EXT_ONSTACK], *ext;
	struct vmc_entry *e;
	unsigned int nr;
	int ret;

	ret = vmc_cache_get_extents(c, key, ep, uval, len, replace, ev, stack,
				    &ext, &nr);
	if (ret)
		return ret;
	if (!*ep) {
		e = vmc_entry_create(&c->store, key);
		if (IS_ERR(e)) {
			vmc_extent_put(&c->store.alloc, ext, nr);
			if (ext != stack)
				kvfree(ext);
			return PTR_ERR(e);
		}
		*ep = e;
	}
	return vmc_entry_set_value(&c->store, *ep, ext, nr, ext != stack, len);
}

/**
 * vmc_cache_fit_dram() - keep a cache's DRAM within its limit for a new entry
 * @c: the entry's cache, with cfg_sem held for read
 * @e: unlinked entry, counted in dram_used with its extent array
 * @uval: user pointer to the value that will be written
 * @len: value length
 * @ev: where to report the entries evicted, or NULL
 *
 * Evicts entries through the replacement policy while the cache's entries
 * take more than its dram_limit, as vmc_cache_alloc_value() does while
 * the pool is full, and likewise evicts nothing for a put bound to fail
 * with -EFAULT (see vmc_cache_alloc_value()).  Concurrent puts may each
 * be counted before they evict, so dram_used can pass the limit by the
 * entries being put at that moment.
 *
 * Return: 0, -ENOSPC when the entry alone is over the limit or nothing
 * more can be evicted (policy none), or -EFAULT.
 */
static int vmc_cache_fit_dram(struct vmc_cache *c, struct vmc_entry *e,
			      const void __user *uval, u64 len,
			      struct vmc_evicted *ev)
{
	long limit = min_t(u64, vmc_cache_dram_limit(c), LONG_MAX);
	bool checked = false, flushed = false;
	int ret;

	/* @e is counted in dram_used: under the limit, so is @e alone. */
	if (atomic_long_read(&c->store.dram_used) <= limit)
		return 0;
	if (vmc_entry_dram(e) > limit)
		return -ENOSPC;
	while (atomic_long_read(&c->store.dram_used) > limit) {
		/* Removed entries the policy still holds go first. */
		if (!flushed) {
			flushed = true;
			if (vmc_repl_reclaim(c->repl))
				continue;
		}
		if (!checked) {
			/* Without faults: this only tells what is in. */
			pagefault_disable();
			ret = fault_in_readable(uval, len) ? -EFAULT : 0;
			pagefault_enable();
			if (ret)
				return ret;
			checked = true;
		}
		/* Demoting frees no DRAM: entries must leave. */
		ret = vmc_cache_evict_any(c, ev);
		if (ret)
			return ret == -ESRCH ? -ENOSPC : ret;
		cond_resched();
	}
	return 0;
}

/*
 * Whether a put under @cond may store now, before it evicts anything: the
 * insertion decides again, atomically.
 */
static int vmc_cache_may_put(struct vmc_cache *c, const struct vmc_key *key,
			     const struct vmc_insert_cond *cond)
{
	if (cond->replace && !cond->present && !cond->match_cas)
		return 0;
	return vmc_index_may_insert(&c->index, &c->store, key, cond);
}

/*
 * The put of @key, made with cfg_sem held, into the entry *@ep, which is
 * made, or may change, on the way (vmc_cache_alloc_value()).  -EFAULT: a
 * page of the value is not in memory; the entry, if any, is left without
 * a value, to start over.
 */
static int vmc_cache_put_locked(struct vmc_cache *c, const struct vmc_key *key,
				struct vmc_entry **ep,
				const void __user *uval, u64 len,
				const struct vmc_put_opts *o,
				struct vmc_evicted *ev)
{
	u64 usable = c->store.alloc.size - READ_ONCE(c->store.alloc.poisoned);
	struct vmc_insert_cond cond = {
		.replace = o->replace, .present = o->present,
		.match_cas = o->match_cas, .cas = o->cas,
	};
	bool replace = o->replace || o->present || o->match_cas;
	struct vmc_entry *e, *old;
	int ret;

	/* Do not evict anything for a put that is bound to fail. */
	if (len > usable || roundup(len, (u64)c->store.extent_size) > usable)
		return -ENOSPC;
	ret = vmc_cache_may_put(c, key, &cond);
	if (ret)
		return ret;
	ret = vmc_cache_alloc_value(c, key, ep, uval, len, replace, ev);
	if (ret)
		return ret;
	e = *ep;
	ret = vmc_cache_fit_dram(c, e, uval, len, ev);
	if (ret)
		goto err_value;
	ret = vmc_entry_copy(&c->store, e, 0, (void __user *)uval, len, false,
			     NULL);
	if (ret)
		goto err_value;

	refcount_inc(&e->ref);	/* the index's */
	/*
	 * Counted before it is visible: an evict may unlink it (and uncount
	 * it) the moment it is, and the count must not go below zero.
	 */
	atomic_long_inc(&c->nr_entries);
	e->cas = atomic64_inc_return(&c->cas);
	e->client_flags = o->client_flags;
	e->expiry = o->expiry;
	vmc_entry_set_atime(e, vmc_access_now());
	ret = vmc_index_insert_if(&c->index, &c->store, e, &cond, &old);
	if (ret) {
		atomic_long_dec(&c->nr_entries);
		refcount_dec(&e->ref);
		/*
		 * @e was marked linked while the insertion was tried: a lookup
		 * that met its memory under a victim's key (a recycled entry)
		 * and now finds our key in it may hold a reference and be
		 * reading the value.  The last reference frees the value.
		 */
		vmc_cache_debug_hold(c, e);
		vmc_entry_put(&c->store, e);
		*ep = NULL;
		return ret;
	}
	if (old) {
		if (vmc_entry_expired_now(old))
			this_cpu_inc(c->stats->expired);
		vmc_cache_uncount(c, old);
		vmc_cache_repl(c, old)->ops->remove(vmc_cache_repl(c, old), old);
		vmc_evicted_record(ev, c, old, VMC_REPLACED);
		vmc_entry_put(&c->store, old);
	}
	c->repl->ops->insert(c->repl, e);
	this_cpu_inc(c->stats->puts);
	return 0;

err_value:
	vmc_entry_free_value(&c->store, e);
	return ret;
}

/**
 * vmc_cache_put() - store a value under a key
 * @c: cache
 * @key: the key, already validated
 * @uval: user pointer to the value
 * @len: value length, non-zero
 * @replace: replace an existing value instead of failing with -EEXIST
 * @ev: where to report the entries evicted to make room, or NULL
 *
 * The value is written into its extents before the entry becomes visible,
 * and a replacement swaps entries atomically in the index, so a reader
 * sees the old value or the new one, never a mix.  On failure the key's
 * old value, if any, is untouched: a replacement never evicts the entry
 * it replaces, and a put that cannot fit in the pool's usable bytes
 * (those the value it replaces leaves) evicts nothing.  A value not in
 * memory is faulted in with no lock held, and the put starts over.
 *
 * Return: 0, -EEXIST, -ENOSPC, -EFAULT, -ENOMEM, or -EINTR when the caller
 * is killed while its value is faulted in.
 */
int vmc_cache_put(struct vmc_cache *c, const struct vmc_key *key,
		  const void __user *uval, u64 len, bool replace,
		  struct vmc_evicted *ev)
{
	struct vmc_put_opts opts = { .replace = replace };

	return vmc_cache_put_ex(c, key, uval, len, &opts, ev);
}

/**
 * vmc_cache_put_ex() - store a value under a key, with its metadata
 * @c: cache
 * @key: the key, already validated
 * @uval: user pointer to the value
 * @len: value length, non-zero
 * @opts: which entry of the key it may replace, and what it stores besides
 *	  the value
 * @ev: where to report the entries evicted to make room, or NULL
 *
 * As vmc_cache_put(); an expired entry counts as absent.  The entry gets
 * the cache's next version.
 *
 * Return: as vmc_cache_put()'s, and -ENOENT when @opts wants a live entry
 * and there is none.
 */
int vmc_cache_put_ex(struct vmc_cache *c, const struct vmc_key *key,
		     const void __user *uval, u64 len,
		     const struct vmc_put_opts *opts, struct vmc_evicted *ev)
{
	struct vmc_entry *e = NULL;	/* made once the value has room */
	int ret;

	for (;;) {
		percpu_down_read(&c->cfg_sem);
		ret = vmc_cache_put_locked(c, key, &e, uval, len, opts, ev);
		percpu_up_read(&c->cfg_sem);
		vmc_evicted_flush(ev);
		if (ret != -EFAULT)
			break;
		ret = vmc_fault_in(uval, len, false);
		if (ret)
			break;
	}
	if (e)
		vmc_entry_put(&c->store, e);
	return ret;
}

/*
 * A get could not read @e: the range @bad of the pool is failed media.
 * Poison it before the entry's extents can return to the pool (the caller
 * still holds a reference), and drop the entry.  Other entries in the
 * range fail alike when they are read.
 */
static void vmc_cache_media_error(struct vmc_cache *c, struct vmc_entry *e,
				  const struct vmc_extent *bad)
{
	struct vmc_store *s = vmc_entry_store(&c->store, e);
	int ret = vmc_extent_poison(&s->alloc, bad->off, bad->len);

	if (ret)
		pr_err("%s: cannot poison pool offset %llu, %llu bytes: %d\n",
		       s->backing->name, bad->off, bad->len, ret);
	vmc_cache_unlink(c, e);
	pr_warn_ratelimited("%s: media error at pool offset %llu, %llu bytes: entry dropped\n",
			    s->backing->name, bad->off, bad->len);
}

/* Pool bytes an entry takes. */
static u64 vmc_entry_pool_bytes(const struct vmc_entry *e)
{
	return vmc_entry_size(e) + e->tail;
}

/*
 * A get holds @e while it waits for its buffer without cfg_sem: the cache
 * must not be reconfigured meanwhile, and a put cannot count on @e's space.
 */
static void vmc_cache_stall(struct vmc_cache *c, struct vmc_entry *e)
{
	atomic64_add(vmc_entry_pool_bytes(e), &c->stalled_bytes);
	atomic_inc(&c->stalled);
}

static void vmc_cache_unstall(struct vmc_cache *c, struct vmc_entry *e)
{
	atomic64_sub(vmc_entry_pool_bytes(e), &c->stalled_bytes);
	if (atomic_dec_and_test(&c->stalled))
		wake_up_all(&c->stalled_wq);
}

/**
 * vmc_cache_get() - copy (part of) a value to userspace
 * @c: cache
 * @key: key
 * @ubuf: destination
 * @buf_len: size of @ubuf
 * @offset: first value byte to copy
 * @copied: out: bytes copied
 * @size: out: the value's size
 *
 * A value that fails to read because of a media error is dropped: this get
 * fails with -EIO, and the next one misses.  When @ubuf is not in memory,
 * the get lets go of cfg_sem, keeping its entry (and so the value it
 * started to read, even if it is replaced or evicted meanwhile), faults
 * @ubuf in and copies again.  Only if a media failure took part of the
 * pool out of service meanwhile does it look the key up again.
 *
 * Return: 0, -ENOENT on a miss, -EFAULT, -EIO from the backing, or -EINTR
 * when the caller is killed while @ubuf is faulted in.
 */
int vmc_cache_get(struct vmc_cache *c, const struct vmc_key *key,
		  void __user *ubuf, u64 buf_len, u64 offset, u64 *copied,
		  u64 *size)
{
	return vmc_cache_get_ex(c, key, ubuf, buf_len, offset, copied, size,
				NULL);
}

/*
 * Look a key up, missing an expired entry.  @reclaim (a writer): take the
 * expired entry out too (if nobody did first) and count it; a reader
 * leaves it to writers and the policy, so that a read-only descriptor
 * changes nothing.  cfg_sem held for read.
 */
static struct vmc_entry *vmc_cache_lookup_live(struct vmc_cache *c,
					       const struct vmc_key *key,
					       bool reclaim)
{
	struct vmc_entry *e = vmc_index_lookup_get(&c->index, &c->store, key);

	if (e && vmc_entry_expired_now(e)) {
		if (reclaim && vmc_cache_unlink(c, e))
			this_cpu_inc(c->stats->expired);
		vmc_entry_put(&c->store, e);
		e = NULL;
	}
	return e;
}

/**
 * vmc_cache_promote() - move a slow-tier entry back into the fast tier
 * @c: cache with two tiers, with cfg_sem held for read
 * @e: the entry, in the slow tier; the caller holds a reference
 *
 * As vmc_cache_demote() the other way: the copy replaces @e only if @e is
 * still the key's entry.  Room in the fast tier is made by demoting its
 * victims into free space of the slow tier only: a get has nowhere to
 * report evictions, so a promotion never evicts, and it gives up when the
 * slow tier has no room for them.
 */
static void vmc_cache_promote(struct vmc_cache *c, struct vmc_entry *e)
{
	struct vmc_insert_cond cond = { .match_cas = true, .cas = e->cas };
	struct vmc_key key = { .data = e->key, .len = e->key_len };
	struct vmc_entry *n, *old;
	struct vmc_extent bad;

	/*
	 * One mover per entry: the copy has @e's version, so a second
	 * promotion of @e would take the first one's copy for @e.
	 */
	if (vmc_entry_expired_now(e) ||
	    test_and_set_bit(VMC_ENTRY_MOVING, &e->flags))
		return;
	n = vmc_entry_create(&c->store, &key);
	if (IS_ERR(n))
		goto out_moving;
	if (vmc_cache_tier_alloc(c, n, vmc_entry_size(e), NULL, false) ||
	    vmc_entry_move(&c->store, n, e, &bad))
		goto out;
	refcount_inc(&n->ref);	/* the index's */
	if (vmc_index_insert_if(&c->index, &c->store, n, &cond, &old)) {
		refcount_dec(&n->ref);
		goto out;
	}
	atomic_long_dec(&c->nr_slow);
	c->slow_repl->ops->remove(c->slow_repl, old);
	vmc_entry_put(&c->store, old);	/* the index's */
	c->repl->ops->insert(c->repl, n);
	this_cpu_inc(c->stats->promotions);
	vmc_entry_put(&c->store, n);
	return;		/* @e is gone: it stays marked */
out:
	vmc_entry_put(&c->store, n);
out_moving:
	clear_bit(VMC_ENTRY_MOVING, &e->flags);
}

/*
 * A get hit @e: count the hit in its tier and, when the value was copied
 * out (@copied; a promotion is never made with a user copy pending),
 * promote an entry of the slow tier at its second hit there.  A single
 * pass over cold keys (a scan) hits each once and leaves the fast tier
 * alone; a key hit again while still in the slow tier is worth the fast
 * tier's space.
 */
static void vmc_cache_hit(struct vmc_cache *c, struct vmc_entry *e,
			  bool copied)
{
	this_cpu_inc(c->stats->hits);
	vmc_index_map_hit(&c->index, e);
	if (!test_bit(VMC_ENTRY_SLOW, &e->flags))
		return;
	this_cpu_inc(c->stats->slow_hits);
	if (test_and_set_bit(VMC_ENTRY_REFERENCED, &e->flags) && copied)
		vmc_cache_promote(c, e);
}

/**
 * vmc_cache_get_ex() - copy (part of) a value and its metadata to userspace
 * @c: cache
 * @key: key
 * @ubuf: destination
 * @buf_len: size of @ubuf
 * @offset: first value byte to copy
 * @copied: out: bytes copied
 * @size: out: the value's size
 * @meta: out: the entry's version, client flags, expiry, and whether
 *	  it was read before and when last (before this get); or NULL
 *
 * As vmc_cache_get(); an expired entry is a miss.  A hit marks the entry
 * fetched and accessed now.
 *
 * Return: as vmc_cache_get()'s.
 */
int vmc_cache_get_ex(struct vmc_cache *c, const struct vmc_key *key,
		     void __user *ubuf, u64 buf_len, u64 offset, u64 *copied,
		     u64 *size, struct vmc_meta *meta)
{
	struct vmc_entry *e = NULL;
	struct vmc_extent bad;
	bool stalled = false;
	u64 n, epoch = 0;
	int ret;

	this_cpu_inc(c->stats->gets);
	percpu_down_read(&c->cfg_sem);
	for (;;) {
		if (stalled && c->epoch != epoch) {
			/* Part of the pool failed meanwhile: look again. */
			vmc_cache_unstall(c, e);
			vmc_entry_put(&c->store, e);
			stalled = false;
			e = NULL;
		}
		if (!e) {
			e = vmc_cache_lookup_live(c, key, false);
			if (!e) {
				this_cpu_inc(c->stats->misses);
				ret = -ENOENT;
				goto out;
			}
		}
		*size = vmc_entry_size(e);
		n = offset < *size ? min(buf_len, *size - offset) : 0;
		ret = vmc_entry_copy(&c->store, e, offset, ubuf, n, true, &bad);
		if (ret != -EFAULT)
			break;
		/* Wait for @ubuf holding the entry, not cfg_sem. */
		if (!stalled) {
			vmc_cache_stall(c, e);
			stalled = true;
			epoch = c->epoch;
		}
		percpu_up_read(&c->cfg_sem);
		ret = vmc_fault_in(ubuf, n, true);
		percpu_down_read(&c->cfg_sem);
		if (ret)
			break;
	}
	if (stalled)
		vmc_cache_unstall(c, e);
	*copied = n;
	/* Before a promotion copies the entry's state to the fast tier. */
	vmc_entry_fetched(e, vmc_access_now(), meta);
	vmc_cache_hit(c, e, !ret);
	if (ret == -EIO)
		vmc_cache_media_error(c, e, &bad);
	/* The policy takes our reference over. */
	vmc_cache_repl(c, e)->ops->touch(vmc_cache_repl(c, e), e);
out:
	percpu_up_read(&c->cfg_sem);
	return ret;
}

/**
 * vmc_cache_exists() - tell whether a key is cached, without using it
 * @c: cache
 * @key: key
 * @size: out: the value's size
 *
 * Return: 0 or -ENOENT.
 */
int vmc_cache_exists(struct vmc_cache *c, const struct vmc_key *key,
		     u64 *size)
{
	return vmc_cache_exists_ex(c, key, size, NULL);
}

/**
 * vmc_cache_exists_ex() - vmc_cache_exists(), with the entry's metadata
 * @c: cache
 * @key: key
 * @size: out: the value's size
 * @meta: out: the entry's version, client flags and expiry; or NULL
 *
 * An expired entry is absent.
 *
 * Return: 0 or -ENOENT.
 */
int vmc_cache_exists_ex(struct vmc_cache *c, const struct vmc_key *key,
			u64 *size, struct vmc_meta *meta)
{
	struct vmc_entry *e;

	percpu_down_read(&c->cfg_sem);
	e = vmc_cache_lookup_live(c, key, false);
	if (e) {
		*size = vmc_entry_size(e);
		if (meta)
			vmc_entry_meta(e, meta);
		vmc_entry_put(&c->store, e);
	}
	percpu_up_read(&c->cfg_sem);
	return e ? 0 : -ENOENT;
}

/**
 * vmc_cache_touch() - give a live entry a new expiry
 * @c: cache
 * @key: key
 * @expiry: CLOCK_BOOTTIME second of expiry, 0 for never
 *
 * The entry keeps its value, client flags and version, and counts as used;
 * an expired one is reclaimed.
 *
 * Return: 0 or -ENOENT (absent or expired).
 */
int vmc_cache_touch(struct vmc_cache *c, const struct vmc_key *key,
		    u32 expiry)
{
	struct vmc_entry *e;

	percpu_down_read(&c->cfg_sem);
	e = vmc_cache_lookup_live(c, key, true);
	if (e) {
		WRITE_ONCE(e->expiry, expiry);
		/* A reader of the table cannot tell when it expires. */
		if (expiry)
			vmc_index_map_drop(&c->index, e);
		/* The policy takes our reference over. */
		vmc_cache_repl(c, e)->ops->touch(vmc_cache_repl(c, e), e);
	}
	percpu_up_read(&c->cfg_sem);
	return e ? 0 : -ENOENT;
}

/**
 * vmc_cache_mark() - mark a live entry stale, or take its win token
 * @c: cache
 * @key: key
 * @expiry: the new expiry, as vmc_cache_touch()'s, unless @how has
 *	    VMC_MARK_KEEP_EXPIRY
 * @how: VMC_MARK_* bits
 *
 * VMC_MARK_STALE marks the entry stale and gives its win token back, so
 * that the next reader may win it; VMC_MARK_WIN takes the token, once:
 * of racing callers exactly one gets 0.  The entry counts as used.
 *
 * Return: 0, -ENOENT (absent or expired) or -EALREADY (VMC_MARK_WIN and
 * the token was taken; nothing changes).
 */
int vmc_cache_mark(struct vmc_cache *c, const struct vmc_key *key,
		   u32 expiry, unsigned int how)
{
	struct vmc_entry *e;
	int ret = 0;

	percpu_down_read(&c->cfg_sem);
	e = vmc_cache_lookup_live(c, key, true);
	if (!e) {
		ret = -ENOENT;
		goto out;
	}
	if ((how & VMC_MARK_WIN) && test_and_set_bit(VMC_ENTRY_WON, &e->flags)) {
		ret = -EALREADY;
	} else {
		if (how & VMC_MARK_STALE) {
			set_bit(VMC_ENTRY_STALE, &e->flags);
			clear_bit(VMC_ENTRY_WON, &e->flags);
		}
		if (!(how & VMC_MARK_KEEP_EXPIRY))
			WRITE_ONCE(e->expiry, expiry);
		if (READ_ONCE(e->expiry) || (how & VMC_MARK_STALE))
			vmc_index_map_drop(&c->index, e);
	}
	/* The policy takes our reference over. */
	c->repl->ops->touch(c->repl, e);
out:
	percpu_up_read(&c->cfg_sem);
	return ret;
}

/**
 * vmc_cache_expired() - expired entries reclaimed so far
 * @c: cache
 *
 * Return: the count.
 */
u64 vmc_cache_expired(struct vmc_cache *c)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu_ptr(c->stats, cpu)->expired;
	return n;
}

/**
 * vmc_cache_evict() - evict a key, or the policy's victim
 * @c: cache
 * @key: key, or NULL to evict what the replacement policy picks
 * @ev: where to report the evicted entry, or NULL
 *
 * An entry being read stays readable by that reader; its space returns to
 * the pool when the reader is done.
 *
 * Return: 0, -ENOENT when the key is absent or its entry expired (which
 * is reclaimed), or -ESRCH when @key is NULL and the policy has nothing
 * it can evict.
 */
int vmc_cache_evict(struct vmc_cache *c, const struct vmc_key *key,
		    struct vmc_evicted *ev)
{
	struct vmc_entry *e;
	int ret = -ENOENT;

	percpu_down_read(&c->cfg_sem);
	if (!key) {
		ret = vmc_cache_evict_any(c, ev);
		goto out;
	}
	e = vmc_index_lookup_get(&c->index, &c->store, key);
	if (e) {
		/* An expired entry is reclaimed, but was not there to evict. */
		if (vmc_cache_unlink(c, e)) {
			if (vmc_entry_expired_now(e)) {
				this_cpu_inc(c->stats->expired);
			} else {
				vmc_evicted_record(ev, c, e, VMC_EVICTED);
				this_cpu_inc(c->stats->evictions);
				ret = 0;
			}
		}
		vmc_entry_put(&c->store, e);
	}
out:
	percpu_up_read(&c->cfg_sem);
	vmc_evicted_flush(ev);
	return ret;
}

struct vmc_prefix_walk {
	struct vmc_cache *c;
	const struct vmc_key *prefix;
	struct vmc_evicted *ev;
	u64 evicted;
};

static bool vmc_evict_prefix_one(struct vmc_entry *e, void *arg)
{
	struct vmc_prefix_walk *w = arg;

	if (vmc_entry_has_prefix(e, w->prefix) && vmc_cache_unlink(w->c, e)) {
		vmc_evicted_record(w->ev, w->c, e, VMC_EVICTED);
		this_cpu_inc(w->c->stats->evictions);
		w->evicted++;
	}
	vmc_entry_put(&w->c->store, e);
	return true;
}

/**
 * vmc_cache_evict_prefix() - evict every key that starts with a prefix
 * @c: cache
 * @prefix: the prefix, 1 byte at least
 * @ev: where to report the evicted entries, or NULL
 *
 * Entries stored while it runs may survive.
 *
 * Return: 0, or -ENOENT when no entry had the prefix.
 */
int vmc_cache_evict_prefix(struct vmc_cache *c, const struct vmc_key *prefix,
			   struct vmc_evicted *ev)
{
	struct vmc_prefix_walk w = { .c = c, .prefix = prefix, .ev = ev };

	percpu_down_read(&c->cfg_sem);
	vmc_index_walk(&c->index, &c->store, vmc_evict_prefix_one, &w);
	percpu_up_read(&c->cfg_sem);
	vmc_evicted_flush(ev);
	return w.evicted ? 0 : -ENOENT;
}

/**
 * vmc_cache_read_stats() - fill in the statistics of a cache
 * @c: cache
 * @st: zeroed struct to fill
 * @drain: apply the policy's buffered moves first
 *
 * Without @drain, removed entries that a policy's buffer still references
 * count in pool_used and dram_used until the buffer drains (the next
 * eviction, a full buffer, or a draining read): a read costs no lock
 * shared with the cache's users.
 */
void vmc_cache_read_stats(struct vmc_cache *c, struct vmemcache_stats *st,
			  bool drain)
{
	struct vmc_extent_usage u;
	u64 map_hits;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct vmc_stats *s = per_cpu_ptr(c->stats, cpu);

		st->puts += s->puts;
		st->gets += s->gets;
		st->hits += s->hits;
		st->misses += s->misses;
		st->evictions += s->evictions;
	}
	map_hits = vmc_index_map_hits(&c->index);
	st->gets += map_hits;
	st->hits += map_hits;

	percpu_down_read(&c->cfg_sem);
	/*
	 * Count the space of removed entries as free, as it is about to be:
	 * their pool space and their DRAM alike, so flush before reading
	 * either.
	 */
	if (drain)
		vmc_cache_flush(c);
	st->entries = atomic_long_read(&c->nr_entries);
	st->dram_used = atomic_long_read(&c->store.dram_used);
	vmc_extent_usage(&c->store.alloc, &u);
	st->pool_used = u.used;
	st->poisoned = u.poisoned;
	st->free_extents = u.nr_free;
	st->alloc_lock_acquired = u.lock_acquired;
	st->alloc_lock_contended = u.lock_contended;
	st->pool_size = c->store.alloc.size;
	st->extent_size = c->store.extent_size;
	vmc_repl_lock_stat(c->repl, &st->lru_lock_acquired,
			   &st->lru_lock_contended);
	if (c->slow_repl) {
		vmc_extent_usage(&c->slow.alloc, &u);
		st->pool_used += u.used;
		st->poisoned += u.poisoned;
		st->free_extents += u.nr_free;
		st->pool_size += c->slow.alloc.size;
	}
	percpu_up_read(&c->cfg_sem);
}

/**
 * vmc_cache_tier_stats() - fill in the per-tier counters of a cache
 * @c: cache
 * @st: zeroed struct to fill
 *
 * Drained as vmc_cache_stats().  A cache of one tier reports it as tier 0.
 */
void vmc_cache_tier_stats(struct vmc_cache *c,
			  struct vmemcache_tier_stats *st)
{
	struct vmc_extent_usage u;
	u64 hits = 0, slow_hits = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct vmc_stats *s = per_cpu_ptr(c->stats, cpu);

		hits += s->hits;
		slow_hits += s->slow_hits;
		st->demotions += s->demotions;
		st->promotions += s->promotions;
	}
	st->tier[0].hits = hits - slow_hits + vmc_index_map_hits(&c->index);
	st->tier[1].hits = slow_hits;

	percpu_down_read(&c->cfg_sem);
	vmc_cache_flush(c);
	st->nr_tiers = c->slow_repl ? 2 : 1;
	/* Counted apart, so the difference may lag a demotion: clamp it. */
	st->tier[1].entries = atomic_long_read(&c->nr_slow);
	st->tier[0].entries = max(atomic_long_read(&c->nr_entries) -
				  atomic_long_read(&c->nr_slow), 0L);
	vmc_extent_usage(&c->store.alloc, &u);
	st->tier[0].pool_used = u.used;
	st->tier[0].pool_size = c->store.alloc.size;
	if (c->slow_repl) {
		vmc_extent_usage(&c->slow.alloc, &u);
		st->tier[1].pool_used = u.used;
		st->tier[1].pool_size = c->slow.alloc.size;
	}
	percpu_up_read(&c->cfg_sem);
}

/**
 * vmc_cache_stats() - fill in the statistics of a cache, drained
 * @c: cache
 * @st: zeroed struct to fill
 */
void vmc_cache_stats(struct vmc_cache *c, struct vmemcache_stats *st)
{
	vmc_cache_read_stats(c, st, true);
}

/**
 * vmc_dram_limit_default() - the DRAM bound of a cache nobody set one for
 * @capacity: the cache's pool size
 *
 * Twice the pool, which a pool full of values of the smallest extent (64
 * bytes) with keys up to 48 bytes does not reach (an entry takes at most a
 * 128-byte slab object), so that the bound binds only when keys are large
 * next to their values; and at most half the RAM, so that a cache on a
 * large DAX device cannot pin all of memory in entries.
 *
 * Return: the bound in bytes.
 */
static u64 vmc_dram_limit_default(u64 capacity)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	return min(capacity > U64_MAX / 2 ? U64_MAX : 2 * capacity, ram / 2);
}

/**
 * vmc_cache_dram_limit() - the DRAM bound of a cache's entries
 * @c: cache
 *
 * Return: the bound set with vmc_cache_set_dram_limit(), or the default
 * for the cache's capacity.
 */
u64 vmc_cache_dram_limit(struct vmc_cache *c)
{
	/* The slow tier's entries take DRAM too. */
	return READ_ONCE(c->dram_limit) ?:
	       vmc_dram_limit_default(READ_ONCE(c->capacity) +
				      c->slow.alloc.size);
}

/**
 * vmc_cache_set_dram_limit() - bound the DRAM of a cache's entries
 * @c: cache
 * @limit: bytes, or 0 for the default (which follows the capacity)
 *
 * Takes effect with the next put, which evicts down to it; entries are
 * not evicted now.
 */
void vmc_cache_set_dram_limit(struct vmc_cache *c, u64 limit)
{
	WRITE_ONCE(c->dram_limit, limit);
}

/**
 * vmc_cache_get_config() - read the configuration of a cache
 * @c: cache
 * @cfg: out: its tunables
 */
void vmc_cache_get_config(struct vmc_cache *c, struct vmc_config *cfg)
{
	percpu_down_read(&c->cfg_sem);
	cfg->capacity = c->capacity;
	cfg->extent_size = c->store.extent_size;
	cfg->numa_node = c->nid;
	cfg->policy = c->repl->ops;
	strscpy(cfg->backing_dev, c->store.backing->name,
		sizeof(cfg->backing_dev));
	percpu_up_read(&c->cfg_sem);
}

/**
 * vmc_cache_map() - let userspace map a new cache's pool and a lookup table
 * @c: a cache of one tier on a DRAM pool, with no entry yet
 *
 * Return: 0, -EINVAL for another kind of cache, -ENOMEM.
 */
int vmc_cache_map(struct vmc_cache *c)
{
	if (c->slow_repl || !c->store.backing->ops->mmap ||
	    atomic_long_read(&c->nr_entries))
		return -EINVAL;
	return vmc_index_map(&c->index,
			     vmc_index_map_slots(c->capacity,
						 c->store.extent_size),
			     c->store.gfp);
}

/**
 * vmc_cache_map_info() - how to map a cache (VMEMCACHE_IOC_MAP_INFO)
 * @c: cache
 * @info: zeroed, to fill
 *
 * Return: 0, or -ENODEV for a cache made without a table.
 */
int vmc_cache_map_info(struct vmc_cache *c, struct vmemcache_map_info *info)
{
	int ret = vmc_index_map_info(&c->index, info);

	if (!ret)
		info->pool_size = c->store.backing->size;
	return ret;
}

/**
 * vmc_cache_mmap() - map a cache's table, readers' state or pool
 * @c: cache
 * @vma: a shared mapping at one of the VMEMCACHE_MAP_OFF_* offsets; only
 *	 the readers' state may be writable
 *
 * The pool and the table never change under a mapping: a cache that has
 * them refuses reconfiguration (vmc_cache_lock_empty()), and the mapping
 * holds the file, so the cache outlives it.
 *
 * Return: 0, -ENODEV for a cache made without a table, -EINVAL for a
 * wrong offset, length or kind of mapping, -EACCES for a writable one.
 */
int vmc_cache_mmap(struct vmc_cache *c, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long len = vma->vm_end - vma->vm_start;
	bool state = off == VMEMCACHE_MAP_OFF_STATE;
	struct vmc_backing *b = c->store.backing;

	if (!c->index.map)
		return -ENODEV;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!state && (vma->vm_flags & VM_WRITE))
		return -EACCES;
	if (!state)
		vmc_vm_flags_clear(vma, VM_MAYWRITE);
	vmc_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	if (off == VMEMCACHE_MAP_OFF_POOL) {
		if (len > PAGE_ALIGN(b->size))
			return -EINVAL;
		return b->ops->mmap(b, vma);
	}
	if (off != VMEMCACHE_MAP_OFF_TABLE && !state)
		return -EINVAL;
	return vmc_index_map_mmap(&c->index, vma, state);
}
