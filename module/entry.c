// SPDX-License-Identifier: GPL-2.0
/*
 * Entries of a cache: creation, reference counting, the DRAM they take,
 * the extents of their value, and copying the value between userspace and
 * those extents.
 *
 * The lowest layer of the cache: it calls only the allocator (to return
 * extents) and the backing (to copy), both reached through the
 * struct vmc_store the cache embeds; it knows nothing of the cache.
 * Finding extents, evicting to make room and taking entries out of the
 * index and the policy are the cache's (cache.c).
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "entry.h"

/*
 * The memory kvmalloc() really took for a request of @size bytes at @p
 * (an extent array): kmalloc rounds up to its size class, or to a power
 * of two of pages past the largest class, and vmalloc to pages.
 * Recomputed the same way when the memory is freed.
 */
static size_t vmc_alloc_bytes(const void *p, size_t size)
{
	/*
	 * The class of @size, not ksize(@p): the same figure without
	 * looking up the slab of @p, which every put paid twice.
	 */
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) :
				    kmalloc_size_roundup(size);
}

static size_t vmc_ext_array_bytes(const struct vmc_entry *e)
{
	return vmc_alloc_bytes(e->ext_array,
			       array_size(e->nr_ext, sizeof(*e->ext_array)));
}

/*
 * The bytes an entry with a key of @key_len takes: the whole of its
 * kmalloc size class, or the power of two of pages past the largest class
 * (a 64 KiB key takes 128 KiB), which are allocated whole, so that an
 * entry made into another (vmc_entry_recycle()) may use all of them, and
 * which stay the same if kvmalloc() falls back to vmalloc.
 */
static size_t vmc_entry_bytes(u32 key_len)
{
	return kmalloc_size_roundup(struct_size_t(struct vmc_entry, key,
						  key_len));
}

/**
 * vmc_entry_dram() - the DRAM an entry holds
 * @e: the entry
 *
 * Return: the bytes allocated for it, its key and its extent array, as
 * dram_used counts them.
 */
size_t vmc_entry_dram(const struct vmc_entry *e)
{
	size_t bytes = vmc_entry_bytes(e->key_len);

	if (e->nr_ext > 1)
		bytes += vmc_ext_array_bytes(e);
	return bytes;
}

/*
 * Fill @e, whose memory has room for @key, as an entry without a value;
 * @flags: its VMC_ENTRY_* bits.  Its reference count is the caller's to
 * set, and its index link is left alone: lookups under RCU may be going
 * through it (vmc_entry_recycle()).
 */
static void vmc_entry_init(struct vmc_entry *e, const struct vmc_key *key,
			   unsigned long flags)
{
	memcpy(e->key, key->data, key->len);
	INIT_LIST_HEAD(&e->lru);
	WRITE_ONCE(e->key_len, key->len);
	e->nr_ext = 0;
	e->tail = 0;
	WRITE_ONCE(e->flags, flags);
	e->cas = 0;
	e->client_flags = 0;
	e->expiry = 0;
}

/**
 * vmc_entry_create() - allocate an unlinked entry holding a key
 * @s: store of the cache the entry is for
 * @key: the key, already validated (copied in by the ioctl layer)
 *
 * The entry starts with one reference, its creator's, and no value.
 *
 * Return: the entry or an ERR_PTR: -ENOMEM.
 */
struct vmc_entry *vmc_entry_create(struct vmc_store *s,
				   const struct vmc_key *key)
{
	struct vmc_entry *e;

	BUILD_BUG_ON(sizeof(*e) != 80);
	e = kvmalloc(vmc_entry_bytes(key->len), s->gfp);
	if (!e)
		return ERR_PTR(-ENOMEM);
	vmc_entry_init(e, key, 0);
	refcount_set(&e->ref, 1);
	atomic_long_add(vmc_entry_dram(e), &s->dram_used);
	return e;
}

