// SPDX-License-Identifier: GPL-2.0
/*
 * DRAM backing of a vmemcache pool: zeroed chunks of physically contiguous
 * pages in the kernel's direct map, as large as the page allocator gives
 * (4 MiB on x86-64), looked up by shifting the pool offset.
 *
 * Not vmalloc: with hardened usercopy, every copy to or from a vmalloc
 * address looks the area up under the global vmap_area_lock, a lock every
 * get and put on every CPU would take; a compound page is checked with no
 * lock at all.  The direct map also spares the TLB.  The shared cache's
 * pool is used by every user of the device, so it is not charged to the
 * memory cgroup of whoever sized it; a private cache's pool is allocated
 * with __GFP_ACCOUNT and charged to its creator's.
 *
 * A pool may be bound to one NUMA node (a CPU-less node being, e.g., a
 * CXL memory expander or device-DAX memory onlined as system RAM): its
 * pages then come from that node only, and a node without room fails the
 * pool rather than spill over to another node silently.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "backing.h"
#include "compat.h"
#include "usercopy.h"

/* The largest chunk: the largest block the page allocator hands out. */
#define VMC_DRAM_MAX_ORDER	VMC_MAX_PAGE_ORDER

/**
 * struct vmc_backing_dram - a DRAM pool
 * @b: the backing interface
 * @shift: log2 of the chunk size in bytes
 * @nr_chunks: chunks in @chunks
 * @chunks: their direct-map addresses; pool offset @off lives in chunk
 *	    @off >> @shift (the last chunk may be a smaller compound page,
 *	    covering just the end of the pool)
 * @gfp: GFP_KERNEL, or GFP_KERNEL_ACCOUNT for a private cache's pool
 * @nid: the NUMA node every page comes from, or NUMA_NO_NODE for any
 */
struct vmc_backing_dram {
	struct vmc_backing b;
	unsigned int shift;
	unsigned long nr_chunks;
	void **chunks;
	gfp_t gfp;
	int nid;
};

static struct vmc_backing_dram *to_dram(struct vmc_backing *b)
{
	return container_of(b, struct vmc_backing_dram, b);
}

/* The address of pool offset @off, and how many bytes of its chunk follow. */
static void *vmc_dram_addr(struct vmc_backing_dram *d, u64 off, size_t *avail)
{
	u64 in_chunk = off & ((1ULL << d->shift) - 1);

	*avail = (1ULL << d->shift) - in_chunk;
	return d->chunks[off >> d->shift] + in_chunk;
}

/*
 * The next piece of a copy of *@len bytes at pool offset *@off: its address
 * in *@addr, its length returned (0 when the copy is done).  The pool is
 * contiguous only within a chunk, so a copy goes chunk by chunk.
 */
static size_t vmc_dram_step(struct vmc_backing *b, u64 *off, size_t *len,
			    void **addr)
{
	size_t avail, n;

	if (!*len)
		return 0;
	*addr = vmc_dram_addr(to_dram(b), *off, &avail);
	n = min(*len, avail);
	*off += n;
	*len -= n;
	return n;
}

/*
 * Copies up to this size skip copy_{to,from}_user()'s hardened-usercopy
 * check: finding the compound page that bounds the pool side costs more
 * than copying a few hundred bytes, and vmc_dram_step() already keeps
 * every piece within one chunk, a compound page of this pool's own.
 */
#define VMC_DRAM_SMALL_COPY	1024

static int vmc_dram_write(struct vmc_backing *b, u64 off,
			  const void __user *src, size_t len)
{
	void *addr;
	size_t n;

	for (; (n = vmc_dram_step(b, &off, &len, &addr)); src += n) {
		if (n <= VMC_DRAM_SMALL_COPY) {
			if (vmc_copy_from_user_small(addr, src, n))
				return -EFAULT;
		} else if (copy_from_user(addr, src, n)) {
			return -EFAULT;
		}
	}
	return 0;
}

