// SPDX-License-Identifier: GPL-2.0
/*
 * Entries of a cache: creation with the key copied from userspace,
 * reference counting, unlinking, pool space for the value, and copying
 * the value between userspace and the extents that hold it.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmemcache.h"

/*
 * Extents the first allocation attempt can take without allocating an
 * array, so that most values take the allocator's lock once.
 */
#define VMC_EXT_ONSTACK	8

/*
 * The memory kvmalloc() really took for a request of @size bytes at @p:
 * kmalloc rounds up to its size class, or to a power of two of pages past
 * the largest class (a 64 KiB key takes 128 KiB), and vmalloc to pages.
 * Recomputed the same way when the memory is freed.
 */
static size_t vmc_alloc_bytes(const void *p, size_t size)
{
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) : ksize(p);
}

static size_t vmc_ext_array_bytes(const struct vmc_entry *e)
{
	return vmc_alloc_bytes(e->ext_array,
			       array_size(e->nr_ext, sizeof(*e->ext_array)));
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
	size_t bytes = vmc_alloc_bytes(e, struct_size(e, key, e->key_len));

	if (e->nr_ext > 1)
		bytes += vmc_ext_array_bytes(e);
	return bytes;
}

/**
 * vmc_entry_create() - allocate an unlinked entry holding a key
 * @c: cache the entry is for
 * @ukey: user pointer to the key
 * @key_len: key length, already validated
 *
 * The entry starts with one reference, its creator's, and no value.
 *
 * Return: the entry or an ERR_PTR: -ENOMEM or -EFAULT.
 */
struct vmc_entry *vmc_entry_create(struct vmc_cache *c,
				   const void __user *ukey, u32 key_len)
{
	struct vmc_entry *e;

	BUILD_BUG_ON(sizeof(*e) != 64);
	e = kvmalloc(struct_size(e, key, key_len), c->gfp);
	if (!e)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(e->key, ukey, key_len)) {
		kvfree(e);
		return ERR_PTR(-EFAULT);
	}
	INIT_LIST_HEAD(&e->lru);
	refcount_set(&e->ref, 1);
	e->key_len = key_len;
	e->nr_ext = 0;
	e->tail = 0;
	e->flags = 0;
	atomic_long_add(vmc_entry_dram(e), &c->dram_used);
	return e;
}

/**
 * vmc_entry_put() - drop a reference; the last one frees the entry
 * @c: the entry's cache
 * @e: the entry
 *
 * Returns the value's extents to the pool at once; the entry's memory goes
 * after an RCU grace period, as index lookups may still be looking at it.
 * May sleep.
 */
void vmc_entry_put(struct vmc_cache *c, struct vmc_entry *e)
{
	if (!refcount_dec_and_test(&e->ref))
		return;

	atomic_long_sub(vmc_entry_dram(e), &c->dram_used);
	if (e->nr_ext)
		vmc_extent_put(&c->alloc, vmc_entry_ext(e), e->nr_ext);
	if (e->nr_ext > 1)
		kvfree(e->ext_array);
	kvfree_rcu(e, rcu);
}

/**
 * vmc_entry_unlink() - take a linked entry out of the cache
 * @c: the entry's cache
 * @e: the entry; the caller holds a reference
 *
 * Return: true if this call unlinked it, false if it was not linked.
 */
bool vmc_entry_unlink(struct vmc_cache *c, struct vmc_entry *e)
{
	/* Only one caller can take it out of the index; that one goes on. */
	if (!vmc_index_remove(&c->index, e))
		return false;

	c->repl->ops->remove(c->repl, e);
	atomic_long_dec(&c->nr_entries);
	vmc_entry_put(c, e);
	return true;
}

/*
 * Pool bytes a put may count on: the pool less its failed media, the
 * entries that gets hold while they wait for their buffers (not evictable
 * for as long as that may take) and @keep, an entry the put must not
 * evict.  Entries in use only for a copy are not counted: that is short.
 */
static u64 vmc_entry_room(struct vmc_cache *c, struct vmc_entry *keep)
{
	u64 room = c->alloc.size - READ_ONCE(c->alloc.poisoned);
	u64 held = atomic64_read(&c->stalled_bytes);

	if (keep)
		held += vmc_entry_size(keep) + keep->tail;
	return room > held ? room - held : 0;
}

/*
 * A put that replaces a value must evict something: pin the entry it
 * replaces, so that the policy never picks it (victims are entries nobody
 * else holds) and a put that fails leaves it in place.
 */
static struct vmc_entry *vmc_entry_pin_old(struct vmc_cache *c,
					   struct vmc_entry *e)
{
	struct vmc_key key = { .data = e->key, .len = e->key_len };

	return vmc_index_lookup_get(c, &key);
}

/**
 * vmc_entry_alloc_value() - give an entry pool space for a value
 * @c: the entry's cache
 * @e: unlinked entry without a value
 * @uval: user pointer to the value that will be written
 * @len: value length, 1..pool size
 * @replace: the put replaces the key's value, which must survive a failure
 * @log: where to report the entries evicted, or NULL
 *
 * Evicts entries through the replacement policy while the pool is full,
 * but first lets the policy release the space it holds, and evicts
 * nothing for a put bound to fail: one larger than the pool's usable bytes
 * (less the value it replaces, which is never evicted for it), or whose
 * value is not all in memory.  Runs with page faults disabled (cfg_sem is
 * held): -EFAULT asks the caller to fault the value in without locks and
 * try again.
 *
 * Return: 0, -ENOSPC when nothing more can be evicted, -EFAULT or -ENOMEM.
 */