/*
 * The DRAM of an entry nobody holds any more, once its extents are dealt
 * with: its extent array at once, the entry after index lookups that may
 * still see it are done.
 */
static void vmc_entry_free(struct vmc_store *s, struct vmc_entry *e)
{
	atomic_long_sub(vmc_entry_dram(e), &s->dram_used);
	if (e->nr_ext > 1)
		kvfree(e->ext_array);
	kvfree_rcu(e, rcu);
}

/**
 * vmc_entry_put() - drop a reference; the last one frees the entry
 * @s: the store of the entry's cache
 * @e: the entry
 *
 * Returns the value's extents to the pool at once; the entry's memory goes
 * after an RCU grace period, as index lookups may still be looking at it.
 * May sleep.
 */
void vmc_entry_put(struct vmc_store *s, struct vmc_entry *e)
{
	if (!refcount_dec_and_test(&e->ref))
		return;

	if (e->nr_ext)
		vmc_extent_put(&vmc_entry_store(s, e)->alloc, vmc_entry_ext(e),
			       e->nr_ext);
	vmc_entry_free(s, e);
}

/*
 * Make @e, an unlinked entry whose last reference the caller has just
 * dropped, into the entry of the put of @key that evicted it, in place of
 * @n, the put's entry so far (or NULL for none yet): @key and no value,
 * one reference, the caller's; @n is freed at once.  The victim's memory
 * is still in the CPU's caches, where a new allocation's is not, and it
 * is not left to a grace period either.
 *
 * Lookups under RCU may still see @e, under its old key or the new one:
 * the key is written before the reference count leaves zero, and a lookup
 * that takes a reference checks the key again (index.c).  @n must be an
 * entry nobody else ever saw, so that it may go without a grace period:
 * one that is itself recycled is not.  And @key must take @e's memory in
 * the size class @e is counted in, so that the DRAM the cache counts
 * stays right.  @e's memory stays charged to the memory cgroup of the
 * put that allocated it: a put that reuses it takes no new charge, and
 * the cgroup's charge is what it was.
 *
 * Return: whether @e is now the put's entry.
 */
static bool vmc_entry_recycle(struct vmc_store *s, struct vmc_entry *e,
			      const struct vmc_key *key, struct vmc_entry *n)
{
	if ((n && (n->nr_ext || test_bit(VMC_ENTRY_RECYCLED, &n->flags))) ||
	    vmc_entry_bytes(key->len) != vmc_entry_bytes(e->key_len))
		return false;
	if (e->nr_ext > 1) {
		atomic_long_sub(vmc_ext_array_bytes(e), &s->dram_used);
		kvfree(e->ext_array);
	}
	vmc_entry_init(e, key, BIT(VMC_ENTRY_RECYCLED));
	/* The new key, then the count a lookup's reference takes it by. */
	smp_wmb();
	refcount_set(&e->ref, 1);
	if (n) {
		atomic_long_sub(vmc_entry_dram(n), &s->dram_used);
		kvfree(n);
	}
	return true;
}

/**
 * vmc_entry_take_extents() - free an entry but keep its value's extents
 * @s: the store of the entry's cache
 * @e: unlinked entry; the caller holds a reference
 * @ext: where to move the extents
 * @max: room in @ext
 * @key: the key of the put that evicted @e
 * @into: the put's entry, without a value, or NULL for none yet: @e's
 *	  memory may become the put's entry in its place
 *	  (vmc_entry_recycle())
 *
 * For a put that evicted @e to store a value of the same size: the extents
 * change owner without going back to the allocator.  Done only when the
 * caller's reference is the last one (no reader can take another: @e is
 * out of the index) and the extents fit @max.
 *
 * Return: the number of extents moved, the caller's reference gone with
 * @e, and *@into the put's entry; or 0, with nothing done.
 */
unsigned int vmc_entry_take_extents(struct vmc_store *s, struct vmc_entry *e,
				    struct vmc_extent *ext, unsigned int max,
				    const struct vmc_key *key,
				    struct vmc_entry **into)
{
	unsigned int nr = e->nr_ext;

