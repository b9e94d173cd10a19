/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extent allocator of a vmemcache pool.
 *
 * The pool is a range of bytes [0, size) split into units of extent_size
 * bytes.  Free space is kept as maximal runs of free units in an rbtree
 * ordered by offset; freed runs coalesce with their neighbours.  A value
 * takes as many free runs as it needs, lowest offsets first, so any free
 * space can be used and the pool never needs compaction.
 *
 * Ranges of failed media are poisoned: the free space in them leaves the
 * tree at once, and extents in them are withheld when their values free
 * them, so nothing is ever allocated there again.
 */
#ifndef _VMEMCACHE_EXTENT_ALLOC_H
#define _VMEMCACHE_EXTENT_ALLOC_H

#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "lock_stat.h"

/**
 * struct vmc_extent - a run of pool bytes owned by one value
 * @off: byte offset in the pool, a multiple of the extent size
 * @len: length in bytes, a multiple of the extent size
 */
struct vmc_extent {
	u64 off;
	u64 len;
};

struct vmc_free_run;

/**
 * struct vmc_extent_alloc - free-space allocator of one pool
 * @lock: protects @free, @free_bytes, @nr_free, @poison, @poisoned and
 *	  the writes of @lock_stat
 * @free: free runs (struct vmc_free_run) ordered by offset
 * @free_bytes: bytes in @free
 * @nr_free: number of runs in @free
 * @poison: poisoned ranges as reported (not unit aligned), sorted by offset
 *	    and disjoint; each covers the whole extents it touches.  An
 *	    array, so that the struct can be copied.
 * @nr_poison: elements of @poison
 * @poisoned: bytes out of service: taken out of @free when poisoned, or
 *	      withheld when the value holding them was freed.  Free, used
 *	      and poisoned bytes add up to @size.
 * @size: pool bytes managed, a multiple of @unit
 * @unit: the extent size, the allocation granularity
 * @lock_stat: how @lock was taken (a debug statistic)
 * @gfp: allocation flags of the free-run nodes
 * @spare: a free-run node not in @free, kept for the next free that needs
 *	   one; under @lock, read without it as a hint
 */
struct vmc_extent_alloc {
	spinlock_t lock;	/* protects free, free_bytes, nr_free, poison */
	struct rb_root free;
	u64 free_bytes;
	u64 nr_free;
	struct vmc_extent *poison;
	unsigned int nr_poison;
	u64 poisoned;
	u64 size;
	u32 unit;
	struct vmc_lock_stat lock_stat;
	gfp_t gfp;
	struct vmc_free_run *spare;
};

/*
 * Most extents one value is split into: its extent array (16 bytes an
 * extent) stays at 16 MiB at most, and one allocation walks at most that
 * many free runs under the allocator's lock.  The userspace tests lower it.
 */
#ifndef VMC_EXTENT_MAX_NR
#define VMC_EXTENT_MAX_NR	BIT(20)
#endif

int vmc_extent_alloc_init(struct vmc_extent_alloc *a, u64 size, u32 unit,
			  gfp_t gfp);
void vmc_extent_alloc_destroy(struct vmc_extent_alloc *a);
int vmc_extent_get(struct vmc_extent_alloc *a, u64 len, struct vmc_extent *ext,
		   unsigned int max, unsigned int *nr);
void vmc_extent_put(struct vmc_extent_alloc *a, const struct vmc_extent *ext,
		    unsigned int nr);
int vmc_extent_poison(struct vmc_extent_alloc *a, u64 off, u64 len);
int vmc_extent_poison_copy(struct vmc_extent_alloc *dst,
			   struct vmc_extent_alloc *src);
/**
 * struct vmc_extent_usage - what an allocator reports
 * @used: bytes allocated
 * @poisoned: bytes out of service (see vmc_extent_alloc.poisoned)
 * @nr_free: free runs
 * @lock_acquired: acquisitions of the allocator's lock
 * @lock_contended: of those, how many had to wait
 */
struct vmc_extent_usage {
	u64 used;
	u64 poisoned;
	u64 nr_free;
	u64 lock_acquired;
	u64 lock_contended;
};

void vmc_extent_usage(struct vmc_extent_alloc *a, struct vmc_extent_usage *u);
void vmc_extent_walk_free(struct vmc_extent_alloc *a,
			  bool (*fn)(u64 off, u64 len, void *arg), void *arg,
			  struct vmc_extent_usage *u);

int vmc_extent_cache_init(void);
void vmc_extent_cache_exit(void);

#endif /* _VMEMCACHE_EXTENT_ALLOC_H */
