/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmemcache internals: the cache object, its entries and the interfaces
 * between its parts (index, replacement policy, allocator, backing).
 *
 * A cache is self-contained: the device's shared cache is one instance, and
 * nothing here assumes there is only one.
 */
#ifndef _VMEMCACHE_H
#define _VMEMCACHE_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/percpu-rwsem.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "backing.h"
#include "extent_alloc.h"

#define VMC_MIN_CAPACITY	BIT_ULL(20)
#define VMC_MIN_EXTENT		64U
#define VMC_MAX_EXTENT		BIT(30)

/* Bits of vmc_entry.flags */
#define VMC_ENTRY_LINKED	0	/* in the index (index.c owns the bit) */

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
 * @flags: VMC_ENTRY_* bits
 * @ext_inline: the extent of a value that fits one extent (@nr_ext <= 1)
 * @ext_array: the extents of a longer value, in value order
 * @key: the key bytes
 *
 * Kept to 64 bytes plus the key: the DRAM cost of an entry is what limits
 * a cache of terabytes.  vmc_entry_ext() and vmc_entry_size() read the
 * value's layout.
 *
 * An entry is visible in the index only once its value is written.  Whoever
 * takes it out of the index (vmc_index_remove(), or vmc_index_insert()
 * replacing it) owns taking it out of the policy and dropping the index's
 * reference; the last reference frees its extents.
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
	u8 key[];
};

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

struct vmc_repl;
struct vmc_cache;

/**
 * struct vmc_repl_owner - what a policy gets from the cache that creates it
 * @release: drop a reference the policy holds on @e (the last one frees
 *	     it); may sleep
 * @arg: the owner's, passed to @release
 * @gfp: allocation flags of the policy's state
 *
 * A policy hands the references it no longer needs back through @release
 * instead of calling into the cache: it knows entries, not caches.
 */
struct vmc_repl_owner {
	void (*release)(struct vmc_entry *e, void *arg);
	void *arg;
	gfp_t gfp;
};

/**
 * struct vmc_repl_ops - a replacement policy
 * @name: name written to the policy attribute
 * @create: allocate the policy's state for a cache; @owner is copied
 * @destroy: free it; the cache is empty
 * @insert: a new entry was linked (no-op if it has been unlinked since)
 * @touch: a get hit the entry and is done with it: the policy takes over
 *	   the caller's reference, and drops it when it no longer needs it
 *	   (at once, but for that, if the entry is no longer linked)
 * @remove: the entry was unlinked; called before the index's reference is
 *	    dropped.  The policy may defer the work (holding a reference)
 *	    until @flush
 * @victim: pick the entry to evict: linked and not in use; return it with
 *	    a reference taken, or NULL
 * @flush: optional: apply buffered work and drop the references it holds,
 *	   so that the space of removed entries returns to the pool
 * @walk: optional: apply buffered work, then call @fn on every entry the
 *	  policy keeps, in its order, with the policy's lock held (@fn must
 *	  not sleep; it returns false to stop the walk).  For the
 *	  consistency check, which holds cfg_sem for write.
 *
 * All but @create and @destroy run concurrently.  They may sleep only to
 * drop entry references they hold (vmc_repl_release()).
 */
struct vmc_repl_ops {
	const char *name;
	struct vmc_repl *(*create)(const struct vmc_repl_owner *owner);
	void (*destroy)(struct vmc_repl *r);
	void (*insert)(struct vmc_repl *r, struct vmc_entry *e);
	void (*touch)(struct vmc_repl *r, struct vmc_entry *e);
	void (*remove)(struct vmc_repl *r, struct vmc_entry *e);
	struct vmc_entry *(*victim)(struct vmc_repl *r);
	void (*flush)(struct vmc_repl *r);
	void (*walk)(struct vmc_repl *r,
		     bool (*fn)(struct vmc_entry *e, void *arg), void *arg);
};

/**
 * struct vmc_lock_stat - per-CPU counts of a policy's list lock
 * @acquired: acquisitions
 * @contended: acquisitions that found the lock held
 */
struct vmc_lock_stat {
	u64 acquired;
	u64 contended;
};

/**
 * struct vmc_repl - state of a policy, embedded in the policy's own struct
 * @ops: the policy
 * @owner: how to drop entry references, from the cache that created it
 * @lock_stat: how often the policy took its lock, a debug statistic
 */
struct vmc_repl {
	const struct vmc_repl_ops *ops;
	struct vmc_repl_owner owner;
	struct vmc_lock_stat __percpu *lock_stat;
};

int vmc_repl_init(struct vmc_repl *r, const struct vmc_repl_ops *ops,
		  const struct vmc_repl_owner *owner);
void vmc_repl_exit(struct vmc_repl *r);
void vmc_repl_lock(struct vmc_repl *r, spinlock_t *lock) __acquires(lock);
void vmc_repl_lock_stat(struct vmc_repl *r, u64 *acquired, u64 *contended);

/* Hand a reference the policy holds back to its owner. */
static inline void vmc_repl_release(struct vmc_repl *r, struct vmc_entry *e)
{
	r->owner.release(e, r->owner.arg);
}

