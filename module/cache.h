/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cache object (cache.c, list.c): what the ioctl layer calls.  A cache
 * orchestrates the layers below it (index.h, repl.h, entry.h, the
 * allocator and the backing) and calls nothing above it: what it must
 * report to its caller, the entries it evicts, goes through the
 * struct vmc_evicted the caller gives.
 *
 * A cache is self-contained: the device's shared cache is one instance, and
 * nothing here assumes there is only one.
 */
#ifndef _VMC_CACHE_H
#define _VMC_CACHE_H

#include <linux/bits.h>
#include <linux/percpu-rwsem.h>
#include <linux/rhashtable-types.h>
#include <linux/siphash.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "backing.h"
#include "entry.h"
#include "extent_alloc.h"
#include "index.h"
#include "repl.h"

#define VMC_MIN_CAPACITY	BIT_ULL(20)
#define VMC_MIN_EXTENT		64U
#define VMC_MAX_EXTENT		BIT(30)

/**
 * struct vmc_stats - per-CPU event counters of a cache
 * @puts: values stored
 * @gets: get requests
 * @hits: gets that found their key
 * @misses: gets that did not
 * @evictions: entries evicted by the policy or on request
 * @expired: expired entries reclaimed (not counted in @evictions)
 * @slow_hits: of @hits, those served from the slow tier
 * @demotions: entries moved from the fast tier into the slow one
 * @promotions: entries moved from the slow tier into the fast one
 */
struct vmc_stats {
	u64 puts;
	u64 gets;
	u64 hits;
	u64 misses;
	u64 evictions;
	u64 expired;
	u64 slow_hits;
	u64 demotions;
	u64 promotions;
};

/**
 * struct vmc_cache - one cache instance
 * @cfg_sem: held for read by every operation, for write by configuration
 *	     changes, which replace @store's pool and @repl, and by the
 *	     handling of a media failure, which must see no copy in flight
 * @capacity: configured pool size in bytes, page aligned
 * @dram_capacity: pool size of a DRAM backing chosen at load time, used
 *		   when the cache goes back to DRAM
 * @nid: NUMA node of a DRAM pool's pages, or NUMA_NO_NODE for any;
 *	 changed with cfg_sem held for write
 * @store: the backing, its allocator, the extent size, the DRAM taken by
 *	   entries and the allocation flags: what entries and the index
 *	   need of the cache
 * @repl: replacement policy state
 * @index: key -> entry; keeps its own locks
 * @nr_entries: linked entries
 * @dram_limit: most bytes @store.dram_used may reach before puts evict
 *		(or fail with policy none); 0 for the default,
 *		vmc_dram_limit_default() of @capacity
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
 * @cas: the last version a put gave an entry
 * @slow: the slow tier's pool, when vmc_cache_add_tier() gave the cache
 *	  one (@store.slow then points to it); entries with VMC_ENTRY_SLOW
 *	  have their values there
 * @slow_repl: the replacement policy of the slow tier's entries, or NULL
 *	       for a cache of one tier; @repl orders the fast tier's
 * @nr_slow: of @nr_entries, those in the slow tier
 * @debug_hold: the tests' stand-in for a lookup is armed (debugfs
 *		hold_failed, VMEMCACHE_DEBUG builds only)
 * @debug_held: the entry it holds, or NULL (vmc_cache_debug_release())
 *
 * Puts store into the fast tier.  With a slow tier, the fast tier's
 * victims are demoted (moved into the slow tier) instead of evicted, and
 * the slow tier's victims are the cache's evictions.  Both tiers are set
 * up before the cache is used and never reconfigured.
 */
struct vmc_cache {
	struct percpu_rw_semaphore cfg_sem;
	u64 capacity;
	u64 dram_capacity;
	int nid;
	struct vmc_store store;
	struct vmc_repl *repl;
	struct vmc_index index;
	atomic_long_t nr_entries;
	u64 dram_limit;
	struct vmc_stats __percpu *stats;
	atomic_t stalled;
	atomic64_t stalled_bytes;
	wait_queue_head_t stalled_wq;
	u64 epoch;
	siphash_key_t list_key;
	atomic64_t cas;
	struct vmc_store slow;
	struct vmc_repl *slow_repl;
	atomic_long_t nr_slow;
#ifdef VMEMCACHE_DEBUG
	bool debug_hold;
	struct vmc_entry *debug_held;
#endif
};

/* How an entry left, as struct vmc_evicted's @record is told. */
enum vmc_evicted_how {
	VMC_EVICTED,		/* evicted, by the policy or on request */
	VMC_REPLACED,		/* its value was replaced by a put */
};

/**
 * struct vmc_evicted_rec - what the cache reports of an entry that left
 * @key: its key's bytes, valid for the call that reports it
 * @key_len: their length
 * @value_size: the size of its value
 * @how: why it left
 * @store: where its value lives, to read it (vmc_entry_read(),
 *	   vmc_entry_copy()) during the call, under the cache's cfg_sem
 * @entry: the entry, of which the caller holds a reference for the call
 */
struct vmc_evicted_rec {
	const void *key;
	u32 key_len;
	u64 value_size;
	enum vmc_evicted_how how;
	struct vmc_store *store;
	struct vmc_entry *entry;
};

