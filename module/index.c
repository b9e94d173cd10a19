// SPDX-License-Identifier: GPL-2.0
/*
 * The key index of a cache: an rhashtable of entries keyed by arbitrary
 * byte strings, hashed with xxhash.  Lookups run under RCU and take a
 * reference; all rhashtable calls live here so that its parameters are
 * compile-time constants for the inlined fast paths.
 */
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/xxhash.h>

#include "vmemcache.h"

static u32 vmc_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct vmc_key *key = data;

	return xxh64(key->data, key->len, seed);
}

static u32 vmc_entry_hashfn(const void *data, u32 len, u32 seed)
{
	const struct vmc_entry *e = data;

	return xxh64(e->key, e->key_len, seed);
}

static int vmc_entry_cmpfn(struct rhashtable_compare_arg *arg,
			   const void *obj)
{
	const struct vmc_key *key = arg->key;
	const struct vmc_entry *e = obj;

	return key->len != e->key_len || memcmp(key->data, e->key, key->len);
}

static const struct rhashtable_params vmc_index_params = {
	.head_offset = offsetof(struct vmc_entry, node),
	.hashfn = vmc_key_hashfn,
	.obj_hashfn = vmc_entry_hashfn,
	.obj_cmpfn = vmc_entry_cmpfn,
	.automatic_shrinking = true,
};

int vmc_index_init(struct rhashtable *index)
{
	return rhashtable_init(index, &vmc_index_params);
}

/**
 * vmc_index_lookup_get() - find an entry and take a reference on it
 * @index: the index
 * @key: key to look up
 *
 * The entry may have been unlinked since the lookup found it; the cache's
 * lookups check (vmc_cache_lookup()).
 *
 * Return: the entry, or NULL when the key is absent or its entry is being
 * freed.
 */
struct vmc_entry *vmc_index_lookup_get(struct rhashtable *index,
				       const struct vmc_key *key)
{
	struct vmc_entry *e;

	rcu_read_lock();
	e = rhashtable_lookup(index, key, vmc_index_params);
	if (e && !refcount_inc_not_zero(&e->ref))
		e = NULL;
	rcu_read_unlock();
	return e;
}

/**
 * vmc_index_contains() - tell whether a key is in the index
 * @index: the index
 * @key: key to look up
 *
 * Return: whether the key is in the index.
 */
bool vmc_index_contains(struct rhashtable *index, const struct vmc_key *key)
{
	bool found;

	rcu_read_lock();
	found = rhashtable_lookup(index, key, vmc_index_params);
	rcu_read_unlock();
	return found;
}

/**
 * vmc_index_finds() - tell whether a lookup of an entry's key finds it
 * @index: the index
 * @e: entry whose key is looked up
 *
 * For the consistency check: an entry in the wrong bucket, or shadowed by
 * another entry with the same key, is not found.
 *
 * Return: whether the index holds @e under its key.
 */
bool vmc_index_finds(struct rhashtable *index, struct vmc_entry *e)
{
	struct vmc_key key = { .data = e->key, .len = e->key_len };
	bool found;

	rcu_read_lock();
	found = rhashtable_lookup(index, &key, vmc_index_params) == e;
	rcu_read_unlock();
	return found;
}

/**
 * vmc_index_insert() - link a new entry, optionally replacing its key's
 * @index: the index
 * @e: new entry with VMC_ENTRY_LINKED set and the index's reference held
 * @replace: replace an entry with the same key instead of failing
 * @old: out: the replaced entry, whose index reference and unlinking now
 *	 belong to the caller; NULL when nothing was replaced
 *
 * The replacement is atomic: a lookup finds either the old or the new
 * entry.  An old entry that another task is unlinking leaves the index
 * right after it clears VMC_ENTRY_LINKED, so that case is simply retried.
 *
 * Return: 0, -EEXIST, or -ENOMEM when the table could not grow.
 */
int vmc_index_insert(struct rhashtable *index, struct vmc_entry *e,
		     bool replace, struct vmc_entry **old)
{
	struct vmc_key key = { .data = e->key, .len = e->key_len };
	struct vmc_entry *cur;
	int ret;

	*old = NULL;
	for (;;) {
		rcu_read_lock();
		cur = rhashtable_lookup_get_insert_key(index, &key, &e->node,
						       vmc_index_params);
		if (!cur) {
			rcu_read_unlock();
			return 0;
		}
		if (IS_ERR(cur)) {
			rcu_read_unlock();
			return PTR_ERR(cur) == -EEXIST ? -EEXIST : -ENOMEM;
		}
		if (!replace) {
			rcu_read_unlock();
			return -EEXIST;
		}
		if (test_and_clear_bit(VMC_ENTRY_LINKED, &cur->flags)) {
			/* Same key, same hash, and only we may remove cur. */
			ret = rhashtable_replace_fast(index, &cur->node,
						      &e->node,
						      vmc_index_params);
			rcu_read_unlock();
			WARN_ON_ONCE(ret);
			*old = cur;
			return 0;
		}
		rcu_read_unlock();
		cond_resched();
	}
}

/**
 * vmc_index_remove() - take an entry out of the index
 * @index: the index
 * @e: entry whose VMC_ENTRY_LINKED bit the caller cleared
 */
void vmc_index_remove(struct rhashtable *index, struct vmc_entry *e)
{
	WARN_ON_ONCE(rhashtable_remove_fast(index, &e->node,
					    vmc_index_params));
}

/**
 * vmc_index_drain() - pass every entry of the index to a function
 * @index: the index
 * @fn: called with a reference on the entry, which it must drop; may sleep
 * @arg: passed to @fn
 *
 * A walk may miss entries that move while @fn runs; callers that must see
 * every entry repeat the walk until their own count says it is done.
 */
void vmc_index_drain(struct rhashtable *index,
		     void (*fn)(struct vmc_entry *e, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	struct vmc_entry *e;

	rhashtable_walk_enter(index, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e) || !refcount_inc_not_zero(&e->ref))
			continue;
		rhashtable_walk_stop(&iter);
		fn(e, arg);
		cond_resched();
		rhashtable_walk_start(&iter);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/**
 * vmc_index_walk() - pass entries of the index to a function until it stops
 * @index: the index
 * @fn: called with a reference on the entry, which it must drop; may sleep;
 *	returns false to end the walk
 * @arg: passed to @fn
 *
 * As vmc_index_drain(), a walk may miss entries or see one twice when the
 * index changes meanwhile.
 */
void vmc_index_walk(struct rhashtable *index,
		    bool (*fn)(struct vmc_entry *e, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	struct vmc_entry *e;
	bool more = true;

	rhashtable_walk_enter(index, &iter);
	rhashtable_walk_start(&iter);
	while (more && (e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e) || !refcount_inc_not_zero(&e->ref))
			continue;
		rhashtable_walk_stop(&iter);
		more = fn(e, arg);
		cond_resched();
		rhashtable_walk_start(&iter);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

void vmc_index_destroy(struct rhashtable *index)
{
	rhashtable_destroy(index);
}
