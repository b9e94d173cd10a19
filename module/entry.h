/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entries: a key and the extents of its value (entry.c), the lowest layer
 * of the cache.  Used by every layer above: the index, the policies, the
 * cache and, for what it reports of evicted entries, the ioctl layer.
 * Entries know the struct vmc_store their cache embeds (where values and
 * the DRAM they take are accounted), not the cache.
 */
#ifndef _VMC_ENTRY_H
#define _VMC_ENTRY_H

#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

#include "backing.h"
#include "extent_alloc.h"

/* Bits of vmc_entry.flags */
#define VMC_ENTRY_LINKED	0	/* in the index (index.c owns the bit) */
#define VMC_ENTRY_FETCHED	1	/* a get has read it */
#define VMC_ENTRY_STALE		2	/* invalidated: its value is stale */
#define VMC_ENTRY_WON		3	/* the win token was given out */
#define VMC_ENTRY_SLOW		4	/* value in the slow tier (set unlinked) */
#define VMC_ENTRY_REFERENCED	5	/* hit once in the slow tier */
#define VMC_ENTRY_MOVING	6	/* being copied to the other tier */
#define VMC_ENTRY_MAPPED	7	/* may hold a mapped slot (index_map.c) */
#define VMC_ENTRY_RECYCLED	8	/* memory of an evicted entry (entry.c) */
/*
 * Where a long has room, the high half of vmc_entry.flags holds the
 * CLOCK_BOOTTIME second of the entry's last access (its put, or the last
 * get): the entry has no other room left.  Elsewhere it reads as 0.
 */
#define VMC_ENTRY_ATIME_SHIFT	32
#define VMC_ENTRY_HAS_ATIME	(BITS_PER_LONG > VMC_ENTRY_ATIME_SHIFT)

/**
 * struct vmc_entry - one key and its value
 * @node: link in the cache's index
 * @lru: link owned by the replacement policy
 * @rcu: frees the entry after index lookups that may see it are done; used
 *	 only once the last reference is gone, when @lru is on no list
 * @ref: one reference held by the index while linked, one per user
 * @key_len: key length in bytes
 * @nr_ext: number of extents of the value
 * @tail: bytes of the last extent past the end of the value
 * @flags: VMC_ENTRY_* bits, and the last access (VMC_ENTRY_ATIME_SHIFT)
 * @ext_inline: the extent of a value that fits one extent (@nr_ext <= 1)
 * @ext_array: the extents of a longer value, in value order
 * @cas: the version the put that stored it gave it, unique in the cache
 * @client_flags: opaque bits the put stored with the value
 * @expiry: CLOCK_BOOTTIME second from which it is expired, 0 for never;
 *	    the only field that changes once the entry is linked (a touch)
 * @key: the key bytes
 *
 * Kept to 80 bytes plus the key: the DRAM cost of an entry is what limits
 * a cache of terabytes.  vmc_entry_ext() and vmc_entry_size() read the
 * value's layout.
 *
 * An entry is visible in the index only once its value is written.  Whoever
 * takes it out of the index (vmc_index_remove(), or vmc_index_insert_if()
 * replacing it) owns taking it out of the policy and dropping the index's
 * reference; the last reference frees its extents.
 *
 * The memory of an entry stays an entry's for as long as index lookups
 * under RCU may see it, as a SLAB_TYPESAFE_BY_RCU object's would: it is
 * either freed after a grace period or, for an evicting put, made at once
 * into the put's entry with another key (vmc_entry_take_extents()).  So a
 * lookup that takes a reference checks the key again (index.c).
 */
struct vmc_entry {
	struct rhash_head node;
	union {
		struct list_head lru;
		struct rcu_head rcu;
	};
	refcount_t ref;
	u32 key_len;
	u32 nr_ext;
	u32 tail;
	unsigned long flags;
	union {
		struct vmc_extent ext_inline;
		struct vmc_extent *ext_array;
	};
	u64 cas;
	u32 client_flags;
	u32 expiry;
	u8 key[];
};

/**
 * struct vmc_meta - what a put stores with a value besides it
 * @cas: the entry's version
 * @client_flags: opaque bits
 * @expiry: CLOCK_BOOTTIME second of expiry, 0 for never
 * @atime: CLOCK_BOOTTIME second of the last access (0: not kept)
 * @fetched: whether a get has read it
 * @stale: whether it was marked stale
 * @won: whether its win token was taken
 *
 * A get reports @atime and @fetched as they were before it.
 */
struct vmc_meta {
	u64 cas;
	u32 client_flags;
	u32 expiry;
	u32 atime;
	bool fetched;
	bool stale;
	bool won;
};

/*
 * The CLOCK_BOOTTIME second that entries' expiry is compared with: the
 * precise clock, as userspace reads it, not ktime_get_boottime_seconds()'s
 * coarse one, which lags by up to a tick and would let an entry outlive
 * the second its writer saw begin.
 */
static inline u32 vmc_now(void)
{
	return (u32)ktime_divns(ktime_get_boottime(), NSEC_PER_SEC);
}

/*
 * The second an access is stamped with: the coarse clock, which reads no
 * clocksource (every put and get stamps one, and the precise read showed
 * in the profile of small gets).  It lags vmc_now() by up to a tick; the
 * last access is only reported, as memcached's own, kept to the second by
 * a timer, is.
 */
static inline u32 vmc_access_now(void)
{
	return (u32)ktime_get_boottime_seconds();
}