static int vmc_dram_read_small(void __user *dst, const void *src, size_t n)
{
	if (!user_write_access_begin(dst, n))
		return -EFAULT;
	unsafe_copy_to_user(dst, src, n, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static int vmc_dram_read(struct vmc_backing *b, u64 off, void __user *dst,
			 size_t len, struct vmc_extent *bad)
{
	void *addr;
	size_t n;

	for (; (n = vmc_dram_step(b, &off, &len, &addr)); dst += n) {
		if (n <= VMC_DRAM_SMALL_COPY) {
			if (vmc_dram_read_small(dst, addr, n))
				return -EFAULT;
		} else if (copy_to_user(dst, addr, n)) {
			return -EFAULT;
		}
	}
	return 0;
}

static int vmc_dram_read_kernel(struct vmc_backing *b, u64 off, void *dst,
				size_t len, struct vmc_extent *bad)
{
	void *addr;
	size_t n;

	for (; (n = vmc_dram_step(b, &off, &len, &addr)); dst += n)
		memcpy(dst, addr, n);
	return 0;
}

static int vmc_dram_write_kernel(struct vmc_backing *b, u64 off,
				 const void *src, size_t len)
{
	void *addr;
	size_t n;

	for (; (n = vmc_dram_step(b, &off, &len, &addr)); src += n)
		memcpy(addr, src, n);
	return 0;
}

/* Free the first @nr chunks of @d. */
static void vmc_dram_free_chunks(struct vmc_backing_dram *d,
				 unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		folio_put(virt_to_folio(d->chunks[i]));
}

static void vmc_dram_destroy(struct vmc_backing *b)
{
	struct vmc_backing_dram *d = to_dram(b);

	vmc_dram_free_chunks(d, d->nr_chunks);
	kvfree(d->chunks);
	kfree(d);
}

static struct vmc_backing *vmc_dram_resize(struct vmc_backing *b, u64 size)
{
	struct vmc_backing_dram *d = to_dram(b);

	return size == b->size ? b :
	       vmc_backing_dram_create(size, d->gfp, d->nid);
}

static void vmc_dram_node_pages(struct vmc_backing *b, u64 *pages)
{
	struct vmc_backing_dram *d = to_dram(b);
	unsigned long i;

	for (i = 0; i < d->nr_chunks; i++) {
		struct folio *folio = virt_to_folio(d->chunks[i]);

		pages[folio_nid(folio)] += folio_nr_pages(folio);
	}
}

/*
 * Userspace reads the pool directly (VMEMCACHE_CREATE_MAPPED): each chunk
 * is physically contiguous, so one range each.  The pages are the pool's
 * for as long as the mapping holds the cache's file.
 */
static int vmc_dram_mmap(struct vmc_backing *b, struct vm_area_struct *vma)
{
	struct vmc_backing_dram *d = to_dram(b);
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 chunk = 1ULL << d->shift;
	unsigned long i, n;
	int ret;

	for (i = 0; (u64)i * chunk < len; i++) {
		n = min_t(u64, chunk, len - (u64)i * chunk);
		ret = remap_pfn_range(vma, vma->vm_start + i * chunk,
				      page_to_pfn(virt_to_page(d->chunks[i])), n,
				      vma->vm_page_prot);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct vmc_backing_ops vmc_dram_ops = {
	.write = vmc_dram_write,
	.read = vmc_dram_read,
	.read_kernel = vmc_dram_read_kernel,
	.write_kernel = vmc_dram_write_kernel,
	.resize = vmc_dram_resize,
	.node_pages = vmc_dram_node_pages,
	.mmap = vmc_dram_mmap,
	.destroy = vmc_dram_destroy,
};

/**
 * vmc_dram_alloc_chunks() - fill @d with chunks of one order
 * @d: pool whose size is set and whose chunk array is allocated
 * @order: page order of every chunk but a shorter last one
 *
 * High orders do not retry or warn: the caller falls back to a lower
 * order rather than compact memory for long.
 *
 * Return: 0, or -ENOMEM with nothing allocated.
 */
static int vmc_dram_alloc_chunks(struct vmc_backing_dram *d,
				 unsigned int order)
{
	gfp_t gfp = d->gfp | __GFP_ZERO | __GFP_COMP | __GFP_NOWARN;
	u64 chunk = PAGE_SIZE << order;
	unsigned long i;

	gfp |= order ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
	if (d->nid != NUMA_NO_NODE)
		gfp |= __GFP_THISNODE;
	d->shift = PAGE_SHIFT + order;
	d->nr_chunks = DIV_ROUND_UP_ULL(d->b.size, chunk);
	for (i = 0; i < d->nr_chunks; i++) {
		u64 left = d->b.size - i * chunk;
		struct page *page;

		page = alloc_pages_node(d->nid, gfp,
					get_order(min(left, chunk)));
		if (!page)
			goto out_free;
		d->chunks[i] = page_address(page);
		cond_resched();
	}
	return 0;

out_free:
	vmc_dram_free_chunks(d, i);
	return -ENOMEM;
}

/**
 * vmc_backing_dram_check_node() - whether a pool may be bound to a node
 * @nid: a NUMA node id, or NUMA_NO_NODE
 *
 * Return: 0; -EINVAL for a number no node can have; -ENODEV for a node
 * that is not online or has no memory (a CPU-only node).
 */
int vmc_backing_dram_check_node(int nid)
{
	if (nid == NUMA_NO_NODE)
		return 0;
	if (nid < 0 || nid >= nr_node_ids)
		return -EINVAL;
	if (!node_online(nid) || !node_state(nid, N_MEMORY))
		return -ENODEV;
	return 0;
}

/* Whether @size bytes may fit on node @nid at all. */
static bool vmc_dram_fits(u64 size, int nid)
{
	unsigned long pages = nid == NUMA_NO_NODE ? totalram_pages() :
			      node_present_pages(nid);

	return size >> PAGE_SHIFT < pages;
}

/**
 * vmc_backing_dram_create() - allocate a DRAM pool
 * @size: pool size in bytes, a multiple of the page size
 * @gfp: GFP_KERNEL, or GFP_KERNEL_ACCOUNT to charge the pool (and its
 *	 chunk table) to the current task's memory cgroup
 * @nid: NUMA node to take every page from (vmc_backing_dram_check_node()
 *	 passed), or NUMA_NO_NODE for the allocator's usual choice
 *
 * Refuses sizes above the machine's (or the node's) RAM outright, takes
 * the largest chunks the page allocator can give without compacting hard,
 * and lets the allocation fail instead of invoking the OOM killer.  A
 * pool that does not fit its node is logged, rate-limited.
 *
 * Return: the backing or an ERR_PTR: -ENOMEM, -ENODEV when @nid went
 * offline meanwhile.
 */
struct vmc_backing *vmc_backing_dram_create(u64 size, gfp_t gfp, int nid)
{
	unsigned int order = min_t(unsigned int, VMC_DRAM_MAX_ORDER,
				   get_order(size));
	struct vmc_backing_dram *d;
	int ret;

	ret = vmc_backing_dram_check_node(nid);
	if (ret)
		return ERR_PTR(ret);
	if (!vmc_dram_fits(size, nid))
		goto no_room;

	d = kzalloc(sizeof(*d), gfp);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->gfp = gfp;
	d->nid = nid;
	d->b.ops = &vmc_dram_ops;
	d->b.name = "none";
	d->b.size = size;
	for (;;) {
		d->chunks = kvcalloc(DIV_ROUND_UP_ULL(size, PAGE_SIZE << order),
				     sizeof(*d->chunks), gfp);
		if (!d->chunks)
			break;
		if (!vmc_dram_alloc_chunks(d, order))
			return &d->b;
		kvfree(d->chunks);
		if (!order--)
			break;
	}
	kfree(d);
no_room:
	if (nid != NUMA_NO_NODE)
		pr_warn_ratelimited("no room for a %llu-byte pool on NUMA node %d\n",
				    size, nid);
	return ERR_PTR(-ENOMEM);
}