	if (!nr || nr > max || !refcount_dec_if_one(&e->ref))
		return 0;
	memcpy(ext, vmc_entry_ext(e), array_size(nr, sizeof(*ext)));
	if (vmc_entry_recycle(s, e, key, *into))
		*into = e;
	else
		vmc_entry_free(s, e);
	return nr;
}

/**
 * vmc_entry_set_value() - give an entry the extents of its value
 * @s: the store of the entry's cache
 * @e: unlinked entry without a value
 * @ext: the extents, in value order, from vmc_extent_get()
 * @nr: how many
 * @owned: @ext is a kvmalloc()ed array the entry may keep; else it is the
 *	   caller's (on its stack) and copied if the entry needs an array
 * @len: value length, which the extents hold
 *
 * Consumes @ext when @owned, on failure too.
 *
 * Return: 0, or -ENOMEM with the extents returned to the pool.
 */
int vmc_entry_set_value(struct vmc_store *s, struct vmc_entry *e,
			struct vmc_extent *ext, unsigned int nr, bool owned,
			u64 len)
{
	struct vmc_extent *array = ext;

	if (nr == 1) {
		e->ext_inline = ext[0];
		if (owned)
			kvfree(ext);
	} else {
		if (!owned) {
			array = kvmalloc_array(nr, sizeof(*ext), s->gfp);
			if (!array) {
				vmc_extent_put(&vmc_entry_store(s, e)->alloc,
					       ext, nr);
				return -ENOMEM;
			}
			memcpy(array, ext, array_size(nr, sizeof(*ext)));
		}
		e->ext_array = array;
	}
	e->nr_ext = nr;
	if (nr > 1)
		atomic_long_add(vmc_ext_array_bytes(e), &s->dram_used);
	e->tail = roundup(len, (u64)vmc_entry_store(s, e)->extent_size) - len;
	return 0;
}

/**
 * vmc_entry_free_value() - return the value of an unlinked entry to the pool
 * @s: the store of the entry's cache
 * @e: entry that only its creator holds, never linked
 *
 * For a put that starts over: the entry is as vmc_entry_create() made it.
 */
void vmc_entry_free_value(struct vmc_store *s, struct vmc_entry *e)
{
	if (!e->nr_ext)
		return;
	vmc_extent_put(&vmc_entry_store(s, e)->alloc, vmc_entry_ext(e),
		       e->nr_ext);
	if (e->nr_ext > 1) {
		atomic_long_sub(vmc_ext_array_bytes(e), &s->dram_used);
		kvfree(e->ext_array);
	}
	e->nr_ext = 0;
	e->tail = 0;
}

/**
 * vmc_entry_copy() - copy part of a value to or from userspace
 * @s: the store of the entry's cache
 * @e: entry with a value; the caller holds a reference
 * @offset: first value byte
 * @ubuf: user buffer
 * @len: bytes to copy; @offset + @len is within the value
 * @to_user: copy from the value to @ubuf, else from @ubuf into the value
 * @bad: out, with -EIO: the pool range that failed to read
 *
 * The caller holds cfg_sem, so the copy runs with page faults disabled:
 * a user page that is not in memory ends it with -EFAULT, and the caller
 * faults it in after dropping its locks (a user page can take forever to
 * come in: userfaultfd, FUSE) and starts over.
 *
 * Return: 0, -EFAULT, or -EIO from the backing.
 */
int vmc_entry_copy(struct vmc_store *s, struct vmc_entry *e, u64 offset,
		   void __user *ubuf, u64 len, bool to_user,
		   struct vmc_extent *bad)
{
	struct vmc_extent *ext = vmc_entry_ext(e);
	struct vmc_backing *b = vmc_entry_store(s, e)->backing;
	u64 start = 0, done = 0;
	unsigned int i;
	int ret = 0;