extern const struct vmc_repl_ops vmc_repl_none;
extern const struct vmc_repl_ops vmc_repl_lru;
extern const struct vmc_repl_ops vmc_repl_lru_locked;
const struct vmc_repl_ops *vmc_repl_find(const char *name);

/**
 * struct vmc_stats - per-CPU event counters of a cache
 * @puts: values stored
 * @gets: get requests
 * @hits: gets that found their key
 * @misses: gets that did not
 * @evictions: entries evicted by the policy or on request
 */
struct vmc_stats {
	u64 puts;
	u64 gets;
	u64 hits;
	u64 misses;
	u64 evictions;
};

/**
 * struct vmc_cache - one cache instance
 * @cfg_sem: held for read by every operation, for write by configuration
 *	     changes, which replace @backing, @alloc and @repl, and by the
 *	     handling of a media failure, which must see no copy in flight
 * @capacity: configured pool size in bytes, page aligned
 * @dram_capacity: pool size of a DRAM backing chosen at load time, used
 *		   when the cache goes back to DRAM
 * @extent_size: allocation unit in bytes
 * @backing: where value bytes live
 * @alloc: free space of the pool
 * @repl: replacement policy state
 * @index: key -> entry; keeps its own locks
 * @nr_entries: linked entries
 * @dram_used: bytes allocated for entries, keys and extent arrays (as
 *	       allocated: slab size classes included)
 * @dram_limit: most bytes @dram_used may reach before puts evict (or fail
 *		with policy none); 0 for the default, vmc_dram_limit_default()
 *		of @capacity
 * @stats: event counters
 * @stalled: gets waiting, without cfg_sem, for their buffer to come into
 *	     memory while they hold an entry: its extents belong to the
 *	     pool, which a reconfiguration must not replace meanwhile
 * @stalled_bytes: pool bytes of the entries those gets hold (an entry held
 *		   by two counts twice), which no put can count on
 * @stalled_wq: woken when @stalled drops to 0
 * @epoch: changed, with cfg_sem held for write, when a media failure takes
 *	   part of the pool out of service: a stalled get reads its entry
 *	   again only if the epoch is the one it saw
 * @list_key: key of the hash that orders keys for VMEMCACHE_IOC_LIST
 * @gfp: allocation flags of the cache's memory: GFP_KERNEL_ACCOUNT for a
 *	 private cache, charged to the memory cgroup of its creator (the pool)
 *	 and of whoever puts (entries), GFP_KERNEL for the shared one
 */
struct vmc_cache {
	struct percpu_rw_semaphore cfg_sem;
	u64 capacity;
	u64 dram_capacity;
	u32 extent_size;
	struct vmc_backing *backing;
	struct vmc_extent_alloc alloc;
	struct vmc_repl *repl;
	struct rhashtable index;
	atomic_long_t nr_entries;
	atomic_long_t dram_used;
	u64 dram_limit;
	struct vmc_stats __percpu *stats;
	atomic_t stalled;
	atomic64_t stalled_bytes;
	wait_queue_head_t stalled_wq;
	u64 epoch;
	siphash_key_t list_key;
	gfp_t gfp;
};

/**
 * struct vmc_evicted - how an operation reports the entries it evicts
 * @record: @e was evicted; called with the cache's locks held and page
 *	    faults disabled, so it must not sleep; @e is valid for the call
 * @full: whether @record may lose the next record unless @flush runs
 *	  first: the cache then stops evicting, and a put starts over
 *	  (-EFAULT) once @flush ran
 * @flush: called with no lock held after each locked section of the
 *	   operation; it may fault and sleep
 *
 * Given by the caller (the ioctl layer's evicted log, evict_log.c) for
 * one call, so that the cache calls nothing above it by name.
 */
struct vmc_evicted {
	void (*record)(struct vmc_evicted *ev, const struct vmc_entry *e);
	bool (*full)(struct vmc_evicted *ev);
	void (*flush)(struct vmc_evicted *ev);
};

/* index.c */
int vmc_index_init(struct rhashtable *index);
struct vmc_entry *vmc_index_lookup_get(struct vmc_cache *c,
				       const struct vmc_key *key);
int vmc_index_insert(struct rhashtable *index, struct vmc_entry *e,
		     bool replace, struct vmc_entry **old);
bool vmc_index_remove(struct rhashtable *index, struct vmc_entry *e);
bool vmc_index_contains(struct rhashtable *index, const struct vmc_key *key);
bool vmc_index_finds(struct rhashtable *index, struct vmc_entry *e);
int vmc_index_walk(struct vmc_cache *c,
		   bool (*fn)(struct vmc_entry *e, void *arg), void *arg);
void vmc_index_destroy(struct rhashtable *index);

/* entry.c */
/* Let the policy release what it holds (see vmc_repl_ops.flush). */
static inline void vmc_repl_flush(struct vmc_repl *r)
{
	if (r->ops->flush)
		r->ops->flush(r);
}

struct vmc_entry *vmc_entry_create(struct vmc_cache *c,
				   const struct vmc_key *key);
