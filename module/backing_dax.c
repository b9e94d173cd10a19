// SPDX-License-Identifier: GPL-2.0
/*
 * DAX backing of a vmemcache pool: the memory of a persistent-memory block
 * device (/dev/pmemN in fsdax mode), claimed exclusively and mapped whole
 * with dax_direct_access(), as drivers/md/dm-writecache.c maps its cache.
 *
 * A device may come back in several virtually contiguous ranges; a sorted
 * table of them turns pool offsets into kernel addresses.  Reads use the
 * machine-check-safe copies so that a media error fails one get with -EIO
 * instead of taking the machine down.
 *
 * Media errors the device knows about are its bad blocks (the driver's
 * badblocks list, /sys/block/pmemN/badblocks): pages with bad blocks at
 * claim time are left unmapped and reported in vmc_backing.bad, and a read
 * that touches a bad block fails with -EIO without touching the media,
 * as the pmem driver's own reads do.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/badblocks.h>
#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pfn_t.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "backing.h"

/**
 * struct vmc_dax_range - pool bytes mapped at one kernel address
 * @off: pool offset of the range
 * @len: its length in bytes
 * @kaddr: where it is mapped
 */
struct vmc_dax_range {
	u64 off;
	u64 len;
	void *kaddr;
};

/**
 * struct vmc_backing_dax - a claimed DAX block device
 * @b: the backing
 * @bdev: the block device, opened exclusively
 * @dax_dev: its DAX device
 * @holder: the holder of @dax_dev (the cache)
 * @bb: the device's bad blocks, or NULL; the driver's, valid while it is
 *	bound (a removal retires the whole pool first, so no read follows)
 * @start_off: byte offset of @bdev (a partition) in @dax_dev
 * @nr_ranges: elements of @ranges
 * @ranges: where the pool is mapped, sorted by offset; pages with bad
 *	    blocks at claim time fall between ranges
 * @path: the device path
 */
struct vmc_backing_dax {
	struct vmc_backing b;
	struct block_device *bdev;
	struct dax_device *dax_dev;
	void *holder;
	struct badblocks *bb;
	u64 start_off;
	unsigned int nr_ranges;
	struct vmc_dax_range *ranges;
	char path[];
};

#define VMC_DAX_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

/*
 * Copies of at most this many bytes at a time: copy_mc_* take an unsigned
 * length, and an iov_iter covers at most MAX_RW_COUNT bytes.
 */
#define VMC_DAX_CHUNK	SZ_1G

/*
 * A benchmark knob: puts copy into pmem with non-temporal stores that
 * bypass the CPU caches (_copy_from_iter_flushcache(), what the pmem
 * driver and dm-writecache use), or, when it is off, with plain
 * copy_from_user().  The cache needs no persistence, so this is only about
 * speed and cache pollution; the non-temporal copy measured faster (see
 * Documentation/admin-guide/vmemcache-performance.rst) and is the default.
 */
static bool dax_flushcache = true;
module_param(dax_flushcache, bool, 0644);
MODULE_PARM_DESC(dax_flushcache, "Benchmark knob: copy values into pmem with non-temporal stores (default Y; N: copy_from_user)");

static struct vmc_backing_dax *to_dax(struct vmc_backing *b)
{
	return container_of(b, struct vmc_backing_dax, b);
}