	pagefault_disable();
	for (i = 0; i < e->nr_ext && done < len; start += ext[i++].len) {
		u64 in, chunk;

		if (offset + done >= start + ext[i].len)
			continue;
		in = offset + done - start;
		chunk = min(ext[i].len - in, len - done);
		if (to_user)
			ret = b->ops->read(b, ext[i].off + in, ubuf + done,
					   chunk, bad);
		else
			ret = b->ops->write(b, ext[i].off + in, ubuf + done,
					    chunk);
		if (ret)
			break;
		done += chunk;
	}
	pagefault_enable();
	return ret;
}

/*
 * Copy value bytes [@offset, +@len) of @e from (@write false) or to
 * kernel memory @buf.
 */
static int vmc_entry_kcopy(struct vmc_store *s, struct vmc_entry *e,
			   u64 offset, void *buf, u64 len, bool write,
			   struct vmc_extent *bad)
{
	struct vmc_extent *ext = vmc_entry_ext(e);
	struct vmc_backing *b = vmc_entry_store(s, e)->backing;
	u64 start = 0, done = 0;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < e->nr_ext && done < len; start += ext[i++].len) {
		u64 in, chunk;

		if (offset + done >= start + ext[i].len)
			continue;
		in = offset + done - start;
		chunk = min(ext[i].len - in, len - done);
		if (write)
			ret = b->ops->write_kernel(b, ext[i].off + in,
						   buf + done, chunk);
		else
			ret = b->ops->read_kernel(b, ext[i].off + in,
						  buf + done, chunk, bad);
		if (ret)
			break;
		done += chunk;
	}
	return ret;
}

/**
 * vmc_entry_read() - copy a whole value to kernel memory
 * @s: the store of the entry's cache
 * @e: entry with a value; the caller holds a reference and cfg_sem
 * @dst: room for vmc_entry_size(@e) bytes
 * @bad: out, with -EIO: the pool range that failed to read
 *
 * Return: 0, -EIO, or -ENXIO once the device behind the pool is gone.
 */
int vmc_entry_read(struct vmc_store *s, struct vmc_entry *e, void *dst,
		   struct vmc_extent *bad)
{
	return vmc_entry_kcopy(s, e, 0, dst, vmc_entry_size(e), false, bad);
}

/* Bytes a move between tiers copies at a time, through a bounce buffer. */
#define VMC_MOVE_STEP	PAGE_SIZE

/*
 * What a moved entry keeps of the one it replaces besides the value: its
 * metadata, and its access state (fetched, stale, win token, last access).
 * @dst is in no index yet, so a plain write of its flags is safe.
 */
static void vmc_entry_take_state(struct vmc_entry *dst,
				 const struct vmc_entry *src)
{
	unsigned long keep = BIT(VMC_ENTRY_FETCHED) | BIT(VMC_ENTRY_STALE) |
			     BIT(VMC_ENTRY_WON);

#if VMC_ENTRY_HAS_ATIME
	keep |= ~(BIT(VMC_ENTRY_ATIME_SHIFT) - 1);
#endif
	dst->flags = (dst->flags & ~keep) | (READ_ONCE(src->flags) & keep);
	dst->cas = src->cas;
	dst->client_flags = src->client_flags;
	dst->expiry = READ_ONCE(src->expiry);
}

/**
 * vmc_entry_move() - copy a value from one entry into another's extents
 * @s: the store of the entries' cache
 * @dst: unlinked entry with extents for a value of @src's size, in the
 *	 same or the other tier
 * @src: entry with a value; the caller holds a reference and cfg_sem
 * @bad: out, with -EIO: the pool range of @src that failed to read
 *
 * Kernel to kernel, a page at a time through a bounce buffer: how a cache
 * moves a value between its tiers.  @dst takes @src's metadata and access
 * state too (version, client flags, expiry, fetched, stale, win token and
 * last access), so that a move is invisible to readers.  May sleep.
 *
 * Return: 0, -ENOMEM, -EIO (with @bad set when reading @src failed) or
 * -ENXIO.
 */
