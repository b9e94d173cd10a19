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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/mm.h>
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

struct vmc_backing_dax {
	struct vmc_backing b;
	struct block_device *bdev;
	struct dax_device *dax_dev;
	unsigned int nr_ranges;
	struct vmc_dax_range *ranges;
	char path[];
};

#define VMC_DAX_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

/* Copies of at most this many bytes at a time (copy_mc_* take unsigned). */
#define VMC_DAX_CHUNK	SZ_1G

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

static int vmc_dax_write(struct vmc_backing *b, u64 off,
			 const void __user *src, size_t len)
{
	struct vmc_backing_dax *d = to_dax(b);

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

/*
 * A short machine-check-safe copy means a user fault or poisoned media; a
 * machine-check-safe read of the failing byte into the kernel tells them
 * apart.
 */
static int vmc_dax_read_failed(const void *addr)
{
	u8 byte;

	return copy_mc_to_kernel(&byte, addr, 1) ? -EIO : -EFAULT;
}

static int vmc_dax_read(struct vmc_backing *b, u64 off, void __user *dst,
			size_t len)
{
	struct vmc_backing_dax *d = to_dax(b);
	struct iov_iter iter;
	struct iovec iov;
	int ret;

	ret = import_single_range(ITER_DEST, dst, len, &iov, &iter);
	if (ret)
		return ret;
	while (len) {
		u64 avail;
		void *addr = vmc_dax_addr(d, off, &avail);
		size_t n = min3((u64)len, avail, (u64)VMC_DAX_CHUNK);
		size_t done = _copy_mc_to_iter(addr, n, &iter);

		if (done != n)
			return vmc_dax_read_failed(addr + done);
		off += n;
		len -= n;
	}
	return 0;
}

static void vmc_dax_destroy(struct vmc_backing *b)
{
	struct vmc_backing_dax *d = to_dax(b);

	kvfree(d->ranges);
	fs_put_dax(d->dax_dev, d);
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

/* Map the whole device, merging ranges that happen to be contiguous. */
static int vmc_dax_map(struct vmc_backing_dax *d, u64 start_off, u64 size)
{
	pgoff_t pgoff = start_off >> PAGE_SHIFT;
	long npages = size >> PAGE_SHIFT, done = 0;
	struct vmc_dax_range *last = NULL;
	int id;

	d->ranges = kvcalloc(1, sizeof(*d->ranges), GFP_KERNEL);
	if (!d->ranges)
		return -ENOMEM;
	while (done < npages) {
		struct vmc_dax_range *r;
		void *kaddr;
		pfn_t pfn;
		long n;

		id = dax_read_lock();
		n = dax_direct_access(d->dax_dev, pgoff + done, npages - done,
				      DAX_ACCESS, &kaddr, &pfn);
		dax_read_unlock(id);
		if (n <= 0)
			return n ? n : -EIO;
		n = min(n, npages - done);
		if (last && last->kaddr + last->len == kaddr) {
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
 * by both ways of naming the device.  Frees @d on failure.
 */
static struct vmc_backing *vmc_dax_setup(struct vmc_backing_dax *d,
					 u64 min_size)
{
	const char *path = d->path;
	u64 start_off, size;
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
	d->dax_dev = fs_dax_get_by_bdev(d->bdev, &start_off, d, NULL);
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
	ret = vmc_dax_map(d, start_off, size);
	if (ret) {
		pr_warn("%s: cannot map the device: %d\n", path, ret);
		goto err_dax;
	}
	d->b.ops = &vmc_dax_ops;
	d->b.name = d->path;
	d->b.size = size;
	return &d->b;

err_dax:
	kvfree(d->ranges);
	fs_put_dax(d->dax_dev, d);
err_put:
	blkdev_put(d->bdev, VMC_DAX_MODE);
	kfree(d);
	return ERR_PTR(ret);
}

/**
 * vmc_backing_dax_create() - claim a DAX block device as a pool
 * @path: path of the block device, e.g. /dev/pmem0
 * @min_size: smallest usable pool
 *
 * The device is opened exclusively (nobody can mount it or claim it while
 * the cache holds it) and becomes the holder of its dax_device.  Every
 * failure is logged once, with its reason.
 *
 * Return: the backing, sized to the whole device (page aligned), or an
 * ERR_PTR: -ENOENT, -ENOTBLK, -EBUSY (in use), -EOPNOTSUPP (not DAX
 * capable), -EINVAL (unaligned partition), -ENOSPC (smaller than
 * @min_size), -ENOMEM, -EIO.
 */
struct vmc_backing *vmc_backing_dax_create(const char *path, u64 min_size)
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
	return vmc_dax_setup(d, min_size);
}

/* Room for "/dev/" and a block device name. */
#define VMC_DAX_NAME_MAX	(5 + BDEVNAME_SIZE)

/**
 * vmc_backing_dax_create_dev() - claim a DAX block device given its number
 * @dev: the device, from a descriptor the caller opened for writing
 * @min_size: smallest usable pool
 *
 * Like vmc_backing_dax_create(); the backing is named /dev/<disk name>.
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
	return vmc_dax_setup(d, min_size);
}
