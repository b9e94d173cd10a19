// SPDX-License-Identifier: GPL-2.0
/*
 * The key index of a cache: an rhashtable of entries keyed by arbitrary
 * byte strings, hashed with xxhash.  Lookups run under RCU and take a
 * reference; all rhashtable calls live here so that its parameters are
 * compile-time constants for the inlined fast paths, and so does the
 * meaning of VMC_ENTRY_LINKED (below).  The cache passes the index and
 * the struct vmc_store its entries are dropped to; the index knows
 * nothing else of it.  An index may also have a lookup table userspace
 * maps (index_map.c): every link, replacement and unlink here updates it,
 * so that no slot outlives its entry's place in the index.
 */
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/xxhash.h>

#include "index.h"

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

int vmc_index_init(struct vmc_index *index)
{
	index->map = NULL;
	return rhashtable_init(&index->ht, &vmc_index_params);
}

/*
 * An entry is linked while it is in the index: VMC_ENTRY_LINKED is set
 * before it goes in, and cleared by whoever took it out, right after.
 * Taking an entry out, by a removal or a replacement, succeeds for one
 * caller only, and that caller owns the rest of the entry's unlinking, so
 * nobody ever waits for another task to finish unlinking.
 *
 * A lookup under RCU can still meet an entry that was taken out after the
 * lookup found it.  No reference to such an entry leaves this file: a get
 * would record a use of it, which the buffered LRU could apply while it
 * holds the entry on its list of entries to free (repl_lru.c).  Such an
 * entry stands for its key's current entry, if any, which a replacement
 * has put in its place: a replaced key never seems missing.
 *
 * Nor is an entry's memory an entry of the same key for as long as a
 * lookup may see it: an evicting put may make it at once into its own
 * entry, with another key (vmc_entry_take_extents()).  It does so only
 * with the last reference, and writes the key before the reference count
 * leaves zero; so every lookup here takes a reference, which keeps the
 * key as it is, and then checks that the entry is still linked and still
 * holds the key it looked for (vmc_index_holds()).  A lookup that reads
 * an entry without a reference could mistake another key's for its own.
 */

/* After taking a reference on @e: is it still in the index? */
static bool vmc_index_linked(struct vmc_entry *e)
{
	/*
	 * The flag is read after the reference is taken, so that an entry
	 * whose last reference the policy holds is seen unlinked; and the
	 * index after the flag, which is cleared after the entry left it.
	 */
	smp_mb__after_atomic();
	return test_bit_acquire(VMC_ENTRY_LINKED, &e->flags);
}

/* After taking a reference on @e: is it in the index, under @key? */
static bool vmc_index_holds(struct vmc_entry *e, const struct vmc_key *key)
{
	return vmc_index_linked(e) && e->key_len == key->len &&
	       !memcmp(e->key, key->data, key->len);
}

/**
 * vmc_index_lookup_get() - find a linked entry and take a reference on it
 * @index: the index
 * @s: the store of its entries, to drop a reference
 * @key: key to look up
 *
 * May sleep, to drop the reference to an entry taken out meanwhile.
 *
 * Return: the entry, or NULL when the key is absent.
 */