int vmc_entry_move(struct vmc_store *s, struct vmc_entry *dst,
		   struct vmc_entry *src, struct vmc_extent *bad)
{
	u64 len = vmc_entry_size(src), off, n;
	void *buf;
	int ret = 0;

	buf = kmalloc(VMC_MOVE_STEP, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	bad->len = 0;
	for (off = 0; off < len && !ret; off += n) {
		n = min_t(u64, len - off, VMC_MOVE_STEP);
		ret = vmc_entry_kcopy(s, src, off, buf, n, false, bad);
		if (ret)
			break;
		ret = vmc_entry_kcopy(s, dst, off, buf, n, true, NULL);
		if (ret)
			bad->len = 0;
	}
	kfree(buf);
	if (!ret)
		vmc_entry_take_state(dst, src);
	return ret;
}

/**
 * vmc_entry_has_prefix() - whether an entry's key starts with a prefix
 * @e: the entry
 * @prefix: the prefix
 *
 * Return: true if it does.
 */
bool vmc_entry_has_prefix(const struct vmc_entry *e,
			  const struct vmc_key *prefix)
{
	return e->key_len >= prefix->len &&
	       !memcmp(e->key, prefix->data, prefix->len);
}

/**
 * vmc_fault_in() - bring a user range in, with no lock held
 * @ubuf: the range
 * @len: its length
 * @write: it is to be written
 *
 * For a copy under cfg_sem that came up short: this may wait.
 *
 * Return: 0 to start over, -EFAULT if it cannot come in, -EINTR if the
 * caller is being killed.
 */
int vmc_fault_in(const void __user *ubuf, size_t len, bool write)
{
	size_t left;

	if (write)
		left = fault_in_writeable((char __user *)ubuf, len);
	else
		left = fault_in_readable((const char __user *)ubuf, len);
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return left ? -EFAULT : 0;
}

/**
 * vmc_entry_set_atime() - stamp the last access of an entry not yet linked
 * @e: the entry, in no index
 * @now: CLOCK_BOOTTIME second
 */
void vmc_entry_set_atime(struct vmc_entry *e, u32 now)
{
#if VMC_ENTRY_HAS_ATIME
	e->flags = (e->flags & (BIT(VMC_ENTRY_ATIME_SHIFT) - 1)) |
		   (unsigned long)now << VMC_ENTRY_ATIME_SHIFT;
#endif
}

/**
 * vmc_entry_fetched() - note that a get read @e at second @now
 * @e: a linked entry, referenced
 * @now: CLOCK_BOOTTIME second
 * @m: out: vmc_entry_meta() as before the get; or NULL
 *
 * Sets VMC_ENTRY_FETCHED and the last access in one compare-and-exchange
 * (the index sets and clears VMC_ENTRY_LINKED concurrently), and writes
 * nothing when neither changes, so that hot entries read in the same
 * second do not bounce their cache line more than the reference does.
 */
void vmc_entry_fetched(struct vmc_entry *e, u32 now, struct vmc_meta *m)
{
	unsigned long old = READ_ONCE(e->flags), new;

	if (m)
		vmc_entry_meta(e, m);
	do {
		if (m) {
			m->atime = vmc_flags_atime(old);
			m->fetched = old & BIT(VMC_ENTRY_FETCHED);
			m->stale = old & BIT(VMC_ENTRY_STALE);
			m->won = old & BIT(VMC_ENTRY_WON);
		}
		new = old | BIT(VMC_ENTRY_FETCHED);
#if VMC_ENTRY_HAS_ATIME
		new = (new & (BIT(VMC_ENTRY_ATIME_SHIFT) - 1)) |
		      (unsigned long)now << VMC_ENTRY_ATIME_SHIFT;
#endif
		if (new == old)
			return;
	} while (!try_cmpxchg(&e->flags, &old, new));
}