void vmc_entry_put(struct vmc_cache *c, struct vmc_entry *e);
int vmc_entry_set_value(struct vmc_cache *c, struct vmc_entry *e,
			struct vmc_extent *ext, unsigned int nr, bool owned,
			u64 len);
void vmc_entry_free_value(struct vmc_cache *c, struct vmc_entry *e);
size_t vmc_entry_dram(const struct vmc_entry *e);
int vmc_entry_copy(struct vmc_cache *c, struct vmc_entry *e, u64 offset,
		   void __user *ubuf, u64 len, bool to_user,
		   struct vmc_extent *bad);
bool vmc_entry_has_prefix(const struct vmc_entry *e,
			  const struct vmc_key *prefix);
int vmc_entry_write_rec(void __user *p, const struct vmc_entry *e);
int vmc_fault_in(const void __user *ubuf, size_t len, bool write);

/* cache.c */
struct vmc_cache *vmc_cache_create(u64 capacity, u32 extent_size,
				   const struct vmc_repl_ops *policy);
struct vmc_cache *vmc_cache_create_on(struct vmc_backing *backing,
				      u64 capacity, u32 extent_size,
				      const struct vmc_repl_ops *policy,
				      gfp_t gfp);
void vmc_cache_destroy(struct vmc_cache *c);
int vmc_cache_reconfigure(struct vmc_cache *c, u64 capacity, u32 extent_size,
			  const struct vmc_repl_ops *policy);
int vmc_cache_reset(struct vmc_cache *c);
int vmc_cache_lock_idle(struct vmc_cache *c);
int vmc_cache_set_backing(struct vmc_cache *c, const char *path);
int vmc_cache_put(struct vmc_cache *c, const struct vmc_key *key,
		  const void __user *uval, u64 len, bool replace,
		  struct vmc_evicted *ev);
int vmc_cache_get(struct vmc_cache *c, const struct vmc_key *key,
		  void __user *ubuf, u64 buf_len, u64 offset, u64 *copied,
		  u64 *size);
int vmc_cache_exists(struct vmc_cache *c, const struct vmc_key *key,
		     u64 *size);
int vmc_cache_evict(struct vmc_cache *c, const struct vmc_key *key,
		    struct vmc_evicted *ev);

int vmc_cache_evict_prefix(struct vmc_cache *c, const struct vmc_key *prefix,
			   struct vmc_evicted *ev);

/**
 * struct vmc_list - a listing of keys into a user buffer
 * @prefix: keys must start with it; len 0 for all
 * @buf: user buffer for the records
 * @size: its size
 * @cursor: in: list the keys whose list hash is at least this; out: where
 *	    the next call starts, 0 when the listing is complete
 * @count: records written
 * @used: bytes written
 */
struct vmc_list {
	struct vmc_key prefix;
	void __user *buf;
	u64 size;
	u64 cursor;
	u32 count;
	u64 used;
};

/* list.c */
int vmc_cache_list(struct vmc_cache *c, struct vmc_list *l);

struct vmemcache_stats;
void vmc_cache_stats(struct vmc_cache *c, struct vmemcache_stats *st);

u64 vmc_cache_dram_limit(struct vmc_cache *c);
void vmc_cache_set_dram_limit(struct vmc_cache *c, u64 limit);
/**
 * struct vmc_config - the tunables of a cache
 * @capacity: configured pool size in bytes
 * @extent_size: allocation unit in bytes
 * @policy: replacement policy
 * @backing_dev: "none" for DRAM, else the claimed device (truncated)
 */
struct vmc_config {
	u64 capacity;
	u32 extent_size;
	const struct vmc_repl_ops *policy;
	char backing_dev[256];
};

void vmc_cache_get_config(struct vmc_cache *c, struct vmc_config *cfg);

/**
 * struct vmc_device - a cache exposed as a misc character device
 * @misc: the device; its sysfs directory holds the tunables
 * @cache: the cache every opener of the device shares
 */
struct vmc_device {
	struct miscdevice misc;
	struct vmc_cache *cache;
};

/* debugfs.c */
void vmc_debugfs_init(struct vmc_cache *c);
void vmc_debugfs_exit(void);

/* chardev.c */
extern const struct file_operations vmc_fops;

/* private.c */
/**
 * struct vmc_private_usage - what the private caches take
 * @limit: most bytes of DRAM pools all private caches may hold together;
 *	   0 for no limit (beyond the memory cgroups they are charged to)
 * @used: bytes of DRAM pools of the private caches that exist now
 * @caches: private caches that exist now (DRAM and DAX)
 * @per_user: most private caches one user may have at once; 0: no bound
 */
struct vmc_private_usage {
	u64 limit;
	u64 used;
	u64 caches;
	u64 per_user;
};

void vmc_private_get_usage(struct vmc_private_usage *u);
void vmc_private_set_limit(u64 limit);
void vmc_private_set_per_user(u64 max);
int vmc_private_charge(uid_t uid, u64 bytes);
void vmc_private_uncharge(uid_t uid, u64 bytes);

/* sysfs.c */
extern const struct attribute_group *vmc_attr_groups[];
int vmc_parse_size(const char *buf, u64 *size);

#endif /* _VMEMCACHE_H */