struct vmc_entry *vmc_index_lookup_get(struct vmc_index *index,
				       struct vmc_store *s,
				       const struct vmc_key *key)
{
	struct vmc_entry *e;

	for (;;) {
		rcu_read_lock();
		e = rhashtable_lookup(&index->ht, key, vmc_index_params);
		if (e && !refcount_inc_not_zero(&e->ref)) {
			/* Being freed: out of the index already. */
			rcu_read_unlock();
			smp_rmb();	/* look at the index after its removal */
			continue;
		}
		rcu_read_unlock();
		if (!e || vmc_index_holds(e, key))
			return e;
		/* Taken out since, or made another key's: look again. */
		vmc_entry_put(s, e);
	}
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
bool vmc_index_finds(struct vmc_index *index, struct vmc_entry *e)
{
	struct vmc_key key = { .data = e->key, .len = e->key_len };
	bool found;

	rcu_read_lock();
	found = rhashtable_lookup(&index->ht, &key, vmc_index_params) == e;
	rcu_read_unlock();
	return found;
}

/**
 * vmc_index_may_replace() - may an insertion take the place of an entry?
 * @cur: the entry its key has, or NULL
 * @cond: the insertion's condition
 *
 * Return: 0, -EEXIST when @cur is live and @cond does not replace it (or
 * not at its version), -ENOENT when @cond wants a live entry and there is
 * none.
 */
int vmc_index_may_replace(const struct vmc_entry *cur,
			  const struct vmc_insert_cond *cond)
{
	bool present = cond->present || cond->match_cas;

	if (!cur || vmc_entry_expired_now(cur))
		return present ? -ENOENT : 0;
	if (cond->match_cas && cur->cas != cond->cas)
		return -EEXIST;
	return cond->replace || present ? 0 : -EEXIST;
}

/**
 * vmc_index_may_insert() - may an insertion under a condition link a key now?
 * @index: the index
 * @s: the store of its entries, to drop a reference
 * @key: the key
 * @cond: the insertion's condition
 *
 * A look at the key's entry: for a put to fail before it evicts anything,
 * at the cost of a lookup.  vmc_index_insert_if() decides again,
 * atomically.  May sleep.
 *
 * Return: as vmc_index_may_replace().
 */
int vmc_index_may_insert(struct vmc_index *index, struct vmc_store *s,
			 const struct vmc_key *key,
			 const struct vmc_insert_cond *cond)
{
	struct vmc_entry *cur = vmc_index_lookup_get(index, s, key);
	int ret = vmc_index_may_replace(cur, cond);

	if (cur)
		vmc_entry_put(s, cur);
	return ret;
}

/**
 * vmc_index_insert_if() - link a new entry where a condition allows
 * @index: the index
 * @s: the store of its entries, to drop a reference
 * @e: new entry, with the index's reference held
 * @cond: which entry of the key it may replace (vmc_index_may_replace())
 * @old: out: the replaced entry, whose index reference and unlinking now
 *	 belong to the caller; NULL when nothing was replaced
 *
 * The replacement is atomic: a lookup finds either the old or the new
 * entry.  The condition is decided on the entry the replacement swaps
 * out, with a reference held so that it stays the key's, so the decision
 * and the replacement are one atomic step: of insertions racing over the
 * same version, one succeeds.  When another task takes the old entry out
 * first, that task owns it, and the insertion is simply tried again.
 * May sleep.
 *
 * @e is marked linked while the insertion is tried, so that a lookup that
 * finds it in the table sees it linked.  A lookup that met @e's memory
 * under an earlier key (vmc_entry_take_extents()) may therefore hold a
 * reference to @e even when the insertion fails: the caller then leaves
 * @e's value to the last reference.
 *
 * Return: 0, -EEXIST, -ENOENT, or -ENOMEM when the table could not grow.
 */
int vmc_index_insert_if(struct vmc_index *index, struct vmc_store *s,
			struct vmc_entry *e, const struct vmc_insert_cond *cond,
			struct vmc_entry **old)
{
	struct vmc_key key = { .data = e->key, .len = e->key_len };
	bool present = cond->present || cond->match_cas;
	struct vmc_entry *cur;
	int ret;

	*old = NULL;
	/* Visible with the entry: the insertion publishes it. */
	set_bit(VMC_ENTRY_LINKED, &e->flags);
	for (;;) {
		rcu_read_lock();
		if (present)
			cur = rhashtable_lookup(&index->ht, &key, vmc_index_params);
		else
			cur = rhashtable_lookup_get_insert_key(&index->ht, &key,
							       &e->node,
							       vmc_index_params);
		if (!IS_ERR_OR_NULL(cur) && !refcount_inc_not_zero(&cur->ref)) {
			/* Being freed: out of the index already. */
			rcu_read_unlock();
			smp_rmb();	/* look at the index after its removal */
			continue;
		}
		rcu_read_unlock();
		if (!cur && !present)
			return 0;
		if (IS_ERR(cur)) {
			ret = PTR_ERR(cur) == -EEXIST ? -EEXIST : -ENOMEM;
			cur = NULL;
			break;
		}
		if (cur && !vmc_index_holds(cur, &key)) {
			vmc_entry_put(s, cur);
			continue;
		}
		ret = vmc_index_may_replace(cur, cond);
		if (ret)
			break;
		/* Same key, same hash: only a removal can beat us to cur. */
		ret = rhashtable_replace_fast(&index->ht, &cur->node, &e->node,
					      vmc_index_params);
		if (!ret) {
			clear_bit_unlock(VMC_ENTRY_LINKED, &cur->flags);
			if (index->map)
				vmc_index_map_replace(index->map, cur, e);
			/* Ours goes; the index's is the caller's now. */
			refcount_dec(&cur->ref);
			*old = cur;
			return 0;
		}
		vmc_entry_put(s, cur);
		cur = NULL;
		if (WARN_ON_ONCE(ret != -ENOENT)) {
			ret = -EEXIST;
			break;
		}
	}
	if (cur)
		vmc_entry_put(s, cur);
	clear_bit(VMC_ENTRY_LINKED, &e->flags);
	return ret;
}

/**
 * vmc_index_remove() - take an entry out of the index
 * @index: the index
 * @e: entry; the caller holds a reference
 *
 * Return: true if this call took @e out, which makes the caller the owner
 * of the rest of its unlinking; false if it was not in the index.
 */
bool vmc_index_remove(struct vmc_index *index, struct vmc_entry *e)
{
	if (rhashtable_remove_fast(&index->ht, &e->node, vmc_index_params))
		return false;
	/* Whoever sees the flag clear sees the index without @e. */
	clear_bit_unlock(VMC_ENTRY_LINKED, &e->flags);
	if (index->map)
		vmc_index_map_unlink(index->map, e);
	return true;
}

/*
 * Resume a walk stopped at an entry.  rhashtable goes on after the entry
 * by finding it again in its bucket.  When the entry has left the bucket,
 * rhashtable keeps its position as the count of entries up to it, which
 * now counts in the entry that followed it and would skip that one; so the
 * walk starts over from the bucket's first entry instead: entries may be
 * met twice, none is missed.
 *
 * Return: 0, or -EAGAIN when the table the walk was in is gone (a resize),
 * and the walk starts over from the new table's first bucket.
 */
static int vmc_index_walk_start(struct rhashtable_iter *iter)
	__acquires(RCU)
{
	bool stopped_at_entry = iter->p;
	int ret = rhashtable_walk_start_check(iter);

	if (stopped_at_entry && !iter->p)
		iter->skip = 0;
	return ret;
}

/**
 * vmc_index_walk() - pass the entries of the index to a function
 * @index: the index
 * @s: the store of its entries, to drop a reference
 * @fn: called with a reference on a linked entry, which it must drop
 *	(vmc_entry_put()); may sleep; returns false to end the walk
 * @arg: passed to @fn
 *
 * Every entry that is in the index for the whole walk is passed to @fn,
 * however entries are added and removed meanwhile; one that is replaced
 * meanwhile is passed, or its replacement is.  Entries added or removed
 * during the walk may or may not be passed.  When the index is resized
 * meanwhile, entries may be passed more than once.
 *
 * Return: 0, or -EAGAIN when the index was resized during the walk, which
 * may have passed entries twice.
 */
int vmc_index_walk(struct vmc_index *index, struct vmc_store *s,
		   bool (*fn)(struct vmc_entry *e, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	struct vmc_entry *e, *cur;
	struct vmc_key key;
	bool more = true;
	int ret = 0;

	rhashtable_walk_enter(&index->ht, &iter);
	rhashtable_walk_start(&iter);
	while (more && (e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			ret = -EAGAIN;	/* on to a new table */
			continue;
		}
		if (!refcount_inc_not_zero(&e->ref))
			continue;	/* out of the index already */
		rhashtable_walk_stop(&iter);
		if (!vmc_index_linked(e)) {
			key.data = e->key;
			key.len = e->key_len;
			cur = vmc_index_lookup_get(index, s, &key);
			vmc_entry_put(s, e);
			e = cur;
		}
		if (e)
			more = fn(e, arg);
		cond_resched();
		if (vmc_index_walk_start(&iter))
			ret = -EAGAIN;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return ret;
}

void vmc_index_destroy(struct vmc_index *index)
{
	rhashtable_destroy(&index->ht);
	vmc_index_unmap_all(index->map);
	index->map = NULL;
}
