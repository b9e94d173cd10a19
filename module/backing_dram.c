// SPDX-License-Identifier: GPL-2.0
/*
 * DRAM backing of a vmemcache pool: one virtually contiguous, zeroed
 * vmalloc area.  The shared cache's pool is used by every user of the
 * device, so it is not charged to the memory cgroup of whoever sized it; a
 * private cache's pool is allocated with __GFP_ACCOUNT and charged to its
 * creator's.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "backing.h"

struct vmc_backing_dram {
	struct vmc_backing b;
	void *base;
	gfp_t gfp;
};

static struct vmc_backing_dram *to_dram(struct vmc_backing *b)
{
	return container_of(b, struct vmc_backing_dram, b);
}

static int vmc_dram_write(struct vmc_backing *b, u64 off,
			  const void __user *src, size_t len)
{
	return copy_from_user(to_dram(b)->base + off, src, len) ? -EFAULT : 0;
}

static int vmc_dram_read(struct vmc_backing *b, u64 off, void __user *dst,
			 size_t len)
{
	return copy_to_user(dst, to_dram(b)->base + off, len) ? -EFAULT : 0;
}

static void vmc_dram_destroy(struct vmc_backing *b)
{
	struct vmc_backing_dram *d = to_dram(b);

	vfree(d->base);
	kfree(d);
}

static struct vmc_backing *vmc_dram_resize(struct vmc_backing *b, u64 size)
{
	return size == b->size ? b : vmc_backing_dram_create(size, to_dram(b)->gfp);
}

static const struct vmc_backing_ops vmc_dram_ops = {
	.write = vmc_dram_write,
	.read = vmc_dram_read,
	.resize = vmc_dram_resize,
	.destroy = vmc_dram_destroy,
};

/**
 * vmc_backing_dram_create() - allocate a DRAM pool
 * @size: pool size in bytes
 * @gfp: GFP_KERNEL, or GFP_KERNEL_ACCOUNT to charge the pool to the
 *	 current task's memory cgroup
 *
 * Refuses sizes above the machine's RAM outright and lets a large
 * allocation fail instead of invoking the OOM killer.
 *
 * Return: the backing or an ERR_PTR: -ENOMEM.
 */
struct vmc_backing *vmc_backing_dram_create(u64 size, gfp_t gfp)
{
	struct vmc_backing_dram *d;

	if (size >> PAGE_SHIFT >= totalram_pages())
		return ERR_PTR(-ENOMEM);

	d = kzalloc(sizeof(*d), gfp);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->gfp = gfp;
	d->base = __vmalloc(size, gfp | __GFP_ZERO | __GFP_NOWARN |
			    __GFP_RETRY_MAYFAIL);
	if (!d->base) {
		kfree(d);
		return ERR_PTR(-ENOMEM);
	}
	d->b.ops = &vmc_dram_ops;
	d->b.name = "none";
	d->b.size = size;
	return &d->b;
}
