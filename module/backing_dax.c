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
 *
 * Every backing is the holder of its dax_device, with holder operations of
 * its own: a memory failure reaches the backing's owner (the shared cache)
 * through vmc_dax_notify_failure(), and the removal of the device
 * (kill_dax(), which notifies the whole device) marks the backing dead.
 * Each copy to or from the mapping runs in a dax_read_lock() section that
 * checks the backing is alive; kill_dax() waits for those sections after
 * the notification, so nothing touches the mapping or the driver's bad
 * blocks once the device is gone: operations fail with -ENXIO instead.
 * The copies run with page faults disabled and end with -EFAULT at a user
 * page that is not present (the cache faults it in once it holds no lock,
 * and copies again), so a removal waits for a bounded kernel copy, never
 * for a user fault.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/badblocks.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/dax.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "backing.h"
#include "compat.h"

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
 * @claim: what keeps it open
 * @dax_dev: its DAX device, whose holder is this backing
 * @bb: the device's bad blocks, or NULL; the driver's, used only inside a
 *	vmc_dax_enter() section
 * @start_off: byte offset of @bdev (a partition) in @dax_dev
 * @nr_ranges: elements of @ranges
 * @ranges: where the pool is mapped, sorted by offset; pages with bad
 *	    blocks at claim time fall between ranges
 * @dead: the device is going away: the mapping must not be used
 * @node: in vmc_dax_backings while notifications may reach the backing
 * @notifying: 1 while in vmc_dax_backings, plus the notifications running
 * @idle: completed when @notifying drops to 0
 * @failure: where media failures are reported, or NULL
 * @owner: passed to @failure
 * @path: the device path
 */
struct vmc_backing_dax {
	struct vmc_backing b;
	struct block_device *bdev;
	struct vmc_bdev_claim claim;
	struct dax_device *dax_dev;
	struct badblocks *bb;
	u64 start_off;
	unsigned int nr_ranges;
	struct vmc_dax_range *ranges;
	bool dead;
	struct list_head node;
	refcount_t notifying;
	struct completion idle;
	vmc_media_failure_fn failure;
	void *owner;
	char path[];
};

/*
 * The backings that notifications may reach.  A notification finds its
 * backing here by its dax_device rather than through dax_holder(), which
 * fs_put_dax() clears without waiting for notifications in flight.
 */
static DEFINE_SPINLOCK(vmc_dax_lock);
static LIST_HEAD(vmc_dax_backings);

/* Room for "/dev/" and a block device name. */
#define VMC_DAX_NAME_MAX	(5 + BDEVNAME_SIZE)

/*
 * Bytes copied in one vmc_dax_enter() section at most: the longest a
 * removal of the device waits for a copy.  Also below what copy_mc_*
 * (an unsigned length) and an iov_iter (MAX_RW_COUNT) take.
 */
#define VMC_DAX_STEP	SZ_1M

/*
 * How puts copy into pmem: with non-temporal stores that bypass the CPU
 * caches (_copy_from_iter_flushcache(), what the pmem driver and
 * dm-writecache use), or, when it is off, with plain copy_from_user().
 * The cache needs no persistence, so this is only about speed and cache
 * pollution: a value just put is rarely read at once, so the stores need
 * not displace what the CPU caches hold (the figures are in
 * Documentation/admin-guide/vmemcache-performance.rst).
 */
#ifdef VMEMCACHE_DEBUG
static bool dax_flushcache = true;
module_param(dax_flushcache, bool, 0644);
MODULE_PARM_DESC(dax_flushcache, "Benchmark knob: copy values into pmem with non-temporal stores (default Y; N: copy_from_user)");

static bool vmc_dax_nt(void)
{
	return READ_ONCE(dax_flushcache);
}
#else
static bool vmc_dax_nt(void)
{
	return true;
}
#endif

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

/*
 * Enter a section that may use the mapping and the bad blocks: 0, or
 * -ENXIO when the device is going away.  The notification of a removal
 * marks the backing dead in a dax_read_lock() section of its own, and
 * kill_dax() then waits for every such section: a section that saw the
 * backing alive ends before the device's memory goes.
 */
static int vmc_dax_enter(struct vmc_backing_dax *d, int *id)
{
	*id = dax_read_lock();
	if (!READ_ONCE(d->dead) && dax_alive(d->dax_dev))
		return 0;
	dax_read_unlock(*id);
	return -ENXIO;
}