/* Has @e expired at CLOCK_BOOTTIME second @now? */
static inline bool vmc_entry_expired(const struct vmc_entry *e, u32 now)
{
	u32 expiry = READ_ONCE(e->expiry);

	return expiry && now >= expiry;
}

/*
 * Has @e expired by now?  The clock is read only for an entry that has an
 * expiry: most have none, and on the paths of every get and of every
 * eviction the read costs as much as the rest of the check.
 */
static inline bool vmc_entry_expired_now(const struct vmc_entry *e)
{
	return READ_ONCE(e->expiry) && vmc_entry_expired(e, vmc_now());
}

static inline u32 vmc_flags_atime(unsigned long flags)
{
#if VMC_ENTRY_HAS_ATIME
	return flags >> VMC_ENTRY_ATIME_SHIFT;
#else
	return 0;
#endif
}

static inline void vmc_entry_meta(const struct vmc_entry *e,
				  struct vmc_meta *m)
{
	unsigned long flags = READ_ONCE(e->flags);

	m->cas = e->cas;
	m->client_flags = e->client_flags;
	m->expiry = READ_ONCE(e->expiry);
	m->atime = vmc_flags_atime(flags);
	m->fetched = flags & BIT(VMC_ENTRY_FETCHED);
	m->stale = flags & BIT(VMC_ENTRY_STALE);
	m->won = flags & BIT(VMC_ENTRY_WON);
}

static inline struct vmc_extent *vmc_entry_ext(struct vmc_entry *e)
{
	return e->nr_ext > 1 ? e->ext_array : &e->ext_inline;
}

/* The value's size: its extents less the unused tail of the last one. */
static inline u64 vmc_entry_size(const struct vmc_entry *e)
{
	u64 size = 0;
	u32 i;

	if (e->nr_ext <= 1)
		return e->nr_ext ? e->ext_inline.len - e->tail : 0;
	for (i = 0; i < e->nr_ext; i++)
		size += e->ext_array[i].len;
	return size - e->tail;
}

/**
 * struct vmc_key - a key to look up
 * @data: key bytes
 * @len: key length
 */
struct vmc_key {
	const void *data;
	u32 len;
};

/**
 * struct vmc_store - where a cache's entries keep their values
 * @backing: where value bytes live
 * @alloc: free space of the pool
 * @extent_size: allocation unit in bytes
 * @dram_used: bytes allocated for entries, keys and extent arrays (as
 *	       allocated: slab size classes included)
 * @gfp: allocation flags of the cache's memory: GFP_KERNEL_ACCOUNT for a
 *	 private cache, charged to the memory cgroup of its creator (the pool)
 *	 and of whoever puts (entries), GFP_KERNEL for the shared one
 * @slow: in the store of a cache with two tiers, the store of its slow
 *	  tier, where the values of entries with VMC_ENTRY_SLOW live; NULL
 *	  otherwise.  The DRAM of every entry is counted in the fast tier's
 *	  @dram_used, so entry functions take the fast tier's store and
 *	  find the pool of an entry's value through vmc_entry_store().
 *
 * Embedded in and owned by the cache (struct vmc_cache.store), which
 * replaces @backing, @alloc and @extent_size only with its cfg_sem held
 * for write.  It is all the entries and the index need of their cache,
 * so that they do not know the cache's struct.
 */
struct vmc_store {
	struct vmc_backing *backing;
	struct vmc_extent_alloc alloc;
	u32 extent_size;
	atomic_long_t dram_used;
	gfp_t gfp;
	struct vmc_store *slow;
};

/**
 * vmc_entry_store() - the store whose pool holds an entry's value
 * @s: the store of the entry's cache (its fast tier)
 * @e: the entry
 *
 * Return: @s, or its slow tier's store for an entry in the slow tier.
 */
static inline struct vmc_store *vmc_entry_store(struct vmc_store *s,
						const struct vmc_entry *e)
{
	return test_bit(VMC_ENTRY_SLOW, &e->flags) ? s->slow : s;
}

/* entry.c */
struct vmc_entry *vmc_entry_create(struct vmc_store *s,
				   const struct vmc_key *key);
void vmc_entry_put(struct vmc_store *s, struct vmc_entry *e);
int vmc_entry_set_value(struct vmc_store *s, struct vmc_entry *e,
			struct vmc_extent *ext, unsigned int nr, bool owned,
			u64 len);
void vmc_entry_free_value(struct vmc_store *s, struct vmc_entry *e);
unsigned int vmc_entry_take_extents(struct vmc_store *s, struct vmc_entry *e,
				    struct vmc_extent *ext, unsigned int max,
				    const struct vmc_key *key,
				    struct vmc_entry **into);
size_t vmc_entry_dram(const struct vmc_entry *e);
int vmc_entry_copy(struct vmc_store *s, struct vmc_entry *e, u64 offset,
		   void __user *ubuf, u64 len, bool to_user,
		   struct vmc_extent *bad);
int vmc_entry_read(struct vmc_store *s, struct vmc_entry *e, void *dst,
		   struct vmc_extent *bad);
int vmc_entry_move(struct vmc_store *s, struct vmc_entry *dst,
		   struct vmc_entry *src, struct vmc_extent *bad);
bool vmc_entry_has_prefix(const struct vmc_entry *e,
			  const struct vmc_key *prefix);
int vmc_fault_in(const void __user *ubuf, size_t len, bool write);
void vmc_entry_set_atime(struct vmc_entry *e, u32 now);
void vmc_entry_fetched(struct vmc_entry *e, u32 now, struct vmc_meta *m);

#endif /* _VMC_ENTRY_H */
