// SPDX-License-Identifier: GPL-2.0
/*
 * Extent allocator of a vmemcache pool: free runs in an rbtree by offset,
 * allocation from the lowest free runs, coalescing on free.
 *
 * Nothing here allocates memory under the allocator's spinlock: taking
 * space consumes or shrinks runs, and a freed extent that does not merge
 * with a neighbour gets a node allocated with the lock dropped.  One node
 * a used-up run leaves is kept as the allocator's spare: a full cache of
 * values of varied sizes frees a victim's extents and uses up a run at
 * most puts, and the spare saves each a slab allocation and a free.
 *
 * Poisoned ranges (failed media) are never free: poisoning cuts them out
 * of the free runs, and freeing an extent skips the parts of it that are
 * poisoned, counting them in @poisoned instead.
 */
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/minmax.h>
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
	vmc_lock_counted(&a->lock, &a->lock_stat);
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
	a->poison = NULL;
	a->nr_poison = 0;
	a->poisoned = 0;
	a->lock_stat = (struct vmc_lock_stat){};
	a->spare = NULL;
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

	WARN_ON_ONCE(a->free_bytes + a->poisoned != a->size);
	rbtree_postorder_for_each_entry_safe(run, tmp, &a->free, rb)
		kmem_cache_free(vmc_free_run_cache, run);
	a->free = RB_ROOT;
	a->free_bytes = 0;
	a->nr_free = 0;
	kfree(a->poison);
	a->poison = NULL;
	a->nr_poison = 0;
	a->poisoned = 0;
	if (a->spare)
		kmem_cache_free(vmc_free_run_cache, a->spare);
	a->spare = NULL;
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
 * A value is never split into more than VMC_EXTENT_MAX_NR extents, so that
 * its extent array stays a reasonable allocation and the walk under the
 * lock stays short: a pool too fragmented to hold it in that many runs is
 * as full, for this value, as a pool without the free bytes.
 *
 * Return: 0, -ENOSPC when the pool has fewer free bytes than needed or
 * they lie in more than VMC_EXTENT_MAX_NR runs, or -EOVERFLOW when @max is
 * too small (retry with an array of *@nr).
 */
