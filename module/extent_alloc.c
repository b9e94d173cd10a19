// SPDX-License-Identifier: GPL-2.0
/*
 * Extent allocator of a vmemcache pool: free runs in an rbtree by offset,
 * allocation from the lowest free runs, coalescing on free.
 *
 * Nothing here allocates memory under the allocator's spinlock: taking
 * space consumes or shrinks runs, and a freed extent that does not merge
 * with a neighbour gets a node allocated with the lock dropped.
 */
#include <linux/math.h>
#include <linux/slab.h>

#include "extent_alloc.h"

/**
 * struct vmc_free_run - a maximal run of free pool bytes
 * @rb: node in vmc_extent_alloc.free, ordered by @off
 * @off: byte offset of the run
 * @len: length of the run in bytes
 */
struct vmc_free_run {
	struct rb_node rb;
	u64 off;
	u64 len;
};

static struct kmem_cache *vmc_free_run_cache;

/* Take the allocator's lock, counting how often it was contended. */
static void vmc_alloc_lock(struct vmc_extent_alloc *a) __acquires(&a->lock)
{
	bool contended = !spin_trylock(&a->lock);

	if (contended)
		spin_lock(&a->lock);
	a->lock_acquired++;
	a->lock_contended += contended;
}

static struct vmc_free_run *run_of(struct rb_node *node)
{
	return rb_entry_safe(node, struct vmc_free_run, rb);
}

/**
 * vmc_extent_alloc_init() - set up an allocator with the whole pool free
 * @a: allocator
 * @size: pool size in bytes; only whole units are used
 * @unit: extent size in bytes, non-zero
 * @gfp: flags of the allocator's bookkeeping (GFP_KERNEL_ACCOUNT charges it
 *	 to the memory cgroup of whoever frees space)
 *
 * Return: 0 or -ENOMEM.
 */
int vmc_extent_alloc_init(struct vmc_extent_alloc *a, u64 size, u32 unit,
			  gfp_t gfp)
{
	struct vmc_free_run *run;

	spin_lock_init(&a->lock);
	a->gfp = gfp;
	a->free = RB_ROOT;
	a->unit = unit;
	a->size = div_u64(size, unit) * unit;
	a->free_bytes = 0;
	a->nr_free = 0;
	a->lock_acquired = 0;
	a->lock_contended = 0;
	if (!a->size)
		return 0;

	run = kmem_cache_alloc(vmc_free_run_cache, gfp);
	if (!run)
		return -ENOMEM;
	run->off = 0;
	run->len = a->size;
	rb_link_node(&run->rb, NULL, &a->free.rb_node);
	rb_insert_color(&run->rb, &a->free);
	a->free_bytes = a->size;
	a->nr_free = 1;
	return 0;
}

/**
 * vmc_extent_alloc_destroy() - free the allocator's bookkeeping
 * @a: allocator whose extents have all been returned
 */
void vmc_extent_alloc_destroy(struct vmc_extent_alloc *a)
{
	struct vmc_free_run *run, *tmp;

	WARN_ON_ONCE(a->free_bytes != a->size);
	rbtree_postorder_for_each_entry_safe(run, tmp, &a->free, rb)
		kmem_cache_free(vmc_free_run_cache, run);
	a->free = RB_ROOT;
	a->free_bytes = 0;
	a->nr_free = 0;
}

/**
 * vmc_extent_get() - allocate pool space for a value
 * @a: allocator
 * @len: value length in bytes, non-zero; rounded up to whole units
 * @ext: array that receives the extents, in value order
 * @max: number of elements in @ext
 * @nr: out: extents used; with -EOVERFLOW, extents that would be needed
 *
 * All or nothing: either the whole rounded length is allocated or nothing.
 *
 * Return: 0, -ENOSPC when the pool has fewer free bytes than needed, or
 * -EOVERFLOW when @max is too small (retry with a larger array).
 */
int vmc_extent_get(struct vmc_extent_alloc *a, u64 len, struct vmc_extent *ext,
		   unsigned int max, unsigned int *nr)
{
	u64 need = roundup(len, (u64)a->unit);
	struct vmc_free_run *run;
	unsigned int n = 0;
	u64 left;

	vmc_alloc_lock(a);
	if (need > a->free_bytes) {
		spin_unlock(&a->lock);
		return -ENOSPC;
	}

	for (left = need, run = run_of(rb_first(&a->free)); left;
	     run = run_of(rb_next(&run->rb))) {
		left -= min(left, run->len);
		n++;
	}
	if (n > max) {
		spin_unlock(&a->lock);
		*nr = n;
		return -EOVERFLOW;
	}

	for (left = need, n = 0; left; n++) {
		u64 take;

		run = run_of(rb_first(&a->free));
		take = min(left, run->len);
		ext[n].off = run->off;
		ext[n].len = take;
		left -= take;
		if (take == run->len) {
			rb_erase(&run->rb, &a->free);
			a->nr_free--;
			kmem_cache_free(vmc_free_run_cache, run);
		} else {
			run->off += take;
			run->len -= take;
		}
	}
	a->free_bytes -= need;
	spin_unlock(&a->lock);
	*nr = n;
	return 0;
}

