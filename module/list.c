// SPDX-License-Identifier: GPL-2.0
/*
 * Listing the keys of a cache (VMEMCACHE_IOC_LIST) into a user buffer, in
 * the order of a keyed hash so that a cursor survives index resizes.  Part
 * of the cache layer, beside cache.c: it walks the index and writes a
 * struct vmemcache_list_rec for each entry it lists, and calls nothing
 * above it.
 */
#include <linux/bsearch.h>
#include <linux/percpu-rwsem.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <uapi/linux/vmemcache.h>

#include "cache.h"

/*
 * A key kept for this call of a listing: its list hash, record size and
 * whether pass 2 wrote it (a walk may meet an entry twice, see
 * vmc_index_walk()).
 */
struct vmc_list_pick {
	u64 hash;
	u32 size;
	bool written;
};

/* Most keys one listing call returns. */
#define VMC_LIST_MAX	4096

struct vmc_list_walk {
	struct vmc_cache *c;
	struct vmc_list *l;
	struct vmc_list_pick *pick;	/* max-heap by hash, then sorted */
	u32 n;
	u32 max;
	bool left_out;			/* pass 1 left a key out */
	u32 now;			/* expired entries are not listed */
	int err;
};

static u64 vmc_list_hash(struct vmc_cache *c, const struct vmc_entry *e)
{
	return siphash(e->key, e->key_len, &c->list_key);
}

static bool vmc_list_wanted(struct vmc_list_walk *w, struct vmc_entry *e)
{
	return vmc_entry_has_prefix(e, &w->l->prefix) &&
	       !vmc_entry_expired(e, w->now);
}

static void vmc_pick_sift_down(struct vmc_list_pick *h, u32 n, u32 i)
{
	for (;;) {
		u32 big = i, l = 2 * i + 1, r = l + 1;

		if (l < n && h[l].hash > h[big].hash)
			big = l;
		if (r < n && h[r].hash > h[big].hash)
			big = r;
		if (big == i)
			return;
		swap(h[i], h[big]);
		i = big;
	}
}

/* Pass 1: keep the smallest hashes at or above the cursor. */
static bool vmc_list_pick_one(struct vmc_entry *e, void *arg)
{
	struct vmc_list_walk *w = arg;
	struct vmc_list_pick *h = w->pick;
	u64 hash;
	u32 i;

	if (!vmc_list_wanted(w, e))
		goto out;
	hash = vmc_list_hash(w->c, e);
	if (hash < w->l->cursor)
		goto out;
	if (w->n < w->max) {
		i = w->n++;
		h[i].hash = hash;
		h[i].size = VMEMCACHE_LIST_REC_SIZE(e->key_len);
		h[i].written = false;
		while (i && h[(i - 1) / 2].hash < h[i].hash) {
			swap(h[i], h[(i - 1) / 2]);
			i = (i - 1) / 2;
		}
	} else if (hash < h[0].hash) {
		w->left_out = true;
		h[0].hash = hash;
		h[0].size = VMEMCACHE_LIST_REC_SIZE(e->key_len);
		h[0].written = false;
		vmc_pick_sift_down(h, w->n, 0);
	} else {
		w->left_out = true;
	}
out:
	vmc_entry_put(&w->c->store, e);
	return true;
}

