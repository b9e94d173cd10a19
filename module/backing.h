/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backing store of a vmemcache pool: where value bytes live.
 *
 * The cache addresses its pool by byte offset and never touches the memory
 * directly; it copies user data in and out through these operations, so
 * DRAM and DAX backings are interchangeable.
 */
#ifndef _VMEMCACHE_BACKING_H
#define _VMEMCACHE_BACKING_H

#include <linux/types.h>

#include "extent_alloc.h"

struct file;
struct vm_area_struct;
struct vmc_backing;

/**
 * struct vmc_backing_ops - operations of a backing store
 * @write: copy @len bytes from user memory to pool offset @off;
 *	   0, -EFAULT or -ENXIO
 * @read: copy @len bytes from pool offset @off to user memory;
 *	  0, -EFAULT, or -EIO on a media error, with the pool range found
 *	  bad in @bad, or -ENXIO once the device behind the backing is
 *	  gone
 * @read_kernel: as @read, to kernel memory (never -EFAULT)
 * @write_kernel: as @write, from kernel memory: 0, -EIO (a file that
 *		  cannot be written) or -ENXIO; for moving a value between
 *		  the tiers of a cache
 * @resize: a backing of @size bytes: @b itself if it can serve that
 *	    size, else a new one (an ERR_PTR on failure; @b is unchanged)
 * @node_pages: optional: add the pool's pages on each NUMA node to
 *		@pages[nid], for nid below nr_node_ids
 * @mmap: optional: map the pool read-only into @vma, from its start, no
 *	  longer than the pool (rounded up to a page); 0 or an error
 * @destroy: release the backing and free @b
 *
 * The cache calls @read and @write with page faults disabled: a user page
 * not in memory fails them with -EFAULT, and the cache faults it in with
 * no lock held.  The range is always inside the pool.
 */
struct vmc_backing_ops {
	int (*write)(struct vmc_backing *b, u64 off, const void __user *src,
		     size_t len);
	int (*read)(struct vmc_backing *b, u64 off, void __user *dst,
		    size_t len, struct vmc_extent *bad);
	int (*read_kernel)(struct vmc_backing *b, u64 off, void *dst,
			   size_t len, struct vmc_extent *bad);
	int (*write_kernel)(struct vmc_backing *b, u64 off, const void *src,
			    size_t len);
	struct vmc_backing *(*resize)(struct vmc_backing *b, u64 size);
	void (*node_pages)(struct vmc_backing *b, u64 *pages);
	int (*mmap)(struct vmc_backing *b, struct vm_area_struct *vma);
	void (*destroy)(struct vmc_backing *b);
};

/**
 * struct vmc_backing - a backing store, embedded in its implementation
 * @ops: its operations
 * @name: what backing_dev shows: "none" for DRAM, else the device path
 * @size: bytes usable by the pool
 * @bad: pool ranges known to be bad when the backing was created (the
 *	 device's bad blocks), to be kept out of service
 * @nr_bad: elements of @bad
 */
struct vmc_backing {
	const struct vmc_backing_ops *ops;
	const char *name;
	u64 size;
	struct vmc_extent *bad;
	unsigned int nr_bad;
};

/**
 * typedef vmc_media_failure_fn - where a DAX backing reports failed media
 * @owner: what the backing's creator passed with this function
 * @b: the backing
 * @off: pool offset of the failed range
 * @len: its length in bytes (clipped to the backing); the whole backing
 *	 when the device is going away
 *
 * Called from the device's memory-failure notification, which may sleep;
 * never after the backing's @destroy has returned.
 *
 * Return: 0 when handled, -EOPNOTSUPP to let memory_failure() handle it.
 */
typedef int (*vmc_media_failure_fn)(void *owner, struct vmc_backing *b,
				    u64 off, u64 len);

struct vmc_backing *vmc_backing_dram_create(u64 size, gfp_t gfp, int nid);
int vmc_backing_dram_check_node(int nid);
struct vmc_backing *vmc_backing_dax_create(const char *path, u64 min_size,
					   vmc_media_failure_fn failure,
					   void *owner);
struct vmc_backing *vmc_backing_dax_create_dev(dev_t dev, u64 min_size);
struct vmc_backing *vmc_backing_file_create(struct file *user, u64 size,
					    u64 min_size);
bool vmc_backing_is_dax(const struct vmc_backing *b);

#endif /* _VMEMCACHE_BACKING_H */
