/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interfaces that differ between the kernels vmemcache supports
 * (Debian 12's 6.1 and 6.12, and 7.x): every version-dependent call goes
 * through a helper here, so the .c files read the same on all of them.
 * Feature tests come first; a version number only where the interface
 * changed without leaving a macro behind.
 */
#ifndef _VMEMCACHE_COMPAT_H
#define _VMEMCACHE_COMPAT_H

#include <linux/badblocks.h>
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/version.h>

/* 6.12 made struct fd opaque behind fd_file(). */
#ifndef fd_file
#define fd_file(f)	((f).file)
#endif

/*
 * The largest order the page allocator hands out: 6.8 renamed MAX_ORDER,
 * exclusive up to 6.3, to MAX_PAGE_ORDER, inclusive.  (On 6.4-6.7, where
 * MAX_ORDER was already inclusive, this is one order less than the
 * largest, which is still a valid order.)
 */
#ifdef MAX_PAGE_ORDER
#define VMC_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define VMC_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/**
 * vmc_import_ubuf() - an iov_iter over one user buffer
 * @rw: ITER_SOURCE or ITER_DEST
 * @buf: the user buffer
 * @len: its length, at most MAX_RW_COUNT
 * @i: the iterator to set up
 *
 * import_single_range() is gone in 6.12 and import_ubuf() is not in 6.1;
 * iov_iter_ubuf() is in both, but checks nothing.
 *
 * Return: 0, or -EFAULT when @buf is not a user address range.
 */
static inline int vmc_import_ubuf(int rw, void __user *buf, size_t len,
				  struct iov_iter *i)
{
	if (WARN_ON_ONCE(len > MAX_RW_COUNT) || !access_ok(buf, len))
		return -EFAULT;
	iov_iter_ubuf(i, rw, buf, len);
	return 0;
}

/**
 * vmc_kvrealloc() - grow a kvmalloc()ed array
 * @p: the array, or NULL
 * @oldsize: its size in bytes
 * @newsize: the size wanted, at least @oldsize
 * @gfp: allocation flags
 *
 * kvrealloc() lost its @oldsize in 6.12; this works on every kernel.
 *
 * Return: the new array (@p is freed), or NULL (@p is unchanged).
 */
static inline void *vmc_kvrealloc(void *p, size_t oldsize, size_t newsize,
				  gfp_t gfp)
{
	void *n = kvmalloc(newsize, gfp);

	if (n && p)
		memcpy(n, p, oldsize);
	if (n)
		kvfree(p);
	return n;
}

/*
 * Exclusive claims of a block device: blkdev_get_by_*() with FMODE_EXCL up
 * to 6.4; 6.5-6.9 went through blk_mode_t, bdev handles and files (not
 * supported: the build fails there), and since 6.10 a claim is a file
 * closed with bdev_fput().  No macro marks the change.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define VMC_BDEV_FILE	1
#endif

/**
 * struct vmc_bdev_claim - an exclusive, read-write claim of a block device
 * @file: what releases it (6.10 on)
 * @bdev: the device (up to 6.4)
 */
struct vmc_bdev_claim {
#ifdef VMC_BDEV_FILE
	struct file *file;
#else
	struct block_device *bdev;
#endif
};

#ifdef VMC_BDEV_FILE
static inline struct block_device *vmc_bdev_claimed(struct vmc_bdev_claim *c,
						    struct file *f)
{
	if (IS_ERR(f))
		return ERR_CAST(f);
	c->file = f;
	return file_bdev(f);
}

#define VMC_BDEV_MODE	(BLK_OPEN_READ | BLK_OPEN_WRITE)
#else
static inline struct block_device *vmc_bdev_claimed(struct vmc_bdev_claim *c,
						    struct block_device *bdev)
{
	if (!IS_ERR(bdev))
		c->bdev = bdev;
	return bdev;
}

#define VMC_BDEV_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)
#endif

/**
 * vmc_bdev_claim_path() - open a block device by path, exclusively
 * @c: the claim, for vmc_bdev_release()
 * @path: its path
 * @holder: the exclusive holder
 *
 * Return: the block device, or an ERR_PTR.
 */
static inline struct block_device *
vmc_bdev_claim_path(struct vmc_bdev_claim *c, const char *path, void *holder)
{
#ifdef VMC_BDEV_FILE
	return vmc_bdev_claimed(c, bdev_file_open_by_path(path, VMC_BDEV_MODE,
							  holder, NULL));
#else
	return vmc_bdev_claimed(c, blkdev_get_by_path(path, VMC_BDEV_MODE,
						      holder));
#endif
}

/**
 * vmc_bdev_claim_dev() - open a block device by number, exclusively
 * @c: the claim, for vmc_bdev_release()
 * @dev: its number
 * @holder: the exclusive holder
 *
 * Return: the block device, or an ERR_PTR.
 */
static inline struct block_device *
vmc_bdev_claim_dev(struct vmc_bdev_claim *c, dev_t dev, void *holder)
{
#ifdef VMC_BDEV_FILE
	return vmc_bdev_claimed(c, bdev_file_open_by_dev(dev, VMC_BDEV_MODE,
							 holder, NULL));
#else
	return vmc_bdev_claimed(c, blkdev_get_by_dev(dev, VMC_BDEV_MODE,
						     holder));
#endif
}

/**
 * vmc_bdev_release() - give up a claim; the device is free on return
 * @c: the claim
 */
static inline void vmc_bdev_release(struct vmc_bdev_claim *c)
{
#ifdef VMC_BDEV_FILE
	bdev_fput(c->file);
#else
	blkdev_put(c->bdev, VMC_BDEV_MODE);
#endif
}

/*
 * The type of badblocks_check()'s lengths: int up to 6.x, sector_t in
 * 7.x.  Told apart by the function's type, not by a version.
 */
#define vmc_bb_len_t							\
	typeof(__builtin_choose_expr(					\
		__same_type(badblocks_check,				\
			    int (struct badblocks *, sector_t, int,	\
				 sector_t *, int *)),			\
		0, (sector_t)0))

/**
 * vmc_badblocks_check() - the first bad range in a range of sectors
 * @bb: the bad blocks
 * @s: first sector
 * @sectors: how many, at most INT_MAX
 * @first: out: the first bad sector found
 * @nr: out: how many bad sectors start there
 *
 * Return: true when the range holds a bad block (acknowledged or not).
 */
static inline bool vmc_badblocks_check(struct badblocks *bb, sector_t s,
				       sector_t sectors, sector_t *first,
				       sector_t *nr)
{
	vmc_bb_len_t n;

	if (!badblocks_check(bb, s, (vmc_bb_len_t)sectors, first, &n))
		return false;
	*nr = n;
	return true;
}

/*
 * A mapping's flags: written directly up to 6.2, through vm_flags_set()
 * and vm_flags_clear() (which also assert the mmap lock) since 6.3.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define vmc_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#define vmc_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
#define vmc_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#define vmc_vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif

#endif /* _VMEMCACHE_COMPAT_H */