static int vmc_pick_cmp(const void *a, const void *b)
{
	const struct vmc_list_pick *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/*
 * Write the record of @e at @p: its struct vmemcache_list_rec, its key and
 * zero padding, VMEMCACHE_LIST_REC_SIZE() bytes.  With page faults
 * disabled, as the caller holds cfg_sem: 0, or -EFAULT when a page of @p
 * is not in memory or not writable.
 */
static int vmc_list_write_rec(void __user *p, const struct vmc_entry *e)
{
	struct vmemcache_list_rec rec = {
		.value_size = vmc_entry_size(e),
		.key_len = e->key_len,
	};
	u64 pad = VMEMCACHE_LIST_REC_SIZE(e->key_len) - sizeof(rec) -
		  e->key_len;
	int ret = 0;

	/* Programs built before the list record read it as an evicted one. */
	BUILD_BUG_ON(sizeof(rec) != sizeof(struct vmemcache_evicted_rec));
	BUILD_BUG_ON(offsetof(struct vmemcache_list_rec, key_len) !=
		     offsetof(struct vmemcache_evicted_rec, key_len));
	pagefault_disable();
	if (copy_to_user(p, &rec, sizeof(rec)) ||
	    copy_to_user(p + sizeof(rec), e->key, e->key_len) ||
	    (pad && clear_user(p + sizeof(rec) + e->key_len, pad)))
		ret = -EFAULT;
	pagefault_enable();
	return ret;
}

/*
 * Pass 2: write each key pass 1 picked, once.  Keys stored since pass 1
 * are left for a later call or none, as the listing's contract allows.
 */
static bool vmc_list_write_one(struct vmc_entry *e, void *arg)
{
	struct vmc_list_walk *w = arg;
	struct vmc_list *l = w->l;
	u64 need = VMEMCACHE_LIST_REC_SIZE(e->key_len);
	struct vmc_list_pick key, *p;
	bool more = true;

	if (!vmc_list_wanted(w, e))
		goto out;
	key.hash = vmc_list_hash(w->c, e);
	p = bsearch(&key, w->pick, w->n, sizeof(*p), vmc_pick_cmp);
	if (!p || p->written || need > l->size - l->used)
		goto out;
	if (vmc_list_write_rec(l->buf + l->used, e)) {
		w->err = -EFAULT;
		more = false;
		goto out;
	}
	p->written = true;
	l->used += need;
	l->count++;
out:
	vmc_entry_put(&w->c->store, e);
	return more;
}

/*
 * A listing call, made with cfg_sem held.  -EFAULT: the buffer is not in
 * memory; *@need is how much of it the call writes.
 */
static int vmc_cache_list_locked(struct vmc_cache *c, struct vmc_list *l,
				 struct vmc_list_walk *w, u64 *need)
{
	u64 used = 0, next;
	u32 i, j;

	vmc_index_walk(&c->index, &c->store, vmc_list_pick_one, w);
	sort(w->pick, w->n, sizeof(*w->pick), vmc_pick_cmp, NULL);
	/* An entry met twice was picked twice. */
	for (i = j = 0; i < w->n; i++)
		if (!j || w->pick[i].hash != w->pick[j - 1].hash)
			w->pick[j++] = w->pick[i];
	w->n = j;
	for (i = 0; i < w->n && w->pick[i].size <= l->size - used; i++)
		used += w->pick[i].size;
	if (!i) {
		if (w->n)
			return -EOVERFLOW;
		l->cursor = 0;	/* nothing (more) to list */
		return 0;
	}
	/* Complete if every key left fitted and pass 1 left none out. */
	if (i == w->n && !w->left_out)
		next = 0;
	else
		next = w->pick[i - 1].hash == U64_MAX ? 0 :
		       w->pick[i - 1].hash + 1;
	w->n = i;	/* pass 2 writes these */
	*need = used;
	vmc_index_walk(&c->index, &c->store, vmc_list_write_one, w);
	if (w->err)
		return w->err;
	l->cursor = next;
	return 0;
}

/**
 * vmc_cache_list() - write the records of keys to a user buffer
 * @c: cache
 * @l: the listing: prefix, buffer and cursor in; count, used and the next
 *     cursor out
 *
 * Keys are listed in the order of a keyed hash that stays the same for the
 * life of the cache, and the cursor is a hash value: a call lists the keys
 * whose hash is at least the cursor, as many as fit (at most
 * VMC_LIST_MAX), and returns the hash after the last one.  So a key that
 * exists for the whole listing is listed exactly once, however the index
 * is resized meanwhile; a key stored or removed meanwhile may or may not
 * be.  Two walks: the first picks the keys, the second writes them; if the
 * buffer is not in memory, both are made again once it is.
 *
 * Return: 0, -EFAULT, -ENOMEM, -EINTR when the caller is killed while its
 * buffer is faulted in, or -EOVERFLOW when the next key does not fit in
 * the empty buffer.
 */
int vmc_cache_list(struct vmc_cache *c, struct vmc_list *l)
{
	struct vmc_list_walk w;
	u64 need;
	int ret;

	memset(&w, 0, sizeof(w));
	w.max = clamp_t(u64, l->size / VMEMCACHE_LIST_REC_SIZE(1), 1,
			VMC_LIST_MAX);
	w.pick = kvmalloc_array(w.max, sizeof(*w.pick), GFP_KERNEL);
	if (!w.pick)
		return -ENOMEM;
	for (;;) {
		w.c = c;
		w.l = l;
		w.n = 0;
		w.left_out = false;
		w.now = vmc_now();
		w.err = 0;
		l->count = 0;
		l->used = 0;
		need = 0;
		percpu_down_read(&c->cfg_sem);
		ret = vmc_cache_list_locked(c, l, &w, &need);
		percpu_up_read(&c->cfg_sem);
		if (ret != -EFAULT)
			break;
		/* The buffer is not in memory: fault it in, list again. */
		ret = vmc_fault_in(l->buf, need, true);
		if (ret)
			break;
	}
	kvfree(w.pick);
	return ret;
}
