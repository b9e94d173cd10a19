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

static size_t vmc_entry_bytes(const struct vmc_entry *e)
{
	size_t bytes = struct_size(e, key, e->key_len);

	if (e->nr_ext > 1)
		bytes += array_size(e->nr_ext, sizeof(*e->ext_array));
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
	atomic_long_add(vmc_entry_bytes(e), &c->dram_used);
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

	atomic_long_sub(vmc_entry_bytes(e), &c->dram_used);
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

/**
 * vmc_entry_alloc_value() - give an entry pool space for a value
 * @c: the entry's cache
 * @e: unlinked entry without a value
 * @uval: user pointer to the value that will be written
 * @len: value length, 1..pool size
 * @log: where to report the entries evicted, or NULL
 *
 * Evicts entries through the replacement policy while the pool is full,
 * but first lets the policy release the space it holds and faults the
 * value in, so that a put bound to fail with -EFAULT evicts nothing.
 *
 * Return: 0, -ENOSPC when nothing more can be evicted, -EFAULT or -ENOMEM.
 */
int vmc_entry_alloc_value(struct vmc_cache *c, struct vmc_entry *e,
			  const void __user *uval, u64 len,
			  struct vmc_evict_log *log)
{
	struct vmc_extent stack[VMC_EXT_ONSTACK], *ext = stack, *array;
	unsigned int max = ARRAY_SIZE(stack), nr;
	bool faulted_in = false, flushed = false;
	int ret;

	for (;;) {
		ret = vmc_extent_get(&c->alloc, len, ext, max, &nr);
		if (!ret)
			break;
		if (ret == -EOVERFLOW) {
			if (ext != stack)
				kvfree(ext);
			ext = kvmalloc_array(nr, sizeof(*ext), c->gfp);
			if (!ext)
				return -ENOMEM;
			max = nr;
			continue;
		}
		/* Space of removed entries the policy still holds comes first. */
		if (!flushed) {
			vmc_repl_flush(c->repl);
			flushed = true;
			continue;
		}
		ret = -EFAULT;
		if (!faulted_in && fault_in_readable(uval, len))
			goto out_free;
		faulted_in = true;
		ret = vmc_cache_evict_lru(c, log);
		if (ret) {
			ret = ret == -ESRCH ? -ENOSPC : ret;
			goto out_free;
		}
		cond_resched();
	}

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
		atomic_long_add(array_size(nr, sizeof(*ext)), &c->dram_used);
	}
	if (nr == 1 && ext != stack)
		kvfree(ext);
	e->nr_ext = nr;
	e->tail = roundup(len, (u64)c->extent_size) - len;
	return 0;

out_free:
	if (ext != stack)
		kvfree(ext);
	return ret;
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
	int ret;

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
			return ret;
		done += chunk;
	}
	return 0;
}