/**
 * struct vmc_evicted - how an operation reports the entries it evicts
 * @record: the entry @rec describes left as @rec->how says; called with
 *	    cfg_sem held and page faults disabled, so it must not sleep
 * @full: whether @record may lose the next record unless @flush runs
 *	  first: the cache then stops evicting, and a put starts over
 *	  (-EFAULT) once @flush ran
 * @flush: called with no lock held after each locked section of the
 *	   operation; it may fault and sleep
 *
 * Given by the caller (the ioctl layer's evicted log, evict_log.c) for
 * one call, so that the cache calls nothing above it by name and knows
 * nothing of the records the log writes.
 */
struct vmc_evicted {
	void (*record)(struct vmc_evicted *ev,
		       const struct vmc_evicted_rec *rec);
	bool (*full)(struct vmc_evicted *ev);
	void (*flush)(struct vmc_evicted *ev);
};

/* cache.c */
struct vmc_cache *vmc_cache_create(u64 capacity, u32 extent_size,
				   const struct vmc_repl_ops *policy);
struct vmc_cache *vmc_cache_create_on(struct vmc_backing *backing,
				      u64 capacity, u32 extent_size,
				      const struct vmc_repl_ops *policy,
				      gfp_t gfp);
void vmc_cache_destroy(struct vmc_cache *c);
int vmc_cache_add_tier(struct vmc_cache *c, struct vmc_backing *backing,
		       u64 capacity);
int vmc_cache_reconfigure(struct vmc_cache *c, u64 capacity, u32 extent_size,
			  const struct vmc_repl_ops *policy);
int vmc_cache_reset(struct vmc_cache *c);
int vmc_cache_lock_idle(struct vmc_cache *c);
int vmc_cache_set_backing(struct vmc_cache *c, const char *path);
int vmc_cache_set_numa_node(struct vmc_cache *c, int nid);
void vmc_cache_node_pages(struct vmc_cache *c, u64 *pages);
int vmc_cache_put(struct vmc_cache *c, const struct vmc_key *key,
		  const void __user *uval, u64 len, bool replace,
		  struct vmc_evicted *ev);
int vmc_cache_get(struct vmc_cache *c, const struct vmc_key *key,
		  void __user *ubuf, u64 buf_len, u64 offset, u64 *copied,
		  u64 *size);
int vmc_cache_exists(struct vmc_cache *c, const struct vmc_key *key,
		     u64 *size);

/**
 * struct vmc_put_opts - how a put stores, beyond vmc_cache_put()'s replace
 * @replace: over a live entry too
 * @present: only over a live entry (else -ENOENT)
 * @match_cas: only over a live entry of version @cas (else -ENOENT, or
 *	       -EEXIST when its version differs)
 * @cas: see @match_cas
 * @client_flags: opaque bits stored with the value
 * @expiry: CLOCK_BOOTTIME second of expiry, 0 for never
 */
struct vmc_put_opts {
	bool replace;
	bool present;
	bool match_cas;
	u64 cas;
	u32 client_flags;
	u32 expiry;
};

int vmc_cache_put_ex(struct vmc_cache *c, const struct vmc_key *key,
		     const void __user *uval, u64 len,
		     const struct vmc_put_opts *opts, struct vmc_evicted *ev);
int vmc_cache_get_ex(struct vmc_cache *c, const struct vmc_key *key,
		     void __user *ubuf, u64 buf_len, u64 offset, u64 *copied,
		     u64 *size, struct vmc_meta *meta);
int vmc_cache_exists_ex(struct vmc_cache *c, const struct vmc_key *key,
			u64 *size, struct vmc_meta *meta);
int vmc_cache_touch(struct vmc_cache *c, const struct vmc_key *key,
		    u32 expiry);

/* How vmc_cache_mark() changes an entry. */
#define VMC_MARK_KEEP_EXPIRY	BIT(0)	/* leave its expiry */
#define VMC_MARK_STALE		BIT(1)	/* mark it stale, token back */
#define VMC_MARK_WIN		BIT(2)	/* take its win token */

int vmc_cache_mark(struct vmc_cache *c, const struct vmc_key *key,
		   u32 expiry, unsigned int how);
u64 vmc_cache_expired(struct vmc_cache *c);
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

/* cache.c */
struct vmemcache_stats;
struct vmemcache_tier_stats;
void vmc_cache_stats(struct vmc_cache *c, struct vmemcache_stats *st);
void vmc_cache_tier_stats(struct vmc_cache *c,
			  struct vmemcache_tier_stats *st);
void vmc_cache_read_stats(struct vmc_cache *c, struct vmemcache_stats *st,
			  bool drain);

u64 vmc_cache_dram_limit(struct vmc_cache *c);
void vmc_cache_set_dram_limit(struct vmc_cache *c, u64 limit);
/**
 * struct vmc_config - the tunables of a cache
 * @capacity: configured pool size in bytes
 * @extent_size: allocation unit in bytes
 * @policy: replacement policy
 * @backing_dev: "none" for DRAM, else the claimed device (truncated)
 * @numa_node: NUMA node of a DRAM pool, or NUMA_NO_NODE
 */
struct vmc_config {
	u64 capacity;
	u32 extent_size;
	int numa_node;
	const struct vmc_repl_ops *policy;
	char backing_dev[256];
};

void vmc_cache_get_config(struct vmc_cache *c, struct vmc_config *cfg);

struct vm_area_struct;
struct vmemcache_map_info;
int vmc_cache_map(struct vmc_cache *c);
int vmc_cache_map_info(struct vmc_cache *c, struct vmemcache_map_info *info);
int vmc_cache_mmap(struct vmc_cache *c, struct vm_area_struct *vma);
#ifdef VMEMCACHE_DEBUG
s64 vmc_cache_debug_release(struct vmc_cache *c, bool arm);
#endif

#endif /* _VMC_CACHE_H */