/*
 * Return one extent to the free tree, merging it with the runs before and
 * after it.  Needs a new node only when it merges with neither; returns
 * false, changing nothing, when that is so and *spare is NULL.
 */
static bool vmc_free_insert(struct vmc_extent_alloc *a, u64 off, u64 len,
			    struct vmc_free_run **spare)
{
	struct rb_node **link = &a->free.rb_node, *parent = NULL;
	struct vmc_free_run *prev = NULL, *next = NULL, *run;
	bool merge_prev, merge_next;

	lockdep_assert_held(&a->lock);
	while (*link) {
		run = run_of(*link);
		parent = *link;
		if (off < run->off) {
			next = run;
			link = &parent->rb_left;
		} else {
			prev = run;
			link = &parent->rb_right;
		}
	}

	/* A run overlapping the extent means a double free: keep the tree. */
	if (WARN_ON_ONCE((prev && prev->off + prev->len > off) ||
			 (next && off + len > next->off)))
		return true;

	merge_prev = prev && prev->off + prev->len == off;
	merge_next = next && off + len == next->off;
	if (merge_prev && merge_next) {
		prev->len += len + next->len;
		rb_erase(&next->rb, &a->free);
		a->nr_free--;
		if (*spare)
			kmem_cache_free(vmc_free_run_cache, next);
		else
			*spare = next;
	} else if (merge_prev) {
		prev->len += len;
	} else if (merge_next) {
		next->off = off;
		next->len += len;
	} else {
		if (!*spare)
			return false;
		run = *spare;
		*spare = NULL;
		run->off = off;
		run->len = len;
		rb_link_node(&run->rb, parent, link);
		rb_insert_color(&run->rb, &a->free);
		a->nr_free++;
	}
	a->free_bytes += len;
	return true;
}

/**
 * vmc_extent_put() - return a value's extents to the pool
 * @a: allocator
 * @ext: extents, as vmc_extent_get() returned them
 * @nr: number of extents
 *
 * Cannot fail: a node the tree needs is allocated with the lock dropped and
 * __GFP_NOFAIL, because losing pool space is not an option and the node is
 * a small slab object.  One node is allocated before the lock is taken, so
 * that freeing a one-extent value takes the lock once whether or not it
 * merges.  Must be called from process context.
 */
void vmc_extent_put(struct vmc_extent_alloc *a, const struct vmc_extent *ext,
		    unsigned int nr)
{
	struct vmc_free_run *spare;
	unsigned int i = 0;

	might_sleep();
	spare = kmem_cache_alloc(vmc_free_run_cache, a->gfp | __GFP_NOFAIL);
	vmc_alloc_lock(a);
	while (i < nr) {
		if (vmc_free_insert(a, ext[i].off, ext[i].len, &spare)) {
			i++;
			continue;
		}
		spin_unlock(&a->lock);
		spare = kmem_cache_alloc(vmc_free_run_cache,
					 a->gfp | __GFP_NOFAIL);
		vmc_alloc_lock(a);
	}
	spin_unlock(&a->lock);
	if (spare)
		kmem_cache_free(vmc_free_run_cache, spare);
}

/**
 * vmc_extent_usage() - read the allocator's counters
 * @a: allocator
 * @u: out: the counters
 */
void vmc_extent_usage(struct vmc_extent_alloc *a, struct vmc_extent_usage *u)
{
	spin_lock(&a->lock);
	u->used = a->size - a->free_bytes;
	u->nr_free = a->nr_free;
	u->lock_acquired = a->lock_acquired;
	u->lock_contended = a->lock_contended;
	spin_unlock(&a->lock);
}

int vmc_extent_cache_init(void)
{
	vmc_free_run_cache = KMEM_CACHE(vmc_free_run, 0);
	return vmc_free_run_cache ? 0 : -ENOMEM;
}

void vmc_extent_cache_exit(void)
{
	kmem_cache_destroy(vmc_free_run_cache);
}