int vmc_extent_get(struct vmc_extent_alloc *a, u64 len, struct vmc_extent *ext,
		   unsigned int max, unsigned int *nr)
{
	struct vmc_free_run *run;
	unsigned int n = 0, i;
	u64 need, left;

	/* Never fits, and rounding it up could wrap around to a small size. */
	if (len > a->size)
		return -ENOSPC;
	need = roundup(len, (u64)a->unit);
	/*
	 * A full pool is the common case of a put that evicts: tell it
	 * without the lock.  A free that races with this read is one that
	 * came after it; the check under the lock below is the one that
	 * allocates.
	 */
	if (need > READ_ONCE(a->free_bytes))
		return -ENOSPC;
	vmc_alloc_lock(a);
	if (need > a->free_bytes) {
		spin_unlock(&a->lock);
		return -ENOSPC;
	}

	/* One walk: note the runs the value takes, as many as @ext holds. */
	for (left = need, run = run_of(rb_first(&a->free)); left;
	     run = run_of(rb_next(&run->rb))) {
		u64 take = min(left, run->len);

		if (n == VMC_EXTENT_MAX_NR) {
			spin_unlock(&a->lock);
			return -ENOSPC;
		}
		if (n < max) {
			ext[n].off = run->off;
			ext[n].len = take;
		}
		left -= take;
		n++;
	}
	if (n > max) {
		spin_unlock(&a->lock);
		*nr = n;
		return -EOVERFLOW;
	}

	/* Take them: the lowest runs, used up but for the last one. */
	for (i = 0; i < n; i++) {
		run = run_of(rb_first(&a->free));
		if (ext[i].len == run->len) {
			rb_erase(&run->rb, &a->free);
			a->nr_free--;
			if (a->spare)
				kmem_cache_free(vmc_free_run_cache, run);
			else
				WRITE_ONCE(a->spare, run);
		} else {
			run->off += ext[i].len;
			run->len -= ext[i].len;
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

/* The poisoned range @p rounded out to whole units: [*start, *end). */
static void vmc_poison_span(const struct vmc_extent_alloc *a,
			    const struct vmc_extent *p, u64 *start, u64 *end)
{
	*start = rounddown(p->off, (u64)a->unit);
	*end = max(*start, min(roundup(p->off + p->len, (u64)a->unit),
			       a->size));
}

/*
 * Of the bytes [off, end): return how many leading ones are poisoned, or,
 * when none is, 0 with the number of leading healthy ones in *good.
 */
static u64 vmc_poison_prefix(const struct vmc_extent_alloc *a, u64 off,
			     u64 end, u64 *good)
{
	unsigned int i;
	u64 ps, pe;

	lockdep_assert_held(&a->lock);
	*good = end - off;
	for (i = 0; i < a->nr_poison; i++) {
		vmc_poison_span(a, &a->poison[i], &ps, &pe);
		if (ps <= off && off < pe)
			return min(pe, end) - off;
		if (ps > off && ps < end) {
			*good = ps - off;
			break;
		}
	}
	return 0;
}

/**
 * vmc_extent_put() - return a value's extents to the pool
 * @a: allocator
 * @ext: extents, as vmc_extent_get() returned them
 * @nr: number of extents
 *
 * Parts of the extents that are poisoned stay out of the pool.
 *
 * Cannot fail: a node the tree needs is allocated with the lock dropped and
 * __GFP_NOFAIL, because losing pool space is not an option and the node is
 * a small slab object.  Unless the allocator has a spare node, one is
 * allocated before the lock is taken, so that freeing a one-extent value
 * takes the lock once whether or not it merges.  Must be called from
 * process context.
 */
void vmc_extent_put(struct vmc_extent_alloc *a, const struct vmc_extent *ext,
		    unsigned int nr)
{
	struct vmc_free_run *spare;
	unsigned int i = 0;
	u64 pos = nr ? ext[0].off : 0;

	might_sleep();
	/* A hint: a spare taken meanwhile is allocated in the loop. */
	spare = READ_ONCE(a->spare) ? NULL :
		kmem_cache_alloc(vmc_free_run_cache, a->gfp | __GFP_NOFAIL);
	vmc_alloc_lock(a);
	if (!spare) {
		spare = a->spare;
		WRITE_ONCE(a->spare, NULL);
	}
	while (i < nr) {
		u64 end = ext[i].off + ext[i].len, good, bad;

		bad = vmc_poison_prefix(a, pos, end, &good);
		if (bad) {
			a->poisoned += bad;
			pos += bad;
		} else if (vmc_free_insert(a, pos, good, &spare)) {
			pos += good;
		} else {
			spin_unlock(&a->lock);
			spare = kmem_cache_alloc(vmc_free_run_cache,
						 a->gfp | __GFP_NOFAIL);
			vmc_alloc_lock(a);
			continue;
		}
		if (pos == end && ++i < nr)
			pos = ext[i].off;
	}
	if (!a->spare) {
		WRITE_ONCE(a->spare, spare);
		spare = NULL;
	}
	spin_unlock(&a->lock);
	if (spare)
		kmem_cache_free(vmc_free_run_cache, spare);
}

/* Insert a run that overlaps no other into the free tree. */
static void vmc_free_link(struct vmc_extent_alloc *a, struct vmc_free_run *run)
{
	struct rb_node **link = &a->free.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (run->off < run_of(parent)->off)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&run->rb, parent, link);
	rb_insert_color(&run->rb, &a->free);
}

/* Take the units [start, end) out of the free runs, counting them. */
static void vmc_free_cut(struct vmc_extent_alloc *a, u64 start, u64 end,
			 struct vmc_free_run **spare)
{
	struct rb_node *node = a->free.rb_node, *next;
	struct vmc_free_run *run, *first = NULL;

	lockdep_assert_held(&a->lock);
	/* The first run that ends after start. */
	while (node) {
		run = run_of(node);
		if (run->off + run->len > start) {
			first = run;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	for (run = first; run && run->off < end; run = run_of(next)) {
		u64 run_end = run->off + run->len;
		u64 cs = max(run->off, start), ce = min(run_end, end);

		next = rb_next(&run->rb);
		a->free_bytes -= ce - cs;
		a->poisoned += ce - cs;
		if (cs == run->off && ce == run_end) {
			rb_erase(&run->rb, &a->free);
			a->nr_free--;
			kmem_cache_free(vmc_free_run_cache, run);
		} else if (cs == run->off) {
			run->off = ce;
			run->len = run_end - ce;
		} else if (ce == run_end) {
			run->len = cs - run->off;
		} else {
			/* The middle of one run: it splits in two. */
			struct vmc_free_run *tail = *spare;

			*spare = NULL;
			run->len = cs - run->off;
			tail->off = ce;
			tail->len = run_end - ce;
			vmc_free_link(a, tail);
			a->nr_free++;
			break;
		}
	}
}

/**
 * vmc_extent_poison() - take a range of failed media out of service
 * @a: allocator
 * @off: pool offset of the range
 * @len: its length; the range may be unaligned and may extend past the
 *	 pool
 *
 * The whole extents the range touches are never allocated again: free
 * ones leave the pool now, allocated ones when their value is freed.  The
 * range is recorded as given, also past the end of the pool, so that an
 * allocator with another size or extent size can take it over
 * (vmc_extent_poison_copy()).  Poisoning a range again changes nothing.
 *
 * Return: 0 or -ENOMEM.
 */
int vmc_extent_poison(struct vmc_extent_alloc *a, u64 off, u64 len)
{
	struct vmc_free_run *spare;
	struct vmc_extent *arr, *old;
	unsigned int nr, i, j, m;
	u64 end, ps, pe;

	might_sleep();
	if (!len)
		return 0;
	end = len > U64_MAX - off ? U64_MAX : off + len;
	spare = kmem_cache_alloc(vmc_free_run_cache, a->gfp);
	if (!spare)
		return -ENOMEM;
	for (;;) {
		nr = READ_ONCE(a->nr_poison);
		arr = kmalloc_array(nr + 1, sizeof(*arr), a->gfp);
		if (!arr) {
			kmem_cache_free(vmc_free_run_cache, spare);
			return -ENOMEM;
		}
		vmc_alloc_lock(a);
		if (nr == a->nr_poison)
			break;
		/* Another range came in meanwhile: size the array again. */
		spin_unlock(&a->lock);
		kfree(arr);
	}

	/* Merge [off, end) with the ranges it overlaps or touches. */
	for (i = 0, j = 0; i < nr && a->poison[i].off + a->poison[i].len < off;
	     i++)
		arr[j++] = a->poison[i];
	for (; i < nr && a->poison[i].off <= end; i++) {
		off = min(off, a->poison[i].off);
		end = max(end, a->poison[i].off + a->poison[i].len);
	}
	m = j++;
	arr[m].off = off;
	arr[m].len = end - off;
	for (; i < nr; i++)
		arr[j++] = a->poison[i];

	old = a->poison;
	a->poison = arr;
	WRITE_ONCE(a->nr_poison, j);
	vmc_poison_span(a, &arr[m], &ps, &pe);
	vmc_free_cut(a, ps, pe, &spare);
	spin_unlock(&a->lock);
	kfree(old);
	if (spare)
		kmem_cache_free(vmc_free_run_cache, spare);
	return 0;
}

/**
 * vmc_extent_poison_copy() - poison in @dst what is poisoned in @src
 * @dst: a new allocator of the same backing, nothing allocated yet
 * @src: the allocator it replaces
 *
 * Return: 0 or -ENOMEM.
 */
int vmc_extent_poison_copy(struct vmc_extent_alloc *dst,
			   struct vmc_extent_alloc *src)
{
	struct vmc_extent p;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret; i++) {
		spin_lock(&src->lock);
		if (i >= src->nr_poison) {
			spin_unlock(&src->lock);
			break;
		}
		p = src->poison[i];
		spin_unlock(&src->lock);
		ret = vmc_extent_poison(dst, p.off, p.len);
	}
	return ret;
}

/**
 * vmc_extent_usage() - read the allocator's counters
 * @a: allocator
 * @u: out: the counters
 */
void vmc_extent_usage(struct vmc_extent_alloc *a, struct vmc_extent_usage *u)
{
	spin_lock(&a->lock);
	u->used = a->size - a->free_bytes - a->poisoned;
	u->poisoned = a->poisoned;
	u->nr_free = a->nr_free;
	vmc_lock_stat_read(&a->lock_stat, &u->lock_acquired,
			   &u->lock_contended);
	spin_unlock(&a->lock);
}

/**
 * vmc_extent_walk_free() - pass every free run to a function, in order
 * @a: allocator
 * @fn: called with each run's offset and length, lowest offset first,
 *	under the allocator's lock (must not sleep); returns false to stop
 * @arg: passed to @fn
 * @u: out: the counters, read under the same lock as the runs
 *
 * For consistency checks, in the kernel and in the userspace tests.
 */
void vmc_extent_walk_free(struct vmc_extent_alloc *a,
			  bool (*fn)(u64 off, u64 len, void *arg), void *arg,
			  struct vmc_extent_usage *u)
{
	struct rb_node *node;

	vmc_alloc_lock(a);
	for (node = rb_first(&a->free); node; node = rb_next(node))
		if (!fn(run_of(node)->off, run_of(node)->len, arg))
			break;
	u->used = a->size - a->free_bytes - a->poisoned;
	u->poisoned = a->poisoned;
	u->nr_free = a->nr_free;
	vmc_lock_stat_read(&a->lock_stat, &u->lock_acquired,
			   &u->lock_contended);
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