/*
 * Copy @n bytes from user memory into the pool without faulting: the
 * bytes left uncopied, or -EFAULT for an address outside user space.
 */
static long vmc_dax_copy_in(void *addr, const void __user *src, size_t n,
			    bool nt)
{
	struct iov_iter iter;
	int ret;

	if (!nt)
		return copy_from_user(addr, src, n);
	ret = vmc_import_ubuf(ITER_SOURCE, (void __user *)src, n, &iter);
	if (ret)
		return ret;
	/* Non-temporal stores, which bypass the CPU caches. */
	return n - _copy_from_iter_flushcache(addr, n, &iter);
}

static int vmc_dax_write(struct vmc_backing *b, u64 off,
			 const void __user *src, size_t len)
{
	struct vmc_backing_dax *d = to_dax(b);
	bool nt = vmc_dax_nt();
	int id, ret;

	while (len) {
		u64 avail;
		void *addr;
		size_t n;
		long left;

		ret = vmc_dax_enter(d, &id);
		if (ret)
			return ret;
		addr = vmc_dax_addr(d, off, &avail);
		n = min3((u64)len, avail, (u64)VMC_DAX_STEP);
		pagefault_disable();
		left = vmc_dax_copy_in(addr, src, n, nt);
		pagefault_enable();
		dax_read_unlock(id);
		if (left < 0)
			return left;
		off += n - left;
		src += n - left;
		len -= n - left;
		/* A user page was not present: the caller faults it in. */
		if (left)
			return -EFAULT;
	}
	if (nt)
		wmb();	/* non-temporal stores are weakly ordered: fence before linking */
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
	sector_t s = start >> SECTOR_SHIFT, last, first, nr;

	if (!d->bb || !READ_ONCE(d->bb->count))
		return false;
	for (last = DIV_ROUND_UP_ULL(end, SECTOR_SIZE); s < last;
	     s += VMC_DAX_BB_CHUNK) {
		if (!vmc_badblocks_check(d->bb, s,
					 min_t(sector_t, last - s,
					       VMC_DAX_BB_CHUNK),
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
	int id, ret;

	while (len) {
		u64 avail;
		void *addr;
		size_t n, done;

		ret = vmc_dax_enter(d, &id);
		if (ret)
			return ret;
		addr = vmc_dax_addr(d, off, &avail);
		n = min3((u64)len, avail, (u64)VMC_DAX_STEP);
		ret = -EIO;
		if (vmc_dax_badblocks(d, off, n, bad))
			goto out_unlock;
		ret = vmc_import_ubuf(ITER_DEST, dst, n, &iter);
		if (ret)
			goto out_unlock;
		pagefault_disable();
		done = _copy_mc_to_iter(addr, n, &iter);
		pagefault_enable();
		if (done != n)
			ret = vmc_dax_read_failed(addr + done, off + done, bad);
		dax_read_unlock(id);
		/* -EIO, or a user page was not present: the caller faults it in. */
		if (ret)
			return ret;
		off += done;
		dst += done;
		len -= done;
	}
	return 0;

out_unlock:
	dax_read_unlock(id);
	return ret;
}

/*
 * Into kernel memory: no user page can keep the device's removal waiting,
 * so only the step bounds a section.
 */
static int vmc_dax_read_kernel(struct vmc_backing *b, u64 off, void *dst,
			       size_t len, struct vmc_extent *bad)
{
	struct vmc_backing_dax *d = to_dax(b);
	int id, ret;

	while (len) {
		unsigned long left;
		u64 avail;
		void *addr;
		size_t n;

		ret = vmc_dax_enter(d, &id);
		if (ret)
			return ret;
		addr = vmc_dax_addr(d, off, &avail);
		n = min3((u64)len, avail, (u64)VMC_DAX_STEP);
		ret = 0;
		if (vmc_dax_badblocks(d, off, n, bad)) {
			ret = -EIO;
		} else {
			left = copy_mc_to_kernel(dst, addr, n);
			if (left) {
				off += n - left;
				bad->off = round_down(off, PAGE_SIZE);
				bad->len = PAGE_SIZE;
				ret = -EIO;
			}
		}
		dax_read_unlock(id);
		if (ret)
			return ret;
		off += n;
		dst += n;
		len -= n;
	}
	return 0;
}

static int vmc_dax_write_kernel(struct vmc_backing *b, u64 off,
				const void *src, size_t len)
{
	struct vmc_backing_dax *d = to_dax(b);
	bool nt = vmc_dax_nt();
	int id, ret;

	while (len) {
		u64 avail;
		void *addr;
		size_t n;

		ret = vmc_dax_enter(d, &id);
		if (ret)
			return ret;
		addr = vmc_dax_addr(d, off, &avail);
		n = min3((u64)len, avail, (u64)VMC_DAX_STEP);
		if (nt)
			memcpy_flushcache(addr, src, n);
		else
			memcpy(addr, src, n);
		dax_read_unlock(id);
		off += n;
		src += n;
		len -= n;
	}
	if (nt)
		wmb();	/* as vmc_dax_write(): fence before linking */
	return 0;
}

/* Stop notifications reaching @d and wait for those in flight. */
static void vmc_dax_unlist(struct vmc_backing_dax *d)
{
	spin_lock(&vmc_dax_lock);
	list_del(&d->node);
	spin_unlock(&vmc_dax_lock);
	if (!refcount_dec_and_test(&d->notifying))
		wait_for_completion(&d->idle);
}

static void vmc_dax_destroy(struct vmc_backing *b)
{
	struct vmc_backing_dax *d = to_dax(b);

	vmc_dax_unlist(d);
	kvfree(d->b.bad);
	kvfree(d->ranges);
	fs_put_dax(d->dax_dev, d);
	vmc_bdev_release(&d->claim);
	kfree(d);
}

static struct vmc_backing *vmc_dax_resize(struct vmc_backing *b, u64 size)
{
	return size <= b->size ? b : ERR_PTR(-EINVAL);
}

static const struct vmc_backing_ops vmc_dax_ops = {
	.write = vmc_dax_write,
	.read = vmc_dax_read,
	.read_kernel = vmc_dax_read_kernel,
	.write_kernel = vmc_dax_write_kernel,
	.resize = vmc_dax_resize,
	.destroy = vmc_dax_destroy,
};

bool vmc_backing_is_dax(const struct vmc_backing *b)
{
	return b->ops == &vmc_dax_ops;
}

/*
 * The pool range of a range of the dax_device: false when they do not
 * overlap.
 */
static bool vmc_dax_pool_range(const struct vmc_backing_dax *d, u64 *off,
			       u64 *len)
{
	u64 start, end;

	start = max(*off, d->start_off);
	end = *len > U64_MAX - *off ? U64_MAX : *off + *len;
	end = min(end, d->start_off + d->b.size);
	if (start >= end)
		return false;
	*off = start - d->start_off;
	*len = end - start;
	return true;
}

/* The listed backing on @dax_dev, with a notification counted, or NULL. */
static struct vmc_backing_dax *vmc_dax_find(struct dax_device *dax_dev)
{
	struct vmc_backing_dax *d;

	spin_lock(&vmc_dax_lock);
	list_for_each_entry(d, &vmc_dax_backings, node) {
		if (d->dax_dev == dax_dev) {
			refcount_inc(&d->notifying);
			spin_unlock(&vmc_dax_lock);
			return d;
		}
	}
	spin_unlock(&vmc_dax_lock);
	return NULL;
}

/*
 * dax holder operation: memory_failure() found poison in a range of the
 * device, or (offset 0, length U64_MAX, also where no MF_MEM_PRE_REMOVE
 * flag tells a removal apart) kill_dax() announces its removal.  Runs in a dax_read_lock() section,
 * which kill_dax() waits for before the device goes.  A removal marks
 * the backing dead first, so that no copy starts on the mapping; then the
 * owner, if any, takes the range out of service.
 */
static int vmc_dax_notify_failure(struct dax_device *dax_dev, u64 off,
				  u64 len, int mf_flags)
{
	struct vmc_backing_dax *d = vmc_dax_find(dax_dev);
	bool removal = !off && len == U64_MAX;
	int ret;

	if (!d)
		return -EOPNOTSUPP;	/* released meanwhile */
	if (removal) {
		WRITE_ONCE(d->dead, true);
		pr_warn("%s: the device is going away: the pool is retired\n",
			d->path);
	}
	ret = removal ? 0 : -EOPNOTSUPP;
	if (d->failure && vmc_dax_pool_range(d, &off, &len))
		ret = d->failure(d->owner, &d->b, off, len);
	if (refcount_dec_and_test(&d->notifying))
		complete(&d->idle);
	return ret;
}

static const struct dax_holder_operations vmc_dax_holder_ops = {
	.notify_failure = vmc_dax_notify_failure,
};

/* Record pool pages [first, last) as bad at claim time. */
static int vmc_dax_add_bad(struct vmc_backing_dax *d, long first, long last)
{
	struct vmc_extent *bad;

	bad = vmc_kvrealloc(d->b.bad, d->b.nr_bad * sizeof(*bad),
			    (d->b.nr_bad + 1) * sizeof(*bad), GFP_KERNEL);
	if (!bad)
		return -ENOMEM;
	d->b.bad = bad;
	bad[d->b.nr_bad].off = (u64)first << PAGE_SHIFT;
	bad[d->b.nr_bad++].len = (u64)(last - first) << PAGE_SHIFT;
	return 0;
}

/*
 * Whether dax_direct_access() refused a range for its media errors: pmem
 * drivers say -EIO or -EHWPOISON, depending on the kernel.
 */
static bool vmc_dax_refused_bad(long n)
{
	return n == -EIO || n == -EHWPOISON;
}

/*
 * dax_direct_access() refused the pages from pool page @done for media
 * errors: find the first page with a bad block from there on.  Return how
 * many pages before it are good, or 0 after recording the bad pages and
 * moving *done past them.  When the bad blocks do not explain the refusal
 * (the list changed meanwhile), return 1: the caller tries that page alone.
 */
static long vmc_dax_skip_bad(struct vmc_backing_dax *d, long *done,
			     long npages, int *err)
{
	u64 off = (u64)*done << PAGE_SHIFT;
	struct vmc_extent bad;
	long first, last;

	*err = 0;
	if (!vmc_dax_badblocks(d, off, ((u64)npages << PAGE_SHIFT) - off, &bad))
		return 1;
	first = bad.off >> PAGE_SHIFT;
	if (first > *done)
		return first - *done;
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
		long n;

		want = npages - done;
		err = vmc_dax_enter(d, &id);
		if (err)
			return err;
		n = dax_direct_access(d->dax_dev, pgoff + done, want,
				      DAX_ACCESS, &kaddr, NULL);
		if (vmc_dax_refused_bad(n)) {
			want = vmc_dax_skip_bad(d, &done, npages, &err);
			if (err || !want) {
				dax_read_unlock(id);
				if (err)
					return err;
				continue;	/* skipped bad pages */
			}
			n = dax_direct_access(d->dax_dev, pgoff + done, want,
					      DAX_ACCESS, &kaddr, NULL);
		}
		dax_read_unlock(id);
		if (vmc_dax_refused_bad(n) && want == 1) {
			/* A page refused alone is out of service. */
			err = vmc_dax_add_bad(d, done, done + 1);
			if (err)
				return err;
			done++;
			continue;
		}
		if (n <= 0)
			return n ? n : -EIO;
		n = min(n, want);
		if (last && last->kaddr + last->len == kaddr &&
		    last->off + last->len == (u64)done << PAGE_SHIFT) {
			last->len += (u64)n << PAGE_SHIFT;
		} else {
			if (last) {
				r = vmc_kvrealloc(d->ranges,
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
 * Claim device @dev for @d (and name it /dev/<disk> unless @d has a
 * path): 0 or -errno.  A read-only device is refused: the pool is
 * written, and the claim itself does not check.
 */
static int vmc_dax_claim(struct vmc_backing_dax *d, dev_t dev)
{
	d->bdev = vmc_bdev_claim_dev(&d->claim, dev, d);
	if (IS_ERR(d->bdev))
		return PTR_ERR(d->bdev);
	if (!d->path[0])
		snprintf(d->path, VMC_DAX_NAME_MAX, "/dev/%pg", d->bdev);
	if (bdev_read_only(d->bdev)) {
		vmc_bdev_release(&d->claim);
		return -EROFS;
	}
	return 0;
}

/*
 * Claim @dev and map it for @d, which has its path (or room for a name)
 * and its owner set: the backing, or an ERR_PTR.  Frees @d on failure.
 */
static struct vmc_backing *vmc_dax_setup(struct vmc_backing_dax *d, dev_t dev,
					 u64 min_size)
{
	const char *path = d->path;
	u64 size;
	int ret;

	refcount_set(&d->notifying, 1);
	init_completion(&d->idle);
	ret = vmc_dax_claim(d, dev);
	if (ret) {
		/* Any user with the device open can ask: keep the log bounded. */
		if (path[0])
			pr_warn_ratelimited("%s: cannot claim the device: %d\n",
					    path, ret);
		else
			pr_warn_ratelimited("device %u:%u: cannot claim it: %d\n",
					    MAJOR(dev), MINOR(dev), ret);
		kfree(d);
		return ERR_PTR(ret);
	}
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
	d->dax_dev = fs_dax_get_by_bdev(d->bdev, &d->start_off, d,
					&vmc_dax_holder_ops);
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
	/*
	 * Notifications reach the backing from now on.  Before, none did:
	 * a removal meanwhile is seen by dax_alive(), and a memory failure
	 * is left to memory_failure() (the pool is not in use yet).
	 */
	spin_lock(&vmc_dax_lock);
	list_add(&d->node, &vmc_dax_backings);
	spin_unlock(&vmc_dax_lock);
	return &d->b;

err_dax:
	kvfree(d->b.bad);
	kvfree(d->ranges);
	fs_put_dax(d->dax_dev, d);
err_put:
	vmc_bdev_release(&d->claim);
	kfree(d);
	return ERR_PTR(ret);
}

/**
 * vmc_backing_dax_create() - claim a DAX block device as a pool
 * @path: path of the block device, e.g. /dev/pmem0
 * @min_size: smallest usable pool
 * @failure: where media failures of the device are reported, or NULL
 * @owner: passed to @failure
 *
 * The device is opened exclusively (nobody can mount it or claim it while
 * the backing holds it) and the backing becomes the holder of its
 * dax_device.  A memory failure in the pool, or the removal of the
 * device, is passed to @failure; after a removal, reads and writes fail
 * with -ENXIO.  Pages with bad blocks are left out of the mapping and
 * listed in the backing's @bad.  Every failure is logged once, with its
 * reason.
 *
 * Return: the backing, sized to the whole device (page aligned), or an
 * ERR_PTR: -ENOENT, -ENOTBLK, -EROFS (read-only device), -EBUSY (in
 * use), -EOPNOTSUPP (not DAX capable), -EINVAL (unaligned partition),
 * -ENOSPC (smaller than @min_size), -ENOMEM, -EIO, -ENXIO (going away).
 */
struct vmc_backing *vmc_backing_dax_create(const char *path, u64 min_size,
					   vmc_media_failure_fn failure,
					   void *owner)
{
	struct vmc_backing_dax *d;
	dev_t dev;
	int ret;

	ret = lookup_bdev(path, &dev);
	if (ret) {
		pr_warn("%s: cannot claim the device: %d\n", path, ret);
		return ERR_PTR(ret);
	}
	d = kzalloc(struct_size(d, path, strlen(path) + 1), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	strcpy(d->path, path);
	d->failure = failure;
	d->owner = owner;
	return vmc_dax_setup(d, dev, min_size);
}

/**
 * vmc_backing_dax_create_dev() - claim a DAX block device given its number
 * @dev: the device, from a descriptor the caller opened for reading and
 *	 writing
 * @min_size: smallest usable pool
 *
 * Like vmc_backing_dax_create() with no @failure: the cache it will serve
 * does not exist yet, so memory failures are left to memory_failure() (a
 * get that reads poison still fails with -EIO and drops its entry), and a
 * removal of the device only retires the backing (-ENXIO from then on).
 * The backing is named /dev/<disk name>.
 *
 * Return: the backing or an ERR_PTR, as vmc_backing_dax_create().
 */
struct vmc_backing *vmc_backing_dax_create_dev(dev_t dev, u64 min_size)
{
	struct vmc_backing_dax *d;

	d = kzalloc(struct_size(d, path, VMC_DAX_NAME_MAX), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	return vmc_dax_setup(d, dev, min_size);
}