int vmc_entry_alloc_value(struct vmc_cache *c, struct vmc_entry *e,
			  const void __user *uval, u64 len, bool replace,
			  struct vmc_evict_log *log)
{
	struct vmc_extent stack[VMC_EXT_ONSTACK], *ext = stack, *array;
	unsigned int max = ARRAY_SIZE(stack), nr;
	struct vmc_entry *old = NULL;
	bool checked = false, flushed = false;
	int ret;

	for (;;) {
		ret = vmc_extent_get(&c->alloc, len, ext, max, &nr);
		if (!ret)
			break;
		if (ret == -EOVERFLOW) {
			if (ext != stack)
				kvfree(ext);
			ext = kvmalloc_array(nr, sizeof(*ext), c->gfp);
			ret = -ENOMEM;
			if (!ext)
				goto out_unpin;
			max = nr;
			continue;
		}
		/* Space of removed entries the policy still holds comes first. */
		if (!flushed) {
			vmc_repl_flush(c->repl);
			flushed = true;
			continue;
		}
		if (!checked) {
			checked = true;
			if (replace)
				old = vmc_entry_pin_old(c, e);
			ret = -ENOSPC;
			if (roundup(len, (u64)c->extent_size) >
			    vmc_entry_room(c, old))
				goto out_free;
			/* Without faults: this only tells what is in. */
			pagefault_disable();
			ret = fault_in_readable(uval, len) ? -EFAULT : 0;
			pagefault_enable();
			if (ret)
				goto out_free;
		}
		ret = vmc_cache_evict_lru(c, log);
		if (ret) {
			ret = ret == -ESRCH ? -ENOSPC : ret;
			goto out_free;
		}
		cond_resched();
	}
	if (old)
		vmc_entry_put(c, old);

	if (nr == 1) {
		e->ext_inline = ext[0];
	} else {
		array = ext;
		if (ext == stack) {
			array = kvmalloc_array(nr, sizeof(*ext), c->gfp);
			if (!array) {
				vmc_extent_put(&c->alloc, ext, nr);
				return -ENOMEM;
			}
			memcpy(array, ext, array_size(nr, sizeof(*ext)));
		}
		e->ext_array = array;
	}
	if (nr == 1 && ext != stack)
		kvfree(ext);
	e->nr_ext = nr;
	if (nr > 1)
		atomic_long_add(vmc_ext_array_bytes(e), &c->dram_used);
	e->tail = roundup(len, (u64)c->extent_size) - len;
	return 0;

out_free:
	if (ext != stack)
		kvfree(ext);
out_unpin:
	if (old)
		vmc_entry_put(c, old);
	return ret;
}

/**
 * vmc_entry_free_value() - return the value of an unlinked entry to the pool
 * @c: the entry's cache
 * @e: entry that only its creator holds, never linked
 *
 * For a put that starts over: the entry is as vmc_entry_create() made it.
 */
void vmc_entry_free_value(struct vmc_cache *c, struct vmc_entry *e)
{
	if (!e->nr_ext)
		return;
	vmc_extent_put(&c->alloc, vmc_entry_ext(e), e->nr_ext);
	if (e->nr_ext > 1) {
		atomic_long_sub(vmc_ext_array_bytes(e), &c->dram_used);
		kvfree(e->ext_array);
	}
	e->nr_ext = 0;
	e->tail = 0;
}

/**
 * vmc_entry_fit_dram() - keep a cache's DRAM within its limit for a new entry
 * @c: the entry's cache, with cfg_sem held for read
 * @e: unlinked entry, counted in dram_used with its extent array
 * @uval: user pointer to the value that will be written
 * @len: value length
 * @log: where to report the entries evicted, or NULL
 *
 * Evicts entries through the replacement policy while the cache's entries
 * take more than its dram_limit, as vmc_entry_alloc_value() does while
 * the pool is full, and likewise evicts nothing for a put bound to fail
 * with -EFAULT (see vmc_entry_alloc_value()).  Concurrent puts may each
 * be counted before they evict, so dram_used can pass the limit by the
 * entries being put at that moment.
 *
 * Return: 0, -ENOSPC when the entry alone is over the limit or nothing
 * more can be evicted (policy none), or -EFAULT.
 */
int vmc_entry_fit_dram(struct vmc_cache *c, struct vmc_entry *e,
		       const void __user *uval, u64 len,
		       struct vmc_evict_log *log)
{
	long limit = min_t(u64, vmc_cache_dram_limit(c), LONG_MAX);
	bool checked = false, flushed = false;
	int ret;

	if (vmc_entry_dram(e) > limit)
		return -ENOSPC;
	while (atomic_long_read(&c->dram_used) > limit) {
		/* Removed entries the policy still holds go first. */
		if (!flushed) {
			vmc_repl_flush(c->repl);
			flushed = true;
			continue;
		}
		if (!checked) {
			/* Without faults: this only tells what is in. */
			pagefault_disable();
			ret = fault_in_readable(uval, len) ? -EFAULT : 0;
			pagefault_enable();
			if (ret)
				return ret;
			checked = true;
		}
		ret = vmc_cache_evict_lru(c, log);
		if (ret)
			return ret == -ESRCH ? -ENOSPC : ret;
		cond_resched();
	}
	return 0;
}

/**
 * vmc_entry_copy() - copy part of a value to or from userspace
 * @c: the entry's cache
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
int vmc_entry_copy(struct vmc_cache *c, struct vmc_entry *e, u64 offset,
		   void __user *ubuf, u64 len, bool to_user,
		   struct vmc_extent *bad)
{
	struct vmc_extent *ext = vmc_entry_ext(e);
	struct vmc_backing *b = c->backing;
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