/* The mapped address of pool offset @off, and how many bytes follow it. */
static void *vmc_dax_addr(struct vmc_backing_dax *d, u64 off, u64 *avail)
{
	unsigned int lo = 0, hi = d->nr_ranges;

	while (hi - lo > 1) {
		unsigned int mid = (lo + hi) / 2;

		if (d->ranges[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	*avail = d->ranges[lo].off + d->ranges[lo].len - off;
	return d->ranges[lo].kaddr + (off - d->ranges[lo].off);
}

/* Copy with non-temporal stores, which bypass the CPU caches. */
static int vmc_dax_write_nt(struct vmc_backing_dax *d, u64 off,
			    const void __user *src, size_t len)
{
	struct iov_iter iter;
	struct iovec iov;
	int ret;

	while (len) {
		u64 avail;
		void *addr = vmc_dax_addr(d, off, &avail);
		size_t n = min3((u64)len, avail, (u64)VMC_DAX_CHUNK);

		/* An iov_iter takes at most MAX_RW_COUNT: one per chunk. */
		ret = import_single_range(ITER_SOURCE, (void __user *)src, n,
					  &iov, &iter);
		if (ret)
			return ret;
		if (_copy_from_iter_flushcache(addr, n, &iter) != n)
			return -EFAULT;
		off += n;
		src += n;
		len -= n;
	}
	/* Non-temporal stores are weakly ordered: fence before linking. */
	wmb();
	return 0;
}

static int vmc_dax_write(struct vmc_backing *b, u64 off,
			 const void __user *src, size_t len)
{
	struct vmc_backing_dax *d = to_dax(b);

	if (READ_ONCE(dax_flushcache))
		return vmc_dax_write_nt(d, off, src, len);
	while (len) {
		u64 avail;
		void *addr = vmc_dax_addr(d, off, &avail);
		size_t n = min3((u64)len, avail, (u64)VMC_DAX_CHUNK);

		if (copy_from_user(addr, src, n))
			return -EFAULT;
		off += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* Sectors badblocks_check() looks at in one call (it takes an int). */
#define VMC_DAX_BB_CHUNK	BIT(30)

/*
 * Whether pool bytes [off, off + len) hold a known bad block; if so, the
 * first bad range in them goes to @bad.
 */
static bool vmc_dax_badblocks(struct vmc_backing_dax *d, u64 off, u64 len,
			      struct vmc_extent *bad)
{
	u64 start = d->start_off + off, end = start + len;
	sector_t s = start >> SECTOR_SHIFT, last, first;
	int nr;

	if (!d->bb || !READ_ONCE(d->bb->count))
		return false;
	for (last = DIV_ROUND_UP_ULL(end, SECTOR_SIZE); s < last;
	     s += VMC_DAX_BB_CHUNK) {
		if (!badblocks_check(d->bb, s,
				     min_t(sector_t, last - s, VMC_DAX_BB_CHUNK),
				     &first, &nr))
			continue;
		bad->off = max_t(u64, (u64)first << SECTOR_SHIFT, start);
		bad->len = min_t(u64, (u64)(first + nr) << SECTOR_SHIFT, end) -
			   bad->off;
		bad->off -= d->start_off;
		return true;
	}
	return false;
}

/*
 * A short machine-check-safe copy means a user fault or poisoned media; a
 * machine-check-safe read of the failing byte into the kernel tells them
 * apart.  Poison is reported by page, as memory_failure() handles it.
 */
static int vmc_dax_read_failed(const void *addr, u64 off,
			       struct vmc_extent *bad)
{
	u8 byte;

	if (!copy_mc_to_kernel(&byte, addr, 1))
		return -EFAULT;
	bad->off = round_down(off, PAGE_SIZE);
	bad->len = PAGE_SIZE;
	return -EIO;
}

static int vmc_dax_read(struct vmc_backing *b, u64 off, void __user *dst,
			size_t len, struct vmc_extent *bad)
{
	struct vmc_backing_dax *d = to_dax(b);
	struct iov_iter iter;
	struct iovec iov;
	int ret;

	if (vmc_dax_badblocks(d, off, len, bad))
		return -EIO;
	while (len) {
		u64 avail;
		void *addr = vmc_dax_addr(d, off, &avail);
		size_t n = min3((u64)len, avail, (u64)VMC_DAX_CHUNK), done;

		/* An iov_iter takes at most MAX_RW_COUNT: one per chunk. */
		ret = import_single_range(ITER_DEST, dst, n, &iov, &iter);
		if (ret)
			return ret;
		done = _copy_mc_to_iter(addr, n, &iter);
		if (done != n)
			return vmc_dax_read_failed(addr + done, off + done, bad);
		off += n;
		dst += n;
		len -= n;
	}
	return 0;
}

static void vmc_dax_destroy(struct vmc_backing *b)
{
	struct vmc_backing_dax *d = to_dax(b);

	kvfree(d->b.bad);
	kvfree(d->ranges);
	fs_put_dax(d->dax_dev, d->holder);
	blkdev_put(d->bdev, VMC_DAX_MODE);
	kfree(d);
}

static struct vmc_backing *vmc_dax_resize(struct vmc_backing *b, u64 size)
{
	return size <= b->size ? b : ERR_PTR(-EINVAL);
}

static const struct vmc_backing_ops vmc_dax_ops = {
	.write = vmc_dax_write,
	.read = vmc_dax_read,
	.resize = vmc_dax_resize,
	.destroy = vmc_dax_destroy,
};

bool vmc_backing_is_dax(const struct vmc_backing *b)
{
	return b->ops == &vmc_dax_ops;
}

/**
 * vmc_backing_dax_range() - the pool range of a range of a DAX device
 * @b: backing
 * @dax_dev: DAX device that reported a failure
 * @off: in: offset in @dax_dev; out: pool offset
 * @len: in: length; out: length of the part inside the pool
 *
 * Return: true when @b is on @dax_dev and the range overlaps its pool.
 */
bool vmc_backing_dax_range(const struct vmc_backing *b,
			   const struct dax_device *dax_dev, u64 *off,
			   u64 *len)
{
	const struct vmc_backing_dax *d;
	u64 start, end;

	if (!vmc_backing_is_dax(b))
		return false;
	d = container_of(b, struct vmc_backing_dax, b);
	if (d->dax_dev != dax_dev)
		return false;
	start = max(*off, d->start_off);
	end = *len > U64_MAX - *off ? U64_MAX : *off + *len;
	end = min(end, d->start_off + b->size);
	if (start >= end)
		return false;
	*off = start - d->start_off;
	*len = end - start;
	return true;
}

/* Record pool pages [first, last) as bad at claim time. */
static int vmc_dax_add_bad(struct vmc_backing_dax *d, long first, long last)
{
	struct vmc_extent *bad;

	bad = kvrealloc(d->b.bad, d->b.nr_bad * sizeof(*bad),
			(d->b.nr_bad + 1) * sizeof(*bad), GFP_KERNEL);
	if (!bad)
		return -ENOMEM;
	d->b.bad = bad;
	bad[d->b.nr_bad].off = (u64)first << PAGE_SHIFT;
	bad[d->b.nr_bad++].len = (u64)(last - first) << PAGE_SHIFT;
	return 0;
}

/*
 * dax_direct_access() failed with -EIO at pool page @done: find the first
 * page with a bad block from there on.  Return how many pages before it
 * are good, or 0 after recording the bad pages and moving *done past them.
 */
static long vmc_dax_skip_bad(struct vmc_backing_dax *d, long *done,
			     long npages, int *err)
{
	u64 off = (u64)*done << PAGE_SHIFT;
	struct vmc_extent bad;
	long first, last;

	*err = -EIO;
	if (!vmc_dax_badblocks(d, off, ((u64)npages << PAGE_SHIFT) - off, &bad))
		return 0;
	first = bad.off >> PAGE_SHIFT;
	if (first > *done) {
		*err = 0;
		return first - *done;
	}
	last = min_t(long, DIV_ROUND_UP_ULL(bad.off + bad.len, PAGE_SIZE),
		     npages);
	*err = vmc_dax_add_bad(d, first, last);
	*done = last;
	return 0;
}

/*
 * Map the whole device, merging ranges that happen to be contiguous and
 * leaving out pages with bad blocks.
 */
static int vmc_dax_map(struct vmc_backing_dax *d, u64 size)
{
	pgoff_t pgoff = d->start_off >> PAGE_SHIFT;
	long npages = size >> PAGE_SHIFT, done = 0, want;
	struct vmc_dax_range *last = NULL;
	int id, err;

	d->ranges = kvcalloc(1, sizeof(*d->ranges), GFP_KERNEL);
	if (!d->ranges)
		return -ENOMEM;
	while (done < npages) {
		struct vmc_dax_range *r;
		void *kaddr;
		pfn_t pfn;
		long n;

		want = npages - done;
		id = dax_read_lock();
		n = dax_direct_access(d->dax_dev, pgoff + done, want,
				      DAX_ACCESS, &kaddr, &pfn);
		dax_read_unlock(id);
		if (n == -EIO) {
			want = vmc_dax_skip_bad(d, &done, npages, &err);
			if (err)
				return err;
			if (!want)
				continue;	/* skipped bad pages */
			id = dax_read_lock();
			n = dax_direct_access(d->dax_dev, pgoff + done, want,
					      DAX_ACCESS, &kaddr, &pfn);
			dax_read_unlock(id);
		}
		if (n <= 0)
			return n ? n : -EIO;
		n = min(n, want);
		if (last && last->kaddr + last->len == kaddr &&
		    last->off + last->len == (u64)done << PAGE_SHIFT) {
			last->len += (u64)n << PAGE_SHIFT;
		} else {
			if (last) {
				r = kvrealloc(d->ranges,
					      d->nr_ranges * sizeof(*r),
					      (d->nr_ranges + 1) * sizeof(*r),
					      GFP_KERNEL);
				if (!r)
					return -ENOMEM;
				d->ranges = r;
			}
			last = &d->ranges[d->nr_ranges++];
			last->off = (u64)done << PAGE_SHIFT;
			last->len = (u64)n << PAGE_SHIFT;
			last->kaddr = kaddr;
		}
		done += n;
		cond_resched();
	}
	return 0;
}

/*
 * The checks and the mapping of a device @d has claimed (d->bdev), shared
 * by both ways of naming the device; @holder and @ops as for
 * vmc_backing_dax_create().  Frees @d on failure.
 */
static struct vmc_backing *vmc_dax_setup(struct vmc_backing_dax *d,
					 u64 min_size, void *holder,
					 const struct dax_holder_operations *ops)
{
	const char *path = d->path;
	u64 size;
	int ret;

	ret = -EOPNOTSUPP;
	if (!blk_queue_dax(bdev_get_queue(d->bdev))) {
		pr_warn("%s: not a DAX-capable device\n", path);
		goto err_put;
	}
	ret = -EINVAL;
	if (!IS_ALIGNED(get_start_sect(d->bdev) << SECTOR_SHIFT, PAGE_SIZE)) {
		pr_warn("%s: partition start not page aligned\n", path);
		goto err_put;
	}
	ret = -EBUSY;
	d->holder = holder;
	d->dax_dev = fs_dax_get_by_bdev(d->bdev, &d->start_off, holder, ops);
	if (!d->dax_dev) {
		pr_warn("%s: its DAX device is in use\n", path);
		goto err_put;
	}
	size = round_down(bdev_nr_bytes(d->bdev), PAGE_SIZE);
	ret = -ENOSPC;
	if (size < min_size) {
		pr_warn("%s: %llu bytes, smaller than %llu\n", path, size,
			min_size);
		goto err_dax;
	}
	d->bb = d->bdev->bd_disk->bb;
	ret = vmc_dax_map(d, size);
	if (ret) {
		pr_warn("%s: cannot map the device: %d\n", path, ret);
		goto err_dax;
	}
	d->b.ops = &vmc_dax_ops;
	d->b.name = d->path;
	d->b.size = size;
	return &d->b;

err_dax:
	kvfree(d->b.bad);
	kvfree(d->ranges);
	fs_put_dax(d->dax_dev, holder);
err_put:
	blkdev_put(d->bdev, VMC_DAX_MODE);
	kfree(d);
	return ERR_PTR(ret);
}

/**
 * vmc_backing_dax_create() - claim a DAX block device as a pool
 * @path: path of the block device, e.g. /dev/pmem0
 * @min_size: smallest usable pool
 * @holder: becomes the holder of the device's dax_device (the cache)
 * @ops: the holder's operations: where memory failures are reported
 *
 * The device is opened exclusively (nobody can mount it or claim it while
 * the cache holds it) and @holder becomes the holder of its dax_device.
 * Pages with bad blocks are left out of the mapping and listed in the
 * backing's @bad.  Every failure is logged once, with its reason.
 *
 * Return: the backing, sized to the whole device (page aligned), or an
 * ERR_PTR: -ENOENT, -ENOTBLK, -EBUSY (in use), -EOPNOTSUPP (not DAX
 * capable), -EINVAL (unaligned partition), -ENOSPC (smaller than
 * @min_size), -ENOMEM, -EIO.
 */
struct vmc_backing *vmc_backing_dax_create(const char *path, u64 min_size,
					   void *holder,
					   const struct dax_holder_operations *ops)
{
	struct vmc_backing_dax *d;
	int ret;

	d = kzalloc(struct_size(d, path, strlen(path) + 1), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	strcpy(d->path, path);

	d->bdev = blkdev_get_by_path(path, VMC_DAX_MODE, d);
	if (IS_ERR(d->bdev)) {
		ret = PTR_ERR(d->bdev);
		pr_warn("%s: cannot claim the device: %d\n", path, ret);
		kfree(d);
		return ERR_PTR(ret);
	}
	return vmc_dax_setup(d, min_size, holder, ops);
}

/* Room for "/dev/" and a block device name. */
#define VMC_DAX_NAME_MAX	(5 + BDEVNAME_SIZE)

/**
 * vmc_backing_dax_create_dev() - claim a DAX block device given its number
 * @dev: the device, from a descriptor the caller opened for writing
 * @min_size: smallest usable pool
 *
 * Like vmc_backing_dax_create(); the backing is named /dev/<disk name>.
 * The backing itself holds the dax_device, without holder operations:
 * the cache it will serve does not exist yet, so memory-failure
 * notifications do not reach it (a get that reads poison still fails
 * with -EIO and drops its entry).
 *
 * Return: the backing or an ERR_PTR, as vmc_backing_dax_create().
 */
struct vmc_backing *vmc_backing_dax_create_dev(dev_t dev, u64 min_size)
{
	struct vmc_backing_dax *d;
	int ret;

	d = kzalloc(struct_size(d, path, VMC_DAX_NAME_MAX), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->bdev = blkdev_get_by_dev(dev, VMC_DAX_MODE, d);
	if (IS_ERR(d->bdev)) {
		ret = PTR_ERR(d->bdev);
		pr_warn("device %u:%u: cannot claim it: %d\n", MAJOR(dev),
			MINOR(dev), ret);
		kfree(d);
		return ERR_PTR(ret);
	}
	snprintf(d->path, VMC_DAX_NAME_MAX, "/dev/%pg", d->bdev);
	return vmc_dax_setup(d, min_size, d, NULL);
}
